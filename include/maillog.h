/*
 * maillog.h - Postfix's own log as a source: the smtp(8)/lmtp(8)
 * delivery lines "QUEUEID: to=<addr>, ..., dsn=X.Y.Z, status=bounced|
 * deferred|sent (reply)". Bounced and deferred lines are classified and
 * stored like bounces; sent lines are counted per domain and day (the
 * report's rates) and reset an address's soft count. Where each file
 * was read to is remembered (inode and offset), so cron can run it every
 * few minutes; a rotated file is finished before its successor is read.
 * A message's campaign is learnt from its cleanup(8) header_checks INFO
 * line or its qmgr(8) from= line, which come before its delivery lines;
 * a delivery whose message was logged before the part read is counted
 * without a campaign.
 */
#ifndef BOUNCER_MAILLOG_H
#define BOUNCER_MAILLOG_H

#include <stdio.h>
#include <time.h>

#include "classify.h"
#include "policy.h"
#include "store.h"

/*
 * Whose journal entries are Postfix's by default: its daemons run as
 * root (master, local, pipe) or mail_owner (smtp, cleanup, qmgr)
 */
#define MAILLOG_USERS	"root postfix"
/*
 * The store's counter of the journal's entries in Postfix's name from
 * users not in maillog_users, ignored (--metrics): someone on this host
 * forges Postfix's log
 */
#define MAILLOG_FOREIGN	"maillog_foreign"

struct maillog_opts {
	/* where the log names a message's campaign (campaign.h) */
	const char	*header;	/* logged by header_checks INFO */
	int		 verp;		/* qmgr's from=<prefix+...@...> */
	const char	*delims;	/* VERP delimiters */
	int		 top_domains;	/* largest destinations with their own
					   metric series (store_label_domains) */
	int		 follow;	/* --follow: read on as the log grows,
					   until SIGTERM */
	const char	*users;		/* the journal: the users (names or
					   IDs) whose entries are Postfix's;
					   NULL: MAILLOG_USERS */
};

struct maillog_stats {
	long	lines;		/* lines read */
	long	deliveries;	/* smtp/lmtp delivery lines */
	long	sent;
	long	bounced;
	long	deferred;
	long	duplicates;
	long	suppressed;
	long	tied;		/* --follow: pending reports tied ... */
	long	unverified;	/* ... and recorded as never tied */
	long	foreign;	/* the journal: Postfix's lines from a user
				   not in users, ignored */
};

/*
 * maillog_read - read path ("-": standard input, no position kept) into
 * the store, in short transactions each with the position it reached
 * (every 5,000 lines or 100 ms, so a bounce piped meanwhile waits at
 * most that long for the write lock). now dates lines
 * whose timestamp has no year. With follow, it reads on as the file
 * grows (rotation and truncation followed) or the pipe delivers, and
 * settles pending reports as it goes (trust = sent), until SIGTERM,
 * SIGINT or SIGHUP, after which it commits what it read and returns.
 */
enum store_status maillog_read(const char *, struct store *,
	    const struct classifier *, const struct policy_cfg *, time_t,
	    struct maillog_stats *, char **, const struct maillog_opts *);

#endif
