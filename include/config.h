/*
 * config.h - bouncer.conf(5): "key = value" lines, '#' comments.
 * Command-line options override the file.
 */
#ifndef BOUNCER_CONFIG_H
#define BOUNCER_CONFIG_H

#include <stddef.h>
#include <time.h>

#include "policy.h"
#include "rates.h"
#include "util.h"

#ifndef BOUNCER_SYSCONFDIR
#define BOUNCER_SYSCONFDIR	"/etc/bouncer"
#endif
#define CONFIG_PATH	BOUNCER_SYSCONFDIR "/bouncer.conf"
#define CONFIG_DB	"/var/lib/bouncer/bouncer.db"

struct config {
	char	*db;			/* database path */
	char	*rules;			/* operator's rule file, or NULL */
	size_t	 max_size;		/* largest message read */
	int	 busy_ms;		/* lock wait */
	char	*recipient_header;	/* ARF: header naming the recipient */
	int	 syslog;		/* log each message to syslog(3) */
	char	*verp_delims;		/* "+=" */
	char	*unsub_prefix;		/* "unsubscribe", "" for none */
	char	*quarantine;		/* copies of unreadable bounces */
	char	*sign_keys;		/* key file for signed return paths */
	char	*sign_prefix;		/* "bounce" */
	char	*sign_domain;		/* the bounce domain */
	char	*authserv_id;		/* our MTA's Authentication-Results
					   authserv-id (authres.h); NULL: none */
	time_t	 sign_max_age;		/* 30 days */
	char	*unsub_url;		/* one-click https URL, or NULL */
	time_t	 unsub_max_age;		/* unsubscribe tokens: 0, no limit */
	struct thresholds th;		/* warn_CLASS, crit_CLASS, min_sent */
	char	*campaign_header;	/* header naming the campaign */
	int	 campaign_verp;		/* the VERP prefix names it */
	char	*alert_command;		/* run with each alert on stdin */
	time_t	 alert_window;		/* --alert: rates over, 1d */
	time_t	 maillog_stale;		/* log unread this long: alert, 1h */
	char	*maillog_users;		/* whose journal entries are Postfix's:
					   "root postfix" */
	double	 pause_block;		/* block percent that pauses; <0 off */
	time_t	 pause_time;		/* how long a pause lasts, 1h */
	int	 metrics_domains;	/* domains with their own series, 10 */
	struct policy_cfg policy;
};

void	config_defaults(struct config *);
/*
 * config_load - read path over the defaults. A missing file is an error
 * only when must_exist; every bad line is described in errs ("file:line:
 * why"). Returns -1 when the file could not be read or had bad lines.
 */
int	config_load(struct config *, const char *, int, struct sbuf *);
void	config_free(struct config *);
/* config_duration - "90d", "12h", "30m", "45s", "0" into seconds */
int	config_duration(const char *, time_t *);
/* config_size - "10M", "512k", "1048576" into bytes */
int	config_size(const char *, size_t *);

#endif
