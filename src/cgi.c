/*
 * cgi.c - bouncer --cgi, the one-click unsubscribe endpoint (cgi.h).
 *
 * Everything that comes in is untrusted and bounded: the query string,
 * the body (read up to CONTENT_LENGTH, refused past CGI_BODY_MAX), the
 * token (unsub.h). What goes out is one CGI response on standard output;
 * why a request failed goes to standard error, which web servers put in
 * their error log.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <syslog.h>
#include <unistd.h>

#include <glib.h>

#include "cgi.h"
#include "owner.h"
#include "policy.h"
#include "store.h"
#include "util.h"

/* The pages: short, no outside resources, nothing that varies by address. */
#define PAGE_HEAD \
	"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">" \
	"<meta name=\"viewport\" content=\"width=device-width\">" \
	"<meta name=\"robots\" content=\"noindex\"><title>Unsubscribe</title>" \
	"</head><body>\n"
#define PAGE_TAIL "</body></html>\n"

/* respond - one CGI response; extra header lines end in "\n" */
static void
respond(const char *status, const char *extra, const char *body, int head)
{
	printf("Status: %s\nContent-Type: text/html; charset=utf-8\n"
	    "Cache-Control: no-store\nReferrer-Policy: no-referrer\n"
	    "X-Content-Type-Options: nosniff\n%s\n", status, extra ? extra : "");
	if (!head && body != NULL)
		printf("%s%s%s", PAGE_HEAD, body, PAGE_TAIL);
}

/* unhex - value of a hex digit, -1 for none */
static int
unhex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * form_value - the value of name in form-encoded text s of length n
 * (pairs split by '&'), percent-decoded, '+' as a space, or NULL;
 * caller frees. A value with a NUL byte is refused.
 */
static char *
form_value(const char *s, size_t n, const char *name, int plus_space)
{
	const char *p = s, *end = s + n;

	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *e = amp ? amp : end, *eq = memchr(p, '=', (size_t)(e - p));
		size_t kl = eq ? (size_t)(eq - p) : (size_t)(e - p);

		if (eq != NULL && kl == strlen(name) && memcmp(p, name, kl) == 0) {
			struct sbuf b;
			const char *q;

			sbuf_init(&b);
			sbuf_add(&b, "");
			for (q = eq + 1; q < e; q++) {
				int hi, lo;

				if (*q == '%' && e - q >= 3 &&
				    (hi = unhex((unsigned char)q[1])) >= 0 &&
				    (lo = unhex((unsigned char)q[2])) >= 0) {
					if (hi == 0 && lo == 0) {
						sbuf_free(&b);
						return NULL;
					}
					sbuf_addc(&b, (char)(hi * 16 + lo));
					q += 2;
				} else if (*q == '+' && plus_space)
					sbuf_addc(&b, ' ');
				else
					sbuf_addc(&b, *q);
			}
			return sbuf_steal(&b);
		}
		p = e + 1;
	}
	return NULL;
}

/* memmem_ci - case-insensitive search of needle in n bytes of hay */
static const char *
memmem_ci(const char *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;

	for (i = 0; k <= n && i <= n - k; i++)
		if (strncasecmp(hay + i, needle, k) == 0)
			return hay + i;
	return NULL;
}

/*
 * one_click_multipart - a multipart/form-data body (RFC 7578) with the
 * part named List-Unsubscribe whose content is One-Click
 */
static int
one_click_multipart(const char *body, size_t n, const char *ctype)
{
	const char *bd = memmem_ci(ctype, strlen(ctype), "boundary="), *p, *end;
	char delim[80];
	size_t bl;

	if (bd == NULL)
		return 0;
	bd += 9;
	bl = *bd == '"' ? strcspn(++bd, "\"") : strcspn(bd, "; \t");
	if (bl == 0 || bl > 70 ||
	    snprintf(delim, sizeof(delim), "--%.*s", (int)bl, bd) >=
	    (int)sizeof(delim))
		return 0;
	for (p = body, end = body + n; p < end;) {
		const char *part = memmem(p, (size_t)(end - p), delim,
		    strlen(delim)), *hdr_end, *next, *v;
		size_t vl;

		if (part == NULL)
			return 0;
		part += strlen(delim);
		if ((next = memmem(part, (size_t)(end - part), delim,
		    strlen(delim))) == NULL)
			return 0;
		if ((hdr_end = memmem(part, (size_t)(next - part), "\r\n\r\n",
		    4)) != NULL)
			v = hdr_end + 4;
		else if ((hdr_end = memmem(part, (size_t)(next - part), "\n\n",
		    2)) != NULL)
			v = hdr_end + 2;
		else {
			p = next;
			continue;
		}
		vl = (size_t)(next - v);
		while (vl > 0 && (v[vl - 1] == '\n' || v[vl - 1] == '\r'))
			vl--;	/* the line end before the delimiter */
		if (memmem_ci(part, (size_t)(hdr_end - part),
		    "name=\"List-Unsubscribe\"") != NULL &&
		    vl == 9 && memcmp(v, "One-Click", 9) == 0)
			return 1;
		p = next;
	}
	return 0;
}

