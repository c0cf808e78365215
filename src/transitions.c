/*-------------------------------------------------------------------------
 *
 * transitions.c
 *	  omni._next_state(c, op): the state an operation leads a conversation
 *	  to, from omni.conversation_transition.
 *
 * Every operation on a conversation asks it (accept, end and close: three
 * times per conversation).  As a PL/pgSQL function it started a plan at
 * every call; here it is one probe of the table's primary key (operation,
 * from_state, served_by) under the statement's snapshot.  When no
 * transition applies, omni._transition_refused(c, op) (PL/pgSQL) raises
 * the error, worded for the caller, with the states the operation is
 * allowed from.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "nodes/makefuncs.h"
#include "parser/parse_func.h"
#include "utils/builtins.h"

#include "omnichannel.h"

PG_FUNCTION_INFO_V1(omni_next_state);

/* refuse calls omni._transition_refused(c, op), which raises the error. */
static void
refuse(Datum c, Oid rowtype, Datum op)
{
	Oid			argtypes[2] = {rowtype, TEXTOID};
	Oid			fn = LookupFuncName(list_make2(makeString("omni"), makeString("_transition_refused")),
									2, argtypes, false);

	OidFunctionCall2(fn, c, op);
	elog(ERROR, "omni._transition_refused returned");	/* it always raises */
}

/*
 * omni._next_state(c omni.conversation, op text) RETURNS
 * omni.conversation_state.  Who serves the conversation (served_by) is
 * 'bot' when it is active without an agent, 'agent' when active with
 * one, else 'any' (as omni._served_by); a transition for 'any' applies to
 * all.
 */
Datum
omni_next_state(PG_FUNCTION_ARGS)
{
	HeapTupleHeader c;
	Datum		state;
	bool		isnull;
	bool		no_agent;
	char		label[NAMEDATALEN];
	const char *by_whom;
	OmniProbe	p;
	ScanKeyData keys[2];
	AttrNumber	atts[2];
	Datum		values[2];
	SysScanDesc scan;
	HeapTuple	tup;
	AttrNumber	served_att,
				to_att;
	Datum		next = (Datum) 0;
	bool		found = false;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("omni._next_state needs a conversation and an operation")));
	c = PG_GETARG_HEAPTUPLEHEADER(0);
	state = GetAttributeByName(c, "state", &isnull);
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("omni._next_state needs a conversation with a state")));
	(void) GetAttributeByName(c, "agent_id", &no_agent);
	omni_enum_label(DatumGetObjectId(state), label);
	by_whom = strcmp(label, "active") != 0 ? "any" : no_agent ? "bot" : "agent";

	omni_probe_open(&p, "conversation_transition", NULL);
	atts[0] = omni_probe_att(&p, "operation");
	atts[1] = omni_probe_att(&p, "from_state");
	served_att = omni_probe_att(&p, "served_by");
	to_att = omni_probe_att(&p, "to_state");
	values[0] = PG_GETARG_DATUM(1);
	values[1] = state;
	scan = omni_probe_begin_n(&p, 2, atts, values, keys);
	while (!found && HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		char	   *served = TextDatumGetCString(omni_probe_get(&p, tup, served_att, &isnull));

		if (strcmp(served, "any") == 0 || strcmp(served, by_whom) == 0)
		{
			next = omni_probe_get(&p, tup, to_att, &isnull);
			found = true;
		}
		pfree(served);
	}
	systable_endscan(scan);
	omni_probe_close(&p);
	if (!found)
		refuse(PG_GETARG_DATUM(0), HeapTupleHeaderGetTypeId(c), PG_GETARG_DATUM(1));
	PG_RETURN_DATUM(next);
}
