/*-------------------------------------------------------------------------
 *
 * terms.c
 *	  omni._match_terms(): tracked terms (omni.tracked_term) and action
 *	  phrases (omni.action_phrase) found in the segments of one call.
 *
 * Every term is tokenized with the sentiment tokenizer (NFKC, case folded;
 * accents removed for matching: insight_unaccent) and indexed in a hash
 * table under its first word: the folded form and, per language the term
 * applies to, that word's stem (sent_stem, the same single affix strip the
 * sentiment lexicons use).  Matching walks the words of the text once; at
 * each word it looks up the word and its stem and checks the few terms
 * found there word by word (a text word matches a term word when their
 * forms or stems are equal).  So the cost grows with the text, not with
 * the number of terms.
 *
 * The index lives per backend and is rebuilt when omni.tracked_term,
 * omni.action_phrase or omni.lexicon_rule change (relcache callback, the
 * statement trigger omni._sentiment_lexicon_changed on each table).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "insight/insight.h"
#include "omnichannel.h"

PG_FUNCTION_INFO_V1(omni_match_terms);

#define TERM_KEYLEN		64		/* hash key: "<lang>:<word>", truncated */
#define TERM_MAXWORDS	16		/* longest phrase, in words */
#define STEMBUF			256

typedef struct TermDef
{
	int64		id;
	const char *kind;			/* keyword, competitor, action */
	char	   *queue;			/* NULL: every queue */
	char	   *langcode;		/* NULL: any language */
	int			lang;			/* its index in the insight lexicon, or -1 */
	int			nwords;
	char	  **words;			/* folded, accents removed */
	int		   *lens;
	char	  **orig;			/* folded, accents kept (what stemming sees) */
	int		   *origlens;
} TermDef;

typedef struct TermKey
{
	char		key[TERM_KEYLEN];
	int			nterms;
	int			cap;
	int		   *terms;
} TermKey;

typedef struct TermIndex
{
	MemoryContext cxt;
	HTAB	   *hash;
	int			nterms;
	TermDef    *terms;
} TermIndex;

static TermIndex *index_cache = NULL;
static bool index_valid = false;
static bool callback_done = false;
static Oid	watched[3];

static void
terms_changed(Datum arg, Oid relid)
{
	int			i;

	if (relid == InvalidOid)
		index_valid = false;
	for (i = 0; i < 3; i++)
		if (watched[i] == relid)
			index_valid = false;
}

static void
make_key(char *buf, int lang, const char *w, int len)
{
	int			n = snprintf(buf, TERM_KEYLEN, "%d:", lang);

	if (len > TERM_KEYLEN - 1 - n)
		len = TERM_KEYLEN - 1 - n;
	/* cut at a character boundary */
	while (len > 0 && (((unsigned char) w[len]) & 0xC0) == 0x80)
		len--;
	memcpy(buf + n, w, len);
	buf[n + len] = '\0';
}

static void
index_add(TermIndex *ix, int lang, const char *w, int len, int term)
{
	char		key[TERM_KEYLEN];
	TermKey    *e;
	bool		found;
	int			i;

	make_key(key, lang, w, len);
	e = hash_search(ix->hash, key, HASH_ENTER, &found);
	if (!found)
	{
		e->nterms = 0;
		e->cap = 4;
		e->terms = MemoryContextAlloc(ix->cxt, sizeof(int) * e->cap);
	}
	for (i = 0; i < e->nterms; i++)
		if (e->terms[i] == term)
			return;
	if (e->nterms == e->cap)
	{
		e->cap *= 2;
		e->terms = repalloc(e->terms, sizeof(int) * e->cap);
	}
	e->terms[e->nterms++] = term;
}

/* index term t under its first word for language lang (-1: no stemming) */
static void
index_term(TermIndex *ix, InsightText *it, int t, int lang)
{
	TermDef    *d = &ix->terms[t];
	char		stem[STEMBUF];
	int			n;

	index_add(ix, lang, d->words[0], d->lens[0], t);
	if (lang >= 0)
	{
		n = sent_stem(it->lex, lang, d->orig[0], d->origlens[0], stem, sizeof(stem));
		if (n > 0)
		{
			int			ulen;
			char	   *u = insight_unaccent(stem, n, &ulen);

			index_add(ix, lang, u, ulen, t);
		}
	}
}

