/*-------------------------------------------------------------------------
 *
 * routing.c
 *	  omni.route(): the assignment cycle of the unified routing engine.
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
 *	5. write every offer of the cycle with one statement (offers, capacity
 *	   holds, rotation, agent clocks, 'offered' events carrying the decision,
 *	   NOTIFY omni_offer), then let omni._follow_load() move the presence of
 *	   agents whose load crossed a threshold.
 *
 * The semantics are those of omni._make_offer() and
 * omni._eligibility_refusal() (sql/src/50_conversation.sql); the lock order
 * is the same (conversation rows before agent rows).
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

/* Base statuses in enum order (omni.base_status). */
#define BASE_AVAILABLE	0
#define BASE_BUSY		1
#define BASE_BUSY_DND	2
#define BASE_AWAY		3
#define BASE_OFFLINE	4

typedef enum RMethod
{
	M_HIGHEST_CAPACITY,
	M_ROUND_ROBIN,
	M_LEAST_ACTIVE,
	M_CUSTOM
} RMethod;

static const char *const method_names[] = {"highest_capacity", "round_robin", "least_active", "custom"};

#define KEY_MAX 12
#define NULL_TIME (-1e300)

/* How a key component is shown in the decision log. */
typedef enum KeyShow
{
	SHOW_NUMBER,
	SHOW_TIME,
	SHOW_CLOSENESS
} KeyShow;

/* A sort key: components compared in order, smaller first, then agent id. */
typedef struct RKey
{
	int			n;
	double		v[KEY_MAX];			/* sort values (negated for "desc") */
	double		shown[KEY_MAX];		/* values for the decision log */
	const char *name[KEY_MAX];
	KeyShow		show[KEY_MAX];
} RKey;

/* Custom order-by key kinds */
typedef enum OKind
{
	OK_PROFICIENCY,
	OK_FREE_CAPACITY,
	OK_IDLE_TIME,
	OK_LEAST_ACTIVE,
	OK_ROUND_ROBIN,
	OK_SKILL_COUNT,
	OK_ATTRIBUTE
} OKind;

typedef struct OrderKey
{
	OKind		kind;
	bool		desc;
	char	   *arg;			/* skill or attribute name */
	char	   *label;			/* as written */
} OrderKey;

typedef struct CustomRule
{
	int			position;
	Datum		condition;		/* jsonpath, or 0 for "every agent" */
	bool		dynamic;		/* refers to $conversation */
	int			nkeys;
	OrderKey   *keys;
	int8	   *cache;			/* static conditions: per agent, -1 unknown */
} CustomRule;

typedef struct AgentProfile
{
	char	   *name;
	int			limit;
	bool		blocking;
	bool		end_of_day;
	int			held;			/* capacity_hold rows with this profile */
	int			used_today;		/* end_of_day profiles: items taken today */
} AgentProfile;

typedef struct RAgent
{
	int64		id;
	int			total;
	int			used;
	int			base;
	char	   *presence;
	char	   *chosen;
	int			chosen_base;
	bool		chosen_system;
	bool		logged_in;
	double		last_assigned;
	double		last_released;
	int			nskills;
	int		   *skill;			/* indexes into RCycle.skills */
	int		   *prof;
	int			nprofiles;
	AgentProfile *profiles;
	Jsonb	   *doc;			/* custom rules only */
	int			version;
	bool		presence_dirty;
	/* as read, to check against once the agent is locked */
	int			read_used;
	char	   *read_presence;
	char	   *read_chosen;
	int		   *read_held;
	int		   *read_used_today;
	bool		dropped;		/* changed or locked by others: no offers this cycle */
} RAgent;

typedef struct HEntry
{
	RKey		key;
	int			member;
	int			version;
} HEntry;

typedef struct RQueue
{
	char	   *name;
	int			priority;
	RMethod		method;
	int			nrules;
	CustomRule *rules;
	int			nmembers;
	int		   *member_agent;	/* agent index */
	double	   *member_rot;		/* per-queue rotation time */
	bool		heap_built;
	int			hsize;
	int			hcap;
	HEntry	   *heap;
} RQueue;

typedef struct RWorkstream
{
	char	   *name;
	int			units;
	char	   *profile;
	int			allowed_mask;
	int64		timeout_us;
	int			max_declines;
	bool		closest;
} RWorkstream;

typedef struct Decline
{
	int			agent;
	int			count;
} Decline;

typedef struct RConv
{
	int64		id;
	int			queue;
	int			ws;
	char	   *channel;
	int			nreq;
	int		   *req_skill;		/* -1 when the skill is unknown */
	int		   *req_level;
	Jsonb	   *vars;			/* {"conversation": ...} for custom rules */
	int			ndeclines;
	Decline    *declines;
} RConv;

typedef struct ROffer
{
	int64		conv;
	int64		agent;
	char	   *queue;
	TimestampTz expires;
	int			units;
	char	   *profile;
	char	   *channel;
	char	   *why;
	TimestampTz stamp;
} ROffer;

typedef struct RCycle
{
	MemoryContext cxt;
	TimestampTz now;
	TimestampTz stamp;			/* last rotation stamp handed out */
	int			nskills;
	char	  **skills;
	int			nqueues;
	RQueue	   *queues;
	int			nws;
	RWorkstream *ws;
	int			nagents;
	RAgent	   *agents;
	int			nconvs;
	RConv	   *convs;
	int			min_units;
	int			noffers;
	ROffer	   *offers;
	bool		any_custom;
} RCycle;

/* Settings (guc.c) */
int			omni_route_batch_size = 500;
bool		omni_route_count_eligible = true;

static uint64 route_cycle_no = 0;

/* ---------------------------------------------------------------------------
 * Prepared statements
 * ---------------------------------------------------------------------------
 */
