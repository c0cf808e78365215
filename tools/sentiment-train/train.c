/*-------------------------------------------------------------------------
 *
 * train.c
 *	  Offline trainer and evaluator of the learned sentiment layer
 *	  (docs/sentiment.md, "Learned layer").  Uses the engine itself to turn
 *	  messages into features, so training and inference hash the same way.
 *
 *	  usage: train [-l data/lexicon] [-t TRAINDIR] [-o OUTDIR] [-b BITS]
 *	               [-k FOLDS] [-x EVALDIR]... [-m MODELDIR] [-P PREDFILE]
 *
 *	  -t: labelled training files TRAINDIR/<lang>.tsv ("negative|neutral|
 *	      positive<TAB>text"); each language with a lexicon gets its own
 *	      model, every file feeds the shared model "mul".  Prints k-fold
 *	      cross-validated macro-F1 (rules only, learned only, both) per
 *	      language and leave-one-language-out figures for "mul", then
 *	      writes OUTDIR/<lang>.osm trained on all the data.
 *	  -x: evaluates the labelled sets EVALDIR/<lang>.tsv ("neg|neu|pos<TAB>
 *	      text") end to end (language detection, model choice, profanity
 *	      caps) in the three modes with the models of -m (default OUTDIR).
 *	  -P: writes every scored message of the cross-validation (out of fold)
 *	      and of the -x sets to PREDFILE, one line each: "set<TAB>lang<TAB>
 *	      gold<TAB>rules<TAB>learned<TAB>both<TAB>text" (set "cv" or the -x
 *	      directory's last component; labels neg|neu|pos; text as scored).
 *	      bench/sentiment_peers.sh scores the same messages with other tools.
 *	      Writing it changes no model byte.
 *
 *	  Everything is deterministic (one fixed random stream): the same
 *	  command on the same data gives the same bytes (-n draws differently).
 *
 *-------------------------------------------------------------------------
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sent_internal.h"
#include "sent_load.h"

#define MAXLANG 32
#define NCLASS 3

typedef struct Ex
{
	int			label;
	int			rule_label;
	int			severity;
	int			nh;
	uint32_t   *h;
	float		d[SENT_NDENSE];
	int			grp;			/* language, for grouped folds */
	float		w;				/* weight in the n-gram model */
	float		sw;				/* weight in the stacker */
	char	   *text;			/* as scored, for -P */
} Ex;

typedef struct Set
{
	char		lang[16];
	Ex		   *ex;
	int			n;
	bool		has_lexicon;
} Set;

typedef struct Model
{
	int			nbits;
	float	   *w;				/* [B][3], dequantized after quantize() */
	int8_t	   *q;
	float		scale;
	float		b[3];
	float		s[3][SENT_NSTACK];
} Model;

/* parameters (chosen by cross-validation on the training data) */
static int	nbits = 14;
static int	epochs = 5;
static double lr0 = 0.02;
static double l2 = 1e-5;
static int	kfold = 5;

static FILE *pred_file = NULL;	/* -P */
static const char *const short3[3] = {"neg", "neu", "pos"};

static void
write_pred(const char *set, const char *lang, int gold, const int *got,
		   const char *text)
{
	if (pred_file)
		fprintf(pred_file, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", set, lang,
				short3[gold], short3[got[0]], short3[got[1]], short3[got[2]], text);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint32_t
rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t) (rng_state >> 11);
}

static int
label3(SentLevel lv)
{
	return lv < SENT_NEUTRAL ? 0 : lv == SENT_NEUTRAL ? 1 : 2;
}

static int
parse_label(const char *s)
{
	if (strcmp(s, "negative") == 0 || strcmp(s, "neg") == 0)
		return 0;
	if (strcmp(s, "neutral") == 0 || strcmp(s, "neu") == 0)
		return 1;
	if (strcmp(s, "positive") == 0 || strcmp(s, "pos") == 0)
		return 2;
	return -1;
}

