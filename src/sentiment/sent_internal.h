/*-------------------------------------------------------------------------
 *
 * sent_internal.h
 *	  Structures shared by the portable sentiment engine files (lexicon.c;
 *	  normalize.c, wordbreak.c, tokenizer.c; detect.c, scorer.c,
 *	  profanity.c; model.c): the lexicon hash table, the scratch arena and
 *	  the token stream.  Not part of the engine's public API.
 *
 *-------------------------------------------------------------------------
 */
#ifndef OMNI_SENT_INTERNAL_H
#define OMNI_SENT_INTERNAL_H

#include "sentiment.h"

#include <unicode/ubrk.h>
#include <unicode/unorm2.h>

/* Writing systems the engine tells apart (our own small enum). */
typedef enum SentScript
{
	SS_NONE = 0,
	SS_LATIN,
	SS_ARABIC,
	SS_HANGUL,
	SS_HAN,
	SS_KANA,
	SS_CYRILLIC,
	SS_GREEK,
	SS_HEBREW,
	SS_THAI,
	SS_DEVANAGARI,
	SS_OTHER,
	SS_NSCRIPTS
} SentScript;

/* Flags of a SentInfo */
#define SF_VALENCE		0x0001
#define SF_NEG			0x0002
#define SF_NEGPOST		0x0004
#define SF_INT			0x0008
#define SF_DIM			0x0010
#define SF_BUT			0x0020
#define SF_BUTSFX		0x0040
#define SF_STOP			0x0080
#define SF_PROF			0x0100
#define SF_PHRASEHEAD	0x0200

/* What one language says about one key. */
typedef struct SentInfo
{
	struct SentInfo *next;
	uint16_t	lang;
	uint16_t	flags;			/* SF_* */
	uint16_t	admin;			/* bit (1 << kind) set: value came from admin */
	uint8_t		severity;		/* profanity 1..3 */
	float		valence;
	float		weight;			/* intensifier (+) / diminisher (-) amount */
	const char *term;			/* the key (for evidence of stem hits) */
} SentInfo;

typedef struct SentEntry
{
	const char *key;			/* NULL: empty slot */
	uint32_t	hash;
	uint32_t	len;
	SentInfo   *info;
} SentEntry;

typedef struct SentHash
{
	SentEntry  *slots;
	uint32_t	mask;			/* nslots - 1 */
	uint32_t	used;
} SentHash;

typedef struct SentAffix
{
	const char *s;
	int			len;			/* bytes */
} SentAffix;

typedef struct SentLang
{
	char		code[SENT_LANG_LEN];
	SentScript	script;
	bool		universal;		/* "mul": emoji, emoticons, chat slang */
	int			nsuffix;
	int			nprefix;
	int			maxsuffix;
	int			maxprefix;
	SentAffix  *suffix;			/* by last byte, then longest first */
	uint8_t		sfx_from[256];	/* suffixes ending in byte b: [from, to) */
	uint8_t		sfx_to[256];
	SentAffix  *prefix;
	int			nbutsfx;
	SentAffix  *butsfx;			/* contrast suffixes (Korean -지만) */
	int			minstem;		/* characters kept at least when stemming */
} SentLang;

#define SENT_HINT_CPS	0x200	/* letter hints indexed below this code point */

/* Learned model of one language (see model.c). */
#define SENT_NDENSE		11		/* rule-scorer features */
#define SENT_NSTACK		(3 + SENT_NDENSE + 1)	/* stacker inputs + bias */
#define SENT_MODEL_MAGIC "OSM1"
#define SENT_MODEL_HEADER (24 + 3 * SENT_NSTACK * 4)

typedef struct SentModel
{
	int			nbits;
	uint32_t	mask;
	float		scale;			/* int8 weight -> float */
	float		bias[3];
	float		stack[3][SENT_NSTACK];
	const int8_t *w;			/* [1 << nbits][3] */
	bool		admin;
} SentModel;

typedef struct SentProf
{
	const char *term;
	int			len;
	int			lang;
	int			severity;
} SentProf;

struct SentLexicon
{
	SentAlloc	alloc;
	SentEngine *eng;
	void	   *arena;			/* everything below lives in it */
	SentHash	forms;			/* word forms, phrases, symbols */
	SentHash	stems;			/* stem of each valence/modifier form */
	SentHash	symbols;		/* emoticons and emoji */
	int			nlangs;
	SentLang	langs[SENT_MAX_LANGS];
	int			mul;			/* index of "mul", -1 when absent */
	int			max_phrase;		/* longest phrase in words */
	int			max_symbol;		/* longest symbol term in bytes */
	double		threshold[SENT_NLEVELS];
	SentProf   *prof;			/* all profanity terms, for masked matching */
	int			nprof;
	int			maxprof;
	int			nrows;
	bool		finalized;
	SentMode	mode;
	SentModel  *model[SENT_MAX_LANGS];	/* by language index */
	/* language hints from letters, resolved at finalize */
	int			nhints;
	struct
	{
		uint32_t	cp;
		int			lang;
		float		weight;
	}			hints[48];
	uint32_t	hint_max_cp;	/* largest hints[].cp: letters above have none */
	uint64_t	hint_mask[SENT_HINT_CPS];	/* bit h: hints[h].cp is the index */
	float		prior[SENT_MAX_LANGS];	/* tie-breaker in detection */
	int			nendings;
	struct
	{
		const char *sfx;
		int			len;
		int			lang;
		float		weight;
	}			endings[24];
	uint32_t	ending_by_last[256];	/* bit l: endings[l] ends in byte b */
};

