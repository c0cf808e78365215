/*-------------------------------------------------------------------------
 *
 * routing.h
 *	  The unified routing engine, omni.route() (docs/routing.md): the
 *	  in-memory model of one assignment cycle and the phases that fill and
 *	  use it.
 *
 * A cycle runs in the caller's transaction, one file per phase:
 *
 *	statements.c	the prepared statements and SPI result helpers;
 *	config.c		the configuration (skills, queues, rules, workstreams),
 *					cached per backend, invalidated when it changes;
 *	load.c			candidate conversations (locked, SKIP LOCKED), the
 *					logged-in members of their queues, declines;
 *	eligibility.c	whether an agent may take a conversation now (mirrors
 *					omni._eligibility_refusal and omni._capacity_refusal);
 *	keys.c			sort keys of the assignment methods and custom rules, and
 *					the per-queue heaps;
 *	choose.c		the choice of an agent for each conversation;
 *	write.c			re-checking the chosen agents under lock and writing the
 *					offers;
 *	cycle.c			the cycle itself and the SQL entry point omni.route().
 *
 *-------------------------------------------------------------------------
 */
#ifndef OMNI_ROUTING_H
#define OMNI_ROUTING_H

#include "postgres.h"

#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "omnichannel.h"

/* Base statuses in enum order (omni.base_status). */
#define BASE_AVAILABLE	0
#define BASE_BUSY		1
#define BASE_BUSY_DND	2
#define BASE_AWAY		3
#define BASE_OFFLINE	4

/* How loaded an agent shows in presence (rt_load_level, omni._follow_load). */
#define LOAD_FREE		0
#define LOAD_PARTLY		1
#define LOAD_FULL		2

typedef enum RMethod
{
	M_HIGHEST_CAPACITY,
	M_ROUND_ROBIN,
	M_LEAST_ACTIVE,
	M_CUSTOM
} RMethod;

/* Names of the methods in RMethod order (omni.assignment_method). */
extern const char *const routing_method_names[];
#define ROUTING_NMETHODS 4

/*
 * A sort key holds at most KEY_MAX components: a custom rule's order-by keys
 * (at most MAX_ORDER_KEYS, checked when the rule is loaded), closest skill
 * matching (2 components) and the round-robin tie-break (1).
 */
#define KEY_MAX 12
#define KEY_FIXED_COMPONENTS 3
#define MAX_ORDER_KEYS (KEY_MAX - KEY_FIXED_COMPONENTS)

/* A time that never happened (NULL in SQL): sorts before every real time. */
#define NULL_TIME (-1e300)
/* Seconds of idleness shown for an agent who was never assigned or released. */
#define NEVER_IDLE_S 1e15
/* Sort value of a missing attribute: after every real value in either direction. */
#define MISSING_LAST 1e300

/*
 * Round robin: a member never offered work from the queue ranks before every
 * member that was, in the order they joined (its added_at, which may come
 * from another clock than omni.now(), moved this far back: ~3,000 years).
 */
#define NEVER_ROTATED_LEAD 1e17

/* Initial sizes of arrays that grow by doubling. */
#define HEAP_INITIAL_SIZE 16
#define ASIDE_INITIAL_SIZE 8
#define DECLINES_CHUNK 8

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
	int			used_today;		/* end_of_day profiles: items taken today + pending offers */
} AgentProfile;

/* A queue membership row (P_MEMBERS): queue index, agent, rotation clock. */
typedef struct RMembership
{
	int			queue;			/* index into RCycle.queues, -1 if unknown */
	int64		agent;
	double		rot;			/* last offer from the queue, else added_at */
	bool		rotated;		/* rot is a last offer */
} RMembership;

/* A presence (omni.presence), from the configuration cache. */
typedef struct RPresence
{
	char	   *name;
	int			base;			/* BASE_* */
	bool		system_only;
} RPresence;

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
	double	   *member_rot;		/* per-queue rotation: sort value */
	double	   *member_rot_at;	/* per-queue rotation: the time shown */
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
	Jsonb	   *event;			/* detail of the agent's 'offered' event */
	Jsonb	   *decision;		/* the full decision (omni.offer_decision) */
	TimestampTz stamp;
} ROffer;

