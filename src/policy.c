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
	c->complaint_ttl = 90 * DAY;
}

const char *
policy_outcome_name(enum policy_outcome o)
{
	static const char *names[] = {
		"duplicate", "recorded", "suppressed", "escalated", "updated",
		"released", "pending", "limited"
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
 * them; the one they cover is held underneath (store_held_get).
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

	if ((r = store_held_get(s, e->address, &h, &found)) != STORE_OK)
		return r;
	if (!found || rank(h.class) <= rank(e->class))
		r = store_held_put(s, e);
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
	if ((r = store_get(s, e->address, &old, &found)) != STORE_OK)
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
	r = store_put(s, &ne);
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
	if ((r = store_held_get(s, top->address, &h, &found)) != STORE_OK)
		return r;
	if (found && (r = store_held_delete(s, top->address)) != STORE_OK)
		goto out;
	if (found && (h.expires == 0 || h.expires > now)) {
		if ((r = store_put(s, &h)) != STORE_OK ||
		    (r = audit(s, now, top->address, action, top->class,
		    top->reason, why)) != STORE_OK)
			goto out;
		*restored = rank(h.class) ? order[rank(h.class) - 1] : "listed";
		r = audit(s, now, top->address, "restored", h.class, h.reason,
		    h.note);
		goto out;
	}
	if ((r = store_delete(s, top->address)) == STORE_OK)
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

	r = store_soft_count(s, e->address, e->time - c->soft_window, &n);
	if (r != STORE_OK)
		return r;
	if ((r = store_get(s, e->address, &old, &found)) != STORE_OK)
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
	if ((r = store_get(s, e->address, &old, &found)) != STORE_OK || !found)
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

enum store_status
policy_apply(struct store *s, const struct policy_cfg *c,
    const struct store_event *e, enum policy_outcome *out)
{
	enum store_status r;
	int dup;

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
	if ((r = store_event_add(s, e, &dup)) != STORE_OK)
		return r;
	if (dup) {
		*out = POLICY_DUPLICATE;
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
	return STORE_OK;	/* block, delayed, undetermined: event only */
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
	if ((r = store_get(s, addr, &old, found)) != STORE_OK || !*found)
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

enum store_status
policy_expire(struct store *s, time_t now,
    void (*report)(const struct store_entry *, void *), void *arg, int *n)
{
	struct expire_ctx x;
	enum store_status r;
	size_t i;

	memset(&x, 0, sizeof(x));
	*n = 0;
	if ((r = store_begin(s)) != STORE_OK)
		return r;
	if ((r = store_expired(s, now, collect, &x)) != STORE_OK)
		goto out;
	x.lifted = xcalloc(x.nrows + 1, 1);
	for (i = 0; i < x.nrows && r == STORE_OK; i++) {
		struct store_entry *e = &x.rows[i], cur;
		const char *why = strcmp(e->class, "complaint") == 0 ?
		    "complaint retention ended" :
		    "soft suppression lapsed: no soft bounce since";
		const char *restored;
		int found;

		/*
		 * Read again, under the address's lock (PostgreSQL): another
		 * host's --expire may have lifted it, or a new bounce renewed
		 * it, since the list was read. Lifted once, audited once.
		 */
		if ((r = store_get(s, e->address, &cur, &found)) != STORE_OK)
			break;
		if (found && cur.expires != 0 && cur.expires <= now &&
		    strcmp(cur.class, e->class) == 0) {
			r = lift(s, &cur, now, "expired", why, &restored);
			x.lifted[i] = 1;
			*n += 1;
		}
		if (found)
			store_entry_free(&cur);
	}
	if (r == STORE_OK && (r = store_commit(s)) == STORE_OK) {
		for (i = 0; report && i < x.nrows; i++)
			if (x.lifted[i])
				report(&x.rows[i], arg);
	} else
		*n = 0;
out:
	if (r != STORE_OK)
		store_rollback(s);
	for (i = 0; i < x.nrows; i++)
		store_entry_free(&x.rows[i]);
	free(x.rows);
	free(x.lifted);
	return r;
}
