/*
 * alert.h - --alert: judge the rates of the last window against the
 * thresholds (rates.h), remember each alert's level in the store, and
 * hand every new alert, every change of level and every resolution to
 * the operator's alert_command, once: one JSON object on its standard
 * input per run of the command. An alert whose command failed is not
 * remembered, so the next run tries it again.
 */
#ifndef BOUNCER_ALERT_H
#define BOUNCER_ALERT_H

#include <stdio.h>
#include <time.h>

#include "pending.h"
#include "rates.h"
#include "store.h"

struct alert_opts {
	time_t	 now;
	time_t	 window;	/* rates over the last window */
	const struct thresholds *th;
	const char *command;	/* /bin/sh -c command, or NULL */
	double	 pause_block;	/* block percent that pauses a domain; <0 off */
	time_t	 pause_time;
	const struct pending_watch *watch;	/* the log reader; NULL: not judged */
};

/* the level of an alert whose scope has too little mail to judge now */
#define AL_NODATA	"insufficient data"

struct alert_result {
	int	 worst;		/* the highest level standing (AL_*) */
	int	 sent;		/* notifications delivered */
	int	 failed;	/* notifications whose command failed */
};

/* alert_run - one round; what it does is also printed on out */
enum store_status alert_run(struct store *, const struct alert_opts *,
	    FILE *, struct alert_result *);

#endif