/* "\u2019" escapes of the tweet files to UTF-8, in place */
static void
unescape(char *s)
{
	char	   *o = s;

	while (*s)
	{
		unsigned	cp;

		if (s[0] == '\\' && s[1] == 'u' && sscanf(s + 2, "%4x", &cp) == 1 &&
			strspn(s + 2, "0123456789abcdefABCDEF") >= 4)
		{
			if (cp < 0x80)
				*o++ = (char) cp;
			else if (cp < 0x800)
			{
				*o++ = (char) (0xC0 | (cp >> 6));
				*o++ = (char) (0x80 | (cp & 0x3F));
			}
			else
			{
				*o++ = (char) (0xE0 | (cp >> 12));
				*o++ = (char) (0x80 | ((cp >> 6) & 0x3F));
				*o++ = (char) (0x80 | (cp & 0x3F));
			}
			s += 6;
		}
		else
			*o++ = *s++;
	}
	*o = '\0';
}

static SentEngine *eng;
static SentLexicon *lex;

static char lang_ids[MAXLANG][16];
static int	nlang_ids = 0;

static int
lang_id(const char *lang)
{
	int			i;

	for (i = 0; i < nlang_ids; i++)
		if (strcmp(lang_ids[i], lang) == 0)
			return i;
	if (nlang_ids >= MAXLANG)
		return MAXLANG - 1;
	snprintf(lang_ids[nlang_ids], 16, "%s", lang);
	return nlang_ids++;
}

static int
load_set(const char *dir, const char *file, Set *set)
{
	char		path[2048],
				line[65536];
	FILE	   *f;
	int			cap = 0;
	size_t		n = strlen(file);

	snprintf(set->lang, sizeof(set->lang), "%.*s", (int) (n - 4), file);
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	set->n = 0;
	set->ex = NULL;
	while (fgets(line, sizeof(line), f))
	{
		char	   *tab = strchr(line, '\t');
		SentResult	r;
		SentRaw		raw;
		Ex		   *e;
		int			lab;

		line[strcspn(line, "\r\n")] = '\0';
		if (!tab || line[0] == '#')
			continue;
		*tab = '\0';
		if ((lab = parse_label(line)) < 0)
			continue;
		unescape(tab + 1);
		if (set->n >= cap)
		{
			cap = cap ? cap * 2 : 1024;
			set->ex = realloc(set->ex, cap * sizeof(Ex));
		}
		e = &set->ex[set->n++];
		e->label = lab;
		e->grp = lang_id(set->lang);
		e->w = e->sw = 1.0f;
		e->text = pred_file ? strdup(tab + 1) : NULL;
		sent_analyze_features(eng, lex, tab + 1, strlen(tab + 1), NULL, &r, e->d, &raw);
		e->rule_label = label3(r.level);
		e->severity = r.severity;
		e->nh = raw.n;
		e->h = malloc((raw.n ? raw.n : 1) * sizeof(uint32_t));
		memcpy(e->h, raw.h, raw.n * sizeof(uint32_t));
		sent_result_free(eng, &r);
	}
	fclose(f);
	set->has_lexicon = sent_lexicon_find_lang(lex, set->lang) >= 0;
	return set->n;
}

/* ------------------------------------------------------------------------
 * Models
 * ------------------------------------------------------------------------
 */
static void
softmax(const double *z, double *p)
{
	double		mx = fmax(z[0], fmax(z[1], z[2])),
				s = 0;
	int			k;

	for (k = 0; k < 3; k++)
		s += (p[k] = exp(z[k] - mx));
	for (k = 0; k < 3; k++)
		p[k] /= s;
}

static void
ngram_logits(const Model *m, const Ex *e, double *z)
{
	uint32_t	mask = (1u << m->nbits) - 1;
	int			i,
				k;

	for (k = 0; k < 3; k++)
		z[k] = m->b[k];
	for (i = 0; i < e->nh; i++)
	{
		const float *w = m->w + (size_t) (e->h[i] & mask) * 3;

		for (k = 0; k < 3; k++)
			z[k] += w[k];
	}
}

