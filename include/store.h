/*
 * store.h - the suppression store: the only interface the policy and
 * command line use to keep state. Backend-neutral: one engine over a
 * driver for SQLite and one for PostgreSQL (store_driver.h).
 *
 * Three tables (bouncer(1), FILES): the suppression list Postfix reads,
 * the bounce events that produced it, and an append-only audit log.
 * Every function returns a store_status; STORE_TEMP means "retry later"
 * (locked past the busy timeout, read-only, disk full, I/O error,
 * corrupt file), which the pipe transport turns into exit 75.
 */
#ifndef BOUNCER_STORE_H
#define BOUNCER_STORE_H

#include <stddef.h>
#include <time.h>

enum store_status {
	STORE_OK = 0,
	STORE_TEMP,	/* transient: Postfix should retry */
	STORE_FAIL	/* permanent: bad request or unusable database */
};

struct store;

/* One row of the suppression list. Strings are borrowed or owned as said. */
struct store_entry {
	char	*address;
	char	*class;		/* manual, unsubscribe, hard, complaint, soft */
	char	*reason;
	char	*status;
	char	*source;	/* bounce, complaint, unsubscribe, manual,
				   import, maillog */
	char	*note;
	time_t	 first_seen;
	time_t	 last_seen;
	time_t	 expires;	/* 0: never */
	int	 soft_count;
};

/* One bounce event. All strings borrowed from the caller. */
struct store_event {
	time_t		 time;
	const char	*address;
	const char	*class;
	const char	*reason;
	const char	*status;
	const char	*replycode;
	const char	*action;
	const char	*diagnostic;
	const char	*reporting_mta;
	const char	*remote_mta;
	const char	*message_id;
	const char	*queue_id;
	const char	*source;
	const char	*feedback_type;
	const char	*dedup;		/* deduplication key */
	const char	*campaign;	/* what the returned message or the
					   sent log says; NULL or "": none */
	const char	*evidence;	/* pending rows only: what vouches for
					   the recipient besides the log
					   (ingest.c); NULL or "": nothing */
};

struct store_audit {
	time_t		 time;
	const char	*address;
	const char	*action;	/* added, escalated, updated, released, expired */
	const char	*class;
	const char	*reason;
	const char	*why;
};

#define STORE_RDONLY	0x01	/* open for reading only; never create */
#define STORE_CREATE	0x02	/* --init: create a missing or empty store;
				   without it a missing file, an empty one
				   or one without bouncer's schema is an
				   error (STORE_TEMP), never a fresh start */

/* store_is_pg - 1 when the database name is a PostgreSQL URI */
int	store_is_pg(const char *);

/*
 * store_open - open (migrating, unless STORE_RDONLY; creating only with
 * STORE_CREATE) the store at path; busy_ms is how long to wait for a
 * lock. On failure *err (caller frees) says why.
 */
enum store_status store_open(const char *, int, int, struct store **,
	    char **);
void	store_close(struct store *);
/* store_error - the last error message, borrowed */
const char *store_error(const struct store *);
/* store_fail - set the error store_error gives; returns the status */
enum store_status store_fail(struct store *, enum store_status,
	    const char *, ...) __attribute__((format(printf, 3, 4)));

/* Write transactions: BEGIN IMMEDIATE ... COMMIT, kept short. */
enum store_status store_begin(struct store *);
enum store_status store_commit(struct store *);
void	store_rollback(struct store *);

/* store_event_add - add an event; *dup is 1 (nothing added) for a known key */
enum store_status store_event_add(struct store *, const struct store_event *,
	    int *);
/*
 * store_count_event - count an added event in the counters that only go
 * up (per class and reason; with its rate class, NULL: none, per domain
 * and campaign), which erasure and retention never lower
 */
enum store_status store_count_event(struct store *,
	    const struct store_event *, const char *);
/*
 * store_rate_events - *n: events of address counted in that rate class
 * within a day either side of t (the one just added among them)
 */
enum store_status store_rate_events(struct store *, const char *,
	    const char *, time_t, long *);
/*
 * store_lock_address - inside a write transaction, hold the address to
 * its end: writers on other hosts that decide about it wait their turn
 * (PostgreSQL; SQLite's write lock is already the whole database's)
 */
enum store_status store_lock_address(struct store *, const char *);
/*
 * store_event_near - *found 1 when an event for the same queue ID,
 * address and action lies within window seconds of t: the same failure
 * of one queue file, from the log and from its DSN
 */
