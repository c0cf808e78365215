/*-------------------------------------------------------------------------
 *
 * event_log.c
 *	  The one way to append one event: omni._log (an event of a
 *	  conversation) and omni._log_agent (an event of an agent).
 *
 * Every accept, end and close appends an event, and each was an INSERT
 * statement inside a PL/pgSQL function: a plan to revalidate and an
 * executor to start for one row.  Here the row goes in as the logical
 * replication apply does (ExecSimpleRelationInsert): constraints checked,
 * index entries made, row triggers fired, under the calling statement's
 * command id.  That holds only for omni.event as the extension ships it
 * and a caller allowed to insert into it: when the table has triggers, an
 * extra column (its default must be computed), row-level security that
 * applies to the caller, or is not a plain table, or the caller lacks the
 * table's INSERT privilege, the same row goes through a prepared INSERT
 * instead, so every rule and check of an INSERT applies.  The set-based
 * writers (omni._write_offers,
 * omni._write_presence) append the same rows in their own statements.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/sequence.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/rls.h"

#include "omnichannel.h"

/* The columns of omni.event, in the order of event_columns[]. */
typedef enum EventColumn
{
	EV_ID,
	EV_AT,
	EV_KIND,
	EV_CONVERSATION,
	EV_AGENT,
	EV_OFFER,
	EV_QUEUE,
	EV_CHANNEL,
	EV_FROM_STATE,
	EV_TO_STATE,
	EV_ACTOR,
	EV_DETAIL,
	EV_NCOLUMNS
} EventColumn;

static const char *const event_columns[EV_NCOLUMNS] = {
	"id", "at", "kind", "conversation_id", "agent_id", "offer_id", "queue",
	"channel", "from_state", "to_state", "actor", "detail"
};

/*
 * What this backend knows of omni.event: its attribute numbers and identity
 * sequence, and whether its shape allows the direct insert.  Forgotten at
 * any relcache invalidation of the table (ALTER TABLE, CREATE TRIGGER,
 * DROP EXTENSION ...).
 */
typedef struct EventTable
{
	Oid			relid;			/* InvalidOid: not looked up yet */
	bool		direct;			/* the shipped shape: insert directly */
	AttrNumber	att[EV_NCOLUMNS];
	Oid			id_sequence;
} EventTable;

static EventTable event_table;
static bool event_callback = false;
static SPIPlanPtr event_insert_plan = NULL;

static void
event_table_invalidate(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == event_table.relid)
		event_table.relid = InvalidOid;
}

/* Look omni.event up (when needed) and open it for an insert. */
static Relation
event_table_open(void)
{
	Relation	rel;
	TupleDesc	desc;
	Oid			relid;
	int			extra = 0;

	if (!event_callback)
	{
		omni_on_relcache_change(event_table_invalidate, (Datum) 0);
		event_callback = true;
	}
	if (OidIsValid(event_table.relid))
	{
		rel = try_table_open(event_table.relid, RowExclusiveLock);
		/* still the same table (the lock processed any invalidation) */
		if (rel != NULL && OidIsValid(event_table.relid))
			return rel;
		if (rel != NULL)
			table_close(rel, RowExclusiveLock);
	}

	/* the statement's parameter types may have changed with the table */
	if (event_insert_plan != NULL)
	{
		SPI_freeplan(event_insert_plan);
		event_insert_plan = NULL;
	}
	/* known again only once complete: an error below leaves it unknown */
	event_table.relid = InvalidOid;
	relid = get_relname_relid("event", get_namespace_oid("omni", false));
	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table omni.event does not exist"),
				 errhint("The omnichannel extension is not installed in this database.")));
	rel = table_open(relid, RowExclusiveLock);
	desc = RelationGetDescr(rel);
	for (int c = 0; c < EV_NCOLUMNS; c++)
		event_table.att[c] = InvalidAttrNumber;
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, i);
		int			c = 0;

		if (a->attisdropped)
			continue;
		while (c < EV_NCOLUMNS && strcmp(NameStr(a->attname), event_columns[c]) != 0)
			c++;
		if (c < EV_NCOLUMNS)
			event_table.att[c] = a->attnum;
		else
			extra++;
	}
	for (int c = 0; c < EV_NCOLUMNS; c++)
		if (event_table.att[c] == InvalidAttrNumber)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of omni.event is missing", event_columns[c]),
					 errhint("Reinstall the extension: DROP EXTENSION omnichannel; CREATE EXTENSION omnichannel.")));
	event_table.id_sequence = getIdentitySequence(relid, event_table.att[EV_ID], true);
	event_table.direct = (extra == 0 && rel->trigdesc == NULL &&
						  rel->rd_rel->relkind == RELKIND_RELATION &&
						  OidIsValid(event_table.id_sequence));
	event_table.relid = relid;
	return rel;
}

