/*-------------------------------------------------------------------------
 *
 * offer_write.c
 *	  omni._write_offers: the one path that writes offers, for the router
 *	  (one call per cycle) and omni._make_offer.  Per offer: the offer row,
 *	  the capacity hold, the agent's and the queue's rotation clocks, the
 *	  'offered' event, the routing decision, NOTIFY omni_offer and the
 *	  agent's channel; then presence follows load for the agents given.
 *
 * As one PL/pgSQL statement of six writing CTEs it cost about 0.2 ms per
 * call before the first row, most of it starting their executors: more
 * than any call of the API, at every routing cycle.  Here the rows are
 * written in one step of row_write.c (constraints, index checks and row
 * triggers as before, fired at the step's end), the events appended by
 * the event log and the notifications queued directly.  When a DBA has
 * given one of the tables something only a statement applies, the same
 * statement as before runs instead.
 *
 * The caller has locked the conversations and the agents (the router's
 * cycle, omni._make_offer): so no other transaction writes these holds or
 * rotation rows meanwhile, and a row looked up and then inserted cannot
 * meet a concurrent insert, which ON CONFLICT covered in the statement.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/async.h"
#include "commands/sequence.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/fmgrprotos.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "omnichannel.h"
#include "row_write.h"

/* InitMaterializedSRF() is the 15.1 name of 15.0's SetSingleFuncCall(). */
#if PG_VERSION_NUM < 150001
#define InitMaterializedSRF(fcinfo, flags) SetSingleFuncCall(fcinfo, flags)
#endif

PG_FUNCTION_INFO_V1(omni_write_offers);

/* One offer to write. */
typedef struct OfferIn
{
	int64		conv;
	int64		agent;
	char	   *queue;
	TimestampTz expires;
	int32		units;
	char	   *profile;		/* NULL: none */
	char	   *channel;
	TimestampTz stamp;			/* rotation clock */
	Jsonb	   *event;			/* detail of the 'offered' event (NULL: {}) */
	Jsonb	   *decision;		/* NULL: no decision row */
	int64		id;				/* given by the writer */
} OfferIn;

/* The tables of the step, in this order. */
enum
{
	T_OFFER, T_HOLD, T_STATE, T_ROTATION, T_DECISION, T_COUNT
};

/* Their columns (all of them, for the inserts). */
static const char *const offer_columns[] = {
	"id", "conversation_id", "agent_id", "queue", "state", "created_at", "expires_at", "decided_at", "reason"
};
static const char *const hold_columns[] = {
	"conversation_id", "agent_id", "units", "profile", "since", "kind", "override"
};
static const char *const rotation_columns[] = {"queue", "agent_id", "last_assigned_at"};
static const char *const decision_columns[] = {
	"offer_id", "conversation_id", "agent_id", "queue", "at", "detail"
};

static SPIPlanPtr write_plan = NULL;

/* The statement path (the rows only: events and notifications are shared). */
static const char write_sql[] =
	"WITH u AS MATERIALIZED ("
	"    SELECT nextval('omni.offer_id_seq'::regclass) AS id, i.*"
	"      FROM (SELECT * FROM unnest($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
	"                       AS i(c, a, q, e, n, p, ch, st, ev, d)"
	"             ORDER BY i.st, i.c) i),"
	" o AS (INSERT INTO omni.offer (id, conversation_id, agent_id, queue, created_at, expires_at)"
	"       OVERRIDING SYSTEM VALUE"
	"       SELECT u.id, u.c, u.a, u.q, $11, u.e FROM u),"
	" h AS (INSERT INTO omni.capacity_hold (conversation_id, agent_id, units, profile, since, kind, override)"
	"       SELECT u.c, u.a, u.n, u.p, $11, 'offer', false FROM u"
	"       ON CONFLICT (conversation_id) DO UPDATE"
	"          SET agent_id = EXCLUDED.agent_id, units = EXCLUDED.units, profile = EXCLUDED.profile,"
	"              since = EXCLUDED.since, kind = EXCLUDED.kind, override = EXCLUDED.override),"
	" s AS (UPDATE omni.agent_state s SET last_assigned_at = m.st"
	"         FROM (SELECT u.a, max(u.st) AS st FROM u GROUP BY u.a) m WHERE s.agent_id = m.a),"
	" r AS (INSERT INTO omni.queue_rotation (queue, agent_id, last_assigned_at)"
	"       SELECT u.q, u.a, max(u.st) FROM u GROUP BY u.q, u.a"
	"       ON CONFLICT (queue, agent_id) DO UPDATE SET last_assigned_at = EXCLUDED.last_assigned_at),"
	" d AS (INSERT INTO omni.offer_decision (offer_id, conversation_id, agent_id, queue, at, detail)"
	"       SELECT u.id, u.c, u.a, u.q, $11, u.d FROM u WHERE u.d IS NOT NULL)"
	" SELECT u.id, u.c FROM u ORDER BY u.id";


