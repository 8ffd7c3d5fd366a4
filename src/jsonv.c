/*
 * jsonv.c - recursive-descent JSON reader with bounded depth.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonv.h"
#include "util.h"

struct rd {
	const char	*p;
	const char	*end;
	char		*err;
	size_t		 errlen;
	const char	*counted;	/* line breaks counted up to here */
	long		 lines;
};

static struct jv *value(struct rd *, int);

/* line - line breaks before r->p, counted once: the parse only goes on */
static long
line(struct rd *r)
{
	for (; r->counted < r->p; r->counted++)
		r->lines += *r->counted == '\n';
	return r->lines;
}

static void
ws(struct rd *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' ||
	    *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

static struct jv *
bad(struct rd *r, const char *why)
{
	if (r->err && r->err[0] == '\0')
		snprintf(r->err, r->errlen, "%s", why);
	return NULL;
}

static int
hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static void
put_utf8(struct sbuf *b, unsigned cp)
{
	char u[4];

	if (cp < 0x80) {
		sbuf_addc(b, (char)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		sbuf_addn(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		sbuf_addn(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		sbuf_addn(b, u, 4);
	}
}

static char *
string(struct rd *r)
{
	struct sbuf b;
	unsigned cp, lo;

	sbuf_init(&b);
	sbuf_addn(&b, "", 0);
	r->p++;				/* opening quote */
	while (r->p < r->end && *r->p != '"') {
		char c = *r->p++;

		if (c == '\r' || c == '\n') {
			/* a folded line: drop the break and the indentation */
			while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' ||
			    *r->p == '\n' || *r->p == '\r'))
				r->p++;
			continue;
		}
		if (c != '\\') {
			sbuf_addc(&b, c);
			continue;
		}
		if (r->p >= r->end)
			break;
		switch ((c = *r->p++)) {
		case 'n': sbuf_addc(&b, '\n'); break;
		case 't': sbuf_addc(&b, '\t'); break;
		case 'r': sbuf_addc(&b, '\r'); break;
		case 'b': sbuf_addc(&b, '\b'); break;
		case 'f': sbuf_addc(&b, '\f'); break;
		case 'u':
			if (r->end - r->p < 4 || hex4(r->p, &cp) == -1)
				goto fail;
			r->p += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && r->end - r->p >= 6 &&
			    r->p[0] == '\\' && r->p[1] == 'u' &&
			    hex4(r->p + 2, &lo) == 0 && lo >= 0xdc00 &&
			    lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
				r->p += 6;
			}
			if (cp == 0 || (cp >= 0xd800 && cp < 0xe000))
				cp = 0xfffd;
			put_utf8(&b, cp);
			break;
		default:
			sbuf_addc(&b, c);
		}
	}
	if (r->p >= r->end)
		goto fail;
	r->p++;				/* closing quote */
	return sbuf_steal(&b);
fail:
	sbuf_free(&b);
	bad(r, "unterminated string");
	return NULL;
}

static struct jv *
container(struct rd *r, int depth, int obj)
{
	struct jv *j = xcalloc(1, sizeof(*j));
	char close = obj ? '}' : ']';
	size_t cap = 0;

	j->type = obj ? JV_OBJ : JV_ARR;
	j->line = line(r);
	r->p++;
	ws(r);
	if (r->p < r->end && *r->p == close) {
		r->p++;
		return j;
	}
	for (;;) {
		char *key = NULL;
		struct jv *m;

		ws(r);
		if (obj) {
			if (r->p >= r->end || *r->p != '"' ||
			    (key = string(r)) == NULL)
				goto fail;
			ws(r);
			if (r->p >= r->end || *r->p != ':') {
				free(key);
				goto fail;
			}
			r->p++;
		}
		if ((m = value(r, depth + 1)) == NULL) {
			free(key);
			goto fail;
		}
		if (j->n == cap) {
			cap = cap ? cap * 2 : 8;
			j->v = xrealloc(j->v, cap * sizeof(struct jv *));
			if (obj)
				j->k = xrealloc(j->k, cap * sizeof(char *));
		}
		if (obj)
			j->k[j->n] = key;
		j->v[j->n++] = m;
		ws(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == close) {
			r->p++;
			return j;
		}
		goto fail;
	}
fail:
	jv_free(j);
	return bad(r, obj ? "bad object" : "bad array");
}

static struct jv *
value(struct rd *r, int depth)
{
	struct jv *j;
	const char *s;

	if (depth > JV_DEPTH_MAX)
		return bad(r, "nested too deep");
	ws(r);
	if (r->p >= r->end)
		return bad(r, "unexpected end");
	switch (*r->p) {
	case '{':
		return container(r, depth, 1);
	case '[':
		return container(r, depth, 0);
	case '"':
		j = xcalloc(1, sizeof(*j));
		j->type = JV_STR;
		if ((j->s = string(r)) == NULL) {
			free(j);
			return NULL;
		}
		return j;
	}
	j = xcalloc(1, sizeof(*j));
	s = r->p;
	if (r->end - s >= 4 && memcmp(s, "null", 4) == 0) {
		j->type = JV_NULL;
		r->p += 4;
	} else if (r->end - s >= 4 && memcmp(s, "true", 4) == 0) {
		j->type = JV_BOOL;
		j->b = 1;
		r->p += 4;
	} else if (r->end - s >= 5 && memcmp(s, "false", 5) == 0) {
		j->type = JV_BOOL;
		r->p += 5;
	} else if (*s == '-' || (*s >= '0' && *s <= '9')) {
		while (r->p < r->end && strchr("+-.eE0123456789", *r->p))
			r->p++;
		j->type = JV_NUM;
		j->s = xstrndup(s, (size_t)(r->p - s));
	} else {
		free(j);
		return bad(r, "unexpected character");
	}
	return j;
}

struct jv *
jv_parse(const char *text, size_t len, size_t *used, char *err, size_t errlen)
{
	struct rd r = { text, text + len, err, errlen, text, 0 };
	struct jv *j;

	if (err && errlen)
		err[0] = '\0';
	j = value(&r, 0);
	if (used)
		*used = (size_t)(r.p - text);
	return j;
}

void
jv_free(struct jv *j)
{
	size_t i;

	if (j == NULL)
		return;
	for (i = 0; i < j->n; i++) {
		jv_free(j->v[i]);
		if (j->k)
			free(j->k[i]);
	}
	free(j->v);
	free(j->k);
	free(j->s);
	free(j);
}

const struct jv *
jv_get(const struct jv *j, const char *key)
{
	size_t i;

	if (j == NULL || j->type != JV_OBJ)
		return NULL;
	for (i = 0; i < j->n; i++)
		if (strcmp(j->k[i], key) == 0)
			return j->v[i];
	return NULL;
}

const char *
jv_str(const struct jv *j)
{
	return j && j->type == JV_STR ? j->s : NULL;
}
