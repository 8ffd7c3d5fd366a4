/*
 * store.c - pick the backend from the database name and pass each call
 * on. "postgresql://..." or "postgres://..." (a libpq connection URI) is
 * PostgreSQL; anything else is an SQLite file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include <glib.h>

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

/*
 * rate_class - the class an event counts in: opt-out reports unsubscribe;
 * an unverified one counts in none
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

/*
 * store_event_add - the event, and the counters --metrics reads (per
 * domain and campaign), which erasure and retention never lower; an
 * address adds to them at most once per class within a day
 */
enum store_status
store_event_add(struct store *s, const struct store_event *e, int *dup)
{
	enum store_status r;
	const char *c, *at;

	long n = 0;

	if ((r = s->ops->event_add(s, e, dup)) != STORE_OK || *dup ||
	    (c = rate_class(e)) == NULL)
		return r;
	/*
	 * One address counts once per class and day (issue 23): a
	 * subscriber who mails us sixty reports about his own copy, or
	 * replays his signed return path, is one address, not a domain's
	 * rate. The event itself is one of those found.
	 */
	if (e->address != NULL && (r = s->ops->rate_events(s, e->address, c,
	    e->time, &n)) != STORE_OK)
		return r;
	if (n > 1)
		return STORE_OK;
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
store_soft_count(struct store *s, const char *a, time_t since, time_t stand,
    int *n)
{
	return s->ops->soft_count(s, a, since, stand, n);
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
    long long *off, char *mark, size_t len, int *found)
{
	if (len > 0)
		mark[0] = '\0';
	return s->ops->logpos_get(s, p, ino, off, mark, len, found);
}

enum store_status
store_logpos_set(struct store *s, const char *p, unsigned long long ino,
    long long off, const char *mark)
{
	return s->ops->logpos_set(s, p, ino, off, mark ? mark : "");
}

/* the key is this host's, like its positions: hosts of a fleet each
   count their own log */
enum store_status
store_logseen(struct store *s, const char *key, time_t t, int *dup)
{
	char host[256], *k;
	enum store_status r;

	*dup = 0;
	store_host(host, sizeof(host));
	k = xmalloc(strlen(host) + strlen(key) + 2);
	sprintf(k, "%s/%s", host, key);
	r = s->ops->logseen(s, k, t, dup);
	free(k);
	return r;
}

enum store_status
store_logseen_purge(struct store *s, time_t before)
{
	return s->ops->logseen_purge(s, before);
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
	    "first_seen, last_seen, soft_count, expires", 10, 0 },
	{ "events", "time, address, class, reason, status, replycode, action, "
	    "diagnostic, reporting_mta, remote_mta, message_id, queue_id, "
	    "source, feedback_type, dedup, campaign", 16, 1 },
	{ "audit", "time, address, action, class, reason, why", 6, 1 },
	{ "sent", "domain, day, count", 3, -1 },
	{ "meta", "key, value", 2, -1 },
	{ "sent_campaign", "campaign, day, count", 3, -1 },
	{ "held", "address, class, reason, status, source, note, "
	    "first_seen, last_seen, soft_count, expires", 10, 0 },
	{ "event_counts", "class, reason, value", 3, -1 },
	{ "erase_keys", "kid, key", 2, -1 },
	{ "erased", "kid, hash, time", 3, -1 },
	{ "counts", "kind, name, class, count", 4, -1 },
};

/*
 * Erasure tombstones. An erased address is remembered as
 * HMAC-SHA256(key, address) under the store's own random key (made on
 * first use), never as the address: what is kept cannot be read back
 * without the key and a guess. Keys of stores merged in by --migrate-to
 * come along with their tombstones, so each tombstone is checked under
 * the key that made it.
 */
#define KEYS_MAX	64

struct keyset {
	char	kid[KEYS_MAX][33];
	char	key[KEYS_MAX][129];
	int	own;		/* index of the own key, -1: none */
	int	n;
};