static void
stack_input(const Model *m, const Ex *e, double *x)
{
	int			j;

	ngram_logits(m, e, x);
	for (j = 0; j < SENT_NDENSE; j++)
		x[3 + j] = e->d[j];
	x[SENT_NSTACK - 1] = 1;
}

static void
stack_logits(const Model *m, const double *x, double *z)
{
	int			k,
				j;

	for (k = 0; k < 3; k++)
	{
		z[k] = 0;
		for (j = 0; j < SENT_NSTACK; j++)
			z[k] += m->s[k][j] * x[j];
	}
}

static void
train_ngram(Model *m, Ex **xs, int n)
{
	size_t		nb = (size_t) 1 << nbits;
	float	   *G = calloc(nb * 3, sizeof(float));
	double		Gb[3] = {1e-8, 1e-8, 1e-8};
	int		   *order = malloc(n * sizeof(int));
	uint32_t	mask = (uint32_t) nb - 1;
	int			ep,
				i,
				k;

	m->nbits = nbits;
	free(m->w);
	m->w = calloc(nb * 3, sizeof(float));
	memset(m->b, 0, sizeof(m->b));
	for (i = 0; i < n; i++)
		order[i] = i;
	for (ep = 0; ep < epochs; ep++)
	{
		for (i = n - 1; i > 0; i--)
		{
			int			j = rnd() % (i + 1),
						t = order[i];

			order[i] = order[j];
			order[j] = t;
		}
		for (i = 0; i < n; i++)
		{
			const Ex   *e = xs[order[i]];
			double		z[3],
						p[3],
						g[3];
			int			f;

			ngram_logits(m, e, z);
			softmax(z, p);
			for (k = 0; k < 3; k++)
				g[k] = (p[k] - (e->label == k)) * e->w;
			for (k = 0; k < 3; k++)
			{
				Gb[k] += g[k] * g[k];
				m->b[k] -= lr0 * g[k] / sqrt(Gb[k]);
			}
			for (f = 0; f < e->nh; f++)
			{
				size_t		o = (size_t) (e->h[f] & mask) * 3;

				for (k = 0; k < 3; k++)
				{
					double		gg = g[k] + l2 * m->w[o + k] * n;

					G[o + k] += gg * gg;
					m->w[o + k] -= lr0 * gg / sqrt(G[o + k] + 1e-8);
				}
			}
		}
	}
	free(G);
	free(order);
}

/* int8 weights; the evaluation uses the dequantized values like the C code */
static void
quantize(Model *m)
{
	size_t		nb = ((size_t) 1 << m->nbits) * 3,
				i;
	float		mx = 0;

	for (i = 0; i < nb; i++)
		mx = fmaxf(mx, fabsf(m->w[i]));
	m->scale = mx > 0 ? mx / 127.0f : 1.0f;
	free(m->q);
	m->q = malloc(nb);
	for (i = 0; i < nb; i++)
	{
		long		v = lrintf(m->w[i] / m->scale);

		m->q[i] = (int8_t) (v > 127 ? 127 : v < -127 ? -127 : v);
		m->w[i] = m->q[i] * m->scale;
	}
}

static void
train_stacker(Model *m, double (*x)[SENT_NSTACK], const int *y,
			  const float *sw, int n)
{
	int			it,
				i,
				k,
				j;
	double		wsum = 0;

	for (i = 0; i < n; i++)
		wsum += sw[i];

	memset(m->s, 0, sizeof(m->s));
	for (it = 0; it < 1500; it++)
	{
		double		g[3][SENT_NSTACK];

		memset(g, 0, sizeof(g));
		for (i = 0; i < n; i++)
		{
			double		z[3],
						p[3];

			stack_logits(m, x[i], z);
			softmax(z, p);
			for (k = 0; k < 3; k++)
				for (j = 0; j < SENT_NSTACK; j++)
					g[k][j] += (p[k] - (y[i] == k)) * x[i][j] * sw[i];
		}
		for (k = 0; k < 3; k++)
			for (j = 0; j < SENT_NSTACK; j++)
				m->s[k][j] -= 0.3 * (g[k][j] / wsum + 1e-3 * m->s[k][j]);
	}
}

