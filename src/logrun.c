/*
 * logrun.c - short transactions, settling and stopping for a --maillog
 * run (logrun.h).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "ingest.h"
#include "logrun.h"
#include "util.h"

/*
 * Short transactions: a pipe-mode bouncer waits for the write lock at
 * most its busy timeout (5 s), and a year of log is millions of lines.
 * So commit, with the position reached, every CHUNK_LINES lines or
 * CHUNK_MS milliseconds, whichever comes first, and open the next
 * transaction only when the next line has been read (a pipe that waits
 * for input holds no lock); a crash between two commits loses nothing
 * (the position is in the same transaction).
 */
#define CHUNK_LINES	5000
#define CHUNK_MS	100

static long
ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - t->tv_sec) * 1000 +
	    (now.tv_nsec - t->tv_nsec) / 1000000;
}

void
logrun_tick(struct logrun *x)
{
	x->now = x->now0 + (time_t)(mono_s() - x->mono0);
}

/* logrun_begin - open a transaction, if none is, and start its clock */
enum store_status
logrun_begin(struct logrun *x)
{
	enum store_status r;

	if (x->open)
		return STORE_OK;
	if ((r = store_begin(x->s)) != STORE_OK)
		return r;
	clock_gettime(CLOCK_MONOTONIC, &x->began);
	x->lines = 0;
	x->open = 1;
	return STORE_OK;
}

/*
 * logrun_settle - in --follow, decide the pending reports that the lines
 * just committed may tie (at most once a second, so that a busy log
 * costs one settling a second), and the others once a minute, so that
 * one left untied past pending_wait is recorded as unverified even when
 * the log is quiet; in a transaction of its own, as short as the others.
 * force settles whatever the time.
 */
enum store_status
logrun_settle(struct logrun *x, int force)
{
	enum store_status r;
	long tied, unverified, ms;

	if (x->p->trust != POLICY_TRUST_SENT)
		return STORE_OK;
	ms = ms_since(&x->settled);
	if (!force && (ms < 1000 || (!x->fresh && ms < 60000)))
		return STORE_OK;
	if (x->follow)
		x->now = time(NULL);
	if ((r = store_begin(x->s)) != STORE_OK)
		return r;
	if ((r = ingest_settle(x->s, x->p, x->now, &tied, &unverified)) !=
	    STORE_OK) {
		store_rollback(x->s);
		return r;
	}
	if ((r = store_commit(x->s)) != STORE_OK)
		return r;
	x->st->tied += tied;
	x->st->unverified += unverified;
	x->fresh = 0;
	clock_gettime(CLOCK_MONOTONIC, &x->settled);
	return STORE_OK;
}

/* logrun_end - commit, with the position end when reading a file */
enum store_status
logrun_end(struct logrun *x, long long end)
{
	enum store_status r;

	if (!x->open)
		return STORE_OK;
	x->open = 0;
	if (x->path != NULL &&
	    (r = store_logpos_set(x->s, x->path, x->ino, end, x->mark)) !=
	    STORE_OK) {
		store_rollback(x->s);
		return r;
	}
	if ((r = store_commit(x->s)) != STORE_OK)
		return r;
	x->fresh = 1;
	return x->follow ? logrun_settle(x, 0) : STORE_OK;
}

/* logrun_rollback - give up the open transaction, if any */
void
logrun_rollback(struct logrun *x)
{
	if (x->open)
		store_rollback(x->s);
	x->open = 0;
}

/* logrun_chunk - after a line: commit when the transaction is long enough */
enum store_status
logrun_chunk(struct logrun *x, long long end)
{
	enum store_status r;

	if (++x->lines < CHUNK_LINES && ms_since(&x->began) < CHUNK_MS)
		return STORE_OK;
	if ((r = logrun_end(x, end)) == STORE_OK)
		txn_gap();
	return r;
}

/* set by SIGTERM (and SIGINT, SIGHUP) in --follow: commit and stop */
static volatile sig_atomic_t stopping;

static void
on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

/*
 * logrun_catch_stop - SIGTERM ends --follow after the lines read are
 * committed. No SA_RESTART: a read waiting on a pipe returns at once.
 */
void
logrun_catch_stop(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int
logrun_stopping(void)
{
	return stopping;
}

/*
 * logrun_fill - more input: commit before waiting for a writer, so that
 * a pipe that waits for input holds no lock
 */
enum store_status
logrun_fill(struct logrun *x, struct logfile *b, long long end,
    long long *dropped, int *more)
{
	enum store_status r = STORE_OK;
	int got;

	*more = 0;
	if ((got = logfile_fill(b, logfile_pipe(b) ? 0 : -1, dropped)) ==
	    LOGFILE_WAIT) {
		if ((r = logrun_end(x, end)) != STORE_OK)
			return r;
		do {
			got = logfile_fill(b, 1000, dropped);
			if (got == LOGFILE_WAIT && x->follow &&
			    (r = logrun_settle(x, 0)) != STORE_OK)
				return r;
		} while (got == LOGFILE_WAIT && !stopping);
	}
	if (got == LOGFILE_DATA)
		*more = 1;
	else if (got == LOGFILE_ERR) {
		x->err = xstrdup(strerror(errno));
		r = STORE_FAIL;
	}
	return r;
}
