/*-------------------------------------------------------------------------
 *
 * statements.c
 *	  The prepared statements of a routing cycle and the helpers that read
 *	  their SPI results into the cycle's arrays.
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
#include "utils/plancache.h"
#include "utils/timestamp.h"

#include "omnichannel.h"
#include "routing/routing.h"

typedef struct PlanDef
{
	const char *sql;
	int			nargs;
	Oid			argtypes[11];
} PlanDef;

/*
 * The agents' rows (rt_read_agents): logged-in agents with their load;
 * presences are mapped to their bases from the configuration cache.
 */
#define AGENT_COLUMNS \
		"SELECT a.id, a.capacity_units, s.presence, s.chosen_presence," \
		"       s.logged_in, s.last_assigned_at, s.last_released_at, u.used," \
		"       CASE WHEN $2 THEN jsonb_build_object('id', a.id, 'name', a.name, 'attributes', a.attributes," \
		"            'presence', s.presence," \
		"            'base_status', (SELECT p.base_status FROM omni.presence p WHERE p.name = s.presence)," \
		"            'capacity_units', a.capacity_units," \
		"            'used_units', u.used, 'free_units', a.capacity_units - u.used," \
		"            'skills', coalesce((SELECT jsonb_object_agg(k.skill, k.proficiency) FROM omni.agent_skill k" \
		"                                 WHERE k.agent_id = a.id), '{}')) END"
/* OFFSET 0: keep each an index lookup per agent */
#define AGENT_LOOKUPS \
		"  CROSS JOIN LATERAL (SELECT * FROM omni.agent_state s WHERE s.agent_id = mm.agent_id AND s.logged_in" \
		"                      OFFSET 0) s" \
		"  CROSS JOIN LATERAL (SELECT * FROM omni.agent a WHERE a.id = mm.agent_id OFFSET 0) a" \
		"  CROSS JOIN LATERAL (SELECT coalesce(sum(h.units), 0)::integer AS used FROM omni.capacity_hold h" \
		"                       WHERE h.agent_id = a.id) u" \
		" ORDER BY a.id"
#define MEMBER_COLUMNS \
		"SELECT m.queue, m.agent_id, coalesce(r.last_assigned_at, m.added_at), r.last_assigned_at IS NOT NULL" \
		"  FROM omni.queue_member m" \
		"  LEFT JOIN LATERAL (SELECT r.last_assigned_at FROM omni.queue_rotation r" \
		"                      WHERE r.queue = m.queue AND r.agent_id = m.agent_id OFFSET 0) r ON true"

