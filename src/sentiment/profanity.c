/*-------------------------------------------------------------------------
 *
 * profanity.c
 *	  Profanity for the rule scorer: recording a profane term, loan
 *	  swearing of other languages, and obfuscated profanity (f*ck, f**k,
 *	  a**hole by masked matching; sh1t, $hit, @ss by leetspeak; f-u-c-k,
 *	  f u c k, fuuuck).  The caps it puts on the score are applied in
 *	  scorer.c.
 *
 *-------------------------------------------------------------------------
 */
#include "scorer.h"

#include <string.h>

/* ------------------------------------------------------------------------
 * Profane terms
 * ------------------------------------------------------------------------
 */
/* a severe-enough profanity of any language, for loan words */
const SentInfo *
sent_any_profanity(const SentEntry *e, int min_severity)
{
	const SentInfo *info;

	for (info = e ? e->info : NULL; info; info = info->next)
		if ((info->flags & SF_PROF) && info->severity >= min_severity)
			return info;
	return NULL;
}

void
sent_record_profanity(ScoreCtx *c, const SentInfo *info, int word, uint32_t rules)
{
	Item	   *it = sent_add_item(c);

	it->word = word;
	it->term = info->term;
	it->lang = info->lang;
	it->severity = info->severity;
	it->rules = rules | SR_PROFANE;
	it->base = (info->flags & SF_VALENCE) ? info->valence :
		(float) (-1.0 - 0.5 * info->severity);
	it->val = it->base;
	it->admin = (info->admin & (1u << SK_PROFANITY)) != 0;
	if (info->severity > c->severity)
		c->severity = info->severity;
}

/* ------------------------------------------------------------------------
 * Obfuscated profanity: f*ck, f**k, sh1t, $hit, @ss, f-u-c-k, f u c k
 * ------------------------------------------------------------------------
 */
static bool
wild_match(const char *pat, int plen, const char *term, int tlen)
{
	int			i;

	if (plen != tlen)
		return false;
	for (i = 0; i < plen; i++)
		if (pat[i] != '*' && pat[i] != term[i])
			return false;
	return true;
}

static void
check_obfuscated(ScoreCtx *c, const char *chunk, int len, int word)
{
	const SentLexicon *lex = c->lex;
	char		buf[64];
	int			o = 0,
				i,
				letters = 0,
				wild = 0;
	bool		changed = false;
	const SentEntry *e;
	const SentInfo *info = NULL;

	/* trim sentence punctuation around the chunk */
	while (len > 0 && strchr(".,!?;:\"'()[]", chunk[len - 1]))
		len--;
	while (len > 0 && strchr(".,?;:\"'()[]", chunk[0]))
	{
		chunk++;
		len--;
	}
	if (len < 3 || len >= (int) sizeof(buf))
		return;
	for (i = 0; i < len; i++)
	{
		unsigned char ch = (unsigned char) chunk[i];
		char		m = 0;

		switch (ch)
		{
			case '0': m = 'o'; break;
			case '1': m = 'i'; break;
			case '3': m = 'e'; break;
			case '4': m = 'a'; break;
			case '5': m = 's'; break;
			case '7': m = 't'; break;
			case '8': m = 'b'; break;
			case '@': m = 'a'; break;
			case '$': m = 's'; break;
			case '!': m = 'i'; break;
			case '|': m = 'l'; break;
			case '+': m = 't'; break;
			case '*':
			case '#':
			case '%':
				m = '*';
				wild++;
				changed = true;
				break;
			case '.':
			case '-':
			case '_':
			case '~':
			case '\'':
			case '^':
				changed = true;
				continue;
			default:
				if (ch >= 0x80 || (ch >= 'a' && ch <= 'z'))
				{
					m = (char) ch;
					letters++;
				}
				else
					return;		/* not an obfuscated word */
		}
		if (m != (char) ch)
			changed = true;
		buf[o++] = m;
	}
	buf[o] = '\0';
	if (!changed || o < 3 || letters == 0)
		return;
	if (wild == 0)
	{
		const char *alt = buf;
		char		one[64];

		e = sent_hash_find(&lex->forms, buf, o);
		if (e == NULL)
		{
			/* cut repeated letters: fuuuuck */
			int			k,
						n = 0;

			for (k = 0; k < o; k++)
				if (k == 0 || buf[k] != buf[k - 1])
					one[n++] = buf[k];
			one[n] = '\0';
			alt = one;
			e = sent_hash_find(&lex->forms, alt, n);
		}
		if (e == NULL)
			return;
		for (i = 0; i < c->ncand && info == NULL; i++)
		{
			info = sent_entry_info(e, c->cand[i]);
			if (info && !(info->flags & SF_PROF))
				info = NULL;
		}
		if (info == NULL)
			info = sent_any_profanity(e, 2);
		if (info)
			sent_record_profanity(c, info, word, SR_OBFUSCATED);
		return;
	}
	if (letters < 2)
		return;
	/* the message's languages first, in evidence order, then any */
	for (i = 0; i <= c->ncand; i++)
	{
		int			want = i < c->ncand ? c->cand[i] : -1;
		int			k;

		for (k = 0; k < lex->nprof; k++)
		{
			const SentProf *p = &lex->prof[k];
			const SentInfo *pi;

			if ((want >= 0 && p->lang != want) || !wild_match(buf, o, p->term, p->len))
				continue;
			e = sent_hash_find(&lex->forms, p->term, p->len);
			pi = sent_entry_info(e, p->lang);
			if (pi)
			{
				sent_record_profanity(c, pi, word, SR_OBFUSCATED);
				return;
			}
		}
	}
}

