/*
 * addr.c - address normal form and validation.
 *
 * Addresses come from untrusted messages. Only addresses that pass
 * addr_valid() may reach the store: printable, no white space or
 * control bytes, one '@', a domain of letters, digits, dots, hyphens or
 * UTF-8, and at most ADDR_MAX bytes. Invalid UTF-8 and a local part
 * with quotes that do not pair are refused: SQLite would keep the bytes
 * and PostgreSQL replace them, two keys, neither Postfix's.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <glib.h>

#include "addr.h"
#include "util.h"

/* strip_comments - remove (...) comments outside quotes, in place */
static void
strip_comments(char *s)
{
	char *r, *w;
	int depth = 0, q = 0;

	for (r = w = s; *r; r++) {
		if (*r == '"' && depth == 0)
			q = !q;
		if (!q && *r == '(') {
			depth++;
			continue;
		}
		if (!q && *r == ')' && depth > 0) {
			depth--;
			continue;
		}
		if (depth == 0)
			*w++ = *r;
	}
	*w = '\0';
}

/*
 * unquote - a quoted local part ("o'reilly"@r.example) without its
 * quotes and backslashes, as Postfix keys it; 0 when s has none, -1
 * when its quotes do not pair
 */
static int
unquote(char *s)
{
	char *at = strrchr(s, '@'), *r, *w;

	if (at == NULL || memchr(s, '"', (size_t)(at - s)) == NULL)
		return 0;
	if (s[0] != '"' || at - s < 2 || at[-1] != '"')
		return -1;
	for (r = s + 1, w = s; r < at - 1; r++) {
		if (*r == '\\' && r + 1 < at - 1)
			r++;
		else if (*r == '"')
			return -1;
		*w++ = *r;
	}
	memmove(w, at, strlen(at) + 1);
	return 1;
}

/*
 * fold - the case Postfix gives a lookup key: ASCII lower case, and with
 * SMTPUTF8 the full Unicode case folding (ICU's, which GLib's matches:
 * "Straße" is "strasse"); NULL for bytes that are not UTF-8
 */
static char *
fold(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p && *p < 0x80; p++)
		;
	if (*p == '\0') {
		char *a = xstrdup(s);

		str_lower(a);
		return a;
	}
	if (!g_utf8_validate(s, -1, NULL))
		return NULL;
	{
		gchar *f = g_utf8_casefold(s, -1);
		char *a = xstrdup(f);

		g_free(f);
		return a;
	}
}

char *
addr_check(const char *in, const char **why)
{
	char *s, *p, *a, *e, *f, *out = NULL;

	*why = "not a valid address";
	if (in == NULL)
		return NULL;
	s = xstrdup(in);
	/* address-type prefix: "rfc822; a@b", "utf-8; a@b", "x-unix; u" */
	if ((p = strchr(s, ';')) != NULL && strchr(p, '@') != NULL &&
	    memchr(s, '@', (size_t)(p - s)) == NULL)
		memmove(s, p + 1, strlen(p + 1) + 1);
	strip_comments(s);
	str_trim(s);
	a = s;
	/* "Name <a@b>" and "<a@b>" */
	if ((p = strrchr(a, '<')) != NULL && (e = strchr(p, '>')) != NULL) {
		*e = '\0';
		a = p + 1;
	}
	str_trim(a);
	/* a mailto: or SMTP path prefix ("@relay:user@dom") */
	if ((p = (char *)str_iprefix(a, "mailto:")) != NULL)
		a = p;
	if (*a == '@' && (p = strchr(a, ':')) != NULL)
		a = p + 1;
	/* "a@b" quoted whole, as text quotes it */
	e = a + strlen(a);
	if (*a == '"' && e - a > 2 && e[-1] == '"' &&
	    memchr(a + 1, '"', (size_t)(e - a - 2)) == NULL) {
		e[-1] = '\0';
		a++;
	}
	/* a quoted local part: its quotes are no part of the key */
	if (*a == '"' && unquote(a) == -1) {
		*why = "unbalanced quotes in the local part";
		goto out;
	}
	while (*a == '<' || *a == '\'')
		a++;
	e = a + strlen(a);
	while (e > a && (e[-1] == '>' || e[-1] == '"' || e[-1] == '\'' ||
	    e[-1] == '.' || e[-1] == ':' || e[-1] == ',' || e[-1] == ';'))
		*--e = '\0';
	if (unquote(a) == -1) {
		*why = "unbalanced quotes in the local part";
		goto out;
	}
	if ((f = fold(a)) == NULL) {
		*why = "not valid UTF-8";
		goto out;
	}
	if (addr_valid(f))
		out = f;
	else
		free(f);
out:
	free(s);
	return out;
}

char *
addr_normalise(const char *in)
{
	const char *why;

	return addr_check(in, &why);
}

int
addr_valid(const char *s)
{
	const char *at, *p;
	size_t n = strlen(s);

	if (n < 3 || n > ADDR_MAX)
		return 0;
	if ((at = strchr(s, '@')) == NULL || at == s || strchr(at + 1, '@'))
		return 0;
	for (p = s; p < at; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= ' ' || c == 127 || c == '<' || c == '>' ||
		    c == '(' || c == ')' || c == ',' || c == ';' || c == '\\')
			return 0;
	}
	if (at[1] == '\0' || at[1] == '.' || at[1] == '-')
		return 0;
	for (p = at + 1; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c >= 0x80 || isalnum(c) || c == '.' || c == '-' ||
		    c == '_')
			continue;
		/* address literal: user@[192.0.2.1] */
		if (c == '[' || c == ']' || c == ':')
			continue;
		return 0;
	}
	return p[-1] != '.';
}

static int
addr_char(unsigned char c)
{
	return isalnum(c) || c >= 0x80 || strchr("!#$%&'*+-/=?^_`{|}~.", c);
}

const char *
addr_scan(const char *text, size_t *len)
{
	const char *at, *s, *e;

	for (at = strchr(text, '@'); at != NULL; at = strchr(at + 1, '@')) {
		for (s = at; s > text && addr_char((unsigned char)s[-1]); s--)
			;
		for (e = at + 1; *e && (isalnum((unsigned char)*e) ||
		    (unsigned char)*e >= 0x80 || *e == '.' || *e == '-' ||
		    *e == '_'); e++)
			;
		while (e > at + 1 && (e[-1] == '.' || e[-1] == '-'))
			e--;
		while (s < at && (*s == '.' || *s == '\''))
			s++;
		if (s == at || e == at + 1 || memchr(at + 1, '.',
		    (size_t)(e - at - 1)) == NULL)
			continue;
		*len = (size_t)(e - s);
		return s;
	}
	return NULL;
}
