/*
 * config.c - the configuration file, bouncer.conf(5).
 *
 * Every key is one line of keys[] below: its name, its type, the field
 * it sets and the bounds of its value (Postfix's mail_conf tables are
 * the model). A key whose value needs more than a type and bounds names
 * a check function. Thresholds (warn_CLASS, crit_CLASS, min_sent and
 * their per-domain forms) are keys of rates.c, asked last.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "maillog.h"

#define DAYS(n)		((long long)(n) * 86400)

enum key_type {
	K_STR,		/* char *: any text */
	K_SIZE,		/* size_t: "10M", "512k", bytes */
	K_DURATION,	/* time_t: "90d", "12h", "30m", "45s" */
	K_INT,		/* int */
	K_LONG,		/* long */
	K_YESNO,	/* int: yes or no */
	K_SPECIAL	/* a function of its own */
};

struct key {
	const char	*name;
	enum key_type	 type;
	size_t		 off;		/* the field in struct config */
	long long	 min, max;	/* bounds (durations in seconds) */
	int		(*special)(struct config *, const char *);
};

static int set_busy(struct config *, const char *);
static int set_delims(struct config *, const char *);
static int set_prefix(struct config *, const char *);
static int set_require_signed(struct config *, const char *);
static int set_trust(struct config *, const char *);
static int set_pause_block(struct config *, const char *);
static int set_unsub_url(struct config *, const char *);
static int set_authserv_id(struct config *, const char *);

#define F(field)	offsetof(struct config, field)
#define NOMAX		0x7fffffffffffffffLL
static const struct key keys[] = {
	{ "db",			K_STR,	F(db),			0, 0, NULL },
	{ "rules",		K_STR,	F(rules),		0, 0, NULL },
	{ "recipient_header",	K_STR,	F(recipient_header),	0, 0, NULL },
	{ "max_size",		K_SIZE,	F(max_size),		1, 1 << 30, NULL },
	{ "busy_timeout",	K_SPECIAL, 0,			0, 0, set_busy },
	{ "soft_threshold",	K_INT,	F(policy.soft_threshold), 1, 1000, NULL },
	{ "soft_window",	K_DURATION, F(policy.soft_window), 0, NOMAX, NULL },
	{ "soft_ttl",		K_DURATION, F(policy.soft_ttl),	0, NOMAX, NULL },
	{ "event_ttl",		K_DURATION, F(policy.event_ttl), 0, NOMAX, NULL },
	{ "complaint_ttl",	K_DURATION, F(policy.complaint_ttl), 0, NOMAX, NULL },
	{ "incident_threshold",	K_INT,	F(policy.incident_threshold), 0, 100000, NULL },
	{ "incident_share",	K_INT,	F(policy.incident_share), 0, 100, NULL },
	{ "delivery_stands",	K_DURATION, F(policy.delivery_stands), 0, NOMAX, NULL },
	{ "incident_window",	K_DURATION, F(policy.incident_window), 1, NOMAX, NULL },
	{ "verp_delimiters",	K_SPECIAL, 0,			0, 0, set_delims },
	{ "quarantine",		K_STR,	F(quarantine),		0, 0, NULL },
	{ "unsubscribe_prefix",	K_SPECIAL, 0,			0, 0, set_prefix },
	{ "sign_keys",		K_STR,	F(sign_keys),		0, 0, NULL },
	{ "sign_prefix",	K_STR,	F(sign_prefix),		0, 0, NULL },
	{ "sign_domain",	K_STR,	F(sign_domain),		0, 0, NULL },
	{ "sign_max_age",	K_DURATION, F(sign_max_age),	0, NOMAX, NULL },
	{ "authserv_id",	K_SPECIAL, 0,			0, 0, set_authserv_id },
	{ "unsubscribe_url",	K_SPECIAL, 0,			0, 0, set_unsub_url },
	{ "unsubscribe_max_age", K_DURATION, F(unsub_max_age), 0, NOMAX, NULL },
	{ "require_signed",	K_SPECIAL, 0,			0, 0, set_require_signed },
	{ "trust",		K_SPECIAL, 0,			0, 0, set_trust },
	{ "sent_retention",	K_DURATION, F(policy.sent_retention), 1, NOMAX, NULL },
	{ "pending_wait",	K_DURATION, F(policy.pending_wait), 0, NOMAX, NULL },
	{ "recipient_limit",	K_INT,	F(policy.rcpt_limit),	1, 1000, NULL },
	{ "unverified_limit",	K_LONG,	F(policy.unverified_limit), 0, 100000000, NULL },
	{ "campaign_header",	K_STR,	F(campaign_header),	0, 0, NULL },
	{ "campaign_verp",	K_YESNO, F(campaign_verp),	0, 1, NULL },
	{ "alert_command",	K_STR,	F(alert_command),	0, 0, NULL },
	{ "alert_window",	K_DURATION, F(alert_window),	DAYS(1), NOMAX, NULL },
	{ "maillog_stale",	K_DURATION, F(maillog_stale),	0, NOMAX, NULL },
	{ "maillog_users",	K_STR,	F(maillog_users),	0, 0, NULL },
	{ "pause_block",	K_SPECIAL, 0,			0, 0, set_pause_block },
	{ "pause_time",		K_DURATION, F(pause_time),	60, NOMAX, NULL },
	{ "metrics_domains",	K_INT,	F(metrics_domains),	0, 100, NULL },
	{ "syslog",		K_YESNO, F(syslog),		0, 1, NULL },
};
#undef F

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->db = xstrdup(CONFIG_DB);
	c->max_size = 10u * 1024 * 1024;
	c->busy_ms = 5000;
	c->syslog = 1;
	c->verp_delims = xstrdup("+=");
	c->unsub_prefix = xstrdup("unsubscribe");
	c->sign_prefix = xstrdup("bounce");
	c->sign_max_age = 30 * 86400;
	thresholds_defaults(&c->th);
	c->alert_window = 86400;
	c->maillog_stale = 3600;
	c->maillog_users = xstrdup(MAILLOG_USERS);
	c->pause_block = -1;
	c->pause_time = 3600;
	c->metrics_domains = 10;
	policy_defaults(&c->policy);
}

