/*
 * rates.c - bounce, block, complaint and unsubscribe shares of the mail
 * sent, and the thresholds they are held to.
 *
 * The default levels are the mailbox providers' and ESPs' published
 * limits, argued in bouncer.conf(5), THRESHOLDS. A rate is only judged
 * once enough mail was sent (min_sent): one complaint in 100 messages
 * is 1%, which says nothing yet.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "rates.h"
#include "util.h"

static const char *class_names[RC_ALL] = {
	"hard", "soft", "block", "complaint", "unsubscribe", "growth"
};

const char *
rate_class_name(int c)
{
	return c >= 0 && c < RC_ALL ? class_names[c] : "?";
}

int
rate_class_of(const char *w)
{
	int i;

	for (i = 0; i < RC_ALL; i++)
		if (w && strcmp(w, class_names[i]) == 0)
			return i;
	return -1;
}

const char *
alert_level_name(int l)
{
	return l == AL_CRITICAL ? "critical" : l == AL_WARNING ? "warning" :
	    "ok";
}

void
thresholds_defaults(struct thresholds *t)
{
	/* percent of sent; growth: percent of the list per day */
	static const double warn[RC_ALL] = { 2, 5, 1, 0.1, 0.5, 1 };
	static const double crit[RC_ALL] = { 5, 10, 5, 0.3, 2, 5 };

	memset(t, 0, sizeof(*t));
	memcpy(t->warn, warn, sizeof(warn));
	memcpy(t->crit, crit, sizeof(crit));
	t->min_sent = 1000;
	t->min_list = 1000;
}

void
thresholds_free(struct thresholds *t)
{
	size_t i;

	for (i = 0; i < t->nov; i++)
		free(t->ov[i].domain);
	free(t->ov);
	memset(t, 0, sizeof(*t));
}

/* pct_value - "0.3", "0.3%" or "off" (-1) */
static int
pct_value(const char *v, double *out)
{
	char *end;
	double d;

	if (strcmp(v, "off") == 0) {
		*out = -1;
		return 0;
	}
	errno = 0;
	d = strtod(v, &end);
	if (errno || end == v || (*end != '\0' && strcmp(end, "%") != 0) ||
	    d < 0 || d > 100)
		return -1;
	*out = d;
	return 0;
}

int
thresholds_set(struct thresholds *t, const char *k, const char *v)
{
	const char *dot, *name;
	char cls[32];
	double d;
	long n;
	char *end;
	int crit, c;
	size_t len;

	if (strcmp(k, "min_sent") == 0 || strcmp(k, "min_list") == 0 ||
	    strncmp(k, "min_sent.", 9) == 0) {
		errno = 0;
		n = strtol(v, &end, 10);
		if (errno || end == v || *end != '\0' || n < 0)
			return -1;
		if (k[8] == '.') {
			/* min_sent.DOMAIN: a smaller (or larger) destination's own */
			if (k[9] == '\0' || strchr(k + 9, '@'))
				return -1;
			t->ov = xrealloc(t->ov, (t->nov + 1) * sizeof(*t->ov));
			t->ov[t->nov].domain = xstrdup(k + 9);
			str_lower(t->ov[t->nov].domain);
			t->ov[t->nov].class = RATE_MIN_SENT;
			t->ov[t->nov].crit = 0;
			t->ov[t->nov++].pct = (double)n;
			return 0;
		}
		*(k[4] == 's' ? &t->min_sent : &t->min_list) = n;
		return 0;
	}
	if (strncmp(k, "warn_", 5) == 0)
		crit = 0;
	else if (strncmp(k, "crit_", 5) == 0)
		crit = 1;
	else
		return -2;
	name = k + 5;
	dot = strchr(name, '.');
	len = dot ? (size_t)(dot - name) : strlen(name);
	if (len >= sizeof(cls))
		return -2;
	memcpy(cls, name, len);
	cls[len] = '\0';
	if ((c = rate_class_of(cls)) == -1)
		return -2;
	if (pct_value(v, &d) == -1)
		return -1;
	if (dot == NULL) {
		(crit ? t->crit : t->warn)[c] = d;
		return 0;
	}
	/* a per-domain override; growth is the list's, not a domain's */
	if (c == RC_GROWTH || dot[1] == '\0' || strchr(dot + 1, '@'))
		return -1;
	t->ov = xrealloc(t->ov, (t->nov + 1) * sizeof(*t->ov));
	t->ov[t->nov].domain = xstrdup(dot + 1);
	str_lower(t->ov[t->nov].domain);
	t->ov[t->nov].class = c;
	t->ov[t->nov].crit = crit;
	t->ov[t->nov++].pct = d;
	return 0;
}

