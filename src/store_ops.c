/*
 * store_ops.c - the store's operations, each once over the driver
 * (store_driver.h): the list and what is held under it, events, counts
 * of mail sent, log positions, alert states, pauses, the mail we sent,
 * pending reports, counters and incidents. What an event counts as,
 * which address to hold while deciding and what a class means are
 * policy.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_driver.h"
#include "util.h"

/* The events. */

enum store_status
store_event_add(struct store *s, const struct store_event *e, int *dup)
{
	enum store_status r;
	long n = 0;

	r = store_run(s, &n, "INSERT INTO events (time, address, class, "
	    "reason, status, replycode, action, diagnostic, reporting_mta, "
	    "remote_mta, message_id, queue_id, source, feedback_type, dedup, "
	    "campaign) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
	    "?12, ?13, ?14, ?15, ?16) ON CONFLICT (dedup) DO NOTHING",
	    "isssssssssssssss", (long long)e->time, e->address, e->class,
	    e->reason, e->status, e->replycode, e->action, e->diagnostic,
	    e->reporting_mta, e->remote_mta, e->message_id, e->queue_id,
	    e->source, e->feedback_type, e->dedup, e->campaign);
	*dup = n == 0;
	return r;
}

static enum store_status
count_add(struct store *s, const char *kind, const char *name,
    const char *class)
{
	return store_run(s, NULL, "INSERT INTO counts (kind, name, class, "
	    "count) VALUES (?1, ?2, ?3, 1) ON CONFLICT (kind, name, class) DO "
	    "UPDATE SET count = counts.count + 1", "sss", kind, name, class);
}

enum store_status
store_count_event(struct store *s, const struct store_event *e,
    const char *rate)
{
	enum store_status r;
	const char *at;

	/* the counters only go up: erasure and retention delete events */
	if ((r = store_run(s, NULL, "INSERT INTO event_counts (class, reason, "
	    "value) VALUES (?1, ?2, 1) ON CONFLICT (class, reason) DO UPDATE "
	    "SET value = event_counts.value + 1", "ss", e->class, e->reason)) !=
	    STORE_OK || rate == NULL)
		return r;
	if (e->address && (at = strrchr(e->address, '@')) != NULL &&
	    (r = count_add(s, "domain", at + 1, rate)) != STORE_OK)
		return r;
	if (e->campaign && *e->campaign)
		r = count_add(s, "campaign", e->campaign, rate);
	return r;
}

enum store_status
store_rate_events(struct store *s, const char *addr, const char *rate,
    time_t t, long *n)
{
	long long v;
	enum store_status r;

	r = store_one(s, &v, "SELECT count(*) FROM events WHERE address = ?1 "
	    "AND time > ?3 - 86400 AND time < ?3 + 86400 AND " STORE_RATE_CLASS
	    " = ?2", "ssi", addr, rate, (long long)t);
	*n = (long)v;
	return r;
}

enum store_status
store_event_near(struct store *s, const char *qid, const char *addr,
    const char *action, time_t t, time_t window, int *found)
{
	long long v;
	enum store_status r;

	r = store_one(s, &v, "SELECT 1 FROM events WHERE address = ?1 AND time "
	    "BETWEEN ?2 AND ?3 AND queue_id = ?4 AND action = ?5 LIMIT 1",
	    "siiss", addr, (long long)t - (long long)window,
	    (long long)t + (long long)window, qid, action);
	*found = v != 0;
	return r;
}

enum store_status
store_soft_count(struct store *s, const char *addr, time_t since, time_t stand,
    int *n)
{
	long long v;
	enum store_status r;

	r = store_one(s, &v, "SELECT count(*) FROM events WHERE address = ?1 "
	    "AND class = 'soft' AND time > ?2 AND time > coalesce((SELECT "
	    "max(d.time) FROM events d WHERE d.address = ?1 AND d.class = "
	    "'delivered' AND (coalesce(d.source, '') <> 'maillog' OR NOT "
	    "EXISTS (SELECT 1 FROM events f WHERE f.address = ?1 AND f.class "
	    "IN ('soft', 'hard') AND f.time > d.time AND f.time <= d.time + "
	    "?3))), 0)", "sii", addr, (long long)since, (long long)stand);
	*n = (int)v;
	return r;
}

