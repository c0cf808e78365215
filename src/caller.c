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

#include "catalog/pg_auth_members.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/catcache.h"
#include "utils/guc.h"
#include "utils/rls.h"
#include "utils/syscache.h"

PG_FUNCTION_INFO_V1(omni_caller);

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
PG_FUNCTION_INFO_V1(omni_restoring);

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
	Oid			roleid;
	CatCList   *members;
	bool		person;

	if (PG_ARGISNULL(0))
		PG_RETURN_BOOL(true);
	roleid = get_role_oid(NameStr(*PG_GETARG_NAME(0)), true);
	if (!OidIsValid(roleid))
		PG_RETURN_BOOL(true);
	members = SearchSysCacheList1(AUTHMEMROLEMEM, ObjectIdGetDatum(roleid));
	person = members->n_members == 0;
	ReleaseSysCacheList(members);
	PG_RETURN_BOOL(person);
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
