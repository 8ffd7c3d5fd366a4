/*
 * store_pg.c - the suppression store on PostgreSQL, for fleets of MTAs.
 *
 * Same tables, same policy as the SQLite store; Postfix reads them with
 * pgsql_table(5). Concurrent writers on different hosts agree through
 * the database: upserts with INSERT ... ON CONFLICT, the deduplication
 * key UNIQUE, and a transaction-scoped advisory lock per address around
 * the policy's read-modify-write. Every write transaction first takes one
 * advisory lock, the writers' (PG_WRITER_LOCK), and holds it to its end:
 * the locks it takes after that (counter rows of sent, sent_campaign,
 * event_counts, counts, meta; addresses) come in whatever order its
 * input has, and two hosts taking the same rows in opposite orders
 * deadlocked (issue 25, 8). One lock taken first is a fixed order; it
 * makes PostgreSQL's writers take turns, as SQLite's BEGIN IMMEDIATE
 * does, each for one short transaction (a replay batch, a --maillog
 * chunk), and readers (Postfix's lookups) never wait for it. A wait
 * longer than the busy timeout is STORE_TEMP. Connection trouble, a
 * server shutting
 * down, serialisation failures and deadlocks are STORE_TEMP: Postfix
 * retries. A connect timeout keeps the pipe transport far inside
 * Postfix's time limit. All text is passed as parameters, invalid UTF-8
 * replaced, since PostgreSQL refuses it.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "store.h"
#include "store_impl.h"
#include "util.h"

#define PG_SCHEMA_VERSION	10
#define PG_WRITER_LOCK		"SELECT pg_advisory_xact_lock(7303552)"

/*
 * libpq is loaded when a PostgreSQL store is opened, not at start: it
 * brings some twenty libraries (TLS, Kerberos, LDAP) whose loading would
 * more than double the cost of every pipe-mode run on SQLite.
 */
static struct {
	PGconn *(*connectdbParams)(const char *const *, const char *const *,
	    int);
	ConnStatusType (*status)(const PGconn *);
	char *(*errorMessage)(const PGconn *);
	void (*finish)(PGconn *);
	PGresult *(*exec)(PGconn *, const char *);
	PGresult *(*execParams)(PGconn *, const char *, int, const Oid *,
	    const char *const *, const int *, const int *, int);
	ExecStatusType (*resultStatus)(const PGresult *);
	char *(*resultErrorField)(const PGresult *, int);
	char *(*resultErrorMessage)(const PGresult *);
	void (*clear)(PGresult *);
	char *(*cmdTuples)(PGresult *);
	int (*ntuples)(const PGresult *);
	char *(*getvalue)(const PGresult *, int, int);
	int (*getisnull)(const PGresult *, int, int);
	PGTransactionStatusType (*transactionStatus)(const PGconn *);
} pq;

static int
pq_load(char *err, size_t errlen)
{
	static const char *names[] = {
		"PQconnectdbParams", "PQstatus", "PQerrorMessage", "PQfinish",
		"PQexec", "PQexecParams", "PQresultStatus", "PQresultErrorField",
		"PQresultErrorMessage", "PQclear", "PQcmdTuples", "PQntuples",
		"PQgetvalue", "PQgetisnull", "PQtransactionStatus",
	};
	void **slot = (void **)&pq;
	void *h;
	size_t i;

	if (pq.connectdbParams != NULL)
		return 0;
	if ((h = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL)) == NULL) {
		snprintf(err, errlen, "cannot load libpq (apt-get install "
		    "libpq5): %s", dlerror());
		return -1;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((slot[i] = dlsym(h, names[i])) == NULL) {
			snprintf(err, errlen, "libpq lacks %s", names[i]);
			memset(&pq, 0, sizeof(pq));
			return -1;
		}
	return 0;
}

#define PQconnectdbParams	pq.connectdbParams
#define PQstatus		pq.status
#define PQerrorMessage		pq.errorMessage
#define PQfinish		pq.finish
#define PQexec			pq.exec
#define PQexecParams		pq.execParams
#define PQresultStatus		pq.resultStatus
#define PQresultErrorField	pq.resultErrorField
#define PQresultErrorMessage	pq.resultErrorMessage
#define PQclear			pq.clear
#define PQcmdTuples		pq.cmdTuples
#define PQntuples		pq.ntuples
#define PQgetvalue		pq.getvalue
#define PQgetisnull		pq.getisnull
#define PQtransactionStatus	pq.transactionStatus

struct pg {
	struct store	 base;
	PGconn		*c;
	int		 readonly;
};

#define PG(bs)	((struct pg *)(bs))

