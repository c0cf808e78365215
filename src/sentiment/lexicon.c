/*-------------------------------------------------------------------------
 *
 * lexicon.c
 *	  The sentiment lexicon in memory: an open-addressing hash table of
 *	  normalized word forms (each carrying what every language says about
 *	  it), a second one of stems for inflected look-ups, a third one of
 *	  emoji and emoticons, per-language affix lists and the level
 *	  thresholds.  Built once (per backend) from the lexicon rows, then
 *	  read-only.  Portable: no PostgreSQL server headers.
 *
 *-------------------------------------------------------------------------
 */
#include "sent_internal.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

#define MAX_SUFFIX	160
#define MAX_PREFIX	32
#define MAX_BUTSFX	16

const char *const sent_level_names[SENT_NLEVELS] = {
	"very_negative", "negative", "slightly_negative", "neutral",
	"slightly_positive", "positive", "very_positive"
};

const char *const sent_kind_names[SK_NKINDS] = {
	"valence", "negator", "negator_post", "intensifier", "diminisher",
	"contrast", "contrast_suffix", "stopword", "profanity", "suffix", "prefix"
};

/* Default minimum score of each level (see docs/sentiment.md). */
static const double default_threshold[SENT_NLEVELS] = {
	-1.0, -0.55, -0.25, -0.05, 0.05, 0.25, 0.55
};

/* ------------------------------------------------------------------------
 * Arena
 * ------------------------------------------------------------------------
 */
typedef struct ArenaBlock
{
	struct ArenaBlock *next;
	size_t		size;
	size_t		used;
	/* data follows, max-aligned */
} ArenaBlock;

struct SentArena
{
	SentAlloc	alloc;
	ArenaBlock *head;
	size_t		next_size;
};

#define ARENA_ALIGN 16
#define ARENA_HDR	((sizeof(ArenaBlock) + ARENA_ALIGN - 1) & ~(size_t) (ARENA_ALIGN - 1))

SentArena *
sent_arena_new(const SentAlloc *alloc, size_t first)
{
	SentArena  *a = alloc->alloc(alloc->arg, sizeof(SentArena));

	a->alloc = *alloc;
	a->head = NULL;
	a->next_size = first < 1024 ? 1024 : first;
	return a;
}

void *
sent_arena_alloc(SentArena *a, size_t size)
{
	ArenaBlock *b = a->head;
	void	   *p;

	size = (size + ARENA_ALIGN - 1) & ~(size_t) (ARENA_ALIGN - 1);
	if (b == NULL || b->size - b->used < size)
	{
		size_t		bsize = a->next_size;

		if (bsize < size)
			bsize = size;
		b = a->alloc.alloc(a->alloc.arg, ARENA_HDR + bsize);
		b->size = bsize;
		b->used = 0;
		b->next = a->head;
		a->head = b;
		if (a->next_size < 1024 * 1024)
			a->next_size *= 2;
	}
	p = (char *) b + ARENA_HDR + b->used;
	b->used += size;
	return p;
}

