/*-------------------------------------------------------------------------
 *
 * model.c
 *	  The learned layer of the sentiment engine: a multinomial logistic
 *	  regression over hashed features, stacked on the rule scorer.
 *
 * Features of a message (all hashed into 2^nbits buckets, no allocation):
 *   - every token (word, emoji, punctuation run) as written after
 *	   normalization and case folding ("w"), digits-only words as "0";
 *   - every pair of neighbouring tokens ("b");
 *   - the first five and the last three characters of longer words ("p",
 *	   "s"): character n-grams anchored at the word edges, which carry
 *	   stems and inflections (decepcionado / decepcionante, Basque -ak).
 * Each bucket holds three int8 weights (negative, neutral, positive) times
 * a per-model scale.  The n-gram logits are the "learned" scorer.  A small
 * stacker maps [n-gram logits, rule-scorer features, 1] to the final
 * logits ("both"): it was trained on out-of-fold n-gram logits, so it
 * learns how far to trust each side (tools/sentiment-train/train.c).
 *
 * Model bytes (little-endian): "OSM1", nbits (u8), ndense (u8), 2 zero
 * bytes, scale (f32), bias[3] (f32), stack[3][3 + ndense + 1] (f32), then
 * int8 w[2^nbits][3].
 *
 *-------------------------------------------------------------------------
 */
#include "sent_internal.h"

#include <math.h>
#include <string.h>

const char *const sent_mode_names[3] = {"both", "rules", "learned"};

/* ------------------------------------------------------------------------
 * Loading
 * ------------------------------------------------------------------------
 */
static float
get_f32(const unsigned char *p)
{
	uint32_t	u = (uint32_t) p[0] | ((uint32_t) p[1] << 8) |
		((uint32_t) p[2] << 16) | ((uint32_t) p[3] << 24);
	float		f;

	memcpy(&f, &u, sizeof(f));
	return f;
}

const char *
sent_lexicon_add_model(SentLexicon *lex, const char *lang, const void *data,
					   size_t len, bool admin)
{
	const unsigned char *p = data;
	SentModel  *m;
	int			li,
				nbits,
				k,
				j;
	size_t		nw;
	int8_t	   *w;

	if (lex->finalized)
		return "lexicon already finalized";
	if (len < 4 || memcmp(p, SENT_MODEL_MAGIC, 4) != 0)
		return "not a sentiment model (expected the OSM1 format of tools/sentiment-train)";
	if (len < SENT_MODEL_HEADER)
		return "model is truncated";
	nbits = p[4];
	if (nbits < 8 || nbits > 22)
		return "model hash size must be between 2^8 and 2^22 buckets";
	if (p[5] != SENT_NDENSE)
		return "model was trained for another set of rule features";
	nw = ((size_t) 1 << nbits) * 3;
	if (len != SENT_MODEL_HEADER + nw)
		return "model size does not match its header";
	li = sent_lang_index(lex, lang, true);
	if (li < 0)
		return "bad language code (expected an ISO 639 code such as en, pt or mul)";
	if (lex->model[li] && lex->model[li]->admin && !admin)
		return NULL;			/* the admin's model wins */
	m = sent_arena_alloc(lex->arena, sizeof(SentModel));
	m->nbits = nbits;
	m->mask = ((uint32_t) 1 << nbits) - 1;
	m->scale = get_f32(p + 8);
	for (k = 0; k < 3; k++)
		m->bias[k] = get_f32(p + 12 + 4 * k);
	for (k = 0; k < 3; k++)
		for (j = 0; j < SENT_NSTACK; j++)
			m->stack[k][j] = get_f32(p + 24 + 4 * (k * SENT_NSTACK + j));
	/* finite and bounded, so logits stay finite on any message */
	if (!(m->scale > 0 && m->scale <= 100))
		return "model scale must be a number in (0, 100]";
	for (k = 0; k < 3; k++)
	{
		if (!(fabsf(m->bias[k]) <= 1e4f))
			return "model bias must be a number within [-10000, 10000]";
		for (j = 0; j < SENT_NSTACK; j++)
			if (!(fabsf(m->stack[k][j]) <= 1e4f))
				return "model stacker weight must be a number within [-10000, 10000]";
	}
	w = sent_arena_alloc(lex->arena, nw);
	memcpy(w, p + SENT_MODEL_HEADER, nw);
	m->w = w;
	m->admin = admin;
	lex->model[li] = m;
	return NULL;
}

void
sent_lexicon_set_mode(SentLexicon *lex, SentMode mode)
{
	lex->mode = mode;
}

