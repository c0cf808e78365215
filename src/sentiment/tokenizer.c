/*-------------------------------------------------------------------------
 *
 * tokenizer.c
 *	  Text to tokens for the sentiment engine.
 *
 * normalize.c makes the text of a non-ASCII message (NFKC, cleaned, UTF-16)
 * and wordbreak.c finds its words (pure ASCII text: a byte loop); this file
 * turns words and symbol runs into tokens: words are case folded (from the
 * engine's code-point table, or by ICU for other code points), flagged
 * (capitals, stretched letters "sooo" with their cut forms, digits, dotted
 * "f.u.c.k"), split at inner dots ("thanks.bye"), and counted per script
 * with letter-based language hints for detection.
 *
 * The result is a stream of word tokens (folded UTF-8) and symbol tokens
 * (runs of punctuation, emoji and emoticons).  Portable: ICU only.
 *
 *-------------------------------------------------------------------------
 */
#include "tokenizer.h"

#include <stdio.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

/* ------------------------------------------------------------------------
 * Token emission
 * ------------------------------------------------------------------------
 */
static SentTok *
new_token(TokCtx *c)
{
	SentTokens *o = c->out;
	SentTok    *t;

	if (o->ntok >= MAX_TOKENS)
	{
		c->full = true;
		o->truncated = true;
		return NULL;
	}
	if (o->ntok >= o->cap)
	{
		int			ncap = o->cap ? o->cap * 2 : 64;
		SentTok    *n = sent_arena_alloc(c->arena, ncap * sizeof(SentTok));

		if (o->ntok)
			memcpy(n, o->tok, o->ntok * sizeof(SentTok));
		o->tok = n;
		o->cap = ncap;
	}
	t = &o->tok[o->ntok++];
	memset(t, 0, sizeof(SentTok));
	return t;
}

void
sent_emit_symbol(TokCtx *c, const char *s, size_t len)
{
	SentTok    *t;
	size_t		i;

	if (c->pending_break)
	{
		c->pending_break = false;
		t = new_token(c);
		if (t == NULL)
			return;
		t->type = TT_SYMBOL;
		t->s = "\n";
		t->len = 1;
		t->flags = TF_BOUNDARY | TF_SPACE_BEFORE;
		c->pending = TF_SPACE_BEFORE;
	}
	if (len == 0)
		return;
	t = new_token(c);
	if (t == NULL)
		return;
	t->type = TT_SYMBOL;
	t->s = sent_arena_strndup(c->arena, s, len);
	t->len = (uint32_t) len;
	t->flags = c->pending;
	for (i = 0; i < len; i++)
		if (strchr(".,;:!?()[]", s[i]) && s[i] != '\0')
			t->flags |= TF_BOUNDARY;
	c->pending = 0;
}

/* cut runs of 3+ identical characters to "keep" characters */
static const char *
destretch(SentArena *arena, const char *s, size_t len, int keep)
{
	char	   *out = sent_arena_alloc(arena, len + 1);
	size_t		i = 0,
				o = 0;

	while (i < len)
	{
		/* character at i */
		size_t		cl = 1;
		size_t		j;
		int			run = 1;

		while (i + cl < len && ((unsigned char) s[i + cl] & 0xC0) == 0x80)
			cl++;
		j = i + cl;
		while (j + cl <= len && memcmp(s + j, s + i, cl) == 0)
		{
			run++;
			j += cl;
		}
		if (run >= 3)
			run = keep;
		while (run-- > 0)
		{
			memcpy(out + o, s + i, cl);
			o += cl;
		}
		i = j;
	}
	out[o] = '\0';
	return out;
}

static bool
has_stretch(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *) s;
	size_t		i = 0;

	/* a character and two copies take 3 bytes at least */
	while (i + 3 <= len)
	{
		size_t		cl = 1,
					k;

		if (u[i] < 0x80 && (u[i + 1] & 0xC0) != 0x80)
		{
			/* one byte */
			if (u[i + 1] == u[i] && u[i + 2] == u[i] && !(u[i] >= '0' && u[i] <= '9'))
				return true;
			i++;
			continue;
		}
		while (i + cl < len && ((unsigned char) s[i + cl] & 0xC0) == 0x80)
			cl++;
		if (i + 3 * cl <= len && !(cl == 1 && s[i] >= '0' && s[i] <= '9'))
		{
			/* the character repeated twice after itself (no memcmp call) */
			for (k = 0; k < cl && s[i + k] == s[i + cl + k] &&
				 s[i + k] == s[i + 2 * cl + k]; k++)
				;
			if (k == cl)
				return true;
		}
		i += cl;
	}
	return false;
}


