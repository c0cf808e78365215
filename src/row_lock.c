/*-------------------------------------------------------------------------
 *
 * row_lock.c
 *	  omni._lock_conversation(id), omni._lock_agent(agent_id) and
 *	  omni._lock_offer(id): the row, locked FOR UPDATE, as every operation on
 *	  a conversation, an agent's state or an offer starts (row_read.c reads
 *	  rows without locking them).
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

#include "access/tableam.h"
#include "access/xact.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "storage/lmgr.h"
#include "utils/snapmgr.h"

#include "omnichannel.h"
#include "row_write.h"

PG_FUNCTION_INFO_V1(omni_lock_conversation);
PG_FUNCTION_INFO_V1(omni_lock_agent);
PG_FUNCTION_INFO_V1(omni_lock_offer);

static void
row_missing(const char *what, const char *key)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s %s does not exist", what, key)));
}

/*
 * omni_lock_tuple locks the row of rel at tid, found under snapshot, in
 * mode, as ExecLockRows does (row_write.c locks the rows it
 * updates the same way): under READ COMMITTED a row updated concurrently
 * is followed to its latest version once its updater commits; under
 * REPEATABLE READ and SERIALIZABLE that is a serialization failure.
 * Returns false when the row is no longer there (deleted concurrently, or
 * changed by this command or a later one of this transaction); else slot
 * holds its latest version.
 */
bool
omni_lock_tuple(Relation rel, ItemPointer tid, Snapshot snapshot, TupleTableSlot *slot,
				LockTupleMode mode)
{
	TM_FailureData tmfd;
	TM_Result	result;

	result = table_tuple_lock(rel, tid, snapshot, slot, GetCurrentCommandId(true),
							  mode, LockWaitBlock,
							  TUPLE_LOCK_FLAG_LOCK_UPDATE_IN_PROGRESS |
							  (IsolationUsesXactSnapshot() ? 0 : TUPLE_LOCK_FLAG_FIND_LAST_VERSION),
							  &tmfd);
	switch (result)
	{
		case TM_Ok:
			return true;
		case TM_SelfModified:
			/* changed by this command or a later one of this transaction */
			return false;
		case TM_Updated:
		case TM_Deleted:
			if (IsolationUsesXactSnapshot())
				ereport(ERROR,
						(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
						 errmsg("could not serialize access due to concurrent update")));
			if (result == TM_Deleted)
				return false;
			/* READ COMMITTED follows updates (FIND_LAST_VERSION) */
			elog(ERROR, "unexpected table_tuple_lock status: %u", result);
			break;
		default:
			elog(ERROR, "unexpected table_tuple_lock status: %u", result);
	}
	return false;
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
	if (!omni_lock_tuple(p.rel, &tid, snapshot, slot, LockTupleExclusive))
		row_missing(what, psprintf(INT64_FORMAT, key));
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

/* omni._lock_agent(a bigint) RETURNS omni.agent_state */
Datum
omni_lock_agent(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		row_missing("agent", "<NULL>");
	PG_RETURN_DATUM(lock_row("agent_state", "agent_id", "agent", PG_GETARG_INT64(0)));
}
