/*-------------------------------------------------------------------------
 *
 * worker.c
 *	  The background workers (docs/worker.md): a launcher connected to no
 *	  database starts one routing worker in every database that has the
 *	  extension; each routing worker routes when a commit wakes it, runs
 *	  omni.tick() at the next deadline and refreshes the KPIs.
 *
 * Launcher: a static worker (BgWorkerStart_RecoveryFinished, so nothing
 * runs on a standby), restarted 5 s after a crash.  Every
 * omnichannel.launcher_naptime, on SIGHUP and when CREATE EXTENSION wakes
 * it, it scans pg_database and registers a dynamic worker for each database
 * that allows connections and has no worker; a worker that finds no
 * extension leaves and is tried again after the nap.
 *
 * Routing worker: one transaction per unit of work (a routing cycle, a
 * tick, a KPI refresh), each in PG_TRY so an error is logged, counted in
 * omni.worker_status and never stops the loop.  SIGTERM is `die`; SIGHUP
 * reloads the settings.  omnichannel.enable_workers = off makes it idle.
 *
 * DROP DATABASE (and ALTER DATABASE RENAME, CREATE DATABASE ... TEMPLATE)
 * would fail while a worker is connected, and DROP/ALTER EXTENSION
 * omnichannel could deadlock with a running cycle, so a ProcessUtility hook
 * pauses that database's slot, terminates its worker and waits for it to
 * leave before the command runs; the launcher starts it again afterwards.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <signal.h>

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_database.h"
#include "commands/dbcommands.h"
#include "commands/defrem.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "omnichannel.h"
#include "omni_shmem.h"

PGDLLEXPORT void omni_launcher_main(Datum arg);
PGDLLEXPORT void omni_router_main(Datum arg);

static ProcessUtility_hook_type prev_utility_hook = NULL;

/* ---------------------------------------------------------------------------
 * Launcher
 * ---------------------------------------------------------------------------
 */

/* omni_register_launcher registers the static launcher (preload only). */
void
omni_register_launcher(void)
{
	BackgroundWorker worker;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 5;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "omnichannel");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "omni_launcher_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "omnichannel launcher");
	snprintf(worker.bgw_type, BGW_MAXLEN, "omnichannel launcher");
	RegisterBackgroundWorker(&worker);
}

static void
launcher_exit(int code, Datum arg)
{
	LWLockAcquire(omni_shared->lock, LW_EXCLUSIVE);
	if (omni_shared->launcher_pid == MyProcPid)
	{
		omni_shared->launcher_pid = 0;
		omni_shared->launcher_procno = -1;
	}
	LWLockRelease(omni_shared->lock);
}

typedef struct DbEntry
{
	Oid			oid;
	char		name[NAMEDATALEN];
} DbEntry;

/* list_databases returns the databases a worker may connect to. */
static DbEntry *
list_databases(int *n)
{
	Relation	rel;
	TableScanDesc scan;
	HeapTuple	tup;
	int			cap = 16;
	DbEntry    *dbs = MemoryContextAlloc(TopMemoryContext, sizeof(DbEntry) * cap);

	*n = 0;
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	(void) GetTransactionSnapshot();
	rel = table_open(DatabaseRelationId, AccessShareLock);
	scan = table_beginscan_catalog(rel, 0, NULL);
	while ((tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		Form_pg_database db = (Form_pg_database) GETSTRUCT(tup);

		if (!db->datallowconn || db->datistemplate || database_is_invalid_form(db))
			continue;
		if (*n == cap)
		{
			cap *= 2;
			dbs = repalloc(dbs, sizeof(DbEntry) * cap);
		}
		dbs[*n].oid = db->oid;
		strlcpy(dbs[*n].name, NameStr(db->datname), NAMEDATALEN);
		(*n)++;
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);
	CommitTransactionCommand();
	return dbs;
}

static bool warned_no_slots = false;

/* start_router registers the dynamic routing worker of one database. */
static void
start_router(OmniDbSlot *s, const char *dbname)
{
	BackgroundWorker worker;
	BackgroundWorkerHandle *handle;
	TimestampTz now = GetCurrentTimestamp();

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "omnichannel");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "omni_router_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "omnichannel router for database \"%s\"", dbname);
	snprintf(worker.bgw_type, BGW_MAXLEN, "omnichannel router");
	worker.bgw_main_arg = ObjectIdGetDatum(s->dboid);
	worker.bgw_notify_pid = MyProcPid;

	s->state = SLOT_STARTING;
	s->registered_at = now;
	if (!RegisterDynamicBackgroundWorker(&worker, &handle))
	{
		s->state = SLOT_STOPPED;
		s->retry_after = TimestampTzPlusMilliseconds(now, omni_launcher_naptime_ms);
		if (!warned_no_slots)
			ereport(WARNING,
					(errcode(ERRCODE_INSUFFICIENT_RESOURCES),
					 errmsg("could not start the omnichannel router for database \"%s\"", dbname),
					 errhint("You may need to increase max_worker_processes.")));
		warned_no_slots = true;
		return;
	}
	warned_no_slots = false;
	pfree(handle);				/* the slot state tells us when it is gone */
}

