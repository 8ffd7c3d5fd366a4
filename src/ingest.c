/*
 * ingest.c - parse, classify and apply the policy to one message.
 *
 * Deduplication: a bounce that carries a Message-ID is identified by it
 * (and the recipient, action and status), so a Postfix retry after a
 * crash or a replay of a saved copy counts once even when the copies
 * differ in line ends or a From_ line; a bounce without one by a hash of
 * its bytes with line ends normalised, made once per message (a message
 * may name a thousand recipients and weigh megabytes).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "addr.h"
#include "authres.h"
#include "ingest.h"
#include "pending.h"
#include "unsub.h"
#include "util.h"

char *
ingest_queue_key(const char *qid, const char *addr, const char *action,
    time_t t)
{
	GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA256);
	char ts[32];
	const char *parts[5] = { "pfq", qid, addr, action, ts };
	char *key;
	size_t k;

	snprintf(ts, sizeof(ts), "%lld", (long long)t);
	for (k = 0; k < 5; k++)
		g_checksum_update(ck, (const guchar *)parts[k],
		    (gssize)strlen(parts[k]) + 1);
	key = xstrdup(g_checksum_get_string(ck));
	g_checksum_free(ck);
	return key;
}

char *
ingest_message_digest(const char *buf, size_t len)
{
	GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA256);
	const char *p = buf, *end = buf + len, *q;
	char *d;

	/* skip an mbox From_ line; drop CRs */
	if (len > 5 && memcmp(p, "From ", 5) == 0 &&
	    (q = memchr(p, '\n', len)) != NULL)
		p = q + 1;
	while (p < end) {
		q = memchr(p, '\r', (size_t)(end - p));
		if (q == NULL)
			q = end;
		g_checksum_update(ck, (const guchar *)p, q - p);
		p = q + 1;
	}
	d = xstrdup(g_checksum_get_string(ck));
	g_checksum_free(ck);
	return d;
}

char *
ingest_dedup_key(const struct bounce *b, size_t i, const char *digest)
{
	const struct rcpt *r = &b->r[i];
	GChecksum *ck;
	const char *parts[7];
	char *key;
	size_t k;

	/*
	 * Not the queue ID of the original alone: Postfix reuses queue IDs,
	 * and a later bounce of another message that got the same one is
	 * another bounce. The same failure read from the log as well is
	 * found by the policy (store_event_near).
	 */
	ck = g_checksum_new(G_CHECKSUM_SHA256);
	parts[0] = r->recipient;
	parts[1] = r->action;
	parts[2] = r->v.status;
	parts[3] = r->v.reason;
	parts[4] = bounce_kind_name(b->kind);
	parts[5] = b->message_id;
	/* without a Message-ID, the message's bytes, hashed once for all */
	parts[6] = str_empty(b->message_id) ? digest : NULL;
	for (k = 0; k < 7; k++) {
		const char *p = parts[k] ? parts[k] : "";

		if (k == 6 && parts[k] == NULL)
			break;
		g_checksum_update(ck, (const guchar *)p, (gssize)strlen(p) + 1);
	}
	key = xstrdup(g_checksum_get_string(ck));
	g_checksum_free(ck);
	return key;
}

/*
 * log_rcpt - Postfix style: the line starts with the queue ID of the
 * delivery to bouncer when pipe(8) gave it (so that it joins Postfix's
 * "relay=bouncer" line), and names the failed message's own queue ID,
 * from Postfix's DSN, as orig_queue_id
 */