enum store_status
store_expire_events(struct store *s, time_t before, long limit, long *n)
{
	*n = 0;
	return store_run(s, n, "DELETE FROM events WHERE id IN (SELECT id "
	    "FROM events WHERE time < ?1 ORDER BY time LIMIT ?2)", "ii",
	    (long long)before, (long long)limit);
}

enum store_status
store_last_event(struct store *s, time_t *t)
{
	long long v;
	enum store_status r;

	r = store_one(s, &v, "SELECT coalesce(max(time), 0) FROM events", "");
	*t = (time_t)v;
	return r;
}

enum store_status
store_erasures(struct store *s, long *n)
{
	long long v;
	enum store_status r;

	r = store_one(s, &v, "SELECT value FROM meta WHERE key = 'erasures'", "");
	*n = (long)v;
	return r;
}

/* The suppression list, and under it the listings it covers (held). */

#define ENTRY_COLS "address, class, reason, status, source, note, " \
	"first_seen, last_seen, soft_count, coalesce(expires, 0)"

static void
row_entry(struct store_stmt *st, struct store_entry *e)
{
	e->address = xstrdup(store_col(st, 0));
	e->class = xstrdup(store_col(st, 1));
	e->reason = xstrdup(store_col(st, 2));
	e->status = xstrdup(store_col(st, 3));
	e->source = xstrdup(store_col(st, 4));
	e->note = xstrdup(store_col(st, 5));
	e->first_seen = (time_t)store_coli(st, 6);
	e->last_seen = (time_t)store_coli(st, 7);
	e->soft_count = (int)store_coli(st, 8);
	e->expires = (time_t)store_coli(st, 9);
}

static const char *get_sql[2] = {
	"SELECT " ENTRY_COLS " FROM suppression WHERE address = ?1",
	"SELECT " ENTRY_COLS " FROM held WHERE address = ?1",
};
static const char *put_sql[2] = {
	"INSERT INTO suppression (address, class, reason, status, source, "
	"note, first_seen, last_seen, soft_count, expires) VALUES (?1, ?2, ?3, "
	"?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (address) DO UPDATE SET "
	"class = ?2, reason = ?3, status = ?4, source = ?5, note = ?6, "
	"last_seen = ?8, soft_count = ?9, expires = ?10",
	"INSERT INTO held (address, class, reason, status, source, note, "
	"first_seen, last_seen, soft_count, expires) VALUES (?1, ?2, ?3, ?4, "
	"?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (address) DO UPDATE SET "
	"class = ?2, reason = ?3, status = ?4, source = ?5, note = ?6, "
	"first_seen = ?7, last_seen = ?8, soft_count = ?9, expires = ?10",
};
static const char *del_sql[2] = {
	"DELETE FROM suppression WHERE address = ?1",
	"DELETE FROM held WHERE address = ?1",
};

enum store_status
store_get(struct store *s, int held, const char *addr, struct store_entry *e,
    int *found)
{
	struct store_stmt *st;
	enum store_status r;

	*found = 0;
	memset(e, 0, sizeof(*e));
	if ((r = store_q(s, &st, get_sql[held != 0], "s", addr)) != STORE_OK)
		return r;
	if (store_row(s, st, &r) == 1) {
		row_entry(st, e);
		*found = 1;
	}
	store_done(s, st);
	return r;
}

enum store_status
store_put(struct store *s, int held, const struct store_entry *e)
{
	return store_run(s, NULL, put_sql[held != 0], "ssssssiiiz", e->address,
	    e->class, e->reason, e->status, e->source, e->note,
	    (long long)e->first_seen, (long long)e->last_seen,
	    (long long)e->soft_count, (long long)e->expires);
}

