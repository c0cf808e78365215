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
 * and the changes go to omni._write_presence, the one writer.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "omnichannel.h"
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

/* The BASE_* of an omni.base_status label. */
static int
base_of(Oid label)
{
	char	   *name = DatumGetCString(DirectFunctionCall1(enum_out, ObjectIdGetDatum(label)));
	static const char *const labels[] = {"available", "busy", "busy_dnd", "away", "offline"};

	for (int i = 0; i < lengthof(labels); i++)
		if (strcmp(name, labels[i]) == 0)
			return i;
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("unknown base status \"%s\"", name),
			 errhint("The omni.base_status type must be the one the extension created.")));
	return BASE_OFFLINE;		/* not reached */
}

typedef struct FollowTables
{
	OmniProbe	state,
				presence,
				agent,
				hold,
				has_profile,
				profile;
	AttrNumber	state_agent,
				state_presence,
				state_chosen,
				state_logged_in;
	AttrNumber	presence_name,
				presence_base,
				presence_system;
	AttrNumber	agent_id,
				agent_units;
	AttrNumber	hold_agent,
				hold_units,
				hold_profile;
	AttrNumber	has_agent,
				has_profile_name,
				has_max;
	AttrNumber	profile_name,
				profile_max,
				profile_blocking;
} FollowTables;

static void
follow_open(FollowTables *t)
{
	omni_probe_open(&t->state, "agent_state", NULL);
	omni_probe_open(&t->presence, "presence", NULL);
	omni_probe_open(&t->agent, "agent", NULL);
	omni_probe_open(&t->hold, "capacity_hold", "capacity_hold_agent_idx");
	omni_probe_open(&t->has_profile, "agent_capacity_profile", NULL);	/* (agent_id, profile) */
	omni_probe_open(&t->profile, "capacity_profile", NULL);
	t->state_agent = omni_probe_att(&t->state, "agent_id");
	t->state_presence = omni_probe_att(&t->state, "presence");
	t->state_chosen = omni_probe_att(&t->state, "chosen_presence");
	t->state_logged_in = omni_probe_att(&t->state, "logged_in");
	t->presence_name = omni_probe_att(&t->presence, "name");
	t->presence_base = omni_probe_att(&t->presence, "base_status");
	t->presence_system = omni_probe_att(&t->presence, "system_only");
	t->agent_id = omni_probe_att(&t->agent, "id");
	t->agent_units = omni_probe_att(&t->agent, "capacity_units");
	t->hold_agent = omni_probe_att(&t->hold, "agent_id");
	t->hold_units = omni_probe_att(&t->hold, "units");
	t->hold_profile = omni_probe_att(&t->hold, "profile");
	t->has_agent = omni_probe_att(&t->has_profile, "agent_id");
	t->has_profile_name = omni_probe_att(&t->has_profile, "profile");
	t->has_max = omni_probe_att(&t->has_profile, "max_items");
	t->profile_name = omni_probe_att(&t->profile, "name");
	t->profile_max = omni_probe_att(&t->profile, "max_items");
	t->profile_blocking = omni_probe_att(&t->profile, "blocking");
}

static void
follow_close(FollowTables *t)
{
	omni_probe_close(&t->profile);
	omni_probe_close(&t->has_profile);
	omni_probe_close(&t->hold);
	omni_probe_close(&t->agent);
	omni_probe_close(&t->presence);
	omni_probe_close(&t->state);
}

/*
 * Read agent id's presence, chosen presence and load into *a; false when
 * presence does not follow load for it (no such agent, logged out, or a
 * chosen presence that is not Available- or Busy-based).
 */
