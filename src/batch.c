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
#include <pthread.h>
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

static void
read_error(const char *path, const char *why)
{
	fprintf(stderr, "bouncer: %s: %s\n", path, why);
}

/*
 * finish - the second half of a message, in the order read: the policy
 * into the store, the counts, the log, the quarantine, the batch commit.
 * is and res come from ingest_analyse (res is freed here).
 */
static int
finish(struct run *u, enum ingest_status is, struct ingest_result *res,
    const char *buf, size_t len, const char *path, off_t off)
{
	size_t i;

	if (is == INGEST_OK)
		is = ingest_store(u->x, res);
	switch (is) {
	case INGEST_NOTBOUNCE:
		u->st->not_bounces++;
		break;
	case INGEST_BROKEN:
		u->st->unparseable++;
		if (off >= 0)
			fprintf(stderr, "bouncer: %s at offset %lld: "
			    "unparseable: %s\n", path, (long long)off, res->why);
		else
			fprintf(stderr, "bouncer: %s: unparseable: %s\n", path,
			    res->why);
		quarantine(u, buf, len);
		break;
	case INGEST_STORE:
		u->r = res->store_status;
		ingest_result_free(res);
		return -1;
	default:
		u->st->bounces++;
		for (i = 0; i < res->b.n; i++) {
			if (res->b.r[i].v.class == NULL)
				continue;
			u->st->recipients++;
			count_class(u->st, res->b.r[i].v.class);
			count_reason(u->st, res->b.r[i].v.reason);
			if (res->outcome[i] == POLICY_DUPLICATE)
				u->st->duplicates++;
			if (res->outcome[i] == POLICY_SUPPRESSED ||
			    res->outcome[i] == POLICY_ESCALATED)
				u->st->suppressed++;
		}
		if (u->o->log)
			ingest_log(res, u->x->store == NULL);
	}
	ingest_result_free(res);
	if (u->x->store && ++u->in_batch >= u->o->batch) {
		if ((u->r = store_commit(u->x->store)) != STORE_OK ||
		    (u->r = store_begin(u->x->store)) != STORE_OK)
			return -1;
		u->in_batch = 0;
	}
	draw(u, 0);
	return 0;
}

/* toobig - a message over the size limit: named, quarantined, skipped */
static void
toobig_msg(struct run *u, const char *buf, size_t len, const char *path,
    off_t off)
{
	u->st->unparseable++;
	fprintf(stderr, "bouncer: %s%s%lld: larger than %zu bytes, "
	    "skipped\n", path, off >= 0 ? " at offset " : "",
	    off >= 0 ? (long long)off : 0LL, u->o->max_size);
	quarantine(u, buf, len);
	draw(u, 0);
}

/* one - a message, analysed and finished here (one thread) */
static int
one(const char *buf, size_t len, const char *path, off_t off, int toobig,
    void *arg)
{
	struct run *u = arg;
	struct ingest_result res;
	enum ingest_status is;

	u->st->messages++;
	if (toobig) {
		toobig_msg(u, buf, len, path, off);
		return 0;
	}
	is = ingest_analyse(u->x, buf, len, &res);
	return finish(u, is, &res, buf, len, path, off);
}

/*
 * With several threads: parsing and classifying are most of the work
 * and need nothing but the message, so workers do them while this
 * thread reads the input and finishes messages in the order they came
 * (the store is written by one thread, in order, as with one). A ring
 * of jobs bounds the messages in memory to a few per worker.
 */
enum { JOB_FREE, JOB_QUEUED, JOB_TAKEN, JOB_DONE };

struct job {
	char			*buf;
	size_t			 len;
	char			*path;
	off_t			 off;
	int			 state;
	enum ingest_status	 is;
	struct ingest_result	 res;
};

struct pool {
	pthread_mutex_t		 mu;
	pthread_cond_t		 work;		/* a job queued, or stop */
	pthread_cond_t		 done;		/* a job done */
	struct job		*ring;
	size_t			 cap;
	unsigned long		 head;		/* oldest unfinished */
	unsigned long		 next;		/* next for a worker */
	unsigned long		 tail;		/* next to fill */
	int			 stop;
	int			 idle;		/* workers waiting for work */
	int			 waiting;	/* the reader waits for done */
	size_t			 ndone;		/* jobs done, not yet finished */
	pthread_t		*th;
	int			 nth;
	struct run		*u;
};

