/*
 * store_erase.c - erasure (--forget) and copying (--migrate-to), both
 * driven by the one list of tables (store_schema.c): a table added
 * there is erased, scrubbed and copied without another edit. The keys
 * and tombstones are kept here; what they mean is erase.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "store.h"
#include "store_driver.h"
#include "util.h"

enum store_status
store_erase_keys(struct store *s, int (*cb)(const char *, const char *, int,
    void *), void *arg)
{
	struct store_stmt *st;
	enum store_status r;

	if ((r = store_q(s, &st, "SELECT kid, key, own FROM erase_keys ORDER "
	    "BY kid", "")) != STORE_OK)
		return r;
	while (store_row(s, st, &r) == 1)
		if (cb(store_col(st, 0), store_col(st, 1),
		    (int)store_coli(st, 2), arg) == -1)
			break;
	store_done(s, st);
	return r;
}

enum store_status
store_erase_key_add(struct store *s, const char *kid, const char *key)
{
	/* one host of a fleet makes its key; the others take it */
	return store_run(s, NULL, "INSERT INTO erase_keys (kid, key, own) "
	    "SELECT ?1, ?2, 1 WHERE NOT EXISTS (SELECT 1 FROM erase_keys WHERE "
	    "own = 1)", "ss", kid, key);
}

enum store_status
store_tombstones(struct store *s, int (*cb)(const char *, const char *,
    void *), void *arg)
{
	struct store_stmt *st;
	enum store_status r;

	if ((r = store_q(s, &st, "SELECT kid, hash FROM erased", "")) !=
	    STORE_OK)
		return r;
	while (store_row(s, st, &r) == 1)
		if (cb(store_col(st, 0), store_col(st, 1), arg) == -1)
			break;
	store_done(s, st);
	return r;
}

enum store_status
store_erase_mark(struct store *s, long *mark)
{
	long long v;
	enum store_status r;

	r = store_one(s, &v, "SELECT (SELECT count(*) FROM erased) + (SELECT "
	    "count(*) FROM erase_keys)", "");
	*mark = (long)v;
	return r;
}

/*
 * A long run's short transactions, so that a bounce piped meanwhile
 * waits little (issue 22): chunk_begin opens one unless one is open;
 * chunk_end commits it once it has lasted TXN_SECONDS, or at the last
 * row, and leaves the lock free a moment for the others.
 */
static enum store_status
chunk_begin(struct store *s, double *t0)
{
	enum store_status r = STORE_OK;

	if (!s->txn && (r = store_begin(s)) == STORE_OK)
		*t0 = mono_s();
	return r;
}

static enum store_status
chunk_end(struct store *s, double t0, int last)
{
	enum store_status r = STORE_OK;

	if ((last || mono_s() - t0 >= TXN_SECONDS) &&
	    (r = store_commit(s)) == STORE_OK)
		txn_gap();
	return r;
}

/*
 * scrub_col - the erased address out of one column's text. The rows
 * whose text names it are found without a lock (a read in SQLite's WAL
 * mode blocks nobody), then rewritten in short transactions, each row
 * only if its text is still what was read (a change meanwhile is for
 * the next pass). *found: rows found.
 */
static enum store_status
scrub_col(struct store *s, const struct store_table *t, const char *key,
    const char *col, const char *addr, size_t *found)
{
	enum store_status r = STORE_OK;
	struct store_stmt *st;
	char **keys = NULL, **olds = NULL, *sql, *text;
	/* ids are numbers: PostgreSQL compares no text to them */
	const char *fmt = strcmp(key, "id") == 0 ? "sis" : "sss";
	size_t k, n = 0;
	double t0 = 0;

	/* names from the list, never from input */
	sql = g_strdup_printf("SELECT %s, %s FROM %s WHERE {INSTR}(lower(%s), "
	    "?1) > 0", key, col, t->name, col);
	if ((r = store_q(s, &st, sql, "s", addr)) == STORE_OK) {
		while (store_row(s, st, &r) == 1) {
			keys = xrealloc(keys, (n + 1) * sizeof(*keys));
			olds = xrealloc(olds, (n + 1) * sizeof(*olds));
			keys[n] = xstrdup(store_col(st, 0));
			olds[n++] = xstrdup(store_col(st, 1));
		}
		store_done(s, st);
	}
	g_free(sql);
	*found = n;
	sql = g_strdup_printf("UPDATE %s SET %s = ?1 WHERE %s = ?2 AND %s = ?3",
	    t->name, col, key, col);
	for (k = 0; k < n && r == STORE_OK; k++) {
		if ((r = chunk_begin(s, &t0)) != STORE_OK)
			break;
		text = str_replace_ci(olds[k], addr, "[erased]");
		if (fmt[1] == 'i')
			r = store_run(s, NULL, sql, fmt, text,
			    strtoll(keys[k], NULL, 10), olds[k]);
		else
			r = store_run(s, NULL, sql, fmt, text, keys[k],
			    olds[k]);
		free(text);
		if (r == STORE_OK)
			r = chunk_end(s, t0, k + 1 == n);
	}
	if (s->txn)
		store_rollback(s);
	for (k = 0; k < n; k++) {
		free(keys[k]);
		free(olds[k]);
	}
	free(keys);
	free(olds);
	g_free(sql);
	return r;
}