static const char *pg_migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE suppression ("
	"  address TEXT PRIMARY KEY, class TEXT NOT NULL, reason TEXT NOT NULL,"
	"  status TEXT NOT NULL DEFAULT '', source TEXT NOT NULL DEFAULT '',"
	"  note TEXT NOT NULL DEFAULT '', first_seen BIGINT NOT NULL,"
	"  last_seen BIGINT NOT NULL, soft_count INTEGER NOT NULL DEFAULT 0,"
	"  expires BIGINT);"
	"CREATE INDEX suppression_expires ON suppression(expires)"
	"  WHERE expires IS NOT NULL;"
	"CREATE TABLE events ("
	"  id BIGSERIAL PRIMARY KEY, time BIGINT NOT NULL, address TEXT NOT NULL,"
	"  class TEXT NOT NULL, reason TEXT NOT NULL,"
	"  status TEXT NOT NULL DEFAULT '', replycode TEXT NOT NULL DEFAULT '',"
	"  action TEXT NOT NULL DEFAULT '', diagnostic TEXT NOT NULL DEFAULT '',"
	"  reporting_mta TEXT NOT NULL DEFAULT '',"
	"  remote_mta TEXT NOT NULL DEFAULT '',"
	"  message_id TEXT NOT NULL DEFAULT '', queue_id TEXT NOT NULL DEFAULT '',"
	"  source TEXT NOT NULL DEFAULT '',"
	"  feedback_type TEXT NOT NULL DEFAULT '', dedup TEXT NOT NULL UNIQUE);"
	"CREATE INDEX events_address ON events(address, time);"
	"CREATE INDEX events_time ON events(time);"
	"CREATE TABLE audit ("
	"  id BIGSERIAL PRIMARY KEY, time BIGINT NOT NULL, address TEXT NOT NULL,"
	"  action TEXT NOT NULL, class TEXT NOT NULL DEFAULT '',"
	"  reason TEXT NOT NULL DEFAULT '', why TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX audit_address ON audit(address);"
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL);"
	"INSERT INTO meta (key, value) VALUES ('erasures', 0);",
	/* 1 -> 2 */
	"CREATE TABLE sent (domain TEXT NOT NULL, day BIGINT NOT NULL,"
	"  count BIGINT NOT NULL, PRIMARY KEY (domain, day));"
	"CREATE TABLE logpos (path TEXT PRIMARY KEY, inode BIGINT NOT NULL,"
	"  pos BIGINT NOT NULL);"
	"CREATE INDEX audit_time ON audit(time);",
	/* 2 -> 3 */
	"ALTER TABLE events ADD COLUMN campaign TEXT NOT NULL DEFAULT '';"
	"CREATE TABLE sent_campaign (campaign TEXT NOT NULL,"
	"  day BIGINT NOT NULL, count BIGINT NOT NULL,"
	"  PRIMARY KEY (campaign, day));"
	"CREATE TABLE alerts (key TEXT PRIMARY KEY, level TEXT NOT NULL,"
	"  since BIGINT NOT NULL);"
	"CREATE TABLE pauses (domain TEXT PRIMARY KEY, since BIGINT NOT NULL,"
	"  expires BIGINT NOT NULL, why TEXT NOT NULL DEFAULT '');",
	/* 3 -> 4 */
	"CREATE TABLE held ("
	"  address TEXT PRIMARY KEY, class TEXT NOT NULL, reason TEXT NOT NULL,"
	"  status TEXT NOT NULL DEFAULT '', source TEXT NOT NULL DEFAULT '',"
	"  note TEXT NOT NULL DEFAULT '', first_seen BIGINT NOT NULL,"
	"  last_seen BIGINT NOT NULL, soft_count INTEGER NOT NULL DEFAULT 0,"
	"  expires BIGINT);",
	/* 4 -> 5: the mail we sent, as --maillog read it; reports awaiting it */
	"CREATE TABLE outbound (queue_id TEXT NOT NULL, address TEXT NOT NULL,"
	"  message_id TEXT NOT NULL DEFAULT '', time BIGINT NOT NULL,"
	"  PRIMARY KEY (queue_id, address));"
	"CREATE INDEX outbound_message_id ON outbound(message_id)"
	"  WHERE address = '';"
	"CREATE INDEX outbound_time ON outbound(time);"
	"CREATE TABLE pending (dedup TEXT PRIMARY KEY, arrived BIGINT NOT NULL,"
	"  time BIGINT NOT NULL, address TEXT NOT NULL, class TEXT NOT NULL,"
	"  reason TEXT NOT NULL, status TEXT NOT NULL DEFAULT '',"
	"  replycode TEXT NOT NULL DEFAULT '', action TEXT NOT NULL DEFAULT '',"
	"  diagnostic TEXT NOT NULL DEFAULT '',"
	"  reporting_mta TEXT NOT NULL DEFAULT '',"
	"  remote_mta TEXT NOT NULL DEFAULT '',"
	"  message_id TEXT NOT NULL DEFAULT '', queue_id TEXT NOT NULL DEFAULT '',"
	"  source TEXT NOT NULL DEFAULT '', feedback_type TEXT NOT NULL DEFAULT '',"
	"  campaign TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX pending_arrived ON pending(arrived);",
	/* 5 -> 6 */
	"CREATE TABLE event_counts (class TEXT NOT NULL, reason TEXT NOT NULL,"
	"  value BIGINT NOT NULL, PRIMARY KEY (class, reason));"
	"INSERT INTO event_counts SELECT class, reason, count(*) FROM events "
	"  GROUP BY class, reason;"
	"CREATE TABLE erase_keys (kid TEXT PRIMARY KEY, key TEXT NOT NULL,"
	"  own INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE erased (kid TEXT NOT NULL, hash TEXT NOT NULL,"
	"  time BIGINT NOT NULL, PRIMARY KEY (kid, hash));"
	"ALTER TABLE logpos ADD COLUMN host TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE logpos DROP CONSTRAINT logpos_pkey;"
	"ALTER TABLE logpos ADD PRIMARY KEY (host, path);",
	/* 6 -> 7 */
	"CREATE TABLE counts (kind TEXT NOT NULL, name TEXT NOT NULL,"
	"  class TEXT NOT NULL, count BIGINT NOT NULL,"
	"  PRIMARY KEY (kind, name, class));"
	"INSERT INTO counts (kind, name, class, count) SELECT 'domain', "
	"  split_part(address, '@', 2), CASE WHEN class = 'unsubscribe' OR "
	"  feedback_type IN ('opt-out', 'unsubscribe') THEN 'unsubscribe' ELSE "
	"  class END, count(*) FROM events WHERE class IN ('hard', 'soft', "
	"  'block', 'complaint', 'unsubscribe') GROUP BY 2, 3;"
	"CREATE TABLE metric_base (domain TEXT NOT NULL, class TEXT NOT NULL,"
	"  base BIGINT NOT NULL, PRIMARY KEY (domain, class));"
	"CREATE TABLE pipe_seconds (bucket INTEGER PRIMARY KEY,"
	"  count BIGINT NOT NULL);",
	/* 7 -> 8: failures noted for incidents, and the incidents (policy.c) */
	"CREATE TABLE failures (time BIGINT NOT NULL, domain TEXT NOT NULL,"
	"  fingerprint TEXT NOT NULL, address TEXT NOT NULL);"
	"CREATE INDEX failures_key ON failures(domain, fingerprint, time);"
	"CREATE INDEX failures_time ON failures(time);"
	"CREATE INDEX failures_address ON failures(address);"
	"CREATE TABLE incidents (id BIGSERIAL PRIMARY KEY,"
	"  domain TEXT NOT NULL, fingerprint TEXT NOT NULL,"
	"  diagnostic TEXT NOT NULL DEFAULT '', reason TEXT NOT NULL DEFAULT '',"
	"  first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL,"
	"  recipients BIGINT NOT NULL DEFAULT 0);"
	"CREATE INDEX incidents_key ON incidents(domain, fingerprint, last_seen);"
	"CREATE INDEX incidents_seen ON incidents(last_seen);",
	/* 8 -> 9: --maillog position marks; delivery lines counted */
	"ALTER TABLE logpos ADD COLUMN mark TEXT NOT NULL DEFAULT '';"
	"CREATE TABLE logseen (key TEXT PRIMARY KEY, time BIGINT NOT NULL);"
	"CREATE INDEX logseen_time ON logseen(time);",
	/* 9 -> 10: what else vouches for a pending report's recipient; how
	 * many recipients qmgr logged for a queue ID (its "" row) */
	("ALTER TABLE pending ADD COLUMN evidence TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE outbound ADD COLUMN nrcpt BIGINT NOT NULL DEFAULT 0;"),
};
/* a migration added without the version (or the reverse) fails to build */
_Static_assert(sizeof(pg_migrations) / sizeof(pg_migrations[0]) == PG_SCHEMA_VERSION,
    "one migration per schema version");

/* pfail - describe the failure; transient ones are for a retry */
static enum store_status
pfail(struct pg *s, PGresult *r, const char *what)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = r && *PQresultErrorMessage(r) ?
	    PQresultErrorMessage(r) : PQerrorMessage(s->c);
	size_t n;

	snprintf(s->base.err, sizeof(s->base.err), "%s: %s", what,
	    msg && *msg ? msg : "connection lost");
	/* one line: libpq's messages run over several */
	for (n = 0; s->base.err[n]; n++)
		if (s->base.err[n] == '\n' || s->base.err[n] == '\t')
			s->base.err[n] = ' ';
	while (n > 0 && s->base.err[n - 1] == ' ')
		s->base.err[--n] = '\0';
	if (r)
		PQclear(r);
	/* programming errors (syntax, undefined object) are permanent */
	if (state && (strncmp(state, "42", 2) == 0 ||
	    strncmp(state, "22", 2) == 0))
		return STORE_FAIL;
	return STORE_TEMP;	/* connection, shutdown, 40001, 40P01, ... */
}

/*
 * run - one statement with text parameters (cleaned to valid UTF-8).
 * Returns the result (caller clears) or NULL with the error set in *r.
 */
static PGresult *
run(struct pg *s, const char *sql, int n, const char *const *params,
    enum store_status *r)
{
	char *clean[24] = { NULL };
	PGresult *res;
	ExecStatusType st;
	int i;

	if (n > 24)
		n = 24;		/* no statement here has more */
	for (i = 0; i < n; i++)
		clean[i] = params[i] ? str_utf8_clean(params[i]) : NULL;
	/* without parameters, a script of several statements (migrations) */
	res = n == 0 ? PQexec(s->c, sql) : PQexecParams(s->c, sql, n, NULL,
	    (const char *const *)clean, NULL, NULL, 0);
	for (i = 0; i < n; i++)
		free(clean[i]);
	st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
		*r = STORE_OK;
		return res;
	}
	*r = pfail(s, res, "database");
	return NULL;
}

static enum store_status
cmd(struct pg *s, const char *sql, int n, const char *const *params)
{
	enum store_status r;
	PGresult *res = run(s, sql, n, params, &r);

	if (res)
		PQclear(res);
	return r;
}

static void
num(char *buf, size_t len, long long v)
{
	snprintf(buf, len, "%lld", v);
}

static enum store_status
pg_migrate(struct pg *s)
{
	enum store_status r;
	PGresult *res;
	int v;
	char vs[16];

	if ((r = cmd(s, "BEGIN", 0, NULL)) != STORE_OK)
		return r;
	/* one host migrates; the others wait for it, then see the new version */
	if ((r = cmd(s, "SELECT pg_advisory_xact_lock(7303551)", 0, NULL)) !=
	    STORE_OK ||
	    (r = cmd(s, "CREATE TABLE IF NOT EXISTS bouncer_schema "
	    "(version INTEGER NOT NULL)", 0, NULL)) != STORE_OK)
		goto bad;
	if ((res = run(s, "SELECT max(version) FROM bouncer_schema", 0, NULL,
	    &r)) == NULL)
		goto bad;
	v = PQgetisnull(res, 0, 0) ? 0 : atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	if (v > PG_SCHEMA_VERSION) {
		snprintf(s->base.err, sizeof(s->base.err), "database schema "
		    "version %d is newer than this bouncer (%d)", v,
		    PG_SCHEMA_VERSION);
		r = STORE_FAIL;
		goto bad;
	}
	for (; v < PG_SCHEMA_VERSION; v++)
		if ((r = cmd(s, pg_migrations[v], 0, NULL)) != STORE_OK)
			goto bad;
	num(vs, sizeof(vs), v);
	{
		const char *p[1] = { vs };

		if ((r = cmd(s, "DELETE FROM bouncer_schema", 0, NULL)) !=
		    STORE_OK || (r = cmd(s, "INSERT INTO bouncer_schema "
		    "(version) VALUES ($1::integer)", 1, p)) != STORE_OK)
			goto bad;
	}
	return cmd(s, "COMMIT", 0, NULL);
bad:
	PQexec(s->c, "ROLLBACK");
	return r;
}

