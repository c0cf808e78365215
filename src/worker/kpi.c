/*-------------------------------------------------------------------------
 *
 * kpi.c
 *	  The KPI refresher of one database (docs/worker.md): refreshes the
 *	  KPIs every omnichannel.kpi_refresh_interval in its own process, so a
 *	  refresh never delays the router.
 *
 * Started by the launcher once the database's router has found the
 * extension.  A refresh runs as short transactions (refresh_in_steps; with
 * SQL older than 0.6.0, omni.refresh_kpis() as one), in PG_TRY: an error is
 * logged and counted in omni.worker_status, and the next refresh is tried
 * at the next interval.  Same signals and pauses as the router.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <errno.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "parser/parse_func.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "omnichannel.h"
#include "worker/worker.h"

static OmniDbSlot *my_slot = NULL;
static MemoryContext loop_cxt = NULL;

/*
 * set_niceness applies omnichannel.kpi_worker_nice.  A refresh is CPU-bound
 * for up to a second under load; at the same niceness as the router and the
 * agents' backends it takes a core from them on a small server, and offers
 * wait.  The refresh takes no lock routing needs (docs/worker.md), so
 * running it at a lower priority only delays the KPIs.  An unprivileged
 * process cannot lower its niceness again: that is logged, not an error.
 */
static void
set_niceness(void)
{
	omni_worker_set_niceness(omni_kpi_worker_nice, "omnichannel.kpi_worker_nice");
}

/*
 * sql_function_exists: whether omni.<name>(argtypes) exists (the SQL
 * installed may be older than the library).  Inside a unit.
 */
static bool
sql_function_exists(const char *name, int nargs, const Oid *argtypes)
{
	return OidIsValid(LookupFuncName(list_make2(makeString("omni"), makeString(pstrdup(name))),
									 nargs, argtypes, true));
}

/*
 * run_unit runs sql as one transaction (a unit) and returns its first row's
 * first ncols columns as int8 (nulls[i]: NULL, or no row); a bool column
 * is returned as 0 or 1.
 */
static void
run_unit(const char *activity, const char *sql, int ncols, int64 *values, bool *nulls)
{
	for (int i = 0; i < ncols; i++)
	{
		values[i] = 0;
		nulls[i] = true;
	}
	omni_worker_begin_unit(activity);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "omnichannel: SPI_connect failed");
	if (SPI_execute(sql, false, 0) == SPI_OK_SELECT && SPI_processed == 1)
	{
		TupleDesc	desc = SPI_tuptable->tupdesc;

		for (int i = 0; i < ncols && i < desc->natts; i++)
		{
			Datum		d = SPI_getbinval(SPI_tuptable->vals[0], desc, i + 1, &nulls[i]);

			if (nulls[i])
				continue;
			switch (TupleDescAttr(desc, i)->atttypid)
			{
				case BOOLOID:
					values[i] = DatumGetBool(d) ? 1 : 0;
					break;
				case INT4OID:
					values[i] = DatumGetInt32(d);
					break;
				default:
					values[i] = DatumGetInt64(d);
					break;
			}
		}
	}
	SPI_finish();
	omni_worker_end_unit();
}

/*
 * refresh_in_steps: one refresh as short transactions.  The events go into
 * the rollups omnichannel.kpi_refresh_batch ids at a time
 * (omni._kpi_add_new_events), then the intraday views are refreshed, then
 * omni.kpi_state records the refresh.  One transaction for it all (what
 * omni.refresh_kpis() is) held its snapshot for the whole refresh: under
 * load a refresh that fell behind took minutes, vacuum could remove no row
 * version of the routing tables meanwhile, and every routing statement
 * slowed down as they grew (docs/worker.md, "Short transactions").  A
 * refresh adds the events up to the highest id at its start, not those
 * that arrive while it runs: a refresher slower than the load would
 * otherwise never reach the views.  Returns whether it ran (false: another
 * refresher held the lock).
 */
