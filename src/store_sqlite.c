/*
 * store_sqlite.c - the suppression store on SQLite.
 *
 * Durability and concurrency: WAL journal, synchronous=FULL (once
 * bouncer exits 0 Postfix deletes the bounce, so the row must be on
 * disk), a busy timeout, BEGIN IMMEDIATE for writes so that a writer
 * takes the lock up front instead of failing at COMMIT. Postfix reads
 * the same file through sqlite_table(5) and sets no busy timeout, so
 * write transactions are kept to one message.
 *
 * Shared with Postfix, which must never fail a lookup (it sets no busy
 * timeout, and a failed prepare kills proxymap): the -wal and -shm files
 * are kept (persistent WAL) and writable by both (share_mode); closing never
 * checkpoints (that takes the database's exclusive lock, and a reader
 * opening meanwhile gets "database is locked"): a passive checkpoint,
 * which waits for nobody and blocks nobody, keeps the WAL short instead.
 * Postfix opens the file read-only (mode=ro), so it never checkpoints
 * either; if someone else's client deletes the WAL files, Postfix or
 * bouncer creates them again with the database's mode and group (README,
 * "Two users, one database").
 *
 * Every statement binds its parameters; no SQL is built from input.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store_driver.h"
#include "util.h"

#define CACHE_MAX	64

struct sqst {
	struct store_stmt head;
	sqlite3_stmt	*st;
	char		*sql;		/* the engine's text it was cached for */
};

struct sq {
	struct store	 base;		/* first: a struct sq is a struct store */
	sqlite3		*db;
	char		*path;
	dev_t		 dev;		/* the file opened: a commit into a */
	ino_t		 ino;		/* deleted or replaced one is an error */
	struct timespec	 busy_since;	/* the wait began */
	/*
	 * Prepared statements, kept for the process: a replay runs the same
	 * few statements for every message, and --migrate-to one per row,
	 * and preparing costs more than running. Keyed by the SQL's text.
	 */
	struct sqst	 cache[CACHE_MAX];
	int		 ncache;
};

#define SQ(bs)	((struct sq *)(bs))
#define ST(x)	((struct sqst *)(x))

static const struct store_driver sq_driver;