/* one_click - the body says List-Unsubscribe=One-Click (RFC 8058 3.2) */
static int
one_click(const char *body, size_t n, const char *ctype)
{
	char *v;
	int yes;

	if (ctype != NULL && str_iprefix(ctype, "multipart/form-data") != NULL)
		return one_click_multipart(body, n, ctype);
	if ((v = form_value(body, n, "List-Unsubscribe", 1)) == NULL)
		return 0;
	yes = strcmp(str_trim(v), "One-Click") == 0;
	free(v);
	return yes;
}

/* read_body - CONTENT_LENGTH bytes of standard input, bounded */
static int
read_body(char *buf, size_t max, size_t *len, int *toobig)
{
	const char *cl = getenv("CONTENT_LENGTH");
	char *end;
	unsigned long want;
	size_t got = 0;

	*len = 0;
	*toobig = 0;
	if (cl == NULL || *cl == '\0')
		return 0;
	errno = 0;
	want = strtoul(cl, &end, 10);
	if (errno || *end != '\0' || *cl == '-')
		return -1;
	if (want > max) {
		*toobig = 1;
		return -1;
	}
	while (got < want) {
		ssize_t r = read(STDIN_FILENO, buf + got, want - got);

		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	*len = got;
	return 0;
}

/* html_text - append s with HTML's special characters escaped */
static void
html_text(struct sbuf *b, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '<': sbuf_add(b, "&lt;"); break;
		case '>': sbuf_add(b, "&gt;"); break;
		case '&': sbuf_add(b, "&amp;"); break;
		case '"': sbuf_add(b, "&quot;"); break;
		case '\'': sbuf_add(b, "&#39;"); break;
		default: sbuf_addc(b, *s);
		}
}

/* confirm_page - the GET answer: a button that POSTs the one click */
static void
confirm_page(const char *rcpt, const char *query, int head)
{
	struct sbuf b;

	sbuf_init(&b);
	sbuf_add(&b, "<h1>Unsubscribe</h1>\n<p>Stop sending mail to ");
	html_text(&b, rcpt);
	sbuf_add(&b, "?</p>\n<form method=\"post\" action=\"?");
	html_text(&b, query);
	sbuf_add(&b, "\"><input type=\"hidden\" name=\"List-Unsubscribe\" "
	    "value=\"One-Click\"><button type=\"submit\">Unsubscribe</button>"
	    "</form>\n");
	respond("200 OK", NULL, b.s, head);
	sbuf_free(&b);
}

/* dedup_key - one click counts once, however often it is sent */
static char *
dedup_key(const char *tok)
{
	GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA256);
	char *k;

	g_checksum_update(ck, (const guchar *)"one-click|", 10);
	g_checksum_update(ck, (const guchar *)tok, (gssize)strlen(tok));
	k = xstrdup(g_checksum_get_string(ck));
	g_checksum_free(ck);
	return k;
}

/*
 * record - the unsubscribe, in one short transaction as pipe mode makes
 * it; STORE_TEMP when the store is locked or unavailable
 */
