/*-------------------------------------------------------------------------
 *
 * follow.c
 *	  Presence follows load: the one definition of the presence an agent's
 *	  load gives it, used by the router in memory (write.c) and by
 *	  omni._follow_load(bigint[]), which every SQL path that changes an
 *	  agent's load calls.
 *
 * omni._follow_load was a PL/pgSQL query of five joined tables with two
 * lateral aggregates, run twice per conversation (the offer, the release):
 * its executor start alone cost more than the rows it read.  Here each
 * agent's rows are read by index probes under the statement's snapshot
 * (the caller has locked the agents), the level comes from rt_load_level,
 * and the changes go to omni_write_presence (presence_write.c), the one
 * writer.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"

#include "omnichannel.h"
#include "row_write.h"
#include "routing/routing.h"

PG_FUNCTION_INFO_V1(omni_follow_load);

/*
 * rt_presence_target: the presence agent a's load gives it, or NULL when
 * presence does not follow load for it (logged out, or a chosen presence
 * that is system-only or not Available- or Busy-based: Away, Offline, DND
 * and system presences chosen by hand are left alone).  Dynamics 365's
 * rule (research §d.2), over every capacity source:
 *   Busy - DND  rt_load_level says full;
 *   Busy        it holds something (its chosen presence if Busy-based);
 *   otherwise   its chosen presence if Available-based, else Available.
 */
const char *
rt_presence_target(RAgent *a, int *base)
{
	int			level;

	if (!a->logged_in || a->chosen_system ||
		(a->chosen_base != BASE_AVAILABLE && a->chosen_base != BASE_BUSY))
		return NULL;
	level = rt_load_level(a);
	if (level == LOAD_FULL)
	{
		*base = BASE_BUSY_DND;
		return "Busy - DND";
	}
	if (level == LOAD_PARTLY)
	{
		*base = BASE_BUSY;
		return a->chosen_base == BASE_BUSY ? a->chosen : "Busy";
	}
	*base = BASE_AVAILABLE;
	return a->chosen_base == BASE_AVAILABLE ? a->chosen : "Available";
}

/* The BASE_* of an omni.base_status value. */
static int
base_of(Oid label)
{
	return rt_base_status(DatumGetCString(DirectFunctionCall1(enum_out, ObjectIdGetDatum(label))));
}

/* ---------------------------------------------------------------------------
 * Reading an agent's load from the tables
 * ---------------------------------------------------------------------------
 *
 * What omni._follow_load needs, and what a routing cycle checks again once
 * it has locked the agents it offers to (write.c): presence, chosen
 * presence, login, units held, and per capacity profile its limit, the
 * items held and, for end_of_day profiles, the items of the day.  Every row
 * is found by an index probe, whatever the statistics say.
 */
void
rt_agent_reader_open(AgentReader *r)
{
	omni_probe_open(&r->state, "agent_state", NULL);
	omni_probe_open(&r->presence, "presence", NULL);
	omni_probe_open(&r->agent, "agent", NULL);
	omni_probe_open(&r->hold, "capacity_hold", "capacity_hold_agent_idx");
	omni_probe_open(&r->has_profile, "agent_capacity_profile", NULL);	/* (agent_id, profile) */
	omni_probe_open(&r->profile, "capacity_profile", NULL);
	omni_probe_open(&r->use, "capacity_profile_use", NULL);	/* (agent_id, profile, day) */
	r->state_agent = omni_probe_att(&r->state, "agent_id");
	r->state_presence = omni_probe_att(&r->state, "presence");
	r->state_chosen = omni_probe_att(&r->state, "chosen_presence");
	r->state_logged_in = omni_probe_att(&r->state, "logged_in");
	r->state_last_assigned = omni_probe_att(&r->state, "last_assigned_at");
	r->state_last_released = omni_probe_att(&r->state, "last_released_at");
	r->presence_name = omni_probe_att(&r->presence, "name");
	r->presence_base = omni_probe_att(&r->presence, "base_status");
	r->presence_system = omni_probe_att(&r->presence, "system_only");
	r->agent_id = omni_probe_att(&r->agent, "id");
	r->agent_units = omni_probe_att(&r->agent, "capacity_units");
	r->hold_agent = omni_probe_att(&r->hold, "agent_id");
	r->hold_units = omni_probe_att(&r->hold, "units");
	r->hold_profile = omni_probe_att(&r->hold, "profile");
	r->hold_kind = omni_probe_att(&r->hold, "kind");
	r->has_agent = omni_probe_att(&r->has_profile, "agent_id");
	r->has_profile_name = omni_probe_att(&r->has_profile, "profile");
	r->has_max = omni_probe_att(&r->has_profile, "max_items");
	r->profile_name = omni_probe_att(&r->profile, "name");
	r->profile_max = omni_probe_att(&r->profile, "max_items");
	r->profile_blocking = omni_probe_att(&r->profile, "blocking");
	r->profile_reset = omni_probe_att(&r->profile, "reset");
	r->use_agent = omni_probe_att(&r->use, "agent_id");
	r->use_profile = omni_probe_att(&r->use, "profile");
	r->use_day = omni_probe_att(&r->use, "day");
	r->use_items = omni_probe_att(&r->use, "items");
}

