/*-------------------------------------------------------------------------
 *
 * agent_ring.c
 *	  Which agents changed: one ring of agent ids per database in shared
 *	  memory, appended at commit, read by the router's agent cache.
 *
 * omni._agents_changed(), a row trigger on the tables of agents' runtime
 * state (agent_state, capacity_hold, queue_rotation, capacity_profile_use),
 * notes the agent of each row; at commit the ids go into the database's ring
 * and the router is woken if conversations may wait for an agent.  A
 * TRUNCATE, or a transaction that changed more than AGENT_BULK agents, moves
 * the ring to a new generation instead: every cached agent is stale.  The
 * cache (agent_cache.c) takes the ids appended since its last cycle
 * (rt_agent_ring_since) and those of its own transaction not yet committed
 * (rt_agents_pending).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/datum.h"
#include "utils/memutils.h"

#include "omnichannel.h"
#include "omni_shmem.h"
#include "routing/routing.h"

/*
 * A transaction that changed more agents marks them all stale instead.  A
 * routing cycle under load offers to hundreds of agents, each noted three
 * or four times (hold, state, rotation): the ids are kept distinct, and the
 * bound is above what a cycle offers, so the router's own cycles never make
 * it read every agent again (each such read took 15-25 ms at 1,000/s).
 */
#define AGENT_BULK 1024

/* Ids one ring keeps; a router further behind reads every agent again. */
#define AGENT_RING_SIZE 4096

struct AgentRing
{
	slock_t		mutex;
	uint64		gen;			/* changes when every cached agent is stale */
	uint64		seq;			/* ids appended so far */
	int64		ids[AGENT_RING_SIZE];
};

static AgentRing *agent_rings = NULL;

/* This transaction's changes, published at commit. */
static int64 *pending = NULL;
static int	npending = 0;
static int	pending_cap = 0;
static bool pending_all = false;
static bool callbacks_registered = false;

Size
omni_agent_rings_size(void)
{
	return mul_size(sizeof(AgentRing), omni_max_databases);
}

/* omni_agent_rings_init: at shared memory start-up (AddinShmemInitLock held). */
void
omni_agent_rings_init(void)
{
	bool		found;

	agent_rings = ShmemInitStruct("omnichannel agent changes", omni_agent_rings_size(), &found);
	if (!found)
		for (int i = 0; i < omni_max_databases; i++)
		{
			SpinLockInit(&agent_rings[i].mutex);
			agent_rings[i].gen = 1;
			agent_rings[i].seq = 0;
		}
}

/* omni_agent_ring_reset: a database slot was given to a database. */
void
omni_agent_ring_reset(int slot)
{
	if (agent_rings == NULL)
		return;
	SpinLockAcquire(&agent_rings[slot].mutex);
	agent_rings[slot].gen++;
	SpinLockRelease(&agent_rings[slot].mutex);
}

/*
 * The ring of this database, NULL when it has no slot (or no shared memory);
 * with router_procno, also the PGPROC number of its router (-1 if none, or
 * if it is this backend) and with router_waiting, the slot's flag that says
 * whether conversations may wait for an agent.
 */
static AgentRing *
my_ring(int *router_procno, pg_atomic_uint32 **router_waiting)
{
	OmniDbSlot *s;
	AgentRing  *r = NULL;

	if (router_procno)
		*router_procno = -1;
	if (omni_shared == NULL || agent_rings == NULL)
		return NULL;
	LWLockAcquire(omni_shared->lock, LW_SHARED);
	s = omni_slot_for(MyDatabaseId, false);
	if (s)
	{
		r = &agent_rings[s - omni_shared->slots];
		if (router_procno)
			*router_procno = omni_slot_router_procno(s);
		if (router_waiting)
			*router_waiting = &s->router_waiting;
	}
	LWLockRelease(omni_shared->lock);
	return r;
}

