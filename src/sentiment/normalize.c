/*-------------------------------------------------------------------------
 *
 * normalize.c
 *	  Unicode normalization for the sentiment tokenizer: the engine's ICU
 *	  objects and its code-point table, scripts, and the text every word
 *	  breaker reads.
 *
 * Non-ASCII text: UTF-8 to UTF-16 (invalid bytes become U+FFFD), NFKC
 * normalization (skipped when the text already is), then a clean-up pass:
 * control characters become spaces or line breaks; zero-width, bidi and
 * other format characters, combining marks, variation selectors and emoji
 * skin tones are dropped; typographic apostrophes become "'"; Arabic
 * letter variants are folded (alef forms, alef maqsura, ta marbuta,
 * tatweel).  The code-point table holds ICU's answers for U+0000..U+07FF
 * (case, letter, digit, script, case folding, word-break class), asked
 * once per engine, so the word breakers do not call ICU per character.
 * Portable: ICU only.
 *
 *-------------------------------------------------------------------------
 */
#include "tokenizer.h"

#include <stdio.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

/* ------------------------------------------------------------------------
 * Engine (the ICU objects, opened once)
 * ------------------------------------------------------------------------
 */
static void build_cpinfo(SentEngine *eng);
static int32_t clean_utf16(UChar *s, int32_t len);
#define wb_class(cp) sent_wb_class((uint32_t) (cp))

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
	eng->icu_only = false;
	eng->cpinfo = alloc->alloc(alloc->arg, SENT_CPI_MAX * sizeof(SentCpInfo));
	eng->clean16 = alloc->alloc(alloc->arg, SENT_CPI_MAX * sizeof(uint16_t));
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
	eng->alloc.release(eng->alloc.arg, eng->clean16);
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
 * Word-break class of a code point for the hand-written segmenter
 * (wordbreak.c): ICU's Word_Break property as ICU's own word rules use it
 * (root rules of ICU 72: "@" is a letter, ":" is not a MidLetter), or
 * SWB_UNSAFE for what those rules treat specially (marks, format
 * characters, Hebrew, Katakana, scripts broken by dictionary, regional
 * indicators): a text holding one is broken by ICU.  Hangul syllables
 * have their own class (ICU joins them only with each other).
 */
SentWb
sent_wb_class(uint32_t cp)
{
	UChar32		c = (UChar32) cp;

	if (cp >= 0xAC00 && cp <= 0xD7A3)
		return SWB_HANGUL;
	if (cp == '@')
		return SWB_LETTER;
	if (cp == ' ')
		return SWB_SPACE;
	if (cp == '\n')
		return SWB_LF;
	if (u_getIntPropertyValue(c, UCHAR_LINE_BREAK) == U_LB_COMPLEX_CONTEXT ||
		u_hasBinaryProperty(c, UCHAR_IDEOGRAPHIC))
		return SWB_UNSAFE;
	switch (u_getIntPropertyValue(c, UCHAR_WORD_BREAK))
	{
		case U_WB_ALETTER:
			return SWB_LETTER;
		case U_WB_NUMERIC:
			return SWB_NUMERIC;
		case U_WB_EXTENDNUMLET:
			return SWB_EXTENDNUMLET;
		case U_WB_MIDLETTER:
			return (cp == ':' || cp == 0xFE55 || cp == 0xFF1A) ? SWB_OTHER : SWB_MIDLETTER;
		case U_WB_MIDNUMLET:
			return SWB_MIDNUMLET;
		case U_WB_MIDNUM:
			return SWB_MIDNUM;
		case U_WB_SINGLE_QUOTE:
			return SWB_MIDNUMLET;	/* same rules as MidNumLet without Hebrew */
		case U_WB_DOUBLE_QUOTE:	/* joins Hebrew letters only */
		case U_WB_OTHER:
			{
				UErrorCode	status = U_ZERO_ERROR;
				UScriptCode sc = uscript_getScript(c, &status);

				if (U_FAILURE(status) || sc == USCRIPT_HAN ||
					sc == USCRIPT_HIRAGANA || sc == USCRIPT_KATAKANA)
					return SWB_UNSAFE;
				return SWB_OTHER;
			}
		default:
			return SWB_UNSAFE;
	}
}

/*
 * A stable code point: NFKC quick check "yes" and combining class 0, so
 * NFKC leaves a text made only of such code points unchanged (a code
 * point that composes with the one before it has quick check "maybe"); its
 * cleaned form is what clean_utf16 makes of it alone (the clean-up has no
 * context).  Returns that unit, SENT_CLEAN_DROP or SENT_CLEAN_NONE.
 */
