/*-------------------------------------------------------------------------
 *
 * wordbreak_check.h
 *	  The proof that the hand-written word breaker (src/sentiment/
 *	  wordbreak.c) gives exactly ICU's tokens: wb_same_tokens() tokenizes a
 *	  text twice, with the table breaker and with ICU's break iterator
 *	  only (SentEngine.icu_only), and compares the two token streams field
 *	  by field (text, cut forms, type, flags, script, characters) and the
 *	  per-message counts (scripts, capitals, language hints, truncation).
 *	  Used by the libFuzzer harness (every input) and by
 *	  wordbreak_check.c (the development and out-of-domain sets and
 *	  generated messages).
 *
 *-------------------------------------------------------------------------
 */
#ifndef WORDBREAK_CHECK_H
#define WORDBREAK_CHECK_H

#include <stdio.h>
#include <string.h>

#include "sent_internal.h"

static bool
wb_same_str(const char *a, const char *b)
{
	return (a == NULL) == (b == NULL) && (a == NULL || strcmp(a, b) == 0);
}

static void
wb_dump(const char *what, const SentTokens *t)
{
	int			i;

	fprintf(stderr, "%s (%d tokens):", what, t->ntok);
	for (i = 0; i < t->ntok; i++)
		fprintf(stderr, " [%.*s|%d|%x|%d|%d]", (int) t->tok[i].len, t->tok[i].s,
				t->tok[i].type, t->tok[i].flags, t->tok[i].script, t->tok[i].nchars);
	fprintf(stderr, "\n");
}

/* true when both breakers give the same tokens; else prints both */
static bool
wb_same_tokens(SentEngine *eng, const SentLexicon *lex, const SentAlloc *alloc,
			   const char *text, size_t len)
{
	SentArena  *arena = sent_arena_new(alloc, 16 * 1024);
	SentTokens	a,
				b;
	bool		same;
	int			i;

	eng->icu_only = false;
	sent_tokenize(eng, lex, text, len, arena, &a);
	eng->icu_only = true;
	sent_tokenize(eng, lex, text, len, arena, &b);
	eng->icu_only = false;
	same = a.ntok == b.ntok && a.ncaps == b.ncaps && a.nlower == b.nlower &&
		a.truncated == b.truncated &&
		memcmp(a.script_count, b.script_count, sizeof(a.script_count)) == 0 &&
		memcmp(a.hint, b.hint, sizeof(a.hint)) == 0;
	for (i = 0; same && i < a.ntok; i++)
	{
		const SentTok *x = &a.tok[i],
				   *y = &b.tok[i];

		same = x->len == y->len && memcmp(x->s, y->s, x->len) == 0 &&
			wb_same_str(x->alt1, y->alt1) && wb_same_str(x->alt2, y->alt2) &&
			x->type == y->type && x->flags == y->flags &&
			x->script == y->script && x->nchars == y->nchars;
	}
	if (!same)
	{
		fprintf(stderr, "word breakers differ on: %.*s\n", (int) (len > 300 ? 300 : len), text);
		wb_dump("table", &a);
		wb_dump("icu  ", &b);
	}
	sent_arena_free(arena);
	return same;
}

#endif							/* WORDBREAK_CHECK_H */
