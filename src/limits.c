/*-------------------------------------------------------------------------
 *
 * limits.c
 *	  SQL access to the documented limits (docs/security.md, "Limits") and
 *	  the JSON nesting depth they bound.
 *
 * The limits are GUCs (guc.c, "limits"); SQL reads them through
 * omni._limit(name), which also makes sure the library is loaded so the
 * settings exist even in a session that has not called any C function yet.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "omnichannel.h"

PG_FUNCTION_INFO_V1(omni_limit);
PG_FUNCTION_INFO_V1(omni_jsonb_depth);

/*
 * omni._limit(name text) returns integer: the value of omnichannel.<name>
 * (milliseconds for kpi_refresh_min_interval, bytes or counts otherwise).
 */
Datum
omni_limit(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	int			value;

	if (strcmp(name, "max_context_bytes") == 0)
		value = omni_max_context_bytes;
	else if (strcmp(name, "max_context_depth") == 0)
		value = omni_max_context_depth;
	else if (strcmp(name, "max_address_bytes") == 0)
		value = omni_max_address_bytes;
	else if (strcmp(name, "max_message_bytes") == 0)
		value = omni_max_message_bytes;
	else if (strcmp(name, "max_messages_per_conversation") == 0)
		value = omni_max_messages_per_conversation;
	else if (strcmp(name, "kpi_refresh_min_interval") == 0)
		value = omni_kpi_refresh_min_interval_ms;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("omnichannel has no limit named \"%s\"", name)));
	pfree(name);
	PG_RETURN_INT32(value);
}

/*
 * omni._jsonb_depth(jsonb) returns integer: how deeply arrays and objects
 * nest (a scalar is 0, {} is 1, {"a": [1]} is 2).  One pass over the value.
 */
Datum
omni_jsonb_depth(PG_FUNCTION_ARGS)
{
	Jsonb	   *jb = PG_GETARG_JSONB_P(0);
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	int			depth = 0;
	int			max_depth = 0;

	if (JB_ROOT_IS_SCALAR(jb))
		PG_RETURN_INT32(0);
	it = JsonbIteratorInit(&jb->root);
	while ((tok = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
	{
		CHECK_FOR_INTERRUPTS();
		if (tok == WJB_BEGIN_ARRAY || tok == WJB_BEGIN_OBJECT)
		{
			depth++;
			if (depth > max_depth)
				max_depth = depth;
		}
		else if (tok == WJB_END_ARRAY || tok == WJB_END_OBJECT)
			depth--;
	}
	PG_FREE_IF_COPY(jb, 0);
	PG_RETURN_INT32(max_depth);
}
