/*-------------------------------------------------------------------------
 *
 * scorer.c
 *	  Sentiment scoring over the token stream, and the pipeline of one
 *	  message: tokens (tokenizer.c), look-ups, language (detect.c), rules,
 *	  profanity (profanity.c), the learned layer (model.c), the level.
 *
 * Scoring is lexicon plus rules in the manner of VADER (Hutto & Gilbert
 * 2014): each sentiment word's valence (-4..4) is adjusted by a preceding
 * intensifier or diminisher, capitals in a mixed-case message, stretched
 * letters, negation (x -0.74 for the next three words of the clause, or
 * the previous word for post-posed negators such as Korean 않다 or
 * Danish/German "ikke"/"nicht" at the clause end), and contrast ("but":
 * before x0.5, after x1.5).  Exclamation and question marks amplify the
 * sum, which is normalized to [-1, 1] by x / sqrt(x^2 + 15).  Profanity
 * (also when obfuscated: f*ck, f.u.c.k, sh1t, f u c k, fuuuck) caps the
 * score at the top of "negative", or of "very_negative" for severity 3.
 *
 *-------------------------------------------------------------------------
 */
#include "scorer.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

Item *
sent_add_item(ScoreCtx *c)
{
	Item	   *it;

	if (c->nitems >= c->maxitems)
	{
		int			nmax = c->maxitems ? c->maxitems * 2 : 32;
		Item	   *n = sent_arena_alloc(c->arena, nmax * sizeof(Item));

		if (c->nitems)
			memcpy(n, c->items, c->nitems * sizeof(Item));
		c->items = n;
		c->maxitems = nmax;
	}
	it = &c->items[c->nitems++];
	memset(it, 0, sizeof(Item));
	it->clause = c->clause;
	return it;
}

/* ------------------------------------------------------------------------
 * Look-ups
 * ------------------------------------------------------------------------
 */
static const SentInfo *
resolve(ScoreCtx *c, const SentTok *t, uint32_t *rules)
{
	const SentLexicon *lex = c->lex;
	const int  *cand = c->cand;
	int			ncand = c->ncand;
	int			other[SENT_MAX_LANGS];
	const SentInfo *info;
	int			i;

	/* a word in another script than the message: its own script's lexicons */
	if (t->script != SS_NONE && ncand > 0 &&
		t->script != lex->langs[cand[0]].script)
	{
		int			l;

		ncand = 0;
		for (l = 0; l < lex->nlangs; l++)
			if ((int) lex->langs[l].script == t->script && !lex->langs[l].universal)
				other[ncand++] = l;
		cand = other;
	}
	if (t->entry)
	{
		for (i = 0; i < ncand; i++)
			if ((info = sent_entry_info(t->entry, cand[i])) != NULL)
				return info;
		if (lex->mul >= 0 && (info = sent_entry_info(t->entry, lex->mul)) != NULL)
			return info;
	}
	for (i = 0; i < ncand; i++)
	{
		char		buf[256];
		int			n;
		const SentEntry *se;

		n = sent_stem(lex, cand[i], t->s, (int) t->len, buf, sizeof(buf));
		if (n <= 0)
			continue;
		se = sent_hash_find(&lex->stems, buf, n);
		if (se && (info = sent_entry_info(se, cand[i])) != NULL)
		{
			*rules |= SR_STEM;
			return info;
		}
	}
	return NULL;
}

/* ------------------------------------------------------------------------
 * Negation
 * ------------------------------------------------------------------------
 */
static void
negate_previous(ScoreCtx *c, int word, int clause, const char *term)
{
	int			i;

	for (i = c->nitems - 1; i >= 0; i--)
	{
		Item	   *it = &c->items[i];

		if (it->clause != clause || word - it->word > NEG_SCOPE)
			break;
		if (it->rules & (SR_PROFANE | SR_SYMBOL))
			continue;
		if (!(it->rules & SR_NEGATED))
		{
			it->val *= NEG_SCALAR;
			it->rules |= SR_NEGATED;
			it->modifier = term;
		}
		break;
	}
}

static void
finish_negation(ScoreCtx *c)
{
	if (c->neg_left > 0 && !c->neg_applied && c->neg_postable)
		negate_previous(c, c->neg_word, c->neg_clause, c->neg_term);
	c->neg_left = 0;
}

static void
end_clause(ScoreCtx *c)
{
	finish_negation(c);
	c->int_left = 0;
	c->clause++;
}

