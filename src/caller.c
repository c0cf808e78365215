/*-------------------------------------------------------------------------
 *
 * caller.c
 *	  Who is calling: omni.caller(), the role on whose behalf a function
 *	  runs, and the authorization primitives built on the role caches
 *	  (omni._is_admin(), omni._is_person(), omni._restoring()).
 *
 * Inside a SECURITY DEFINER function current_user is the function owner,
 * so the functions that act for an agent cannot use it to decide who is
 * asking.  The "outer" user id is the role the session has after any
 * SET ROLE and is not changed by SECURITY DEFINER: that is the caller.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "catalog/pg_auth_members.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/syscache.h"

#include "omnichannel.h"

PG_FUNCTION_INFO_V1(omni_caller);

static bool role_is_person(Oid roleid);

Datum
omni_caller(PG_FUNCTION_ARGS)
{
	PG_RETURN_OID(GetOuterUserId());
}

/*
 * The authorization primitives every state change asks (who is an admin,
 * whether a role acts as one person, whether this session restores a dump).
 * They were SQL functions; PL/pgSQL callers re-parse and re-plan a non-inlinable
 * SQL function on every call, which cost about 0.1 ms each, several times per
 * conversation.  Here they read the role caches directly.
 */
PG_FUNCTION_INFO_V1(omni_is_admin);
PG_FUNCTION_INFO_V1(omni_is_person);
PG_FUNCTION_INFO_V1(omni_is_agent);
PG_FUNCTION_INFO_V1(omni_caller_name);
PG_FUNCTION_INFO_V1(omni_restoring);

/*
 * omni._caller_name(): the caller's role name as the db_role columns and
 * the event log store it.  Not omni.caller()::text: regrole's output quotes
 * a name that needs quoting ("Ann"), which then never equals db_role.
 */
Datum
omni_caller_name(PG_FUNCTION_ARGS)
{
	Name		result = (Name) palloc0(NAMEDATALEN);

	namestrcpy(result, GetUserNameFromId(GetOuterUserId(), false));
	PG_RETURN_NAME(result);
}

/* omni._is_admin(): the caller is a superuser or a member of omnichannel_admin. */
Datum
omni_is_admin(PG_FUNCTION_ARGS)
{
	Oid			caller = GetOuterUserId();

	if (superuser_arg(caller))
		PG_RETURN_BOOL(true);
	PG_RETURN_BOOL(is_member_of_role(caller, get_role_oid("omnichannel_admin", false)));
}

/*
 * omni._is_person(name): no role is a member of the role (a role that does
 * not exist, or NULL, has no members either).
 */
Datum
omni_is_person(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_BOOL(true);
	PG_RETURN_BOOL(role_is_person(get_role_oid(NameStr(*PG_GETARG_NAME(0)), true)));
}

/*
 * Whether no role is a member of roleid (an invalid role has none either).
 * Asked several times per call for the same caller, so the last answer is
 * kept until pg_auth_members changes (a syscache callback drops it).  A miss
 * probes pg_auth_members' (roleid, member) index: PostgreSQL 15 searches the
 * cached member lists of a catalog one by one, which with a thousand agent
 * roles cost more than the probe.
 */
static Oid	person_role = InvalidOid;
static bool person_answer;
static bool person_callback_registered = false;

static void
forget_person(Datum arg, int cacheid, uint32 hashvalue)
{
	person_role = InvalidOid;
}

static bool
role_is_person(Oid roleid)
{
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;

	if (!OidIsValid(roleid))
		return true;
	if (!person_callback_registered)
	{
		CacheRegisterSyscacheCallback(AUTHMEMROLEMEM, forget_person, (Datum) 0);
		person_callback_registered = true;
	}
	if (roleid == person_role)
		return person_answer;
	rel = table_open(AuthMemRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_auth_members_roleid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(roleid));
	scan = systable_beginscan(rel, AuthMemRoleMemIndexId, true, NULL, 1, &key);
	person_answer = !HeapTupleIsValid(systable_getnext(scan));
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	person_role = roleid;
	return person_answer;
}