/* launcher_pass starts missing workers and forgets dropped databases. */
static void
launcher_pass(void)
{
	int			n;
	DbEntry    *dbs = list_databases(&n);
	TimestampTz now = GetCurrentTimestamp();

	LWLockAcquire(omni_shared->lock, LW_EXCLUSIVE);
	/* Forget databases that no longer exist. */
	for (int i = 0; i < OMNI_MAX_DATABASES; i++)
	{
		OmniDbSlot *s = &omni_shared->slots[i];
		bool		exists = false;

		if (s->state == SLOT_FREE)
			continue;
		for (int k = 0; k < n; k++)
			exists |= (dbs[k].oid == s->dboid);
		/* A worker that never came up is given 30 s, then forgotten. */
		if (s->state == SLOT_STARTING && s->pid == 0 &&
			TimestampDifferenceExceeds(s->registered_at, now, 30000))
			s->state = SLOT_STOPPED;
		if (!exists && (s->state == SLOT_STOPPED || s->state == SLOT_NO_EXTENSION))
			s->state = SLOT_FREE;
	}
	if (omni_enable_workers)
	{
		for (int k = 0; k < n; k++)
		{
			OmniDbSlot *s = omni_slot_for(dbs[k].oid, true);

			if (s == NULL)
				continue;		/* more than OMNI_MAX_DATABASES databases */
			if ((s->state == SLOT_STOPPED || s->state == SLOT_NO_EXTENSION) &&
				now >= s->retry_after && now >= s->paused_until)
				start_router(s, dbs[k].name);
		}
	}
	LWLockRelease(omni_shared->lock);
	pfree(dbs);
}

void
omni_launcher_main(Datum arg)
{
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(NULL, NULL, 0);
	pgstat_report_appname("omnichannel launcher");

	LWLockAcquire(omni_shared->lock, LW_EXCLUSIVE);
	omni_shared->launcher_pid = MyProcPid;
	omni_shared->launcher_procno = MyProc->pgprocno;
	LWLockRelease(omni_shared->lock);
	before_shmem_exit(launcher_exit, (Datum) 0);

	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		pgstat_report_activity(STATE_RUNNING, "looking for databases with omnichannel");
		launcher_pass();
		pgstat_report_activity(STATE_IDLE, NULL);
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 Min(omni_launcher_naptime_ms, 1000), PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}

/* ---------------------------------------------------------------------------
 * Routing worker
 * ---------------------------------------------------------------------------
 */

static OmniDbSlot *my_slot = NULL;
static MemoryContext loop_cxt = NULL;

static void
router_exit(int code, Datum arg)
{
	if (my_slot == NULL)
		return;
	LWLockAcquire(omni_shared->lock, LW_EXCLUSIVE);
	if (my_slot->pid == MyProcPid)
	{
		my_slot->pid = 0;
		my_slot->procno = -1;
		if (my_slot->state != SLOT_NO_EXTENSION)
			my_slot->state = SLOT_STOPPED;
		/* After a crash or a kill, start again soon (the launcher's next pass). */
		if (my_slot->retry_after < GetCurrentTimestamp())
			my_slot->retry_after = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), 1000);
	}
	LWLockRelease(omni_shared->lock);
}