enum store_status
store_delete(struct store *s, int held, const char *a)
{
	return store_run(s, NULL, del_sql[held != 0], "s", a);
}

enum store_status
store_audit(struct store *s, const struct store_audit *a)
{
	return store_run(s, NULL, "INSERT INTO audit (time, address, action, "
	    "class, reason, why) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", "isssss",
	    (long long)a->time, a->address, a->action, a->class, a->reason,
	    a->why);
}

static enum store_status
each_entry(struct store *s, struct store_stmt *st, store_entry_cb cb,
    void *arg)
{
	struct store_entry e;
	enum store_status r;

	while (store_row(s, st, &r) == 1) {
		row_entry(st, &e);
		if (cb(&e, arg) == -1) {
			store_entry_free(&e);
			break;
		}
		store_entry_free(&e);
	}
	store_done(s, st);
	return r;
}

enum store_status
store_list(struct store *s, const char *class, time_t since, store_entry_cb cb,
    void *arg)
{
	struct store_stmt *st;
	enum store_status r;

	if ((r = store_q(s, &st, "SELECT " ENTRY_COLS " FROM suppression "
	    "WHERE (?1 = '' OR class = ?1) AND last_seen >= ?2 ORDER BY "
	    "address", "si", class, (long long)since)) != STORE_OK)
		return r;
	return each_entry(s, st, cb, arg);
}

enum store_status
store_expired(struct store *s, time_t now, store_entry_cb cb, void *arg)
{
	struct store_stmt *st;
	enum store_status r;

	if ((r = store_q(s, &st, "SELECT " ENTRY_COLS " FROM suppression "
	    "WHERE expires IS NOT NULL AND expires <= ?1 ORDER BY address", "i",
	    (long long)now)) != STORE_OK)
		return r;
	return each_entry(s, st, cb, arg);
}

enum store_status
store_history(struct store *s, const char *addr, store_event_cb ecb,
    store_audit_cb acb, void *arg)
{
	struct store_stmt *st;
	enum store_status r;

	if ((r = store_q(s, &st, "SELECT time, class, reason, status, action, "
	    "diagnostic, reporting_mta, source, feedback_type FROM events "
	    "WHERE address = ?1 ORDER BY time, id", "s", addr)) != STORE_OK)
		return r;
	while (store_row(s, st, &r) == 1) {
		struct store_event e;

		memset(&e, 0, sizeof(e));
		e.time = (time_t)store_coli(st, 0);
		e.address = addr;
		e.class = store_col(st, 1);
		e.reason = store_col(st, 2);
		e.status = store_col(st, 3);
		e.action = store_col(st, 4);
		e.diagnostic = store_col(st, 5);
		e.reporting_mta = store_col(st, 6);
		e.source = store_col(st, 7);
		e.feedback_type = store_col(st, 8);
		if (ecb(&e, arg) == -1)
			break;
	}
	store_done(s, st);
	if (r != STORE_OK || (r = store_q(s, &st, "SELECT time, action, class, "
	    "reason, why FROM audit WHERE address = ?1 ORDER BY time, id", "s",
	    addr)) != STORE_OK)
		return r;
	while (store_row(s, st, &r) == 1) {
		struct store_audit a;

		a.time = (time_t)store_coli(st, 0);
		a.address = addr;
		a.action = store_col(st, 1);
		a.class = store_col(st, 2);
		a.reason = store_col(st, 3);
		a.why = store_col(st, 4);
		if (acb(&a, arg) == -1)
			break;
	}
	store_done(s, st);
	return r;
}

/* Counts of mail sent, --maillog positions, alert states, pauses. */

enum store_status
store_sent_add(struct store *s, const char *d, time_t t, long n)
{
	return store_run(s, NULL, "INSERT INTO sent (domain, day, count) "
	    "VALUES (?1, ?2, ?3) ON CONFLICT (domain, day) DO UPDATE SET "
	    "count = sent.count + ?3", "sii", d, (long long)(t / 86400),
	    (long long)n);
}

