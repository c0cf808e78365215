/*-------------------------------------------------------------------------
 *
 * row_write.h
 *	  Single-row writes of the extension's tables without a statement
 *	  (row_write.c), and the tuple lock they share with row_lock.c.
 *
 *-------------------------------------------------------------------------
 */
#ifndef OMNI_ROW_WRITE_H
#define OMNI_ROW_WRITE_H

#include "executor/execdesc.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "nodes/execnodes.h"
#include "nodes/parsenodes.h"

#include "omnichannel.h"

/* the most tables one step writes */
#define OMNI_WRITE_TABLES 5

typedef struct OmniWriteStep
{
	bool		begun;
	int			ntables;
	OmniProbe	probe[OMNI_WRITE_TABLES];
	EState	   *estate;
	EPQState	epq;
	ResultRelInfo *rri[OMNI_WRITE_TABLES];
	TupleTableSlot *found[OMNI_WRITE_TABLES];	/* the row to update or delete */
	TupleTableSlot *row[OMNI_WRITE_TABLES];	/* the row written */
} OmniWriteStep;

extern void omni_statement_begin(void);
extern void omni_statement_end(void);
extern bool omni_write_begin(OmniWriteStep *s, int n, const char *const *tables,
							 const char *const *indexes, const AclMode *modes);
extern TupleTableSlot *omni_write_find(OmniWriteStep *s, int t, int nkeys, const AttrNumber *atts,
									   const Datum *values, bool for_delete);
extern void omni_write_update(OmniWriteStep *s, int t, int n, const AttrNumber *atts,
							  const Datum *values, const bool *nulls);
extern void omni_write_delete(OmniWriteStep *s, int t);
extern void omni_write_insert(OmniWriteStep *s, int t, int n, const AttrNumber *atts,
							  const Datum *values, const bool *nulls);
extern void omni_write_end(OmniWriteStep *s);
extern bool omni_write_columns(OmniWriteStep *s, int t, const char *const *columns, int n,
							   AttrNumber *atts);
extern Oid	omni_write_identity_sequence(Relation rel, AttrNumber att);
extern SPIPlanPtr omni_write_statement(SPIPlanPtr *plan, const char *sql, int nargs, const Oid *types);

/* row_lock.c: lock a row found by a probe, following it to its latest version */
extern bool omni_lock_tuple(Relation rel, ItemPointer tid, Snapshot snapshot, TupleTableSlot *slot,
							LockTupleMode mode);

#endif							/* OMNI_ROW_WRITE_H */