static TermIndex *
load_index(void)
{
	InsightText *it = insight_text();
	MemoryContext cxt,
				old;
	TermIndex  *ix;
	HASHCTL		ctl;
	uint64		i;
	Oid			nsp;

	if (index_valid && index_cache)
		return index_cache;
	if (!callback_done)
	{
		omni_on_relcache_change(terms_changed, (Datum) 0);
		callback_done = true;
	}
	nsp = get_namespace_oid("omni", false);
	watched[0] = get_relname_relid("tracked_term", nsp);
	watched[1] = get_relname_relid("action_phrase", nsp);
	watched[2] = get_relname_relid("lexicon_rule", nsp);
	index_valid = true;

	cxt = AllocSetContextCreate(TopMemoryContext, "omnichannel tracked terms",
								ALLOCSET_DEFAULT_SIZES);
	PG_TRY();
	{
		SentArena  *arena;

		old = MemoryContextSwitchTo(cxt);
		ix = palloc0(sizeof(TermIndex));
		ix->cxt = cxt;
		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = TERM_KEYLEN;
		ctl.entrysize = sizeof(TermKey);
		ctl.hcxt = cxt;
		ix->hash = hash_create("omnichannel term index", 256, &ctl,
							   HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
		MemoryContextSwitchTo(old);

		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		if (SPI_execute("SELECT id, kind::text, term, queue, language FROM omni.tracked_term "
						"UNION ALL SELECT id, 'action', phrase, NULL, language FROM omni.action_phrase "
						"ORDER BY 2, 1", true, 0) != SPI_OK_SELECT)
			elog(ERROR, "could not read omni.tracked_term");
		old = MemoryContextSwitchTo(cxt);
		ix->terms = palloc0(sizeof(TermDef) * (SPI_processed + 1));
		arena = sent_arena_new(insight_alloc(), 8192);
		for (i = 0; i < SPI_processed; i++)
		{
			HeapTuple	tup = SPI_tuptable->vals[i];
			TupleDesc	desc = SPI_tuptable->tupdesc;
			bool		isnull;
			char	   *term = SPI_getvalue(tup, desc, 3);
			char	   *kind = SPI_getvalue(tup, desc, 2);
			TermDef    *d = &ix->terms[ix->nterms];
			SentTok    *toks;
			int			nw,
						w,
						l;

			if (term == NULL || kind == NULL)
				continue;
			term = (char *) pg_server_to_any(term, strlen(term), PG_UTF8);
			nw = insight_words(it, term, strlen(term), arena, &toks);
			if (nw == 0)
				continue;
			if (nw > TERM_MAXWORDS)
				nw = TERM_MAXWORDS;
			d->id = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
			d->kind = pstrdup(kind);
			d->queue = SPI_getvalue(tup, desc, 4);
			d->langcode = SPI_getvalue(tup, desc, 5);
			d->lang = insight_lang(it, d->langcode);
			d->nwords = nw;
			d->words = palloc(sizeof(char *) * nw);
			d->lens = palloc(sizeof(int) * nw);
			d->orig = palloc(sizeof(char *) * nw);
			d->origlens = palloc(sizeof(int) * nw);
			for (w = 0; w < nw; w++)
			{
				d->orig[w] = pnstrdup(toks[w].s, toks[w].len);
				d->origlens[w] = toks[w].len;
				d->words[w] = insight_unaccent(d->orig[w], d->origlens[w], &d->lens[w]);
			}
			/* a term of one language: under that language; else under each */
			if (d->langcode != NULL)
				index_term(ix, it, ix->nterms, d->lang);
			else
			{
				index_term(ix, it, ix->nterms, -1);
				for (l = 0; l < sent_lexicon_nlangs(it->lex); l++)
					index_term(ix, it, ix->nterms, l);
			}
			ix->nterms++;
		}
		sent_arena_free(arena);
		MemoryContextSwitchTo(old);
		SPI_finish();
	}
	PG_CATCH();
	{
		index_valid = false;
		MemoryContextDelete(cxt);
		PG_RE_THROW();
	}
	PG_END_TRY();
	if (index_cache)
		MemoryContextDelete(index_cache->cxt);
	index_cache = ix;
	return ix;
}

/* the forms of one word: folded, and its stem when an affix applies */
typedef struct WordForms
{
	const char *s;
	int			len;
	const char *stem;
	int			stemlen;		/* 0: none */
} WordForms;

static bool
forms_equal(const char *a, int alen, const char *b, int blen)
{
	return alen == blen && alen > 0 && memcmp(a, b, alen) == 0;
}

static bool
word_matches(InsightText *it, int lang, const TermDef *d, int w, const WordForms *f)
{
	char		stem[STEMBUF];
	int			n;

	if (forms_equal(d->words[w], d->lens[w], f->s, f->len) ||
		forms_equal(d->words[w], d->lens[w], f->stem, f->stemlen))
		return true;
	if (lang < 0)
		return false;
	n = sent_stem(it->lex, lang, d->orig[w], d->origlens[w], stem, sizeof(stem));
	if (n > 0)
	{
		int			ulen;
		char	   *u = insight_unaccent(stem, n, &ulen);

		return forms_equal(u, ulen, f->s, f->len) ||
			forms_equal(u, ulen, f->stem, f->stemlen);
	}
	return false;
}

static void
emit(Tuplestorestate *ts, TupleDesc desc, int seg, const TermDef *d, int pos)
{
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};

	values[0] = Int32GetDatum(seg);
	values[1] = CStringGetTextDatum(d->kind);
	values[2] = Int64GetDatum(d->id);
	values[3] = Int32GetDatum(pos);
	tuplestore_putvalues(ts, desc, values, nulls);
}

