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

#include "commands/async.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"

#include "omnichannel.h"

PG_FUNCTION_INFO_V1(omni_notify_agent);

/*
 * The same notification from C, its ids given as keys[i] = ids[i] (what
 * the jsonb argument would hold).
 */
void
omni_notify_agent_ids(int64 agent, const char *kind, int n, const char *const *keys, const int64 *ids)
{
	JsonbParseState *st = NULL;
	Jsonb	   *payload;

	if (omni_caller_is_agent(agent))
		return;
	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	omni_jb_string(&st, WJB_KEY, "kind");
	omni_jb_string(&st, WJB_VALUE, kind);
	omni_jb_string(&st, WJB_KEY, "agent_id");
	omni_jb_int(&st, WJB_VALUE, agent);
	for (int i = 0; i < n; i++)
	{
		omni_jb_string(&st, WJB_KEY, keys[i]);
		omni_jb_int(&st, WJB_VALUE, ids[i]);
	}
	payload = JsonbValueToJsonb(pushJsonbValue(&st, WJB_END_OBJECT, NULL));
	Async_Notify(psprintf("omni_agent_" INT64_FORMAT, agent),
				 JsonbToCString(NULL, &payload->root, VARSIZE(payload)));
}

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
	Jsonb	   *payload;

	if (PG_ARGISNULL(0))
		PG_RETURN_VOID();
	agent = PG_GETARG_INT64(0);
	if (omni_caller_is_agent(agent))
		PG_RETURN_VOID();

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	omni_jb_string(&st, WJB_KEY, "kind");
	if (PG_ARGISNULL(1))
		omni_jb_null(&st, WJB_VALUE);
	else
		omni_jb_string(&st, WJB_VALUE, text_to_cstring(PG_GETARG_TEXT_PP(1)));
	omni_jb_string(&st, WJB_KEY, "agent_id");
	omni_jb_int(&st, WJB_VALUE, agent);
	payload = JsonbValueToJsonb(pushJsonbValue(&st, WJB_END_OBJECT, NULL));
	if (!PG_ARGISNULL(2))
		payload = DatumGetJsonbP(DirectFunctionCall2(jsonb_concat, JsonbPGetDatum(payload),
													 PG_GETARG_DATUM(2)));

	DirectFunctionCall2(pg_notify,
						CStringGetTextDatum(psprintf("omni_agent_" INT64_FORMAT, agent)),
						CStringGetTextDatum(JsonbToCString(NULL, &payload->root, VARSIZE(payload))));
	PG_RETURN_VOID();
}
