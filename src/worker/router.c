/*-------------------------------------------------------------------------
 *
 * router.c
 *	  The router of one database (docs/worker.md): routes when a commit
 *	  wakes it, runs omni.tick() at the next deadline, and nothing else —
 *	  the KPI refresh has its own worker (kpi.c), so an offer never waits
 *	  for maintenance.
 *
 * Each unit of work (a routing cycle, a tick) is its own transaction in
 * PG_TRY: an error is logged, counted in omni.worker_status and the loop
 * carries on.  Wake-ups are served before time-driven work.  SIGTERM is
 * `die`; SIGHUP reloads the settings; omnichannel.enable_workers = off
 * makes it idle; omni.pause_workers() and DDL on the database make it leave.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "omnichannel.h"
#include "worker/worker.h"

/* Routing safety net: a cycle at least this often (rows skipped while locked). */
#define ROUTE_SAFETY_NET_MS		1000
/* Retry soon when a cycle hit the batch limit or lost a race. */
#define ROUTE_AGAIN_MS			10
/* Most back-to-back cycles before the router looks at its deadlines again. */
#define ROUTE_MAX_ROUNDS		20

static OmniDbSlot *my_slot = NULL;
static MemoryContext loop_cxt = NULL;

/*
 * route_once runs one cycle in its own transaction; false when it failed.
 * *waiting: the cycle left open conversations without an offer (or failed).
 */
static bool
route_once(bool *more, TimestampTz *min_expiry, bool *waiting, bool *gone)
{
	volatile bool ok = true;

	PG_TRY();
	{
		TimestampTz start = GetCurrentTimestamp();
		int			n = 0;

		omni_worker_begin_unit("omni.route()");
		if (!omni_worker_extension_exists())
			*gone = true;
		else
			n = omni_route_cycle(more, min_expiry, waiting);
		omni_worker_end_unit();
		if (!*gone)
		{
			TimestampTz end = GetCurrentTimestamp();

			LWLockAcquire(omni_shared->lock, LW_EXCLUSIVE);
			my_slot->cycles++;
			my_slot->offers += n;
			my_slot->last_cycle_offers = n;
			my_slot->last_cycle_at = end;
			my_slot->last_cycle_ms = (double) (end - start) / 1000.0;
			LWLockRelease(omni_shared->lock);
		}
	}
	PG_CATCH();
	{
		omni_worker_record_error(my_slot, loop_cxt);
		ok = false;
		*waiting = true;
	}
	PG_END_TRY();
	return ok;
}

/* tick_once runs omni.tick() and returns the next deadline (0: none). */
static TimestampTz
tick_once(int *items)
{
	volatile TimestampTz deadline = 0;

	*items = 0;
	PG_TRY();
	{
		bool		isnull;

		omni_worker_begin_unit("omni.tick()");
		if (omni_worker_extension_exists())
		{
			if (SPI_connect() != SPI_OK_CONNECT)
				elog(ERROR, "omnichannel: SPI_connect failed");
			if (SPI_execute("SELECT omni.tick()", false, 0) == SPI_OK_SELECT && SPI_processed == 1)
			{
				Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

				*items = isnull ? 0 : DatumGetInt32(d);
			}
			if (SPI_execute("SELECT omni.next_deadline()", false, 0) == SPI_OK_SELECT && SPI_processed == 1)
			{
				Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

				deadline = isnull ? 0 : DatumGetTimestampTz(d);
			}
			SPI_finish();
		}
		omni_worker_end_unit();
		LWLockAcquire(omni_shared->lock, LW_EXCLUSIVE);
		my_slot->ticks++;
		my_slot->tick_items += *items;
		LWLockRelease(omni_shared->lock);
	}
	PG_CATCH();
	{
		omni_worker_record_error(my_slot, loop_cxt);
	}
	PG_END_TRY();
	return deadline;
}


/* leave_without_extension: back off for a nap; the launcher tries again. */
static void
leave_without_extension(void)
{
	LWLockAcquire(omni_shared->lock, LW_EXCLUSIVE);
	my_slot->ext = EXT_NO;
	my_slot->router.retry_after = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), omni_launcher_naptime_ms);
	LWLockRelease(omni_shared->lock);
	proc_exit(0);
}

/*
 * set_commit_mode applies omnichannel.router_synchronous_commit.  Every
 * transaction that NOTIFYs holds one cluster-wide lock from its pre-commit
 * until its commit record is flushed (PostgreSQL's async.c), so with
 * synchronous commit an offer waits for its own flush and for the flushes of
 * every agent's call queued before it.  What the router commits can be
 * redone from durable state: a conversation stays queued until an offer for
 * it is accepted, and deadlines stay due until a tick acts on them, so a
 * crash that forgets the last few hundred milliseconds of routing loses no
 * work (docs/worker.md).  An agent's accept commits synchronously and
 * flushes the offer it depends on with it.
 */
static void
set_commit_mode(void)
{
	SetConfigOption("synchronous_commit", omni_router_synchronous_commit ? NULL : "off",
					PGC_SUSET, PGC_S_SESSION);
}

