/*-------------------------------------------------------------------------
 *
 * omnichannel.h
 *	  Declarations shared by the omnichannel C modules: settings (GUCs)
 *	  and the module entry points each subsystem exposes to _PG_init.
 *
 *-------------------------------------------------------------------------
 */
#ifndef OMNICHANNEL_H
#define OMNICHANNEL_H

#include "postgres.h"
#include "access/genam.h"
#include "access/htup_details.h"
#include "utils/jsonb.h"
#include "utils/relcache.h"
#include "utils/timestamp.h"

/* Settings, defined in guc.c */
extern bool omni_enable_workers;
extern char *omni_mock_now;
extern bool omni_mock_now_set;
extern TimestampTz omni_mock_now_value;
extern int	omni_route_batch_size;
extern bool omni_route_count_eligible;
extern int	omni_tick_interval_ms;
extern int	omni_launcher_naptime_ms;
extern int	omni_kpi_refresh_interval_ms;
extern int	omni_kpi_worker_nice;
extern int	omni_kpi_refresh_batch;
extern bool omni_router_synchronous_commit;
extern int	omni_max_databases;
extern int	omni_planner_min_pages;

/* limits (docs/security.md, "Limits"), read by SQL through omni._limit() */
extern int	omni_max_context_bytes;
extern int	omni_max_context_depth;
extern int	omni_max_address_bytes;
extern int	omni_max_message_bytes;
extern int	omni_max_messages_per_conversation;
extern int	omni_kpi_refresh_min_interval_ms;

extern void omni_define_gucs(void);

/* plan_floor.c: the planner never believes a runtime table is tiny */
extern void omni_install_plan_floor(void);

/* invalidation.c: the extension's one relcache callback, shared */
extern void omni_on_relcache_change(void (*fn) (Datum arg, Oid relid), Datum arg);

/* clock.c: "now" as omnichannel sees it (a mock clock in tests) */
extern TimestampTz omni_now(void);

/* row_rules.c: the label of an enum value (NAMEDATALEN bytes) */
extern void omni_enum_label(Oid value, char *label);

/* probe.c: index probes of omni tables from C (one key, under the statement's snapshot) */
typedef struct OmniProbe
{
	Relation	rel;
	Oid			index;
} OmniProbe;
extern void omni_probe_open(OmniProbe *p, const char *table, const char *index);
extern void omni_probe_close(OmniProbe *p);
extern AttrNumber omni_probe_att(OmniProbe *p, const char *column);
extern SysScanDesc omni_probe_begin_n(OmniProbe *p, int n, const AttrNumber *atts, const Datum *values, ScanKey keys);
extern SysScanDesc omni_probe_begin(OmniProbe *p, AttrNumber att, Datum value, ScanKey key);
extern Datum omni_probe_get(OmniProbe *p, HeapTuple tuple, AttrNumber att, bool *isnull);

/* jsonb_push.c: building jsonb in C without text */
extern void omni_jb_string(JsonbParseState **st, JsonbIteratorToken tok, const char *s);
extern void omni_jb_int(JsonbParseState **st, JsonbIteratorToken tok, int64 x);
extern void omni_jb_null(JsonbParseState **st, JsonbIteratorToken tok);

/* event_log.c: the one way to append an event, from C */
extern void omni_log_agent_event(const char *kind, int64 agent, Jsonb *detail);
typedef struct OmniConversationEvent
{
	const char *kind;
	int64		conversation;
	int64		agent;			/* 0: none */
	int64		offer;			/* 0: none */
	const char *queue;			/* NULL: none */
	const char *channel;
	const char *from_state;		/* labels of omni.conversation_state */
	const char *to_state;
	Jsonb	   *detail;			/* NULL: {} */
} OmniConversationEvent;
extern void omni_log_conversation_events(int n, const OmniConversationEvent *events);

/* notify.c: the one way to tell an agent's desktop (NOTIFY omni_agent_<id>) */
extern void omni_notify_agent_ids(int64 agent, const char *kind, int n, const char *const *keys,
								  const int64 *ids);

/* presence_write.c: the one path that writes presence changes */
extern void omni_write_presence(int n, const int64 *agents, char *const *old,
								char *const *presences, const char *set_by);

/* routing/follow.c: presence follows load for agents the caller has locked */
extern void omni_follow_load_agents(const int64 *agents, int n);

/* caller.c: whether the caller is that agent's own database role (a person) */
extern bool omni_caller_is_agent(int64 agent_id);

/* routing/cycle.c: one assignment cycle in the current transaction */
extern int	omni_route_cycle(bool *more, TimestampTz *min_expiry, bool *waiting);

/* shmem.c: shared state of the workers, wake-up at commit */
extern void omni_shmem_init_hooks(void);
extern void omni_register_xact_callback(void);

/* worker/: launcher, per-database router and KPI refresher (docs/worker.md) */
extern void omni_register_launcher(void);
extern void omni_install_utility_hook(void);

#endif							/* OMNICHANNEL_H */