static const PlanDef plan_defs[P_COUNT] = {
	[P_SKILLS] = {"SELECT name FROM omni.skill ORDER BY name COLLATE \"C\"", 0},
	[P_QUEUES] = {"SELECT name, priority, assignment_method::text FROM omni.queue ORDER BY name COLLATE \"C\"", 0},
	[P_WORKSTREAMS] = {
		"SELECT w.name, w.capacity_units, w.capacity_profile,"
		"       (SELECT coalesce(sum(1 << (array_position(enum_range(NULL::omni.base_status), b) - 1)), 0)"
		"          FROM unnest(w.allowed_presences) b)::integer,"
		"       (extract(epoch FROM w.offer_timeout) * 1000000)::bigint, w.max_declines,"
		"       w.skill_match = 'closest'"
		"  FROM omni.workstream w WHERE w.mode = 'push' ORDER BY w.name COLLATE \"C\"", 0},
	[P_RULES] = {
		"SELECT r.queue, r.position, r.condition, r.condition::text, r.order_by"
		"  FROM omni.assignment_rule r JOIN omni.queue q ON q.name = r.queue"
		" WHERE q.assignment_method = 'custom' ORDER BY r.queue COLLATE \"C\", r.position", 0},
	[P_PRESENCES] = {
		"SELECT name, base_status::text, system_only FROM omni.presence ORDER BY name COLLATE \"C\"", 0},
	/*
	 * Every statement below must have only cheap plans whatever the
	 * statistics say (a worker keeps its plans while tables grow from empty
	 * to millions of rows): each is driven from a short list (the queues, the
	 * ids of this cycle) into index lookups, and the cycle plans them with
	 * sequential scans, bitmap scans, hash and merge joins disabled
	 * (cycle.c).  "OFFSET 0" keeps a sub-select a per-row index probe instead
	 * of letting the planner turn it into a join.  The conversations of a
	 * cycle are found and locked without statements (conv_lock.c).
	 */
	[P_LOCK_AGENTS] = {
		"SELECT s.agent_id FROM omni.agent_state s WHERE s.agent_id = ANY ($1)"
		" ORDER BY s.agent_id FOR NO KEY UPDATE OF s SKIP LOCKED",
	1, {INT8ARRAYOID}},
	[P_LOAD_AGENTS] = {
		/* driven from the queues' members with LATERAL index lookups, so a
		 * generic plan stays proportional to the members, not to all agents */
		AGENT_COLUMNS
		"  FROM (SELECT DISTINCT m.agent_id FROM omni.queue_member m WHERE m.queue = ANY ($1)) mm"
		AGENT_LOOKUPS,
	2, {TEXTARRAYOID, BOOLOID}},
	[P_LOAD_AGENTS_BY_ID] = {
		/* the same, for the agents of the cache that changed (agent_cache.c) */
		AGENT_COLUMNS
		"  FROM (SELECT DISTINCT i AS agent_id FROM unnest($1::bigint[]) i) mm"
		AGENT_LOOKUPS,
	2, {INT8ARRAYOID, BOOLOID}},
	[P_MEMBERS] = {
		MEMBER_COLUMNS
		" WHERE m.queue = ANY ($1)",
	1, {TEXTARRAYOID}},
	[P_AGENT_SKILLS] = {
		"SELECT agent_id, skill, proficiency FROM omni.agent_skill WHERE agent_id = ANY ($1)"
		" ORDER BY agent_id, skill COLLATE \"C\"",
	1, {INT8ARRAYOID}},
	[P_PROFILES] = {
		"SELECT acp.agent_id, cp.name, coalesce(acp.max_items, cp.max_items), cp.blocking,"
		"       cp.reset = 'end_of_day',"
		"       (SELECT count(*) FROM omni.capacity_hold h WHERE h.agent_id = acp.agent_id AND h.profile = cp.name)::integer,"
		"       CASE WHEN cp.reset = 'end_of_day' THEN"
		"            (SELECT coalesce(sum(u.items), 0) FROM omni.capacity_profile_use u"
		"              WHERE u.agent_id = acp.agent_id AND u.profile = cp.name"
		"                AND u.day = ($2 AT TIME ZONE 'UTC')::date)::integer"
		"          + (SELECT count(*) FROM omni.capacity_hold h WHERE h.agent_id = acp.agent_id"
		"                AND h.profile = cp.name AND h.kind = 'offer')::integer ELSE 0 END"
		"  FROM omni.agent_capacity_profile acp JOIN omni.capacity_profile cp ON cp.name = acp.profile"
		" WHERE acp.agent_id = ANY ($1) ORDER BY acp.agent_id, cp.name",
	2, {INT8ARRAYOID, TIMESTAMPTZOID}},
	[P_DECLINES] = {
		"SELECT conversation_id, agent_id, count(*)::integer FROM omni.offer"
		" WHERE conversation_id = ANY ($1) AND state IN ('rejected', 'expired') GROUP BY 1, 2",
	1, {INT8ARRAYOID}},
	[P_WRITE] = {
		/* the one path that writes offers (sql/src/50_conversation.sql) */
		"SELECT omni._write_offers($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
		11, {INT8ARRAYOID, INT8ARRAYOID, TEXTARRAYOID, TIMESTAMPTZARRAYOID, INT4ARRAYOID, TEXTARRAYOID,
		TEXTARRAYOID, TIMESTAMPTZARRAYOID, JSONBARRAYOID, JSONBARRAYOID, INT8ARRAYOID}},

	/*
	 * The 0.1.0 statements, used until ALTER EXTENSION UPDATE has created
	 * omni._write_offers() and omni._has_pending_offer() (the library must
	 * keep working with the 0.1.0 SQL): planned with the session's settings,
	 * as 0.1.0 did.
	 */
	[P_LOCK_CONVS_V1] = {
		"SELECT c.id FROM (SELECT DISTINCT cv.queue FROM omni.conversation cv WHERE cv.state = 'open') q"
		" CROSS JOIN LATERAL ("
		"   SELECT c.id FROM omni.conversation c"
		"    WHERE c.state = 'open' AND c.queue = q.queue"
		"      AND EXISTS (SELECT 1 FROM omni.workstream w WHERE w.name = c.workstream AND w.mode = 'push')"
		"      AND NOT EXISTS (SELECT 1 FROM omni.offer o WHERE o.conversation_id = c.id AND o.state = 'pending')"
		"    ORDER BY c.priority, c.queued_at, c.id LIMIT $1"
		"    FOR NO KEY UPDATE OF c SKIP LOCKED) c"
		" WHERE EXISTS (SELECT 1 FROM omni.queue_member m JOIN omni.agent_state s ON s.agent_id = m.agent_id"
		"                WHERE m.queue = q.queue AND s.logged_in)",
	1, {INT4OID}},
	[P_LOAD_CONVS_V1] = {
		"SELECT c.id, c.queue, c.workstream, c.channel,"
		"       ARRAY(SELECT k FROM jsonb_each_text(c.required_skills) r(k, v) ORDER BY k COLLATE \"C\"),"
		"       ARRAY(SELECT v::numeric::integer FROM jsonb_each_text(c.required_skills) r(k, v) ORDER BY k COLLATE \"C\"),"
		"       CASE WHEN $2 THEN jsonb_build_object('conversation', jsonb_build_object("
		"            'id', c.id, 'priority', c.priority, 'required_skills', c.required_skills,"
		"            'context', c.context, 'queue', c.queue, 'workstream', c.workstream, 'channel', c.channel)) END"
		"  FROM omni.conversation c JOIN omni.queue q ON q.name = c.queue"
		" WHERE c.id = ANY ($1) AND c.state = 'open'"
		"   AND NOT EXISTS (SELECT 1 FROM omni.offer o WHERE o.conversation_id = c.id AND o.state = 'pending')"
		" ORDER BY q.priority, c.priority, c.queued_at, c.id",
	2, {INT8ARRAYOID, BOOLOID}},
	[P_WRITE_V1] = {
		"WITH u AS (SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::timestamptz[],"
		"                                $5::integer[], $6::text[], $7::text[], $8::text[], $9::timestamptz[])"
		"                  AS u(c, a, q, e, n, p, ch, d, st)),"
		" o AS (INSERT INTO omni.offer (conversation_id, agent_id, queue, created_at, expires_at)"
		"       SELECT u.c, u.a, u.q, $10, u.e FROM u ORDER BY u.st"
		"       RETURNING id, conversation_id, agent_id, queue, expires_at),"
		" h AS (INSERT INTO omni.capacity_hold (conversation_id, agent_id, units, profile, since, kind, override)"
		"       SELECT u.c, u.a, u.n, u.p, $10, 'offer', false FROM u"
		"       ON CONFLICT (conversation_id) DO UPDATE"
		"          SET agent_id = EXCLUDED.agent_id, units = EXCLUDED.units, profile = EXCLUDED.profile,"
		"              since = EXCLUDED.since, kind = EXCLUDED.kind, override = EXCLUDED.override),"
		" s AS (UPDATE omni.agent_state s SET last_assigned_at = m.st"
		"         FROM (SELECT u.a, max(u.st) AS st FROM u GROUP BY u.a) m WHERE s.agent_id = m.a),"
		" r AS (INSERT INTO omni.queue_rotation (queue, agent_id, last_assigned_at)"
		"       SELECT u.q, u.a, max(u.st) FROM u GROUP BY u.q, u.a"
		"       ON CONFLICT (queue, agent_id) DO UPDATE SET last_assigned_at = EXCLUDED.last_assigned_at),"
		" ev AS (INSERT INTO omni.event (at, kind, conversation_id, agent_id, offer_id, queue, channel,"
		"                                from_state, to_state, actor, detail)"
		"        SELECT $10, 'offered', o.conversation_id, o.agent_id, o.id, o.queue, u.ch, 'open', 'open',"
		"               omni._caller_name(), u.d::jsonb"
		"          FROM o JOIN u ON u.c = o.conversation_id ORDER BY o.id)"
		" SELECT o.id, pg_notify('omni_offer', json_build_object('offer_id', o.id, 'agent_id', o.agent_id,"
		"        'conversation_id', o.conversation_id, 'expires_at', o.expires_at)::text)"
		"   FROM o ORDER BY o.id",
	10, {INT8ARRAYOID, INT8ARRAYOID, TEXTARRAYOID, TIMESTAMPTZARRAYOID, INT4ARRAYOID, TEXTARRAYOID,
		TEXTARRAYOID, TEXTARRAYOID, TIMESTAMPTZARRAYOID, TIMESTAMPTZOID}},
	[P_FOLLOW_V1] = {"SELECT omni._follow_load(a) FROM unnest($1::bigint[]) a ORDER BY a", 1, {INT8ARRAYOID}},
};

