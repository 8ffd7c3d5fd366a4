/*
 * store_pg.c - the suppression store on PostgreSQL, for fleets of MTAs.
 *
 * Same tables, same policy as the SQLite store; Postfix reads them with
 * pgsql_table(5). Concurrent writers on different hosts agree through
 * the database: upserts with INSERT ... ON CONFLICT, the deduplication
 * key UNIQUE, and a transaction-scoped advisory lock per address around
 * the policy's read-modify-write. Connection trouble, a server shutting
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

#include "store_driver.h"
#include "util.h"


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


#define NPARAMS		24	/* no statement here has more */
#define INT8OID		20
#define TEXTOID		25

struct pgst {
	struct store_stmt head;
	char		*sql;		/* in PostgreSQL's placeholders */
	int		 n;		/* parameters bound: the highest */
	char		*val[NPARAMS];	/* text, cleaned to valid UTF-8 */
	Oid		 type[NPARAMS];
	PGresult	*res;		/* once run */
	int		 row;		/* the next to read */
};

struct pg {
	struct store	 base;
	PGconn		*c;
};

#define PG(bs)	((struct pg *)(bs))
#define ST(x)	((struct pgst *)(x))

static const struct store_driver pg_driver;

/* pfail - describe the failure; transient ones are for a retry */
static enum store_status
pfail(struct pg *s, PGresult *r, const char *what)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = r && *PQresultErrorMessage(r) ?
	    PQresultErrorMessage(r) : PQerrorMessage(s->c);
	enum store_status st = STORE_TEMP;
	size_t n;

	snprintf(s->base.err, sizeof(s->base.err), "%s: %s", what,
	    msg && *msg ? msg : "connection lost");
	/* one line: libpq's messages run over several */
	for (n = 0; s->base.err[n]; n++)
		if (s->base.err[n] == '\n' || s->base.err[n] == '\t')
			s->base.err[n] = ' ';
	while (n > 0 && s->base.err[n - 1] == ' ')
		s->base.err[--n] = '\0';
	/* programming errors (syntax, undefined object) are permanent */
	if (state && (strncmp(state, "42", 2) == 0 ||
	    strncmp(state, "22", 2) == 0))
		st = STORE_FAIL;
	if (r)
		PQclear(r);
	return st;	/* else connection, shutdown, 40001, 40P01, ... */
}

static enum store_status
pg_exec(struct store *bs, const char *sql)
{
	struct pg *s = PG(bs);
	PGresult *res = PQexec(s->c, sql);
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
		PQclear(res);
		return STORE_OK;
	}
	return pfail(s, res, "database");
}

static enum store_status
pg_prepare(struct store *bs, const char *sql, struct store_stmt **out)
{
	struct pgst *x = xcalloc(1, sizeof(*x));

	(void)bs;
	x->head.drv = &pg_driver;
	x->sql = store_sql(sql, pg_driver.dialect, 1);
	*out = &x->head;
	return STORE_OK;
}

static void
pg_bind(struct store_stmt *bx, int i, int type, const char *v, long long n)
{
	struct pgst *x = ST(bx);
	char num[32];

	if (i < 1 || i > NPARAMS)
		return;
	free(x->val[i - 1]);
	x->val[i - 1] = NULL;
	x->type[i - 1] = 0;
	if (type == STORE_TEXT) {
		x->val[i - 1] = str_utf8_clean(v);
		x->type[i - 1] = TEXTOID;
	} else if (type == STORE_INT) {
		snprintf(num, sizeof(num), "%lld", n);
		x->val[i - 1] = xstrdup(num);
		x->type[i - 1] = INT8OID;
	}
	if (i > x->n)
		x->n = i;
}

static int
pg_step(struct store *bs, struct store_stmt *bx, enum store_status *r)
{
	struct pgst *x = ST(bx);
	ExecStatusType st;

	if (x->res == NULL) {
		x->res = PQexecParams(PG(bs)->c, x->sql, x->n, x->type,
		    (const char *const *)x->val, NULL, NULL, 0);
		st = x->res ? PQresultStatus(x->res) : PGRES_FATAL_ERROR;
		if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
			*r = pfail(PG(bs), x->res, "database");
			x->res = NULL;
			return -1;
		}
	}
	return x->row < PQntuples(x->res) ? (x->row++, 1) : 0;
}

static const char *
pg_column(struct store_stmt *bx, int i)
{
	struct pgst *x = ST(bx);

	if (x->res == NULL || PQgetisnull(x->res, x->row - 1, i))
		return NULL;
	return PQgetvalue(x->res, x->row - 1, i);
}

static long
pg_changes(struct store *bs, struct store_stmt *bx)
{
	(void)bs;
	return ST(bx)->res ? atol(PQcmdTuples(ST(bx)->res)) : 0;
}

static void
pg_finish(struct store *bs, struct store_stmt *bx)
{
	struct pgst *x = ST(bx);
	int i;

	(void)bs;
	if (x->res)
		PQclear(x->res);
	for (i = 0; i < NPARAMS; i++)
		free(x->val[i]);
	free(x->sql);
	free(x);
}