static void
publish(void)
{
	int			router;
	pg_atomic_uint32 *router_waiting = NULL;
	AgentRing  *r = my_ring(&router, &router_waiting);

	if (r == NULL)
		return;
	SpinLockAcquire(&r->mutex);
	if (pending_all)
		r->gen++;
	else
		for (int i = 0; i < npending; i++)
			r->ids[r->seq++ % AGENT_RING_SIZE] = pending[i];
	SpinLockRelease(&r->mutex);

	/*
	 * After the ids are in the ring: the cycle this starts sees them.  Only
	 * while conversations may wait for an agent (a change of an agent cannot
	 * make an offer otherwise; the next cycle that has work reads the agents
	 * the ring lists).  The router sets the flag before a cycle reads the
	 * ring, we read it after appending: either that cycle sees our ids or we
	 * see the flag.
	 */
	pg_memory_barrier();
	if (router >= 0 && pg_atomic_read_u32(router_waiting) != 0)
		SetLatch(&ProcGlobal->allProcs[router].procLatch);
}

static void
ring_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_PREPARE:
			if (npending > 0 || pending_all)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("cannot PREPARE a transaction that changed agents' routing state"),
						 errdetail("The router learns of an agent's changes when the transaction that made them commits."),
						 errhint("Commit the transaction directly.")));
			return;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
			if (npending > 0 || pending_all)
				publish();
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			break;
		case XACT_EVENT_PREPARE:
			break;
		default:
			return;
	}
	npending = 0;
	pending_all = false;
}

static void
register_callbacks(void)
{
	if (!callbacks_registered)
	{
		RegisterXactCallback(ring_xact_callback, NULL);
		callbacks_registered = true;
	}
}

static void
note_agent(int64 id)
{
	if (pending_all)
		return;
	/* distinct ids: most transactions note one to three agents */
	for (int i = npending - 1; i >= 0; i--)
		if (pending[i] == id)
			return;
	if (npending >= AGENT_BULK)
	{
		pending_all = true;
		npending = 0;
		return;
	}
	if (npending == pending_cap)
	{
		pending_cap = Max(64, pending_cap * 2);
		pending = pending == NULL
			? MemoryContextAlloc(TopMemoryContext, sizeof(int64) * pending_cap)
			: repalloc(pending, sizeof(int64) * pending_cap);
	}
	pending[npending++] = id;
}

static void
note_tuple(HeapTuple tuple, TupleDesc desc, int attno)
{
	bool		isnull;
	Datum		d;

	if (tuple == NULL)
		return;
	d = heap_getattr(tuple, attno, desc, &isnull);
	if (!isnull)
		note_agent(DatumGetInt64(d));
}

/*
 * same_column: whether column name of old and new holds the same value
 * (a column the table lacks counts as changed).  Compared as stored: a value
 * stored differently reads as changed, which costs the router a read, never
 * a missed change.
 */
static bool
same_column(HeapTuple old, HeapTuple new, TupleDesc desc, const char *name, bool *new_null)
{
	int			attno = SPI_fnumber(desc, name);
	Form_pg_attribute att;
	bool		old_null;
	Datum		a,
				b;

	*new_null = true;
	if (attno <= 0)
		return false;
	att = TupleDescAttr(desc, attno - 1);
	a = heap_getattr(old, attno, desc, &old_null);
	b = heap_getattr(new, attno, desc, new_null);
	if (old_null || *new_null)
		return old_null == *new_null;
	return datumIsEqual(a, b, att->attbyval, att->attlen);
}

/*
 * hold_change_matters: whether an update of a capacity hold changes what the
 * routers read of it (agent_probe.c, follow.c): its agent, units and profile,
 * and its kind when it has a profile (an end_of_day profile counts pending
 * offers).  The accept turns an offer's hold into work and changes neither.
 */
static bool
hold_change_matters(HeapTuple old, HeapTuple new, TupleDesc desc)
{
	bool		null;
	bool		no_profile;

	if (!same_column(old, new, desc, "agent_id", &null) ||
		!same_column(old, new, desc, "units", &null) ||
		!same_column(old, new, desc, "profile", &no_profile))
		return true;
	return !no_profile && !same_column(old, new, desc, "kind", &null);
}

PG_FUNCTION_INFO_V1(omni_agents_changed);

/*
 * omni._agents_changed(): AFTER row trigger on the tables of agents' runtime
 * state (and statement trigger for TRUNCATE): the routers read the agents
 * again once this transaction commits.
 */
