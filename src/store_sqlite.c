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
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"
#include "store_impl.h"
#include "util.h"

#define SCHEMA_VERSION	10

#define CACHE_MAX	48

struct sq {
	struct store	 base;		/* first: a struct sq is a struct store */
	sqlite3		*db;
	char		*path;
	int		 readonly;
	int		 busy_ms;	/* how long to wait for a lock */
	struct timespec	 busy_since;	/* the wait began */
	/*
	 * Prepared statements, kept for the process: a replay runs the same
	 * few statements for every message, and preparing costs more than
	 * running. Keyed by the SQL text's address (string literals).
	 */
	struct {
		const char	*sql;
		sqlite3_stmt	*st;
	} cache[CACHE_MAX];
	int		 ncache;
};

#define SQ(bs)	((struct sq *)(bs))

/* Forward migrations: migrations[v] brings user_version v to v + 1. */
static const char *migrations[] = {
	/* 0 -> 1: the first schema */
	"CREATE TABLE suppression ("
	"  address    TEXT PRIMARY KEY,"
	"  class      TEXT NOT NULL,"
	"  reason     TEXT NOT NULL,"
	"  status     TEXT NOT NULL DEFAULT '',"
	"  source     TEXT NOT NULL DEFAULT '',"
	"  note       TEXT NOT NULL DEFAULT '',"
	"  first_seen INTEGER NOT NULL,"
	"  last_seen  INTEGER NOT NULL,"
	"  soft_count INTEGER NOT NULL DEFAULT 0,"
	"  expires    INTEGER"
	") WITHOUT ROWID;"
	"CREATE INDEX suppression_expires ON suppression(expires)"
	"  WHERE expires IS NOT NULL;"
	"CREATE TABLE events ("
	"  id            INTEGER PRIMARY KEY,"
	"  time          INTEGER NOT NULL,"
	"  address       TEXT NOT NULL,"
	"  class         TEXT NOT NULL,"
	"  reason        TEXT NOT NULL,"
	"  status        TEXT NOT NULL DEFAULT '',"
	"  replycode     TEXT NOT NULL DEFAULT '',"
	"  action        TEXT NOT NULL DEFAULT '',"
	"  diagnostic    TEXT NOT NULL DEFAULT '',"
	"  reporting_mta TEXT NOT NULL DEFAULT '',"
	"  remote_mta    TEXT NOT NULL DEFAULT '',"
	"  message_id    TEXT NOT NULL DEFAULT '',"
	"  queue_id      TEXT NOT NULL DEFAULT '',"
	"  source        TEXT NOT NULL DEFAULT '',"
	"  feedback_type TEXT NOT NULL DEFAULT '',"
	"  dedup         TEXT NOT NULL UNIQUE"
	");"
	"CREATE INDEX events_address ON events(address, time);"
	"CREATE INDEX events_time ON events(time);"
	"CREATE TABLE audit ("
	"  id      INTEGER PRIMARY KEY,"
	"  time    INTEGER NOT NULL,"
	"  address TEXT NOT NULL,"
	"  action  TEXT NOT NULL,"
	"  class   TEXT NOT NULL DEFAULT '',"
	"  reason  TEXT NOT NULL DEFAULT '',"
	"  why     TEXT NOT NULL DEFAULT ''"
	");"
	"CREATE INDEX audit_address ON audit(address);"
	"CREATE TABLE meta ("
	"  key   TEXT PRIMARY KEY,"
	"  value INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"INSERT INTO meta(key, value) VALUES ('erasures', 0);",
	/* 1 -> 2: sent counts and --maillog positions */
	"CREATE TABLE sent ("
	"  domain TEXT NOT NULL,"
	"  day    INTEGER NOT NULL,"
	"  count  INTEGER NOT NULL,"
	"  PRIMARY KEY (domain, day)"
	") WITHOUT ROWID;"
	"CREATE TABLE logpos ("
	"  path   TEXT PRIMARY KEY,"
	"  inode  INTEGER NOT NULL,"
	"  offset INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"CREATE INDEX audit_time ON audit(time);",
	/* 2 -> 3: campaigns, alert states, paused destinations */
	"ALTER TABLE events ADD COLUMN campaign TEXT NOT NULL DEFAULT '';"
	"CREATE TABLE sent_campaign ("
	"  campaign TEXT NOT NULL,"
	"  day      INTEGER NOT NULL,"
	"  count    INTEGER NOT NULL,"
	"  PRIMARY KEY (campaign, day)"
	") WITHOUT ROWID;"
	"CREATE TABLE alerts ("
	"  key   TEXT PRIMARY KEY,"
	"  level TEXT NOT NULL,"
	"  since INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE pauses ("
	"  domain  TEXT PRIMARY KEY,"
	"  since   INTEGER NOT NULL,"
	"  expires INTEGER NOT NULL,"
	"  why     TEXT NOT NULL DEFAULT ''"
	") WITHOUT ROWID;",
	/* 3 -> 4: the listing an outranking one covers (policy.c) */
	"CREATE TABLE held ("
	"  address    TEXT PRIMARY KEY,"
	"  class      TEXT NOT NULL,"
	"  reason     TEXT NOT NULL,"
	"  status     TEXT NOT NULL DEFAULT '',"
	"  source     TEXT NOT NULL DEFAULT '',"
	"  note       TEXT NOT NULL DEFAULT '',"
	"  first_seen INTEGER NOT NULL,"
	"  last_seen  INTEGER NOT NULL,"
	"  soft_count INTEGER NOT NULL DEFAULT 0,"
	"  expires    INTEGER"
	") WITHOUT ROWID;",
	/* 4 -> 5: the mail we sent, as --maillog read it; reports awaiting it */
	"CREATE TABLE outbound ("
	"  queue_id   TEXT NOT NULL,"
	"  address    TEXT NOT NULL,"
	"  message_id TEXT NOT NULL DEFAULT '',"
	"  time       INTEGER NOT NULL,"
	"  PRIMARY KEY (queue_id, address)"
	") WITHOUT ROWID;"
	"CREATE INDEX outbound_message_id ON outbound(message_id)"
	"  WHERE address = '';"
	"CREATE INDEX outbound_time ON outbound(time);"
	"CREATE TABLE pending ("
	"  dedup         TEXT PRIMARY KEY,"
	"  arrived       INTEGER NOT NULL,"
	"  time          INTEGER NOT NULL,"
	"  address       TEXT NOT NULL,"
	"  class         TEXT NOT NULL,"
	"  reason        TEXT NOT NULL,"
	"  status        TEXT NOT NULL DEFAULT '',"
	"  replycode     TEXT NOT NULL DEFAULT '',"
	"  action        TEXT NOT NULL DEFAULT '',"
	"  diagnostic    TEXT NOT NULL DEFAULT '',"
	"  reporting_mta TEXT NOT NULL DEFAULT '',"
	"  remote_mta    TEXT NOT NULL DEFAULT '',"
	"  message_id    TEXT NOT NULL DEFAULT '',"
	"  queue_id      TEXT NOT NULL DEFAULT '',"
	"  source        TEXT NOT NULL DEFAULT '',"
	"  feedback_type TEXT NOT NULL DEFAULT '',"
	"  campaign      TEXT NOT NULL DEFAULT ''"
	") WITHOUT ROWID;"
	"CREATE INDEX pending_arrived ON pending(arrived);",
	/*
	 * 5 -> 6: counters that only go up; erasure tombstones (a keyed
	 * hash per key, keys of migrated stores kept); --maillog positions
	 * per host
	 */
	"CREATE TABLE event_counts ("
	"  class  TEXT NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  value  INTEGER NOT NULL,"
	"  PRIMARY KEY (class, reason)"
	") WITHOUT ROWID;"
	"INSERT INTO event_counts SELECT class, reason, count(*) FROM events "
	"  GROUP BY class, reason;"
	"CREATE TABLE erase_keys ("
	"  kid TEXT PRIMARY KEY,"
	"  key TEXT NOT NULL,"
	"  own INTEGER NOT NULL DEFAULT 0"
	") WITHOUT ROWID;"
	"CREATE TABLE erased ("
	"  kid  TEXT NOT NULL,"
	"  hash TEXT NOT NULL,"
	"  time INTEGER NOT NULL,"
	"  PRIMARY KEY (kid, hash)"
	") WITHOUT ROWID;"
	"CREATE TABLE logpos_new ("
	"  host   TEXT NOT NULL DEFAULT '',"
	"  path   TEXT NOT NULL,"
	"  inode  INTEGER NOT NULL,"
	"  offset INTEGER NOT NULL,"
	"  PRIMARY KEY (host, path)"
	") WITHOUT ROWID;"
	"INSERT INTO logpos_new SELECT '', path, inode, offset FROM logpos;"
	"DROP TABLE logpos;"
	"ALTER TABLE logpos_new RENAME TO logpos;",
	/* 6 -> 7: per-domain and per-campaign counters, metric bases,
	 * pipe-mode timings (metrics.c) */
	"CREATE TABLE counts ("
	"  kind  TEXT NOT NULL,"
	"  name  TEXT NOT NULL,"
	"  class TEXT NOT NULL,"
	"  count INTEGER NOT NULL,"
	"  PRIMARY KEY (kind, name, class)"
	") WITHOUT ROWID;"
	"INSERT INTO counts (kind, name, class, count) SELECT 'domain', "
	"  substr(address, instr(address, '@') + 1), CASE WHEN class = "
	"  'unsubscribe' OR feedback_type IN ('opt-out', 'unsubscribe') THEN "
	"  'unsubscribe' ELSE class END, count(*) FROM events WHERE class IN "
	"  ('hard', 'soft', 'block', 'complaint', 'unsubscribe') GROUP BY 2, 3;"
	"CREATE TABLE metric_base ("
	"  domain TEXT NOT NULL,"
	"  class  TEXT NOT NULL,"
	"  base   INTEGER NOT NULL,"
	"  PRIMARY KEY (domain, class)"
	") WITHOUT ROWID;"
	"CREATE TABLE pipe_seconds ("
	"  bucket INTEGER PRIMARY KEY,"
	"  count  INTEGER NOT NULL"
	");",
	/* 7 -> 8: failures noted for incidents, and the incidents (policy.c) */
	"CREATE TABLE failures ("
	"  time        INTEGER NOT NULL,"
	"  domain      TEXT NOT NULL,"
	"  fingerprint TEXT NOT NULL,"
	"  address     TEXT NOT NULL"
	");"
	"CREATE INDEX failures_key ON failures(domain, fingerprint, time);"
	"CREATE INDEX failures_time ON failures(time);"
	"CREATE INDEX failures_address ON failures(address);"
	"CREATE TABLE incidents ("
	"  id          INTEGER PRIMARY KEY,"
	"  domain      TEXT NOT NULL,"
	"  fingerprint TEXT NOT NULL,"
	"  diagnostic  TEXT NOT NULL DEFAULT '',"
	"  reason      TEXT NOT NULL DEFAULT '',"
	"  first_seen  INTEGER NOT NULL,"
	"  last_seen   INTEGER NOT NULL,"
	"  recipients  INTEGER NOT NULL DEFAULT 0"
	");"
	"CREATE INDEX incidents_key ON incidents(domain, fingerprint, last_seen);"
	"CREATE INDEX incidents_seen ON incidents(last_seen);",
	/* 8 -> 9: what identifies a --maillog position (a file's line
	 * checksum, the journal's cursor); delivery lines already counted */
	"ALTER TABLE logpos ADD COLUMN mark TEXT NOT NULL DEFAULT '';"
	"CREATE TABLE logseen ("
	"  key  TEXT PRIMARY KEY,"
	"  time INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"CREATE INDEX logseen_time ON logseen(time);",
	/* 9 -> 10: what else vouches for a pending report's recipient; how
	 * many recipients qmgr logged for a queue ID (its "" row) */
	("ALTER TABLE pending ADD COLUMN evidence TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE outbound ADD COLUMN nrcpt INTEGER NOT NULL DEFAULT 0;"),
};
/* a migration added without the version (or the reverse) fails to build */
_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == SCHEMA_VERSION,
    "one migration per schema version");

