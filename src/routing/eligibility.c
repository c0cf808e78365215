/*-------------------------------------------------------------------------
 *
 * eligibility.c
 *	  Whether an agent may take a conversation now; the same rules as
 *	  omni._eligibility_refusal() and omni._capacity_refusal().
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
 * Eligibility (mirrors omni._eligibility_refusal and omni._capacity_refusal)
 * ---------------------------------------------------------------------------
 */

int
rt_agent_prof(RAgent *a, int skill)
{
	for (int i = 0; i < a->nskills; i++)
		if (a->skill[i] == skill)
			return a->prof[i];
	return 0;
}

static bool
skills_exact(RAgent *a, RConv *c)
{
	for (int k = 0; k < c->nreq; k++)
		if (c->req_skill[k] < 0 || rt_agent_prof(a, c->req_skill[k]) < c->req_level[k])
			return false;
	return true;
}

static bool
profile_room(RAgent *a, RWorkstream *w)
{
	bool		has = (w->profile == NULL);

	for (int i = 0; i < a->nprofiles; i++)
	{
		AgentProfile *p = &a->profiles[i];
		bool		mine = (w->profile != NULL && strcmp(p->name, w->profile) == 0);

		if (mine)
			has = true;
		if (p->blocking || mine)
		{
			int			held = p->end_of_day ? p->used_today : p->held;

			if (held >= p->limit)
				return false;
		}
	}
	return has;
}

/*
 * rt_blocked: a blocking profile is exhausted for new work (the agent takes
 * no work at all); end_of_day profiles count the items of the day.
 */
bool
rt_blocked(RAgent *a)
{
	for (int i = 0; i < a->nprofiles; i++)
	{
		AgentProfile *p = &a->profiles[i];
		int			held = p->end_of_day ? p->used_today : p->held;

		if (p->blocking && held >= p->limit)
			return true;
	}
	return false;
}

/*
 * rt_load_level: how loaded the agent shows in presence, over every capacity
 * source (rt_presence_target turns it into a presence for the router and
 * omni._follow_load alike): LOAD_FULL when a blocking profile is
 * exhausted or the units and every non-blocking profile are; LOAD_PARTLY
 * when it holds any units or any item of its profiles; else LOAD_FREE.
 * Profiles count what is held now, whatever their reset.
 */
int
rt_load_level(RAgent *a)
{
	bool		any_held = a->used > 0;
	bool		profiles_full = true;

	for (int i = 0; i < a->nprofiles; i++)
	{
		AgentProfile *p = &a->profiles[i];

		if (p->held > 0)
			any_held = true;
		if (p->blocking)
		{
			if (p->held >= p->limit)
				return LOAD_FULL;
		}
		else if (p->held < p->limit)
			profiles_full = false;
	}
	if (a->used >= a->total && profiles_full)
		return LOAD_FULL;
	return any_held ? LOAD_PARTLY : LOAD_FREE;
}

static int
declines_of(RConv *c, int agent)
{
	for (int i = 0; i < c->ndeclines; i++)
		if (c->declines[i].agent == agent)
			return c->declines[i].count;
	return 0;
}

bool
rt_can_take(RCycle *rc, int ai, RConv *c, RWorkstream *w)
{
	RAgent	   *a = &rc->agents[ai];

	if (!a->logged_in || !(w->allowed_mask & (1 << a->base)))
		return false;
	if (a->used + w->units > a->total)
		return false;
	if (!profile_room(a, w))
		return false;
	if (!w->closest && !skills_exact(a, c))
		return false;
	if (declines_of(c, ai) >= w->max_declines)
		return false;
	return true;
}

/* rt_useful: could the agent take anything at all this cycle? */
bool
rt_useful(RCycle *rc, RAgent *a)
{
	return a->logged_in && a->base != BASE_OFFLINE && a->used + rc->min_units <= a->total && !rt_blocked(a);
}
