/*
 * html.c - --report --html: the report as one self-contained page for
 * people who would rather look. Inline SVG charts, inline CSS, no
 * script, no font, no image, no link to anything: it can be mailed,
 * archived or opened offline, and a strict Content-Security-Policy
 * (default-src 'none') is written into it.
 *
 * Every mark carries its numbers in data-* attributes (data-day,
 * data-class, data-count, data-sent, data-rate, ...), the same numbers
 * as --report --json, so that a program can check a chart against them
 * without looking at pixels.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "rates.h"
#include "report.h"
#include "util.h"

#define W	820	/* chart width */
#define H	260	/* chart height */
#define L	60	/* left margin: the axis labels */
#define R	150	/* right margin: the legend */
#define T	16
#define B	40	/* bottom margin: the days */

static const char *colours[RC_N] = {
	"#c0392b", "#e67e22", "#8e44ad", "#2c3e50", "#16a085"
};

/* esc - text or an attribute value, escaped for HTML */
static void
esc(FILE *fp, const char *s)
{
	for (; s && *s; s++)
		switch (*s) {
		case '&': fputs("&amp;", fp); break;
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '"': fputs("&quot;", fp); break;
		case '\'': fputs("&#39;", fp); break;
		default: fputc(*s, fp);
		}
}

/* nice - a round upper bound for an axis at or above v */
static double
nice(double v)
{
	static const double steps[] = { 1, 2, 2.5, 5 };
	double m = 0.01;
	size_t i;

	if (v <= 0)
		return 1;
	for (;;) {
		for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
			if (steps[i] * m >= v)
				return steps[i] * m;
		m *= 10;
	}
}

static double
xpos(size_t i, size_t n)
{
	return n <= 1 ? L + (W - L - R) / 2.0 :
	    L + (double)i * (W - L - R) / (double)(n - 1);
}

static double
ypos(double v, double max)
{
	return T + (H - T - B) * (1 - v / max);
}

/* axes - the frame, the y grid in percent, and the days below */
static void
axes(FILE *fp, const struct rates_day *d, size_t n, double max,
    const char *unit)
{
	size_t i, every = n > 14 ? (n + 13) / 14 : 1;
	int k;

	for (k = 0; k <= 4; k++) {
		double v = max * k / 4, y = ypos(v, max);

		fprintf(fp, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" "
		    "x2=\"%d\" y2=\"%.1f\"/><text class=\"tick\" x=\"%d\" "
		    "y=\"%.1f\" text-anchor=\"end\">%g%s</text>\n", L, y, W - R,
		    y, L - 6, y + 4, v, unit);
	}
	for (i = 0; i < n; i += every)
		fprintf(fp, "<text class=\"tick\" x=\"%.1f\" y=\"%d\" "
		    "text-anchor=\"middle\">%s</text>\n", xpos(i, n), H - B + 18,
		    d[i].day + 5);
}

static void
legend(FILE *fp, int row, const char *colour, const char *what)
{
	fprintf(fp, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" "
	    "fill=\"%s\"/><text class=\"legend\" x=\"%d\" y=\"%d\">", W - R + 16,
	    T + row * 20, colour, W - R + 34, T + row * 20 + 10);
	esc(fp, what);
	fputs("</text>\n", fp);
}

/*
 * series - one class's daily rates: a line through the days with mail,
 * and a mark per such day. A day without mail has no rate, not 0%: the
 * line breaks there (one polyline per run of days with mail).
 */
