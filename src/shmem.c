/*-------------------------------------------------------------------------
 *
 * shmem.c
 *	  Shared state of the workers and the wake-up at commit.
 *
 * One slot per database (omnichannel.max_databases of them) holds its
 * router's and KPI refresher's pids and PGPROC numbers, their counters and
 * the last error (layout in omni_shmem.h).  Backends that make work assignable call
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
#include "utils/resowner.h"
#include "utils/timestamp.h"

#include "omnichannel.h"
#include "omni_shmem.h"

OmniShared *omni_shared = NULL;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static bool wake_router_pending = false;
static bool config_wake_pending = false;
static bool wake_launcher_pending = false;
static bool xact_callback_registered = false;

static Size
omni_shmem_size(void)
{
	return MAXALIGN(add_size(offsetof(OmniShared, slots),
							 mul_size(sizeof(OmniDbSlot), omni_max_databases)));
}

static void
omni_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(add_size(omni_shmem_size(), omni_agent_rings_size()));
	RequestNamedLWLockTranche("omnichannel", 1);
}

static void
omni_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	omni_shared = ShmemInitStruct("omnichannel", omni_shmem_size(), &found);
	if (!found)
	{
		memset(omni_shared, 0, omni_shmem_size());
		omni_shared->lock = &(GetNamedLWLockTranche("omnichannel"))->lock;
		omni_shared->launcher_procno = -1;
		omni_shared->nslots = omni_max_databases;
	}
	omni_agent_rings_init();
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

	for (int i = 0; i < omni_shared->nslots; i++)
	{
		OmniDbSlot *s = &omni_shared->slots[i];

		if (s->in_use && s->dboid == dboid)
			return s;
		if (!s->in_use && free_slot == NULL)
			free_slot = s;
	}
	if (create && free_slot)
	{
		memset(free_slot, 0, sizeof(OmniDbSlot));
		pg_atomic_init_u32(&free_slot->route_work, 0);
		pg_atomic_init_u32(&free_slot->router_waiting, 1);
		free_slot->in_use = true;
		free_slot->dboid = dboid;
		omni_proc_slot_reset(&free_slot->router);
		omni_proc_slot_reset(&free_slot->kpi);
		omni_agent_ring_reset(free_slot - omni_shared->slots);
		return free_slot;
	}
	return NULL;
}

/* omni_proc_slot_reset: no worker, start at the launcher's next pass. */
void
omni_proc_slot_reset(OmniProcSlot *p)
{
	memset(p, 0, sizeof(OmniProcSlot));
	p->state = PROC_STOPPED;
	p->procno = -1;
}

/*
 * omni_slot_router_procno: the PGPROC number of the slot's router, -1 when
 * it has none or it is this backend (caller holds the lock).
 */
int
omni_slot_router_procno(const OmniDbSlot *s)
{
	return s != NULL && s->router.procno >= 0 && s->router.pid != MyProcPid ? s->router.procno : -1;
}

/*
 * Tells the worker of this database (not our own) that this commit brought
 * work to route, and sets its latch.  Changes of agents wake it through the
 * agent ring instead (agent_cache.c), without this flag: they matter only
 * while conversations wait.
 */
static void
wake_router_now(void)
{
	int			procno;
	OmniDbSlot *s;

	if (omni_shared == NULL)
		return;
	LWLockAcquire(omni_shared->lock, LW_SHARED);
	s = omni_slot_for(MyDatabaseId, false);
	procno = omni_slot_router_procno(s);
	if (s)
		pg_atomic_write_u32(&s->route_work, 1);
	LWLockRelease(omni_shared->lock);
	if (procno >= 0)
		SetLatch(&ProcGlobal->allProcs[procno].procLatch);
}

/* omni_wake_launcher_latch: make the launcher look at the databases now. */
void
omni_wake_launcher_latch(void)
{
	int			procno;

	if (omni_shared == NULL)
		return;
	LWLockAcquire(omni_shared->lock, LW_SHARED);
	procno = omni_shared->launcher_procno;
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
	/* The extension exists now: forget the back-off of this database. */
	s = omni_slot_for(MyDatabaseId, true);
	if (s)
	{
		s->ext = EXT_YES;
		s->router.retry_after = 0;
	}
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
		case XACT_EVENT_PREPARE:
			/* a prepared transaction commits in another session */
			wake_router_pending = wake_launcher_pending = config_wake_pending = false;
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

/* omni_wake_router_at_commit: wake this database's worker when we commit. */
void
omni_wake_router_at_commit(void)
{
	if (omni_shared != NULL)
	{
		omni_register_xact_callback();
		wake_router_pending = true;
	}
}

/*
 * The wake-up of a configuration change comes after the commit has sent its
 * invalidations (AtEOXact_Inval runs after the commit callbacks, before the
 * locks are released): the woken router's cycle must see the relcache
 * invalidation that tells it to read the configuration again, or it would
 * find nothing new and leave that read to the next offer.
 */
static void
config_wake_callback(ResourceReleasePhase phase, bool isCommit, bool isTopLevel, void *arg)
{
	if (!config_wake_pending || !isTopLevel || phase != RESOURCE_RELEASE_AFTER_LOCKS)
		return;
	config_wake_pending = false;
	if (isCommit)
		wake_router_now();
}

/*
 * omni_config_changed_at_commit: this transaction changed the routing
 * configuration; wake this database's router once the commit's
 * invalidations are sent.
 */
void
omni_config_changed_at_commit(void)
{
	static bool registered = false;

	if (omni_shared == NULL)
		return;
	if (!registered)
	{
		RegisterResourceReleaseCallback(config_wake_callback, NULL);
		registered = true;
	}
	omni_register_xact_callback();	/* clears the flag at abort and PREPARE */
	config_wake_pending = true;
}

PG_FUNCTION_INFO_V1(omni_wake_router);

/* omni._wake_router(): wake this database's worker when we commit. */
Datum
omni_wake_router(PG_FUNCTION_ARGS)
{
	omni_wake_router_at_commit();
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

