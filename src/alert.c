/*
 * alert.c - --alert: thresholds crossed, remembered, and delivered.
 *
 * Each alert has a key (class|scope|name) and a remembered level in the
 * store's alerts table: ok (none remembered), warning, critical, or
 * "insufficient data". A run compares what stands now with what was
 * remembered: a new key is "raised", another level "changed", a key no
 * longer standing "resolved". A key whose scope now has less mail than
 * min_sent (after midnight, on a quiet day) is not resolved by the lack of
 * mail: it changes to "insufficient data" once, and is judged again when
 * enough was sent. Only those are delivered, so a cron job every few
 * minutes sends each event once. The command runs with no
 * database transaction open (it may be slow: mail, a webhook), and the
 * new level is remembered only after it exits 0.
 *
 * Pausing (pause_block, off by default): a destination whose block rate
 * passes the level gets a row in the pauses table, which Postfix's
 * transport map (postfix/bouncer-pause.cf) turns into retry:, so its mail
 * waits in the queue; the row's expiry lifts it in Postfix by itself, and
 * the next run audits and delivers the lifting. A destination lifted is
 * paused again only on a block newer than the lifting. The pause is made
 * before it is delivered: if the command fails, the mail is held all the
 * same and the next run delivers the news.
 *
 * Diagnostics: a command that cannot be started or exits non-zero is
 * reported on stderr and counted in alert_result.failed.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alert.h"
#include "output.h"
#include "pending.h"
#include "util.h"

/* the alerts table's key of the log reader's alert (maillog_all) */
#define MAILLOG_KEY	"maillog|all|"

struct state {
	char	*key;
	char	*level;
	time_t	 since;
};

struct states {
	struct state *s;
	size_t	 n;
};

static int
got_state(const char *key, const char *level, const char *c, long since,
    void *arg)
{
	struct states *st = arg;

	(void)c;
	st->s = xrealloc(st->s, (st->n + 1) * sizeof(*st->s));
	st->s[st->n].key = xstrdup(key);
	st->s[st->n].level = xstrdup(level);
	st->s[st->n++].since = (time_t)since;
	return 0;
}

static void
states_free(struct states *st)
{
	size_t i;

	for (i = 0; i < st->n; i++) {
		free(st->s[i].key);
		free(st->s[i].level);
	}
	free(st->s);
}

static void
alert_key(const struct alert *a, char *buf, size_t len)
{
	snprintf(buf, len, "%s|%s|%s", rate_class_name(a->class), a->scope,
	    a->name);
}

/*
 * deliver - run the command with json on its standard input; 0 when it
 * exited 0 (or there is no command)
 */