static const struct store_ops pg_ops;
static void pg_close(struct store *);

enum store_status
store_pg_open(const char *uri, int busy_ms, int flags, struct store **out,
    char **err)
{
	struct pg *s = xcalloc(1, sizeof(*s));
	/* the URI first; a connect timeout after it, so that it applies */
	const char *kw[] = { "dbname", "connect_timeout",
	    "application_name", "options", NULL };
	const char *val[] = { uri, "5", "bouncer",
	    "-c client_min_messages=warning", NULL };
	enum store_status r;
	char tmo[64];

	*out = NULL;
	s->base.ops = &pg_ops;
	s->base.busy_ms = busy_ms;
	s->readonly = (flags & STORE_RDONLY) != 0;
	if (pq_load(s->base.err, sizeof(s->base.err)) == -1) {
		*err = xstrdup(s->base.err);
		free(s);
		return STORE_TEMP;
	}
	s->c = PQconnectdbParams(kw, val, 1);
	if (s->c == NULL || PQstatus(s->c) != CONNECTION_OK) {
		r = pfail(s, NULL, "cannot connect");
		goto bad;
	}
	/* a lock wait as long as SQLite's busy timeout, then a retry */
	snprintf(tmo, sizeof(tmo), "SET lock_timeout = %d", busy_ms);
	if ((r = cmd(s, tmo, 0, NULL)) != STORE_OK)
		goto bad;
	if (!s->readonly && (r = pg_migrate(s)) != STORE_OK)
		goto bad;
	*out = &s->base;
	return STORE_OK;
bad:
	*err = xstrdup(s->base.err);
	pg_close(&s->base);
	return r;
}

static void
pg_close(struct store *bs)
{
	struct pg *s = PG(bs);

	if (s->c)
		PQfinish(s->c);
	free(s);
}

static void pg_rollback(struct store *);

static enum store_status
pg_begin(struct store *bs)
{
	struct pg *s = PG(bs);
	enum store_status r;

	if ((r = cmd(s, "BEGIN", 0, NULL)) != STORE_OK || s->readonly)
		return r;
	if ((r = cmd(s, PG_WRITER_LOCK, 0, NULL)) != STORE_OK)
		pg_rollback(bs);
	return r;
}

static void
pg_rollback(struct store *bs)
{
	struct pg *s = PG(bs);

	if (PQtransactionStatus(s->c) != PQTRANS_IDLE) {
		PGresult *res = PQexec(s->c, "ROLLBACK");

		if (res)
			PQclear(res);
	}
}

static enum store_status
pg_commit(struct store *bs)
{
	enum store_status r = cmd(PG(bs), "COMMIT", 0, NULL);

	if (r != STORE_OK)
		pg_rollback(bs);
	return r;
}

static enum store_status
pg_event_add(struct store *bs, const struct store_event *e, int *dup)
{
	struct pg *s = PG(bs);
	char t[32];
	const char *p[16];
	enum store_status r;
	PGresult *res;

	num(t, sizeof(t), (long long)e->time);
	p[0] = t; p[1] = e->address; p[2] = e->class; p[3] = e->reason;
	p[4] = e->status; p[5] = e->replycode; p[6] = e->action;
	p[7] = e->diagnostic; p[8] = e->reporting_mta; p[9] = e->remote_mta;
	p[10] = e->message_id; p[11] = e->queue_id; p[12] = e->source;
	p[13] = e->feedback_type; p[14] = e->dedup; p[15] = e->campaign;
	{
		int i;

		for (i = 0; i < 16; i++)
			if (p[i] == NULL)
				p[i] = "";
	}
	res = run(s, "INSERT INTO events (time, address, class, reason, status, "
	    "replycode, action, diagnostic, reporting_mta, remote_mta, "
	    "message_id, queue_id, source, feedback_type, dedup, campaign) "
	    "VALUES ($1::bigint, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
	    "$13, $14, $15, $16) ON CONFLICT (dedup) DO NOTHING", 16, p, &r);
	if (res == NULL)
		return r;
	*dup = strcmp(PQcmdTuples(res), "0") == 0;
	PQclear(res);
	if (*dup)
		return STORE_OK;
	/* the counter only goes up: erasure and retention delete events */
	return cmd(s, "INSERT INTO event_counts (class, reason, value) VALUES "
	    "($1, $2, 1) ON CONFLICT (class, reason) DO UPDATE SET value = "
	    "event_counts.value + 1", 2, p + 2);
}

static enum store_status
pg_event_near(struct store *bs, const char *qid, const char *addr,
    const char *action, time_t t, time_t window, int *found)
{
	struct pg *s = PG(bs);
	char lo[32], hi[32];
	const char *p[5] = { addr, lo, hi, qid, action };
	enum store_status r;
	PGresult *res;

	num(lo, sizeof(lo), (long long)t - (long long)window);
	num(hi, sizeof(hi), (long long)t + (long long)window);
	*found = 0;
	res = run(s, "SELECT 1 FROM events WHERE address = $1 AND time BETWEEN "
	    "$2::bigint AND $3::bigint AND queue_id = $4 AND action = $5 "
	    "LIMIT 1", 5, p, &r);
	if (res == NULL)
		return r;
	*found = PQntuples(res) > 0;
	PQclear(res);
	return STORE_OK;
}

static enum store_status
pg_soft_count(struct store *bs, const char *addr, time_t since, time_t stand,
    int *count)
{
	struct pg *s = PG(bs);
	char t[32], w[32];
	const char *p[3] = { addr, t, w };
	enum store_status r;
	PGresult *res;

	num(t, sizeof(t), (long long)since);
	num(w, sizeof(w), (long long)stand);
	res = run(s, "SELECT count(*) FROM events WHERE address = $1 AND "
	    "class = 'soft' AND time > $2::bigint AND time > coalesce((SELECT "
	    "max(d.time) FROM events d WHERE d.address = $1 AND d.class = "
	    "'delivered' AND (coalesce(d.source, '') <> 'maillog' OR NOT "
	    "EXISTS (SELECT 1 FROM events f WHERE "
	    "f.address = $1 AND f.class IN ('soft', 'hard') AND f.time > "
	    "d.time AND f.time <= d.time + $3::bigint))), 0)", 3, p, &r);
	if (res == NULL)
		return r;
	*count = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	return STORE_OK;
}

#define PG_ENTRY_COLS "address, class, reason, status, source, note, " \
	"first_seen, last_seen, soft_count, coalesce(expires, 0)"

static void
row_entry(PGresult *res, int i, struct store_entry *e)
{
	e->address = xstrdup(PQgetvalue(res, i, 0));
	e->class = xstrdup(PQgetvalue(res, i, 1));
	e->reason = xstrdup(PQgetvalue(res, i, 2));
	e->status = xstrdup(PQgetvalue(res, i, 3));
	e->source = xstrdup(PQgetvalue(res, i, 4));
	e->note = xstrdup(PQgetvalue(res, i, 5));
	e->first_seen = (time_t)atoll(PQgetvalue(res, i, 6));
	e->last_seen = (time_t)atoll(PQgetvalue(res, i, 7));
	e->soft_count = atoi(PQgetvalue(res, i, 8));
	e->expires = (time_t)atoll(PQgetvalue(res, i, 9));
}

static const char *pg_get_sql[2] = {
	"SELECT " PG_ENTRY_COLS " FROM suppression WHERE address = $1",
	"SELECT " PG_ENTRY_COLS " FROM held WHERE address = $1",
};
static const char *pg_put_sql[2] = {
	"INSERT INTO suppression (address, class, reason, status, source, "
	"note, first_seen, last_seen, soft_count, expires) VALUES ($1, $2, $3, "
	"$4, $5, $6, $7::bigint, $8::bigint, $9::integer, $10::bigint) "
	"ON CONFLICT (address) DO UPDATE SET class = $2, reason = $3, "
	"status = $4, source = $5, note = $6, last_seen = $8::bigint, "
	"soft_count = $9::integer, expires = $10::bigint",
	"INSERT INTO held (address, class, reason, status, source, note, "
	"first_seen, last_seen, soft_count, expires) VALUES ($1, $2, $3, $4, "
	"$5, $6, $7::bigint, $8::bigint, $9::integer, $10::bigint) "
	"ON CONFLICT (address) DO UPDATE SET class = $2, reason = $3, "
	"status = $4, source = $5, note = $6, first_seen = $7::bigint, "
	"last_seen = $8::bigint, soft_count = $9::integer, "
	"expires = $10::bigint",
};
static const char *pg_del_sql[2] = {
	"DELETE FROM suppression WHERE address = $1",
	"DELETE FROM held WHERE address = $1",
};

