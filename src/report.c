/*
 * report.c - --report and --metrics.
 *
 * Rates need a denominator: the messages sent, which only Postfix's log
 * knows (--maillog). Without them the report says so instead of
 * inventing a rate. The thresholds are the deliverability guides':
 * hard bounces above 2% and complaints above 0.1% of mail sent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "report.h"
#include "util.h"

#define MAXROWS	256

struct row {
	char	a[128];
	char	b[64];
	long	n;
};

struct rows {
	struct row r[MAXROWS];
	int	   n;
};

static int
collect(const char *a, const char *b, const char *c, long n, void *arg)
{
	struct rows *rs = arg;

	(void)c;
	if (rs->n == MAXROWS)
		return -1;
	snprintf(rs->r[rs->n].a, sizeof(rs->r[rs->n].a), "%s", a ? a : "");
	snprintf(rs->r[rs->n].b, sizeof(rs->r[rs->n].b), "%s", b ? b : "");
	rs->r[rs->n++].n = n;
	return 0;
}

static long
lookup(const struct rows *rs, const char *a, const char *b)
{
	int i;
	long n = 0;

	for (i = 0; i < rs->n; i++)
		if ((a == NULL || strcmp(rs->r[i].a, a) == 0) &&
		    (b == NULL || strcmp(rs->r[i].b, b) == 0))
			n += rs->r[i].n;
	return n;
}

struct data {
	struct rows events, domains, sent, list, growth, fate, feedback;
};

static enum store_status
gather(struct store *s, time_t since, struct data *d)
{
	enum store_status r;

	memset(d, 0, sizeof(*d));
	if ((r = store_query(s, STORE_Q_CLASS_REASON, since, collect,
	    &d->events)) != STORE_OK ||
	    (r = store_query(s, STORE_Q_DOMAIN_CLASS, since, collect,
	    &d->domains)) != STORE_OK ||
	    (r = store_query(s, STORE_Q_SENT_DOMAIN, since, collect,
	    &d->sent)) != STORE_OK ||
	    (r = store_query(s, STORE_Q_SUPPRESSED, since, collect,
	    &d->list)) != STORE_OK ||
	    (r = store_query(s, STORE_Q_GROWTH, since, collect,
	    &d->growth)) != STORE_OK ||
	    (r = store_query(s, STORE_Q_SOFT_FATE, since, collect,
	    &d->fate)) != STORE_OK)
		return r;
	return store_query(s, STORE_Q_FEEDBACK, since, collect, &d->feedback);
}

/* A warning, as text and JSON. */
struct warn {
	char	scope[128];
	char	what[16];
	double	pct;
	double	limit;
};

static void
add_warn(struct warn *w, int *n, int max, const char *scope, long count,
    long total, const char *kind, double limit)
{
	double p;

	if (total <= 0 || *n >= max)
		return;
	if ((p = 100.0 * (double)count / (double)total) <= limit)
		return;
	snprintf(w[*n].scope, sizeof(w[*n].scope), "%s", scope);
	snprintf(w[*n].what, sizeof(w[*n].what), "%s", kind);
	w[*n].pct = p;
	w[(*n)++].limit = limit;
}

static int
warnings(const struct data *d, const struct report_opts *o, struct warn *w,
    int max)
{
	long sent = lookup(&d->sent, NULL, NULL);
	int i, n = 0;

	add_warn(w, &n, max, "all domains", lookup(&d->events, "hard", NULL),
	    sent, "hard", o->warn_hard);
	add_warn(w, &n, max, "all domains", lookup(&d->events, "complaint",
	    NULL), sent, "complaint", o->warn_complaint);
	for (i = 0; i < d->sent.n; i++) {
		const char *dom = d->sent.r[i].a;
		long ds = d->sent.r[i].n;

		if (ds < o->min_sent)
			continue;
		add_warn(w, &n, max, dom, lookup(&d->domains, dom, "hard"), ds,
		    "hard", o->warn_hard);
		add_warn(w, &n, max, dom, lookup(&d->domains, dom, "complaint"),
		    ds, "complaint", o->warn_complaint);
	}
	return n;
}