/* the statement's order: rotation clock, then conversation */
static int
offer_order(const void *x, const void *y)
{
	const OfferIn *a = x;
	const OfferIn *b = y;

	if (a->stamp != b->stamp)
		return a->stamp < b->stamp ? -1 : 1;
	return a->conv < b->conv ? -1 : a->conv > b->conv;
}

/* agent, then queue: the clocks are written in this order */
static int
clock_order(const void *x, const void *y)
{
	const OfferIn *a = *(OfferIn *const *) x;
	const OfferIn *b = *(OfferIn *const *) y;
	int			c;

	if (a->agent != b->agent)
		return a->agent < b->agent ? -1 : 1;
	c = strcmp(a->queue, b->queue);
	if (c != 0)
		return c;
	return a->stamp < b->stamp ? -1 : a->stamp > b->stamp;
}

/*
 * The rows, written directly (row_write.c); ids given in offers' order.
 * Returns false, with nothing written, when a table needs the statement.
 */
static bool
write_directly(OfferIn *offers, int n, TimestampTz t)
{
	static const char *const tables[T_COUNT] = {"offer", "capacity_hold", "agent_state", "queue_rotation", "offer_decision"};
	static const char *const indexes[T_COUNT] = {NULL, NULL, NULL, NULL, NULL};
	static const AclMode modes[T_COUNT] = {ACL_INSERT, ACL_INSERT | ACL_UPDATE, ACL_UPDATE,
	ACL_INSERT | ACL_UPDATE, ACL_INSERT};
	OmniWriteStep s;
	AttrNumber	oa[lengthof(offer_columns)],
				ha[lengthof(hold_columns)],
				ra[lengthof(rotation_columns)],
				da[lengthof(decision_columns)],
				state_agent,
				state_assigned;
	Oid			sequence;
	Datum		pending,
				offer_kind,
				now = TimestampTzGetDatum(t);
	OfferIn   **clocks;
	TimestampTz agent_latest = 0;

	if (!omni_write_begin(&s, T_COUNT, tables, indexes, modes))
		return false;
	if (!omni_write_columns(&s, T_OFFER, offer_columns, lengthof(offer_columns), oa) ||
		!omni_write_columns(&s, T_HOLD, hold_columns, lengthof(hold_columns), ha) ||
		!omni_write_columns(&s, T_ROTATION, rotation_columns, lengthof(rotation_columns), ra) ||
		!omni_write_columns(&s, T_DECISION, decision_columns, lengthof(decision_columns), da) ||
		!OidIsValid(sequence = omni_write_identity_sequence(s.probe[T_OFFER].rel, oa[0])))
	{
		omni_write_end(&s);
		return false;
	}
	state_agent = omni_probe_att(&s.probe[T_STATE], "agent_id");
	state_assigned = omni_probe_att(&s.probe[T_STATE], "last_assigned_at");
	pending = DirectFunctionCall2(enum_in, CStringGetDatum("pending"),
								  ObjectIdGetDatum(TupleDescAttr(RelationGetDescr(s.probe[T_OFFER].rel), oa[4] - 1)->atttypid));
	offer_kind = CStringGetTextDatum("offer");

	for (int i = 0; i < n; i++)
	{
		OfferIn    *o = &offers[i];
		Datum		key = Int64GetDatum(o->conv);
		Datum		queue = CStringGetTextDatum(o->queue);
		Datum		hold[7] = {key, Int64GetDatum(o->agent), Int32GetDatum(o->units),
							   o->profile ? CStringGetTextDatum(o->profile) : (Datum) 0,
							   now, offer_kind, BoolGetDatum(false)};
		bool		hold_nulls[7] = {false, false, false, o->profile == NULL, false, false, false};

		o->id = nextval_internal(sequence, false);
		{
			Datum		values[9] = {Int64GetDatum(o->id), key, Int64GetDatum(o->agent), queue, pending,
									 now, TimestampTzGetDatum(o->expires), (Datum) 0, (Datum) 0};
			bool		nulls[9] = {false, false, false, false, false, false, false, true, true};

			omni_write_insert(&s, T_OFFER, 9, oa, values, nulls);
		}
		/* the hold: the conversation's, taken over (ON CONFLICT DO UPDATE) */
		if (omni_write_find(&s, T_HOLD, 1, &ha[0], &key, false) != NULL)
			omni_write_update(&s, T_HOLD, 6, &ha[1], &hold[1], &hold_nulls[1]);
		else
			omni_write_insert(&s, T_HOLD, 7, ha, hold, hold_nulls);
		if (o->decision != NULL)
		{
			Datum		values[6] = {Int64GetDatum(o->id), key, Int64GetDatum(o->agent), queue, now,
									 JsonbPGetDatum(o->decision)};
			bool		nulls[6] = {false, false, false, false, false, false};

			omni_write_insert(&s, T_DECISION, 6, da, values, nulls);
		}
	}

	/*
	 * The clocks: each agent's last_assigned_at and each (queue, agent)
	 * rotation row get the latest stamp of their offers.
	 */
	clocks = palloc(n * sizeof(OfferIn *));
	for (int i = 0; i < n; i++)
		clocks[i] = &offers[i];
	qsort(clocks, n, sizeof(OfferIn *), clock_order);
	for (int i = 0; i < n; i++)
	{
		OfferIn    *o = clocks[i];
		bool		first_of_agent = (i == 0 || clocks[i - 1]->agent != o->agent);
		bool		last_of_agent = (i == n - 1 || clocks[i + 1]->agent != o->agent);
		bool		last_of_queue = last_of_agent || strcmp(clocks[i + 1]->queue, o->queue) != 0;
		Datum		agent = Int64GetDatum(o->agent);
		Datum		stamp = TimestampTzGetDatum(o->stamp);

		if (last_of_queue)
		{
			Datum		keys[2] = {CStringGetTextDatum(o->queue), agent};
			Datum		values[3] = {keys[0], agent, stamp};
			bool		nulls[3] = {false, false, false};

			if (omni_write_find(&s, T_ROTATION, 2, ra, keys, false) != NULL)
				omni_write_update(&s, T_ROTATION, 1, &ra[2], &stamp, NULL);
			else
				omni_write_insert(&s, T_ROTATION, 3, ra, values, nulls);
		}
		/* the agent's clock: its latest stamp over all its queues */
		agent_latest = first_of_agent ? o->stamp : Max(agent_latest, o->stamp);
		if (last_of_agent)
		{
			Datum		at = TimestampTzGetDatum(agent_latest);

			if (omni_write_find(&s, T_STATE, 1, &state_agent, &agent, false) != NULL)
				omni_write_update(&s, T_STATE, 1, &state_assigned, &at, NULL);
		}
	}
	omni_write_end(&s);
	return true;
}

