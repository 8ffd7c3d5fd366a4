/*
 * needle.c - literals a pattern cannot match without.
 *
 * Most rules are alternations of phrases, and most texts match none of
 * the hundred rules before the one that decides: running every regular
 * expression over every text was a fifth of a replay's time. A rule's
 * needles are a set of lower-case strings of which every match of the
 * pattern contains one; a text that contains none of them (lower-cased
 * once) cannot match, and the expression is not run. The needles of all
 * rules are found in one pass over the text, by an index of their first
 * two characters. A pattern whose needles cannot be told for sure has
 * none and always runs: the filter only ever skips work, never changes a
 * result.
 *
 * The reading is a small recursive descent over the pattern: literal
 * characters make runs; a quantifier that allows zero ends the run
 * before its atom; a group that must occur offers the union of what each
 * of its branches needs; a sequence keeps the best thing it must
 * contain (the set whose shortest string is longest). Anything unusual
 * (inline options, \Q, named groups, the x flag) gives up on the rule.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "needle.h"
#include "util.h"

#define NEEDLE_MIN	3	/* shorter strings filter too little */
#define NEEDLE_SETMAX	128	/* a bigger union is not worth testing */
#define RUN_MAX		128

struct cur {
	const char	*p;
	int		 bad;
};

static void alt(struct cur *, struct needles *);

void
needles_free(struct needles *n)
{
	size_t i;

	if (!n->borrowed) {
		for (i = 0; i < n->n; i++)
			free(n->s[i]);
		free(n->s);
		free(n->len);
	}
	memset(n, 0, sizeof(*n));
}

/* take - append s (allocated, now n's) */
static void
take(struct needles *n, char *s, size_t len)
{
	if (n->n == n->cap) {
		n->cap = n->cap ? n->cap * 2 : 8;
		n->s = xrealloc(n->s, n->cap * sizeof(*n->s));
		n->len = xrealloc(n->len, n->cap * sizeof(*n->len));
	}
	n->s[n->n] = s;
	n->len[n->n++] = len;
}

static size_t
minlen(const struct needles *n)
{
	size_t i, m = (size_t)-1;

	for (i = 0; i < n->n; i++)
		if (n->len[i] < m)
			m = n->len[i];
	return n->n ? m : 0;
}

/* consider - keep cand as best if it filters better; frees what is not kept */
static void
consider(struct needles *best, struct needles *cand)
{
	size_t mc = minlen(cand), mb = minlen(best);

	if (cand->n > 0 && mc >= NEEDLE_MIN &&
	    (best->n == 0 || mc > mb || (mc == mb && cand->n < best->n))) {
		needles_free(best);
		*best = *cand;
		memset(cand, 0, sizeof(*cand));
	} else
		needles_free(cand);
}

static void
flush(struct needles *best, char *run, size_t *rl)
{
	struct needles one = { NULL, NULL, 0, 0, 0 };

	if (*rl >= NEEDLE_MIN) {
		take(&one, xstrndup(run, *rl), *rl);
		consider(best, &one);
	}
	*rl = 0;
}

/*
 * quant - skip the quantifier at p, if any: *opt when it allows zero,
 * *rep when it allows more than one
 */
static const char *
quant(const char *p, int *opt, int *rep)
{
	const char *q;
	long lo;

	*opt = *rep = 0;
	if (*p == '?' || *p == '*' || *p == '+') {
		*opt = *p != '+';
		*rep = *p != '?';
		p++;
	} else if (*p == '{' && isdigit((unsigned char)p[1])) {
		lo = strtol(p + 1, (char **)&q, 10);
		if (*q == ',')
			while (isdigit((unsigned char)*++q))
				;
		if (*q != '}')
			return p;	/* not a quantifier: a literal brace */
		*opt = lo == 0;
		*rep = 1;
		p = q + 1;
	} else
		return p;
	if (*p == '?' || *p == '+')	/* lazy or possessive */
		p++;
	return p;
}

/* skip_class - past the ] of the class opening at p, or NULL */
static const char *
skip_class(const char *p)
{
	p++;
	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	while (*p && *p != ']') {
		if (*p == '\\' && p[1])
			p++;
		else if (*p == '[' && p[1] == ':') {
			if ((p = strstr(p + 2, ":]")) == NULL)
				return NULL;
			p++;
		}
		p++;
	}
	return *p == ']' ? p + 1 : NULL;
}

/* seq - one branch, up to | or ) */
static void
seq(struct cur *c, struct needles *best)
{
	char run[RUN_MAX];
	size_t rl = 0;
	int opt, rep, lit;
	char ch = 0;

	while (!c->bad && *c->p && *c->p != '|' && *c->p != ')') {
		const char *p = c->p;

		lit = 0;
		if (*p == '\\') {
			if (p[1] == '\0' || strchr("QExcoNpPgkKu", p[1])) {
				c->bad = 1;
				break;
			}
			/* \b \d \s \w \1 ...: no literal; \. \/ \- ...: one */
			if ((lit = !isalnum((unsigned char)p[1])))
				ch = p[1];
			c->p = p + 2;
		} else if (*p == '(') {
			struct needles inner = { NULL, NULL, 0, 0, 0 };
			int look = 0;

			c->p++;
			if (*c->p == '?') {
				if (c->p[1] == ':')
					c->p += 2;
				else if (c->p[1] == '=' || c->p[1] == '!') {
					look = 1;
					c->p += 2;
				} else if (c->p[1] == '<' &&
				    (c->p[2] == '=' || c->p[2] == '!')) {
					look = 1;
					c->p += 3;
				} else {
					c->bad = 1;	/* options, names: give up */
					break;
				}
			}
			alt(c, &inner);
			if (c->bad || *c->p != ')') {
				c->bad = 1;
				needles_free(&inner);
				break;
			}
			c->p = quant(c->p + 1, &opt, &rep);
			flush(best, run, &rl);
			if (!look && !opt)
				consider(best, &inner);
			else
				needles_free(&inner);
			continue;
		} else if (*p == '[') {
			if ((c->p = skip_class(p)) == NULL) {
				c->bad = 1;
				break;
			}
		} else if (*p == '.' || *p == '^' || *p == '$') {
			c->p = p + 1;
		} else if (*p == '*' || *p == '+' || *p == '?') {
			c->bad = 1;
			break;
		} else {
			ch = *p;
			lit = (unsigned char)ch < 0x80;
			c->p = p + 1;
		}
		c->p = quant(c->p, &opt, &rep);
		if (lit && !opt) {
			run[rl++] = (char)tolower((unsigned char)ch);
			/* "ab+c": "ab" and "c" are needed, "abc" is not */
			if (rep || rl == RUN_MAX)
				flush(best, run, &rl);
		} else
			flush(best, run, &rl);
	}
	flush(best, run, &rl);
}

