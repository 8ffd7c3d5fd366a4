/*
 * util.c - checked allocation, growable strings, string predicates.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <strings.h>
#include <unistd.h>

#include "util.h"

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		abort();
	return p;
}

void *
xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (p == NULL)
		abort();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		abort();
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p;

	n = strnlen(s, n);
	p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
sbuf_init(struct sbuf *b)
{
	b->s = NULL;
	b->len = b->cap = 0;
}

/* sbuf_grow - make room for n more bytes plus the NUL */
static void
sbuf_grow(struct sbuf *b, size_t n)
{
	size_t need;

	if (n > (size_t)-1 / 2 - b->len)
		abort();
	need = b->len + n + 1;
	if (need <= b->cap)
		return;
	if (b->cap == 0)
		b->cap = 64;
	while (b->cap < need)
		b->cap *= 2;
	b->s = xrealloc(b->s, b->cap);
}

void
sbuf_addn(struct sbuf *b, const char *s, size_t n)
{
	sbuf_grow(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
sbuf_add(struct sbuf *b, const char *s)
{
	sbuf_addn(b, s, strlen(s));
}

void
sbuf_addc(struct sbuf *b, char c)
{
	sbuf_addn(b, &c, 1);
}

void
sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap, aq;
	int n;

	sbuf_grow(b, 64);
	va_start(ap, fmt);
	va_copy(aq, ap);
	/* clang 14's analyzer loses track of ap across va_copy: a false alarm */
	n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap); /* NOLINT(clang-analyzer-valist.Uninitialized) */
	va_end(ap);
	if (n < 0)
		abort();
	if ((size_t)n >= b->cap - b->len) {
		/* it did not fit: grow to the size it told us, print again */
		sbuf_grow(b, (size_t)n);
		vsnprintf(b->s + b->len, b->cap - b->len, fmt, aq);
	}
	va_end(aq);
	b->len += (size_t)n;
}

char *
sbuf_steal(struct sbuf *b)
{
	char *s = b->s ? b->s : xstrdup("");

	sbuf_init(b);
	return s;
}

void
sbuf_free(struct sbuf *b)
{
	free(b->s);
	sbuf_init(b);
}

void
str_set(char **dst, const char *src)
{
	free(*dst);
	*dst = src ? xstrdup(src) : NULL;
}

void
str_setn(char **dst, const char *src, size_t n)
{
	free(*dst);
	*dst = xstrndup(src, n);
}

char *
str_trim(char *s)
{
	char *e;
	size_t n;

	if (s == NULL)
		return s;
	n = strspn(s, " \t\r\n");
	if (n)
		memmove(s, s + n, strlen(s + n) + 1);
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

char *
str_squeeze(char *s)
{
	char *r, *w;
	int sp = 0;

	if (s == NULL)
		return s;
	for (r = w = s; *r; r++) {
		if (isspace((unsigned char)*r)) {
			sp = 1;
			continue;
		}
		if (sp && w != s)
			*w++ = ' ';
		sp = 0;
		*w++ = *r;
	}
	*w = '\0';
	return s;
}

int
str_empty(const char *s)
{
	return s == NULL || *s == '\0';
}

const char *
str_iprefix(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strncasecmp(s, prefix, n) == 0)
		return s + n;
	return NULL;
}

const char *
str_icase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	char set[3];

	if (n == 0)
		return hay;
	/* jump between candidates for the first character, either case */
	set[0] = (char)tolower((unsigned char)needle[0]);
	set[1] = (char)toupper((unsigned char)needle[0]);
	set[2] = '\0';
	for (hay = strpbrk(hay, set); hay != NULL; hay = strpbrk(hay + 1, set))
		if (strncasecmp(hay + 1, needle + 1, n - 1) == 0)
			return hay;
	return NULL;
}

void
str_lower(char *s)
{
	for (; s && *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

char *
str_utf8_clean(const char *in)
{
	const unsigned char *p = (const unsigned char *)(in ? in : "");
	struct sbuf b;

	sbuf_init(&b);
	sbuf_addn(&b, "", 0);
	while (*p) {
		size_t n, i;
		unsigned int cp;

		if (*p < 0x80) {
			sbuf_addc(&b, (char)*p++);
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf)
			n = 2, cp = *p & 0x1f;
		else if (*p >= 0xe0 && *p <= 0xef)
			n = 3, cp = *p & 0x0f;
		else if (*p >= 0xf0 && *p <= 0xf4)
			n = 4, cp = *p & 0x07;
		else
			n = 0, cp = 0;
		for (i = 1; i < n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				break;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if (n == 0 || i < n || (n == 3 && (cp < 0x800 ||
		    (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (n == 4 && (cp < 0x10000 || cp > 0x10ffff))) {
			sbuf_add(&b, "\xef\xbf\xbd");	/* U+FFFD */
			p++;
			continue;
		}
		sbuf_addn(&b, (const char *)p, n);
		p += n;
	}
	return sbuf_steal(&b);
}

double
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
txn_gap(void)
{
	struct timespec t = { 0, 5 * 1000000 };

	nanosleep(&t, NULL);
}

const char *
log_safe(const char *s, char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	unsigned char c;

	if (len == 0)
		return buf;
	for (; s != NULL && *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\' ||
		    c == '<' || c == '>') {
			if (n + 4 + 4 > len)
				break;
			buf[n++] = '\\';
			buf[n++] = 'x';
			buf[n++] = hex[c >> 4];
			buf[n++] = hex[c & 15];
		} else {
			if (n + 1 + 4 > len)
				break;
			buf[n++] = (char)c;
		}
	}
	if (s != NULL && *s != '\0' && len >= 4) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n < len ? n : len - 1] = '\0';
	return buf;
}

int
file_has_ci(const char *path, const char *addr)
{
	enum { CHUNK = 1 << 20 };
	size_t alen = strlen(addr), have = 0, i;
	char *buf;
	ssize_t got;
	int fd, hit = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return errno == ENOENT ? 0 : -1;
	buf = xmalloc(CHUNK + alen);
	/* the last alen - 1 bytes of a chunk start the next one */
	while (!hit && (got = read(fd, buf + have, CHUNK)) > 0) {
		for (i = have; i < have + (size_t)got; i++)
			if (buf[i] >= 'A' && buf[i] <= 'Z')
				buf[i] += 'a' - 'A';
		have += (size_t)got;
		hit = memmem(buf, have, addr, alen) != NULL;
		if (have >= alen) {
			memmove(buf, buf + have - (alen - 1), alen - 1);
			have = alen - 1;
		}
	}
	if (got == -1)
		hit = -1;
	close(fd);
	free(buf);
	return hit;
}

char *
str_replace_ci(const char *t, const char *what, const char *with)
{
	struct sbuf b;
	size_t n = strlen(what);
	const char *p;

	sbuf_init(&b);
	sbuf_addn(&b, "", 0);
	for (p = t; *p; ) {
		if (n > 0 && strncasecmp(p, what, n) == 0) {
			sbuf_add(&b, with);
			p += n;
		} else
			sbuf_addn(&b, p++, 1);
	}
	return sbuf_steal(&b);
}
