/*-------------------------------------------------------------------------
 *
 * status.c
 *	  omni._worker_status() (behind the view omni.worker_status): every
 *	  database with the extension, its router and KPI refresher, and for a
 *	  database without a router, why (not preloaded, standby, disabled,
 *	  paused, no worker slot, no shared slot).  Also the per-database pause
 *	  (omni.pause_workers / omni.resume_workers) and omni._workers_preloaded().
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xlog.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "omnichannel.h"
#include "worker/worker.h"

/* InitMaterializedSRF() is the 15.1 name of 15.0's SetSingleFuncCall(). */
#if PG_VERSION_NUM < 150001
#define InitMaterializedSRF(fcinfo, flags) SetSingleFuncCall(fcinfo, flags)
#endif

/* Columns of omni._worker_status() (0.2.0). */
enum
{
	C_DATID, C_PID, C_STATE, C_REASON, C_STARTED_AT, C_LAST_CYCLE_AT, C_LAST_CYCLE_MS,
	C_LAST_CYCLE_OFFERS, C_CYCLES, C_OFFERS, C_WAKEUPS, C_TICKS, C_TICK_ITEMS,
	C_KPI_PID, C_KPI_STATE, C_KPI_REFRESHES, C_LAST_KPI_AT, C_LAST_KPI_MS,
	C_ERRORS, C_LAST_ERROR, C_LAST_ERROR_AT, C_NEXT_TICK_AT, C_LAUNCHER_PID,
	C_NCOLS
};

/* The 0.1.0 function's columns, as positions in the 0.2.0 row. */
static const int v010_columns[] = {
	C_DATID, C_PID, C_STATE, C_STARTED_AT, C_LAST_CYCLE_AT, C_LAST_CYCLE_MS, C_LAST_CYCLE_OFFERS,
	C_CYCLES, C_OFFERS, C_WAKEUPS, C_TICKS, C_TICK_ITEMS, C_KPI_REFRESHES, C_ERRORS,
	C_LAST_ERROR, C_LAST_ERROR_AT, C_NEXT_TICK_AT, C_LAUNCHER_PID
};

#define REASON_NOT_PRELOADED \
	"omnichannel is not in shared_preload_libraries: no worker runs; schedule omni.route(), omni.tick() and omni.refresh_kpis() (docs/worker.md)"
#define REASON_STANDBY "this server is a standby: the workers start after promotion"
#define REASON_DISABLED "omnichannel.enable_workers is off"
#define REASON_HELD "paused by omni.pause_workers(); omni.resume_workers() starts it again"
#define REASON_DDL "a command on this database (DROP/ALTER EXTENSION, DROP/RENAME DATABASE) is running"
#define REASON_NO_WORKER_SLOT "no background worker slot is free: raise max_worker_processes"
#define REASON_NO_LAUNCHER "the launcher is not running"
#define REASON_STOPPED "not running: the launcher starts it at its next pass"

static const char *
proc_state_name(int state)
{
	switch (state)
	{
		case PROC_STARTING:
			return "starting";
		case PROC_RUNNING:
			return "running";
		case PROC_IDLE:
			return "idle";
		case PROC_NO_WORKER_SLOT:
			return "no_worker_slot";
		default:
			return "stopped";
	}
}

/* router_state: the state shown for a database's router, and why it is not routing. */
static void
router_state(const OmniDbSlot *s, int launcher_pid, TimestampTz now,
			 const char **state, const char **reason)
{
	*reason = NULL;
	if (RecoveryInProgress())
	{
		*state = "standby";
		*reason = REASON_STANDBY;
	}
	else if (s->held)
	{
		*state = "paused";
		*reason = REASON_HELD;
	}
	else if (s->paused_until != 0 && now < s->paused_until)
	{
		*state = "paused";
		*reason = REASON_DDL;
	}
	else if (s->router.state == PROC_STOPPED && s->ext == EXT_NO)
		*state = "no_extension";
	else if (s->router.state == PROC_STOPPED && !omni_enable_workers)
	{
		*state = "disabled";
		*reason = REASON_DISABLED;
	}
	else
	{
		*state = proc_state_name(s->router.state);
		if (s->router.state == PROC_IDLE)
			*reason = REASON_DISABLED;
		else if (s->router.state == PROC_NO_WORKER_SLOT)
			*reason = REASON_NO_WORKER_SLOT;
		else if (s->router.state == PROC_STOPPED)
			*reason = launcher_pid == 0 ? REASON_NO_LAUNCHER : REASON_STOPPED;
	}
}