static void
log_rcpt(const struct bounce *b, const struct rcpt *r, const char *outcome,
    const char *qid)
{
	char qb[LOG_SAFE_MAX], ab[LOG_SAFE_MAX], sb[LOG_SAFE_MAX];
	char ob[LOG_SAFE_MAX];
	const char *orig = str_empty(b->postfix_queue_id) ? NULL :
	    b->postfix_queue_id;

	if (r->recipient == NULL)
		return;
	syslog(LOG_INFO, "%s: to=<%s>, class=%s, reason=%s, status=%s, "
	    "action=%s%s%s", log_safe(qid ? qid : orig ? orig : "NOQUEUE",
	    qb, sizeof(qb)), log_safe(r->recipient, ab, sizeof(ab)),
	    r->v.class, r->v.reason, r->v.status[0] ? log_safe(r->v.status,
	    sb, sizeof(sb)) : "none", outcome,
	    qid && orig ? ", orig_queue_id=" : "",
	    qid && orig ? log_safe(orig, ob, sizeof(ob)) : "");
}

/*
 * check_token - an unsubscribe address that carries a token (unsub.h):
 * valid, it vouches for the one recipient it names (whatever the From:
 * only that recipient's copy carried it) and gives the list as the
 * campaign; otherwise the request acts on nobody. 0 when the address
 * carries no token.
 */
static int
check_token(const struct ingest_ctx *x, struct bounce *b, char **vouched)
{
	const char *delims = x->parse.verp_delims ? x->parse.verp_delims : "+=";
	char *tok, *rcpt = NULL, *list = NULL;
	enum verp_check c;

	*vouched = NULL;
	if ((tok = unsub_in_address(b->verp_source, x->parse.unsub_prefix,
	    delims)) == NULL)
		return 0;
	c = unsub_check(x->keys, tok, delims, x->now, x->unsub_max_age, &rcpt,
	    &list);
	b->signature = c == VERP_NONE ? "bad token" : verp_check_name(c);
	if (c == VERP_VALID) {
		*vouched = rcpt;
		rcpt = NULL;
		if (b->campaign == NULL && list != NULL && *list != '\0')
			str_set(&b->campaign, list);
	} else
		b->unverified = 1;
	free(rcpt);
	free(list);
	free(tok);
	return 1;
}

/*
 * check_signature - a tag on the return path is always checked; without
 * a valid one under require_signed, or with a bad one in any case, the
 * report suppresses nobody (a forged bounce is a weapon). A valid tag
 * names one recipient: *vouched (caller frees), NULL otherwise.
 */
static void
check_signature(const struct ingest_ctx *x, struct bounce *b, char **vouched)
{
	static const struct verp_keys none;
	enum verp_check c;
	char *rcpt = NULL;

	if (b->kind == BOUNCE_UNSUBSCRIBE && check_token(x, b, vouched))
		return;
	c = verp_check(x->keys ? x->keys : &none, b->verp_source,
	    x->parse.verp_delims ? x->parse.verp_delims : "+=", x->now,
	    x->sign_max_age, &rcpt);
	*vouched = NULL;
	if (c == VERP_VALID)
		*vouched = rcpt;
	else
		free(rcpt);
	if (c != VERP_NONE || x->require_signed)
		b->signature = verp_check_name(c);
	/* an unsigned unsubscribe request has its own test: see below */
	if (c == VERP_BADTAG || c == VERP_EXPIRED ||
	    (x->require_signed && c != VERP_VALID &&
	    !(b->kind == BOUNCE_UNSUBSCRIBE && c == VERP_UNSIGNED)))
		b->unverified = 1;
}

/* unverify - recorded as such; the policy changes no state for it */
static void
unverify(struct rcpt *r, const char *why, const char *detail)
{
	size_t n = strlen(r->v.rule);

	r->v.class = "unverified";
	snprintf(r->trust, sizeof(r->trust), "%s%s", why, detail ? detail : "");
	snprintf(r->v.rule + n, sizeof(r->v.rule) - n, "; %s", r->trust);
}

/*
 * trust_rcpt - what vouches for recipient r. A valid tag vouches for the
 * one recipient it was made for, never for the others a report lists:
 * whoever holds one signed return path (his own) could otherwise name
 * anyone beside himself.
 */