/* ------------------------------------------------------------------------
 * Symbols: emoticons and emoji, ! and ?
 * ------------------------------------------------------------------------
 */
static void
symbol_hit(ScoreCtx *c, const SentEntry *e, int word)
{
	const SentInfo *info;
	Item	   *it;

	for (info = e->info; info; info = info->next)
		if (info->flags & SF_VALENCE)
			break;
	if (info == NULL)
		return;
	it = sent_add_item(c);
	it->word = word;
	it->term = e->key;
	it->lang = info->lang;
	it->base = it->val = info->valence;
	it->rules = SR_SYMBOL;
}

static void
score_symbol(ScoreCtx *c, int ti, int word)
{
	const SentLexicon *lex = c->lex;
	SentTok    *t = &c->toks->tok[ti];
	const char *s = t->s;
	int			len = (int) t->len;
	int			i = 0;

	for (i = 0; i < len; i++)
	{
		if (s[i] == '!')
			c->res->exclamations++;
		else if (s[i] == '?')
			c->res->questions++;
	}
	if (lex->symbols.used == 0)
		return;
	/* ":" followed by "d" / "p" / "3" without a space: ":d", "<3" */
	if (ti + 1 < c->toks->ntok)
	{
		SentTok    *n = &c->toks->tok[ti + 1];

		if (n->type == TT_WORD && !(n->flags & TF_SPACE_BEFORE) && n->len <= 2 &&
			len <= 6)
		{
			char		buf[16];
			int			k;

			for (k = (len < 3 ? len : 3); k >= 1; k--)
			{
				const SentEntry *e;

				memcpy(buf, s + len - k, k);
				memcpy(buf + k, n->s, n->len);
				e = sent_hash_find(&lex->symbols, buf, k + n->len);
				if (e)
				{
					symbol_hit(c, e, word);
					len -= k;
					n->entry = NULL;
					n->flags |= TF_BOUNDARY;	/* consumed: skip as a word */
					break;
				}
			}
		}
	}
	i = 0;
	while (i < len)
	{
		int			k;
		int			maxk = lex->max_symbol < len - i ? lex->max_symbol : len - i;
		bool		hit = false;

		for (k = maxk; k >= 1; k--)
		{
			const SentEntry *e;

			/* only cut at character boundaries */
			if (i + k < len && ((unsigned char) s[i + k] & 0xC0) == 0x80)
				continue;
			e = sent_hash_find(&lex->symbols, s + i, k);
			if (e)
			{
				symbol_hit(c, e, word);
				i += k;
				hit = true;
				break;
			}
		}
		if (!hit)
		{
			i++;
			while (i < len && ((unsigned char) s[i] & 0xC0) == 0x80)
				i++;
		}
	}
}

/* ------------------------------------------------------------------------
 * Phrases
 * ------------------------------------------------------------------------
 */
static const SentInfo *
match_phrase(ScoreCtx *c, int ti, int lang, int *consumed, const char **term)
{
	SentTokens *toks = c->toks;
	int			k;

	for (k = c->lex->max_phrase; k >= 2; k--)
	{
		char		buf[256];
		int			o = 0,
					n = 0,
					j;
		const SentEntry *e;
		const SentInfo *info;

		for (j = ti; j < toks->ntok && n < k; j++)
		{
			const SentTok *t = &toks->tok[j];
			const char *s = t->alt2 ? t->alt2 : t->s;
			size_t		sl = strlen(s);

			if (t->type != TT_WORD)
				break;
			if (o + sl + 2 >= sizeof(buf))
				break;
			if (n)
				buf[o++] = ' ';
			/* the stretched form is tried as written first */
			memcpy(buf + o, t->s, t->len <= sizeof(buf) - o - 1 ? t->len : 0);
			o += t->len;
			n++;
		}
		if (n < k)
			continue;
		e = sent_hash_find(&c->lex->forms, buf, o);
		if (e && (info = sent_entry_info(e, lang)) != NULL &&
			(info->flags & ~(SF_PHRASEHEAD | SF_STOP)))
		{
			*consumed = k;
			*term = e->key;
			return info;
		}
	}
	return NULL;
}

static bool
ends_with_contrast(const SentLexicon *lex, int lang, const SentTok *t)
{
	const SentLang *l = &lex->langs[lang];
	int			i;

	for (i = 0; i < l->nbutsfx; i++)
	{
		const SentAffix *a = &l->butsfx[i];

		if ((int) t->len > a->len &&
			memcmp(t->s + t->len - a->len, a->s, a->len) == 0)
			return true;
	}
	return false;
}