/* config_free - every K_STR field, found through the table */
void
config_free(struct config *c)
{
	size_t i;

	for (i = 0; i < nitems(keys); i++)
		if (keys[i].type == K_STR)
			free(*(char **)(void *)((char *)c + keys[i].off));
	free(c->verp_delims);
	free(c->unsub_prefix);
	free(c->unsub_url);
	free(c->authserv_id);
	thresholds_free(&c->th);
	memset(c, 0, sizeof(*c));
}

int
config_duration(const char *s, time_t *out)
{
	char *end;
	long long v, unit = 1;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || v < 0)
		return -1;
	switch (*end) {
	case 'd': unit = 86400; end++; break;
	case 'h': unit = 3600; end++; break;
	case 'm': unit = 60; end++; break;
	case 's': end++; break;
	case '\0': break;
	default: return -1;
	}
	/* the bound before the product: "200000000000000d" once wrapped */
	if (*end != '\0' || v > 100LL * 365 * 86400 / unit)
		return -1;
	*out = (time_t)(v * unit);
	return 0;
}

int
config_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v, unit = 1;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || v == 0 || *s == '-')
		return -1;
	if (*end == 'k' || *end == 'K')
		unit = 1024, end++;
	else if (*end == 'm' || *end == 'M')
		unit = 1024 * 1024, end++;
	/* the bound before the product, which would wrap to a small size */
	if (*end != '\0' || v > (1ULL << 30) / unit)
		return -1;
	*out = (size_t)(v * unit);
	return 0;
}

/* number - a whole decimal number and nothing else */
static int
number(const char *s, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno || end == s || *end != '\0' ? -1 : 0;
}

static int
set_busy(struct config *c, const char *v)
{
	time_t t;

	if (config_duration(v, &t) == -1 || t > 600)
		return -1;
	c->busy_ms = (int)t * 1000;
	return 0;
}

/* two different characters, neither '@': "+=" splits bounce+a=b.example */
static int
set_delims(struct config *c, const char *v)
{
	if (strlen(v) != 2 || v[0] == v[1] || strchr(v, '@'))
		return -1;
	str_set(&c->verp_delims, v);
	return 0;
}

/* a local part's first word: no '@', no space; "" turns it off */
static int
set_prefix(struct config *c, const char *v)
{
	if (strchr(v, '@') || strchr(v, ' '))
		return -1;
	str_set(&c->unsub_prefix, v);
	return 0;
}

