/*-------------------------------------------------------------------------
 *
 * notify.c
 *	  omni._notify_agent(): the one way to tell an agent's desktop that
 *	  something happened (SPEC §3), in C because every offer, accept and
 *	  close calls it: NOTIFY omni_agent_<id> with the kind and ids only.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "omnichannel.h"

PG_FUNCTION_INFO_V1(omni_notify_agent);

/*
 * omni._notify_agent(agent bigint, kind text, ids jsonb): the payload is
 * {"kind": kind, "agent_id": agent} || ids, delivered at commit.  Nothing
 * for a NULL agent, nor when the caller is that agent's own role (the call
 * returned its result to the desktop that made it).
 */
Datum
omni_notify_agent(PG_FUNCTION_ARGS)
{
	int64		agent;
	JsonbParseState *st = NULL;
	JsonbValue	v;
	Jsonb	   *payload;

	if (PG_ARGISNULL(0))
		PG_RETURN_VOID();
	agent = PG_GETARG_INT64(0);
	if (omni_caller_is_agent(agent))
		PG_RETURN_VOID();

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	v.type = jbvString;
	v.val.string.val = "kind";
	v.val.string.len = 4;
	pushJsonbValue(&st, WJB_KEY, &v);
	if (PG_ARGISNULL(1))
		v.type = jbvNull;
	else
	{
		text	   *kind = PG_GETARG_TEXT_PP(1);

		v.type = jbvString;
		v.val.string.val = VARDATA_ANY(kind);
		v.val.string.len = VARSIZE_ANY_EXHDR(kind);
	}
	pushJsonbValue(&st, WJB_VALUE, &v);
	v.type = jbvString;
	v.val.string.val = "agent_id";
	v.val.string.len = 8;
	pushJsonbValue(&st, WJB_KEY, &v);
	v.type = jbvNumeric;
	v.val.numeric = int64_to_numeric(agent);
	pushJsonbValue(&st, WJB_VALUE, &v);
	payload = JsonbValueToJsonb(pushJsonbValue(&st, WJB_END_OBJECT, NULL));
	if (!PG_ARGISNULL(2))
		payload = DatumGetJsonbP(DirectFunctionCall2(jsonb_concat, JsonbPGetDatum(payload),
													 PG_GETARG_DATUM(2)));

	DirectFunctionCall2(pg_notify,
						CStringGetTextDatum(psprintf("omni_agent_" INT64_FORMAT, agent)),
						CStringGetTextDatum(JsonbToCString(NULL, &payload->root, VARSIZE(payload))));
	PG_RETURN_VOID();
}