/* fail - transient SQLite failures are retried by Postfix */
static enum store_status
fail(struct sq *s, int rc, const char *what)
{
	snprintf(s->base.err, sizeof(s->base.err), "%s: %s", what,
	    s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
	switch (rc & 0xff) {
	case SQLITE_MISUSE:
	case SQLITE_RANGE:
	case SQLITE_MISMATCH:
		return STORE_FAIL;
	default:
		/* busy, locked, read-only, full, I/O, corrupt, cannot open */
		return STORE_TEMP;
	}
}

static enum store_status
sq_exec(struct store *bs, const char *sql)
{
	struct sq *s = SQ(bs);
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? STORE_OK : fail(s, rc, s->path);
}

static enum store_status
sq_prepare(struct store *bs, const char *sql, struct store_stmt **out)
{
	struct sq *s = SQ(bs);
	struct sqst *x;
	char *q;
	int i, rc, cache;

	for (i = 0; i < s->ncache; i++)
		if (strcmp(s->cache[i].sql, sql) == 0) {
			sqlite3_reset(s->cache[i].st);
			sqlite3_clear_bindings(s->cache[i].st);
			*out = &s->cache[i].head;
			return STORE_OK;
		}
	cache = s->ncache < CACHE_MAX;
	x = cache ? &s->cache[s->ncache] : xcalloc(1, sizeof(*x));
	q = store_sql(sql, sq_driver.dialect, 0);
	rc = sqlite3_prepare_v3(s->db, q, -1, cache ?
	    SQLITE_PREPARE_PERSISTENT : 0, &x->st, NULL);
	free(q);
	if (rc != SQLITE_OK) {
		if (!cache)
			free(x);
		return fail(s, rc, "prepare");
	}
	x->head.drv = &sq_driver;
	if (cache) {
		x->sql = xstrdup(sql);
		s->ncache++;
	}
	*out = &x->head;
	return STORE_OK;
}

static void
sq_bind(struct store_stmt *x, int i, int type, const char *v, long long n)
{
	if (type == STORE_TEXT)
		sqlite3_bind_text(ST(x)->st, i, v, -1, SQLITE_TRANSIENT);
	else if (type == STORE_INT)
		sqlite3_bind_int64(ST(x)->st, i, (sqlite3_int64)n);
	else
		sqlite3_bind_null(ST(x)->st, i);
}

static int
sq_step(struct store *bs, struct store_stmt *x, enum store_status *r)
{
	int rc = sqlite3_step(ST(x)->st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	*r = fail(SQ(bs), rc, "statement");
	return -1;
}

static const char *
sq_column(struct store_stmt *x, int i)
{
	return (const char *)sqlite3_column_text(ST(x)->st, i);
}

static long
sq_changes(struct store *bs, struct store_stmt *x)
{
	(void)x;
	return (long)sqlite3_changes(SQ(bs)->db);
}

/* sq_finish - no lock outlives a statement's use */
static void
sq_finish(struct store *bs, struct store_stmt *x)
{
	struct sq *s = SQ(bs);

	if (ST(x) >= s->cache && ST(x) < s->cache + CACHE_MAX) {
		sqlite3_reset(ST(x)->st);
		return;
	}
	sqlite3_finalize(ST(x)->st);
	free(x);
}

static enum store_status
sq_begin(struct store *bs)
{
	return sq_exec(bs, "BEGIN IMMEDIATE");
}

/*
 * same_file - 0 when path still names the file opened; a deleted or
 * replaced database (an unmounted volume, a restored copy) takes no
 * more writes that would be reported as stored
 */
static enum store_status
same_file(struct sq *s)
{
	struct stat sb;

	if (stat(s->path, &sb) == -1 || sb.st_dev != s->dev ||
	    sb.st_ino != s->ino)
		return store_fail(&s->base, STORE_TEMP, "%s was deleted or "
		    "replaced while open; what was written since is not in "
		    "it", s->path);
	return STORE_OK;
}

static enum store_status
sq_commit(struct store *bs)
{
	enum store_status r = sq_exec(bs, "COMMIT");

	/* committed into a file that is no longer the database: not stored */
	return r == STORE_OK ? same_file(SQ(bs)) : r;
}

static void
sq_rollback(struct store *bs)
{
	struct sq *s = SQ(bs);

	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/*
 * sq_legacy - a database from before bouncer_schema kept its version in
 * user_version, and its log positions in logpos.offset. user_version
 * then stays ahead of what older bouncers know, so that they refuse the
 * new schema instead of misreading it.
 */
static enum store_status
sq_legacy(struct store *bs, int *v)
{
	struct sq *s = SQ(bs);
	sqlite3_stmt *st;
	enum store_status r = STORE_OK;
	char sql[64];
	int rc, old = 0;

	*v = 0;
	if ((rc = sqlite3_prepare_v2(s->db, "SELECT (SELECT user_version FROM "
	    "pragma_user_version), (SELECT count(*) FROM "
	    "pragma_table_info('logpos') WHERE name = 'offset')", -1, &st,
	    NULL)) != SQLITE_OK)
		return fail(s, rc, "schema version");
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*v = sqlite3_column_int(st, 0);
		old = sqlite3_column_int(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return fail(s, rc, "schema version");
	if (old)
		r = sq_exec(bs, "ALTER TABLE logpos RENAME COLUMN offset TO pos");
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", STORE_VERSION);
	return r == STORE_OK ? sq_exec(bs, sql) : r;
}

/* in_files - whether the database file or its WAL still holds addr */
static int
in_files(struct sq *s, const char *addr)
{
	char wal[4096];
	int a;

	if (snprintf(wal, sizeof(wal), "%s-wal", s->path) >= (int)sizeof(wal))
		return -1;
	if ((a = file_has_ci(s->path, addr)) != 0)
		return a;
	return file_has_ci(wal, addr);
}

/*
 * truncate_wal - copy the WAL into the file and truncate it, without
 * waiting for anyone: a passive checkpoint first (no lock that blocks a
 * writer or a reader), then a truncating one with no busy handler, which
 * fails at once, holding nothing, while a writer writes or a reader still
 * reads an old snapshot from the WAL. SQLITE_OK or SQLITE_BUSY.
 */
static int busy_wait(void *, int);

static int
truncate_wal(struct sq *s)
{
	int rc;

	(void)sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE,
	    NULL, NULL);
	sqlite3_busy_handler(s->db, NULL, NULL);
	rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE,
	    NULL, NULL);
	sqlite3_busy_handler(s->db, busy_wait, s);
	return rc;
}

/*
 * sq_reclaim - no old page image left in the files. secure_delete zeroed
 * the erased cells in the new pages; the old images sit in the WAL until
 * it is copied back and truncated. That is tried every 10 ms, taking no
 * lock anyone waits for (a waiting truncating checkpoint would hold the
 * write lock all the while, and every bounce piped meanwhile would wait
 * with it), until the busy timeout (at least a second): a reader in a
 * long read transaction makes it fail, and the rows stay erased. Then the
 * files are read through: SQLite's page rebuilding can leave an old copy
 * of a moved cell in a page's unused space, which only a VACUUM (slow:
 * it rewrites the whole file under the write lock) removes; that is done
 * only when the address is found there.
 */
static enum store_status
sq_reclaim(struct store *bs, const char *addr)
{
	struct sq *s = SQ(bs);
	struct timespec ten = { 0, 10 * 1000000 };
	double until = mono_s() + (bs->busy_ms > 1000 ? bs->busy_ms : 1000) /
	    1000.0;
	int rc, left, vacuumed = 0;

	for (;;) {
		if ((rc = truncate_wal(s)) == SQLITE_OK) {
			if ((left = in_files(s, addr)) == 0)
				return STORE_OK;
			if (left == -1)
				return store_fail(bs, STORE_TEMP, "cannot read "
				    "%s to check the erasure: %s", s->path,
				    strerror(errno));
			if (vacuumed)
				return store_fail(bs, STORE_TEMP, "the address "
				    "is still in %s after a VACUUM (new rows "
				    "naming it?): run --forget again", s->path);
			if (sq_exec(bs, "VACUUM") != STORE_OK)
				return STORE_TEMP;
			vacuumed = 1;
			continue;
		}
		if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
			return fail(s, rc, "checkpoint");
		if (mono_s() >= until)
			return store_fail(bs, STORE_TEMP, "the rows are "
			    "deleted, but a reader of %s still holds old pages "
			    "in its write-ahead log (%s): run --forget again",
			    s->path, sqlite3_errstr(rc));
		nanosleep(&ten, NULL);
	}
}

/*
 * share_mode - the mode for the database and its side files: 0666 in a
 * directory closed to others (README's 2770 bouncer:postfix), where
 * only bouncer and Postfix can reach them, so that either may create the
 * WAL files and the other still use them (Postfix's daemons and pipe(8)
 * children share no group); 0660 anywhere else
 */
static mode_t
share_mode(const char *path)
{
	char dir[4096];
	struct stat sb;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir) ||
	    stat(dirname(dir), &sb) == -1 || (sb.st_mode & 0007) != 0)
		return 0660;
	return 0666;
}

