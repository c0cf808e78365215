/*-------------------------------------------------------------------------
 *
 * metrics.c
 *	  omni._call_metrics(): the time figures of one call, from its segments
 *	  in order (start_ms, end_ms, input order), in one pass.  The
 *	  definitions are SPEC §8's, spelled out in
 *	  docs/conversation-intelligence.md:
 *
 *	  talk time       union of the speaker's segment intervals (overlapping
 *	                  segments of one speaker count once)
 *	  switches        consecutive segments with different speakers
 *	  average pause   mean of (agent start - customer end) over customer ->
 *	                  agent switches whose gap is >= 0
 *	  monologue       longest run of consecutive customer segments, from the
 *	                  first start to the latest end
 *	  words/minute    agent words (ICU word boundaries, the sentiment
 *	                  tokenizer) / agent talk minutes
 *	  interruptions   segments starting before the other speaker's previous
 *	                  segment ended
 *	  silence         gaps > 3 s from the call's start (0 ms) or the end of
 *	                  everything said so far to the next segment
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "insight/insight.h"

PG_FUNCTION_INFO_V1(omni_call_metrics);

#define NMETRICS 13

typedef struct CallMetrics
{
	int64		duration_ms;
	int64		agent_ms;
	int64		customer_ms;
	int			switches;
	int64		pause_sum;
	int			npause;
	int64		monologue_ms;
	int64		agent_words;
	int			interruptions;
	int			agent_interruptions;
	int64		silence_ms;
} CallMetrics;

/* talk time of one speaker: union of its intervals, segments in start order */
typedef struct Span
{
	bool		open;
	int64		from;
	int64		to;
	int64		total;
} Span;

static void
span_add(Span *sp, int64 s, int64 e)
{
	if (sp->open && s <= sp->to)
	{
		if (e > sp->to)
			sp->to = e;
		return;
	}
	if (sp->open)
		sp->total += sp->to - sp->from;
	sp->open = true;
	sp->from = s;
	sp->to = e;
}

static int64
span_total(Span *sp)
{
	return sp->total + (sp->open ? sp->to - sp->from : 0);
}

static void
compute(int n, const bool *agent, const int32 *st, const int32 *en,
		const int64 *words, CallMetrics *m)
{
	Span		talk[2] = {{0}, {0}};	/* [0] customer, [1] agent */
	int64		last_end[2] = {0, 0};
	bool		has_last[2] = {false, false};
	int64		covered = 0;
	int64		run_start = -1,
				run_end = 0;
	int			i;

	memset(m, 0, sizeof(CallMetrics));
	for (i = 0; i < n; i++)
	{
		int			who = agent[i] ? 1 : 0;
		int64		s = st[i],
					e = en[i];

		span_add(&talk[who], s, e);
		if (agent[i])
			m->agent_words += words[i];

		if (i > 0 && agent[i] != agent[i - 1])
		{
			m->switches++;
			if (agent[i] && s - en[i - 1] >= 0)
			{
				m->pause_sum += s - en[i - 1];
				m->npause++;
			}
		}
		if (has_last[1 - who] && s < last_end[1 - who])
		{
			m->interruptions++;
			if (agent[i])
				m->agent_interruptions++;
		}
		last_end[who] = e;
		has_last[who] = true;

		/* customer monologue: a run of consecutive customer segments */
		if (!agent[i])
		{
			if (run_start < 0)
			{
				run_start = s;
				run_end = e;
			}
			else if (e > run_end)
				run_end = e;
			if (run_end - run_start > m->monologue_ms)
				m->monologue_ms = run_end - run_start;
		}
		else
			run_start = -1;

		if (s - covered > INSIGHT_SILENCE_MS)
			m->silence_ms += s - covered;
		if (e > covered)
			covered = e;
	}
	m->agent_ms = span_total(&talk[1]);
	m->customer_ms = span_total(&talk[0]);
	m->duration_ms = covered;
}

/* deconstruct a one-dimensional array without NULLs */
static int
array_items(ArrayType *a, Oid elmtype, Datum **items, const char *what)
{
	int16		typlen;
	bool		typbyval;
	char		typalign;
	bool	   *nulls;
	int			n,
				i;

	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", what)));
	get_typlenbyvalalign(elmtype, &typlen, &typbyval, &typalign);
	deconstruct_array(a, elmtype, typlen, typbyval, typalign, items, &nulls, &n);
	for (i = 0; i < n; i++)
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain NULL", what)));
	return n;
}