char *
sent_arena_strndup(SentArena *a, const char *s, size_t len)
{
	char	   *p = sent_arena_alloc(a, len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

void
sent_arena_free(SentArena *a)
{
	ArenaBlock *b = a->head;
	SentAlloc	alloc = a->alloc;

	while (b)
	{
		ArenaBlock *next = b->next;

		alloc.release(alloc.arg, b);
		b = next;
	}
	alloc.release(alloc.arg, a);
}

/* ------------------------------------------------------------------------
 * Hash table (FNV-1a, linear probing, load factor <= 1/2)
 * ------------------------------------------------------------------------
 */
uint32_t
sent_hash_bytes(const char *s, size_t len)
{
	uint32_t	h = SENT_FNV_BASIS;
	size_t		i;

	for (i = 0; i < len; i++)
	{
		h ^= (unsigned char) s[i];
		h *= SENT_FNV_PRIME;
	}
	return h;
}

static inline const SentEntry *
hash_lookup(const SentHash *h, const char *s, size_t len, uint32_t hv)
{
	uint32_t	i;

	for (i = hv & h->mask;; i = (i + 1) & h->mask)
	{
		const SentEntry *e = &h->slots[i];

		if (e->key == NULL)
			return NULL;
		if (e->hash == hv && e->len == len && memcmp(e->key, s, len) == 0)
			return e;
	}
}

const SentEntry *
sent_hash_find(const SentHash *h, const char *s, size_t len)
{
	if (h->slots == NULL)
		return NULL;
	return hash_lookup(h, s, len, sent_hash_bytes(s, len));
}

/* look-up with the key's hash already computed (hv = sent_hash_bytes) */
const SentEntry *
sent_hash_find_hv(const SentHash *h, const char *s, size_t len, uint32_t hv)
{
	if (h->slots == NULL)
		return NULL;
	return hash_lookup(h, s, len, hv);
}

static void
hash_grow(SentLexicon *lex, SentHash *h)
{
	uint32_t	nslots = h->slots ? (h->mask + 1) * 2 : 1024;
	SentEntry  *slots = sent_arena_alloc(lex->arena, nslots * sizeof(SentEntry));
	uint32_t	i;

	memset(slots, 0, nslots * sizeof(SentEntry));
	if (h->slots)
	{
		for (i = 0; i <= h->mask; i++)
		{
			SentEntry  *e = &h->slots[i];
			uint32_t	j;

			if (e->key == NULL)
				continue;
			for (j = e->hash & (nslots - 1); slots[j].key; j = (j + 1) & (nslots - 1))
				;
			slots[j] = *e;
		}
	}
	h->slots = slots;
	h->mask = nslots - 1;
}

static SentEntry *
hash_insert(SentLexicon *lex, SentHash *h, const char *s, size_t len)
{
	uint32_t	hv = sent_hash_bytes(s, len);
	uint32_t	i;

	if (h->slots == NULL || (h->used + 1) * 2 > h->mask + 1)
		hash_grow(lex, h);
	for (i = hv & h->mask;; i = (i + 1) & h->mask)
	{
		SentEntry  *e = &h->slots[i];

		if (e->key == NULL)
		{
			e->key = sent_arena_strndup(lex->arena, s, len);
			e->len = (uint32_t) len;
			e->hash = hv;
			e->info = NULL;
			h->used++;
			return e;
		}
		if (e->hash == hv && e->len == len && memcmp(e->key, s, len) == 0)
			return e;
	}
}

const SentInfo *
sent_entry_info(const SentEntry *e, int lang)
{
	const SentInfo *i;

	if (e == NULL)
		return NULL;
	for (i = e->info; i; i = i->next)
		if (i->lang == lang)
			return i;
	return NULL;
}

static SentInfo *
entry_info_make(SentLexicon *lex, SentEntry *e, int lang)
{
	SentInfo   *i = (SentInfo *) sent_entry_info(e, lang);

	if (i)
		return i;
	i = sent_arena_alloc(lex->arena, sizeof(SentInfo));
	memset(i, 0, sizeof(SentInfo));
	i->lang = (uint16_t) lang;
	i->term = e->key;
	i->next = e->info;
	e->info = i;
	return i;
}

/* ------------------------------------------------------------------------
 * Construction
 * ------------------------------------------------------------------------
 */
SentLexicon *
sent_lexicon_new(const SentAlloc *alloc, SentEngine *eng)
{
	SentArena  *arena = sent_arena_new(alloc, 256 * 1024);
	SentLexicon *lex = sent_arena_alloc(arena, sizeof(SentLexicon));

	memset(lex, 0, sizeof(SentLexicon));
	lex->alloc = *alloc;
	lex->eng = eng;
	lex->arena = arena;
	lex->mul = -1;
	lex->max_phrase = 1;
	memcpy(lex->threshold, default_threshold, sizeof(default_threshold));
	return lex;
}

void
sent_lexicon_free(SentLexicon *lex)
{
	if (lex)
		sent_arena_free(lex->arena);
}

int
sent_lang_index(SentLexicon *lex, const char *code, bool create)
{
	char		norm[SENT_LANG_LEN];
	size_t		n = 0;
	int			i;

	/* "pt-BR", "pt_br" -> "pt": the base language is what we score with */
	while (code[n] && code[n] != '-' && code[n] != '_')
	{
		if (n + 1 >= SENT_LANG_LEN || !isalpha((unsigned char) code[n]))
			return -1;
		norm[n] = (char) tolower((unsigned char) code[n]);
		n++;
	}
	if (n < 2)
		return -1;
	norm[n] = '\0';
	for (i = 0; i < lex->nlangs; i++)
		if (strcmp(lex->langs[i].code, norm) == 0)
			return i;
	if (!create || lex->nlangs >= SENT_MAX_LANGS)
		return -1;
	{
		SentLang   *l = &lex->langs[lex->nlangs];

		memset(l, 0, sizeof(SentLang));
		strcpy(l->code, norm);
		l->universal = (strcmp(norm, "mul") == 0);
		l->suffix = sent_arena_alloc(lex->arena, MAX_SUFFIX * sizeof(SentAffix));
		l->prefix = sent_arena_alloc(lex->arena, MAX_PREFIX * sizeof(SentAffix));
		l->butsfx = sent_arena_alloc(lex->arena, MAX_BUTSFX * sizeof(SentAffix));
		if (l->universal)
			lex->mul = lex->nlangs;
	}
	return lex->nlangs++;
}

int
sent_lexicon_find_lang(const SentLexicon *lex, const char *code)
{
	return sent_lang_index((SentLexicon *) lex, code, false);
}

static bool
add_affix(SentLexicon *lex, SentAffix *arr, int *n, int max, const char *s)
{
	size_t		len = strlen(s);
	int			i;

	if (len == 0 || len > 64)
		return false;
	for (i = 0; i < *n; i++)
		if ((size_t) arr[i].len == len && memcmp(arr[i].s, s, len) == 0)
			return true;
	if (*n >= max)
		return false;
	arr[*n].s = sent_arena_strndup(lex->arena, s, len);
	arr[*n].len = (int) len;
	(*n)++;
	return true;
}

static bool
parse_kind(const char *kind, SentKind *out)
{
	int			k;

	for (k = 0; k < SK_NKINDS; k++)
		if (strcmp(kind, sent_kind_names[k]) == 0)
		{
			*out = (SentKind) k;
			return true;
		}
	return false;
}

/* Apply one row to the info of a key; admin rows win over built-in rows. */
static void
apply_kind(SentInfo *info, SentKind kind, double value, bool admin)
{
	uint16_t	bit = (uint16_t) (1u << kind);

	if ((info->admin & bit) && !admin)
		return;
	if (admin)
		info->admin |= bit;
	switch (kind)
	{
		case SK_VALENCE:
			info->flags |= SF_VALENCE;
			info->valence = (float) value;
			break;
		case SK_NEGATOR:
			info->flags |= SF_NEG;
			break;
		case SK_NEGATOR_POST:
			info->flags |= SF_NEGPOST;
			break;
		case SK_INTENSIFIER:
			info->flags |= SF_INT;
			info->flags &= ~SF_DIM;
			info->weight = (float) (value > 0 ? value : 0.293);
			break;
		case SK_DIMINISHER:
			info->flags |= SF_DIM;
			info->flags &= ~SF_INT;
			info->weight = (float) -(value > 0 ? value : 0.293);
			break;
		case SK_CONTRAST:
			info->flags |= SF_BUT;
			break;
		case SK_STOPWORD:
			info->flags |= SF_STOP;
			break;
		case SK_PROFANITY:
			info->flags |= SF_PROF;
			info->severity = (uint8_t) (value < 1 ? 1 : value > 3 ? 3 : value);
			break;
		default:
			break;
	}
}

const char *
sent_lexicon_add(SentLexicon *lex, const char *lang, const char *kind,
				 const char *term, double value, bool admin)
{
	SentKind	k;
	int			li;
	SentLang   *l;
	char	   *key;
	bool		is_symbol;
	int			nwords;
	SentScript	script;
	SentEntry  *e;
	SentInfo   *info;

	if (lex->finalized)
		return "lexicon already finalized";
	if (!parse_kind(kind, &k))
		return "unknown kind (valence, negator, negator_post, intensifier, diminisher, contrast, contrast_suffix, stopword, profanity, suffix, prefix)";
	if (isnan(value) || (k == SK_VALENCE && (value < -4 || value > 4)))
		return "valence must be between -4 and 4";
	if (k == SK_PROFANITY && (value < 1 || value > 3))
		return "profanity severity must be 1, 2 or 3";
	if ((k == SK_INTENSIFIER || k == SK_DIMINISHER) && (value < 0 || value > 2))
		return "intensifier and diminisher weights must be between 0 and 2";
	li = sent_lang_index(lex, lang, true);
	if (li < 0)
		return "bad language code (expected an ISO 639 code such as en, pt or mul)";
	l = &lex->langs[li];
	key = sent_normalize_term(lex->eng, lex, term, lex->arena, &is_symbol,
							  &nwords, &script);
	if (key == NULL)
		return "empty term";
	lex->nrows++;

	if (k == SK_SUFFIX || k == SK_PREFIX || k == SK_CONTRAST_SUFFIX)
	{
		bool		ok;

		if (k == SK_SUFFIX)
			ok = add_affix(lex, l->suffix, &l->nsuffix, MAX_SUFFIX, key);
		else if (k == SK_PREFIX)
			ok = add_affix(lex, l->prefix, &l->nprefix, MAX_PREFIX, key);
		else
			ok = add_affix(lex, l->butsfx, &l->nbutsfx, MAX_BUTSFX, key);
		return ok ? NULL : "too many affixes for this language";
	}

	if (l->script == SS_NONE && !l->universal && script != SS_NONE &&
		(k == SK_VALENCE || k == SK_STOPWORD))
		l->script = script;

	if (is_symbol)
	{
		e = hash_insert(lex, &lex->symbols, key, strlen(key));
		if ((int) e->len > lex->max_symbol)
			lex->max_symbol = (int) e->len;
	}
	else
		e = hash_insert(lex, &lex->forms, key, strlen(key));
	info = entry_info_make(lex, e, li);
	apply_kind(info, k, value, admin);

	if (!is_symbol && nwords > 1)
	{
		const char *sp = strchr(key, ' ');
		SentEntry  *head = hash_insert(lex, &lex->forms, key, sp - key);
		SentInfo   *hi = entry_info_make(lex, head, li);

		hi->flags |= SF_PHRASEHEAD;
		if (nwords > lex->max_phrase)
			lex->max_phrase = nwords > 6 ? 6 : nwords;
	}
	if (k == SK_PROFANITY && !is_symbol && nwords == 1)
	{
		if (lex->nprof >= lex->maxprof)
		{
			int			newmax = lex->maxprof ? lex->maxprof * 2 : 256;
			SentProf   *p = sent_arena_alloc(lex->arena, newmax * sizeof(SentProf));

			if (lex->nprof)
				memcpy(p, lex->prof, lex->nprof * sizeof(SentProf));
			lex->prof = p;
			lex->maxprof = newmax;
		}
		lex->prof[lex->nprof].term = e->key;
		lex->prof[lex->nprof].len = (int) e->len;
		lex->prof[lex->nprof].lang = li;
		lex->prof[lex->nprof].severity = info->severity;
		lex->nprof++;
	}
	return NULL;
}

const char *
sent_lexicon_set_threshold(SentLexicon *lex, SentLevel level, double min_score)
{
	if ((int) level < 0 || level >= SENT_NLEVELS)
		return "unknown level";
	if (isnan(min_score) || min_score < -1 || min_score > 1)
		return "threshold must be between -1 and 1";
	if (level != SENT_VERY_NEGATIVE)
		lex->threshold[level] = min_score;
	return NULL;
}

SentLevel
sent_level_of(const SentLexicon *lex, double score)
{
	int			lv;

	for (lv = SENT_NLEVELS - 1; lv > 0; lv--)
		if (score >= lex->threshold[lv])
			return (SentLevel) lv;
	return SENT_VERY_NEGATIVE;
}

static int
affix_cmp_len_desc(const SentAffix *a, const SentAffix *b)
{
	return b->len - a->len;
}

static void
sort_affixes(SentAffix *arr, int n)
{
	int			i,
				j;

	/* insertion sort: lists are short */
	for (i = 1; i < n; i++)
	{
		SentAffix	x = arr[i];

		for (j = i - 1; j >= 0 && affix_cmp_len_desc(&arr[j], &x) > 0; j--)
			arr[j + 1] = arr[j];
		arr[j + 1] = x;
	}
}

/*
 * Group the suffixes (already longest first) by their last byte, keeping
 * that order inside a group: sent_stem then tries only those that can end
 * the word, and still finds the same (longest) one.
 */
static void
index_suffixes(SentLang *l)
{
	int			i,
				j,
				b;

	for (i = 1; i < l->nsuffix; i++)
	{
		SentAffix	x = l->suffix[i];
		unsigned char xb = (unsigned char) x.s[x.len - 1];

		for (j = i - 1; j >= 0 &&
			 (unsigned char) l->suffix[j].s[l->suffix[j].len - 1] > xb; j--)
			l->suffix[j + 1] = l->suffix[j];
		l->suffix[j + 1] = x;
	}
	memset(l->sfx_from, 0, sizeof(l->sfx_from));
	memset(l->sfx_to, 0, sizeof(l->sfx_to));
	for (i = 0; i < l->nsuffix; i = j)
	{
		b = (unsigned char) l->suffix[i].s[l->suffix[i].len - 1];
		for (j = i; j < l->nsuffix &&
			 (unsigned char) l->suffix[j].s[l->suffix[j].len - 1] == b; j++)
			;
		l->sfx_from[b] = (uint8_t) i;
		l->sfx_to[b] = (uint8_t) j;
	}
}

static int
utf8_chars(const char *s, int len)
{
	int			n = 0,
				i;

	for (i = 0; i < len; i++)
		if (((unsigned char) s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

int
sent_stem(const SentLexicon *lex, int lang, const char *word, int len,
		  char *buf, int buflen)
{
	const SentLang *l = &lex->langs[lang];
	int			start = 0;
	int			end = len;
	bool		changed = false;
	int			i;

	if (len <= 0 || (l->nsuffix == 0 && l->nprefix == 0))
		return -1;
	for (i = 0; i < l->nprefix; i++)
	{
		const SentAffix *a = &l->prefix[i];

		if (a->len < len && word[0] == a->s[0] && memcmp(word, a->s, a->len) == 0 &&
			utf8_chars(word + a->len, len - a->len) >= l->minstem + 1)
		{
			start = a->len;
			changed = true;
			break;
		}
	}
	for (i = l->sfx_from[(unsigned char) word[end - 1]];
		 i < l->sfx_to[(unsigned char) word[end - 1]]; i++)
	{
		const SentAffix *a = &l->suffix[i];

		/* only suffixes ending like the word (index_suffixes) */
		if (a->len < end - start &&
			memcmp(word + end - a->len, a->s, a->len) == 0 &&
			utf8_chars(word + start, end - start - a->len) >= l->minstem)
		{
			end -= a->len;
			changed = true;
			break;
		}
	}
	if (!changed || end - start >= buflen)
		return -1;
	memcpy(buf, word + start, end - start);
	buf[end - start] = '\0';
	return end - start;
}

static const struct
{
	uint32_t	cp;
	const char *lang;
	float		weight;
}			letter_hints[] = {
	{0x00F1, "es", 0.6}, {0x00F1, "gl", 0.6},
	{0x00E3, "pt", 1.0}, {0x00F5, "pt", 1.0},
	{0x00E7, "fr", 0.5}, {0x00E7, "pt", 0.5},
	{0x00E6, "da", 1.0}, {0x00F8, "da", 1.0}, {0x00E5, "da", 1.0},
	{0x00DF, "de", 1.0}, {0x00E4, "de", 1.0}, {0x00F6, "de", 0.7},
	{0x00FC, "de", 0.7}, {0x0153, "fr", 1.0}, {0x00EA, "fr", 0.5},
	{0x00E8, "fr", 0.5}, {0x00E0, "fr", 0.3}, {0x00E0, "it", 0.3},
	{0x00F2, "it", 0.7}, {0x00EC, "it", 0.7}, {0x00F9, "it", 0.4},
	{0x00E2, "fr", 0.4}, {0x00EE, "fr", 0.4}, {0x00FB, "fr", 0.4},
	{0x00E9, "fr", 0.2}, {0x00E9, "es", 0.1}, {0x00ED, "es", 0.2},
	{0x00ED, "gl", 0.2}, {0x00ED, "pt", 0.2}, {0x00F3, "es", 0.2},
	{0x00F3, "pt", 0.1}, {0x00BF, "es", 1.0},
	{0x00B7, "ca", 2.0}, {0x00F2, "ca", 0.7}, {0x00EF, "ca", 0.6},
	{0x00E7, "ca", 0.4}, {0x00E0, "ca", 0.3}, {0x00E8, "ca", 0.4}
};

/* word endings telling Latin-script languages apart (detection only) */
static const struct
{
	const char *sfx;
	const char *lang;
	float		weight;
}			ending_hints[] = {
	{"ción", "es", 0.4f}, {"ción", "gl", 0.4f}, {"ciones", "es", 1.0f},
	{"cións", "gl", 1.0f}, {"ción", "pt", -0.5f}, {"ção", "pt", 1.0f},
	{"ções", "pt", 1.0f}, {"ció", "ca", 1.0f}, {"cions", "ca", 1.0f},
	{"zione", "it", 1.0f}, {"zioni", "it", 1.0f}, {"ísimo", "es", 0.3f},
	{"ísimo", "gl", 0.3f}, {"íssim", "ca", 1.0f}, {"íssimo", "pt", 0.8f},
	{"issimo", "it", 0.8f}
};

void
sent_lexicon_finalize(SentLexicon *lex)
{
	uint32_t	i;
	int			l;
	size_t		h;

	if (lex->finalized)
		return;
	for (l = 0; l < lex->nlangs; l++)
	{
		SentLang   *lang = &lex->langs[l];

		sort_affixes(lang->suffix, lang->nsuffix);
		index_suffixes(lang);
		sort_affixes(lang->prefix, lang->nprefix);
		sort_affixes(lang->butsfx, lang->nbutsfx);
		lang->minstem = (lang->script == SS_HANGUL || lang->script == SS_HAN) ? 1 :
			lang->script == SS_ARABIC ? 2 : 3;
	}
	/* index every single-word form under its stem */
	for (i = 0; lex->forms.slots && i <= lex->forms.mask; i++)
	{
		SentEntry  *e = &lex->forms.slots[i];
		SentInfo   *info;

		if (e->key == NULL || memchr(e->key, ' ', e->len))
			continue;
		for (info = e->info; info; info = info->next)
		{
			char		buf[256];
			int			n;
			const char *stem = e->key;
			SentEntry  *se;
			SentInfo   *si;
			uint16_t	useful = info->flags & ~(SF_STOP | SF_PHRASEHEAD);

			if (useful == 0 || lex->langs[info->lang].universal)
				continue;
			n = sent_stem(lex, info->lang, e->key, (int) e->len, buf, sizeof(buf));
			if (n > 0)
				stem = buf;
			else
				n = (int) e->len;
			se = hash_insert(lex, &lex->stems, stem, n);
			si = (SentInfo *) sent_entry_info(se, info->lang);
			if (si != NULL)
			{
				/* two forms share a stem: keep the admin's, else the stronger */
				if (si->admin && !info->admin)
					continue;
				if (!info->admin && fabsf(si->valence) >= fabsf(info->valence))
					continue;
			}
			else
				si = entry_info_make(lex, se, info->lang);
			si->flags = useful;
			si->valence = info->valence;
			si->weight = info->weight;
			si->severity = info->severity;
			si->admin = info->admin;
			si->term = e->key;
		}
	}
	for (h = 0; h < sizeof(letter_hints) / sizeof(letter_hints[0]) && lex->nhints < (int) (sizeof(lex->hints) / sizeof(lex->hints[0])); h++)
	{
		int			li = sent_lang_index(lex, letter_hints[h].lang, false);

		if (li < 0)
			continue;
		lex->hints[lex->nhints].cp = letter_hints[h].cp;
		lex->hints[lex->nhints].lang = li;
		lex->hints[lex->nhints].weight = letter_hints[h].weight;
		if (letter_hints[h].cp > lex->hint_max_cp)
			lex->hint_max_cp = letter_hints[h].cp;
		if (letter_hints[h].cp < SENT_HINT_CPS)
			lex->hint_mask[letter_hints[h].cp] |= (uint64_t) 1 << lex->nhints;
		lex->nhints++;
	}
	/* ties between languages of one script go to the more widely used one */
	{
		static const char *const by_use[] = {"en", "es", "pt", "fr", "de", "it"};

		for (h = 0; h < sizeof(by_use) / sizeof(by_use[0]); h++)
		{
			int			li = sent_lang_index(lex, by_use[h], false);

			if (li >= 0)
				lex->prior[li] = 0.01f - 0.001f * h;
		}
	}
	for (h = 0; h < sizeof(ending_hints) / sizeof(ending_hints[0]) &&
		 lex->nendings < (int) (sizeof(lex->endings) / sizeof(lex->endings[0])); h++)
	{
		int			li = sent_lang_index(lex, ending_hints[h].lang, false);

		if (li < 0)
			continue;
		lex->endings[lex->nendings].sfx = ending_hints[h].sfx;
		lex->endings[lex->nendings].len = (int) strlen(ending_hints[h].sfx);
		lex->endings[lex->nendings].lang = li;
		lex->endings[lex->nendings].weight = ending_hints[h].weight;
		lex->ending_by_last[(unsigned char) ending_hints[h].sfx[lex->endings[lex->nendings].len - 1]] |=
			(uint32_t) 1 << lex->nendings;
		lex->nendings++;
	}
	lex->finalized = true;
}

int
sent_lexicon_nlangs(const SentLexicon *lex)
{
	return lex->nlangs;
}

const char *
sent_lexicon_lang(const SentLexicon *lex, int idx)
{
	return (idx >= 0 && idx < lex->nlangs) ? lex->langs[idx].code : "und";
}

int
sent_lexicon_size(const SentLexicon *lex)
{
	return lex->nrows;
}
