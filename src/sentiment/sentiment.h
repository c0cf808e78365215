/*-------------------------------------------------------------------------
 *
 * sentiment.h
 *	  The portable sentiment engine: lexicon (hash table), tokenizer and
 *	  scorer.  Nothing here depends on the PostgreSQL server, so the same
 *	  code runs inside the backend (sentiment_sql.c supplies palloc-based
 *	  allocators and loads the lexicon tables) and in the standalone tools
 *	  of test/fuzz (libFuzzer harness, offline evaluation).
 *
 * Memory: every allocation goes through a SentAlloc the caller provides.
 * A lexicon lives as long as the allocator behind it; a scoring call uses
 * a scratch arena that it releases before returning.
 *
 *-------------------------------------------------------------------------
 */
#ifndef OMNI_SENTIMENT_H
#define OMNI_SENTIMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Allocator: alloc never returns NULL (it must abort or longjmp instead). */
typedef struct SentAlloc
{
	void	   *(*alloc) (void *arg, size_t size);
	void		(*release) (void *arg, void *ptr);
	void	   *arg;
} SentAlloc;

#define SENT_MAX_LANGS		48
#define SENT_LANG_LEN		12
#define SENT_NLEVELS		7
#define SENT_MAX_HITS		64		/* evidence entries kept per message */
#define SENT_MAX_INPUT		(4 * 1024 * 1024)	/* bytes analysed per message */

/* Levels, same order as the SQL enum omni.sentiment_level. */
typedef enum SentLevel
{
	SENT_VERY_NEGATIVE = 0,
	SENT_NEGATIVE,
	SENT_SLIGHTLY_NEGATIVE,
	SENT_NEUTRAL,
	SENT_SLIGHTLY_POSITIVE,
	SENT_POSITIVE,
	SENT_VERY_POSITIVE
} SentLevel;

extern const char *const sent_level_names[SENT_NLEVELS];

/* Kinds of lexicon rows (the "kind" column of the data files). */
typedef enum SentKind
{
	SK_VALENCE = 0,				/* sentiment word, value in [-4, 4] */
	SK_NEGATOR,					/* flips the next sentiment word(s) */
	SK_NEGATOR_POST,			/* flips the preceding sentiment word */
	SK_INTENSIFIER,				/* value: added to |valence| of next word */
	SK_DIMINISHER,				/* value: subtracted from |valence| */
	SK_CONTRAST,				/* "but": before x0.5, after x1.5 */
	SK_CONTRAST_SUFFIX,			/* Korean -지만: contrast after this word */
	SK_STOPWORD,				/* language-detection evidence only */
	SK_PROFANITY,				/* value: severity 1..3 */
	SK_SUFFIX,					/* inflection stripped when stemming */
	SK_PREFIX,					/* clitic stripped when stemming */
	SK_NKINDS
} SentKind;

extern const char *const sent_kind_names[SK_NKINDS];

/* Rules recorded in the evidence of a hit. */
#define SR_NEGATED		0x0001
#define SR_INTENSIFIED	0x0002
#define SR_DIMINISHED	0x0004
#define SR_CAPS			0x0008
#define SR_STRETCHED	0x0010
#define SR_BEFORE_BUT	0x0020
#define SR_AFTER_BUT	0x0040
#define SR_STEM			0x0080
#define SR_PHRASE		0x0100
#define SR_SYMBOL		0x0200	/* emoji or emoticon */
#define SR_PROFANE		0x0400
#define SR_OBFUSCATED	0x0800

/* What decides the score (omni.sentiment_config 'mode'). */
typedef enum SentMode
{
	SENT_MODE_BOTH = 0,			/* learned layer over the rule scorer (default) */
	SENT_MODE_RULES,			/* lexicon and rules only */
	SENT_MODE_LEARNED			/* hashed n-gram model only */
} SentMode;

extern const char *const sent_mode_names[3];

#define SENT_MAX_FEATS		6		/* learned features kept in the evidence */

/* One learned feature in the evidence: a word (with its character
 * n-grams), a word pair, or the rule scorer's own features. */
typedef struct SentFeat
{
	const char *name;			/* UTF-8, in the result arena */
	const char *kind;			/* "word", "bigram", "rules" */
	float		weight;			/* push towards positive (+) / negative (-) */
} SentFeat;

