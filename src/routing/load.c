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

static RMethod
parse_method(const char *s)
{
	for (int i = 0; i < ROUTING_NMETHODS; i++)
		if (strcmp(s, routing_method_names[i]) == 0)
			return (RMethod) i;
	return M_HIGHEST_CAPACITY;
}

static void
parse_order_key(OrderKey *k, const char *item)
{
	char	   *s = pstrdup(item);
	char	   *sp = strchr(s, ' ');
	char	   *colon;

	k->label = pstrdup(item);
	k->arg = NULL;
	if (sp)
		*sp = '\0';
	colon = strchr(s, ':');
	if (colon)
	{
		*colon = '\0';
		k->arg = pstrdup(colon + 1);
	}
	if (strcmp(s, "proficiency") == 0)
		k->kind = OK_PROFICIENCY, k->desc = true;
	else if (strcmp(s, "free_capacity") == 0)
		k->kind = OK_FREE_CAPACITY, k->desc = true;
	else if (strcmp(s, "idle_time") == 0)
		k->kind = OK_IDLE_TIME, k->desc = true;
	else if (strcmp(s, "least_active") == 0)
		k->kind = OK_LEAST_ACTIVE, k->desc = true;
	else if (strcmp(s, "round_robin") == 0)
		k->kind = OK_ROUND_ROBIN, k->desc = false;
	else if (strcmp(s, "skill_count") == 0)
		k->kind = OK_SKILL_COUNT, k->desc = true;
	else
		k->kind = OK_ATTRIBUTE, k->desc = false;
	if (sp)
		k->desc = (strcmp(sp + 1, "desc") == 0);
}

/* rt_load_config reads skills, queues, workstreams and custom rules. */
void
rt_load_config(RCycle *rc)
{
	MemoryContext old;

	rt_run(P_SKILLS, NULL, NULL);
	old = MemoryContextSwitchTo(rc->cxt);
	rc->nskills = SPI_processed;
	rc->skills = palloc(sizeof(char *) * Max(rc->nskills, 1));
	for (int i = 0; i < rc->nskills; i++)
		rc->skills[i] = rt_col_text(i, 1);
	MemoryContextSwitchTo(old);

	rt_run(P_QUEUES, NULL, NULL);
	old = MemoryContextSwitchTo(rc->cxt);
	rc->nqueues = SPI_processed;
	rc->queues = palloc0(sizeof(RQueue) * Max(rc->nqueues, 1));
	for (int i = 0; i < rc->nqueues; i++)
	{
		RQueue	   *q = &rc->queues[i];

		q->name = rt_col_text(i, 1);
		q->priority = rt_col_int4(i, 2);
		q->method = parse_method(rt_col_text(i, 3));
	}
	MemoryContextSwitchTo(old);

	rt_run(P_WORKSTREAMS, NULL, NULL);
	old = MemoryContextSwitchTo(rc->cxt);
	rc->nws = SPI_processed;
	rc->ws = palloc0(sizeof(RWorkstream) * Max(rc->nws, 1));
	rc->min_units = INT_MAX;
	for (int i = 0; i < rc->nws; i++)
	{
		RWorkstream *w = &rc->ws[i];

		w->name = rt_col_text(i, 1);
		w->units = rt_col_int4(i, 2);
		w->profile = rt_col_text(i, 3);
		w->allowed_mask = rt_col_int4(i, 4);
		w->timeout_us = rt_col_int8(i, 5);
		w->max_declines = rt_col_int4(i, 6);
		w->closest = rt_col_bool(i, 7);
		rc->min_units = Min(rc->min_units, w->units);
	}
	if (rc->nws == 0)
		rc->min_units = 0;
	MemoryContextSwitchTo(old);

	rt_run(P_RULES, NULL, NULL);
	old = MemoryContextSwitchTo(rc->cxt);
	for (uint64 i = 0; i < SPI_processed;)
	{
		char	   *qname = rt_col_text(i, 1);
		int			qi = rt_find_queue(rc, qname);
		uint64		j = i;

		while (j < SPI_processed && strcmp(rt_col_text(j, 1), qname) == 0)
			j++;
		if (qi >= 0)
		{
			RQueue	   *q = &rc->queues[qi];

			q->nrules = j - i;
			q->rules = palloc0(sizeof(CustomRule) * q->nrules);
			for (uint64 r = i; r < j; r++)
			{
				CustomRule *cr = &q->rules[r - i];
				bool		isnull;
				Datum		cond = rt_col(r, 3, &isnull);
				ArrayType  *ob;
				Datum	   *elems;
				bool	   *enulls;
				int			nelems;

				cr->position = rt_col_int4(r, 2);
				cr->condition = isnull ? (Datum) 0 : datumCopy(cond, false, -1);
				cr->dynamic = !isnull && strstr(rt_col_text(r, 4), "$conversation") != NULL;
				ob = DatumGetArrayTypeP(rt_col(r, 5, &isnull));
				deconstruct_array(ob, TEXTOID, -1, false, TYPALIGN_INT, &elems, &enulls, &nelems);
				if (nelems > MAX_ORDER_KEYS)
					ereport(ERROR,
							(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
							 errmsg("assignment rule %d of queue \"%s\" has %d order-by keys; at most %d are allowed",
									cr->position, q->name, nelems, MAX_ORDER_KEYS),
							 errhint("Shorten omni.assignment_rule.order_by.")));
				cr->nkeys = nelems;
				cr->keys = palloc0(sizeof(OrderKey) * Max(nelems, 1));
				for (int k = 0; k < nelems; k++)
					parse_order_key(&cr->keys[k], TextDatumGetCString(elems[k]));
			}
			rc->any_custom = true;
		}
		i = j;
	}
	MemoryContextSwitchTo(old);
}