/* ------------------------------------------------------------------------
 * Main
 * ------------------------------------------------------------------------
 */
static void
score_words(ScoreCtx *c)
{
	SentTokens *toks = c->toks;
	int			i;
	int			word = 0;

	for (i = 0; i < toks->ntok; i++)
	{
		SentTok    *t = &toks->tok[i];
		const SentInfo *info;
		uint32_t	rules = 0;
		int			consumed = 1;
		const char *term;

		if (t->type == TT_SYMBOL)
		{
			score_symbol(c, i, word);
			if (t->flags & TF_BOUNDARY)
				end_clause(c);
			continue;
		}
		if (t->flags & TF_BOUNDARY)		/* part of an emoticon */
			continue;
		word++;
		c->res->nwords++;
		/* negation scope ran out: a post-posable negator looks back */
		if (c->neg_left > 0 && word - c->neg_word > NEG_SCOPE)
			finish_negation(c);
		if (c->int_left > 0 && word - c->int_left > INT_SCOPE)
			c->int_left = 0;

		info = resolve(c, t, &rules);
		if (info == NULL)
		{
			const SentInfo *p = t->entry ? sent_any_profanity(t->entry, 2) : NULL;

			if (p)
				sent_record_profanity(c, p, word, (t->flags & TF_DOTTED) ? SR_OBFUSCATED : 0);
			if (c->ncand > 0 && ends_with_contrast(c->lex, c->cand[0], t))
			{
				end_clause(c);
				c->contrast_at = c->nitems;
				c->res->contrast = t->s;
			}
			continue;
		}
		term = info->term;
		if (info->flags & SF_PHRASEHEAD)
		{
			const SentInfo *pinfo = match_phrase(c, i, info->lang, &consumed, &term);

			if (pinfo)
			{
				info = pinfo;
				rules |= SR_PHRASE;
			}
			else
				consumed = 1;
		}
		if (info->flags & SF_PROF)
			sent_record_profanity(c, info, word,
							 rules | ((t->flags & TF_DOTTED) ? SR_OBFUSCATED : 0));
		else if (info->flags & SF_BUT)
		{
			end_clause(c);
			c->contrast_at = c->nitems;
			c->res->contrast = term;
		}
		else if (info->flags & SF_NEG)
		{
			if (c->neg_left > 0 && c->neg_clause == c->clause)
				c->neg_word = word; /* "ne ... pas": one negation, scope renewed */
			else
			{
				c->neg_left = 1;
				c->neg_word = word;
				c->neg_applied = false;
				c->neg_postable = (info->flags & SF_NEGPOST) != 0;
				c->neg_clause = c->clause;
				c->neg_term = term;
			}
		}
		else if (info->flags & SF_NEGPOST)
			negate_previous(c, word, c->clause, term);
		else if ((info->flags & (SF_INT | SF_DIM)) && c->nitems > 0 &&
				 c->items[c->nitems - 1].word == word - 1 &&
				 c->items[c->nitems - 1].clause == c->clause &&
				 !(c->items[c->nitems - 1].rules & (SR_INTENSIFIED | SR_DIMINISHED | SR_SYMBOL | SR_PROFANE)) &&
				 (i + 1 >= toks->ntok || (toks->tok[i + 1].flags & TF_BOUNDARY)))
		{
			/* post-posed at the clause end: "جيد جدا", "good too." */
			Item	   *it = &c->items[c->nitems - 1];
			float		w = info->weight;

			if (w < 0 && fabsf(w) > fabsf(it->val))
				w = -fabsf(it->val) * 0.5f;
			it->val += signf(it->val) * w;
			it->rules |= info->weight > 0 ? SR_INTENSIFIED : SR_DIMINISHED;
			it->modifier = term;
		}
		else if (info->flags & (SF_INT | SF_DIM))
		{
			c->int_left = word;	/* word index of the modifier */
			c->int_w = info->weight;
			c->int_term = term;
		}
		else if (info->flags & SF_VALENCE)
		{
			Item	   *it = sent_add_item(c);
			float		v = info->valence;

			it->word = word;
			it->term = term;
			it->lang = info->lang;
			it->base = v;
			it->admin = (info->admin & (1u << SK_VALENCE)) != 0;
			if (c->int_left > 0 && v != 0)
			{
				float		w = c->int_w * (word - c->int_left == 1 ? 1.0f : 0.95f);

				if (w < 0 && fabsf(w) > fabsf(v))
					w = -fabsf(v) * 0.5f;
				v += signf(v) * w;
				rules |= c->int_w > 0 ? SR_INTENSIFIED : SR_DIMINISHED;
				it->modifier = c->int_term;
				c->int_left = 0;
			}
			if ((t->flags & TF_CAPS) && toks->nlower > 0)
			{
				v += signf(v) * CAPS_INCR;
				rules |= SR_CAPS;
			}
			if (t->flags & TF_STRETCHED)
			{
				v += signf(v) * STRETCH_INCR;
				rules |= SR_STRETCHED;
			}
			if (c->neg_left > 0 && c->neg_clause == c->clause &&
				word - c->neg_word <= NEG_SCOPE)
			{
				v *= NEG_SCALAR;
				rules |= SR_NEGATED;
				if (it->modifier == NULL)
					it->modifier = c->neg_term;
				c->neg_applied = true;
			}
			it->val = v;
			it->rules = rules;
			if (ends_with_contrast(c->lex, info->lang, t))
			{
				end_clause(c);
				c->contrast_at = c->nitems;
				c->res->contrast = t->s;
			}
		}
		/* skip the rest of a phrase */
		while (consumed-- > 1 && i + 1 < toks->ntok && toks->tok[i + 1].type == TT_WORD)
		{
			i++;
			word++;
		}
	}
	finish_negation(c);
}