/*
 * The same rows through the statement (what 0.5.0's PL/pgSQL ran), from the
 * function's own array arguments (args[0..9]); ids from it.
 */
static void
write_by_statement(OfferIn *offers, int n, const Datum *arrays, TimestampTz t)
{
	Datum		args[11];
	int			rc;

	memcpy(args, arrays, 10 * sizeof(Datum));
	args[10] = TimestampTzGetDatum(t);
	if ((rc = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(rc));
	{
		static const Oid types[11] = {INT8ARRAYOID, INT8ARRAYOID, TEXTARRAYOID, TIMESTAMPTZARRAYOID, INT4ARRAYOID,
		TEXTARRAYOID, TEXTARRAYOID, TIMESTAMPTZARRAYOID, JSONBARRAYOID, JSONBARRAYOID, TIMESTAMPTZOID};

		omni_write_statement(&write_plan, write_sql, 11, types);
	}
	if ((rc = SPI_execute_plan(write_plan, args, NULL, false, 0)) != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
	if ((int) SPI_processed != n)
		elog(ERROR, "omni._write_offers: the statement wrote %d offers instead of %d", (int) SPI_processed, n);
	/* the statement gave the ids in the same order as the offers (by stamp, conversation) */
	for (int i = 0; i < n; i++)
	{
		bool		null;

		offers[i].id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &null));
		if (DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &null)) != offers[i].conv)
			elog(ERROR, "omni._write_offers: the statement's offers are not in the expected order");
	}
	SPI_finish();
}