/* classify_rc - transient SQLite failures are retried by Postfix */
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
exec(struct sq *s, const char *sql)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? STORE_OK : fail(s, rc, s->path);
}

/* prepare_once - a statement the caller finalizes */
static enum store_status
prepare_once(struct sq *s, const char *sql, sqlite3_stmt **st)
{
	int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);

	return rc == SQLITE_OK ? STORE_OK : fail(s, rc, "prepare");
}

/*
 * prepare - a cached statement for a literal SQL text; the caller resets
 * it (done()) instead of finalizing it.
 */
static enum store_status
prepare(struct sq *s, const char *sql, sqlite3_stmt **st)
{
	int i, rc;

	for (i = 0; i < s->ncache; i++)
		if (s->cache[i].sql == sql) {
			*st = s->cache[i].st;
			sqlite3_reset(*st);
			sqlite3_clear_bindings(*st);
			return STORE_OK;
		}
	rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
	    NULL);
	if (rc != SQLITE_OK)
		return fail(s, rc, "prepare");
	if (s->ncache < CACHE_MAX) {
		s->cache[s->ncache].sql = sql;
		s->cache[s->ncache++].st = *st;
	}
	return STORE_OK;
}

/* done - release a statement from prepare(): no lock outlives its use */
static void
done(struct sq *s, sqlite3_stmt *st)
{
	int i;

	for (i = 0; i < s->ncache; i++)
		if (s->cache[i].st == st) {
			sqlite3_reset(st);
			return;
		}
	sqlite3_finalize(st);
}

static void
bind_text(sqlite3_stmt *st, int i, const char *v)
{
	sqlite3_bind_text(st, i, v ? v : "", -1, SQLITE_TRANSIENT);
}

/* step_done - run a statement that returns no rows, and finalize it */
static enum store_status
step_done(struct sq *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	done(s, st);
	if (rc != SQLITE_DONE)
		return fail(s, rc, what);
	return STORE_OK;
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
	    (now.tv_nsec - s->busy_since.tv_nsec) / 1000000 >= s->busy_ms)
		return 0;
	nanosleep(&ms, NULL);
	return 1;
}

static enum store_status
migrate(struct sq *s)
{
	sqlite3_stmt *st;
	enum store_status r;
	int v, rc;

	/* the usual case, the schema is current: no write lock taken */
	if (prepare_once(s, "PRAGMA user_version", &st) == STORE_OK) {
		rc = sqlite3_step(st);
		v = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
		sqlite3_finalize(st);
		if (v == SCHEMA_VERSION)
			return STORE_OK;
	}
	if ((r = exec(s, "BEGIN IMMEDIATE")) != STORE_OK)
		return r;
	if ((r = prepare_once(s, "PRAGMA user_version", &st)) != STORE_OK)
		goto bad;
	rc = sqlite3_step(st);
	v = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	if (v < 0 || v > SCHEMA_VERSION) {
		snprintf(s->base.err, sizeof(s->base.err), "database schema version %d "
		    "is newer than this bouncer (%d)", v, SCHEMA_VERSION);
		r = STORE_FAIL;
		goto bad;
	}
	for (; v < SCHEMA_VERSION; v++) {
		char pragma[64];

		if ((r = exec(s, migrations[v])) != STORE_OK)
			goto bad;
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d",
		    v + 1);
		if ((r = exec(s, pragma)) != STORE_OK)
			goto bad;
	}
	return exec(s, "COMMIT");
bad:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return r;
}

static const struct store_ops sq_ops;
static void sq_close(struct store *);
static void sq_rollback(struct store *);

enum store_status
store_sqlite_open(const char *path, int busy_ms, int flags,
    struct store **out, char **err)
{
	struct sq *s = xcalloc(1, sizeof(*s));
	enum store_status r;
	int rc, persist = 1;

