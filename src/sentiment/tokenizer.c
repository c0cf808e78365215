/*-------------------------------------------------------------------------
 *
 * tokenizer.c
 *	  Text to tokens for the sentiment engine.
 *
 * Non-ASCII text goes through ICU: UTF-8 to UTF-16 (invalid bytes become
 * U+FFFD), NFKC normalization, a clean-up pass (control characters become
 * spaces or line breaks; zero-width, bidi and other format characters,
 * combining marks, variation selectors and emoji skin tones are dropped;
 * typographic apostrophes become "'"; Arabic letter variants are folded:
 * alef forms, alef maqsura, ta marbuta, tatweel), then ICU's word-break
 * iterator (UAX #29 with dictionaries for Thai and CJK), and case folding
 * of each word.  Pure ASCII text, the common case, takes a byte loop that
 * yields the same tokens for ASCII letters, digits, "'" and "." as the
 * UAX #29 rules, at a fraction of the cost.
 *
 * The result is a stream of word tokens (folded UTF-8, with flags for
 * capitals, stretched letters "sooo", digits) and symbol tokens (runs of
 * punctuation, emoji and emoticons), plus per-script letter counts and
 * letter-based language hints for detection.  Portable: ICU only.
 *
 *-------------------------------------------------------------------------
 */
#include "sent_internal.h"

#include <stdio.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#define MAX_TOKENS	100000		/* tokens kept per message */

/* ------------------------------------------------------------------------
 * Engine (the ICU objects, opened once)
 * ------------------------------------------------------------------------
 */
static void build_cpinfo(SentEngine *eng);

SentEngine *
sent_engine_new(const SentAlloc *alloc, char *errbuf, size_t errlen)
{
	UErrorCode	status = U_ZERO_ERROR;
	UBreakIterator *brk;
	const UNormalizer2 *nfkc;
	SentEngine *eng;

	nfkc = unorm2_getNFKCInstance(&status);
	if (U_FAILURE(status))
	{
		snprintf(errbuf, errlen, "ICU NFKC normalizer: %s", u_errorName(status));
		return NULL;
	}
	brk = ubrk_open(UBRK_WORD, "en", NULL, 0, &status);
	if (U_FAILURE(status))
	{
		snprintf(errbuf, errlen, "ICU word-break iterator: %s", u_errorName(status));
		return NULL;
	}
	eng = alloc->alloc(alloc->arg, sizeof(SentEngine));
	eng->alloc = *alloc;
	eng->brk = brk;
	eng->nfkc = nfkc;
	eng->cpinfo = alloc->alloc(alloc->arg, SENT_CPI_MAX * sizeof(SentCpInfo));
	build_cpinfo(eng);
	return eng;
}

void
sent_engine_free(SentEngine *eng)
{
	if (eng == NULL)
		return;
	ubrk_close(eng->brk);
	eng->alloc.release(eng->alloc.arg, eng->cpinfo);
	eng->alloc.release(eng->alloc.arg, eng);
}

/* ------------------------------------------------------------------------
 * Scripts
 * ------------------------------------------------------------------------
 */
SentScript
sent_script_of(uint32_t cp)
{
	UErrorCode	status = U_ZERO_ERROR;
	UScriptCode sc;

	if (cp < 0x250)
		return SS_LATIN;
	if (cp >= 0xAC00 && cp <= 0xD7AF)
		return SS_HANGUL;
	if (cp >= 0x0600 && cp <= 0x06FF)
		return SS_ARABIC;
	sc = uscript_getScript((UChar32) cp, &status);
	if (U_FAILURE(status))
		return SS_OTHER;
	switch (sc)
	{
		case USCRIPT_LATIN:
			return SS_LATIN;
		case USCRIPT_ARABIC:
			return SS_ARABIC;
		case USCRIPT_HANGUL:
			return SS_HANGUL;
		case USCRIPT_HAN:
			return SS_HAN;
		case USCRIPT_HIRAGANA:
		case USCRIPT_KATAKANA:
			return SS_KANA;
		case USCRIPT_CYRILLIC:
			return SS_CYRILLIC;
		case USCRIPT_GREEK:
			return SS_GREEK;
		case USCRIPT_HEBREW:
			return SS_HEBREW;
		case USCRIPT_THAI:
			return SS_THAI;
		case USCRIPT_DEVANAGARI:
			return SS_DEVANAGARI;
		case USCRIPT_COMMON:
		case USCRIPT_INHERITED:
			return SS_NONE;
		default:
			return SS_OTHER;
	}
}