static void
trust_rcpt(const struct bounce *b, struct rcpt *r, const char *vouched)
{
	int unsub = b->kind == BOUNCE_UNSUBSCRIBE;

	if (b->unverified)
		unverify(r, unsub ? "unverified: unsubscribe address "
		    "signature: " : "unverified: return path signature: ",
		    b->signature);
	else if (vouched != NULL && r->recipient != NULL &&
	    strcmp(r->recipient, vouched) == 0) {
		r->vouched = 1;
		snprintf(r->trust, sizeof(r->trust), "%s", unsub ?
		    "signed unsubscribe address" : "signed return path");
	} else if (vouched != NULL)
		unverify(r, "unverified: the return path's tag vouches for ",
		    vouched);
}

/*
 * trust_unsigned_unsub - an unsubscribe request without a token: only
 * the address it names may ask, so From must be that address; under
 * trust = any that is enough, under sent and signed (where a From costs
 * nothing to write) our MTA must also have found it DKIM-signed by the
 * From's domain (authres.h). It can never be tied to mail we sent: it
 * is decided now, never left pending.
 */
static void
trust_unsigned_unsub(const struct ingest_ctx *x, const struct bounce *b,
    struct rcpt *r)
{
	char *from = b->from ? addr_normalise(b->from) : NULL;

	if (r->recipient == NULL || from == NULL ||
	    strcmp(from, r->recipient) != 0)
		unverify(r, "unverified: unsigned unsubscribe request from ",
		    from ? from : "no From");
	else if (x->policy->trust == POLICY_TRUST_ANY) {
		r->vouched = 1;
		snprintf(r->trust, sizeof(r->trust), "unsigned, From is the "
		    "address (trust = any)");
	} else if (authres_signed_by(&b->auth, from)) {
		r->vouched = 1;
		snprintf(r->trust, sizeof(r->trust), "unsigned, From is the "
		    "address, DKIM-signed by its domain (Authentication-"
		    "Results)");
	} else
		unverify(r, "unverified: unsigned unsubscribe request, From "
		    "not DKIM-signed by its domain", NULL);
	free(from);
}

/*
 * broken_verp - a bounce that cannot be read but came back to a VERP
 * return path: whose mail failed is known, what happened is not. It is
 * recorded for that recipient as a final failure of unknown cause
 * (5.0.0, and the classifier's verdict for it) instead of being dropped.
 * 0 when the return path names nobody.
 */
static int
broken_verp(const struct ingest_ctx *x, struct ingest_result *res)
{
	const char *delims = x->parse.verp_delims ? x->parse.verp_delims : "+=";
	char *rcpt, *mid;
	struct rcpt *r;

	if (x->parse.recipient == NULL || (rcpt = verp_decode(x->parse.recipient,
	    delims, NULL, NULL)) == NULL)
		return 0;
	mid = res->b.message_id;
	res->b.message_id = NULL;
	bounce_free(&res->b);
	res->b.message_id = mid;
	res->b.kind = BOUNCE_TEXT;
	res->b.verp = rcpt;
	res->b.verp_source = xstrdup(x->parse.recipient);
	str_set(&res->b.pipe_sender, x->parse.sender);
	str_set(&res->b.pipe_recipient, x->parse.recipient);
	r = bounce_add_rcpt(&res->b);
	r->recipient = xstrdup(rcpt);
	r->action = xstrdup("failed");
	r->status = xstrdup("5.0.0");	/* RFC 3463: other or undefined */
	res->broken = 1;
	return 1;
}

enum ingest_status
ingest_analyse(const struct ingest_ctx *x, const char *buf, size_t len,
    struct ingest_result *res)
{
	enum parse_status ps;
	char *vouched, *digest = NULL;
	size_t i;