static void
series(FILE *fp, const struct rates_day *d, size_t n, int c, double max,
    const char *chart)
{
	size_t i;
	int open = 0;

	for (i = 0; i < n; i++) {
		if (d[i].sent <= 0) {
			if (open)
				fputs("\"/>\n", fp);
			open = 0;
			continue;
		}
		if (!open)
			fprintf(fp, "<polyline class=\"line\" data-class=\"%s\" "
			    "stroke=\"%s\" points=\"", rate_class_name(c),
			    colours[c]);
		fprintf(fp, "%s%.1f,%.1f", open ? " " : "", xpos(i, n),
		    ypos(rates_pct(d[i].count[c], d[i].sent), max));
		open = 1;
	}
	if (open)
		fputs("\"/>\n", fp);
	for (i = 0; i < n; i++)
		if (d[i].sent > 0)
			fprintf(fp, "<circle class=\"point\" data-chart=\"%s\" "
			    "data-day=\"%s\" data-class=\"%s\" data-count=\"%ld\" "
			    "data-sent=\"%ld\" data-rate=\"%.4f\" cx=\"%.1f\" cy=\"%.1f\" "
			    "r=\"3\" fill=\"%s\"><title>%s %s: %ld of %ld sent, %.2f%%"
			    "</title></circle>\n", chart, d[i].day, rate_class_name(c),
			    d[i].count[c], d[i].sent, rates_pct(d[i].count[c], d[i].sent),
			    xpos(i, n), ypos(rates_pct(d[i].count[c], d[i].sent), max),
			    colours[c], d[i].day, rate_class_name(c), d[i].count[c],
			    d[i].sent, rates_pct(d[i].count[c], d[i].sent));
}

static void
svg_open(FILE *fp, const char *chart, const char *label)
{
	fprintf(fp, "<svg class=\"chart\" data-chart=\"%s\" role=\"img\" "
	    "xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
	    "width=\"%d\" height=\"%d\"><title>", chart, W, H, W, H);
	esc(fp, label);
	fputs("</title>\n", fp);
}

static void
chart_rates(FILE *fp, const struct rates_day *d, size_t n)
{
	double top = 0;
	size_t i;
	int c;

	for (i = 0; i < n; i++)
		for (c = 0; c < RC_N; c++)
			if (rates_pct(d[i].count[c], d[i].sent) > top)
				top = rates_pct(d[i].count[c], d[i].sent);
	top = nice(top * 1.1);
	fputs("<section><h2>Daily rates by class</h2><p>Each class's share of "
	    "the mail sent that day (UTC), from Postfix's log.</p>\n", fp);
	svg_open(fp, "daily-rates", "Daily rates by class, percent of mail sent");
	axes(fp, d, n, top, "%");
	for (c = 0; c < RC_N; c++) {
		series(fp, d, n, c, top, "daily-rates");
		legend(fp, c, colours[c], rate_class_name(c));
	}
	fputs("</svg></section>\n", fp);
}

static void
chart_complaints(FILE *fp, const struct rates_day *d, size_t n,
    const struct thresholds *th)
{
	double top = 0.35, v, lines[2];
	const char *names[2] = { "advised limit", "limit" };
	size_t i;
	int k;

	lines[0] = th->warn[RC_COMPLAINT];
	lines[1] = th->crit[RC_COMPLAINT];
	for (k = 0; k < 2; k++)
		if (lines[k] * 1.15 > top)
			top = lines[k] * 1.15;
	for (i = 0; i < n; i++)
		if ((v = rates_pct(d[i].count[RC_COMPLAINT], d[i].sent)) * 1.1 >
		    top)
			top = v * 1.1;
	top = nice(top);
	fprintf(fp, "<section><h2>Complaint rate against the providers' "
	    "lines</h2><p>Gmail and Yahoo ask bulk senders to stay under "
	    "0.3%% spam complaints and advise under 0.1%%; the lines are "
	    "warn_complaint (%g%%) and crit_complaint (%g%%).</p>\n", lines[0],
	    lines[1]);
	svg_open(fp, "complaints", "Daily complaint rate against the warning "
	    "and critical lines");
	axes(fp, d, n, top, "%");
	for (k = 0; k < 2; k++) {
		if (lines[k] < 0)
			continue;
		fprintf(fp, "<line class=\"limit\" data-line=\"%s\" "
		    "data-rate=\"%.4f\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" "
		    "y2=\"%.1f\" stroke=\"%s\"/>\n", k ? "critical" : "warning",
		    lines[k], L, ypos(lines[k], top), W - R, ypos(lines[k], top),
		    k ? "#c0392b" : "#e67e22");
		legend(fp, k + 1, k ? "#c0392b" : "#e67e22", names[k]);
	}
	series(fp, d, n, RC_COMPLAINT, top, "complaints");
	legend(fp, 0, colours[RC_COMPLAINT], "complaints");
	fputs("</svg></section>\n", fp);
}

