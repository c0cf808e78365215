/*-------------------------------------------------------------------------
 *
 * load.c
 *	  Loading phase of a routing cycle: configuration, the candidate
 *	  conversations (locked), the logged-in members of their queues (not
 *	  locked), their skills, capacity profiles and declines.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "utils/rel.h"

#include <math.h>

#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/json.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/jsonpath.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "omnichannel.h"
#include "routing/routing.h"

/* ---------------------------------------------------------------------------
 * Loading
 * ---------------------------------------------------------------------------
 */

/*
 * rt_lock_and_load_conversations locks the candidates and reads them again with
 * a fresh snapshot (a concurrent offer committed between our snapshot and our
 * lock would otherwise be missed).  Returns false when there is nothing to do.
 * Since 0.2.0's SQL without statements (conv_lock.c); with 0.1.0's SQL
 * (before ALTER EXTENSION UPDATE) through 0.1.0's two statements.
 */
bool
rt_lock_and_load_conversations(RCycle *rc, bool *skipped)
{
	Datum		args[3];
	int64	   *ids;
	int			n;
	MemoryContext old;
	char	  **names;

	if (!rc->legacy_sql)
		return rt_lock_conversations(rc, skipped);
	old = MemoryContextSwitchTo(rc->cxt);
	args[0] = Int32GetDatum(omni_route_batch_size);
	names = palloc(sizeof(char *) * Max(rc->nqueues, 1));
	for (int i = 0; i < rc->nqueues; i++)
		names[i] = rc->queues[i].name;
	args[1] = rt_text_array(names, rc->nqueues);
	names = palloc(sizeof(char *) * Max(rc->nws, 1));
	for (int i = 0; i < rc->nws; i++)
		names[i] = rc->ws[i].name;
	args[2] = rt_text_array(names, rc->nws);
	MemoryContextSwitchTo(old);
	rt_run(P_LOCK_CONVS_V1, args, NULL);
	n = SPI_processed;
	if (n == 0)
		return false;
	old = MemoryContextSwitchTo(rc->cxt);
	ids = palloc(sizeof(int64) * n);
	for (int i = 0; i < n; i++)
		ids[i] = rt_col_int8(i, 1);
	args[0] = rt_int8_array(ids, n);
	args[1] = BoolGetDatum(rc->any_custom);
	MemoryContextSwitchTo(old);

	rt_run(P_LOAD_CONVS_V1, args, NULL);
	old = MemoryContextSwitchTo(rc->cxt);
	rc->convs = palloc0(sizeof(RConv) * Max(SPI_processed, 1));
	rc->nconvs = 0;
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		RConv	   *c = &rc->convs[rc->nconvs];
		bool		isnull;
		Datum		d;
		char	   *qname = rt_col_text(i, 2);
		char	   *wname = rt_col_text(i, 3);

		c->id = rt_col_int8(i, 1);
		c->queue = rt_find_queue(rc, qname);
		c->ws = rt_find_ws(rc, wname);
		if (c->queue < 0 || c->ws < 0)
			continue;			/* configuration changed under us */
		c->channel = rt_col_text(i, 4);
		d = rt_col(i, 5, &isnull);
		if (!isnull)
		{
			Datum	   *names,
					   *levels;
			bool	   *nn;
			int			nn1,
						nn2;

			deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false, TYPALIGN_INT, &names, &nn, &nn1);
			deconstruct_array(DatumGetArrayTypeP(rt_col(i, 6, &isnull)), INT4OID, 4, true, TYPALIGN_INT,
							  &levels, &nn, &nn2);
			c->nreq = Min(nn1, nn2);
			c->req_skill = palloc(sizeof(int) * Max(c->nreq, 1));
			c->req_level = palloc(sizeof(int) * Max(c->nreq, 1));
			for (int k = 0; k < c->nreq; k++)
			{
				c->req_skill[k] = rt_find_skill(rc, TextDatumGetCString(names[k]));
				c->req_level[k] = DatumGetInt32(levels[k]);
			}
		}
		d = rt_col(i, 7, &isnull);
		c->vars = isnull ? NULL : DatumGetJsonbPCopy(d);
		rc->nconvs++;
	}
	MemoryContextSwitchTo(old);
	if (rc->nconvs < n)
		*skipped = true;
	return rc->nconvs > 0;
}

