/*-------------------------------------------------------------------------
 *
 * write.c
 *	  Writing phase of a routing cycle: apply each choice in memory,
 *	  lock and re-check the chosen agents, write every offer of the cycle.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/jsonpath.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "omnichannel.h"
#include "routing/routing.h"

/*
 * follow_load applies presence-follows-load (rt_presence_target, the rule
 * omni._follow_load writes with) in memory, so later choices of the cycle
 * see the new presence.
 */
static void
follow_load(RAgent *a)
{
	int			tbase;
	const char *target = rt_presence_target(a, &tbase);

	if (target != NULL && strcmp(target, a->presence) != 0)
	{
		a->presence = (char *) target;
		a->base = tbase;
		a->presence_dirty = true;
	}
}

/*
 * The keys an offer's event and its decision share: method, skill match,
 * the custom rule that ranked it, the sort keys, the winner's key values
 * and the cycle number.
 */
static void
push_offer_common(JsonbParseState **st, RQueue *q, RWorkstream *w, Choice *ch)
{
	omni_jb_string(st, WJB_KEY, "method");
	omni_jb_string(st, WJB_VALUE, routing_method_names[q->method]);
	omni_jb_string(st, WJB_KEY, "skill_match");
	omni_jb_string(st, WJB_VALUE, w->closest ? "closest" : "exact");
	if (ch->rule >= 0)
	{
		omni_jb_string(st, WJB_KEY, "rule");
		omni_jb_int(st, WJB_VALUE, ch->rule);
	}
	omni_jb_string(st, WJB_KEY, "order_by");
	pushJsonbValue(st, WJB_BEGIN_ARRAY, NULL);
	for (int i = 0; i < ch->best_key.n; i++)
		omni_jb_string(st, WJB_ELEM, ch->best_key.name[i]);
	pushJsonbValue(st, WJB_END_ARRAY, NULL);
	omni_jb_string(st, WJB_KEY, "key");
	rt_key_push(st, &ch->best_key);
	omni_jb_string(st, WJB_KEY, "cycle");
	omni_jb_int(st, WJB_VALUE, (int64) routing_cycle_no);
}

/* rt_record_offer applies an offer to the in-memory state and queues its write. */
void
rt_record_offer(RCycle *rc, RQueue *q, RConv *c, RWorkstream *w, Choice *ch)
{
	int			ai = q->member_agent[ch->best];
	RAgent	   *a = &rc->agents[ai];
	ROffer	   *o = &rc->offers[rc->noffers++];
	JsonbParseState *st = NULL;
	Jsonb	   *event;
	Jsonb	   *decision;
	MemoryContext old;
	TimestampTz stamp = Max(rc->now, rc->stamp + 1);

	rc->stamp = stamp;

	/*
	 * What the agent's own 'offered' event says (its own key values only)
	 * and the full decision with the colleagues it was compared with, which
	 * only supervisors of the queue and admins read (omni.offer_decision).
	 * Built in a scratch context (the parse states are garbage at once),
	 * then copied: a burst of thousands of offers keeps only the values.
	 */
	old = MemoryContextSwitchTo(rc->scratch);
	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	push_offer_common(&st, q, w, ch);
	event = JsonbValueToJsonb(pushJsonbValue(&st, WJB_END_OBJECT, NULL));

	st = NULL;
	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	push_offer_common(&st, q, w, ch);
	omni_jb_string(&st, WJB_KEY, "eligible");
	if (ch->eligible >= 0)
		omni_jb_int(&st, WJB_VALUE, ch->eligible);
	else
		omni_jb_null(&st, WJB_VALUE);
	omni_jb_string(&st, WJB_KEY, "runner_up");
	if (ch->runner >= 0)
	{
		pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
		omni_jb_string(&st, WJB_KEY, "agent_id");
		omni_jb_int(&st, WJB_VALUE, rc->agents[q->member_agent[ch->runner]].id);
		omni_jb_string(&st, WJB_KEY, "key");
		rt_key_push(&st, &ch->runner_key);
		pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	}
	else
		omni_jb_null(&st, WJB_VALUE);
	decision = JsonbValueToJsonb(pushJsonbValue(&st, WJB_END_OBJECT, NULL));
	MemoryContextSwitchTo(old);
	o->event = palloc(VARSIZE(event));
	memcpy(o->event, event, VARSIZE(event));
	o->decision = palloc(VARSIZE(decision));
	memcpy(o->decision, decision, VARSIZE(decision));
	MemoryContextReset(rc->scratch);

	o->conv = c->id;
	o->agent = a->id;
	o->queue = q->name;
	o->expires = rc->now + w->timeout_us;
	o->units = w->units;
	o->profile = w->profile;
	o->channel = c->channel;
	o->stamp = stamp;

	/* The agent's load, clocks and presence as the SQL helpers will leave them. */
	a->used += w->units;
	a->last_assigned = (double) stamp;
	q->member_rot[ch->best] = q->member_rot_at[ch->best] = (double) stamp;
	if (w->profile)
		for (int i = 0; i < a->nprofiles; i++)
			if (strcmp(a->profiles[i].name, w->profile) == 0)
			{
				a->profiles[i].held++;
				if (a->profiles[i].end_of_day)
					a->profiles[i].used_today++;	/* a pending offer counts */
			}
	follow_load(a);
	/* Its heap entries (in every queue) are stale now and re-ranked when popped. */
	a->version++;
}

