/*
 * feed.h - complaint and bounce feeds that are not mail: JSON lines in
 * the normalised schema an ESP webhook or an ISP's JSON feed maps to,
 *     {"email": "...", "type": "...", "isp": "...", "received_at": "..."}
 * applied with the same policy as bounces (--import).
 */
#ifndef BOUNCER_FEED_H
#define BOUNCER_FEED_H

#include <stdio.h>
#include <time.h>

#include "policy.h"
#include "store.h"
#include "util.h"

struct feed_stats {
	long	lines;		/* non-empty lines read */
	long	applied;	/* events stored (not duplicates) */
	long	duplicates;
	long	suppressed;	/* addresses newly suppressed */
	long	bad;		/* lines refused (described in errs) */
	long	erased;		/* lines for erased addresses, skipped */
};

/*
 * feed_import - read JSON lines from fp (named name in messages) into the
 * store, committing every batch lines. Bad lines are described in errs
 * ("name:line: why") and skipped. Returns the store status of the last
 * write; on STORE_TEMP nothing of the failed batch is kept.
 */
enum store_status feed_import(FILE *, const char *, struct store *,
	    const struct policy_cfg *, time_t, int, struct feed_stats *,
	    struct sbuf *);

#endif
