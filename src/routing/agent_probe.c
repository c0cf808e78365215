/*-------------------------------------------------------------------------
 *
 * agent_probe.c
 *	  The agent cache's refresh of changed agents by index probes: what
 *	  P_LOAD_AGENTS_BY_ID and P_PROFILES read, and the agents' memberships
 *	  with their rotation clocks, without a statement.
 *
 * A routing cycle under load reads again the few agents that changed since
 * the previous cycle (agent_cache.c), and the three statements' executor
 * start and SPI overhead cost more than their probes.  The rows are the
 * same: an agent through rt_read_agent_load (the reader the cycle's check
 * of its locked agents uses: follow.c), kept when logged in and in a
 * presence that is not offline; its memberships with their rotation clocks.
 * Skills are not read (the cache keeps them: configuration), nor the
 * document custom rules evaluate: agent_cache.c takes this path only when
 * every agent is cached and no queue has custom rules.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "omnichannel.h"
#include "routing/routing.h"

/*
 * rt_probe_agents reads agents ids (sorted, distinct) into rc->agents (in
 * rc->cxt), as rt_read_agents and rt_read_profiles would from the
 * statements: the logged-in agents rt_admit_agent admits, their load and
 * capacity profiles as read now.
 */
void
rt_probe_agents(RCycle *rc, const int64 *ids, int n)
{
	MemoryContext old = MemoryContextSwitchTo(rc->cxt);
	/* the reader's scans and garbage: rc->cxt may be the long-lived cache */
	MemoryContext scratch = AllocSetContextCreate(CurrentMemoryContext, "omnichannel agent probe",
												  ALLOCSET_SMALL_SIZES);
	AgentReader r;
	int			kept = 0;

	rc->agents = palloc0(sizeof(RAgent) * Max(n, 1));
	PushActiveSnapshot(GetTransactionSnapshot());
	rt_agent_reader_open(&r);
	for (int i = 0; i < n; i++)
	{
		RAgent		read;
		bool		admitted;

		MemoryContextSwitchTo(scratch);
		admitted = rt_read_agent_load(&r, ids[i], rc->now, &read) && read.logged_in &&
			rt_admit_agent(rc, &read);
		if (admitted)
			rt_note_read_profiles(&read);
		MemoryContextSwitchTo(rc->cxt);
		if (admitted)
			rt_copy_agent(&rc->agents[kept++], &read);
		MemoryContextReset(scratch);
	}
	rt_agent_reader_close(&r);
	PopActiveSnapshot();
	MemoryContextDelete(scratch);
	rc->nagents = kept;
	MemoryContextSwitchTo(old);
}

/*
 * rt_probe_members reads the memberships of agents ids with their rotation
 * clocks (the last offer from the queue, else added_at) into an array made
 * in the current memory context, as rt_read_members reads P_MEMBERS;
 * returns their number.
 */
int
rt_probe_members(RCycle *rc, const int64 *ids, int n, RMembership **rows)
{
	OmniProbe	member;
	OmniProbe	rotation;
	AttrNumber	member_agent;
	AttrNumber	member_queue;
	AttrNumber	member_added;
	AttrNumber	rot_atts[2];
	AttrNumber	rot_last;
	int			nrows = 0;
	int			max = Max(n * 4, 8);

	*rows = palloc(sizeof(RMembership) * max);
	PushActiveSnapshot(GetTransactionSnapshot());
	omni_probe_open(&member, "queue_member", "queue_member_agent_idx");
	omni_probe_open(&rotation, "queue_rotation", NULL);	/* (queue, agent_id) */
	member_agent = omni_probe_att(&member, "agent_id");
	member_queue = omni_probe_att(&member, "queue");
	member_added = omni_probe_att(&member, "added_at");
	rot_atts[0] = omni_probe_att(&rotation, "queue");
	rot_atts[1] = omni_probe_att(&rotation, "agent_id");
	rot_last = omni_probe_att(&rotation, "last_assigned_at");
	for (int i = 0; i < n; i++)
	{
		ScanKeyData key;
		SysScanDesc scan = omni_probe_begin(&member, member_agent, Int64GetDatum(ids[i]), &key);
		HeapTuple	tup;

		while (HeapTupleIsValid(tup = systable_getnext(scan)))
		{
			bool		isnull;
			Datum		queue = omni_probe_get(&member, tup, member_queue, &isnull);
			RMembership *m;
			Datum		values[2];
			ScanKeyData keys[2];
			SysScanDesc rscan;
			HeapTuple	rtup;

			if (nrows == max)
			{
				max *= 2;
				*rows = repalloc(*rows, sizeof(RMembership) * max);
			}
			m = &(*rows)[nrows++];
			m->queue = rt_find_queue(rc, TextDatumGetCString(queue));
			m->agent = ids[i];
			m->rot = (double) DatumGetTimestampTz(omni_probe_get(&member, tup, member_added, &isnull));
			m->rotated = false;
			values[0] = queue;
			values[1] = Int64GetDatum(ids[i]);
			rscan = omni_probe_begin_n(&rotation, 2, rot_atts, values, keys);
			rtup = systable_getnext(rscan);
			if (HeapTupleIsValid(rtup))
			{
				Datum		last = omni_probe_get(&rotation, rtup, rot_last, &isnull);

				if (!isnull)
				{
					m->rot = (double) DatumGetTimestampTz(last);
					m->rotated = true;
				}
			}
			systable_endscan(rscan);
		}
		systable_endscan(scan);
	}
	omni_probe_close(&rotation);
	omni_probe_close(&member);
	PopActiveSnapshot();
	return nrows;
}
