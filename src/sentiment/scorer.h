/*-------------------------------------------------------------------------
 *
 * scorer.h
 *	  The rule scorer's state, shared by scorer.c (lexicon and rules, the
 *	  pipeline of a message), detect.c (language detection) and
 *	  profanity.c (profanity, also obfuscated).  Internal to those files.
 *
 *-------------------------------------------------------------------------
 */
#ifndef OMNI_SENT_SCORER_H
#define OMNI_SENT_SCORER_H

#include "sent_internal.h"

#define NEG_SCALAR		(-0.74f)
#define CAPS_INCR		0.733f
#define STRETCH_INCR	0.3f
#define NEG_SCOPE		3
#define INT_SCOPE		2
#define NORM_ALPHA		15.0

typedef struct Item
{
	int			word;			/* word index of the item */
	int			clause;
	float		base;
	float		val;
	uint32_t	rules;
	const char *term;
	const char *modifier;
	int			lang;
	int			severity;
	bool		admin;			/* the term's value came from an admin row */
} Item;

typedef struct ScoreCtx
{
	const SentLexicon *lex;
	SentTokens *toks;
	SentArena  *arena;
	SentResult *res;
	int			cand[SENT_MAX_LANGS];
	int			ncand;
	Item	   *items;
	int			nitems;
	int			maxitems;
	/* profanity */
	int			severity;
	/* negation state */
	int			neg_left;
	int			neg_word;
	bool		neg_applied;
	bool		neg_postable;
	int			neg_clause;
	const char *neg_term;
	/* intensifier state */
	int			int_left;
	float		int_w;
	const char *int_term;
	int			clause;
	int			contrast_at;
	int			lang;			/* lexicon index of res->language, -1: look up */
} ScoreCtx;

static inline float
signf(float v)
{
	return v > 0 ? 1.0f : v < 0 ? -1.0f : 0.0f;
}

/* scorer.c */
extern Item *sent_add_item(ScoreCtx *c);

/* detect.c: the message's language and candidate lexicons */
extern void sent_detect(ScoreCtx *c, const char *hint);

/* profanity.c */
extern const SentInfo *sent_any_profanity(const SentEntry *e, int min_severity);
extern void sent_record_profanity(ScoreCtx *c, const SentInfo *info, int word,
								  uint32_t rules);
extern void sent_scan_obfuscations(ScoreCtx *c);

#endif							/* OMNI_SENT_SCORER_H */
