/*-------------------------------------------------------------------------
 *
 * conv_lock.c
 *	  The conversations a routing cycle offers: found through the partial
 *	  index of open conversations, locked, and read again under a fresh
 *	  snapshot, without statements.
 *
 * Every cycle asked two statements for them (a DISTINCT over the open
 * conversations, a LATERAL scan per queue with FOR NO KEY UPDATE SKIP
 * LOCKED, then a re-read with the skills unpacked by jsonb_each_text):
 * a quarter of the router's time at 800 conversations/s, most of it
 * starting and ending their executors.  Here one ordered scan of
 * conversation_route_idx (queue, priority, queued_at, id WHERE state =
 * 'open') visits every open conversation once, whatever the statistics.
 *
 * The same rules as the statements: a conversation is a candidate when its
 * queue is configured, its workstream pushes, some member of its queue is
 * logged in, and it has no pending offer; at most omnichannel.route_batch_size
 * per queue, in queue order; a row another transaction holds is skipped
 * (SKIP LOCKED).  Once locked, each is read again under a new snapshot (an
 * offer committed between the scan's snapshot and the lock would otherwise
 * be missed) and dropped unless still open, unoffered, in its queue.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"

#include "omnichannel.h"
#include "row_write.h"
#include "routing/routing.h"

/* The conversation columns a cycle reads. */
typedef struct ConvColumns
{
	AttrNumber	id,
				queue,
				workstream,
				channel,
				state,
				priority,
				queued_at,
				required_skills,
				context;
	Oid			open;			/* the enum value 'open' of state's type */
} ConvColumns;

/* A locked candidate, with what its order needs. */
typedef struct Candidate
{
	ItemPointerData tid;
	int64		id;
	int			queue;
	int			ws;
	int32		priority;
	TimestampTz queued_at;
	int			read;			/* its RConv, once read again */
} Candidate;

/* Whether some member of queue q is logged in (-1: not asked yet). */
static bool
queue_has_logged_in_member(const char *queue)
{
	OmniProbe	member,
				state;
	ScanKeyData key,
				skey;
	SysScanDesc scan;
	HeapTuple	m;
	bool		found = false;
	AttrNumber	member_agent,
				state_agent,
				state_logged_in;

	omni_probe_open(&member, "queue_member", NULL);	/* (queue, agent_id) */
	omni_probe_open(&state, "agent_state", NULL);
	member_agent = omni_probe_att(&member, "agent_id");
	state_agent = omni_probe_att(&state, "agent_id");
	state_logged_in = omni_probe_att(&state, "logged_in");
	scan = omni_probe_begin(&member, omni_probe_att(&member, "queue"), CStringGetTextDatum(queue), &key);
	while (!found && HeapTupleIsValid(m = systable_getnext(scan)))
	{
		bool		isnull;
		Datum		agent = omni_probe_get(&member, m, member_agent, &isnull);
		SysScanDesc sscan = omni_probe_begin(&state, state_agent, agent, &skey);
		HeapTuple	s = systable_getnext(sscan);

		if (HeapTupleIsValid(s))
		{
			Datum		in = omni_probe_get(&state, s, state_logged_in, &isnull);

			found = !isnull && DatumGetBool(in);
		}
		systable_endscan(sscan);
	}
	systable_endscan(scan);
	omni_probe_close(&state);
	omni_probe_close(&member);
	return found;
}

/*
 * Whether conversation row tuple can be offered by this cycle: open, in a
 * configured queue, on a push workstream (their indexes into *queue, *ws).
 */
static bool
routable(RCycle *rc, TupleDesc desc, HeapTuple tuple, const ConvColumns *col, int *queue, int *ws)
{
	bool		isnull;
	Datum		d;

	d = heap_getattr(tuple, col->state, desc, &isnull);
	if (isnull || DatumGetObjectId(d) != col->open)
		return false;
	d = heap_getattr(tuple, col->queue, desc, &isnull);
	if (isnull || (*queue = rt_find_queue(rc, TextDatumGetCString(d))) < 0)
		return false;
	d = heap_getattr(tuple, col->workstream, desc, &isnull);
	if (isnull || (*ws = rt_find_ws(rc, TextDatumGetCString(d))) < 0)
		return false;
	return true;
}

