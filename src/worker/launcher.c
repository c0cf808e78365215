/*-------------------------------------------------------------------------
 *
 * launcher.c
 *	  The launcher (docs/worker.md): a static worker connected to no
 *	  database that starts, in every database with the extension, a router
 *	  (routing and omni.tick(), router.c) and a KPI refresher
 *	  (omni.refresh_kpis(), kpi.c), so maintenance never delays an offer.
 *
 * BgWorkerStart_RecoveryFinished: nothing runs on a standby; the launcher
 * starts after promotion.  Every omnichannel.launcher_naptime, on SIGHUP
 * and when CREATE EXTENSION wakes it, it scans pg_database: each database
 * that allows connections gets a slot (at most omnichannel.max_databases)
 * and a router; a router that finds no extension leaves and is tried again
 * after the nap; once a router found the extension the KPI refresher is
 * started too.  A database left without a worker (no slot in shared memory,
 * no free background worker) is warned about in the log, each one once,
 * and shows why in omni.worker_status.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_database.h"
#include "miscadmin.h"
#include "nodes/pg_list.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "storage/proc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "omnichannel.h"
#include "worker/worker.h"

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
	snprintf(worker.bgw_name, BGW_MAXLEN, OMNI_LAUNCHER_NAME);
	snprintf(worker.bgw_type, BGW_MAXLEN, OMNI_LAUNCHER_NAME);
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

/*
 * database_is_invalid_form() (a database whose DROP DATABASE was
 * interrupted) exists from 15.4; before it such databases were not marked.
 */
static bool
database_is_invalid(Form_pg_database db)
{
#if PG_VERSION_NUM >= 150004
	return database_is_invalid_form(db);
#else
	return false;
#endif
}

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

		if (!db->datallowconn || db->datistemplate || database_is_invalid(db))
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

/* Databases warned about because every shared slot was taken (launcher-local). */
static List *warned_untracked = NIL;

/* start_worker registers the router or the KPI refresher of one database. */
static void
start_worker(OmniDbSlot *s, OmniWorkerKind kind, const char *dbname)
{
	BackgroundWorker worker;
	BackgroundWorkerHandle *handle;
	OmniProcSlot *p = omni_worker_proc(s, kind);
	TimestampTz now = GetCurrentTimestamp();
	const char *type = kind == OMNI_WORKER_ROUTER ? OMNI_ROUTER_NAME : OMNI_KPI_NAME;
	const char *what = kind == OMNI_WORKER_ROUTER ? "router" : "KPI refresher";

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "omnichannel");
	snprintf(worker.bgw_function_name, BGW_MAXLEN,
			 kind == OMNI_WORKER_ROUTER ? "omni_router_main" : "omni_kpi_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "%s for database \"%s\"", type, dbname);
	snprintf(worker.bgw_type, BGW_MAXLEN, "%s", type);
	worker.bgw_main_arg = ObjectIdGetDatum(s->dboid);
	worker.bgw_notify_pid = MyProcPid;

	p->registered_at = now;
	if (!RegisterDynamicBackgroundWorker(&worker, &handle))
	{
		p->state = PROC_NO_WORKER_SLOT;
		p->retry_after = TimestampTzPlusMilliseconds(now, omni_launcher_naptime_ms);
		if (!p->warned)
			ereport(WARNING,
					(errcode(ERRCODE_INSUFFICIENT_RESOURCES),
					 errmsg("could not start the omnichannel %s for database \"%s\": no background worker slot is free",
							what, dbname),
					 errhint("You may need to increase max_worker_processes (omnichannel needs 1 + 2 per database with the extension).")));
		p->warned = true;
		return;
	}
	if (p->warned)
		ereport(LOG,
				(errmsg("started the omnichannel %s for database \"%s\" after waiting for a background worker slot",
						what, dbname)));
	p->warned = false;
	p->state = PROC_STARTING;
	pfree(handle);				/* the slot state tells us when it is gone */
}

static bool
startable(OmniProcSlot *p, TimestampTz now)
{
	return p->pid == 0 && (p->state == PROC_STOPPED || p->state == PROC_NO_WORKER_SLOT) &&
		now >= p->retry_after;
}