double
rates_pct(long count, long sent)
{
	return sent > 0 ? 100.0 * (double)count / (double)sent : 0;
}

/* row_of - the row of name in *rows, added when missing */
static struct rate_row *
row_of(struct rate_row **rows, size_t *n, const char *name)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*rows)[i].name, name) == 0)
			return &(*rows)[i];
	*rows = xrealloc(*rows, (*n + 1) * sizeof(**rows));
	memset(&(*rows)[*n], 0, sizeof(**rows));
	(*rows)[*n].name = xstrdup(name);
	return &(*rows)[(*n)++];
}

struct gather {
	struct rates *r;
	int	 campaign;	/* rows are campaigns, not domains */
};

/*
 * Rows of STORE_Q_RATES: domain, class, "", count, then "", class,
 * campaign, count; counts of distinct addresses, so that one subscriber
 * moves no domain's rate (issue 23).
 */
static int
got_rate(const char *dom, const char *cls, const char *camp, long n,
    void *arg)
{
	struct gather *g = arg;
	struct rates *r = g->r;
	int c = rate_class_of(cls);

	if (c < 0 || c >= RC_N)
		return 0;
	if (camp && *camp) {
		row_of(&r->camp, &r->ncamp, camp)->count[c] += n;
		return 0;
	}
	r->all.count[c] += n;
	row_of(&r->dom, &r->ndom, dom ? dom : "")->count[c] += n;
	return 0;
}

/* Rows of STORE_Q_SENT_DOMAIN and STORE_Q_SENT_CAMPAIGN: name, count. */
static int
got_sent(const char *name, const char *b, const char *c, long n, void *arg)
{
	struct gather *g = arg;
	struct rates *r = g->r;

	(void)b;
	(void)c;
	if (g->campaign) {
		if (name && *name)
			row_of(&r->camp, &r->ncamp, name)->sent += n;
		return 0;
	}
	r->all.sent += n;
	row_of(&r->dom, &r->ndom, name ? name : "")->sent += n;
	return 0;
}

static int
got_list(const char *a, const char *b, const char *c, long n, void *arg)
{
	struct rates *r = arg;

	(void)a;
	(void)b;
	(void)c;
	r->list_size += n;
	return 0;
}

static int
got_growth(const char *action, const char *b, const char *c, long n,
    void *arg)
{
	struct rates *r = arg;

	(void)b;
	(void)c;
	if (strcmp(action, "added") == 0 || strcmp(action, "escalated") == 0)
		r->list_added += n;
	return 0;
}

static int
by_sent(const void *a, const void *b)
{
	const struct rate_row *x = a, *y = b;

	if (x->sent != y->sent)
		return x->sent < y->sent ? 1 : -1;
	return strcmp(x->name, y->name);
}

