/*
 * wire.c - an analysed message as bytes, and back.
 *
 * Carries exactly what batch.c's finish() reads after ingest_analyse():
 * the status, the reason a message is unparseable (and, to be
 * quarantined, its bytes), the message fields an event stores, and per
 * recipient its address, the verdict, what vouches for it and the
 * deduplication key. Strings
 * are a 32-bit length (all ones for NULL) and the bytes; numbers are in
 * the machine's own order, since the two ends are one binary on one
 * machine.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "wire.h"

#define NIL	UINT32_MAX

static void
put32(struct sbuf *b, uint32_t v)
{
	sbuf_addn(b, (const char *)&v, sizeof(v));
}

static void
put64(struct sbuf *b, int64_t v)
{
	sbuf_addn(b, (const char *)&v, sizeof(v));
}

static void
putstr(struct sbuf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	put32(b, s ? (uint32_t)n : NIL);
	if (s)
		sbuf_addn(b, s, n);
}

void
wire_put(struct sbuf *b, enum ingest_status is, const struct ingest_result *res,
    const char *raw, size_t rawlen)
{
	const struct bounce *bo = &res->b;
	size_t i;

	put32(b, (uint32_t)is);
	putstr(b, res->why);
	if (is != INGEST_OK) {
		put32(b, raw ? (uint32_t)rawlen : NIL);
		if (raw)
			sbuf_addn(b, raw, rawlen);
		return;
	}
	put32(b, (uint32_t)bo->kind);
	put64(b, bo->when);
	putstr(b, bo->reporting_mta);
	putstr(b, bo->orig_message_id);
	putstr(b, bo->postfix_queue_id);
	putstr(b, bo->user_agent);
	putstr(b, bo->feedback_type);
	putstr(b, bo->campaign);
	put32(b, (uint32_t)bo->n);
	for (i = 0; i < bo->n; i++) {
		const struct rcpt *r = &bo->r[i];

		putstr(b, r->recipient);
		putstr(b, r->action);
		putstr(b, r->diagnostic_code);
		putstr(b, r->text_diag);
		putstr(b, r->remote_mta);
		putstr(b, r->v.status);
		putstr(b, r->v.replycode);
		putstr(b, r->v.reason);
		putstr(b, r->v.class);
		put32(b, (uint32_t)r->vouched);
		putstr(b, r->trust);
		putstr(b, res->keys ? res->keys[i] : NULL);
	}
}

struct rd {
	const char	*p;
	const char	*end;
	int		 bad;
};

/* take - the next n bytes into out, or mark the record bad */
static void
take(struct rd *d, void *out, size_t n)
{
	if (d->bad || (size_t)(d->end - d->p) < n) {
		d->bad = 1;
		memset(out, 0, n);
		return;
	}
	memcpy(out, d->p, n);
	d->p += n;
}

static uint32_t
get32(struct rd *d)
{
	uint32_t v;

	take(d, &v, sizeof(v));
	return v;
}

static int64_t
get64(struct rd *d)
{
	int64_t v;

	take(d, &v, sizeof(v));
	return v;
}

/*
 * getbytes - an allocated, NUL-terminated copy and its length (a
 * message may hold NUL bytes), or NULL
 */
static char *
getbytes(struct rd *d, size_t *len)
{
	uint32_t n = get32(d);
	char *s;

	if (d->bad || n == NIL)
		return NULL;
	if ((size_t)(d->end - d->p) < n) {
		d->bad = 1;
		return NULL;
	}
	s = xmalloc((size_t)n + 1);
	memcpy(s, d->p, n);
	s[n] = '\0';
	d->p += n;
	if (len != NULL)
		*len = n;
	return s;
}

/* getstr - a string: an allocated copy, or NULL */
static char *
getstr(struct rd *d)
{
	return getbytes(d, NULL);
}

/* getbuf - into a fixed buffer (the verdict's status and reply code) */
static void
getbuf(struct rd *d, char *out, size_t outlen)
{
	char *s = getstr(d);

	snprintf(out, outlen, "%s", s ? s : "");
	free(s);
}

/* getword - a static vocabulary word: reasons, classes */
static const char *
getword(struct rd *d, int class)
{
	char *s = getstr(d);
	const char *w;

	if (s == NULL)
		return NULL;
	if (class)
		/* the two classes ingest gives that no rule can */
		w = strcmp(s, "unverified") == 0 ? "unverified" :
		    strcmp(s, "unsubscribe") == 0 ? "unsubscribe" :
		    classify_class_word(s);
	else
		w = classify_reason_word(s);
	free(s);
	if (w == NULL)
		d->bad = 1;
	return w;
}

int
wire_get(const char *buf, size_t len, enum ingest_status *is,
    struct ingest_result *res, char **why, char **raw, size_t *rawlen)
{
	struct rd d = { buf, buf + len, 0 };
	struct bounce *bo = &res->b;
	uint32_t n, i;

	memset(res, 0, sizeof(*res));
	*raw = NULL;
	*rawlen = 0;
	*is = (enum ingest_status)get32(&d);
	*why = getstr(&d);
	res->why = *why;
	if (d.bad)
		return -1;
	if (*is != INGEST_OK) {
		*raw = getbytes(&d, rawlen);
		return d.bad || d.p != d.end ? -1 : 0;
	}
	bo->kind = (enum bounce_kind)get32(&d);
	bo->when = get64(&d);
	bo->reporting_mta = getstr(&d);
	bo->orig_message_id = getstr(&d);
	bo->postfix_queue_id = getstr(&d);
	bo->user_agent = getstr(&d);
	bo->feedback_type = getstr(&d);
	bo->campaign = getstr(&d);
	n = get32(&d);
	if (d.bad || n > BOUNCE_RCPT_MAX)
		return -1;
	bo->r = xcalloc(n ? n : 1, sizeof(*bo->r));
	bo->n = bo->cap = n;
	res->keys = xcalloc(n ? n : 1, sizeof(*res->keys));
	res->outcome = xcalloc(n ? n : 1, sizeof(*res->outcome));
	for (i = 0; i < n && !d.bad; i++) {
		struct rcpt *r = &bo->r[i];

		r->recipient = getstr(&d);
		r->action = getstr(&d);
		r->diagnostic_code = getstr(&d);
		r->text_diag = getstr(&d);
		r->remote_mta = getstr(&d);
		getbuf(&d, r->v.status, sizeof(r->v.status));
		getbuf(&d, r->v.replycode, sizeof(r->v.replycode));
		r->v.reason = getword(&d, 0);
		r->v.class = getword(&d, 1);
		r->vouched = get32(&d) != 0;
		getbuf(&d, r->trust, sizeof(r->trust));
		res->keys[i] = getstr(&d);
		res->outcome[i] = POLICY_RECORDED;
	}
	return d.bad || d.p != d.end ? -1 : 0;
}
