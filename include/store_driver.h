/*
 * store_driver.h - private to the store: what a database driver gives
 * the engine (store*.c), the way SQLite's VFS or Postfix's DICT keep what
 * sits above them written once. A driver knows its library and the few
 * things that truly differ between databases; every operation, report
 * query and migration is in the engine, in one SQL: "?N" placeholders
 * and a handful of {TOKENS} (store_schema.c) that the driver's dialect
 * fills in.
 */
#ifndef BOUNCER_STORE_DRIVER_H
#define BOUNCER_STORE_DRIVER_H

#include <stddef.h>

#include "store.h"

struct store_stmt;


/* The dialect: what each {TOKEN} of the engine's SQL becomes. */
enum store_token {
	TOK_ID,		/* an integer key numbered by the database */
	TOK_NOROWID,	/* after a table with a primary key of its own */
	TOK_INSTR,	/* position of a substring: instr(x, y) */
	TOK_GREATEST,	/* the larger of two values */
	TOK_TABLES,	/* the catalogue of tables, to "= name" */
	TOK_COLUMNS,	/* table ?1's columns, to "= name" (a token's
			   text is the driver's SQL: $1 for PostgreSQL) */
	TOK_TRIGGER,	/* a row trigger: {NAME} {EVENT} ON {TABLE} runs
			   {BODY} (SQL statements), each row as it goes */
	TOK_N
};

/*
 * The class a rate counts an event in, in SQL over events' columns:
 * opt-out reports are unsubscribes, unless unverified (those count in no
 * rate); policy.c's rate_class says the same of the event it stores.
 */
#define STORE_RATE_OF(R) "(CASE WHEN " R "class = 'unverified' THEN " R \
	"class WHEN " R "class = 'unsubscribe' OR " R "feedback_type IN " \
	"('opt-out', 'unsubscribe') THEN 'unsubscribe' ELSE " R "class END)"
#define STORE_RATE_CLASS STORE_RATE_OF("")
/* the classes rates are of */
#define STORE_RATED "('hard', 'soft', 'block', 'complaint', 'unsubscribe')"

/* Parameter types for bind. */
enum { STORE_TEXT, STORE_INT, STORE_NULL };

struct store_driver {
	void	(*close)(struct store *);
	/* a script of statements without parameters (migrations) */
	enum store_status (*exec)(struct store *, const char *);
	enum store_status (*begin)(struct store *);
	enum store_status (*commit)(struct store *);
	void	(*rollback)(struct store *);
	/* the engine's SQL, in the driver's dialect; a driver may cache it */
	enum store_status (*prepare)(struct store *, const char *,
		    struct store_stmt **);
	void	(*bind)(struct store_stmt *, int, int, const char *,
		    long long);
	/* 1: a row; 0: done; -1: failed, *r says how */
	int	(*step)(struct store *, struct store_stmt *,
		    enum store_status *);
	/* a column of the current row as text; NULL for SQL NULL */
	const char *(*column)(struct store_stmt *, int);
	/* rows the finished statement changed */
	long	(*changes)(struct store *, struct store_stmt *);
	void	(*finish)(struct store *, struct store_stmt *);

	/* The hooks. */
	const char *dialect[TOK_N];
	/*
	 * lock - hold a key to the end of the write transaction (NULL: the
	 * schema); NULL where the write lock is the whole database's
	 */
	enum store_status (*lock)(struct store *, const char *);
	/* reclaim - make an erased address's rows unreadable from the files */
	enum store_status (*reclaim)(struct store *, const char *);
	/* legacy - the schema version of a database from before bouncer_schema */
	enum store_status (*legacy)(struct store *, int *);
	/* serial - numbering goes on after copied ids (NULL: it does) */
	enum store_status (*serial)(struct store *, const char *);
};

/* The head of a driver's prepared statement. */
struct store_stmt {
	const struct store_driver *drv;
};

