/*-------------------------------------------------------------------------
 *
 * row_lock.c
 *	  omni._lock_conversation(id), omni._lock_agent(agent_id) and
 *	  omni._lock_offer(id): the row, locked FOR UPDATE, as every operation on
 *	  a conversation, an agent's state or an offer starts; and the rows
 *	  read unlocked by primary key on every call: omni._workstream(name),
 *	  omni._offer_row(id).
 *
 * Accept, end and close each lock their conversation first, accept and
 * reject their offer and agent too.  As PL/pgSQL functions with a SELECT ... FOR UPDATE these
 * started a plan (an index scan under a LockRows node) at every call; here
 * each is one probe of the primary key and table_tuple_lock, with the
 * semantics of SELECT ... FOR UPDATE (ExecLockRows, whose flags it passes):
 * a table lock in ROW SHARE mode held to the end of the transaction
 * (test/specs/row_lock.spec); under READ COMMITTED a row updated
 * concurrently is followed to its latest version once its updater commits
 * (the key never changes, so the condition holds for it too); under
 * REPEATABLE READ and SERIALIZABLE such a row is a serialization failure
 * (40001); a row deleted concurrently, or changed by a later command of
 * this transaction, is not there.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/snapmgr.h"

#include "omnichannel.h"

PG_FUNCTION_INFO_V1(omni_lock_conversation);
PG_FUNCTION_INFO_V1(omni_lock_agent);
PG_FUNCTION_INFO_V1(omni_lock_offer);
PG_FUNCTION_INFO_V1(omni_workstream);
PG_FUNCTION_INFO_V1(omni_offer_row);

static void
row_missing(const char *what, const char *key)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s %s does not exist", what, key)));
}

/*
 * lock_row returns the row of omni.<table> whose primary key (column
 * keycol, bigint) is key, locked FOR UPDATE; what names it in the error
 * when there is none.
 */
static Datum
lock_row(const char *table, const char *keycol, const char *what, int64 key)
{
	OmniProbe	p;
	ScanKeyData skey;
	SysScanDesc scan;
	HeapTuple	found;
	ItemPointerData tid;
	Snapshot	snapshot;
	TupleTableSlot *slot;
	TM_FailureData tmfd;
	TM_Result	result;
	Datum		row;

	omni_probe_open(&p, table, NULL);
	/* the table lock SELECT ... FOR UPDATE takes, kept to the end */
	LockRelationOid(RelationGetRelid(p.rel), RowShareLock);
	snapshot = ActiveSnapshotSet() ? GetActiveSnapshot() : GetTransactionSnapshot();
	scan = omni_probe_begin(&p, omni_probe_att(&p, keycol), Int64GetDatum(key), &skey);
	found = systable_getnext(scan);
	if (HeapTupleIsValid(found))
		tid = found->t_self;
	systable_endscan(scan);
	if (!HeapTupleIsValid(found))
		row_missing(what, psprintf(INT64_FORMAT, key));

	slot = table_slot_create(p.rel, NULL);
	result = table_tuple_lock(p.rel, &tid, snapshot, slot, GetCurrentCommandId(true),
							  LockTupleExclusive, LockWaitBlock,
							  TUPLE_LOCK_FLAG_LOCK_UPDATE_IN_PROGRESS |
							  (IsolationUsesXactSnapshot() ? 0 : TUPLE_LOCK_FLAG_FIND_LAST_VERSION),
							  &tmfd);
	switch (result)
	{
		case TM_Ok:
			break;
		case TM_SelfModified:
			/* changed by this command or a later one of this transaction */
			row_missing(what, psprintf(INT64_FORMAT, key));
			break;
		case TM_Updated:
		case TM_Deleted:
			if (IsolationUsesXactSnapshot())
				ereport(ERROR,
						(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
						 errmsg("could not serialize access due to concurrent update")));
			if (result == TM_Deleted)
				row_missing(what, psprintf(INT64_FORMAT, key));
			/* READ COMMITTED follows updates (FIND_LAST_VERSION) */
			elog(ERROR, "unexpected table_tuple_lock status: %u", result);
			break;
		default:
			elog(ERROR, "unexpected table_tuple_lock status: %u", result);
	}
	row = ExecFetchSlotHeapTupleDatum(slot);
	ExecDropSingleTupleTableSlot(slot);
	omni_probe_close(&p);
	return row;
}

/* omni._lock_conversation(conv bigint) RETURNS omni.conversation */
Datum
omni_lock_conversation(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		row_missing("conversation", "<NULL>");
	PG_RETURN_DATUM(lock_row("conversation", "id", "conversation", PG_GETARG_INT64(0)));
}

/* omni._lock_offer(offer_id bigint) RETURNS omni.offer */
Datum
omni_lock_offer(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		row_missing("offer", "<NULL>");
	PG_RETURN_DATUM(lock_row("offer", "id", "offer", PG_GETARG_INT64(0)));
}

/*
 * fetch_row returns the row of omni.<table> whose primary key (column
 * keycol) is key, as the statement sees it, or (Datum) 0 when there is none.
 */
static Datum
fetch_row(const char *table, const char *keycol, Datum key)
{
	OmniProbe	p;
	ScanKeyData skey;
	SysScanDesc scan;
	HeapTuple	found;
	Datum		row = (Datum) 0;

	omni_probe_open(&p, table, NULL);
	scan = omni_probe_begin(&p, omni_probe_att(&p, keycol), key, &skey);
	found = systable_getnext(scan);
	if (HeapTupleIsValid(found))
		row = heap_copy_tuple_as_datum(found, RelationGetDescr(p.rel));
	systable_endscan(scan);
	omni_probe_close(&p);
	return row;
}

/*
 * omni._workstream(name text) RETURNS omni.workstream: the row (the enqueue
 * and the offer paths read it on every call); an unknown or NULL name is an
 * error (22023).
 */
Datum
omni_workstream(PG_FUNCTION_ARGS)
{
	Datum		row;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("workstream \"<NULL>\" does not exist")));
	row = fetch_row("workstream", "name", PG_GETARG_DATUM(0));
	if (row == (Datum) 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("workstream \"%s\" does not exist", TextDatumGetCString(PG_GETARG_DATUM(0)))));
	PG_RETURN_DATUM(row);
}

/*
 * omni._offer_row(offer_id bigint) RETURNS omni.offer: the offer, unlocked
 * (accept and reject read it to know which conversation to lock first), or
 * NULL when there is none.
 */
Datum
omni_offer_row(PG_FUNCTION_ARGS)
{
	Datum		row;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	row = fetch_row("offer", "id", PG_GETARG_DATUM(0));
	if (row == (Datum) 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(row);
}

/* omni._lock_agent(a bigint) RETURNS omni.agent_state */
Datum
omni_lock_agent(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		row_missing("agent", "<NULL>");
	PG_RETURN_DATUM(lock_row("agent_state", "agent_id", "agent", PG_GETARG_INT64(0)));
}
