/*-------------------------------------------------------------------------
 *
 * limits.c
 *	  SQL access to the documented limits (docs/security.md, "Limits"), the
 *	  JSON nesting depth they bound, and the checks of a customer address
 *	  and a context against them (every enqueue makes both).
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
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"

#include "omnichannel.h"

PG_FUNCTION_INFO_V1(omni_limit);
PG_FUNCTION_INFO_V1(omni_jsonb_depth);
PG_FUNCTION_INFO_V1(omni_check_address);
PG_FUNCTION_INFO_V1(omni_check_context);

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

/* How deeply arrays and objects nest in jb (a scalar is 0, {} is 1). */
static int
jsonb_depth(Jsonb *jb)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	int			depth = 0;
	int			max_depth = 0;

	if (JB_ROOT_IS_SCALAR(jb))
		return 0;
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
	return max_depth;
}

/*
 * omni._jsonb_depth(jsonb) returns integer: how deeply arrays and objects
 * nest (a scalar is 0, {} is 1, {"a": [1]} is 2).  One pass over the value.
 */
Datum
omni_jsonb_depth(PG_FUNCTION_ARGS)
{
	Jsonb	   *jb = PG_GETARG_JSONB_P(0);
	int			depth = jsonb_depth(jb);

	PG_FREE_IF_COPY(jb, 0);
	PG_RETURN_INT32(depth);
}

/*
 * omni._check_address(address text): refuses an empty address (NULL or
 * only spaces, 22023) or one longer than omnichannel.max_address_bytes
 * (22001).
 */
Datum
omni_check_address(PG_FUNCTION_ARGS)
{
	text	   *address;
	const char *p;
	int			bytes = 0;
	bool		blank = true;

	if (!PG_ARGISNULL(0))
	{
		address = PG_GETARG_TEXT_PP(0);
		bytes = VARSIZE_ANY_EXHDR(address);
		p = VARDATA_ANY(address);
		for (int i = 0; i < bytes && blank; i++)
			blank = (p[i] == ' ');	/* what btrim(address) removes */
	}
	if (blank)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("customer address must not be empty")));
	if (bytes > omni_max_address_bytes)
		ereport(ERROR,
				(errcode(ERRCODE_STRING_DATA_RIGHT_TRUNCATION),
				 errmsg("customer address is %d bytes; the limit is %d bytes", bytes, omni_max_address_bytes),
				 errhint("The limit is omnichannel.max_address_bytes.")));
	PG_RETURN_VOID();
}

/*
 * omni._check_context(ctx jsonb): refuses a context that is not a JSON
 * object (22023), longer as JSON text than omnichannel.max_context_bytes
 * (22001) or nested deeper than omnichannel.max_context_depth (54000).
 */
Datum
omni_check_context(PG_FUNCTION_ARGS)
{
	Jsonb	   *ctx;
	int			bytes;
	int			depth;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("context must be a JSON object"),
				 errdetail("Got NULL.")));
	ctx = PG_GETARG_JSONB_P(0);
	if (JB_ROOT_IS_SCALAR(ctx) || !JB_ROOT_IS_OBJECT(ctx))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("context must be a JSON object"),
				 errdetail("Got %s.",
						   TextDatumGetCString(DirectFunctionCall1(jsonb_typeof, JsonbPGetDatum(ctx))))));
	/* as octet_length(ctx::text): the length of its JSON text */
	bytes = strlen(JsonbToCString(NULL, &ctx->root, VARSIZE(ctx)));
	if (bytes > omni_max_context_bytes)
		ereport(ERROR,
				(errcode(ERRCODE_STRING_DATA_RIGHT_TRUNCATION),
				 errmsg("context is %d bytes; the limit is %d bytes", bytes, omni_max_context_bytes),
				 errhint("Send identifiers and routing facts, not documents; the limit is omnichannel.max_context_bytes.")));
	depth = jsonb_depth(ctx);
	if (depth > omni_max_context_depth)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("context nests %d levels deep; the limit is %d", depth, omni_max_context_depth),
				 errhint("The limit is omnichannel.max_context_depth.")));
	PG_RETURN_VOID();
}
