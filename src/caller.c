/*-------------------------------------------------------------------------
 *
 * caller.c
 *	  omni.caller(): the role on whose behalf a function runs.
 *
 * Inside a SECURITY DEFINER function current_user is the function owner,
 * so the functions that act for an agent cannot use it to decide who is
 * asking.  The "outer" user id is the role the session has after any
 * SET ROLE and is not changed by SECURITY DEFINER: that is the caller.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(omni_caller);

Datum
omni_caller(PG_FUNCTION_ARGS)
{
	PG_RETURN_OID(GetOuterUserId());
}