/*
 * scrub - the erased address out of other rows' text (the list's scrub
 * columns), pass after pass until a pass finds none: a bounce naming it
 * may arrive meanwhile
 */
static enum store_status
scrub(struct store *s, const char *addr)
{
	const struct store_table *t;
	enum store_status r = STORE_OK;
	char *key, *col;
	const char *c;
	size_t i, left, found;
	int pass;

	for (pass = 0; pass < 5; pass++) {
		for (i = found = 0; i < store_ntables && r == STORE_OK; i++) {
			if ((t = &store_tables[i])->scrub == NULL)
				continue;
			key = xstrndup(t->scrub, strcspn(t->scrub, ","));
			for (c = t->scrub + strlen(key); r == STORE_OK && *c; ) {
				c += strspn(c, ", ");
				col = xstrndup(c, strcspn(c, ", "));
				c += strlen(col);
				r = scrub_col(s, t, key, col, addr, &left);
				found += left;
				free(col);
			}
			free(key);
		}
		if (r != STORE_OK || found == 0)
			return r;
	}
	return store_fail(s, STORE_TEMP, "the address keeps arriving in new "
	    "rows: run --forget again");
}

/*
 * store_forget - the rows keyed by the address and its tombstone in one
 * short transaction (indexed deletes); then the address out of other
 * rows' text (scrub), in short transactions; then out of the files (the
 * driver's reclaim)
 */
enum store_status
store_forget(struct store *s, const char *a, const char *kid,
    const char *hash, time_t now, int *n)
{
	enum store_status r;
	char *sql;
	long c;
	size_t i;

	*n = 0;
	if ((r = store_begin(s)) != STORE_OK)
		return r;
	for (i = 0; i < store_ntables && r == STORE_OK; i++) {
		if (!store_tables[i].addr)
			continue;
		c = 0;
		sql = g_strdup_printf("DELETE FROM %s WHERE address = ?1",
		    store_tables[i].name);
		r = store_run(s, &c, sql, "s", a);
		g_free(sql);
		*n += (int)c;
	}
	/* an address never seen is no erasure, but gets its tombstone */
	if (r == STORE_OK && *n > 0)
		r = store_run(s, NULL, "UPDATE meta SET value = value + 1 WHERE "
		    "key = 'erasures'", "");
	if (r == STORE_OK)
		r = store_run(s, NULL, "INSERT INTO erased (kid, hash, time) "
		    "VALUES (?1, ?2, ?3) ON CONFLICT (kid, hash) DO NOTHING",
		    "ssi", kid, hash, (long long)now);
	if (r != STORE_OK) {
		store_rollback(s);
		return r;
	}
	if ((r = store_commit(s)) != STORE_OK || (r = scrub(s, a)) != STORE_OK)
		return r;
	return s->drv->reclaim ? s->drv->reclaim(s, a) : STORE_OK;
}

/* col_index - the place (1...) of a column in a list of names */
static int
col_index(const char *cols, const char *name, size_t len)
{
	const char *c = cols;
	int i;

	for (i = 1; *c; i++) {
		c += strspn(c, ", ");
		if (strcspn(c, ", ") == len && strncmp(c, name, len) == 0)
			return i;
		c += strcspn(c, ", ");
	}
	return 0;
}

/*
 * copy_sql - the statement that copies a row of t into the target: what
 * the target has stays (a key it has, or an equal row where there is no
 * key), counters keep the larger value (the last column)
 */
static char *
copy_sql(const struct store_table *t)
{
	struct sbuf b;
	const char *c, *last;
	size_t n;
	int i;

	sbuf_init(&b);
	sbuf_printf(&b, "INSERT INTO %s (%s) %s", t->name, t->cols,
	    t->merge == MERGE_NEW ? "SELECT " : "VALUES (");
	for (i = 1; i <= (int)strlen(t->types); i++)
		sbuf_printf(&b, "%s?%d", i > 1 ? ", " : "", i);
	if (t->merge == MERGE_NEW) {
		sbuf_printf(&b, " WHERE NOT EXISTS (SELECT 1 FROM %s WHERE ",
		    t->name);
		for (i = 0, c = t->key; *c; i++) {
			c += strspn(c, ", ");
			n = strcspn(c, ", ");
			sbuf_printf(&b, "%s%.*s = ?%d", i ? " AND " : "",
			    (int)n, c, col_index(t->cols, c, n));
			c += n;
		}
		sbuf_add(&b, ")");
		return sbuf_steal(&b);
	}
	sbuf_printf(&b, ") ON CONFLICT (%s) DO ", t->key);
	last = strrchr(t->cols, ' ');
	last = last ? last + 1 : t->cols;
	if (t->merge == MERGE_MAX)
		sbuf_printf(&b, "UPDATE SET %s = {GREATEST}(%s.%s, excluded.%s)",
		    last, t->name, last, last);
	else
		sbuf_add(&b, "NOTHING");
	return sbuf_steal(&b);
}

