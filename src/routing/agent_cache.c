/*-------------------------------------------------------------------------
 *
 * agent_cache.c
 *	  The agents a routing cycle reads, kept between cycles and read again
 *	  only when they changed.
 *
 * A cycle needs every logged-in member of the queues in play: load,
 * presence, rotation clocks, skills and capacity profiles.  Read from the
 * tables each cycle that costs about 10 us per member: a cycle that makes
 * one offer in a 60-member queue spent more on reading than on writing, and
 * a backlog spread over every queue read every agent again at every cycle.
 *
 * So a backend that routes keeps the agents (the members of every queue) in
 * memory, and what changes them is known:
 *  - their runtime rows (agent_state, capacity_hold, queue_rotation,
 *    capacity_profile_use): a row trigger, omni._agents_changed(), notes the
 *    agent; at commit the ids go into a ring in shared memory (one per
 *    database slot, agent_ring.c) and the router is woken if conversations
 *    may wait for an agent (router.c).  Each cycle takes the ids
 *    appended since its last cycle, plus those its own transaction changed
 *    and has not committed, reads those agents again and puts them over
 *    their cached copies (the memberships are kept ordered by agent for
 *    that), so that a cycle costs what changed, not every cached agent;
 *  - their configuration (agents, skills, memberships, capacity profiles,
 *    presences): the configuration cache's invalidation (config.c) drops
 *    this cache as well;
 *  - a TRUNCATE, a transaction that changed too many agents to list, a ring
 *    that wrapped since the last cycle, a new day (end_of_day profiles), or
 *    an aborted (sub)transaction in which a cycle read agents (it may have
 *    read its own rolled-back changes): every agent is read again.
 * Whatever the cache holds, an offer is written only after the chosen agent
 * is locked and found as it was read (rt_check_chosen_agents): a stale
 * entry can cost an offer one cycle, never make a wrong one.  Without the
 * shared memory (library not preloaded) or before the 0.3.0 SQL, cycles read
 * the tables (load.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "omnichannel.h"
#include "routing/routing.h"

/* A cycle of this transaction read agents: an abort may leave them wrong. */
static bool read_in_xact = false;
static bool callbacks_registered = false;

typedef struct AgentCache
{
	MemoryContext cxt;			/* NULL: nothing cached */
	RCycle		rc;				/* agents (ordered by id) and their config */
	uint64		config_loads;
	bool		custom;			/* agents carry their custom-rule documents */
	uint64		gen;
	uint64		seq;
	int64		day;
	int			reads;			/* agents read again since the full read */
	int			nrows;			/* memberships of every queue */
	RMembership *rows;
} AgentCache;

static AgentCache cache;

static int	cmp_rows(const void *a, const void *b);

/* Number of full reads of the agents in this backend (tests). */
static uint64 full_reads = 0;

static void
drop_cache(void)
{
	if (cache.cxt)
		MemoryContextDelete(cache.cxt);
	memset(&cache, 0, sizeof(cache));
}

/*
 * A (sub)transaction in which a cycle read agents aborted: what it read may
 * include its own changes, rolled back.
 */
static void
cache_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			if (read_in_xact)
				drop_cache();
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PREPARE:
			break;
		default:
			return;
	}
	read_in_xact = false;
}

static void
cache_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
					   SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB && read_in_xact)
		drop_cache();
}

static void
register_callbacks(void)
{
	if (!callbacks_registered)
	{
		RegisterXactCallback(cache_xact_callback, NULL);
		RegisterSubXactCallback(cache_subxact_callback, NULL);
		callbacks_registered = true;
	}
}

PG_FUNCTION_INFO_V1(omni_agent_cache_reads);

/* omni._agent_cache_reads(): full reads of the agents in this backend (tests). */
Datum
omni_agent_cache_reads(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64((int64) full_reads);
}

/* An RCycle over the cache's agents, for the readers of load.c. */
static void
init_cache_cycle(RCycle *c, RCycle *rc, MemoryContext cxt)
{
	memset(c, 0, sizeof(RCycle));
	c->cxt = cxt;
	c->now = rc->now;
	c->nskills = rc->nskills;
	c->skills = rc->skills;
	c->npresences = rc->npresences;
	c->presences = rc->presences;
	c->nqueues = rc->nqueues;
	c->queues = rc->queues;		/* names only, while reading */
	c->any_custom = rc->any_custom;
}

