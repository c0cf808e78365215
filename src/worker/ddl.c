/*-------------------------------------------------------------------------
 *
 * ddl.c
 *	  Keeps the workers out of the way of commands on their database.
 *
 * DROP DATABASE (and ALTER DATABASE RENAME, CREATE DATABASE ... TEMPLATE)
 * would fail while a worker is connected, and DROP/ALTER EXTENSION
 * omnichannel could deadlock with a running cycle, so a ProcessUtility hook
 * (every backend, via the preload) pauses that database's slot, terminates
 * its router and KPI refresher and waits for them to leave before the
 * command runs; the launcher starts them again afterwards.  The same stop
 * serves omni.pause_workers(), which holds the database until resumed.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <signal.h>

#include "commands/dbcommands.h"
#include "commands/defrem.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "pgstat.h"
#include "storage/latch.h"
#include "tcop/utility.h"
#include "utils/timestamp.h"

#include "omnichannel.h"
#include "worker/worker.h"

/* How long a DDL pause lasts at most, and how long we wait for the workers. */
#define DDL_PAUSE_MS			60000
#define STOP_WAIT_MS			10000
#define NEVER_CAME_UP_MS		2000

static ProcessUtility_hook_type prev_utility_hook = NULL;

static bool
proc_gone(OmniProcSlot *p)
{
	return p->pid == 0 && p->state != PROC_STARTING;
}

/*
 * omni_stop_db_workers pauses a database (until resumed with hold, for
 * DDL_PAUSE_MS otherwise) and waits for its workers to leave.  False when the
 * database has no slot (nothing runs there) and none could be made.
 */
bool
omni_stop_db_workers(Oid dboid, bool hold)
{
	OmniDbSlot *s;
	TimestampTz start = GetCurrentTimestamp();
	int			signalled[2] = {0, 0};

	if (omni_shared == NULL)
		return false;
	LWLockAcquire(omni_shared->lock, LW_EXCLUSIVE);
	s = omni_slot_for(dboid, hold);
	if (s == NULL)
	{
		LWLockRelease(omni_shared->lock);
		return false;
	}
	if (hold)
		s->held = true;
	else
		s->paused_until = TimestampTzPlusMilliseconds(start, DDL_PAUSE_MS);
	LWLockRelease(omni_shared->lock);

	for (;;)
	{
		int			pids[2];
		bool		gone;

		LWLockAcquire(omni_shared->lock, LW_SHARED);
		pids[0] = s->router.pid;
		pids[1] = s->kpi.pid;
		gone = proc_gone(&s->router) && proc_gone(&s->kpi);
		LWLockRelease(omni_shared->lock);
		if (gone)
			break;
		if (pids[0] == 0 && pids[1] == 0 &&
			TimestampDifferenceExceeds(start, GetCurrentTimestamp(), NEVER_CAME_UP_MS))
			break;				/* registered but never came up */
		for (int i = 0; i < 2; i++)
		{
			if (pids[i] != 0 && pids[i] != signalled[i] && pids[i] != MyProcPid)
			{
				kill(pids[i], SIGTERM);
				signalled[i] = pids[i];
			}
		}
		if (TimestampDifferenceExceeds(start, GetCurrentTimestamp(), STOP_WAIT_MS))
		{
			ereport(WARNING,
					(errmsg("omnichannel workers (PIDs %d, %d) did not exit in time", pids[0], pids[1])));
			break;
		}
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 10, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
	return true;
}

static void
resume_after_ddl(Oid dboid)
{
	OmniDbSlot *s;

	LWLockAcquire(omni_shared->lock, LW_EXCLUSIVE);
	s = omni_slot_for(dboid, false);
	if (s)
	{
		s->paused_until = 0;
		s->router.retry_after = 0;
		s->kpi.retry_after = 0;
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
 * utility_target_database: the database whose workers must leave before the
 * command runs (their connection would make the command fail, or a routing
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
		if (OidIsValid(dboid) && !omni_stop_db_workers(dboid, false))
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
			resume_after_ddl(dboid);
	}
	PG_END_TRY();
}

void
omni_install_utility_hook(void)
{
	prev_utility_hook = ProcessUtility_hook;
	ProcessUtility_hook = omni_process_utility;
}
