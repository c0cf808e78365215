/*-------------------------------------------------------------------------
 *
 * omnichannel.c
 *	  Module entry point: defines the settings and, when the library is
 *	  preloaded, registers what must exist before the server starts.
 *
 * Without shared_preload_libraries every SQL function still works; only
 * the background workers are missing (routing then runs when
 * omni.route() is called).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"

#include "omnichannel.h"

PG_MODULE_MAGIC;

PGDLLEXPORT void _PG_init(void);

void
_PG_init(void)
{
	omni_define_gucs();
	omni_install_plan_floor();
	if (!process_shared_preload_libraries_in_progress)
		return;
	/* Shared memory for the workers, their wake-up at commit, and the workers. */
	omni_shmem_init_hooks();
	omni_install_utility_hook();
	omni_register_launcher();
}
