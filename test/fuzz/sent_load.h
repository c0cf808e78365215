/*-------------------------------------------------------------------------
 *
 * sent_load.h
 *	  Standalone (no PostgreSQL) helpers for the test tools: a malloc
 *	  allocator and a loader that reads data/lexicon/<lang>.tsv straight
 *	  into a SentLexicon, with the kind aliases of lexicon2sql.awk.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SENT_LOAD_H
#define SENT_LOAD_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sentiment.h"

static void *
sl_alloc(void *arg, size_t size)
{
	void	   *p = malloc(size ? size : 1);

	(void) arg;
	if (p == NULL)
		abort();
	return p;
}

static void
sl_free(void *arg, void *p)
{
	(void) arg;
	free(p);
}

static const SentAlloc sl_allocator = {sl_alloc, sl_free, NULL};

static const char *
sl_kind(const char *k)
{
	static const char *const alias[][2] = {
		{"v", "valence"}, {"neg", "negator"}, {"negpost", "negator_post"},
		{"int", "intensifier"}, {"dim", "diminisher"}, {"but", "contrast"},
		{"butsfx", "contrast_suffix"}, {"stop", "stopword"}, {"sfx", "suffix"},
		{"pfx", "prefix"}, {"prof", "profanity"}
	};
	size_t		i;

	for (i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
		if (strcmp(k, alias[i][0]) == 0)
			return alias[i][1];
	return k;
}

/* load every <lang>.tsv of dir; returns rows loaded, -1 on error */
static int
sl_load_dir(SentLexicon *lex, const char *dir, int verbose)
{
	DIR		   *d = opendir(dir);
	struct dirent *de;
	int			rows = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
	{
		char		path[1024];
		char		lang[16];
		char		line[4096];
		size_t		n = strlen(de->d_name);
		FILE	   *f;

		if (n < 5 || n - 4 >= sizeof(lang) || strcmp(de->d_name + n - 4, ".tsv") != 0)
			continue;
		memcpy(lang, de->d_name, n - 4);
		lang[n - 4] = '\0';
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		while (fgets(line, sizeof(line), f))
		{
			char	   *kind = line,
					   *term,
					   *val;
			const char *err;
			double		v = 0;
			size_t		l = strlen(line);

			while (l > 0 && (line[l - 1] == '\n' || line[l - 1] == '\r'))
				line[--l] = '\0';
			if (line[0] == '#' || line[0] == '\0')
				continue;
			term = strchr(kind, '\t');
			if (term == NULL)
				continue;
			*term++ = '\0';
			val = strchr(term, '\t');
			if (val)
			{
				*val++ = '\0';
				v = atof(val);
			}
			else if (strcmp(kind, "prof") == 0 || strcmp(kind, "profanity") == 0)
				v = 2;
			err = sent_lexicon_add(lex, lang, sl_kind(kind), term, v, false);
			if (err && verbose)
				fprintf(stderr, "%s: %s %s: %s\n", path, kind, term, err);
			rows++;
		}
		fclose(f);
	}
	closedir(d);
	return rows;
}

/* add every <lang>.osm model of dir; returns models loaded, -1 on error */
static int
sl_load_models(SentLexicon *lex, const char *dir, int verbose)
{
	DIR		   *d = opendir(dir);
	struct dirent *de;
	int			n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
	{
		char		path[1024];
		char		lang[16];
		size_t		nl = strlen(de->d_name);
		FILE	   *f;
		long		sz;
		char	   *buf;
		const char *err;

		if (nl < 5 || nl - 4 >= sizeof(lang) || strcmp(de->d_name + nl - 4, ".osm") != 0)
			continue;
		memcpy(lang, de->d_name, nl - 4);
		lang[nl - 4] = '\0';
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if ((f = fopen(path, "rb")) == NULL)
			continue;
		fseek(f, 0, SEEK_END);
		sz = ftell(f);
		fseek(f, 0, SEEK_SET);
		buf = malloc(sz > 0 ? sz : 1);
		if (sz > 0 && fread(buf, 1, sz, f) == (size_t) sz &&
			(err = sent_lexicon_add_model(lex, lang, buf, sz, false)) == NULL)
			n++;
		else if (verbose)
			fprintf(stderr, "%s: not loaded\n", path);
		free(buf);
		fclose(f);
	}
	closedir(d);
	return n;
}

#endif