/*
 * The whole recipe on a training set: out-of-fold n-gram logits for the
 * stacker, then the n-gram model on everything.
 */
static void
build_folds(Model *m, Ex **xs, int n, bool grouped)
{
	double		(*x)[SENT_NSTACK] = malloc(n * sizeof(*x));
	int		   *y = malloc(n * sizeof(int));
	float	   *sw = malloc(n * sizeof(float));
	Ex		  **tr = malloc(n * sizeof(Ex *));
	Model		inner;
	int			f,
				i;

	memset(&inner, 0, sizeof(inner));
	for (f = 0; f < (grouped ? MAXLANG : kfold); f++)
	{
		int			nt = 0;

#define IN_FOLD(i) (grouped ? xs[i]->grp == f : (i) % kfold == f)
		for (i = 0; i < n; i++)
			if (!IN_FOLD(i))
				tr[nt++] = xs[i];
		if (nt == n)
			continue;			/* empty group */
		train_ngram(&inner, tr, nt);
		quantize(&inner);
		for (i = 0; i < n; i++)
			if (IN_FOLD(i))
			{
				stack_input(&inner, xs[i], x[i]);
				y[i] = xs[i]->label;
				sw[i] = xs[i]->sw;
			}
	}
	train_stacker(m, x, y, sw, n);
	train_ngram(m, xs, n);
	quantize(m);
	free(inner.w);
	free(inner.q);
	free(x);
	free(y);
	free(sw);
	free(tr);
}

/*
 * A language's own model: random folds.  The shared model: one fold per
 * language, so the stacker learns how far n-grams carry to a language the
 * n-gram model never saw, which is how the shared model is used.
 */
static void
build(Model *m, Ex **xs, int n)
{
	build_folds(m, xs, n, false);
}

static void
build_shared(Model *m, Ex **xs, int n)
{
	build_folds(m, xs, n, true);
}

/* ------------------------------------------------------------------------
 * Evaluation
 * ------------------------------------------------------------------------
 */
typedef struct Conf
{
	int			c[3][3];
} Conf;

static double
macro_f1(const Conf *cf)
{
	double		s = 0;
	int			c,
				o;

	for (c = 0; c < 3; c++)
	{
		int			tp = cf->c[c][c],
					fp = 0,
					fn = 0;
		double		p,
					r;

		for (o = 0; o < 3; o++)
			if (o != c)
			{
				fp += cf->c[o][c];
				fn += cf->c[c][o];
			}
		p = tp + fp ? (double) tp / (tp + fp) : 0;
		r = tp + fn ? (double) tp / (tp + fn) : 0;
		s += p + r > 0 ? 2 * p * r / (p + r) : 0;
	}
	return s / 3;
}

static int
argmax3(const double *z)
{
	return z[0] >= z[1] && z[0] >= z[2] ? 0 : z[2] > z[1] ? 2 : 1;
}

/* rules, learned, both on one example (profanity forces negative) */
static void
judge(const Model *m, const Ex *e, Conf *cf, int *got)
{
	double		x[SENT_NSTACK],
				z[3];
	int			learned,
				both;

	stack_input(m, e, x);
	learned = argmax3(x);
	stack_logits(m, x, z);
	both = argmax3(z);
	if (e->severity > 0)
		learned = both = 0;
	cf[0].c[e->label][e->rule_label]++;
	cf[1].c[e->label][learned]++;
	cf[2].c[e->label][both]++;
	if (got)
	{
		got[0] = e->rule_label;
		got[1] = learned;
		got[2] = both;
	}
}