/*
 * omni._is_agent(agent_id): the caller is that agent's database role
 * (omni.agent.db_role) and a person.  Asked on every notification and most
 * authorizations, so the agent row is read with one probe of the table's
 * primary key under the statement's snapshot, not through a query.  It
 * says something only about the caller itself, so row-level security on
 * omni.agent has nothing to hide here.
 *
 * A call asks it several times for the same agent (accept: the
 * authorization, then the notification; end and close: two of each), so
 * the last answers are kept for the rest of the transaction.  Any relcache
 * invalidation of omni.agent forgets them: its configuration trigger sends
 * one for every change, which reaches this backend at the next command for
 * its own changes, and with its next lock for others' (as every catalog
 * cache).  A role renamed or dropped (pg_authid) forgets them too.
 */
#define AGENT_ANSWERS 4

typedef struct AgentAnswer
{
	Oid			caller;
	int64		agent_id;
	bool		match;
} AgentAnswer;

static AgentAnswer agent_answers[AGENT_ANSWERS];
static int	nagent_answers = 0;
static int	next_agent_answer = 0;
static LocalTransactionId agent_answers_xact = InvalidLocalTransactionId;
static Oid	agent_relid = InvalidOid;
static bool agent_callbacks_registered = false;

static void
forget_agent_answers(void)
{
	nagent_answers = 0;
	next_agent_answer = 0;
}

static void
forget_agent_answers_rel(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == agent_relid)
		forget_agent_answers();
}

static void
forget_agent_answers_role(Datum arg, int cacheid, uint32 hashvalue)
{
	forget_agent_answers();
}

static bool
probe_caller_is_agent(Oid caller, int64 agent_id)
{
	OmniProbe	agent;
	AttrNumber	id_att;
	AttrNumber	role_att;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	bool		match = false;

	omni_probe_open(&agent, "agent", NULL);
	agent_relid = RelationGetRelid(agent.rel);
	id_att = omni_probe_att(&agent, "id");
	role_att = omni_probe_att(&agent, "db_role");
	scan = omni_probe_begin(&agent, id_att, Int64GetDatum(agent_id), &key);
	tuple = systable_getnext(scan);
	if (HeapTupleIsValid(tuple))
	{
		bool		isnull;
		Datum		role = omni_probe_get(&agent, tuple, role_att, &isnull);

		match = !isnull &&
			strcmp(NameStr(*DatumGetName(role)), GetUserNameFromId(caller, false)) == 0;
	}
	systable_endscan(scan);
	omni_probe_close(&agent);
	return match;
}

bool
omni_caller_is_agent(int64 agent_id)
{
	Oid			caller = GetOuterUserId();
	bool		match;

	if (!agent_callbacks_registered)
	{
		omni_on_relcache_change(forget_agent_answers_rel, (Datum) 0);
		CacheRegisterSyscacheCallback(AUTHOID, forget_agent_answers_role, (Datum) 0);
		agent_callbacks_registered = true;
	}
	if (agent_answers_xact != MyProc->lxid)
	{
		forget_agent_answers();
		agent_answers_xact = MyProc->lxid;
	}
	for (int i = 0; i < nagent_answers; i++)
		if (agent_answers[i].caller == caller && agent_answers[i].agent_id == agent_id)
			return agent_answers[i].match && role_is_person(caller);

	/* (opening omni.agent may forget the answers: this one is as of after) */
	match = probe_caller_is_agent(caller, agent_id);
	/* the oldest answer makes room once all are taken */
	agent_answers[next_agent_answer] = (AgentAnswer) {caller, agent_id, match};
	next_agent_answer = (next_agent_answer + 1) % AGENT_ANSWERS;
	nagent_answers = Min(nagent_answers + 1, AGENT_ANSWERS);
	return match && role_is_person(caller);
}

Datum
omni_is_agent(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_BOOL(false);
	PG_RETURN_BOOL(omni_caller_is_agent(PG_GETARG_INT64(0)));
}

/*
 * omni._restoring(): a superuser session with row_security and
 * check_function_bodies off, as pg_restore and pg_dump scripts set them.
 */
Datum
omni_restoring(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(!row_security && !check_function_bodies &&
				   superuser_arg(GetSessionUserId()));
}
