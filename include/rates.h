/*
 * rates.h - what share of the mail sent came back as each class, overall,
 * per recipient domain and per campaign, and which of those shares cross
 * the operator's warning and critical levels (bouncer.conf(5),
 * THRESHOLDS). Shared by --report, --alert and --report --html.
 *
 * Sent counts are kept per day (--maillog), so a window starts at the
 * beginning of the UTC day its start falls in, for the bounces as well
 * as for the mail sent: both sides of a rate cover the same days.
 */
#ifndef BOUNCER_RATES_H
#define BOUNCER_RATES_H

#include <stddef.h>
#include <time.h>

#include "store.h"

/* The classes a rate is kept for, and suppression-list growth. */
enum rate_class {
	RC_HARD, RC_SOFT, RC_BLOCK, RC_COMPLAINT, RC_UNSUBSCRIBE,
	RC_N,			/* the rates above */
	RC_GROWTH = RC_N	/* list growth per day, percent of its size */
};
#define RC_ALL	(RC_N + 1)

/* rate_class_name - "hard", ..., "growth" */
const char *rate_class_name(int);
/* rate_class_of - RC_* for a class word, -1 when it has no rate */
int	rate_class_of(const char *);

/* A per-domain override of one level, or of min_sent (RATE_MIN_SENT). */
#define RATE_MIN_SENT	(-1)
struct rate_override {
	char	*domain;
	int	 class;		/* RC_*, or RATE_MIN_SENT (pct: the count) */
	int	 crit;		/* 0: the warning level, 1: the critical one */
	double	 pct;
};

/* Levels in percent; a negative level is off. */
struct thresholds {
	double	 warn[RC_ALL];
	double	 crit[RC_ALL];
	long	 min_sent;	/* no rate alerts below this many sent */
	long	 min_list;	/* no growth alert below this list size */
	struct rate_override *ov;
	size_t	 nov;
};

void	thresholds_defaults(struct thresholds *);
void	thresholds_free(struct thresholds *);
/*
 * thresholds_set - one configuration key ("warn_complaint",
 * "crit_block.gmail.com", "min_sent", ...): 0 done, -1 bad value,
 * -2 not a threshold key
 */
int	thresholds_set(struct thresholds *, const char *, const char *);

/* One scope's counts: what was sent and what came back, by class. */
struct rate_row {
	char	*name;		/* domain or campaign; NULL for the total */
	long	 sent;
	long	 count[RC_N];
};

struct rates {
	time_t	 since;		/* start of the first day counted */
	time_t	 until;
	struct rate_row all;
	struct rate_row *dom;	/* by sent, most first */
	size_t	 ndom;
	struct rate_row *camp;	/* by sent, most first */
	size_t	 ncamp;
	long	 list_size;	/* addresses suppressed now */
	long	 list_added;	/* added or escalated within the window */
};

/*
 * rates_min_sent - the sent count under which dom's rates are not judged
 * (min_sent, or its min_sent.DOMAIN override; dom NULL: the total's)
 */
long	rates_min_sent(const struct thresholds *, const char *);
/*
 * rates_fmt - rate and level as "N.NN%", with more decimals (up to 5)
 * when two would print a rate above its level as the same number
 */
void	rates_fmt(double, double, char *, char *, size_t);
/* rates_pct - count as a percent of sent, 0 when nothing was sent */
double	rates_pct(long, long);

/* One UTC day of a window. */
struct rates_day {
	char	 day[11];	/* YYYY-MM-DD */
	long	 sent;
	long	 count[RC_N];
	long	 added;		/* to the list: added or escalated from soft */
	long	 removed;	/* from the list: released or expired */
};
#define RATES_MAX_DAYS	400	/* the last days kept of a longer window */

/*
 * rates_daily - every day from since's to until's, zeros included;
 * *out (caller frees) holds *n days, oldest first
 */
enum store_status rates_daily(struct store *, time_t, time_t,
	    struct rates_day **, size_t *);

/* rates_gather - the counts since (rounded down to its day) until now */
enum store_status rates_gather(struct store *, time_t, time_t,
	    struct rates *);
void	rates_free(struct rates *);

enum alert_level { AL_OK = 0, AL_WARNING, AL_CRITICAL };
const char *alert_level_name(int);

/* One threshold crossed. */
struct alert {
	int	 level;		/* AL_WARNING or AL_CRITICAL */
	int	 class;		/* RC_* or RC_GROWTH */
	const char *scope;	/* "all", "domain", "campaign", "list" */
	char	 name[256];	/* the domain or campaign; "" otherwise */
	double	 rate;		/* percent */
	double	 threshold;	/* percent, the level crossed */
	long	 count;
	long	 sent;		/* or the list size, for growth */
};

/*
 * rates_check - every threshold r crosses, the worst level of a scope
 * and class only; *out (caller frees) holds *n alerts, critical first.
 * Returns the highest level found.
 */
int	rates_check(const struct rates *, const struct thresholds *,
	    struct alert **, size_t *);

#endif