static void
shuffle_set(Set *s)
{
	int			i;

	for (i = s->n - 1; i > 0; i--)
	{
		int			j = rnd() % (i + 1);
		Ex			t = s->ex[i];

		s->ex[i] = s->ex[j];
		s->ex[j] = t;
	}
}

static double dev_weight = 4.0;	/* a development message in the n-gram model */
static double dev_share = 0.5;	/* development total / training total, stacker */
static double dev_cap = 25.0;	/* ... but one message weighs at most this */

static void
weigh_dev(Set *dev, int ntrain)
{
	int			i;

	for (i = 0; dev && i < dev->n; i++)
	{
		dev->ex[i].w = (float) dev_weight;
		dev->ex[i].sw = (float) fmin(dev_cap, dev_share * ntrain / dev->n);
	}
}

/* k folds of s; dev (may be NULL) joins every training part, never a test part */
static void
cross_validate(Set *s, Set *dev, Model *m)
{
	Conf		cf[3];
	Ex		  **tr = malloc((s->n + (dev ? dev->n : 0)) * sizeof(Ex *));
	int			f,
				i;

	memset(cf, 0, sizeof(cf));
	for (f = 0; f < kfold; f++)
	{
		int			nt = 0;

		for (i = 0; i < s->n; i++)
			if (i % kfold != f)
				tr[nt++] = &s->ex[i];
		weigh_dev(dev, nt);
		for (i = 0; dev && i < dev->n; i++)
			tr[nt++] = &dev->ex[i];
		build(m, tr, nt);
		for (i = f; i < s->n; i += kfold)
		{
			int			got[3];

			judge(m, &s->ex[i], cf, got);
			write_pred("cv", s->lang, s->ex[i].label, got, s->ex[i].text);
		}
	}
	printf("cv   %-4s n=%-5d rules=%.3f learned=%.3f both=%.3f\n", s->lang, s->n,
		   macro_f1(&cf[0]), macro_f1(&cf[1]), macro_f1(&cf[2]));
	fflush(stdout);
	free(tr);
}

static void
write_model(const Model *m, const char *dir, const char *lang)
{
	char		path[2048];
	FILE	   *f;
	unsigned char hdr[SENT_MODEL_HEADER];
	int			k,
				j,
				o = 0;

	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, SENT_MODEL_MAGIC, 4);
	hdr[4] = (unsigned char) m->nbits;
	hdr[5] = SENT_NDENSE;
#define PUTF(v) do { float fv_ = (float) (v); uint32_t u_; memcpy(&u_, &fv_, 4); \
		hdr[o] = u_ & 0xFF; hdr[o + 1] = (u_ >> 8) & 0xFF; hdr[o + 2] = (u_ >> 16) & 0xFF; \
		hdr[o + 3] = u_ >> 24; o += 4; } while (0)
	o = 8;
	PUTF(m->scale);
	for (k = 0; k < 3; k++)
		PUTF(m->b[k]);
	for (k = 0; k < 3; k++)
		for (j = 0; j < SENT_NSTACK; j++)
			PUTF(m->s[k][j]);
	snprintf(path, sizeof(path), "%s/%s.osm", dir, lang);
	f = fopen(path, "wb");
	if (!f)
	{
		perror(path);
		exit(1);
	}
	fwrite(hdr, 1, sizeof(hdr), f);
	fwrite(m->q, 1, ((size_t) 1 << m->nbits) * 3, f);
	fclose(f);
	printf("wrote %s (%zu bytes)\n", path, sizeof(hdr) + ((size_t) 1 << m->nbits) * 3);
}

