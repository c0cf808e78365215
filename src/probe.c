/*-------------------------------------------------------------------------
 *
 * probe.c
 *	  Index probes of the extension's own tables from C, for the lookups a
 *	  hot path makes on every call (is the caller this agent, what does an
 *	  agent hold): one index scan under the statement's snapshot, with no
 *	  plan to start and none that fresh statistics could change.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/stratnum.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "omnichannel.h"

/*
 * Open omni.<table> for probes through the named index, or through its
 * primary key when index is NULL.
 */
void
omni_probe_open(OmniProbe *p, const char *table, const char *index)
{
	Oid			nsp = get_namespace_oid("omni", false);
	Oid			relid = get_relname_relid(table, nsp);

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table omni.%s does not exist", table),
				 errhint("The omnichannel extension is not installed in this database.")));
	p->rel = table_open(relid, AccessShareLock);
	p->index = index ? get_relname_relid(index, nsp) : RelationGetPrimaryKeyIndex(p->rel);
	if (!OidIsValid(p->index))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("the index of omni.%s that omnichannel probes is missing", table),
				 errdetail("Index: %s.", index ? index : "its primary key"),
				 errhint("Reinstall the extension: DROP EXTENSION omnichannel; CREATE EXTENSION omnichannel.")));
}

void
omni_probe_close(OmniProbe *p)
{
	table_close(p->rel, AccessShareLock);
}

/* The attribute number of a column the probe reads; an error when missing. */
AttrNumber
omni_probe_att(OmniProbe *p, const char *column)
{
	AttrNumber	att = get_attnum(RelationGetRelid(p->rel), column);

	if (att == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column %s of table omni.%s does not exist", column, RelationGetRelationName(p->rel)),
				 errhint("Reinstall the extension: DROP EXTENSION omnichannel; CREATE EXTENSION omnichannel.")));
	return att;
}

/*
 * Start a scan of the probe's index for the rows whose column att (the
 * index's first column, bigint or text) equals value.
 */
SysScanDesc
omni_probe_begin(OmniProbe *p, AttrNumber att, Datum value, ScanKey key)
{
	Form_pg_attribute attr = TupleDescAttr(RelationGetDescr(p->rel), att - 1);

	if (attr->atttypid != INT8OID && attr->atttypid != TEXTOID)
		elog(ERROR, "omnichannel probes bigint and text columns only, not %s.%s",
			 RelationGetRelationName(p->rel), NameStr(attr->attname));
	ScanKeyInit(key, att, BTEqualStrategyNumber,
				attr->atttypid == INT8OID ? F_INT8EQ : F_TEXTEQ, value);
	/* the tree is ordered by the column's collation, not C's */
	key->sk_collation = attr->attcollation;
	return systable_beginscan(p->rel, p->index, true,
							  ActiveSnapshotSet() ? GetActiveSnapshot() : GetTransactionSnapshot(),
							  1, key);
}

Datum
omni_probe_get(OmniProbe *p, HeapTuple tuple, AttrNumber att, bool *isnull)
{
	return heap_getattr(tuple, att, RelationGetDescr(p->rel), isnull);
}
