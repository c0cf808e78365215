/*-------------------------------------------------------------------------
 *
 * row_write.c
 *	  Writing single rows of the extension's runtime tables from C without
 *	  a statement, as the logical replication apply worker does
 *	  (ExecSimpleRelationInsert, ExecSimpleRelationUpdate,
 *	  ExecSimpleRelationDelete).
 *
 * An UPDATE of one row found by its key, run from PL/pgSQL, costs a plan
 * check, an executor start and end, and a snapshot; the hot paths make
 * several per conversation.  A write step here is one index probe, one
 * tuple lock and the write, and keeps everything a statement does to its
 * rows: NOT NULL and CHECK constraints, domains (the caller checks the
 * values it builds), index entries with their unique checks, and BEFORE
 * and AFTER row triggers -- the foreign-key checks and
 * omni._agents_changed among them -- fired at the end of the step as at
 * the end of a statement.
 *
 * What a statement adds beyond its rows is why omni_write_begin refuses a
 * table: statement or transition-table triggers, rules, row-level
 * security that applies to the caller, a privilege the caller lacks, a
 * relation that is not a plain table, or inheritance children.  The
 * extension's functions run as its owner, so none of these applies as
 * shipped; when a DBA adds one, the caller runs its statements instead and
 * every rule of a statement applies (each writer keeps its statements next
 * to its direct path).
 *
 * A step behaves as one statement: it starts with CommandCounterIncrement
 * and the snapshot a new statement would take (what SPI does before each
 * statement), so it sees every earlier write of the transaction, and the
 * next step or statement sees its writes.  Rows to update or delete are
 * found through an index and locked as an UPDATE locks them; under READ
 * COMMITTED a row updated concurrently is followed to its latest version
 * once its updater commits, under REPEATABLE READ and SERIALIZABLE that is
 * a serialization failure (40001), as for a statement.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/dependency.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"

#include "omnichannel.h"
#include "row_write.h"

/*
 * What SPI does before each statement: the next command, and the snapshot
 * a statement takes (under READ COMMITTED a new one), so that what follows
 * sees every earlier write of the transaction.  omni_statement_end pops it.
 */
void
omni_statement_begin(void)
{
	CommandCounterIncrement();
	PushActiveSnapshot(GetTransactionSnapshot());
}

void
omni_statement_end(void)
{
	PopActiveSnapshot();
}

/*
 * Whether rows of rel can be written directly for the commands in modes
 * (ACL_INSERT, ACL_UPDATE, ACL_DELETE) by the current user: nothing a
 * statement would add beyond the rows applies.
 */
static bool
direct_allowed(Relation rel, AclMode modes)
{
	TriggerDesc *td = rel->trigdesc;
	AclMode		need = modes;

	/* a table with inheritance children: a statement would reach their rows too */
	if (rel->rd_rel->relkind != RELKIND_RELATION || rel->rd_rules != NULL ||
		rel->rd_rel->relhassubclass)
		return false;
	/* an UPDATE or DELETE reads the row it finds */
	if (modes & (ACL_UPDATE | ACL_DELETE))
		need |= ACL_SELECT;
	if (pg_class_aclmask(RelationGetRelid(rel), GetUserId(), need, ACLMASK_ALL) != need)
		return false;
	if (check_enable_rls(RelationGetRelid(rel), InvalidOid, true) == RLS_ENABLED)
		return false;
	if (td == NULL)
		return true;
	if ((modes & ACL_INSERT) &&
		(td->trig_insert_before_statement || td->trig_insert_after_statement ||
		 td->trig_insert_new_table || td->trig_insert_instead_row))
		return false;
	if ((modes & ACL_UPDATE) &&
		(td->trig_update_before_statement || td->trig_update_after_statement ||
		 td->trig_update_old_table || td->trig_update_new_table || td->trig_update_instead_row))
		return false;
	if ((modes & ACL_DELETE) &&
		(td->trig_delete_before_statement || td->trig_delete_after_statement ||
		 td->trig_delete_old_table || td->trig_delete_instead_row))
		return false;
	return true;
}

/*
 * Begin a write step on omni.<tables[i]>, each found through indexes[i]
 * (NULL: its primary key), for the commands modes[i].  Returns false, with
 * nothing begun, when one of them must be written by statements.
 */
