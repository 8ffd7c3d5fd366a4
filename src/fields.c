/*
 * fields.c - RFC 822-style field blocks from plain text.
 *
 * MTAs write these parts by hand and often badly: bare CR or LF line ends,
 * fields folded with tabs, blocks without the blank line between them,
 * stray text lines. We keep every "Name: value" line with its block
 * number and let the DSN and ARF parsers decide what belongs together.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "util.h"

/* next_line - return the length of the line at p and set *next past its end */
static size_t
next_line(const char *p, const char *end, const char **next)
{
	const char *q = p;

	while (q < end && *q != '\n' && *q != '\r')
		q++;
	*next = q;
	if (q < end && *q == '\r')
		(*next)++;
	if (*next < end && **next == '\n' && (*next == q || q[0] == '\r'))
		(*next)++;
	return (size_t)(q - p);
}

/* field_name_len - length of a valid field name ending in ':' at p, or 0 */
static size_t
field_name_len(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == ':')
			return i;
		if (c <= ' ' || c >= 127)
			return 0;
	}
	return 0;
}

static void
add_field(struct field_list *l, const char *name, size_t nlen, int block)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->f = xrealloc(l->f, l->cap * sizeof(*l->f));
	}
	l->f[l->n].name = xstrndup(name, nlen);
	l->f[l->n].value = NULL;
	l->f[l->n].block = block;
	l->n++;
}

void
fields_parse(const char *text, size_t len, struct field_list *l)
{
	const char *p = text, *end = text + len, *next;
	struct sbuf val;
	int block = 0, open = 0, blank = 0;
	size_t n, nl;

	if (l->n > 0)
		block = l->f[l->n - 1].block + 1;
	sbuf_init(&val);
	while (p < end) {
		n = next_line(p, end, &next);
		if (n == 0 || strspn(p, " \t") >= n) {
			/* an empty line ends the current block */
			if (open) {
				l->f[l->n - 1].value = str_trim(sbuf_steal(&val));
				open = 0;
			}
			blank = 1;
		} else if ((*p == ' ' || *p == '\t') && open) {
			/* a folded continuation of the open field */
			size_t ws = strspn(p, " \t");

			if (val.len + n < FIELDS_VALUE_MAX) {
				/* a fold is one space, however it was indented */
				sbuf_addc(&val, ' ');
				sbuf_addn(&val, p + ws, n - ws);
			} else
				l->truncated = 1;
		} else {
			if (open) {
				l->f[l->n - 1].value = str_trim(sbuf_steal(&val));
				open = 0;
			}
			nl = field_name_len(p, n);
			if (nl > 0 && l->n < FIELDS_MAX) {
				if (blank && l->n > 0)
					block++;
				blank = 0;
				add_field(l, p, nl, block);
				sbuf_addn(&val, p + nl + 1,
				    n - nl - 1 < FIELDS_VALUE_MAX ?
				    n - nl - 1 : FIELDS_VALUE_MAX);
				open = 1;
			} else if (nl > 0)
				l->truncated = 1;
		}
		p = next;
	}
	if (open)
		l->f[l->n - 1].value = str_trim(sbuf_steal(&val));
	sbuf_free(&val);
}

const char *
fields_get(const struct field_list *l, int block, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (block != -1 && l->f[i].block != block)
			continue;
		if (strcasecmp(l->f[i].name, name) == 0)
			return l->f[i].value;
	}
	return NULL;
}

void
fields_free(struct field_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->f[i].name);
		free(l->f[i].value);
	}
	free(l->f);
	l->f = NULL;
	l->n = l->cap = 0;
}