void
sent_scan_obfuscations(ScoreCtx *c)
{
	SentTokens *toks = c->toks;
	int			i = 0;
	int			word = 0;

	while (i < toks->ntok)
	{
		int			j = i + 1;
		bool		interesting;
		SentTok    *t = &toks->tok[i];

		while (j < toks->ntok && !(toks->tok[j].flags & TF_SPACE_BEFORE))
			j++;
		/* a group of tokens written without spaces */
		interesting = (j - i > 1) ||
			(t->type == TT_WORD && (t->flags & TF_DIGIT) && (t->flags & TF_ALPHA));
		if (interesting)
		{
			size_t		total = 0;
			int			k;

			for (k = i; k < j; k++)
				total += toks->tok[k].len;
			if (total < 64)
			{
				char		chunk[64];
				size_t		o = 0;
				int			nword = 0;

				for (k = i; k < j; k++)
				{
					memcpy(chunk + o, toks->tok[k].s, toks->tok[k].len);
					o += toks->tok[k].len;
					nword += toks->tok[k].type == TT_WORD;
				}
				/* word + punctuation ("great!") is not an obfuscation */
				if (nword >= 2 || (nword == 1 && (t->flags & TF_DIGIT)) ||
					(nword == 1 && t->type == TT_SYMBOL))
					check_obfuscated(c, chunk, (int) o, word);
			}
		}
		/* spaced letters: f u c k */
		if (t->type == TT_WORD && t->len == 1 && (t->flags & TF_ALPHA))
		{
			int			k = i;
			char		buf[32];
			int			n = 0;

			while (k < toks->ntok && n < 31 && toks->tok[k].type == TT_WORD &&
				   toks->tok[k].len == 1 && (toks->tok[k].flags & TF_SPACE_BEFORE))
				buf[n++] = toks->tok[k++].s[0];
			if (n >= 3)
			{
				const SentEntry *e = sent_hash_find(&c->lex->forms, buf, n);
				const SentInfo *info = sent_any_profanity(e, 1);

				if (info)
					sent_record_profanity(c, info, word, SR_OBFUSCATED);
				j = k > j ? k : j;
			}
		}
		for (; i < j; i++)
			word += toks->tok[i].type == TT_WORD;
	}
}