	*out = NULL;
	s->base.ops = &sq_ops;
	s->base.busy_ms = busy_ms;
	s->path = xstrdup(path);
	s->readonly = (flags & STORE_RDONLY) != 0;
	rc = sqlite3_open_v2(path, &s->db, s->readonly ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		r = fail(s, rc, path);
		goto bad;
	}
	sqlite3_extended_result_codes(s->db, 1);
	s->busy_ms = busy_ms;
	sqlite3_busy_handler(s->db, busy_wait, s);
	/* keep -wal and -shm in place, and take no exclusive lock at close */
	sqlite3_file_control(s->db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	if (!s->readonly) {
		if ((r = exec(s, "PRAGMA journal_mode = WAL")) != STORE_OK)
			goto bad;
		mode_t mode = share_mode(path);

		share_file(path, "", mode);
		share_file(path, "-wal", mode);
		share_file(path, "-shm", mode);
	}
	if ((r = exec(s, "PRAGMA synchronous = FULL;"
	    "PRAGMA secure_delete = ON;"
	    "PRAGMA journal_size_limit = 4194304;"
	    "PRAGMA foreign_keys = ON")) != STORE_OK)
		goto bad;
	if (!s->readonly && (r = migrate(s)) != STORE_OK)
		goto bad;
	*out = &s->base;
	return STORE_OK;
bad:
	*err = xstrdup(s->base.err);
	sq_close(&s->base);
	return r;
}

static void
sq_close(struct store *bs)
{
	struct sq *s = SQ(bs);
	int i;

	for (i = 0; i < s->ncache; i++)
		sqlite3_finalize(s->cache[i].st);
	/* copy what it can back into the file; never waits, never fails a reader */
	if (s->db != NULL && !s->readonly)
		(void)sqlite3_wal_checkpoint_v2(s->db, NULL,
		    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

static enum store_status
sq_begin(struct store *bs)
{
	struct sq *s = SQ(bs);
	return exec(s, "BEGIN IMMEDIATE");
}

static enum store_status
sq_commit(struct store *bs)
{
	struct sq *s = SQ(bs);
	enum store_status r = exec(s, "COMMIT");

	if (r != STORE_OK)
		sq_rollback(&s->base);
	return r;
}

static void
sq_rollback(struct store *bs)
{
	struct sq *s = SQ(bs);
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

static enum store_status
sq_event_add(struct store *bs, const struct store_event *e, int *dup)
{
	struct sq *s = SQ(bs);
	sqlite3_stmt *st;
	enum store_status r;
	int rc;

	*dup = 0;
	r = prepare(s, "INSERT INTO events (time, address, class, reason, "
	    "status, replycode, action, diagnostic, reporting_mta, remote_mta, "
	    "message_id, queue_id, source, feedback_type, dedup, campaign) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
	    "?16) "
	    "ON CONFLICT (dedup) DO NOTHING", &st);
	if (r != STORE_OK)
		return r;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)e->time);
	bind_text(st, 2, e->address);
	bind_text(st, 3, e->class);
	bind_text(st, 4, e->reason);
	bind_text(st, 5, e->status);
	bind_text(st, 6, e->replycode);
	bind_text(st, 7, e->action);
	bind_text(st, 8, e->diagnostic);
	bind_text(st, 9, e->reporting_mta);
	bind_text(st, 10, e->remote_mta);
	bind_text(st, 11, e->message_id);
	bind_text(st, 12, e->queue_id);
	bind_text(st, 13, e->source);
	bind_text(st, 14, e->feedback_type);
	bind_text(st, 15, e->dedup);
	bind_text(st, 16, e->campaign);
	rc = sqlite3_step(st);
	done(s, st);
	if (rc != SQLITE_DONE)
		return fail(s, rc, "insert event");
	*dup = sqlite3_changes(s->db) == 0;
	if (*dup)
		return STORE_OK;
	/* the counter only goes up: erasure and retention delete events */
	r = prepare(s, "INSERT INTO event_counts (class, reason, value) "
	    "VALUES (?1, ?2, 1) ON CONFLICT (class, reason) DO UPDATE SET "
	    "value = value + 1", &st);
	if (r != STORE_OK)
		return r;
	bind_text(st, 1, e->class);
	bind_text(st, 2, e->reason);
	return step_done(s, st, "count event");
}

static enum store_status
sq_event_near(struct store *bs, const char *qid, const char *addr,
    const char *action, time_t t, time_t window, int *found)
{
	struct sq *s = SQ(bs);
	sqlite3_stmt *st;
	enum store_status r;
	int rc;

	*found = 0;
	r = prepare(s, "SELECT 1 FROM events WHERE address = ?1 AND time "
	    "BETWEEN ?2 AND ?3 AND queue_id = ?4 AND action = ?5 LIMIT 1", &st);
	if (r != STORE_OK)
		return r;
	bind_text(st, 1, addr);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)t - (sqlite3_int64)window);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)t + (sqlite3_int64)window);
	bind_text(st, 4, qid);
	bind_text(st, 5, action);
	rc = sqlite3_step(st);
	*found = rc == SQLITE_ROW;
	done(s, st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK :
	    fail(s, rc, "read events");
}

static enum store_status
sq_soft_count(struct store *bs, const char *addr, time_t since, time_t stand,
    int *count)
{
	struct sq *s = SQ(bs);
	sqlite3_stmt *st;
	enum store_status r;
	int rc;

	r = prepare(s, "SELECT count(*) FROM events WHERE address = ?1 AND "
	    "class = 'soft' AND time > ?2 AND time > coalesce((SELECT "
	    "max(d.time) FROM events d WHERE d.address = ?1 AND d.class = "
	    "'delivered' AND (coalesce(d.source, '') <> 'maillog' OR NOT "
	    "EXISTS (SELECT 1 FROM events f WHERE "
	    "f.address = ?1 AND f.class IN ('soft', 'hard') AND f.time > "
	    "d.time AND f.time <= d.time + ?3))), 0)", &st);
	if (r != STORE_OK)
		return r;
	bind_text(st, 1, addr);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)since);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)stand);
	rc = sqlite3_step(st);
	*count = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	done(s, st);
	return rc == SQLITE_ROW ? STORE_OK : fail(s, rc, "count soft events");
}

static char *
col_str(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return xstrdup(t ? (const char *)t : "");
}

#define ENTRY_COLS "address, class, reason, status, source, note, " \
	"first_seen, last_seen, soft_count, coalesce(expires, 0)"

static void
row_entry(sqlite3_stmt *st, struct store_entry *e)
{
	e->address = col_str(st, 0);
	e->class = col_str(st, 1);
	e->reason = col_str(st, 2);
	e->status = col_str(st, 3);
	e->source = col_str(st, 4);
	e->note = col_str(st, 5);
	e->first_seen = (time_t)sqlite3_column_int64(st, 6);
	e->last_seen = (time_t)sqlite3_column_int64(st, 7);
	e->soft_count = sqlite3_column_int(st, 8);
	e->expires = (time_t)sqlite3_column_int64(st, 9);
}


/* The suppression list, and under it the listings it covers (held). */
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

static enum store_status
get_row(struct sq *s, int held, const char *addr, struct store_entry *e,
    int *found)
{
	sqlite3_stmt *st;
	enum store_status r;
	int rc;

	*found = 0;
	memset(e, 0, sizeof(*e));
	if ((r = prepare(s, get_sql[held], &st)) != STORE_OK)
		return r;
	bind_text(st, 1, addr);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		row_entry(st, e);
		*found = 1;
	}
	done(s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(s, rc, "read suppression");
	return STORE_OK;
}

static enum store_status
put_row(struct sq *s, int held, const struct store_entry *e)
{
	sqlite3_stmt *st;
	enum store_status r;

	if ((r = prepare(s, put_sql[held], &st)) != STORE_OK)
		return r;
	bind_text(st, 1, e->address);
	bind_text(st, 2, e->class);
	bind_text(st, 3, e->reason);
	bind_text(st, 4, e->status);
	bind_text(st, 5, e->source);
	bind_text(st, 6, e->note);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)e->first_seen);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)e->last_seen);
	sqlite3_bind_int(st, 9, e->soft_count);
	if (e->expires)
		sqlite3_bind_int64(st, 10, (sqlite3_int64)e->expires);
	else
		sqlite3_bind_null(st, 10);
	return step_done(s, st, "write suppression");
}

static enum store_status
del_row(struct sq *s, int held, const char *addr)
{
	sqlite3_stmt *st;
	enum store_status r;

	if ((r = prepare(s, del_sql[held], &st)) != STORE_OK)
		return r;
	bind_text(st, 1, addr);
	return step_done(s, st, "delete suppression");
}

static enum store_status
sq_get(struct store *bs, const char *addr, struct store_entry *e, int *found)
{
	return get_row(SQ(bs), 0, addr, e, found);
}

static enum store_status
sq_put(struct store *bs, const struct store_entry *e)
{
	return put_row(SQ(bs), 0, e);
}

static enum store_status
sq_delete(struct store *bs, const char *addr)
{
	return del_row(SQ(bs), 0, addr);
}

static enum store_status
sq_held_get(struct store *bs, const char *addr, struct store_entry *e,
    int *found)
{
	return get_row(SQ(bs), 1, addr, e, found);
}

static enum store_status
sq_held_put(struct store *bs, const struct store_entry *e)
{
	return put_row(SQ(bs), 1, e);
}

static enum store_status
sq_held_delete(struct store *bs, const char *addr)
{
	return del_row(SQ(bs), 1, addr);
}

static enum store_status
sq_audit(struct store *bs, const struct store_audit *a)
{
	struct sq *s = SQ(bs);
	sqlite3_stmt *st;
	enum store_status r;

	r = prepare(s, "INSERT INTO audit (time, address, action, class, "
	    "reason, why) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", &st);
	if (r != STORE_OK)
		return r;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)a->time);
	bind_text(st, 2, a->address);
	bind_text(st, 3, a->action);
	bind_text(st, 4, a->class);
	bind_text(st, 5, a->reason);
	bind_text(st, 6, a->why);
	return step_done(s, st, "write audit");
}