static void
record_error(void)
{
	ErrorData  *edata;

	MemoryContextSwitchTo(loop_cxt);
	edata = CopyErrorData();
	EmitErrorReport();
	FlushErrorState();
	AbortCurrentTransaction();
	my_slot->errors++;
	my_slot->last_error_at = GetCurrentTimestamp();
	strlcpy(my_slot->last_error, edata->message ? edata->message : "(no message)", sizeof(my_slot->last_error));
	FreeErrorData(edata);
	pgstat_report_activity(STATE_IDLE, NULL);
}

static void
begin_unit(const char *activity)
{
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, activity);
}

static void
end_unit(void)
{
	PopActiveSnapshot();
	CommitTransactionCommand();
	pgstat_report_activity(STATE_IDLE, NULL);
}

static bool
extension_exists(void)
{
	return OidIsValid(get_extension_oid("omnichannel", true));
}

/* route_once runs one cycle in its own transaction; false when it failed. */
static bool
route_once(bool *more, TimestampTz *min_expiry, bool *gone)
{
	volatile bool ok = true;

	PG_TRY();
	{
		TimestampTz start = GetCurrentTimestamp();
		int			n = 0;

		begin_unit("omni.route()");
		if (!extension_exists())
			*gone = true;
		else
			n = omni_route_cycle(more, min_expiry);
		end_unit();
		if (!*gone)
		{
			TimestampTz end = GetCurrentTimestamp();

			my_slot->cycles++;
			my_slot->offers += n;
			my_slot->last_cycle_offers = n;
			my_slot->last_cycle_at = end;
			my_slot->last_cycle_ms = (double) (end - start) / 1000.0;
		}
	}
	PG_CATCH();
	{
		record_error();
		ok = false;
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

		begin_unit("omni.tick()");
		if (extension_exists())
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
		end_unit();
		my_slot->ticks++;
		my_slot->tick_items += *items;
	}
	PG_CATCH();
	{
		record_error();
	}
	PG_END_TRY();
	return deadline;
}

/* kpi_once calls omni.refresh_kpis() in its own transaction when it exists. */
static void
kpi_once(void)
{
	PG_TRY();
	{
		begin_unit("omni.refresh_kpis()");
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "omnichannel: SPI_connect failed");
		if (SPI_execute("SELECT 1 FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
						" WHERE n.nspname = 'omni' AND p.proname = 'refresh_kpis' AND p.pronargs = 0"
						"   AND p.prokind = 'f'", true, 1) == SPI_OK_SELECT && SPI_processed == 1)
		{
			SPI_execute("SELECT omni.refresh_kpis()", false, 0);
			my_slot->kpi_refreshes++;
		}
		SPI_finish();
		end_unit();
	}
	PG_CATCH();
	{
		record_error();
	}
	PG_END_TRY();
}

static bool
paused(void)
{
	return my_slot->paused_until != 0 && GetCurrentTimestamp() < my_slot->paused_until;
}