static enum store_status
get_row(struct pg *s, int held, const char *addr, struct store_entry *e,
    int *found)
{
	const char *p[1] = { addr };
	enum store_status r;
	PGresult *res;

	*found = 0;
	memset(e, 0, sizeof(*e));
	/*
	 * Inside a write transaction, hold the address for its end: two hosts
	 * applying the policy to one address take turns instead of both
	 * deciding from the same old state.
	 */
	if (PQtransactionStatus(s->c) == PQTRANS_INTRANS && !s->readonly &&
	    (r = cmd(s, "SELECT pg_advisory_xact_lock(hashtext($1))", 1, p)) !=
	    STORE_OK)
		return r;
	if ((res = run(s, pg_get_sql[held], 1, p, &r)) == NULL)
		return r;
	if (PQntuples(res) > 0) {
		row_entry(res, 0, e);
		*found = 1;
	}
	PQclear(res);
	return STORE_OK;
}

static enum store_status
put_row(struct pg *s, int held, const struct store_entry *e)
{
	char fs[32], ls[32], sc[16], ex[32];
	const char *p[10];

	num(fs, sizeof(fs), (long long)e->first_seen);
	num(ls, sizeof(ls), (long long)e->last_seen);
	num(sc, sizeof(sc), e->soft_count);
	num(ex, sizeof(ex), (long long)e->expires);
	p[0] = e->address; p[1] = e->class; p[2] = e->reason;
	p[3] = e->status ? e->status : ""; p[4] = e->source ? e->source : "";
	p[5] = e->note ? e->note : ""; p[6] = fs; p[7] = ls; p[8] = sc;
	p[9] = e->expires ? ex : NULL;
	return cmd(s, pg_put_sql[held], 10, p);
}

static enum store_status
pg_get(struct store *bs, const char *addr, struct store_entry *e, int *found)
{
	return get_row(PG(bs), 0, addr, e, found);
}

static enum store_status
pg_put(struct store *bs, const struct store_entry *e)
{
	return put_row(PG(bs), 0, e);
}

static enum store_status
pg_delete(struct store *bs, const char *addr)
{
	const char *p[1] = { addr };

	return cmd(PG(bs), pg_del_sql[0], 1, p);
}

static enum store_status
pg_held_get(struct store *bs, const char *addr, struct store_entry *e,
    int *found)
{
	return get_row(PG(bs), 1, addr, e, found);
}

static enum store_status
pg_held_put(struct store *bs, const struct store_entry *e)
{
	return put_row(PG(bs), 1, e);
}

static enum store_status
pg_held_delete(struct store *bs, const char *addr)
{
	const char *p[1] = { addr };

	return cmd(PG(bs), pg_del_sql[1], 1, p);
}

static enum store_status
pg_audit(struct store *bs, const struct store_audit *a)
{
	char t[32];
	const char *p[6];

	num(t, sizeof(t), (long long)a->time);
	p[0] = t; p[1] = a->address; p[2] = a->action;
	p[3] = a->class ? a->class : ""; p[4] = a->reason ? a->reason : "";
	p[5] = a->why ? a->why : "";
	return cmd(PG(bs), "INSERT INTO audit (time, address, action, class, "
	    "reason, why) VALUES ($1::bigint, $2, $3, $4, $5, $6)", 6, p);
}

static enum store_status
each_entry(struct pg *s, const char *sql, int n, const char *const *p,
    store_entry_cb cb, void *arg)
{
	enum store_status r;
	PGresult *res = run(s, sql, n, p, &r);
	int i;

	if (res == NULL)
		return r;
	for (i = 0; i < PQntuples(res); i++) {
		struct store_entry e;
		int stop;

		row_entry(res, i, &e);
		stop = cb(&e, arg) == -1;
		store_entry_free(&e);
		if (stop)
			break;
	}
	PQclear(res);
	return STORE_OK;
}

static enum store_status
pg_list(struct store *bs, const char *class, time_t since, store_entry_cb cb,
    void *arg)
{
	char t[32];
	const char *p[2] = { class ? class : "", t };

	num(t, sizeof(t), (long long)since);
	return each_entry(PG(bs), "SELECT " PG_ENTRY_COLS " FROM suppression "
	    "WHERE ($1 = '' OR class = $1) AND last_seen >= $2::bigint "
	    "ORDER BY address", 2, p, cb, arg);
}

static enum store_status
pg_expired(struct store *bs, time_t now, store_entry_cb cb, void *arg)
{
	char t[32];
	const char *p[1] = { t };

	num(t, sizeof(t), (long long)now);
	return each_entry(PG(bs), "SELECT " PG_ENTRY_COLS " FROM suppression "
	    "WHERE expires IS NOT NULL AND expires <= $1::bigint ORDER BY "
	    "address", 1, p, cb, arg);
}

static enum store_status
pg_history(struct store *bs, const char *addr, store_event_cb ecb,
    store_audit_cb acb, void *arg)
{
	struct pg *s = PG(bs);
	const char *p[1] = { addr };
	enum store_status r;
	PGresult *res;
	int i;

	res = run(s, "SELECT time, class, reason, status, action, diagnostic, "
	    "reporting_mta, source, feedback_type FROM events WHERE address = "
	    "$1 ORDER BY time, id", 1, p, &r);
	if (res == NULL)
		return r;
	for (i = 0; i < PQntuples(res); i++) {
		struct store_event e;

		memset(&e, 0, sizeof(e));
		e.time = (time_t)atoll(PQgetvalue(res, i, 0));
		e.address = addr;
		e.class = PQgetvalue(res, i, 1);
		e.reason = PQgetvalue(res, i, 2);
		e.status = PQgetvalue(res, i, 3);
		e.action = PQgetvalue(res, i, 4);
		e.diagnostic = PQgetvalue(res, i, 5);
		e.reporting_mta = PQgetvalue(res, i, 6);
		e.source = PQgetvalue(res, i, 7);
		e.feedback_type = PQgetvalue(res, i, 8);
		if (ecb(&e, arg) == -1)
			break;
	}
	PQclear(res);
	res = run(s, "SELECT time, action, class, reason, why FROM audit "
	    "WHERE address = $1 ORDER BY time, id", 1, p, &r);
	if (res == NULL)
		return r;
	for (i = 0; i < PQntuples(res); i++) {
		struct store_audit a;

		a.time = (time_t)atoll(PQgetvalue(res, i, 0));
		a.address = addr;
		a.action = PQgetvalue(res, i, 1);
		a.class = PQgetvalue(res, i, 2);
		a.reason = PQgetvalue(res, i, 3);
		a.why = PQgetvalue(res, i, 4);
		if (acb(&a, arg) == -1)
			break;
	}
	PQclear(res);
	return STORE_OK;
}

/* scrub - the erased address out of other rows' text */
static enum store_status
pg_scrub(struct pg *s, const char *addr)
{
	enum store_status r = STORE_OK;
	const char *p[2];
	PGresult *res;
	char sql[256];
	size_t i;
	int k;

	for (i = 0; i < STORE_NSCRUBS && r == STORE_OK; i++) {
		const struct store_scrub *c = &store_scrubs[i];

		/* names from the table in store.c, never from input */
		snprintf(sql, sizeof(sql), "SELECT %s::text, %s FROM %s WHERE "
		    "strpos(lower(%s), $1) > 0", c->key, c->col, c->table,
		    c->col);
		p[0] = addr;
		if ((res = run(s, sql, 1, p, &r)) == NULL)
			break;
		snprintf(sql, sizeof(sql), "UPDATE %s SET %s = $1 WHERE "
		    "%s::text = $2", c->table, c->col, c->key);
		for (k = 0; k < PQntuples(res) && r == STORE_OK; k++) {
			char *t = store_scrub_text(PQgetvalue(res, k, 1), addr);

			p[0] = t;
			p[1] = PQgetvalue(res, k, 0);
			r = cmd(s, sql, 2, p);
			free(t);
		}
		PQclear(res);
	}
	return r;
}