/*
 * rt_admit_agent: whether agent a, as read from the tables, takes part in
 * routing (its presence and chosen presence known to the configuration,
 * the presence not offline).  If so, sets their bases and notes the load
 * and presences read, to check again once the agent is locked.  A presence
 * created after the configuration was read (its commit came between the
 * two) leaves the agent to the next cycle, which reads the configuration
 * again.
 */
bool
rt_admit_agent(RCycle *rc, RAgent *a)
{
	const RPresence *p = rt_find_presence(rc, a->presence);
	const RPresence *cp = rt_find_presence(rc, a->chosen);

	if (p == NULL || cp == NULL)
	{
		rc->config_stale = true;
		return false;
	}
	if (p->base == BASE_OFFLINE)
		return false;
	a->base = p->base;
	a->chosen_base = cp->base;
	a->chosen_system = cp->system_only;
	a->read_used = a->used;
	a->read_presence = a->presence;
	a->read_chosen = a->chosen;
	return true;
}

/*
 * rt_note_read_profiles notes what a's capacity profiles held as read (in
 * the current memory context), to check again once the agent is locked.
 */
void
rt_note_read_profiles(RAgent *a)
{
	if (a->nprofiles == 0)
		return;
	a->read_held = palloc(sizeof(int) * a->nprofiles);
	a->read_used_today = palloc(sizeof(int) * a->nprofiles);
	for (int k = 0; k < a->nprofiles; k++)
	{
		a->read_held[k] = a->profiles[k].held;
		a->read_used_today[k] = a->profiles[k].used_today;
	}
}

/*
 * rt_read_agents reads the rows of P_LOAD_AGENTS (or P_LOAD_AGENTS_BY_ID)
 * into rc->agents, ordered by id: the logged-in agents rt_admit_agent
 * admits.
 */
void
rt_read_agents(RCycle *rc)
{
	MemoryContext old = MemoryContextSwitchTo(rc->cxt);
	int			n = 0;

	rc->agents = palloc0(sizeof(RAgent) * Max(SPI_processed, 1));
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		RAgent	   *a = &rc->agents[n];
		bool		isnull;
		Datum		d;

		a->presence = rt_col_text(i, 3);
		a->chosen = rt_col_text(i, 4);
		a->used = rt_col_int4(i, 8);
		if (!rt_admit_agent(rc, a))
			continue;
		a->id = rt_col_int8(i, 1);
		a->total = rt_col_int4(i, 2);
		a->logged_in = rt_col_bool(i, 5);
		a->last_assigned = rt_col_time(i, 6);
		a->last_released = rt_col_time(i, 7);
		d = rt_col(i, 9, &isnull);
		a->doc = isnull ? NULL : DatumGetJsonbPCopy(d);
		n++;
	}
	rc->nagents = n;
	MemoryContextSwitchTo(old);
}

/* rt_read_skills reads the rows of P_AGENT_SKILLS into the agents of rc. */
void
rt_read_skills(RCycle *rc)
{
	MemoryContext old = MemoryContextSwitchTo(rc->cxt);

	for (uint64 i = 0, j; i < SPI_processed; i = j)
	{
		int			ai = rt_agent_rows(rc, i, &j);

		if (ai >= 0)
		{
			RAgent	   *a = &rc->agents[ai];

			a->nskills = j - i;
			a->skill = palloc(sizeof(int) * a->nskills);
			a->prof = palloc(sizeof(int) * a->nskills);
			for (uint64 k = i; k < j; k++)
			{
				a->skill[k - i] = rt_find_skill(rc, rt_col_text(k, 2));
				a->prof[k - i] = rt_col_int4(k, 3);
			}
		}
	}
	MemoryContextSwitchTo(old);
}

/* rt_read_profiles reads the rows of P_PROFILES into the agents of rc. */
void
rt_read_profiles(RCycle *rc)
{
	MemoryContext old = MemoryContextSwitchTo(rc->cxt);

	for (uint64 i = 0, j; i < SPI_processed; i = j)
	{
		int			ai = rt_agent_rows(rc, i, &j);

		if (ai >= 0)
		{
			RAgent	   *a = &rc->agents[ai];

			a->nprofiles = j - i;
			a->profiles = palloc0(sizeof(AgentProfile) * a->nprofiles);
			for (uint64 k = i; k < j; k++)
			{
				AgentProfile *p = &a->profiles[k - i];

				p->name = rt_col_text(k, 2);
				p->limit = rt_col_int4(k, 3);
				p->blocking = rt_col_bool(k, 4);
				p->end_of_day = rt_col_bool(k, 5);
				p->held = rt_col_int4(k, 6);
				p->used_today = rt_col_int4(k, 7);
			}
			rt_note_read_profiles(a);
		}
	}
	MemoryContextSwitchTo(old);
}