/* full_read reads every member of every queue into a new cache. */
static void
full_read(RCycle *rc)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "omnichannel agent cache",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	AgentCache	fresh;
	char	  **names = palloc(sizeof(char *) * Max(rc->nqueues, 1));
	Datum		args[2];
	char		nulls[2] = {' ', ' '};

	memset(&fresh, 0, sizeof(fresh));
	fresh.cxt = cxt;
	init_cache_cycle(&fresh.rc, rc, cxt);
	for (int i = 0; i < rc->nqueues; i++)
		names[i] = rc->queues[i].name;
	args[0] = rt_text_array(names, rc->nqueues);
	args[1] = BoolGetDatum(rc->any_custom);
	rt_run(P_LOAD_AGENTS, args, nulls);
	rt_read_agents(&fresh.rc);
	rt_read_agent_details(&fresh.rc, true);
	rt_run(P_MEMBERS, args, NULL);
	MemoryContextSwitchTo(cxt);	/* SPI left us in its procedure context */
	fresh.nrows = rt_read_members(rc, &fresh.rows);
	/* ordered by agent: refresh() replaces an agent's memberships in place */
	qsort(fresh.rows, fresh.nrows, sizeof(RMembership), cmp_rows);
	MemoryContextSwitchTo(old);
	if (fresh.rc.config_stale)
		rc->config_stale = true;
	fresh.rc.queues = NULL;
	fresh.rc.nqueues = 0;

	/* complete: keep it */
	MemoryContextSetParent(cxt, TopMemoryContext);
	drop_cache();
	cache = fresh;
	cache.config_loads = rt_config_loads();
	cache.custom = rc->any_custom;
	full_reads++;
}

/* copy_ints: a copy of n ints in the current context (NULL for none). */
static int *
copy_ints(const int *v, int n)
{
	int		   *c;

	if (v == NULL || n <= 0)
		return NULL;
	c = palloc(sizeof(int) * n);
	memcpy(c, v, sizeof(int) * n);
	return c;
}

/*
 * rt_copy_agent copies agent from, with everything it points to, into the
 * current memory context (a read presence that is the presence stays one
 * string).
 */
void
rt_copy_agent(RAgent *to, const RAgent *from)
{
	*to = *from;
	to->presence = from->presence ? pstrdup(from->presence) : NULL;
	to->chosen = from->chosen ? pstrdup(from->chosen) : NULL;
	to->read_presence = from->read_presence == from->presence ? to->presence :
		from->read_presence ? pstrdup(from->read_presence) : NULL;
	to->read_chosen = from->read_chosen == from->chosen ? to->chosen :
		from->read_chosen ? pstrdup(from->read_chosen) : NULL;
	to->skill = copy_ints(from->skill, from->nskills);
	to->prof = copy_ints(from->prof, from->nskills);
	to->read_held = copy_ints(from->read_held, from->nprofiles);
	to->read_used_today = copy_ints(from->read_used_today, from->nprofiles);
	to->profiles = NULL;
	if (from->nprofiles > 0)
	{
		to->profiles = palloc(sizeof(AgentProfile) * from->nprofiles);
		for (int k = 0; k < from->nprofiles; k++)
		{
			to->profiles[k] = from->profiles[k];
			to->profiles[k].name = pstrdup(from->profiles[k].name);
		}
	}
	if (from->doc != NULL)
	{
		to->doc = palloc(VARSIZE(from->doc));
		memcpy(to->doc, from->doc, VARSIZE(from->doc));
	}
}

/*
 * compact copies what the cache holds into a new memory context and frees
 * the old one.  refresh() replaces the agents it reads again but leaves what
 * the replaced ones pointed to (names, skills, profiles, documents) in the
 * cache's context; this bounds that memory without reading the agents from
 * the tables again, which took 15-25 ms for 1,000 agents and stalled the
 * offers of that cycle every few seconds under load.
 */
static void
compact(void)
{
	MemoryContext cxt = AllocSetContextCreate(TopMemoryContext, "omnichannel agent cache",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	RAgent	   *agents = palloc(sizeof(RAgent) * Max(cache.rc.nagents, 1));
	RMembership *rows = palloc(sizeof(RMembership) * Max(cache.nrows, 1));

	for (int i = 0; i < cache.rc.nagents; i++)
		rt_copy_agent(&agents[i], &cache.rc.agents[i]);
	if (cache.nrows > 0)
		memcpy(rows, cache.rows, sizeof(RMembership) * cache.nrows);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cache.cxt);
	cache.cxt = cxt;
	cache.rc.cxt = cxt;
	cache.rc.agents = agents;
	cache.rows = rows;
	elog(DEBUG1, "omnichannel routing: agent cache compacted after %d agents read again", cache.reads);
	cache.reads = 0;
}

