/*
 * pending.c - the reports waiting for Postfix's log, and the log reader's
 * health (pending.h).
 *
 * The pending table is bounded (unverified_limit an hour, decided after
 * pending_wait once the log is read), so it is read whole rather than
 * through an aggregate of its own in both store backends.
 *
 * Diagnostics: none printed; store errors are returned.
 */
#include <stdio.h>
#include <string.h>

#include "pending.h"

struct tally {
	const char		*address;
	struct pending_state	*st;
};

/* tally - count one pending row (the store gives them oldest first) */
static int
tally(const struct store_event *e, time_t arrived, void *arg)
{
	struct tally *t = arg;

	if (t->address != NULL && strcmp(e->address, t->address) != 0)
		return 0;
	if (t->st->count++ == 0 || arrived < t->st->oldest)
		t->st->oldest = arrived;
	return 0;
}

enum store_status
pending_gather(struct store *s, const char *address, struct pending_state *st)
{
	struct tally t;
	enum store_status r;
	long v = 0;

	memset(st, 0, sizeof(*st));
	t.address = address;
	t.st = st;
	if ((r = store_pending_each(s, tally, &t)) != STORE_OK)
		return r;
	if ((r = store_counter(s, PENDING_LOG_READ, 0, &v)) != STORE_OK)
		return r;
	st->log_read = (time_t)v;
	return STORE_OK;
}

enum store_status
pending_log_read(struct store *s, time_t now)
{
	return store_counter_set(s, PENDING_LOG_READ, (long)now);
}

const char *
pending_age(time_t secs, char *buf, size_t len)
{
	long long t = secs < 0 ? 0 : (long long)secs;

	if (t >= 86400)
		snprintf(buf, len, "%lldd %lldh", t / 86400, t % 86400 / 3600);
	else if (t >= 3600)
		snprintf(buf, len, "%lldh %lldm", t / 3600, t % 3600 / 60);
	else if (t >= 60)
		snprintf(buf, len, "%lldm", t / 60);
	else
		snprintf(buf, len, "%llds", t);
	return buf;
}

int
pending_problem(const struct pending_state *st, const struct pending_watch *w,
    time_t now, char *msg, size_t len)
{
	char a[32], b[32];

	if (len > 0)
		msg[0] = '\0';
	if (!w->needs_log || w->stale == 0)
		return 0;
	if (st->log_read == 0) {
		snprintf(msg, len, "Postfix's log has never been read: under "
		    "trust = sent no report suppresses anyone (%ld pending); "
		    "start the log reader: systemctl start bouncer-maillog, or "
		    "bouncer --maillog from cron (README, Reading Postfix's "
		    "log)", st->count);
		return 1;
	}
	if (now - st->log_read > w->stale) {
		snprintf(msg, len, "Postfix's log was last read %s ago "
		    "(maillog_stale %s), %ld reports pending: is the log "
		    "reader running? (systemctl status bouncer-maillog)",
		    pending_age(now - st->log_read, a, sizeof(a)),
		    pending_age(w->stale, b, sizeof(b)), st->count);
		return 1;
	}
	if (st->count > 0 && now - st->oldest > w->wait + w->stale) {
		snprintf(msg, len, "%ld reports pending, the oldest for %s "
		    "(pending_wait is %s): the log is read but they are not "
		    "decided; see bouncer --maillog's output", st->count,
		    pending_age(now - st->oldest, a, sizeof(a)),
		    pending_age(w->wait, b, sizeof(b)));
		return 1;
	}
	return 0;
}