/* each_entry - run a SELECT of ENTRY_COLS and call cb per row */
static enum store_status
each_entry(struct sq *s, sqlite3_stmt *st, store_entry_cb cb, void *arg)
{
	struct store_entry e;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row_entry(st, &e);
		rc = cb(&e, arg);
		store_entry_free(&e);
		if (rc == -1) {
			rc = SQLITE_DONE;
			break;
		}
	}
	done(s, st);
	return rc == SQLITE_DONE ? STORE_OK : fail(s, rc, "read suppression");
}

static enum store_status
sq_list(struct store *bs, const char *class, time_t since,
    store_entry_cb cb, void *arg)
{
	struct sq *s = SQ(bs);
	sqlite3_stmt *st;
	enum store_status r;

	r = prepare(s, "SELECT " ENTRY_COLS " FROM suppression WHERE "
	    "(?1 = '' OR class = ?1) AND last_seen >= ?2 ORDER BY address", &st);
	if (r != STORE_OK)
		return r;
	bind_text(st, 1, class);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)since);
	return each_entry(s, st, cb, arg);
}

static enum store_status
sq_expired(struct store *bs, time_t now, store_entry_cb cb, void *arg)
{
	struct sq *s = SQ(bs);
	sqlite3_stmt *st;
	enum store_status r;

	r = prepare(s, "SELECT " ENTRY_COLS " FROM suppression WHERE "
	    "expires IS NOT NULL AND expires <= ?1 ORDER BY address", &st);
	if (r != STORE_OK)
		return r;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
	return each_entry(s, st, cb, arg);
}

static enum store_status
sq_history(struct store *bs, const char *addr, store_event_cb ecb,
    store_audit_cb acb, void *arg)
{
	struct sq *s = SQ(bs);
	sqlite3_stmt *st;
	enum store_status r;
	int rc;

	r = prepare(s, "SELECT time, class, reason, status, action, diagnostic, "
	    "reporting_mta, source, feedback_type FROM events WHERE address = ?1 "
	    "ORDER BY time, id", &st);
	if (r != STORE_OK)
		return r;
	bind_text(st, 1, addr);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_event e;

		memset(&e, 0, sizeof(e));
		e.time = (time_t)sqlite3_column_int64(st, 0);
		e.address = addr;
		e.class = (const char *)sqlite3_column_text(st, 1);
		e.reason = (const char *)sqlite3_column_text(st, 2);
		e.status = (const char *)sqlite3_column_text(st, 3);
		e.action = (const char *)sqlite3_column_text(st, 4);
		e.diagnostic = (const char *)sqlite3_column_text(st, 5);
		e.reporting_mta = (const char *)sqlite3_column_text(st, 6);
		e.source = (const char *)sqlite3_column_text(st, 7);
		e.feedback_type = (const char *)sqlite3_column_text(st, 8);
		if (ecb(&e, arg) == -1)
			break;
	}
	done(s, st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return fail(s, rc, "read events");
	r = prepare(s, "SELECT time, action, class, reason, why FROM audit "
	    "WHERE address = ?1 ORDER BY time, id", &st);
	if (r != STORE_OK)
		return r;
	bind_text(st, 1, addr);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_audit a;

		a.time = (time_t)sqlite3_column_int64(st, 0);
		a.address = addr;
		a.action = (const char *)sqlite3_column_text(st, 1);
		a.class = (const char *)sqlite3_column_text(st, 2);
		a.reason = (const char *)sqlite3_column_text(st, 3);
		a.why = (const char *)sqlite3_column_text(st, 4);
		if (acb(&a, arg) == -1)
			break;
	}
	done(s, st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return fail(s, rc, "read audit");
	return STORE_OK;
}

/* scrub - the erased address out of other rows' text */
static enum store_status
scrub(struct sq *s, const char *addr)
{
	enum store_status r = STORE_OK;
	sqlite3_stmt *st;
	char sql[256];
	size_t i, k, n;
	int rc;

	for (i = 0; i < STORE_NSCRUBS && r == STORE_OK; i++) {
		const struct store_scrub *c = &store_scrubs[i];
		char **keys = NULL, **texts = NULL;

		/* names from the table above, never from input */
		snprintf(sql, sizeof(sql), "SELECT %s, %s FROM %s WHERE "
		    "instr(lower(%s), ?1) > 0", c->key, c->col, c->table, c->col);
		if ((r = prepare_once(s, sql, &st)) != STORE_OK)
			break;
		bind_text(st, 1, addr);
		for (n = 0; (rc = sqlite3_step(st)) == SQLITE_ROW; n++) {
			keys = xrealloc(keys, (n + 1) * sizeof(*keys));
			texts = xrealloc(texts, (n + 1) * sizeof(*texts));
			keys[n] = col_str(st, 0);
			texts[n] = store_scrub_text((const char *)
			    sqlite3_column_text(st, 1), addr);
		}
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			r = fail(s, rc, "scrub");
		snprintf(sql, sizeof(sql), "UPDATE %s SET %s = ?1 WHERE %s = ?2",
		    c->table, c->col, c->key);
		for (k = 0; k < n && r == STORE_OK; k++) {
			if ((r = prepare_once(s, sql, &st)) != STORE_OK)
				break;
			bind_text(st, 1, texts[k]);
			bind_text(st, 2, keys[k]);
			rc = sqlite3_step(st);
			sqlite3_finalize(st);
			if (rc != SQLITE_DONE)
				r = fail(s, rc, "scrub");
		}
		for (k = 0; k < n; k++) {
			free(keys[k]);
			free(texts[k]);
		}
		free(keys);
		free(texts);
	}
	return r;
}

/*
 * wipe - no old page image left in the files: secure_delete zeroed the
 * freed cells in the new pages; the old images sit in the WAL until a
 * checkpoint copies the new ones back and truncates it, which waits for
 * readers (the busy timeout) and fails while one still holds an old
 * snapshot. VACUUM then rebuilds the file without free pages.
 */
static enum store_status
wipe(struct sq *s)
{
	int i, rc;

	for (i = 0; i < 2; i++) {
		rc = sqlite3_wal_checkpoint_v2(s->db, NULL,
		    SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
		if (rc != SQLITE_OK) {
			snprintf(s->base.err, sizeof(s->base.err), "the rows "
			    "are deleted, but a reader of %s still holds old "
			    "pages in its write-ahead log (%s): run --forget "
			    "again", s->path, sqlite3_errstr(rc));
			return STORE_TEMP;
		}
		if (i == 0 && exec(s, "VACUUM") != STORE_OK)
			return STORE_TEMP;
	}
	return STORE_OK;
}

static enum store_status
sq_forget(struct store *bs, const char *addr, const char *kid,
    const char *hash, time_t now, int *n)
{
	struct sq *s = SQ(bs);
	static const char *del[] = {
		"DELETE FROM suppression WHERE address = ?1",
		"DELETE FROM held WHERE address = ?1",
		"DELETE FROM events WHERE address = ?1",
		"DELETE FROM audit WHERE address = ?1",
		"DELETE FROM outbound WHERE address = ?1",
		"DELETE FROM pending WHERE address = ?1",
		"DELETE FROM failures WHERE address = ?1",
	};
	sqlite3_stmt *st;
	enum store_status r;
	size_t i;

	*n = 0;
	if ((r = sq_begin(&s->base)) != STORE_OK)
		return r;
	for (i = 0; i < sizeof(del) / sizeof(del[0]); i++) {
		if ((r = prepare(s, del[i], &st)) != STORE_OK)
			goto bad;
		bind_text(st, 1, addr);
		if ((r = step_done(s, st, "erase")) != STORE_OK)
			goto bad;
		*n += sqlite3_changes(s->db);
	}
	if ((r = scrub(s, addr)) != STORE_OK)
		goto bad;
	/* an address never seen is no erasure, but gets its tombstone */
	if (*n > 0 && (r = exec(s, "UPDATE meta SET value = value + 1 "
	    "WHERE key = 'erasures'")) != STORE_OK)
		goto bad;
	if ((r = prepare(s, "INSERT INTO erased (kid, hash, time) VALUES "
	    "(?1, ?2, ?3) ON CONFLICT (kid, hash) DO NOTHING", &st)) != STORE_OK)
		goto bad;
	bind_text(st, 1, kid);
	bind_text(st, 2, hash);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)now);
	if ((r = step_done(s, st, "tombstone")) != STORE_OK)
		goto bad;
	if ((r = sq_commit(&s->base)) != STORE_OK)
		return r;
	return wipe(s);
bad:
	sq_rollback(&s->base);
	return r;
}