void
rt_agent_reader_close(AgentReader *r)
{
	omni_probe_close(&r->use);
	omni_probe_close(&r->profile);
	omni_probe_close(&r->has_profile);
	omni_probe_close(&r->hold);
	omni_probe_close(&r->agent);
	omni_probe_close(&r->presence);
	omni_probe_close(&r->state);
}

/*
 * rt_utc_day: the UTC day of t, as omni.capacity_profile_use.day stores it
 * (days since 2000-01-01, a DateADT): end_of_day profile counts start again
 * with each.
 */
int32
rt_utc_day(TimestampTz t)
{
	return (int32) (t / USECS_PER_DAY - (t % USECS_PER_DAY < 0 ? 1 : 0));
}

/* A timestamptz column of a probed row, NULL_TIME when NULL (as rt_col_time). */
static double
probe_time(OmniProbe *p, HeapTuple tup, AttrNumber att)
{
	bool		isnull;
	Datum		d = omni_probe_get(p, tup, att, &isnull);

	return isnull ? NULL_TIME : (double) DatumGetTimestampTz(d);
}

/*
 * rt_read_agent_load reads agent id as the tables have it now into *a
 * (zeroed first; strings in the current memory context): presence, chosen
 * presence with its base and whether it is system-only, login, capacity
 * units and units held, and its capacity profiles (limit, blocking, reset,
 * items held, and for end_of_day profiles the items of now's UTC day plus
 * its pending offers under the profile, as omni._profile_items counts
 * them), and its last offer and release.  False when the agent or its
 * runtime row does not exist.  The rows
 * are read under the active snapshot: a caller that has just locked the
 * agent must read under a snapshot taken after the lock.
 */
