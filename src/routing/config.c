/*-------------------------------------------------------------------------
 *
 * config.c
 *	  The routing configuration (skills, queues with their custom rules,
 *	  push workstreams, presences), cached per backend and invalidated when it changes.
 *
 * An idle routing cycle must cost next to nothing and configuration changes
 * are rare, so the configuration is read once and kept in a long-lived
 * memory context, as pg_cron keeps its job list.  A statement trigger on
 * each configuration table (omni._routing_config_changed()) sends a relcache
 * invalidation for the table at commit; every backend's callback then marks
 * the cache stale and the next cycle reads it again.  A change made by the
 * cycle's own transaction is seen too: invalidations are processed locally
 * at the next command.
 *
 * Presences (names, bases) are configuration too: the agents' rows carry
 * only the names.  Per-agent facts (members, skills, capacity profiles, load,
 * presence) are read by each cycle for the queues in play only, through
 * index lookups (load.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "commands/trigger.h"
#include "utils/inval.h"
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
#include "omni_shmem.h"
#include "routing/routing.h"


/* The tables whose changes invalidate the cache (statement triggers). */
static const char *const config_tables[] = {
	"skill", "queue", "workstream", "assignment_rule", "presence",
	/* what the agent cache (agent_cache.c) keeps as configuration */
	"agent", "agent_skill", "queue_member", "agent_capacity_profile", "capacity_profile"
};
#define NCONFIG_TABLES lengthof(config_tables)

typedef struct RConfig
{
	MemoryContext cxt;			/* owns everything below; NULL: not loaded */
	int			nskills;
	char	  **skills;
	int			nqueues;
	RQueue	   *queues;			/* configuration fields only */
	int			nws;
	RWorkstream *ws;
	int			min_units;
	bool		any_custom;
	int			npresences;
	RPresence  *presences;
	uint64		loaded_at;		/* config_invalidations when read */
	bool		cacheable;		/* the invalidation triggers exist */
	bool		presences_cacheable;	/* omni.presence has its trigger (0.3.0) */
	bool		agents_cacheable;	/* the agent change triggers exist (0.3.0) */
} RConfig;

static RConfig config;
static Oid	config_relids[NCONFIG_TABLES];
static uint64 config_invalidations = 0;
static bool callback_registered = false;

/* Number of times this backend read the configuration (omni._routing_cache_loads()). */
static uint64 config_loads = 0;

static void
config_relcache_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid)
	{
		config_invalidations++;
		return;
	}
	for (int i = 0; i < NCONFIG_TABLES; i++)
		if (config_relids[i] == relid)
			config_invalidations++;
}

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

/* read_presences reads every presence with its base into rc->cxt. */
static void
read_presences(RCycle *rc)
{
	MemoryContext old;

	rt_run(P_PRESENCES, NULL, NULL);
	old = MemoryContextSwitchTo(rc->cxt);
	rc->npresences = SPI_processed;
	rc->presences = palloc(sizeof(RPresence) * Max(rc->npresences, 1));
	for (int i = 0; i < rc->npresences; i++)
	{
		rc->presences[i].name = rt_col_text(i, 1);
		rc->presences[i].base = rt_col_base_status(i, 2);
		rc->presences[i].system_only = rt_col_bool(i, 3);
	}
	MemoryContextSwitchTo(old);
}