static SPIPlanPtr plans[P_COUNT];

/* get_plan returns the prepared statement, preparing it on first use. */
static SPIPlanPtr
get_plan(int which)
{
	if (plans[which] == NULL)
	{
		const PlanDef *d = &plan_defs[which];
		/*
		 * Generic plans: these statements run many times a second with the
		 * same shape; planning them again each time (custom plans) costs
		 * more than a cycle's work at low load.
		 */
		SPIPlanPtr	p = SPI_prepare_cursor(d->sql, d->nargs, (Oid *) d->argtypes,
										   CURSOR_OPT_GENERIC_PLAN);

		if (p == NULL)
			elog(ERROR, "omnichannel: could not prepare routing statement %d: %s",
				 which, SPI_result_code_string(SPI_result));
		SPI_keepplan(p);
		plans[which] = p;
	}
	return plans[which];
}

/*
 * rt_warm_statements plans the statements a cycle that offers runs, and runs
 * the offer writer with no offers (which compiles omni._write_offers and
 * plans its statement, writing nothing), in a cycle that has nothing to
 * offer.  The first offers after a router start otherwise waited 10-15 ms
 * for that (bench/routing_latency.sh, TIMELINE=50).  Plans that stay valid
 * cost a lookup each.
 */
void
rt_warm_statements(void)
{
	static const int offering[] = {
		P_LOCK_AGENTS, P_LOAD_AGENTS, P_LOAD_AGENTS_BY_ID,
		P_MEMBERS, P_AGENT_SKILLS, P_PROFILES, P_DECLINES
	};
	const PlanDef *w = &plan_defs[P_WRITE];
	Datum		none[lengthof(w->argtypes)];

	for (int i = 0; i < lengthof(offering); i++)
	{
		CachedPlan *plan = SPI_plan_get_cached_plan(get_plan(offering[i]));

		if (plan != NULL)
			ReleaseCachedPlan(plan, CurrentResourceOwner);
	}
	for (int i = 0; i < w->nargs; i++)
		none[i] = PointerGetDatum(construct_empty_array(get_element_type(w->argtypes[i])));
	rt_run(P_WRITE, none, NULL);
}