enum store_status store_event_near(struct store *, const char *,
	    const char *, const char *, time_t, time_t, int *);
/*
 * store_soft_count - soft events for address after since and after the
 * last "delivered" event that stands: the rolling soft-bounce count. A
 * delivery stands when no failure (soft or hard) of the address follows
 * it within the last argument's seconds: mail accepted and then returned
 * ("mailbox full" after status=sent) resets nothing.
 */
enum store_status store_soft_count(struct store *, const char *, time_t,
	    time_t, int *);
/*
 * store_get - the row of address on the suppression list (STORE_LIST)
 * or the held layer (STORE_HELD: the listing that an outranking one, an
 * operator's --add or an unsubscribe, covers, one per address, restored
 * when the covering one is lifted; Postfix never reads it); *found 0
 * when none. Free with store_entry_free. store_put inserts or replaces
 * it, store_delete removes it.
 */
#define STORE_LIST	0
#define STORE_HELD	1
enum store_status store_get(struct store *, int, const char *,
	    struct store_entry *, int *);
void	store_entry_free(struct store_entry *);
enum store_status store_put(struct store *, int, const struct store_entry *);
enum store_status store_delete(struct store *, int, const char *);
enum store_status store_audit(struct store *, const struct store_audit *);

/* Iterators: the callback returns 0 to go on, -1 to stop. */
typedef int (*store_entry_cb)(const struct store_entry *, void *);
typedef int (*store_event_cb)(const struct store_event *, void *);
typedef int (*store_audit_cb)(const struct store_audit *, void *);

/* store_list - suppressed addresses, filtered by class (NULL: any) and seen since */
enum store_status store_list(struct store *, const char *, time_t,
	    store_entry_cb, void *);
/* store_expired - rows whose expiry is at or before now */
enum store_status store_expired(struct store *, time_t, store_entry_cb,
	    void *);
enum store_status store_history(struct store *, const char *,
	    store_event_cb, store_audit_cb, void *);
/*
 * Erasure (GDPR; erase.c decides, the store keeps): the keys (kid, hex
 * key, 1 for the store's own) and the tombstones (kid, keyed hash) as
 * callbacks that return 0 to go on; store_erase_key_add makes the own
 * key unless there is one.
 */
enum store_status store_erase_keys(struct store *,
	    int (*)(const char *, const char *, int, void *), void *);
enum store_status store_erase_key_add(struct store *, const char *,
	    const char *);
enum store_status store_tombstones(struct store *,
	    int (*)(const char *, const char *, void *), void *);
/*
 * store_erase_mark - a number that changes whenever a key or a
 * tombstone is added (neither is ever removed): whether to read them again
 */
enum store_status store_erase_mark(struct store *, long *);
/*
 * store_forget - erase every trace of address: its rows, and the
 * address in other rows' text; count the erasure anonymously when there
 * was something to erase; leave its tombstone (kid, hash). Then make it
 * unreadable from the files: SQLite overwrites the freed cells, copies
 * the WAL back and truncates it (never waiting for a reader while it
 * holds the write lock, up to the busy timeout) and rebuilds the file
 * when the address is still found in it; STORE_TEMP when a reader kept
 * the old pages. Called outside a transaction; short ones inside. *n is
 * the number of rows removed.
 */
enum store_status store_forget(struct store *, const char *, const char *,
	    const char *, time_t, int *);
/*
 * store_expire_events - delete up to limit of the events older than
 * before (event_ttl), oldest first; counters stay. *n: how many. The
 * caller commits each call and calls again while *n == limit: short
 * transactions.
 */
enum store_status store_expire_events(struct store *, time_t, long, long *);
/* store_erasures - the anonymous count of erasures */
enum store_status store_erasures(struct store *, long *);

/* Sent counts (from Postfix's log), per recipient domain and day. */
enum store_status store_sent_add(struct store *, const char *, time_t, long);

/*
 * store_pipe_time - count one pipe-mode run in a duration bucket (an
 * index into the caller's bounds) and add its microseconds to the sum
 */
#define STORE_PIPE_SUM	(-1)
enum store_status store_pipe_time(struct store *, int, long long);
/*
 * store_label_domains - give the largest destinations by mail sent their
 * own metric series, up to n in all, once for good: what each had
 * counted until then is kept as its base, so that its series starts
 * at zero and "other" never goes down
 */
enum store_status store_label_domains(struct store *, int);

/* Sent counts per campaign and day. */
enum store_status store_campaign_sent_add(struct store *, const char *,
	    time_t, long);