typedef struct RCycle
{
	MemoryContext cxt;
	MemoryContext scratch;		/* reset after each offer's decision log is built */
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
	bool		legacy_sql;		/* the 0.1.0 SQL objects: 0.1.0 statements */
	int			npresences;		/* sorted by name (C collation) */
	RPresence  *presences;
	bool		config_stale;	/* a row named configuration newer than the cache */
} RCycle;

typedef struct Choice
{
	int			best;			/* member index or -1 */
	RKey		best_key;
	int			runner;
	RKey		runner_key;
	int			eligible;		/* -1: not counted */
	int			rule;			/* custom: rule position, else -1 */
} Choice;

enum
{
	P_SKILLS,
	P_QUEUES,
	P_WORKSTREAMS,
	P_RULES,
	P_PRESENCES,
	P_LOCK_AGENTS,
	P_LOAD_AGENTS,
	P_LOAD_AGENTS_BY_ID,
	P_MEMBERS,
	P_AGENT_SKILLS,
	P_PROFILES,
	P_DECLINES,
	P_WRITE,
	P_LOCK_CONVS_V1,
	P_LOAD_CONVS_V1,
	P_WRITE_V1,
	P_FOLLOW_V1,
	P_COUNT
};

/* cycle.c: number of the current cycle in this backend (decision log) */
extern uint64 routing_cycle_no;

/* statements.c: time spent in each statement this cycle (DEBUG2) */
extern long routing_plan_us[P_COUNT];

/* statements.c */
extern void rt_run(int which, Datum *values, const char *nulls);
extern void rt_warm_statements(void);
extern Datum rt_col(int row, int c, bool *isnull);
extern int64 rt_col_int8(int row, int c);
extern int rt_col_int4(int row, int c);
extern bool rt_col_bool(int row, int c);
extern double rt_col_time(int row, int c);
extern char * rt_col_text(int row, int c);
extern int	rt_col_base_status(int row, int c);
extern int	rt_base_status(const char *label);
extern const RPresence *rt_find_presence(RCycle *rc, const char *name);
extern void rt_config_stale(void);
extern int rt_find_skill(RCycle *rc, const char *name);
extern int rt_find_queue(RCycle *rc, const char *name);
extern int rt_find_ws(RCycle *rc, const char *name);
extern int rt_find_agent(RCycle *rc, int64 id);
extern int rt_agent_rows(RCycle *rc, uint64 i, uint64 *end);
extern Datum rt_int8_array(int64 *v, int n);
extern Datum rt_text_array(char **v, int n);
extern int	rt_cmp_int64(const void *a, const void *b);

/* config.c */
extern void rt_load_config(RCycle *rc);
extern uint64 rt_config_loads(void);
extern bool rt_config_agents_cacheable(void);

/* agent_cache.c */
extern bool rt_agents_from_cache(RCycle *rc, const bool *inplay);
extern bool rt_warm_agent_cache(RCycle *rc);

/* agent_ring.c: which agents changed, for the agent cache */
typedef struct AgentRing AgentRing;
extern AgentRing *rt_agent_ring(void);
extern bool rt_agent_ring_behind(uint64 cached_gen, uint64 cached_seq, uint64 gen, uint64 seq);
extern void rt_agent_ring_since(AgentRing *ring, uint64 cached_gen, uint64 cached_seq, int extra,
								uint64 *gen, uint64 *seq, int64 **ids, int *n);
extern bool rt_agents_pending(const int64 **ids, int *n);

