/*
 * ingest.h - one message from bytes to stored consequences: parse,
 * classify every recipient, and hand each one to the policy. Shared by
 * the pipe transport and replay; the caller owns the transaction.
 */
#ifndef BOUNCER_INGEST_H
#define BOUNCER_INGEST_H

#include <stddef.h>
#include <time.h>

#include "bounce.h"
#include "classify.h"
#include "parse.h"
#include "policy.h"
#include "store.h"
#include "verp.h"

enum ingest_status {
	INGEST_OK = 0,		/* processed (or dry run) */
	INGEST_NOTBOUNCE,	/* ignored: not a bounce */
	INGEST_BROKEN,		/* ignored: a bounce we cannot read */
	INGEST_STORE		/* the store failed: see store_error() */
};

struct ingest_ctx {
	const struct classifier	*classifier;
	struct store		*store;		/* NULL: dry run */
	const struct policy_cfg	*policy;
	struct parse_opts	 parse;
	time_t			 now;
	int			 msg_time;	/* date events by the message */
	int			 make_keys;	/* dedup keys without a store:
						   pipe mode parses before it
						   opens the store */
	const struct verp_keys	*keys;		/* NULL: no signing key */
	int			 require_signed;
	time_t			 sign_max_age;
	time_t			 unsub_max_age;	/* unsubscribe tokens, 0: any */
};

/* What happened to each recipient of the last message, by index. */
struct ingest_result {
	struct bounce		 b;		/* freed by ingest_result_free */
	enum policy_outcome	*outcome;
	char			**keys;		/* dedup key by index, NULL:
						   not stored */
	const char		*why;		/* for INGEST_BROKEN, static */
	int			 broken;	/* unreadable, recorded for its
						   VERP recipient (why says
						   why): keep a copy */
	enum store_status	 store_status;
};

/* ingest_message - r is zeroed by ingest; free it with ingest_result_free */
enum ingest_status ingest_message(const struct ingest_ctx *, const char *,
	    size_t, struct ingest_result *);
/*
 * The same in two steps, for replay's worker processes: ingest_analyse
 * parses and classifies and touches no store (what a worker runs);
 * ingest_store applies the policy, in the one process that stores, in the
 * order of the messages.
 */
enum ingest_status ingest_analyse(const struct ingest_ctx *, const char *,
	    size_t, struct ingest_result *);
enum ingest_status ingest_store(const struct ingest_ctx *,
	    struct ingest_result *);
void	ingest_result_free(struct ingest_result *);
/*
 * ingest_settle - after --maillog: every pending report that can now be
 * tied to mail we sent is acted on; one still untied pending_wait after
 * it arrived is recorded as unverified. Forgets sent mail older than
 * sent_retention, and notes now as the time the log was last read
 * (pending.h: --alert, --report). Runs in the caller's transaction.
 */
enum store_status ingest_settle(struct store *, const struct policy_cfg *,
	    time_t, long *, long *);
/*
 * ingest_quarantine - keep a copy of a message in dir (a file of its
 * own, mode 0600, synced); -1 with *err (caller frees) on failure
 */
int	ingest_quarantine(const char *, const char *, size_t, char **);
/*
 * ingest_log - one syslog line per recipient, Postfix style, once the
 * outcome is stored (or always, for a dry run); qid, when not NULL, is
 * the queue ID of the delivery to bouncer (pipe(8)'s ${queue_id})
 */
void	ingest_log(const struct ingest_result *, int, const char *);
/*
 * ingest_dedup_key - the deduplication key of recipient i: the same
 * bounce delivered or replayed twice gives the same key. digest is
 * ingest_message_digest() of the message, read only when it has no
 * Message-ID. Caller frees.
 */
char	*ingest_dedup_key(const struct bounce *, size_t, const char *);
/* ingest_message_digest - SHA-256 of a message, From_ and CRs aside */
char	*ingest_message_digest(const char *, size_t);
/*
 * ingest_queue_key - the key of one log line about a Postfix queue file
 * and a recipient at time t. Caller frees.
 */
char	*ingest_queue_key(const char *, const char *, const char *, time_t);

#endif
