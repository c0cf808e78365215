/*-------------------------------------------------------------------------
 *
 * sentiment_sql.c
 *	  The SQL face of the sentiment engine: omni.sentiment(),
 *	  omni.sentiment_evidence(), omni.detect_language(),
 *	  omni.sentiment_level() and the trigger that invalidates the lexicon
 *	  cache.
 *
 * Each backend opens the ICU objects once and builds the lexicon hash
 * tables once from omni.lexicon, omni.lexicon_rule, omni.profanity and
 * omni.sentiment_threshold (through SPI, as the caller: the tables are
 * readable by everyone).  A statement trigger on those tables calls
 * CacheInvalidateRelcache, and a relcache callback registered here drops
 * the cached lexicon when one of them changes, in this backend at once and
 * in the others at commit — the pg_cron pattern, no polling.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_enum.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/inval.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "sentiment.h"
#include "omnichannel.h"

PG_FUNCTION_INFO_V1(omni_sentiment);
PG_FUNCTION_INFO_V1(omni_sentiment_evidence);
PG_FUNCTION_INFO_V1(omni_detect_language);
PG_FUNCTION_INFO_V1(omni_sentiment_level);
PG_FUNCTION_INFO_V1(omni_sentiment_lexicon_changed);

/* the last two arrive with 0.2.0: the library works before the update */
#define NLEXTABLES 6
#define NLEXTABLES_REQUIRED 4
static const char *const lexicon_tables[NLEXTABLES] = {
	"lexicon", "lexicon_rule", "profanity", "sentiment_threshold",
	"sentiment_model", "sentiment_config"
};

static SentEngine *engine = NULL;
static SentLexicon *lexicon = NULL;
static MemoryContext lexicon_cxt = NULL;
static bool lexicon_valid = false;
static bool callback_registered = false;
static Oid	lexicon_relids[NLEXTABLES];

/* ------------------------------------------------------------------------
 * Allocators for the portable engine
 * ------------------------------------------------------------------------
 */
static void *
alloc_current(void *arg, size_t size)
{
	return palloc(size);
}

static void
release_any(void *arg, void *ptr)
{
	pfree(ptr);
}

static void *
alloc_in_context(void *arg, size_t size)
{
	return MemoryContextAlloc((MemoryContext) arg, size);
}

/* ------------------------------------------------------------------------
 * Cache
 * ------------------------------------------------------------------------
 */
static void
lexicon_relcache_callback(Datum arg, Oid relid)
{
	int			i;

	if (relid == InvalidOid)
	{
		lexicon_valid = false;
		return;
	}
	for (i = 0; i < NLEXTABLES; i++)
		if (lexicon_relids[i] == relid)
			lexicon_valid = false;
}

static void
ensure_engine(void)
{
	char		err[256];
	SentAlloc	a = {alloc_current, release_any, NULL};
	SentEngine *eng;
	MemoryContext old;

	if (engine)
		return;
	/* the engine struct must outlive the call: allocate it long-lived */
	old = MemoryContextSwitchTo(TopMemoryContext);
	eng = sent_engine_new(&a, err, sizeof(err));
	MemoryContextSwitchTo(old);
	if (eng == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("could not initialize the sentiment engine: %s", err)));
	engine = eng;
}

static void
load_rows(SentLexicon *lex, const char *query)
{
	uint64		i;
	int			ret;

	ret = SPI_execute(query, true, 0);
	if (ret != SPI_OK_SELECT)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not read the sentiment lexicon: %s",
						SPI_result_code_string(ret))));
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		char	   *lang = SPI_getvalue(tup, desc, 1);
		char	   *kind = SPI_getvalue(tup, desc, 2);
		char	   *term = SPI_getvalue(tup, desc, 3);
		Datum		v = SPI_getbinval(tup, desc, 4, &isnull);
		double		value = isnull ? 0 : DatumGetFloat8(v);
		bool		admin = DatumGetBool(SPI_getbinval(tup, desc, 5, &isnull));
		const char *err;
		char	   *uterm;

		if (lang == NULL || kind == NULL || term == NULL)
			continue;
		uterm = (char *) pg_server_to_any(term, strlen(term), PG_UTF8);
		err = sent_lexicon_add(lex, lang, kind, uterm, value, admin);
		if (err)
			ereport(WARNING,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("sentiment lexicon row (%s, %s, \"%s\") ignored: %s",
							lang, kind, term, err)));
	}
}

