/*
 * logrun.h - a run of --maillog over one source (a file, a pipe, the
 * journal): what it has read is committed in short transactions, each
 * with the position it reached, so that a pipe-mode bouncer never waits
 * long for the write lock and a restart reads nothing twice; between
 * them, in --follow, pending reports are settled (trust = sent); SIGTERM,
 * SIGINT and SIGHUP end it after what was read is committed.
 */
#ifndef BOUNCER_LOGRUN_H
#define BOUNCER_LOGRUN_H

#include <time.h>

#include "logfile.h"
#include "logline.h"
#include "maillog.h"
#include "policy.h"
#include "store.h"

struct logapply;

/* The readers set path, ino and mark; the rest is logrun's. */
struct logrun {
	struct store		*s;
	const struct policy_cfg	*p;
	time_t			 now;	/* dates lines without a year */
	/*
	 * now when the run began, and the monotonic clock then: now moves
	 * on with the run (logrun_tick), or a run of days would put every
	 * year-less line more than a day after its start a year back
	 */
	time_t			 now0;
	double			 mono0;
	struct maillog_stats	*st;
	const struct maillog_opts *cp;
	struct logapply		*apply;	/* what a line says, into s */
	struct logline		 ll;	/* the line being read */
	char			 mark[512]; /* of the position (logfile_mark,
					   or the journal's cursor) */
	/* the file being read, whose position each commit records */
	const char		*path;
	unsigned long long	 ino;
	int			 follow; /* --follow: run until told to stop */
	char			*err;	/* why the log could not be read */
	struct timespec		 settled; /* pending reports last settled */
	int			 fresh;	/* lines committed since then */
	int			 open;	/* a transaction is open */
	struct timespec		 began;	/* ... since then */
	long			 lines;	/* ... with that many lines */
};

/* logrun_tick - now, as far on from now0 as the run has lasted */
void	logrun_tick(struct logrun *);
/* logrun_begin - open a transaction, if none is, and start its clock */
enum store_status logrun_begin(struct logrun *);
/*
 * logrun_end - commit, with the position end when reading a file (path
 * set); in --follow, settle after
 */
enum store_status logrun_end(struct logrun *, long long);
/* logrun_rollback - give up the open transaction, if any */
void	logrun_rollback(struct logrun *);
/* logrun_chunk - after a line: commit when the transaction is long enough */
enum store_status logrun_chunk(struct logrun *, long long);
/*
 * logrun_settle - settle pending reports, if trust = sent and it is
 * time to (force: whatever the time), in a transaction of its own
 */
enum store_status logrun_settle(struct logrun *, int);
/*
 * logrun_fill - more input from b, which has no whole line (or entry)
 * left: when none comes at once (a pipe whose writer pauses), commit
 * what was read, with the position end, and wait, settling meanwhile in
 * --follow. *more is 1 when there is more to read; 0 at the end, on
 * SIGTERM, or on a read error (then STORE_FAIL and r->err set).
 */
enum store_status logrun_fill(struct logrun *, struct logfile *, long long,
	    long long *, int *);

/* logrun_catch_stop - from now on SIGTERM, SIGINT, SIGHUP end the run */
void	logrun_catch_stop(void);
/* logrun_stopping - 1 once one of them came */
int	logrun_stopping(void);

#endif
