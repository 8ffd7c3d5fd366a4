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

#include "maillog.h"
#include "metrics.h"
#include "output.h"
#include "rates.h"
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

/* Incidents (policy.c), newest first; a report lists the first few. */
#define MAXINC	64

struct incs {
	struct store_incident i[MAXINC];
	size_t	 n;
	long	 total;		/* all of them, listed or not */
	long	 recipients;
};

static int
collect_incident(const struct store_incident *i, void *arg)
{
	struct incs *x = arg;
	struct store_incident *c;

	x->total++;
	x->recipients += i->recipients;
	if (x->n == MAXINC)
		return 0;
	c = &x->i[x->n++];
	*c = *i;
	c->domain = xstrdup(i->domain);
	c->fingerprint = xstrdup(i->fingerprint);
	c->diagnostic = xstrdup(i->diagnostic);
	c->reason = xstrdup(i->reason);
	return 0;
}

static void
incs_free(struct incs *x)
{
	size_t k;

	for (k = 0; k < x->n; k++)
		store_incident_free(&x->i[k]);
	x->n = 0;
}

static void
print_incidents_text(const struct incs *x, FILE *fp)
{
	char when[32];
	struct tm tm;
	size_t k;

	fprintf(fp, "\nincidents (many recipients at one destination failing "
	    "alike; they suppress nobody): %ld\n", x->total);
	for (k = 0; k < x->n; k++) {
		const struct store_incident *i = &x->i[k];

		gmtime_r(&i->first_seen, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		fprintf(fp, "  #%ld %s since %s, %ld recipients, %ld min, read "
		    "as %s: %.120s\n", i->id, i->domain, when, i->recipients,
		    (long)((i->last_seen - i->first_seen) / 60), i->reason,
		    i->diagnostic);
	}
}

static void
print_incidents_json(struct sbuf *j, const struct incs *x)
{
	size_t k;

	sbuf_add(j, ",\"incidents\":[");
	for (k = 0; k < x->n; k++) {
		const struct store_incident *i = &x->i[k];

		sbuf_printf(j, "%s{\"id\":%ld,\"domain\":", k ? "," : "",
		    i->id);
		json_str(j, i->domain);
		sbuf_printf(j, ",\"first_seen\":%lld,\"last_seen\":%lld,"
		    "\"recipients\":%ld,\"reason\":", (long long)i->first_seen,
		    (long long)i->last_seen, i->recipients);
		json_str(j, i->reason);
		sbuf_add(j, ",\"diagnostic\":");
		json_str(j, i->diagnostic);
		sbuf_addc(j, '}');
	}
	sbuf_addc(j, ']');
}

/* alert_scope - how an alert's scope reads in text */
static void
alert_scope(const struct alert *a, char *buf, size_t len)
{
	if (strcmp(a->scope, "all") == 0)
		snprintf(buf, len, "all domains");
	else if (strcmp(a->scope, "list") == 0)
		snprintf(buf, len, "suppression list");
	else if (strcmp(a->scope, "campaign") == 0)
		snprintf(buf, len, "campaign %s", a->name);
	else
		snprintf(buf, len, "%s", a->name);
}

int
report_notes(long sent, long min_sent, size_t nal, char notes[2][160])
{
	int n = 0;

	if (sent == 0)
		snprintf(notes[n++], 160, "no sent counts: rates cannot be "
		    "computed; feed Postfix's log with --maillog");
	else if (sent < min_sent)
		snprintf(notes[n++], 160, "too little mail to judge: rates are "
		    "judged from %ld sent on (min_sent); %ld were", min_sent,
		    sent);
	else if (nal == 0)
		snprintf(notes[n++], 160, "none: every rate is under its "
		    "levels");
	return n;
}

void
report_alert_text(const struct alert *a, FILE *fp)
{
	char scope[300], rate[16], level[16];

	alert_scope(a, scope, sizeof(scope));
	rates_fmt(a->rate, a->threshold, rate, level, sizeof(rate));
	if (a->class == RC_GROWTH)
		fprintf(fp, "  %s: %s: grew %s a day (%ld added to %ld), "
		    "above %s\n", alert_level_name(a->level), scope,
		    rate, a->count, a->sent, level);
	else
		fprintf(fp, "  %s: %s: %s %s of sent (%ld of %ld), above "
		    "%s\n", alert_level_name(a->level), scope,
		    rate_class_name(a->class), rate, a->count, a->sent,
		    level);
}

void
report_alert_json(struct sbuf *j, const struct alert *a)
{
	sbuf_printf(j, "{\"level\":\"%s\",\"class\":\"%s\",\"scope\":\"%s\","
	    "\"name\":", alert_level_name(a->level), rate_class_name(a->class),
	    a->scope);
	json_str(j, a->name);
	sbuf_printf(j, ",\"rate\":%.4f,\"threshold\":%.4f,\"counts\":{\"%s\":"
	    "%ld,\"%s\":%ld}}", a->rate, a->threshold,
	    a->class == RC_GROWTH ? "added" : "events", a->count,
	    a->class == RC_GROWTH ? "list" : "sent", a->sent);
}

/* print_rates - "  NAME  sent N: hard x%, soft y%, ..." */
static void
print_rates(FILE *fp, const char *name, const struct rate_row *r)
{
	int c;

	fprintf(fp, "  %-28s sent %ld:", name, r->sent);
	for (c = 0; c < RC_N; c++)
		fprintf(fp, "%s %s %ld (%.2f%%)", c ? "," : "",
		    rate_class_name(c), r->count[c], rates_pct(r->count[c],
		    r->sent));
	fputc('\n', fp);
}

/* the pending reports and, when the log is not read, why that matters */
struct pend {
	struct pending_state st;
	char	msg[512];
};

/* print_pending_text - the reports waiting for Postfix's log */
static void
print_pending_text(const struct pending_state *ps, time_t now, FILE *fp)
{
	char a[32], t[32];
	struct tm tm;

	fprintf(fp, "pending (waiting for Postfix's log): %ld", ps->count);
	if (ps->count > 0)
		fprintf(fp, ", the oldest for %s", pending_age(now - ps->oldest,
		    a, sizeof(a)));
	if (ps->log_read == 0)
		fprintf(fp, "; the log was never read\n");
	else {
		gmtime_r(&ps->log_read, &tm);
		strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%SZ", &tm);
		fprintf(fp, "; the log was last read %s\n", t);
	}
}

static void
print_text(const struct data *d, const struct report_opts *o,
    const struct rates *rt, const struct alert *al, size_t nal,
    const struct incs *inc, const struct pend *pd, FILE *fp)
{
	const struct pending_state *ps = &pd->st;
	const char *pmsg = pd->msg;
	long sent = lookup(&d->sent, NULL, NULL), total = 0;
	size_t k;
	int i, nn;
	char when[32], notes[2][160];
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
	fprintf(fp, "sent (from Postfix's log): %ld\n", sent);
	if (sent > 0)
		print_rates(fp, "all domains", &rt->all);
	if (rt->ncamp > 0) {
		fprintf(fp, "\ncampaigns, share of their mail sent:\n");
		for (k = 0; k < rt->ncamp && k < REPORT_TOP; k++)
			print_rates(fp, rt->camp[k].name, &rt->camp[k]);
	}
	print_incidents_text(inc, fp);
	print_pending_text(ps, o->now, fp);
	fprintf(fp, "\nwarnings:\n");
	if (*pmsg)
		fprintf(fp, "  critical: maillog: %s\n", pmsg);
	for (k = 0; k < nal; k++)
		report_alert_text(&al[k], fp);
	/* the same notes as the JSON's and the page's (report_notes) */
	nn = report_notes(sent, o->th->min_sent, nal, notes);
	for (k = 0; k < (size_t)nn; k++)
		fprintf(fp, "  %s\n", notes[k]);
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

/* json_rate_row - one scope's sent and per-class counts and rates */
static void
json_rate_row(struct sbuf *j, const struct rate_row *r, const char *key)
{
	int c;

	sbuf_addc(j, '{');
	if (key) {
		sbuf_printf(j, "\"%s\":", key);
		json_str(j, r->name);
		sbuf_addc(j, ',');
	}
	sbuf_printf(j, "\"sent\":%ld", r->sent);
	for (c = 0; c < RC_N; c++)
		sbuf_printf(j, ",\"%s\":{\"count\":%ld,\"rate\":%.4f}",
		    rate_class_name(c), r->count[c], rates_pct(r->count[c],
		    r->sent));
	sbuf_addc(j, '}');
}

void
report_rates_json(struct sbuf *j, const struct rates *rt, size_t top)
{
	size_t i;

	sbuf_printf(j, "{\"since\":%lld,\"until\":%lld,\"all\":",
	    (long long)rt->since, (long long)rt->until);
	json_rate_row(j, &rt->all, NULL);
	sbuf_add(j, ",\"domains\":[");
	for (i = 0; i < rt->ndom && i < top; i++) {
		if (i)
			sbuf_addc(j, ',');
		json_rate_row(j, &rt->dom[i], "domain");
	}
	sbuf_add(j, "],\"campaigns\":[");
	for (i = 0; i < rt->ncamp && i < top; i++) {
		if (i)
			sbuf_addc(j, ',');
		json_rate_row(j, &rt->camp[i], "campaign");
	}
	sbuf_printf(j, "],\"list\":{\"size\":%ld,\"added\":%ld}}",
	    rt->list_size, rt->list_added);
}

static void
print_json(const struct data *data, const struct report_opts *o,
    const struct rates *rt, const struct alert *al, size_t nal,
    const struct rates_day *d, size_t nd, const struct incs *inc,
    const struct pend *pd, FILE *fp)
{
	const struct data *dd = data;
	struct sbuf j;
	char notes[2][160];
	size_t k;
	int nn;

	sbuf_init(&j);
	sbuf_printf(&j, "{\"since\":%lld,\"now\":%lld,\"sent\":%ld",
	    (long long)o->since, (long long)o->now, lookup(&dd->sent, NULL, NULL));
	json_rows(&j, "events", &dd->events, "class", "reason");
	json_rows(&j, "domains", &dd->domains, "domain", "class");
	json_rows(&j, "sent_by_domain", &dd->sent, "domain", NULL);
	json_rows(&j, "soft_fate", &dd->fate, "fate", NULL);
	json_rows(&j, "feedback", &dd->feedback, "type", "class");
	json_rows(&j, "suppressed", &dd->list, "class", NULL);
	json_rows(&j, "changes", &dd->growth, "action", NULL);
	print_incidents_json(&j, inc);
	sbuf_add(&j, ",\"rates\":");
	report_rates_json(&j, rt, REPORT_TOP);
	sbuf_add(&j, ",\"daily\":[");
	for (k = 0; k < nd; k++) {
		int c;

		sbuf_printf(&j, "%s{\"day\":\"%s\",\"sent\":%ld", k ? "," : "",
		    d[k].day, d[k].sent);
		for (c = 0; c < RC_N; c++)
			sbuf_printf(&j, ",\"%s\":%ld", rate_class_name(c),
			    d[k].count[c]);
		sbuf_printf(&j, ",\"added\":%ld,\"removed\":%ld}", d[k].added,
		    d[k].removed);
	}
	sbuf_addc(&j, ']');
	sbuf_printf(&j, ",\"pending\":{\"count\":%ld,\"oldest\":%lld,"
	    "\"log_read\":%lld}", pd->st.count, (long long)pd->st.oldest,
	    (long long)pd->st.log_read);
	sbuf_add(&j, ",\"warnings\":[");
	for (k = 0; k < nal; k++) {
		if (k)
			sbuf_addc(&j, ',');
		report_alert_json(&j, &al[k]);
	}
	if (*pd->msg) {
		sbuf_add(&j, nal ? ",{" : "{");
		sbuf_add(&j, "\"level\":\"critical\",\"class\":\"maillog\","
		    "\"scope\":\"all\",\"name\":\"\",\"message\":");
		json_str(&j, pd->msg);
		sbuf_printf(&j, ",\"counts\":{\"pending\":%ld}}", pd->st.count);
	}
	sbuf_add(&j, "],\"warning_notes\":[");
	nn = report_notes(lookup(&dd->sent, NULL, NULL), o->th->min_sent, nal,
	    notes);
	for (k = 0; k < (size_t)nn; k++) {
		if (k)
			sbuf_addc(&j, ',');
		json_str(&j, notes[k]);
	}
	sbuf_printf(&j, "],\"rates_known\":%s,\"min_sent\":%ld}\n",
	    lookup(&dd->sent, NULL, NULL) ? "true" : "false", o->th->min_sent);
	fputs(j.s, fp);
	sbuf_free(&j);
}

enum store_status
report_pending(struct store *s, const struct report_opts *o,
    struct pending_state *st, int *problem, char *msg, size_t len)
{
	enum store_status r;

	*problem = 0;
	if (len > 0)
		msg[0] = '\0';
	if ((r = pending_gather(s, NULL, st)) != STORE_OK)
		return r;
	if (o->watch != NULL)
		*problem = pending_problem(st, o->watch, o->now, msg, len);
	return STORE_OK;
}

enum store_status
report_print(struct store *s, const struct report_opts *o, FILE *fp,
    int *worst)
{
	struct data *d = xcalloc(1, sizeof(*d));
	struct incs *inc = xcalloc(1, sizeof(*inc));
	struct rates rt;
	struct alert *al = NULL;
	struct rates_day *days = NULL;
	struct pend pd;
	size_t nal = 0, nd = 0;
	enum store_status r;
	int problem = 0;

	*worst = AL_OK;
	memset(&rt, 0, sizeof(rt));
	memset(&pd, 0, sizeof(pd));
	if ((r = gather(s, o->since, d)) == STORE_OK &&
	    (r = store_incidents(s, o->since, collect_incident, inc)) ==
	    STORE_OK &&
	    (r = report_pending(s, o, &pd.st, &problem, pd.msg,
	    sizeof(pd.msg))) == STORE_OK &&
	    (r = rates_gather(s, o->since, o->now, &rt)) == STORE_OK) {
		*worst = rates_check(&rt, o->th, &al, &nal);
		if (problem)
			*worst = AL_CRITICAL;
		if (!o->json)
			print_text(d, o, &rt, al, nal, inc, &pd, fp);
		else if ((r = rates_daily(s, rt.since, o->now, &days, &nd)) ==
		    STORE_OK)
			print_json(d, o, &rt, al, nal, days, nd, inc, &pd,
			    fp);
	}
	incs_free(inc);
	free(inc);
	free(al);
	free(days);
	rates_free(&rt);
	free(d);
	return r;
}

enum store_status
report_metrics(struct store *s, time_t now, FILE *fp)
{
	struct data *d = xcalloc(1, sizeof(*d));
	struct incs *inc = xcalloc(1, sizeof(*inc));
	struct pending_state ps = { 0, 0, 0 };
	enum store_status r;
	time_t last = 0;
	long erasures = 0, hits_rcpt = 0, hits_unv = 0, foreign = 0;
	int i;

	/*
	 * counters from what only goes up, not from rows that can go; a
	 * scrape every minute reads aggregates only
	 */
	if ((r = store_query(s, STORE_Q_SUPPRESSED, 0, collect, &d->list)) !=
	    STORE_OK ||
	    (r = store_query(s, STORE_Q_SENT_DOMAIN, 0, collect, &d->sent)) !=
	    STORE_OK ||
	    (r = store_query(s, STORE_Q_EVENT_TOTALS, 0, collect,
	    &d->events)) != STORE_OK ||
	    (r = store_last_event(s, &last)) != STORE_OK ||
	    (r = store_erasures(s, &erasures)) != STORE_OK ||
	    (r = store_counter(s, "limit_hits_recipients", 0, &hits_rcpt)) !=
	    STORE_OK ||
	    (r = store_counter(s, "limit_hits_unverified", 0, &hits_unv)) !=
	    STORE_OK ||
	    (r = store_counter(s, MAILLOG_FOREIGN, 0, &foreign)) != STORE_OK ||
	    (r = store_incidents(s, 0, collect_incident, inc)) != STORE_OK)
		goto out;
	fprintf(fp, "# HELP bouncer_incidents_total Incidents: many recipients "
	    "at one destination failing alike.\n"
	    "# TYPE bouncer_incidents_total counter\n"
	    "bouncer_incidents_total %ld\n"
	    "# HELP bouncer_incident_recipients_total Recipients whose "
	    "failures were part of an incident.\n"
	    "# TYPE bouncer_incident_recipients_total counter\n"
	    "bouncer_incident_recipients_total %ld\n", inc->total,
	    inc->recipients);
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
	fprintf(fp, "# HELP bouncer_limit_hits_total Recipients not recorded "
	    "because a limit was reached (recipient_limit a message, "
	    "unverified_limit an hour).\n"
	    "# TYPE bouncer_limit_hits_total counter\n"
	    "bouncer_limit_hits_total{limit=\"recipients\"} %ld\n"
	    "bouncer_limit_hits_total{limit=\"unverified\"} %ld\n",
	    hits_rcpt, hits_unv);
	fprintf(fp, "# HELP bouncer_maillog_foreign_total Journal entries in "
	    "Postfix's name from users not in maillog_users, ignored.\n"
	    "# TYPE bouncer_maillog_foreign_total counter\n"
	    "bouncer_maillog_foreign_total %ld\n", foreign);
	fprintf(fp, "# HELP bouncer_last_event_timestamp_seconds Time of the "
	    "newest recorded event.\n"
	    "# TYPE bouncer_last_event_timestamp_seconds gauge\n"
	    "bouncer_last_event_timestamp_seconds %lld\n", (long long)last);
	if ((r = pending_gather(s, NULL, &ps)) != STORE_OK)
		goto out;
	/* under trust = sent, nothing is suppressed while these grow */
	fprintf(fp, "# HELP bouncer_pending_reports Reports waiting for "
	    "Postfix's log to tie them to mail we sent (trust = sent).\n"
	    "# TYPE bouncer_pending_reports gauge\n"
	    "bouncer_pending_reports %ld\n"
	    "# HELP bouncer_pending_oldest_age_seconds How long the oldest "
	    "pending report has waited (0: none).\n"
	    "# TYPE bouncer_pending_oldest_age_seconds gauge\n"
	    "bouncer_pending_oldest_age_seconds %lld\n"
	    "# HELP bouncer_maillog_last_read_timestamp_seconds When bouncer "
	    "--maillog last read Postfix's log (0: never).\n"
	    "# TYPE bouncer_maillog_last_read_timestamp_seconds gauge\n"
	    "bouncer_maillog_last_read_timestamp_seconds %lld\n", ps.count,
	    ps.count > 0 && now > ps.oldest ? (long long)(now - ps.oldest) : 0,
	    (long long)ps.log_read);
	r = metrics_series(s, now, fp);
out:
	incs_free(inc);
	free(inc);
	free(d);
	return r;
}
