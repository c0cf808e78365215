/*-------------------------------------------------------------------------
 *
 * keys.c
 *	  Sort keys: the assignment methods' orderings, closest skill
 *	  matching and custom order-by keys; the per-queue binary heaps of the
 *	  methods whose order does not depend on the conversation.
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
#include "utils/timestamp.h"

#include "omnichannel.h"
#include "routing/routing.h"

/* ---------------------------------------------------------------------------
 * Keys
 * ---------------------------------------------------------------------------
 */

static void
key_add(RKey *k, const char *name, double sortval, double shown, KeyShow show)
{
	if (k->n >= KEY_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("routing sort key has more than %d components", KEY_MAX),
				 errhint("A custom assignment rule may have at most %d order-by keys.", MAX_ORDER_KEYS)));
	k->name[k->n] = name;
	k->v[k->n] = sortval;
	k->shown[k->n] = shown;
	k->show[k->n] = show;
	k->n++;
}

int
rt_key_cmp(const RKey *x, int64 xid, const RKey *y, int64 yid)
{
	int			n = Min(x->n, y->n);

	for (int i = 0; i < n; i++)
	{
		if (x->v[i] < y->v[i])
			return -1;
		if (x->v[i] > y->v[i])
			return 1;
	}
	return (xid < yid) ? -1 : (xid > yid) ? 1 : 0;
}

/* rt_method_key appends the queue method's ordering for an agent. */
void
rt_method_key(RCycle *rc, RQueue *q, int member, RKey *k)
{
	RAgent	   *a = &rc->agents[q->member_agent[member]];
	double		free_units = a->total - a->used;

	switch (q->method)
	{
		case M_HIGHEST_CAPACITY:
		case M_CUSTOM:
			key_add(k, "free_units", -free_units, free_units, SHOW_NUMBER);
			key_add(k, "last_assigned_at", a->last_assigned, a->last_assigned, SHOW_TIME);
			break;
		case M_ROUND_ROBIN:
			key_add(k, "rotation_at", q->member_rot[member], q->member_rot_at[member], SHOW_TIME);
			break;
		case M_LEAST_ACTIVE:
			key_add(k, "last_released_at", a->last_released, a->last_released, SHOW_TIME);
			key_add(k, "free_units", -free_units, free_units, SHOW_NUMBER);
			break;
	}
}

/*
 * rt_closeness_key: exact-qualified (0) before over-qualified (1) before
 * under-qualified (2), then the distance from the requirement.
 */
void
rt_closeness_key(RAgent *a, RConv *c, RKey *k)
{
	int			cls = 0;
	double		over = 0,
				under = 0;

	for (int i = 0; i < c->nreq; i++)
	{
		int			p = c->req_skill[i] < 0 ? 0 : rt_agent_prof(a, c->req_skill[i]);

		if (p < c->req_level[i])
			under += c->req_level[i] - p;
		else
			over += p - c->req_level[i];
	}
	if (under > 0)
		cls = 2;
	else if (over > 0)
		cls = 1;
	key_add(k, "closeness", cls, cls, SHOW_CLOSENESS);
	key_add(k, "distance", cls == 2 ? under : over, cls == 2 ? under : over, SHOW_NUMBER);
}

static double
attribute_value(RAgent *a, const char *name, bool *found)
{
	JsonbValue	attrs;
	JsonbValue	v;

	*found = false;
	if (a->doc == NULL)
		return 0;
	if (!getKeyJsonValueFromContainer(&a->doc->root, "attributes", 10, &attrs) || attrs.type != jbvBinary)
		return 0;
	if (!getKeyJsonValueFromContainer(attrs.val.binary.data, name, strlen(name), &v))
		return 0;
	if (v.type == jbvNumeric)
	{
		*found = true;
		return DatumGetFloat8(DirectFunctionCall1(numeric_float8, NumericGetDatum(v.val.numeric)));
	}
	if (v.type == jbvBool)
	{
		*found = true;
		return v.val.boolean ? 1 : 0;
	}
	return 0;
}

/* rt_custom_key builds the order of a custom rule for an agent. */
void
rt_custom_key(RCycle *rc, RQueue *q, CustomRule *r, int member, RConv *c, RKey *k)
{
	RAgent	   *a = &rc->agents[q->member_agent[member]];
	double		now = (double) rc->now;

	for (int i = 0; i < r->nkeys; i++)
	{
		OrderKey   *ok = &r->keys[i];
		double		val = 0;
		double		shown = NAN;	/* shown value when it differs from val */
		bool		missing = false;
		KeyShow		show = SHOW_NUMBER;

		switch (ok->kind)
		{
			case OK_PROFICIENCY:
				if (ok->arg)
				{
					int			s = rt_find_skill(rc, ok->arg);

					val = s < 0 ? 0 : rt_agent_prof(a, s);
				}
				else
					for (int j = 0; j < c->nreq; j++)
						val += c->req_skill[j] < 0 ? 0 : rt_agent_prof(a, c->req_skill[j]);
				break;
			case OK_FREE_CAPACITY:
				val = a->total - a->used;
				break;
			case OK_IDLE_TIME:
				{
					double		since = Max(a->last_assigned, a->last_released);

					val = since == NULL_TIME ? NEVER_IDLE_S : (now - since) / 1e6;
					break;
				}
			case OK_LEAST_ACTIVE:
				val = a->last_released == NULL_TIME ? NEVER_IDLE_S : (now - a->last_released) / 1e6;
				break;
			case OK_ROUND_ROBIN:
				val = q->member_rot[member];
				shown = q->member_rot_at[member];
				show = SHOW_TIME;
				break;
			case OK_SKILL_COUNT:
				for (int j = 0; j < c->nreq; j++)
					if (c->req_skill[j] >= 0 && rt_agent_prof(a, c->req_skill[j]) >= c->req_level[j])
						val += 1;
				break;
			case OK_ATTRIBUTE:
				{
					bool		found;

					val = attribute_value(a, ok->arg, &found);
					missing = !found;
					break;
				}
		}
		/* Missing attributes sort last whatever the direction. */
		key_add(k, ok->label, missing ? MISSING_LAST : (ok->desc ? -val : val),
				missing ? NAN : isnan(shown) ? val : shown, show);
	}
	key_add(k, "rotation_at", q->member_rot[member], q->member_rot_at[member], SHOW_TIME);
}