void
omni_router_main(Datum arg)
{
	Oid			dboid = DatumGetObjectId(arg);
	TimestampTz next_tick = 0;
	TimestampTz next_route = 0;
	bool		woken = true;
	bool		more = false;
	bool		waiting = true;	/* conversations may wait: route at start */
	bool		gone = false;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	my_slot = omni_worker_attach(dboid, OMNI_WORKER_ROUTER);
	BackgroundWorkerInitializeConnectionByOid(dboid, InvalidOid, 0);
	pgstat_report_appname(OMNI_ROUTER_NAME);
	/* Routing statements are short; JIT compilation would only add latency. */
	SetConfigOption("jit", "off", PGC_SUSET, PGC_S_OVERRIDE);
	set_commit_mode();
	loop_cxt = AllocSetContextCreate(TopMemoryContext, "omnichannel router loop", ALLOCSET_DEFAULT_SIZES);

	omni_worker_begin_unit("checking for the omnichannel extension");
	gone = !omni_worker_extension_exists();
	omni_worker_end_unit();
	if (gone)
		leave_without_extension();

	LWLockAcquire(omni_shared->lock, LW_EXCLUSIVE);
	my_slot->ext = EXT_YES;
	my_slot->router.state = PROC_RUNNING;
	my_slot->router.started_at = GetCurrentTimestamp();
	my_slot->cycles = my_slot->offers = my_slot->wakeups = my_slot->ticks = my_slot->tick_items = 0;
	my_slot->errors = 0;
	my_slot->last_error[0] = '\0';
	my_slot->last_error_at = 0;
	LWLockRelease(omni_shared->lock);
	ereport(LOG, (errmsg("omnichannel router started")));
	/* The KPI refresher is started once a router has found the extension. */
	omni_wake_launcher_latch();

	for (;;)
	{
		TimestampTz now;
		long		timeout;
		int			rc;
		bool		failed = false;

		MemoryContextReset(loop_cxt);
		MemoryContextSwitchTo(loop_cxt);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			set_commit_mode();
			next_tick = 0;		/* intervals may have changed: reschedule from now */
		}
		if (omni_worker_should_leave(my_slot))
			proc_exit(0);

		if (omni_worker_idle_if_disabled())
		{
			woken = waiting = true; /* route once turned back on */
			next_tick = 0;
			continue;
		}
		if (my_slot->router.state != PROC_RUNNING)
			omni_worker_set_state(PROC_RUNNING);

		/*
		 * Wake-ups first.  Route when a commit brought work (omni._wake_router:
		 * an arrival, a requeue, an offer that ended, a configuration change),
		 * when an agent changed while conversations wait (its freed capacity or
		 * presence may let one be offered), and at least every second.  An
		 * agent's change with nothing waiting cannot make an offer: the cycle
		 * is skipped, and the agent is read by the next cycle that has work
		 * (the agent cache keeps the changed ids).
		 */
		now = GetCurrentTimestamp();
		if (woken && pg_atomic_read_u32(&my_slot->route_work) != 0)
			waiting = true;
		if ((woken && waiting) || more || now >= next_route)
		{
			int			rounds = 0;

			/*
			 * Cleared before the cycle's snapshot: later work sets it again,
			 * and agents that change during the cycle wake us as if
			 * conversations waited (the cycle may leave some); after it,
			 * they wake us only if it did.
			 */
			(void) pg_atomic_exchange_u32(&my_slot->route_work, 0);
			pg_atomic_write_u32(&my_slot->router_waiting, 1);
			pg_memory_barrier();
			next_route = TimestampTzPlusMilliseconds(now, ROUTE_SAFETY_NET_MS);
			do
			{
				TimestampTz min_expiry = 0;

				more = false;
				if (!route_once(&more, &min_expiry, &waiting, &gone))
				{
					failed = true;
					break;
				}
				if (gone)
					break;
				if (min_expiry != 0 && min_expiry < next_tick)
					next_tick = min_expiry;
				CHECK_FOR_INTERRUPTS();
			} while (more && ++rounds < ROUTE_MAX_ROUNDS && !omni_worker_should_leave(my_slot));
			/* a failed cycle left waiting set (route_once) */
			pg_atomic_write_u32(&my_slot->router_waiting, (waiting || more) ? 1 : 0);
		}
		if (gone)
		{
			ereport(LOG, (errmsg("omnichannel router exiting: the extension was dropped")));
			leave_without_extension();
		}

		/* Time-driven work after routing, so a wake-up is served first. */
		now = GetCurrentTimestamp();
		if (now >= next_tick)
		{
			int			items;
			TimestampTz deadline = tick_once(&items);
			TimestampTz cap = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), omni_tick_interval_ms);

			next_tick = (deadline != 0 && deadline < cap) ? deadline : cap;
			/* Expiries and overflow may make work assignable: route again soon. */
			if (items > 0)
				more = true;
		}

		LWLockAcquire(omni_shared->lock, LW_EXCLUSIVE);
		my_slot->next_tick_at = next_tick;
		LWLockRelease(omni_shared->lock);
		now = GetCurrentTimestamp();
		if (failed)
			timeout = OMNI_ERROR_BACKOFF_MS;
		else if (more)
			timeout = ROUTE_AGAIN_MS;
		else
		{
			TimestampTz until = Min(next_tick, next_route);

			timeout = until <= now ? 0 : (long) ((until - now + 999) / 1000);
			timeout = Max(timeout, 1);
		}
		rc = WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, timeout, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		woken = (rc & WL_LATCH_SET) != 0;
		if (woken)
			my_slot->wakeups++;
	}
}