static enum store_status
sq_keys(struct store *bs, int (*cb)(const char *, const char *, int, void *),
    void *arg)
{
	struct sq *s = SQ(bs);
	sqlite3_stmt *st;
	enum store_status r;
	int rc;

	if ((r = prepare(s, "SELECT kid, key, own FROM erase_keys ORDER BY kid",
	    &st)) != STORE_OK)
		return r;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (cb((const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1),
		    sqlite3_column_int(st, 2), arg) == -1) {
			rc = SQLITE_DONE;
			break;
		}
	done(s, st);
	return rc == SQLITE_DONE ? STORE_OK : fail(s, rc, "read keys");
}

static enum store_status
sq_key_add(struct store *bs, const char *kid, const char *key)
{
	struct sq *s = SQ(bs);
	sqlite3_stmt *st;
	enum store_status r;

	if ((r = prepare(s, "INSERT INTO erase_keys (kid, key, own) VALUES "
	    "(?1, ?2, 1)", &st)) != STORE_OK)
		return r;
	bind_text(st, 1, kid);
	bind_text(st, 2, key);
	return step_done(s, st, "write key");
}

static enum store_status
sq_tombstones(struct store *bs, int (*cb)(const char *, const char *, void *),
    void *arg)
{
	struct sq *s = SQ(bs);
	sqlite3_stmt *st;
	enum store_status r;
	int rc;

	if ((r = prepare(s, "SELECT kid, hash FROM erased", &st)) != STORE_OK)
		return r;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (cb((const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1), arg) == -1) {
			rc = SQLITE_DONE;
			break;
		}
	done(s, st);
	return rc == SQLITE_DONE ? STORE_OK : fail(s, rc, "read tombstones");
}

static enum store_status
sq_expire_events(struct store *bs, time_t before, long *n)
{
	struct sq *s = SQ(bs);
	sqlite3_stmt *st;
	enum store_status r;

	*n = 0;
	if ((r = prepare(s, "DELETE FROM events WHERE time < ?1", &st)) !=
	    STORE_OK)
		return r;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)before);
	if ((r = step_done(s, st, "expire events")) == STORE_OK)
		*n = sqlite3_changes(s->db);
	return r;
}

/*
 * scalar - the one integer a query without parameters returns; 0 when it
 * returns no row, which is an error only if a row was due (need_row)
 */
static enum store_status
scalar(struct sq *s, const char *sql, int need_row, const char *what,
    sqlite3_int64 *v)
{
	sqlite3_stmt *st;
	enum store_status r;
	int rc;

	*v = 0;
	if ((r = prepare(s, sql, &st)) != STORE_OK)
		return r;
	rc = sqlite3_step(st);
	*v = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	done(s, st);
	return rc == SQLITE_ROW || (rc == SQLITE_DONE && !need_row) ?
	    STORE_OK : fail(s, rc, what);
}

static enum store_status
sq_erasures(struct store *bs, long *count)
{
	sqlite3_int64 v;
	enum store_status r;

	r = scalar(SQ(bs), "SELECT value FROM meta WHERE key = 'erasures'", 0,
	    "read meta", &v);
	*count = (long)v;
	return r;
}

static enum store_status
sq_sent_add(struct store *bs, const char *domain, time_t t, long n)
{
	struct sq *s = SQ(bs);
	sqlite3_stmt *st;
	enum store_status r;

	r = prepare(s, "INSERT INTO sent (domain, day, count) VALUES (?1, ?2, ?3) "
	    "ON CONFLICT (domain, day) DO UPDATE SET count = count + ?3", &st);
	if (r != STORE_OK)
		return r;
	bind_text(st, 1, domain);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)(t / 86400));
	sqlite3_bind_int64(st, 3, n);
	return step_done(s, st, "count sent");
}

/*
 * The --maillog position is this host's: hosts of a fleet that read logs
 * of the same name keep their own (a row without a host is from before
 * positions had one, and is this host's).
 */
static enum store_status
sq_logpos_get(struct store *bs, const char *path, unsigned long long *ino,
    long long *off, char *mark, size_t len, int *found)
{
	struct sq *s = SQ(bs);
	sqlite3_stmt *st;
	enum store_status r;
	char host[256];
	int rc;

	*found = 0;
	store_host(host, sizeof(host));
	if ((r = prepare(s, "SELECT inode, offset, mark FROM logpos WHERE "
	    "path = ?1 AND host IN (?2, '') ORDER BY host DESC LIMIT 1", &st)) !=
	    STORE_OK)
		return r;
	bind_text(st, 1, path);
	bind_text(st, 2, host);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*ino = (unsigned long long)sqlite3_column_int64(st, 0);
		*off = sqlite3_column_int64(st, 1);
		if (len > 0)
			snprintf(mark, len, "%s",
			    (const char *)sqlite3_column_text(st, 2));
		*found = 1;
	}
	done(s, st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK :
	    fail(s, rc, "read log position");
}

static enum store_status
sq_logpos_set(struct store *bs, const char *path, unsigned long long ino,
    long long off, const char *mark)
{
	struct sq *s = SQ(bs);
	sqlite3_stmt *st;
	enum store_status r;
	char host[256];

	store_host(host, sizeof(host));
	r = prepare(s, "INSERT INTO logpos (host, path, inode, offset, mark) "
	    "VALUES (?4, ?1, ?2, ?3, ?5) ON CONFLICT (host, path) DO UPDATE "
	    "SET inode = ?2, offset = ?3, mark = ?5", &st);
	if (r != STORE_OK)
		return r;
	bind_text(st, 1, path);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)ino);
	sqlite3_bind_int64(st, 3, off);
	bind_text(st, 4, host);
	bind_text(st, 5, mark);
	return step_done(s, st, "write log position");
}

static enum store_status
sq_logseen(struct store *bs, const char *key, time_t t, int *dup)
{
	struct sq *s = SQ(bs);
	sqlite3_stmt *st;
	enum store_status r;

	if ((r = prepare(s, "INSERT INTO logseen (key, time) VALUES (?1, ?2) "
	    "ON CONFLICT (key) DO NOTHING", &st)) != STORE_OK)
		return r;
	bind_text(st, 1, key);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)t);
	if ((r = step_done(s, st, "note a log line")) != STORE_OK)
		return r;
	*dup = sqlite3_changes(s->db) == 0;
	return STORE_OK;
}

static enum store_status
sq_logseen_purge(struct store *bs, time_t before)
{
	struct sq *s = SQ(bs);
	sqlite3_stmt *st;
	enum store_status r;

	if ((r = prepare(s, "DELETE FROM logseen WHERE time < ?1", &st)) !=
	    STORE_OK)
		return r;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)before);
	return step_done(s, st, "forget old log lines");
}

#define DOMAIN_OF(col) "substr(" col ", instr(" col ", '@') + 1)"
/*
 * the class a rate counts an event in: opt-out reports are unsubscribes,
 * unless unverified (those count in no rate)
 */
#define RATE_CLASS "(CASE WHEN class = 'unverified' THEN class WHEN " \
	"class = 'unsubscribe' OR feedback_type IN ('opt-out', 'unsubscribe') " \
	"THEN 'unsubscribe' ELSE class END)"

