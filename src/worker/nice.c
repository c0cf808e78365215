/*-------------------------------------------------------------------------
 *
 * nice.c
 *	  Scheduling priority of a worker (omnichannel.kpi_worker_nice).
 *
 * Every PostgreSQL process calls setsid() when it starts, so on Linux with
 * autogroup scheduling (sched_autogroup_enabled = 1, the default of most
 * distributions' kernels) each backend is a scheduling group of its own:
 * the scheduler shares the cores equally between the groups first, and a
 * process's own niceness only weighs it inside its group, where it is
 * alone.  A niceness therefore has to be set on both: the process
 * (setpriority) and its autogroup (/proc/self/autogroup).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>
#include <sys/resource.h>

#include "postmaster/bgworker.h"

#include "worker/worker.h"

/* The niceness of this process's autogroup, or INT_MIN when it has none. */
static int
autogroup_nice(void)
{
	FILE	   *f = fopen("/proc/self/autogroup", "r");
	int			nice = INT_MIN;

	if (f == NULL)
		return INT_MIN;
	if (fscanf(f, "/autogroup-%*d nice %d", &nice) != 1)
		nice = INT_MIN;
	fclose(f);
	return nice;
}

static bool
set_autogroup_nice(int nice)
{
	FILE	   *f = fopen("/proc/self/autogroup", "w");
	bool		ok;

	if (f == NULL)
		return false;
	ok = fprintf(f, "%d\n", nice) > 0;
	ok = (fclose(f) == 0) && ok;
	return ok;
}

/*
 * omni_worker_set_niceness gives this worker the niceness the setting
 * guc asks for, on the process and on its autogroup.  What cannot be done
 * (lowering the niceness without RLIMIT_NICE or CAP_SYS_NICE) is logged
 * once per value asked, with a hint; the worker goes on at the niceness it
 * has.
 */
void
omni_worker_set_niceness(int nice, const char *guc)
{
	static int	warned_for = INT_MIN;
	int			current;
	int			group;
	int			failure = 0;	/* the errno of the first failure */

	errno = 0;
	current = getpriority(PRIO_PROCESS, 0);
	if (errno == 0 && current != nice && setpriority(PRIO_PROCESS, 0, nice) != 0)
		failure = errno != 0 ? errno : EIO;
	group = autogroup_nice();
	if (group != INT_MIN && group != nice && !set_autogroup_nice(nice) && failure == 0)
		failure = errno != 0 ? errno : EIO;
	if (failure != 0 && warned_for != nice)
	{
		warned_for = nice;
		errno = failure;		/* for %m: the reads after it may have changed errno */
		ereport(WARNING,
				(errmsg("%s could not set its scheduling niceness to %d (process %d, autogroup %s): %m",
						MyBgworkerEntry ? MyBgworkerEntry->bgw_type : "omnichannel worker", nice, current,
						group == INT_MIN ? "none" : psprintf("%d", group)),
				 errdetail("%s = %d.", guc, nice),
				 errhint("A restarted worker starts from the server's niceness (omni.pause_workers() then omni.resume_workers()); to go below it the server must be allowed to (systemd: LimitNICE=%d in its unit; limits.conf: \"postgres - nice %d\").", nice, nice)));
	}
}