static uint16_t
stable_clean(SentEngine *eng, UChar32 cp)
{
	UChar		s[1] = {(UChar) cp};
	UErrorCode	status = U_ZERO_ERROR;

	if (cp >= 0xD800 && cp <= 0xDFFF)
		return SENT_CLEAN_NONE;
	if (unorm2_getCombiningClass(eng->nfkc, cp) != 0 ||
		unorm2_quickCheck(eng->nfkc, s, 1, &status) != UNORM_YES ||
		U_FAILURE(status))
		return SENT_CLEAN_NONE;
	if (clean_utf16(s, 1) == 0)
		return SENT_CLEAN_DROP;
	if (s[0] >= SENT_CLEAN_DROP)
		return SENT_CLEAN_NONE;
	return s[0];
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
		if (u_isalnum(cp))
			ci->flags |= CPI_ALNUM;
		if (u_isUWhiteSpace(cp))
			ci->flags |= CPI_SPACE;
		ci->script = (uint8_t) sent_script_of((uint32_t) cp);
		eng->clean16[cp] = stable_clean(eng, cp);
		ci->wb = (uint8_t) wb_class(cp);
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
	eng->hangul_stable = true;
	for (cp = 0xAC00; cp <= 0xD7A3 && eng->hangul_stable; cp++)
		if (stable_clean(eng, cp) != (uint16_t) cp)
			eng->hangul_stable = false;
	eng->hangul_plain = true;
	for (cp = 0xAC00; cp <= 0xD7A3 && eng->hangul_plain; cp++)
	{
		UChar		in[1] = {(UChar) cp},
					fold[4];
		UErrorCode	status = U_ZERO_ERROR;

		if (u_isUUppercase(cp) || u_isULowercase(cp) || u_isdigit(cp) ||
			!u_isalpha(cp) || u_isUWhiteSpace(cp) || u_tolower(cp) != cp ||
			sent_script_of((uint32_t) cp) != SS_HANGUL ||
			u_strFoldCase(fold, 4, in, 1, U_FOLD_CASE_DEFAULT, &status) != 1 ||
			U_FAILURE(status) || fold[0] != in[0])
			eng->hangul_plain = false;
	}
}

/* ------------------------------------------------------------------------
 * Normalization and clean-up
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

/*
 * A text made only of stable code points (valid UTF-8): decoded and
 * cleaned from the table into out (len + 1 units), which is what ICU's
 * conversion, NFKC (a no-op then) and clean_utf16 make of it.  False at the
 * first other code point.
 */
static bool
stable_utf16(SentEngine *eng, const char *text, size_t len, UChar *out,
			 int32_t *nout)
{
	const unsigned char *t = (const unsigned char *) text;
	const uint16_t *clean = eng->clean16;
	size_t		i = 0;
	int32_t		o = 0;

	while (i < len)
	{
		unsigned char b = t[i];
		uint32_t	cp;
		uint16_t	u;

		if (b < 0x80)
			cp = b, i++;
		else if (b >= 0xC2 && b < 0xE0 && i + 1 < len && (t[i + 1] & 0xC0) == 0x80)
		{
			cp = ((uint32_t) (b & 0x1F) << 6) | (t[i + 1] & 0x3F);
			i += 2;
		}
		else if (b >= 0xEA && b <= 0xED && i + 2 < len &&
				 (t[i + 1] & 0xC0) == 0x80 && (t[i + 2] & 0xC0) == 0x80)
		{
			cp = ((uint32_t) (b & 0x0F) << 12) |
				((uint32_t) (t[i + 1] & 0x3F) << 6) | (t[i + 2] & 0x3F);
			if (!eng->hangul_stable || cp < 0xAC00 || cp > 0xD7A3)
				return false;
			out[o++] = (UChar) cp;
			i += 3;
			continue;
		}
		else
			return false;
		u = clean[cp];
		if (u == SENT_CLEAN_NONE)
			return false;
		if (u != SENT_CLEAN_DROP)
			out[o++] = u;
	}
	*nout = o;
	return true;
}

/*
 * The text of a non-ASCII message as the word breakers read it: UTF-16,
 * NFKC, cleaned (above), in the arena.  NULL when ICU fails.  Texts of
 * stable code points (Latin, Greek, Cyrillic, Arabic, Hangul syllables)
 * are decoded from the table; others, and with icu_only set, by ICU.
 */
UChar *
sent_normalize_utf16(SentEngine *eng, SentArena *arena, const char *text,
					 size_t len, int32_t *nout)
{
	UErrorCode	status = U_ZERO_ERROR;
	UChar	   *u16;
	int32_t		n16;
	UChar	   *norm;
	int32_t		nnorm;
	int32_t		cap;

	u16 = sent_arena_alloc(arena, (len + 1) * sizeof(UChar));
	if (!eng->icu_only && stable_utf16(eng, text, len, u16, nout))
		return u16;
	u_strFromUTF8WithSub(u16, (int32_t) len + 1, &n16, text, (int32_t) len,
						 0xFFFD, NULL, &status);
	if (U_FAILURE(status))
		return NULL;

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
		norm = sent_arena_alloc(arena, cap * sizeof(UChar));
		nnorm = unorm2_normalize(eng->nfkc, u16, n16, norm, cap, &status);
		if (status == U_BUFFER_OVERFLOW_ERROR)
		{
			cap = nnorm + 1;
			norm = sent_arena_alloc(arena, cap * sizeof(UChar));
			status = U_ZERO_ERROR;
			nnorm = unorm2_normalize(eng->nfkc, u16, n16, norm, cap, &status);
		}
		if (U_FAILURE(status))
			return NULL;
	}
	*nout = clean_utf16(norm, nnorm);
	return norm;
}
