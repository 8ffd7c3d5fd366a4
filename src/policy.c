/*
 * policy.c - state transitions of the suppression list.
 *
 * The defaults follow the deliverability guides: suppress hard bounces
 * and complaints at once, give soft bounces three chances in thirty days.
 * All of it runs inside the caller's transaction, so an event and its
 * consequence are stored together or not at all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <glib.h>

#include "dest.h"
#include "erase.h"
#include "policy.h"
#include "util.h"

#define DAY	(24 * 60 * 60)

void
policy_defaults(struct policy_cfg *c)
{
	c->trust = POLICY_TRUST_ANY;
	c->sent_retention = 30 * DAY;
	c->pending_wait = 60 * 60;
	c->rcpt_limit = 100;
	c->unverified_limit = 1000;
	c->soft_threshold = 3;
	c->soft_window = 30 * DAY;
	c->soft_ttl = 30 * DAY;
	c->delivery_stands = 3 * DAY;
	c->complaint_ttl = 90 * DAY;
	c->incident_threshold = 10;
	c->incident_share = 10;
	c->incident_window = 60 * 60;
}

const char *
policy_outcome_name(enum policy_outcome o)
{
	static const char *names[] = {
		"duplicate", "recorded", "suppressed", "escalated", "updated",
		"released", "pending", "limited", "incident"
	};

	return names[o];
}

static const char *trust_names[] = { "any", "sent", "signed" };

const char *
policy_trust_name(enum policy_trust t)
{
	return trust_names[t];
}

int
policy_trust_parse(const char *s, enum policy_trust *t)
{
	int i;

	for (i = 0; i < 3; i++)
		if (strcmp(s, trust_names[i]) == 0) {
			*t = (enum policy_trust)i;
			return 0;
		}
	return -1;
}

/*
 * rank - which listing wins when two apply: manual > unsubscribe > hard >
 * complaint > soft. The first two never lapse and only --remove lifts
 * them; the one they cover is held underneath (store_get, STORE_HELD).
 */
static const char *order[] = {
	"soft", "complaint", "hard", "unsubscribe", "manual", NULL
};

static int
rank(const char *class)
{
	int i;

	for (i = 0; class && order[i]; i++)
		if (strcmp(class, order[i]) == 0)
			return i + 1;
	return 0;
}

/*
 * get - addr's listing (or, held, the one under it), read under the
 * address's lock: two hosts deciding about one address take turns
 * instead of both deciding from the same old state
 */
static enum store_status
get(struct store *s, int held, const char *addr, struct store_entry *e,
    int *found)
{
	enum store_status r;

	memset(e, 0, sizeof(*e));
	*found = 0;
	if ((r = store_lock_address(s, addr)) != STORE_OK)
		return r;
	return store_get(s, held, addr, e, found);
}

/*
 * rate_class - the class an event counts in, in rates and counters:
 * opt-out reports are unsubscribes; NULL for what has no rate (an
 * unverified one counts in none)
 */
