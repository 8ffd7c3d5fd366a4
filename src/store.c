/*
 * store.c - the store's engine: every operation, once, over a driver
 * (store_driver.h). "postgresql://..." or "postgres://..." (a libpq
 * connection URI) is PostgreSQL; anything else is an SQLite file.
 *
 * The store stores: what an event counts as, which address to hold
 * while deciding, what a class means, policy.c says. Every statement
 * binds its parameters; no SQL is built from input.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_driver.h"
#include "util.h"

int
store_is_pg(const char *db)
{
	return str_iprefix(db, "postgresql://") != NULL ||
	    str_iprefix(db, "postgres://") != NULL;
}

/* The statement helpers (store_driver.h). */

static enum store_status
vq(struct store *s, struct store_stmt **st, const char *sql, const char *fmt,
    va_list ap)
{
	enum store_status r;
	const char *v;
	long long n;
	int i;

	if ((r = s->drv->prepare(s, sql, st)) != STORE_OK)
		return r;
	for (i = 0; fmt[i]; i++)
		switch (fmt[i]) {
		case 's':
		case 'S':
			/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): the caller's */
			v = va_arg(ap, const char *);
			if (v == NULL && fmt[i] == 'S')
				s->drv->bind(*st, i + 1, STORE_NULL, NULL, 0);
			else
				s->drv->bind(*st, i + 1, STORE_TEXT,
				    v ? v : "", 0);
			break;
		default:
			/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): the caller's */
			n = va_arg(ap, long long);
			s->drv->bind(*st, i + 1, n == 0 && fmt[i] == 'z' ?
			    STORE_NULL : STORE_INT, NULL, n);
			break;
		}
	return STORE_OK;
}

enum store_status
store_q(struct store *s, struct store_stmt **st, const char *sql,
    const char *fmt, ...)
{
	enum store_status r;
	va_list ap;

	va_start(ap, fmt);
	r = vq(s, st, sql, fmt, ap);
	va_end(ap);
	return r;
}

enum store_status
store_run(struct store *s, long *changes, const char *sql, const char *fmt,
    ...)
{
	struct store_stmt *st;
	enum store_status r;
	va_list ap;

	va_start(ap, fmt);
	r = vq(s, &st, sql, fmt, ap);
	va_end(ap);
	if (r != STORE_OK)
		return r;
	while (store_row(s, st, &r) == 1)
		;
	if (r == STORE_OK && changes != NULL)
		*changes = s->drv->changes(s, st);
	store_done(s, st);
	return r;
}

enum store_status
store_one(struct store *s, long long *v, const char *sql, const char *fmt, ...)
{
	struct store_stmt *st;
	enum store_status r;
	va_list ap;

	*v = 0;
	va_start(ap, fmt);
	r = vq(s, &st, sql, fmt, ap);
	va_end(ap);
	if (r != STORE_OK)
		return r;
	if (store_row(s, st, &r) == 1)
		*v = store_coli(st, 0);
	store_done(s, st);
	return r;
}

int
store_row(struct store *s, struct store_stmt *st, enum store_status *r)
{
	int rc = s->drv->step(s, st, r);

	if (rc >= 0)
		*r = STORE_OK;
	return rc;
}

const char *
store_col(struct store_stmt *st, int i)
{
	const char *v = st->drv->column(st, i);

	return v ? v : "";
}

long long
store_coli(struct store_stmt *st, int i)
{
	const char *v = st->drv->column(st, i);

	return v ? strtoll(v, NULL, 10) : 0;
}

void
store_done(struct store *s, struct store_stmt *st)
{
	s->drv->finish(s, st);
}

/* script - statements without parameters, in the driver's dialect */
static enum store_status
script(struct store *s, const char *sql)
{
	char *q = store_sql(sql, s->drv->dialect, 0);
	enum store_status r = s->drv->exec(s, q);

	free(q);
	return r;
}

/* create - a table of the list, with its indexes, unless it is there */
static enum store_status
create(struct store *s, const struct store_table *t)
{
	enum store_status r;
	struct sbuf b;
	char *sql;
	/* SQLite keeps a table with a key of its own without row ids */
	int norowid = strstr(t->create, "PRIMARY KEY") != NULL &&
	    strstr(t->create, "{ID}") == NULL &&
	    strstr(t->create, "INTEGER PRIMARY KEY") == NULL;

	sbuf_init(&b);
	sbuf_printf(&b, "CREATE TABLE IF NOT EXISTS %s (%s)%s%s%s", t->name,
	    t->create, norowid ? "{NOROWID}" : "", t->index ? ";" : "",
	    t->index ? t->index : "");
	sql = sbuf_steal(&b);
	r = script(s, sql);
	free(sql);
	return r;
}

