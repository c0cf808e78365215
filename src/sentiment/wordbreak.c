/*-------------------------------------------------------------------------
 *
 * wordbreak.c
 *	  Where the words of a message start and end.
 *
 * Three word breakers, one result each:
 *
 * - Pure ASCII text (the common case) takes a byte loop with the engine's
 *   own rules for ASCII letters, digits, "'" and ".", at a fraction of
 *   ICU's cost (unchanged since 0.1.0).
 * - Other text is broken by ICU's word-break iterator (UAX #29, with
 *   dictionaries for Thai and CJK) when it holds a code point whose rules
 *   are special (marks, format characters, Hebrew, Katakana, Han, Thai,
 *   regional indicators ...); otherwise
 * - a hand-written breaker applies the same rules (ICU 72's root word
 *   rules restricted to letters, Hangul syllables, digits, "_", the
 *   MidLetter / MidNumLet / MidNum punctuation, spaces, line breaks and
 *   everything that breaks on both sides), reading the classes from the
 *   engine's code-point table instead of running ICU's state machine: the
 *   Latin, Greek, Cyrillic, Arabic and Korean messages of the mix.  It
 *   gives exactly ICU's words: test/fuzz/ compares both on every fuzz
 *   input, the development and out-of-domain sets and generated messages
 *   (docs/sentiment.md, "Speed").
 *
 * Both non-ASCII breakers hand their segments to one function, so a
 * segment becomes the same token whichever breaker found it.
 *
 *-------------------------------------------------------------------------
 */
#include "tokenizer.h"

#include <string.h>

#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/utf16.h>

/* ------------------------------------------------------------------------
 * ASCII text: a byte loop
 * ------------------------------------------------------------------------
 */
static inline bool
is_alnum(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		(ch >= '0' && ch <= '9') || ch == '_';
}

void
sent_break_ascii(TokCtx *c, const char *text, size_t len)
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
			sent_emit_word(c, buf, j - i, flags, (upper + lower) ? SS_LATIN : SS_NONE,
					  (int) (j - i));
			i = j;
		}
		else
		{
			size_t		j = i;

			while (j < len && (unsigned char) text[j] > ' ' &&
				   text[j] != 0x7F && !is_alnum((unsigned char) text[j]))
				j++;
			sent_emit_symbol(c, text + i, j - i);
			i = j;
		}
	}
	if (c->pending_break)
		sent_emit_symbol(c, NULL, 0);
}

/* ------------------------------------------------------------------------
 * Segments to tokens (both non-ASCII breakers)
 * ------------------------------------------------------------------------
 */
typedef struct SegRun
{
	int32_t		symstart;		/* pending run of symbol segments, -1: none */
	int32_t		symend;
} SegRun;

/*
 * One segment [prev, pos) of s: a word when it holds a letter or digit,
 * space when it holds only white space, else a symbol; symbol segments
 * without space between form one run.
 */
static void
take_segment(SentEngine *eng, TokCtx *c, const UChar *s, int32_t prev,
			 int32_t pos, SegRun *run)
{
	const SentCpInfo *tab = eng->cpinfo;
	int32_t		i = prev;
	bool		space = true,
				word = false;

	while (i < pos)
	{
		UChar32		cp;
		bool		alnum,
					white;

		U16_NEXT(s, i, pos, cp);
		if (cp < SENT_CPI_MAX)
		{
			alnum = (tab[cp].flags & CPI_ALNUM) != 0;
			white = (tab[cp].flags & CPI_SPACE) != 0;
		}
		else if (eng->hangul_plain && cp >= 0xAC00 && cp <= 0xD7A3)
		{
			alnum = true;
			white = false;
		}
		else
		{
			alnum = u_isalnum(cp);
			white = u_isUWhiteSpace(cp);
		}
		if (alnum)
		{
			word = true;
			space = false;
			break;
		}
		if (!white)
			space = false;
		else if (cp == '\n')
			c->pending_break = true;
	}
	if (!word && !space)
	{
		if (run->symstart < 0)
			run->symstart = prev;
		run->symend = pos;
		return;
	}
	if (run->symstart >= 0)
	{
		sent_emit_symbol_utf16(c, s + run->symstart, run->symend - run->symstart);
		run->symstart = -1;
	}
	if (space)
		c->pending = TF_SPACE_BEFORE;
	else
		sent_emit_word_utf16(eng, c, s + prev, pos - prev);
}

static void
finish_segments(TokCtx *c, const UChar *s, SegRun *run)
{
	if (run->symstart >= 0 && !c->full)
		sent_emit_symbol_utf16(c, s + run->symstart, run->symend - run->symstart);
	if (c->pending_break)
		sent_emit_symbol(c, NULL, 0);
}

/* ------------------------------------------------------------------------
 * The hand-written breaker
 * ------------------------------------------------------------------------
 */
#define SWB_TRAIL	15			/* second unit of a surrogate pair */
#define SWB_N		16			/* classes, SWB_TRAIL included */

#define WB_BIT(k)	(1u << (k))
#define WB_ALNUM	(WB_BIT(SWB_LETTER) | WB_BIT(SWB_NUMERIC))
#define WB_MIDLET	(WB_BIT(SWB_MIDLETTER) | WB_BIT(SWB_MIDNUMLET))
#define WB_MIDNUM	(WB_BIT(SWB_MIDNUM) | WB_BIT(SWB_MIDNUMLET))

/*
 * ICU's word rules between a and b, p before a and n after b (SWB_UNSAFE
 * at the ends of the text): true when a and b are in the same segment.
 * Chaining, as ICU's rules chain: "a.b.c" and "1,000.5" are one word.
 * A supplementary code point is always SWB_OTHER, so its two units stay
 * together and it breaks on both sides.
 */