Datum
omni_agents_changed(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	int			attno;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("omni._agents_changed() must be called as a trigger")));
	register_callbacks();
	if (TRIGGER_FIRED_BY_TRUNCATE(td->tg_event))
	{
		pending_all = true;
		return PointerGetDatum(NULL);
	}
	if (!TRIGGER_FIRED_FOR_ROW(td->tg_event) || !TRIGGER_FIRED_AFTER(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("omni._agents_changed() must be an AFTER ... FOR EACH ROW trigger (or a TRUNCATE trigger)")));
	desc = RelationGetDescr(td->tg_relation);
	attno = SPI_fnumber(desc, "agent_id");
	if (attno <= 0 || TupleDescAttr(desc, attno - 1)->atttypid != INT8OID)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("omni._agents_changed() needs a bigint column agent_id in \"%s\"",
						RelationGetRelationName(td->tg_relation))));
	if (td->tg_trigger->tgnargs > 0)
	{
		/* the argument names the rule that says which updates matter */
		if (td->tg_trigger->tgnargs != 1 || strcmp(td->tg_trigger->tgargs[0], "hold") != 0)
			ereport(ERROR,
					(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
					 errmsg("omni._agents_changed() takes no argument or 'hold'")));
		if (TRIGGER_FIRED_BY_UPDATE(td->tg_event) &&
			!hold_change_matters(td->tg_trigtuple, td->tg_newtuple, desc))
			return PointerGetDatum(NULL);
	}
	note_tuple(td->tg_trigtuple, desc, attno);
	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
		note_tuple(td->tg_newtuple, desc, attno);
	return PointerGetDatum(NULL);
}

PG_FUNCTION_INFO_V1(omni_agents_noted);

/*
 * omni._agents_noted(): how many agents this transaction has noted as
 * changed so far, -1 when every agent is (tests).
 */
Datum
omni_agents_noted(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(pending_all ? -1 : npending);
}

/*
 * rt_agent_ring: the ring of this database's changed agents, or NULL when
 * there is none (no shared memory, no slot).
 */
AgentRing *
rt_agent_ring(void)
{
	return my_ring(NULL, NULL);
}

/*
 * rt_agent_ring_behind: whether a cache that followed the ring up to
 * (cached_gen, cached_seq) cannot follow it to (gen, seq) id by id: a new
 * generation, or more ids since than the ring keeps.
 */
bool
rt_agent_ring_behind(uint64 cached_gen, uint64 cached_seq, uint64 gen, uint64 seq)
{
	return cached_gen != gen || seq - cached_seq > AGENT_RING_SIZE;
}

/*
 * rt_agent_ring_since reads the ring's generation and position into *gen
 * and *seq and, when a cache that followed it up to (cached_gen,
 * cached_seq) can still follow it id by id, the ids appended since into
 * *ids (made in the current memory context, with room for extra more; NULL
 * when none) and their number into *n.  The array is allocated with the
 * spinlock released (an allocation can fail); if the ids were overwritten
 * meanwhile, *gen and *seq are the ring's newer position, which the cache
 * cannot follow id by id (rt_agent_ring_behind).
 */
void
rt_agent_ring_since(AgentRing *ring, uint64 cached_gen, uint64 cached_seq, int extra,
					uint64 *gen, uint64 *seq, int64 **ids, int *n)
{
	int64	   *buf;
	int			count;

	*ids = NULL;
	*n = 0;
	SpinLockAcquire(&ring->mutex);
	*gen = ring->gen;
	*seq = ring->seq;
	SpinLockRelease(&ring->mutex);
	if (rt_agent_ring_behind(cached_gen, cached_seq, *gen, *seq) || *seq <= cached_seq)
		return;
	count = (int) (*seq - cached_seq);
	buf = palloc(sizeof(int64) * (count + extra));
	SpinLockAcquire(&ring->mutex);
	if (rt_agent_ring_behind(cached_gen, cached_seq, ring->gen, ring->seq))
	{
		*gen = ring->gen;
		*seq = ring->seq;
		count = 0;
	}
	else
		for (uint64 s = cached_seq; s < *seq; s++)
			buf[s - cached_seq] = ring->ids[s % AGENT_RING_SIZE];
	SpinLockRelease(&ring->mutex);
	if (count == 0)
	{
		pfree(buf);
		return;
	}
	*ids = buf;
	*n = count;
}

/*
 * rt_agents_pending: the agents this transaction changed and has not
 * committed yet (*ids, *n); true when it changed too many to list.
 */
bool
rt_agents_pending(const int64 **ids, int *n)
{
	*ids = pending;
	*n = npending;
	return pending_all;
}