/*
 * keep_skills gives the agents of fresh the skills the cache has for them:
 * skills are configuration, and a change of configuration reads every agent
 * again (read_whole_reason), so an agent read again by id has the skills it
 * had.  False when some agent is new to the cache: the caller reads the
 * skills of them all then.
 */
static bool
keep_skills(RCycle *fresh)
{
	bool		all = true;

	for (int j = 0; j < fresh->nagents; j++)
	{
		RAgent	   *a = &fresh->agents[j];
		RAgent	   *was = bsearch(&a->id, cache.rc.agents, cache.rc.nagents, sizeof(RAgent), rt_cmp_int64);

		if (was == NULL)
		{
			all = false;
			continue;
		}
		a->nskills = was->nskills;
		a->skill = was->skill;
		a->prof = was->prof;
	}
	return all;
}

/*
 * cmp_rows orders memberships by agent (what first_row needs), then queue.
 */
static int
cmp_rows(const void *a, const void *b)
{
	const RMembership *x = a;
	const RMembership *y = b;

	if (x->agent != y->agent)
		return x->agent < y->agent ? -1 : 1;
	return x->queue < y->queue ? -1 : x->queue > y->queue ? 1 : 0;
}

/*
 * first_row: the index of the first of the cache's memberships (ordered by
 * agent) that belongs to agent or to a later one.
 */