/*
 * The rows through ExecSimpleRelationInsert (the table has its shipped
 * shape), with one executor state and one opening of the indexes for all.
 */
static void
insert_direct(Relation rel, int n, Datum (*values)[EV_NCOLUMNS], bool (*nulls)[EV_NCOLUMNS])
{
	EState	   *estate = CreateExecutorState();
	RangeTblEntry *rte = makeNode(RangeTblEntry);
	ResultRelInfo *rri = makeNode(ResultRelInfo);
	TupleTableSlot *slot;
	TupleDesc	desc = RelationGetDescr(rel);

	rte->rtekind = RTE_RELATION;
	rte->relid = RelationGetRelid(rel);
	rte->relkind = rel->rd_rel->relkind;
	rte->rellockmode = RowExclusiveLock;
	ExecInitRangeTable(estate, list_make1(rte));
	InitResultRelInfo(rri, rel, 1, NULL, 0);
	estate->es_opened_result_relations = lappend(estate->es_opened_result_relations, rri);
	estate->es_output_cid = GetCurrentCommandId(true);

	slot = ExecInitExtraTupleSlot(estate, desc, &TTSOpsVirtual);
	ExecOpenIndices(rri, false);
	for (int r = 0; r < n; r++)
	{
		ExecClearTuple(slot);
		for (int i = 0; i < desc->natts; i++)
			slot->tts_isnull[i] = true;
		for (int c = 0; c < EV_NCOLUMNS; c++)
		{
			slot->tts_values[event_table.att[c] - 1] = values[r][c];
			slot->tts_isnull[event_table.att[c] - 1] = nulls[r][c];
		}
		ExecStoreVirtualTuple(slot);
		ExecSimpleRelationInsert(rri, estate, slot);
	}
	ExecCloseIndices(rri);

	/* the relation is the caller's to close, as in the apply worker */
	ExecResetTupleTable(estate->es_tupleTable, false);
	FreeExecutorState(estate);
}

