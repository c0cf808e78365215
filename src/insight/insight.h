/*-------------------------------------------------------------------------
 *
 * insight.h
 *	  Conversation intelligence (SPEC §8, docs/conversation-intelligence.md):
 *	  the per-call figures computed once when a transcript is loaded
 *	  (metrics.c) and the matching of tracked terms and action phrases
 *	  (terms.c).  Both read text through the sentiment engine's tokenizer
 *	  and stemmer (src/sentiment/), so a word is the same thing for
 *	  sentiment, words per minute and mentions.
 *
 *-------------------------------------------------------------------------
 */
#ifndef OMNI_INSIGHT_H
#define OMNI_INSIGHT_H

#include "postgres.h"

#include "sentiment/sent_internal.h"

/* Gaps longer than this (ms) in which nobody speaks count as silence. */
#define INSIGHT_SILENCE_MS	3000

/*
 * The tokenizer state shared by the insight functions: the ICU engine and a
 * lexicon holding only what tokenizing and stemming need (affixes and stop
 * words, which also fix each language's script and so its minimum stem).
 * Rebuilt when omni.lexicon_rule changes (relcache callback).
 */
typedef struct InsightText
{
	SentEngine *eng;
	SentLexicon *lex;
} InsightText;

extern InsightText *insight_text(void);

/* Language index of a code in the insight lexicon; -1 when unknown. */
extern int	insight_lang(InsightText *it, const char *code);

/*
 * Tokenize UTF-8 text into word tokens (TT_WORD only) allocated in arena.
 * Returns the number of words; *toks points at them.
 */
extern int	insight_words(InsightText *it, const char *s, size_t len,
						  SentArena *arena, SentTok **toks);

/* Accent-folded copy of UTF-8 s (s itself when ASCII). */
extern char *insight_unaccent(const char *s, int len, int *outlen);

/* palloc-based allocator for the portable engine (current context). */
extern const SentAlloc *insight_alloc(void);

#endif							/* OMNI_INSIGHT_H */
