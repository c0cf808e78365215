/*-------------------------------------------------------------------------
 *
 * clock.c
 *	  omni.now(): the single source of "now" for every omnichannel
 *	  function, so tests and replays can drive time without sleeping.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "omnichannel.h"

/*
 * omni_now returns omnichannel.mock_now when it is set, else the start time
 * of the current transaction (like now(), so a transaction sees one time).
 */
TimestampTz
omni_now(void)
{
	if (omni_mock_now_set)
		return omni_mock_now_value;
	return GetCurrentTransactionStartTimestamp();
}

PG_FUNCTION_INFO_V1(omni_now_sql);

Datum
omni_now_sql(PG_FUNCTION_ARGS)
{
	PG_RETURN_TIMESTAMPTZ(omni_now());
}