/*
 * What ICU says about one code point, computed once per engine for
 * U+0000..U+07FF (Latin, Greek, Cyrillic, Hebrew, Arabic ...): the
 * tokenizer's word pass reads this instead of calling ICU per character.
 */
#define CPI_UPPER	0x01		/* u_isUUppercase */
#define CPI_LOWER	0x02		/* u_isULowercase */
#define CPI_DIGIT	0x04		/* u_isdigit */
#define CPI_ALPHA	0x08		/* u_isalpha */
#define CPI_OK		0x10		/* the entry is usable */
#define CPI_ALNUM	0x20		/* u_isalnum */
#define CPI_SPACE	0x40		/* u_isUWhiteSpace */
#define SENT_CPI_MAX 0x800
#define SENT_CLEAN_NONE 0xFFFF
#define SENT_CLEAN_DROP 0xFFFE

/*
 * Word-break classes of the hand-written word breaker (wordbreak.c): the
 * Word_Break property as ICU's word rules read it, for the code points
 * whose rules it implements; SWB_UNSAFE sends the text to ICU.
 */
typedef enum SentWb
{
	SWB_UNSAFE = 0,
	SWB_OTHER,					/* breaks on both sides */
	SWB_SPACE,					/* " ": spaces stay together */
	SWB_LF,						/* "\n": breaks on both sides */
	SWB_LETTER,					/* ALetter (and "@") */
	SWB_HANGUL,					/* Hangul syllable: joins Hangul only */
	SWB_NUMERIC,
	SWB_EXTENDNUMLET,			/* "_" */
	SWB_MIDLETTER,				/* "·" (not ":") */
	SWB_MIDNUMLET,				/* ".", "'" */
	SWB_MIDNUM					/* ",", ";", Arabic comma */
} SentWb;

extern SentWb sent_wb_class(uint32_t cp);

typedef struct SentCpInfo
{
	uint8_t		flags;			/* CPI_* */
	uint8_t		script;			/* sent_script_of */
	uint8_t		foldlen;		/* bytes of fold */
	uint8_t		wb;				/* SentWb */
	char		fold[7];		/* full case folding, UTF-8 */
	uint32_t	lower;			/* u_tolower */
} SentCpInfo;

struct SentEngine
{
	SentAlloc	alloc;
	UBreakIterator *brk;
	const UNormalizer2 *nfkc;
	SentCpInfo *cpinfo;			/* [SENT_CPI_MAX] */
	bool		hangul_plain;	/* U+AC00..U+D7A3 checked: caseless letters */
	/*
	 * Stable code points (normalize.c): [cp] is the cleaned UTF-16 unit of
	 * a code point below U+0800 that NFKC leaves alone next to any other
	 * such code point, SENT_CLEAN_DROP when the clean-up drops it,
	 * SENT_CLEAN_NONE when it is not stable.
	 */
	uint16_t   *clean16;
	bool		hangul_stable;	/* U+AC00..U+D7A3 are stable, kept as is */
	/*
	 * Tests only (test/fuzz/): break every non-ASCII text with ICU, to
	 * compare with the hand-written word breaker.
	 */
	bool		icu_only;
};

/* Scratch arena: a chain of blocks released at once. */
typedef struct SentArena SentArena;
extern SentArena *sent_arena_new(const SentAlloc *alloc, size_t first);
extern void *sent_arena_alloc(SentArena *a, size_t size);
extern char *sent_arena_strndup(SentArena *a, const char *s, size_t len);
extern void sent_arena_free(SentArena *a);

/* Token types and flags */
#define TT_WORD			1
#define TT_SYMBOL		2

#define TF_SPACE_BEFORE	0x01
#define TF_CAPS			0x02
#define TF_STRETCHED	0x04
#define TF_DIGIT		0x08
#define TF_ALPHA		0x10
#define TF_BOUNDARY		0x20	/* symbol token ending a clause */
#define TF_DOTTED		0x40	/* word had inner dots removed (f.u.c.k) */