/*
 * rt_read_members reads membership rows (P_MEMBERS) into
 * an array made in the current memory context (after rt_run: switch to the
 * right one first); returns their number.
 */
int
rt_read_members(RCycle *rc, RMembership **rows)
{
	int			n = SPI_processed;

	*rows = palloc(sizeof(RMembership) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		(*rows)[i].queue = rt_find_queue(rc, rt_col_text(i, 1));
		(*rows)[i].agent = rt_col_int8(i, 2);
		(*rows)[i].rot = rt_col_time(i, 3);
		(*rows)[i].rotated = rt_col_bool(i, 4);
	}
	return n;
}

/*
 * rt_read_agent_details reads the skills (when asked) and capacity profiles
 * of rc's agents.  Its arguments are made in the current (SPI) context: they
 * are not kept.
 */
void
rt_read_agent_details(RCycle *rc, bool skills)
{
	int64	   *ids;
	Datum		args[2];

	if (rc->nagents == 0)
		return;
	ids = palloc(sizeof(int64) * rc->nagents);
	for (int i = 0; i < rc->nagents; i++)
		ids[i] = rc->agents[i].id;
	args[0] = rt_int8_array(ids, rc->nagents);
	args[1] = TimestampTzGetDatum(rc->now);
	if (skills)
	{
		rt_run(P_AGENT_SKILLS, args, NULL);
		rt_read_skills(rc);
	}
	rt_run(P_PROFILES, args, NULL);
	rt_read_profiles(rc);
}

/*
 * rt_set_members gives each queue of rc its members among rc's agents from
 * membership rows, and moves rc->stamp past every rotation clock and last
 * offer read.
 */
void
rt_set_members(RCycle *rc, int nrows, const RMembership *rows)
{
	MemoryContext old = MemoryContextSwitchTo(rc->cxt);
	int		   *count = palloc0(sizeof(int) * Max(rc->nqueues, 1));
	int		   *ra = palloc(sizeof(int) * Max(nrows, 1));

	for (int i = 0; i < rc->nagents; i++)
		if (rc->agents[i].last_assigned > (double) rc->stamp)
			rc->stamp = (TimestampTz) rc->agents[i].last_assigned;
	for (int i = 0; i < nrows; i++)
	{
		ra[i] = rows[i].queue >= 0 ? rt_find_agent(rc, rows[i].agent) : -1;
		if (ra[i] >= 0)
			count[rows[i].queue]++;
		/*
		 * Offer stamps follow the rotation clocks the router wrote (one
		 * clock, omni.now()), never a member's added_at, which may come
		 * from another clock (issue 11, defect 5).
		 */
		if (rows[i].rotated && rows[i].rot > (double) rc->stamp)
			rc->stamp = (TimestampTz) rows[i].rot;
	}
	for (int q = 0; q < rc->nqueues; q++)
	{
		rc->queues[q].member_agent = palloc(sizeof(int) * Max(count[q], 1));
		rc->queues[q].member_rot = palloc(sizeof(double) * Max(count[q], 1));
		rc->queues[q].member_rot_at = palloc(sizeof(double) * Max(count[q], 1));
		rc->queues[q].nmembers = 0;
	}
	for (int i = 0; i < nrows; i++)
	{
		RQueue	   *q;

		if (ra[i] < 0)
			continue;
		q = &rc->queues[rows[i].queue];
		q->member_agent[q->nmembers] = ra[i];
		q->member_rot[q->nmembers] = rows[i].rotated ? rows[i].rot : rows[i].rot - NEVER_ROTATED_LEAD;
		q->member_rot_at[q->nmembers] = rows[i].rot;
		q->nmembers++;
	}
	MemoryContextSwitchTo(old);
}

/*
 * rt_load_agents reads the logged-in members of the queues in play (no
 * locks): from the agent cache when it can serve this database
 * (agent_cache.c), else from the tables.
 */