/* end to end through sent_analyze with the models of moddir */
static void
evaluate_dir(const char *lexdir, const char *moddir, const char *dir)
{
	SentLexicon *l2 = sent_lexicon_new(&sl_allocator, eng);
	char	  **names;
	int			nn,
				k,
				mode;

	sl_load_dir(l2, lexdir, 0);
	{
		char		cmd[4096];
		FILE	   *p;
		char		name[256];

		snprintf(cmd, sizeof(cmd), "ls %s/*.osm 2>/dev/null", moddir);
		p = popen(cmd, "r");
		while (p && fgets(name, sizeof(name), p))
		{
			FILE	   *f;
			char	   *base,
					   *buf;
			long		sz;
			char		lang[16];
			const char *err;

			name[strcspn(name, "\n")] = '\0';
			f = fopen(name, "rb");
			fseek(f, 0, SEEK_END);
			sz = ftell(f);
			fseek(f, 0, SEEK_SET);
			buf = malloc(sz);
			if (fread(buf, 1, sz, f) != (size_t) sz)
				exit(1);
			fclose(f);
			base = strrchr(name, '/') + 1;
			snprintf(lang, sizeof(lang), "%.*s", (int) (strlen(base) - 4), base);
			if ((err = sent_lexicon_add_model(l2, lang, buf, sz, false)) != NULL)
				fprintf(stderr, "%s: %s\n", name, err);
			free(buf);
		}
		if (p)
			pclose(p);
	}
	sent_lexicon_finalize(l2);
	{
		char		cmd[4096];
		FILE	   *p;
		char		name[256];

		names = malloc(64 * sizeof(char *));
		nn = 0;
		snprintf(cmd, sizeof(cmd), "cd %s && ls *.tsv", dir);
		p = popen(cmd, "r");
		while (p && fgets(name, sizeof(name), p) && nn < 64)
		{
			name[strcspn(name, "\n")] = '\0';
			names[nn++] = strdup(name);
		}
		if (p)
			pclose(p);
	}
	for (k = 0; k < nn; k++)
	{
		Conf		cf[3];
		int			n = 0,
					langok = 0;
		char		path[2048],
					line[65536],
					lang[16];
		FILE	   *f;
		const char *setname = strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir;

		memset(cf, 0, sizeof(cf));
		snprintf(lang, sizeof(lang), "%.*s", (int) strlen(names[k]) - 4, names[k]);
		snprintf(path, sizeof(path), "%s/%s", dir, names[k]);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f))
		{
			char	   *tab = strchr(line, '\t');
			int			gold,
						got[3];

			line[strcspn(line, "\r\n")] = '\0';
			if (!tab || line[0] == '#')
				continue;
			*tab = '\0';
			if ((gold = parse_label(line)) < 0)
				continue;
			for (mode = 0; mode < 3; mode++)
			{
				SentResult	r;
				static const SentMode order[3] = {SENT_MODE_RULES, SENT_MODE_LEARNED, SENT_MODE_BOTH};

				sent_lexicon_set_mode(l2, order[mode]);
				sent_analyze(eng, l2, tab + 1, strlen(tab + 1), NULL, false, false, &r);
				cf[mode].c[gold][label3(r.level)]++;
				got[mode] = label3(r.level);
				if (mode == 0)
					langok += strcmp(r.language, lang) == 0;
				if (getenv("TRAIN_VERBOSE") && mode == 2 && gold != label3(r.level))
					printf("  miss %s gold=%d got=%s [%s] %s\n", lang, gold,
						   sent_level_names[r.level], r.language, tab + 1);
				sent_result_free(eng, &r);
			}
			write_pred(setname, lang, gold, got, tab + 1);
			n++;
		}
		if (f)
			fclose(f);
		printf("eval %-4s n=%-5d rules=%.3f learned=%.3f both=%.3f language=%.0f%%\n",
			   lang, n, macro_f1(&cf[0]), macro_f1(&cf[1]), macro_f1(&cf[2]),
			   n ? 100.0 * langok / n : 0);
	}
	sent_lexicon_free(l2);
}