static const char *
rate_class(const struct store_event *e)
{
	static const char *classes[] = { "hard", "soft", "block", "complaint",
	    "unsubscribe" };
	const char *ft = e->feedback_type ? e->feedback_type : "";
	size_t i;

	if (e->class && strcmp(e->class, "unverified") == 0)
		return NULL;	/* counted in no rate */
	if (strcmp(ft, "opt-out") == 0 || strcmp(ft, "unsubscribe") == 0)
		return "unsubscribe";
	for (i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (e->class && strcmp(e->class, classes[i]) == 0)
			return classes[i];
	return NULL;
}

static enum store_status
audit(struct store *s, time_t t, const char *addr, const char *action,
    const char *class, const char *reason, const char *why)
{
	struct store_audit a = { t, addr, action, class, reason, why };

	return store_audit(s, &a);
}

/*
 * hold - keep e under the top listing, unless what is held already
 * outranks it; a listing held is restored when the top one is lifted
 */
static enum store_status
hold(struct store *s, const struct store_entry *e)
{
	struct store_entry h;
	enum store_status r;
	int found;

	if ((r = get(s, 1, e->address, &h, &found)) != STORE_OK)
		return r;
	if (!found || rank(h.class) <= rank(e->class))
		r = store_put(s, STORE_HELD, e);
	if (found)
		store_entry_free(&h);
	return r;
}

/*
 * list - put addr on the list as class, with audit; expires 0 is never.
 * What it outranks is held under it; what outranks it keeps the top and
 * it is held instead.
 */
static enum store_status
list(struct store *s, const struct store_event *e, const char *class,
    time_t expires, int soft_count, const char *why,
    enum policy_outcome *out)
{
	struct store_entry old, ne;
	enum store_status r;
	int found;

	memset(&ne, 0, sizeof(ne));
	ne.address = (char *)e->address;
	ne.class = (char *)class;
	ne.reason = (char *)e->reason;
	ne.status = (char *)e->status;
	ne.source = (char *)e->source;
	ne.note = (char *)why;
	ne.first_seen = e->time;
	ne.last_seen = e->time;
	ne.expires = expires;
	ne.soft_count = soft_count;
	if ((r = get(s, 0, e->address, &old, &found)) != STORE_OK)
		return r;
	if (found && rank(old.class) > rank(class)) {
		*out = POLICY_RECORDED;
		r = hold(s, &ne);
		store_entry_free(&old);
		return r;
	}
	if (found && rank(old.class) < rank(class) &&
	    (r = hold(s, &old)) != STORE_OK)
		goto out;
	if (found)
		ne.first_seen = old.first_seen;
	r = store_put(s, STORE_LIST, &ne);
	if (r == STORE_OK && (!found || strcmp(old.class, class) != 0)) {
		*out = strcmp(class, "soft") == 0 ? POLICY_ESCALATED :
		    POLICY_SUPPRESSED;
		r = audit(s, e->time, e->address, *out == POLICY_ESCALATED ?
		    "escalated" : "added", class, e->reason, why);
	} else if (r == STORE_OK)
		*out = POLICY_UPDATED;
out:
	if (found)
		store_entry_free(&old);
	return r;
}

/*
 * lift - take addr's top listing off; the one held under it, if it is
 * still in force at now, takes its place (*restored set to it, or NULL)
 */
static enum store_status
lift(struct store *s, const struct store_entry *top, time_t now,
    const char *action, const char *why, const char **restored)
{
	struct store_entry h;
	enum store_status r;
	int found;

	*restored = NULL;
	if ((r = get(s, 1, top->address, &h, &found)) != STORE_OK)
		return r;
	if (found && (r = store_delete(s, STORE_HELD, top->address)) != STORE_OK)
		goto out;
	if (found && (h.expires == 0 || h.expires > now)) {
		if ((r = store_put(s, STORE_LIST, &h)) != STORE_OK ||
		    (r = audit(s, now, top->address, action, top->class,
		    top->reason, why)) != STORE_OK)
			goto out;
		*restored = rank(h.class) ? order[rank(h.class) - 1] : "listed";
		r = audit(s, now, top->address, "restored", h.class, h.reason,
		    h.note);
		goto out;
	}
	if ((r = store_delete(s, STORE_LIST, top->address)) == STORE_OK)
		r = audit(s, now, top->address, action, top->class, top->reason,
		    why);
out:
	if (found)
		store_entry_free(&h);
	return r;
}

static enum store_status
soft(struct store *s, const struct policy_cfg *c, const struct store_event *e,
    enum policy_outcome *out)
{
	struct store_entry old;
	enum store_status r;
	char why[128];
	int n, found;

	r = store_soft_count(s, e->address, e->time - c->soft_window,
	    c->delivery_stands, &n);
	if (r != STORE_OK)
		return r;
	if ((r = get(s, 0, e->address, &old, &found)) != STORE_OK)
		return r;
	if (found)
		store_entry_free(&old);
	if (n < c->soft_threshold && !found) {
		*out = POLICY_RECORDED;
		return STORE_OK;
	}
	snprintf(why, sizeof(why), "soft-exhausted: %d soft bounces within "
	    "%ld days", n, (long)(c->soft_window / DAY));
	return list(s, e, "soft", e->time + c->soft_ttl, n, why, out);
}

static enum store_status
delivered(struct store *s, const struct store_event *e,
    enum policy_outcome *out)
{
	struct store_entry old;
	enum store_status r;
	int found;

	*out = POLICY_RECORDED;
	if ((r = get(s, 0, e->address, &old, &found)) != STORE_OK || !found)
		return r;
	if (strcmp(old.class, "soft") == 0) {
		const char *restored;

		r = lift(s, &old, e->time, "released", "delivered: a success "
		    "notice ends a soft suppression", &restored);
		*out = POLICY_RELEASED;
	}
	store_entry_free(&old);
	return r;
}

/*
 * Incidents. When many recipients at one destination fail with the same
 * diagnostic within a short window, the cause is on our side or the
 * receiver's (our IP listed, our DNS broken, an outage), not in the
 * addresses, whatever the words say.
 */

/*
 * mask_diag - the diagnostic with what belongs to one recipient taken
 * out: its address and local part ("*"), and Postfix's "host X[ip]
 * said:" lead, which differs by MX host. Caller frees; NULL when empty.
 */
static char *
mask_diag(const char *diag, const char *addr)
{
	const char *at = strchr(addr, '@'), *p, *said;
	size_t alen = strlen(addr), llen = at ? (size_t)(at - addr) : 0;
	struct sbuf b;

	if (diag == NULL)
		return NULL;
	if (str_iprefix(diag, "host ") && (said = str_icase(diag, " said:")) &&
	    said - diag < 200)
		diag = said + 6;
	sbuf_init(&b);
	for (p = diag; *p; ) {
		if (strncasecmp(p, addr, alen) == 0) {
			sbuf_addc(&b, '*');
			p += alen;
		} else if (llen >= 3 && strncasecmp(p, addr, llen) == 0 &&
		    (p == diag || !g_ascii_isalnum(p[-1])) &&
		    !g_ascii_isalnum(p[llen])) {
			sbuf_addc(&b, '*');
			p += llen;
		} else if (g_ascii_isspace(*p)) {
			if (b.len && b.s[b.len - 1] != ' ')
				sbuf_addc(&b, ' ');
			p++;
		} else
			sbuf_addc(&b, *p++);
	}
	while (b.len && b.s[b.len - 1] == ' ')
		b.s[--b.len] = '\0';
	if (b.len == 0) {
		sbuf_free(&b);
		return NULL;
	}
	return sbuf_steal(&b);
}

/*
 * own_code - the enhanced code speaks of this recipient's own address or
 * mailbox (RFC 3463 x.1.1, x.1.2, x.1.3, x.1.6, x.1.10, x.2.x): the
 * receiver judged each address on its own, and a burst of those is a
 * purged list, not an incident. The price: an outage that answers every
 * address with 5.1.1 is not caught.
 */
static int
own_code(const char *st)
{
	if (st == NULL || (st[0] != '4' && st[0] != '5') || st[1] != '.')
		return 0;
	if (st[2] == '2' && st[3] == '.')
		return 1;
	return strcmp(st + 1, ".1.1") == 0 || strcmp(st + 1, ".1.2") == 0 ||
	    strcmp(st + 1, ".1.3") == 0 || strcmp(st + 1, ".1.6") == 0 ||
	    strcmp(st + 1, ".1.10") == 0;
}

/*
 * own_reason - the words say the recipient's own address or mailbox is
 * dead or unusable (reasons.md: userunknown, hostunknown, hasmoved,
 * notaccept, and the mailbox's own state, mailboxfull and suspend): the
 * receiver judged that address, whatever status code came with it
 * (Yahoo's "554 delivery error: dd This user doesn't have a yahoo.com
 * account" is 5.0.0). Those count toward no incident, and an incident
 * never releases them: the words already decided.
 */
static int
own_reason(const char *reason)
{
	static const char *own[] = { "userunknown", "hostunknown", "hasmoved",
	    "notaccept", "mailboxfull", "suspend", NULL };
	int i;

	for (i = 0; reason && own[i]; i++)
		if (strcmp(reason, own[i]) == 0)
			return 1;
	return 0;
}

/*
 * destination - where a failure went, for the incident net: the provider
 * of the MX host that answered ("*.yahoodns.net": Postfix's relay=, a
 * DSN's Remote-MTA), so that the domains one provider serves are judged
 * together; the recipient's domain when no host is named
 */
static void
destination(const struct store_event *e, const char *dom, char *out,
    size_t len)
{
	char prov[256];

	if (dest_provider(e->remote_mta, prov, sizeof(prov)) == 0)
		snprintf(out, len, "*.%s", prov);
	else
		snprintf(out, len, "%s", dom);
}

struct members {
	char	**a;
	size_t	  n;
};

static int
collect_member(const char *addr, void *arg)
{
	struct members *m = arg;

	if (m->n >= 10000)
		return -1;
	m->a = xrealloc(m->a, (m->n + 1) * sizeof(*m->a));
	m->a[m->n++] = xstrdup(addr);
	return 0;
}

/*
 * release_members - the incident's failures that came before it was
 * known suppressed their addresses: lift those listings (a bounce's, in
 * the window), with an audit row that names the incident
 */
static enum store_status
release_members(struct store *s, const struct store_incident *inc,
    time_t since, time_t now)
{
	struct members m = { NULL, 0 };
	enum store_status r;
	char why[160];
	size_t i;

	r = store_failure_addresses(s, inc->domain, inc->fingerprint, since,
	    collect_member, &m);
	snprintf(why, sizeof(why), "incident %ld: %ld recipients at %s "
	    "failed alike", inc->id, inc->recipients, inc->domain);
	for (i = 0; i < m.n && r == STORE_OK; i++) {
		struct store_entry old;
		const char *restored;
		int found;

		if ((r = get(s, 0, m.a[i], &old, &found)) != STORE_OK ||
		    !found)
			continue;
		if ((strcmp(old.class, "hard") == 0 ||
		    strcmp(old.class, "soft") == 0) && old.last_seen >= since &&
		    !own_reason(old.reason) &&
		    old.source && (strcmp(old.source, "bounce") == 0 ||
		    strcmp(old.source, "maillog") == 0))
			r = lift(s, &old, now, "released", why, &restored);
		store_entry_free(&old);
	}
	for (i = 0; i < m.n; i++)
		free(m.a[i]);
	free(m.a);
	return r;
}

/*
 * incident_check - note a failure; *incident 1 when it belongs to an
 * incident, open already or opened by it (the threshold reached)
 */
static enum store_status
incident_check(struct store *s, const struct policy_cfg *c,
    const struct store_event *e, int *incident)
{
	struct store_incident inc;
	struct members m = { NULL, 0 };
	const char *dom;
	char *text, *low, *fp, dest[300];
	time_t since = e->time - c->incident_window;
	long sent;
	enum store_status r;
	int found;
	size_t i;

	*incident = 0;
	if (c->incident_threshold <= 0 || e->action == NULL ||
	    strcmp(e->action, "failed") != 0 || e->address == NULL ||
	    (dom = strchr(e->address, '@')) == NULL ||
	    (strcmp(e->class, "hard") != 0 && strcmp(e->class, "soft") != 0 &&
	    strcmp(e->class, "block") != 0) || own_code(e->status) ||
	    own_reason(e->reason))
		return STORE_OK;
	destination(e, dom + 1, dest, sizeof(dest));
	dom = dest;
	if ((text = mask_diag(e->diagnostic, e->address)) == NULL)
		return STORE_OK;	/* no words: nothing to share */
	low = g_ascii_strdown(text, -1);
	fp = g_compute_checksum_for_string(G_CHECKSUM_SHA256, low, -1);
	g_free(low);
	r = store_failure_add(s, e->time, dom, fp, e->address,
	    e->time - 2 * c->incident_window);
	if (r == STORE_OK)
		r = store_incident_find(s, dom, fp, since, &inc, &found);
	if (r != STORE_OK)
		goto out;
	if (!found) {
		r = store_failure_addresses(s, dom, fp, since, collect_member,
		    &m);
		if (r != STORE_OK || m.n < (size_t)c->incident_threshold)
			goto out;
		/*
		 * ... and a share of what was sent there in the window, as
		 * --maillog counted it: ten alike among 2,000 sent to one
		 * provider is not an outage. With no count, the floor alone.
		 */
		if (c->incident_share > 0 && (r = dest_sent_since(s, dom,
		    since, e->time, &sent)) != STORE_OK)
			goto out;
		if (c->incident_share > 0 && sent > 0 &&
		    (long)m.n * 100 < (long)c->incident_share * sent)
			goto out;
		memset(&inc, 0, sizeof(inc));
		inc.domain = xstrdup(dom);
		inc.fingerprint = xstrdup(fp);
		inc.diagnostic = xstrndup(text, 500);
		inc.reason = xstrdup(e->reason ? e->reason : "");
		inc.first_seen = e->time;
	}
	*incident = 1;
	if (e->time > inc.last_seen)
		inc.last_seen = e->time;
	if (found) {
		m.n = 0;
		r = store_failure_addresses(s, dom, fp, inc.first_seen -
		    c->incident_window, collect_member, &m);
	}
	if (r == STORE_OK) {
		if ((long)m.n > inc.recipients)
			inc.recipients = (long)m.n;
		r = store_incident_put(s, &inc);
	}
	if (r == STORE_OK && !found)
		r = release_members(s, &inc, since, e->time);
	store_incident_free(&inc);
out:
	for (i = 0; i < m.n; i++)
		free(m.a[i]);
	free(m.a);
	g_free(fp);
	free(text);
	return r;
}

/*
 * unknown_failure - a final failure nothing could read: it counts toward
 * escalation like a soft bounce, so that an address that keeps failing is
 * not mailed for ever. Not our own suppression coming back through
 * Postfix's error(8) transport (postfix/bouncer-transport.cf), which must
 * never count again.
 */
static int
unknown_failure(const struct store_event *e)
{
	return strcmp(e->class, "undetermined") == 0 && e->action != NULL &&
	    strcmp(e->action, "failed") == 0 && e->reason != NULL &&
	    (strcmp(e->reason, "onhold") == 0 ||
	    strcmp(e->reason, "undefined") == 0) &&
	    (e->diagnostic == NULL ||
	    str_icase(e->diagnostic, "suppressed by bouncer") == NULL);
}

/*
 * resubscribe - the subscriber asked for mail again (an ESP's resubscribe
 * event): an unsubscribe is lifted, and only that; a hard bounce or a
 * complaint it covered comes back, and an operator's --add stays
 */
static enum store_status
resubscribe(struct store *s, const struct store_event *e,
    enum policy_outcome *out)
{
	struct store_entry old;
	enum store_status r;
	const char *restored;
	int found;

	if ((r = get(s, 0, e->address, &old, &found)) != STORE_OK || !found)
		return r;
	if (strcmp(old.class, "unsubscribe") == 0) {
		r = lift(s, &old, e->time, "released", "resubscribed",
		    &restored);
		*out = POLICY_RELEASED;
	}
	store_entry_free(&old);
	return r;
}

enum store_status
policy_apply(struct store *s, const struct policy_cfg *c,
    const struct store_event *ev, enum policy_outcome *out)
{
	struct store_event copy = *ev, *e = &copy;
	enum store_status r;
	const char *rate;
	long same = 0;
	int dup, incident = 0;

	*out = POLICY_RECORDED;
	/*
	 * One failure of one queue file, read from the log and from its DSN
	 * (or the other way round), counts once; a week apart, a reused
	 * queue ID is another message
	 */
	if (e->queue_id && *e->queue_id && e->action &&
	    (strcmp(e->action, "failed") == 0 ||
	    strcmp(e->action, "delayed") == 0)) {
		if ((r = store_event_near(s, e->queue_id, e->address, e->action,
		    e->time, 7 * DAY, &dup)) != STORE_OK)
			return r;
		if (dup) {
			*out = POLICY_DUPLICATE;
			return STORE_OK;
		}
	}
	if (unknown_failure(e))
		e->class = "soft";
	if ((r = incident_check(s, c, e, &incident)) != STORE_OK)
		return r;
	if (incident)
		e->class = "block";
	if ((r = store_event_add(s, e, &dup)) != STORE_OK)
		return r;
	if (dup) {
		*out = POLICY_DUPLICATE;
		return STORE_OK;
	}
	/*
	 * One address counts once per class and day (issue 23): a
	 * subscriber who mails us sixty reports about his own copy, or
	 * replays his signed return path, is one address, not a domain's
	 * rate. The event itself is one of those found.
	 */
	rate = rate_class(e);
	if (rate != NULL && e->address != NULL && (r = store_rate_events(s,
	    e->address, rate, e->time, &same)) != STORE_OK)
		return r;
	if ((r = store_count_event(s, e, same > 1 ? NULL : rate)) != STORE_OK)
		return r;
	if (incident) {
		*out = POLICY_INCIDENT;
		return STORE_OK;
	}
	if (strcmp(e->class, "hard") == 0)
		return list(s, e, "hard", 0, 0, "hard bounce", out);
	if (strcmp(e->class, "unsubscribe") == 0)
		return list(s, e, "unsubscribe", 0, 0, e->source &&
		    strcmp(e->source, "unsubscribe") == 0 ? "unsubscribe "
		    "request" : "opt-out", out);
	if (strcmp(e->class, "complaint") == 0)
		return list(s, e, "complaint", c->complaint_ttl ?
		    e->time + c->complaint_ttl : 0, 0, e->feedback_type &&
		    *e->feedback_type ? e->feedback_type : "complaint", out);
	if (strcmp(e->class, "soft") == 0)
		return soft(s, c, e, out);
	if (strcmp(e->class, "delivered") == 0)
		return delivered(s, e, out);
	if (strcmp(e->class, "resubscribe") == 0)
		return resubscribe(s, e, out);
	return STORE_OK;	/* block, delayed, undetermined: event only */
}

/* objector - the address is unsubscribed, on top or held under an --add */
static enum store_status
objector(struct store *s, const char *addr, int *yes)
{
	struct store_entry e;
	enum store_status r;
	int found;

	*yes = 0;
	if ((r = get(s, 0, addr, &e, &found)) != STORE_OK || !found)
		return r;
	*yes = strcmp(e.class, "unsubscribe") == 0;
	store_entry_free(&e);
	if (*yes || (r = get(s, 1, addr, &e, &found)) != STORE_OK ||
	    !found)
		return r;
	*yes = strcmp(e.class, "unsubscribe") == 0;
	store_entry_free(&e);
	return STORE_OK;
}

enum store_status
policy_forget(struct store *s, const char *addr, time_t now, int *n,
    int *kept)
{
	struct store_entry k;
	enum store_status r, f;

	*n = *kept = 0;
	if ((r = objector(s, addr, kept)) != STORE_OK)
		return r;
	f = erase_forget(s, addr, now, n);
	if (!*kept || f == STORE_FAIL)
		return f;
	/*
	 * An objection to direct marketing is honoured for good (GDPR art.
	 * 21(3)): the address alone stays listed, since Postfix's lookup
	 * needs it as it is (a keyed hash cannot be looked up by
	 * sqlite_table(5) or pgsql_table(5)); nothing else is kept, not
	 * even the date. Put back even when a reader kept old pages (f is
	 * STORE_TEMP): the address must not receive mail meanwhile.
	 */
	memset(&k, 0, sizeof(k));
	k.address = (char *)addr;
	k.class = "unsubscribe";
	k.reason = "feedback";
	k.status = "";
	k.source = "erasure";
	k.note = "kept by --forget: an objection stays honoured";
	k.first_seen = k.last_seen = now - now % 86400;
	if ((r = store_begin(s)) != STORE_OK)
		return r;
	if ((r = store_put(s, STORE_LIST, &k)) != STORE_OK) {
		store_rollback(s);
		return r;
	}
	r = store_commit(s);
	return r != STORE_OK ? r : f;
}

enum store_status
policy_add(struct store *s, const char *addr, const char *class,
    const char *why, time_t now)
{
	struct store_event e;
	enum policy_outcome out;

	memset(&e, 0, sizeof(e));
	e.time = now;
	e.address = addr;
	e.reason = class;
	e.source = "manual";
	return list(s, &e, class, 0, 0, why, &out);
}

enum store_status
policy_listing(struct store *s, const struct store_event *e,
    const char *class, time_t expires, enum policy_outcome *out)
{
	/* what never lapses keeps no expiry, whatever the file said */
	if (strcmp(class, "soft") != 0 && strcmp(class, "complaint") != 0)
		expires = 0;
	return list(s, e, class, expires, 0, "imported listing", out);
}

enum store_status
policy_remove(struct store *s, const char *addr, const char *why, time_t now,
    int *found, const char **restored)
{
	struct store_entry old;
	enum store_status r;

	*restored = NULL;
	if ((r = get(s, 0, addr, &old, found)) != STORE_OK || !*found)
		return r;
	r = lift(s, &old, now, "released", why, restored);
	store_entry_free(&old);
	return r;
}

struct expire_ctx {
	struct store	*s;
	time_t		 now;
	enum store_status r;
	int		 n;
	void		(*report)(const struct store_entry *, void *);
	void		*arg;
	/* collected first: the store is not changed while it is read */
	struct store_entry *rows;
	size_t		 nrows;
	char		*lifted;	/* by this run, per row */
};

static int
collect(const struct store_entry *e, void *arg)
{
	struct expire_ctx *x = arg;
	struct store_entry *c;

	x->rows = xrealloc(x->rows, (x->nrows + 1) * sizeof(*x->rows));
	c = &x->rows[x->nrows++];
	memset(c, 0, sizeof(*c));
	c->address = xstrdup(e->address);
	c->class = xstrdup(e->class);
	c->reason = xstrdup(e->reason);
	c->expires = e->expires;
	return 0;
}

/* rows lifted in one transaction of --expire, at most */
#define EXPIRE_BATCH	500

/*
 * expire_one - lift e if it is still expired. Read again, under the
 * address's lock (PostgreSQL): another host's --expire may have lifted
 * it, or a new bounce renewed it, since the list was read. Lifted once,
 * audited once.
 */
static enum store_status
expire_one(struct store *s, const struct store_entry *e, time_t now,
    char *lifted, int *n)
{
	const char *why = strcmp(e->class, "complaint") == 0 ?
	    "complaint retention ended" :
	    "soft suppression lapsed: no soft bounce since";
	const char *restored;
	struct store_entry cur;
	enum store_status r;
	int found;

	if ((r = get(s, 0, e->address, &cur, &found)) != STORE_OK)
		return r;
	if (found && cur.expires != 0 && cur.expires <= now &&
	    strcmp(cur.class, e->class) == 0) {
		r = lift(s, &cur, now, "expired", why, &restored);
		*lifted = 1;
		*n += 1;
	}
	if (found)
		store_entry_free(&cur);
	return r;
}

enum store_status
policy_expire(struct store *s, time_t now,
    void (*report)(const struct store_entry *, void *), void *arg, int *n)
{
	struct expire_ctx x;
	enum store_status r;
	size_t i;

	memset(&x, 0, sizeof(x));
	*n = 0;
	/* read outside a write transaction: a long list takes no lock */
	if ((r = store_expired(s, now, collect, &x)) != STORE_OK)
		goto out;
	x.lifted = xcalloc(x.nrows + 1, 1);
	for (i = 0; i < x.nrows && r == STORE_OK; ) {
		size_t first = i;
		int nb = 0;
		double t0 = mono_s();

		/*
		 * short transactions (issue 22): EXPIRE_BATCH rows or
		 * TXN_SECONDS, whichever comes first; what is committed is
		 * lifted and reported, as after a crash the rest is not
		 */
		if ((r = store_begin(s)) != STORE_OK)
			break;
		for (; i < x.nrows && r == STORE_OK && i - first < EXPIRE_BATCH &&
		    mono_s() - t0 < TXN_SECONDS; i++)
			r = expire_one(s, &x.rows[i], now, &x.lifted[i], &nb);
		if (r == STORE_OK && (r = store_commit(s)) == STORE_OK) {
			*n += nb;
			for (; report && first < i; first++)
				if (x.lifted[first])
					report(&x.rows[first], arg);
			txn_gap();
		}
	}
out:
	if (r != STORE_OK)
		store_rollback(s);
	for (i = 0; i < x.nrows; i++)
		store_entry_free(&x.rows[i]);
	free(x.rows);
	free(x.lifted);
	return r;
}
