/*-------------------------------------------------------------------------
 *
 * trigger_gates.c
 *	  Whether a configuration trigger of omni.conversation has anything to
 *	  do, for the triggers' WHEN clauses.
 *
 * Every enqueue fired two PL/pgSQL trigger functions (SECURITY DEFINER,
 * with a pinned search_path) that look for a split of the workstream's
 * route rules and for the queue's before-queueing overflow rules, and
 * return at once when there are none, as in most contact centers.  An
 * index probe from the WHEN clause costs a fraction of the call
 * (docs/design.md, "Hot tables"); the trigger functions ask the same
 * question through these functions (the escalation's trigger has no such
 * WHEN clause).  The close of a chat runs its transcript trigger only
 * when the conversation has agent or customer messages.  Read under the
 * statement's snapshot.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

#include "omnichannel.h"

PG_FUNCTION_INFO_V1(omni_has_route_split);
PG_FUNCTION_INFO_V1(omni_has_prequeue_overflow);
PG_FUNCTION_INFO_V1(omni_has_transcript_messages);

/* omni._has_route_split(workstream): whether any route rule of it is split. */
Datum
omni_has_route_split(PG_FUNCTION_ARGS)
{
	OmniProbe	p;
	ScanKeyData key;
	SysScanDesc scan;
	bool		found;

	omni_probe_open(&p, "route_rule_split", NULL);	/* (workstream, position, queue) */
	scan = omni_probe_begin(&p, omni_probe_att(&p, "workstream"), PG_GETARG_DATUM(0), &key);
	found = HeapTupleIsValid(systable_getnext(scan));
	systable_endscan(scan);
	omni_probe_close(&p);
	PG_RETURN_BOOL(found);
}

/*
 * omni._has_prequeue_overflow(queue): whether the queue has an overflow rule
 * applied before queueing (queue_length or outside_hours, the conditions
 * omni._prequeue_rule applies).
 */
Datum
omni_has_prequeue_overflow(PG_FUNCTION_ARGS)
{
	OmniProbe	p;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	AttrNumber	condition;
	bool		found = false;

	omni_probe_open(&p, "queue_overflow", NULL);	/* (queue, position) */
	condition = omni_probe_att(&p, "condition");
	scan = omni_probe_begin(&p, omni_probe_att(&p, "queue"), PG_GETARG_DATUM(0), &key);
	while (!found && HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		bool		isnull;
		char	   *c = TextDatumGetCString(omni_probe_get(&p, tup, condition, &isnull));

		found = !isnull && (strcmp(c, "queue_length") == 0 || strcmp(c, "outside_hours") == 0);
	}
	systable_endscan(scan);
	omni_probe_close(&p);
	PG_RETURN_BOOL(found);
}

/*
 * omni._has_transcript_messages(conversation): whether the conversation has
 * a message an agent or the customer wrote, the messages that become its
 * transcript (omni._transcript_from_messages); bot and system messages do
 * not.  Stops at the first such message.
 */
Datum
omni_has_transcript_messages(PG_FUNCTION_ARGS)
{
	OmniProbe	p;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	AttrNumber	sender;
	bool		found = false;

	omni_probe_open(&p, "message", "message_conversation_idx");	/* (conversation_id, id) */
	sender = omni_probe_att(&p, "sender");
	scan = omni_probe_begin(&p, omni_probe_att(&p, "conversation_id"), PG_GETARG_DATUM(0), &key);
	while (!found && HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		bool		isnull;
		Datum		value = omni_probe_get(&p, tup, sender, &isnull);
		char		label[NAMEDATALEN];

		if (isnull)
			continue;
		omni_enum_label(DatumGetObjectId(value), label);
		found = (strcmp(label, "agent") == 0 || strcmp(label, "customer") == 0);
	}
	systable_endscan(scan);
	omni_probe_close(&p);
	PG_RETURN_BOOL(found);
}