/*
 * omni._call_metrics(agent boolean[], start_ms integer[], end_ms integer[],
 *                    body text[]) -> record (see the SQL declaration)
 */
Datum
omni_call_metrics(PG_FUNCTION_ARGS)
{
	Datum	   *da,
			   *ds,
			   *de,
			   *db;
	int			n,
				i;
	bool	   *agent;
	int32	   *st,
			   *en;
	int64	   *words;
	CallMetrics m;
	TupleDesc	desc;
	Datum		values[NMETRICS];
	bool		nulls[NMETRICS];
	InsightText *it = NULL;
	SentArena  *arena = NULL;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("omni._call_metrics needs four arrays")));
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE || desc->natts != NMETRICS)
		elog(ERROR, "omni._call_metrics: wrong result type");
	n = array_items(PG_GETARG_ARRAYTYPE_P(0), BOOLOID, &da, "agent");
	if (array_items(PG_GETARG_ARRAYTYPE_P(1), INT4OID, &ds, "start_ms") != n ||
		array_items(PG_GETARG_ARRAYTYPE_P(2), INT4OID, &de, "end_ms") != n ||
		array_items(PG_GETARG_ARRAYTYPE_P(3), TEXTOID, &db, "body") != n)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("omni._call_metrics: the four arrays must have the same length")));

	agent = palloc(sizeof(bool) * (n + 1));
	st = palloc(sizeof(int32) * (n + 1));
	en = palloc(sizeof(int32) * (n + 1));
	words = palloc0(sizeof(int64) * (n + 1));
	for (i = 0; i < n; i++)
	{
		agent[i] = DatumGetBool(da[i]);
		st[i] = DatumGetInt32(ds[i]);
		en[i] = DatumGetInt32(de[i]);
		if (st[i] < 0 || en[i] < st[i] || (i > 0 && st[i] < st[i - 1]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("segment %d: segments must satisfy 0 <= start_ms <= end_ms and come in start order", i + 1)));
		if (agent[i])
		{
			text	   *t = DatumGetTextPP(db[i]);
			char	   *s = VARDATA_ANY(t);
			size_t		len = VARSIZE_ANY_EXHDR(t);
			SentTok    *toks;

			if (it == NULL)
			{
				it = insight_text();
				arena = sent_arena_new(insight_alloc(), 8192);
			}
			if (GetDatabaseEncoding() != PG_UTF8)
			{
				s = (char *) pg_server_to_any(s, len, PG_UTF8);
				len = strlen(s);
			}
			words[i] = insight_words(it, s, len, arena, &toks);
		}
	}
	if (arena)
		sent_arena_free(arena);

	compute(n, agent, st, en, words, &m);

	memset(nulls, 0, sizeof(nulls));
	values[0] = Float8GetDatum(m.duration_ms / 1000.0);
	values[1] = Float8GetDatum(m.agent_ms / 1000.0);
	values[2] = Float8GetDatum(m.customer_ms / 1000.0);
	/* talk_to_listen_ratio: NULL when the customer never spoke */
	if (m.customer_ms > 0)
		values[3] = Float8GetDatum((double) m.agent_ms / m.customer_ms);
	else
		nulls[3] = true;
	if (m.agent_ms + m.customer_ms > 0)
		values[4] = Float8GetDatum((double) m.agent_ms / (m.agent_ms + m.customer_ms));
	else
		nulls[4] = true;
	values[5] = Int32GetDatum(m.switches);
	if (m.npause > 0)
		values[6] = Float8GetDatum((double) m.pause_sum / m.npause);
	else
		nulls[6] = true;
	values[7] = Float8GetDatum(m.monologue_ms / 1000.0);
	values[8] = Int64GetDatum(m.agent_words);
	if (m.agent_ms > 0)
		values[9] = Float8GetDatum(m.agent_words / (m.agent_ms / 60000.0));
	else
		nulls[9] = true;
	values[10] = Int32GetDatum(m.interruptions);
	values[11] = Int32GetDatum(m.agent_interruptions);
	values[12] = Float8GetDatum(m.silence_ms / 1000.0);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}