/*
 * rt_lock_and_load_conversations locks the candidates and reads them again with
 * a fresh snapshot (a concurrent offer committed between our snapshot and our
 * lock would otherwise be missed).  Returns false when there is nothing to do.
 */
bool
rt_lock_and_load_conversations(RCycle *rc, bool *skipped)
{
	Datum		args[2];
	int64	   *ids;
	int			n;
	MemoryContext old;

	args[0] = Int32GetDatum(omni_route_batch_size);
	rt_run(P_LOCK_CONVS, args, NULL);
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

	rt_run(P_LOAD_CONVS, args, NULL);
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

/* rt_load_agents reads the logged-in members of the queues in play (no locks). */
void
rt_load_agents(RCycle *rc)
{
	char	  **qnames;
	int			nq = 0;
	int64	   *ids;
	int			n;
	Datum		args[2];
	char		nulls[2] = {' ', ' '};
	MemoryContext old;
	bool	   *inplay;

	old = MemoryContextSwitchTo(rc->cxt);
	inplay = palloc0(sizeof(bool) * Max(rc->nqueues, 1));
	for (int i = 0; i < rc->nconvs; i++)
		inplay[rc->convs[i].queue] = true;
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
	old = MemoryContextSwitchTo(rc->cxt);
	rc->nagents = n = SPI_processed;
	rc->agents = palloc0(sizeof(RAgent) * Max(rc->nagents, 1));
	ids = palloc(sizeof(int64) * Max(n, 1));
	for (int i = 0; i < rc->nagents; i++)
	{
		RAgent	   *a = &rc->agents[i];
		bool		isnull;
		Datum		d;

		a->id = rt_col_int8(i, 1);
		a->total = rt_col_int4(i, 2);
		a->presence = rt_col_text(i, 3);
		a->base = rt_col_int4(i, 4);
		a->chosen = rt_col_text(i, 5);
		a->chosen_base = rt_col_int4(i, 6);
		a->chosen_system = rt_col_bool(i, 7);
		a->logged_in = rt_col_bool(i, 8);
		a->last_assigned = rt_col_time(i, 9);
		a->last_released = rt_col_time(i, 10);
		a->used = rt_col_int4(i, 11);
		d = rt_col(i, 12, &isnull);
		a->doc = isnull ? NULL : DatumGetJsonbPCopy(d);
		a->read_used = a->used;
		a->read_presence = a->presence;
		a->read_chosen = a->chosen;
		ids[i] = a->id;
		if (a->last_assigned > (double) rc->stamp)
			rc->stamp = (TimestampTz) a->last_assigned;
	}
	MemoryContextSwitchTo(old);
	if (n == 0)
		return;

	/* Queue memberships with the per-queue rotation clock. */
	args[0] = rt_text_array(qnames, nq);
	rt_run(P_MEMBERS, args, NULL);		/* members not loaded above are skipped */
	old = MemoryContextSwitchTo(rc->cxt);
	{
		int		   *count = palloc0(sizeof(int) * Max(rc->nqueues, 1));
		int			rows = SPI_processed;
		int		   *rq = palloc(sizeof(int) * Max(rows, 1));
		int		   *ra = palloc(sizeof(int) * Max(rows, 1));
		double	   *rt = palloc(sizeof(double) * Max(rows, 1));

		for (int i = 0; i < rows; i++)
		{
			rq[i] = rt_find_queue(rc, rt_col_text(i, 1));
			ra[i] = rt_find_agent(rc, rt_col_int8(i, 2));
			rt[i] = rt_col_time(i, 3);
			if (rq[i] >= 0 && ra[i] >= 0)
				count[rq[i]]++;
			if (rt[i] > (double) rc->stamp)
				rc->stamp = (TimestampTz) rt[i];
		}
		for (int q = 0; q < rc->nqueues; q++)
		{
			rc->queues[q].member_agent = palloc(sizeof(int) * Max(count[q], 1));
			rc->queues[q].member_rot = palloc(sizeof(double) * Max(count[q], 1));
			rc->queues[q].nmembers = 0;
		}
		for (int i = 0; i < rows; i++)
		{
			RQueue	   *q;

			if (rq[i] < 0 || ra[i] < 0)
				continue;
			q = &rc->queues[rq[i]];
			q->member_agent[q->nmembers] = ra[i];
			q->member_rot[q->nmembers] = rt[i];
			q->nmembers++;
		}
	}
	MemoryContextSwitchTo(old);

	/* Skills: only when a conversation requires some or custom rules may use them */
	{
		bool		need = rc->any_custom;

		for (int i = 0; i < rc->nconvs && !need; i++)
			need = rc->convs[i].nreq > 0;
		if (!need)
			goto profiles;
	}
	args[0] = rt_int8_array(ids, n);
	rt_run(P_AGENT_SKILLS, args, NULL);
	old = MemoryContextSwitchTo(rc->cxt);
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

profiles:
	/* Capacity profiles */
	args[0] = rt_int8_array(ids, n);
	args[1] = TimestampTzGetDatum(rc->now);
	rt_run(P_PROFILES, args, NULL);
	old = MemoryContextSwitchTo(rc->cxt);
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
			a->read_held = palloc(sizeof(int) * a->nprofiles);
			a->read_used_today = palloc(sizeof(int) * a->nprofiles);
			for (int k = 0; k < a->nprofiles; k++)
			{
				a->read_held[k] = a->profiles[k].held;
				a->read_used_today[k] = a->profiles[k].used_today;
			}
		}
	}
	MemoryContextSwitchTo(old);
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