typedef struct SentTok
{
	const char *s;				/* folded, normalized UTF-8 */
	const char *alt2;			/* letters repeated 3+ times cut to 2 */
	const char *alt1;			/* ... cut to 1 */
	uint32_t	len;
	uint8_t		type;
	uint8_t		flags;
	uint8_t		script;
	uint8_t		nchars;			/* characters, capped at 255 */
	const SentEntry *entry;		/* form lookup result */
	/*
	 * Words only, set with the form lookup (analyze): FNV-1a of s, and the
	 * hash state before its sixth character xor SENT_SEED_PREFIX (0 when s
	 * has fewer than six characters).  The learned layer reuses both, so a
	 * word is hashed once.
	 */
	uint32_t	hash;
	uint32_t	hprefix;
} SentTok;

typedef struct SentTokens
{
	SentTok    *tok;
	int			ntok;
	int			cap;
	int			script_count[SS_NSCRIPTS];
	int			ncaps;			/* words in capitals */
	int			nlower;			/* words with lower case letters */
	float		hint[SENT_MAX_LANGS];
	bool		truncated;
} SentTokens;

extern void sent_tokenize(SentEngine *eng, const SentLexicon *lex,
						  const char *text, size_t len, SentArena *arena,
						  SentTokens *out);

/* Normalize a lexicon term into the arena; NULL when it has no content. */
extern char *sent_normalize_term(SentEngine *eng, const SentLexicon *lex,
								 const char *term, SentArena *arena,
								 bool *is_symbol, int *nwords,
								 SentScript *script);

/* Hashing */
#define SENT_FNV_BASIS	2166136261u
#define SENT_FNV_PRIME	16777619u
#define SENT_SEED_PREFIX 0x7F4A7C15u	/* model.c: word-prefix features */
#define SENT_PREFIX_CHARS 5

extern uint32_t sent_hash_bytes(const char *s, size_t len);
extern const SentEntry *sent_hash_find(const SentHash *h, const char *s,
									   size_t len);
extern const SentEntry *sent_hash_find_hv(const SentHash *h, const char *s,
										  size_t len, uint32_t hv);

/*
 * sent_hash_bytes(s, len), and in the same pass the state before the
 * (SENT_PREFIX_CHARS + 1)-th character xor SENT_SEED_PREFIX into *prefix
 * (0 when s is shorter): the hash of the word's first five characters.
 */
static inline uint32_t
sent_hash_with_prefix(const char *s, size_t len, uint32_t *prefix)
{
	uint32_t	h = SENT_FNV_BASIS;
	size_t		k = 0;
	int			chars = 0;

	*prefix = 0;
	for (; k < len; k++)
	{
		unsigned char ch = (unsigned char) s[k];

		if ((ch & 0xC0) != 0x80 && ++chars == SENT_PREFIX_CHARS + 1)
		{
			*prefix = h ^ SENT_SEED_PREFIX;
			break;
		}
		h ^= ch;
		h *= SENT_FNV_PRIME;
	}
	for (; k < len; k++)
	{
		h ^= (unsigned char) s[k];
		h *= SENT_FNV_PRIME;
	}
	return h;
}
extern const SentInfo *sent_entry_info(const SentEntry *e, int lang);

/* Stemming: writes the stem of word for lang into buf; returns its length
 * or -1 when no affix applies. */
extern int	sent_stem(const SentLexicon *lex, int lang, const char *word,
					  int len, char *buf, int buflen);

extern int	sent_lexicon_find_lang(const SentLexicon *lex, const char *code);
extern int	sent_lang_index(SentLexicon *lex, const char *code, bool create);

/*
 * Learned layer (model.c).  The features of a message are hashed word
 * unigrams and bigrams, word prefixes and suffixes (character n-grams
 * anchored at the word edges) and the rule scorer's dense features.
 * sent_model_apply turns them into res->score (and evidence); with
 * raw != NULL it only collects the 32-bit feature hashes (training).
 */
typedef struct SentRaw
{
	uint32_t   *h;
	int			n;
	int			cap;
} SentRaw;

extern const SentModel *sent_model_for(const SentLexicon *lex, const char *lang,
									   int index, int *li);
extern bool sent_model_apply(const SentLexicon *lex, const SentModel *m,
							 SentTokens *toks, const float *dense,
							 SentMode mode, bool want_evidence,
							 SentArena *arena, SentResult *res);
extern void sent_model_raw(SentTokens *toks, SentArena *arena, SentRaw *raw);

/* Training tools: score with rules and return the features. */
extern void sent_analyze_features(SentEngine *eng, const SentLexicon *lex,
								  const char *text, size_t len,
								  const char *lang, SentResult *res,
								  float *dense, SentRaw *raw);
extern SentScript sent_script_of(uint32_t cp);
extern void sent_arabic_fold(uint16_t *s, int32_t *len);

#endif							/* OMNI_SENT_INTERNAL_H */