static enum store_status
record(const struct config *cf, const char *rcpt, const char *list,
    const char *tok, time_t now, enum policy_outcome *out)
{
	struct store *s = NULL;
	struct store_event e;
	enum store_status r;
	char *err = NULL, *key, why[512];

	if (!store_is_pg(cf->db) &&
	    owner_become(cf->db, why, sizeof(why)) == -1) {
		fprintf(stderr, "bouncer: %s\n", why);
		return STORE_TEMP;
	}
	if (store_open(cf->db, cf->busy_ms, 0, &s, &err) != STORE_OK) {
		fprintf(stderr, "bouncer: database %s unavailable: %s\n", cf->db,
		    err ? err : "unknown error");
		free(err);
		return STORE_TEMP;
	}
	key = dedup_key(tok);
	memset(&e, 0, sizeof(e));
	e.time = now;
	e.address = rcpt;
	e.class = "unsubscribe";
	e.reason = "feedback";
	e.diagnostic = "one-click unsubscribe (RFC 8058)";
	e.source = "unsubscribe";
	e.feedback_type = "opt-out";
	e.campaign = list && *list ? list : NULL;
	e.dedup = key;
	if ((r = store_begin(s)) == STORE_OK) {
		if ((r = policy_apply(s, &cf->policy, &e, out)) == STORE_OK)
			r = store_commit(s);
		else
			store_rollback(s);
	}
	if (r != STORE_OK)
		fprintf(stderr, "bouncer: database error: %s\n", store_error(s));
	free(key);
	store_close(s);
	return r;
}

int
cgi_run(const struct unsub_cfg *u, const struct config *cf, time_t now)
{
	const char *method = getenv("REQUEST_METHOD"), *q = getenv("QUERY_STRING");
	char *tok = NULL, *rcpt = NULL, *list = NULL, body[CGI_BODY_MAX];
	char rb[LOG_SAFE_MAX], lb[LOG_SAFE_MAX];
	enum policy_outcome out;
	size_t blen;
	int head, toobig;

	if (method == NULL) {
		fprintf(stderr, "bouncer: --cgi is run by a web server "
		    "(REQUEST_METHOD is not set)\n");
		return EX_USAGE;
	}
	head = strcmp(method, "HEAD") == 0;
	if (strcmp(method, "GET") != 0 && !head && strcmp(method, "POST") != 0) {
		respond("405 Method Not Allowed", "Allow: GET, HEAD, POST\n",
		    "<p>Method not allowed.</p>\n", 0);
		return 0;
	}
	if (u->keys == NULL) {
		fprintf(stderr, "bouncer: --cgi needs sign_keys\n");
		respond("500 Internal Server Error", NULL,
		    "<p>Unsubscribe is not configured here.</p>\n", head);
		return 0;
	}
	if (q == NULL || strlen(q) > CGI_QUERY_MAX ||
	    (tok = form_value(q, strlen(q), "u", 0)) == NULL ||
	    unsub_check(u->keys, tok, u->delims, now, u->max_age, &rcpt,
	    &list) != VERP_VALID) {
		respond("400 Bad Request", NULL, "<p>This unsubscribe link is "
		    "not valid, or has expired.</p>\n", head);
		goto out;
	}
	if (strcmp(method, "POST") != 0) {
		confirm_page(rcpt, q, head);
		goto out;
	}
	if (read_body(body, sizeof(body), &blen, &toobig) == -1) {
		respond(toobig ? "413 Payload Too Large" : "400 Bad Request",
		    NULL, "<p>Bad request.</p>\n", 0);
		goto out;
	}
	if (!one_click(body, blen, getenv("CONTENT_TYPE"))) {
		respond("400 Bad Request", NULL, "<p>A one-click unsubscribe "
		    "request says List-Unsubscribe=One-Click.</p>\n", 0);
		goto out;
	}
	if (record(cf, rcpt, list, tok, now, &out) != STORE_OK) {
		respond("503 Service Unavailable", "Retry-After: 60\n",
		    "<p>Please try again in a minute.</p>\n", 0);
		goto out;
	}
	if (cf->syslog)
		syslog(LOG_INFO, "to=<%s>, class=unsubscribe, reason=feedback, "
		    "action=%s, one-click%s%s", log_safe(rcpt, rb, sizeof(rb)),
		    policy_outcome_name(out), list && *list ? ", list=" : "",
		    list && *list ? log_safe(list, lb, sizeof(lb)) : "");
	/* the same answer whether the address was listed before or not */
	respond("200 OK", NULL, "<p>You are unsubscribed.</p>\n", 0);
out:
	free(tok);
	free(rcpt);
	free(list);
	return 0;
}