static void
print_text(const struct data *d, const struct report_opts *o, FILE *fp)
{
	struct warn w[64];
	long sent = lookup(&d->sent, NULL, NULL), total = 0;
	int i, nw;
	char when[32];
	struct tm tm;

	gmtime_r(&o->since, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(fp, "bouncer report since %s\n\nevents by class and reason:\n",
	    when);
	for (i = 0; i < d->events.n; i++)
		fprintf(fp, "  %-13s %-16s %8ld\n", d->events.r[i].a,
		    d->events.r[i].b, d->events.r[i].n);
	if (d->events.n == 0)
		fprintf(fp, "  (none)\n");
	fprintf(fp, "\nrecipient domains with the most hard bounces, blocks "
	    "and complaints:\n  %-28s %6s %6s %9s %8s\n", "domain", "hard",
	    "block", "complaint", "sent");
	for (i = 0; i < d->domains.n; i++) {
		const char *dom = d->domains.r[i].a;
		int j, dup = 0;

		for (j = 0; j < i; j++)
			if (strcmp(d->domains.r[j].a, dom) == 0)
				dup = 1;
		if (dup)
			continue;
		fprintf(fp, "  %-28s %6ld %6ld %9ld %8ld\n", dom,
		    lookup(&d->domains, dom, "hard"),
		    lookup(&d->domains, dom, "block"),
		    lookup(&d->domains, dom, "complaint"),
		    lookup(&d->sent, dom, NULL));
	}
	fprintf(fp, "\nsoft bounces: %ld addresses, %ld recovered (delivered "
	    "later), %ld escalated, %ld pending\n",
	    lookup(&d->fate, NULL, NULL), lookup(&d->fate, "recovered", NULL),
	    lookup(&d->fate, "escalated", NULL),
	    lookup(&d->fate, "pending", NULL));
	if (d->feedback.n) {
		fprintf(fp, "feedback reports:");
		for (i = 0; i < d->feedback.n; i++)
			fprintf(fp, "%s %s %ld (%s)", i ? "," : "",
			    *d->feedback.r[i].a ? d->feedback.r[i].a : "abuse",
			    d->feedback.r[i].n, d->feedback.r[i].b);
		fputc('\n', fp);
	}
	for (i = 0; i < d->list.n; i++)
		total += d->list.r[i].n;
	fprintf(fp, "suppression list: %ld addresses (", total);
	for (i = 0; i < d->list.n; i++)
		fprintf(fp, "%s%s %ld", i ? ", " : "", d->list.r[i].a,
		    d->list.r[i].n);
	fprintf(fp, "); since then +%ld added, +%ld escalated, -%ld released, "
	    "-%ld expired\n", lookup(&d->growth, "added", NULL),
	    lookup(&d->growth, "escalated", NULL),
	    lookup(&d->growth, "released", NULL),
	    lookup(&d->growth, "expired", NULL));
	fprintf(fp, "sent (from Postfix's log): %ld\n\nwarnings:\n", sent);
	if (sent == 0)
		fprintf(fp, "  no sent counts: rates cannot be computed; feed "
		    "Postfix's log with --maillog\n");
	nw = warnings(d, o, w, 64);
	for (i = 0; i < nw; i++)
		fprintf(fp, "  %s: %s %.2f%% of sent, above %.2f%%\n",
		    w[i].scope, w[i].what, w[i].pct, w[i].limit);
	if (sent > 0 && nw == 0)
		fprintf(fp, "  none\n");
}

static void
json_rows(struct sbuf *j, const char *key, const struct rows *rs,
    const char *ka, const char *kb)
{
	int i;

	sbuf_printf(j, ",\"%s\":[", key);
	for (i = 0; i < rs->n; i++) {
		sbuf_printf(j, "%s{\"%s\":", i ? "," : "", ka);
		json_str(j, rs->r[i].a);
		if (kb) {
			sbuf_printf(j, ",\"%s\":", kb);
			json_str(j, rs->r[i].b);
		}
		sbuf_printf(j, ",\"count\":%ld}", rs->r[i].n);
	}
	sbuf_addc(j, ']');
}

static void
print_json(const struct data *d, const struct report_opts *o, FILE *fp)
{
	struct warn w[64];
	struct sbuf j;
	int i, nw = warnings(d, o, w, 64);

	sbuf_init(&j);
	sbuf_printf(&j, "{\"since\":%lld,\"now\":%lld,\"sent\":%ld",
	    (long long)o->since, (long long)o->now, lookup(&d->sent, NULL, NULL));
	json_rows(&j, "events", &d->events, "class", "reason");
	json_rows(&j, "domains", &d->domains, "domain", "class");
	json_rows(&j, "sent_by_domain", &d->sent, "domain", NULL);
	json_rows(&j, "soft_fate", &d->fate, "fate", NULL);
	json_rows(&j, "feedback", &d->feedback, "type", "class");
	json_rows(&j, "suppressed", &d->list, "class", NULL);
	json_rows(&j, "changes", &d->growth, "action", NULL);
	sbuf_add(&j, ",\"warnings\":[");
	for (i = 0; i < nw; i++) {
		sbuf_printf(&j, "%s{\"scope\":", i ? "," : "");
		json_str(&j, w[i].scope);
		sbuf_printf(&j, ",\"what\":\"%s\",\"percent\":%.4f,"
		    "\"threshold\":%.4f}", w[i].what, w[i].pct, w[i].limit);
	}
	sbuf_printf(&j, "],\"rates_known\":%s}\n",
	    lookup(&d->sent, NULL, NULL) ? "true" : "false");
	fputs(j.s, fp);
	sbuf_free(&j);
}

enum store_status
report_print(struct store *s, const struct report_opts *o, FILE *fp)
{
	struct data *d = xcalloc(1, sizeof(*d));
	enum store_status r;

	if ((r = gather(s, o->since, d)) == STORE_OK) {
		if (o->json)
			print_json(d, o, fp);
		else
			print_text(d, o, fp);
	}
	free(d);
	return r;
}

enum store_status
report_metrics(struct store *s, FILE *fp)
{
	struct data *d = xcalloc(1, sizeof(*d));
	enum store_status r;
	time_t last = 0;
	long erasures = 0;
	int i;

	if ((r = gather(s, 0, d)) != STORE_OK ||
	    (r = store_last_event(s, &last)) != STORE_OK ||
	    (r = store_erasures(s, &erasures)) != STORE_OK)
		goto out;
	fprintf(fp, "# HELP bouncer_events_total Bounce and complaint events "
	    "recorded, by class and reason.\n"
	    "# TYPE bouncer_events_total counter\n");
	for (i = 0; i < d->events.n; i++)
		fprintf(fp, "bouncer_events_total{class=\"%s\",reason=\"%s\"} "
		    "%ld\n", d->events.r[i].a, d->events.r[i].b,
		    d->events.r[i].n);
	fprintf(fp, "# HELP bouncer_suppressed_addresses Addresses on the "
	    "suppression list, by class.\n"
	    "# TYPE bouncer_suppressed_addresses gauge\n");
	for (i = 0; i < d->list.n; i++)
		fprintf(fp, "bouncer_suppressed_addresses{class=\"%s\"} %ld\n",
		    d->list.r[i].a, d->list.r[i].n);
	fprintf(fp, "# HELP bouncer_sent_total Messages delivered, counted "
	    "from Postfix's log.\n# TYPE bouncer_sent_total counter\n"
	    "bouncer_sent_total %ld\n", lookup(&d->sent, NULL, NULL));
	fprintf(fp, "# HELP bouncer_erasures_total Addresses erased on "
	    "request (GDPR).\n# TYPE bouncer_erasures_total counter\n"
	    "bouncer_erasures_total %ld\n", erasures);
	fprintf(fp, "# HELP bouncer_last_event_timestamp_seconds Time of the "
	    "newest recorded event.\n"
	    "# TYPE bouncer_last_event_timestamp_seconds gauge\n"
	    "bouncer_last_event_timestamp_seconds %lld\n", (long long)last);
out:
	free(d);
	return r;
}