int
main(int argc, char **argv)
{
	const char *lexdir = "data/lexicon";
	const char *traindir = NULL;
	const char *outdir = "data/model";
	const char *moddir = NULL;
	const char *devdir = NULL;
	Set			devs[MAXLANG];
	int			ndevs = 0;
	const char *evals[8];
	int			nevals = 0;
	bool		cv = true;
	char		err[256];
	Set			sets[MAXLANG];
	int			nsets = 0,
				i;

	for (i = 1; i < argc; i++)
	{
		if (strcmp(argv[i], "-l") == 0 && i + 1 < argc)
			lexdir = argv[++i];
		else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc)
			traindir = argv[++i];
		else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			outdir = argv[++i];
		else if (strcmp(argv[i], "-d") == 0 && i + 1 < argc)
			devdir = argv[++i];
		else if (strcmp(argv[i], "-w") == 0 && i + 1 < argc)
			dev_weight = atof(argv[++i]);
		else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc)
			dev_share = atof(argv[++i]);
		else if (strcmp(argv[i], "-m") == 0 && i + 1 < argc)
			moddir = argv[++i];
		else if (strcmp(argv[i], "-b") == 0 && i + 1 < argc)
			nbits = atoi(argv[++i]);
		else if (strcmp(argv[i], "-k") == 0 && i + 1 < argc)
			kfold = atoi(argv[++i]);
		else if (strcmp(argv[i], "-e") == 0 && i + 1 < argc)
			epochs = atoi(argv[++i]);
		else if (strcmp(argv[i], "-r") == 0 && i + 1 < argc)
			lr0 = atof(argv[++i]);
		else if (strcmp(argv[i], "-2") == 0 && i + 1 < argc)
			l2 = atof(argv[++i]);
		else if (strcmp(argv[i], "-n") == 0)
			cv = false;
		else if (strcmp(argv[i], "-x") == 0 && i + 1 < argc && nevals < 8)
			evals[nevals++] = argv[++i];
		else if (strcmp(argv[i], "-P") == 0 && i + 1 < argc)
		{
			if ((pred_file = fopen(argv[++i], "w")) == NULL)
			{
				perror(argv[i]);
				return 1;
			}
		}
		else
		{
			fprintf(stderr, "usage: train [-l LEXDIR] [-t TRAINDIR] [-o OUTDIR] [-b BITS] [-k FOLDS] [-n] [-x EVALDIR]... [-m MODELDIR] [-P PREDFILE]\n");
			return 2;
		}
	}
	if (nbits < 8 || nbits > 22 || kfold < 2)
	{
		fprintf(stderr, "bad -b or -k\n");
		return 2;
	}
	eng = sent_engine_new(&sl_allocator, err, sizeof(err));
	if (!eng)
	{
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	lex = sent_lexicon_new(&sl_allocator, eng);
	if (sl_load_dir(lex, lexdir, 0) < 0)
	{
		perror(lexdir);
		return 1;
	}
	sent_lexicon_finalize(lex);

	if (traindir)
	{
		FILE	   *p;
		char		cmd[4096],
					name[256];
		Ex		  **pool;
		int			npool = 0,
					total = 0,
					s;
		Model		m;

		memset(&m, 0, sizeof(m));
		snprintf(cmd, sizeof(cmd), "cd %s && ls *.tsv", traindir);
		p = popen(cmd, "r");
		while (p && fgets(name, sizeof(name), p) && nsets < MAXLANG)
		{
			name[strcspn(name, "\n")] = '\0';
			if (load_set(traindir, name, &sets[nsets]) > 0)
			{
				shuffle_set(&sets[nsets]);
				total += sets[nsets].n;
				nsets++;
			}
		}
		if (p)
			pclose(p);
		if (devdir)
		{
			snprintf(cmd, sizeof(cmd), "cd %s && ls *.tsv", devdir);
			p = popen(cmd, "r");
			while (p && fgets(name, sizeof(name), p) && ndevs < MAXLANG)
			{
				name[strcspn(name, "\n")] = '\0';
				if (load_set(devdir, name, &devs[ndevs]) > 0)
					total += devs[ndevs++].n;
			}
			if (p)
				pclose(p);
		}
		pool = malloc(total * sizeof(Ex *));
		printf("# %d-fold cross-validated macro-F1 (negative/neutral/positive), %d-bit hash, %d epochs,\n"
			   "# development messages weighted %.1f (n-grams) and %.0f %% of the training weight, at most %.0f each (stacker)\n",
			   kfold, nbits, epochs, dev_weight, 100 * dev_share, dev_cap);
		for (s = 0; s < nsets; s++)
			if (sets[s].has_lexicon)
			{
				Set		   *dev = NULL;
				Ex		  **xs;
				int			nx = 0,
							t;

				for (t = 0; t < ndevs; t++)
					if (strcmp(devs[t].lang, sets[s].lang) == 0)
						dev = &devs[t];
				if (cv)
					cross_validate(&sets[s], dev, &m);
				xs = malloc((sets[s].n + (dev ? dev->n : 0)) * sizeof(Ex *));
				for (i = 0; i < sets[s].n; i++)
					xs[nx++] = &sets[s].ex[i];
				weigh_dev(dev, nx);
				for (i = 0; dev && i < dev->n; i++)
					xs[nx++] = &dev->ex[i];
				build(&m, xs, nx);
				write_model(&m, outdir, sets[s].lang);
				free(xs);
			}

		/*
		 * The shared model: every language, at most 2,500 messages each
		 * (Basque would dominate otherwise), and every development set.
		 * Leave-one-language-out shows what it does for a language it
		 * never saw.
		 */
		for (s = 0; s <= nsets; s++)
		{
			Conf		cf[3];
			int			t,
						ntw = 0,
						ndv = 0;
			const char *out = s < nsets ? sets[s].lang : NULL;

			if (out && !cv)
				continue;
			npool = 0;
			for (t = 0; t < nsets; t++)
				for (i = 0; i < sets[t].n && i < 2500; i++)
					if (!out || strcmp(sets[t].lang, out) != 0)
						pool[npool++] = &sets[t].ex[i];
			ntw = npool;
			for (t = 0; t < ndevs; t++)
				if (!out || strcmp(devs[t].lang, out) != 0)
					ndv += devs[t].n;
			for (t = 0; t < ndevs; t++)
				if (!out || strcmp(devs[t].lang, out) != 0)
					for (i = 0; i < devs[t].n; i++)
					{
						devs[t].ex[i].w = (float) dev_weight;
						devs[t].ex[i].sw = (float) fmin(dev_cap, dev_share * ntw / ndv);
						pool[npool++] = &devs[t].ex[i];
					}
			/* interleave languages so folds mix them */
			for (i = npool - 1; i > 0; i--)
			{
				int			j = rnd() % (i + 1);
				Ex		   *x = pool[i];

				pool[i] = pool[j];
				pool[j] = x;
			}
			build_shared(&m, pool, npool);
			if (out == NULL)
			{
				write_model(&m, outdir, "mul");
				break;
			}
			memset(cf, 0, sizeof(cf));
			for (i = 0; i < sets[s].n; i++)
				judge(&m, &sets[s].ex[i], cf, NULL);
			printf("lolo %-4s n=%-5d rules=%.3f learned=%.3f both=%.3f (shared model without %s)\n",
				   sets[s].lang, sets[s].n, macro_f1(&cf[0]), macro_f1(&cf[1]),
				   macro_f1(&cf[2]), sets[s].lang);
			fflush(stdout);
		}
		free(pool);
	}
	for (i = 0; i < nevals; i++)
		evaluate_dir(lexdir, moddir ? moddir : outdir, evals[i]);
	sent_lexicon_free(lex);
	sent_engine_free(eng);
	if (pred_file && fclose(pred_file) != 0)
	{
		perror("-P");
		return 1;
	}
	return 0;
}