static inline bool
joined(uint8_t p, uint8_t a, uint8_t b, uint8_t n)
{
	uint32_t	ab = WB_BIT(b);	/* SWB_TRAIL is in no mask */
	uint32_t	aa = WB_BIT(a);

	if ((aa & WB_ALNUM) && (ab & WB_ALNUM))	/* WB5, WB8, WB9, WB10 */
		return true;
	if (b == SWB_TRAIL)			/* inside a surrogate pair */
		return true;
	if (a == SWB_SPACE)			/* WB3d */
		return b == SWB_SPACE;
	if (a == SWB_HANGUL)		/* ICU: Hangul syllables chain alone */
		return b == SWB_HANGUL;
	if (b == SWB_EXTENDNUMLET)	/* WB13a */
		return (aa & (WB_ALNUM | WB_BIT(SWB_EXTENDNUMLET))) != 0;
	if (a == SWB_EXTENDNUMLET)	/* WB13b */
		return (ab & WB_ALNUM) != 0;
	if (a == SWB_LETTER && (ab & WB_MIDLET))	/* WB6 */
		return n == SWB_LETTER;
	if ((aa & WB_MIDLET) && b == SWB_LETTER && p == SWB_LETTER)	/* WB7 */
		return true;
	if (a == SWB_NUMERIC && (ab & WB_MIDNUM))	/* WB12 */
		return n == SWB_NUMERIC;
	if ((aa & WB_MIDNUM) && b == SWB_NUMERIC && p == SWB_NUMERIC)	/* WB11 */
		return true;
	return false;				/* WB3a, WB3b, WB999 */
}

/*
 * joined() of each pair of classes when its neighbours do not matter (0
 * or 1), else 2: one load per code point in the common case.  Built once
 * per process from joined() itself.
 */
static uint8_t pair_joined[SWB_N][SWB_N];
static bool pair_ready = false;

static void
build_pairs(void)
{
	int			a,
				b,
				p,
				n;

	for (a = 0; a < SWB_N; a++)
		for (b = 0; b < SWB_N; b++)
		{
			bool		first = joined(0, a, b, 0);
			uint8_t		v = first;

			for (p = 0; p < SWB_N && v != 2; p++)
				for (n = 0; n < SWB_N; n++)
					if (joined(p, a, b, n) != first)
					{
						v = 2;
						break;
					}
			pair_joined[a][b] = v;
		}
	pair_ready = true;
}

/*
 * Breaks s when every code point has a class (else returns false before
 * emitting anything, and ICU breaks the text).
 */
static bool
break_by_table(SentEngine *eng, TokCtx *c, const UChar *s, int32_t len)
{
	const SentCpInfo *tab = eng->cpinfo;
	uint8_t    *cls;
	int32_t		i,
				start;
	uint8_t		p,
				a;
	SegRun		run = {-1, -1};

	if (len == 0)
		return false;
	if (!pair_ready)
		build_pairs();
	cls = sent_arena_alloc(c->arena, len + 1);
	for (i = 0; i < len; i++)
	{
		UChar		u = s[i];
		uint8_t		k;

		if (u < SENT_CPI_MAX)
			k = tab[u].wb;
		else if (u >= 0xAC00 && u <= 0xD7A3)
			k = SWB_HANGUL;
		else if (U16_IS_LEAD(u) && i + 1 < len && U16_IS_TRAIL(s[i + 1]))
		{
			if (sent_wb_class(U16_GET_SUPPLEMENTARY(u, s[i + 1])) != SWB_OTHER)
				return false;
			cls[i++] = SWB_OTHER;
			k = SWB_TRAIL;
		}
		else if (U16_IS_SURROGATE(u))
			k = SWB_UNSAFE;
		else
			k = (uint8_t) sent_wb_class(u);
		if (k == SWB_UNSAFE)
			return false;
		cls[i] = k;
	}
	cls[len] = SWB_UNSAFE;		/* "n" after the last code point */

	start = 0;
	p = SWB_UNSAFE;
	a = cls[0];
	for (i = 1; i < len; i++)
	{
		uint8_t		b = cls[i];
		uint8_t		v = pair_joined[a][b];

		if (v == 2)
			v = joined(p, a, b, cls[i + 1]);
		if (!v)
		{
			take_segment(eng, c, s, start, i, &run);
			start = i;
			if (c->full)
				break;
		}
		p = a;
		a = b;
	}
	if (!c->full)
		take_segment(eng, c, s, start, len, &run);
	finish_segments(c, s, &run);
	return true;
}

/* ------------------------------------------------------------------------
 * ICU's break iterator
 * ------------------------------------------------------------------------
 */
static void
break_by_icu(SentEngine *eng, TokCtx *c, const UChar *s, int32_t len)
{
	UErrorCode	status = U_ZERO_ERROR;
	int32_t		prev,
				pos;
	SegRun		run = {-1, -1};

	ubrk_setText(eng->brk, s, len, &status);
	if (U_FAILURE(status))
		return;
	prev = ubrk_first(eng->brk);
	for (pos = ubrk_next(eng->brk); pos != UBRK_DONE && !c->full;
		 prev = pos, pos = ubrk_next(eng->brk))
		take_segment(eng, c, s, prev, pos, &run);
	finish_segments(c, s, &run);
	/* do not keep a pointer to the scratch buffer in the iterator */
	status = U_ZERO_ERROR;
	ubrk_setText(eng->brk, NULL, 0, &status);
}

/* Non-ASCII text, normalized (normalize.c) */
void
sent_break_utf16(SentEngine *eng, TokCtx *c, const UChar *s, int32_t len)
{
	if (!eng->icu_only && break_by_table(eng, c, s, len))
		return;
	break_by_icu(eng, c, s, len);
}