/*
 * Write offers[0..n-1] (sorted here by stamp, then conversation, the order
 * their ids follow), then their events and notifications in id order, then
 * presence follows load for follow[0..nfollow-1].
 */
static void
write_offers(OfferIn *offers, int n, const Datum *arrays, const int64 *follow, int nfollow)
{
	TimestampTz t = omni_now();

	if (n > 0)
	{
		qsort(offers, n, sizeof(OfferIn), offer_order);
		if (!write_directly(offers, n, t))
			write_by_statement(offers, n, arrays, t);
	}
	if (n > 0)
	{
		OmniConversationEvent *events = palloc(n * sizeof(OmniConversationEvent));

		for (int i = 0; i < n; i++)
		{
			OfferIn    *o = &offers[i];

			events[i] = (OmniConversationEvent)
			{
				"offered", o->conv, o->agent, o->id, o->queue, o->channel, "open", "open", o->event
			};
		}
		omni_log_conversation_events(n, events);
	}
	for (int i = 0; i < n; i++)
	{
		OfferIn    *o = &offers[i];
		char		expires[MAXDATELEN + 1];
		static const char *const keys[2] = {"offer_id", "conversation_id"};
		int64		ids[2] = {o->id, o->conv};

		/* json_build_object's text, as the statement sent it */
		JsonEncodeDateTime(expires, TimestampTzGetDatum(o->expires), TIMESTAMPTZOID, NULL);
		Async_Notify("omni_offer",
					 psprintf("{\"offer_id\" : " INT64_FORMAT ", \"agent_id\" : " INT64_FORMAT
							  ", \"conversation_id\" : " INT64_FORMAT ", \"expires_at\" : \"%s\"}",
							  o->id, o->agent, o->conv, expires));
		omni_notify_agent_ids(o->agent, "offer_made", 2, keys, ids);
	}
	/* presence follows load, as the holds above left it */
	omni_follow_load_agents(follow, nfollow);
}

/* the elements of array argument arg (n of them; NULL elements in nulls) */
static Datum *
elements(FunctionCallInfo fcinfo, int arg, Oid type, int n, bool **nulls, bool nulls_allowed)
{
	Datum	   *elems;
	int			count;
	int16		len;
	bool		byval;
	char		align;

	if (PG_ARGISNULL(arg))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("omni._write_offers: argument %d is NULL", arg + 1)));
	get_typlenbyvalalign(type, &len, &byval, &align);
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(arg), type, len, byval, align, &elems, nulls, &count);
	if (count != n)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("omni._write_offers: %d conversations but %d elements in argument %d", n, count, arg + 1)));
	if (!nulls_allowed)
		for (int i = 0; i < n; i++)
			if ((*nulls)[i])
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("omni._write_offers: an element of argument %d is NULL", arg + 1)));
	return elems;
}

