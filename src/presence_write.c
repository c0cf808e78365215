/*-------------------------------------------------------------------------
 *
 * presence_write.c
 *	  omni._write_presence: the one path that writes presence changes, for
 *	  one agent or many.  Per agent: agent_state gets the new presence and
 *	  its time, the open presence_history row is closed, a new one opened,
 *	  and a 'presence' event (from, to, set_by) appended.
 *
 * Presence follows load, so about every other conversation changes an
 * agent's presence twice.  As a PL/pgSQL function of three statements
 * that cost about 640,000 instructions per change, most of it starting
 * executors for four table writes (docs/routing-benchmarks.md).  Here the
 * rows are written in one step of row_write.c and the events appended by
 * the event log, with the same constraints, index checks and row triggers.
 * When a DBA has given agent_state or presence_history something only a
 * statement applies (a statement trigger, a policy that binds the caller,
 * a column the insert does not know, ...), the same statements as before
 * run instead.
 *
 * The caller has locked the agents (in id order) and passes each agent
 * once, with its current presence and a different new one.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/sequence.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/typcache.h"
#include "utils/rel.h"

#include "omnichannel.h"
#include "row_write.h"

PG_FUNCTION_INFO_V1(omni_write_presence_sql);

/* the columns of omni.presence_history, all of which the writer fills */
typedef enum HistoryColumn
{
	H_ID, H_AGENT, H_PRESENCE, H_BASE, H_STARTED, H_ENDED, H_SET_BY, H_ACTOR,
	HISTORY_COLUMNS
} HistoryColumn;

static const char *const history_columns[HISTORY_COLUMNS] = {
	"id", "agent_id", "presence", "base_status", "started_at", "ended_at", "set_by", "actor"
};

/* domain_check's cache for presence_history.set_by (omni.presence_set_by) */
static void *set_by_check = NULL;

/* the statements, prepared once per backend (when they are needed) */
static SPIPlanPtr close_plan = NULL;
static SPIPlanPtr open_plan = NULL;

/* The base status of presence name (an omni.base_status value). */
static Datum
base_status_of(OmniProbe *presence, const char *name)
{
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	Datum		base = (Datum) 0;
	bool		isnull = true;

	scan = omni_probe_begin(presence, omni_probe_att(presence, "name"), CStringGetTextDatum(name), &key);
	tuple = systable_getnext(scan);
	if (HeapTupleIsValid(tuple))
		base = omni_probe_get(presence, tuple, omni_probe_att(presence, "base_status"), &isnull);
	systable_endscan(scan);
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("presence \"%s\" does not exist", name),
				 errhint("The presences are the rows of omni.presence.")));
	return base;
}

/*
 * The rows, written directly (row_write.c).  Returns false, with nothing
 * written, when the tables need statements.
 */