/*
 * rt_check_chosen_agents locks the agents that got offers (SKIP LOCKED) and
 * reads them again: an agent whose load, presence or profile counts changed
 * since the cycle read them, or that another session holds, gets no offer
 * this cycle (its conversations stay queued for the next one).  Once locked,
 * nobody else can add load to it until we commit.  Returns false when an
 * offer was dropped.
 */
bool
rt_check_chosen_agents(RCycle *rc)
{
	int64	   *ids = palloc(sizeof(int64) * Max(rc->nagents, 1));
	int			n = 0;
	Datum		args[1];
	bool	   *locked = palloc0(sizeof(bool) * Max(rc->nagents, 1));
	bool		all_ok = true;
	int			kept = 0;
	AgentReader reader;

	for (int i = 0; i < rc->nagents; i++)
		if (rc->agents[i].version > 0)
			ids[n++] = rc->agents[i].id;
	if (n == 0)
		return true;
	args[0] = rt_int8_array(ids, n);
	rt_run(P_LOCK_AGENTS, args, NULL);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		int			ai = rt_find_agent(rc, rt_col_int8(i, 1));

		if (ai >= 0)
			locked[ai] = true;
	}
	/*
	 * Read each locked agent again as the tables have it now: with a
	 * snapshot taken after the lock (the statement's own predates it, and a
	 * hold committed in between would be missed: an agent over capacity).
	 */
	PushActiveSnapshot(GetTransactionSnapshot());
	rt_agent_reader_open(&reader);
	for (int i = 0; i < rc->nagents; i++)
	{
		RAgent	   *a = &rc->agents[i];
		RAgent		fresh;

		if (a->version <= 0)
			continue;
		if (!locked[i] || !rt_read_agent_load(&reader, a->id, rc->now, &fresh) || !fresh.logged_in ||
			fresh.used != a->read_used || strcmp(fresh.presence, a->read_presence) != 0 ||
			strcmp(fresh.chosen, a->read_chosen) != 0)
		{
			a->dropped = true;
			continue;
		}
		for (int p = 0; p < fresh.nprofiles && !a->dropped; p++)
		{
			bool		same = false;

			for (int k = 0; k < a->nprofiles; k++)
				if (strcmp(a->profiles[k].name, fresh.profiles[p].name) == 0)
					same = (a->profiles[k].limit == fresh.profiles[p].limit &&
							a->read_held[k] == fresh.profiles[p].held &&
							a->read_used_today[k] == fresh.profiles[p].used_today);
			if (!same)
				a->dropped = true;
		}
	}
	rt_agent_reader_close(&reader);
	PopActiveSnapshot();

	for (int i = 0; i < rc->noffers; i++)
	{
		int			ai = rt_find_agent(rc, rc->offers[i].agent);

		if (ai >= 0 && rc->agents[ai].dropped)
		{
			all_ok = false;
			continue;
		}
		rc->offers[kept++] = rc->offers[i];
	}
	rc->noffers = kept;
	for (int i = 0; i < rc->nagents; i++)
		if (rc->agents[i].dropped)
			rc->agents[i].presence_dirty = false;
	return all_ok;
}