static const struct store_table *
table(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < store_ntables; i++)
		if (strlen(store_tables[i].name) == n &&
		    strncmp(store_tables[i].name, name, n) == 0)
			return &store_tables[i];
	return NULL;
}

/* create_named - the tables a migration names, as the list has them */
static enum store_status
create_named(struct store *s, const char *names)
{
	const struct store_table *t;
	enum store_status r = STORE_OK;
	size_t n;

	while (names && *names && r == STORE_OK) {
		n = strcspn(names, " ");
		if ((t = table(names, n)) == NULL)
			return store_fail(s, STORE_FAIL, "no table %.*s",
			    (int)n, names);
		r = create(s, t);
		names += n + strspn(names + n, " ");
	}
	return r;
}

enum store_status
store_version(struct store *s, int *v)
{
	struct store_stmt *st;
	enum store_status r;

	*v = -1;
	if ((r = store_q(s, &st, "SELECT max(version) FROM bouncer_schema",
	    "")) != STORE_OK)
		return r;
	if (store_row(s, st, &r) == 1 && s->drv->column(st, 0) != NULL)
		*v = (int)store_coli(st, 0);
	store_done(s, st);
	if (r == STORE_OK && *v < 0)
		*v = 0;
	return r;
}

/* triggers - (re)make the triggers that keep the aggregates */
static enum store_status
triggers(struct store *s)
{
	static const char *const names[] = { "{NAME}", "{EVENT}", "{TABLE}",
	    "{BODY}" };
	enum store_status r = STORE_OK;
	const struct store_trigger *t;
	char *sql;
	size_t i;

	for (i = 0; i < store_ntriggers && r == STORE_OK; i++) {
		t = &store_triggers[i];
		const char *const vals[] = { t->name, t->event, t->table,
		    t->body };

		sql = store_subst(s->drv->dialect[TOK_TRIGGER], names, vals, 4);
		r = script(s, sql);
		free(sql);
	}
	return r;
}

/* add_columns - a migration's columns, where the table lacks them */
static enum store_status
add_columns(struct store *s, const char *spec)
{
	enum store_status r = STORE_OK;
	char *item, *col, *name;
	struct sbuf b;
	long long n;
	size_t k;

	while (spec && *spec && r == STORE_OK) {
		k = strcspn(spec, ";");
		item = xstrndup(spec, k);
		spec += k + (spec[k] == ';');
		col = item + strcspn(item, " ");
		*col++ = '\0';
		name = xstrndup(col, strcspn(col, " "));
		if ((r = store_one(s, &n, "SELECT count(*) FROM {COLUMNS} = ?2",
		    "ss", item, name)) == STORE_OK && n == 0) {
			sbuf_init(&b);
			sbuf_printf(&b, "ALTER TABLE %s ADD COLUMN %s", item, col);
			free(name);
			name = sbuf_steal(&b);
			r = script(s, name);
		}
		free(name);
		free(item);
	}
	return r;
}

/* has_table - whether the database has a table of that name */
static enum store_status
has_table(struct store *s, const char *name, int *yes)
{
	long long n;
	enum store_status r;

	r = store_one(s, &n, "SELECT count(*) FROM {TABLES} = ?1", "s", name);
	*yes = n > 0;
	return r;
}

/*
 * migrate - bring the schema to this bouncer's. The usual case, the
 * schema is current, takes no write lock; else one writer migrates and
 * the others wait for it, then see the new version. Only --init
 * (STORE_CREATE) makes a schema where there is none: a database without
 * one is a wrong path or URI, or a list lost, never a fresh start.
 */