static enum store_status
pg_forget(struct store *bs, const char *addr, const char *kid,
    const char *hash, time_t now, int *n)
{
	static const char *del[] = {
		"DELETE FROM suppression WHERE address = $1",
		"DELETE FROM held WHERE address = $1",
		"DELETE FROM events WHERE address = $1",
		"DELETE FROM audit WHERE address = $1",
		"DELETE FROM outbound WHERE address = $1",
		"DELETE FROM pending WHERE address = $1",
		"DELETE FROM failures WHERE address = $1",
	};
	struct pg *s = PG(bs);
	const char *p[3] = { addr, NULL, NULL };
	char t[32];
	enum store_status r;
	PGresult *res;
	size_t i;

	*n = 0;
	if ((r = cmd(s, "BEGIN", 0, NULL)) != STORE_OK)
		return r;
	if ((r = cmd(s, PG_WRITER_LOCK, 0, NULL)) != STORE_OK)
		goto bad;
	for (i = 0; i < sizeof(del) / sizeof(del[0]); i++) {
		if ((res = run(s, del[i], 1, p, &r)) == NULL)
			goto bad;
		*n += atoi(PQcmdTuples(res));
		PQclear(res);
	}
	if ((r = pg_scrub(s, addr)) != STORE_OK)
		goto bad;
	/* an address never seen is no erasure, but gets its tombstone */
	if (*n > 0 && (r = cmd(s, "UPDATE meta SET value = value + 1 WHERE "
	    "key = 'erasures'", 0, NULL)) != STORE_OK)
		goto bad;
	num(t, sizeof(t), (long long)now);
	p[0] = kid;
	p[1] = hash;
	p[2] = t;
	if ((r = cmd(s, "INSERT INTO erased (kid, hash, time) VALUES ($1, $2, "
	    "$3::bigint) ON CONFLICT (kid, hash) DO NOTHING", 3, p)) !=
	    STORE_OK || (r = cmd(s, "COMMIT", 0, NULL)) != STORE_OK)
		goto bad;
	/*
	 * Reclaim the dead rows so their space is reused; the bytes stay in
	 * heap and index pages, the WAL and any base backup until then.
	 * bouncer(1), ERASURE, says what does erase them (VACUUM FULL).
	 */
	return cmd(s, "VACUUM suppression, held, events, audit, outbound, pending, "
	    "failures", 0, NULL);
bad:
	pg_rollback(bs);
	return r;
}

static enum store_status
pg_keys(struct store *bs, int (*cb)(const char *, const char *, int, void *),
    void *arg)
{
	enum store_status r;
	PGresult *res;
	int i;

	if ((res = run(PG(bs), "SELECT kid, key, own FROM erase_keys ORDER BY "
	    "kid", 0, NULL, &r)) == NULL)
		return r;
	for (i = 0; i < PQntuples(res); i++)
		if (cb(PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
		    atoi(PQgetvalue(res, i, 2)), arg) == -1)
			break;
	PQclear(res);
	return STORE_OK;
}

static enum store_status
pg_key_add(struct store *bs, const char *kid, const char *key)
{
	const char *p[2] = { kid, key };

	/* one host makes the fleet's key; the others take it */
	return cmd(PG(bs), "INSERT INTO erase_keys (kid, key, own) SELECT $1, "
	    "$2, 1 WHERE NOT EXISTS (SELECT 1 FROM erase_keys WHERE own = 1)",
	    2, p);
}

static enum store_status
pg_tombstones(struct store *bs, int (*cb)(const char *, const char *, void *),
    void *arg)
{
	enum store_status r;
	PGresult *res;
	int i;

	if ((res = run(PG(bs), "SELECT kid, hash FROM erased", 0, NULL, &r)) ==
	    NULL)
		return r;
	for (i = 0; i < PQntuples(res); i++)
		if (cb(PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), arg) == -1)
			break;
	PQclear(res);
	return STORE_OK;
}

static enum store_status
pg_expire_events(struct store *bs, time_t before, long *n)
{
	char t[32];
	const char *p[1] = { t };
	enum store_status r;
	PGresult *res;

	*n = 0;
	num(t, sizeof(t), (long long)before);
	if ((res = run(PG(bs), "DELETE FROM events WHERE time < $1::bigint", 1,
	    p, &r)) == NULL)
		return r;
	*n = atol(PQcmdTuples(res));
	PQclear(res);
	return STORE_OK;
}

static long
scalar(struct pg *s, const char *sql, int n, const char *const *p,
    enum store_status *r)
{
	PGresult *res = run(s, sql, n, p, r);
	long v;

	if (res == NULL)
		return 0;
	v = PQntuples(res) && !PQgetisnull(res, 0, 0) ?
	    atol(PQgetvalue(res, 0, 0)) : 0;
	PQclear(res);
	return v;
}

static enum store_status
pg_erasures(struct store *bs, long *count)
{
	enum store_status r;

	*count = scalar(PG(bs), "SELECT value FROM meta WHERE key = "
	    "'erasures'", 0, NULL, &r);
	return r;
}

static enum store_status
pg_sent_add(struct store *bs, const char *domain, time_t t, long n)
{
	char d[32], c[32];
	const char *p[3] = { domain, d, c };

	num(d, sizeof(d), (long long)(t / 86400));
	num(c, sizeof(c), n);
	return cmd(PG(bs), "INSERT INTO sent (domain, day, count) VALUES ($1, "
	    "$2::bigint, $3::bigint) ON CONFLICT (domain, day) DO UPDATE SET "
	    "count = sent.count + $3::bigint", 3, p);
}

/* The position is this host's (see store_sqlite.c). */
static enum store_status
pg_logpos_get(struct store *bs, const char *path, unsigned long long *ino,
    long long *off, char *mark, size_t len, int *found)
{
	struct pg *s = PG(bs);
	char host[256];
	const char *p[2] = { path, host };
	enum store_status r;
	PGresult *res;

	*found = 0;
	store_host(host, sizeof(host));
	if ((res = run(s, "SELECT inode, pos, mark FROM logpos WHERE path = $1 "
	    "AND host IN ($2, '') ORDER BY host DESC LIMIT 1", 2, p, &r)) ==
	    NULL)
		return r;
	if (PQntuples(res) > 0) {
		*ino = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
		*off = atoll(PQgetvalue(res, 0, 1));
		if (len > 0)
			snprintf(mark, len, "%s", PQgetvalue(res, 0, 2));
		*found = 1;
	}
	PQclear(res);
	return STORE_OK;
}

static enum store_status
pg_logpos_set(struct store *bs, const char *path, unsigned long long ino,
    long long off, const char *mark)
{
	char i[32], o[32], host[256];
	const char *p[5] = { path, i, o, host, mark };

	store_host(host, sizeof(host));
	snprintf(i, sizeof(i), "%llu", ino);
	num(o, sizeof(o), off);
	return cmd(PG(bs), "INSERT INTO logpos (host, path, inode, pos, mark) "
	    "VALUES ($4, $1, $2::bigint, $3::bigint, $5) ON CONFLICT (host, "
	    "path) DO UPDATE SET inode = $2::bigint, pos = $3::bigint, "
	    "mark = $5", 5, p);
}

static enum store_status
pg_logseen(struct store *bs, const char *key, time_t t, int *dup)
{
	struct pg *s = PG(bs);
	char ts[32];
	const char *p[2] = { key, ts };
	enum store_status r;
	PGresult *res;

	num(ts, sizeof(ts), (long long)t);
	if ((res = run(s, "INSERT INTO logseen (key, time) VALUES ($1, "
	    "$2::bigint) ON CONFLICT (key) DO NOTHING", 2, p, &r)) == NULL)
		return r;
	*dup = strcmp(PQcmdTuples(res), "0") == 0;
	PQclear(res);
	return STORE_OK;
}

static enum store_status
pg_logseen_purge(struct store *bs, time_t before)
{
	char ts[32];
	const char *p[1] = { ts };

	num(ts, sizeof(ts), (long long)before);
	return cmd(PG(bs), "DELETE FROM logseen WHERE time < $1::bigint", 1,
	    p);
}

/*
 * the class a rate counts an event in: opt-out reports are unsubscribes,
 * unless unverified (those count in no rate)
 */
#define PG_RATE_CLASS "(CASE WHEN class = 'unverified' THEN class WHEN " \
	"class = 'unsubscribe' OR feedback_type IN ('opt-out', 'unsubscribe') " \
	"THEN 'unsubscribe' ELSE class END)"