static enum store_status
sq_query(struct store *bs, enum store_query q, time_t since,
    store_row_cb cb, void *arg)
{
	struct sq *s = SQ(bs);
	static const char *sql[] = {
		[STORE_Q_CLASS_REASON] = "SELECT class, reason, '', count(*) "
		    "FROM events WHERE time >= ?1 GROUP BY class, reason "
		    "ORDER BY class, count(*) DESC, reason",
		[STORE_Q_DOMAIN_CLASS] = "SELECT " DOMAIN_OF("address") ", "
		    "class, '', count(DISTINCT address) FROM events WHERE time "
		    ">= ?1 AND class IN ('hard', 'block', 'complaint') GROUP BY "
		    "1, 2 ORDER BY 4 DESC, 1 LIMIT 60",
		[STORE_Q_SENT_DOMAIN] = "SELECT domain, '', '', sum(count) "
		    "FROM sent WHERE day >= ?1 / 86400 GROUP BY domain "
		    "ORDER BY 4 DESC",
		[STORE_Q_SUPPRESSED] = "SELECT class, '', '', count(*) FROM "
		    "suppression GROUP BY class ORDER BY class",
		[STORE_Q_GROWTH] = "SELECT action, '', '', count(*) FROM audit "
		    "WHERE time >= ?1 GROUP BY action ORDER BY action",
		[STORE_Q_SOFT_FATE] = "SELECT CASE WHEN EXISTS (SELECT 1 FROM "
		    "events d WHERE d.address = e.address AND d.class = "
		    "'delivered' AND d.time >= e.t) THEN 'recovered' WHEN EXISTS "
		    "(SELECT 1 FROM audit a WHERE a.address = e.address AND "
		    "a.action = 'escalated' AND a.time >= e.t) THEN 'escalated' "
		    "ELSE 'pending' END, '', '', count(*) FROM (SELECT address, "
		    "min(time) AS t FROM events WHERE class = 'soft' AND time >= "
		    "?1 GROUP BY address) e GROUP BY 1 ORDER BY 1",
		[STORE_Q_FEEDBACK] = "SELECT feedback_type, class, '', count(*) "
		    "FROM events WHERE time >= ?1 AND reason = 'feedback' "
		    "GROUP BY 1, 2 ORDER BY 4 DESC",
		/* distinct addresses: domain rows, then campaign rows */
		[STORE_Q_RATES] = "SELECT " DOMAIN_OF("address") ", " RATE_CLASS
		    ", '', count(DISTINCT address) FROM events WHERE time >= ?1 "
		    "AND " RATE_CLASS " IN ('hard', 'soft', 'block', 'complaint', "
		    "'unsubscribe') GROUP BY 1, 2 UNION ALL SELECT '', "
		    RATE_CLASS ", campaign, count(DISTINCT address) FROM events "
		    "WHERE time >= ?1 AND campaign <> '' AND " RATE_CLASS " IN "
		    "('hard', 'soft', 'block', 'complaint', 'unsubscribe') GROUP "
		    "BY 2, 3",
		[STORE_Q_SENT_CAMPAIGN] = "SELECT campaign, '', '', sum(count) "
		    "FROM sent_campaign WHERE day >= ?1 / 86400 GROUP BY "
		    "campaign ORDER BY 4 DESC",
		[STORE_Q_ALERTS] = "SELECT key, level, '', since FROM alerts "
		    "ORDER BY key",
		[STORE_Q_PAUSES] = "SELECT domain, why, '', expires FROM pauses "
		    "ORDER BY domain",
		[STORE_Q_DAILY] = "SELECT date(time - time % 86400, 'unixepoch'), "
		    RATE_CLASS ", '', count(DISTINCT address) FROM events WHERE "
		    "time >= ?1 AND " RATE_CLASS " IN ('hard', 'soft', 'block', "
		    "'complaint', 'unsubscribe') GROUP BY 1, 2 ORDER BY 1, 2",
		[STORE_Q_SENT_DAILY] = "SELECT date(day * 86400, 'unixepoch'), "
		    "'', '', sum(count) FROM sent WHERE day >= ?1 / 86400 "
		    "GROUP BY day ORDER BY day",
		[STORE_Q_GROWTH_DAILY] = "SELECT date(time - time % 86400, "
		    "'unixepoch'), action, '', count(*) FROM audit WHERE "
		    "time >= ?1 GROUP BY 1, 2 ORDER BY 1, 2",
		[STORE_Q_COUNTS] = "SELECT kind, name, class, count FROM counts "
		    "ORDER BY kind, name, class",
		[STORE_Q_METRIC_BASE] = "SELECT domain, class, '', base FROM "
		    "metric_base ORDER BY domain, class",
		[STORE_Q_PIPE_SECONDS] = "SELECT bucket, '', '', count FROM "
		    "pipe_seconds ORDER BY bucket",
		[STORE_Q_LAST_BLOCK] = "SELECT " DOMAIN_OF("address") ", '', '', "
		    "max(time) FROM events WHERE time >= ?1 AND class = 'block' "
		    "GROUP BY 1",
		[STORE_Q_EVENT_TOTALS] = "SELECT class, reason, '', value FROM "
		    "event_counts ORDER BY class, reason",
	};
	sqlite3_stmt *st;
	enum store_status r;
	int rc;

	if ((r = prepare(s, sql[q], &st)) != STORE_OK)
		return r;
	if (sqlite3_bind_parameter_count(st) > 0)
		sqlite3_bind_int64(st, 1, (sqlite3_int64)since);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (cb((const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1),
		    (const char *)sqlite3_column_text(st, 2),
		    (long)sqlite3_column_int64(st, 3), arg) == -1) {
			rc = SQLITE_DONE;
			break;
		}
	done(s, st);
	return rc == SQLITE_DONE ? STORE_OK : fail(s, rc, "report query");
}

static enum store_status
sq_last_event(struct store *bs, time_t *t)
{
	sqlite3_int64 v;
	enum store_status r;

	r = scalar(SQ(bs), "SELECT coalesce(max(time), 0) FROM events", 1,
	    "last event", &v);
	*t = (time_t)v;
	return r;
}

static enum store_status
sq_campaign_sent_add(struct store *bs, const char *campaign, time_t t, long n)
{
	struct sq *s = SQ(bs);
	sqlite3_stmt *st;
	enum store_status r;

	r = prepare(s, "INSERT INTO sent_campaign (campaign, day, count) VALUES "
	    "(?1, ?2, ?3) ON CONFLICT (campaign, day) DO UPDATE SET count = "
	    "count + ?3", &st);
	if (r != STORE_OK)
		return r;
	bind_text(st, 1, campaign);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)(t / 86400));
	sqlite3_bind_int64(st, 3, n);
	return step_done(s, st, "count sent per campaign");
}

static enum store_status
sq_alert_set(struct store *bs, const char *key, const char *level, time_t t)
{
	struct sq *s = SQ(bs);
	sqlite3_stmt *st;
	enum store_status r;

	if (level == NULL)
		r = prepare(s, "DELETE FROM alerts WHERE key = ?1", &st);
	else
		r = prepare(s, "INSERT INTO alerts (key, level, since) VALUES "
		    "(?1, ?2, ?3) ON CONFLICT (key) DO UPDATE SET level = ?2, "
		    "since = ?3", &st);
	if (r != STORE_OK)
		return r;
	bind_text(st, 1, key);
	if (level != NULL) {
		bind_text(st, 2, level);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)t);
	}
	return step_done(s, st, "write alert state");
}

static enum store_status
sq_pause_set(struct store *bs, const char *dom, time_t since, time_t expires,
    const char *why)
{
	struct sq *s = SQ(bs);
	sqlite3_stmt *st;
	enum store_status r;

	if (expires == 0)
		r = prepare(s, "DELETE FROM pauses WHERE domain = ?1", &st);
	else
		r = prepare(s, "INSERT INTO pauses (domain, since, expires, why) "
		    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (domain) DO UPDATE SET "
		    "since = ?2, expires = ?3, why = ?4", &st);
	if (r != STORE_OK)
		return r;
	bind_text(st, 1, dom);
	if (expires != 0) {
		sqlite3_bind_int64(st, 2, (sqlite3_int64)since);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)expires);
		bind_text(st, 4, why);
	}
	return step_done(s, st, "write pause");
}

static enum store_status
sq_count_add(struct store *bs, const char *kind, const char *name,
    const char *class)
{
	struct sq *s = SQ(bs);
	sqlite3_stmt *st;
	enum store_status r;

	r = prepare(s, "INSERT INTO counts (kind, name, class, count) VALUES "
	    "(?1, ?2, ?3, 1) ON CONFLICT (kind, name, class) DO UPDATE SET "
	    "count = count + 1", &st);
	if (r != STORE_OK)
		return r;
	bind_text(st, 1, kind);
	bind_text(st, 2, name);
	bind_text(st, 3, class);
	return step_done(s, st, "count event");
}

static enum store_status
sq_pipe_time(struct store *bs, int bucket, long long us)
{
	struct sq *s = SQ(bs);
	sqlite3_stmt *st;
	enum store_status r;

	r = prepare(s, "INSERT INTO pipe_seconds (bucket, count) VALUES "
	    "(?1, ?2), (-1, ?3) ON CONFLICT (bucket) DO UPDATE SET count = "
	    "count + excluded.count", &st);
	if (r != STORE_OK)
		return r;
	sqlite3_bind_int(st, 1, bucket);
	sqlite3_bind_int64(st, 2, 1);
	sqlite3_bind_int64(st, 3, us);
	return step_done(s, st, "count pipe time");
}

static enum store_status
sq_label_domains(struct store *bs, int n)
{
	struct sq *s = SQ(bs);
	sqlite3_stmt *st;
	enum store_status r;

	r = prepare(s, "INSERT INTO metric_base (domain, class, base) "
	    "SELECT d.domain, c.class, CASE c.class WHEN 'sent' THEN d.total "
	    "ELSE coalesce((SELECT k.count FROM counts k WHERE k.kind = "
	    "'domain' AND k.name = d.domain AND k.class = c.class), 0) END "
	    "FROM (SELECT domain, sum(count) AS total FROM sent WHERE domain "
	    "NOT IN (SELECT domain FROM metric_base) GROUP BY domain ORDER BY "
	    "total DESC, domain LIMIT max(0, ?1 - (SELECT count(DISTINCT "
	    "domain) FROM metric_base))) d, (SELECT 'sent' AS class UNION ALL "
	    "SELECT 'hard' UNION ALL SELECT 'soft' UNION ALL SELECT 'block' "
	    "UNION ALL SELECT 'complaint' UNION ALL SELECT 'unsubscribe') c "
	    "WHERE true ON CONFLICT DO NOTHING", &st);
	if (r != STORE_OK)
		return r;
	sqlite3_bind_int(st, 1, n);
	return step_done(s, st, "label domains");
}

