/*
 * metrics.c - per-domain, per-campaign and timing series for --metrics.
 *
 * Bounded cardinality: the largest destinations by mail sent get their
 * own domain label (metrics_domains, chosen by --maillog and kept for
 * good, store_label_domains), everything else is summed as "other"; a
 * domain's series starts at zero when it is labelled and the counts it
 * had until then stay in "other", so no series ever goes down.
 * Campaigns are the ten sent to most in the last seven days, named from
 * our own log: a stranger's bounce cannot add a label.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "rates.h"
#include "util.h"

const double metrics_pipe_buckets[METRICS_PIPE_NBUCKETS] = {
	0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30
};

struct kv {
	char	*a, *b, *c;
	long	 n;
};

struct kvs {
	struct kv *v;
	size_t	 n;
};

static int
got(const char *a, const char *b, const char *c, long n, void *arg)
{
	struct kvs *k = arg;

	k->v = xrealloc(k->v, (k->n + 1) * sizeof(*k->v));
	k->v[k->n].a = xstrdup(a ? a : "");
	k->v[k->n].b = xstrdup(b ? b : "");
	k->v[k->n].c = xstrdup(c ? c : "");
	k->v[k->n++].n = n;
	return 0;
}

static void
kvs_free(struct kvs *k)
{
	size_t i;

	for (i = 0; i < k->n; i++) {
		free(k->v[i].a);
		free(k->v[i].b);
		free(k->v[i].c);
	}
	free(k->v);
	memset(k, 0, sizeof(*k));
}

/* sum - rows matching a, b and c (NULL: any) */
static long
sum(const struct kvs *k, const char *a, const char *b, const char *c)
{
	long n = 0;
	size_t i;

	for (i = 0; i < k->n; i++)
		if ((a == NULL || strcmp(k->v[i].a, a) == 0) &&
		    (b == NULL || strcmp(k->v[i].b, b) == 0) &&
		    (c == NULL || strcmp(k->v[i].c, c) == 0))
			n += k->v[i].n;
	return n;
}

/* label - a label value, escaped as the exposition format says */
static void
label(FILE *fp, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', fp);
		if (*v == '\n')
			fputs("\\n", fp);
		else
			fputc(*v, fp);
	}
}

struct src {
	struct kvs counts;	/* kind, name, class */
	struct kvs base;	/* domain, class */
	struct kvs sent;	/* domain: all time */
	struct kvs csent;	/* campaign: all time */
	struct kvs crecent;	/* campaign: last 7 days, most first */
	struct kvs pipe;	/* bucket */
	struct kvs alerts;	/* key, level */
	struct kvs pauses;	/* domain */
};

static void
domains(const struct src *s, FILE *fp)
{
	size_t i;
	long v, rest;
	int c;

	fprintf(fp, "# HELP bouncer_domain_sent_total Messages sent, counted "
	    "from Postfix's log, by recipient domain: the largest "
	    "destinations, the rest as \"other\".\n"
	    "# TYPE bouncer_domain_sent_total counter\n");
	rest = sum(&s->sent, NULL, NULL, NULL);
	for (i = 0; i < s->base.n; i++) {
		if (strcmp(s->base.v[i].b, "sent") != 0)
			continue;
		v = sum(&s->sent, s->base.v[i].a, NULL, NULL) - s->base.v[i].n;
		v = v < 0 ? 0 : v;
		rest -= v;
		fprintf(fp, "bouncer_domain_sent_total{domain=\"");
		label(fp, s->base.v[i].a);
		fprintf(fp, "\"} %ld\n", v);
	}
	fprintf(fp, "bouncer_domain_sent_total{domain=\"other\"} %ld\n",
	    rest < 0 ? 0 : rest);
	fprintf(fp, "# HELP bouncer_domain_events_total Bounces, blocks, "
	    "complaints and unsubscribes, by recipient domain (as "
	    "bouncer_domain_sent_total) and class.\n"
	    "# TYPE bouncer_domain_events_total counter\n");
	for (c = 0; c < RC_N; c++) {
		const char *cls = rate_class_name(c);

		rest = sum(&s->counts, "domain", NULL, cls);
		for (i = 0; i < s->base.n; i++) {
			if (strcmp(s->base.v[i].b, "sent") != 0)
				continue;
			v = sum(&s->counts, "domain", s->base.v[i].a, cls) -
			    sum(&s->base, s->base.v[i].a, cls, NULL);
			v = v < 0 ? 0 : v;
			rest -= v;
			fprintf(fp, "bouncer_domain_events_total{domain=\"");
			label(fp, s->base.v[i].a);
			fprintf(fp, "\",class=\"%s\"} %ld\n", cls, v);
		}
		fprintf(fp, "bouncer_domain_events_total{domain=\"other\","
		    "class=\"%s\"} %ld\n", cls, rest < 0 ? 0 : rest);
	}
}