/* chart_top - bars of mail sent per domain or campaign, with rates */
static void
chart_top(FILE *fp, const struct rate_row *rows, size_t n, const char *what,
    const char *attr)
{
	long top = 1;
	size_t i, shown = n < 10 ? n : 10;
	int c, h = T + 26 * (int)(shown ? shown : 1) + 10;

	for (i = 0; i < shown; i++)
		if (rows[i].sent > top)
			top = rows[i].sent;
	fprintf(fp, "<section><h2>Top %ss</h2><p>The %ss sent to most in the "
	    "window, with the share of each class.</p>\n", what, what);
	if (shown == 0) {
		fprintf(fp, "<p class=\"none\">No %s has mail sent in the "
		    "window.</p></section>\n", what);
		return;
	}
	fprintf(fp, "<svg class=\"chart\" data-chart=\"%ss\" role=\"img\" "
	    "xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
	    "width=\"%d\" height=\"%d\"><title>Top %ss by mail sent</title>\n",
	    attr, W, h, W, h, what);
	for (i = 0; i < shown; i++) {
		double len = 240.0 * (double)rows[i].sent / (double)top;
		int y = T + 26 * (int)i;

		fprintf(fp, "<text class=\"name\" x=\"170\" y=\"%d\" "
		    "text-anchor=\"end\">", y + 14);
		esc(fp, rows[i].name);
		fprintf(fp, "</text><rect class=\"bar\" data-%s=\"", attr);
		esc(fp, rows[i].name);
		fprintf(fp, "\" data-sent=\"%ld\"", rows[i].sent);
		for (c = 0; c < RC_N; c++)
			fprintf(fp, " data-%s=\"%ld\"", rate_class_name(c),
			    rows[i].count[c]);
		fprintf(fp, " x=\"180\" y=\"%d\" width=\"%.1f\" height=\"18\"/>"
		    "<text class=\"tick\" x=\"%.1f\" y=\"%d\">%ld sent", y,
		    len < 1 ? 1 : len, 186 + len, y + 14, rows[i].sent);
		for (c = 0; c < RC_N; c++)
			if (rows[i].count[c])
				fprintf(fp, ", %s %.2f%%", rate_class_name(c),
				    rates_pct(rows[i].count[c], rows[i].sent));
		fputs("</text>\n", fp);
	}
	fputs("</svg></section>\n", fp);
}

static void
chart_growth(FILE *fp, const struct rates_day *d, size_t n, long size)
{
	double top = 1, bw = (double)(W - L - R) / (double)(n ? n : 1) * 0.35;
	size_t i;

	for (i = 0; i < n; i++) {
		if (d[i].added > top)
			top = (double)d[i].added;
		if (d[i].removed > top)
			top = (double)d[i].removed;
	}
	top = nice(top * 1.1);
	fprintf(fp, "<section><h2>Suppression list growth</h2><p>Addresses "
	    "added (or escalated from soft) and removed (released, expired) "
	    "each day; %ld on the list now.</p>\n", size);
	svg_open(fp, "growth", "Addresses added to and removed from the "
	    "suppression list per day");
	axes(fp, d, n, top, "");
	for (i = 0; i < n; i++) {
		double x = xpos(i, n), ya = ypos((double)d[i].added, top),
		    yr = ypos((double)d[i].removed, top);

		fprintf(fp, "<rect class=\"added\" data-day=\"%s\" "
		    "data-added=\"%ld\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		    "height=\"%.1f\"/><rect class=\"removed\" data-day=\"%s\" "
		    "data-removed=\"%ld\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		    "height=\"%.1f\"/>\n", d[i].day, d[i].added, x - bw, ya, bw,
		    (double)(H - B) - ya, d[i].day, d[i].removed, x, yr, bw,
		    (double)(H - B) - yr);
	}
	legend(fp, 0, "#c0392b", "added");
	legend(fp, 1, "#27ae60", "removed");
	fputs("</svg></section>\n", fp);
}