/* a word with inner dots: "thanks.bye" is two words, "f.u.c.k" is one */
static bool
split_dotted(TokCtx *c, const char *s, size_t len, uint8_t flags,
			 SentScript script)
{
	size_t		i,
				start = 0;
	bool		all_long = true;
	int			nparts = 0;
	char	   *joined;
	size_t		o = 0;

	flags &= ~TF_OWNED;			/* the parts are copied */
	for (i = 0; i <= len; i++)
		if (i == len || s[i] == '.')
		{
			if (i - start < 2)
				all_long = false;
			nparts++;
			start = i + 1;
		}
	if (nparts < 2)
		return false;
	if (all_long)
	{
		start = 0;
		for (i = 0; i <= len; i++)
			if (i == len || s[i] == '.')
			{
				sent_emit_word(c, s + start, i - start, flags, script,
						  (int) (i - start));
				if (i < len)
					sent_emit_symbol(c, ".", 1);
				flags &= ~TF_SPACE_BEFORE;
				start = i + 1;
			}
		return true;
	}
	joined = sent_arena_alloc(c->arena, len + 1);
	for (i = 0; i < len; i++)
		if (s[i] != '.')
			joined[o++] = s[i];
	sent_emit_word(c, joined, o, flags | TF_DOTTED, script, (int) o);
	return true;
}

void
sent_emit_word(TokCtx *c, const char *s, size_t len, uint8_t flags,
		  SentScript script, int nchars)
{
	SentTok    *t;

	if (len == 0)
		return;
	if (!(flags & TF_DOTTED) && memchr(s, '.', len) &&
		split_dotted(c, s, len, flags, script))
		return;
	if (c->pending_break)
		sent_emit_symbol(c, NULL, 0);
	t = new_token(c);
	if (t == NULL)
		return;
	t->type = TT_WORD;
	t->s = (flags & (TF_DOTTED | TF_OWNED)) ? s : sent_arena_strndup(c->arena, s, len);
	t->len = (uint32_t) len;
	flags &= ~TF_OWNED;
	t->flags = flags | c->pending;
	t->script = (uint8_t) script;
	t->nchars = (uint8_t) (nchars > 255 ? 255 : nchars);
	c->pending = 0;
	if (has_stretch(s, len))
	{
		t->flags |= TF_STRETCHED;
		t->alt2 = destretch(c->arena, t->s, len, 2);
		t->alt1 = destretch(c->arena, t->s, len, 1);
	}
	if (flags & TF_CAPS)
		c->out->ncaps++;
	else if (flags & TF_ALPHA)
		c->out->nlower++;
	if (script != SS_NONE)
		c->out->script_count[script] += nchars;
}

/*
 * Tell-tale letters (detection): adds the weight of every hint of the
 * (lower-case) code point cp, in the order of lex->hints.
 */
static inline void
add_letter_hints(TokCtx *c, uint32_t cp)
{
	const SentLexicon *lex = c->lex;
	int			h;

	if (cp > lex->hint_max_cp)
		return;
	if (cp < SENT_HINT_CPS)
	{
		uint64_t	m;

		for (m = lex->hint_mask[cp]; m != 0; m &= m - 1)
		{
#if defined(__GNUC__)
			h = __builtin_ctzll(m);
#else
			for (h = 0; !(m & ((uint64_t) 1 << h)); h++)
				;
#endif
			c->out->hint[lex->hints[h].lang] += lex->hints[h].weight;
		}
		return;
	}
	for (h = 0; h < lex->nhints; h++)
		if (lex->hints[h].cp == cp)
			c->out->hint[lex->hints[h].lang] += lex->hints[h].weight;
}

/* ------------------------------------------------------------------------
 * Words and symbols of non-ASCII text
 * ------------------------------------------------------------------------
 */
static void word_from_utf16_icu(TokCtx *c, const UChar *s, int32_t len);

/*
 * A word from the segmenter.  Words made of code points of the table (and
 * Hangul syllables) are classified and folded from it; others, and long
 * words, take word_from_utf16_icu.  Both give the same token.
 */
