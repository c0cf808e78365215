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
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "omnichannel.h"

/*
 * The tables, indexes and columns probed are looked up once per backend:
 * the hot paths probe on every call, and a lookup by name is a catalog
 * cache search each time.  Any relcache invalidation of a table or index
 * kept here (ALTER TABLE, DROP EXTENSION, ...) forgets them all.
 */
#define PROBE_CACHE_SIZE 32

typedef struct ProbeName
{
	char		table[NAMEDATALEN];
	char		index[NAMEDATALEN];	/* "" for the primary key */
	Oid			relid;
	Oid			index_oid;
} ProbeName;

typedef struct ProbeColumn
{
	Oid			relid;
	char		column[NAMEDATALEN];
	AttrNumber	att;
} ProbeColumn;

static ProbeName probe_names[PROBE_CACHE_SIZE];
static int	nprobe_names = 0;
static ProbeColumn probe_columns[PROBE_CACHE_SIZE * 4];
static int	nprobe_columns = 0;
static bool probe_callback = false;

static void
probe_invalidate(Datum arg, Oid relid)
{
	bool		ours = (relid == InvalidOid);

	for (int i = 0; i < nprobe_names && !ours; i++)
		ours = (probe_names[i].relid == relid || probe_names[i].index_oid == relid);
	if (ours)
		nprobe_names = nprobe_columns = 0;
}

/*
 * Open omni.<table> for probes through the named index, or through its
 * primary key when index is NULL.
 */
void
omni_probe_open(OmniProbe *p, const char *table, const char *index)
{
	ProbeName  *known = NULL;
	Oid			relid;

	if (!probe_callback)
	{
		omni_on_relcache_change(probe_invalidate, (Datum) 0);
		probe_callback = true;
	}
	for (int i = 0; i < nprobe_names && known == NULL; i++)
		if (strcmp(probe_names[i].table, table) == 0 && strcmp(probe_names[i].index, index ? index : "") == 0)
			known = &probe_names[i];
	if (known != NULL)
	{
		/* dropped since (by another session's commit): look it up again */
		Relation	rel = try_table_open(known->relid, AccessShareLock);

		if (rel != NULL && nprobe_names > 0)
		{
			p->rel = rel;
			p->index = known->index_oid;
			return;
		}
		if (rel != NULL)
			table_close(rel, AccessShareLock);
		nprobe_names = nprobe_columns = 0;
	}

	relid = get_relname_relid(table, get_namespace_oid("omni", false));
	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table omni.%s does not exist", table),
				 errhint("The omnichannel extension is not installed in this database.")));
	p->rel = table_open(relid, AccessShareLock);
	p->index = index ? get_relname_relid(index, RelationGetNamespace(p->rel)) : RelationGetPrimaryKeyIndex(p->rel);
	if (!OidIsValid(p->index))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("the index of omni.%s that omnichannel probes is missing", table),
				 errdetail("Index: %s.", index ? index : "its primary key"),
				 errhint("Reinstall the extension: DROP EXTENSION omnichannel; CREATE EXTENSION omnichannel.")));
	if (nprobe_names < PROBE_CACHE_SIZE)
	{
		known = &probe_names[nprobe_names++];
		strlcpy(known->table, table, NAMEDATALEN);
		strlcpy(known->index, index ? index : "", NAMEDATALEN);
		known->relid = relid;
		known->index_oid = p->index;
	}
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
	Oid			relid = RelationGetRelid(p->rel);
	AttrNumber	att;

	for (int i = 0; i < nprobe_columns; i++)
		if (probe_columns[i].relid == relid && strcmp(probe_columns[i].column, column) == 0)
			return probe_columns[i].att;
	att = get_attnum(relid, column);
	if (att == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column %s of table omni.%s does not exist", column, RelationGetRelationName(p->rel)),
				 errhint("Reinstall the extension: DROP EXTENSION omnichannel; CREATE EXTENSION omnichannel.")));
	if (nprobe_columns < lengthof(probe_columns))
	{
		probe_columns[nprobe_columns].relid = relid;
		strlcpy(probe_columns[nprobe_columns].column, column, NAMEDATALEN);
		probe_columns[nprobe_columns].att = att;
		nprobe_columns++;
	}
	return att;
}

/*
 * Start a scan of the probe's index for the rows whose columns atts (the
 * index's leading columns, each bigint, text, date or an enum) equal values.
 */
SysScanDesc
omni_probe_begin_n(OmniProbe *p, int n, const AttrNumber *atts, const Datum *values, ScanKey keys)
{
	for (int i = 0; i < n; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(RelationGetDescr(p->rel), atts[i] - 1);
		RegProcedure eq;

		switch (attr->atttypid)
		{
			case INT8OID:
				eq = F_INT8EQ;
				break;
			case TEXTOID:
				eq = F_TEXTEQ;
				break;
			case DATEOID:
				eq = F_DATE_EQ;
				break;
			default:
				if (type_is_enum(attr->atttypid))
				{
					eq = F_ENUM_EQ;
					break;
				}
				elog(ERROR, "omnichannel probes bigint, text, date and enum columns only, not %s.%s",
					 RelationGetRelationName(p->rel), NameStr(attr->attname));
		}
		ScanKeyInit(&keys[i], atts[i], BTEqualStrategyNumber, eq, values[i]);
		/* the tree is ordered by the column's collation, not C's */
		keys[i].sk_collation = attr->attcollation;
	}
	return systable_beginscan(p->rel, p->index, true,
							  ActiveSnapshotSet() ? GetActiveSnapshot() : GetTransactionSnapshot(),
							  n, keys);
}

/* omni_probe_begin_n with one key. */
SysScanDesc
omni_probe_begin(OmniProbe *p, AttrNumber att, Datum value, ScanKey key)
{
	return omni_probe_begin_n(p, 1, &att, &value, key);
}

Datum
omni_probe_get(OmniProbe *p, HeapTuple tuple, AttrNumber att, bool *isnull)
{
	return heap_getattr(tuple, att, RelationGetDescr(p->rel), isnull);
}
