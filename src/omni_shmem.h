/*-------------------------------------------------------------------------
 *
 * omni_shmem.h
 *	  Layout of omnichannel's shared memory: one slot per database
 *	  (omnichannel.max_databases of them) holding its two workers, the
 *	  router and the KPI refresher, and the launcher's identity.
 *
 *-------------------------------------------------------------------------
 */
#ifndef OMNI_SHMEM_H
#define OMNI_SHMEM_H

#include "postgres.h"
#include "port/atomics.h"
#include "storage/lwlock.h"
#include "utils/timestamp.h"

/* State of one worker process of a database (router or KPI refresher). */
typedef enum OmniProcState
{
	PROC_STOPPED = 0,			/* no worker now; the launcher starts one */
	PROC_STARTING,				/* registered by the launcher, not yet running */
	PROC_RUNNING,
	PROC_IDLE,					/* running, omnichannel.enable_workers off */
	PROC_NO_WORKER_SLOT			/* could not be registered: max_worker_processes */
} OmniProcState;

/* What the routers have learnt about the extension in a database. */
typedef enum OmniExtState
{
	EXT_UNKNOWN = 0,
	EXT_YES,
	EXT_NO
} OmniExtState;

typedef struct OmniProcSlot
{
	int			state;			/* OmniProcState */
	int			pid;
	int			procno;			/* PGPROC number, -1 if none */
	TimestampTz registered_at;
	TimestampTz started_at;
	TimestampTz retry_after;	/* launcher: do not start before */
	bool		warned;			/* launcher warned it found no worker slot */
} OmniProcSlot;

typedef struct OmniDbSlot
{
	bool		in_use;
	Oid			dboid;
	int			ext;			/* OmniExtState */
	bool		held;			/* omni.pause_workers(): stays stopped until resumed */
	TimestampTz paused_until;	/* DROP/RENAME/CREATE DATABASE ... TEMPLATE in progress */
	OmniProcSlot router;
	OmniProcSlot kpi;
	/* 1: a commit brought work to route (omni._wake_router()); the router clears it */
	pg_atomic_uint32 route_work;
	/* 1: conversations may wait for an agent (set by the router around each
	 * cycle): only then does a change of an agent wake it */
	pg_atomic_uint32 router_waiting;
	/* router counters since it started */
	TimestampTz last_cycle_at;
	double		last_cycle_ms;
	int			last_cycle_offers;
	uint64		cycles;
	uint64		offers;
	uint64		wakeups;
	uint64		ticks;
	uint64		tick_items;
	TimestampTz next_tick_at;
	/* KPI refresher */
	uint64		kpi_refreshes;
	TimestampTz last_kpi_at;
	double		last_kpi_ms;
	/* errors of either worker */
	uint64		errors;
	TimestampTz last_error_at;
	char		last_error[256];
} OmniDbSlot;

typedef struct OmniShared
{
	LWLock	   *lock;
	int			launcher_pid;
	int			launcher_procno;
	int			nslots;			/* omnichannel.max_databases at start */
	OmniDbSlot	slots[FLEXIBLE_ARRAY_MEMBER];
} OmniShared;

extern OmniShared *omni_shared;
extern OmniDbSlot *omni_slot_for(Oid dboid, bool create);
extern void omni_proc_slot_reset(OmniProcSlot *p);
extern bool omni_stop_db_workers(Oid dboid, bool hold);
extern void omni_wake_launcher_latch(void);
extern void omni_wake_router_at_commit(void);
extern void omni_config_changed_at_commit(void);
extern int	omni_slot_router_procno(const OmniDbSlot *s);

/* routing/agent_cache.c: the per-database rings of agents that changed */
extern Size omni_agent_rings_size(void);
extern void omni_agent_rings_init(void);
extern void omni_agent_ring_reset(int slot);

#endif							/* OMNI_SHMEM_H */
