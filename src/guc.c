/*-------------------------------------------------------------------------
 *
 * guc.c
 *	  The omnichannel.* settings, all defined in one place.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/datetime.h"
#include "utils/guc.h"

#include "omnichannel.h"

bool		omni_enable_workers = true;
char	   *omni_mock_now = NULL;
int			omni_tick_interval_ms = 5000;
int			omni_launcher_naptime_ms = 10000;
int			omni_kpi_refresh_interval_ms = 15000;

/* Routing (src/routing/) */
int			omni_route_batch_size = 500;
bool		omni_route_count_eligible = true;

/* Parsed value of omnichannel.mock_now; valid when omni_mock_now_set. */
bool		omni_mock_now_set = false;
TimestampTz omni_mock_now_value = 0;

/*
 * parse_timestamptz parses a timestamptz without throwing, so it can run
 * inside a GUC check hook (which must not ereport).
 */
static bool
parse_timestamptz(const char *str, TimestampTz *result)
{
	char		workbuf[MAXDATELEN + MAXDATEFIELDS];
	char	   *field[MAXDATEFIELDS];
	int			ftype[MAXDATEFIELDS];
	int			nf;
	int			dtype;
	int			tz;
	struct pg_tm tt;
	fsec_t		fsec;

	if (ParseDateTime(str, workbuf, sizeof(workbuf), field, ftype, MAXDATEFIELDS, &nf) != 0)
		return false;
	if (DecodeDateTime(field, ftype, nf, &dtype, &tt, &fsec, &tz) != 0)
		return false;
	if (dtype != DTK_DATE)
		return false;
	return tm2timestamp(&tt, fsec, &tz, result) == 0;
}

/* omnichannel.mock_now must be empty or a valid timestamptz. */
static bool
check_mock_now(char **newval, void **extra, GucSource source)
{
	TimestampTz *parsed;
	TimestampTz ts;

	if (*newval == NULL || (*newval)[0] == '\0')
		return true;
	if (!parse_timestamptz(*newval, &ts))
	{
		GUC_check_errdetail("\"%s\" is not a valid timestamp with time zone.", *newval);
		return false;
	}
	parsed = malloc(sizeof(TimestampTz));
	if (parsed == NULL)
		return false;
	*parsed = ts;
	*extra = parsed;
	return true;
}

static void
assign_mock_now(const char *newval, void *extra)
{
	omni_mock_now_set = (extra != NULL);
	if (extra != NULL)
		omni_mock_now_value = *(TimestampTz *) extra;
}

void
omni_define_gucs(void)
{
	DefineCustomBoolVariable("omnichannel.enable_workers",
							 "Lets the omnichannel background workers route and refresh.",
							 "When off the workers stay connected but idle, so tests and "
							 "maintenance can quiesce them without a restart.",
							 &omni_enable_workers,
							 true,
							 PGC_SIGHUP,
							 0,
							 NULL, NULL, NULL);

	DefineCustomStringVariable("omnichannel.mock_now",
							   "Overrides the clock omnichannel uses (tests and replays only).",
							   "Empty means the transaction start time. Only superusers may set it.",
							   &omni_mock_now,
							   "",
							   PGC_SUSET,
							   0,
							   check_mock_now, assign_mock_now, NULL);

	DefineCustomIntVariable("omnichannel.route_batch_size",
							"Most open conversations per queue one routing cycle considers.",
							"A queue with more waiting conversations is served by further cycles.",
							&omni_route_batch_size,
							500, 1, 100000,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);

	DefineCustomBoolVariable("omnichannel.route_count_eligible",
							 "Counts the eligible agents of every offer for the decision log.",
							 "Costs a pass over the queue's members per offer; off leaves eligible_count NULL.",
							 &omni_route_count_eligible,
							 true,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("omnichannel.tick_interval",
							"Longest time the routing worker sleeps between omni.tick() runs.",
							"The worker runs omni.tick() at the next deadline (offer expiry, overflow, "
							"auto-close) and at least this often.",
							&omni_tick_interval_ms,
							5000, 10, 3600000,
							PGC_SIGHUP,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("omnichannel.launcher_naptime",
							"How often the worker launcher looks for databases with the extension.",
							"CREATE EXTENSION wakes the launcher at once; this is the fallback.",
							&omni_launcher_naptime_ms,
							10000, 100, 3600000,
							PGC_SIGHUP,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("omnichannel.kpi_refresh_interval",
							"How often the routing worker calls omni.refresh_kpis() (when it exists).",
							NULL,
							&omni_kpi_refresh_interval_ms,
							15000, 100, 86400000,
							PGC_SIGHUP,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	MarkGUCPrefixReserved("omnichannel");
}
