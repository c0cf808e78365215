/*-------------------------------------------------------------------------
 *
 * tokenizer.h
 *	  What the tokenizer's files share: normalize.c (the text as the word
 *	  breakers read it), wordbreak.c (where words end) and tokenizer.c
 *	  (the tokens).  Internal to those three files.
 *
 *-------------------------------------------------------------------------
 */
#ifndef OMNI_SENT_TOKENIZER_H
#define OMNI_SENT_TOKENIZER_H

#include "sent_internal.h"

#include <unicode/utypes.h>

#define MAX_TOKENS	100000		/* tokens kept per message */

/* State of one message's tokenization. */
typedef struct TokCtx
{
	const SentLexicon *lex;
	SentArena  *arena;
	SentTokens *out;
	uint8_t		pending;		/* TF_SPACE_BEFORE for the next token */
	bool		pending_break;	/* a line break since the last token */
	bool		full;
} TokCtx;

/* normalize.c: UTF-16, NFKC, cleaned; NULL when ICU fails */
extern UChar *sent_normalize_utf16(SentEngine *eng, SentArena *arena,
								   const char *text, size_t len,
								   int32_t *nout);

/* wordbreak.c */
extern void sent_break_ascii(TokCtx *c, const char *text, size_t len);
extern void sent_break_utf16(SentEngine *eng, TokCtx *c, const UChar *s,
							 int32_t len);

/*
 * tokenizer.c: token emission.  sent_emit_word copies s unless flags has
 * TF_OWNED (s is NUL-terminated memory of the arena; never stored in a
 * token's flags) or TF_DOTTED.
 */
#define TF_OWNED	0x80
extern void sent_emit_symbol(TokCtx *c, const char *s, size_t len);
extern void sent_emit_word(TokCtx *c, const char *s, size_t len,
						   uint8_t flags, SentScript script, int nchars);
extern void sent_emit_word_utf16(SentEngine *eng, TokCtx *c, const UChar *s,
								 int32_t len);
extern void sent_emit_symbol_utf16(TokCtx *c, const UChar *s, int32_t len);

#endif							/* OMNI_SENT_TOKENIZER_H */
