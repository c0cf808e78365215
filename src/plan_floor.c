/*-------------------------------------------------------------------------
 *
 * plan_floor.c
 *	  The planner never believes a runtime table of omnichannel is tiny.
 *
 * A table vacuumed while empty (an autovacuum right after set-up, or a
 * DBA's VACUUM ANALYZE) has relpages = reltuples = 0, and PostgreSQL then
 * trusts it: a statement planned while such a table holds a page or two
 * reads it whole, a key lookup included, since that is cheapest at that
 * size.  The plan is cached (PL/pgSQL's plans, foreign-key checks) and kept
 * until the next ANALYZE of the table, while the table grows: every
 * enqueue, accept or close then costs more with every conversation before
 * it.  So for the tables that grow with traffic the planner's size estimate
 * is raised to at least omnichannel.planner_min_pages pages, as PostgreSQL
 * itself assumes 10 pages for a table never vacuumed: a lookup by key stays
 * an index lookup whatever the statistics say, and a plan that reads a whole
 * table reads it whole anyway.  Configuration tables are left alone (small
 * by nature, read whole when that is cheapest), and so are the KPI tables.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <stdlib.h>

#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "catalog/namespace.h"
#include "nodes/pathnodes.h"
#include "optimizer/plancat.h"
#include "utils/syscache.h"

#include "omnichannel.h"

/* Rows per page assumed when the table's own density is unknown. */
#define FLOOR_ROWS_PER_PAGE 50

/* The tables that grow with traffic, sorted for bsearch. */
static const char *const runtime_tables[] = {
	"action_item", "agent_state", "call_insight", "call_term", "capacity_hold",
	"capacity_profile_use", "coaching_comment", "conversation", "conversation_participant",
	"customer", "customer_identity", "event", "message", "offer", "offer_decision",
	"presence_history", "queue_rotation", "sentiment_history", "term_mention",
	"transcript_segment", "transfer_offer",
};

static get_relation_info_hook_type prev_get_relation_info_hook = NULL;

static int
cmp_name(const void *key, const void *elem)
{
	return strcmp((const char *) key, *(const char *const *) elem);
}

/* Whether relid is one of omnichannel's runtime tables. */
static bool
is_runtime_table(Oid relid)
{
	HeapTuple	tup;
	Form_pg_class cls;
	bool		found;

	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
		return false;
	cls = (Form_pg_class) GETSTRUCT(tup);
	/* the name first: most relations planned (catalogs) stop here */
	found = cls->relkind == RELKIND_RELATION &&
		bsearch(NameStr(cls->relname), runtime_tables, lengthof(runtime_tables),
				sizeof(runtime_tables[0]), cmp_name) != NULL &&
		cls->relnamespace == get_namespace_oid("omni", true);
	ReleaseSysCache(tup);
	return found;
}

static void
raise_size_estimate(PlannerInfo *root, Oid relid, bool inhparent, RelOptInfo *rel)
{
	if (prev_get_relation_info_hook)
		prev_get_relation_info_hook(root, relid, inhparent, rel);
	if (omni_planner_min_pages <= 0 || inhparent || rel->pages >= (BlockNumber) omni_planner_min_pages)
		return;
	if (!is_runtime_table(relid))
		return;
	{
		double		density = (rel->pages > 0 && rel->tuples > 0)
			? rel->tuples / rel->pages : FLOOR_ROWS_PER_PAGE;
		ListCell   *lc;

		rel->pages = (BlockNumber) omni_planner_min_pages;
		rel->tuples = Max(rel->tuples, density * omni_planner_min_pages);
		/* a whole index holds a row per table row (get_relation_info's rule) */
		foreach(lc, rel->indexlist)
		{
			IndexOptInfo *index = (IndexOptInfo *) lfirst(lc);

			if (index->indpred == NIL)
				index->tuples = rel->tuples;
		}
	}
}

void
omni_install_plan_floor(void)
{
	prev_get_relation_info_hook = get_relation_info_hook;
	get_relation_info_hook = raise_size_estimate;
}