/* the older name of trust = signed */
static int
set_require_signed(struct config *c, const char *v)
{
	if (strcmp(v, "yes") == 0)
		c->policy.trust = POLICY_TRUST_SIGNED;
	else if (strcmp(v, "no") == 0) {
		if (c->policy.trust == POLICY_TRUST_SIGNED)
			c->policy.trust = POLICY_TRUST_ANY;
	} else
		return -1;
	return 0;
}

static int
set_trust(struct config *c, const char *v)
{
	return policy_trust_parse(v, &c->policy.trust);
}

/* a percentage (a '%' may follow), or "off" */
static int
set_pause_block(struct config *c, const char *v)
{
	char *end;
	double d;

	if (strcmp(v, "off") == 0)
		d = -1;
	else if ((d = strtod(v, &end)) < 0 || d > 100 || end == v ||
	    (*end != '\0' && strcmp(end, "%") != 0))
		return -1;
	c->pause_block = d;
	return 0;
}

/* RFC 8058 section 3.1: one-click is an https URI's only */
static int
set_unsub_url(struct config *c, const char *v)
{
	if (strncmp(v, "https://", 8) != 0 || strlen(v) < 9 ||
	    strpbrk(v, " \t<>\"#,") != NULL)
		return -1;
	str_set(&c->unsub_url, v);
	return 0;
}

/* one word: RFC 8601's authserv-id, usually a host name; "": none */
static int
set_authserv_id(struct config *c, const char *v)
{
	if (strpbrk(v, " \t;()\"") != NULL)
		return -1;
	str_set(&c->authserv_id, v[0] ? v : NULL);
	return 0;
}

/* set_key - one key of the table: 0 set, -1 bad value */
static int
set_key(struct config *c, const struct key *k, const char *v)
{
	void *field = (char *)c + k->off;
	long long n;
	time_t t;
	size_t z;

	switch (k->type) {
	case K_STR:
		str_set((char **)field, v);
		return 0;
	case K_SIZE:
		if (config_size(v, &z) == -1 || (long long)z < k->min ||
		    (long long)z > k->max)
			return -1;
		*(size_t *)field = z;
		return 0;
	case K_DURATION:
		if (config_duration(v, &t) == -1 || t < k->min || t > k->max)
			return -1;
		*(time_t *)field = t;
		return 0;
	case K_INT:
	case K_LONG:
		if (number(v, &n) == -1 || n < k->min || n > k->max)
			return -1;
		if (k->type == K_INT)
			*(int *)field = (int)n;
		else
			*(long *)field = (long)n;
		return 0;
	case K_YESNO:
		if (strcmp(v, "yes") == 0)
			*(int *)field = 1;
		else if (strcmp(v, "no") == 0)
			*(int *)field = 0;
		else
			return -1;
		return 0;
	case K_SPECIAL:
		return k->special(c, v);
	}
	abort();	/* a type without a case is a programmer's error */
}

/* set - 0 done, -1 bad value, -2 no such key */
static int
set(struct config *c, const char *name, const char *v)
{
	size_t i;

	for (i = 0; i < nitems(keys); i++)
		if (strcmp(keys[i].name, name) == 0)
			return set_key(c, &keys[i], v);
	return thresholds_set(&c->th, name, v);
}

int
config_load(struct config *c, const char *path, int must_exist,
    struct sbuf *errs)
{
	FILE *fp;
	char line[4096];
	int lineno = 0, bad = 0;

	if ((fp = fopen(path, "r")) == NULL) {
		if (errno == ENOENT && !must_exist)
			return 0;
		sbuf_printf(errs, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		char *k, *v, *eq;
		int rc;

		lineno++;
		str_trim(line);
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if ((eq = strchr(line, '=')) == NULL) {
			sbuf_printf(errs, "%s:%d: want key = value\n", path,
			    lineno);
			bad = 1;
			continue;
		}
		*eq = '\0';
		k = str_trim(line);
		v = str_trim(eq + 1);
		if ((rc = set(c, k, v)) == -2) {
			sbuf_printf(errs, "%s:%d: unknown key '%s'\n", path,
			    lineno, k);
			bad = 1;
		} else if (rc == -1) {
			sbuf_printf(errs, "%s:%d: bad value for %s: '%s'\n",
			    path, lineno, k, v);
			bad = 1;
		}
	}
	fclose(fp);
	return bad ? -1 : 0;
}