/* rt_run executes a prepared statement; read_only is never used (fresh snapshots). */
long		routing_plan_us[P_COUNT];

void
rt_run(int which, Datum *values, const char *nulls)
{
	TimestampTz t0 = GetCurrentTimestamp();
	int			rc = SPI_execute_plan(get_plan(which), values, nulls, false, 0);

	routing_plan_us[which] += GetCurrentTimestamp() - t0;

	if (rc < 0)
		elog(ERROR, "omnichannel: routing statement %d failed: %s", which, SPI_result_code_string(rc));
}

/* ---------------------------------------------------------------------------
 * Small helpers for reading SPI results into the cycle context
 * ---------------------------------------------------------------------------
 */
Datum
rt_col(int row, int c, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, c, isnull);
}

int64
rt_col_int8(int row, int c)
{
	bool		isnull;
	Datum		d = rt_col(row, c, &isnull);

	return isnull ? 0 : DatumGetInt64(d);
}

int
rt_col_int4(int row, int c)
{
	bool		isnull;
	Datum		d = rt_col(row, c, &isnull);

	return isnull ? 0 : DatumGetInt32(d);
}

bool
rt_col_bool(int row, int c)
{
	bool		isnull;
	Datum		d = rt_col(row, c, &isnull);

	return isnull ? false : DatumGetBool(d);
}

double
rt_col_time(int row, int c)
{
	bool		isnull;
	Datum		d = rt_col(row, c, &isnull);

	return isnull ? NULL_TIME : (double) DatumGetTimestampTz(d);
}

/* rt_col_text copies a text column into the current memory context (NULL stays NULL). */
char *
rt_col_text(int row, int c)
{
	bool		isnull;
	Datum		d = rt_col(row, c, &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
}

/*
 * rt_base_status: the BASE_* constant of an omni.base_status label (the
 * statements return the label rather than an ordinal from enum_range(),
 * which scans pg_enum at every call, twice per agent).
 */
int
rt_base_status(const char *label)
{
	static const char *const labels[] = {"available", "busy", "busy_dnd", "away", "offline"};

	StaticAssertStmt(BASE_AVAILABLE == 0 && BASE_BUSY == 1 && BASE_BUSY_DND == 2 &&
					 BASE_AWAY == 3 && BASE_OFFLINE == 4, "BASE_* follow omni.base_status");
	for (int i = 0; label != NULL && i < lengthof(labels); i++)
		if (strcmp(label, labels[i]) == 0)
			return i;
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("omnichannel router: unknown base status \"%s\"", label ? label : "(null)"),
			 errhint("The omni.base_status type must be the one the extension created.")));
	return BASE_OFFLINE;		/* not reached */
}