enum store_status
store_campaign_sent_add(struct store *s, const char *c, time_t t, long n)
{
	return store_run(s, NULL, "INSERT INTO sent_campaign (campaign, day, "
	    "count) VALUES (?1, ?2, ?3) ON CONFLICT (campaign, day) DO UPDATE "
	    "SET count = sent_campaign.count + ?3", "sii", c,
	    (long long)(t / 86400), (long long)n);
}

enum store_status
store_pipe_time(struct store *s, int bucket, long long us)
{
	return store_run(s, NULL, "INSERT INTO pipe_seconds (bucket, count) "
	    "VALUES (?1, 1), (-1, ?2) ON CONFLICT (bucket) DO UPDATE SET "
	    "count = pipe_seconds.count + excluded.count", "ii",
	    (long long)bucket, us);
}

enum store_status
store_label_domains(struct store *s, int n)
{
	return store_run(s, NULL, "INSERT INTO metric_base (domain, class, "
	    "base) SELECT d.domain, c.class, CASE c.class WHEN 'sent' THEN "
	    "d.total ELSE coalesce((SELECT k.count FROM counts k WHERE k.kind "
	    "= 'domain' AND k.name = d.domain AND k.class = c.class), 0) END "
	    "FROM (SELECT domain, sum(count) AS total FROM sent WHERE domain "
	    "NOT IN (SELECT domain FROM metric_base) GROUP BY domain ORDER BY "
	    "total DESC, domain LIMIT {GREATEST}(0, ?1 - (SELECT "
	    "count(DISTINCT domain) FROM metric_base))) d, (SELECT 'sent' AS "
	    "class UNION ALL SELECT 'hard' UNION ALL SELECT 'soft' UNION ALL "
	    "SELECT 'block' UNION ALL SELECT 'complaint' UNION ALL SELECT "
	    "'unsubscribe') c WHERE true ON CONFLICT DO NOTHING", "i",
	    (long long)n);
}

/*
 * The --maillog position is this host's: hosts of a fleet that read logs
 * of the same name keep their own (a row without a host is from before
 * positions had one, and is this host's).
 */
enum store_status
store_logpos_get(struct store *s, const char *path, unsigned long long *ino,
    long long *off, char *mark, size_t len, int *found)
{
	struct store_stmt *st;
	enum store_status r;
	char host[256];

	*found = 0;
	if (len > 0)
		mark[0] = '\0';
	store_host(host, sizeof(host));
	if ((r = store_q(s, &st, "SELECT inode, pos, mark FROM logpos WHERE "
	    "path = ?1 AND host IN (?2, '') ORDER BY host DESC LIMIT 1", "ss",
	    path, host)) != STORE_OK)
		return r;
	if (store_row(s, st, &r) == 1) {
		*ino = strtoull(store_col(st, 0), NULL, 10);
		*off = store_coli(st, 1);
		if (len > 0)
			snprintf(mark, len, "%s", store_col(st, 2));
		*found = 1;
	}
	store_done(s, st);
	return r;
}

enum store_status
store_logpos_set(struct store *s, const char *path, unsigned long long ino,
    long long off, const char *mark)
{
	char host[256];

	store_host(host, sizeof(host));
	return store_run(s, NULL, "INSERT INTO logpos (host, path, inode, pos, "
	    "mark) VALUES (?4, ?1, ?2, ?3, ?5) ON CONFLICT (host, path) DO "
	    "UPDATE SET inode = ?2, pos = ?3, mark = ?5", "siiss", path,
	    (long long)ino, off, host, mark);
}

/*
 * A delivery line's key, noted once: repeated input counts once. The
 * key is this host's, like its positions: hosts of a fleet each count
 * their own log.
 */
enum store_status
store_logseen(struct store *s, const char *key, time_t t, int *dup)
{
	enum store_status r;
	char host[256], *k;
	long n = 0;

	*dup = 0;
	store_host(host, sizeof(host));
	k = xmalloc(strlen(host) + strlen(key) + 2);
	sprintf(k, "%s/%s", host, key);
	r = store_run(s, &n, "INSERT INTO logseen (key, time) VALUES (?1, ?2) "
	    "ON CONFLICT (key) DO NOTHING", "si", k, (long long)t);
	free(k);
	*dup = r == STORE_OK && n == 0;
	return r;
}