static bool
refresh_in_steps(void)
{
	TimestampTz start = GetCurrentTimestamp();
	char	   *started = pstrdup(timestamptz_to_str(start));
	int64		total = 0;
	int64		target;
	int64		step[3];		/* counted, upto, more */
	bool		nulls[3];

	run_unit("omni.refresh_kpis(): adding events", "SELECT max(id) FROM omni.event", 1, &target, nulls);
	do
	{
		run_unit("omni.refresh_kpis(): adding events",
				 psprintf("SELECT counted, upto, more FROM omni._kpi_add_new_events(%d)", omni_kpi_refresh_batch),
				 3, step, nulls);
		if (nulls[0])
			return false;		/* another refresher */
		total += step[0];
		CHECK_FOR_INTERRUPTS();
		if (omni_worker_should_leave(my_slot))
			proc_exit(0);
	} while (step[2] && step[1] < target);
	run_unit("omni.refresh_kpis(): refreshing the intraday views", "SELECT omni._kpi_refresh_views()", 0, NULL, NULL);
	run_unit("omni.refresh_kpis(): done",
			 psprintf("SELECT omni._kpi_refreshed(%d, %s)", (int) Min(total, PG_INT32_MAX),
					  quote_literal_cstr(started)), 0, NULL, NULL);
	return true;
}

/*
 * kpi_once refreshes the KPIs: in steps when the SQL has them (0.6.0),
 * else by omni.refresh_kpis() in one transaction, when it exists.
 */
static void
kpi_once(void)
{
	PG_TRY();
	{
		TimestampTz start = GetCurrentTimestamp();
		bool		steps;
		bool		whole;
		bool		done = false;

		omni_worker_begin_unit("omni.refresh_kpis()");
		steps = sql_function_exists("_kpi_add_new_events", 1, (Oid[]) {INT4OID});
		whole = !steps && sql_function_exists("refresh_kpis", 0, NULL);
		if (whole)
		{
			if (SPI_connect() != SPI_OK_CONNECT)
				elog(ERROR, "omnichannel: SPI_connect failed");
			SPI_execute("SELECT omni.refresh_kpis()", false, 0);
			SPI_finish();
			done = true;
		}
		omni_worker_end_unit();
		if (steps)
			done = refresh_in_steps();
		if (done)
		{
			TimestampTz end = GetCurrentTimestamp();

			LWLockAcquire(omni_shared->lock, LW_EXCLUSIVE);
			my_slot->kpi_refreshes++;
			my_slot->last_kpi_at = end;
			my_slot->last_kpi_ms = (double) (end - start) / 1000.0;
			LWLockRelease(omni_shared->lock);
		}
	}
	PG_CATCH();
	{
		omni_worker_record_error(my_slot, loop_cxt);
	}
	PG_END_TRY();
}

void
omni_kpi_main(Datum arg)
{
	Oid			dboid = DatumGetObjectId(arg);
	TimestampTz next_kpi = 0;
	bool		gone;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	my_slot = omni_worker_attach(dboid, OMNI_WORKER_KPI);
	BackgroundWorkerInitializeConnectionByOid(dboid, InvalidOid, 0);
	pgstat_report_appname(OMNI_KPI_NAME);
	/*
	 * A refresh's statements are sized by the events since the last one;
	 * JIT would compile them again at every refresh (hundreds of ms of CPU
	 * taken from the router and the agents' calls on a small server).
	 */
	SetConfigOption("jit", "off", PGC_SUSET, PGC_S_OVERRIDE);
	set_niceness();
	loop_cxt = AllocSetContextCreate(TopMemoryContext, "omnichannel kpi loop", ALLOCSET_DEFAULT_SIZES);

	LWLockAcquire(omni_shared->lock, LW_EXCLUSIVE);
	my_slot->kpi.state = PROC_RUNNING;
	my_slot->kpi_refreshes = 0;
	LWLockRelease(omni_shared->lock);

	for (;;)
	{
		TimestampTz now;
		long		timeout;

		MemoryContextReset(loop_cxt);
		MemoryContextSwitchTo(loop_cxt);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			set_niceness();
			next_kpi = 0;		/* the interval may have changed: refresh from now */
		}
		if (omni_worker_should_leave(my_slot))
			proc_exit(0);

		if (omni_worker_idle_if_disabled())
		{
			next_kpi = 0;
			continue;
		}
		if (my_slot->kpi.state != PROC_RUNNING)
			omni_worker_set_state(PROC_RUNNING);

		now = GetCurrentTimestamp();
		if (now >= next_kpi)
		{
			omni_worker_begin_unit("checking for the omnichannel extension");
			gone = !omni_worker_extension_exists();
			omni_worker_end_unit();
			if (gone)
				proc_exit(0);	/* the router finds out too and backs off */
			kpi_once();
			next_kpi = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), omni_kpi_refresh_interval_ms);
		}
		now = GetCurrentTimestamp();
		timeout = next_kpi <= now ? 1 : (long) ((next_kpi - now + 999) / 1000);
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, timeout, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}