/* store_alert_set - remember an alert's level since t; NULL level forgets it */
enum store_status store_alert_set(struct store *, const char *, const char *,
	    time_t);
/*
 * store_pause_set - pause a destination domain (Postfix's transport map
 * defers its mail) from since until expires; expires 0 lifts the pause
 */
enum store_status store_pause_set(struct store *, const char *, time_t,
	    time_t, const char *);

/*
 * Where --maillog stopped in a source: a file's inode and byte offset,
 * and a mark (up to 511 bytes) that identifies the position: what ends
 * at the offset in a file (maillog.c), the cursor in the journal. The
 * mark is copied into the caller's buffer; "" when none was kept.
 */
enum store_status store_logpos_get(struct store *, const char *,
	    unsigned long long *, long long *, char *, size_t, int *);
enum store_status store_logpos_set(struct store *, const char *,
	    unsigned long long, long long, const char *);
/*
 * store_logseen - note a delivery line's key (with the line's time);
 * *dup 1 when it was noted before: repeated input counts once.
 * store_logseen_purge forgets keys of lines older than the time given.
 */
enum store_status store_logseen(struct store *, const char *, time_t, int *);
enum store_status store_logseen_purge(struct store *, time_t);

/*
 * Aggregates for --report and --metrics. Each row callback gets up to
 * three text columns and a count; it returns 0 to go on.
 */
typedef int (*store_row_cb)(const char *, const char *, const char *, long,
	    void *);
enum store_query {
	STORE_Q_CLASS_REASON,	/* class, reason: events since */
	STORE_Q_DOMAIN_CLASS,	/* domain, class: addresses with events since
				   (hard, block, complaint) */
	STORE_Q_SENT_DOMAIN,	/* domain: sent since */
	STORE_Q_SUPPRESSED,	/* class: rows on the list now */
	STORE_Q_GROWTH,		/* audit action: changes since */
	STORE_Q_SOFT_FATE,	/* "recovered" or "escalated": addresses with soft events since */
	STORE_Q_FEEDBACK,	/* feedback type: complaint reports since */
	STORE_Q_RATES,		/* domain, rate class, "": addresses with
				   events since (hard, soft, block,
				   complaint, unsubscribe: opt-out reports
				   are unsubscribes); then "", rate class,
				   campaign: the same per campaign */
	STORE_Q_SENT_CAMPAIGN,	/* campaign: sent since */
	STORE_Q_ALERTS,		/* key, level: alert states (count: since) */
	STORE_Q_PAUSES,		/* domain, why: paused destinations (count:
				   expires) */
	STORE_Q_DAILY,		/* day (YYYY-MM-DD), rate class: addresses
				   with events that day, since */
	STORE_Q_SENT_DAILY,	/* day: sent since */
	STORE_Q_GROWTH_DAILY,	/* day, audit action: changes since */
	STORE_Q_COUNTS,		/* kind (domain, campaign), name, rate class:
				   events ever counted, an address once a
				   class and day (never decrease) */
	STORE_Q_METRIC_BASE,	/* domain, class (or "sent"): counts when the
				   domain got its own metric series */
	STORE_Q_PIPE_SECONDS,	/* bucket: pipe-mode runs per duration bucket
				   (STORE_PIPE_SUM: microseconds in all) */
	STORE_Q_LAST_BLOCK,	/* domain (count: time of its newest block
				   event since) */
	STORE_Q_EVENT_TOTALS	/* class, reason: events ever recorded (a
				   counter: erasure and retention leave it) */
};
enum store_status store_query(struct store *, enum store_query, time_t,
	    store_row_cb, void *);
/* store_last_event - time of the newest event, 0 when none */
enum store_status store_last_event(struct store *, time_t *);

/*
 * What --maillog learned of the mail this server sent, for trust = sent
 * (bouncer.conf(5)): a row per queue ID and recipient (smtp/lmtp
 * delivery lines), and one with the recipient "" carrying the queue
 * file's Message-ID (cleanup's line) and its number of recipients
 * (qmgr's nrcpt=, when more than one). Kept for a retention time.
 */
enum store_status store_outbound_add(struct store *, const char *,
	    const char *, const char *, time_t);
/*
 * store_outbound_tied - what the log says of the recipient and the
 * message named by its queue ID and/or Message-ID (either may be NULL),
 * in *tied: the message's queue IDs are the one given and those that
 * carried the Message-ID.
 */