bool
rt_read_agent_load(AgentReader *r, int64 id, TimestampTz now, RAgent *a)
{
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	bool		isnull;
	int			nholds = 0;
	int			maxholds = 8;
	char	  **held_profile = palloc(maxholds * sizeof(char *));
	bool	   *held_offer = palloc(maxholds * sizeof(bool));
	int			maxprofiles = 4;
	DateADT		today = rt_utc_day(now);

	memset(a, 0, sizeof(RAgent));
	a->id = id;
	a->chosen_base = BASE_OFFLINE;

	scan = omni_probe_begin(&r->state, r->state_agent, Int64GetDatum(id), &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
	{
		a->presence = TextDatumGetCString(omni_probe_get(&r->state, tup, r->state_presence, &isnull));
		a->chosen = TextDatumGetCString(omni_probe_get(&r->state, tup, r->state_chosen, &isnull));
		a->logged_in = DatumGetBool(omni_probe_get(&r->state, tup, r->state_logged_in, &isnull));
		a->last_assigned = probe_time(&r->state, tup, r->state_last_assigned);
		a->last_released = probe_time(&r->state, tup, r->state_last_released);
	}
	systable_endscan(scan);
	if (!HeapTupleIsValid(tup))
		return false;

	scan = omni_probe_begin(&r->presence, r->presence_name, CStringGetTextDatum(a->chosen), &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
	{
		a->chosen_base = base_of(DatumGetObjectId(omni_probe_get(&r->presence, tup, r->presence_base, &isnull)));
		a->chosen_system = DatumGetBool(omni_probe_get(&r->presence, tup, r->presence_system, &isnull));
	}
	systable_endscan(scan);

	scan = omni_probe_begin(&r->agent, r->agent_id, Int64GetDatum(id), &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
		a->total = DatumGetInt32(omni_probe_get(&r->agent, tup, r->agent_units, &isnull));
	systable_endscan(scan);
	if (!HeapTupleIsValid(tup))
		return false;

	/* what it holds: units, and the profile and kind of each hold */
	scan = omni_probe_begin(&r->hold, r->hold_agent, Int64GetDatum(id), &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Datum		profile;
		char	   *kind;

		a->used += DatumGetInt32(omni_probe_get(&r->hold, tup, r->hold_units, &isnull));
		profile = omni_probe_get(&r->hold, tup, r->hold_profile, &isnull);
		if (isnull)
			continue;
		if (nholds == maxholds)
		{
			maxholds *= 2;
			held_profile = repalloc(held_profile, maxholds * sizeof(char *));
			held_offer = repalloc(held_offer, maxholds * sizeof(bool));
		}
		kind = TextDatumGetCString(omni_probe_get(&r->hold, tup, r->hold_kind, &isnull));
		held_offer[nholds] = strcmp(kind, "offer") == 0;
		held_profile[nholds++] = TextDatumGetCString(profile);
	}
	systable_endscan(scan);

	/* its capacity profiles, their limits and what counts against each */
	a->profiles = palloc(maxprofiles * sizeof(AgentProfile));
	scan = omni_probe_begin(&r->has_profile, r->has_agent, Int64GetDatum(id), &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		AgentProfile *p;
		Datum		own_max = omni_probe_get(&r->has_profile, tup, r->has_max, &isnull);
		bool		own_max_null = isnull;
		ScanKeyData pkey;
		SysScanDesc pscan;
		HeapTuple	ptup;

		if (a->nprofiles == maxprofiles)
		{
			maxprofiles *= 2;
			a->profiles = repalloc(a->profiles, maxprofiles * sizeof(AgentProfile));
		}
		p = &a->profiles[a->nprofiles];
		memset(p, 0, sizeof(AgentProfile));
		p->name = TextDatumGetCString(omni_probe_get(&r->has_profile, tup, r->has_profile_name, &isnull));
		pscan = omni_probe_begin(&r->profile, r->profile_name, CStringGetTextDatum(p->name), &pkey);
		ptup = systable_getnext(pscan);
		if (HeapTupleIsValid(ptup))
		{
			p->blocking = DatumGetBool(omni_probe_get(&r->profile, ptup, r->profile_blocking, &isnull));
			p->end_of_day = strcmp(TextDatumGetCString(omni_probe_get(&r->profile, ptup, r->profile_reset, &isnull)),
								   "end_of_day") == 0;
			p->limit = own_max_null
				? DatumGetInt32(omni_probe_get(&r->profile, ptup, r->profile_max, &isnull))
				: DatumGetInt32(own_max);
		}
		systable_endscan(pscan);
		if (!HeapTupleIsValid(ptup))
			continue;			/* the foreign key makes this impossible */
		for (int i = 0; i < nholds; i++)
			if (strcmp(held_profile[i], p->name) == 0)
			{
				p->held++;
				if (p->end_of_day && held_offer[i])
					p->used_today++;	/* a pending offer counts */
			}
		if (p->end_of_day)
		{
			/* the items taken today: the one row of (agent, profile, day) */
			AttrNumber	atts[3] = {r->use_agent, r->use_profile, r->use_day};
			Datum		values[3] = {Int64GetDatum(id), CStringGetTextDatum(p->name), DateADTGetDatum(today)};
			ScanKeyData ukeys[3];

			pscan = omni_probe_begin_n(&r->use, 3, atts, values, ukeys);
			while (HeapTupleIsValid(ptup = systable_getnext(pscan)))
				p->used_today += DatumGetInt32(omni_probe_get(&r->use, ptup, r->use_items, &isnull));
			systable_endscan(pscan);
		}
		a->nprofiles++;
	}
	systable_endscan(scan);
	return true;
}

/*
 * omni_follow_load_agents: recompute the presence of agents ids[0..n-1]
 * from their load (rt_presence_target) and write the changes, in agent id
 * order, through the presence writer (set by 'load').  The load is read as
 * a new statement would see it, so that the caller's own writes just before
 * (a hold deleted, offers written) count.  The caller has locked the
 * agents, as every change of an agent's load does.
 */
void
omni_follow_load_agents(const int64 *agents, int n)
{
	int64	   *ids;
	int			nids;
	TimestampTz now = omni_now();
	AgentReader r;
	int64	   *changed;
	char	  **old;
	char	  **target;
	int			nchanged = 0;

	if (n <= 0)
		return;
	ids = palloc(n * sizeof(int64));
	memcpy(ids, agents, n * sizeof(int64));
	nids = n;
	qsort(ids, nids, sizeof(int64), rt_cmp_int64);

	changed = palloc(nids * sizeof(int64));
	old = palloc(nids * sizeof(char *));
	target = palloc(nids * sizeof(char *));
	omni_statement_begin();
	rt_agent_reader_open(&r);
	for (int i = 0; i < nids; i++)
	{
		RAgent		a;
		const char *to;
		int			base;

		if (i > 0 && ids[i] == ids[i - 1])
			continue;
		if (!rt_read_agent_load(&r, ids[i], now, &a))
			continue;
		to = rt_presence_target(&a, &base);
		if (to == NULL || strcmp(to, a.presence) == 0)
			continue;
		changed[nchanged] = ids[i];
		old[nchanged] = a.presence;
		target[nchanged] = (char *) to;
		nchanged++;
	}
	rt_agent_reader_close(&r);
	omni_statement_end();
	omni_write_presence(nchanged, changed, old, target, "load");
}

/* omni._follow_load(agents bigint[]): omni_follow_load_agents, from SQL. */
Datum
omni_follow_load(PG_FUNCTION_ARGS)
{
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int64	   *ids;
	int			nids = 0;

	if (PG_ARGISNULL(0))
		PG_RETURN_VOID();
	arr = PG_GETARG_ARRAYTYPE_P(0);
	deconstruct_array(arr, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elems, &nulls, &n);
	ids = palloc(Max(n, 1) * sizeof(int64));
	for (int i = 0; i < n; i++)
		if (!nulls[i])
			ids[nids++] = DatumGetInt64(elems[i]);
	omni_follow_load_agents(ids, nids);
	PG_RETURN_VOID();
}