/*
 * The code-point table: exactly ICU's answers, asked once.  Full case
 * folding is per code point (no context), so folding a word character by
 * character from the table gives u_strFoldCase's result.
 */
static void
build_cpinfo(SentEngine *eng)
{
	UChar32		cp;

	for (cp = 0; cp < SENT_CPI_MAX; cp++)
	{
		SentCpInfo *ci = &eng->cpinfo[cp];
		UChar		in[2],
					fold[8];
		int32_t		flen,
					ulen;
		UErrorCode	status = U_ZERO_ERROR;

		memset(ci, 0, sizeof(SentCpInfo));
		if (u_isUUppercase(cp))
			ci->flags |= CPI_UPPER;
		if (u_isULowercase(cp))
			ci->flags |= CPI_LOWER;
		if (u_isdigit(cp))
			ci->flags |= CPI_DIGIT;
		if (u_isalpha(cp))
			ci->flags |= CPI_ALPHA;
		ci->script = (uint8_t) sent_script_of((uint32_t) cp);
		ci->lower = (uint32_t) u_tolower(cp);
		in[0] = (UChar) cp;
		flen = u_strFoldCase(fold, 8, in, 1, U_FOLD_CASE_DEFAULT, &status);
		if (U_FAILURE(status) || flen > 7)
			continue;
		u_strToUTF8WithSub(ci->fold, (int32_t) sizeof(ci->fold), &ulen, fold, flen,
						   0xFFFD, NULL, &status);
		if (U_FAILURE(status) || status == U_STRING_NOT_TERMINATED_WARNING ||
			ulen > (int32_t) sizeof(ci->fold))
			continue;
		ci->foldlen = (uint8_t) ulen;
		ci->flags |= CPI_OK;
	}
	/* Hangul syllables: letters without case, folded to themselves */
	eng->hangul_plain = true;
	for (cp = 0xAC00; cp <= 0xD7A3 && eng->hangul_plain; cp++)
	{
		UChar		in[1] = {(UChar) cp},
					fold[4];
		UErrorCode	status = U_ZERO_ERROR;

		if (u_isUUppercase(cp) || u_isULowercase(cp) || u_isdigit(cp) ||
			!u_isalpha(cp) || u_tolower(cp) != cp ||
			sent_script_of((uint32_t) cp) != SS_HANGUL ||
			u_strFoldCase(fold, 4, in, 1, U_FOLD_CASE_DEFAULT, &status) != 1 ||
			U_FAILURE(status) || fold[0] != in[0])
			eng->hangul_plain = false;
	}
}

/* ------------------------------------------------------------------------
 * Token emission
 * ------------------------------------------------------------------------
 */
typedef struct TokCtx
{
	const SentLexicon *lex;
	SentArena  *arena;
	SentTokens *out;
	uint8_t		pending;		/* TF_SPACE_BEFORE for the next token */
	bool		pending_break;	/* a line break since the last token */
	bool		full;
} TokCtx;

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

static void
emit_symbol(TokCtx *c, const char *s, size_t len)
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
	size_t		i = 0;

	while (i < len)
	{
		size_t		cl = 1;

		while (i + cl < len && ((unsigned char) s[i + cl] & 0xC0) == 0x80)
			cl++;
		if (i + 3 * cl <= len && memcmp(s + i, s + i + cl, cl) == 0 &&
			memcmp(s + i, s + i + 2 * cl, cl) == 0 &&
			!(cl == 1 && s[i] >= '0' && s[i] <= '9'))
			return true;
		i += cl;
	}
	return false;
}