enum store_status
rates_gather(struct store *s, time_t since, time_t until, struct rates *r)
{
	struct gather g;
	enum store_status st;

	memset(r, 0, sizeof(*r));
	g.r = r;
	g.campaign = 0;
	r->since = since - since % 86400;
	r->until = until;
	if ((st = store_query(s, STORE_Q_RATES, r->since, got_rate, &g)) !=
	    STORE_OK ||
	    (st = store_query(s, STORE_Q_SENT_DOMAIN, r->since, got_sent,
	    &g)) != STORE_OK)
		return st;
	g.campaign = 1;
	if ((st = store_query(s, STORE_Q_SENT_CAMPAIGN, r->since, got_sent,
	    &g)) != STORE_OK ||
	    (st = store_query(s, STORE_Q_SUPPRESSED, 0, got_list, r)) !=
	    STORE_OK ||
	    (st = store_query(s, STORE_Q_GROWTH, r->since, got_growth, r)) !=
	    STORE_OK)
		return st;
	if (r->ndom > 1)
		qsort(r->dom, r->ndom, sizeof(*r->dom), by_sent);
	if (r->ncamp > 1)
		qsort(r->camp, r->ncamp, sizeof(*r->camp), by_sent);
	return STORE_OK;
}

void
rates_free(struct rates *r)
{
	size_t i;

	for (i = 0; i < r->ndom; i++)
		free(r->dom[i].name);
	for (i = 0; i < r->ncamp; i++)
		free(r->camp[i].name);
	free(r->dom);
	free(r->camp);
	memset(r, 0, sizeof(*r));
}

long
rates_min_sent(const struct thresholds *t, const char *dom)
{
	long v = t->min_sent;
	size_t i;

	for (i = 0; dom && i < t->nov; i++)
		if (t->ov[i].class == RATE_MIN_SENT &&
		    strcasecmp(t->ov[i].domain, dom) == 0)
			v = (long)t->ov[i].pct;
	return v;
}

void
rates_fmt(double rate, double level, char *a, char *b, size_t len)
{
	int p;

	/* enough decimals that a rate above its level never reads as equal */
	for (p = 2; p < 6; p++) {
		snprintf(a, len, "%.*f%%", p, rate);
		snprintf(b, len, "%.*f%%", p, level);
		if (rate == level || strcmp(a, b) != 0)
			return;
	}
}

/* level_for - the level of class c at domain dom (NULL: none) */
static double
level_for(const struct thresholds *t, int c, int crit, const char *dom)
{
	double v = (crit ? t->crit : t->warn)[c];
	size_t i;

	for (i = 0; dom && i < t->nov; i++)
		if (t->ov[i].class == c && t->ov[i].crit == crit &&
		    strcasecmp(t->ov[i].domain, dom) == 0)
			v = t->ov[i].pct;
	return v;
}

struct found {
	struct alert *a;
	size_t	 n;
	int	 worst;
};

static void
judge(struct found *f, int c, const char *scope, const char *name,
    double rate, long count, long base, double warn, double crit)
{
	struct alert *a;
	int level;

	if (crit >= 0 && rate > crit)
		level = AL_CRITICAL;
	else if (warn >= 0 && rate > warn)
		level = AL_WARNING;
	else
		return;
	f->a = xrealloc(f->a, (f->n + 1) * sizeof(*f->a));
	a = &f->a[f->n++];
	memset(a, 0, sizeof(*a));
	a->level = level;
	a->class = c;
	a->scope = scope;
	snprintf(a->name, sizeof(a->name), "%s", name ? name : "");
	a->rate = rate;
	a->threshold = level == AL_CRITICAL ? crit : warn;
	a->count = count;
	a->sent = base;
	if (level > f->worst)
		f->worst = level;
}

static void
judge_row(struct found *f, const struct thresholds *t, const char *scope,
    const struct rate_row *row, int per_domain)
{
	const char *dom = per_domain ? row->name : NULL;
	int c;

	if (row->sent < rates_min_sent(t, dom) || row->sent <= 0)
		return;
	for (c = 0; c < RC_N; c++)
		judge(f, c, scope, row->name, rates_pct(row->count[c],
		    row->sent), row->count[c], row->sent,
		    level_for(t, c, 0, dom), level_for(t, c, 1, dom));
}

static int
worst_first(const void *a, const void *b)
{
	const struct alert *x = a, *y = b;

	if (x->level != y->level)
		return y->level - x->level;
	if (x->rate != y->rate)
		return x->rate < y->rate ? 1 : -1;
	return strcmp(x->name, y->name);
}

