/*-------------------------------------------------------------------------
 *
 * shmem.c
 *	  Shared state of the routing workers and the wake-up at commit.
 *
 * One slot per database holds its worker's pid and PGPROC number, its
 * counters and its last error.  Backends that make work assignable call
 * omni._wake_router(), which only sets a flag; a transaction callback sets
 * the worker's latch at XACT_EVENT_COMMIT, after the commit is visible to
 * other snapshots (core's ApplyLauncherWakeupAtCommit pattern), so the
 * worker never wakes before the new row can be seen.  Wake-ups sent while
 * no worker runs are lost on purpose: the worker routes when it starts and
 * at least every omnichannel.tick_interval, the tables are the truth.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "omnichannel.h"
#include "omni_shmem.h"

OmniShared *omni_shared = NULL;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static bool wake_router_pending = false;
static bool wake_launcher_pending = false;
static bool xact_callback_registered = false;

static void
omni_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(sizeof(OmniShared)));
	RequestNamedLWLockTranche("omnichannel", 1);
}

static void
omni_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	omni_shared = ShmemInitStruct("omnichannel", sizeof(OmniShared), &found);
	if (!found)
	{
		memset(omni_shared, 0, sizeof(OmniShared));
		omni_shared->lock = &(GetNamedLWLockTranche("omnichannel"))->lock;
		omni_shared->launcher_procno = -1;
		for (int i = 0; i < OMNI_MAX_DATABASES; i++)
			omni_shared->slots[i].procno = -1;
	}
	LWLockRelease(AddinShmemInitLock);
}

/* omni_shmem_init_hooks is called from _PG_init when preloading. */
void
omni_shmem_init_hooks(void)
{
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = omni_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = omni_shmem_startup;
}

/*
 * omni_slot_for returns the slot of a database (caller holds the lock), or
 * NULL; with create it allocates a free slot.
 */
OmniDbSlot *
omni_slot_for(Oid dboid, bool create)
{
	OmniDbSlot *free_slot = NULL;

	for (int i = 0; i < OMNI_MAX_DATABASES; i++)
	{
		OmniDbSlot *s = &omni_shared->slots[i];

		if (s->state != SLOT_FREE && s->dboid == dboid)
			return s;
		if (s->state == SLOT_FREE && free_slot == NULL)
			free_slot = s;
	}
	if (create && free_slot)
	{
		memset(free_slot, 0, sizeof(OmniDbSlot));
		free_slot->dboid = dboid;
		free_slot->procno = -1;
		free_slot->state = SLOT_STOPPED;
		return free_slot;
	}
	return NULL;
}

/* Sets the latch of the worker of this database (not our own). */
static void
wake_router_now(void)
{
	OmniDbSlot *s;
	int			procno = -1;

	if (omni_shared == NULL)
		return;
	LWLockAcquire(omni_shared->lock, LW_SHARED);
	s = omni_slot_for(MyDatabaseId, false);
	if (s && s->procno >= 0 && s->pid != MyProcPid)
		procno = s->procno;
	LWLockRelease(omni_shared->lock);
	if (procno >= 0)
		SetLatch(&ProcGlobal->allProcs[procno].procLatch);
}

static void
wake_launcher_now(void)
{
	int			procno;
	OmniDbSlot *s;

	if (omni_shared == NULL)
		return;
	LWLockAcquire(omni_shared->lock, LW_EXCLUSIVE);
	/* The extension may exist now: forget the back-off of this database. */
	s = omni_slot_for(MyDatabaseId, false);
	if (s && s->state == SLOT_NO_EXTENSION)
		s->retry_after = 0;
	procno = omni_shared->launcher_procno;
	LWLockRelease(omni_shared->lock);
	if (procno >= 0)
		SetLatch(&ProcGlobal->allProcs[procno].procLatch);
}

static void
omni_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
			if (wake_router_pending)
				wake_router_now();
			if (wake_launcher_pending)
				wake_launcher_now();
			wake_router_pending = wake_launcher_pending = false;
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			wake_router_pending = wake_launcher_pending = false;
			break;
		default:
			break;
	}
}