static enum store_status
pg_query(struct store *bs, enum store_query q, time_t since, store_row_cb cb,
    void *arg)
{
	static const char *sql[] = {
		[STORE_Q_CLASS_REASON] = "SELECT class, reason, '', count(*) "
		    "FROM events WHERE time >= $1::bigint GROUP BY class, reason "
		    "ORDER BY class, count(*) DESC, reason",
		[STORE_Q_DOMAIN_CLASS] = "SELECT split_part(address, '@', 2), "
		    "class, '', count(DISTINCT address) FROM events WHERE time >= "
		    "$1::bigint AND class IN ('hard', 'block', 'complaint') GROUP "
		    "BY 1, 2 ORDER BY 4 DESC, 1 LIMIT 60",
		[STORE_Q_SENT_DOMAIN] = "SELECT domain, '', '', sum(count) FROM "
		    "sent WHERE day >= $1::bigint / 86400 GROUP BY domain "
		    "ORDER BY 4 DESC",
		[STORE_Q_SUPPRESSED] = "SELECT class, '', '', count(*) FROM "
		    "suppression WHERE $1::bigint >= 0 GROUP BY class "
		    "ORDER BY class",
		[STORE_Q_GROWTH] = "SELECT action, '', '', count(*) FROM audit "
		    "WHERE time >= $1::bigint GROUP BY action ORDER BY action",
		[STORE_Q_SOFT_FATE] = "SELECT CASE WHEN EXISTS (SELECT 1 FROM "
		    "events d WHERE d.address = e.address AND d.class = "
		    "'delivered' AND d.time >= e.t) THEN 'recovered' WHEN EXISTS "
		    "(SELECT 1 FROM audit a WHERE a.address = e.address AND "
		    "a.action = 'escalated' AND a.time >= e.t) THEN 'escalated' "
		    "ELSE 'pending' END, '', '', count(*) FROM (SELECT address, "
		    "min(time) AS t FROM events WHERE class = 'soft' AND time >= "
		    "$1::bigint GROUP BY address) e GROUP BY 1 ORDER BY 1",
		[STORE_Q_FEEDBACK] = "SELECT feedback_type, class, '', count(*) "
		    "FROM events WHERE time >= $1::bigint AND reason = 'feedback' "
		    "GROUP BY 1, 2 ORDER BY 4 DESC",
		/* distinct addresses: domain rows, then campaign rows */
		[STORE_Q_RATES] = "SELECT split_part(address, '@', 2), "
		    PG_RATE_CLASS ", '', count(DISTINCT address) FROM events "
		    "WHERE time >= $1::bigint AND " PG_RATE_CLASS " IN ('hard', "
		    "'soft', 'block', 'complaint', 'unsubscribe') GROUP BY 1, 2 "
		    "UNION ALL SELECT '', " PG_RATE_CLASS ", campaign, "
		    "count(DISTINCT address) FROM events WHERE time >= $1::bigint "
		    "AND campaign <> '' AND " PG_RATE_CLASS " IN ('hard', 'soft', "
		    "'block', 'complaint', 'unsubscribe') GROUP BY 2, 3",
		[STORE_Q_SENT_CAMPAIGN] = "SELECT campaign, '', '', sum(count) "
		    "FROM sent_campaign WHERE day >= $1::bigint / 86400 GROUP BY "
		    "campaign ORDER BY 4 DESC",
		[STORE_Q_ALERTS] = "SELECT key, level, '', since FROM alerts "
		    "WHERE $1::bigint >= 0 ORDER BY key",
		[STORE_Q_PAUSES] = "SELECT domain, why, '', expires FROM pauses "
		    "WHERE $1::bigint >= 0 ORDER BY domain",
		[STORE_Q_DAILY] = "SELECT to_char(to_timestamp(time - time % "
		    "86400) AT TIME ZONE 'UTC', 'YYYY-MM-DD'), " PG_RATE_CLASS
		    ", '', count(DISTINCT address) FROM events WHERE time >= "
		    "$1::bigint AND " PG_RATE_CLASS " IN ('hard', 'soft', "
		    "'block', 'complaint', 'unsubscribe') GROUP BY 1, 2 ORDER BY "
		    "1, 2",
		[STORE_Q_SENT_DAILY] = "SELECT to_char(to_timestamp(day * 86400) "
		    "AT TIME ZONE 'UTC', 'YYYY-MM-DD'), '', '', sum(count) FROM "
		    "sent WHERE day >= $1::bigint / 86400 GROUP BY day ORDER BY "
		    "day",
		[STORE_Q_GROWTH_DAILY] = "SELECT to_char(to_timestamp(time - time "
		    "% 86400) AT TIME ZONE 'UTC', 'YYYY-MM-DD'), action, '', "
		    "count(*) FROM audit WHERE time >= $1::bigint GROUP BY 1, 2 "
		    "ORDER BY 1, 2",
		[STORE_Q_COUNTS] = "SELECT kind, name, class, count FROM counts "
		    "WHERE $1::bigint >= 0 ORDER BY kind, name, class",
		[STORE_Q_METRIC_BASE] = "SELECT domain, class, '', base FROM "
		    "metric_base WHERE $1::bigint >= 0 ORDER BY domain, class",
		[STORE_Q_PIPE_SECONDS] = "SELECT bucket, '', '', count FROM "
		    "pipe_seconds WHERE $1::bigint >= 0 ORDER BY bucket",
		[STORE_Q_LAST_BLOCK] = "SELECT split_part(address, '@', 2), '', "
		    "'', max(time) FROM events WHERE time >= $1::bigint AND "
		    "class = 'block' GROUP BY 1",
		[STORE_Q_EVENT_TOTALS] = "SELECT class, reason, '', value FROM "
		    "event_counts WHERE $1::bigint >= 0 ORDER BY class, reason",
	};
	struct pg *s = PG(bs);
	char t[32];
	const char *p[1] = { t };
	enum store_status r;
	PGresult *res;
	int i;

	num(t, sizeof(t), (long long)since);
	if ((res = run(s, sql[q], 1, p, &r)) == NULL)
		return r;
	for (i = 0; i < PQntuples(res); i++)
		if (cb(PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
		    PQgetvalue(res, i, 2), atol(PQgetvalue(res, i, 3)),
		    arg) == -1)
			break;
	PQclear(res);
	return STORE_OK;
}

static enum store_status
pg_last_event(struct store *bs, time_t *t)
{
	enum store_status r;

	*t = (time_t)scalar(PG(bs), "SELECT coalesce(max(time), 0) FROM events",
	    0, NULL, &r);
	return r;
}

static enum store_status
pg_campaign_sent_add(struct store *bs, const char *campaign, time_t t, long n)
{
	char d[32], c[32];
	const char *p[3] = { campaign, d, c };

	num(d, sizeof(d), (long long)(t / 86400));
	num(c, sizeof(c), n);
	return cmd(PG(bs), "INSERT INTO sent_campaign (campaign, day, count) "
	    "VALUES ($1, $2::bigint, $3::bigint) ON CONFLICT (campaign, day) DO "
	    "UPDATE SET count = sent_campaign.count + $3::bigint", 3, p);
}

static enum store_status
pg_alert_set(struct store *bs, const char *key, const char *level, time_t t)
{
	char w[32];
	const char *p[3] = { key, level, w };

	if (level == NULL)
		return cmd(PG(bs), "DELETE FROM alerts WHERE key = $1", 1, p);
	num(w, sizeof(w), (long long)t);
	return cmd(PG(bs), "INSERT INTO alerts (key, level, since) VALUES ($1, "
	    "$2, $3::bigint) ON CONFLICT (key) DO UPDATE SET level = $2, "
	    "since = $3::bigint", 3, p);
}

static enum store_status
pg_pause_set(struct store *bs, const char *dom, time_t since, time_t expires,
    const char *why)
{
	char a[32], b[32];
	const char *p[4] = { dom, a, b, why ? why : "" };

	if (expires == 0)
		return cmd(PG(bs), "DELETE FROM pauses WHERE domain = $1", 1, p);
	num(a, sizeof(a), (long long)since);
	num(b, sizeof(b), (long long)expires);
	return cmd(PG(bs), "INSERT INTO pauses (domain, since, expires, why) "
	    "VALUES ($1, $2::bigint, $3::bigint, $4) ON CONFLICT (domain) DO "
	    "UPDATE SET since = $2::bigint, expires = $3::bigint, why = $4", 4, p);
}

static enum store_status
pg_count_add(struct store *bs, const char *kind, const char *name,
    const char *class)
{
	const char *p[3] = { kind, name, class };

	return cmd(PG(bs), "INSERT INTO counts (kind, name, class, count) VALUES "
	    "($1, $2, $3, 1) ON CONFLICT (kind, name, class) DO UPDATE SET "
	    "count = counts.count + 1", 3, p);
}

static enum store_status
pg_pipe_time(struct store *bs, int bucket, long long us)
{
	char b[32], u[32];
	const char *p[2] = { b, u };

	num(b, sizeof(b), bucket);
	num(u, sizeof(u), us);
	return cmd(PG(bs), "INSERT INTO pipe_seconds (bucket, count) VALUES "
	    "($1::integer, 1), (-1, $2::bigint) ON CONFLICT (bucket) DO UPDATE "
	    "SET count = pipe_seconds.count + excluded.count", 2, p);
}

static enum store_status
pg_label_domains(struct store *bs, int n)
{
	char c[32];
	const char *p[1] = { c };

	num(c, sizeof(c), n);
	return cmd(PG(bs), "INSERT INTO metric_base (domain, class, base) "
	    "SELECT d.domain, c.class, CASE c.class WHEN 'sent' THEN d.total "
	    "ELSE coalesce((SELECT k.count FROM counts k WHERE k.kind = "
	    "'domain' AND k.name = d.domain AND k.class = c.class), 0) END "
	    "FROM (SELECT domain, sum(count) AS total FROM sent WHERE domain "
	    "NOT IN (SELECT domain FROM metric_base) GROUP BY domain ORDER BY "
	    "total DESC, domain LIMIT greatest(0, $1::integer - (SELECT "
	    "count(DISTINCT domain) FROM metric_base))) d, (VALUES ('sent'), "
	    "('hard'), ('soft'), ('block'), ('complaint'), ('unsubscribe')) "
	    "AS c(class) ON CONFLICT DO NOTHING", 1, p);
}

