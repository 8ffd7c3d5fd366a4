/*
 * report.h - what the store says about the last days (--report) and the
 * Prometheus text exposition for node_exporter's textfile collector
 * (--metrics).
 */
#ifndef BOUNCER_REPORT_H
#define BOUNCER_REPORT_H

#include <stdio.h>
#include <time.h>

#include "pending.h"
#include "rates.h"
#include "store.h"
#include "util.h"

struct report_opts {
	time_t	since;		/* report events at or after */
	time_t	now;
	int	json;
	const struct thresholds *th;
	const struct pending_watch *watch;	/* the log reader's health */
};

/*
 * report_pending - the pending reports and the log reader's health, for
 * the three report formats: *problem 1 (with msg) when the log is not
 * being read (pending.h), a critical warning in each
 */
enum store_status report_pending(struct store *, const struct report_opts *,
	    struct pending_state *, int *, char *, size_t);

/* domains and campaigns listed with their rates in JSON */
#define REPORT_TOP	25

/* report_print - the report; *worst is the highest alert level (rates.h) */
enum store_status report_print(struct store *, const struct report_opts *,
	    FILE *, int *);
/* One alert as a line of text, and as a JSON object. */
/*
 * report_notes - what the warnings section says besides the warnings
 * (no sent counts, too little mail to judge, none), the same sentences
 * in the text, the JSON's warning_notes and the page: how many
 */
int	report_notes(long, long, size_t, char [2][160]);
void	report_alert_text(const struct alert *, FILE *);
void	report_alert_json(struct sbuf *, const struct alert *);
/* report_rates_json - the rates of r as a JSON object, top scopes only */
void	report_rates_json(struct sbuf *, const struct rates *, size_t);
/* report_metrics - the Prometheus text exposition; now: see metrics.h */
enum store_status report_metrics(struct store *, time_t, FILE *);

#endif
