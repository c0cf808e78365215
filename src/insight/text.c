/*-------------------------------------------------------------------------
 *
 * text.c
 *	  The tokenizer and stemmer of the sentiment engine, as the insight
 *	  functions use them: one ICU engine per backend and a small lexicon of
 *	  the affix and stop-word rows of omni.lexicon_rule (the rows that
 *	  decide how a word is tokenized and stemmed), rebuilt when that table
 *	  changes.  The sentiment scorer keeps its own full lexicon
 *	  (sentiment_sql.c); both stem with sent_stem() over the same rows, so a
 *	  tracked term is inflected exactly as a lexicon word is.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "insight/insight.h"
#include "omnichannel.h"

#include <unicode/uchar.h>
#include <unicode/ustring.h>

static InsightText state = {NULL, NULL};
static MemoryContext lex_cxt = NULL;
static bool lex_valid = false;
static bool callback_done = false;
static Oid	rule_relid = InvalidOid;

static void *
alloc_palloc(void *arg, size_t size)
{
	return palloc(size);
}

static void *
alloc_cxt(void *arg, size_t size)
{
	return MemoryContextAlloc((MemoryContext) arg, size);
}

static void
release_pfree(void *arg, void *ptr)
{
	pfree(ptr);
}

static const SentAlloc palloc_alloc = {alloc_palloc, release_pfree, NULL};

const SentAlloc *
insight_alloc(void)
{
	return &palloc_alloc;
}

static void
rule_changed(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == rule_relid)
		lex_valid = false;
}

InsightText *
insight_text(void)
{
	MemoryContext cxt;
	MemoryContext old;
	SentAlloc	a;
	SentLexicon *lex;
	uint64		i;

	if (state.eng == NULL)
	{
		char		err[256];
		SentEngine *eng;

		old = MemoryContextSwitchTo(TopMemoryContext);
		eng = sent_engine_new(&palloc_alloc, err, sizeof(err));
		MemoryContextSwitchTo(old);
		if (eng == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
					 errmsg("could not initialize the tokenizer: %s", err)));
		state.eng = eng;
	}
	if (lex_valid && state.lex)
		return &state;
	if (!callback_done)
	{
		omni_on_relcache_change(rule_changed, (Datum) 0);
		callback_done = true;
	}
	rule_relid = get_relname_relid("lexicon_rule", get_namespace_oid("omni", false));
	/* an invalidation arriving while we read clears the flag again */
	lex_valid = true;

	cxt = AllocSetContextCreate(TopMemoryContext, "omnichannel insight lexicon",
								ALLOCSET_SMALL_SIZES);
	a.alloc = alloc_cxt;
	a.release = release_pfree;
	a.arg = cxt;
	PG_TRY();
	{
		lex = sent_lexicon_new(&a, state.eng);
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		if (SPI_execute("SELECT language, kind, term FROM omni.lexicon_rule "
						"WHERE kind IN ('suffix', 'prefix', 'stopword') "
						"ORDER BY language, kind, term, builtin", true, 0) != SPI_OK_SELECT)
			elog(ERROR, "could not read omni.lexicon_rule");
		for (i = 0; i < SPI_processed; i++)
		{
			HeapTuple	tup = SPI_tuptable->vals[i];
			TupleDesc	desc = SPI_tuptable->tupdesc;
			char	   *lang = SPI_getvalue(tup, desc, 1);
			char	   *kind = SPI_getvalue(tup, desc, 2);
			char	   *term = SPI_getvalue(tup, desc, 3);

			if (lang && kind && term)
				(void) sent_lexicon_add(lex, lang, kind,
										(char *) pg_server_to_any(term, strlen(term), PG_UTF8),
										0, false);
		}
		SPI_finish();
		old = MemoryContextSwitchTo(cxt);
		sent_lexicon_finalize(lex);
		MemoryContextSwitchTo(old);
	}
	PG_CATCH();
	{
		lex_valid = false;
		MemoryContextDelete(cxt);
		PG_RE_THROW();
	}
	PG_END_TRY();
	if (lex_cxt)
		MemoryContextDelete(lex_cxt);
	lex_cxt = cxt;
	state.lex = lex;
	return &state;
}

int
insight_lang(InsightText *it, const char *code)
{
	if (code == NULL || code[0] == '\0')
		return -1;
	return sent_lexicon_find_lang(it->lex, code);
}

int
insight_words(InsightText *it, const char *s, size_t len, SentArena *arena,
			  SentTok **toks)
{
	SentTokens	t;
	int			i,
				n = 0;

	sent_tokenize(it->eng, it->lex, s, len, arena, &t);
	for (i = 0; i < t.ntok; i++)
		if (t.tok[i].type == TT_WORD)
			t.tok[n++] = t.tok[i];
	*toks = t.tok;
	return n;
}

/*
 * Accent folding for matching: NFD, then nonspacing marks dropped ("señal"
 * and "senal", "Müller" and "muller" meet).  Returns s itself for ASCII,
 * else a palloc'd string; *outlen gets the length.
 */
char *
insight_unaccent(const char *s, int len, int *outlen)
{
	UErrorCode	status = U_ZERO_ERROR;
	const UNormalizer2 *nfd;
	UChar	   *u,
			   *d;
	int32_t		ulen,
				dlen,
				i,
				k = 0,
				olen;
	char	   *out;
	bool		ascii = true;

	for (i = 0; i < len; i++)
		if ((unsigned char) s[i] >= 0x80)
		{
			ascii = false;
			break;
		}
	*outlen = len;
	if (ascii)
		return (char *) s;
	nfd = unorm2_getNFDInstance(&status);
	u = palloc(sizeof(UChar) * (len + 1));
	u_strFromUTF8(u, len + 1, &ulen, s, len, &status);
	d = palloc(sizeof(UChar) * (ulen * 4 + 1));
	dlen = U_SUCCESS(status) ? unorm2_normalize(nfd, u, ulen, d, ulen * 4 + 1, &status) : 0;
	if (U_FAILURE(status))
		return (char *) s;
	for (i = 0; i < dlen; i++)
		if (u_charType(d[i]) != U_NON_SPACING_MARK)
			d[k++] = d[i];
	out = palloc(k * 3 + 1);
	u_strToUTF8(out, k * 3 + 1, &olen, d, k, &status);
	if (U_FAILURE(status))
		return (char *) s;
	*outlen = olen;
	return out;
}
