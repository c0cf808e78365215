/*-------------------------------------------------------------------------
 *
 * capacity_release.c
 *	  omni._release_capacity(conv): the capacity conversation conv holds
 *	  is released -- its hold deleted, the agent's last_released_at set
 *	  (least-active routing reads it), presence following the lighter load.
 *
 * Every conversation releases once (its end or close, a rejected or
 * expired offer, a transfer).  As PL/pgSQL that was a DELETE, an UPDATE
 * and a call of omni._follow_load, three statements; here the two rows
 * are written in one step of row_write.c, which falls back to the same
 * statements when a DBA has given capacity_hold or agent_state something
 * only a statement applies.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/acl.h"

#include "omnichannel.h"
#include "row_write.h"

PG_FUNCTION_INFO_V1(omni_release_capacity);

static SPIPlanPtr delete_plan = NULL;
static SPIPlanPtr released_plan = NULL;

/* The hold and the clock written directly; false: the tables need statements. */
static bool
release_directly(int64 conv, TimestampTz now, bool *held, int64 *agent)
{
	static const char *const tables[] = {"capacity_hold", "agent_state"};
	static const char *const indexes[] = {NULL, NULL};
	static const AclMode modes[] = {ACL_DELETE, ACL_UPDATE};
	OmniWriteStep s;
	TupleTableSlot *hold;
	AttrNumber	hold_conv,
				hold_agent,
				state_agent,
				state_released;
	Datum		key = Int64GetDatum(conv);

	if (!omni_write_begin(&s, 2, tables, indexes, modes))
		return false;
	hold_conv = omni_probe_att(&s.probe[0], "conversation_id");
	hold_agent = omni_probe_att(&s.probe[0], "agent_id");
	state_agent = omni_probe_att(&s.probe[1], "agent_id");
	state_released = omni_probe_att(&s.probe[1], "last_released_at");

	hold = omni_write_find(&s, 0, 1, &hold_conv, &key, true);
	if (hold != NULL)
	{
		bool		isnull;
		Datum		a = slot_getattr(hold, hold_agent, &isnull);
		Datum		at = TimestampTzGetDatum(now);

		*held = true;
		*agent = DatumGetInt64(a);
		omni_write_delete(&s, 0);
		/* the update locks the agent's row, as omni._lock_agent would */
		if (omni_write_find(&s, 1, 1, &state_agent, &a, false) != NULL)
			omni_write_update(&s, 1, 1, &state_released, &at, NULL);
	}
	omni_write_end(&s);
	return true;
}

/* The same rows through the statements (what 0.5.0's PL/pgSQL ran). */
static void
release_by_statements(int64 conv, TimestampTz now, bool *held, int64 *agent)
{
	int			rc;
	bool		isnull;

	if ((rc = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(rc));
	{
		static const Oid types[1] = {INT8OID};

		omni_write_statement(&delete_plan, "DELETE FROM omni.capacity_hold WHERE conversation_id = $1 RETURNING agent_id",
							 1, types);
	}
	{
		static const Oid types[2] = {INT8OID, TIMESTAMPTZOID};

		omni_write_statement(&released_plan, "UPDATE omni.agent_state SET last_released_at = $2 WHERE agent_id = $1",
							 2, types);
	}
	{
		Datum		args[1] = {Int64GetDatum(conv)};

		if ((rc = SPI_execute_plan(delete_plan, args, NULL, false, 0)) != SPI_OK_DELETE_RETURNING)
			elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
	}
	if (SPI_processed > 0)
	{
		Datum		a = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
		Datum		args[2] = {a, TimestampTzGetDatum(now)};

		*held = true;
		*agent = DatumGetInt64(a);
		if ((rc = SPI_execute_plan(released_plan, args, NULL, false, 0)) != SPI_OK_UPDATE)
			elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
	}
	SPI_finish();
}

/*
 * omni._release_capacity(conv bigint) RETURNS bigint: release whatever
 * capacity conversation conv holds; returns the agent it was on (NULL:
 * it held none).  No omni._wake_router(): the agent's changed rows wake
 * the router (agent ring), which routes then if conversations wait.
 */
Datum
omni_release_capacity(PG_FUNCTION_ARGS)
{
	int64		conv;
	int64		agent = 0;
	bool		held = false;
	TimestampTz now = omni_now();

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	conv = PG_GETARG_INT64(0);
	if (!release_directly(conv, now, &held, &agent))
		release_by_statements(conv, now, &held, &agent);
	if (!held)
		PG_RETURN_NULL();
	/* presence follows the lighter load */
	omni_follow_load_agents(&agent, 1);
	PG_RETURN_INT64(agent);
}