static bool
read_agent_load(FollowTables *t, int64 id, RAgent *a)
{
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	bool		isnull;
	int			nholds = 0;
	int			maxholds = 8;
	char	  **held_profile = palloc(maxholds * sizeof(char *));
	int			maxprofiles = 4;

	memset(a, 0, sizeof(RAgent));
	a->id = id;

	scan = omni_probe_begin(&t->state, t->state_agent, Int64GetDatum(id), &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
	{
		a->presence = TextDatumGetCString(omni_probe_get(&t->state, tup, t->state_presence, &isnull));
		a->chosen = TextDatumGetCString(omni_probe_get(&t->state, tup, t->state_chosen, &isnull));
		a->logged_in = DatumGetBool(omni_probe_get(&t->state, tup, t->state_logged_in, &isnull));
	}
	systable_endscan(scan);
	if (!HeapTupleIsValid(tup) || !a->logged_in)
		return false;

	scan = omni_probe_begin(&t->presence, t->presence_name, CStringGetTextDatum(a->chosen), &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
	{
		a->chosen_base = base_of(DatumGetObjectId(omni_probe_get(&t->presence, tup, t->presence_base, &isnull)));
		a->chosen_system = DatumGetBool(omni_probe_get(&t->presence, tup, t->presence_system, &isnull));
	}
	systable_endscan(scan);
	if (!HeapTupleIsValid(tup) || a->chosen_system ||
		(a->chosen_base != BASE_AVAILABLE && a->chosen_base != BASE_BUSY))
		return false;

	scan = omni_probe_begin(&t->agent, t->agent_id, Int64GetDatum(id), &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
		a->total = DatumGetInt32(omni_probe_get(&t->agent, tup, t->agent_units, &isnull));
	systable_endscan(scan);
	if (!HeapTupleIsValid(tup))
		return false;

	/* what it holds: units, and the profile of each hold */
	scan = omni_probe_begin(&t->hold, t->hold_agent, Int64GetDatum(id), &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Datum		profile;

		a->used += DatumGetInt32(omni_probe_get(&t->hold, tup, t->hold_units, &isnull));
		profile = omni_probe_get(&t->hold, tup, t->hold_profile, &isnull);
		if (isnull)
			continue;
		if (nholds == maxholds)
		{
			maxholds *= 2;
			held_profile = repalloc(held_profile, maxholds * sizeof(char *));
		}
		held_profile[nholds++] = TextDatumGetCString(profile);
	}
	systable_endscan(scan);

	/* its capacity profiles, their limits and how many items each holds */
	a->profiles = palloc(maxprofiles * sizeof(AgentProfile));
	scan = omni_probe_begin(&t->has_profile, t->has_agent, Int64GetDatum(id), &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		AgentProfile *p;
		Datum		own_max = omni_probe_get(&t->has_profile, tup, t->has_max, &isnull);
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
		p->name = TextDatumGetCString(omni_probe_get(&t->has_profile, tup, t->has_profile_name, &isnull));
		pscan = omni_probe_begin(&t->profile, t->profile_name, CStringGetTextDatum(p->name), &pkey);
		ptup = systable_getnext(pscan);
		if (HeapTupleIsValid(ptup))
		{
			p->blocking = DatumGetBool(omni_probe_get(&t->profile, ptup, t->profile_blocking, &isnull));
			p->limit = own_max_null
				? DatumGetInt32(omni_probe_get(&t->profile, ptup, t->profile_max, &isnull))
				: DatumGetInt32(own_max);
		}
		systable_endscan(pscan);
		if (!HeapTupleIsValid(ptup))
			continue;			/* the foreign key makes this impossible */
		for (int i = 0; i < nholds; i++)
			if (strcmp(held_profile[i], p->name) == 0)
				p->held++;
		a->nprofiles++;
	}
	systable_endscan(scan);
	return true;
}

static int
cmp_int64(const void *x, const void *y)
{
	int64		a = *(const int64 *) x;
	int64		b = *(const int64 *) y;

	return a < b ? -1 : a > b ? 1 : 0;
}

/*
 * omni._follow_load(agents bigint[]): recompute each agent's presence from
 * its load (rt_presence_target) and write the changes, in agent id order,
 * through omni._write_presence(..., 'load').  The caller has locked the
 * agents, as every change of an agent's load does.
 */
Datum
omni_follow_load(PG_FUNCTION_ARGS)
{
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int64	   *ids;
	int			nids = 0;
	FollowTables t;
	Datum	   *changed;
	Datum	   *old;
	Datum	   *target;
	int			nchanged = 0;

	if (PG_ARGISNULL(0))
		PG_RETURN_VOID();
	arr = PG_GETARG_ARRAYTYPE_P(0);
	deconstruct_array(arr, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elems, &nulls, &n);
	ids = palloc(Max(n, 1) * sizeof(int64));
	for (int i = 0; i < n; i++)
		if (!nulls[i])
			ids[nids++] = DatumGetInt64(elems[i]);
	if (nids == 0)
		PG_RETURN_VOID();
	qsort(ids, nids, sizeof(int64), cmp_int64);

	changed = palloc(nids * sizeof(Datum));
	old = palloc(nids * sizeof(Datum));
	target = palloc(nids * sizeof(Datum));
	follow_open(&t);
	for (int i = 0; i < nids; i++)
	{
		RAgent		a;
		const char *to;
		int			base;

		if (i > 0 && ids[i] == ids[i - 1])
			continue;
		if (!read_agent_load(&t, ids[i], &a))
			continue;
		to = rt_presence_target(&a, &base);
		if (to == NULL || strcmp(to, a.presence) == 0)
			continue;
		changed[nchanged] = Int64GetDatum(ids[i]);
		old[nchanged] = CStringGetTextDatum(a.presence);
		target[nchanged] = CStringGetTextDatum(to);
		nchanged++;
	}
	follow_close(&t);

	if (nchanged > 0)
	{
		static SPIPlanPtr write_plan = NULL;
		Datum		args[3];
		int			rc;

		args[0] = PointerGetDatum(construct_array(changed, nchanged, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
		args[1] = PointerGetDatum(construct_array(old, nchanged, TEXTOID, -1, false, TYPALIGN_INT));
		args[2] = PointerGetDatum(construct_array(target, nchanged, TEXTOID, -1, false, TYPALIGN_INT));
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "omni._follow_load: SPI_connect failed");
		if (write_plan == NULL)
		{
			Oid			types[3] = {INT8ARRAYOID, TEXTARRAYOID, TEXTARRAYOID};
			SPIPlanPtr	plan = SPI_prepare("SELECT omni._write_presence($1, $2, $3, 'load')", 3, types);

			if (plan == NULL)
				elog(ERROR, "omni._follow_load: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
			SPI_keepplan(plan);
			write_plan = plan;
		}
		rc = SPI_execute_plan(write_plan, args, NULL, false, 0);
		if (rc != SPI_OK_SELECT)
			elog(ERROR, "omni._follow_load: writing presence failed: %s", SPI_result_code_string(rc));
		SPI_finish();
	}
	PG_RETURN_VOID();
}