static void
put_row(ReturnSetInfo *rsinfo, bool v010, Datum *values, bool *nulls)
{
	if (v010)
	{
		Datum		v[lengthof(v010_columns)];
		bool		n[lengthof(v010_columns)];

		for (int i = 0; i < lengthof(v010_columns); i++)
		{
			v[i] = values[v010_columns[i]];
			n[i] = nulls[v010_columns[i]];
		}
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, n);
	}
	else
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

#define TS_OR_NULL(col, ts) \
	do { values[col] = TimestampTzGetDatum(ts); nulls[col] = ((ts) == 0); } while (0)

static void
slot_row(ReturnSetInfo *rsinfo, bool v010, OmniDbSlot *s, int launcher_pid, TimestampTz now)
{
	Datum		values[C_NCOLS];
	bool		nulls[C_NCOLS];
	const char *state;
	const char *reason;
	bool		held = s->held || (s->paused_until != 0 && now < s->paused_until);

	memset(nulls, 0, sizeof(nulls));
	router_state(s, launcher_pid, now, &state, &reason);
	values[C_DATID] = ObjectIdGetDatum(s->dboid);
	values[C_PID] = Int32GetDatum(s->router.pid);
	values[C_STATE] = CStringGetTextDatum(state);
	values[C_REASON] = reason ? CStringGetTextDatum(reason) : (Datum) 0;
	nulls[C_REASON] = (reason == NULL);
	TS_OR_NULL(C_STARTED_AT, s->router.pid != 0 ? s->router.started_at : 0);
	TS_OR_NULL(C_LAST_CYCLE_AT, s->last_cycle_at);
	values[C_LAST_CYCLE_MS] = Float8GetDatum(s->last_cycle_ms);
	nulls[C_LAST_CYCLE_MS] = (s->last_cycle_at == 0);
	values[C_LAST_CYCLE_OFFERS] = Int32GetDatum(s->last_cycle_offers);
	nulls[C_LAST_CYCLE_OFFERS] = (s->last_cycle_at == 0);
	values[C_CYCLES] = Int64GetDatum((int64) s->cycles);
	values[C_OFFERS] = Int64GetDatum((int64) s->offers);
	values[C_WAKEUPS] = Int64GetDatum((int64) s->wakeups);
	values[C_TICKS] = Int64GetDatum((int64) s->ticks);
	values[C_TICK_ITEMS] = Int64GetDatum((int64) s->tick_items);
	values[C_KPI_PID] = Int32GetDatum(s->kpi.pid);
	values[C_KPI_STATE] = CStringGetTextDatum(held && s->kpi.pid == 0 ? "paused" : proc_state_name(s->kpi.state));
	values[C_KPI_REFRESHES] = Int64GetDatum((int64) s->kpi_refreshes);
	TS_OR_NULL(C_LAST_KPI_AT, s->last_kpi_at);
	values[C_LAST_KPI_MS] = Float8GetDatum(s->last_kpi_ms);
	nulls[C_LAST_KPI_MS] = (s->last_kpi_at == 0);
	values[C_ERRORS] = Int64GetDatum((int64) s->errors);
	s->last_error[sizeof(s->last_error) - 1] = '\0';
	values[C_LAST_ERROR] = CStringGetTextDatum(s->last_error);
	nulls[C_LAST_ERROR] = (s->last_error[0] == '\0');
	TS_OR_NULL(C_LAST_ERROR_AT, s->last_error_at);
	TS_OR_NULL(C_NEXT_TICK_AT, s->next_tick_at);
	values[C_LAUNCHER_PID] = Int32GetDatum(launcher_pid);
	put_row(rsinfo, v010, values, nulls);
}