int
rates_check(const struct rates *r, const struct thresholds *t,
    struct alert **out, size_t *n)
{
	struct found f = { NULL, 0, AL_OK };
	double days, growth;
	size_t i;

	judge_row(&f, t, "all", &r->all, 0);
	for (i = 0; i < r->ndom; i++)
		judge_row(&f, t, "domain", &r->dom[i], 1);
	for (i = 0; i < r->ncamp; i++)
		judge_row(&f, t, "campaign", &r->camp[i], 0);
	/* growth: a day's additions as a share of the list they joined */
	days = (double)(r->until - r->since) / 86400.0;
	if (days < 1)
		days = 1;
	if (r->list_size >= t->min_list && r->list_size > 0) {
		growth = 100.0 * ((double)r->list_added / days) /
		    (double)r->list_size;
		judge(&f, RC_GROWTH, "list", NULL, growth, r->list_added,
		    r->list_size, t->warn[RC_GROWTH], t->crit[RC_GROWTH]);
	}
	if (f.n > 1)
		qsort(f.a, f.n, sizeof(*f.a), worst_first);
	*out = f.a;
	*n = f.n;
	return f.worst;
}

struct daily_ctx {
	struct rates_day *d;
	size_t	 n;
	int	 which;		/* 0 events, 1 sent, 2 list changes */
};

/* day_of - the day's slot, NULL when outside the window */
static struct rates_day *
day_of(struct daily_ctx *x, const char *day)
{
	size_t i;

	for (i = 0; day && i < x->n; i++)
		if (strcmp(x->d[i].day, day) == 0)
			return &x->d[i];
	return NULL;
}

static int
got_day(const char *day, const char *b, const char *c, long n, void *arg)
{
	struct daily_ctx *x = arg;
	struct rates_day *d = day_of(x, day);
	int k;

	(void)c;
	if (d == NULL)
		return 0;
	if (x->which == 1)
		d->sent += n;
	else if (x->which == 0 && (k = rate_class_of(b)) >= 0 && k < RC_N)
		d->count[k] += n;
	else if (x->which == 2 && (strcmp(b, "added") == 0 ||
	    strcmp(b, "escalated") == 0))
		d->added += n;
	else if (x->which == 2 && (strcmp(b, "released") == 0 ||
	    strcmp(b, "expired") == 0))
		d->removed += n;
	return 0;
}

enum store_status
rates_daily(struct store *s, time_t since, time_t until,
    struct rates_day **out, size_t *n)
{
	struct daily_ctx x = { NULL, 0, 0 };
	enum store_status r;
	time_t first = since - since % 86400, t;
	size_t i;
	struct tm tm;

	*out = NULL;
	*n = 0;
	if (until < first)
		until = first;
	x.n = (size_t)((until - first) / 86400) + 1;
	if (x.n > RATES_MAX_DAYS) {
		first += (time_t)(x.n - RATES_MAX_DAYS) * 86400;
		x.n = RATES_MAX_DAYS;
	}
	x.d = xcalloc(x.n, sizeof(*x.d));
	for (i = 0, t = first; i < x.n; i++, t += 86400) {
		gmtime_r(&t, &tm);
		strftime(x.d[i].day, sizeof(x.d[i].day), "%Y-%m-%d", &tm);
	}
	if ((r = store_query(s, STORE_Q_DAILY, first, got_day, &x)) !=
	    STORE_OK)
		goto bad;
	x.which = 1;
	if ((r = store_query(s, STORE_Q_SENT_DAILY, first, got_day, &x)) !=
	    STORE_OK)
		goto bad;
	x.which = 2;
	if ((r = store_query(s, STORE_Q_GROWTH_DAILY, first, got_day, &x)) !=
	    STORE_OK)
		goto bad;
	*out = x.d;
	*n = x.n;
	return STORE_OK;
bad:
	free(x.d);
	return r;
}