static void
load_thresholds(SentLexicon *lex)
{
	uint64		i;

	if (SPI_execute("SELECT level::text, min_score::float8 FROM omni.sentiment_threshold",
					true, 0) != SPI_OK_SELECT)
		return;
	for (i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		char	   *level = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		double		min = DatumGetFloat8(SPI_getbinval(SPI_tuptable->vals[i],
													   SPI_tuptable->tupdesc, 2, &isnull));
		int			lv;

		if (level == NULL || isnull)
			continue;
		for (lv = 0; lv < SENT_NLEVELS; lv++)
			if (strcmp(level, sent_level_names[lv]) == 0)
				sent_lexicon_set_threshold(lex, (SentLevel) lv, min);
	}
}

/* omni.sentiment_model: admin rows after built-in ones so they win */
static void
load_models(SentLexicon *lex)
{
	uint64		i;

	if (SPI_execute("SELECT language, model, NOT builtin FROM omni.sentiment_model ORDER BY builtin DESC, language",
					true, 0) != SPI_OK_SELECT)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not read omni.sentiment_model")));
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		char	   *lang = SPI_getvalue(tup, desc, 1);
		bool		admin = DatumGetBool(SPI_getbinval(tup, desc, 3, &isnull));
		bytea	   *b;
		const char *err;

		if (lang == NULL)
			continue;
		b = DatumGetByteaPP(SPI_getbinval(tup, desc, 2, &isnull));
		if (isnull)
			continue;
		err = sent_lexicon_add_model(lex, lang, VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b), admin);
		if (err)
			ereport(WARNING,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("sentiment model of language \"%s\" ignored: %s", lang, err)));
	}
}

static void
load_config(SentLexicon *lex)
{
	uint64		i;

	if (SPI_execute("SELECT name, value FROM omni.sentiment_config", true, 0) != SPI_OK_SELECT)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not read omni.sentiment_config")));
	for (i = 0; i < SPI_processed; i++)
	{
		char	   *name = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		char	   *value = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);
		int			m;

		if (name == NULL || value == NULL || strcmp(name, "mode") != 0)
			continue;
		for (m = 0; m < (int) lengthof(sent_mode_names); m++)
			if (strcmp(value, sent_mode_names[m]) == 0)
				sent_lexicon_set_mode(lex, (SentMode) m);
	}
}

static SentLexicon *
ensure_lexicon(void)
{
	MemoryContext cxt;
	MemoryContext old;
	SentAlloc	a;
	SentLexicon *lex;
	Oid			nsp;
	int			i;

	if (lexicon_valid && lexicon)
		return lexicon;
	ensure_engine();
	if (!callback_registered)
	{
		omni_on_relcache_change(lexicon_relcache_callback, (Datum) 0);
		callback_registered = true;
	}
	nsp = get_namespace_oid("omni", false);
	for (i = 0; i < NLEXTABLES; i++)
	{
		lexicon_relids[i] = get_relname_relid(lexicon_tables[i], nsp);
		if (!OidIsValid(lexicon_relids[i]) && i < NLEXTABLES_REQUIRED)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_TABLE),
					 errmsg("sentiment lexicon table omni.%s is missing", lexicon_tables[i]),
					 errhint("Reinstall the extension: DROP EXTENSION omnichannel; CREATE EXTENSION omnichannel.")));
	}
	/*
	 * Mark valid before reading: an invalidation that arrives while we read
	 * (a concurrent commit) clears the flag again and the next call
	 * rebuilds.
	 */
	lexicon_valid = true;

	cxt = AllocSetContextCreate(TopMemoryContext, "omnichannel sentiment lexicon",
								ALLOCSET_DEFAULT_SIZES);
	a.alloc = alloc_in_context;
	a.release = release_any;
	a.arg = cxt;
	PG_TRY();
	{
		lex = sent_lexicon_new(&a, engine);
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		load_rows(lex,
				  "SELECT language, 'valence', term, valence::float8, NOT builtin FROM omni.lexicon "
				  "UNION ALL SELECT language, kind, term, weight::float8, NOT builtin FROM omni.lexicon_rule "
				  "UNION ALL SELECT language, 'profanity', term, severity::float8, NOT builtin FROM omni.profanity");
		load_thresholds(lex);
		if (OidIsValid(lexicon_relids[4]))
			load_models(lex);
		if (OidIsValid(lexicon_relids[5]))
			load_config(lex);
		SPI_finish();
		old = MemoryContextSwitchTo(cxt);
		sent_lexicon_finalize(lex);
		MemoryContextSwitchTo(old);
	}
	PG_CATCH();
	{
		lexicon_valid = false;
		MemoryContextDelete(cxt);
		PG_RE_THROW();
	}
	PG_END_TRY();

	if (lexicon_cxt)
		MemoryContextDelete(lexicon_cxt);
	lexicon_cxt = cxt;
	lexicon = lex;
	return lexicon;
}

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------
 */