static void *
worker(void *arg)
{
	struct pool *p = arg;
	struct job *j;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->stop && p->next == p->tail) {
			p->idle++;
			pthread_cond_wait(&p->work, &p->mu);
			p->idle--;
		}
		if (p->next == p->tail)
			break;		/* stop, and nothing left */
		j = &p->ring[p->next++ % p->cap];
		j->state = JOB_TAKEN;
		pthread_mutex_unlock(&p->mu);
		j->is = ingest_analyse(p->u->x, j->buf, j->len, &j->res);
		pthread_mutex_lock(&p->mu);
		j->state = JOB_DONE;
		/*
		 * Wake the reader only when it waits and half the ring (or
		 * all of what is in it) is done: waking it for each message
		 * would cost two context switches a message.
		 */
		p->ndone++;
		if (p->waiting && (p->ndone >= p->cap / 2 ||
		    p->ndone == p->tail - p->head))
			pthread_cond_signal(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	classifier_thread_end();
	return NULL;
}

/*
 * reap - finish the jobs done at the head of the ring, in order (or drop
 * them after a store failure). wait: 1, first wait until half the ring
 * and its oldest job are done; 2, wait for every job.
 */
static int
reap(struct pool *p, int wait, int drop)
{
	struct job *j;
	int rc = 0, ready;

	pthread_mutex_lock(&p->mu);
	while (wait && p->head < p->tail &&
	    ((wait == 1 && p->ndone < p->cap / 2) ||
	    (wait == 2 && p->ndone < p->tail - p->head) ||
	    p->ring[p->head % p->cap].state != JOB_DONE)) {
		p->waiting = 1;
		pthread_cond_wait(&p->done, &p->mu);
		p->waiting = 0;
	}
	pthread_mutex_unlock(&p->mu);
	while (p->head < p->tail) {
		j = &p->ring[p->head % p->cap];
		pthread_mutex_lock(&p->mu);
		if ((ready = j->state == JOB_DONE))
			p->ndone--;
		pthread_mutex_unlock(&p->mu);
		if (!ready)
			break;
		if (drop || rc == -1)
			ingest_result_free(&j->res);
		else
			rc = finish(p->u, j->is, &j->res, j->buf, j->len,
			    j->path, j->off);
		free(j->buf);
		free(j->path);
		j->buf = j->path = NULL;
		j->state = JOB_FREE;
		p->head++;
	}
	return rc;
}

static int
one_pooled(const char *buf, size_t len, const char *path, off_t off,
    int toobig, void *arg)
{
	struct pool *p = arg;
	struct run *u = p->u;
	struct job *j;

	u->st->messages++;
	if (toobig) {
		/* in order: what was read before it is finished first */
		if (reap(p, 2, 0) == -1)
			return -1;
		toobig_msg(u, buf, len, path, off);
		return 0;
	}
	if (p->tail - p->head == p->cap && reap(p, 1, 0) == -1)
		return -1;
	j = &p->ring[p->tail % p->cap];
	j->buf = xmalloc(len + 1);
	memcpy(j->buf, buf, len);
	j->buf[len] = '\0';
	j->len = len;
	j->path = xstrdup(path);
	j->off = off;
	pthread_mutex_lock(&p->mu);
	j->state = JOB_QUEUED;
	p->tail++;
	if (p->idle > 0)
		pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->mu);
	return 0;
}

/* run_pooled - replay_run with o->jobs workers; 0, or -1 if none started */
static int
run_pooled(struct run *u, struct replay_src *src)
{
	struct pool p;
	int i, failed = 0;

	memset(&p, 0, sizeof(p));
	p.u = u;
	p.cap = (size_t)u->o->jobs * 16;
	p.ring = xcalloc(p.cap, sizeof(*p.ring));
	p.th = xcalloc((size_t)u->o->jobs, sizeof(*p.th));
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.work, NULL);
	pthread_cond_init(&p.done, NULL);
	for (i = 0; i < u->o->jobs; i++) {
		if (pthread_create(&p.th[i], NULL, worker, &p) != 0)
			break;
		p.nth++;
	}
	if (p.nth == 0) {
		failed = -1;
		goto out;
	}
	replay_run(src, u->o->max_size, one_pooled, &p, read_error);
	/* what is in flight: finished, or dropped after a store failure */
	(void)reap(&p, 2, u->r != STORE_OK);
	pthread_mutex_lock(&p.mu);
	p.stop = 1;
	pthread_cond_broadcast(&p.work);
	pthread_mutex_unlock(&p.mu);
	for (i = 0; i < p.nth; i++)
		pthread_join(p.th[i], NULL);
out:
	pthread_mutex_destroy(&p.mu);
	pthread_cond_destroy(&p.work);
	pthread_cond_destroy(&p.done);
	free(p.ring);
	free(p.th);
	return failed;
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
	if (o->jobs <= 1 || run_pooled(&u, src) == -1)
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