static void
warn_untracked(Oid dboid, const char *dbname)
{
	MemoryContext old;

	if (list_member_oid(warned_untracked, dboid))
		return;
	ereport(WARNING,
			(errcode(ERRCODE_INSUFFICIENT_RESOURCES),
			 errmsg("omnichannel has no worker slot for database \"%s\": omnichannel.max_databases (%d) are in use",
					dbname, omni_shared->nslots),
			 errhint("Raise omnichannel.max_databases (restart needed), or run omni.route(), omni.tick() and omni.refresh_kpis() from a scheduler in that database.")));
	old = MemoryContextSwitchTo(TopMemoryContext);
	warned_untracked = lappend_oid(warned_untracked, dboid);
	MemoryContextSwitchTo(old);
}

/*
 * claim_slot: the slot of a database, or a new one; when all are taken, the
 * slot of a database not known to have the extension and with no worker is
 * reused, so databases without omnichannel never crowd out one that has it
 * (they are looked at in turn).
 */
static OmniDbSlot *
claim_slot(Oid dboid)
{
	OmniDbSlot *s = omni_slot_for(dboid, true);

	if (s != NULL)
		return s;
	for (int i = 0; i < omni_shared->nslots; i++)
	{
		OmniDbSlot *v = &omni_shared->slots[i];

		if (v->in_use && v->ext != EXT_YES && !v->held && v->router.pid == 0 && v->kpi.pid == 0 &&
			v->router.state != PROC_STARTING && v->kpi.state != PROC_STARTING)
		{
			v->in_use = false;
			return omni_slot_for(dboid, true);
		}
	}
	return NULL;
}

/* launcher_pass starts missing workers and forgets dropped databases. */
static void
launcher_pass(void)
{
	int			n;
	DbEntry    *dbs = list_databases(&n);
	TimestampTz now = GetCurrentTimestamp();
	List	   *still_untracked = NIL;

	LWLockAcquire(omni_shared->lock, LW_EXCLUSIVE);
	for (int i = 0; i < omni_shared->nslots; i++)
	{
		OmniDbSlot *s = &omni_shared->slots[i];
		bool		exists = false;

		if (!s->in_use)
			continue;
		for (int k = 0; k < n; k++)
			exists |= (dbs[k].oid == s->dboid);
		/* A worker that never came up is given a while, then forgotten. */
		if (s->router.state == PROC_STARTING && s->router.pid == 0 &&
			TimestampDifferenceExceeds(s->router.registered_at, now, OMNI_START_TIMEOUT_MS))
			s->router.state = PROC_STOPPED;
		if (s->kpi.state == PROC_STARTING && s->kpi.pid == 0 &&
			TimestampDifferenceExceeds(s->kpi.registered_at, now, OMNI_START_TIMEOUT_MS))
			s->kpi.state = PROC_STOPPED;
		/* Forget dropped databases, and databases without the extension (they take no slot). */
		if ((!exists || (s->ext == EXT_NO && !s->held)) &&
			s->router.pid == 0 && s->kpi.pid == 0 &&
			s->router.state != PROC_STARTING && s->kpi.state != PROC_STARTING &&
			(!exists || now >= s->router.retry_after))
			s->in_use = false;
	}
	if (omni_enable_workers)
	{
		for (int k = 0; k < n; k++)
		{
			OmniDbSlot *s = claim_slot(dbs[k].oid);

			if (s == NULL)
			{
				warn_untracked(dbs[k].oid, dbs[k].name);
				still_untracked = lappend_oid(still_untracked, dbs[k].oid);
				continue;
			}
			if (omni_worker_should_leave(s))
				continue;
			if (startable(&s->router, now))
				start_worker(s, OMNI_WORKER_ROUTER, dbs[k].name);
			if (s->ext == EXT_YES && s->router.state == PROC_RUNNING && startable(&s->kpi, now))
				start_worker(s, OMNI_WORKER_KPI, dbs[k].name);
		}
		/* A database that got a slot (or is gone) may be warned about again later. */
		list_free(warned_untracked);
		warned_untracked = NIL;
		if (still_untracked != NIL)
		{
			MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

			warned_untracked = list_copy(still_untracked);
			MemoryContextSwitchTo(old);
			list_free(still_untracked);
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
	pgstat_report_appname(OMNI_LAUNCHER_NAME);

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