static int
add_key(const char *kid, const char *key, int own, void *arg)
{
	struct keyset *k = arg;

	if (k->n == KEYS_MAX)
		return -1;
	snprintf(k->kid[k->n], sizeof(k->kid[0]), "%s", kid);
	snprintf(k->key[k->n], sizeof(k->key[0]), "%s", key);
	if (own)
		k->own = k->n;
	k->n++;
	return 0;
}

static enum store_status
load_keys(struct store *s, struct keyset *k)
{
	memset(k, 0, sizeof(*k));
	k->own = -1;
	return s->ops->keys(s, add_key, k);
}

static void
hex(const unsigned char *b, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* own_key - the store's own erasure key, made when there is none */
static enum store_status
own_key(struct store *s, struct keyset *k)
{
	unsigned char b[40];
	enum store_status r;

	if ((r = load_keys(s, k)) != STORE_OK || k->own >= 0)
		return r;
	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b)) {
		snprintf(s->err, sizeof(s->err), "no random bytes for an "
		    "erasure key: %s", strerror(errno));
		return STORE_TEMP;
	}
	hex(b, 8, k->kid[0]);
	hex(b + 8, 32, k->key[0]);
	if ((r = s->ops->key_add(s, k->kid[0], k->key[0])) != STORE_OK)
		return r;
	return load_keys(s, k);
}

/* tomb - the tombstone of address under key i */
static void
tomb(const struct keyset *k, int i, const char *addr, char out[65])
{
	GHmac *h = g_hmac_new(G_CHECKSUM_SHA256,
	    (const guchar *)k->key[i], strlen(k->key[i]));

	g_hmac_update(h, (const guchar *)addr, (gssize)strlen(addr));
	snprintf(out, 65, "%s", g_hmac_get_string(h));
	g_hmac_unref(h);
}

static int
add_tomb(const char *kid, const char *hash, void *arg)
{
	GHashTable *t = arg;

	g_hash_table_add(t, g_strconcat(kid, ":", hash, NULL));
	return 0;
}

/* is_erased - address has a tombstone under one of the keys */
static int
is_erased(const struct keyset *k, GHashTable *t, const char *addr)
{
	char h[65], *id;
	int i, yes = 0;

	for (i = 0; i < k->n && !yes; i++) {
		tomb(k, i, addr, h);
		id = g_strconcat(k->kid[i], ":", h, NULL);
		yes = g_hash_table_contains(t, id);
		g_free(id);
	}
	return yes;
}

struct store_tombs {
	struct keyset	 k;
	GHashTable	*t;
};

enum store_status
store_tombs_open(struct store *s, struct store_tombs **out)
{
	struct store_tombs *x = xcalloc(1, sizeof(*x));
	enum store_status r;

	x->t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	if ((r = load_keys(s, &x->k)) != STORE_OK ||
	    (r = s->ops->tombstones(s, add_tomb, x->t)) != STORE_OK) {
		store_tombs_close(x);
		x = NULL;
	}
	*out = x;
	return r;
}

int
store_tombs_has(const struct store_tombs *x, const char *addr)
{
	return x != NULL && is_erased(&x->k, x->t, addr);
}

void
store_tombs_close(struct store_tombs *x)
{
	if (x == NULL)
		return;
	g_hash_table_destroy(x->t);
	free(x);
}

enum store_status
store_erased(struct store *s, const char *addr, int *yes)
{
	struct store_tombs *x;
	enum store_status r;

	*yes = 0;
	if ((r = store_tombs_open(s, &x)) == STORE_OK)
		*yes = store_tombs_has(x, addr);
	store_tombs_close(x);
	return r;
}

enum store_status
store_forget(struct store *s, const char *a, time_t now, int *n)
{
	struct keyset k;
	enum store_status r;
	char h[65];

	*n = 0;
	if ((r = store_begin(s)) != STORE_OK)
		return r;
	if ((r = own_key(s, &k)) != STORE_OK ||
	    (r = store_commit(s)) != STORE_OK) {
		store_rollback(s);
		return r;
	}
	tomb(&k, k.own, a, h);
	return s->ops->forget(s, a, k.kid[k.own], h, now, n);
}

