/*-------------------------------------------------------------------------
 *
 * unit.c
 *	  What the router and the KPI refresher share: claiming their place in
 *	  the database's shared slot, and running one unit of work (a routing
 *	  cycle, a tick, a KPI refresh) in its own transaction, where an error
 *	  is logged and counted in omni.worker_status and the loop carries on.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "commands/extension.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "omnichannel.h"
#include "worker/worker.h"

static OmniDbSlot *attached_slot = NULL;
static OmniWorkerKind attached_kind;

OmniProcSlot *
omni_worker_proc(OmniDbSlot *slot, OmniWorkerKind kind)
{
	return kind == OMNI_WORKER_ROUTER ? &slot->router : &slot->kpi;
}

/* worker_exit frees this worker's place; the launcher starts it again soon. */
static void
worker_exit(int code, Datum arg)
{
	OmniProcSlot *p;
	TimestampTz soon;

	if (attached_slot == NULL)
		return;
	LWLockAcquire(omni_shared->lock, LW_EXCLUSIVE);
	p = omni_worker_proc(attached_slot, attached_kind);
	if (p->pid == MyProcPid)
	{
		p->pid = 0;
		p->procno = -1;
		p->state = PROC_STOPPED;
		soon = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), OMNI_RESTART_DELAY_MS);
		if (p->retry_after < soon)
			p->retry_after = soon;
	}
	LWLockRelease(omni_shared->lock);
}

/*
 * omni_worker_attach claims the database's router or KPI place; the worker
 * leaves at once when another one has it or the database is paused.
 */
OmniDbSlot *
omni_worker_attach(Oid dboid, OmniWorkerKind kind)
{
	OmniDbSlot *slot;
	OmniProcSlot *p;

	LWLockAcquire(omni_shared->lock, LW_EXCLUSIVE);
	slot = omni_slot_for(dboid, false);
	if (slot == NULL)
	{
		LWLockRelease(omni_shared->lock);
		proc_exit(0);			/* the database was forgotten meanwhile */
	}
	p = omni_worker_proc(slot, kind);
	if (p->pid != 0 || omni_worker_should_leave(slot))
	{
		if (p->pid == 0)
			p->state = PROC_STOPPED;
		LWLockRelease(omni_shared->lock);
		proc_exit(0);
	}
	p->pid = MyProcPid;
	p->procno = MyProc->pgprocno;
	p->state = PROC_STARTING;
	p->started_at = GetCurrentTimestamp();
	attached_slot = slot;
	attached_kind = kind;
	LWLockRelease(omni_shared->lock);
	before_shmem_exit(worker_exit, (Datum) 0);
	return slot;
}

/* omni_worker_set_state: this worker's state, as omni.worker_status shows it. */
void
omni_worker_set_state(int state)
{
	OmniProcSlot *p = omni_worker_proc(attached_slot, attached_kind);

	LWLockAcquire(omni_shared->lock, LW_EXCLUSIVE);
	p->state = state;
	LWLockRelease(omni_shared->lock);
}

/*
 * omni_worker_idle_if_disabled: with omnichannel.enable_workers off, show
 * this worker idle and wait a second (or until its latch is set).  Returns
 * true when it waited: the caller reschedules its work and loops.
 */
bool
omni_worker_idle_if_disabled(void)
{
	if (omni_enable_workers)
		return false;
	omni_worker_set_state(PROC_IDLE);
	pgstat_report_activity(STATE_IDLE, "omnichannel.enable_workers is off");
	(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 1000, PG_WAIT_EXTENSION);
	ResetLatch(MyLatch);
	return true;
}

/* omni_worker_should_leave: paused by omni.pause_workers() or by DDL on the database. */
bool
omni_worker_should_leave(OmniDbSlot *slot)
{
	return slot->held ||
		(slot->paused_until != 0 && GetCurrentTimestamp() < slot->paused_until);
}

void
omni_worker_begin_unit(const char *activity)
{
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, activity);
}

void
omni_worker_end_unit(void)
{
	PopActiveSnapshot();
	CommitTransactionCommand();
	/*
	 * A background worker flushes its own statistics (a backend does when
	 * idle): without this, the router's writes -- every offer, hold and
	 * rotation row -- never reached pg_stat_user_tables until it exited,
	 * and autovacuum, which decides from them, never saw the dead rows of
	 * the tables only the router writes.  At most once a second.
	 */
	pgstat_report_stat(false);
	pgstat_report_activity(STATE_IDLE, NULL);
}

/* omni_worker_record_error: log the error, abort the unit, count it. */
void
omni_worker_record_error(OmniDbSlot *slot, MemoryContext cxt)
{
	ErrorData  *edata;

	MemoryContextSwitchTo(cxt);
	edata = CopyErrorData();
	EmitErrorReport();
	FlushErrorState();
	AbortCurrentTransaction();
	LWLockAcquire(omni_shared->lock, LW_EXCLUSIVE);
	slot->errors++;
	slot->last_error_at = GetCurrentTimestamp();
	strlcpy(slot->last_error, edata->message ? edata->message : "(no message)", sizeof(slot->last_error));
	LWLockRelease(omni_shared->lock);
	FreeErrorData(edata);
	pgstat_report_stat(false);
	pgstat_report_activity(STATE_IDLE, NULL);
}

bool
omni_worker_extension_exists(void)
{
	return OidIsValid(get_extension_oid("omnichannel", true));
}