static bool
write_directly(int n, const int64 *agents, char *const *presences, const Datum *bases,
			   TimestampTz t, Datum set_by, Datum actor)
{
	static const char *const tables[] = {"agent_state", "presence_history"};
	static const char *const indexes[] = {NULL, "presence_history_open_idx"};
	static const AclMode modes[] = {ACL_UPDATE, ACL_UPDATE | ACL_INSERT};
	OmniWriteStep s;
	OmniProbe  *state = &s.probe[0];
	OmniProbe  *history = &s.probe[1];
	AttrNumber	state_agent,
				state_cols[2],
				hist_att[HISTORY_COLUMNS];
	Oid			set_by_type;
	Oid			sequence;
	bool		nulls[HISTORY_COLUMNS] = {false};

	if (!omni_write_begin(&s, 2, tables, indexes, modes))
		return false;
	if (!omni_write_columns(&s, 1, history_columns, HISTORY_COLUMNS, hist_att) ||
		!OidIsValid(sequence = omni_write_identity_sequence(history->rel, hist_att[H_ID])))
	{
		omni_write_end(&s);
		return false;
	}
	state_agent = omni_probe_att(state, "agent_id");
	state_cols[0] = omni_probe_att(state, "presence");
	state_cols[1] = omni_probe_att(state, "presence_since");
	/* what the INSERT's assignment to the domain column (omni.presence_set_by) checks */
	set_by_type = TupleDescAttr(RelationGetDescr(history->rel), hist_att[H_SET_BY] - 1)->atttypid;
	if (get_typtype(set_by_type) == TYPTYPE_DOMAIN)
		domain_check(set_by, false, set_by_type, &set_by_check, TopMemoryContext);

	for (int i = 0; i < n; i++)
	{
		Datum		key = Int64GetDatum(agents[i]);
		Datum		state_values[2] = {CStringGetTextDatum(presences[i]), TimestampTzGetDatum(t)};
		TupleTableSlot *open;

		if (omni_write_find(&s, 0, 1, &state_agent, &key, false) == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("agent " INT64_FORMAT " does not exist", agents[i])));
		omni_write_update(&s, 0, 2, state_cols, state_values, NULL);

		/* close the open history row (locked, it may have been closed meanwhile) */
		open = omni_write_find(&s, 1, 1, &hist_att[H_AGENT], &key, false);
		if (open != NULL && slot_attisnull(open, hist_att[H_ENDED]))
		{
			bool		isnull;
			TimestampTz started = DatumGetTimestampTz(slot_getattr(open, hist_att[H_STARTED], &isnull));
			Datum		ended = TimestampTzGetDatum(Max(t, started));

			omni_write_update(&s, 1, 1, &hist_att[H_ENDED], &ended, NULL);
		}

		/* and open the new one */
		{
			Datum		values[HISTORY_COLUMNS] = {
				[H_ID] = Int64GetDatum(nextval_internal(sequence, false)),
				[H_AGENT] = key,
				[H_PRESENCE] = CStringGetTextDatum(presences[i]),
				[H_BASE] = bases[i],
				[H_STARTED] = TimestampTzGetDatum(t),
				[H_SET_BY] = set_by,
				[H_ACTOR] = actor
			};

			nulls[H_ENDED] = true;
			omni_write_insert(&s, 1, HISTORY_COLUMNS, hist_att, values, nulls);
		}
	}
	omni_write_end(&s);
	return true;
}