#define STORE_TIE_NONE		0	/* not sent to that recipient */
#define STORE_TIE_SHARED	1	/* sent to it among other recipients */
#define STORE_TIE_ALONE		2	/* sent to that recipient alone (no
					   other recipient in the log, and
					   qmgr's nrcpt, when read, is 1) */
#define STORE_TIE_FAILED	3	/* Postfix's own log has its delivery
					   to the recipient bounced or
					   deferred (--maillog's events) */
enum store_status store_outbound_tied(struct store *, const char *,
	    const char *, const char *, int *);
/*
 * store_outbound_nrcpt - the number of recipients of the message with
 * that queue ID, as qmgr logged it when the message entered the active
 * queue (nrcpt=), before any delivery line: a message with more than one
 * is never "sent alone", whatever delivery lines have been read so far
 */
enum store_status store_outbound_nrcpt(struct store *, const char *, long,
	    time_t);
/* store_outbound_purge - forget what is older than the time given */
enum store_status store_outbound_purge(struct store *, time_t);

/*
 * Pending events: reports that cannot be tied to our mail yet, kept
 * until --maillog has read the log they may be in. The key is the
 * event's dedup; *dup 1 when that one is already pending. arrived is
 * when bouncer got the report.
 */
enum store_status store_pending_add(struct store *,
	    const struct store_event *, time_t, int *);
typedef int (*store_pending_cb)(const struct store_event *, time_t, void *);
enum store_status store_pending_each(struct store *, store_pending_cb,
	    void *);
enum store_status store_pending_del(struct store *, const char *);

/*
 * Counters kept in the store (limits' hits, the current hour's
 * unverified events): store_counter adds delta (0: only reads) and
 * gives the new value; store_counter_set sets it.
 */
enum store_status store_counter(struct store *, const char *, long, long *);
enum store_status store_counter_set(struct store *, const char *, long);

/*
 * store_copy - copy every table of from into to (either database into
 * the other), in short transactions of the target (TXN_SECONDS); rows
 * the target already has are kept (counters keep the larger value), so
 * running it twice changes nothing and a copy cut short is completed by
 * running it again. A source whose schema is not this bouncer's is
 * refused. An address's rows are skipped when skip (may be NULL) says
 * so (erased in the target), fresh (may be NULL) is called at the start
 * of each transaction of the target (to read what skip knows again);
 * progress (may be NULL) is called with the table and rows done.
 */
struct store_copy_cb {
	int	(*skip)(const char *, void *);
	enum store_status (*fresh)(struct store *, void *);
	void	(*progress)(const char *, long, void *);
	void	*arg;
};
enum store_status store_copy(struct store *, struct store *,
	    const struct store_copy_cb *);

/*
 * Incidents (policy.c): many recipients at one destination failing with
 * the same diagnostic within a short window: our IP listed, our DNS
 * broken, a receiver's outage. Each failure is noted for the detection
 * (kept a while, erased by --forget); an incident is one row, found again
 * and extended while it goes on. Strings of a store_incident the store
 * fills are the caller's (store_incident_free).
 */
struct store_incident {
	long	 id;		/* 0: not stored yet */
	char	*domain;	/* the destination */
	char	*fingerprint;	/* of the diagnostic, as policy.c makes it */
	char	*diagnostic;	/* the first failure's, the address masked */
	char	*reason;	/* what the first failure was read as */
	time_t	 first_seen;
	time_t	 last_seen;
	long	 recipients;	/* distinct addresses in it */
};
void	store_incident_free(struct store_incident *);
/* store_failure_add - note one failure; notes before prune are dropped */
enum store_status store_failure_add(struct store *, time_t, const char *,
	    const char *, const char *, time_t);
/*
 * store_failure_addresses - each distinct address noted with domain and
 * fingerprint since a time; the callback returns 0 to go on
 */
enum store_status store_failure_addresses(struct store *, const char *,
	    const char *, time_t, int (*)(const char *, void *), void *);
/* store_incident_find - the incident of domain and fingerprint seen since */
enum store_status store_incident_find(struct store *, const char *,
	    const char *, time_t, struct store_incident *, int *);
/* store_incident_put - store an incident; a new one (id 0) gets its id */
enum store_status store_incident_put(struct store *, struct store_incident *);
/* store_incidents - incidents seen since a time, the latest first */
typedef int (*store_incident_cb)(const struct store_incident *, void *);
enum store_status store_incidents(struct store *, time_t, store_incident_cb,
	    void *);

#endif
