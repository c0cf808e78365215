/*-------------------------------------------------------------------------
 *
 * worker.h
 *	  Internals shared by the background-worker modules (docs/worker.md):
 *	  launcher.c starts the per-database workers, router.c routes and
 *	  ticks, kpi.c refreshes the KPIs, unit.c runs one unit of work in its
 *	  own transaction, ddl.c keeps DROP DATABASE & co. from being blocked,
 *	  status.c shows all of it in omni.worker_status.
 *
 *-------------------------------------------------------------------------
 */
#ifndef OMNI_WORKER_H
#define OMNI_WORKER_H

#include "postgres.h"

#include "omni_shmem.h"

/* Worker type names: pg_stat_activity.backend_type and application_name. */
#define OMNI_LAUNCHER_NAME	"omnichannel launcher"
#define OMNI_ROUTER_NAME	"omnichannel router"
#define OMNI_KPI_NAME		"omnichannel kpi"

/* A worker that registered but never came up is forgotten after this. */
#define OMNI_START_TIMEOUT_MS	30000
/* After a crash or a kill, the launcher starts the worker again after this. */
#define OMNI_RESTART_DELAY_MS	1000
/* Back-off after an error in a unit of work. */
#define OMNI_ERROR_BACKOFF_MS	1000

typedef enum OmniWorkerKind
{
	OMNI_WORKER_ROUTER,
	OMNI_WORKER_KPI
} OmniWorkerKind;

/* unit.c */
extern OmniDbSlot *omni_worker_attach(Oid dboid, OmniWorkerKind kind);
extern OmniProcSlot *omni_worker_proc(OmniDbSlot *slot, OmniWorkerKind kind);
extern void omni_worker_begin_unit(const char *activity);
extern void omni_worker_end_unit(void);
extern void omni_worker_record_error(OmniDbSlot *slot, MemoryContext cxt);
extern bool omni_worker_extension_exists(void);
extern bool omni_worker_should_leave(OmniDbSlot *slot);
extern void omni_worker_set_state(int state);
extern bool omni_worker_idle_if_disabled(void);
extern void omni_worker_set_niceness(int nice, const char *guc);

/* router.c, kpi.c: entry points named in bgw_function_name */
PGDLLEXPORT void omni_router_main(Datum arg);
PGDLLEXPORT void omni_kpi_main(Datum arg);
PGDLLEXPORT void omni_launcher_main(Datum arg);

#endif							/* OMNI_WORKER_H */
