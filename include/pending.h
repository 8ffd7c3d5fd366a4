/*
 * pending.h - whether the reports waiting for Postfix's log are being
 * decided (issue 22: never silent). Under trust = sent a report that
 * cannot be tied to our mail waits in the store's pending table until
 * --maillog reads the log line that ties it; with no log reader nothing
 * is ever suppressed. This module says how many wait, for how long,
 * when the log was last read, and whether that is a problem, for
 * --lookup, --report (text, JSON, HTML), --metrics and --alert alike.
 */
#ifndef BOUNCER_PENDING_H
#define BOUNCER_PENDING_H

#include <stddef.h>
#include <time.h>

#include "store.h"
#include "util.h"

/* the store counter --maillog sets to the time it last read the log */
#define PENDING_LOG_READ	"maillog_read"

struct pending_state {
	long	 count;		/* reports pending */
	time_t	 oldest;	/* when the oldest arrived; 0: none */
	time_t	 log_read;	/* when --maillog last read the log; 0: never */
};

/* what the configuration says a healthy log reader looks like */
struct pending_watch {
	int	 needs_log;	/* trust = sent: untied reports wait for it */
	time_t	 stale;		/* maillog_stale: the log read within; 0 off */
	time_t	 wait;		/* pending_wait */
};

/* pending_gather - the whole table; address NULL, else that address's */
enum store_status pending_gather(struct store *, const char *,
	    struct pending_state *);
/* pending_log_read - note that the log was read to its end at now */
enum store_status pending_log_read(struct store *, time_t);
/*
 * pending_problem - 1 when the log reader is behind: under trust = sent
 * the log was never read, or not within stale, or a report has waited
 * longer than wait + stale (the log is read, but nothing decides it).
 * msg gets one line saying so and what to do; 0 when all is well.
 */
int	pending_problem(const struct pending_state *,
	    const struct pending_watch *, time_t, char *, size_t);
/* pending_age - "3h 5m", "2d 4h", "40s": an age for people */
const char *pending_age(time_t, char *, size_t);

#endif
