/*
 * authres.c - DKIM results from our own MTA's Authentication-Results
 * header fields (RFC 8601, section 2.2 for the syntax).
 *
 *   Authentication-Results: mx.example.org 1; dkim=pass (2048-bit key)
 *       header.d=example.net header.i=@example.net header.b="abc";
 *       spf=pass smtp.mailfrom=example.net
 *
 * The value is an authserv-id, an optional version, then resinfo
 * clauses separated by ';', each "method[/version]=result" followed by
 * "reason=" and "ptype.property=value" pairs. Comments (in parentheses,
 * nested) may appear anywhere and are dropped first; values may be
 * quoted strings. What cannot be read is skipped: a field we cannot read
 * vouches for nothing.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "authres.h"
#include "fields.h"
#include "util.h"

/*
 * uncomment - a copy of v without its comments (each one space), quoted
 * strings kept as written; caller frees. An unclosed comment runs to the
 * end of the value.
 */
static char *
uncomment(const char *v)
{
	struct sbuf o;
	int depth = 0, quoted = 0;
	const char *p;

	sbuf_init(&o);
	for (p = v; *p; p++) {
		if (quoted) {
			sbuf_addc(&o, *p);
			if (*p == '\\' && p[1] != '\0')
				sbuf_addc(&o, *++p);
			else if (*p == '"')
				quoted = 0;
		} else if (depth > 0) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			else if (*p == '(')
				depth++;
			else if (*p == ')' && --depth == 0)
				sbuf_addc(&o, ' ');
		} else if (*p == '(')
			depth = 1;
		else {
			if (*p == '"')
				quoted = 1;
			sbuf_addc(&o, *p);
		}
	}
	if (o.s == NULL)
		sbuf_add(&o, "");
	return sbuf_steal(&o);
}

static const char *
skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return p;
}

/*
 * word - one token at *pp into out (NUL-terminated, at most size - 1
 * bytes kept): a quoted string unquoted, or the bytes up to white
 * space, ';', '=' or the end. *pp moves past it.
 */
static void
word(const char **pp, char *out, size_t size)
{
	const char *p = *pp;
	size_t n = 0;

	if (*p == '"') {
		for (p++; *p && *p != '"'; p++) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			if (n + 1 < size)
				out[n++] = *p;
		}
		if (*p == '"')
			p++;
	} else
		for (; *p && !strchr(" \t\r\n;=", *p); p++)
			if (n + 1 < size)
				out[n++] = *p;
	out[n] = '\0';
	*pp = p;
}

/*
 * pair - "name = value" at *pp: value is "" when there is no '='.
 * Returns 0 at the end of a resinfo (';' or the end of the value).
 */
static int
pair(const char **pp, char *name, size_t nsize, char *value, size_t vsize)
{
	const char *p = skip_ws(*pp), *start;

	if (*p == '\0' || *p == ';') {
		*pp = p;
		return 0;
	}
	start = p;
	word(&p, name, nsize);
	p = skip_ws(p);
	value[0] = '\0';
	if (*p == '=') {
		p = skip_ws(p + 1);
		word(&p, value, vsize);
	} else if (p == start)
		p++;	/* a stray character: step over it */
	*pp = p;
	return 1;
}

/* add_domain - keep d (lower case, without a final dot), once */
static void
add_domain(struct authres *a, const char *d)
{
	char *s;
	size_t i, n;

	if (*d == '@')
		d++;	/* header.i=@example.net: the domain of an identity */
	else if (strchr(d, '@') != NULL)
		d = strrchr(d, '@') + 1;
	n = strlen(d);
	while (n > 0 && d[n - 1] == '.')
		n--;
	if (n == 0 || a->n == AUTHRES_DOMAINS_MAX)
		return;
	s = xstrndup(d, n);
	str_lower(s);
	for (i = 0; i < a->n; i++)
		if (strcmp(a->dkim[i], s) == 0) {
			free(s);
			return;
		}
	a->dkim[a->n++] = s;
}

/*
 * resinfo - one clause at *pp; a passing DKIM result's signing domain
 * (header.d, or the domain of header.i when d is missing, as older
 * OpenDKIM releases wrote it) is kept. *pp moves past the clause's ';'.
 */