/*
 * rt_write_offers writes every offer of the cycle with one call of
 * omni._write_offers(), the one path that writes offers (omni._make_offer
 * uses it too): offers, holds, clocks, events, decisions, notifications and
 * presence following load for the agents whose presence changes.
 */
void
rt_write_offers(RCycle *rc)
{
	int			n = rc->noffers;
	int64	   *conv = palloc(sizeof(int64) * n);
	int64	   *agent = palloc(sizeof(int64) * n);
	char	  **queue = palloc(sizeof(char *) * n);
	Datum	   *expires = palloc(sizeof(Datum) * n);
	Datum	   *units = palloc(sizeof(Datum) * n);
	char	  **profile = palloc(sizeof(char *) * n);
	char	  **channel = palloc(sizeof(char *) * n);
	Datum	   *stamps = palloc(sizeof(Datum) * n);
	Datum	   *event = palloc(sizeof(Datum) * n);
	Datum	   *decision = palloc(sizeof(Datum) * n);
	int64	   *dirty = palloc(sizeof(int64) * Max(rc->nagents, 1));
	int			ndirty = 0;
	Datum		args[11];

	for (int i = 0; i < n; i++)
	{
		ROffer	   *o = &rc->offers[i];

		conv[i] = o->conv;
		agent[i] = o->agent;
		queue[i] = o->queue;
		expires[i] = TimestampTzGetDatum(o->expires);
		units[i] = Int32GetDatum(o->units);
		profile[i] = o->profile;
		channel[i] = o->channel;
		stamps[i] = TimestampTzGetDatum(o->stamp);
		event[i] = JsonbPGetDatum(o->event);
		decision[i] = JsonbPGetDatum(o->decision);
	}
	/* Presence follows load, through the one SQL helper that does it. */
	for (int i = 0; i < rc->nagents; i++)
		if (rc->agents[i].presence_dirty)
			dirty[ndirty++] = rc->agents[i].id;
	elog(DEBUG1, "omnichannel routing: %d agents change presence", ndirty);

	args[0] = rt_int8_array(conv, n);
	args[1] = rt_int8_array(agent, n);
	args[2] = rt_text_array(queue, n);
	args[3] = PointerGetDatum(construct_array(expires, n, TIMESTAMPTZOID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	args[4] = PointerGetDatum(construct_array(units, n, INT4OID, 4, true, TYPALIGN_INT));
	args[5] = rt_text_array(profile, n);
	args[6] = rt_text_array(channel, n);
	if (rc->legacy_sql)
	{
		/* 0.1.0: the decision goes into the event; presence follows separately */
		char	  **text = palloc(sizeof(char *) * n);

		for (int i = 0; i < n; i++)
			text[i] = JsonbToCString(NULL, &rc->offers[i].decision->root, VARSIZE(rc->offers[i].decision));
		args[7] = rt_text_array(text, n);
		args[8] = PointerGetDatum(construct_array(stamps, n, TIMESTAMPTZOID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
		args[9] = TimestampTzGetDatum(rc->now);
		rt_run(P_WRITE_V1, args, NULL);
		if ((int) SPI_processed != n)
			elog(ERROR, "omnichannel: routing wrote %d offers instead of %d", (int) SPI_processed, n);
		if (ndirty > 0)
		{
			args[0] = rt_int8_array(dirty, ndirty);
			rt_run(P_FOLLOW_V1, args, NULL);
		}
		return;
	}
	args[7] = PointerGetDatum(construct_array(stamps, n, TIMESTAMPTZOID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	args[8] = PointerGetDatum(construct_array(event, n, JSONBOID, -1, false, TYPALIGN_INT));
	args[9] = PointerGetDatum(construct_array(decision, n, JSONBOID, -1, false, TYPALIGN_INT));
	args[10] = rt_int8_array(dirty, ndirty);
	rt_run(P_WRITE, args, NULL);
	if ((int) SPI_processed != n)
		elog(ERROR, "omnichannel: routing wrote %d offers instead of %d", (int) SPI_processed, n);
}