void
omni_router_main(Datum arg)
{
	Oid			dboid = DatumGetObjectId(arg);
	TimestampTz next_tick = 0;
	TimestampTz next_kpi = 0;
	TimestampTz next_route = 0;
	bool		woken = true;
	bool		more = false;
	bool		gone = false;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	LWLockAcquire(omni_shared->lock, LW_EXCLUSIVE);
	my_slot = omni_slot_for(dboid, true);
	if (my_slot == NULL || my_slot->pid != 0 || (my_slot->paused_until != 0 &&
												 GetCurrentTimestamp() < my_slot->paused_until))
	{
		if (my_slot && my_slot->pid == 0)
			my_slot->state = SLOT_STOPPED;
		LWLockRelease(omni_shared->lock);
		my_slot = NULL;
		proc_exit(0);			/* another worker has it, or it is paused */
	}
	my_slot->pid = MyProcPid;
	my_slot->state = SLOT_STARTING;
	LWLockRelease(omni_shared->lock);
	before_shmem_exit(router_exit, (Datum) 0);

	BackgroundWorkerInitializeConnectionByOid(dboid, InvalidOid, 0);
	pgstat_report_appname("omnichannel router");
	/* Routing statements are short; JIT compilation would only add latency. */
	SetConfigOption("jit", "off", PGC_SUSET, PGC_S_OVERRIDE);
	loop_cxt = AllocSetContextCreate(TopMemoryContext, "omnichannel router loop", ALLOCSET_DEFAULT_SIZES);

	begin_unit("checking for the omnichannel extension");
	gone = !extension_exists();
	end_unit();
	if (gone)
	{
		LWLockAcquire(omni_shared->lock, LW_EXCLUSIVE);
		my_slot->state = SLOT_NO_EXTENSION;
		my_slot->retry_after = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), omni_launcher_naptime_ms);
		LWLockRelease(omni_shared->lock);
		proc_exit(0);
	}

	LWLockAcquire(omni_shared->lock, LW_EXCLUSIVE);
	my_slot->procno = MyProc->pgprocno;
	my_slot->state = SLOT_RUNNING;
	my_slot->started_at = GetCurrentTimestamp();
	my_slot->cycles = my_slot->offers = my_slot->wakeups = my_slot->ticks = 0;
	my_slot->tick_items = my_slot->kpi_refreshes = my_slot->errors = 0;
	my_slot->last_error[0] = '\0';
	my_slot->last_error_at = 0;
	LWLockRelease(omni_shared->lock);
	ereport(LOG, (errmsg("omnichannel router started")));

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
			/* Intervals may have changed: reschedule from now. */
			next_tick = next_kpi = 0;
		}
		if (paused())
			proc_exit(0);

		if (!omni_enable_workers)
		{
			my_slot->state = SLOT_IDLE;
			pgstat_report_activity(STATE_IDLE, "omnichannel.enable_workers is off");
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 1000, PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
			woken = true;		/* route once turned back on */
			next_tick = 0;
			continue;
		}
		my_slot->state = SLOT_RUNNING;

		now = GetCurrentTimestamp();
		/* Route when woken, and at least every second: a safety net for rows skipped while locked. */
		if (woken || more || now >= next_route)
		{
			int			rounds = 0;

			next_route = TimestampTzPlusMilliseconds(now, 1000);

			do
			{
				TimestampTz min_expiry = 0;

				more = false;
				if (!route_once(&more, &min_expiry, &gone))
				{
					failed = true;
					break;
				}
				if (gone)
					break;
				if (min_expiry != 0 && min_expiry < next_tick)
					next_tick = min_expiry;
				CHECK_FOR_INTERRUPTS();
			} while (more && ++rounds < 20 && !paused());
		}
		if (gone)
		{
			LWLockAcquire(omni_shared->lock, LW_EXCLUSIVE);
			my_slot->state = SLOT_NO_EXTENSION;
			my_slot->retry_after = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), omni_launcher_naptime_ms);
			LWLockRelease(omni_shared->lock);
			ereport(LOG, (errmsg("omnichannel router exiting: the extension was dropped")));
			proc_exit(0);
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

		now = GetCurrentTimestamp();
		if (now >= next_kpi)
		{
			kpi_once();
			next_kpi = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), omni_kpi_refresh_interval_ms);
		}

		my_slot->next_tick_at = next_tick;
		now = GetCurrentTimestamp();
		if (failed)
			timeout = 1000;		/* back off after an error */
		else if (more)
			timeout = 10;		/* rows were locked by others: try again soon */
		else
		{
			TimestampTz until = Min(Min(next_tick, next_kpi), next_route);

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

/* ---------------------------------------------------------------------------
 * DROP DATABASE, ALTER DATABASE RENAME, CREATE DATABASE ... TEMPLATE
 * ---------------------------------------------------------------------------
 */

/* stop_db_worker pauses a database's slot and waits (up to 10 s) for its worker to leave. */
static bool
stop_db_worker(Oid dboid)
{
	OmniDbSlot *s;
	TimestampTz start = GetCurrentTimestamp();
	int			signalled = 0;

	if (omni_shared == NULL)
		return false;
	LWLockAcquire(omni_shared->lock, LW_EXCLUSIVE);
	s = omni_slot_for(dboid, false);
	if (s == NULL)
	{
		LWLockRelease(omni_shared->lock);
		return false;
	}
	s->paused_until = TimestampTzPlusMilliseconds(start, 60000);
	LWLockRelease(omni_shared->lock);

	for (;;)
	{
		int			pid;
		int			state;

		LWLockAcquire(omni_shared->lock, LW_SHARED);
		pid = s->pid;
		state = s->state;
		LWLockRelease(omni_shared->lock);
		if (pid == 0 && state != SLOT_STARTING)
			break;
		if (pid == 0 && TimestampDifferenceExceeds(start, GetCurrentTimestamp(), 2000))
			break;				/* registered but never came up */
		if (pid != 0 && pid != signalled)
		{
			kill(pid, SIGTERM);
			signalled = pid;
		}
		if (TimestampDifferenceExceeds(start, GetCurrentTimestamp(), 10000))
		{
			ereport(WARNING,
					(errmsg("omnichannel router (PID %d) did not exit in time", pid)));
			break;
		}
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 10, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
	return true;
}

static void
resume_db_worker(Oid dboid)
{
	OmniDbSlot *s;

	LWLockAcquire(omni_shared->lock, LW_EXCLUSIVE);
	s = omni_slot_for(dboid, false);
	if (s)
	{
		s->paused_until = 0;
		s->retry_after = 0;
	}
	LWLockRelease(omni_shared->lock);
}

/* is_omnichannel_extension_ddl: DROP EXTENSION omnichannel or ALTER EXTENSION omnichannel. */
static bool
is_omnichannel_extension_ddl(Node *parsetree)
{
	if (IsA(parsetree, DropStmt) && ((DropStmt *) parsetree)->removeType == OBJECT_EXTENSION)
	{
		ListCell   *lc;

		foreach(lc, ((DropStmt *) parsetree)->objects)
			if (strcmp(strVal(lfirst(lc)), "omnichannel") == 0)
				return true;
	}
	if (IsA(parsetree, AlterExtensionStmt))
		return strcmp(((AlterExtensionStmt *) parsetree)->extname, "omnichannel") == 0;
	return false;
}

/*
 * utility_target_database: the database whose worker must leave before the
 * command runs (its connection would make the command fail, or its routing
 * cycle would deadlock with DROP EXTENSION's locks).
 */
static Oid
utility_target_database(Node *parsetree)
{
	if (is_omnichannel_extension_ddl(parsetree))
		return MyDatabaseId;
	if (IsA(parsetree, DropdbStmt))
		return get_database_oid(((DropdbStmt *) parsetree)->dbname, true);
	if (IsA(parsetree, RenameStmt) && ((RenameStmt *) parsetree)->renameType == OBJECT_DATABASE)
		return get_database_oid(((RenameStmt *) parsetree)->subname, true);
	if (IsA(parsetree, CreatedbStmt))
	{
		ListCell   *lc;

		foreach(lc, ((CreatedbStmt *) parsetree)->options)
		{
			DefElem    *d = lfirst_node(DefElem, lc);

			if (strcmp(d->defname, "template") == 0 && d->arg != NULL)
				return get_database_oid(defGetString(d), true);
		}
	}
	return InvalidOid;
}

static void
omni_process_utility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
					 ProcessUtilityContext context, ParamListInfo params,
					 QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
	volatile Oid dboid = InvalidOid;

	if (omni_shared != NULL && pstmt->utilityStmt != NULL)
	{
		dboid = utility_target_database(pstmt->utilityStmt);
		if (OidIsValid(dboid) && !stop_db_worker(dboid))
			dboid = InvalidOid;
	}
	PG_TRY();
	{
		if (prev_utility_hook)
			prev_utility_hook(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
		else
			standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
	}
	PG_FINALLY();
	{
		if (OidIsValid(dboid))
			resume_db_worker(dboid);
	}
	PG_END_TRY();
}

void
omni_install_utility_hook(void)
{
	prev_utility_hook = ProcessUtility_hook;
	ProcessUtility_hook = omni_process_utility;
}
