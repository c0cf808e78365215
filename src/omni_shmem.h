/*-------------------------------------------------------------------------
 *
 * omni_shmem.h
 *	  Layout of omnichannel's shared memory: one slot per database with a
 *	  routing worker, and the launcher's identity.
 *
 *-------------------------------------------------------------------------
 */
#ifndef OMNI_SHMEM_H
#define OMNI_SHMEM_H

#include "postgres.h"
#include "storage/lwlock.h"
#include "utils/timestamp.h"

#define OMNI_MAX_DATABASES 64

typedef enum OmniSlotState
{
	SLOT_FREE = 0,
	SLOT_STOPPED,				/* known database, no worker now */
	SLOT_STARTING,				/* registered by the launcher, not yet running */
	SLOT_RUNNING,
	SLOT_IDLE,					/* running, omnichannel.enable_workers off */
	SLOT_NO_EXTENSION			/* the database has no omnichannel: retry later */
} OmniSlotState;

typedef struct OmniDbSlot
{
	Oid			dboid;
	int			state;
	int			pid;
	int			procno;			/* PGPROC number of the worker, -1 if none */
	TimestampTz started_at;
	TimestampTz registered_at;
	TimestampTz retry_after;	/* launcher: do not start before */
	TimestampTz paused_until;	/* DROP/RENAME/CREATE DATABASE ... TEMPLATE in progress */
	TimestampTz last_cycle_at;
	double		last_cycle_ms;
	int			last_cycle_offers;
	uint64		cycles;
	uint64		offers;
	uint64		wakeups;
	uint64		ticks;
	uint64		tick_items;
	uint64		kpi_refreshes;
	uint64		errors;
	TimestampTz last_error_at;
	TimestampTz next_tick_at;
	char		last_error[256];
} OmniDbSlot;

typedef struct OmniShared
{
	LWLock	   *lock;
	int			launcher_pid;
	int			launcher_procno;
	OmniDbSlot	slots[OMNI_MAX_DATABASES];
} OmniShared;

extern OmniShared *omni_shared;
extern OmniDbSlot *omni_slot_for(Oid dboid, bool create);

#endif							/* OMNI_SHMEM_H */