enum store_status
store_logseen_purge(struct store *s, time_t before)
{
	return store_run(s, NULL, "DELETE FROM logseen WHERE time < ?1", "i",
	    (long long)before);
}

enum store_status
store_alert_set(struct store *s, const char *key, const char *level, time_t t)
{
	if (level == NULL)
		return store_run(s, NULL, "DELETE FROM alerts WHERE key = ?1",
		    "s", key);
	return store_run(s, NULL, "INSERT INTO alerts (key, level, since) "
	    "VALUES (?1, ?2, ?3) ON CONFLICT (key) DO UPDATE SET level = ?2, "
	    "since = ?3", "ssi", key, level, (long long)t);
}

enum store_status
store_pause_set(struct store *s, const char *dom, time_t since, time_t expires,
    const char *why)
{
	if (expires == 0)
		return store_run(s, NULL, "DELETE FROM pauses WHERE domain = "
		    "?1", "s", dom);
	return store_run(s, NULL, "INSERT INTO pauses (domain, since, expires, "
	    "why) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (domain) DO UPDATE SET "
	    "since = ?2, expires = ?3, why = ?4", "siis", dom,
	    (long long)since, (long long)expires, why);
}

/* The mail we sent (trust = sent), pending reports, counters. */

enum store_status
store_outbound_add(struct store *s, const char *qid, const char *msgid,
    const char *addr, time_t t)
{
	return store_run(s, NULL, "INSERT INTO outbound (queue_id, address, "
	    "message_id, time) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (queue_id, "
	    "address) DO UPDATE SET time = {GREATEST}(outbound.time, "
	    "excluded.time), message_id = CASE WHEN excluded.message_id <> '' "
	    "THEN excluded.message_id ELSE outbound.message_id END", "sssi",
	    qid, addr, msgid, (long long)t);
}

enum store_status
store_outbound_tied(struct store *s, const char *qid, const char *msgid,
    const char *addr, int *tied)
{
	long long v;
	enum store_status r;

	/* q: the message's queue IDs; r: the recipients it was sent to */
	r = store_one(s, &v, "WITH q(queue_id) AS (SELECT ?1 WHERE ?1 <> '' "
	    "UNION SELECT queue_id FROM outbound WHERE ?2 <> '' AND address = "
	    "'' AND message_id = ?2), r AS (SELECT DISTINCT o.address FROM "
	    "outbound o JOIN q ON o.queue_id = q.queue_id WHERE o.address <> "
	    "'') SELECT CASE WHEN EXISTS (SELECT 1 FROM events e JOIN q ON "
	    "e.queue_id = q.queue_id WHERE e.address = ?3 AND e.source = "
	    "'maillog' AND e.action IN ('failed', 'delayed')) THEN 3 WHEN NOT "
	    "EXISTS (SELECT 1 FROM r WHERE address = ?3) THEN 0 WHEN (SELECT "
	    "count(*) FROM r) = 1 AND (SELECT coalesce(max(o.nrcpt), 0) FROM "
	    "outbound o JOIN q ON o.queue_id = q.queue_id WHERE o.address = "
	    "'') <= 1 THEN 2 ELSE 1 END", "sss", qid, msgid, addr);
	*tied = (int)v;
	return r;
}

enum store_status
store_outbound_nrcpt(struct store *s, const char *qid, long n, time_t t)
{
	return store_run(s, NULL, "INSERT INTO outbound (queue_id, address, "
	    "message_id, time, nrcpt) VALUES (?1, '', '', ?2, ?3) ON CONFLICT "
	    "(queue_id, address) DO UPDATE SET time = {GREATEST}(outbound.time, "
	    "excluded.time), nrcpt = {GREATEST}(outbound.nrcpt, excluded.nrcpt)",
	    "sii", qid, (long long)t, (long long)n);
}