/* alt - branches up to ) or the end: the union of what each needs */
static void
alt(struct cur *c, struct needles *out)
{
	int usable = 1;
	size_t i;

	memset(out, 0, sizeof(*out));
	for (;;) {
		struct needles b = { NULL, NULL, 0, 0, 0 };

		seq(c, &b);
		if (c->bad) {
			needles_free(&b);
			break;
		}
		if (b.n == 0 || out->n + b.n > NEEDLE_SETMAX)
			usable = 0;
		if (usable) {
			/* the strings move to out; b keeps none */
			for (i = 0; i < b.n; i++)
				take(out, b.s[i], b.len[i]);
			b.n = 0;
		}
		needles_free(&b);
		if (*c->p != '|')
			break;
		c->p++;
	}
	if (!usable || c->bad)
		needles_free(out);
}

int
needles_from_pattern(const char *pattern, int extended, struct needles *out)
{
	struct cur c;

	memset(out, 0, sizeof(*out));
	if (extended)
		return -1;	/* white space and comments mean other things */
	c.p = pattern;
	c.bad = 0;
	alt(&c, out);
	if (c.bad || *c.p != '\0' || out->n == 0) {
		needles_free(out);
		return -1;
	}
	return 0;
}

int
needles_from_table(const struct needle_table *t, int line, struct needles *out)
{
	memset(out, 0, sizeof(*out));
	for (; t->line != 0; t++)
		if (t->line == line) {
			out->s = (char **)(uintptr_t)t->s;	/* never written */
			out->len = (size_t *)(uintptr_t)t->len;
			out->n = (size_t)t->n;
			out->borrowed = 1;
			return 0;
		}
	return -1;
}

int
needles_equal(const struct needles *a, const struct needles *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (a->len[i] != b->len[i] || strcmp(a->s[i], b->s[i]) != 0)
			return 0;
	return 1;
}

/*
 * The index: every needle of every rule, found by its first two
 * characters, so that one pass over a text tells which rules have one
 * there (a memmem() per needle per text cost more than it saved).
 */
#define BUCKETS	4096

struct entry {
	const char	*s;		/* borrowed from the rule's needles */
	size_t		 len;
	size_t		 id;
};

struct needle_index {
	struct entry	*e;
	size_t		 n;
	size_t		 cap;
	unsigned	 start[BUCKETS + 1];	/* by bucket, once sorted */
	int		 sorted;
};

static unsigned
bucket(const char *s)
{
	return ((unsigned char)s[0] * 31u + (unsigned char)s[1]) % BUCKETS;
}

struct needle_index *
needle_index_new(void)
{
	return xcalloc(1, sizeof(struct needle_index));
}

void
needle_index_add(struct needle_index *x, const struct needles *n, size_t id)
{
	size_t i;

	for (i = 0; i < n->n; i++) {
		if (x->n == x->cap) {
			x->cap = x->cap ? x->cap * 2 : 512;
			x->e = xrealloc(x->e, x->cap * sizeof(*x->e));
		}
		x->e[x->n].s = n->s[i];
		x->e[x->n].len = n->len[i];
		x->e[x->n++].id = id;
	}
	x->sorted = 0;
}

static int
by_bucket(const void *a, const void *b)
{
	unsigned x = bucket(((const struct entry *)a)->s);
	unsigned y = bucket(((const struct entry *)b)->s);

	return x < y ? -1 : x > y;
}

void
needle_index_done(struct needle_index *x)
{
	size_t i;
	unsigned b;

	qsort(x->e, x->n, sizeof(*x->e), by_bucket);
	memset(x->start, 0, sizeof(x->start));
	for (i = 0; i < x->n; i++)
		x->start[bucket(x->e[i].s) + 1]++;
	for (b = 0; b < BUCKETS; b++)
		x->start[b + 1] += x->start[b];
	x->sorted = 1;
}

void
needle_index_scan(const struct needle_index *x, const char *lower,
    size_t len, unsigned char *hit)
{
	size_t i, k;
	unsigned b;

	if (!x->sorted || len < 2)
		return;
	for (i = 0; i + 1 < len; i++) {
		b = bucket(lower + i);
		for (k = x->start[b]; k < x->start[b + 1]; k++) {
			const struct entry *e = &x->e[k];

			if (!hit[e->id] && e->len <= len - i &&
			    memcmp(lower + i, e->s, e->len) == 0)
				hit[e->id] = 1;
		}
	}
}

void
needle_index_free(struct needle_index *x)
{
	if (x == NULL)
		return;
	free(x->e);
	free(x);
}