/* The row through a prepared INSERT: every rule of an INSERT applies. */
static void
insert_by_statement(Relation rel, Datum *values, bool *nulls)
{
	TupleDesc	desc = RelationGetDescr(rel);
	char		spi_nulls[EV_NCOLUMNS - 1];
	int			rc;

	if ((rc = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(rc));
	if (event_insert_plan == NULL)
	{
		Oid			types[EV_NCOLUMNS - 1];
		SPIPlanPtr	plan;

		for (int c = EV_AT; c < EV_NCOLUMNS; c++)
			types[c - 1] = TupleDescAttr(desc, event_table.att[c] - 1)->atttypid;
		plan = SPI_prepare("INSERT INTO omni.event (at, kind, conversation_id, agent_id, offer_id, queue,"
						   " channel, from_state, to_state, actor, detail)"
						   " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
						   EV_NCOLUMNS - 1, types);
		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		event_insert_plan = plan;
	}
	for (int c = EV_AT; c < EV_NCOLUMNS; c++)
		spi_nulls[c - 1] = nulls[c] ? 'n' : ' ';
	rc = SPI_execute_plan(event_insert_plan, values + EV_AT, spi_nulls, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
	SPI_finish();
}

/*
 * Append n events; values[r] and nulls[r] are indexed by EventColumn,
 * EV_ID left to the table's identity, EV_AT and EV_ACTOR filled here.
 */
static void
append_events(int n, Datum (*values)[EV_NCOLUMNS], bool (*nulls)[EV_NCOLUMNS])
{
	Relation	rel = event_table_open();
	Datum		at = TimestampTzGetDatum(omni_now());
	Datum		actor = DirectFunctionCall1(namein, CStringGetDatum(GetUserNameFromId(GetOuterUserId(), false)));
	Datum		empty = (Datum) 0;
	bool		direct;

	for (int r = 0; r < n; r++)
	{
		values[r][EV_AT] = at;
		nulls[r][EV_AT] = false;
		values[r][EV_ACTOR] = actor;
		nulls[r][EV_ACTOR] = false;
		if (nulls[r][EV_DETAIL])
		{
			if (empty == (Datum) 0)
				empty = DirectFunctionCall1(jsonb_in, CStringGetDatum("{}"));
			values[r][EV_DETAIL] = empty;
			nulls[r][EV_DETAIL] = false;
		}
	}

	/*
	 * The direct insert for a caller with INSERT on the table and no
	 * row-level security to obey (the extension's functions run as its
	 * owner); any other caller gets the statement's own checks (column
	 * privileges, policies) and errors.
	 */
	direct = event_table.direct &&
		pg_class_aclcheck(RelationGetRelid(rel), GetUserId(), ACL_INSERT) == ACLCHECK_OK &&
		check_enable_rls(RelationGetRelid(rel), InvalidOid, false) != RLS_ENABLED;
	if (direct)
	{
		for (int r = 0; r < n; r++)
		{
			values[r][EV_ID] = Int64GetDatum(nextval_internal(event_table.id_sequence, false));
			nulls[r][EV_ID] = false;
		}
		insert_direct(rel, n, values, nulls);
	}
	else
		for (int r = 0; r < n; r++)
			insert_by_statement(rel, values[r], nulls[r]);
	table_close(rel, NoLock);
}

static void
append_event(Datum *values, bool *nulls)
{
	append_events(1, (Datum (*)[EV_NCOLUMNS]) values, (bool (*)[EV_NCOLUMNS]) nulls);
}

/*
 * Events of conversations from C (the offer writer), appended together:
 * their fields given one by one (agent, offer: 0 for none; queue, channel,
 * states: NULL for none; states as labels of omni.conversation_state;
 * detail NULL for {}).
 */
void
omni_log_conversation_events(int n, const OmniConversationEvent *events)
{
	Datum		(*values)[EV_NCOLUMNS];
	bool		(*nulls)[EV_NCOLUMNS];
	Relation	rel;
	Oid			state_type;

	if (n <= 0)
		return;
	rel = event_table_open();
	state_type = TupleDescAttr(RelationGetDescr(rel), event_table.att[EV_FROM_STATE] - 1)->atttypid;
	table_close(rel, NoLock);
	values = palloc(n * sizeof(*values));
	nulls = palloc(n * sizeof(*nulls));
	for (int r = 0; r < n; r++)
	{
		const OmniConversationEvent *e = &events[r];

		for (int c = 0; c < EV_NCOLUMNS; c++)
			nulls[r][c] = true;
#define EV_SET(c, v) do { values[r][c] = (v); nulls[r][c] = false; } while (0)
		EV_SET(EV_KIND, CStringGetTextDatum(e->kind));
		EV_SET(EV_CONVERSATION, Int64GetDatum(e->conversation));
		if (e->agent != 0)
			EV_SET(EV_AGENT, Int64GetDatum(e->agent));
		if (e->offer != 0)
			EV_SET(EV_OFFER, Int64GetDatum(e->offer));
		if (e->queue != NULL)
			EV_SET(EV_QUEUE, CStringGetTextDatum(e->queue));
		if (e->channel != NULL)
			EV_SET(EV_CHANNEL, CStringGetTextDatum(e->channel));
		if (e->from_state != NULL)
			EV_SET(EV_FROM_STATE, DirectFunctionCall2(enum_in, CStringGetDatum(e->from_state),
													  ObjectIdGetDatum(state_type)));
		if (e->to_state != NULL)
			EV_SET(EV_TO_STATE, DirectFunctionCall2(enum_in, CStringGetDatum(e->to_state),
													ObjectIdGetDatum(state_type)));
		if (e->detail != NULL)
			EV_SET(EV_DETAIL, JsonbPGetDatum(e->detail));
#undef EV_SET
	}
	append_events(n, values, nulls);
}

/* An event of agent alone, from C (the presence writer). */
void
omni_log_agent_event(const char *kind, int64 agent, Jsonb *detail)
{
	Datum		values[EV_NCOLUMNS];
	bool		nulls[EV_NCOLUMNS];

	for (int c = 0; c < EV_NCOLUMNS; c++)
		nulls[c] = true;
	values[EV_KIND] = CStringGetTextDatum(kind);
	nulls[EV_KIND] = false;
	values[EV_AGENT] = Int64GetDatum(agent);
	nulls[EV_AGENT] = false;
	values[EV_DETAIL] = JsonbPGetDatum(detail);
	nulls[EV_DETAIL] = false;
	append_event(values, nulls);
}

static inline void
set_arg(FunctionCallInfo fcinfo, int arg, Datum *values, bool *nulls, EventColumn c)
{
	nulls[c] = PG_ARGISNULL(arg);
	values[c] = nulls[c] ? (Datum) 0 : PG_GETARG_DATUM(arg);
}

PG_FUNCTION_INFO_V1(omni_log);
PG_FUNCTION_INFO_V1(omni_log_agent);

/*
 * omni._log(kind, c omni.conversation, agent, offer, from_state, detail):
 * an event of conversation c as it is now (its queue, channel and state;
 * its agent unless agent is given).
 */
Datum
omni_log(PG_FUNCTION_ARGS)
{
	Datum		values[EV_NCOLUMNS];
	bool		nulls[EV_NCOLUMNS];

	for (int c = 0; c < EV_NCOLUMNS; c++)
		nulls[c] = true;
	set_arg(fcinfo, 0, values, nulls, EV_KIND);
	set_arg(fcinfo, 2, values, nulls, EV_AGENT);
	set_arg(fcinfo, 3, values, nulls, EV_OFFER);
	set_arg(fcinfo, 4, values, nulls, EV_FROM_STATE);
	set_arg(fcinfo, 5, values, nulls, EV_DETAIL);
	if (!PG_ARGISNULL(1))
	{
		HeapTupleHeader c = PG_GETARG_HEAPTUPLEHEADER(1);

		values[EV_CONVERSATION] = GetAttributeByName(c, "id", &nulls[EV_CONVERSATION]);
		values[EV_QUEUE] = GetAttributeByName(c, "queue", &nulls[EV_QUEUE]);
		values[EV_CHANNEL] = GetAttributeByName(c, "channel", &nulls[EV_CHANNEL]);
		values[EV_TO_STATE] = GetAttributeByName(c, "state", &nulls[EV_TO_STATE]);
		/* the agent given wins over the conversation's */
		if (nulls[EV_AGENT])
			values[EV_AGENT] = GetAttributeByName(c, "agent_id", &nulls[EV_AGENT]);
	}
	append_event(values, nulls);
	PG_RETURN_VOID();
}

/* omni._log_agent(kind, agent, detail): an event of an agent alone. */
Datum
omni_log_agent(PG_FUNCTION_ARGS)
{
	Datum		values[EV_NCOLUMNS];
	bool		nulls[EV_NCOLUMNS];

	for (int c = 0; c < EV_NCOLUMNS; c++)
		nulls[c] = true;
	set_arg(fcinfo, 0, values, nulls, EV_KIND);
	set_arg(fcinfo, 1, values, nulls, EV_AGENT);
	set_arg(fcinfo, 2, values, nulls, EV_DETAIL);
	append_event(values, nulls);
	PG_RETURN_VOID();
}