	memset(res, 0, sizeof(*res));
	ps = parse_message(buf, len, &x->parse, &res->b, &res->why);
	if (ps == PARSE_NOTBOUNCE)
		return INGEST_NOTBOUNCE;
	if (ps == PARSE_BROKEN && !broken_verp(x, res))
		return INGEST_BROKEN;
	check_signature(x, &res->b, &vouched);
	res->outcome = xcalloc(res->b.n ? res->b.n : 1, sizeof(*res->outcome));
	res->keys = xcalloc(res->b.n ? res->b.n : 1, sizeof(*res->keys));
	for (i = 0; i < res->b.n; i++) {
		struct rcpt *r = &res->b.r[i];

		classify(x->classifier, &res->b, r);
		if (res->broken)
			snprintf(r->v.rule, sizeof(r->v.rule), "unparseable (%s); "
			    "a final failure for the VERP recipient", res->why);
		trust_rcpt(&res->b, r, vouched);
		if (res->b.kind == BOUNCE_UNSUBSCRIBE && vouched == NULL &&
		    !res->b.unverified)
			trust_unsigned_unsub(x, &res->b, r);
		res->outcome[i] = POLICY_RECORDED;
		/* the key reads the message's bytes: make it while they are here */
		if ((x->store != NULL || x->make_keys) && r->recipient != NULL &&
		    addr_valid(r->recipient)) {
			if (digest == NULL && str_empty(res->b.message_id))
				digest = ingest_message_digest(buf, len);
			res->keys[i] = ingest_dedup_key(&res->b, i, digest);
		}
	}
	free(digest);
	free(vouched);
	return INGEST_OK;
}

/* bare_id - a Message-ID without its angle brackets and blanks, in buf */
static const char *
bare_id(const char *id, char *buf, size_t len)
{
	size_t n;

	if (id == NULL)
		return NULL;
	id += strspn(id, " \t<");
	n = strcspn(id, "> \t");
	if (n == 0 || n >= len)
		return NULL;
	memcpy(buf, id, n);
	buf[n] = '\0';
	return buf;
}

/*
 * unverified_room - whether one more unverified (or pending) event fits
 * in this hour's allowance; counts it when it does, counts the refusal
 * when it does not. A stranger's reports are what this bounds.
 */
static enum store_status
unverified_room(const struct ingest_ctx *x, int *room)
{
	long hour = (long)(x->now / 3600), h, n;
	enum store_status r;

	*room = 1;
	if ((r = store_counter(x->store, "unverified_hour", 0, &h)) != STORE_OK)
		return r;
	if (h != hour) {
		if ((r = store_counter_set(x->store, "unverified_hour", hour)) !=
		    STORE_OK || (r = store_counter_set(x->store,
		    "unverified_count", 0)) != STORE_OK)
			return r;
	}
	if ((r = store_counter(x->store, "unverified_count", 0, &n)) != STORE_OK)
		return r;
	if (n >= x->policy->unverified_limit) {
		*room = 0;
		return store_counter(x->store, "limit_hits_unverified", 1, &n);
	}
	return store_counter(x->store, "unverified_count", 1, &n);
}

/*
 * room_or_limited - unverified_room; when there is none, recipient i's
 * outcome is "limited" and it is counted among the limited.
 */
static enum store_status
room_or_limited(const struct ingest_ctx *x, struct ingest_result *res,
    size_t i, long *limited, int *room)
{
	enum store_status st;

	if ((st = unverified_room(x, room)) == STORE_OK && !*room) {
		(*limited)++;
		res->outcome[i] = POLICY_LIMITED;
	}
	return st;
}

/*
 * dkim_evidence - the report came with the null envelope sender, as a
 * DSN does, and our MTA says that a DKIM signature by the recipient's
 * domain (or a parent of it) passed: that domain's own mail system wrote
 * it, not one of the other recipients of a message we sent to many. The
 * words (kept with a pending report) in buf; "" when there is none.
 */
static void
dkim_evidence(const struct bounce *b, const char *rcpt, char *buf,
    size_t len)
{
	const char *d;

	buf[0] = '\0';
	if (b->null_sender && rcpt != NULL &&
	    (d = authres_signer(&b->auth, rcpt)) != NULL)
		snprintf(buf, len, "null sender, dkim=pass header.d=%s", d);
}

