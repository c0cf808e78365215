/*-------------------------------------------------------------------------
 *
 * row_read.c
 *	  Rows and facts the hot paths read on every call, unlocked, with one
 *	  index probe under the statement's snapshot instead of a statement:
 *	  omni._workstream(name), omni._offer_row(id), omni._customer_of(channel,
 *	  address) and omni._has_open_participants(conversation_id).
 *
 * Each replaced a SELECT in a PL/pgSQL function, whose executor start and
 * end cost more than the probe (row_lock.c has the locking readers).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/rel.h"

#include "omnichannel.h"

PG_FUNCTION_INFO_V1(omni_workstream);
PG_FUNCTION_INFO_V1(omni_offer_row);
PG_FUNCTION_INFO_V1(omni_customer_of);
PG_FUNCTION_INFO_V1(omni_has_open_participants);

/*
 * fetch_row returns the row of omni.<table> whose primary key (column
 * keycol) is key, as the statement sees it, or (Datum) 0 when there is none.
 */
static Datum
fetch_row(const char *table, const char *keycol, Datum key)
{
	OmniProbe	p;
	ScanKeyData skey;
	SysScanDesc scan;
	HeapTuple	found;
	Datum		row = (Datum) 0;

	omni_probe_open(&p, table, NULL);
	scan = omni_probe_begin(&p, omni_probe_att(&p, keycol), key, &skey);
	found = systable_getnext(scan);
	if (HeapTupleIsValid(found))
		row = heap_copy_tuple_as_datum(found, RelationGetDescr(p.rel));
	systable_endscan(scan);
	omni_probe_close(&p);
	return row;
}

/*
 * omni._workstream(name text) RETURNS omni.workstream: the row (the enqueue
 * and the offer paths read it on every call); an unknown or NULL name is an
 * error (22023).
 */
Datum
omni_workstream(PG_FUNCTION_ARGS)
{
	Datum		row;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("workstream \"<NULL>\" does not exist")));
	row = fetch_row("workstream", "name", PG_GETARG_DATUM(0));
	if (row == (Datum) 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("workstream \"%s\" does not exist", TextDatumGetCString(PG_GETARG_DATUM(0)))));
	PG_RETURN_DATUM(row);
}

/*
 * omni._offer_row(offer_id bigint) RETURNS omni.offer: the offer, unlocked
 * (accept and reject read it to know which conversation to lock first), or
 * NULL when there is none.
 */
Datum
omni_offer_row(PG_FUNCTION_ARGS)
{
	Datum		row;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	row = fetch_row("offer", "id", PG_GETARG_DATUM(0));
	if (row == (Datum) 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(row);
}

/*
 * omni._customer_of(channel text, address text) RETURNS bigint: the
 * customer known at that address on that channel, or NULL.
 */
Datum
omni_customer_of(PG_FUNCTION_ARGS)
{
	OmniProbe	p;
	ScanKeyData keys[2];
	AttrNumber	atts[2];
	Datum		values[2];
	SysScanDesc scan;
	HeapTuple	found;
	bool		isnull = true;
	Datum		customer = (Datum) 0;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	omni_probe_open(&p, "customer_identity", NULL);	/* (channel, address) */
	atts[0] = omni_probe_att(&p, "channel");
	atts[1] = omni_probe_att(&p, "address");
	values[0] = PG_GETARG_DATUM(0);
	values[1] = PG_GETARG_DATUM(1);
	scan = omni_probe_begin_n(&p, 2, atts, values, keys);
	found = systable_getnext(scan);
	if (HeapTupleIsValid(found))
		customer = omni_probe_get(&p, found, omni_probe_att(&p, "customer_id"), &isnull);
	systable_endscan(scan);
	omni_probe_close(&p);
	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(customer);
}

/*
 * omni._has_open_participants(conversation_id bigint) RETURNS boolean:
 * whether a monitor or consultant is still on the conversation (a
 * participant row without left_at); the close asks it.
 */
Datum
omni_has_open_participants(PG_FUNCTION_ARGS)
{
	OmniProbe	p;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	AttrNumber	left_at;
	bool		found = false;

	if (PG_ARGISNULL(0))
		PG_RETURN_BOOL(false);
	omni_probe_open(&p, "conversation_participant", NULL);	/* (conversation_id, agent_id, joined_at) */
	left_at = omni_probe_att(&p, "left_at");
	scan = omni_probe_begin(&p, omni_probe_att(&p, "conversation_id"), PG_GETARG_DATUM(0), &key);
	while (!found && HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		bool		isnull;

		(void) omni_probe_get(&p, tup, left_at, &isnull);
		found = isnull;
	}
	systable_endscan(scan);
	omni_probe_close(&p);
	PG_RETURN_BOOL(found);
}