void
rt_load_agents(RCycle *rc)
{
	char	  **qnames;
	int			nq = 0;
	Datum		args[2];
	char		nulls[2] = {' ', ' '};
	MemoryContext old;
	bool	   *inplay;
	bool		skills = rc->any_custom;
	RMembership *rows;
	int			nrows;

	old = MemoryContextSwitchTo(rc->cxt);
	inplay = palloc0(sizeof(bool) * Max(rc->nqueues, 1));
	for (int i = 0; i < rc->nconvs; i++)
		inplay[rc->convs[i].queue] = true;
	MemoryContextSwitchTo(old);
	if (rt_agents_from_cache(rc, inplay))
		return;

	old = MemoryContextSwitchTo(rc->cxt);
	qnames = palloc(sizeof(char *) * Max(rc->nqueues, 1));
	for (int i = 0; i < rc->nqueues; i++)
		if (inplay[i])
			qnames[nq++] = rc->queues[i].name;
	args[0] = rt_text_array(qnames, nq);
	args[1] = BoolGetDatum(rc->any_custom);
	MemoryContextSwitchTo(old);

	/*
	 * Read without locking: only the agents chosen are locked, just before
	 * the write, and checked to be as we read them (rt_check_chosen_agents).
	 */
	rt_run(P_LOAD_AGENTS, args, nulls);
	rt_read_agents(rc);
	if (rc->nagents == 0)
		return;

	/* Queue memberships with the per-queue rotation clock (members not loaded are skipped). */
	rt_run(P_MEMBERS, args, NULL);
	old = MemoryContextSwitchTo(rc->cxt);
	nrows = rt_read_members(rc, &rows);
	MemoryContextSwitchTo(old);
	rt_set_members(rc, nrows, rows);

	/* Skills: only when a conversation requires some or custom rules may use them */
	for (int i = 0; i < rc->nconvs && !skills; i++)
		skills = rc->convs[i].nreq > 0;
	rt_read_agent_details(rc, skills);
}

/* rt_load_declines reads how often each agent declined each candidate conversation. */
void
rt_load_declines(RCycle *rc)
{
	int64	   *ids;
	Datum		args[1];
	MemoryContext old;

	old = MemoryContextSwitchTo(rc->cxt);
	ids = palloc(sizeof(int64) * Max(rc->nconvs, 1));
	for (int i = 0; i < rc->nconvs; i++)
		ids[i] = rc->convs[i].id;
	args[0] = rt_int8_array(ids, rc->nconvs);
	MemoryContextSwitchTo(old);
	rt_run(P_DECLINES, args, NULL);
	old = MemoryContextSwitchTo(rc->cxt);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		int64		cid = rt_col_int8(i, 1);
		int			ai = rt_find_agent(rc, rt_col_int8(i, 2));

		if (ai < 0)
			continue;
		for (int k = 0; k < rc->nconvs; k++)
		{
			RConv	   *c = &rc->convs[k];

			if (c->id != cid)
				continue;
			if (c->declines == NULL)
				c->declines = palloc(sizeof(Decline) * DECLINES_CHUNK);
			else if (c->ndeclines % DECLINES_CHUNK == 0)
				c->declines = repalloc(c->declines, sizeof(Decline) * (c->ndeclines + DECLINES_CHUNK));
			c->declines[c->ndeclines].agent = ai;
			c->declines[c->ndeclines].count = rt_col_int4(i, 3);
			c->ndeclines++;
			break;
		}
	}
	MemoryContextSwitchTo(old);
}

/* ---------------------------------------------------------------------------
 * The pending-offer probe
 * ---------------------------------------------------------------------------
 *
 * "Has this conversation a pending offer?" is asked once per candidate
 * conversation, thousands of times a cycle after a burst.  Planned as a
 * sub-select it is only as good as the statistics the plan was made with:
 * with plans made while omni.offer was empty the planner may walk another
 * index of pending offers for every conversation (O(conversations x
 * offers)).  So the probe goes through the one index that answers it,
 * offer_one_pending_idx (conversation_id WHERE state = 'pending'), from C.
 */
bool
rt_pending_offer_exists(int64 conversation_id)
{
	OmniProbe	offer;
	ScanKeyData key;
	SysScanDesc scan;
	bool		found;

	omni_probe_open(&offer, "offer", "offer_one_pending_idx");
	scan = omni_probe_begin(&offer, omni_probe_att(&offer, "conversation_id"),
							Int64GetDatum(conversation_id), &key);
	/* a version found through the partial index is one with state 'pending' */
	found = HeapTupleIsValid(systable_getnext(scan));
	systable_endscan(scan);
	omni_probe_close(&offer);
	return found;
}

PG_FUNCTION_INFO_V1(omni_has_pending_offer);

/* omni._has_pending_offer(conversation_id): an index probe, whatever the statistics. */
Datum
omni_has_pending_offer(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(rt_pending_offer_exists(PG_GETARG_INT64(0)));
}
