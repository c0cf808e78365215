/*-------------------------------------------------------------------------
 *
 * invalidation.c
 *	  One relcache invalidation callback for the whole extension.
 *
 * PostgreSQL keeps room for ten relcache callbacks per backend
 * (MAX_RELCACHE_CALLBACKS), shared with the core and every other loaded
 * library; going over is a FATAL error that ends the session.  The
 * extension's caches (probes, the event log, the writers, the routing
 * configuration, the callers' answers, the sentiment and insight rules)
 * each need to forget what they know of a table when it changes: they
 * subscribe here, and this file takes a single slot.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/inval.h"

#include "omnichannel.h"

#define MAX_SUBSCRIBERS 16

typedef struct Subscriber
{
	RelcacheCallbackFunction fn;
	Datum		arg;
} Subscriber;

static Subscriber subscribers[MAX_SUBSCRIBERS];
static int	nsubscribers = 0;

static void
dispatch(Datum arg, Oid relid)
{
	for (int i = 0; i < nsubscribers; i++)
		subscribers[i].fn(subscribers[i].arg, relid);
}

/*
 * fn(arg, relid) is called at every relcache invalidation from now on
 * (relid InvalidOid: all relations).  Once per backend and subscriber.
 */
void
omni_on_relcache_change(RelcacheCallbackFunction fn, Datum arg)
{
	if (nsubscribers == 0)
		CacheRegisterRelcacheCallback(dispatch, (Datum) 0);
	for (int i = 0; i < nsubscribers; i++)
		if (subscribers[i].fn == fn && subscribers[i].arg == arg)
			return;
	if (nsubscribers >= MAX_SUBSCRIBERS)
		elog(ERROR, "omnichannel: out of relcache subscriber slots");
	subscribers[nsubscribers].fn = fn;
	subscribers[nsubscribers].arg = arg;
	nsubscribers++;
}