/*
 * The rule scorer's features for the learned layer (SENT_NDENSE values,
 * each roughly in [-1, 1]).
 */
static void
dense_features(const ScoreCtx *c, double rule_score, float *d)
{
	const SentResult *res = c->res;
	double		pos = 0,
				neg = 0,
				emo = 0;
	int			negated = 0,
				i;

	for (i = 0; i < c->nitems; i++)
	{
		const Item *it = &c->items[i];

		if (it->rules & SR_SYMBOL)
			emo += it->val;
		else if (it->val > 0)
			pos += it->val;
		else
			neg += it->val;
		negated += (it->rules & SR_NEGATED) != 0;
	}
	d[0] = (float) rule_score;
	d[1] = (float) (pos / sqrt(pos * pos + NORM_ALPHA));
	d[2] = (float) (neg / sqrt(neg * neg + NORM_ALPHA));
	d[3] = (float) (emo / sqrt(emo * emo + 4));
	d[4] = negated > 3 ? 1.0f : negated / 3.0f;
	d[5] = c->severity / 3.0f;
	d[6] = (res->exclamations > 4 ? 4 : res->exclamations) / 4.0f;
	d[7] = (res->questions > 3 ? 3 : res->questions) / 3.0f;
	d[8] = c->contrast_at >= 0 ? 1.0f : 0.0f;
	d[9] = c->nitems == 0 ? 1.0f : 0.0f;
	d[10] = (float) log1p(res->nwords > 200 ? 200 : res->nwords) / 5.3f;
}