enum
{
	P_SKILLS,
	P_QUEUES,
	P_WORKSTREAMS,
	P_RULES,
	P_LOCK_CONVS,
	P_LOAD_CONVS,
	P_LOCK_AGENTS,
	P_LOAD_AGENTS,
	P_CHECK_AGENTS,
	P_MEMBERS,
	P_AGENT_SKILLS,
	P_PROFILES,
	P_DECLINES,
	P_WRITE,
	P_FOLLOW,
	P_COUNT
};

typedef struct PlanDef
{
	const char *sql;
	int			nargs;
	Oid			argtypes[10];
} PlanDef;

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
	[P_LOCK_CONVS] = {
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
	[P_LOAD_CONVS] = {
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
	[P_LOCK_AGENTS] = {
		"SELECT s.agent_id FROM omni.agent_state s WHERE s.agent_id = ANY ($1)"
		" ORDER BY s.agent_id FOR NO KEY UPDATE OF s SKIP LOCKED",
	1, {INT8ARRAYOID}},
	[P_LOAD_AGENTS] = {
		/* driven from the queues' members with LATERAL index lookups, so a
		 * generic plan stays proportional to the members, not to all agents */
		"SELECT a.id, a.capacity_units, s.presence,"
		"       array_position(enum_range(NULL::omni.base_status), p.base_status) - 1,"
		"       s.chosen_presence, array_position(enum_range(NULL::omni.base_status), cp.base_status) - 1,"
		"       cp.system_only, s.logged_in, s.last_assigned_at, s.last_released_at, u.used,"
		"       CASE WHEN $2 THEN jsonb_build_object('id', a.id, 'name', a.name, 'attributes', a.attributes,"
		"            'presence', s.presence, 'base_status', p.base_status, 'capacity_units', a.capacity_units,"
		"            'used_units', u.used, 'free_units', a.capacity_units - u.used,"
		"            'skills', coalesce((SELECT jsonb_object_agg(k.skill, k.proficiency) FROM omni.agent_skill k"
		"                                 WHERE k.agent_id = a.id), '{}')) END"
		"  FROM (SELECT DISTINCT m.agent_id FROM omni.queue_member m WHERE m.queue = ANY ($1)) mm"
		"  CROSS JOIN LATERAL (SELECT * FROM omni.agent_state s WHERE s.agent_id = mm.agent_id AND s.logged_in"
		"                      OFFSET 0) s"			/* OFFSET 0: keep it an index lookup per member */
		"  CROSS JOIN LATERAL (SELECT * FROM omni.agent a WHERE a.id = mm.agent_id OFFSET 0) a"
		"  JOIN omni.presence p ON p.name = s.presence JOIN omni.presence cp ON cp.name = s.chosen_presence"
		"  CROSS JOIN LATERAL (SELECT coalesce(sum(h.units), 0)::integer AS used FROM omni.capacity_hold h"
		"                       WHERE h.agent_id = a.id) u"
		" WHERE p.base_status <> 'offline'"
		" ORDER BY a.id",
	2, {TEXTARRAYOID, BOOLOID}},
	[P_CHECK_AGENTS] = {
		"SELECT s.agent_id, s.presence, s.chosen_presence, s.logged_in,"
		"       (SELECT coalesce(sum(h.units), 0)::integer FROM omni.capacity_hold h WHERE h.agent_id = s.agent_id)"
		"  FROM unnest($1::bigint[]) i CROSS JOIN LATERAL"
		"       (SELECT * FROM omni.agent_state s WHERE s.agent_id = i OFFSET 0) s"
		" ORDER BY s.agent_id",
	1, {INT8ARRAYOID}},
	[P_MEMBERS] = {
		"SELECT m.queue, m.agent_id,"
		"       coalesce((SELECT r.last_assigned_at FROM omni.queue_rotation r"
		"                  WHERE r.queue = m.queue AND r.agent_id = m.agent_id), m.added_at)"
		"  FROM omni.queue_member m WHERE m.queue = ANY ($1)",
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
		"                AND u.day = ($2 AT TIME ZONE 'UTC')::date)::integer ELSE 0 END"
		"  FROM omni.agent_capacity_profile acp JOIN omni.capacity_profile cp ON cp.name = acp.profile"
		" WHERE acp.agent_id = ANY ($1) ORDER BY acp.agent_id, cp.name",
	2, {INT8ARRAYOID, TIMESTAMPTZOID}},
	[P_DECLINES] = {
		"SELECT conversation_id, agent_id, count(*)::integer FROM omni.offer"
		" WHERE conversation_id = ANY ($1) AND state IN ('rejected', 'expired') GROUP BY 1, 2",
	1, {INT8ARRAYOID}},
	[P_WRITE] = {
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
	[P_FOLLOW] = {"SELECT omni._follow_load(a) FROM unnest($1::bigint[]) a ORDER BY a", 1, {INT8ARRAYOID}},
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

/* run executes a prepared statement; read_only is never used (fresh snapshots). */
static long plan_us[P_COUNT];

static void
run(int which, Datum *values, const char *nulls)
{
	TimestampTz t0 = GetCurrentTimestamp();
	int			rc = SPI_execute_plan(get_plan(which), values, nulls, false, 0);

	plan_us[which] += GetCurrentTimestamp() - t0;

	if (rc < 0)
		elog(ERROR, "omnichannel: routing statement %d failed: %s", which, SPI_result_code_string(rc));
}

/* ---------------------------------------------------------------------------
 * Small helpers for reading SPI results into the cycle context
 * ---------------------------------------------------------------------------
 */
static Datum
col(int row, int c, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, c, isnull);
}

static int64
col_int8(int row, int c)
{
	bool		isnull;
	Datum		d = col(row, c, &isnull);

	return isnull ? 0 : DatumGetInt64(d);
}

static int
col_int4(int row, int c)
{
	bool		isnull;
	Datum		d = col(row, c, &isnull);

	return isnull ? 0 : DatumGetInt32(d);
}

static bool
col_bool(int row, int c)
{
	bool		isnull;
	Datum		d = col(row, c, &isnull);

	return isnull ? false : DatumGetBool(d);
}

static double
col_time(int row, int c)
{
	bool		isnull;
	Datum		d = col(row, c, &isnull);

	return isnull ? NULL_TIME : (double) DatumGetTimestampTz(d);
}

/* col_text copies a text column into the current memory context (NULL stays NULL). */
static char *
col_text(int row, int c)
{
	bool		isnull;
	Datum		d = col(row, c, &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
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

static int
find_skill(RCycle *rc, const char *name)
{
	return hit_index(bsearch(&name, rc->skills, rc->nskills, sizeof(char *), cmp_str),
					 rc->skills, sizeof(char *));
}

static int
find_queue(RCycle *rc, const char *name)
{
	return hit_index(bsearch(&name, rc->queues, rc->nqueues, sizeof(RQueue), cmp_queue_key),
					 rc->queues, sizeof(RQueue));
}

static int
find_ws(RCycle *rc, const char *name)
{
	return hit_index(bsearch(&name, rc->ws, rc->nws, sizeof(RWorkstream), cmp_ws_key),
					 rc->ws, sizeof(RWorkstream));
}

static int
find_agent(RCycle *rc, int64 id)
{
	return hit_index(bsearch(&id, rc->agents, rc->nagents, sizeof(RAgent), cmp_agent_key),
					 rc->agents, sizeof(RAgent));
}

/*
 * agent_rows: the SPI result rows from i on that belong to one agent (column 1,
 * rows ordered by agent); sets *end past them and returns the agent's index in
 * the cycle (-1 when the agent is not loaded).
 */
static int
agent_rows(RCycle *rc, uint64 i, uint64 *end)
{
	int64		aid = col_int8(i, 1);
	uint64		j = i;

	while (j < SPI_processed && col_int8(j, 1) == aid)
		j++;
	*end = j;
	return find_agent(rc, aid);
}

static Datum
int8_array(int64 *v, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(n, 1));

	for (int i = 0; i < n; i++)
		d[i] = Int64GetDatum(v[i]);
	return PointerGetDatum(construct_array(d, n, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/* text_array builds text[]; NULL strings become NULL elements. */
static Datum
text_array(char **v, int n)
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

/* ---------------------------------------------------------------------------
 * Loading
 * ---------------------------------------------------------------------------
 */

static RMethod
parse_method(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(s, method_names[i]) == 0)
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

/* load_config reads skills, queues, workstreams and custom rules. */
static void
load_config(RCycle *rc)
{
	MemoryContext old;

	run(P_SKILLS, NULL, NULL);
	old = MemoryContextSwitchTo(rc->cxt);
	rc->nskills = SPI_processed;
	rc->skills = palloc(sizeof(char *) * Max(rc->nskills, 1));
	for (int i = 0; i < rc->nskills; i++)
		rc->skills[i] = col_text(i, 1);
	MemoryContextSwitchTo(old);

	run(P_QUEUES, NULL, NULL);
	old = MemoryContextSwitchTo(rc->cxt);
	rc->nqueues = SPI_processed;
	rc->queues = palloc0(sizeof(RQueue) * Max(rc->nqueues, 1));
	for (int i = 0; i < rc->nqueues; i++)
	{
		RQueue	   *q = &rc->queues[i];

		q->name = col_text(i, 1);
		q->priority = col_int4(i, 2);
		q->method = parse_method(col_text(i, 3));
	}
	MemoryContextSwitchTo(old);

	run(P_WORKSTREAMS, NULL, NULL);
	old = MemoryContextSwitchTo(rc->cxt);
	rc->nws = SPI_processed;
	rc->ws = palloc0(sizeof(RWorkstream) * Max(rc->nws, 1));
	rc->min_units = INT_MAX;
	for (int i = 0; i < rc->nws; i++)
	{
		RWorkstream *w = &rc->ws[i];

		w->name = col_text(i, 1);
		w->units = col_int4(i, 2);
		w->profile = col_text(i, 3);
		w->allowed_mask = col_int4(i, 4);
		w->timeout_us = col_int8(i, 5);
		w->max_declines = col_int4(i, 6);
		w->closest = col_bool(i, 7);
		rc->min_units = Min(rc->min_units, w->units);
	}
	if (rc->nws == 0)
		rc->min_units = 0;
	MemoryContextSwitchTo(old);

	run(P_RULES, NULL, NULL);
	old = MemoryContextSwitchTo(rc->cxt);
	for (uint64 i = 0; i < SPI_processed;)
	{
		char	   *qname = col_text(i, 1);
		int			qi = find_queue(rc, qname);
		uint64		j = i;

		while (j < SPI_processed && strcmp(col_text(j, 1), qname) == 0)
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
				Datum		cond = col(r, 3, &isnull);
				ArrayType  *ob;
				Datum	   *elems;
				bool	   *enulls;
				int			nelems;

				cr->position = col_int4(r, 2);
				cr->condition = isnull ? (Datum) 0 : datumCopy(cond, false, -1);
				cr->dynamic = !isnull && strstr(col_text(r, 4), "$conversation") != NULL;
				ob = DatumGetArrayTypeP(col(r, 5, &isnull));
				deconstruct_array(ob, TEXTOID, -1, false, TYPALIGN_INT, &elems, &enulls, &nelems);
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
 * lock_and_load_conversations locks the candidates and reads them again with
 * a fresh snapshot (a concurrent offer committed between our snapshot and our
 * lock would otherwise be missed).  Returns false when there is nothing to do.
 */
static bool
lock_and_load_conversations(RCycle *rc, bool *skipped)
{
	Datum		args[2];
	int64	   *ids;
	int			n;
	MemoryContext old;

	args[0] = Int32GetDatum(omni_route_batch_size);
	run(P_LOCK_CONVS, args, NULL);
	n = SPI_processed;
	if (n == 0)
		return false;
	old = MemoryContextSwitchTo(rc->cxt);
	ids = palloc(sizeof(int64) * n);
	for (int i = 0; i < n; i++)
		ids[i] = col_int8(i, 1);
	args[0] = int8_array(ids, n);
	args[1] = BoolGetDatum(rc->any_custom);
	MemoryContextSwitchTo(old);

	run(P_LOAD_CONVS, args, NULL);
	old = MemoryContextSwitchTo(rc->cxt);
	rc->convs = palloc0(sizeof(RConv) * Max(SPI_processed, 1));
	rc->nconvs = 0;
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		RConv	   *c = &rc->convs[rc->nconvs];
		bool		isnull;
		Datum		d;
		char	   *qname = col_text(i, 2);
		char	   *wname = col_text(i, 3);

		c->id = col_int8(i, 1);
		c->queue = find_queue(rc, qname);
		c->ws = find_ws(rc, wname);
		if (c->queue < 0 || c->ws < 0)
			continue;			/* configuration changed under us */
		c->channel = col_text(i, 4);
		d = col(i, 5, &isnull);
		if (!isnull)
		{
			Datum	   *names,
					   *levels;
			bool	   *nn;
			int			nn1,
						nn2;

			deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false, TYPALIGN_INT, &names, &nn, &nn1);
			deconstruct_array(DatumGetArrayTypeP(col(i, 6, &isnull)), INT4OID, 4, true, TYPALIGN_INT,
							  &levels, &nn, &nn2);
			c->nreq = Min(nn1, nn2);
			c->req_skill = palloc(sizeof(int) * Max(c->nreq, 1));
			c->req_level = palloc(sizeof(int) * Max(c->nreq, 1));
			for (int k = 0; k < c->nreq; k++)
			{
				c->req_skill[k] = find_skill(rc, TextDatumGetCString(names[k]));
				c->req_level[k] = DatumGetInt32(levels[k]);
			}
		}
		d = col(i, 7, &isnull);
		c->vars = isnull ? NULL : DatumGetJsonbPCopy(d);
		rc->nconvs++;
	}
	MemoryContextSwitchTo(old);
	if (rc->nconvs < n)
		*skipped = true;
	return rc->nconvs > 0;
}

/* load_agents reads the logged-in members of the queues in play (no locks). */
static void
load_agents(RCycle *rc)
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
	args[0] = text_array(qnames, nq);
	args[1] = BoolGetDatum(rc->any_custom);
	MemoryContextSwitchTo(old);

	/*
	 * Read without locking: only the agents chosen are locked, just before
	 * the write, and checked to be as we read them (check_chosen_agents).
	 */
	run(P_LOAD_AGENTS, args, nulls);
	old = MemoryContextSwitchTo(rc->cxt);
	rc->nagents = n = SPI_processed;
	rc->agents = palloc0(sizeof(RAgent) * Max(rc->nagents, 1));
	ids = palloc(sizeof(int64) * Max(n, 1));
	for (int i = 0; i < rc->nagents; i++)
	{
		RAgent	   *a = &rc->agents[i];
		bool		isnull;
		Datum		d;

		a->id = col_int8(i, 1);
		a->total = col_int4(i, 2);
		a->presence = col_text(i, 3);
		a->base = col_int4(i, 4);
		a->chosen = col_text(i, 5);
		a->chosen_base = col_int4(i, 6);
		a->chosen_system = col_bool(i, 7);
		a->logged_in = col_bool(i, 8);
		a->last_assigned = col_time(i, 9);
		a->last_released = col_time(i, 10);
		a->used = col_int4(i, 11);
		d = col(i, 12, &isnull);
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
	args[0] = text_array(qnames, nq);
	run(P_MEMBERS, args, NULL);		/* members not loaded above are skipped */
	old = MemoryContextSwitchTo(rc->cxt);
	{
		int		   *count = palloc0(sizeof(int) * Max(rc->nqueues, 1));
		int			rows = SPI_processed;
		int		   *rq = palloc(sizeof(int) * Max(rows, 1));
		int		   *ra = palloc(sizeof(int) * Max(rows, 1));
		double	   *rt = palloc(sizeof(double) * Max(rows, 1));

		for (int i = 0; i < rows; i++)
		{
			rq[i] = find_queue(rc, col_text(i, 1));
			ra[i] = find_agent(rc, col_int8(i, 2));
			rt[i] = col_time(i, 3);
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
	args[0] = int8_array(ids, n);
	run(P_AGENT_SKILLS, args, NULL);
	old = MemoryContextSwitchTo(rc->cxt);
	for (uint64 i = 0, j; i < SPI_processed; i = j)
	{
		int			ai = agent_rows(rc, i, &j);

		if (ai >= 0)
		{
			RAgent	   *a = &rc->agents[ai];

			a->nskills = j - i;
			a->skill = palloc(sizeof(int) * a->nskills);
			a->prof = palloc(sizeof(int) * a->nskills);
			for (uint64 k = i; k < j; k++)
			{
				a->skill[k - i] = find_skill(rc, col_text(k, 2));
				a->prof[k - i] = col_int4(k, 3);
			}
		}
	}
	MemoryContextSwitchTo(old);

profiles:
	/* Capacity profiles */
	args[0] = int8_array(ids, n);
	args[1] = TimestampTzGetDatum(rc->now);
	run(P_PROFILES, args, NULL);
	old = MemoryContextSwitchTo(rc->cxt);
	for (uint64 i = 0, j; i < SPI_processed; i = j)
	{
		int			ai = agent_rows(rc, i, &j);

		if (ai >= 0)
		{
			RAgent	   *a = &rc->agents[ai];

			a->nprofiles = j - i;
			a->profiles = palloc0(sizeof(AgentProfile) * a->nprofiles);
			for (uint64 k = i; k < j; k++)
			{
				AgentProfile *p = &a->profiles[k - i];

				p->name = col_text(k, 2);
				p->limit = col_int4(k, 3);
				p->blocking = col_bool(k, 4);
				p->end_of_day = col_bool(k, 5);
				p->held = col_int4(k, 6);
				p->used_today = col_int4(k, 7);
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

/* load_declines reads how often each agent declined each candidate conversation. */
static void
load_declines(RCycle *rc)
{
	int64	   *ids;
	Datum		args[1];
	MemoryContext old;

	old = MemoryContextSwitchTo(rc->cxt);
	ids = palloc(sizeof(int64) * Max(rc->nconvs, 1));
	for (int i = 0; i < rc->nconvs; i++)
		ids[i] = rc->convs[i].id;
	args[0] = int8_array(ids, rc->nconvs);
	MemoryContextSwitchTo(old);
	run(P_DECLINES, args, NULL);
	old = MemoryContextSwitchTo(rc->cxt);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		int64		cid = col_int8(i, 1);
		int			ai = find_agent(rc, col_int8(i, 2));

		if (ai < 0)
			continue;
		for (int k = 0; k < rc->nconvs; k++)
		{
			RConv	   *c = &rc->convs[k];

			if (c->id != cid)
				continue;
			if (c->declines == NULL)
				c->declines = palloc(sizeof(Decline) * 8);
			else if (c->ndeclines % 8 == 0)
				c->declines = repalloc(c->declines, sizeof(Decline) * (c->ndeclines + 8));
			c->declines[c->ndeclines].agent = ai;
			c->declines[c->ndeclines].count = col_int4(i, 3);
			c->ndeclines++;
			break;
		}
	}
	MemoryContextSwitchTo(old);
}

/* ---------------------------------------------------------------------------
 * Eligibility (mirrors omni._eligibility_refusal and omni._capacity_refusal)
 * ---------------------------------------------------------------------------
 */

static int
agent_prof(RAgent *a, int skill)
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
		if (c->req_skill[k] < 0 || agent_prof(a, c->req_skill[k]) < c->req_level[k])
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

/* blocked: a blocking profile is exhausted (the agent takes no work at all). */
static bool
blocked(RAgent *a, bool for_presence)
{
	for (int i = 0; i < a->nprofiles; i++)
	{
		AgentProfile *p = &a->profiles[i];
		int			held = (p->end_of_day && !for_presence) ? p->used_today : p->held;

		if (p->blocking && held >= p->limit)
			return true;
	}
	return false;
}

static int
declines_of(RConv *c, int agent)
{
	for (int i = 0; i < c->ndeclines; i++)
		if (c->declines[i].agent == agent)
			return c->declines[i].count;
	return 0;
}

static bool
can_take(RCycle *rc, int ai, RConv *c, RWorkstream *w)
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

/* useful: could the agent take anything at all this cycle? */
static bool
useful(RCycle *rc, RAgent *a)
{
	return a->logged_in && a->base != BASE_OFFLINE && a->used + rc->min_units <= a->total && !blocked(a, false);
}

/* ---------------------------------------------------------------------------
 * Keys
 * ---------------------------------------------------------------------------
 */

static void
key_add(RKey *k, const char *name, double sortval, double shown, KeyShow show)
{
	Assert(k->n < KEY_MAX);
	k->name[k->n] = name;
	k->v[k->n] = sortval;
	k->shown[k->n] = shown;
	k->show[k->n] = show;
	k->n++;
}

static int
key_cmp(const RKey *x, int64 xid, const RKey *y, int64 yid)
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

/* method_key appends the queue method's ordering for an agent. */
static void
method_key(RCycle *rc, RQueue *q, int member, RKey *k)
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
			key_add(k, "rotation_at", q->member_rot[member], q->member_rot[member], SHOW_TIME);
			break;
		case M_LEAST_ACTIVE:
			key_add(k, "last_released_at", a->last_released, a->last_released, SHOW_TIME);
			key_add(k, "free_units", -free_units, free_units, SHOW_NUMBER);
			break;
	}
}

/*
 * closeness_key: exact-qualified (0) before over-qualified (1) before
 * under-qualified (2), then the distance from the requirement.
 */
static void
closeness_key(RAgent *a, RConv *c, RKey *k)
{
	int			cls = 0;
	double		over = 0,
				under = 0;

	for (int i = 0; i < c->nreq; i++)
	{
		int			p = c->req_skill[i] < 0 ? 0 : agent_prof(a, c->req_skill[i]);

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

/* custom_key builds the order of a custom rule for an agent. */
static void
custom_key(RCycle *rc, RQueue *q, CustomRule *r, int member, RConv *c, RKey *k)
{
	RAgent	   *a = &rc->agents[q->member_agent[member]];
	double		now = (double) rc->now;

	for (int i = 0; i < r->nkeys; i++)
	{
		OrderKey   *ok = &r->keys[i];
		double		val = 0;
		bool		missing = false;
		KeyShow		show = SHOW_NUMBER;

		switch (ok->kind)
		{
			case OK_PROFICIENCY:
				if (ok->arg)
				{
					int			s = find_skill(rc, ok->arg);

					val = s < 0 ? 0 : agent_prof(a, s);
				}
				else
					for (int j = 0; j < c->nreq; j++)
						val += c->req_skill[j] < 0 ? 0 : agent_prof(a, c->req_skill[j]);
				break;
			case OK_FREE_CAPACITY:
				val = a->total - a->used;
				break;
			case OK_IDLE_TIME:
				{
					double		since = Max(a->last_assigned, a->last_released);

					val = since == NULL_TIME ? 1e15 : (now - since) / 1e6;
					break;
				}
			case OK_LEAST_ACTIVE:
				val = a->last_released == NULL_TIME ? 1e15 : (now - a->last_released) / 1e6;
				break;
			case OK_ROUND_ROBIN:
				val = q->member_rot[member];
				show = SHOW_TIME;
				break;
			case OK_SKILL_COUNT:
				for (int j = 0; j < c->nreq; j++)
					if (c->req_skill[j] >= 0 && agent_prof(a, c->req_skill[j]) >= c->req_level[j])
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
		key_add(k, ok->label, missing ? 1e300 : (ok->desc ? -val : val), missing ? NAN : val, show);
	}
	key_add(k, "rotation_at", q->member_rot[member], q->member_rot[member], SHOW_TIME);
}

static void
key_json(StringInfo buf, const RKey *k)
{
	appendStringInfoChar(buf, '{');
	for (int i = 0; i < k->n; i++)
	{
		if (i > 0)
			appendStringInfoString(buf, ", ");
		escape_json(buf, k->name[i]);
		appendStringInfoString(buf, ": ");
		if (isnan(k->shown[i]))
			appendStringInfoString(buf, "null");
		else if (k->show[i] == SHOW_TIME)
		{
			if (k->shown[i] == NULL_TIME)
				appendStringInfoString(buf, "null");
			else
				escape_json(buf, timestamptz_to_str((TimestampTz) k->shown[i]));
		}
		else if (k->show[i] == SHOW_CLOSENESS)
			escape_json(buf, k->shown[i] == 0 ? "exact" : k->shown[i] == 1 ? "over_qualified" : "under_qualified");
		else if (k->shown[i] == floor(k->shown[i]) && fabs(k->shown[i]) < 1e15)
			appendStringInfo(buf, "%.0f", k->shown[i]);
		else
			appendStringInfo(buf, "%.3f", k->shown[i]);
	}
	appendStringInfoChar(buf, '}');
}

/* ---------------------------------------------------------------------------
 * Per-queue heaps (highest_capacity, round_robin, least_active)
 * ---------------------------------------------------------------------------
 */

static bool
hless(RCycle *rc, RQueue *q, HEntry *x, HEntry *y)
{
	return key_cmp(&x->key, rc->agents[q->member_agent[x->member]].id,
				   &y->key, rc->agents[q->member_agent[y->member]].id) < 0;
}

static void
hpush(RCycle *rc, RQueue *q, HEntry *e)
{
	int			i;

	if (q->hsize == q->hcap)
	{
		q->hcap = Max(16, q->hcap * 2);
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

static void
hpop(RCycle *rc, RQueue *q, HEntry *out)
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

static void
heap_push_member(RCycle *rc, RQueue *q, int member)
{
	HEntry		e;

	memset(&e, 0, sizeof(e));
	e.member = member;
	e.version = rc->agents[q->member_agent[member]].version;
	method_key(rc, q, member, &e.key);
	hpush(rc, q, &e);
}

static void
build_heap(RCycle *rc, RQueue *q)
{
	for (int m = 0; m < q->nmembers; m++)
		if (useful(rc, &rc->agents[q->member_agent[m]]))
			heap_push_member(rc, q, m);
	q->heap_built = true;
}

/* ---------------------------------------------------------------------------
 * Choosing
 * ---------------------------------------------------------------------------
 */

typedef struct Choice
{
	int			best;			/* member index or -1 */
	RKey		best_key;
	int			runner;
	RKey		runner_key;
	int			eligible;		/* -1: not counted */
	int			rule;			/* custom: rule position, else -1 */
} Choice;

static void
consider(RCycle *rc, RQueue *q, Choice *ch, int member, RKey *k)
{
	int64		id = rc->agents[q->member_agent[member]].id;

	if (ch->best < 0 || key_cmp(k, id, &ch->best_key, rc->agents[q->member_agent[ch->best]].id) < 0)
	{
		ch->runner = ch->best;
		ch->runner_key = ch->best_key;
		ch->best = member;
		ch->best_key = *k;
	}
	else if (ch->runner < 0 || key_cmp(k, id, &ch->runner_key, rc->agents[q->member_agent[ch->runner]].id) < 0)
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
		if (can_take(rc, q->member_agent[m], c, w))
			n++;
	return n;
}

/* choose_heap: O(log n) per pop; agents unfit for this conversation go back. */
static void
choose_heap(RCycle *rc, RQueue *q, RConv *c, RWorkstream *w, Choice *ch)
{
	HEntry	   *aside = NULL;
	int			naside = 0,
				caside = 0;

	if (!q->heap_built)
		build_heap(rc, q);
	while (q->hsize > 0 && ch->runner < 0)
	{
		HEntry		e;
		RAgent	   *a;

		hpop(rc, q, &e);
		a = &rc->agents[q->member_agent[e.member]];
		if (!useful(rc, a))
			continue;			/* full: gone for the rest of the cycle */
		if (e.version != a->version)
		{
			heap_push_member(rc, q, e.member);	/* stale key: re-rank */
			continue;
		}
		if (naside == caside)
		{
			caside = Max(8, caside * 2);
			aside = aside ? repalloc(aside, sizeof(HEntry) * caside) : palloc(sizeof(HEntry) * caside);
		}
		aside[naside++] = e;
		if (can_take(rc, q->member_agent[e.member], c, w))
			consider(rc, q, ch, e.member, &e.key);
	}
	for (int i = 0; i < naside; i++)
		hpush(rc, q, &aside[i]);
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

/* choose_scan: conversation-dependent orders (custom rules, closest match). */
static void
choose_scan(RCycle *rc, RQueue *q, RConv *c, RWorkstream *w, Choice *ch)
{
	int		   *elig = palloc(sizeof(int) * Max(q->nmembers, 1));
	int			n = 0;

	for (int m = 0; m < q->nmembers; m++)
		if (can_take(rc, q->member_agent[m], c, w))
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
					closeness_key(&rc->agents[q->member_agent[elig[i]]], c, &k);
				custom_key(rc, q, cr, elig[i], c, &k);
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
			closeness_key(&rc->agents[q->member_agent[elig[i]]], c, &k);
			method_key(rc, q, elig[i], &k);
			consider(rc, q, ch, elig[i], &k);
		}
	}
	pfree(elig);
}

/* follow_load mirrors omni._follow_load so later choices see the new presence. */
static void
follow_load(RAgent *a)
{
	const char *target;
	int			tbase;

	if (!a->logged_in || a->chosen_system || (a->chosen_base != BASE_AVAILABLE && a->chosen_base != BASE_BUSY))
		return;
	if (a->used >= a->total || blocked(a, true))
		target = "Busy - DND", tbase = BASE_BUSY_DND;
	else if (a->used > 0)
	{
		target = a->chosen_base == BASE_BUSY ? a->chosen : "Busy";
		tbase = BASE_BUSY;
	}
	else
	{
		target = a->chosen_base == BASE_AVAILABLE ? a->chosen : "Available";
		tbase = BASE_AVAILABLE;
	}
	if (strcmp(target, a->presence) != 0)
	{
		a->presence = (char *) target;
		a->base = tbase;
		a->presence_dirty = true;
	}
}

/* record_offer applies an offer to the in-memory state and queues its write. */
static void
record_offer(RCycle *rc, RQueue *q, RConv *c, RWorkstream *w, Choice *ch)
{
	int			ai = q->member_agent[ch->best];
	RAgent	   *a = &rc->agents[ai];
	ROffer	   *o = &rc->offers[rc->noffers++];
	StringInfoData why;
	TimestampTz stamp = Max(rc->now, rc->stamp + 1);

	rc->stamp = stamp;
	initStringInfo(&why);
	appendStringInfo(&why, "{\"method\": \"%s\", \"skill_match\": \"%s\", \"eligible\": ",
					 method_names[q->method], w->closest ? "closest" : "exact");
	if (ch->eligible >= 0)
		appendStringInfo(&why, "%d", ch->eligible);
	else
		appendStringInfoString(&why, "null");
	if (ch->rule >= 0)
		appendStringInfo(&why, ", \"rule\": %d", ch->rule);
	appendStringInfoString(&why, ", \"order_by\": [");
	for (int i = 0; i < ch->best_key.n; i++)
	{
		if (i > 0)
			appendStringInfoString(&why, ", ");
		escape_json(&why, ch->best_key.name[i]);
	}
	appendStringInfoString(&why, "], \"key\": ");
	key_json(&why, &ch->best_key);
	if (ch->runner >= 0)
	{
		appendStringInfo(&why, ", \"runner_up\": {\"agent_id\": " INT64_FORMAT ", \"key\": ",
						 rc->agents[q->member_agent[ch->runner]].id);
		key_json(&why, &ch->runner_key);
		appendStringInfoChar(&why, '}');
	}
	else
		appendStringInfoString(&why, ", \"runner_up\": null");
	appendStringInfo(&why, ", \"cycle\": " UINT64_FORMAT "}", route_cycle_no);

	o->conv = c->id;
	o->agent = a->id;
	o->queue = q->name;
	o->expires = rc->now + w->timeout_us;
	o->units = w->units;
	o->profile = w->profile;
	o->channel = c->channel;
	o->why = why.data;
	o->stamp = stamp;

	/* The agent's load, clocks and presence as the SQL helpers will leave them. */
	a->used += w->units;
	a->last_assigned = (double) stamp;
	q->member_rot[ch->best] = (double) stamp;
	if (w->profile)
		for (int i = 0; i < a->nprofiles; i++)
			if (strcmp(a->profiles[i].name, w->profile) == 0 && !a->profiles[i].end_of_day)
				a->profiles[i].held++;
	follow_load(a);
	/* Its heap entries (in every queue) are stale now and re-ranked when popped. */
	a->version++;
}

/*
 * check_chosen_agents locks the agents that got offers (SKIP LOCKED) and
 * reads them again: an agent whose load, presence or profile counts changed
 * since the cycle read them, or that another session holds, gets no offer
 * this cycle (its conversations stay queued for the next one).  Once locked,
 * nobody else can add load to it until we commit.  Returns false when an
 * offer was dropped.
 */
static bool
check_chosen_agents(RCycle *rc)
{
	int64	   *ids = palloc(sizeof(int64) * Max(rc->nagents, 1));
	int			n = 0;
	Datum		args[2];
	bool	   *locked = palloc0(sizeof(bool) * Max(rc->nagents, 1));
	bool		all_ok = true;
	int			kept = 0;

	for (int i = 0; i < rc->nagents; i++)
		if (rc->agents[i].version > 0)
			ids[n++] = rc->agents[i].id;
	if (n == 0)
		return true;
	args[0] = int8_array(ids, n);
	run(P_LOCK_AGENTS, args, NULL);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		int			ai = find_agent(rc, col_int8(i, 1));

		if (ai >= 0)
			locked[ai] = true;
	}
	run(P_CHECK_AGENTS, args, NULL);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		int			ai = find_agent(rc, col_int8(i, 1));
		RAgent	   *a;
		char	   *presence = col_text(i, 2);
		char	   *chosen = col_text(i, 3);

		if (ai < 0)
			continue;
		a = &rc->agents[ai];
		if (!locked[ai] || !col_bool(i, 4) || col_int4(i, 5) != a->read_used ||
			strcmp(presence, a->read_presence) != 0 || strcmp(chosen, a->read_chosen) != 0)
			a->dropped = true;
	}
	for (int i = 0; i < rc->nagents; i++)
		if (rc->agents[i].version > 0 && !locked[i])
			rc->agents[i].dropped = true;
	args[1] = TimestampTzGetDatum(rc->now);
	run(P_PROFILES, args, NULL);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		int			ai = find_agent(rc, col_int8(i, 1));
		char	   *name = col_text(i, 2);
		RAgent	   *a;
		bool		same = false;

		if (ai < 0)
			continue;
		a = &rc->agents[ai];
		for (int k = 0; k < a->nprofiles; k++)
			if (strcmp(a->profiles[k].name, name) == 0)
				same = (a->profiles[k].limit == col_int4(i, 3) &&
						a->read_held[k] == col_int4(i, 6) && a->read_used_today[k] == col_int4(i, 7));
		if (!same)
			a->dropped = true;
	}

	for (int i = 0; i < rc->noffers; i++)
	{
		int			ai = find_agent(rc, rc->offers[i].agent);

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

/* write_offers writes every offer of the cycle in one statement. */
static void
write_offers(RCycle *rc)
{
	int			n = rc->noffers;
	int64	   *conv = palloc(sizeof(int64) * n);
	int64	   *agent = palloc(sizeof(int64) * n);
	char	  **queue = palloc(sizeof(char *) * n);
	Datum	   *expires = palloc(sizeof(Datum) * n);
	Datum	   *units = palloc(sizeof(Datum) * n);
	char	  **profile = palloc(sizeof(char *) * n);
	char	  **channel = palloc(sizeof(char *) * n);
	char	  **why = palloc(sizeof(char *) * n);
	Datum	   *stamps = palloc(sizeof(Datum) * n);
	Datum		args[10];
	int64	   *dirty;
	int			ndirty = 0;

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
		why[i] = o->why;
		stamps[i] = TimestampTzGetDatum(o->stamp);
	}
	args[0] = int8_array(conv, n);
	args[1] = int8_array(agent, n);
	args[2] = text_array(queue, n);
	args[3] = PointerGetDatum(construct_array(expires, n, TIMESTAMPTZOID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	args[4] = PointerGetDatum(construct_array(units, n, INT4OID, 4, true, TYPALIGN_INT));
	args[5] = text_array(profile, n);
	args[6] = text_array(channel, n);
	args[7] = text_array(why, n);
	args[8] = PointerGetDatum(construct_array(stamps, n, TIMESTAMPTZOID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	args[9] = TimestampTzGetDatum(rc->now);
	run(P_WRITE, args, NULL);
	if ((int) SPI_processed != n)
		elog(ERROR, "omnichannel: routing wrote %d offers instead of %d", (int) SPI_processed, n);

	/* Presence follows load, through the one SQL helper that does it. */
	dirty = palloc(sizeof(int64) * rc->nagents);
	for (int i = 0; i < rc->nagents; i++)
		if (rc->agents[i].presence_dirty)
			dirty[ndirty++] = rc->agents[i].id;
	elog(DEBUG1, "omnichannel routing: %d agents change presence", ndirty);
	if (ndirty > 0)
	{
		args[0] = int8_array(dirty, ndirty);
		run(P_FOLLOW, args, NULL);
	}
}

/*
 * omni_route_cycle runs one assignment cycle inside the current transaction.
 * Returns the number of offers; *more is set when the batch limit was
 * reached and the cycle made progress, or when a candidate changed under us
 * (the worker then runs again soon), *min_expiry to the earliest expiry made.
 * Rows other sessions hold are skipped silently: those sessions wake the
 * worker when they commit a change that matters, and the tick is a safety net.
 */
int
omni_route_cycle(bool *more, TimestampTz *min_expiry)
{
	RCycle		rc;
	MemoryContext cxt;
	MemoryContext old;
	bool		skipped = false;
	int			noffers = 0;

	*more = false;
	*min_expiry = 0;
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
	rc.now = omni_now();
	route_cycle_no++;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "omnichannel: SPI_connect failed");

	load_config(&rc);
	if (rc.nws > 0 && lock_and_load_conversations(&rc, &skipped))
	{
		TimestampTz t0 = GetCurrentTimestamp();
		/* A queue may hold more than one batch: run again if this one helped. */
		bool		hit_limit = (rc.nconvs >= omni_route_batch_size);

		load_agents(&rc);
		elog(DEBUG1, "omnichannel routing: %d conversations, %d agents loaded in %ld us",
			 rc.nconvs, rc.nagents, (long) (GetCurrentTimestamp() - t0));
		if (rc.nagents > 0)
		{
			load_declines(&rc);
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
					choose_scan(&rc, q, c, w, &ch);
				else
					choose_heap(&rc, q, c, w, &ch);
				if (ch.best >= 0)
					record_offer(&rc, q, c, w, &ch);
			}
			MemoryContextSwitchTo(old);
			elog(DEBUG1, "omnichannel routing: %d offers chosen at %ld us", rc.noffers,
				 (long) (GetCurrentTimestamp() - t0));
			if (rc.noffers > 0)
			{
				old = MemoryContextSwitchTo(cxt);
				if (!check_chosen_agents(&rc))
					skipped = true;
				if (rc.noffers > 0)
					write_offers(&rc);
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
	}

	SPI_finish();
	MemoryContextDelete(cxt);
	if (message_level_is_interesting(DEBUG2))
	{
		StringInfoData b;

		initStringInfo(&b);
		for (int i = 0; i < P_COUNT; i++)
			appendStringInfo(&b, " %d:%ld", i, plan_us[i]);
		elog(DEBUG2, "omnichannel routing: statement us%s", b.data);
	}
	memset(plan_us, 0, sizeof(plan_us));
	if (skipped)
		*more = true;
	return noffers;
}

PG_FUNCTION_INFO_V1(omni_route);

/* omni.route(): one cycle in the caller's transaction. */
Datum
omni_route(PG_FUNCTION_ARGS)
{
	bool		more;
	TimestampTz min_expiry;

	PG_RETURN_INT32(omni_route_cycle(&more, &min_expiry));
}