static void
campaigns(const struct src *s, FILE *fp)
{
	size_t i;
	int c;

	fprintf(fp, "# HELP bouncer_campaign_sent_total Messages sent, by "
	    "campaign: the %d sent to most in the last 7 days.\n"
	    "# TYPE bouncer_campaign_sent_total counter\n", METRICS_CAMPAIGNS);
	for (i = 0; i < s->crecent.n && i < METRICS_CAMPAIGNS; i++) {
		fprintf(fp, "bouncer_campaign_sent_total{campaign=\"");
		label(fp, s->crecent.v[i].a);
		fprintf(fp, "\"} %ld\n", sum(&s->csent, s->crecent.v[i].a, NULL,
		    NULL));
	}
	fprintf(fp, "# HELP bouncer_campaign_events_total Bounces, blocks, "
	    "complaints and unsubscribes, by campaign (as "
	    "bouncer_campaign_sent_total) and class.\n"
	    "# TYPE bouncer_campaign_events_total counter\n");
	for (i = 0; i < s->crecent.n && i < METRICS_CAMPAIGNS; i++)
		for (c = 0; c < RC_N; c++) {
			fprintf(fp, "bouncer_campaign_events_total{campaign=\"");
			label(fp, s->crecent.v[i].a);
			fprintf(fp, "\",class=\"%s\"} %ld\n", rate_class_name(c),
			    sum(&s->counts, "campaign", s->crecent.v[i].a,
			    rate_class_name(c)));
		}
}

static void
pipe_histogram(const struct src *s, FILE *fp)
{
	long cum = 0;
	char b[16];
	int i;

	fprintf(fp, "# HELP bouncer_pipe_duration_seconds Time a pipe-mode run "
	    "took from start to commit, for the messages it stored.\n"
	    "# TYPE bouncer_pipe_duration_seconds histogram\n");
	for (i = 0; i <= METRICS_PIPE_NBUCKETS; i++) {
		snprintf(b, sizeof(b), "%d", i);
		cum += sum(&s->pipe, b, NULL, NULL);
		if (i < METRICS_PIPE_NBUCKETS)
			fprintf(fp, "bouncer_pipe_duration_seconds_bucket"
			    "{le=\"%g\"} %ld\n", metrics_pipe_buckets[i], cum);
		else
			fprintf(fp, "bouncer_pipe_duration_seconds_bucket"
			    "{le=\"+Inf\"} %ld\n", cum);
	}
	snprintf(b, sizeof(b), "%d", STORE_PIPE_SUM);
	fprintf(fp, "bouncer_pipe_duration_seconds_sum %.6f\n"
	    "bouncer_pipe_duration_seconds_count %ld\n",
	    (double)sum(&s->pipe, b, NULL, NULL) / 1e6, cum);
}

/* count_level - alert states at level */
static long
count_level(const struct kvs *k, const char *level)
{
	long n = 0;
	size_t i;

	for (i = 0; i < k->n; i++)
		if (strcmp(k->v[i].b, level) == 0)
			n++;
	return n;
}

static void
standing(const struct src *s, FILE *fp)
{
	fprintf(fp, "# HELP bouncer_alerts Alerts standing after the last "
	    "--alert, by level.\n# TYPE bouncer_alerts gauge\n"
	    "bouncer_alerts{level=\"warning\"} %ld\n"
	    "bouncer_alerts{level=\"critical\"} %ld\n",
	    count_level(&s->alerts, "warning"),
	    count_level(&s->alerts, "critical"));
	fprintf(fp, "# HELP bouncer_paused_domains Destinations whose mail "
	    "Postfix holds (pause_block).\n# TYPE bouncer_paused_domains "
	    "gauge\nbouncer_paused_domains %zu\n", s->pauses.n);
}

enum store_status
metrics_series(struct store *st, time_t now, FILE *fp)
{
	struct src s;
	enum store_status r;

	memset(&s, 0, sizeof(s));
	if ((r = store_query(st, STORE_Q_COUNTS, 0, got, &s.counts)) !=
	    STORE_OK ||
	    (r = store_query(st, STORE_Q_METRIC_BASE, 0, got, &s.base)) !=
	    STORE_OK ||
	    (r = store_query(st, STORE_Q_SENT_DOMAIN, 0, got, &s.sent)) !=
	    STORE_OK ||
	    (r = store_query(st, STORE_Q_SENT_CAMPAIGN, 0, got, &s.csent)) !=
	    STORE_OK ||
	    (r = store_query(st, STORE_Q_SENT_CAMPAIGN, now - 7 * 86400, got,
	    &s.crecent)) != STORE_OK ||
	    (r = store_query(st, STORE_Q_PIPE_SECONDS, 0, got, &s.pipe)) !=
	    STORE_OK ||
	    (r = store_query(st, STORE_Q_ALERTS, 0, got, &s.alerts)) !=
	    STORE_OK ||
	    (r = store_query(st, STORE_Q_PAUSES, 0, got, &s.pauses)) !=
	    STORE_OK)
		goto out;
	domains(&s, fp);
	campaigns(&s, fp);
	pipe_histogram(&s, fp);
	standing(&s, fp);
out:
	kvs_free(&s.counts);
	kvs_free(&s.base);
	kvs_free(&s.sent);
	kvs_free(&s.csent);
	kvs_free(&s.crecent);
	kvs_free(&s.pipe);
	kvs_free(&s.alerts);
	kvs_free(&s.pauses);
	return r;
}