/* copy_row - the current row of st (from) into to, by the statement put */
static enum store_status
copy_row(struct store *from, struct store_stmt *st, struct store *to,
    const char *put, const char *types)
{
	struct store_stmt *ins;
	enum store_status r;
	const char *v;
	int i;

	if ((r = to->drv->prepare(to, put, &ins)) != STORE_OK)
		return r;
	for (i = 0; types[i]; i++) {
		if ((v = from->drv->column(st, i)) == NULL)
			to->drv->bind(ins, i + 1, STORE_NULL, NULL, 0);
		else if (types[i] == 'i')
			to->drv->bind(ins, i + 1, STORE_INT, NULL,
			    strtoll(v, NULL, 10));
		else
			to->drv->bind(ins, i + 1, STORE_TEXT, v, 0);
	}
	while (store_row(to, ins, &r) == 1)
		;
	store_done(to, ins);
	return r;
}

/*
 * copy_table - every row of t from one store into the other, in short
 * transactions of the target: its writers (a fleet's, on PostgreSQL)
 * wait for the copy no longer than for any other, and PostgreSQL, which
 * keeps every version of a row a transaction updates, never makes the
 * aggregate rows the triggers update once a copied row (listed, daily)
 * the chains that made one long copy quadratic. Each transaction reads
 * what skip knows again (fresh): an address erased in the target since
 * the last one is not brought back.
 */
static enum store_status
copy_table(struct store *from, struct store *to, const struct store_table *t,
    const struct store_copy_cb *cb)
{
	struct store_stmt *st;
	enum store_status r, w = STORE_OK;
	char *sel, *put;
	int a = t->addr && cb->skip ? col_index(t->cols, "address", 7) - 1 : -1;
	long rows = 0;
	double t0 = 0;

	sel = g_strdup_printf("SELECT %s FROM %s", t->cols, t->name);
	put = copy_sql(t);
	if ((r = store_q(from, &st, sel, "")) != STORE_OK)
		goto out;
	while (w == STORE_OK && store_row(from, st, &r) == 1) {
		/* a new transaction reads what skip knows again */
		if (!to->txn && ((w = chunk_begin(to, &t0)) != STORE_OK ||
		    (cb->fresh && (w = cb->fresh(to, cb->arg)) != STORE_OK)))
			break;
		if (a >= 0 && cb->skip(store_col(st, a), cb->arg))
			continue;
		if ((w = copy_row(from, st, to, put, t->types)) == STORE_OK)
			w = chunk_end(to, t0, 0);
		if (++rows % 1000 == 0 && cb->progress)
			cb->progress(t->name, rows, cb->arg);
	}
	store_done(from, st);
	if (w == STORE_OK && r == STORE_OK)
		w = chunk_begin(to, &t0);
	if (r != STORE_OK)
		snprintf(to->err, sizeof(to->err), "%s", from->err);
	else if ((r = w) == STORE_OK && t->cols[0] == 'i' && t->cols[1] == 'd' &&
	    t->cols[2] == ',' && to->drv->serial)
		r = to->drv->serial(to, t->name);
	if (r == STORE_OK)
		r = store_commit(to);
	else if (to->txn)
		store_rollback(to);
	if (r == STORE_OK && cb->progress)
		cb->progress(t->name, rows, cb->arg);
out:
	g_free(sel);
	free(put);
	return r;
}

enum store_status
store_copy(struct store *from, struct store *to, const struct store_copy_cb *cb)
{
	enum store_status r;
	size_t i;
	int v = 0;

	/* the same list on both sides, or nothing */
	if (store_version(from, &v) != STORE_OK || v != STORE_VERSION)
		return store_fail(from, STORE_FAIL, "the source's schema "
		    "(version %d) is not this bouncer's (%d): open it for "
		    "writing once (bouncer --init) and copy again", v,
		    STORE_VERSION);
	for (i = 0, r = STORE_OK; i < store_ntables && r == STORE_OK; i++)
		if (store_tables[i].merge != MERGE_NONE)
			r = copy_table(from, to, &store_tables[i], cb);
	if (r != STORE_OK)
		snprintf(from->err, sizeof(from->err), "%s", to->err);
	return r;
}