bool
omni_write_begin(OmniWriteStep *s, int n, const char *const *tables,
				 const char *const *indexes, const AclMode *modes)
{
	List	   *rtable = NIL;

	Assert(n > 0 && n <= OMNI_WRITE_TABLES);
	memset(s, 0, sizeof(*s));
	for (int i = 0; i < n; i++)
	{
		omni_probe_open(&s->probe[i], tables[i], indexes[i]);
		s->ntables = i + 1;
		if (!direct_allowed(s->probe[i].rel, modes[i]))
		{
			for (int j = 0; j <= i; j++)
				omni_probe_close(&s->probe[j]);
			s->ntables = 0;
			return false;
		}
	}

	omni_statement_begin();

	s->estate = CreateExecutorState();
	for (int i = 0; i < n; i++)
	{
		Relation	rel = s->probe[i].rel;
		RangeTblEntry *rte = makeNode(RangeTblEntry);

		/* the lock an INSERT, UPDATE or DELETE takes, to the end of the transaction */
		LockRelationOid(RelationGetRelid(rel), RowExclusiveLock);
		rte->rtekind = RTE_RELATION;
		rte->relid = RelationGetRelid(rel);
		rte->relkind = rel->rd_rel->relkind;
		rte->rellockmode = RowExclusiveLock;
		rtable = lappend(rtable, rte);
	}
	ExecInitRangeTable(s->estate, rtable);
	s->estate->es_output_cid = GetCurrentCommandId(true);
	s->estate->es_snapshot = GetActiveSnapshot();
	for (int i = 0; i < n; i++)
	{
		Relation	rel = s->probe[i].rel;

		s->rri[i] = makeNode(ResultRelInfo);
		InitResultRelInfo(s->rri[i], rel, i + 1, NULL, 0);
		s->estate->es_opened_result_relations =
			lappend(s->estate->es_opened_result_relations, s->rri[i]);
		ExecOpenIndices(s->rri[i], false);
		s->found[i] = table_slot_create(rel, &s->estate->es_tupleTable);
		s->row[i] = table_slot_create(rel, &s->estate->es_tupleTable);
	}
	EvalPlanQualInit(&s->epq, s->estate, NULL, NIL, -1);
	/* the after-row triggers of the step fire at its end */
	AfterTriggerBeginQuery();
	s->begun = true;
	return true;
}

/*
 * Find the row of table t whose leading index columns atts equal values,
 * lock it as an UPDATE (or, for_delete, a DELETE) would, and keep its
 * latest version for omni_write_update or omni_write_delete.  Returns it,
 * or NULL when there is none (or it was deleted meanwhile).
 */
TupleTableSlot *
omni_write_find(OmniWriteStep *s, int t, int nkeys, const AttrNumber *atts,
				const Datum *values, bool for_delete)
{
	OmniProbe  *p = &s->probe[t];
	ScanKeyData keys[INDEX_MAX_KEYS];
	SysScanDesc scan;
	HeapTuple	tuple;
	ItemPointerData tid;
	bool		found;

	Assert(s->begun && t < s->ntables && nkeys <= INDEX_MAX_KEYS);
	scan = omni_probe_begin_n(p, nkeys, atts, values, keys);
	tuple = systable_getnext(scan);
	found = HeapTupleIsValid(tuple);
	if (found)
		tid = tuple->t_self;
	systable_endscan(scan);
	if (!found)
		return NULL;
	if (!omni_lock_tuple(p->rel, &tid, GetActiveSnapshot(), s->found[t],
						 for_delete ? LockTupleExclusive : LockTupleNoKeyExclusive))
		return NULL;
	return s->found[t];
}

/*
 * Update the row omni_write_find last found in table t: columns atts get
 * values (nulls), the others keep theirs.
 */
void
omni_write_update(OmniWriteStep *s, int t, int n, const AttrNumber *atts,
				  const Datum *values, const bool *nulls)
{
	TupleTableSlot *old = s->found[t];
	TupleTableSlot *row = s->row[t];
	RangeTblEntry *rte = exec_rt_fetch(t + 1, s->estate);
	int			natts = old->tts_tupleDescriptor->natts;

	Assert(s->begun && !TTS_EMPTY(old));
	slot_getallattrs(old);
	ExecClearTuple(row);
	memcpy(row->tts_values, old->tts_values, natts * sizeof(Datum));
	memcpy(row->tts_isnull, old->tts_isnull, natts * sizeof(bool));
	for (int i = 0; i < n; i++)
	{
		row->tts_values[atts[i] - 1] = values[i];
		row->tts_isnull[atts[i] - 1] = nulls != NULL && nulls[i];
		/* what "UPDATE ... SET" names: triggers on UPDATE OF these columns fire */
		rte->updatedCols = bms_add_member(rte->updatedCols,
										  atts[i] - FirstLowInvalidHeapAttributeNumber);
	}
	ExecStoreVirtualTuple(row);
	ExecSimpleRelationUpdate(s->rri[t], s->estate, &s->epq, old, row);
	ExecClearTuple(old);
}

