/*-------------------------------------------------------------------------
 *
 * jsonb_push.c
 *	  Jsonb values pushed straight into a JsonbParseState, for the C code
 *	  that builds jsonb (the router's decision log, agent notifications):
 *	  never printed as text and parsed again (a cold burst of offers spent
 *	  a quarter of its time in jsonb_in).  tok is WJB_KEY, WJB_VALUE or
 *	  WJB_ELEM.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "omnichannel.h"

void
omni_jb_string(JsonbParseState **st, JsonbIteratorToken tok, const char *s)
{
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.len = strlen(s);
	v.val.string.val = (char *) s;
	pushJsonbValue(st, tok, &v);
}

void
omni_jb_int(JsonbParseState **st, JsonbIteratorToken tok, int64 x)
{
	JsonbValue	v;

	v.type = jbvNumeric;
	v.val.numeric = int64_to_numeric(x);
	pushJsonbValue(st, tok, &v);
}

void
omni_jb_null(JsonbParseState **st, JsonbIteratorToken tok)
{
	JsonbValue	v;

	v.type = jbvNull;
	pushJsonbValue(st, tok, &v);
}