void
sent_emit_word_utf16(SentEngine *eng, TokCtx *c, const UChar *s, int32_t len)
{
	char	   *ubuf;
	int			o = 0;
	int32_t		i;
	int			upper = 0,
				lower = 0,
				digit = 0,
				alpha = 0;
	SentScript	script = SS_NONE;
	uint8_t		flags = 0;
	const SentCpInfo *tab = eng->cpinfo;

	if (len > 64)
	{
		word_from_utf16_icu(c, s, len);
		return;
	}
	/* every code point known? (no surrogates, no table gaps) */
	for (i = 0; i < len; i++)
	{
		UChar		u = s[i];

		if (u < SENT_CPI_MAX ? !(tab[u].flags & CPI_OK) :
			!(eng->hangul_plain && u >= 0xAC00 && u <= 0xD7A3))
		{
			word_from_utf16_icu(c, s, len);
			return;
		}
	}
	/* folded straight into the token's memory: at most 7 bytes a unit */
	ubuf = sent_arena_alloc(c->arena, len * 7 + 1);
	for (i = 0; i < len; i++)
	{
		UChar		u = s[i];

		if (u >= SENT_CPI_MAX)
		{
			/* Hangul syllable: a caseless letter, itself when folded */
			alpha++;
			if (script == SS_NONE)
				script = SS_HANGUL;
			if (c->lex)
				add_letter_hints(c, u);
			ubuf[o++] = (char) (0xE0 | (u >> 12));
			ubuf[o++] = (char) (0x80 | ((u >> 6) & 0x3F));
			ubuf[o++] = (char) (0x80 | (u & 0x3F));
			continue;
		}
		else
		{
			const SentCpInfo *ci = &tab[u];

			if (ci->flags & CPI_UPPER)
				upper++;
			else if (ci->flags & CPI_LOWER)
				lower++;
			if (ci->flags & CPI_DIGIT)
				digit++;
			else if (ci->flags & CPI_ALPHA)
			{
				alpha++;
				if (script == SS_NONE)
					script = (SentScript) ci->script;
				if (u >= 0x80 && c->lex)
					add_letter_hints(c, ci->lower);
			}
			else if (u == 0x00B7 && c->lex)
				add_letter_hints(c, 0x00B7);
			if (ci->foldlen == 1)
				ubuf[o++] = ci->fold[0];
			else
			{
				memcpy(ubuf + o, ci->fold, ci->foldlen);
				o += ci->foldlen;
			}
		}
	}
	if (upper >= 2 && lower == 0)
		flags |= TF_CAPS;
	if (alpha)
		flags |= TF_ALPHA;
	if (digit)
		flags |= TF_DIGIT;
	ubuf[o] = '\0';
	sent_emit_word(c, ubuf, o, flags | TF_OWNED, script, len);
}

static void
word_from_utf16_icu(TokCtx *c, const UChar *s, int32_t len)
{
	UChar		fbuf[128];
	UChar	   *fold = fbuf;
	int32_t		flen;
	UErrorCode	status = U_ZERO_ERROR;
	char		ubuf[512];
	char	   *utf8 = ubuf;
	int32_t		ulen;
	int32_t		i = 0;
	int			upper = 0,
				lower = 0,
				digit = 0,
				alpha = 0,
				nchars = 0;
	SentScript	script = SS_NONE;
	uint8_t		flags = 0;

	while (i < len)
	{
		UChar32		cp;

		U16_NEXT(s, i, len, cp);
		nchars++;
		if (u_isUUppercase(cp))
			upper++;
		else if (u_isULowercase(cp))
			lower++;
		if (u_isdigit(cp))
			digit++;
		else if (u_isalpha(cp))
		{
			alpha++;
			if (script == SS_NONE)
				script = sent_script_of(cp);
			if (cp >= 0x80 && c->lex)
				add_letter_hints(c, (uint32_t) u_tolower(cp));
		}
		else if (cp == 0x00B7 && c->lex)
			add_letter_hints(c, 0x00B7);	/* Catalan "l·l" (punt volat) */
	}
	if (upper >= 2 && lower == 0)
		flags |= TF_CAPS;
	if (alpha)
		flags |= TF_ALPHA;
	if (digit)
		flags |= TF_DIGIT;

	if (len * 3 > (int32_t) (sizeof(fbuf) / sizeof(UChar)))
		fold = sent_arena_alloc(c->arena, (len * 3 + 1) * sizeof(UChar));
	flen = u_strFoldCase(fold, len * 3 + 1, s, len, U_FOLD_CASE_DEFAULT, &status);
	if (U_FAILURE(status))
		return;
	if (flen * 3 + 1 > (int32_t) sizeof(ubuf))
		utf8 = sent_arena_alloc(c->arena, flen * 3 + 1);
	status = U_ZERO_ERROR;
	u_strToUTF8WithSub(utf8, flen * 3 + 1, &ulen, fold, flen, 0xFFFD, NULL, &status);
	if (U_FAILURE(status))
		return;
	sent_emit_word(c, utf8, ulen, flags, script, nchars);
}

