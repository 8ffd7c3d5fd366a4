/*
 * store_impl.h - private to the store backends: what every backend
 * provides, and the common head of its store object. See store.h for
 * what each operation promises.
 */
#ifndef BOUNCER_STORE_IMPL_H
#define BOUNCER_STORE_IMPL_H

#include "store.h"

struct store_ops {
	void	(*close)(struct store *);
	enum store_status (*begin)(struct store *);
	enum store_status (*commit)(struct store *);
	void	(*rollback)(struct store *);
	enum store_status (*event_add)(struct store *,
		    const struct store_event *, int *);
	enum store_status (*soft_count)(struct store *, const char *, time_t,
		    time_t, int *);
	enum store_status (*get)(struct store *, const char *,
		    struct store_entry *, int *);
	enum store_status (*put)(struct store *, const struct store_entry *);
	enum store_status (*del)(struct store *, const char *);
	enum store_status (*audit)(struct store *, const struct store_audit *);
	enum store_status (*list)(struct store *, const char *, time_t,
		    store_entry_cb, void *);
	enum store_status (*expired)(struct store *, time_t, store_entry_cb,
		    void *);
	enum store_status (*history)(struct store *, const char *,
		    store_event_cb, store_audit_cb, void *);
	/* forget: rows, text, tombstone (kid, hash), then the files */
	enum store_status (*forget)(struct store *, const char *,
		    const char *, const char *, time_t, int *);
	enum store_status (*erasures)(struct store *, long *);
	enum store_status (*sent_add)(struct store *, const char *, time_t,
		    long);
	enum store_status (*logpos_get)(struct store *, const char *,
		    unsigned long long *, long long *, char *, size_t, int *);
	enum store_status (*logpos_set)(struct store *, const char *,
		    unsigned long long, long long, const char *);
	enum store_status (*query)(struct store *, enum store_query, time_t,
		    store_row_cb, void *);
	enum store_status (*last_event)(struct store *, time_t *);
	enum store_status (*campaign_sent_add)(struct store *, const char *,
		    time_t, long);
	enum store_status (*alert_set)(struct store *, const char *,
		    const char *, time_t);
	enum store_status (*pause_set)(struct store *, const char *, time_t,
		    time_t, const char *);
	enum store_status (*count_add)(struct store *, const char *,
		    const char *, const char *);
	enum store_status (*pipe_time)(struct store *, int, long long);
	enum store_status (*label_domains)(struct store *, int);
	/* --migrate-to: rows out of a source (SQLite), into a target (PostgreSQL) */
	enum store_status (*dump)(struct store *, int,
		    int (*)(const char *const *, void *), void *);
	enum store_status (*load)(struct store *, int, const char *const *);
	/* the listing under the top one (store.h, store_held_get) */
	enum store_status (*held_get)(struct store *, const char *,
		    struct store_entry *, int *);
	enum store_status (*held_put)(struct store *,
		    const struct store_entry *);
	enum store_status (*held_del)(struct store *, const char *);
	enum store_status (*event_near)(struct store *, const char *,
		    const char *, const char *, time_t, time_t, int *);
	/* trust = sent: the mail we sent, pending reports; counters */
	enum store_status (*outbound_add)(struct store *, const char *,
		    const char *, const char *, time_t);
	enum store_status (*outbound_tied)(struct store *, const char *,
		    const char *, const char *, int *);
	enum store_status (*outbound_purge)(struct store *, time_t);
	enum store_status (*outbound_nrcpt)(struct store *, const char *,
		    long, time_t);
	enum store_status (*pending_add)(struct store *,
		    const struct store_event *, time_t, int *);
	enum store_status (*pending_each)(struct store *, store_pending_cb,
		    void *);
	enum store_status (*pending_del)(struct store *, const char *);
	enum store_status (*counter)(struct store *, const char *, long,
		    long *);
	enum store_status (*counter_set)(struct store *, const char *, long);
	/* erasure keys (kid, hex key, own) and tombstones (kid, hash) */
	enum store_status (*keys)(struct store *,
		    int (*)(const char *, const char *, int, void *), void *);
	enum store_status (*key_add)(struct store *, const char *,
		    const char *);
	enum store_status (*tombstones)(struct store *,
		    int (*)(const char *, const char *, void *), void *);
	enum store_status (*expire_events)(struct store *, time_t, long *);
	/* incidents (store.h) */
	enum store_status (*failure_add)(struct store *, time_t, const char *,
		    const char *, const char *, time_t);
	enum store_status (*failure_addresses)(struct store *, const char *,
		    const char *, time_t, int (*)(const char *, void *), void *);
	enum store_status (*incident_find)(struct store *, const char *,
		    const char *, time_t, struct store_incident *, int *);
	enum store_status (*incident_put)(struct store *,
		    struct store_incident *);
	enum store_status (*incidents)(struct store *, time_t,
		    store_incident_cb, void *);
	/* events of address in a rate class less than a day from t */
	enum store_status (*rate_events)(struct store *, const char *,
		    const char *, time_t, long *);
	enum store_status (*logseen)(struct store *, const char *, time_t,
		    int *);
	enum store_status (*logseen_purge)(struct store *, time_t);
};

/* The tables --migrate-to copies, in order, and their columns. */
struct store_table {
	const char	*name;
	const char	*cols;
	int		 ncols;
	int		 addr;		/* column of the address, -1: none */
};
extern const struct store_table store_tables[];
#define STORE_NTABLES	11	/* suppression, events, audit, sent, meta,
				   sent_campaign, held, event_counts,
				   erase_keys, erased, counts */

/*
 * Text columns --forget scrubs of an erased address in other rows: table,
 * row key, column. store_scrub_text - t with every occurrence of addr
 * (any case) replaced by "[erased]"; caller frees.
 */
struct store_scrub {
	const char	*table;
	const char	*key;
	const char	*col;
};
#define STORE_NSCRUBS	6
extern const struct store_scrub store_scrubs[];
char	*store_scrub_text(const char *, const char *);
/* store_host - this host's name, for its own --maillog positions */
void	store_host(char *, size_t);

/* The head of every backend's object. */
struct store {
	const struct store_ops	*ops;
	int			 busy_ms;	/* how long to wait for a lock */
	char			 err[512];	/* last error, for store_error() */
};

enum store_status store_sqlite_open(const char *, int, int, struct store **,
	    char **);
enum store_status store_pg_open(const char *, int, int, struct store **,
	    char **);

#endif