static enum store_status
pg_failure_add(struct store *bs, time_t t, const char *dom, const char *fp,
    const char *addr, time_t prune)
{
	char a[32], b[32];
	const char *p[4] = { a, dom, fp, addr };
	enum store_status r;

	num(b, sizeof(b), (long long)prune);
	p[0] = b;
	if ((r = cmd(PG(bs), "DELETE FROM failures WHERE time < $1::bigint", 1,
	    p)) != STORE_OK)
		return r;
	num(a, sizeof(a), (long long)t);
	p[0] = a;
	return cmd(PG(bs), "INSERT INTO failures (time, domain, fingerprint, "
	    "address) VALUES ($1::bigint, $2, $3, $4)", 4, p);
}

static enum store_status
pg_failure_addresses(struct store *bs, const char *dom, const char *fp,
    time_t since, int (*cb)(const char *, void *), void *arg)
{
	char a[32];
	const char *p[3] = { dom, fp, a };
	enum store_status r;
	PGresult *res;
	int i;

	num(a, sizeof(a), (long long)since);
	if ((res = run(PG(bs), "SELECT DISTINCT address FROM failures WHERE "
	    "domain = $1 AND fingerprint = $2 AND time >= $3::bigint", 3, p,
	    &r)) == NULL)
		return r;
	for (i = 0; i < PQntuples(res); i++)
		if (cb(PQgetvalue(res, i, 0), arg) == -1)
			break;
	PQclear(res);
	return STORE_OK;
}

#define PG_INCIDENT_COLS "id, domain, fingerprint, diagnostic, reason, " \
	"first_seen, last_seen, recipients"

static void
pg_row_incident(PGresult *res, int n, struct store_incident *i)
{
	i->id = atol(PQgetvalue(res, n, 0));
	i->domain = xstrdup(PQgetvalue(res, n, 1));
	i->fingerprint = xstrdup(PQgetvalue(res, n, 2));
	i->diagnostic = xstrdup(PQgetvalue(res, n, 3));
	i->reason = xstrdup(PQgetvalue(res, n, 4));
	i->first_seen = (time_t)atoll(PQgetvalue(res, n, 5));
	i->last_seen = (time_t)atoll(PQgetvalue(res, n, 6));
	i->recipients = atol(PQgetvalue(res, n, 7));
}

static enum store_status
pg_incident_find(struct store *bs, const char *dom, const char *fp,
    time_t since, struct store_incident *i, int *found)
{
	char a[32];
	const char *p[3] = { dom, fp, a };
	enum store_status r;
	PGresult *res;

	*found = 0;
	memset(i, 0, sizeof(*i));
	num(a, sizeof(a), (long long)since);
	if ((res = run(PG(bs), "SELECT " PG_INCIDENT_COLS " FROM incidents "
	    "WHERE domain = $1 AND fingerprint = $2 AND last_seen >= $3::bigint "
	    "ORDER BY last_seen DESC LIMIT 1", 3, p, &r)) == NULL)
		return r;
	if (PQntuples(res) > 0) {
		pg_row_incident(res, 0, i);
		*found = 1;
	}
	PQclear(res);
	return STORE_OK;
}

static enum store_status
pg_incident_put(struct store *bs, struct store_incident *i)
{
	char a[32], b[32], c[32], d[32];
	const char *p[7] = { i->domain, i->fingerprint, i->diagnostic,
	    i->reason, a, b, c };
	const char *q[3] = { b, c, d };
	enum store_status r;
	PGresult *res;

	num(a, sizeof(a), (long long)i->first_seen);
	num(b, sizeof(b), (long long)i->last_seen);
	num(c, sizeof(c), (long long)i->recipients);
	if (i->id != 0) {
		num(d, sizeof(d), (long long)i->id);
		return cmd(PG(bs), "UPDATE incidents SET last_seen = $1::bigint, "
		    "recipients = $2::bigint WHERE id = $3::bigint", 3, q);
	}
	if ((res = run(PG(bs), "INSERT INTO incidents (domain, fingerprint, "
	    "diagnostic, reason, first_seen, last_seen, recipients) VALUES "
	    "($1, $2, $3, $4, $5::bigint, $6::bigint, $7::bigint) RETURNING id",
	    7, p, &r)) == NULL)
		return r;
	if (PQntuples(res) > 0)
		i->id = atol(PQgetvalue(res, 0, 0));
	PQclear(res);
	return STORE_OK;
}

static enum store_status
pg_incidents(struct store *bs, time_t since, store_incident_cb cb, void *arg)
{
	char a[32];
	const char *p[1] = { a };
	struct store_incident i;
	enum store_status r;
	PGresult *res;
	int n, stop;

	num(a, sizeof(a), (long long)since);
	if ((res = run(PG(bs), "SELECT " PG_INCIDENT_COLS " FROM incidents "
	    "WHERE last_seen >= $1::bigint ORDER BY last_seen DESC, id DESC", 1,
	    p, &r)) == NULL)
		return r;
	for (n = 0; n < PQntuples(res); n++) {
		pg_row_incident(res, n, &i);
		stop = cb(&i, arg) == -1;
		store_incident_free(&i);
		if (stop)
			break;
	}
	PQclear(res);
	return STORE_OK;
}

/* pg_load - one row of a copied table; what is there already stays */
static enum store_status
pg_load(struct store *bs, int table, const char *const *v)
{
	static const char *sql[STORE_NTABLES] = {
		"INSERT INTO suppression (address, class, reason, status, source, "
		"note, first_seen, last_seen, soft_count, expires) VALUES ($1, $2, "
		"$3, $4, $5, $6, $7::bigint, $8::bigint, $9::integer, $10::bigint) "
		"ON CONFLICT (address) DO NOTHING",
		"INSERT INTO events (time, address, class, reason, status, "
		"replycode, action, diagnostic, reporting_mta, remote_mta, "
		"message_id, queue_id, source, feedback_type, dedup, campaign) "
		"VALUES ($1::bigint, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
		"$14, $15, $16) ON CONFLICT (dedup) DO NOTHING",
		"INSERT INTO audit (time, address, action, class, reason, why) "
		"SELECT $1::bigint, $2, $3, $4, $5, $6 WHERE NOT EXISTS (SELECT 1 "
		"FROM audit WHERE time = $1::bigint AND address = $2 AND action = "
		"$3 AND why = $6)",
		"INSERT INTO sent (domain, day, count) VALUES ($1, $2::bigint, "
		"$3::bigint) ON CONFLICT (domain, day) DO UPDATE SET count = "
		"greatest(sent.count, excluded.count)",
		/* in parentheses: clang takes two short literals in an array
		 * for a missing comma */
		("UPDATE meta SET value = greatest(value, $2::bigint) WHERE "
		"key = $1"),
		"INSERT INTO sent_campaign (campaign, day, count) VALUES ($1, "
		"$2::bigint, $3::bigint) ON CONFLICT (campaign, day) DO UPDATE SET "
		"count = greatest(sent_campaign.count, excluded.count)",
		"INSERT INTO held (address, class, reason, status, source, note, "
		"first_seen, last_seen, soft_count, expires) VALUES ($1, $2, $3, "
		"$4, $5, $6, $7::bigint, $8::bigint, $9::integer, $10::bigint) "
		"ON CONFLICT (address) DO NOTHING",
		"INSERT INTO event_counts (class, reason, value) VALUES ($1, $2, "
		"$3::bigint) ON CONFLICT (class, reason) DO UPDATE SET value = "
		"greatest(event_counts.value, excluded.value)",
		"INSERT INTO erase_keys (kid, key, own) VALUES ($1, $2, 0) "
		"ON CONFLICT (kid) DO NOTHING",
		"INSERT INTO erased (kid, hash, time) VALUES ($1, $2, $3::bigint) "
		"ON CONFLICT (kid, hash) DO NOTHING",
		"INSERT INTO counts (kind, name, class, count) VALUES ($1, $2, $3, "
		"$4::bigint) ON CONFLICT (kind, name, class) DO UPDATE SET count = "
		"greatest(counts.count, excluded.count)",
	};

	return cmd(PG(bs), sql[table], store_tables[table].ncols, v);
}

static enum store_status
pg_outbound_add(struct store *bs, const char *qid, const char *msgid,
    const char *addr, time_t t)
{
	char ts[32];
	const char *p[4] = { qid, addr, msgid ? msgid : "", ts };

	num(ts, sizeof(ts), (long long)t);
	return cmd(PG(bs), "INSERT INTO outbound (queue_id, address, "
	    "message_id, time) VALUES ($1, $2, $3, $4::bigint) ON CONFLICT "
	    "(queue_id, address) DO UPDATE SET time = greatest(outbound.time, "
	    "excluded.time), message_id = CASE WHEN excluded.message_id <> '' "
	    "THEN excluded.message_id ELSE outbound.message_id END", 4, p);
}