/* The same rows through the statements (what 0.5.0's PL/pgSQL ran). */
static void
write_by_statements(int n, const int64 *agents, char *const *presences,
					TimestampTz t, Datum set_by, Datum actor)
{
	int			rc;

	if ((rc = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(rc));
	{
		static const Oid types[3] = {INT8OID, TEXTOID, TIMESTAMPTZOID};

		omni_write_statement(&close_plan, "WITH s AS (UPDATE omni.agent_state SET presence = $2, presence_since = $3"
									   "            WHERE agent_id = $1)"
									   " UPDATE omni.presence_history SET ended_at = greatest($3, started_at)"
									   "  WHERE agent_id = $1 AND ended_at IS NULL",
							 3, types);
	}
	{
		static const Oid types[5] = {INT8OID, TEXTOID, TIMESTAMPTZOID, TEXTOID, NAMEOID};

		omni_write_statement(&open_plan, "INSERT INTO omni.presence_history (agent_id, presence, base_status, started_at, set_by, actor)"
									   " SELECT $1, pr.name, pr.base_status, $3, $4, $5 FROM omni.presence pr"
									   "  WHERE pr.name = $2",
							 5, types);
	}
	/* every open row closed before the new ones (one open row per agent) */
	for (int i = 0; i < n; i++)
	{
		Datum		args[3] = {Int64GetDatum(agents[i]), CStringGetTextDatum(presences[i]), TimestampTzGetDatum(t)};

		if ((rc = SPI_execute_plan(close_plan, args, NULL, false, 0)) < 0)
			elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
	}
	for (int i = 0; i < n; i++)
	{
		Datum		args[5] = {Int64GetDatum(agents[i]), CStringGetTextDatum(presences[i]),
		TimestampTzGetDatum(t), set_by, actor};

		if ((rc = SPI_execute_plan(open_plan, args, NULL, false, 0)) < 0)
			elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
	}
	SPI_finish();
}

/*
 * omni_write_presence: agents[i] goes from old[i] to presences[i]; set_by
 * says what caused it (an omni.presence_set_by value).
 */
void
omni_write_presence(int n, const int64 *agents, char *const *old, char *const *presences,
					const char *set_by)
{
	TimestampTz t = omni_now();
	Datum		set_by_value = CStringGetTextDatum(set_by);
	Name		actor = (Name) palloc0(NAMEDATALEN);
	Datum	   *bases;
	OmniProbe	presence;

	if (n <= 0)
		return;
	namestrcpy(actor, GetUserNameFromId(GetOuterUserId(), false));

	/* each new presence exists (agent_state's foreign key would say so too) */
	bases = palloc(n * sizeof(Datum));
	omni_probe_open(&presence, "presence", NULL);
	for (int i = 0; i < n; i++)
		bases[i] = base_status_of(&presence, presences[i]);
	omni_probe_close(&presence);

	if (!write_directly(n, agents, presences, bases, t, set_by_value, NameGetDatum(actor)))
		write_by_statements(n, agents, presences, t, set_by_value, NameGetDatum(actor));

	for (int i = 0; i < n; i++)
	{
		JsonbParseState *st = NULL;
		JsonbValue *detail;

		pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
		omni_jb_string(&st, WJB_KEY, "from");
		omni_jb_string(&st, WJB_VALUE, old[i]);
		omni_jb_string(&st, WJB_KEY, "to");
		omni_jb_string(&st, WJB_VALUE, presences[i]);
		omni_jb_string(&st, WJB_KEY, "set_by");
		omni_jb_string(&st, WJB_VALUE, set_by);
		detail = pushJsonbValue(&st, WJB_END_OBJECT, NULL);
		omni_log_agent_event("presence", agents[i], JsonbValueToJsonb(detail));
	}
}

/* An array argument as C strings, with its length; NULL elements refused. */
static char **
text_elements(ArrayType *arr, int *n)
{
	Datum	   *elems;
	bool	   *nulls;
	char	  **out;

	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, n);
	out = palloc(Max(*n, 1) * sizeof(char *));
	for (int i = 0; i < *n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("omni._write_presence: a presence is NULL")));
		out[i] = TextDatumGetCString(elems[i]);
	}
	return out;
}

/*
 * omni._write_presence(agents bigint[], old text[], presences text[],
 * by_what text), for the SQL callers (omni._set_presence).
 */
Datum
omni_write_presence_sql(PG_FUNCTION_ARGS)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n,
				nold,
				nnew;
	int64	   *agents;
	char	  **old;
	char	  **presences;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("omni._write_presence: every argument is needed")));
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(0), INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, &n);
	agents = palloc(Max(n, 1) * sizeof(int64));
	for (int i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("omni._write_presence: an agent is NULL")));
		agents[i] = DatumGetInt64(elems[i]);
	}
	old = text_elements(PG_GETARG_ARRAYTYPE_P(1), &nold);
	presences = text_elements(PG_GETARG_ARRAYTYPE_P(2), &nnew);
	if (nold != n || nnew != n)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("omni._write_presence: %d agents, %d old and %d new presences", n, nold, nnew)));
	/* the C callers pass agents they locked; from SQL, refuse an unknown one on either path */
	{
		OmniProbe	state;
		ScanKeyData key;

		omni_probe_open(&state, "agent_state", NULL);
		for (int i = 0; i < n; i++)
		{
			SysScanDesc scan = omni_probe_begin(&state, omni_probe_att(&state, "agent_id"),
												Int64GetDatum(agents[i]), &key);
			bool		found = HeapTupleIsValid(systable_getnext(scan));

			systable_endscan(scan);
			if (!found)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("agent " INT64_FORMAT " does not exist", agents[i])));
		}
		omni_probe_close(&state);
	}
	omni_write_presence(n, agents, old, presences, text_to_cstring(PG_GETARG_TEXT_PP(3)));
	PG_RETURN_VOID();
}