/* A key value: whole numbers as they are, others to the millisecond. */
static void
jb_number(JsonbParseState **st, double x)
{
	JsonbValue	v;

	if (!isfinite(x))
	{
		omni_jb_null(st, WJB_VALUE);
		return;
	}
	if (x == floor(x) && fabs(x) < NEVER_IDLE_S)
	{
		omni_jb_int(st, WJB_VALUE, (int64) x);
		return;
	}
	v.type = jbvNumeric;
	v.val.numeric = DatumGetNumeric(DirectFunctionCall3(numeric_in,
														CStringGetDatum(psprintf("%.3f", x)),
														ObjectIdGetDatum(InvalidOid),
														Int32GetDatum(-1)));
	pushJsonbValue(st, WJB_VALUE, &v);
}

/* rt_key_push pushes a sort key as an object {name: shown value, ...}. */
void
rt_key_push(JsonbParseState **st, const RKey *k)
{
	pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
	for (int i = 0; i < k->n; i++)
	{
		omni_jb_string(st, WJB_KEY, k->name[i]);
		if (isnan(k->shown[i]))
			omni_jb_null(st, WJB_VALUE);
		else if (k->show[i] == SHOW_TIME)
		{
			if (k->shown[i] == NULL_TIME)
				omni_jb_null(st, WJB_VALUE);
			else
				/* timestamptz_to_str returns a static buffer: the value keeps a copy */
				omni_jb_string(st, WJB_VALUE, pstrdup(timestamptz_to_str((TimestampTz) k->shown[i])));
		}
		else if (k->show[i] == SHOW_CLOSENESS)
			omni_jb_string(st, WJB_VALUE, k->shown[i] == 0 ? "exact" : k->shown[i] == 1 ? "over_qualified" : "under_qualified");
		else
			jb_number(st, k->shown[i]);
	}
	pushJsonbValue(st, WJB_END_OBJECT, NULL);
}

/* ---------------------------------------------------------------------------
 * Per-queue heaps (highest_capacity, round_robin, least_active)
 * ---------------------------------------------------------------------------
 */

static bool
hless(RCycle *rc, RQueue *q, HEntry *x, HEntry *y)
{
	return rt_key_cmp(&x->key, rc->agents[q->member_agent[x->member]].id,
				   &y->key, rc->agents[q->member_agent[y->member]].id) < 0;
}

void
rt_hpush(RCycle *rc, RQueue *q, HEntry *e)
{
	int			i;

	if (q->hsize == q->hcap)
	{
		q->hcap = Max(HEAP_INITIAL_SIZE, q->hcap * 2);
		q->heap = q->heap ? repalloc(q->heap, sizeof(HEntry) * q->hcap) : palloc(sizeof(HEntry) * q->hcap);
	}
	i = q->hsize++;
	q->heap[i] = *e;
	while (i > 0)
	{
		int			p = (i - 1) / 2;
		HEntry		tmp;

		if (!hless(rc, q, &q->heap[i], &q->heap[p]))
			break;
		tmp = q->heap[i];
		q->heap[i] = q->heap[p];
		q->heap[p] = tmp;
		i = p;
	}
}

void
rt_hpop(RCycle *rc, RQueue *q, HEntry *out)
{
	int			i = 0;

	*out = q->heap[0];
	q->heap[0] = q->heap[--q->hsize];
	for (;;)
	{
		int			l = 2 * i + 1,
					r = l + 1,
					m = i;
		HEntry		tmp;

		if (l < q->hsize && hless(rc, q, &q->heap[l], &q->heap[m]))
			m = l;
		if (r < q->hsize && hless(rc, q, &q->heap[r], &q->heap[m]))
			m = r;
		if (m == i)
			break;
		tmp = q->heap[i];
		q->heap[i] = q->heap[m];
		q->heap[m] = tmp;
		i = m;
	}
}

void
rt_heap_push_member(RCycle *rc, RQueue *q, int member)
{
	HEntry		e;

	memset(&e, 0, sizeof(e));
	e.member = member;
	e.version = rc->agents[q->member_agent[member]].version;
	rt_method_key(rc, q, member, &e.key);
	rt_hpush(rc, q, &e);
}

void
rt_build_heap(RCycle *rc, RQueue *q)
{
	for (int m = 0; m < q->nmembers; m++)
		if (rt_useful(rc, &rc->agents[q->member_agent[m]]))
			rt_heap_push_member(rc, q, m);
	q->heap_built = true;
}
