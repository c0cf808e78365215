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
}