/*
 * tied_enough - whether what Postfix's log says of the recipient and the
 * returned message (STORE_TIE_*), with the report's own evidence, vouch
 * for the recipient. A message we sent to several recipients reached
 * each of them with the same Message-ID and queue ID: any of them can
 * write a report naming another, so that alone vouches for nobody
 * (bouncer(1) TRUST). why: the words for --explain and the log.
 */
static int
tied_enough(int tie, const char *evidence, char *why, size_t len)
{
	switch (tie) {
	case STORE_TIE_FAILED:
		snprintf(why, len, "tied to mail we sent: Postfix's log has "
		    "its delivery failing");
		return 1;
	case STORE_TIE_ALONE:
		snprintf(why, len, "tied to mail we sent to it alone "
		    "(Postfix's log)");
		return 1;
	case STORE_TIE_SHARED:
		if (!str_empty(evidence)) {
			snprintf(why, len, "tied to mail we sent to several, "
			    "and %s", evidence);
			return 1;
		}
		snprintf(why, len, "mail we sent to several recipients, and "
		    "nothing else vouches for this one");
		return 0;
	default:
		snprintf(why, len, "not tied to mail we sent");
		return 0;
	}
}

/*
 * store_rcpt - one recipient's event: acted on, kept pending until it
 * can be tied to our mail (trust = sent), or recorded as unverified.
 */
static enum store_status
store_rcpt(const struct ingest_ctx *x, struct ingest_result *res, size_t i,
    struct store_event *e, long *limited)
{
	const struct policy_cfg *p = x->policy;
	struct rcpt *r = &res->b.r[i];
	enum store_status st;
	char idbuf[512], ev[200], why[200];
	int tie, room, dup;

	if (p->trust == POLICY_TRUST_SENT && !r->vouched &&
	    strcmp(e->class, "unverified") != 0) {
		st = store_outbound_tied(x->store, res->b.postfix_queue_id,
		    bare_id(res->b.orig_message_id, idbuf, sizeof(idbuf)),
		    r->recipient, &tie);
		if (st != STORE_OK)
			return st;
		dkim_evidence(&res->b, r->recipient, ev, sizeof(ev));
		if (tied_enough(tie, ev, why, sizeof(why)))
			snprintf(r->trust, sizeof(r->trust), "%s", why);
		else {
			if ((st = room_or_limited(x, res, i, limited, &room)) !=
			    STORE_OK || !room)
				return st;
			snprintf(r->trust, sizeof(r->trust), "pending: %s (yet); "
			    "--maillog decides", why);
			e->evidence = ev;
			st = store_pending_add(x->store, e, x->now, &dup);
			e->evidence = NULL;
			res->outcome[i] = dup ? POLICY_DUPLICATE :
			    POLICY_PENDING;
			return st;
		}
	} else if (p->trust == POLICY_TRUST_ANY && !r->vouched &&
	    strcmp(e->class, "unverified") != 0)
		snprintf(r->trust, sizeof(r->trust), "any report (trust = any)");
	if (strcmp(e->class, "unverified") == 0 &&
	    ((st = room_or_limited(x, res, i, limited, &room)) != STORE_OK ||
	    !room))
		return st;
	return policy_apply(x->store, p, e, &res->outcome[i]);
}

