/*
 * report.h - what the store says about the last days (--report) and the
 * Prometheus text exposition for node_exporter's textfile collector
 * (--metrics).
 */
#ifndef BOUNCER_REPORT_H
#define BOUNCER_REPORT_H

#include <stdio.h>
#include <time.h>

#include "store.h"

struct report_opts {
	time_t	since;		/* report events at or after */
	time_t	now;
	int	json;
	double	warn_hard;	/* percent of sent: 2.0 */
	double	warn_complaint;	/* percent of sent: 0.1 */
	long	min_sent;	/* domains with fewer sent get no rate warning */
};

enum store_status report_print(struct store *, const struct report_opts *,
	    FILE *);
enum store_status report_metrics(struct store *, FILE *);

#endif