static int
deliver(const char *command, const char *json)
{
	struct sigaction sa, old;
	size_t len = strlen(json), off = 0;
	ssize_t w;
	int fd[2], status;
	pid_t pid;

	if (command == NULL)
		return 0;
	if (pipe(fd) == -1)
		return -1;
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1) {
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(fd[0], 0);
		close(fd[0]);
		close(fd[1]);
		/* its output is the operator's, not our report's */
		dup2(2, 1);
		execl("/bin/sh", "sh", "-c", command, (char *)NULL);
		_exit(127);
	}
	close(fd[0]);
	/* a command that does not read its input must not kill us */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, &old);
	while (off < len) {
		if ((w = write(fd[1], json + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		off += (size_t)w;
	}
	close(fd[1]);
	sigaction(SIGPIPE, &old, NULL);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* find_row - the rates of a scope, NULL when nothing was counted there */
static const struct rate_row *
find_row(const struct rates *r, const char *scope, const char *name)
{
	const struct rate_row *rows;
	size_t i, n;

	if (strcmp(scope, "all") == 0)
		return &r->all;
	if (strcmp(scope, "domain") == 0)
		rows = r->dom, n = r->ndom;
	else if (strcmp(scope, "campaign") == 0)
		rows = r->camp, n = r->ncamp;
	else
		return NULL;
	for (i = 0; i < n; i++)
		if (strcmp(rows[i].name, name) == 0)
			return &rows[i];
	return NULL;
}

struct note {
	const char	*state;		/* raised, changed, resolved, paused,
					   resumed */
	const char	*level;
	const char	*previous;
	const char	*class;
	const char	*scope;
	const char	*name;
	double		 rate;
	double		 threshold;
	long		 count;
	long		 base;
	time_t		 until;		/* paused: when it lifts */
	long		 incident;	/* the incident's id, 0 none */
	const char	*diagnostic;	/* ... and its diagnostic */
	const char	*reason;	/* ... read as */
	const char	*text;		/* said instead of a rate (maillog) */
};

static void
note_json(struct sbuf *j, const struct note *n, const struct alert_opts *o,
    const struct rates *r)
{
	int growth = strcmp(n->class, "growth") == 0;

	sbuf_add(j, "{\"level\":");
	json_str(j, n->level);
	sbuf_add(j, ",\"state\":");
	json_str(j, n->state);
	sbuf_add(j, ",\"previous\":");
	json_str(j, n->previous);
	sbuf_add(j, ",\"class\":");
	json_str(j, n->class);
	sbuf_add(j, ",\"scope\":");
	json_str(j, n->scope);
	sbuf_add(j, ",\"name\":");
	json_str(j, n->name);
	sbuf_printf(j, ",\"rate\":%.4f,\"threshold\":%.4f,\"counts\":{\"%s\":%ld,"
	    "\"%s\":%ld},\"window\":{\"since\":%lld,\"until\":%lld,"
	    "\"seconds\":%lld},\"time\":%lld", n->rate, n->threshold,
	    growth ? "added" : "events", n->count, growth ? "list" : "sent",
	    n->base, (long long)r->since, (long long)r->until,
	    (long long)(r->until - r->since), (long long)o->now);
	if (n->until)
		sbuf_printf(j, ",\"until\":%lld", (long long)n->until);
	if (n->text) {
		sbuf_add(j, ",\"message\":");
		json_str(j, n->text);
	}
	if (n->incident) {
		sbuf_printf(j, ",\"incident\":{\"id\":%ld,\"reason\":",
		    n->incident);
		json_str(j, n->reason);
		sbuf_add(j, ",\"diagnostic\":");
		json_str(j, n->diagnostic);
		sbuf_add(j, "}");
	}
	sbuf_add(j, "}\n");
}

/* notify - deliver one note, say so on out, count it */
static int
notify(const struct note *n, const struct alert_opts *o,
    const struct rates *r, FILE *out, struct alert_result *res)
{
	struct sbuf j;
	char rate[16], level[16], safe[LOG_SAFE_MAX];
	int rc;

	sbuf_init(&j);
	note_json(&j, n, o, r);
	rc = deliver(o->command, j.s);
	rates_fmt(n->rate, n->threshold, rate, level, sizeof(rate));
	/* the text and the name carry what reports said (a diagnostic, a
	   domain): escaped, so cron's mail shows no stranger's control
	   characters and no line of his */
	if (n->text)
		fprintf(out, "alert %s: %s %s: %s%s\n", n->state, n->level,
		    n->class, log_safe(n->text, safe, sizeof(safe)), rc == 0 ?
		    "" : ": alert_command failed, will try again");
	else
		fprintf(out, "alert %s: %s %s %s%s%s %s (threshold %s)%s\n",
		    n->state, n->level, n->class, n->scope, *n->name ? " " : "",
		    log_safe(n->name, safe, sizeof(safe)), rate, level, rc == 0 ?
		    "" : ": alert_command failed, will try again");
	if (rc == 0)
		res->sent++;
	else
		res->failed++;
	sbuf_free(&j);
	return rc;
}

/* raise_all - every alert standing whose level is new */
static enum store_status
raise_all(struct store *s, const struct alert_opts *o, const struct rates *r,
    const struct alert *al, size_t nal, const struct states *st, FILE *out,
    struct alert_result *res)
{
	enum store_status rc = STORE_OK;
	char key[512];
	size_t i, k;

	for (i = 0; i < nal && rc == STORE_OK; i++) {
		const char *prev = "ok", *lvl = alert_level_name(al[i].level);
		struct note n;

		alert_key(&al[i], key, sizeof(key));
		for (k = 0; k < st->n; k++)
			if (strcmp(st->s[k].key, key) == 0)
				prev = st->s[k].level;
		if (strcmp(prev, lvl) == 0)
			continue;
		memset(&n, 0, sizeof(n));
		n.state = strcmp(prev, "ok") == 0 ? "raised" : "changed";
		n.level = lvl;
		n.previous = prev;
		n.class = rate_class_name(al[i].class);
		n.scope = al[i].scope;
		n.name = al[i].name;
		n.rate = al[i].rate;
		n.threshold = al[i].threshold;
		n.count = al[i].count;
		n.base = al[i].sent;
		if (notify(&n, o, r, out, res) == 0)
			rc = store_alert_set(s, key, lvl, o->now);
	}
	return rc;
}

/* resolve_all - every remembered alert that no longer stands */
static enum store_status
resolve_all(struct store *s, const struct alert_opts *o, const struct rates *r,
    const struct alert *al, size_t nal, const struct states *st, FILE *out,
    struct alert_result *res)
{
	enum store_status rc = STORE_OK;
	char key[512], cls[32], scope[32];
	const char *name, *p;
	size_t i, k;

	for (k = 0; k < st->n && rc == STORE_OK; k++) {
		const struct rate_row *row;
		struct note n;
		int standing = 0, c;

		if (strncmp(st->s[k].key, "pause|", 6) == 0 ||
		    strncmp(st->s[k].key, "incident|", 9) == 0 ||
		    strncmp(st->s[k].key, MAILLOG_KEY, sizeof(MAILLOG_KEY) - 1)
		    == 0)
			continue;	/* pause_all's, incident_all's, maillog_all's */
		for (i = 0; i < nal; i++) {
			alert_key(&al[i], key, sizeof(key));
			if (strcmp(st->s[k].key, key) == 0)
				standing = 1;
		}
		if (standing)
			continue;
		/* class|scope|name */
		if ((p = strchr(st->s[k].key, '|')) == NULL ||
		    (size_t)(p - st->s[k].key) >= sizeof(cls) ||
		    (name = strchr(p + 1, '|')) == NULL ||
		    (size_t)(name - p - 1) >= sizeof(scope))
			continue;
		snprintf(cls, sizeof(cls), "%.*s", (int)(p - st->s[k].key),
		    st->s[k].key);
		snprintf(scope, sizeof(scope), "%.*s", (int)(name - p - 1),
		    p + 1);
		name++;
		memset(&n, 0, sizeof(n));
		n.state = "resolved";
		n.level = "ok";
		n.previous = st->s[k].level;
		n.class = cls;
		n.scope = scope;
		n.name = name;
		c = rate_class_of(cls);
		row = c >= 0 && c != RC_GROWTH ? find_row(r, scope, name) : NULL;
		if (c == RC_GROWTH) {
			n.count = r->list_added;
			n.base = r->list_size;
		} else if (row != NULL) {
			n.count = row->count[c];
			n.base = row->sent;
			n.rate = rates_pct(n.count, n.base);
		}
		/*
		 * Too little mail to judge is not a recovery: say so once,
		 * keep the alert, judge again when enough was sent
		 */
		if (c >= 0 && c != RC_GROWTH && (row == NULL || row->sent <
		    rates_min_sent(o->th, strcmp(scope, "domain") == 0 ?
		    name : NULL))) {
			if (strcmp(st->s[k].level, AL_NODATA) == 0)
				continue;
			n.state = "changed";
			n.level = AL_NODATA;
			if (notify(&n, o, r, out, res) == 0)
				rc = store_alert_set(s, st->s[k].key, AL_NODATA,
				    o->now);
			continue;
		}
		if (notify(&n, o, r, out, res) == 0)
			rc = store_alert_set(s, st->s[k].key, NULL, o->now);
	}
	return rc;
}

struct pause {
	char	*domain;
	char	*why;
	time_t	 expires;
};

struct pauses {
	struct pause *p;
	size_t	 n;
};

static int
got_pause(const char *dom, const char *why, const char *c, long expires,
    void *arg)
{
	struct pauses *ps = arg;

	(void)c;
	ps->p = xrealloc(ps->p, (ps->n + 1) * sizeof(*ps->p));
	ps->p[ps->n].domain = xstrdup(dom);
	ps->p[ps->n].why = xstrdup(why);
	ps->p[ps->n++].expires = (time_t)expires;
	return 0;
}

static void
pauses_free(struct pauses *ps)
{
	size_t i;

	for (i = 0; i < ps->n; i++) {
		free(ps->p[i].domain);
		free(ps->p[i].why);
	}
	free(ps->p);
}

/* state_of - the remembered level of key, NULL when none; *since its time */
static const char *
state_of(const struct states *st, const char *key, time_t *since)
{
	size_t k;

	for (k = 0; k < st->n; k++)
		if (strcmp(st->s[k].key, key) == 0) {
			*since = st->s[k].since;
			return st->s[k].level;
		}
	return NULL;
}

/* pause_note - a note about the pause of row, rates from r */
static void
pause_note(struct note *n, const char *state, const char *dom,
    const struct alert_opts *o, const struct rates *r, time_t until)
{
	const struct rate_row *row = find_row(r, "domain", dom);

	memset(n, 0, sizeof(*n));
	n->state = state;
	n->level = strcmp(state, "paused") == 0 ? "critical" : "ok";
	n->previous = strcmp(state, "paused") == 0 ? "ok" : "paused";
	n->class = "block";
	n->scope = "domain";
	n->name = dom;
	n->threshold = o->pause_block;
	n->until = until;
	if (row != NULL) {
		n->count = row->count[RC_BLOCK];
		n->base = row->sent;
		n->rate = rates_pct(n->count, n->base);
	}
}

/* paused - write the pause, its audit row and its state, in one go */
static enum store_status
pause_write(struct store *s, const char *dom, time_t now, time_t expires,
    const char *why, const char *action, const char *key, const char *level)
{
	struct store_audit a = { now, dom, action, "block", "", why };
	enum store_status rc;

	if ((rc = store_begin(s)) != STORE_OK)
		return rc;
	if ((rc = store_pause_set(s, dom, now, expires, why)) != STORE_OK ||
	    (rc = store_audit(s, &a)) != STORE_OK ||
	    (rc = store_alert_set(s, key, level, now)) != STORE_OK) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s);
}

static int
got_last(const char *dom, const char *b, const char *c, long t, void *arg)
{
	struct states *st = arg;

	return got_state(dom, b, c, t, st);
}

/* pause_all - lift the pauses due, pause the destinations blocking us */
static enum store_status
pause_all(struct store *s, const struct alert_opts *o, const struct rates *r,
    const struct states *st, FILE *out, struct alert_result *res)
{
	struct pauses ps = { NULL, 0 };
	struct states last = { NULL, 0 };
	enum store_status rc;
	const char *lvl;
	char key[300], why[200];
	time_t since, lastblock;
	size_t i, k;

	if ((rc = store_query(s, STORE_Q_PAUSES, 0, got_pause, &ps)) !=
	    STORE_OK ||
	    (rc = store_query(s, STORE_Q_LAST_BLOCK, r->since, got_last,
	    &last)) != STORE_OK)
		goto out;
	for (i = 0; i < ps.n && rc == STORE_OK; i++) {
		struct note n;

		snprintf(key, sizeof(key), "pause|domain|%s", ps.p[i].domain);
		lvl = state_of(st, key, &since);
		if (ps.p[i].expires <= o->now) {
			/* Postfix lifted it at its expiry; say so, then forget it */
			pause_note(&n, "resumed", ps.p[i].domain, o, r, 0);
			if (notify(&n, o, r, out, res) == 0)
				rc = pause_write(s, ps.p[i].domain, o->now, 0,
				    "pause lifted", "resumed", key, "lifted");
		} else if (lvl == NULL || strcmp(lvl, "paused") != 0) {
			/* paused, but the news did not get through yet */
			pause_note(&n, "paused", ps.p[i].domain, o, r,
			    ps.p[i].expires);
			if (notify(&n, o, r, out, res) == 0)
				rc = store_alert_set(s, key, "paused", o->now);
		}
	}
	for (i = 0; o->pause_block >= 0 && i < r->ndom && rc == STORE_OK; i++) {
		const struct rate_row *row = &r->dom[i];
		double rate = rates_pct(row->count[RC_BLOCK], row->sent);
		struct note n;
		int paused = 0;

		if (row->sent < rates_min_sent(o->th, row->name) ||
		    row->sent <= 0 ||
		    rate <= o->pause_block)
			continue;
		for (k = 0; k < ps.n; k++)
			if (strcmp(ps.p[k].domain, row->name) == 0)
				paused = 1;
		if (paused)
			continue;
		snprintf(key, sizeof(key), "pause|domain|%s", row->name);
		lvl = state_of(st, key, &since);
		if (lvl != NULL && strcmp(lvl, "lifted") == 0 &&
		    (state_of(&last, row->name, &lastblock) == NULL ||
		    lastblock <= since))
			continue;	/* no block since it was lifted */
		snprintf(why, sizeof(why), "block %.2f%% of sent (%ld of %ld), "
		    "above %.2f%%", rate, row->count[RC_BLOCK], row->sent,
		    o->pause_block);
		if ((rc = pause_write(s, row->name, o->now, o->now +
		    o->pause_time, why, "paused", key, "unsent")) != STORE_OK)
			break;
		pause_note(&n, "paused", row->name, o, r, o->now +
		    o->pause_time);
		if (notify(&n, o, r, out, res) == 0)
			rc = store_alert_set(s, key, "paused", o->now);
	}
out:
	pauses_free(&ps);
	states_free(&last);
	return rc;
}

struct incident_round {
	struct store		*s;
	const struct alert_opts	*o;
	const struct rates	*r;
	const struct states	*st;
	FILE			*out;
	struct alert_result	*res;
	enum store_status	 rc;
};

/*
 * got_incident - an incident (policy.c: many recipients at one destination
 * failing alike) is news once: a warning, since it suppresses nobody and
 * says our side or the receiver's is in trouble, not the list. Its count
 * is the recipients in it so far.
 */
static int
got_incident(const struct store_incident *i, void *arg)
{
	struct incident_round *x = arg;
	struct note n;
	char key[300];
	time_t since;

	if (x->rc != STORE_OK)
		return 1;
	snprintf(key, sizeof(key), "incident|%ld", i->id);
	if (state_of(x->st, key, &since) != NULL)
		return 0;
	memset(&n, 0, sizeof(n));
	n.state = "raised";
	n.level = "warning";
	n.previous = "ok";
	n.class = "incident";
	n.scope = "domain";
	n.name = i->domain;
	n.count = i->recipients;
	n.incident = i->id;
	n.diagnostic = i->diagnostic;
	n.reason = i->reason;
	if (notify(&n, x->o, x->r, x->out, x->res) == 0)
		x->rc = store_alert_set(x->s, key, "warning", x->o->now);
	return 0;
}

/* incident_all - every incident seen in the window that was not told yet */
static enum store_status
incident_all(struct store *s, const struct alert_opts *o,
    const struct rates *r, const struct states *st, FILE *out,
    struct alert_result *res)
{
	struct incident_round x = { s, o, r, st, out, res, STORE_OK };
	enum store_status rc;

	if ((rc = store_incidents(s, r->since, got_incident, &x)) != STORE_OK)
		return rc;
	return x.rc;
}

/*
 * maillog_all - the log reader (pending.h): under trust = sent a report
 * waits for Postfix's log, so a log not read suppresses nobody. Critical
 * while it stands; raised and resolved once each, like any alert.
 */
static enum store_status
maillog_all(struct store *s, const struct alert_opts *o,
    const struct rates *r, const struct states *st, FILE *out,
    struct alert_result *res, size_t *standing)
{
	struct pending_state ps = { 0, 0, 0 };
	struct note n;
	enum store_status rc;
	const char *prev;
	char msg[512];
	time_t since;
	int problem;

	if (o->watch == NULL)
		return STORE_OK;
	if ((rc = pending_gather(s, NULL, &ps)) != STORE_OK)
		return rc;
	problem = pending_problem(&ps, o->watch, o->now, msg, sizeof(msg));
	if (problem) {
		res->worst = AL_CRITICAL;
		(*standing)++;
	}
	prev = state_of(st, MAILLOG_KEY, &since);
	if (problem == (prev != NULL))
		return STORE_OK;	/* nothing changed: nothing said */
	memset(&n, 0, sizeof(n));
	n.state = problem ? "raised" : "resolved";
	n.level = problem ? "critical" : "ok";
	n.previous = problem ? "ok" : prev;
	n.class = "maillog";
	n.scope = "all";
	n.name = "";
	n.count = ps.count;
	n.text = problem ? msg : "Postfix's log is read again";
	if (notify(&n, o, r, out, res) == 0)
		rc = store_alert_set(s, MAILLOG_KEY, problem ? "critical" :
		    NULL, o->now);
	return rc;
}

enum store_status
alert_run(struct store *s, const struct alert_opts *o, FILE *out,
    struct alert_result *res)
{
	struct rates r;
	struct states st = { NULL, 0 };
	struct alert *al = NULL;
	size_t nal = 0;
	enum store_status rc;

	memset(res, 0, sizeof(*res));
	memset(&r, 0, sizeof(r));	/* cppcheck's ctuuninitvar */
	if ((rc = rates_gather(s, o->now - o->window + 1, o->now, &r)) !=
	    STORE_OK)
		goto out;
	res->worst = rates_check(&r, o->th, &al, &nal);
	if ((rc = store_query(s, STORE_Q_ALERTS, 0, got_state, &st)) !=
	    STORE_OK)
		goto out;
	if ((rc = raise_all(s, o, &r, al, nal, &st, out, res)) != STORE_OK)
		goto out;
	if ((rc = resolve_all(s, o, &r, al, nal, &st, out, res)) != STORE_OK)
		goto out;
	if ((rc = pause_all(s, o, &r, &st, out, res)) != STORE_OK)
		goto out;
	if ((rc = incident_all(s, o, &r, &st, out, res)) != STORE_OK)
		goto out;
	if ((rc = maillog_all(s, o, &r, &st, out, res, &nal)) != STORE_OK)
		goto out;
	/* silent when nothing changed: cron mails every line it gets */
	if (res->sent || res->failed)
		fprintf(out, "alerts: %zu standing (worst %s), %d delivered, "
		    "%d failed\n", nal, alert_level_name(res->worst),
		    res->sent, res->failed);
out:
	free(al);
	states_free(&st);
	rates_free(&r);
	return rc;
}