/* pending - the reports waiting for the log, and the log's last reading */
static void
pending(FILE *fp, const struct pending_state *ps, time_t now)
{
	char a[32], t[32];
	struct tm tm;

	fprintf(fp, "<p id=\"pending\" data-count=\"%ld\" data-oldest=\"%lld\" "
	    "data-log-read=\"%lld\">Pending (waiting for Postfix's log): %ld",
	    ps->count, (long long)ps->oldest, (long long)ps->log_read,
	    ps->count);
	if (ps->count > 0)
		fprintf(fp, ", the oldest for %s", pending_age(now - ps->oldest,
		    a, sizeof(a)));
	if (ps->log_read == 0)
		fputs("; the log was never read.</p>\n", fp);
	else {
		gmtime_r(&ps->log_read, &tm);
		strftime(t, sizeof(t), "%Y-%m-%d %H:%M UTC", &tm);
		fprintf(fp, "; the log was last read %s.</p>\n", t);
	}
}

static void
warnings(FILE *fp, const struct alert *al, size_t nal, long sent,
    long min_sent, const char *pmsg)
{
	char notes[2][160], rate[16], level[16];
	size_t i;
	int k, nn;

	fputs("<section id=\"warnings\"><h2>Warnings</h2>\n", fp);
	if (*pmsg) {
		/* the log reader first: without it nothing is suppressed */
		fputs("<ul>\n<li class=\"critical\" data-level=\"critical\" "
		    "data-class=\"maillog\" data-scope=\"all\"><b>critical</b> "
		    "maillog: ", fp);
		esc(fp, pmsg);
		fputs("</li>\n</ul>\n", fp);
	}
	/* the text report's and the JSON's notes (report_notes) */
	nn = report_notes(sent, min_sent, nal, notes);
	for (k = 0; k < nn; k++) {
		fputs("<p class=\"none\">", fp);
		esc(fp, notes[k]);
		fputs("</p>\n", fp);
	}
	if (nal > 0) {
		fputs("<ul>\n", fp);
		for (i = 0; i < nal; i++) {
			fprintf(fp, "<li class=\"%s\" data-level=\"%s\" "
			    "data-class=\"%s\" data-scope=\"%s\" data-name=\"",
			    alert_level_name(al[i].level),
			    alert_level_name(al[i].level),
			    rate_class_name(al[i].class), al[i].scope);
			esc(fp, al[i].name);
			fprintf(fp, "\" data-rate=\"%.4f\" data-threshold="
			    "\"%.4f\"><b>%s</b> %s ", al[i].rate,
			    al[i].threshold, alert_level_name(al[i].level),
			    rate_class_name(al[i].class));
			esc(fp, *al[i].name ? al[i].name : al[i].scope);
			rates_fmt(al[i].rate, al[i].threshold, rate, level,
			    sizeof(rate));
			fprintf(fp, ": %s (%ld of %ld), above %s</li>\n",
			    rate, al[i].count, al[i].sent, level);
		}
		fputs("</ul>\n", fp);
	}
}

struct paused {
	FILE	*fp;
	int	 n;
};

static int
got_pause(const char *dom, const char *why, const char *c, long expires,
    void *arg)
{
	struct paused *p = arg;
	FILE *fp = p->fp;
	char t[32];
	time_t e = (time_t)expires;
	struct tm tm;

	(void)c;
	gmtime_r(&e, &tm);
	strftime(t, sizeof(t), "%Y-%m-%d %H:%M UTC", &tm);
	if (p->n++ == 0)
		fputs("<ul>\n", fp);
	fputs("<li class=\"paused\">", fp);
	esc(fp, dom);
	fprintf(fp, " paused until %s: ", t);
	esc(fp, why);
	fputs("</li>\n", fp);
	return 0;
}

struct incidents {
	FILE	*fp;
	int	 n;
};

/* got_incident - one incident (policy.c) as a line, its figures as data */
static int
got_incident(const struct store_incident *i, void *arg)
{
	struct incidents *x = arg;
	FILE *fp = x->fp;
	char t[32];
	struct tm tm;

	gmtime_r(&i->first_seen, &tm);
	strftime(t, sizeof(t), "%Y-%m-%d %H:%M UTC", &tm);
	if (x->n++ == 0)
		fputs("<ul>\n", fp);
	fprintf(fp, "<li class=\"incident\" data-id=\"%ld\" "
	    "data-recipients=\"%ld\" data-domain=\"", i->id, i->recipients);
	esc(fp, i->domain);
	fputs("\"><b>", fp);
	esc(fp, i->domain);
	fprintf(fp, "</b> since %s: %ld recipients failed alike within %ld "
	    "min, read as ", t, i->recipients,
	    (long)((i->last_seen - i->first_seen) / 60));
	esc(fp, i->reason);
	fputs(": <code>", fp);
	esc(fp, i->diagnostic);
	fputs("</code></li>\n", fp);
	return 0;
}