static enum store_status
sq_dump(struct store *bs, int table, int (*cb)(const char *const *, void *),
    void *arg)
{
	struct sq *s = SQ(bs);
	const struct store_table *t = &store_tables[table];
	const char *vals[16];
	sqlite3_stmt *st;
	char sql[512];
	int rc, i;

	snprintf(sql, sizeof(sql), "SELECT %s FROM %s", t->cols, t->name);
	/* a database from before a table was added has none of its rows */
	if ((rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL)) != SQLITE_OK)
		return strstr(sqlite3_errmsg(s->db), "no such table") ?
		    STORE_OK : fail(s, rc, "prepare");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < t->ncols; i++)
			vals[i] = (const char *)sqlite3_column_text(st, i);
		if (cb(vals, arg) == -1) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? STORE_OK : fail(s, rc, "read for copy");
}

static enum store_status
sq_outbound_add(struct store *bs, const char *qid, const char *msgid,
    const char *addr, time_t t)
{
	struct sq *s = SQ(bs);
	sqlite3_stmt *st;
	enum store_status r;

	r = prepare(s, "INSERT INTO outbound (queue_id, address, message_id, "
	    "time) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (queue_id, address) DO "
	    "UPDATE SET time = max(time, excluded.time), message_id = CASE "
	    "WHEN excluded.message_id <> '' THEN excluded.message_id ELSE "
	    "message_id END", &st);
	if (r != STORE_OK)
		return r;
	bind_text(st, 1, qid);
	bind_text(st, 2, addr);
	bind_text(st, 3, msgid);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)t);
	return step_done(s, st, "remember sent mail");
}

static enum store_status
sq_outbound_tied(struct store *bs, const char *qid, const char *msgid,
    const char *addr, int *tied)
{
	struct sq *s = SQ(bs);
	sqlite3_stmt *st;
	enum store_status r;
	int rc;

	*tied = STORE_TIE_NONE;
	/* q: the message's queue IDs; r: the recipients it was sent to */
	r = prepare(s, "WITH q(queue_id) AS (SELECT ?1 WHERE ?1 <> '' UNION "
	    "SELECT queue_id FROM outbound WHERE ?2 <> '' AND address = '' "
	    "AND message_id = ?2), r AS (SELECT DISTINCT o.address FROM "
	    "outbound o JOIN q ON o.queue_id = q.queue_id WHERE o.address <> "
	    "'') SELECT CASE WHEN EXISTS (SELECT 1 FROM events e JOIN q ON "
	    "e.queue_id = q.queue_id WHERE e.address = ?3 AND e.source = "
	    "'maillog' AND e.action IN ('failed', 'delayed')) THEN 3 WHEN NOT "
	    "EXISTS (SELECT 1 FROM r WHERE address = ?3) THEN 0 WHEN (SELECT "
	    "count(*) FROM r) = 1 AND (SELECT coalesce(max(o.nrcpt), 0) FROM "
	    "outbound o JOIN q ON o.queue_id = q.queue_id WHERE o.address = "
	    "'') <= 1 THEN 2 ELSE 1 END", &st);
	if (r != STORE_OK)
		return r;
	bind_text(st, 1, qid);
	bind_text(st, 2, msgid);
	bind_text(st, 3, addr);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*tied = sqlite3_column_int(st, 0);
	done(s, st);
	return rc == SQLITE_ROW ? STORE_OK : fail(s, rc, "look up sent mail");
}

static enum store_status
sq_outbound_nrcpt(struct store *bs, const char *qid, long n, time_t t)
{
	struct sq *s = SQ(bs);
	sqlite3_stmt *st;
	enum store_status r;

	r = prepare(s, "INSERT INTO outbound (queue_id, address, message_id, "
	    "time, nrcpt) VALUES (?1, '', '', ?2, ?3) ON CONFLICT (queue_id, "
	    "address) DO UPDATE SET time = max(time, excluded.time), nrcpt = "
	    "max(nrcpt, excluded.nrcpt)", &st);
	if (r != STORE_OK)
		return r;
	bind_text(st, 1, qid);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)t);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)n);
	return step_done(s, st, "remember sent mail");
}

static enum store_status
sq_outbound_purge(struct store *bs, time_t before)
{
	struct sq *s = SQ(bs);
	sqlite3_stmt *st;
	enum store_status r;

	if ((r = prepare(s, "DELETE FROM outbound WHERE time < ?1", &st)) !=
	    STORE_OK)
		return r;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)before);
	return step_done(s, st, "forget old sent mail");
}

static enum store_status
sq_pending_add(struct store *bs, const struct store_event *e, time_t arrived,
    int *dup)
{
	struct sq *s = SQ(bs);
	sqlite3_stmt *st;
	enum store_status r;

	*dup = 0;
	r = prepare(s, "INSERT INTO pending (dedup, arrived, time, address, "
	    "class, reason, status, replycode, action, diagnostic, "
	    "reporting_mta, remote_mta, message_id, queue_id, source, "
	    "feedback_type, campaign, evidence) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
	    "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18) ON "
	    "CONFLICT (dedup) DO NOTHING", &st);
	if (r != STORE_OK)
		return r;
	bind_text(st, 1, e->dedup);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)arrived);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)e->time);
	bind_text(st, 4, e->address);
	bind_text(st, 5, e->class);
	bind_text(st, 6, e->reason);
	bind_text(st, 7, e->status);
	bind_text(st, 8, e->replycode);
	bind_text(st, 9, e->action);
	bind_text(st, 10, e->diagnostic);
	bind_text(st, 11, e->reporting_mta);
	bind_text(st, 12, e->remote_mta);
	bind_text(st, 13, e->message_id);
	bind_text(st, 14, e->queue_id);
	bind_text(st, 15, e->source);
	bind_text(st, 16, e->feedback_type);
	bind_text(st, 17, e->campaign);
	bind_text(st, 18, e->evidence);
	if ((r = step_done(s, st, "keep pending")) == STORE_OK)
		*dup = sqlite3_changes(s->db) == 0;
	return r;
}

static enum store_status
sq_pending_each(struct store *bs, store_pending_cb cb, void *arg)
{
	struct sq *s = SQ(bs);
	sqlite3_stmt *st;
	enum store_status r;
	int rc;

	r = prepare(s, "SELECT dedup, arrived, time, address, class, reason, "
	    "status, replycode, action, diagnostic, reporting_mta, remote_mta, "
	    "message_id, queue_id, source, feedback_type, campaign, evidence "
	    "FROM pending ORDER BY arrived, dedup", &st);
	if (r != STORE_OK)
		return r;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_event e;

		memset(&e, 0, sizeof(e));
		e.dedup = (const char *)sqlite3_column_text(st, 0);
		e.address = (const char *)sqlite3_column_text(st, 3);
		e.class = (const char *)sqlite3_column_text(st, 4);
		e.reason = (const char *)sqlite3_column_text(st, 5);
		e.status = (const char *)sqlite3_column_text(st, 6);
		e.replycode = (const char *)sqlite3_column_text(st, 7);
		e.action = (const char *)sqlite3_column_text(st, 8);
		e.diagnostic = (const char *)sqlite3_column_text(st, 9);
		e.reporting_mta = (const char *)sqlite3_column_text(st, 10);
		e.remote_mta = (const char *)sqlite3_column_text(st, 11);
		e.message_id = (const char *)sqlite3_column_text(st, 12);
		e.queue_id = (const char *)sqlite3_column_text(st, 13);
		e.source = (const char *)sqlite3_column_text(st, 14);
		e.feedback_type = (const char *)sqlite3_column_text(st, 15);
		e.campaign = (const char *)sqlite3_column_text(st, 16);
		e.evidence = (const char *)sqlite3_column_text(st, 17);
		e.time = (time_t)sqlite3_column_int64(st, 2);
		if (cb(&e, (time_t)sqlite3_column_int64(st, 1), arg) == -1)
			break;
	}
	done(s, st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK :
	    fail(s, rc, "read pending");
}

static enum store_status
sq_pending_del(struct store *bs, const char *dedup)
{
	struct sq *s = SQ(bs);
	sqlite3_stmt *st;
	enum store_status r;

	if ((r = prepare(s, "DELETE FROM pending WHERE dedup = ?1", &st)) !=
	    STORE_OK)
		return r;
	bind_text(st, 1, dedup);
	return step_done(s, st, "settle pending");
}