/*
 * omni._write_offers(conversations bigint[], agents bigint[], queues text[],
 * expires timestamptz[], units integer[], profiles text[], channels text[],
 * stamps timestamptz[], events jsonb[], decisions jsonb[], follow bigint[])
 * RETURNS SETOF bigint: the offer ids, in order.
 */
Datum
omni_write_offers(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Datum	   *convs,
			   *agents,
			   *queues,
			   *expires,
			   *units,
			   *profiles,
			   *channels,
			   *stamps,
			   *events,
			   *decisions;
	bool	   *n0,
			   *n1,
			   *n2,
			   *n3,
			   *n4,
			   *n5,
			   *n6,
			   *n7,
			   *n8,
			   *n9;
	int			n;
	OfferIn    *offers;
	int64	   *follow = NULL;
	int			nfollow = 0;

	/* a scalar result: the expected one-column descriptor */
	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("omni._write_offers: argument 1 is NULL")));
	n = ArrayGetNItems(ARR_NDIM(PG_GETARG_ARRAYTYPE_P(0)), ARR_DIMS(PG_GETARG_ARRAYTYPE_P(0)));
	convs = elements(fcinfo, 0, INT8OID, n, &n0, false);
	agents = elements(fcinfo, 1, INT8OID, n, &n1, false);
	queues = elements(fcinfo, 2, TEXTOID, n, &n2, false);
	expires = elements(fcinfo, 3, TIMESTAMPTZOID, n, &n3, false);
	units = elements(fcinfo, 4, INT4OID, n, &n4, false);
	profiles = elements(fcinfo, 5, TEXTOID, n, &n5, true);
	channels = elements(fcinfo, 6, TEXTOID, n, &n6, true);
	stamps = elements(fcinfo, 7, TIMESTAMPTZOID, n, &n7, false);
	events = elements(fcinfo, 8, JSONBOID, n, &n8, true);
	decisions = elements(fcinfo, 9, JSONBOID, n, &n9, true);
	if (!PG_ARGISNULL(10))
	{
		Datum	   *elems;
		bool	   *nulls;
		int			count;

		deconstruct_array(PG_GETARG_ARRAYTYPE_P(10), INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
						  &elems, &nulls, &count);
		follow = palloc(Max(count, 1) * sizeof(int64));
		for (int i = 0; i < count; i++)
			if (!nulls[i])
				follow[nfollow++] = DatumGetInt64(elems[i]);
	}

	offers = palloc0(Max(n, 1) * sizeof(OfferIn));
	for (int i = 0; i < n; i++)
	{
		OfferIn    *o = &offers[i];

		o->conv = DatumGetInt64(convs[i]);
		o->agent = DatumGetInt64(agents[i]);
		o->queue = TextDatumGetCString(queues[i]);
		o->expires = DatumGetTimestampTz(expires[i]);
		o->units = DatumGetInt32(units[i]);
		o->profile = n5[i] ? NULL : TextDatumGetCString(profiles[i]);
		o->channel = n6[i] ? NULL : TextDatumGetCString(channels[i]);
		o->stamp = DatumGetTimestampTz(stamps[i]);
		o->event = n8[i] ? NULL : DatumGetJsonbP(events[i]);
		o->decision = n9[i] ? NULL : DatumGetJsonbP(decisions[i]);
	}
	{
		Datum		arrays[10];

		for (int i = 0; i < 10; i++)
			arrays[i] = PG_GETARG_DATUM(i);
		write_offers(offers, n, arrays, follow, nfollow);
	}
	for (int i = 0; i < n; i++)
	{
		Datum		id = Int64GetDatum(offers[i].id);
		bool		null = false;

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &id, &null);
	}
	return (Datum) 0;
}