typedef struct CallCache
{
	Oid			level_type;
	Oid			level_oid[SENT_NLEVELS];
	TupleDesc	tupdesc;
} CallCache;

static void
fill_level_oids(CallCache *cc, Oid typoid)
{
	int			lv;

	cc->level_type = typoid;
	for (lv = 0; lv < SENT_NLEVELS; lv++)
	{
		cc->level_oid[lv] = GetSysCacheOid2(ENUMTYPOIDNAME, Anum_pg_enum_oid,
											ObjectIdGetDatum(typoid),
											CStringGetDatum(sent_level_names[lv]));
		if (!OidIsValid(cc->level_oid[lv]))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("sentiment level \"%s\" is missing from type %s",
							sent_level_names[lv], format_type_be(typoid))));
	}
}

/* analyse text; the caller frees the result with sent_result_free */
static void
analyze_text(text *body, text *lang, bool evidence, bool detect_only,
			 SentResult *res)
{
	SentLexicon *lex = ensure_lexicon();
	char	   *s = VARDATA_ANY(body);
	int			len = VARSIZE_ANY_EXHDR(body);
	char	   *hint = lang ? text_to_cstring(lang) : NULL;

	if (GetDatabaseEncoding() != PG_UTF8)
	{
		s = (char *) pg_server_to_any(s, len, PG_UTF8);
		len = strlen(s);
	}
	sent_analyze(engine, lex, s, len, hint, evidence, detect_only, res);
}

/* ------------------------------------------------------------------------
 * SQL functions
 * ------------------------------------------------------------------------
 */

/* omni.sentiment(body text, lang text DEFAULT NULL) -> omni.sentiment_result */
Datum
omni_sentiment(PG_FUNCTION_ARGS)
{
	CallCache  *cc = (CallCache *) fcinfo->flinfo->fn_extra;
	SentResult	res;
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};
	HeapTuple	tup;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	if (cc == NULL)
	{
		TupleDesc	desc;
		MemoryContext old;

		if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE ||
			desc->natts != 4)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("omni.sentiment must return omni.sentiment_result")));
		old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		cc = palloc0(sizeof(CallCache));
		cc->tupdesc = BlessTupleDesc(CreateTupleDescCopy(desc));
		MemoryContextSwitchTo(old);
		fill_level_oids(cc, TupleDescAttr(cc->tupdesc, 1)->atttypid);
		fcinfo->flinfo->fn_extra = cc;
	}
	analyze_text(PG_GETARG_TEXT_PP(0), PG_ARGISNULL(1) ? NULL : PG_GETARG_TEXT_PP(1),
				 false, false, &res);
	values[0] = Float4GetDatum((float4) res.score);
	values[1] = ObjectIdGetDatum(cc->level_oid[res.level]);
	values[2] = CStringGetTextDatum(res.language);
	values[3] = BoolGetDatum(res.profane);
	sent_result_free(engine, &res);
	tup = heap_form_tuple(cc->tupdesc, values, nulls);
	PG_RETURN_DATUM(HeapTupleGetDatum(tup));
}

static const struct
{
	uint32		bit;
	const char *name;
}			rule_names[] = {
	{SR_NEGATED, "negated"}, {SR_INTENSIFIED, "intensified"},
	{SR_DIMINISHED, "diminished"}, {SR_CAPS, "caps"},
	{SR_STRETCHED, "stretched"}, {SR_BEFORE_BUT, "before_contrast"},
	{SR_AFTER_BUT, "after_contrast"}, {SR_STEM, "stem"},
	{SR_PHRASE, "phrase"}, {SR_SYMBOL, "emoji"}, {SR_PROFANE, "profanity"},
	{SR_OBFUSCATED, "obfuscated"}
};

static void
json_key_string(StringInfo buf, const char *key, const char *utf8)
{
	appendStringInfo(buf, "\"%s\": ", key);
	if (utf8 == NULL)
		appendStringInfoString(buf, "null");
	else
		escape_json(buf, (const char *) pg_any_to_server(utf8, strlen(utf8), PG_UTF8));
}

