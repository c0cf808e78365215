/*-------------------------------------------------------------------------
 *
 * classify.c
 *	  Classification and route-to-queue of a conversation's context
 *	  (omni._classify): every matching classify rule of the workstream sets
 *	  the priority and adds required skills; the first matching route rule
 *	  picks the queue, else the workstream's default queue.
 *
 * Every enqueue (and escalation) classifies.  In PL/pgSQL that was two
 * statements, a loop and an aggregate per matching rule; here it is two
 * index probes of the rules' primary keys (workstream, position), read in
 * position order, and one jsonb_path_match per rule until the first route
 * rule matches.  A condition that is not a single boolean for this context
 * (a missing key, a non-boolean result) does not match, as jsonb_path_match
 * with silent => true says.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "omnichannel.h"

#define CLASSIFY_DEFAULT_PRIORITY 100

/* A required skill and its minimum proficiency, merged over the matching rules. */
typedef struct SkillNeed
{
	char	   *skill;
	int			min_level;
} SkillNeed;

/* jsonb_path_match(ctx, condition, '{}', silent => true): NULL counts as false. */
static bool
condition_matches(Jsonb *ctx, Datum condition, Datum no_vars)
{
	LOCAL_FCINFO(fcinfo, 4);
	Datum		result;

	InitFunctionCallInfoData(*fcinfo, NULL, 4, InvalidOid, NULL, NULL);
	fcinfo->args[0].value = JsonbPGetDatum(ctx);
	fcinfo->args[0].isnull = false;
	fcinfo->args[1].value = condition;
	fcinfo->args[1].isnull = false;
	fcinfo->args[2].value = no_vars;
	fcinfo->args[2].isnull = false;
	fcinfo->args[3].value = BoolGetDatum(true);
	fcinfo->args[3].isnull = false;
	result = jsonb_path_match(fcinfo);
	return !fcinfo->isnull && DatumGetBool(result);
}

/*
 * Add the skills of one rule's required_skills ({"skill": level 1..10}, as
 * its CHECK says) to needs, keeping the highest level of each skill.
 */
static void
add_skill_needs(Jsonb *required, SkillNeed **needs, int *nneeds, int *capacity)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	char	   *key = NULL;

	if (!JB_ROOT_IS_OBJECT(required))
		return;
	it = JsonbIteratorInit(&required->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		int			level;
		int			i;

		if (tok == WJB_KEY)
		{
			key = pnstrdup(v.val.string.val, v.val.string.len);
			continue;
		}
		if (tok != WJB_VALUE || key == NULL)
			continue;
		if (v.type != jbvNumeric)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("required skill \"%s\" of a classify rule is not a number", key),
					 errhint("Required skills are {\"skill\": minimum proficiency 1..10}.")));
		/* as numeric::integer: rounded */
		level = DatumGetInt32(DirectFunctionCall1(numeric_int4, NumericGetDatum(v.val.numeric)));
		for (i = 0; i < *nneeds && strcmp((*needs)[i].skill, key) != 0; i++)
			;
		if (i < *nneeds)
			(*needs)[i].min_level = Max((*needs)[i].min_level, level);
		else
		{
			if (*nneeds == *capacity)
			{
				*capacity *= 2;
				*needs = repalloc(*needs, sizeof(SkillNeed) * *capacity);
			}
			(*needs)[*nneeds].skill = key;
			(*needs)[*nneeds].min_level = level;
			(*nneeds)++;
		}
		key = NULL;
	}
}

static Jsonb *
skill_needs_jsonb(SkillNeed *needs, int nneeds)
{
	JsonbParseState *st = NULL;
	JsonbValue *result;

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	for (int i = 0; i < nneeds; i++)
	{
		omni_jb_string(&st, WJB_KEY, needs[i].skill);
		omni_jb_int(&st, WJB_VALUE, needs[i].min_level);
	}
	/* the end of the object sorts its keys as jsonb stores them */
	result = pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(result);
}

PG_FUNCTION_INFO_V1(omni_classify);

/*
 * omni._classify(ws omni.workstream, ctx jsonb, OUT priority integer,
 *                OUT required_skills jsonb, OUT queue text)
 */
Datum
omni_classify(PG_FUNCTION_ARGS)
{
	HeapTupleHeader ws;
	Jsonb	   *ctx;
	Datum		name;
	Datum		default_queue;
	bool		isnull;
	bool		default_queue_null;
	Datum		no_vars = DirectFunctionCall1(jsonb_in, CStringGetDatum("{}"));
	int			priority = CLASSIFY_DEFAULT_PRIORITY;
	int			capacity = 4;
	int			nneeds = 0;
	SkillNeed  *needs = palloc(sizeof(SkillNeed) * capacity);
	Datum		queue = (Datum) 0;
	bool		queue_null = true;
	OmniProbe	p;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	TupleDesc	result_desc;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("cannot classify without a workstream and a context")));
	ws = PG_GETARG_HEAPTUPLEHEADER(0);
	ctx = PG_GETARG_JSONB_P(1);
	name = GetAttributeByName(ws, "name", &isnull);
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("cannot classify without a workstream and a context")));
	default_queue = GetAttributeByName(ws, "default_queue", &default_queue_null);

	/* every matching classify rule, in position order */
	omni_probe_open(&p, "classify_rule", NULL);	/* (workstream, position) */
	{
		AttrNumber	condition = omni_probe_att(&p, "condition");
		AttrNumber	rule_priority = omni_probe_att(&p, "priority");
		AttrNumber	required = omni_probe_att(&p, "required_skills");

		scan = omni_probe_begin(&p, omni_probe_att(&p, "workstream"), name, &key);
		while (HeapTupleIsValid(tup = systable_getnext(scan)))
		{
			Datum		value = omni_probe_get(&p, tup, condition, &isnull);

			if (isnull || !condition_matches(ctx, value, no_vars))
				continue;
			value = omni_probe_get(&p, tup, rule_priority, &isnull);
			if (!isnull)
				priority = DatumGetInt32(value);
			value = omni_probe_get(&p, tup, required, &isnull);
			if (!isnull)
				add_skill_needs(DatumGetJsonbP(value), &needs, &nneeds, &capacity);
		}
		systable_endscan(scan);
	}
	omni_probe_close(&p);

	/* the first matching route rule picks the queue */
	omni_probe_open(&p, "route_rule", NULL);	/* (workstream, position) */
	{
		AttrNumber	condition = omni_probe_att(&p, "condition");
		AttrNumber	rule_queue = omni_probe_att(&p, "queue");

		scan = omni_probe_begin(&p, omni_probe_att(&p, "workstream"), name, &key);
		while (queue_null && HeapTupleIsValid(tup = systable_getnext(scan)))
		{
			Datum		value = omni_probe_get(&p, tup, condition, &isnull);

			if (isnull || !condition_matches(ctx, value, no_vars))
				continue;
			value = omni_probe_get(&p, tup, rule_queue, &queue_null);
			/* the tuple goes with the scan: keep a copy */
			if (!queue_null)
				queue = PointerGetDatum(DatumGetTextPCopy(value));
		}
		systable_endscan(scan);
	}
	omni_probe_close(&p);
	if (queue_null)
	{
		queue = default_queue;
		queue_null = default_queue_null;
	}

	if (get_call_result_type(fcinfo, NULL, &result_desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "omni._classify must return a record");
	result_desc = BlessTupleDesc(result_desc);
	values[0] = Int32GetDatum(priority);
	values[1] = JsonbPGetDatum(skill_needs_jsonb(needs, nneeds));
	values[2] = queue;
	nulls[2] = queue_null;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(result_desc, values, nulls)));
}