/* rt_col_base_status reads an omni.base_status column (as text) as its BASE_* constant. */
int
rt_col_base_status(int row, int c)
{
	return rt_base_status(rt_col_text(row, c));
}

/* rt_cmp_int64: qsort/bsearch order of int64 values. */
int
rt_cmp_int64(const void *a, const void *b)
{
	int64		x = *(const int64 *) a,
				y = *(const int64 *) b;

	return x < y ? -1 : x > y;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Comparators for bsearch over the cycle's sorted arrays: key first, element second. */
static int
cmp_queue_key(const void *key, const void *elem)
{
	return strcmp(*(char *const *) key, ((const RQueue *) elem)->name);
}

static int
cmp_ws_key(const void *key, const void *elem)
{
	return strcmp(*(char *const *) key, ((const RWorkstream *) elem)->name);
}

static int
cmp_agent_key(const void *key, const void *elem)
{
	int64		k = *(const int64 *) key;
	int64		id = ((const RAgent *) elem)->id;

	return (k > id) - (k < id);
}

/* Index of a bsearch hit in its array, or -1 when not found. */
static int
hit_index(const void *hit, const void *base, size_t size)
{
	return hit ? (int) (((const char *) hit - (const char *) base) / size) : -1;
}

int
rt_find_skill(RCycle *rc, const char *name)
{
	return hit_index(bsearch(&name, rc->skills, rc->nskills, sizeof(char *), cmp_str),
					 rc->skills, sizeof(char *));
}

int
rt_find_queue(RCycle *rc, const char *name)
{
	return hit_index(bsearch(&name, rc->queues, rc->nqueues, sizeof(RQueue), cmp_queue_key),
					 rc->queues, sizeof(RQueue));
}

int
rt_find_ws(RCycle *rc, const char *name)
{
	return hit_index(bsearch(&name, rc->ws, rc->nws, sizeof(RWorkstream), cmp_ws_key),
					 rc->ws, sizeof(RWorkstream));
}

static int
cmp_presence_key(const void *key, const void *elem)
{
	return strcmp(*(char *const *) key, ((const RPresence *) elem)->name);
}

/* rt_find_presence: the cached presence of that name, NULL if unknown. */
const RPresence *
rt_find_presence(RCycle *rc, const char *name)
{
	if (name == NULL)
		return NULL;
	return bsearch(&name, rc->presences, rc->npresences, sizeof(RPresence), cmp_presence_key);
}

int
rt_find_agent(RCycle *rc, int64 id)
{
	return hit_index(bsearch(&id, rc->agents, rc->nagents, sizeof(RAgent), cmp_agent_key),
					 rc->agents, sizeof(RAgent));
}

/*
 * rt_agent_rows: the SPI result rows from i on that belong to one agent (column 1,
 * rows ordered by agent); sets *end past them and returns the agent's index in
 * the cycle (-1 when the agent is not loaded).
 */
int
rt_agent_rows(RCycle *rc, uint64 i, uint64 *end)
{
	int64		aid = rt_col_int8(i, 1);
	uint64		j = i;

	while (j < SPI_processed && rt_col_int8(j, 1) == aid)
		j++;
	*end = j;
	return rt_find_agent(rc, aid);
}

Datum
rt_int8_array(int64 *v, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(n, 1));

	for (int i = 0; i < n; i++)
		d[i] = Int64GetDatum(v[i]);
	return PointerGetDatum(construct_array(d, n, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/* rt_text_array builds text[]; NULL strings become NULL elements. */
Datum
rt_text_array(char **v, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(n, 1));
	bool	   *nulls = palloc(sizeof(bool) * Max(n, 1));
	int			dims[1] = {n};
	int			lbs[1] = {1};

	for (int i = 0; i < n; i++)
	{
		nulls[i] = (v[i] == NULL);
		d[i] = v[i] ? CStringGetTextDatum(v[i]) : (Datum) 0;
	}
	if (n == 0)
		return PointerGetDatum(construct_empty_array(TEXTOID));
	return PointerGetDatum(construct_md_array(d, nulls, 1, dims, lbs, TEXTOID, -1, false, TYPALIGN_INT));
}