/* share_file - give a database file that mode, if we own it */
static void
share_file(const char *path, const char *suffix, mode_t mode)
{
	char p[4096];
	struct stat sb;

	if (snprintf(p, sizeof(p), "%s%s", path, suffix) >= (int)sizeof(p))
		return;
	if (stat(p, &sb) == 0 && sb.st_uid == geteuid() &&
	    (sb.st_mode & 0777) != mode)
		(void)chmod(p, mode);
}

/*
 * busy_wait - SQLite's busy handler: try again every millisecond until
 * busy_ms have passed. SQLite's own handler sleeps ever longer (up to
 * 100 ms a try), and so keeps missing the short gaps between the
 * transactions of a long --maillog or --replay, which leave the lock
 * free for a few milliseconds (txn_gap) for exactly this.
 */
static int
busy_wait(void *arg, int tries)
{
	struct sq *s = arg;
	struct timespec now, ms = { 0, 1000000 };

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (tries == 0)
		s->busy_since = now;
	else if ((now.tv_sec - s->busy_since.tv_sec) * 1000 +
	    (now.tv_nsec - s->busy_since.tv_nsec) / 1000000 >= s->base.busy_ms)
		return 0;
	nanosleep(&ms, NULL);
	return 1;
}

static void
sq_close(struct store *bs)
{
	struct sq *s = SQ(bs);
	int i;

	for (i = 0; i < s->ncache; i++) {
		sqlite3_finalize(s->cache[i].st);
		free(s->cache[i].sql);
	}
	/* copy what it can back into the file; never waits, never fails a reader */
	if (s->db != NULL && !s->base.readonly)
		(void)sqlite3_wal_checkpoint_v2(s->db, NULL,
		    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

/*
 * A missing file, an empty one or one without bouncer's schema is never
 * filled in silently: the list it should hold is somewhere else, or lost
 * (bouncer(1), EXIT STATUS). The engine checks the schema; the file is
 * checked here, before SQLite writes a header into it.
 */
enum store_status
store_sqlite_open(const char *path, int busy_ms, int flags,
    struct store **out, char *err, size_t errlen)
{
	struct sq *s = xcalloc(1, sizeof(*s));
	enum store_status r;
	struct stat sb;
	int rc, persist = 1, ro = (flags & STORE_RDONLY) != 0;
	int create = (flags & STORE_CREATE) && !ro;

	*out = NULL;
	s->base.drv = &sq_driver;
	s->base.busy_ms = busy_ms;
	s->base.readonly = ro;
	s->path = xstrdup(path);
	/* only --init creates: a missing file is a wrong path or a lost list */
	if (!create && stat(path, &sb) == -1) {
		r = store_fail(&s->base, STORE_TEMP, "%s; only bouncer --init "
		    "creates a database", strerror(errno));
		goto bad;
	}
	if (!create && S_ISREG(sb.st_mode) && sb.st_size == 0) {
		r = store_fail(&s->base, STORE_TEMP, "empty, not a bouncer "
		    "database; only bouncer --init creates one");
		goto bad;
	}
	rc = sqlite3_open_v2(path, &s->db, ro ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0), NULL);
	if (rc != SQLITE_OK) {
		r = fail(s, rc, path);
		goto bad;
	}
	if (stat(path, &sb) == -1) {
		r = fail(s, SQLITE_CANTOPEN, path);
		goto bad;
	}
	s->dev = sb.st_dev;
	s->ino = sb.st_ino;
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_handler(s->db, busy_wait, s);
	/* keep -wal and -shm in place, and take no exclusive lock at close */
	sqlite3_file_control(s->db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	if (!ro) {
		if ((r = sq_exec(&s->base, "PRAGMA journal_mode = WAL")) !=
		    STORE_OK)
			goto bad;
		mode_t mode = share_mode(path);

		share_file(path, "", mode);
		share_file(path, "-wal", mode);
		share_file(path, "-shm", mode);
	}
	if ((r = sq_exec(&s->base, "PRAGMA synchronous = FULL;"
	    "PRAGMA secure_delete = ON;"
	    "PRAGMA journal_size_limit = 4194304;"
	    "PRAGMA foreign_keys = ON")) != STORE_OK)
		goto bad;
	*out = &s->base;
	return STORE_OK;
bad:
	snprintf(err, errlen, "%s", s->base.err);
	sq_close(&s->base);
	return r;
}

static const struct store_driver sq_driver = {
	sq_close, sq_exec, sq_begin, sq_commit, sq_rollback, sq_prepare,
	sq_bind, sq_step, sq_column, sq_changes, sq_finish,
	{ "INTEGER PRIMARY KEY", " WITHOUT ROWID", "instr", "max",
	    "sqlite_master WHERE type = 'table' AND name",
	    "pragma_table_info(?1) WHERE name",
	    /* NOLINTNEXTLINE(bugprone-suspicious-missing-comma): one string */
	    "DROP TRIGGER IF EXISTS {NAME}; CREATE TRIGGER {NAME} {EVENT} ON "
	    "{TABLE} BEGIN {BODY}; END" },
	NULL, sq_reclaim, sq_legacy, NULL,
};