void
omni_register_xact_callback(void)
{
	if (!xact_callback_registered)
	{
		RegisterXactCallback(omni_xact_callback, NULL);
		xact_callback_registered = true;
	}
}

PG_FUNCTION_INFO_V1(omni_wake_router);

/* omni._wake_router(): wake this database's worker when we commit. */
Datum
omni_wake_router(PG_FUNCTION_ARGS)
{
	if (omni_shared != NULL)
	{
		omni_register_xact_callback();
		wake_router_pending = true;
	}
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(omni_wake_launcher);

/* omni._wake_launcher(): look for new databases with the extension at commit. */
Datum
omni_wake_launcher(PG_FUNCTION_ARGS)
{
	if (omni_shared != NULL)
	{
		omni_register_xact_callback();
		wake_launcher_pending = true;
	}
	PG_RETURN_VOID();
}

static const char *
state_name(int state)
{
	switch (state)
	{
		case SLOT_STARTING:
			return "starting";
		case SLOT_RUNNING:
			return "running";
		case SLOT_IDLE:
			return "idle";
		case SLOT_NO_EXTENSION:
			return "no_extension";
		case SLOT_STOPPED:
			return "stopped";
		default:
			return "free";
	}
}

PG_FUNCTION_INFO_V1(omni_worker_status);

/* omni._worker_status(): one row per database slot in use. */
Datum
omni_worker_status(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	OmniDbSlot	copy[OMNI_MAX_DATABASES];
	int			launcher_pid;

	InitMaterializedSRF(fcinfo, 0);
	if (omni_shared == NULL)
		PG_RETURN_VOID();
	LWLockAcquire(omni_shared->lock, LW_SHARED);
	memcpy(copy, omni_shared->slots, sizeof(copy));
	launcher_pid = omni_shared->launcher_pid;
	LWLockRelease(omni_shared->lock);

	for (int i = 0; i < OMNI_MAX_DATABASES; i++)
	{
		OmniDbSlot *s = &copy[i];
		Datum		values[18];
		bool		nulls[18];

		if (s->state == SLOT_FREE)
			continue;
		memset(nulls, 0, sizeof(nulls));
		values[0] = ObjectIdGetDatum(s->dboid);
		values[1] = Int32GetDatum(s->pid);
		values[2] = CStringGetTextDatum(state_name(s->state));
		values[3] = TimestampTzGetDatum(s->started_at);
		nulls[3] = (s->started_at == 0);
		values[4] = TimestampTzGetDatum(s->last_cycle_at);
		nulls[4] = (s->last_cycle_at == 0);
		values[5] = Float8GetDatum(s->last_cycle_ms);
		nulls[5] = (s->last_cycle_at == 0);
		values[6] = Int32GetDatum(s->last_cycle_offers);
		nulls[6] = (s->last_cycle_at == 0);
		values[7] = Int64GetDatum((int64) s->cycles);
		values[8] = Int64GetDatum((int64) s->offers);
		values[9] = Int64GetDatum((int64) s->wakeups);
		values[10] = Int64GetDatum((int64) s->ticks);
		values[11] = Int64GetDatum((int64) s->tick_items);
		values[12] = Int64GetDatum((int64) s->kpi_refreshes);
		values[13] = Int64GetDatum((int64) s->errors);
		s->last_error[sizeof(s->last_error) - 1] = '\0';
		values[14] = CStringGetTextDatum(s->last_error);
		nulls[14] = (s->last_error[0] == '\0');
		values[15] = TimestampTzGetDatum(s->last_error_at);
		nulls[15] = (s->last_error_at == 0);
		values[16] = TimestampTzGetDatum(s->next_tick_at);
		nulls[16] = (s->next_tick_at == 0);
		values[17] = Int32GetDatum(launcher_pid);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	PG_RETURN_VOID();
}