static const char style[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:2em auto;"
	"max-width:900px;color:#222;background:#fff}"
	"h1{font-size:1.6em}h2{font-size:1.2em;margin-top:2em}"
	"svg.chart{display:block;border:1px solid #ddd;background:#fcfcfc}"
	".grid{stroke:#e3e3e3}.tick,.legend,.name{font-size:11px;fill:#555}"
	".name{fill:#222}.line{fill:none;stroke-width:2}"
	".limit{stroke-dasharray:6 4;stroke-width:1.5}"
	".bar{fill:#2980b9}.added{fill:#c0392b}.removed{fill:#27ae60}"
	"li.critical{color:#a00}li.warning{color:#a60}.none{color:#666}"
	"li.incident{color:#8e44ad}";

enum store_status
html_report(struct store *s, const struct report_opts *o, FILE *fp,
    int *worst)
{
	struct rates rt;
	struct rates_day *d = NULL;
	struct alert *al = NULL;
	struct paused pz = { fp, 0 };
	struct incidents inc = { fp, 0 };
	struct pending_state ps = { 0, 0, 0 };
	size_t nd = 0, nal = 0;
	enum store_status r;
	char since[32], now[32], pmsg[512];
	struct tm tm;
	int problem;

	*worst = AL_OK;
	memset(&rt, 0, sizeof(rt));
	if ((r = report_pending(s, o, &ps, &problem, pmsg, sizeof(pmsg))) !=
	    STORE_OK)
		goto out;
	if ((r = rates_gather(s, o->since, o->now, &rt)) != STORE_OK)
		goto out;
	if ((r = rates_daily(s, rt.since, o->now, &d, &nd)) != STORE_OK)
		goto out;
	*worst = rates_check(&rt, o->th, &al, &nal);
	if (problem)
		*worst = AL_CRITICAL;
	gmtime_r(&rt.since, &tm);
	strftime(since, sizeof(since), "%Y-%m-%d", &tm);
	gmtime_r(&o->now, &tm);
	strftime(now, sizeof(now), "%Y-%m-%d %H:%M UTC", &tm);
	fprintf(fp, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
	    "charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" "
	    "content=\"default-src 'none'; style-src 'unsafe-inline'\">"
	    "<title>bouncer report %s to %s</title><style>%s</style></head>"
	    "<body>\n<h1>bouncer report</h1><p>From %s to %s: %ld messages "
	    "sent (Postfix's log), %ld addresses suppressed. Levels: "
	    "bouncer.conf(5), THRESHOLDS.</p>\n", since, now, style, since, now,
	    rt.all.sent, rt.list_size);
	warnings(fp, al, nal, rt.all.sent, o->th->min_sent, pmsg);
	pending(fp, &ps, o->now);
	fputs("</section>\n", fp);
	chart_rates(fp, d, nd);
	chart_complaints(fp, d, nd, o->th);
	chart_top(fp, rt.dom, rt.ndom, "destination", "domain");
	chart_top(fp, rt.camp, rt.ncamp, "campaign", "campaign");
	chart_growth(fp, d, nd, rt.list_size);
	/*
	 * Incidents (many recipients at one destination failing alike)
	 * suppress nobody: the operator's problem, not the list's.
	 */
	fputs("<section id=\"incidents\"><h2>Incidents</h2>\n", fp);
	if ((r = store_incidents(s, o->since, got_incident, &inc)) !=
	    STORE_OK)
		goto out;
	fputs(inc.n ? "</ul>" : "<p class=\"none\">None: no destination "
	    "failed many recipients alike (incident_threshold).</p>", fp);
	fputs("</section>\n", fp);
	fputs("<section><h2>Paused destinations</h2>\n", fp);
	r = store_query(s, STORE_Q_PAUSES, 0, got_pause, &pz);
	fputs(pz.n ? "</ul>" : "<p class=\"none\">None (pause_block).</p>", fp);
	fputs("</section>\n</body></html>\n", fp);
out:
	free(al);
	free(d);
	rates_free(&rt);
	return r;
}
