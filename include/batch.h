/*
 * batch.h - --replay: many messages into the store, one transaction per
 * batch, with a progress line on a terminal and a summary at the end.
 */
#ifndef BOUNCER_BATCH_H
#define BOUNCER_BATCH_H

#include <stdio.h>

#include "ingest.h"

#define BATCH_REASONS	40	/* distinct reasons counted */

struct batch_opts {
	char		**paths;
	int		  npaths;
	size_t		  max_size;
	int		  batch;	/* messages per transaction */
	const char	 *quarantine;	/* directory, or NULL */
	int		  progress;	/* draw the progress line */
	int		  log;		/* syslog each recipient */
	int		  jobs;		/* processes that parse and classify;
					   1: all in the caller's */
};

struct batch_stats {
	long	messages;	/* read */
	long	bounces;	/* parsed as bounces or complaints */
	long	not_bounces;
	long	unparseable;	/* includes messages over the size limit */
	long	quarantined;
	long	recipients;
	long	duplicates;
	long	suppressed;	/* newly suppressed or escalated */
	long	by_class[10];	/* see batch_classes[] */
	struct { const char *reason; long n; } reasons[BATCH_REASONS];
	int	nreasons;
	double	seconds;
	int	worker_failed;	/* a worker process died: the replay stopped */
	long	unfinished;	/* read, but not finished: its worker failed */
};

extern const char *batch_classes[10];

/*
 * batch_replay - ingest every message of o->paths with x (x->store NULL
 * for a dry run). Unparseable messages are named on stderr (file and
 * offset) and copied to the quarantine. Returns the store status; on
 * STORE_TEMP the batches committed so far are kept (a rerun finishes the
 * job: duplicates count once).
 */
enum store_status batch_replay(struct ingest_ctx *, const struct batch_opts *,
	    struct batch_stats *);
/* batch_summary - the table printed at the end */
void	batch_summary(FILE *, const struct batch_stats *, int);

#endif