/*
 * pg_begin - a write transaction first takes one advisory lock, the
 * writers', and holds it to its end: the locks it takes after that
 * (counter rows of sent, sent_campaign, event_counts, counts, meta;
 * addresses) come in whatever order its input has, and two hosts taking
 * the same rows in opposite orders deadlocked (issue 25, 8). One lock
 * taken first is a fixed order; it makes PostgreSQL's writers take
 * turns, as SQLite's BEGIN IMMEDIATE does, each for one short
 * transaction, and readers (Postfix's lookups) never wait for it. A wait
 * longer than the busy timeout is STORE_TEMP.
 */
static void pg_rollback(struct store *);

static enum store_status
pg_begin(struct store *bs)
{
	enum store_status r;

	if ((r = pg_exec(bs, "BEGIN")) != STORE_OK || bs->readonly)
		return r;
	if ((r = pg_exec(bs, "SELECT pg_advisory_xact_lock(7303552)")) !=
	    STORE_OK)
		pg_rollback(bs);
	return r;
}

static enum store_status
pg_commit(struct store *bs)
{
	return pg_exec(bs, "COMMIT");
}

static void
pg_rollback(struct store *bs)
{
	struct pg *s = PG(bs);

	if (s->c && PQtransactionStatus(s->c) != PQTRANS_IDLE) {
		PGresult *res = PQexec(s->c, "ROLLBACK");

		if (res)
			PQclear(res);
	}
}

/*
 * pg_lock - hold a key to the end of the transaction: two hosts
 * applying the policy to one address take turns instead of both
 * deciding from the same old state; one host migrates the schema while
 * the others wait for it
 */
static enum store_status
pg_lock(struct store *bs, const char *key)
{
	struct store_stmt *x;
	enum store_status r = STORE_OK;

	if (key == NULL)
		return pg_exec(bs, "SELECT pg_advisory_xact_lock(7303551)");
	pg_prepare(bs, "SELECT pg_advisory_xact_lock(hashtext(?1))", &x);
	pg_bind(x, 1, STORE_TEXT, key, 0);
	while (pg_step(bs, x, &r) == 1)
		;
	pg_finish(bs, x);
	return r;
}

/*
 * pg_reclaim - reclaim the dead rows so their space is reused; the bytes
 * stay in heap and index pages, the WAL and any base backup until then.
 * bouncer(1), ERASURE, says what does erase them (VACUUM FULL).
 */
static enum store_status
pg_reclaim(struct store *bs, const char *addr)
{
	struct sbuf b;
	enum store_status r;
	char *sql;
	size_t i;

	(void)addr;
	sbuf_init(&b);
	sbuf_add(&b, "VACUUM ");
	for (i = 0; i < store_ntables; i++)
		if (store_tables[i].addr)
			sbuf_printf(&b, "%s%s", b.len > 7 ? ", " : "",
			    store_tables[i].name);
	sql = sbuf_steal(&b);
	r = pg_exec(bs, sql);
	free(sql);
	return r;
}

/* pg_serial - new ids follow the ones copied in */
static enum store_status
pg_serial(struct store *bs, const char *table)
{
	enum store_status r;
	struct sbuf b;
	char *sql;

	sbuf_init(&b);
	sbuf_printf(&b, "SELECT setval(pg_get_serial_sequence('%s', 'id'), "
	    "coalesce(max(id), 0) + 1, false) FROM %s", table, table);
	sql = sbuf_steal(&b);
	r = pg_exec(bs, sql);
	free(sql);
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

enum store_status
store_pg_open(const char *uri, int busy_ms, int flags, struct store **out,
    char *err, size_t errlen)
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
	s->base.drv = &pg_driver;
	s->base.busy_ms = busy_ms;
	s->base.readonly = (flags & STORE_RDONLY) != 0;
	if (pq_load(err, errlen) == -1) {
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
	if ((r = pg_exec(&s->base, tmo)) != STORE_OK)
		goto bad;
	*out = &s->base;
	return STORE_OK;
bad:
	snprintf(err, errlen, "%s", s->base.err);
	pg_close(&s->base);
	return r;
}

static const struct store_driver pg_driver = {
	pg_close, pg_exec, pg_begin, pg_commit, pg_rollback, pg_prepare,
	pg_bind, pg_step, pg_column, pg_changes, pg_finish,
	{ "BIGSERIAL PRIMARY KEY", "", "strpos", "greatest",
	    "pg_tables WHERE schemaname = current_schema() AND tablename",
	    "information_schema.columns WHERE table_schema = current_schema() "
	    "AND table_name = $1 AND column_name",
	    /*
	     * plpgsql keeps a generic plan of its statements after five
	     * calls: made while --migrate-to's target was still empty, it
	     * scanned events for every row copied (quadratic). A plan
	     * made for each call sees the table as it is.
	     */
	    /* NOLINTNEXTLINE(bugprone-suspicious-missing-comma): one string */
	    "CREATE OR REPLACE FUNCTION {NAME}() RETURNS trigger LANGUAGE "
	    "plpgsql SET plan_cache_mode = force_custom_plan AS $$BEGIN "
	    "{BODY}; IF TG_OP = 'DELETE' THEN RETURN OLD; "
	    "END IF; RETURN NEW; END$$; DROP TRIGGER IF EXISTS {NAME} ON "
	    "{TABLE}; CREATE TRIGGER {NAME} {EVENT} ON {TABLE} FOR EACH ROW "
	    "EXECUTE PROCEDURE {NAME}()" },
	pg_lock, pg_reclaim, NULL, pg_serial,
};