static int
candidate_order(const void *x, const void *y, void *arg)
{
	const Candidate *a = x;
	const Candidate *b = y;
	RCycle	   *rc = arg;
	int			pa = rc->queues[a->queue].priority;
	int			pb = rc->queues[b->queue].priority;

	if (pa != pb)
		return pa < pb ? -1 : 1;
	if (a->priority != b->priority)
		return a->priority < b->priority ? -1 : 1;
	if (a->queued_at != b->queued_at)
		return a->queued_at < b->queued_at ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* The required skills of c, keys in byte order (COLLATE "C"), levels as integers. */
static void
read_required_skills(RCycle *rc, RConv *c, Jsonb *skills)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	int			n = JB_ROOT_IS_OBJECT(skills) ? JB_ROOT_COUNT(skills) : 0;
	char	  **names = palloc(sizeof(char *) * Max(n, 1));
	int		   *levels = palloc(sizeof(int) * Max(n, 1));
	int			k = 0;

	c->nreq = 0;
	if (n == 0)
		return;
	it = JsonbIteratorInit(&skills->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		char	   *text;

		if (tok == WJB_KEY)
		{
			names[k] = pnstrdup(v.val.string.val, v.val.string.len);
			continue;
		}
		if (tok != WJB_VALUE || k >= n)
			continue;
		/* what v::numeric::integer did with jsonb_each_text's text of the value */
		if (v.type == jbvString)
			text = pnstrdup(v.val.string.val, v.val.string.len);
		else if (v.type == jbvNumeric)
			text = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v.val.numeric)));
		else if (v.type == jbvBool)
			text = v.val.boolean ? "true" : "false";
		else if (v.type == jbvNull)
			text = NULL;		/* a NULL level, which the statement's array gave as 0 */
		else
			text = JsonbToCString(NULL, v.val.binary.data, v.val.binary.len);
		levels[k] = text == NULL ? 0 :
			DatumGetInt32(DirectFunctionCall1(numeric_int4,
											  DirectFunctionCall3(numeric_in, CStringGetDatum(text),
																  ObjectIdGetDatum(InvalidOid),
																  Int32GetDatum(-1))));
		k++;
	}
	/* jsonb keys are sorted by length first: sort them by bytes */
	for (int i = 1; i < k; i++)
		for (int j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--)
		{
			char	   *tn = names[j];
			int			tl = levels[j];

			names[j] = names[j - 1];
			levels[j] = levels[j - 1];
			names[j - 1] = tn;
			levels[j - 1] = tl;
		}
	c->nreq = k;
	c->req_skill = palloc(sizeof(int) * Max(k, 1));
	c->req_level = palloc(sizeof(int) * Max(k, 1));
	for (int i = 0; i < k; i++)
	{
		c->req_skill[i] = rt_find_skill(rc, names[i]);
		c->req_level[i] = levels[i];
	}
}

/* {"conversation": {id, priority, required_skills, context, queue, workstream, channel}} */
static Jsonb *
conversation_document(TupleTableSlot *slot, const ConvColumns *col)
{
	JsonbParseState *st = NULL;
	JsonbValue	v;
	bool		isnull;
	static const struct
	{
		const char *key;
		int			kind;		/* 0 bigint, 1 integer, 2 jsonb, 3 text */
	}			fields[] = {
		{"id", 0}, {"priority", 1}, {"required_skills", 2}, {"context", 2},
		{"queue", 3}, {"workstream", 3}, {"channel", 3}
	};
	AttrNumber	atts[7] = {col->id, col->priority, col->required_skills, col->context,
	col->queue, col->workstream, col->channel};

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	omni_jb_string(&st, WJB_KEY, "conversation");
	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	for (int i = 0; i < lengthof(fields); i++)
	{
		Datum		d = slot_getattr(slot, atts[i], &isnull);

		omni_jb_string(&st, WJB_KEY, fields[i].key);
		if (isnull)
		{
			omni_jb_null(&st, WJB_VALUE);
			continue;
		}
		switch (fields[i].kind)
		{
			case 0:
				omni_jb_int(&st, WJB_VALUE, DatumGetInt64(d));
				break;
			case 1:
				omni_jb_int(&st, WJB_VALUE, DatumGetInt32(d));
				break;
			case 2:
				{
					Jsonb	   *j = DatumGetJsonbP(d);

					v.type = jbvBinary;
					v.val.binary.data = &j->root;
					v.val.binary.len = VARSIZE(j) - VARHDRSZ;
					pushJsonbValue(&st, WJB_VALUE, &v);
					break;
				}
			default:
				omni_jb_string(&st, WJB_VALUE, TextDatumGetCString(d));
		}
	}
	pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(pushJsonbValue(&st, WJB_END_OBJECT, NULL));
}

/*
 * rt_lock_conversations: the cycle's conversations into rc->convs, locked,
 * in offering order (queue priority, priority, queue time, id).  A row
 * another transaction holds is passed over, as SKIP LOCKED does (its
 * holder wakes the router if it leaves work).  *skipped when a locked
 * candidate turned out to be taken meanwhile (offered, or changed): the
 * router comes back at once, as it did when the re-read found fewer rows.
 * Returns whether there is any.
 */
