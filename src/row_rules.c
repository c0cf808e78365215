/*-------------------------------------------------------------------------
 *
 * row_rules.c
 *	  The state rules of a conversation row, as one CHECK constraint.
 *
 * PostgreSQL reads a table's CHECK expressions back from their stored
 * node trees and plans them again for every statement that writes the
 * table (ExecRelCheck keeps them for one statement only).  omni.conversation
 * is written four times per conversation (enqueue, accept, end, close); its
 * four rules as SQL expressions were 3.4 kB of node trees, read and planned
 * sixteen times per conversation.  One call of this function is a few
 * hundred bytes (docs/design.md, "Hot tables").
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_enum.h"
#include "fmgr.h"
#include "utils/syscache.h"

#include "omnichannel.h"

PG_FUNCTION_INFO_V1(omni_conversation_consistent);

/*
 * omni._conversation_consistent(state, agent_id, bot, queue, queued_at,
 * closed_at): whether a conversation row obeys the four state rules
 *   closed               exactly when closed_at is set;
 *   open                 no agent, a queue and a queue time;
 *   waiting or wrap_up   an agent;
 *   active               an agent or a bot.
 * NULL when the answer depends on a NULL the rules do not constrain (bot
 * or state NULL: both columns are NOT NULL), so that a CHECK passes as
 * the SQL form of these rules would.
 */
Datum
omni_conversation_consistent(PG_FUNCTION_ARGS)
{
	HeapTuple	tup;
	char		label[NAMEDATALEN];
	bool		has_agent = !PG_ARGISNULL(1);
	bool		has_queue = !PG_ARGISNULL(3);
	bool		has_queued_at = !PG_ARGISNULL(4);
	bool		has_closed_at = !PG_ARGISNULL(5);

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	tup = SearchSysCache1(ENUMOID, PG_GETARG_DATUM(0));
	if (!HeapTupleIsValid(tup))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid internal value for enum: %u", PG_GETARG_OID(0))));
	strlcpy(label, NameStr(((Form_pg_enum) GETSTRUCT(tup))->enumlabel), NAMEDATALEN);
	ReleaseSysCache(tup);

	if ((strcmp(label, "closed") == 0) != has_closed_at)
		PG_RETURN_BOOL(false);
	if (strcmp(label, "open") == 0)
		PG_RETURN_BOOL(!has_agent && has_queue && has_queued_at);
	if (strcmp(label, "waiting") == 0 || strcmp(label, "wrap_up") == 0)
		PG_RETURN_BOOL(has_agent);
	if (strcmp(label, "active") == 0 && !has_agent)
	{
		if (PG_ARGISNULL(2))
			PG_RETURN_NULL();
		PG_RETURN_BOOL(PG_GETARG_BOOL(2));
	}
	PG_RETURN_BOOL(true);
}