static void emit_word(TokCtx *c, const char *s, size_t len, uint8_t flags,
					  SentScript script, int nchars);

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
				emit_word(c, s + start, i - start, flags, script,
						  (int) (i - start));
				if (i < len)
					emit_symbol(c, ".", 1);
				flags &= ~TF_SPACE_BEFORE;
				start = i + 1;
			}
		return true;
	}
	joined = sent_arena_alloc(c->arena, len + 1);
	for (i = 0; i < len; i++)
		if (s[i] != '.')
			joined[o++] = s[i];
	emit_word(c, joined, o, flags | TF_DOTTED, script, (int) o);
	return true;
}

static void
emit_word(TokCtx *c, const char *s, size_t len, uint8_t flags,
		  SentScript script, int nchars)
{
	SentTok    *t;

	if (len == 0)
		return;
	if (!(flags & TF_DOTTED) && memchr(s, '.', len) &&
		split_dotted(c, s, len, flags, script))
		return;
	if (c->pending_break)
		emit_symbol(c, NULL, 0);
	t = new_token(c);
	if (t == NULL)
		return;
	t->type = TT_WORD;
	t->s = (flags & TF_DOTTED) ? s : sent_arena_strndup(c->arena, s, len);
	t->len = (uint32_t) len;
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

/* ------------------------------------------------------------------------
 * ASCII fast path
 * ------------------------------------------------------------------------
 */
static inline bool
is_alnum(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		(ch >= '0' && ch <= '9') || ch == '_';
}

static void
tokenize_ascii(TokCtx *c, const char *text, size_t len)
{
	size_t		i = 0;
	char		stackbuf[256];

	while (i < len && !c->full)
	{
		unsigned char ch = (unsigned char) text[i];

		if (ch <= ' ' || ch == 0x7F)
		{
			c->pending = TF_SPACE_BEFORE;
			if (ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v')
				c->pending_break = true;
			i++;
		}
		else if (is_alnum(ch))
		{
			size_t		j = i;
			int			upper = 0,
						lower = 0,
						digit = 0;
			uint8_t		flags = 0;
			char	   *buf;
			size_t		k;

			while (j < len)
			{
				unsigned char cj = (unsigned char) text[j];

				if (is_alnum(cj))
					j++;
				else if ((cj == '\'' || cj == '.') && j + 1 < len &&
						 is_alnum((unsigned char) text[j + 1]))
					j++;
				else
					break;
			}
			buf = (j - i < sizeof(stackbuf)) ? stackbuf : sent_arena_alloc(c->arena, j - i + 1);
			for (k = i; k < j; k++)
			{
				unsigned char cj = (unsigned char) text[k];

				if (cj >= 'A' && cj <= 'Z')
				{
					upper++;
					cj += 'a' - 'A';
				}
				else if (cj >= 'a' && cj <= 'z')
					lower++;
				else if (cj >= '0' && cj <= '9')
					digit++;
				buf[k - i] = (char) cj;
			}
			if (upper >= 2 && lower == 0)
				flags |= TF_CAPS;
			if (upper + lower > 0)
				flags |= TF_ALPHA;
			if (digit)
				flags |= TF_DIGIT;
			emit_word(c, buf, j - i, flags, (upper + lower) ? SS_LATIN : SS_NONE,
					  (int) (j - i));
			i = j;
		}
		else
		{
			size_t		j = i;

			while (j < len && (unsigned char) text[j] > ' ' &&
				   text[j] != 0x7F && !is_alnum((unsigned char) text[j]))
				j++;
			emit_symbol(c, text + i, j - i);
			i = j;
		}
	}
	if (c->pending_break)
		emit_symbol(c, NULL, 0);
}

/* ------------------------------------------------------------------------
 * ICU path
 * ------------------------------------------------------------------------
 */
void
sent_arabic_fold(uint16_t *s, int32_t *len)
{
	int32_t		i,
				o = 0;

	for (i = 0; i < *len; i++)
	{
		uint16_t	ch = s[i];

		switch (ch)
		{
			case 0x0622:		/* alef with madda */
			case 0x0623:		/* alef with hamza above */
			case 0x0625:		/* alef with hamza below */
			case 0x0671:		/* alef wasla */
				ch = 0x0627;
				break;
			case 0x0649:		/* alef maqsura -> ya */
				ch = 0x064A;
				break;
			case 0x0629:		/* ta marbuta -> ha */
				ch = 0x0647;
				break;
			case 0x0640:		/* tatweel */
				continue;
			default:
				break;
		}
		s[o++] = ch;
	}
	*len = o;
}

/* clean-up pass, in place; returns the new length */
static int32_t
clean_utf16(UChar *s, int32_t len)
{
	int32_t		i = 0,
				o = 0;

	while (i < len)
	{
		UChar32		cp;
		int32_t		start = i;
		int8_t		type;

		U16_NEXT(s, i, len, cp);
		if (cp < 0x80)
		{
			if (cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v')
				s[o++] = '\n';
			else if (cp < ' ' || cp == 0x7F)
				s[o++] = ' ';
			else
				s[o++] = (UChar) cp;
			continue;
		}
		if (cp == 0x2018 || cp == 0x2019 || cp == 0x02BC || cp == 0xFF07)
		{
			s[o++] = '\'';
			continue;
		}
		if (cp == 0x2028 || cp == 0x2029 || cp == 0x85)
		{
			s[o++] = '\n';
			continue;
		}
		if (cp >= 0x1F3FB && cp <= 0x1F3FF)	/* emoji skin tones */
			continue;
		type = u_charType(cp);
		if (type == U_NON_SPACING_MARK || type == U_ENCLOSING_MARK ||
			type == U_FORMAT_CHAR)
			continue;
		if (type == U_CONTROL_CHAR || type == U_SURROGATE ||
			type == U_SPACE_SEPARATOR)
		{
			s[o++] = ' ';
			continue;
		}
		if (cp >= 0x0622 && cp <= 0x0671)
		{
			UChar		ch = (UChar) cp;
			int32_t		one = 1;

			sent_arabic_fold(&ch, &one);
			if (one)
				s[o++] = ch;
			continue;
		}
		while (start < i)
			s[o++] = s[start++];
	}
	return o;
}

static void word_from_utf16_icu(TokCtx *c, const UChar *s, int32_t len);

/*
 * A word from the segmenter.  Words made of code points of the table (and
 * Hangul syllables) are classified and folded from it; others, and long
 * words, take word_from_utf16_icu.  Both give the same token.
 */
static void
word_from_utf16(SentEngine *eng, TokCtx *c, const UChar *s, int32_t len)
{
	char		ubuf[512];
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
	for (i = 0; i < len; i++)
	{
		UChar		u = s[i];

		if (u >= SENT_CPI_MAX)
		{
			/* Hangul syllable: a caseless letter, itself when folded */
			alpha++;
			if (script == SS_NONE)
				script = SS_HANGUL;
			if (c->lex && u <= c->lex->hint_max_cp)
			{
				int			h;

				for (h = 0; h < c->lex->nhints; h++)
					if (c->lex->hints[h].cp == (uint32_t) u)
						c->out->hint[c->lex->hints[h].lang] += c->lex->hints[h].weight;
			}
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
				if (u >= 0x80 && c->lex && ci->lower <= c->lex->hint_max_cp)
				{
					int			h;

					for (h = 0; h < c->lex->nhints; h++)
						if (c->lex->hints[h].cp == ci->lower)
							c->out->hint[c->lex->hints[h].lang] += c->lex->hints[h].weight;
				}
			}
			else if (u == 0x00B7 && c->lex)
			{
				int			h;

				for (h = 0; h < c->lex->nhints; h++)
					if (c->lex->hints[h].cp == 0x00B7)
						c->out->hint[c->lex->hints[h].lang] += c->lex->hints[h].weight;
			}
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
	emit_word(c, ubuf, o, flags, script, len);
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
			{
				int			h;
				UChar32		lc = u_tolower(cp);

				for (h = 0; h < c->lex->nhints; h++)
					if (c->lex->hints[h].cp == (uint32_t) lc)
						c->out->hint[c->lex->hints[h].lang] += c->lex->hints[h].weight;
			}
		}
		else if (cp == 0x00B7 && c->lex)
		{
			int			h;

			/* Catalan "l·l" (punt volat) inside a word */
			for (h = 0; h < c->lex->nhints; h++)
				if (c->lex->hints[h].cp == 0x00B7)
					c->out->hint[c->lex->hints[h].lang] += c->lex->hints[h].weight;
		}
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
	emit_word(c, utf8, ulen, flags, script, nchars);
}

static void
symbol_from_utf16(TokCtx *c, const UChar *s, int32_t len)
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
	emit_symbol(c, utf8, ulen);
}

static void
tokenize_icu(SentEngine *eng, TokCtx *c, const char *text, size_t len)
{
	UErrorCode	status = U_ZERO_ERROR;
	UChar	   *u16;
	int32_t		n16;
	UChar	   *norm;
	int32_t		nnorm;
	int32_t		cap;
	int32_t		prev,
				pos;
	int32_t		symstart = -1,
				symend = -1;

	u16 = sent_arena_alloc(c->arena, (len + 1) * sizeof(UChar));
	u_strFromUTF8WithSub(u16, (int32_t) len + 1, &n16, text, (int32_t) len,
						 0xFFFD, NULL, &status);
	if (U_FAILURE(status))
		return;

	/* NFKC, skipped when the text already is */
	if (unorm2_quickCheck(eng->nfkc, u16, n16, &status) == UNORM_YES &&
		U_SUCCESS(status))
	{
		norm = u16;
		nnorm = n16;
	}
	else
	{
		status = U_ZERO_ERROR;
		cap = n16 * 2 + 16;
		norm = sent_arena_alloc(c->arena, cap * sizeof(UChar));
		nnorm = unorm2_normalize(eng->nfkc, u16, n16, norm, cap, &status);
		if (status == U_BUFFER_OVERFLOW_ERROR)
		{
			cap = nnorm + 1;
			norm = sent_arena_alloc(c->arena, cap * sizeof(UChar));
			status = U_ZERO_ERROR;
			nnorm = unorm2_normalize(eng->nfkc, u16, n16, norm, cap, &status);
		}
		if (U_FAILURE(status))
			return;
	}
	nnorm = clean_utf16(norm, nnorm);

	ubrk_setText(eng->brk, norm, nnorm, &status);
	if (U_FAILURE(status))
		return;
	prev = ubrk_first(eng->brk);
	for (pos = ubrk_next(eng->brk); pos != UBRK_DONE && !c->full;
		 prev = pos, pos = ubrk_next(eng->brk))
	{
		int32_t		i = prev;
		bool		space = true,
					word = false;

		while (i < pos)
		{
			UChar32		cp;

			U16_NEXT(norm, i, pos, cp);
			if (u_isalnum(cp))
			{
				word = true;
				space = false;
				break;
			}
			if (!u_isUWhiteSpace(cp))
				space = false;
			else if (cp == '\n')
				c->pending_break = true;
		}
		if (!word && !space)
		{
			/* symbol segments without space between form one run */
			if (symstart < 0)
				symstart = prev;
			symend = pos;
			continue;
		}
		if (symstart >= 0)
		{
			symbol_from_utf16(c, norm + symstart, symend - symstart);
			symstart = -1;
		}
		if (space)
			c->pending = TF_SPACE_BEFORE;
		else
			word_from_utf16(eng, c, norm + prev, pos - prev);
	}
	if (symstart >= 0 && !c->full)
		symbol_from_utf16(c, norm + symstart, symend - symstart);
	if (c->pending_break)
		emit_symbol(c, NULL, 0);
	/* do not keep a pointer to the scratch buffer in the iterator */
	status = U_ZERO_ERROR;
	ubrk_setText(eng->brk, NULL, 0, &status);
}

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
		tokenize_ascii(&c, text, len);
	else
		tokenize_icu(eng, &c, text, len);
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
