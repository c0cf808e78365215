/*-------------------------------------------------------------------------
 *
 * choose.c
 *	  Choosing an agent for a conversation: from the queue's heap
 *	  (O(log agents)) or by a scan of its members (custom rules, closest
 *	  skill match).
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
 * Choosing
 * ---------------------------------------------------------------------------
 */


static void
consider(RCycle *rc, RQueue *q, Choice *ch, int member, RKey *k)
{
	int64		id = rc->agents[q->member_agent[member]].id;

	if (ch->best < 0 || rt_key_cmp(k, id, &ch->best_key, rc->agents[q->member_agent[ch->best]].id) < 0)
	{
		ch->runner = ch->best;
		ch->runner_key = ch->best_key;
		ch->best = member;
		ch->best_key = *k;
	}
	else if (ch->runner < 0 || rt_key_cmp(k, id, &ch->runner_key, rc->agents[q->member_agent[ch->runner]].id) < 0)
	{
		ch->runner = member;
		ch->runner_key = *k;
	}
}

static int
count_eligible(RCycle *rc, RQueue *q, RConv *c, RWorkstream *w)
{
	int			n = 0;

	for (int m = 0; m < q->nmembers; m++)
		if (rt_can_take(rc, q->member_agent[m], c, w))
			n++;
	return n;
}

/* rt_choose_heap: O(log n) per pop; agents unfit for this conversation go back. */
void
rt_choose_heap(RCycle *rc, RQueue *q, RConv *c, RWorkstream *w, Choice *ch)
{
	HEntry	   *aside = NULL;
	int			naside = 0,
				caside = 0;

	if (!q->heap_built)
		rt_build_heap(rc, q);
	while (q->hsize > 0 && ch->runner < 0)
	{
		HEntry		e;
		RAgent	   *a;

		rt_hpop(rc, q, &e);
		a = &rc->agents[q->member_agent[e.member]];
		if (!rt_useful(rc, a))
			continue;			/* full: gone for the rest of the cycle */
		if (e.version != a->version)
		{
			rt_heap_push_member(rc, q, e.member);	/* stale key: re-rank */
			continue;
		}
		if (naside == caside)
		{
			caside = Max(ASIDE_INITIAL_SIZE, caside * 2);
			aside = aside ? repalloc(aside, sizeof(HEntry) * caside) : palloc(sizeof(HEntry) * caside);
		}
		aside[naside++] = e;
		if (rt_can_take(rc, q->member_agent[e.member], c, w))
			consider(rc, q, ch, e.member, &e.key);
	}
	for (int i = 0; i < naside; i++)
		rt_hpush(rc, q, &aside[i]);
	if (aside)
		pfree(aside);
	ch->eligible = omni_route_count_eligible ? count_eligible(rc, q, c, w) : -1;
}

static bool
rule_matches(RCycle *rc, CustomRule *r, int ai, RConv *c)
{
	RAgent	   *a = &rc->agents[ai];
	bool		result;

	if (r->condition == (Datum) 0)
		return true;
	if (!r->dynamic && r->cache[ai] >= 0)
		return r->cache[ai] == 1;
	if (a->doc == NULL)
		return false;
	{
		LOCAL_FCINFO(fcinfo, 4);
		Datum		res;

		InitFunctionCallInfoData(*fcinfo, NULL, 4, InvalidOid, NULL, NULL);
		fcinfo->args[0].value = JsonbPGetDatum(a->doc);
		fcinfo->args[0].isnull = false;
		fcinfo->args[1].value = r->condition;
		fcinfo->args[1].isnull = false;
		fcinfo->args[2].value = c->vars ? JsonbPGetDatum(c->vars) :
			DirectFunctionCall1(jsonb_in, CStringGetDatum("{\"conversation\": {}}"));
		fcinfo->args[2].isnull = false;
		fcinfo->args[3].value = BoolGetDatum(true);
		fcinfo->args[3].isnull = false;
		res = jsonb_path_match(fcinfo);
		result = !fcinfo->isnull && DatumGetBool(res);
	}
	if (!r->dynamic)
		r->cache[ai] = result ? 1 : 0;
	return result;
}

/* rt_choose_scan: conversation-dependent orders (custom rules, closest match). */
void
rt_choose_scan(RCycle *rc, RQueue *q, RConv *c, RWorkstream *w, Choice *ch)
{
	int		   *elig = palloc(sizeof(int) * Max(q->nmembers, 1));
	int			n = 0;

	for (int m = 0; m < q->nmembers; m++)
		if (rt_can_take(rc, q->member_agent[m], c, w))
			elig[n++] = m;
	ch->eligible = n;

	if (q->method == M_CUSTOM)
	{
		for (int r = 0; r < q->nrules && ch->best < 0; r++)
		{
			CustomRule *cr = &q->rules[r];

			if (cr->cache == NULL)
			{
				cr->cache = palloc(sizeof(int8) * Max(rc->nagents, 1));
				memset(cr->cache, -1, sizeof(int8) * Max(rc->nagents, 1));
			}
			for (int i = 0; i < n; i++)
			{
				RKey		k;

				if (!rule_matches(rc, cr, q->member_agent[elig[i]], c))
					continue;
				memset(&k, 0, sizeof(k));
				if (w->closest && c->nreq > 0)
					rt_closeness_key(&rc->agents[q->member_agent[elig[i]]], c, &k);
				rt_custom_key(rc, q, cr, elig[i], c, &k);
				consider(rc, q, ch, elig[i], &k);
			}
			if (ch->best >= 0)
				ch->rule = cr->position;
		}
	}
	else
	{
		for (int i = 0; i < n; i++)
		{
			RKey		k;

			memset(&k, 0, sizeof(k));
			rt_closeness_key(&rc->agents[q->member_agent[elig[i]]], c, &k);
			rt_method_key(rc, q, elig[i], &k);
			consider(rc, q, ch, elig[i], &k);
		}
	}
	pfree(elig);
}
