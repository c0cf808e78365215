/*-------------------------------------------------------------------------
 *
 * omnichannel.h
 *	  Declarations shared by the omnichannel C modules: settings (GUCs)
 *	  and the module entry points each subsystem exposes to _PG_init.
 *
 *-------------------------------------------------------------------------
 */
#ifndef OMNICHANNEL_H
#define OMNICHANNEL_H

#include "postgres.h"
#include "utils/timestamp.h"

/* Settings, defined in guc.c */
extern bool omni_enable_workers;
extern char *omni_mock_now;
extern bool omni_mock_now_set;
extern TimestampTz omni_mock_now_value;

extern void omni_define_gucs(void);

/* clock.c: "now" as omnichannel sees it (a mock clock in tests) */
extern TimestampTz omni_now(void);

#endif							/* OMNICHANNEL_H */
