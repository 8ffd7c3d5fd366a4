/*
 * store.c - pick the backend from the database name and pass each call
 * on. "postgresql://..." or "postgres://..." (a libpq connection URI) is
 * PostgreSQL; anything else is an SQLite file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_impl.h"
#include "util.h"

int
store_is_pg(const char *db)
{
	return str_iprefix(db, "postgresql://") != NULL ||
	    str_iprefix(db, "postgres://") != NULL;
}

enum store_status
store_open(const char *db, int busy_ms, int flags, struct store **s,
    char **err)
{
	if (store_is_pg(db))
		return store_pg_open(db, busy_ms, flags, s, err);
	return store_sqlite_open(db, busy_ms, flags, s, err);
}

void
store_close(struct store *s)
{
	if (s != NULL)
		s->ops->close(s);
}

const char *
store_error(const struct store *s)
{
	return s->err;
}

void
store_entry_free(struct store_entry *e)
{
	free(e->address);
	free(e->class);
	free(e->reason);
	free(e->status);
	free(e->source);
	free(e->note);
	memset(e, 0, sizeof(*e));
}

enum store_status store_begin(struct store *s) { return s->ops->begin(s); }
enum store_status store_commit(struct store *s) { return s->ops->commit(s); }
void store_rollback(struct store *s) { s->ops->rollback(s); }

/* rate_class - the class an event counts in: opt-out reports unsubscribe */
static const char *
rate_class(const struct store_event *e)
{
	static const char *classes[] = { "hard", "soft", "block", "complaint",
	    "unsubscribe" };
	const char *ft = e->feedback_type ? e->feedback_type : "";
	size_t i;

	if (strcmp(ft, "opt-out") == 0 || strcmp(ft, "unsubscribe") == 0)
		return "unsubscribe";
	for (i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (e->class && strcmp(e->class, classes[i]) == 0)
			return classes[i];
	return NULL;
}

/*
 * store_event_add - the event, and the counters --metrics reads (per
 * domain and campaign), which erasure and retention never lower
 */
enum store_status
store_event_add(struct store *s, const struct store_event *e, int *dup)
{
	enum store_status r;
	const char *c, *at;

	if ((r = s->ops->event_add(s, e, dup)) != STORE_OK || *dup ||
	    (c = rate_class(e)) == NULL)
		return r;
	if (e->address && (at = strrchr(e->address, '@')) != NULL &&
	    (r = s->ops->count_add(s, "domain", at + 1, c)) != STORE_OK)
		return r;
	if (e->campaign && *e->campaign)
		r = s->ops->count_add(s, "campaign", e->campaign, c);
	return r;
}

enum store_status
store_pipe_time(struct store *s, int bucket, long long us)
{
	return s->ops->pipe_time(s, bucket, us);
}

enum store_status
store_label_domains(struct store *s, int n)
{
	return s->ops->label_domains(s, n);
}

enum store_status
store_event_near(struct store *s, const char *qid, const char *a,
    const char *action, time_t t, time_t window, int *found)
{
	return s->ops->event_near(s, qid, a, action, t, window, found);
}

enum store_status
store_soft_count(struct store *s, const char *a, time_t since, int *n)
{
	return s->ops->soft_count(s, a, since, n);
}

enum store_status
store_get(struct store *s, const char *a, struct store_entry *e, int *found)
{
	return s->ops->get(s, a, e, found);
}

enum store_status
store_put(struct store *s, const struct store_entry *e)
{
	return s->ops->put(s, e);
}

enum store_status
store_delete(struct store *s, const char *a)
{
	return s->ops->del(s, a);
}

enum store_status
store_held_get(struct store *s, const char *a, struct store_entry *e,
    int *found)
{
	return s->ops->held_get(s, a, e, found);
}

enum store_status
store_held_put(struct store *s, const struct store_entry *e)
{
	return s->ops->held_put(s, e);
}

enum store_status
store_held_delete(struct store *s, const char *a)
{
	return s->ops->held_del(s, a);
}

enum store_status
store_audit(struct store *s, const struct store_audit *a)
{
	return s->ops->audit(s, a);
}

enum store_status
store_list(struct store *s, const char *class, time_t since, store_entry_cb cb,
    void *arg)
{
	return s->ops->list(s, class, since, cb, arg);
}

enum store_status
store_expired(struct store *s, time_t now, store_entry_cb cb, void *arg)
{
	return s->ops->expired(s, now, cb, arg);
}

enum store_status
store_history(struct store *s, const char *a, store_event_cb ecb,
    store_audit_cb acb, void *arg)
{
	return s->ops->history(s, a, ecb, acb, arg);
}

enum store_status
store_forget(struct store *s, const char *a, int *n)
{
	return s->ops->forget(s, a, n);
}

enum store_status
store_erasures(struct store *s, long *n)
{
	return s->ops->erasures(s, n);
}

enum store_status
store_sent_add(struct store *s, const char *d, time_t t, long n)
{
	return s->ops->sent_add(s, d, t, n);
}

enum store_status
store_logpos_get(struct store *s, const char *p, unsigned long long *ino,
    long long *off, int *found)
{
	return s->ops->logpos_get(s, p, ino, off, found);
}

enum store_status
store_logpos_set(struct store *s, const char *p, unsigned long long ino,
    long long off)
{
	return s->ops->logpos_set(s, p, ino, off);
}

enum store_status
store_query(struct store *s, enum store_query q, time_t since, store_row_cb cb,
    void *arg)
{
	return s->ops->query(s, q, since, cb, arg);
}

enum store_status
store_last_event(struct store *s, time_t *t)
{
	return s->ops->last_event(s, t);
}

enum store_status
store_campaign_sent_add(struct store *s, const char *c, time_t t, long n)
{
	return s->ops->campaign_sent_add(s, c, t, n);
}

enum store_status
store_alert_set(struct store *s, const char *key, const char *level, time_t t)
{
	return s->ops->alert_set(s, key, level, t);
}

enum store_status
store_pause_set(struct store *s, const char *dom, time_t since, time_t expires,
    const char *why)
{
	return s->ops->pause_set(s, dom, since, expires, why);
}

const struct store_table store_tables[STORE_NTABLES] = {
	{ "suppression", "address, class, reason, status, source, note, "
	    "first_seen, last_seen, soft_count, expires", 10 },
	{ "events", "time, address, class, reason, status, replycode, action, "
	    "diagnostic, reporting_mta, remote_mta, message_id, queue_id, "
	    "source, feedback_type, dedup, campaign", 16 },
	{ "audit", "time, address, action, class, reason, why", 6 },
	{ "sent", "domain, day, count", 3 },
	{ "meta", "key, value", 2 },
	{ "sent_campaign", "campaign, day, count", 3 },
	{ "held", "address, class, reason, status, source, note, "
	    "first_seen, last_seen, soft_count, expires", 10 },
	{ "counts", "kind, name, class, count", 4 },
};

struct copy {
	struct store	*to;
	int		 table;
	long		 rows;
	enum store_status r;
	void		(*progress)(const char *, long, void *);
	void		*arg;
};

static int
copy_row(const char *const *vals, void *arg)
{
	struct copy *c = arg;

	if ((c->r = c->to->ops->load(c->to, c->table, vals)) != STORE_OK)
		return -1;
	if (++c->rows % 1000 == 0 && c->progress)
		c->progress(store_tables[c->table].name, c->rows, c->arg);
	return 0;
}

enum store_status
store_copy(struct store *from, struct store *to,
    void (*progress)(const char *, long, void *), void *arg)
{
	struct copy c = { to, 0, 0, STORE_OK, progress, arg };
	enum store_status r;

	if (from->ops->dump == NULL || to->ops->load == NULL) {
		snprintf(to->err, sizeof(to->err), "copy goes from an SQLite "
		    "store into a PostgreSQL one");
		return STORE_FAIL;
	}
	if ((r = store_begin(to)) != STORE_OK)
		return r;
	for (c.table = 0; c.table < STORE_NTABLES; c.table++) {
		c.rows = 0;
		r = from->ops->dump(from, c.table, copy_row, &c);
		if (r == STORE_OK)
			r = c.r;
		if (r != STORE_OK) {
			if (c.r != STORE_OK)
				snprintf(from->err, sizeof(from->err), "%s",
				    to->err);
			store_rollback(to);
			return r;
		}
		if (progress)
			progress(store_tables[c.table].name, c.rows, arg);
	}
	return store_commit(to);
}

enum store_status
store_outbound_add(struct store *s, const char *qid, const char *msgid,
    const char *addr, time_t t)
{
	return s->ops->outbound_add(s, qid, msgid, addr, t);
}

enum store_status
store_outbound_tied(struct store *s, const char *qid, const char *msgid,
    const char *addr, int *tied)
{
	return s->ops->outbound_tied(s, qid, msgid, addr, tied);
}

enum store_status
store_outbound_purge(struct store *s, time_t before)
{
	return s->ops->outbound_purge(s, before);
}

enum store_status
store_pending_add(struct store *s, const struct store_event *e,
    time_t arrived, int *dup)
{
	return s->ops->pending_add(s, e, arrived, dup);
}

enum store_status
store_pending_each(struct store *s, store_pending_cb cb, void *arg)
{
	return s->ops->pending_each(s, cb, arg);
}

enum store_status
store_pending_del(struct store *s, const char *dedup)
{
	return s->ops->pending_del(s, dedup);
}

enum store_status
store_counter(struct store *s, const char *key, long delta, long *v)
{
	return s->ops->counter(s, key, delta, v);
}

enum store_status
store_counter_set(struct store *s, const char *key, long v)
{
	return s->ops->counter_set(s, key, v);
}
