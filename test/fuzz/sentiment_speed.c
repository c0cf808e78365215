/*-------------------------------------------------------------------------
 *
 * sentiment_speed.c
 *	  Fixed workload for instruction counts (test/fuzz/speed.sh): loads the
 *	  lexicons (and, when built with -DMODELS, the models of data/model and
 *	  the mode of $SENT_MODE), then scores every line of FILE REPS times the
 *	  way omni.sentiment does (no hint, no evidence).  With $PRINT set it
 *	  prints each result (score as a hex float, level, language, profane):
 *	  two builds that print the same bytes score to the same bit.
 *	  Builds against the 0.1.0 engine too (no models there).
 *
 *	  usage: sentiment_speed FILE [REPS [LEXICON_DIR]]
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sent_load.h"

int
main(int argc, char **argv)
{
	char		err[256];
	static char line[65536];
	SentEngine *eng;
	SentLexicon *lex;
	FILE	   *f;
	int			reps = argc > 2 ? atoi(argv[2]) : 1,
				r,
				n = 0,
				cap = 1024,
				i;
	char	  **lines = malloc(sizeof(char *) * cap);
	double		sum = 0;
	bool		print = getenv("PRINT") != NULL;

	if (argc < 2 || (f = fopen(argv[1], "r")) == NULL)
	{
		fprintf(stderr, "usage: sentiment_speed FILE [REPS [LEXICON_DIR]]\n");
		return 1;
	}
	eng = sent_engine_new(&sl_allocator, err, sizeof(err));
	if (eng == NULL)
	{
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	lex = sent_lexicon_new(&sl_allocator, eng);
	if (sl_load_dir(lex, argc > 3 ? argv[3] : "data/lexicon", 0) <= 0)
	{
		fprintf(stderr, "no lexicon loaded (run from the repository root)\n");
		return 1;
	}
#ifdef MODELS
	sl_load_models(lex, "data/model", 0);
	if (getenv("SENT_MODE"))
		for (i = 0; i < 3; i++)
			if (strcmp(getenv("SENT_MODE"), sent_mode_names[i]) == 0)
				sent_lexicon_set_mode(lex, (SentMode) i);
#endif
	sent_lexicon_finalize(lex);
	while (fgets(line, sizeof(line), f))
	{
		line[strcspn(line, "\n")] = '\0';
		if (n == cap)
			lines = realloc(lines, sizeof(char *) * (cap *= 2));
		lines[n++] = strdup(line);
	}
	fclose(f);
	for (r = 0; r < reps; r++)
		for (i = 0; i < n; i++)
		{
			SentResult	res;

			sent_analyze(eng, lex, lines[i], strlen(lines[i]), NULL, false, false, &res);
			if (print)
				printf("%a %d %s %d\n", res.score, (int) res.level, res.language,
					   (int) res.profane);
			sum += res.score;
			sent_result_free(eng, &res);
		}
	fprintf(stderr, "messages=%d sum=%.17g\n", n * reps, sum);
	return 0;
}