/* load.c */
extern bool rt_lock_and_load_conversations(RCycle *rc, bool *skipped);
extern void rt_load_agents(RCycle *rc);
extern bool rt_admit_agent(RCycle *rc, RAgent *a);
extern void rt_note_read_profiles(RAgent *a);
extern void rt_read_agents(RCycle *rc);
extern void rt_read_skills(RCycle *rc);
extern void rt_read_profiles(RCycle *rc);
extern int	rt_read_members(RCycle *rc, RMembership **rows);
extern void rt_read_agent_details(RCycle *rc, bool skills);
extern void rt_set_members(RCycle *rc, int nrows, const RMembership *rows);
extern void rt_load_declines(RCycle *rc);

/* eligibility.c */
extern int rt_agent_prof(RAgent *a, int skill);
extern bool rt_blocked(RAgent *a);
extern int	rt_load_level(RAgent *a);
extern bool rt_can_take(RCycle *rc, int ai, RConv *c, RWorkstream *w);
extern bool rt_useful(RCycle *rc, RAgent *a);

/* follow.c: an agent's load as the tables have it (index probes) */
typedef struct AgentReader
{
	OmniProbe	state,
				presence,
				agent,
				hold,
				has_profile,
				profile,
				use;
	AttrNumber	state_agent,
				state_presence,
				state_chosen,
				state_logged_in,
				state_last_assigned,
				state_last_released;
	AttrNumber	presence_name,
				presence_base,
				presence_system;
	AttrNumber	agent_id,
				agent_units;
	AttrNumber	hold_agent,
				hold_units,
				hold_profile,
				hold_kind;
	AttrNumber	has_agent,
				has_profile_name,
				has_max;
	AttrNumber	profile_name,
				profile_max,
				profile_blocking,
				profile_reset;
	AttrNumber	use_agent,
				use_profile,
				use_day,
				use_items;
} AgentReader;

extern const char *rt_presence_target(RAgent *a, int *base);
extern void rt_agent_reader_open(AgentReader *r);
extern void rt_agent_reader_close(AgentReader *r);
extern bool rt_read_agent_load(AgentReader *r, int64 id, TimestampTz now, RAgent *a);
extern int32 rt_utc_day(TimestampTz t);

/* agent_probe.c: the agent cache's refresh by index probes */
extern void rt_probe_agents(RCycle *rc, const int64 *ids, int n);
extern int	rt_probe_members(RCycle *rc, const int64 *ids, int n, RMembership **rows);

/* agent_cache.c */
extern void rt_copy_agent(RAgent *to, const RAgent *from);

/* keys.c */
extern int rt_key_cmp(const RKey *x, int64 xid, const RKey *y, int64 yid);
extern void rt_method_key(RCycle *rc, RQueue *q, int member, RKey *k);
extern void rt_closeness_key(RAgent *a, RConv *c, RKey *k);
extern void rt_custom_key(RCycle *rc, RQueue *q, CustomRule *r, int member, RConv *c, RKey *k);
extern void rt_key_push(JsonbParseState **st, const RKey *k);
extern void rt_hpush(RCycle *rc, RQueue *q, HEntry *e);
extern void rt_hpop(RCycle *rc, RQueue *q, HEntry *out);
extern void rt_heap_push_member(RCycle *rc, RQueue *q, int member);
extern void rt_build_heap(RCycle *rc, RQueue *q);

/* choose.c */
extern void rt_choose_heap(RCycle *rc, RQueue *q, RConv *c, RWorkstream *w, Choice *ch);
extern void rt_choose_scan(RCycle *rc, RQueue *q, RConv *c, RWorkstream *w, Choice *ch);

/* conv_lock.c, load.c: the conversations of a cycle */
extern bool rt_lock_conversations(RCycle *rc, bool *skipped);
extern bool rt_pending_offer_exists(int64 conversation_id);

/* write.c */
extern void rt_record_offer(RCycle *rc, RQueue *q, RConv *c, RWorkstream *w, Choice *ch);
extern bool rt_check_chosen_agents(RCycle *rc);
extern void rt_write_offers(RCycle *rc);


#endif							/* OMNI_ROUTING_H */