void
sent_emit_symbol_utf16(TokCtx *c, const UChar *s, int32_t len)
{
	char		ubuf[256];
	char	   *utf8 = ubuf;
	int32_t		ulen;
	UErrorCode	status = U_ZERO_ERROR;

	if (len * 3 + 1 > (int32_t) sizeof(ubuf))
		utf8 = sent_arena_alloc(c->arena, len * 3 + 1);
	u_strToUTF8WithSub(utf8, len * 3 + 1, &ulen, s, len, 0xFFFD, NULL, &status);
	if (U_FAILURE(status))
		return;
	sent_emit_symbol(c, utf8, ulen);
}

/* ------------------------------------------------------------------------
 * Messages
 * ------------------------------------------------------------------------
 */
void
sent_tokenize(SentEngine *eng, const SentLexicon *lex, const char *text,
			  size_t len, SentArena *arena, SentTokens *out)
{
	TokCtx		c;
	size_t		i;
	bool		ascii = true;

	memset(out, 0, sizeof(SentTokens));
	if (len > SENT_MAX_INPUT)
	{
		/* cut at a character boundary */
		len = SENT_MAX_INPUT;
		while (len > 0 && ((unsigned char) text[len] & 0xC0) == 0x80)
			len--;
		out->truncated = true;
	}
	memset(&c, 0, sizeof(c));
	c.lex = lex;
	c.arena = arena;
	c.out = out;
	c.pending = TF_SPACE_BEFORE;
	for (i = 0; i < len; i++)
		if ((unsigned char) text[i] >= 0x80)
		{
			ascii = false;
			break;
		}
	if (ascii)
		sent_break_ascii(&c, text, len);
	else
	{
		int32_t		n16;
		UChar	   *s = sent_normalize_utf16(eng, arena, text, len, &n16);

		if (s != NULL)
			sent_break_utf16(eng, &c, s, n16);
	}
}

/* ------------------------------------------------------------------------
 * Lexicon terms get exactly the treatment of messages
 * ------------------------------------------------------------------------
 */
char *
sent_normalize_term(SentEngine *eng, const SentLexicon *lex, const char *term,
					SentArena *arena, bool *is_symbol, int *nwords,
					SentScript *script)
{
	SentArena  *tmp = sent_arena_new(&eng->alloc, 4096);
	SentTokens	toks;
	int			i;
	int			alnum = 0,
				nsym = 0;
	size_t		total = 0;
	char	   *out = NULL;
	char	   *p;

	(void) lex;
	*is_symbol = false;
	*nwords = 0;
	*script = SS_NONE;
	sent_tokenize(eng, NULL, term, strlen(term), tmp, &toks);
	for (i = 0; i < toks.ntok; i++)
	{
		SentTok    *t = &toks.tok[i];

		if (t->type == TT_WORD)
		{
			alnum += t->nchars;
			(*nwords)++;
			if (*script == SS_NONE)
				*script = (SentScript) t->script;
		}
		else if (!(t->s[0] == '\n' && t->len == 1))
			nsym++;
		total += t->len + 1;
	}
	if (toks.ntok == 0 || total == 0)
	{
		sent_arena_free(tmp);
		return NULL;
	}
	out = sent_arena_alloc(arena, total + 1);
	p = out;
	if (nsym > 0 && alnum < 3)
	{
		/* emoticon or emoji: ":)", ":d", "<3", "👍" */
		*is_symbol = true;
		for (i = 0; i < toks.ntok; i++)
		{
			memcpy(p, toks.tok[i].s, toks.tok[i].len);
			p += toks.tok[i].len;
		}
	}
	else
	{
		for (i = 0; i < toks.ntok; i++)
		{
			if (toks.tok[i].type != TT_WORD)
				continue;
			if (p != out)
				*p++ = ' ';
			memcpy(p, toks.tok[i].s, toks.tok[i].len);
			p += toks.tok[i].len;
		}
	}
	*p = '\0';
	sent_arena_free(tmp);
	if (p == out)
		return NULL;
	return out;
}