enum ingest_status
ingest_store(const struct ingest_ctx *x, struct ingest_result *res)
{
	long acted = 0, over = 0, limited = 0, v;
	size_t i;

	if (x->store == NULL)
		return INGEST_OK;
	for (i = 0; i < res->b.n; i++) {
		struct rcpt *r = &res->b.r[i];
		struct store_event e;

		if (res->keys[i] == NULL)
			continue;	/* nothing safe to store */
		if (acted >= x->policy->rcpt_limit) {
			/* what one message can make the database hold */
			res->outcome[i] = POLICY_LIMITED;
			over++;
			continue;
		}
		acted++;
		memset(&e, 0, sizeof(e));
		/* a replayed bounce happened when it was written, not now */
		e.time = x->msg_time && res->b.when > 0 &&
		    res->b.when <= (long long)x->now ? (time_t)res->b.when : x->now;
		e.address = r->recipient;
		e.class = r->v.class;
		e.reason = r->v.reason;
		e.status = r->v.status;
		e.replycode = r->v.replycode;
		e.action = r->action;
		e.diagnostic = r->diagnostic_code ? r->diagnostic_code :
		    r->text_diag;
		e.reporting_mta = res->b.reporting_mta;
		e.remote_mta = r->remote_mta;
		e.message_id = res->b.orig_message_id;
		e.queue_id = res->b.postfix_queue_id;
		e.source = res->b.kind == BOUNCE_ARF ? "complaint" :
		    res->b.kind == BOUNCE_UNSUBSCRIBE ? "unsubscribe" : "bounce";
		if (res->b.kind == BOUNCE_ARF && str_empty(e.reporting_mta))
			e.reporting_mta = res->b.user_agent;
		e.feedback_type = res->b.feedback_type;
		e.campaign = res->b.campaign;
		e.dedup = res->keys[i];
		res->store_status = store_rcpt(x, res, i, &e, &limited);
		if (res->store_status != STORE_OK)
			return INGEST_STORE;
	}
	if (over > 0) {
		syslog(LOG_WARNING, "recipient_limit %d reached: %ld more "
		    "recipient%s of one message ignored", x->policy->rcpt_limit,
		    over, over == 1 ? "" : "s");
		res->store_status = store_counter(x->store,
		    "limit_hits_recipients", over, &v);
		if (res->store_status != STORE_OK)
			return INGEST_STORE;
	}
	if (limited > 0)
		syslog(LOG_WARNING, "unverified_limit %ld an hour reached: %ld "
		    "unverified recipient%s not recorded",
		    x->policy->unverified_limit, limited, limited == 1 ? "" : "s");
	return INGEST_OK;
}

struct settle {
	struct store_event	*ev;
	time_t			*arrived;
	size_t			 n;
};

/* keep - a copy of one pending row: the store is not changed while read */
static int
keep(const struct store_event *e, time_t arrived, void *arg)
{
	struct settle *st = arg;
	struct store_event *c;

	st->ev = xrealloc(st->ev, (st->n + 1) * sizeof(*st->ev));
	st->arrived = xrealloc(st->arrived, (st->n + 1) * sizeof(*st->arrived));
	c = &st->ev[st->n];
	*c = *e;
	c->address = xstrdup(e->address);
	c->class = xstrdup(e->class);
	c->reason = xstrdup(e->reason);
	c->status = xstrdup(e->status);
	c->replycode = xstrdup(e->replycode);
	c->action = xstrdup(e->action);
	c->diagnostic = xstrdup(e->diagnostic);
	c->reporting_mta = xstrdup(e->reporting_mta);
	c->remote_mta = xstrdup(e->remote_mta);
	c->message_id = xstrdup(e->message_id);
	c->queue_id = xstrdup(e->queue_id);
	c->source = xstrdup(e->source);
	c->feedback_type = xstrdup(e->feedback_type);
	c->dedup = xstrdup(e->dedup);
	c->campaign = xstrdup(e->campaign);
	c->evidence = xstrdup(e->evidence);
	st->arrived[st->n++] = arrived;
	return 0;
}

static void
settle_free(struct settle *st)
{
	size_t i;

	for (i = 0; i < st->n; i++) {
		struct store_event *e = &st->ev[i];
		const char *f[] = { e->address, e->class, e->reason, e->status,
		    e->replycode, e->action, e->diagnostic, e->reporting_mta,
		    e->remote_mta, e->message_id, e->queue_id, e->source,
		    e->feedback_type, e->dedup, e->campaign, e->evidence };
		size_t k;

		for (k = 0; k < sizeof(f) / sizeof(f[0]); k++)
			free((char *)f[k]);
	}
	free(st->ev);
	free(st->arrived);
}