/* A row for this database when it has no slot: why nothing runs here. */
static void
missing_row(ReturnSetInfo *rsinfo, bool v010, int launcher_pid, int nslots, bool slots_full)
{
	Datum		values[C_NCOLS];
	bool		nulls[C_NCOLS];
	const char *state;
	char	   *reason;

	memset(nulls, 1, sizeof(nulls));
	if (omni_shared == NULL)
	{
		state = "not_preloaded";
		reason = REASON_NOT_PRELOADED;
	}
	else if (RecoveryInProgress())
	{
		state = "standby";
		reason = REASON_STANDBY;
	}
	else if (!omni_enable_workers)
	{
		state = "disabled";
		reason = REASON_DISABLED;
	}
	else if (slots_full)
	{
		state = "no_slot";
		reason = psprintf("all omnichannel.max_databases (%d) slots are in use by other databases: raise it (restart needed)",
						  nslots);
	}
	else
	{
		state = "stopped";
		reason = launcher_pid == 0 ? REASON_NO_LAUNCHER : REASON_STOPPED;
	}
	values[C_DATID] = ObjectIdGetDatum(MyDatabaseId);
	nulls[C_DATID] = false;
	values[C_PID] = Int32GetDatum(0);
	nulls[C_PID] = false;
	values[C_STATE] = CStringGetTextDatum(state);
	nulls[C_STATE] = false;
	values[C_REASON] = CStringGetTextDatum(reason);
	nulls[C_REASON] = false;
	values[C_KPI_PID] = Int32GetDatum(0);
	nulls[C_KPI_PID] = false;
	values[C_KPI_STATE] = CStringGetTextDatum("stopped");
	nulls[C_KPI_STATE] = false;
	for (int c = C_CYCLES; c <= C_TICK_ITEMS; c++)
	{
		values[c] = Int64GetDatum(0);
		nulls[c] = false;
	}
	values[C_KPI_REFRESHES] = values[C_ERRORS] = Int64GetDatum(0);
	nulls[C_KPI_REFRESHES] = nulls[C_ERRORS] = false;
	values[C_LAUNCHER_PID] = Int32GetDatum(launcher_pid);
	nulls[C_LAUNCHER_PID] = (omni_shared == NULL);
	put_row(rsinfo, v010, values, nulls);
}

/*
 * worker_status: one row per database known to have the extension (or not
 * yet known: no worker could look), plus this database when it has no slot.
 */
static void
worker_status(FunctionCallInfo fcinfo, bool v010)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	OmniDbSlot *copy = NULL;
	int			nslots = 0;
	int			used = 0;
	int			launcher_pid = 0;
	bool		mine = false;
	TimestampTz now = GetCurrentTimestamp();

	InitMaterializedSRF(fcinfo, 0);
	if (omni_shared != NULL)
	{
		nslots = omni_shared->nslots;
		copy = palloc(sizeof(OmniDbSlot) * nslots);
		LWLockAcquire(omni_shared->lock, LW_SHARED);
		memcpy(copy, omni_shared->slots, sizeof(OmniDbSlot) * nslots);
		launcher_pid = omni_shared->launcher_pid;
		LWLockRelease(omni_shared->lock);
	}
	for (int i = 0; i < nslots; i++)
	{
		OmniDbSlot *s = &copy[i];

		if (!s->in_use)
			continue;
		used++;
		if (s->dboid == MyDatabaseId)
			mine = true;
		else if (s->ext == EXT_NO)
			continue;
		slot_row(rsinfo, v010, s, launcher_pid, now);
	}
	if (!mine)
		missing_row(rsinfo, v010, launcher_pid, nslots, used >= nslots);
}

PG_FUNCTION_INFO_V1(omni_worker_status);

/* omni._worker_status() of 0.1.0 (18 columns): kept until ALTER EXTENSION UPDATE. */
Datum
omni_worker_status(PG_FUNCTION_ARGS)
{
	worker_status(fcinfo, true);
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(omni_worker_status_v2);

/* omni._worker_status() of 0.2.0. */
Datum
omni_worker_status_v2(PG_FUNCTION_ARGS)
{
	worker_status(fcinfo, false);
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(omni_pause_workers);

/*
 * omni.pause_workers(): stop this database's router and KPI refresher and
 * keep them stopped until omni.resume_workers(), DROP DATABASE or a restart.
 * Returns when they have left.  Nothing to do when the library is not preloaded.
 */
Datum
omni_pause_workers(PG_FUNCTION_ARGS)
{
	if (omni_shared != NULL && !omni_stop_db_workers(MyDatabaseId, true))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_RESOURCES),
				 errmsg("could not pause the omnichannel workers of this database"),
				 errdetail("All omnichannel.max_databases (%d) slots are in use.", omni_shared->nslots),
				 errhint("Raise omnichannel.max_databases (restart needed).")));
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(omni_resume_workers);

/* omni.resume_workers(): let the launcher start this database's workers again now. */
Datum
omni_resume_workers(PG_FUNCTION_ARGS)
{
	OmniDbSlot *s;

	if (omni_shared == NULL)
		PG_RETURN_VOID();
	LWLockAcquire(omni_shared->lock, LW_EXCLUSIVE);
	s = omni_slot_for(MyDatabaseId, false);
	if (s)
	{
		s->held = false;
		s->router.retry_after = 0;
		s->kpi.retry_after = 0;
	}
	LWLockRelease(omni_shared->lock);
	omni_wake_launcher_latch();
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(omni_workers_preloaded);

/* omni._workers_preloaded(): is omnichannel in shared_preload_libraries (workers possible)? */
Datum
omni_workers_preloaded(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(omni_shared != NULL);
}
