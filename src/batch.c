/*
 * batch.c - replay driver: transactions per batch, progress, summary.
 *
 * One transaction per batch makes a replay of 100,000 bounces take
 * seconds (a commit with synchronous=FULL costs an fsync); a crash loses
 * at most the batch in flight, and rerunning is safe because every
 * event carries its deduplication key.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "replay.h"
#include "util.h"

const char *batch_classes[9] = {
	"hard", "soft", "block", "complaint", "delayed", "delivered",
	"undetermined", "unverified", NULL
};

struct run {
	struct ingest_ctx	*x;
	const struct batch_opts	*o;
	struct batch_stats	*st;
	enum store_status	 r;
	int			 in_batch;
	long			 total;
	double			 t0;
	double			 last_draw;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
count_class(struct batch_stats *st, const char *class)
{
	int i;

	for (i = 0; batch_classes[i]; i++)
		if (strcmp(class, batch_classes[i]) == 0) {
			st->by_class[i]++;
			return;
		}
}

static void
count_reason(struct batch_stats *st, const char *reason)
{
	int i;

	for (i = 0; i < st->nreasons; i++)
		if (st->reasons[i].reason == reason ||
		    strcmp(st->reasons[i].reason, reason) == 0) {
			st->reasons[i].n++;
			return;
		}
	if (st->nreasons < BATCH_REASONS) {
		st->reasons[st->nreasons].reason = reason;
		st->reasons[st->nreasons++].n = 1;
	}
}

/* quarantine - copy an unparseable message aside, named by a counter */
static void
quarantine(struct run *u, const char *buf, size_t len)
{
	char path[4096];
	int fd;

	if (u->o->quarantine == NULL)
		return;
	if (snprintf(path, sizeof(path), "%s/%ld-%ld.eml", u->o->quarantine,
	    (long)getpid(), u->st->unparseable) >= (int)sizeof(path))
		return;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1) {
		fprintf(stderr, "bouncer: quarantine %s: %s\n", path,
		    strerror(errno));
		return;
	}
	if (write(fd, buf, len) == (ssize_t)len && fsync(fd) == 0)
		u->st->quarantined++;
	close(fd);
}

static void
draw(struct run *u, int final)
{
	double t = now_s(), el = t - u->t0, rate;
	long done = u->st->messages;

	if (!u->o->progress || (!final && t - u->last_draw < 0.25))
		return;
	u->last_draw = t;
	rate = el > 0 ? (double)done / el : 0;
	if (u->total > 0 && rate > 0)
		fprintf(stderr, "\r%ld/%ld messages, %.0f/s, ETA %.0fs   ",
		    done, u->total, rate,
		    (double)(u->total - done) / rate);
	else
		fprintf(stderr, "\r%ld messages, %.0f/s   ", done, rate);
	if (final)
		fputc('\n', stderr);
}

static int
one(const char *buf, size_t len, const char *path, off_t off, int toobig,
    void *arg)
{
	struct run *u = arg;
	struct ingest_result res;
	enum ingest_status is;
	size_t i;

	u->st->messages++;
	if (toobig) {
		u->st->unparseable++;
		fprintf(stderr, "bouncer: %s%s%lld: larger than %zu bytes, "
		    "skipped\n", path, off >= 0 ? " at offset " : "",
		    off >= 0 ? (long long)off : 0LL, u->o->max_size);
		quarantine(u, buf, len);
		draw(u, 0);
		return 0;
	}
	is = ingest_message(u->x, buf, len, &res);
	switch (is) {
	case INGEST_NOTBOUNCE:
		u->st->not_bounces++;
		break;
	case INGEST_BROKEN:
		u->st->unparseable++;
		if (off >= 0)
			fprintf(stderr, "bouncer: %s at offset %lld: "
			    "unparseable: %s\n", path, (long long)off, res.why);
		else
			fprintf(stderr, "bouncer: %s: unparseable: %s\n", path,
			    res.why);
		quarantine(u, buf, len);
		break;
	case INGEST_STORE:
		u->r = res.store_status;
		ingest_result_free(&res);
		return -1;
	default:
		u->st->bounces++;
		for (i = 0; i < res.b.n; i++) {
			if (res.b.r[i].v.class == NULL)
				continue;
			u->st->recipients++;
			count_class(u->st, res.b.r[i].v.class);
			count_reason(u->st, res.b.r[i].v.reason);
			if (res.outcome[i] == POLICY_DUPLICATE)
				u->st->duplicates++;
			if (res.outcome[i] == POLICY_SUPPRESSED ||
			    res.outcome[i] == POLICY_ESCALATED)
				u->st->suppressed++;
		}
		if (u->o->log)
			ingest_log(&res, u->x->store == NULL);
	}
	ingest_result_free(&res);
	if (u->x->store && ++u->in_batch >= u->o->batch) {
		if ((u->r = store_commit(u->x->store)) != STORE_OK ||
		    (u->r = store_begin(u->x->store)) != STORE_OK)
			return -1;
		u->in_batch = 0;
	}
	draw(u, 0);
	return 0;
}