enum store_status
ingest_settle(struct store *s, const struct policy_cfg *p, time_t now,
    long *tied, long *unverified)
{
	char qb[LOG_SAFE_MAX], ab[LOG_SAFE_MAX], sb[LOG_SAFE_MAX];
	char wb[LOG_SAFE_MAX];
	struct settle st;
	enum store_status r;
	enum policy_outcome out;
	char idbuf[512], why[200];
	size_t i;
	int t, tie;

	*tied = *unverified = 0;
	memset(&st, 0, sizeof(st));
	/* settling follows a reading of the log: note when (pending.h) */
	if ((r = pending_log_read(s, now)) != STORE_OK ||
	    (r = store_outbound_purge(s, now - p->sent_retention)) != STORE_OK ||
	    (r = store_pending_each(s, keep, &st)) != STORE_OK)
		goto out;
	for (i = 0; i < st.n; i++) {
		struct store_event *e = &st.ev[i];

		if ((r = store_outbound_tied(s, e->queue_id, bare_id(
		    e->message_id, idbuf, sizeof(idbuf)), e->address, &tie)) !=
		    STORE_OK)
			goto out;
		t = tied_enough(tie, e->evidence, why, sizeof(why));
		if (!t && st.arrived[i] + p->pending_wait > now)
			continue;	/* its log line may still come */
		if (!t) {
			/* the log has been read past it: nothing ties it */
			free((char *)e->class);
			e->class = xstrdup("unverified");
		}
		if ((r = policy_apply(s, p, e, &out)) != STORE_OK ||
		    (r = store_pending_del(s, e->dedup)) != STORE_OK)
			goto out;
		syslog(LOG_INFO, "%s: to=<%s>, class=%s, reason=%s, status=%s, "
		    "action=%s, pending report %s%s", str_empty(e->queue_id) ?
		    "NOQUEUE" : log_safe(e->queue_id, qb, sizeof(qb)),
		    log_safe(e->address, ab, sizeof(ab)), e->class, e->reason,
		    str_empty(e->status) ? "none" : log_safe(e->status, sb,
		    sizeof(sb)),
		    policy_outcome_name(out), log_safe(why, wb, sizeof(wb)),
		    t ? "" : ": unverified");
		if (t)
			(*tied)++;
		else
			(*unverified)++;
	}
out:
	settle_free(&st);
	return r;
}

enum ingest_status
ingest_message(const struct ingest_ctx *x, const char *buf, size_t len,
    struct ingest_result *res)
{
	enum ingest_status is;

	if ((is = ingest_analyse(x, buf, len, res)) != INGEST_OK)
		return is;
	return ingest_store(x, res);
}

void
ingest_log(const struct ingest_result *res, int dry_run, const char *qid)
{
	size_t i;

	for (i = 0; i < res->b.n; i++)
		log_rcpt(&res->b, &res->b.r[i], dry_run ? "dry-run" :
		    policy_outcome_name(res->outcome[i]), qid);
}

void
ingest_result_free(struct ingest_result *r)
{
	size_t i;

	if (r->keys)
		for (i = 0; i < r->b.n; i++)
			free(r->keys[i]);
	free(r->keys);
	bounce_free(&r->b);
	free(r->outcome);
	memset(r, 0, sizeof(*r));
}

int
ingest_quarantine(const char *dir, const char *buf, size_t len, char **err)
{
	char path[4096];
	int fd, rc = -1;

	*err = NULL;
	if (snprintf(path, sizeof(path), "%s/%lld-%ld.eml", dir,
	    (long long)time(NULL), (long)getpid()) >= (int)sizeof(path)) {
		*err = xstrdup("quarantine path too long");
		return -1;
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1) {
		*err = xstrdup(strerror(errno));
		return -1;
	}
	if (write(fd, buf, len) == (ssize_t)len && fsync(fd) == 0)
		rc = 0;
	else
		*err = xstrdup(strerror(errno ? errno : EIO));
	if (close(fd) == -1 && rc == 0) {
		*err = xstrdup(strerror(errno));
		rc = -1;
	}
	return rc;
}
