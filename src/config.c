/*
 * config.c - the configuration file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"

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
	c->pause_block = -1;
	c->pause_time = 3600;
	c->metrics_domains = 10;
	policy_defaults(&c->policy);
}

void
config_free(struct config *c)
{
	free(c->db);
	free(c->rules);
	free(c->recipient_header);
	free(c->verp_delims);
	free(c->unsub_prefix);
	free(c->quarantine);
	free(c->sign_keys);
	free(c->sign_prefix);
	free(c->sign_domain);
	free(c->unsub_url);
	free(c->campaign_header);
	free(c->alert_command);
	thresholds_free(&c->th);
	memset(c, 0, sizeof(*c));
}

int
config_duration(const char *s, time_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || v < 0)
		return -1;
	switch (*end) {
	case 'd': v *= 86400; end++; break;
	case 'h': v *= 3600; end++; break;
	case 'm': v *= 60; end++; break;
	case 's': end++; break;
	case '\0': break;
	default: return -1;
	}
	if (*end != '\0' || v > 100LL * 365 * 86400)
		return -1;
	*out = (time_t)v;
	return 0;
}

int
config_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || v == 0 || *s == '-')
		return -1;
	if (*end == 'k' || *end == 'K')
		v *= 1024, end++;
	else if (*end == 'm' || *end == 'M')
		v *= 1024 * 1024, end++;
	if (*end != '\0' || v > (1ULL << 30))
		return -1;
	*out = (size_t)v;
	return 0;
}

static int
yesno(const char *v, int *out)
{
	if (strcmp(v, "yes") == 0)
		*out = 1;
	else if (strcmp(v, "no") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

static int
set(struct config *c, const char *k, const char *v)
{
	time_t t;
	size_t z;
	int n;

	if (strcmp(k, "db") == 0)
		str_set(&c->db, v);
	else if (strcmp(k, "rules") == 0)
		str_set(&c->rules, v);
	else if (strcmp(k, "recipient_header") == 0)
		str_set(&c->recipient_header, v);
	else if (strcmp(k, "max_size") == 0) {
		if (config_size(v, &z) == -1)
			return -1;
		c->max_size = z;
	} else if (strcmp(k, "busy_timeout") == 0) {
		if (config_duration(v, &t) == -1 || t > 600)
			return -1;
		c->busy_ms = (int)t * 1000;
	} else if (strcmp(k, "soft_threshold") == 0) {
		n = atoi(v);
		if (n < 1 || n > 1000)
			return -1;
		c->policy.soft_threshold = n;
	} else if (strcmp(k, "soft_window") == 0) {
		if (config_duration(v, &c->policy.soft_window) == -1)
			return -1;
	} else if (strcmp(k, "soft_ttl") == 0) {
		if (config_duration(v, &c->policy.soft_ttl) == -1)
			return -1;
	} else if (strcmp(k, "event_ttl") == 0) {
		if (config_duration(v, &c->policy.event_ttl) == -1)
			return -1;
	} else if (strcmp(k, "complaint_ttl") == 0) {
		if (config_duration(v, &c->policy.complaint_ttl) == -1)
			return -1;
	} else if (strcmp(k, "incident_threshold") == 0) {
		n = atoi(v);
		if (n < 0 || n > 100000 || (n == 0 && strcmp(v, "0") != 0))
			return -1;
		c->policy.incident_threshold = n;
	} else if (strcmp(k, "incident_window") == 0) {
		if (config_duration(v, &c->policy.incident_window) == -1 ||
		    c->policy.incident_window <= 0)
			return -1;
	} else if (strcmp(k, "verp_delimiters") == 0) {
		if (strlen(v) != 2 || v[0] == v[1] || strchr(v, '@'))
			return -1;
		str_set(&c->verp_delims, v);
	} else if (strcmp(k, "quarantine") == 0) {
		str_set(&c->quarantine, v);
	} else if (strcmp(k, "unsubscribe_prefix") == 0) {
		if (strchr(v, '@') || strchr(v, ' '))
			return -1;
		str_set(&c->unsub_prefix, v);
	} else if (strcmp(k, "sign_keys") == 0)
		str_set(&c->sign_keys, v);
	else if (strcmp(k, "sign_prefix") == 0)
		str_set(&c->sign_prefix, v);
	else if (strcmp(k, "sign_domain") == 0)
		str_set(&c->sign_domain, v);
	else if (strcmp(k, "unsubscribe_url") == 0) {
		/* RFC 8058 section 3.1: one-click is an https URI's only */
		if (strncmp(v, "https://", 8) != 0 || strlen(v) < 9 ||
		    strpbrk(v, " \t<>\"#,") != NULL)
			return -1;
		str_set(&c->unsub_url, v);
	} else if (strcmp(k, "unsubscribe_max_age") == 0) {
		if (config_duration(v, &c->unsub_max_age) == -1)
			return -1;
	} else if (strcmp(k, "sign_max_age") == 0) {
		if (config_duration(v, &c->sign_max_age) == -1)
			return -1;
	} else if (strcmp(k, "require_signed") == 0) {
		/* the older name of trust = signed */
		if (strcmp(v, "yes") == 0)
			c->policy.trust = POLICY_TRUST_SIGNED;
		else if (strcmp(v, "no") == 0) {
			if (c->policy.trust == POLICY_TRUST_SIGNED)
				c->policy.trust = POLICY_TRUST_ANY;
		} else
			return -1;
	} else if (strcmp(k, "trust") == 0) {
		if (policy_trust_parse(v, &c->policy.trust) == -1)
			return -1;
	} else if (strcmp(k, "sent_retention") == 0) {
		if (config_duration(v, &c->policy.sent_retention) == -1 ||
		    c->policy.sent_retention == 0)
			return -1;
	} else if (strcmp(k, "pending_wait") == 0) {
		if (config_duration(v, &c->policy.pending_wait) == -1)
			return -1;
	} else if (strcmp(k, "recipient_limit") == 0) {
		n = atoi(v);
		if (n < 1 || n > 1000)
			return -1;
		c->policy.rcpt_limit = n;
	} else if (strcmp(k, "unverified_limit") == 0) {
		char *end;
		long l = strtol(v, &end, 10);

		if (end == v || *end != '\0' || l < 0 || l > 100000000)
			return -1;
		c->policy.unverified_limit = l;
	} else if ((n = thresholds_set(&c->th, k, v)) != -2)
		return n;
	else if (strcmp(k, "campaign_header") == 0)
		str_set(&c->campaign_header, v);
	else if (strcmp(k, "campaign_verp") == 0) {
		if (yesno(v, &c->campaign_verp) == -1)
			return -1;
	} else if (strcmp(k, "alert_command") == 0)
		str_set(&c->alert_command, v);
	else if (strcmp(k, "alert_window") == 0) {
		if (config_duration(v, &c->alert_window) == -1 ||
		    c->alert_window < 86400)
			return -1;
	} else if (strcmp(k, "pause_block") == 0) {
		char *end;
		double d;

		if (strcmp(v, "off") == 0)
			d = -1;
		else if ((d = strtod(v, &end)) < 0 || d > 100 || end == v ||
		    (*end != '\0' && strcmp(end, "%") != 0))
			return -1;
		c->pause_block = d;
	} else if (strcmp(k, "metrics_domains") == 0) {
		n = atoi(v);
		if (n < 0 || n > 100 || (n == 0 && strcmp(v, "0") != 0))
			return -1;
		c->metrics_domains = n;
	} else if (strcmp(k, "pause_time") == 0) {
		if (config_duration(v, &c->pause_time) == -1 ||
		    c->pause_time < 60)
			return -1;
	} else if (strcmp(k, "syslog") == 0) {
		if (strcmp(v, "yes") == 0)
			c->syslog = 1;
		else if (strcmp(v, "no") == 0)
			c->syslog = 0;
		else
			return -1;
	} else
		return -2;
	return 0;
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