enum store_status
store_outbound_purge(struct store *s, time_t before)
{
	return store_run(s, NULL, "DELETE FROM outbound WHERE time < ?1", "i",
	    (long long)before);
}

enum store_status
store_pending_add(struct store *s, const struct store_event *e,
    time_t arrived, int *dup)
{
	enum store_status r;
	long n = 0;

	r = store_run(s, &n, "INSERT INTO pending (dedup, arrived, time, "
	    "address, class, reason, status, replycode, action, diagnostic, "
	    "reporting_mta, remote_mta, message_id, queue_id, source, "
	    "feedback_type, campaign, evidence) VALUES (?1, ?2, ?3, ?4, ?5, "
	    "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18) ON "
	    "CONFLICT (dedup) DO NOTHING", "siisssssssssssssss", e->dedup,
	    (long long)arrived, (long long)e->time, e->address, e->class,
	    e->reason, e->status, e->replycode, e->action, e->diagnostic,
	    e->reporting_mta, e->remote_mta, e->message_id, e->queue_id,
	    e->source, e->feedback_type, e->campaign, e->evidence);
	*dup = r == STORE_OK && n == 0;
	return r;
}

enum store_status
store_pending_each(struct store *s, store_pending_cb cb, void *arg)
{
	struct store_stmt *st;
	enum store_status r;

	if ((r = store_q(s, &st, "SELECT dedup, arrived, time, address, "
	    "class, reason, status, replycode, action, diagnostic, "
	    "reporting_mta, remote_mta, message_id, queue_id, source, "
	    "feedback_type, campaign, evidence FROM pending ORDER BY arrived, "
	    "dedup",
	    "")) != STORE_OK)
		return r;
	while (store_row(s, st, &r) == 1) {
		struct store_event e;

		memset(&e, 0, sizeof(e));
		e.dedup = store_col(st, 0);
		e.time = (time_t)store_coli(st, 2);
		e.address = store_col(st, 3);
		e.class = store_col(st, 4);
		e.reason = store_col(st, 5);
		e.status = store_col(st, 6);
		e.replycode = store_col(st, 7);
		e.action = store_col(st, 8);
		e.diagnostic = store_col(st, 9);
		e.reporting_mta = store_col(st, 10);
		e.remote_mta = store_col(st, 11);
		e.message_id = store_col(st, 12);
		e.queue_id = store_col(st, 13);
		e.source = store_col(st, 14);
		e.feedback_type = store_col(st, 15);
		e.campaign = store_col(st, 16);
		e.evidence = store_col(st, 17);
		if (cb(&e, (time_t)store_coli(st, 1), arg) == -1)
			break;
	}
	store_done(s, st);
	return r;
}

enum store_status
store_pending_del(struct store *s, const char *dedup)
{
	return store_run(s, NULL, "DELETE FROM pending WHERE dedup = ?1", "s",
	    dedup);
}

enum store_status
store_counter(struct store *s, const char *key, long delta, long *v)
{
	long long n;
	enum store_status r;

	*v = 0;
	if (delta != 0 && (r = store_run(s, NULL, "INSERT INTO meta (key, "
	    "value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = "
	    "meta.value + ?2", "si", key, (long long)delta)) != STORE_OK)
		return r;
	r = store_one(s, &n, "SELECT value FROM meta WHERE key = ?1", "s", key);
	*v = (long)n;
	return r;
}

enum store_status
store_counter_set(struct store *s, const char *key, long v)
{
	return store_run(s, NULL, "INSERT INTO meta (key, value) VALUES (?1, "
	    "?2) ON CONFLICT (key) DO UPDATE SET value = ?2", "si", key,
	    (long long)v);
}

/* Incidents (policy.c). */

void
store_incident_free(struct store_incident *i)
{
	free(i->domain);
	free(i->fingerprint);
	free(i->diagnostic);
	free(i->reason);
	memset(i, 0, sizeof(*i));
}

