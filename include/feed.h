/*
 * feed.h - complaint and bounce feeds that are not mail (--import): JSON
 * lines in bouncer's feed schema
 *     {"email": "...", "type": "...", "isp": "...", "received_at": "..."}
 * or its list's (--list --json, --export), the webhooks of SES,
 * SendGrid, Postmark and Mailgun, CSV, plain lists of addresses; events
 * are applied with the same policy as bounces.
 */
#ifndef BOUNCER_FEED_H
#define BOUNCER_FEED_H

#include <stdio.h>
#include <time.h>

#include "classify.h"
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
	long	ignored;	/* webhook events about no deliverability
				   (opens, clicks, ...) */
	int	read_error;	/* the input failed (described in errs):
				   what came before it is applied */
};

/*
 * feed_import - read fp (named name in messages; its format found from
 * its content, see feed.c) into the store, committing every batch
 * records. A failure's diagnostic text goes through the classifier c
 * (NULL: the ESP's flag alone decides). class is a plain list's class (NULL: none given). Bad records
 * are described in errs ("name:line: why") and skipped. Returns the store
 * status of the last write; on STORE_TEMP nothing of the failed batch is
 * kept.
 */
enum store_status feed_import(FILE *, const char *, const char *,
	    struct store *, const struct classifier *,
	    const struct policy_cfg *, time_t, int,
	    struct feed_stats *, struct sbuf *);

#endif
