/*-------------------------------------------------------------------------
 *
 * fuzz_sentiment.c
 *	  libFuzzer harness for the sentiment tokenizer and scorer: every input
 *	  is scored with and without a language hint, with evidence, and for
 *	  language detection only, in the three modes (rules, learned, both)
 *	  with the shipped models; the input also becomes the weights of a
 *	  small model (any bytes after a valid header: NaN, huge values) that
 *	  scores a fixed message.  Every input is also tokenized by both word
 *	  breakers of non-ASCII text (the hand-written one and ICU's), which
 *	  must give the same tokens (wordbreak_check.h).  Built with clang -fsanitize=fuzzer,address,
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
#include "wordbreak_check.h"

static SentEngine *eng;
static SentLexicon *lex;

int			LLVMFuzzerInitialize(int *argc, char ***argv);
int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char junk[204] = "XXXX";
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
	if (sl_load_models(lex, getenv("SENT_MODEL_DIR") ? getenv("SENT_MODEL_DIR") : "data/model", 0) <= 0)
	{
		fprintf(stderr, "no model found (set SENT_MODEL_DIR)\n");
		abort();
	}
	/* hostile models are rejected */
	if (sent_lexicon_add_model(lex, "en", "OSM1", 4, true) == NULL ||
		sent_lexicon_add_model(lex, "en", junk, sizeof(junk), true) == NULL)
		abort();
	sent_lexicon_finalize(lex);
	return 0;
}

/* the input as the weights of a 2^8-bucket model */
static void
fuzz_model(const uint8_t *data, size_t size)
{
	static uint8_t model[24 + 3 * (3 + 11 + 1) * 4 + 256 * 3];
	static const char *const texts[] = {
		"not bad at all, thanks!! :)", "\xed\x95\x98\xec\xa7\x80\xeb\xa7\x8c \xec\xa2\x8b\xec\x95\x84\xec\x9a\x94",
		"f*ck this, still waiting 2 weeks"
	};
	SentLexicon *l = sent_lexicon_new(&sl_allocator, eng);
	SentResult	r;
	size_t		n = size < sizeof(model) - 8 ? size : sizeof(model) - 8;
	int			i;

	memset(model, 0, sizeof(model));
	memcpy(model, "OSM1", 4);
	model[4] = 8;
	model[5] = 11;
	memcpy(model + 8, data, n);
	sent_lexicon_add(l, "en", "valence", "bad", -2, false);
	sent_lexicon_add(l, "en", "negator", "not", 0, false);
	sent_lexicon_add_model(l, (size & 2) ? "mul" : "en", model, sizeof(model), false);
	sent_lexicon_finalize(l);
	for (i = 0; i < 3; i++)
	{
		sent_lexicon_set_mode(l, (SentMode) i);
		sent_analyze(eng, l, texts[i], strlen(texts[i]), NULL, true, false, &r);
		if (!(r.score >= -1.0 && r.score <= 1.0) || r.nfeats > SENT_MAX_FEATS)
			abort();
		sent_result_free(eng, &r);
	}
	sent_lexicon_free(l);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const hints[] = {NULL, "en", "ko", "ar", "de", "zz-ZZ"};
	SentResult	r;

	if (!wb_same_tokens(eng, lex, &sl_allocator, (const char *) data, size))
		abort();
	sent_lexicon_set_mode(lex, (SentMode) (size % 3));
	if (size % 7 == 0)
		fuzz_model(data, size);

	sent_analyze(eng, lex, (const char *) data, size, hints[size % 6],
				 (size & 1) != 0, false, &r);
	if (!(r.score >= -1.0 && r.score <= 1.0) || (int) r.level < 0 ||
		r.level >= SENT_NLEVELS || r.nhits > SENT_MAX_HITS ||
		r.nfeats < 0 || r.nfeats > SENT_MAX_FEATS)
		abort();
	if (r.profane && r.level > SENT_NEGATIVE)
		abort();
	sent_result_free(eng, &r);
	sent_analyze(eng, lex, (const char *) data, size, NULL, false, true, &r);
	sent_result_free(eng, &r);
	return 0;
}
