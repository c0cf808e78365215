/*-------------------------------------------------------------------------
 *
 * cycle.c
 *	  omni.route(): one assignment cycle in the caller's transaction.
 *
 * One cycle, in the caller's transaction (docs/routing.md):
 *
 *	1. lock the open push conversations with no pending offer, up to
 *	   omnichannel.route_batch_size per queue, skipping rows other sessions
 *	   hold (FOR NO KEY UPDATE SKIP LOCKED: the router never waits);
 *	2. read the logged-in members of those queues (load, presence, clocks,
 *	   skills, capacity profiles) without locking them;
 *	3. walk the conversations in order (queue priority, conversation
 *	   priority, time in queue) and choose an agent for each in memory:
 *	   highest_capacity, round_robin and least_active keep one binary heap
 *	   per queue keyed by the method's ordering, so a choice costs
 *	   O(log agents); custom rules and closest skill matching with required
 *	   skills depend on the conversation and scan the queue's members;
 *	4. lock only the agents that got offers (SKIP LOCKED) and read them
 *	   again: one that changed since step 2 or that another session holds
 *	   gets nothing this cycle.  Once locked nobody else can add load to an
 *	   agent, so what was decided for it stays true until we commit;
 *	5. write every offer of the cycle with one call of omni._write_offers(),
 *	   the one path that writes offers (omni._make_offer() uses it too):
 *	   offers, capacity holds, rotation, agent clocks, 'offered' events,
 *	   decisions, NOTIFY omni_offer and the agent channel, presence following
 *	   load.
 *
 * Eligibility has the semantics of omni._eligibility_refusal()
 * (sql/src/50_conversation.sql); the lock order is the same as everywhere
 * (conversation rows before agent rows).
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

#include "utils/guc.h"

#include "omnichannel.h"
#include "routing/routing.h"

const char *const routing_method_names[ROUTING_NMETHODS] = {
	"highest_capacity", "round_robin", "least_active", "custom"
};

uint64		routing_cycle_no = 0;

/*
 * Planner settings of a routing cycle.  The cycle's statements are written
 * so that a plan made of index lookups exists for each (statements.c); with
 * these settings the planner takes it whatever the statistics say, so a burst
 * right after set-up (no ANALYZE yet) or a worker whose generic plans were
 * made when the tables were empty never gets a plan that scans a whole
 * table per row; the index paths are switched on in case the session turned
 * them off.  JIT would only add compile time to such plans.  The PL/pgSQL
 * the cycle calls (the offer and presence writers) takes its generic plans
 * from the first call: with the default plan_cache_mode each of their
 * statements was planned for its first five calls, at the first offers
 * after a router start (10-15 ms each of the first two cycles), before
 * settling on the generic plan it then keeps.  They apply to the cycle's
 * statements only and are restored when it ends (or fails).
 */
static const char *const cycle_settings[][2] = {
	{"enable_indexscan", "on"},
	{"enable_indexonlyscan", "on"},
	{"enable_nestloop", "on"},
	{"enable_seqscan", "off"},
	{"enable_bitmapscan", "off"},
	{"enable_hashjoin", "off"},
	{"enable_mergejoin", "off"},
	{"jit", "off"},
	{"plan_cache_mode", "force_generic_plan"},
};