static void
analyze(SentEngine *eng, const SentLexicon *lex, const char *text,
		size_t len, const char *lang, SentMode mode, bool want_evidence,
		bool detect_only, SentResult *res, float *dense_out, SentRaw *raw)
{
	SentArena  *arena = sent_arena_new(&eng->alloc, 16 * 1024);
	SentTokens *toks = sent_arena_alloc(arena, sizeof(SentTokens));
	ScoreCtx	c;
	int			i;
	double		sum = 0;
	double		score;
	bool		want_prefix = raw != NULL || (mode != SENT_MODE_RULES && !detect_only);

	/* all but the evidence array (2.5 kB, filled up to nhits when asked) */
	memset(res, 0, offsetof(SentResult, hits));
	memset(&res->arena, 0, sizeof(SentResult) - offsetof(SentResult, arena));
	res->arena = arena;
	res->mode = SENT_MODE_RULES;
	sent_tokenize(eng, lex, text, len, arena, toks);
	res->truncated = toks->truncated;

	for (i = 0; i < toks->ntok; i++)
	{
		SentTok    *t = &toks->tok[i];

		if (t->type != TT_WORD)
			continue;
		if (want_prefix)
			t->hash = sent_hash_with_prefix(t->s, t->len, &t->hprefix);
		else
			t->hash = sent_hash_bytes(t->s, t->len);
		t->entry = sent_hash_find_hv(&lex->forms, t->s, t->len, t->hash);
		if (t->entry == NULL && t->alt2)
			t->entry = sent_hash_find(&lex->forms, t->alt2, strlen(t->alt2));
		if (t->entry == NULL && t->alt1)
			t->entry = sent_hash_find(&lex->forms, t->alt1, strlen(t->alt1));
	}

	memset(&c, 0, sizeof(c));
	c.lex = lex;
	c.toks = toks;
	c.arena = arena;
	c.res = res;
	c.contrast_at = -1;
	c.lang = -1;
	sent_detect(&c, lang);
	res->ncandidates = c.ncand < 8 ? c.ncand : 8;
	for (i = 0; i < res->ncandidates; i++)
		res->candidates[i] = c.cand[i];
	if (detect_only)
	{
		res->level = SENT_NEUTRAL;
		return;
	}

	score_words(&c);
	sent_scan_obfuscations(&c);

	for (i = 0; i < c.nitems; i++)
	{
		Item	   *it = &c.items[i];

		if (c.contrast_at >= 0 && !(it->rules & SR_PROFANE))
		{
			if (i < c.contrast_at)
			{
				it->val *= 0.5f;
				it->rules |= SR_BEFORE_BUT;
			}
			else
			{
				it->val *= 1.5f;
				it->rules |= SR_AFTER_BUT;
			}
		}
		sum += it->val;
	}
	if (sum != 0)
	{
		double		amp = (res->exclamations > 4 ? 4 : res->exclamations) * 0.292;

		if (res->questions > 1)
			amp += res->questions > 3 ? 0.96 : res->questions * 0.18;
		sum += (sum > 0 ? 1 : -1) * amp;
	}
	res->sum = sum;
	score = sum / sqrt(sum * sum + NORM_ALPHA);
	res->severity = c.severity;
	res->profane = c.severity > 0;
	res->rule_score = score;
	res->mode = SENT_MODE_RULES;
	if (raw)
	{
		dense_features(&c, score, dense_out);
		sent_model_raw(toks, arena, raw);
	}
	else if (mode != SENT_MODE_RULES)
	{
		int			mli;
		const SentModel *m = sent_model_for(lex, res->language, c.lang, &mli);
		bool		admin = false;

		for (i = 0; i < c.nitems && !admin; i++)
			admin = c.items[i].admin;
		res->admin_override = admin;
		/* nothing to read (empty or blank message): the rules' neutral 0 */
		if (m && !admin && toks->ntok > 0)
		{
			float		dense[SENT_NDENSE];

			dense_features(&c, score, dense);
			if (sent_model_apply(lex, m, toks, dense, mode, want_evidence, arena, res))
			{
				res->model = sent_lexicon_lang(lex, mli);
				score = res->score;
			}
		}
	}
	if (c.severity >= 3)
	{
		double		cap = lex->threshold[SENT_NEGATIVE] - 0.01;

		if (score > cap)
			score = cap;
	}
	else if (c.severity > 0)
	{
		double		cap = lex->threshold[SENT_SLIGHTLY_NEGATIVE] - 0.01;

		if (score > cap)
			score = cap;
	}
	if (score > 1)
		score = 1;
	if (score < -1)
		score = -1;
	res->score = score;
	res->level = sent_level_of(lex, score);

	res->nhits_total = c.nitems;
	if (want_evidence)
	{
		for (i = 0; i < c.nitems && res->nhits < SENT_MAX_HITS; i++)
		{
			Item	   *it = &c.items[i];
			SentHit    *h = &res->hits[res->nhits++];

			h->term = it->term;
			h->modifier = it->modifier;
			h->lang = it->lang;
			h->base = it->base;
			h->final = it->val;
			h->rules = it->rules;
			h->severity = it->severity;
		}
	}
}

void
sent_analyze(SentEngine *eng, const SentLexicon *lex, const char *text,
			 size_t len, const char *lang, bool want_evidence,
			 bool detect_only, SentResult *res)
{
	analyze(eng, lex, text, len, lang, lex->mode, want_evidence, detect_only,
			res, NULL, NULL);
}

void
sent_analyze_features(SentEngine *eng, const SentLexicon *lex,
					  const char *text, size_t len, const char *lang,
					  SentResult *res, float *dense, SentRaw *raw)
{
	memset(raw, 0, sizeof(SentRaw));
	analyze(eng, lex, text, len, lang, SENT_MODE_RULES, false, false, res,
			dense, raw);
}

void
sent_result_free(SentEngine *eng, SentResult *res)
{
	(void) eng;
	if (res->arena)
		sent_arena_free(res->arena);
	res->arena = NULL;
}
