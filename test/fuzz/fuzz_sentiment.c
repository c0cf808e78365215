/*-------------------------------------------------------------------------
 *
 * fuzz_sentiment.c
 *	  libFuzzer harness for the sentiment tokenizer and scorer: every input
 *	  is scored with and without a language hint, with evidence, and for
 *	  language detection only.  Built with clang -fsanitize=fuzzer,address,
 *	  undefined by test/fuzz/run.sh; the lexicon is the shipped data.
 *
 *-------------------------------------------------------------------------
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sent_load.h"

static SentEngine *eng;
static SentLexicon *lex;

int			LLVMFuzzerInitialize(int *argc, char ***argv);
int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char		err[256];
	const char *dir = getenv("SENT_LEXICON_DIR");

	(void) argc;
	(void) argv;
	eng = sent_engine_new(&sl_allocator, err, sizeof(err));
	if (eng == NULL)
	{
		fprintf(stderr, "%s\n", err);
		abort();
	}
	lex = sent_lexicon_new(&sl_allocator, eng);
	if (sl_load_dir(lex, dir ? dir : "data/lexicon", 0) <= 0)
	{
		fprintf(stderr, "no lexicon found (set SENT_LEXICON_DIR)\n");
		abort();
	}
	/* hostile lexicon rows must be rejected or absorbed, never crash */
	sent_lexicon_add(lex, "en", "valence", "\xF0\x9F\x98\xA1\xE2\x80\x8D", 2, true);
	sent_lexicon_add(lex, "x", "valence", "a", 1, true);
	sent_lexicon_add(lex, "en", "nonsense", "a", 1, true);
	sent_lexicon_finalize(lex);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const hints[] = {NULL, "en", "ko", "ar", "de", "zz-ZZ"};
	SentResult	r;

	sent_analyze(eng, lex, (const char *) data, size, hints[size % 6],
				 (size & 1) != 0, false, &r);
	if (!(r.score >= -1.0 && r.score <= 1.0) || (int) r.level < 0 ||
		r.level >= SENT_NLEVELS || r.nhits > SENT_MAX_HITS)
		abort();
	if (r.profane && r.level > SENT_NEGATIVE)
		abort();
	sent_result_free(eng, &r);
	sent_analyze(eng, lex, (const char *) data, size, NULL, false, true, &r);
	sent_result_free(eng, &r);
	return 0;
}