static enum store_status
sq_counter(struct store *bs, const char *key, long delta, long *v)
{
	struct sq *s = SQ(bs);
	sqlite3_stmt *st;
	enum store_status r;
	int rc;

	*v = 0;
	if (delta != 0) {
		r = prepare(s, "INSERT INTO meta (key, value) VALUES (?1, ?2) "
		    "ON CONFLICT (key) DO UPDATE SET value = value + ?2", &st);
		if (r != STORE_OK)
			return r;
		bind_text(st, 1, key);
		sqlite3_bind_int64(st, 2, delta);
		if ((r = step_done(s, st, "count")) != STORE_OK)
			return r;
	}
	if ((r = prepare(s, "SELECT value FROM meta WHERE key = ?1", &st)) !=
	    STORE_OK)
		return r;
	bind_text(st, 1, key);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*v = (long)sqlite3_column_int64(st, 0);
	done(s, st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK :
	    fail(s, rc, "read count");
}

static enum store_status
sq_counter_set(struct store *bs, const char *key, long v)
{
	struct sq *s = SQ(bs);
	sqlite3_stmt *st;
	enum store_status r;

	r = prepare(s, "INSERT INTO meta (key, value) VALUES (?1, ?2) "
	    "ON CONFLICT (key) DO UPDATE SET value = ?2", &st);
	if (r != STORE_OK)
		return r;
	bind_text(st, 1, key);
	sqlite3_bind_int64(st, 2, v);
	return step_done(s, st, "set count");
}

static enum store_status
sq_failure_add(struct store *bs, time_t t, const char *dom, const char *fp,
    const char *addr, time_t prune)
{
	struct sq *s = SQ(bs);
	sqlite3_stmt *st;
	enum store_status r;

	if ((r = prepare(s, "DELETE FROM failures WHERE time < ?1", &st)) !=
	    STORE_OK)
		return r;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)prune);
	if ((r = step_done(s, st, "prune failures")) != STORE_OK)
		return r;
	if ((r = prepare(s, "INSERT INTO failures (time, domain, fingerprint, "
	    "address) VALUES (?1, ?2, ?3, ?4)", &st)) != STORE_OK)
		return r;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)t);
	bind_text(st, 2, dom);
	bind_text(st, 3, fp);
	bind_text(st, 4, addr);
	return step_done(s, st, "note failure");
}

static enum store_status
sq_failure_addresses(struct store *bs, const char *dom, const char *fp,
    time_t since, int (*cb)(const char *, void *), void *arg)
{
	struct sq *s = SQ(bs);
	sqlite3_stmt *st;
	enum store_status r;
	int rc;

	if ((r = prepare(s, "SELECT DISTINCT address FROM failures WHERE "
	    "domain = ?1 AND fingerprint = ?2 AND time >= ?3", &st)) != STORE_OK)
		return r;
	bind_text(st, 1, dom);
	bind_text(st, 2, fp);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)since);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (cb((const char *)sqlite3_column_text(st, 0), arg) == -1) {
			rc = SQLITE_DONE;
			break;
		}
	done(s, st);
	return rc == SQLITE_DONE ? STORE_OK : fail(s, rc, "read failures");
}

static void
row_incident(sqlite3_stmt *st, struct store_incident *i)
{
	i->id = (long)sqlite3_column_int64(st, 0);
	i->domain = xstrdup((const char *)sqlite3_column_text(st, 1));
	i->fingerprint = xstrdup((const char *)sqlite3_column_text(st, 2));
	i->diagnostic = xstrdup((const char *)sqlite3_column_text(st, 3));
	i->reason = xstrdup((const char *)sqlite3_column_text(st, 4));
	i->first_seen = (time_t)sqlite3_column_int64(st, 5);
	i->last_seen = (time_t)sqlite3_column_int64(st, 6);
	i->recipients = (long)sqlite3_column_int64(st, 7);
}

#define INCIDENT_COLS	"id, domain, fingerprint, diagnostic, reason, " \
	"first_seen, last_seen, recipients"

static enum store_status
sq_incident_find(struct store *bs, const char *dom, const char *fp,
    time_t since, struct store_incident *i, int *found)
{
	struct sq *s = SQ(bs);
	sqlite3_stmt *st;
	enum store_status r;
	int rc;

	*found = 0;
	memset(i, 0, sizeof(*i));
	if ((r = prepare(s, "SELECT " INCIDENT_COLS " FROM incidents WHERE "
	    "domain = ?1 AND fingerprint = ?2 AND last_seen >= ?3 ORDER BY "
	    "last_seen DESC LIMIT 1", &st)) != STORE_OK)
		return r;
	bind_text(st, 1, dom);
	bind_text(st, 2, fp);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)since);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row_incident(st, i);
		*found = 1;
	}
	done(s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(s, rc, "read incident");
	return STORE_OK;
}

static enum store_status
sq_incident_put(struct store *bs, struct store_incident *i)
{
	struct sq *s = SQ(bs);
	sqlite3_stmt *st;
	enum store_status r;

	if (i->id == 0)
		r = prepare(s, "INSERT INTO incidents (domain, fingerprint, "
		    "diagnostic, reason, first_seen, last_seen, recipients) "
		    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", &st);
	else
		r = prepare(s, "UPDATE incidents SET last_seen = ?6, "
		    "recipients = ?7 WHERE id = ?8", &st);
	if (r != STORE_OK)
		return r;
	if (i->id == 0) {
		bind_text(st, 1, i->domain);
		bind_text(st, 2, i->fingerprint);
		bind_text(st, 3, i->diagnostic);
		bind_text(st, 4, i->reason);
		sqlite3_bind_int64(st, 5, (sqlite3_int64)i->first_seen);
	} else
		sqlite3_bind_int64(st, 8, (sqlite3_int64)i->id);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)i->last_seen);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)i->recipients);
	if ((r = step_done(s, st, "write incident")) == STORE_OK && i->id == 0)
		i->id = (long)sqlite3_last_insert_rowid(s->db);
	return r;
}

static enum store_status
sq_incidents(struct store *bs, time_t since, store_incident_cb cb, void *arg)
{
	struct sq *s = SQ(bs);
	struct store_incident i;
	sqlite3_stmt *st;
	enum store_status r;
	int rc, stop;

	if ((r = prepare(s, "SELECT " INCIDENT_COLS " FROM incidents WHERE "
	    "last_seen >= ?1 ORDER BY last_seen DESC, id DESC", &st)) !=
	    STORE_OK)
		return r;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)since);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row_incident(st, &i);
		stop = cb(&i, arg) == -1;
		store_incident_free(&i);
		if (stop) {
			rc = SQLITE_DONE;
			break;
		}
	}
	done(s, st);
	return rc == SQLITE_DONE ? STORE_OK : fail(s, rc, "read incidents");
}

static enum store_status
sq_rate_events(struct store *bs, const char *addr, const char *class,
    time_t t, long *n)
{
	struct sq *s = SQ(bs);
	sqlite3_stmt *st;
	enum store_status r;
	int rc;

	*n = 0;
	r = prepare(s, "SELECT count(*) FROM events WHERE address = ?1 AND "
	    "time > ?3 - 86400 AND time < ?3 + 86400 AND " RATE_CLASS " = ?2",
	    &st);
	if (r != STORE_OK)
		return r;
	bind_text(st, 1, addr);
	bind_text(st, 2, class);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)t);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*n = (long)sqlite3_column_int64(st, 0);
	done(s, st);
	return rc == SQLITE_ROW ? STORE_OK : fail(s, rc, "count events");
}

static const struct store_ops sq_ops = {
	sq_close, sq_begin, sq_commit, sq_rollback, sq_event_add,
	sq_soft_count, sq_get, sq_put, sq_delete, sq_audit, sq_list,
	sq_expired, sq_history, sq_forget, sq_erasures, sq_sent_add,
	sq_logpos_get, sq_logpos_set, sq_query, sq_last_event,
	sq_campaign_sent_add, sq_alert_set, sq_pause_set, sq_count_add,
	sq_pipe_time, sq_label_domains, sq_dump, NULL,
	sq_held_get, sq_held_put, sq_held_delete, sq_event_near,
	sq_outbound_add, sq_outbound_tied, sq_outbound_purge, sq_outbound_nrcpt,
	sq_pending_add,
	sq_pending_each, sq_pending_del, sq_counter, sq_counter_set,
	sq_keys, sq_key_add, sq_tombstones, sq_expire_events,
	sq_failure_add, sq_failure_addresses, sq_incident_find, sq_incident_put,
	sq_incidents, sq_rate_events, sq_logseen, sq_logseen_purge,
};