bool
rt_lock_conversations(RCycle *rc, bool *skipped)
{
	OmniProbe	p;
	ConvColumns col;
	SysScanDesc scan;
	HeapTuple	tuple;
	TupleTableSlot *slot;
	Candidate  *cand;
	int			ncand = 0,
				maxcand = 64;
	int8	   *queue_state;	/* 0 unknown, 1 has a logged-in member, -1 not */
	int		   *taken;
	MemoryContext old = MemoryContextSwitchTo(rc->cxt);
	Snapshot	snapshot = GetActiveSnapshot();
	TupleDesc	desc;

	omni_probe_open(&p, "conversation", "conversation_route_idx");
	desc = RelationGetDescr(p.rel);
	/* the lock FOR NO KEY UPDATE takes on the table, to the end */
	LockRelationOid(RelationGetRelid(p.rel), RowShareLock);
	col.id = omni_probe_att(&p, "id");
	col.queue = omni_probe_att(&p, "queue");
	col.workstream = omni_probe_att(&p, "workstream");
	col.channel = omni_probe_att(&p, "channel");
	col.state = omni_probe_att(&p, "state");
	col.priority = omni_probe_att(&p, "priority");
	col.queued_at = omni_probe_att(&p, "queued_at");
	col.required_skills = omni_probe_att(&p, "required_skills");
	col.context = omni_probe_att(&p, "context");
	col.open = DatumGetObjectId(DirectFunctionCall2(enum_in, CStringGetDatum("open"),
													ObjectIdGetDatum(TupleDescAttr(desc, col.state - 1)->atttypid)));

	cand = palloc(sizeof(Candidate) * maxcand);
	queue_state = palloc0(sizeof(int8) * Max(rc->nqueues, 1));
	taken = palloc0(sizeof(int) * Max(rc->nqueues, 1));
	slot = table_slot_create(p.rel, NULL);

	/* every open conversation once, in (queue, priority, queued_at, id) order */
	scan = systable_beginscan(p.rel, p.index, true, snapshot, 0, NULL);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		bool		isnull;
		int			q,
					ws;
		int64		id;
		ItemPointerData tid = tuple->t_self;
		TM_FailureData tmfd;
		TM_Result	result;

		CHECK_FOR_INTERRUPTS();
		if (!routable(rc, desc, tuple, &col, &q, &ws))
			continue;
		if (taken[q] >= omni_route_batch_size)
			continue;
		if (queue_state[q] == 0)
			queue_state[q] = queue_has_logged_in_member(rc->queues[q].name) ? 1 : -1;
		if (queue_state[q] < 0)
			continue;
		id = DatumGetInt64(heap_getattr(tuple, col.id, desc, &isnull));
		if (rt_pending_offer_exists(id))
			continue;
		result = table_tuple_lock(p.rel, &tid, snapshot, slot, GetCurrentCommandId(true),
								  LockTupleNoKeyExclusive, LockWaitSkip,
								  TUPLE_LOCK_FLAG_FIND_LAST_VERSION, &tmfd);
		/* held by another transaction (SKIP LOCKED), or deleted: passed over */
		if (result != TM_Ok)
			continue;
		/* the version locked may be newer than the one scanned */
		if (!routable(rc, desc, ExecFetchSlotHeapTuple(slot, false, NULL), &col, &q, &ws))
			continue;
		if (ncand == maxcand)
		{
			maxcand *= 2;
			cand = repalloc(cand, sizeof(Candidate) * maxcand);
		}
		cand[ncand].tid = slot->tts_tid;
		cand[ncand].id = id;
		cand[ncand].queue = q;
		cand[ncand].ws = ws;
		ncand++;
		taken[q]++;
	}
	systable_endscan(scan);

	/*
	 * Read them again as they are now (locked: no one else changes them),
	 * under a new snapshot that sees any offer committed before our locks.
	 */
	rc->convs = palloc0(sizeof(RConv) * Max(ncand, 1));
	rc->nconvs = 0;
	if (ncand > 0)
	{
		RConv	   *read = palloc0(sizeof(RConv) * ncand);
		int			kept = 0;

		omni_statement_begin();
		for (int i = 0; i < ncand; i++)
		{
			Candidate  *k = &cand[i];
			RConv	   *c = &read[kept];
			HeapTuple	row;
			bool		isnull;
			Datum		d;

			if (!table_tuple_fetch_row_version(p.rel, &k->tid, GetActiveSnapshot(), slot) ||
				!routable(rc, desc, row = ExecFetchSlotHeapTuple(slot, false, NULL), &col, &k->queue, &k->ws) ||
				rt_pending_offer_exists(k->id))
			{
				*skipped = true;
				continue;
			}
			k->priority = DatumGetInt32(heap_getattr(row, col.priority, desc, &isnull));
			k->queued_at = DatumGetTimestampTz(heap_getattr(row, col.queued_at, desc, &isnull));
			c->id = k->id;
			c->queue = k->queue;
			c->ws = k->ws;
			c->channel = TextDatumGetCString(heap_getattr(row, col.channel, desc, &isnull));
			d = heap_getattr(row, col.required_skills, desc, &isnull);
			if (!isnull)
				read_required_skills(rc, c, DatumGetJsonbP(d));
			c->vars = rc->any_custom ? conversation_document(slot, &col) : NULL;
			/* the candidate keeps its RConv's place through the sort */
			k->read = kept;
			cand[kept] = *k;
			kept++;
		}
		omni_statement_end();
		ncand = kept;
		qsort_arg(cand, ncand, sizeof(Candidate), candidate_order, rc);
		for (int i = 0; i < ncand; i++)
			rc->convs[rc->nconvs++] = read[cand[i].read];
	}
	ExecDropSingleTupleTableSlot(slot);
	omni_probe_close(&p);
	MemoryContextSwitchTo(old);
	return rc->nconvs > 0;
}
