/*-------------------------------------------------------------------------
 *
 * detect.c
 *	  Language detection for the rule scorer.
 *
 * The dominant script of the letters decides first (Hangul -> ko, Arabic
 * -> ar, ...); among the languages sharing a script (Latin), stop words
 * and lexicon words of each language, tell-tale letters (ñ, ã, ø, ß ...)
 * and word endings (-ción, -zione ...) are evidence.  When the evidence is
 * thin the message is scored with every lexicon of that script, best
 * evidence first.
 *
 *-------------------------------------------------------------------------
 */
#include "scorer.h"

#include <string.h>

static const struct
{
	SentScript	script;
	const char *code;
}			script_default[] = {
	{SS_HANGUL, "ko"}, {SS_ARABIC, "ar"}, {SS_HAN, "zh"}, {SS_KANA, "ja"},
	{SS_CYRILLIC, "ru"}, {SS_GREEK, "el"}, {SS_HEBREW, "he"}, {SS_THAI, "th"},
	{SS_DEVANAGARI, "hi"}
};

/* ------------------------------------------------------------------------
 * Language detection
 * ------------------------------------------------------------------------
 */
void
sent_detect(ScoreCtx *c, const char *hint)
{
	const SentLexicon *lex = c->lex;
	SentTokens *toks = c->toks;
	SentResult *res = c->res;
	int			best_script = SS_NONE;
	int			s,
				i,
				l;
	float		ev[SENT_MAX_LANGS];
	uint32_t	m;

	c->ncand = 0;
	strcpy(res->language, "und");
	res->unsure = false;

	if (hint && *hint)
	{
		l = sent_lexicon_find_lang(lex, hint);
		if (l >= 0 && !lex->langs[l].universal)
		{
			c->cand[c->ncand++] = l;
			strcpy(res->language, lex->langs[l].code);
			c->lang = l;
			return;
		}
	}
	for (s = SS_LATIN; s < SS_NSCRIPTS; s++)
		if (toks->script_count[s] > toks->script_count[best_script])
			best_script = s;
	if (best_script == SS_NONE)
		return;

	memset(ev, 0, sizeof(ev));
	for (l = 0; l < lex->nlangs; l++)
		if (!lex->langs[l].universal && (int) lex->langs[l].script == best_script)
		{
			c->cand[c->ncand++] = l;
			ev[l] = toks->hint[l] + lex->prior[l];
		}
	if (c->ncand == 0)
	{
		for (i = 0; i < (int) (sizeof(script_default) / sizeof(script_default[0])); i++)
			if ((int) script_default[i].script == best_script)
				strcpy(res->language, script_default[i].code);
		return;
	}
	if (c->ncand == 1)
	{
		strcpy(res->language, lex->langs[c->cand[0]].code);
		c->lang = c->cand[0];
		return;
	}
	for (i = 0; i < toks->ntok; i++)
	{
		const SentTok *t = &toks->tok[i];
		const SentInfo *info;

		if (t->script != best_script)
			continue;
		/* only the endings with the word's last byte, in index order */
		for (m = t->len > 0 ? lex->ending_by_last[(unsigned char) t->s[t->len - 1]] : 0;
			 m != 0; m &= m - 1)
		{
			int			el;

#if defined(__GNUC__)
			l = __builtin_ctz(m);
#else
			for (l = 0; !(m & ((uint32_t) 1 << l)); l++)
				;
#endif
			el = lex->endings[l].len;
			if ((int) t->len > el + 1 &&
				memcmp(t->s + t->len - el, lex->endings[l].sfx, el) == 0)
				ev[lex->endings[l].lang] += lex->endings[l].weight;
		}
		if (t->entry == NULL)
			continue;
		for (info = t->entry->info; info; info = info->next)
		{
			if (info->flags & SF_STOP)
				ev[info->lang] += 1.0f;
			else if (info->flags & ~SF_PHRASEHEAD)
				ev[info->lang] += 0.5f;
		}
	}
	/* order candidates by evidence (insertion sort, few languages) */
	for (i = 1; i < c->ncand; i++)
	{
		int			x = c->cand[i];
		int			j;

		for (j = i - 1; j >= 0 && ev[c->cand[j]] < ev[x]; j--)
			c->cand[j + 1] = c->cand[j];
		c->cand[j + 1] = x;
	}
	if (ev[c->cand[0]] >= 0.5f)
	{
		strcpy(res->language, lex->langs[c->cand[0]].code);
		c->lang = c->cand[0];
	}
	if (ev[c->cand[0]] >= 1.5f && ev[c->cand[0]] - ev[c->cand[1]] >= 1.0f)
		c->ncand = 1;			/* sure */
	else
		res->unsure = true;
}