/* read_config reads skills, queues, workstreams, custom rules and presences into rc->cxt. */
static void
read_config(RCycle *rc)
{
	MemoryContext old;

	read_presences(rc);

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
				/*
				 * A condition that reads a variable reads the conversation
				 * (the only variable a condition may use): it is evaluated per
				 * (agent, conversation).  jsonpath prints variables quoted,
				 * $"conversation", whatever was written.
				 */
				cr->dynamic = !isnull && strstr(rt_col_text(r, 4), "$\"") != NULL;
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
 * reload_config reads the configuration into a new context and, once it is
 * complete, replaces the cached one.  The invalidation count is taken before
 * reading: a change committed while we read makes the next cycle read again.
 */
static void
reload_config(void)
{
	uint64		start;
	RCycle		tmp;
	MemoryContext cxt;
	Oid			nsp = get_namespace_oid("omni", false);
	bool		cacheable;
	bool		presences_cacheable;
	bool		agents_cacheable;

	if (!callback_registered)
	{
		omni_on_relcache_change(config_relcache_callback, (Datum) 0);
		callback_registered = true;
	}
	for (int i = 0; i < NCONFIG_TABLES; i++)
		config_relids[i] = get_relname_relid(config_tables[i], nsp);
	start = config_invalidations;

	/*
	 * Until the 0.2.0 update has installed the invalidation triggers and the
	 * offer path, read the configuration every cycle and use the 0.1.0
	 * statements (the old behaviour).
	 */
	if (SPI_execute("SELECT to_regprocedure('omni._routing_config_changed()') IS NOT NULL"
					"   AND to_regprocedure('omni._write_offers(bigint[], bigint[], text[], timestamptz[],"
					" integer[], text[], text[], timestamptz[], jsonb[], jsonb[], bigint[])') IS NOT NULL,"
					" EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t WHERE t.tgrelid = to_regclass('omni.presence')"
					"         AND t.tgname = 'routing_config_changed'),"
					" to_regprocedure('omni._agents_changed()') IS NOT NULL",
					true, 1) != SPI_OK_SELECT)
		elog(ERROR, "omnichannel: could not check the routing configuration triggers");
	cacheable = rt_col_bool(0, 1);
	/* before the 0.3.0 update nothing tells us of presence changes: read them every cycle */
	presences_cacheable = cacheable && rt_col_bool(0, 2);
	agents_cacheable = presences_cacheable && rt_col_bool(0, 3);

	cxt = AllocSetContextCreate(CurrentMemoryContext, "omnichannel routing configuration",
								ALLOCSET_SMALL_SIZES);
	memset(&tmp, 0, sizeof(tmp));
	tmp.cxt = cxt;
	read_config(&tmp);

	/* complete: keep it */
	MemoryContextSetParent(cxt, TopMemoryContext);
	if (config.cxt)
		MemoryContextDelete(config.cxt);
	config.cxt = cxt;
	config.nskills = tmp.nskills;
	config.skills = tmp.skills;
	config.nqueues = tmp.nqueues;
	config.queues = tmp.queues;
	config.nws = tmp.nws;
	config.ws = tmp.ws;
	config.min_units = tmp.min_units;
	config.any_custom = tmp.any_custom;
	config.npresences = tmp.npresences;
	config.presences = tmp.presences;
	config.loaded_at = start;
	config.cacheable = cacheable;
	config.presences_cacheable = presences_cacheable;
	config.agents_cacheable = agents_cacheable;
	config_loads++;
}

/*
 * rt_load_config gives the cycle the configuration, reading it only when it
 * changed.  Queues are copied into the cycle's context: a cycle adds its
 * members, heaps and rule caches to them.
 */
void
rt_load_config(RCycle *rc)
{
	MemoryContext old;

	if (config.cxt == NULL || !config.cacheable || config.loaded_at != config_invalidations)
		reload_config();
	rc->nskills = config.nskills;
	rc->skills = config.skills;
	rc->nws = config.nws;
	rc->ws = config.ws;
	rc->min_units = config.min_units;
	rc->any_custom = config.any_custom;
	rc->legacy_sql = !config.cacheable;
	if (config.presences_cacheable)
	{
		rc->npresences = config.npresences;
		rc->presences = config.presences;
	}
	else
		read_presences(rc);
	rc->nqueues = config.nqueues;
	old = MemoryContextSwitchTo(rc->cxt);
	rc->queues = palloc(sizeof(RQueue) * Max(config.nqueues, 1));
	for (int i = 0; i < config.nqueues; i++)
	{
		RQueue	   *q = &rc->queues[i];
		const RQueue *cq = &config.queues[i];

		memset(q, 0, sizeof(RQueue));
		q->name = cq->name;
		q->priority = cq->priority;
		q->method = cq->method;
		q->nrules = cq->nrules;
		if (cq->nrules > 0)
		{
			q->rules = palloc(sizeof(CustomRule) * cq->nrules);
			memcpy(q->rules, cq->rules, sizeof(CustomRule) * cq->nrules);
			for (int r = 0; r < cq->nrules; r++)
				q->rules[r].cache = NULL;
		}
	}
	MemoryContextSwitchTo(old);
}

/* rt_config_loads: changes whenever the configuration was read again. */
uint64
rt_config_loads(void)
{
	return config_loads;
}

/* rt_config_agents_cacheable: the SQL tells the agent cache of every change (0.3.0). */
bool
rt_config_agents_cacheable(void)
{
	return config.cxt != NULL && config.agents_cacheable;
}

/* rt_config_stale: the cycle saw configuration newer than the cache; read it again. */
void
rt_config_stale(void)
{
	config_invalidations++;
}

PG_FUNCTION_INFO_V1(omni_routing_config_changed);

/*
 * omni._routing_config_changed(): statement trigger on the configuration
 * tables; every backend drops its cached routing configuration when the
 * change commits, and the router is woken then: its cycle reads the new
 * configuration and, with nothing to offer, the agents and its plans, so
 * the next offer does not wait for them (cycle.c), once the invalidation
 * is sent (shmem.c).
 */
Datum
omni_routing_config_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("omni._routing_config_changed() must be called as a trigger")));
	CacheInvalidateRelcache(trigdata->tg_relation);
	omni_config_changed_at_commit();
	return PointerGetDatum(NULL);
}

PG_FUNCTION_INFO_V1(omni_routing_cache_loads);

/* omni._routing_cache_loads(): how often this backend read the configuration. */
Datum
omni_routing_cache_loads(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64((int64) config_loads);
}