enum store_status
store_failure_add(struct store *s, time_t t, const char *dom, const char *fp,
    const char *addr, time_t prune)
{
	enum store_status r;

	if ((r = store_run(s, NULL, "DELETE FROM failures WHERE time < ?1",
	    "i", (long long)prune)) != STORE_OK)
		return r;
	return store_run(s, NULL, "INSERT INTO failures (time, domain, "
	    "fingerprint, address) VALUES (?1, ?2, ?3, ?4)", "isss",
	    (long long)t, dom, fp, addr);
}

enum store_status
store_failure_addresses(struct store *s, const char *dom, const char *fp,
    time_t since, int (*cb)(const char *, void *), void *arg)
{
	struct store_stmt *st;
	enum store_status r;

	if ((r = store_q(s, &st, "SELECT DISTINCT address FROM failures WHERE "
	    "domain = ?1 AND fingerprint = ?2 AND time >= ?3", "ssi", dom, fp,
	    (long long)since)) != STORE_OK)
		return r;
	while (store_row(s, st, &r) == 1)
		if (cb(store_col(st, 0), arg) == -1)
			break;
	store_done(s, st);
	return r;
}

#define INCIDENT_COLS	"id, domain, fingerprint, diagnostic, reason, " \
	"first_seen, last_seen, recipients"

static void
row_incident(struct store_stmt *st, struct store_incident *i)
{
	i->id = (long)store_coli(st, 0);
	i->domain = xstrdup(store_col(st, 1));
	i->fingerprint = xstrdup(store_col(st, 2));
	i->diagnostic = xstrdup(store_col(st, 3));
	i->reason = xstrdup(store_col(st, 4));
	i->first_seen = (time_t)store_coli(st, 5);
	i->last_seen = (time_t)store_coli(st, 6);
	i->recipients = (long)store_coli(st, 7);
}

enum store_status
store_incident_find(struct store *s, const char *dom, const char *fp,
    time_t since, struct store_incident *i, int *found)
{
	struct store_stmt *st;
	enum store_status r;

	*found = 0;
	memset(i, 0, sizeof(*i));
	if ((r = store_q(s, &st, "SELECT " INCIDENT_COLS " FROM incidents "
	    "WHERE domain = ?1 AND fingerprint = ?2 AND last_seen >= ?3 ORDER "
	    "BY last_seen DESC LIMIT 1", "ssi", dom, fp, (long long)since)) !=
	    STORE_OK)
		return r;
	if (store_row(s, st, &r) == 1) {
		row_incident(st, i);
		*found = 1;
	}
	store_done(s, st);
	return r;
}

enum store_status
store_incident_put(struct store *s, struct store_incident *i)
{
	enum store_status r;
	long long id;

	if (i->id != 0)
		return store_run(s, NULL, "UPDATE incidents SET last_seen = ?1, "
		    "recipients = ?2 WHERE id = ?3", "iii",
		    (long long)i->last_seen, (long long)i->recipients,
		    (long long)i->id);
	if ((r = store_one(s, &id, "INSERT INTO incidents (domain, fingerprint, "
	    "diagnostic, reason, first_seen, last_seen, recipients) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id", "ssssiii", i->domain,
	    i->fingerprint, i->diagnostic, i->reason, (long long)i->first_seen,
	    (long long)i->last_seen, (long long)i->recipients)) == STORE_OK)
		i->id = (long)id;
	return r;
}

enum store_status
store_incidents(struct store *s, time_t since, store_incident_cb cb, void *arg)
{
	struct store_incident i;
	struct store_stmt *st;
	enum store_status r;
	int stop;

	if ((r = store_q(s, &st, "SELECT " INCIDENT_COLS " FROM incidents "
	    "WHERE last_seen >= ?1 ORDER BY last_seen DESC, id DESC", "i",
	    (long long)since)) != STORE_OK)
		return r;
	while (store_row(s, st, &r) == 1) {
		row_incident(st, &i);
		stop = cb(&i, arg) == -1;
		store_incident_free(&i);
		if (stop)
			break;
	}
	store_done(s, st);
	return r;
}
