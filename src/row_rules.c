/*-------------------------------------------------------------------------
 *
 * row_rules.c
 *	  The rules of the rows every conversation writes (conversation, offer,
 *	  capacity hold), each table's as one CHECK constraint.
 *
 * PostgreSQL reads a table's CHECK expressions back from their stored
 * node trees and plans them again for every statement that writes the
 * table (ExecRelCheck keeps them for one statement only).  omni.conversation
 * is written four times per conversation (enqueue, accept, end, close); its
 * four rules as SQL expressions were 3.4 kB of node trees, read and planned
 * sixteen times per conversation.  One call of this function is a few
 * hundred bytes (docs/design.md, "Hot tables").  omni.offer and
 * omni.capacity_hold, written twice per conversation each, get the same.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_enum.h"
#include "fmgr.h"
#include "utils/syscache.h"

#include "omnichannel.h"

/* omni_enum_label copies the label of an enum value into label (NAMEDATALEN). */
void
omni_enum_label(Oid value, char *label)
{
	HeapTuple	tup = SearchSysCache1(ENUMOID, ObjectIdGetDatum(value));

	if (!HeapTupleIsValid(tup))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid internal value for enum: %u", value)));
	strlcpy(label, NameStr(((Form_pg_enum) GETSTRUCT(tup))->enumlabel), NAMEDATALEN);
	ReleaseSysCache(tup);
}

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
	char		label[NAMEDATALEN];
	bool		has_agent = !PG_ARGISNULL(1);
	bool		has_queue = !PG_ARGISNULL(3);
	bool		has_queued_at = !PG_ARGISNULL(4);
	bool		has_closed_at = !PG_ARGISNULL(5);

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	omni_enum_label(PG_GETARG_OID(0), label);

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

PG_FUNCTION_INFO_V1(omni_offer_consistent);

/*
 * omni._offer_consistent(state, decided_at, created_at, expires_at): an
 * offer is decided exactly when it is no longer pending, and expires after
 * it was made.  (omni.offer is written twice per conversation: the offer,
 * its decision.)  NULL when a NULL leaves the answer open (the columns but
 * decided_at are NOT NULL), as the SQL form's CHECK would pass.
 */
Datum
omni_offer_consistent(PG_FUNCTION_ARGS)
{
	bool		unknown = false;

	/* decided exactly when no longer pending */
	if (PG_ARGISNULL(0))
		unknown = true;
	else
	{
		char		label[NAMEDATALEN];

		omni_enum_label(PG_GETARG_OID(0), label);
		if ((strcmp(label, "pending") == 0) != PG_ARGISNULL(1))
			PG_RETURN_BOOL(false);
	}
	/* expires after it was made */
	if (PG_ARGISNULL(2) || PG_ARGISNULL(3))
		unknown = true;
	else if (PG_GETARG_TIMESTAMPTZ(3) <= PG_GETARG_TIMESTAMPTZ(2))
		PG_RETURN_BOOL(false);
	if (unknown)
		PG_RETURN_NULL();
	PG_RETURN_BOOL(true);
}

PG_FUNCTION_INFO_V1(omni_hold_consistent);

/*
 * omni._hold_consistent(units, kind): a capacity hold holds no negative
 * units and is an offer's or work's.  NULL when a NULL leaves it open.
 */
Datum
omni_hold_consistent(PG_FUNCTION_ARGS)
{
	if (!PG_ARGISNULL(0) && PG_GETARG_INT32(0) < 0)
		PG_RETURN_BOOL(false);
	if (!PG_ARGISNULL(1))
	{
		text	   *kind = PG_GETARG_TEXT_PP(1);
		const char *k = VARDATA_ANY(kind);
		int			len = VARSIZE_ANY_EXHDR(kind);

		if (!((len == 5 && memcmp(k, "offer", 5) == 0) || (len == 4 && memcmp(k, "work", 4) == 0)))
			PG_RETURN_BOOL(false);
	}
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	PG_RETURN_BOOL(true);
}