static enum store_status
migrate(struct store *s, int make)
{
	enum store_status r;
	size_t i;
	int v, ours;

	if (store_version(s, &v) == STORE_OK && v == STORE_VERSION)
		return STORE_OK;
	if ((r = store_begin(s)) != STORE_OK)
		return r;
	v = 0;
	if ((s->drv->lock && (r = s->drv->lock(s, NULL)) != STORE_OK) ||
	    (r = has_table(s, "bouncer_schema", &ours)) != STORE_OK ||
	    (ours && (r = store_version(s, &v)) != STORE_OK))
		goto bad;
	if (v == 0 && s->drv->legacy && (r = s->drv->legacy(s, &v)) != STORE_OK)
		goto bad;
	if (v == STORE_VERSION) {
		store_rollback(s);
		return STORE_OK;
	}
	if (v == 0 && !make) {
		r = store_fail(s, STORE_TEMP, "no bouncer schema in it; only "
		    "bouncer --init creates one");
		goto bad;
	}
	if (v > STORE_VERSION) {
		r = store_fail(s, STORE_FAIL, "database schema version %d is "
		    "newer than this bouncer (%d)", v, STORE_VERSION);
		goto bad;
	}
	if ((r = create(s, table("bouncer_schema", 14))) != STORE_OK)
		goto bad;
	if (v == 0) {
		for (i = 0; i < store_ntables && r == STORE_OK; i++)
			r = create(s, &store_tables[i]);
		if (r == STORE_OK)
			r = script(s, "INSERT INTO meta (key, value) VALUES "
			    "('erasures', 0)");
	} else
		for (; v < STORE_VERSION && r == STORE_OK; v++)
			if ((r = create_named(s, store_migrations[v].tables)) ==
			    STORE_OK && (r = add_columns(s,
			    store_migrations[v].columns)) == STORE_OK &&
			    store_migrations[v].sql)
				r = script(s, store_migrations[v].sql);
	/* the aggregates' triggers as this bouncer has them */
	if (r == STORE_OK)
		r = triggers(s);
	if (r != STORE_OK ||
	    (r = store_run(s, NULL, "DELETE FROM bouncer_schema", "")) !=
	    STORE_OK ||
	    (r = store_run(s, NULL, "INSERT INTO bouncer_schema (version) "
	    "VALUES (?1)", "i", (long long)STORE_VERSION)) != STORE_OK)
		goto bad;
	return store_commit(s);
bad:
	store_rollback(s);
	return r;
}

/* readable - a reader's check that the database is bouncer's */
static enum store_status
readable(struct store *s)
{
	enum store_status r;
	int yes;

	if ((r = has_table(s, "suppression", &yes)) == STORE_OK && !yes)
		r = store_fail(s, STORE_TEMP, "no bouncer schema in it; only "
		    "bouncer --init creates one");
	return r;
}

enum store_status
store_open(const char *db, int busy_ms, int flags, struct store **out,
    char **err)
{
	char msg[512] = "";
	enum store_status r;

	*out = NULL;
	if (store_is_pg(db))
		r = store_pg_open(db, busy_ms, flags, out, msg, sizeof(msg));
	else
		r = store_sqlite_open(db, busy_ms, flags, out, msg,
		    sizeof(msg));
	if (r == STORE_OK) {
		(*out)->busy_ms = busy_ms;
		(*out)->readonly = (flags & STORE_RDONLY) != 0;
		r = (*out)->readonly ? readable(*out) :
		    migrate(*out, (flags & STORE_CREATE) != 0);
		if (r != STORE_OK) {
			snprintf(msg, sizeof(msg), "%s", (*out)->err);
			store_close(*out);
			*out = NULL;
		}
	}
	if (r != STORE_OK)
		*err = xstrdup(msg);
	return r;
}

void
store_close(struct store *s)
{
	if (s != NULL)
		s->drv->close(s);
}

const char *
store_error(const struct store *s)
{
	return s->err;
}

enum store_status
store_begin(struct store *s)
{
	enum store_status r = s->drv->begin(s);

	s->txn = r == STORE_OK;
	return r;
}

enum store_status
store_commit(struct store *s)
{
	enum store_status r = s->drv->commit(s);

	if (r != STORE_OK)
		s->drv->rollback(s);
	s->txn = 0;
	return r;
}

void
store_rollback(struct store *s)
{
	s->drv->rollback(s);
	s->txn = 0;
}

enum store_status
store_lock_address(struct store *s, const char *addr)
{
	if (!s->txn || s->readonly || s->drv->lock == NULL)
		return STORE_OK;
	return s->drv->lock(s, addr);
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