/* omni.sentiment_evidence(body text, lang text DEFAULT NULL) -> jsonb */
Datum
omni_sentiment_evidence(PG_FUNCTION_ARGS)
{
	SentResult	res;
	StringInfoData buf;
	int			i;
	Datum		result;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	analyze_text(PG_GETARG_TEXT_PP(0), PG_ARGISNULL(1) ? NULL : PG_GETARG_TEXT_PP(1),
				 true, false, &res);
	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"score\": %.4f, \"level\": \"%s\", ",
					 res.score, sent_level_names[res.level]);
	json_key_string(&buf, "language", res.language);
	appendStringInfoString(&buf, ", \"languages\": [");
	for (i = 0; i < res.ncandidates; i++)
		appendStringInfo(&buf, "%s\"%s\"", i ? ", " : "",
						 sent_lexicon_lang(lexicon, res.candidates[i]));
	appendStringInfo(&buf, "], \"unsure\": %s, \"profane\": %s, \"severity\": %d, ",
					 res.unsure ? "true" : "false", res.profane ? "true" : "false",
					 res.severity);
	appendStringInfo(&buf, "\"sum\": %.4f, \"words\": %d, \"exclamations\": %d, \"questions\": %d, ",
					 res.sum, res.nwords, res.exclamations, res.questions);
	json_key_string(&buf, "contrast", res.contrast);
	appendStringInfo(&buf, ", \"truncated\": %s, \"terms\": [",
					 res.truncated ? "true" : "false");
	for (i = 0; i < res.nhits; i++)
	{
		SentHit    *h = &res.hits[i];
		size_t		r;
		bool		first = true;

		appendStringInfoString(&buf, i ? ", {" : "{");
		json_key_string(&buf, "term", h->term);
		appendStringInfo(&buf, ", \"lang\": \"%s\", \"valence\": %.3f, \"weight\": %.3f",
						 sent_lexicon_lang(lexicon, h->lang), h->base, h->final);
		if (h->modifier)
		{
			appendStringInfoString(&buf, ", ");
			json_key_string(&buf, "by", h->modifier);
		}
		if (h->rules & SR_PROFANE)
			appendStringInfo(&buf, ", \"severity\": %d", h->severity);
		appendStringInfoString(&buf, ", \"rules\": [");
		for (r = 0; r < lengthof(rule_names); r++)
			if (h->rules & rule_names[r].bit)
			{
				appendStringInfo(&buf, "%s\"%s\"", first ? "" : ", ", rule_names[r].name);
				first = false;
			}
		appendStringInfoString(&buf, "]}");
	}
	appendStringInfo(&buf, "], \"more_terms\": %d, \"mode\": \"%s\", \"rule_score\": %.4f, ",
					 res.nhits_total - res.nhits, sent_mode_names[res.mode], res.rule_score);
	appendStringInfo(&buf, "\"admin_override\": %s, ", res.admin_override ? "true" : "false");
	if (res.model == NULL)
		appendStringInfoString(&buf, "\"model\": null}");
	else
	{
		appendStringInfo(&buf, "\"model\": {\"language\": \"%s\", \"probabilities\": "
						 "{\"negative\": %.3f, \"neutral\": %.3f, \"positive\": %.3f}, \"features\": [",
						 res.model, res.prob[0], res.prob[1], res.prob[2]);
		for (i = 0; i < res.nfeats; i++)
		{
			appendStringInfoString(&buf, i ? ", {" : "{");
			json_key_string(&buf, "feature", res.feats[i].name);
			appendStringInfo(&buf, ", \"kind\": \"%s\", \"weight\": %.3f}",
							 res.feats[i].kind, res.feats[i].weight);
		}
		appendStringInfoString(&buf, "]}}");
	}
	sent_result_free(engine, &res);
	result = DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data));
	pfree(buf.data);
	PG_RETURN_DATUM(result);
}

/* omni.detect_language(body text) -> text */
Datum
omni_detect_language(PG_FUNCTION_ARGS)
{
	SentResult	res;
	text	   *out;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	analyze_text(PG_GETARG_TEXT_PP(0), NULL, false, true, &res);
	out = cstring_to_text(res.language);
	sent_result_free(engine, &res);
	PG_RETURN_TEXT_P(out);
}

/* omni.sentiment_level(score real) -> omni.sentiment_level */
Datum
omni_sentiment_level(PG_FUNCTION_ARGS)
{
	CallCache  *cc = (CallCache *) fcinfo->flinfo->fn_extra;
	float4		score = PG_GETARG_FLOAT4(0);
	SentLexicon *lex;

	if (isnan(score))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sentiment score must be a number between -1 and 1")));
	if (cc == NULL)
	{
		cc = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(CallCache));
		fill_level_oids(cc, get_fn_expr_rettype(fcinfo->flinfo));
		fcinfo->flinfo->fn_extra = cc;
	}
	lex = ensure_lexicon();
	PG_RETURN_OID(cc->level_oid[sent_level_of(lex, score)]);
}

/* statement trigger on the lexicon tables: drop every backend's cache */
Datum
omni_sentiment_lexicon_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("omni._sentiment_lexicon_changed() must be called as a trigger")));
	CacheInvalidateRelcache(trigdata->tg_relation);
	return PointerGetDatum(NULL);
}