typedef struct SentLexicon SentLexicon;
typedef struct SentEngine SentEngine;

typedef struct SentHit
{
	const char *term;			/* matched lexicon term (normalized) */
	const char *modifier;		/* negator / intensifier that applied, or NULL */
	int			lang;			/* language index */
	float		base;			/* lexicon valence */
	float		final;			/* after rules */
	uint32_t	rules;			/* SR_* */
	int			severity;		/* profanity severity when SR_PROFANE */
} SentHit;

typedef struct SentResult
{
	double		score;			/* [-1, 1] */
	SentLevel	level;
	char		language[SENT_LANG_LEN];	/* "und" when unknown */
	bool		profane;
	int			severity;		/* highest profanity severity, 0 if none */
	bool		unsure;			/* language not certain: several lexicons */
	bool		truncated;		/* input longer than SENT_MAX_INPUT */
	double		sum;			/* raw valence sum before normalisation */
	int			exclamations;
	int			questions;
	int			nwords;
	const char *contrast;		/* contrast word that split the message */
	int			ncandidates;	/* languages scored with */
	int			candidates[8];
	/* evidence (only filled when asked for) */
	int			nhits;
	int			nhits_total;
	SentHit		hits[SENT_MAX_HITS];	/* only hits[0 .. nhits - 1] are set */
	/* strings the hits point to live in this arena until sent_result_free */
	void	   *arena;			/* (sent_analyze clears from here on) */
	/* learned layer (appended in 0.2.0) */
	SentMode	mode;			/* what decided: RULES when no model applied */
	const char *model;			/* language of the model used ("mul": shared), or NULL */
	bool		admin_override; /* an admin lexicon row matched: rules decided */
	double		rule_score;		/* the rule scorer's score (before profanity caps) */
	double		prob[3];		/* learned negative / neutral / positive */
	int			nfeats;
	SentFeat	feats[SENT_MAX_FEATS];
} SentResult;

/* Lexicon construction */
/* The engine is used to normalize and tokenize terms like messages. */
extern SentLexicon *sent_lexicon_new(const SentAlloc *alloc, SentEngine *eng);
extern void sent_lexicon_free(SentLexicon *lex);

/*
 * Add one row.  Returns NULL on success or a static error message (unknown
 * kind, bad language code, value out of range).  Admin rows override
 * built-in rows of the same language, term and kind whatever the order.
 */
extern const char *sent_lexicon_add(SentLexicon *lex, const char *lang,
									const char *kind, const char *term,
									double value, bool admin);

/* Thresholds: minimum score of each level; th[0] is ignored (-1). */
extern const char *sent_lexicon_set_threshold(SentLexicon *lex,
											  SentLevel level, double min_score);

/*
 * Add a learned model (the binary format of docs/sentiment.md, written by
 * tools/sentiment-train).  lang "mul" is the shared model used for
 * languages without one.  Returns NULL or a static error message.  An admin
 * model replaces the built-in one of its language.
 */
extern const char *sent_lexicon_add_model(SentLexicon *lex, const char *lang,
										  const void *data, size_t len,
										  bool admin);

/* Default mode of sent_analyze (omni.sentiment_config). */
extern void sent_lexicon_set_mode(SentLexicon *lex, SentMode mode);

/* Build the stem index; call once after the last add. */
extern void sent_lexicon_finalize(SentLexicon *lex);

extern int	sent_lexicon_nlangs(const SentLexicon *lex);
extern const char *sent_lexicon_lang(const SentLexicon *lex, int idx);
extern int	sent_lexicon_size(const SentLexicon *lex);

extern SentLevel sent_level_of(const SentLexicon *lex, double score);

/* Engine: ICU objects opened once (per backend) */
extern SentEngine *sent_engine_new(const SentAlloc *alloc, char *errbuf, size_t errlen);
extern void sent_engine_free(SentEngine *eng);

/*
 * Score one message.  lang may be NULL (detect).  When want_evidence is
 * false the hit list is left empty (faster).  Call sent_result_free after
 * reading the result.
 */
extern void sent_analyze(SentEngine *eng, const SentLexicon *lex,
						 const char *text, size_t len, const char *lang,
						 bool want_evidence, bool detect_only,
						 SentResult *res);
extern void sent_result_free(SentEngine *eng, SentResult *res);

#endif							/* OMNI_SENTIMENT_H */