/*
 * The model of language lang (its lexicon index when the caller knows it,
 * else -1 and the code is looked up), or the shared "mul" one.
 */
const SentModel *
sent_model_for(const SentLexicon *lex, const char *lang, int index, int *li)
{
	*li = index >= 0 ? index : sent_lexicon_find_lang(lex, lang);
	if (*li >= 0 && lex->model[*li])
		return lex->model[*li];
	*li = lex->mul;
	return *li >= 0 ? lex->model[*li] : NULL;
}

/* ------------------------------------------------------------------------
 * Feature hashing
 * ------------------------------------------------------------------------
 */
static inline uint32_t
fmix(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

static inline uint32_t
fnv(uint32_t seed, const char *s, int len)
{
	uint32_t	h = 2166136261u ^ seed;
	int			i;

	for (i = 0; i < len; i++)
	{
		h ^= (unsigned char) s[i];
		h *= 16777619u;
	}
	return h;
}

#define SEED_WORD	0x9E3779B9u
#define SEED_PREFIX	SENT_SEED_PREFIX
#define SEED_SUFFIX	0x73u
#define PREFIX_CHARS SENT_PREFIX_CHARS
#define SUFFIX_CHARS 3

/* byte offset where the last n characters of s start */
static inline int
utf8_tail(const char *s, int len, int n)
{
	int			i = len;

	while (i > 0 && n > 0)
	{
		i--;
		while (i > 0 && ((unsigned char) s[i] & 0xC0) == 0x80)
			i--;
		n--;
	}
	return i;
}

/* One token's features; returns its word hash (for the next bigram). */
typedef struct FeatSink
{
	const SentModel *m;
	int32_t		acc[3];
	SentRaw    *raw;
	SentArena  *arena;
	/* evidence */
	bool		evid;
	float		axis[3];		/* positive-minus-negative per n-gram logit */
	SentResult *res;
} FeatSink;

static inline int32_t
add_feature(FeatSink *fs, uint32_t h)
{
	h = fmix(h);
	if (fs->raw)
	{
		SentRaw    *r = fs->raw;

		if (r->n >= r->cap)
		{
			int			ncap = r->cap ? r->cap * 2 : 256;
			uint32_t   *n = sent_arena_alloc(fs->arena, ncap * sizeof(uint32_t));

			if (r->n)
				memcpy(n, r->h, r->n * sizeof(uint32_t));
			r->h = n;
			r->cap = ncap;
		}
		r->h[r->n++] = h;
		return 0;
	}
	else
	{
		const int8_t *w = fs->m->w + (size_t) (h & fs->m->mask) * 3;

		fs->acc[0] += w[0];
		fs->acc[1] += w[1];
		fs->acc[2] += w[2];
		if (!fs->evid)
			return 0;
		return (int32_t) lrintf(100.0f * (fs->axis[0] * w[0] + fs->axis[1] * w[1] +
										  fs->axis[2] * w[2]));
	}
}

/* keep the strongest features for the evidence */
static void
keep_feature(FeatSink *fs, const char *name, int namelen, const char *kind,
			 float weight)
{
	SentResult *res = fs->res;
	int			i,
				slot = -1;

	if (weight == 0)
		return;
	if (res->nfeats < SENT_MAX_FEATS)
		slot = res->nfeats++;
	else
	{
		float		weakest = fabsf(weight);

		for (i = 0; i < res->nfeats; i++)
			if (fabsf(res->feats[i].weight) < weakest)
			{
				weakest = fabsf(res->feats[i].weight);
				slot = i;
			}
		if (slot < 0)
			return;
	}
	res->feats[slot].name = sent_arena_strndup(fs->arena, name, namelen);
	res->feats[slot].kind = kind;
	res->feats[slot].weight = weight;
}

static void
walk_features(SentTokens *toks, FeatSink *fs)
{
	uint32_t	prev = 0;
	int			prev_tok = -1;
	int			i;
	float		unit = fs->m ? fs->m->scale / 100.0f : 0;

	for (i = 0; i < toks->ntok; i++)
	{
		const SentTok *t = &toks->tok[i];
		const char *s = t->alt2 ? t->alt2 : t->s;
		int			len = t->alt2 ? (int) strlen(t->alt2) : (int) t->len;
		uint32_t	hw,
					hp;
		int32_t		word_c = 0;

		if (len == 0)
			continue;
		if (t->type == TT_WORD && (t->flags & TF_DIGIT) && !(t->flags & TF_ALPHA))
		{
			s = "0";
			len = 1;
		}
		/* one pass over the word: its hash, and the prefix's on the way */
		{
			uint32_t	h = 2166136261u;
			int			k,
						chars = 0;

			hp = 0;
			for (k = 0; k < len; k++)
			{
				unsigned char ch = (unsigned char) s[k];

				if ((ch & 0xC0) != 0x80 && ++chars == PREFIX_CHARS + 1)
					hp = h ^ SEED_PREFIX;
				h ^= ch;
				h *= 16777619u;
			}
			hw = h ^ SEED_WORD;
		}
		word_c += add_feature(fs, hw);
		if (prev_tok >= 0)
		{
			int32_t		bc = add_feature(fs, (prev * 0x9E3779B1u) ^ (hw + 0x7F4A7C15u));

			if (fs->evid && bc != 0)
			{
				const SentTok *p = &toks->tok[prev_tok];
				const char *ps = p->alt2 ? p->alt2 : p->s;
				int			pl = (int) strlen(ps);
				char		buf[128];

				if (pl + len + 1 < (int) sizeof(buf))
				{
					memcpy(buf, ps, pl);
					buf[pl] = ' ';
					memcpy(buf + pl + 1, s, len);
					keep_feature(fs, buf, pl + 1 + len, "bigram", bc * unit);
				}
			}
		}
		if (t->type == TT_WORD && t->nchars >= PREFIX_CHARS)
		{
			if (hp != 0)
				word_c += add_feature(fs, hp);
			{
				int			o = utf8_tail(s, len, SUFFIX_CHARS);

				word_c += add_feature(fs, fnv(SEED_SUFFIX, s + o, len - o));
			}
		}
		if (fs->evid && word_c != 0)
			keep_feature(fs, s, len, "word", word_c * unit);
		prev = hw;
		prev_tok = i;
	}
}

/*
 * The same features as walk_features for prediction without evidence, the
 * hot path of omni.sentiment: the word hashes of the form look-up are
 * reused (SentTok.hash, .hprefix), the sums stay in registers.  Integer
 * sums, so the result is exactly walk_features' in any order.
 */
static void
walk_predict(const SentTokens *toks, const SentModel *m, int32_t *acc)
{
	const int8_t *wt = m->w;
	const uint32_t mask = m->mask;
	int32_t		a0 = 0,
				a1 = 0,
				a2 = 0;
	uint32_t	prev = 0;
	bool		have_prev = false;
	int			i;

#define ADD_FEATURE(hv) \
	do { \
		const int8_t *w_ = wt + (size_t) (fmix(hv) & mask) * 3; \
		a0 += w_[0]; \
		a1 += w_[1]; \
		a2 += w_[2]; \
	} while (0)

	for (i = 0; i < toks->ntok; i++)
	{
		const SentTok *t = &toks->tok[i];
		const char *s;
		int			len;
		uint32_t	hw,
					hp;

		if (t->type == TT_WORD && t->alt2 == NULL &&
			!((t->flags & TF_DIGIT) && !(t->flags & TF_ALPHA)))
		{
			/* the common case: hashed by the form look-up */
			if (t->len == 0)
				continue;
			s = t->s;
			len = (int) t->len;
			hw = t->hash ^ SEED_WORD;
			hp = t->hprefix;
		}
		else
		{
			s = t->alt2 ? t->alt2 : t->s;
			len = t->alt2 ? (int) strlen(t->alt2) : (int) t->len;
			if (len == 0)
				continue;
			if (t->type == TT_WORD && (t->flags & TF_DIGIT) && !(t->flags & TF_ALPHA))
			{
				s = "0";
				len = 1;
			}
			hw = sent_hash_with_prefix(s, len, &hp) ^ SEED_WORD;
		}
		ADD_FEATURE(hw);
		if (have_prev)
			ADD_FEATURE((prev * 0x9E3779B1u) ^ (hw + 0x7F4A7C15u));
		if (t->type == TT_WORD && t->nchars >= PREFIX_CHARS)
		{
			int			o = utf8_tail(s, len, SUFFIX_CHARS);

			if (hp != 0)
				ADD_FEATURE(hp);
			ADD_FEATURE(fnv(SEED_SUFFIX, s + o, len - o));
		}
		prev = hw;
		have_prev = true;
	}
#undef ADD_FEATURE
	acc[0] = a0;
	acc[1] = a1;
	acc[2] = a2;
}

void
sent_model_raw(SentTokens *toks, SentArena *arena, SentRaw *raw)
{
	FeatSink	fs;

	memset(&fs, 0, sizeof(fs));
	fs.raw = raw;
	fs.arena = arena;
	walk_features(toks, &fs);
}

/* ------------------------------------------------------------------------
 * Prediction
 * ------------------------------------------------------------------------
 */
static void
softmax3(const double *z, double *p)
{
	double		mx = z[0] > z[1] ? z[0] : z[1];
	double		s;
	int			k;

	if (z[2] > mx)
		mx = z[2];
	for (k = 0; k < 3; k++)
		p[k] = exp(z[k] - mx);
	s = p[0] + p[1] + p[2];
	for (k = 0; k < 3; k++)
		p[k] /= s;
}

/*
 * Class probabilities to a score on the level scale: the most probable
 * class decides the side (negative levels, neutral, positive levels), its
 * probability how far into it, up to the top of "negative" / "positive":
 * the outer levels need the rule scorer's agreement.  With "both", a rule
 * score of the same side that is stronger is kept ("terrible!!!" stays
 * very_negative).
 */
static double
to_score(const SentLexicon *lex, const double *p, double rule_score, bool both)
{
	const double *th = lex->threshold;
	int			c = p[0] >= p[1] && p[0] >= p[2] ? 0 : p[2] > p[1] ? 2 : 1;
	double		q = (p[c] - 1.0 / 3.0) * 1.5;
	double		s;

	if (q < 0)
		q = 0;
	if (q > 1)
		q = 1;
	if (c == 1)
	{
		double		lo = th[SENT_NEUTRAL],
					hi = th[SENT_SLIGHTLY_POSITIVE];

		s = (lo + hi) / 2 + (p[2] - p[0]) * (hi - lo) / 2 * 0.98;
	}
	else if (c == 2)
	{
		double		lo = th[SENT_SLIGHTLY_POSITIVE],
					hi = th[SENT_VERY_POSITIVE] - 0.0001;

		s = lo + (hi - lo) * q;
		if (both && rule_score > s)
			s = rule_score;
	}
	else
	{
		double		hi = th[SENT_NEUTRAL] - 0.0001,
					lo = th[SENT_NEGATIVE];

		s = hi - (hi - lo) * q;
		if (both && rule_score < s)
			s = rule_score;
	}
	return s < -1 ? -1 : s > 1 ? 1 : s;
}

bool
sent_model_apply(const SentLexicon *lex, const SentModel *m, SentTokens *toks,
				 const float *dense, SentMode mode, bool want_evidence,
				 SentArena *arena, SentResult *res)
{
	FeatSink	fs;
	double		zn[3],
				z[3];
	int			k,
				j;

	memset(&fs, 0, sizeof(fs));
	fs.m = m;
	fs.arena = arena;
	fs.res = res;
	fs.evid = want_evidence;
	if (want_evidence)
	{
		/* how one unit of each n-gram logit moves positive minus negative */
		for (j = 0; j < 3; j++)
			fs.axis[j] = mode == SENT_MODE_LEARNED ? (j == 2) - (j == 0) :
				m->stack[2][j] - m->stack[0][j];
	}
	if (want_evidence)
		walk_features(toks, &fs);
	else
		walk_predict(toks, m, fs.acc);
	for (k = 0; k < 3; k++)
		zn[k] = m->bias[k] + (double) fs.acc[k] * m->scale;
	if (mode == SENT_MODE_LEARNED)
		memcpy(z, zn, sizeof(z));
	else
	{
		for (k = 0; k < 3; k++)
		{
			const float *st = m->stack[k];
			double		v = st[SENT_NSTACK - 1];

			for (j = 0; j < 3; j++)
				v += st[j] * zn[j];
			for (j = 0; j < SENT_NDENSE; j++)
				v += st[3 + j] * dense[j];
			z[k] = v;
		}
		if (want_evidence)
		{
			float		r = 0;

			for (j = 0; j < SENT_NDENSE; j++)
				r += (m->stack[2][3 + j] - m->stack[0][3 + j]) * dense[j];
			fs.evid = true;
			keep_feature(&fs, "lexicon and rules", 17, "rules", r);
		}
	}
	/* strongest first */
	for (k = 1; k < res->nfeats; k++)
	{
		SentFeat	x = res->feats[k];

		for (j = k - 1; j >= 0 && fabsf(res->feats[j].weight) < fabsf(x.weight); j--)
			res->feats[j + 1] = res->feats[j];
		res->feats[j + 1] = x;
	}
	if (!isfinite(z[0]) || !isfinite(z[1]) || !isfinite(z[2]))
	{
		res->nfeats = 0;		/* cannot happen with a bounded model: rules decide */
		return false;
	}
	softmax3(z, res->prob);
	res->mode = mode;
	res->score = to_score(lex, res->prob, res->rule_score, mode == SENT_MODE_BOTH);
	return true;
}
