/*-------------------------------------------------------------------------
 *
 * guc.c
 *	  The omnichannel.* settings, all defined in one place.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "miscadmin.h"
#include "utils/datetime.h"
#include "utils/guc.h"

#include "omnichannel.h"

bool		omni_enable_workers = true;
char	   *omni_mock_now = NULL;
int			omni_tick_interval_ms = 5000;
int			omni_launcher_naptime_ms = 10000;
int			omni_kpi_refresh_interval_ms = 15000;
int			omni_kpi_worker_nice = 10;
int			omni_kpi_refresh_batch = 2000;
bool		omni_router_synchronous_commit = false;
int			omni_max_databases = 64;
int			omni_planner_min_pages = 100;

/* limits: what connectors and callers may send (docs/security.md, "Limits") */
int			omni_max_context_bytes = 65536;
int			omni_max_context_depth = 32;
int			omni_max_address_bytes = 512;
int			omni_max_message_bytes = 1048576;
int			omni_max_messages_per_conversation = 10000;
int			omni_kpi_refresh_min_interval_ms = 1000;

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

	DefineCustomIntVariable("omnichannel.planner_min_pages",
							"Smallest size, in pages, the planner assumes for omnichannel's runtime tables.",
							"A table vacuumed while empty would otherwise be planned as empty: key lookups "
							"cached as whole-table reads that cost more as the table grows. 0 turns it off.",
							&omni_planner_min_pages,
							100, 0, 1000000,
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
							"Longest time the router sleeps between omni.tick() runs.",
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

	/* Shared-memory size: only when preloading (a postmaster setting cannot be defined later). */
	if (process_shared_preload_libraries_in_progress)
		DefineCustomIntVariable("omnichannel.max_databases",
								"Most databases the omnichannel launcher tracks (one shared-memory slot each).",
								"Every database that allows connections takes a slot while the launcher looks "
								"for the extension; a database without one gets no worker and is warned about.",
								&omni_max_databases,
								64, 1, 10000,
								PGC_POSTMASTER,
								0,
								NULL, NULL, NULL);

	DefineCustomIntVariable("omnichannel.kpi_refresh_interval",
							"How often the KPI worker of each database calls omni.refresh_kpis() (when it exists).",
							NULL,
							&omni_kpi_refresh_interval_ms,
							15000, 100, 86400000,
							PGC_SIGHUP,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomBoolVariable("omnichannel.router_synchronous_commit",
							 "Whether the routers wait for their commits to reach disk (and synchronous standbys).",
							 "Off (the default): a router's offers and tick work commit asynchronously; a crash may forget the last few hundred milliseconds of it, which the next cycle and tick redo from the durable queue.  On: the server's synchronous_commit.",
							 &omni_router_synchronous_commit,
							 false,
							 PGC_SIGHUP,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("omnichannel.kpi_refresh_batch",
							"Event ids the KPI worker adds to the rollups per transaction.",
							"A refresh runs in steps of this many event ids, each its own short transaction, then refreshes the intraday views: a refresh that fell behind never holds back vacuum (and the routing tables' cleanup) for long.",
							&omni_kpi_refresh_batch,
							2000, 100, 1000000,
							PGC_SIGHUP,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("omnichannel.kpi_worker_nice",
							"Scheduling niceness (0-19) of the KPI workers, so that a refresh yields the CPU to routing and agents' calls.",
							"0 runs them like every other backend.  A process can raise its niceness but not lower it again: lowering the setting takes effect when the workers restart.",
							&omni_kpi_worker_nice,
							10, 0, 19,
							PGC_SIGHUP,
							0,
							NULL, NULL, NULL);

	/*
	 * limits: PGC_SUSET so that the roles they protect against (connectors,
	 * agents) cannot raise them for their own session.  Byte values are
	 * plain integers (no unit) so SQL can read them as numbers.
	 */
	DefineCustomIntVariable("omnichannel.max_context_bytes",
							"Largest conversation context (as JSON text, in bytes) enqueue, start_with_bot and escalate accept.",
							"Larger contexts are refused with SQLSTATE 22001.",
							&omni_max_context_bytes,
							65536, 256, 16777216,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("omnichannel.max_context_depth",
							"Deepest nesting of arrays and objects a conversation context may have.",
							"Deeper contexts are refused with SQLSTATE 54000.",
							&omni_max_context_depth,
							32, 1, 1000,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("omnichannel.max_address_bytes",
							"Longest customer address (bytes) on a channel.",
							"Longer addresses are refused with SQLSTATE 22001 (the index on addresses holds about 2.7 kB).",
							&omni_max_address_bytes,
							512, 1, 2048,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("omnichannel.max_message_bytes",
							"Largest message body (bytes).",
							"Larger bodies are refused with SQLSTATE 22001.",
							&omni_max_message_bytes,
							1048576, 1, 67108864,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("omnichannel.max_messages_per_conversation",
							"Most messages one conversation may hold.",
							"Further messages are refused with SQLSTATE 54000.",
							&omni_max_messages_per_conversation,
							10000, 1, INT_MAX,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("omnichannel.kpi_refresh_min_interval",
							"omni.refresh_kpis() called by a non-admin returns at once when a refresh finished less than this long ago.",
							"Coalesces supervisors calling the refresh in a loop; admins and the worker always refresh.",
							&omni_kpi_refresh_min_interval_ms,
							1000, 0, 3600000,
							PGC_SUSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	MarkGUCPrefixReserved("omnichannel");
}
