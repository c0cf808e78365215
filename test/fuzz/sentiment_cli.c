/*-------------------------------------------------------------------------
 *
 * sentiment_cli.c
 *	  Standalone driver of the sentiment engine (no server): scores the
 *	  texts given as arguments (or lines of stdin) with the lexicon files,
 *	  or, with -e DIR, evaluates the labeled development set DIR/<lang>.tsv
 *	  ("neg|neu|pos<TAB>text" lines) and prints macro-F1 per language.
 *	  The authoritative figures come from SQL (bench/sentiment_eval.sh);
 *	  this tool is for quick iteration on lexicons and rules.
 *
 *	  usage: sentiment_cli -l data/lexicon [-e bench/sentiment-dev] [-v] [text...]
 *
 *-------------------------------------------------------------------------
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sent_load.h"

static int	verbose = 0;

static int
label3(SentLevel lv)
{
	return lv < SENT_NEUTRAL ? 0 : lv == SENT_NEUTRAL ? 1 : 2;
}

static void
show(SentEngine *eng, SentLexicon *lex, const char *text)
{
	SentResult	r;
	int			i;

	sent_analyze(eng, lex, text, strlen(text), NULL, true, false, &r);
	printf("%+.3f %-17s %-3s%s%s | %s\n", r.score, sent_level_names[r.level],
		   r.language, r.unsure ? "?" : "", r.profane ? " PROFANE" : "", text);
	for (i = 0; verbose && i < r.nhits; i++)
		printf("      %s [%s] %.2f -> %.2f rules=%x by=%s\n", r.hits[i].term,
			   sent_lexicon_lang(lex, r.hits[i].lang), r.hits[i].base,
			   r.hits[i].final, r.hits[i].rules,
			   r.hits[i].modifier ? r.hits[i].modifier : "");
	sent_result_free(eng, &r);
}

static void
evaluate(SentEngine *eng, SentLexicon *lex, const char *dir)
{
	DIR		   *d = opendir(dir);
	struct dirent *de;
	char		names[64][32];
	int			nn = 0,
				k;

	if (!d)
	{
		perror(dir);
		exit(1);
	}
	while ((de = readdir(d)) != NULL && nn < 64)
		if (strlen(de->d_name) > 4 && strlen(de->d_name) < 32 &&
			strcmp(de->d_name + strlen(de->d_name) - 4, ".tsv") == 0)
			strcpy(names[nn++], de->d_name);
	closedir(d);
	qsort(names, nn, 32, (int (*) (const void *, const void *)) strcmp);
	for (k = 0; k < nn; k++)
	{
		char		path[4096],
					line[8192];
		FILE	   *f;
		int			conf[3][3] = {{0}};
		int			n = 0,
					langok = 0,
					c;
		double		f1sum = 0;
		char		lang[16];

		snprintf(path, sizeof(path), "%s/%s", dir, names[k]);
		snprintf(lang, sizeof(lang), "%.*s", (int) strlen(names[k]) - 4, names[k]);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f))
		{
			char	   *tab = strchr(line, '\t');
			int			gold;
			SentResult	r;
			size_t		l = strlen(line);

			while (l && (line[l - 1] == '\n' || line[l - 1] == '\r'))
				line[--l] = '\0';
			if (!tab || line[0] == '#')
				continue;
			*tab = '\0';
			gold = strcmp(line, "neg") == 0 ? 0 : strcmp(line, "neu") == 0 ? 1 : 2;
			sent_analyze(eng, lex, tab + 1, strlen(tab + 1), NULL, true, false, &r);
			conf[gold][label3(r.level)]++;
			langok += strcmp(r.language, lang) == 0;
			if (verbose && gold != label3(r.level))
				printf("  MISS %s gold=%s got=%+.2f %s [%s] %s\n", lang, line, r.score,
					   sent_level_names[r.level], r.language, tab + 1);
			sent_result_free(eng, &r);
			n++;
		}
		if (f)
			fclose(f);
		for (c = 0; c < 3; c++)
		{
			int			tp = conf[c][c],
						fp = 0,
						fn = 0,
						o;
			double		p,
						rc;

			for (o = 0; o < 3; o++)
				if (o != c)
				{
					fp += conf[o][c];
					fn += conf[c][o];
				}
			p = tp + fp ? (double) tp / (tp + fp) : 0;
			rc = tp + fn ? (double) tp / (tp + fn) : 0;
			f1sum += p + rc > 0 ? 2 * p * rc / (p + rc) : 0;
		}
		printf("%-4s n=%-4d macroF1=%.3f  language=%.0f%%\n", lang, n, f1sum / 3,
			   n ? 100.0 * langok / n : 0);
	}
}

int
main(int argc, char **argv)
{
	const char *lexdir = "data/lexicon";
	const char *evaldir = NULL;
	char		err[256];
	SentEngine *eng;
	SentLexicon *lex;
	int			i;

	for (i = 1; i < argc; i++)
	{
		if (strcmp(argv[i], "-l") == 0 && i + 1 < argc)
			lexdir = argv[++i];
		else if (strcmp(argv[i], "-e") == 0 && i + 1 < argc)
			evaldir = argv[++i];
		else if (strcmp(argv[i], "-v") == 0)
			verbose = 1;
		else
			break;
	}
	eng = sent_engine_new(&sl_allocator, err, sizeof(err));
	if (!eng)
	{
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	lex = sent_lexicon_new(&sl_allocator, eng);
	if (sl_load_dir(lex, lexdir, 1) < 0)
	{
		perror(lexdir);
		return 1;
	}
	sl_load_models(lex, getenv("SENT_MODEL_DIR") ? getenv("SENT_MODEL_DIR") : "data/model", 0);
	if (getenv("SENT_MODE"))
	{
		int			m;

		for (m = 0; m < 3; m++)
			if (strcmp(getenv("SENT_MODE"), sent_mode_names[m]) == 0)
				sent_lexicon_set_mode(lex, (SentMode) m);
	}
	sent_lexicon_finalize(lex);
	if (evaldir)
		evaluate(eng, lex, evaldir);
	else if (i < argc)
		for (; i < argc; i++)
			show(eng, lex, argv[i]);
	else
	{
		char		line[65536];

		while (fgets(line, sizeof(line), stdin))
		{
			line[strcspn(line, "\n")] = '\0';
			show(eng, lex, line);
		}
	}
	sent_lexicon_free(lex);
	sent_engine_free(eng);
	return 0;
}