/* The head of every store; drivers extend it. */
struct store {
	const struct store_driver *drv;
	int		 busy_ms;	/* how long to wait for a lock */
	int		 readonly;
	int		 txn;		/* inside store_begin */
	char		 err[512];	/* last error, for store_error() */
};

/*
 * The one list of tables (store_schema.c): it creates the schema
 * (--init), and drives erasure, scrubbing and --migrate-to, so that no
 * table is forgotten by any of them.
 */
enum store_merge {
	MERGE_KEEP,	/* a row the target has (same key) stays */
	MERGE_MAX,	/* a counter: the larger value (last column) */
	MERGE_NEW,	/* no key: copied unless an equal row is there */
	MERGE_NONE	/* derived or local: not copied */
};
struct store_table {
	const char	*name;
	const char	*create;	/* the columns and keys, in SQL */
	const char	*index;		/* CREATE INDEX statements, or NULL */
	const char	*cols;		/* what a copy carries, in order */
	const char	*types;		/* one letter per copied column: t, i */
	const char	*key;		/* the unique key of a copied row */
	const char	*scrub;		/* key column, then text columns that
					   may hold an address, or NULL */
	enum store_merge merge;
	int		 addr;		/* rows are an address's (erasure) */
};
extern const struct store_table store_tables[];
extern const size_t store_ntables;

/*
 * The triggers that keep the aggregates (daily, audit_daily, listed) as
 * rows of the tables they sum come and go, made with every schema
 * (store.c: migrate).
 */
struct store_trigger {
	const char	*name;
	const char	*event;		/* AFTER INSERT, BEFORE DELETE, ... */
	const char	*table;
	const char	*body;		/* statements over NEW and OLD */
};
extern const struct store_trigger store_triggers[];
extern const size_t store_ntriggers;

/*
 * Forward migrations of databases made by an older bouncer: [v] takes
 * version v to v + 1, creating the tables named (as the list has them),
 * adding the columns and running the SQL. A new database is made from the list.
 */
#define STORE_VERSION	13
struct store_migration {
	const char	*tables;	/* created from the list, or NULL */
	const char	*sql;		/* or NULL */
	/* "table column definition" items, ";" between them, added
	   unless there (a table made from the list has them), or NULL */
	const char	*columns;
};
extern const struct store_migration store_migrations[STORE_VERSION];

/*
 * store_sql - the engine's SQL in a dialect: {TOKENS} replaced, and "?N"
 * as "$N" when dollar is set. Caller frees.
 */
char	*store_sql(const char *, const char *const *, int);
/* store_subst - t with each of n names replaced by its value; caller frees */
char	*store_subst(const char *, const char *const *, const char *const *,
	    size_t);
/* store_version - the schema version in bouncer_schema; 0: none (store.c) */
enum store_status store_version(struct store *, int *);
/* store_host - this host's name, for its own --maillog positions */
void	store_host(char *, size_t);

/*
 * Drivers' open: the database at a path or URI, busy_ms, STORE_RDONLY.
 * On failure the message is in err.
 */
enum store_status store_sqlite_open(const char *, int, int, struct store **,
	    char *, size_t);
enum store_status store_pg_open(const char *, int, int, struct store **,
	    char *, size_t);

/*
 * The engine's own helpers over the driver (store.c): a statement with
 * its parameters, one letter each in fmt: s text (NULL as ""), S text
 * or NULL, i integer (long long), z integer or NULL when 0.
 */
enum store_status store_q(struct store *, struct store_stmt **, const char *,
	    const char *, ...);
/* store_run - a statement without rows; *changes (may be NULL) */
enum store_status store_run(struct store *, long *, const char *,
	    const char *, ...);
/* store_one - the integer of a one-row query; 0 without a row */
enum store_status store_one(struct store *, long long *, const char *,
	    const char *, ...);
int	store_row(struct store *, struct store_stmt *, enum store_status *);
const char *store_col(struct store_stmt *, int);	/* "" for NULL */
long long store_coli(struct store_stmt *, int);
void	store_done(struct store *, struct store_stmt *);

#endif