void
store_host(char *buf, size_t len)
{
	const char *env = getenv("BOUNCER_HOST");

	/* BOUNCER_HOST: tests play several hosts on one machine */
	if (env && *env)
		snprintf(buf, len, "%s", env);
	else if (gethostname(buf, len) == -1)
		snprintf(buf, len, "localhost");
	buf[len - 1] = '\0';
}

char *
store_scrub_text(const char *t, const char *addr)
{
	struct sbuf b;
	size_t n = strlen(addr);
	const char *p;

	sbuf_init(&b);
	sbuf_addn(&b, "", 0);
	for (p = t; *p; ) {
		if (n > 0 && strncasecmp(p, addr, n) == 0) {
			sbuf_add(&b, "[erased]");
			p += n;
		} else
			sbuf_addn(&b, p++, 1);
	}
	return sbuf_steal(&b);
}

const struct store_scrub store_scrubs[STORE_NSCRUBS] = {
	{ "events", "id", "diagnostic" },
	{ "events", "id", "remote_mta" },
	{ "audit", "id", "why" },
	{ "suppression", "address", "note" },
	{ "held", "address", "note" },
	{ "pending", "dedup", "diagnostic" },
};

enum store_status
store_expire_events(struct store *s, time_t before, long *n)
{
	return s->ops->expire_events(s, before, n);
}

struct copy {
	struct store	*to;
	int		 table;
	long		 rows;
	struct keyset	 keys;		/* the target's, and */
	GHashTable	*tombs;		/* its tombstones */
	enum store_status r;
	void		(*progress)(const char *, long, void *);
	void		*arg;
};

static int
copy_row(const char *const *vals, void *arg)
{
	struct copy *c = arg;
	int a = store_tables[c->table].addr;

	/* an address erased in the target is not brought back */
	if (a >= 0 && vals[a] && is_erased(&c->keys, c->tombs, vals[a]))
		return 0;
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
	struct copy c;
	enum store_status r;

	if (from->ops->dump == NULL || to->ops->load == NULL) {
		snprintf(to->err, sizeof(to->err), "copy goes from an SQLite "
		    "store into a PostgreSQL one");
		return STORE_FAIL;
	}
	memset(&c, 0, sizeof(c));
	c.to = to;
	c.progress = progress;
	c.arg = arg;
	c.tombs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	if ((r = store_begin(to)) != STORE_OK)
		goto out;
	if ((r = load_keys(to, &c.keys)) != STORE_OK ||
	    (r = to->ops->tombstones(to, add_tomb, c.tombs)) != STORE_OK) {
		store_rollback(to);
		goto out;
	}
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
			goto out;
		}
		if (progress)
			progress(store_tables[c.table].name, c.rows, arg);
	}
	r = store_commit(to);
out:
	g_hash_table_destroy(c.tombs);
	return r;
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
store_outbound_nrcpt(struct store *s, const char *qid, long n, time_t t)
{
	return s->ops->outbound_nrcpt(s, qid, n, t);
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
	return s->ops->failure_add(s, t, dom, fp, addr, prune);
}

enum store_status
store_failure_addresses(struct store *s, const char *dom, const char *fp,
    time_t since, int (*cb)(const char *, void *), void *arg)
{
	return s->ops->failure_addresses(s, dom, fp, since, cb, arg);
}

enum store_status
store_incident_find(struct store *s, const char *dom, const char *fp,
    time_t since, struct store_incident *i, int *found)
{
	return s->ops->incident_find(s, dom, fp, since, i, found);
}

enum store_status
store_incident_put(struct store *s, struct store_incident *i)
{
	return s->ops->incident_put(s, i);
}

enum store_status
store_incidents(struct store *s, time_t since, store_incident_cb cb, void *arg)
{
	return s->ops->incidents(s, since, cb, arg);
}