static void
resinfo(const char **pp, struct authres *a)
{
	char name[64], value[256], method[64], result[256], d[256], i[256];
	const char *p = *pp;
	int first = 1;

	method[0] = result[0] = d[0] = i[0] = '\0';
	while (pair(&p, name, sizeof(name), value, sizeof(value))) {
		if (first) {
			char *slash = strchr(name, '/');

			if (slash != NULL)
				*slash = '\0';	/* dkim/1: a method version */
			snprintf(method, sizeof(method), "%s", name);
			snprintf(result, sizeof(result), "%s", value);
			first = 0;
		} else if (strcasecmp(name, "header.d") == 0)
			snprintf(d, sizeof(d), "%s", value);
		else if (strcasecmp(name, "header.i") == 0)
			snprintf(i, sizeof(i), "%s", value);
	}
	if (*p == ';')
		p++;
	*pp = p;
	if (strcasecmp(method, "dkim") != 0 || strcasecmp(result, "pass") != 0)
		return;
	if (d[0] != '\0')
		add_domain(a, d);
	else if (i[0] != '\0')
		add_domain(a, i);
}

/* one_field - the value of one Authentication-Results field */
static void
one_field(const char *value, const char *id, struct authres *a)
{
	char *v = uncomment(value), serv[256], ver[16];
	const char *p = skip_ws(v), *q;

	word(&p, serv, sizeof(serv));
	if (serv[0] == '\0' || strcasecmp(serv, id) != 0)
		goto out;	/* not our MTA's: anyone could have written it */
	/* an optional version number before the first ';' */
	q = skip_ws(p);
	if (isdigit((unsigned char)*q)) {
		word(&q, ver, sizeof(ver));
		p = q;
	}
	p = skip_ws(p);
	if (*p != ';')
		goto out;	/* "none", or nothing we can read */
	p++;
	while (*p != '\0')
		resinfo(&p, a);
out:
	free(v);
}

/* header_len - the length of the header block at the start of msg */
static size_t
header_len(const char *msg, size_t len)
{
	const char *p = msg, *end = msg + (len < AUTHRES_HEADER_MAX ? len :
	    AUTHRES_HEADER_MAX);

	while (p < end) {
		if (*p == '\n' || *p == '\r')
			break;	/* an empty line ends the header */
		while (p < end && *p != '\n' && *p != '\r')
			p++;
		if (p < end && *p == '\r')
			p++;
		if (p < end && *p == '\n')
			p++;
	}
	return (size_t)(p - msg);
}

void
authres_read(const char *msg, size_t len, const char *authserv_id,
    struct authres *a)
{
	struct field_list h;
	size_t i, seen = 0;

	if (msg == NULL || authserv_id == NULL || authserv_id[0] == '\0')
		return;
	memset(&h, 0, sizeof(h));
	fields_parse(msg, header_len(msg, len), &h);
	for (i = 0; i < h.n && seen < AUTHRES_FIELDS_MAX; i++) {
		if (strcasecmp(h.f[i].name, "Authentication-Results") != 0 ||
		    h.f[i].value == NULL)
			continue;
		seen++;
		one_field(h.f[i].value, authserv_id, a);
	}
	fields_free(&h);
}

int
authres_signed_by(const struct authres *a, const char *domain)
{
	return authres_signer(a, domain) != NULL;
}

const char *
authres_signer(const struct authres *a, const char *domain)
{
	const char *at;
	size_t i, n, dn;

	if (domain == NULL)
		return NULL;
	if ((at = strrchr(domain, '@')) != NULL)
		domain = at + 1;
	dn = strlen(domain);
	while (dn > 0 && domain[dn - 1] == '.')
		dn--;
	for (i = 0; i < a->n; i++) {
		const char *s = a->dkim[i];

		n = strlen(s);
		if (strchr(s, '.') == NULL || n > dn)
			continue;	/* a top-level domain signs for nobody */
		if (strncasecmp(domain + dn - n, s, n) == 0 &&
		    (n == dn || domain[dn - n - 1] == '.'))
			return s;
	}
	return NULL;
}

void
authres_free(struct authres *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		free(a->dkim[i]);
	memset(a, 0, sizeof(*a));
}

int
authres_dkim_pass(const char *msg, size_t len, const char *authserv_id,
    const char *domain)
{
	struct authres a;
	int yes;

	memset(&a, 0, sizeof(a));
	authres_read(msg, len, authserv_id, &a);
	yes = authres_signed_by(&a, domain);
	authres_free(&a);
	return yes;
}