/* Apply the cycle's planner settings; returns the GUC nest level to restore. */
static int
apply_cycle_settings(void)
{
	int			level = NewGUCNestLevel();

	for (int i = 0; i < lengthof(cycle_settings); i++)
		(void) set_config_option(cycle_settings[i][0], cycle_settings[i][1],
								 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	return level;
}

/*
 * omni_route_cycle runs one assignment cycle inside the current transaction.
 * Returns the number of offers; *more is set when the batch limit was
 * reached and the cycle made progress, or when a candidate changed under us
 * (the worker then runs again soon), *min_expiry to the earliest expiry made,
 * *waiting when open conversations are left without an offer (a change of
 * an agent may let the next cycle offer them; with none waiting it cannot).
 * Rows other sessions hold are skipped silently: those sessions wake the
 * worker when they commit a change that matters, and the tick is a safety net.
 */
int
omni_route_cycle(bool *more, TimestampTz *min_expiry, bool *waiting)
{
	RCycle		rc;
	MemoryContext cxt;
	MemoryContext old;
	bool		skipped = false;
	int			noffers = 0;
	int			guc_level;

	*more = false;
	*min_expiry = 0;
	*waiting = false;
	if (RecoveryInProgress())
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("cannot route during recovery"),
				 errhint("Routing runs on the primary only.")));
	if (IsolationUsesXactSnapshot())
		ereport(ERROR,
				(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
				 errmsg("omni.route() must run at isolation level READ COMMITTED"),
				 errdetail("Each step of a cycle reads the rows it has just locked with a fresh snapshot."),
				 errhint("Call it in a READ COMMITTED transaction.")));

	cxt = AllocSetContextCreate(CurrentMemoryContext, "omnichannel routing cycle", ALLOCSET_DEFAULT_SIZES);
	memset(&rc, 0, sizeof(rc));
	rc.cxt = cxt;
	rc.scratch = AllocSetContextCreate(cxt, "omnichannel routing offer log", ALLOCSET_DEFAULT_SIZES);
	rc.now = omni_now();
	routing_cycle_no++;
	/* this cycle's statements only */
	memset(routing_plan_us, 0, sizeof(routing_plan_us));

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "omnichannel: SPI_connect failed");
	rt_load_config(&rc);
	/* the 0.1.0 SQL (before ALTER EXTENSION UPDATE): plans as 0.1.0 made them */
	guc_level = rc.legacy_sql ? NewGUCNestLevel() : apply_cycle_settings();

	if (rc.nws > 0 && rt_lock_and_load_conversations(&rc, &skipped))
	{
		TimestampTz t0 = GetCurrentTimestamp();
		/* A queue may hold more than one batch: run again if this one helped. */
		bool		hit_limit = (rc.nconvs >= omni_route_batch_size);

		rt_load_agents(&rc);
		elog(DEBUG1, "omnichannel routing: %d conversations, %d agents loaded in %ld us",
			 rc.nconvs, rc.nagents, (long) (GetCurrentTimestamp() - t0));
		if (rc.nagents > 0)
		{
			rt_load_declines(&rc);
			old = MemoryContextSwitchTo(cxt);
			rc.offers = palloc(sizeof(ROffer) * rc.nconvs);
			for (int i = 0; i < rc.nconvs; i++)
			{
				RConv	   *c = &rc.convs[i];
				RQueue	   *q = &rc.queues[c->queue];
				RWorkstream *w = &rc.ws[c->ws];
				Choice		ch;

				CHECK_FOR_INTERRUPTS();
				if (q->nmembers == 0)
					continue;
				memset(&ch, 0, sizeof(ch));
				ch.best = ch.runner = ch.rule = -1;
				if (q->method == M_CUSTOM || (w->closest && c->nreq > 0))
					rt_choose_scan(&rc, q, c, w, &ch);
				else
					rt_choose_heap(&rc, q, c, w, &ch);
				if (ch.best >= 0)
					rt_record_offer(&rc, q, c, w, &ch);
			}
			MemoryContextSwitchTo(old);
			elog(DEBUG1, "omnichannel routing: %d offers chosen at %ld us", rc.noffers,
				 (long) (GetCurrentTimestamp() - t0));
			if (rc.noffers > 0)
			{
				old = MemoryContextSwitchTo(cxt);
				if (!rt_check_chosen_agents(&rc))
					skipped = true;
				if (rc.noffers > 0)
					rt_write_offers(&rc);
				MemoryContextSwitchTo(old);
				elog(DEBUG1, "omnichannel routing: offers written at %ld us", (long) (GetCurrentTimestamp() - t0));
				for (int i = 0; i < rc.noffers; i++)
					if (*min_expiry == 0 || rc.offers[i].expires < *min_expiry)
						*min_expiry = rc.offers[i].expires;
			}
		}
		noffers = rc.noffers;
		if (hit_limit && noffers > 0)
			*more = true;
		*waiting = noffers < rc.nconvs;
	}
	else if (rc.nws > 0 && !skipped)
	{
		/*
		 * Nothing to offer: read the agents now if due and, in the router,
		 * plan what the next offers run, after a start or a configuration
		 * change (which wakes the router at commit).
		 */
		static bool planned = false;

		if ((rt_warm_agent_cache(&rc) || !planned) && IsBackgroundWorker && !rc.legacy_sql)
		{
			rt_warm_statements();
			planned = true;
		}
	}

	AtEOXact_GUC(true, guc_level);
	SPI_finish();
	MemoryContextDelete(cxt);
	if (message_level_is_interesting(DEBUG2))
	{
		StringInfoData b;

		initStringInfo(&b);
		for (int i = 0; i < P_COUNT; i++)
			appendStringInfo(&b, " %d:%ld", i, routing_plan_us[i]);
		elog(DEBUG2, "omnichannel routing: statement us%s", b.data);
	}
	if (rc.config_stale)
		rt_config_stale();
	if (skipped || rc.config_stale)
		*more = *waiting = true;
	return noffers;
}

PG_FUNCTION_INFO_V1(omni_route);

/* omni.route(): one cycle in the caller's transaction. */
Datum
omni_route(PG_FUNCTION_ARGS)
{
	bool		more;
	TimestampTz min_expiry;
	bool		waiting;

	PG_RETURN_INT32(omni_route_cycle(&more, &min_expiry, &waiting));
}