static enum store_status
pg_outbound_tied(struct store *bs, const char *qid, const char *msgid,
    const char *addr, int *tied)
{
	const char *p[3] = { qid ? qid : "", msgid ? msgid : "", addr };
	enum store_status r;

	/* q: the message's queue IDs; r: the recipients it was sent to */
	*tied = (int)scalar(PG(bs), "WITH q(queue_id) AS (SELECT $1::text "
	    "WHERE $1 <> '' UNION SELECT queue_id FROM outbound WHERE $2 <> '' "
	    "AND address = '' AND message_id = $2), r AS (SELECT DISTINCT "
	    "o.address FROM outbound o JOIN q ON o.queue_id = q.queue_id WHERE "
	    "o.address <> '') SELECT CASE WHEN EXISTS (SELECT 1 FROM events e "
	    "JOIN q ON e.queue_id = q.queue_id WHERE e.address = $3 AND "
	    "e.source = 'maillog' AND e.action IN ('failed', 'delayed')) THEN 3 "
	    "WHEN NOT EXISTS (SELECT 1 FROM r WHERE address = $3) THEN 0 WHEN "
	    "(SELECT count(*) FROM r) = 1 AND (SELECT coalesce(max(o.nrcpt), 0) "
	    "FROM outbound o JOIN q ON o.queue_id = q.queue_id WHERE o.address "
	    "= '') <= 1 THEN 2 ELSE 1 END", 3, p, &r);
	return r;
}

static enum store_status
pg_outbound_nrcpt(struct store *bs, const char *qid, long n, time_t t)
{
	char ts[32], ns[32];
	const char *p[3] = { qid, ts, ns };

	num(ts, sizeof(ts), (long long)t);
	num(ns, sizeof(ns), (long long)n);
	return cmd(PG(bs), "INSERT INTO outbound (queue_id, address, "
	    "message_id, time, nrcpt) VALUES ($1, '', '', $2::bigint, "
	    "$3::bigint) ON CONFLICT (queue_id, address) DO UPDATE SET time = "
	    "greatest(outbound.time, excluded.time), nrcpt = "
	    "greatest(outbound.nrcpt, excluded.nrcpt)", 3, p);
}

static enum store_status
pg_outbound_purge(struct store *bs, time_t before)
{
	char ts[32];
	const char *p[1] = { ts };

	num(ts, sizeof(ts), (long long)before);
	return cmd(PG(bs), "DELETE FROM outbound WHERE time < $1::bigint", 1,
	    p);
}

static enum store_status
pg_pending_add(struct store *bs, const struct store_event *e, time_t arrived,
    int *dup)
{
	struct pg *s = PG(bs);
	char a[32], t[32];
	const char *p[18] = { e->dedup, a, t, e->address, e->class, e->reason,
	    e->status, e->replycode, e->action, e->diagnostic,
	    e->reporting_mta, e->remote_mta, e->message_id, e->queue_id,
	    e->source, e->feedback_type, e->campaign, e->evidence };
	enum store_status r;
	PGresult *res;
	int i;

	*dup = 0;
	num(a, sizeof(a), (long long)arrived);
	num(t, sizeof(t), (long long)e->time);
	for (i = 0; i < 18; i++)
		if (p[i] == NULL)
			p[i] = "";
	res = run(s, "INSERT INTO pending (dedup, arrived, time, address, "
	    "class, reason, status, replycode, action, diagnostic, "
	    "reporting_mta, remote_mta, message_id, queue_id, source, "
	    "feedback_type, campaign, evidence) VALUES ($1, $2::bigint, "
	    "$3::bigint, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, "
	    "$16, $17, $18) ON CONFLICT (dedup) DO NOTHING", 18, p, &r);
	if (res == NULL)
		return r;
	*dup = strcmp(PQcmdTuples(res), "0") == 0;
	PQclear(res);
	return STORE_OK;
}

static enum store_status
pg_pending_each(struct store *bs, store_pending_cb cb, void *arg)
{
	enum store_status r;
	PGresult *res;
	int i;

	res = run(PG(bs), "SELECT dedup, arrived, time, address, class, "
	    "reason, status, replycode, action, diagnostic, reporting_mta, "
	    "remote_mta, message_id, queue_id, source, feedback_type, campaign, "
	    "evidence FROM pending ORDER BY arrived, dedup", 0, NULL, &r);
	if (res == NULL)
		return r;
	for (i = 0; i < PQntuples(res); i++) {
		struct store_event e;

		memset(&e, 0, sizeof(e));
		e.dedup = PQgetvalue(res, i, 0);
		e.address = PQgetvalue(res, i, 3);
		e.class = PQgetvalue(res, i, 4);
		e.reason = PQgetvalue(res, i, 5);
		e.status = PQgetvalue(res, i, 6);
		e.replycode = PQgetvalue(res, i, 7);
		e.action = PQgetvalue(res, i, 8);
		e.diagnostic = PQgetvalue(res, i, 9);
		e.reporting_mta = PQgetvalue(res, i, 10);
		e.remote_mta = PQgetvalue(res, i, 11);
		e.message_id = PQgetvalue(res, i, 12);
		e.queue_id = PQgetvalue(res, i, 13);
		e.source = PQgetvalue(res, i, 14);
		e.feedback_type = PQgetvalue(res, i, 15);
		e.campaign = PQgetvalue(res, i, 16);
		e.evidence = PQgetvalue(res, i, 17);
		e.time = (time_t)atoll(PQgetvalue(res, i, 2));
		if (cb(&e, (time_t)atoll(PQgetvalue(res, i, 1)), arg) == -1)
			break;
	}
	PQclear(res);
	return STORE_OK;
}

static enum store_status
pg_pending_del(struct store *bs, const char *dedup)
{
	const char *p[1] = { dedup };

	return cmd(PG(bs), "DELETE FROM pending WHERE dedup = $1", 1, p);
}

static enum store_status
pg_counter(struct store *bs, const char *key, long delta, long *v)
{
	struct pg *s = PG(bs);
	char d[32];
	const char *p[2] = { key, d };
	enum store_status r;

	num(d, sizeof(d), delta);
	if (delta != 0 && (r = cmd(s, "INSERT INTO meta (key, value) VALUES "
	    "($1, $2::bigint) ON CONFLICT (key) DO UPDATE SET value = "
	    "meta.value + $2::bigint", 2, p)) != STORE_OK)
		return r;
	*v = scalar(s, "SELECT value FROM meta WHERE key = $1", 1, p, &r);
	return r;
}

static enum store_status
pg_counter_set(struct store *bs, const char *key, long v)
{
	char d[32];
	const char *p[2] = { key, d };

	num(d, sizeof(d), v);
	return cmd(PG(bs), "INSERT INTO meta (key, value) VALUES ($1, "
	    "$2::bigint) ON CONFLICT (key) DO UPDATE SET value = $2::bigint",
	    2, p);
}

static enum store_status
pg_rate_events(struct store *bs, const char *addr, const char *class,
    time_t t, long *n)
{
	char ts[32];
	const char *p[3] = { addr, class, ts };
	enum store_status r;

	num(ts, sizeof(ts), (long long)t);
	*n = scalar(PG(bs), "SELECT count(*) FROM events WHERE address = $1 "
	    "AND time > $3::bigint - 86400 AND time < $3::bigint + 86400 AND "
	    PG_RATE_CLASS " = $2", 3, p, &r);
	return r;
}

static const struct store_ops pg_ops = {
	pg_close, pg_begin, pg_commit, pg_rollback, pg_event_add,
	pg_soft_count, pg_get, pg_put, pg_delete, pg_audit, pg_list,
	pg_expired, pg_history, pg_forget, pg_erasures, pg_sent_add,
	pg_logpos_get, pg_logpos_set, pg_query, pg_last_event,
	pg_campaign_sent_add, pg_alert_set, pg_pause_set, pg_count_add,
	pg_pipe_time, pg_label_domains, NULL, pg_load,
	pg_held_get, pg_held_put, pg_held_delete, pg_event_near,
	pg_outbound_add, pg_outbound_tied, pg_outbound_purge, pg_outbound_nrcpt,
	pg_pending_add,
	pg_pending_each, pg_pending_del, pg_counter, pg_counter_set,
	pg_keys, pg_key_add, pg_tombstones, pg_expire_events,
	pg_failure_add, pg_failure_addresses, pg_incident_find, pg_incident_put,
	pg_incidents, pg_rate_events, pg_logseen, pg_logseen_purge,
};
