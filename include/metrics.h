/*
 * metrics.h - the Prometheus series of --metrics beyond the totals in
 * report.c: per destination domain (the largest ones, the rest as
 * "other"), per campaign, the pipe-mode duration histogram, standing
 * alerts and paused destinations. Every _total only rises: it is read
 * from counters kept as events arrive (store.h, STORE_Q_COUNTS), never
 * from rows that erasure or retention delete.
 */
#ifndef BOUNCER_METRICS_H
#define BOUNCER_METRICS_H

#include <stdio.h>
#include <time.h>

#include "store.h"

/* pipe-mode duration histogram: upper bounds in seconds (then +Inf) */
#define METRICS_PIPE_NBUCKETS	12
extern const double metrics_pipe_buckets[METRICS_PIPE_NBUCKETS];

/* campaigns with their own series: the most sent to in the last 7 days */
#define METRICS_CAMPAIGNS	10

/* metrics_series - print the series; now picks the recent campaigns */
enum store_status metrics_series(struct store *, time_t, FILE *);

#endif