static void
read_error(const char *path, const char *why)
{
	fprintf(stderr, "bouncer: %s: %s\n", path, why);
}

enum store_status
batch_replay(struct ingest_ctx *x, const struct batch_opts *o,
    struct batch_stats *st)
{
	struct replay_src *src;
	struct run u;

	memset(st, 0, sizeof(*st));
	memset(&u, 0, sizeof(u));
	u.x = x;
	u.o = o;
	u.st = st;
	u.r = STORE_OK;
	u.t0 = now_s();
	src = replay_open(o->paths, o->npaths, &u.total);
	if (x->store && (u.r = store_begin(x->store)) != STORE_OK) {
		replay_close(src);
		return u.r;
	}
	replay_run(src, o->max_size, one, &u, read_error);
	if (x->store) {
		if (u.r == STORE_OK)
			u.r = store_commit(x->store);
		else
			store_rollback(x->store);
	}
	replay_close(src);
	draw(&u, 1);
	st->seconds = now_s() - u.t0;
	return u.r;
}

static int
by_count(const void *a, const void *b)
{
	const struct { const char *reason; long n; } *x = a, *y = b;

	return x->n < y->n ? 1 : x->n > y->n ? -1 : strcmp(x->reason, y->reason);
}

void
batch_summary(FILE *fp, const struct batch_stats *st, int dry_run)
{
	struct batch_stats s = *st;
	int i;

	fprintf(fp, "replay%s: %.2f s, %.0f messages/s\n",
	    dry_run ? " (dry run: nothing stored)" : "", s.seconds,
	    s.seconds > 0 ? (double)s.messages / s.seconds : 0.0);
	fprintf(fp, "  %-22s %8ld\n", "messages read", s.messages);
	fprintf(fp, "  %-22s %8ld\n", "bounces and reports", s.bounces);
	fprintf(fp, "  %-22s %8ld\n", "not bounces", s.not_bounces);
	fprintf(fp, "  %-22s %8ld\n", "unparseable", s.unparseable);
	if (s.quarantined)
		fprintf(fp, "  %-22s %8ld\n", "quarantined", s.quarantined);
	fprintf(fp, "  %-22s %8ld\n", "recipients", s.recipients);
	if (!dry_run) {
		fprintf(fp, "  %-22s %8ld\n", "already seen", s.duplicates);
		fprintf(fp, "  %-22s %8ld\n", "newly suppressed", s.suppressed);
	}
	fprintf(fp, "recipients by class:\n");
	for (i = 0; batch_classes[i]; i++)
		if (s.by_class[i])
			fprintf(fp, "  %-22s %8ld\n", batch_classes[i],
			    s.by_class[i]);
	qsort(s.reasons, (size_t)s.nreasons, sizeof(s.reasons[0]), by_count);
	fprintf(fp, "top reasons:\n");
	for (i = 0; i < s.nreasons && i < 10; i++)
		fprintf(fp, "  %-22s %8ld\n", s.reasons[i].reason,
		    s.reasons[i].n);
}