/*
 * omni._match_terms(body text[], lang text, queue text)
 *   -> TABLE (seg integer, kind text, ref_id bigint, word integer)
 * seg is the 1-based index into body; word the 1-based word position.
 */
Datum
omni_match_terms(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	InsightText *it;
	TermIndex  *ix;
	ArrayType  *arr;
	Datum	   *bodies;
	bool	   *bnulls;
	int			nb,
				i;
	char	   *langcode = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	char	   *queue = PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2));
	int			lang;
	SentArena  *arena;
	MemoryContext tmp,
				old;

	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(0))
		return (Datum) 0;
	it = insight_text();
	ix = load_index();
	if (ix->nterms == 0)
		return (Datum) 0;
	lang = insight_lang(it, langcode);
	arr = PG_GETARG_ARRAYTYPE_P(0);
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &bodies, &bnulls, &nb);

	tmp = AllocSetContextCreate(CurrentMemoryContext, "omni._match_terms",
								ALLOCSET_DEFAULT_SIZES);
	for (i = 0; i < nb; i++)
	{
		text	   *t;
		char	   *s;
		size_t		len;
		SentTok    *toks;
		WordForms  *forms;
		int			nw,
					p;

		if (bnulls[i])
			continue;
		old = MemoryContextSwitchTo(tmp);
		t = DatumGetTextPP(bodies[i]);
		s = VARDATA_ANY(t);
		len = VARSIZE_ANY_EXHDR(t);
		if (GetDatabaseEncoding() != PG_UTF8)
		{
			s = (char *) pg_server_to_any(s, len, PG_UTF8);
			len = strlen(s);
		}
		arena = sent_arena_new(insight_alloc(), 8192);
		nw = insight_words(it, s, len, arena, &toks);
		forms = palloc(sizeof(WordForms) * (nw + 1));
		for (p = 0; p < nw; p++)
		{
			forms[p].s = insight_unaccent(toks[p].s, toks[p].len, &forms[p].len);
			forms[p].stemlen = 0;
			forms[p].stem = NULL;
			if (lang >= 0)
			{
				char		buf[STEMBUF];
				int			n = sent_stem(it->lex, lang, toks[p].s, toks[p].len,
										  buf, sizeof(buf));

				if (n > 0)
					forms[p].stem = insight_unaccent(pnstrdup(buf, n), n, &forms[p].stemlen);
			}
		}
		for (p = 0; p < nw; p++)
		{
			int			found[32];
			int			nfound = 0;
			int			k;

			for (k = 0; k < 2; k++)
			{
				char		key[TERM_KEYLEN];
				TermKey    *e;
				int			j;

				if (k == 0)
					make_key(key, lang, forms[p].s, forms[p].len);
				else if (forms[p].stemlen > 0)
					make_key(key, lang, forms[p].stem, forms[p].stemlen);
				else
					break;
				e = hash_search(ix->hash, key, HASH_FIND, NULL);
				if (e == NULL)
					continue;
				for (j = 0; j < e->nterms; j++)
				{
					const TermDef *d = &ix->terms[e->terms[j]];
					int			w,
								f;
					bool		dup = false;

					if (d->queue && (queue == NULL || strcmp(d->queue, queue) != 0))
						continue;
					if (d->langcode &&
						!(d->lang >= 0 && d->lang == lang) &&
						(langcode == NULL || strcmp(d->langcode, langcode) != 0))
						continue;
					if (p + d->nwords > nw)
						continue;
					for (w = 0; w < d->nwords; w++)
						if (!word_matches(it, lang, d, w, &forms[p + w]))
							break;
					if (w < d->nwords)
						continue;
					for (f = 0; f < nfound; f++)
						if (found[f] == e->terms[j])
							dup = true;
					if (dup)
						continue;
					/* beyond 32 terms at one word, a duplicate is possible */
					if (nfound < (int) lengthof(found))
						found[nfound++] = e->terms[j];
					MemoryContextSwitchTo(old);
					emit(rsinfo->setResult, rsinfo->setDesc, i + 1, d, p + 1);
					MemoryContextSwitchTo(tmp);
				}
			}
		}
		sent_arena_free(arena);
		MemoryContextSwitchTo(old);
		MemoryContextReset(tmp);
	}
	MemoryContextDelete(tmp);
	return (Datum) 0;
}