static int
first_row(int64 agent)
{
	int			lo = 0,
				hi = cache.nrows;

	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (cache.rows[mid].agent < agent)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * agents_in_place puts the agents of fresh (read again: ids, in order) over
 * their cached copies; false, having replaced some or none, when one of ids
 * is not cached or was not read (the caller then merges).  The common case
 * of a routing cycle: a few agents whose load changed, among a thousand
 * cached; merging copied every cached agent at every cycle.
 */
static bool
agents_in_place(RCycle *fresh, int n)
{
	if (fresh->nagents != n)
		return false;
	for (int j = 0; j < fresh->nagents; j++)
	{
		int			ai = rt_find_agent(&cache.rc, fresh->agents[j].id);

		if (ai < 0)
			return false;
		cache.rc.agents[ai] = fresh->agents[j];
	}
	return true;
}

/*
 * rows_in_place puts the memberships read again (rows, ordered by agent, of
 * the agents ids) over the cached ones; false, having replaced some or none,
 * when an agent's number of memberships changed (the caller then rebuilds).
 */
static bool
rows_in_place(const RMembership *rows, int nrows, const int64 *ids, int n)
{
	int			r = 0;

	for (int i = 0; i < n; i++)
	{
		int			start = first_row(ids[i]);
		int			count = 0;
		int			fresh = 0;

		while (start + count < cache.nrows && cache.rows[start + count].agent == ids[i])
			count++;
		while (r + fresh < nrows && rows[r + fresh].agent == ids[i])
			fresh++;
		if (count != fresh)
			return false;
		if (fresh > 0)
			memcpy(cache.rows + start, rows + r, sizeof(RMembership) * fresh);
		r += fresh;
	}
	return r == nrows;
}

/* refresh reads the agents of ids (sorted, distinct) again. */
static void
refresh(RCycle *rc, int64 *ids, int n)
{
	MemoryContext old = MemoryContextSwitchTo(rc->cxt);	/* the cycle's: temporary */
	RCycle		fresh;
	Datum		args[2];
	char		nulls[2] = {' ', ' '};
	RAgent	   *merged;
	int			m = 0,
				i = 0,
				j = 0;
	int			nrows;
	RMembership *rows;

	init_cache_cycle(&fresh, rc, cache.cxt);
	if (!rc->any_custom)
	{
		/* by probes (agent_probe.c); the statements for an agent new to the cache */
		rt_probe_agents(&fresh, ids, n);
		if (!keep_skills(&fresh))
			rt_read_agent_details(&fresh, true);
	}
	else
	{
		/* custom rules evaluate the agent's document the statement builds */
		args[0] = rt_int8_array(ids, n);
		args[1] = BoolGetDatum(rc->any_custom);
		rt_run(P_LOAD_AGENTS_BY_ID, args, nulls);
		rt_read_agents(&fresh);
		rt_read_agent_details(&fresh, !keep_skills(&fresh));
	}
	MemoryContextSwitchTo(cache.cxt);	/* SPI left us in its procedure context */
	if (fresh.config_stale)
		rc->config_stale = true;

	/*
	 * The agents read again replace their cached copies in place, or else
	 * the cached agents not read again and those read (both ordered by id)
	 * are merged.  The arrays replaced are freed: a router refreshes many
	 * times a second.  What a replaced agent pointed to (names, skills,
	 * profiles) stays until the next compaction, which cache.reads bounds.
	 */
	if (!agents_in_place(&fresh, n))
	{
		merged = palloc(sizeof(RAgent) * Max(cache.rc.nagents + fresh.nagents, 1));
		while (i < cache.rc.nagents || j < fresh.nagents)
		{
			if (j >= fresh.nagents ||
				(i < cache.rc.nagents && cache.rc.agents[i].id < fresh.agents[j].id))
			{
				if (!bsearch(&cache.rc.agents[i].id, ids, n, sizeof(int64), rt_cmp_int64))
					merged[m++] = cache.rc.agents[i];	/* not re-read: unchanged */
				i++;
			}
			else
			{
				if (i < cache.rc.nagents && cache.rc.agents[i].id == fresh.agents[j].id)
					i++;
				merged[m++] = fresh.agents[j++];
			}
		}
		if (cache.rc.agents)
			pfree(cache.rc.agents);
		if (fresh.agents)
			pfree(fresh.agents);
		cache.rc.agents = merged;
		cache.rc.nagents = m;
	}
	else if (fresh.agents)
		pfree(fresh.agents);

	/* their memberships and rotation clocks, in place unless their number changed */
	MemoryContextSwitchTo(rc->cxt);
	nrows = rt_probe_members(rc, ids, n, &rows);
	MemoryContextSwitchTo(cache.cxt);
	if (!rows_in_place(rows, nrows, ids, n))
	{
		RMembership *kept = palloc(sizeof(RMembership) * Max(cache.nrows + nrows, 1));
		int			r = 0;

		for (int k = 0; k < cache.nrows; k++)
			if (!bsearch(&cache.rows[k].agent, ids, n, sizeof(int64), rt_cmp_int64))
				kept[r++] = cache.rows[k];
		memcpy(kept + r, rows, sizeof(RMembership) * nrows);
		qsort(kept, r + nrows, sizeof(RMembership), cmp_rows);
		if (cache.rows)
			pfree(cache.rows);
		cache.rows = kept;
		cache.nrows = r + nrows;
	}
	MemoryContextSwitchTo(old);
	cache.reads += n;
}

/*
 * build_cycle gives rc the cached agents that are members of the queues in
 * play, as load.c would have read them.
 */
static void
build_cycle(RCycle *rc, const bool *inplay)
{
	MemoryContext old = MemoryContextSwitchTo(rc->cxt);
	bool	   *use = palloc0(sizeof(bool) * Max(cache.rc.nagents, 1));
	RMembership *rows = palloc(sizeof(RMembership) * Max(cache.nrows, 1));
	int			n = 0,
				nrows = 0;

	for (int k = 0; k < cache.nrows; k++)
	{
		int			ai;

		if (cache.rows[k].queue < 0 || !inplay[cache.rows[k].queue])
			continue;
		rows[nrows++] = cache.rows[k];
		ai = rt_find_agent(&cache.rc, cache.rows[k].agent);
		if (ai >= 0)
			use[ai] = true;
	}
	rc->agents = palloc(sizeof(RAgent) * Max(cache.rc.nagents, 1));
	for (int i = 0; i < cache.rc.nagents; i++)
	{
		RAgent	   *a;

		if (!use[i])
			continue;
		a = &rc->agents[n++];
		*a = cache.rc.agents[i];
		/* the cycle counts its offers into the profiles: its own copy */
		if (a->nprofiles > 0)
		{
			a->profiles = palloc(sizeof(AgentProfile) * a->nprofiles);
			memcpy(a->profiles, cache.rc.agents[i].profiles, sizeof(AgentProfile) * a->nprofiles);
		}
	}
	rc->nagents = n;
	MemoryContextSwitchTo(old);
	rt_set_members(rc, nrows, rows);
}

/*
 * ring_behind: whether the cache cannot follow the ring at gen/seq id by id
 * (nothing cached, a new ring, or more ids since than the ring keeps).
 */
static bool
ring_behind(uint64 gen, uint64 seq)
{
	return cache.cxt == NULL || rt_agent_ring_behind(cache.gen, cache.seq, gen, seq);
}

/*
 * read_whole_reason: why a cycle of rc must read every agent again, or NULL
 * when the agents changed since can be read by id.
 */
static const char *
read_whole_reason(RCycle *rc, uint64 gen, uint64 seq, int64 day)
{
	const int64 *pending;
	int			npending;

	if (ring_behind(gen, seq))
		return "none cached, or the changes are no longer listed: a bulk change or a ring that wrapped";
	if (rt_agents_pending(&pending, &npending))
		return "this transaction changed too many agents to list";
	if (cache.config_loads != rt_config_loads())
		return "configuration changed";
	if (cache.day != day)
		return "a new day";
	if (cache.custom != rc->any_custom)
		return "custom rules appeared or went";
	return NULL;
}

/* read_up_to: the cache now holds the agents as of ring position gen/seq. */
static void
read_up_to(uint64 gen, uint64 seq, int64 day)
{
	cache.gen = gen;
	cache.seq = seq;
	cache.day = day;
	read_in_xact = true;
}

/*
 * sync_cache brings the cache up to the ring: every agent read again when it
 * must be, else the agents changed since its last read (and those this
 * transaction changed).  Returns whether it read every agent; a cycle that
 * has conversations to offer (offering) logs why at DEBUG1.
 */
static bool
sync_cache(RCycle *rc, AgentRing *ring, bool offering)
{
	uint64		gen;
	uint64		seq;
	int64		day = rt_utc_day(rc->now);
	int64	   *ids = NULL;
	int			n = 0;
	const int64 *pending;
	int			npending;
	const char *whole;
	MemoryContext old;

	/*
	 * The ids changed since the last cycle, while the ring still has them,
	 * and those this transaction changed, not yet committed.
	 */
	(void) rt_agents_pending(&pending, &npending);
	old = MemoryContextSwitchTo(rc->cxt);
	if (cache.cxt != NULL)
		rt_agent_ring_since(ring, cache.gen, cache.seq, npending, &gen, &seq, &ids, &n);
	else
		rt_agent_ring_since(ring, 0, 0, 0, &gen, &seq, &ids, &n);
	MemoryContextSwitchTo(old);

	whole = read_whole_reason(rc, gen, seq, day);
	if (!whole && cache.reads > 4 * Max(cache.rc.nagents, 64))
		compact();
	if (whole)
	{
		if (offering)
			elog(DEBUG1, "omnichannel routing: reading every agent again (%s)", whole);
		full_read(rc);
	}
	else
	{
		/* and what this transaction changed, not yet committed */
		if (npending > 0)
		{
			if (ids == NULL)
				ids = MemoryContextAlloc(rc->cxt, sizeof(int64) * npending);
			memcpy(ids + n, pending, sizeof(int64) * npending);
			n += npending;
		}
		if (n > 0)
		{
			int			u = 0;

			qsort(ids, n, sizeof(int64), rt_cmp_int64);
			for (int i = 0; i < n; i++)
				if (u == 0 || ids[u - 1] != ids[i])
					ids[u++] = ids[i];
			refresh(rc, ids, u);
		}
	}
	read_up_to(gen, seq, day);
	return whole != NULL;
}

/*
 * cache_ring: the ring of this database's changed agents, with the
 * transaction callbacks registered, or NULL when the cache cannot serve
 * this cycle (the 0.1.0 SQL, no change triggers, no shared memory).
 */
static AgentRing *
cache_ring(RCycle *rc)
{
	AgentRing  *ring;

	if (rc->legacy_sql || !rt_config_agents_cacheable())
		return NULL;
	ring = rt_agent_ring();
	if (ring != NULL)
		register_callbacks();
	return ring;
}

/*
 * rt_warm_agent_cache brings the cache up to date in a cycle that has no
 * conversation to offer: every agent when it must be read whole, else the
 * agents changed since.  A configuration change, a new day or a router that
 * just started would otherwise make the next conversation wait for that
 * read (15-25 ms for 1,000 agents), and so would the agents that changed
 * while nothing waited (a shift logging in, agents working on their
 * conversations in a quiet hour: 15 ms for 1,000 agents read by id, or a
 * whole read once the ring wrapped).  Costs a spinlock and a few
 * comparisons when the cache is current.  Returns whether it read every
 * agent.
 */
bool
rt_warm_agent_cache(RCycle *rc)
{
	AgentRing  *ring = cache_ring(rc);

	return ring != NULL && sync_cache(rc, ring, false);
}

/*
 * rt_agents_from_cache gives the cycle its agents from the cache, reading
 * again what changed; false when the cache cannot serve this database.
 */
bool
rt_agents_from_cache(RCycle *rc, const bool *inplay)
{
	AgentRing  *ring = cache_ring(rc);

	if (ring == NULL)
		return false;
	(void) sync_cache(rc, ring, true);
	build_cycle(rc, inplay);
	return true;
}
