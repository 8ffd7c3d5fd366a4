/*
 * cmd_pipe.c - pipe mode, Postfix's pipe(8) transport: store what the
 * message on standard input says. Only 0 and 75 leave here: a bounce is
 * stored, deliberately ignored (logged), or kept by Postfix for a retry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>
#include <syslog.h>
#include <time.h>

#include "cli.h"
#include "metrics.h"
#include "util.h"

/* pipe_time - count this run in the histogram --metrics shows */
static enum store_status
pipe_time(struct store *s, const struct timespec *t0)
{
	struct timespec t1;
	long long us;
	int b;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	us = (long long)(t1.tv_sec - t0->tv_sec) * 1000000 +
	    (t1.tv_nsec - t0->tv_nsec) / 1000;
	for (b = 0; b < METRICS_PIPE_NBUCKETS; b++)
		if ((double)us <= metrics_pipe_buckets[b] * 1e6)
			break;
	return store_pipe_time(s, b, us);
}

/*
 * keep_broken - an unreadable bounce recorded for its VERP recipient:
 * logged, and a copy kept when there is a quarantine to look at it later
 */
static void
keep_broken(const struct options *o, const struct config *cf,
    const struct ingest_result *res, const char *buf, size_t len)
{
	const char *dir = o->quarantine ? o->quarantine : cf->quarantine;
	char *err = NULL;
	char sb[LOG_SAFE_MAX], wb[LOG_SAFE_MAX], vb[LOG_SAFE_MAX];

	syslog(LOG_WARNING, "message from <%s> unparseable (%s): recorded as a "
	    "failure for its VERP recipient <%s>", log_safe(o->sender, sb,
	    sizeof(sb)), log_safe(res->why, wb, sizeof(wb)),
	    log_safe(res->b.verp, vb, sizeof(vb)));
	if (dir == NULL)
		return;
	if (ingest_quarantine(dir, buf, len, &err) == -1) {
		syslog(LOG_WARNING, "quarantine %s: %s", dir, err);
		fprintf(stderr, "%s: quarantine %s: %s\n", progname, dir, err);
	}
	free(err);
}

int
cmd_pipe(struct run *r)
{
	const struct options *o = r->o;
	const struct config *cf = r->cf;
	struct ingest_ctx x;
	struct ingest_result res;
	struct store *s = NULL;
	struct timespec t0;
	char *buf = NULL;
	size_t len;
	int rc;
	char sb[LOG_SAFE_MAX], wb[LOG_SAFE_MAX];

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((rc = cli_read_message(o, cf, &buf, &len)) != EX_OK)
		return rc;
	cli_init_ctx(&x, r);
	/*
	 * Parse and classify before the store is even opened: the write
	 * lock (BEGIN IMMEDIATE) covers the database work alone, so that no
	 * message, however large, makes other bounces wait for its parsing.
	 */
	x.make_keys = 1;
	switch (ingest_analyse(&x, buf, len, &res)) {
	case INGEST_NOTBOUNCE:
		syslog(LOG_INFO, "message from <%s> ignored: not a bounce",
		    log_safe(o->sender, sb, sizeof(sb)));
		goto out;
	case INGEST_BROKEN:
		syslog(LOG_WARNING, "message from <%s> ignored: unparseable: %s",
		    log_safe(o->sender, sb, sizeof(sb)), log_safe(res.why, wb,
		    sizeof(wb)));
		fprintf(stderr, "%s: unparseable: %s\n", progname, res.why);
		goto out;
	default:
		break;
	}
	if (res.broken)
		keep_broken(o, cf, &res, buf, len);
	free(buf);
	buf = NULL;
	if ((rc = cli_open_store(o, cf, 0, &s)) != EX_OK)
		goto out;
	if (store_begin(s) != STORE_OK) {
		rc = cli_store_failed(s);
		goto out;
	}
	x.store = s;
	if (ingest_store(&x, &res) != INGEST_OK ||
	    pipe_time(s, &t0) != STORE_OK) {
		store_rollback(s);
		rc = cli_store_failed(s);
	} else if (store_commit(s) != STORE_OK)
		rc = cli_store_failed(s);
	else if (cf->syslog)
		ingest_log(&res, 0, o->queue_id);
out:
	ingest_result_free(&res);
	store_close(s);
	free(buf);
	return rc;
}