/* Delete the row omni_write_find last found (for_delete) in table t. */
void
omni_write_delete(OmniWriteStep *s, int t)
{
	Assert(s->begun && !TTS_EMPTY(s->found[t]));
	ExecSimpleRelationDelete(s->rri[t], s->estate, &s->epq, s->found[t]);
	ExecClearTuple(s->found[t]);
}

/*
 * Insert into table t a row whose columns atts[i] are values[i] (nulls[i]),
 * every other column NULL: no default is computed here, so the writer has
 * checked with omni_write_columns that the table has no column it does not
 * give.
 */
void
omni_write_insert(OmniWriteStep *s, int t, int n, const AttrNumber *atts,
				  const Datum *values, const bool *nulls)
{
	TupleTableSlot *row = s->row[t];
	int			natts = row->tts_tupleDescriptor->natts;

	Assert(s->begun);
	ExecClearTuple(row);
	for (int c = 0; c < natts; c++)
		row->tts_isnull[c] = true;
	for (int i = 0; i < n; i++)
	{
		row->tts_values[atts[i] - 1] = values[i];
		row->tts_isnull[atts[i] - 1] = nulls[i];
	}
	ExecStoreVirtualTuple(row);
	ExecSimpleRelationInsert(s->rri[t], s->estate, row);
}

/* End the step: its after-row triggers fire, the tables are closed. */
void
omni_write_end(OmniWriteStep *s)
{
	Assert(s->begun);
	AfterTriggerEndQuery(s->estate);
	EvalPlanQualEnd(&s->epq);
	ExecCloseResultRelations(s->estate);
	ExecResetTupleTable(s->estate->es_tupleTable, false);
	FreeExecutorState(s->estate);
	omni_statement_end();
	for (int i = s->ntables - 1; i >= 0; i--)
		omni_probe_close(&s->probe[i]);
	s->begun = false;
}

/*
 * The identity sequences of the tables the writers insert into (they take
 * the next value themselves, as an INSERT's default would), looked up once
 * per backend: a lookup is a scan of pg_depend.  Forgotten at any relcache
 * invalidation of the table.
 */
typedef struct IdentitySequence
{
	Oid			relid;
	AttrNumber	att;
	Oid			sequence;
} IdentitySequence;

static IdentitySequence identities[8];
static int	nidentities = 0;

static void
identities_invalidate(Datum arg, Oid relid)
{
	int			keep = 0;

	for (int i = 0; i < nidentities; i++)
		if (relid != InvalidOid && identities[i].relid != relid)
			identities[keep++] = identities[i];
	nidentities = keep;
}

/* The identity sequence of column att of rel; InvalidOid when it has none. */
Oid
omni_write_identity_sequence(Relation rel, AttrNumber att)
{
	Oid			relid = RelationGetRelid(rel);
	Oid			sequence;

	omni_on_relcache_change(identities_invalidate, (Datum) 0);
	for (int i = 0; i < nidentities; i++)
		if (identities[i].relid == relid && identities[i].att == att)
			return identities[i].sequence;
	sequence = getIdentitySequence(relid, att, true);
	if (nidentities < lengthof(identities))
	{
		identities[nidentities].relid = relid;
		identities[nidentities].att = att;
		identities[nidentities].sequence = sequence;
		nidentities++;
	}
	return sequence;
}

/*
 * The statement a writer runs instead of its direct path, prepared on first
 * use and kept for the backend (*plan caches it; the plan cache replans it
 * when the tables change).  The caller is connected to SPI.
 */
SPIPlanPtr
omni_write_statement(SPIPlanPtr *plan, const char *sql, int nargs, const Oid *types)
{
	if (*plan == NULL)
	{
		SPIPlanPtr	p = SPI_prepare(sql, nargs, (Oid *) types);

		if (p == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		SPI_keepplan(p);
		*plan = p;
	}
	return *plan;
}

/*
 * The attribute numbers of columns[0..n-1] of table t into atts.  False
 * when the table has other columns (a DBA added one): their defaults would
 * have to be computed, so the writer inserts through its statement.
 */
bool
omni_write_columns(OmniWriteStep *s, int t, const char *const *columns, int n, AttrNumber *atts)
{
	TupleDesc	desc = RelationGetDescr(s->probe[t].rel);
	int			live = 0;

	for (int i = 0; i < n; i++)
		atts[i] = omni_probe_att(&s->probe[t], columns[i]);
	for (int i = 0; i < desc->natts; i++)
		if (!TupleDescAttr(desc, i)->attisdropped)
			live++;
	return live == n;
}
