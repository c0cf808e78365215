/*-------------------------------------------------------------------------
 *
 * wordbreak_check.c
 *	  Compares the hand-written word breaker with ICU's (wordbreak_check.h)
 *	  on every line of the files given (the development and out-of-domain
 *	  sets: test/fuzz/run.sh) and on N generated messages drawn from an
 *	  alphabet of the characters whose rules matter (letters of five
 *	  scripts, Hangul, digits, "'" "." "," ";" ":" "_" "@" "·", Arabic
 *	  punctuation and digits, typographic quotes, marks, format characters,
 *	  Hebrew, Katakana, Han, Thai, emoji, regional indicators, spaces and
 *	  line breaks; every other message without the code points that send
 *	  a text to ICU, so half of them take the table).  Deterministic.  Prints "word breakers agree on N
 *	  messages" or the first texts where they differ, and exits 1.
 *
 *	  usage: wordbreak_check N [FILE...]
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>

#include "sent_load.h"
#include "wordbreak_check.h"

static const char *const pieces[] = {
	"a", "b", "E", "Z", "0", "7", " ", "  ", "\n", "\r\n", "\t", ".", ",", ";", ":", "'", "_", "@",
	"-", "!", "?", "#", "\"", "(", "*", "$", "/",
	"é", "É", "ñ", "ç", "ß", "ü", "ø", "œ", "Æ", "·", "ª", "º", "¹", "½", "ﬁ", "İ", "ı", "ΐ",
	"Σ", "σ", "ς", "Ж", "ж", "ա", "և", "ا", "أ", "إ", "آ", "ى", "ة", "ـ", "٠", "١", "۱", "،",
	"؛", "٫", "٬", "ً", "좋", "아", "요", "않", "가", "힣", "\xed\x9e\xa4", "ㄱ", "\xe1\x84\x80",
	"\xcc\x81", "\xcc\x88", "\xe2\x80\x8b", "\xe2\x80\x8d", "\xc2\xad", "\xe2\x80\x99", "\xe2\x80\x98",
	"\xca\xbc", "\xef\xbc\x87", "\xe2\x80\x9c", "\xe2\x80\x9d", "\xe2\x80\x93", "\xe2\x80\x94",
	"\xe2\x80\xa6", "\xe2\x82\xac", "\xe2\x84\xa2", "\xf0\x9f\x98\x80", "\xf0\x9f\x91\x8d",
	"\xf0\x9f\x8f\xbb", "\xef\xb8\x8f", "\xc2\xa0",
	"\xe2\x80\xa8", "\xc2\x85", "\xe0\xa4\x95", "\xef\xbc\x9a",
	"\xef\xb9\x95", "\xe2\x80\xa4", "\xef\xbc\x8e", "\xcd\xbe", "\xce\x87", "\xd6\x89",
	"\xe2\x80\xa7", "\xe2\x80\xaf", "\xe2\x81\x84", "\xef\xb8\x90", "\xc2\xb5", "\xe1\xba\x9e",
	"\xef\xbf\xbd", "\xd9\xb1", "\xcd\x85", "\xd5\x87", "\xef\xb7\xba", "\xc2\xb2", "\xe2\x91\xa0",
	"\xe3\x80\x80", "\xc2\xa7", "\xdf\x80", "\xdf\xb8", "\xe0\xa5\xa6", "\xff", "\xc3",
	"good", "not", "très", "mañana", "schön", "nicht", "좋아요", "하지만", "جيد", "جدا", "لا",
	"l·l", "f*ck", "sooo", "f.u.c.k", "thanks.bye", "3.5", "1,000", "don't", "l'été",
	"user@mail.com", "co-op", "x_y", "HELLO", "ÇA",
	/* from here on: code points only ICU breaks (Thai, Han, Hiragana,
	 * Katakana, Hebrew, a spacing mark, regional indicators) */
	"\xe0\xb8\x81", "\xe4\xb8\x80", "\xe3\x81\x82", "\xe3\x82\xa2", "\xd7\x90",
	"\xd7\xb4", "\xd7\xb3", "\xe0\xa4\x83", "\xf0\x9f\x87\xaa", "\xf0\x9f\x87\xb8"
};
#define NPIECES ((int) (sizeof(pieces) / sizeof(pieces[0])))
#define NICU 10					/* the last NICU pieces */

int
main(int argc, char **argv)
{
	char		err[256] = "";
	static char line[65536];
	SentEngine *eng;
	SentLexicon *lex = NULL;
	long		n = argc > 1 ? atol(argv[1]) : 100000,
				checked = 0,
				bad = 0,
				i;
	int			a;
	unsigned int seed = 12345;

	/* the lexicon only gives the letter hints compared with the tokens */
	if ((eng = sent_engine_new(&sl_allocator, err, sizeof(err))) == NULL ||
		sl_load_dir(lex = sent_lexicon_new(&sl_allocator, eng), "data/lexicon", 0) <= 0)
	{
		fprintf(stderr, "wordbreak_check: no engine or no lexicon (run from the repository root) %s\n", err);
		return 1;
	}
	sent_lexicon_finalize(lex);
	for (a = 2; a < argc; a++)
	{
		FILE	   *f = fopen(argv[a], "r");

		if (f == NULL)
		{
			perror(argv[a]);
			return 1;
		}
		while (fgets(line, sizeof(line), f))
		{
			line[strcspn(line, "\n")] = '\0';
			checked++;
			if (!wb_same_tokens(eng, lex, &sl_allocator, line, strlen(line)) && ++bad >= 10)
				break;
		}
		fclose(f);
	}
	for (i = 0; i < n && bad < 10; i++)
	{
		size_t		len = 0;
		int			k,
					parts;

		seed = seed * 1103515245u + 12345u;
		parts = 1 + (seed >> 16) % 24;
		for (k = 0; k < parts; k++)
		{
			const char *p;

			seed = seed * 1103515245u + 12345u;
			/* every other message without the ICU-only pieces */
			p = pieces[(seed >> 8) % (i % 2 ? NPIECES : NPIECES - NICU)];
			memcpy(line + len, p, strlen(p));
			len += strlen(p);
		}
		checked++;
		if (!wb_same_tokens(eng, lex, &sl_allocator, line, len))
			bad++;
	}
	sent_lexicon_free(lex);
	sent_engine_free(eng);
	if (bad)
		printf("word breakers differ on %ld of %ld messages\n", bad, checked);
	else
		printf("word breakers agree on %ld messages\n", checked);
	return bad ? 1 : 0;
}
