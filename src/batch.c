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
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "batch.h"
#include "replay.h"
#include "util.h"
#include "wire.h"

const char *batch_classes[10] = {
	"hard", "soft", "block", "complaint", "unsubscribe", "delayed",
	"delivered", "undetermined", "unverified", NULL
};

/*
 * A transaction ends after o->batch messages or BATCH_SECONDS, whichever
 * comes first: long enough to pay one fsync for many messages, short
 * enough that a pipe-mode bouncer's busy timeout (5 s) never runs out.
 */
#define BATCH_SECONDS	0.2

struct run {
	struct ingest_ctx	*x;
	const struct batch_opts	*o;
	struct batch_stats	*st;
	enum store_status	 r;
	int			 in_batch;
	double			 batch_t0;	/* when the open one began */
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

/* where - a message's name: its file, and its offset in an mbox */
static const char *
where(const char *path, off_t off, char *buf, size_t len)
{
	if (off < 0)
		return path;
	snprintf(buf, len, "%s at offset %lld", path, (long long)off);
	return buf;
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
			ingest_log(res, u->x->store == NULL, NULL);
	}
	ingest_result_free(res);
	/* short transactions: a bounce piped meanwhile waits for the lock */
	if (u->x->store && (++u->in_batch >= u->o->batch ||
	    now_s() - u->batch_t0 >= BATCH_SECONDS)) {
		if ((u->r = store_commit(u->x->store)) != STORE_OK)
			return -1;
		txn_gap();
		if ((u->r = store_begin(u->x->store)) != STORE_OK)
			return -1;
		u->in_batch = 0;
		u->batch_t0 = now_s();
	}
	draw(u, 0);
	return 0;
}

/*
 * toobig_msg - a message over the size limit is named, and read up to
 * the limit: its report comes before the original it returns
 */
static void
toobig_msg(struct run *u, const char *path, off_t off)
{
	char name[4200];

	fprintf(stderr, "bouncer: %s: larger than %zu bytes, read up to the "
	    "limit\n", where(path, off, name, sizeof(name)), u->o->max_size);
}

/* one - a message, analysed and finished here (--jobs 1) */
static int
one(const char *buf, size_t len, const char *path, off_t off, int toobig,
    void *arg)
{
	struct run *u = arg;
	struct ingest_result res;
	enum ingest_status is;

	u->st->messages++;
	if (toobig)
		toobig_msg(u, path, off);
	is = ingest_analyse(u->x, buf, len, &res);
	return finish(u, is, &res, buf, len, path, off);
}

/*
 * With several workers: parsing and classifying are most of the work and
 * need nothing but the message, so worker processes do them while this
 * process reads the input and finishes messages in the order they came
 * (the store is written by one process, in order, as with one). They are
 * processes, not threads: GLib and GMime share allocator and type-system
 * locks between threads, and two threads cost 60% more CPU per message
 * than two processes (bench/run). Message i goes to worker i % n, whose
 * results come back in that order; a ring of jobs bounds what is in
 * flight (RING_PER_WORKER each), and the pipes are made large so that the
 * workers go on while this process waits for a commit. This process keeps
 * only names and results: a worker sends an unreadable message back whole
 * when it is to be quarantined. Frames on the pipes are a 32-bit length
 * and the bytes: a message one way, wire.c's record the other. This
 * process never blocks writing while a worker could block writing back:
 * it reads what is ready whenever a pipe is full (pump).
 */
#define RING_PER_WORKER	256		/* jobs in flight per worker */
#define PIPE_BYTES	(1 << 20)	/* the default limit for a user */

struct job {
	char			*buf;
	size_t			 len;
	char			*path;
	off_t			 off;
	int			 done;
	enum ingest_status	 is;
	struct ingest_result	 res;
	char			*why;
};

struct worker {
	pid_t			 pid;
	int			 to;		/* messages, non-blocking */
	int			 from;		/* results, non-blocking */
	struct sbuf		 in;		/* result bytes read so far */
	size_t			 used;		/* of in, already taken */
	unsigned long		 next;		/* job its next result is for */
	int			 eof;
	int			 status;	/* waitpid's, once reaped */
};

/* How the first worker to fail did (pool.why). */
enum lost_why { LOST_NONE, LOST_DIED, LOST_LIED, LOST_WRITE };
#define NO_JOB	((unsigned long)-1)

struct pool {
	struct worker		*w;
	int			 nw;
	struct job		*ring;
	size_t			 cap;
	unsigned long		 head;		/* oldest unfinished */
	unsigned long		 tail;		/* next to fill */
	/*
	 * The first job whose result will never come (its worker died,
	 * lied, or could not be given it): jobs before it are finished, it
	 * and those after it are not. NO_JOB while every worker answers.
	 */
	unsigned long		 lost;
	int			 failed;	/* that job's worker */
	enum lost_why		 why;
	struct pollfd		*fds;		/* nw + 1, for pump */
	struct run		*u;
};

/* lose - from job k on nothing is finished: worker i failed on it */
static void
lose(struct pool *p, int i, unsigned long k, enum lost_why why)
{
	if (p->lost == NO_JOB || k < p->lost) {
		p->lost = k;
		p->failed = i;
		p->why = why;
	}
}

/* full_write - all of buf to a blocking fd; -1 on error */
static int
full_write(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, buf, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* full_read - exactly len bytes; 0 at a clean end of file, -1 on error */
static int
full_read(int fd, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		if ((n = read(fd, buf + got, len - got)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			return got == 0 ? 0 : -1;
		got += (size_t)n;
	}
	return 1;
}

/* worker_main - a worker's life: messages in, records out, until EOF */
static void
worker_main(const struct ingest_ctx *x, int keep, int in, int out)
{
	struct ingest_result res;
	enum ingest_status is;
	struct sbuf rec;
	uint32_t len;
	char *buf;

	sbuf_init(&rec);
	for (;;) {
		if (full_read(in, (char *)&len, sizeof(len)) != 1)
			break;
		buf = xmalloc((size_t)len + 1);
		if (full_read(in, buf, len) != 1) {
			free(buf);
			break;
		}
		buf[len] = '\0';
		is = ingest_analyse(x, buf, len, &res);
		rec.len = 0;
		sbuf_addn(&rec, "\0\0\0\0", 4);
		/* what cannot be read goes back whole, for the quarantine */
		wire_put(&rec, is, &res, keep && is == INGEST_BROKEN ? buf : NULL,
		    len);
		free(buf);
		ingest_result_free(&res);
		len = (uint32_t)(rec.len - 4);
		memcpy(rec.s, &len, sizeof(len));
		if (full_write(out, rec.s, rec.len) == -1)
			break;
	}
	sbuf_free(&rec);
}

/* take - decode the complete records from worker i into their jobs */
static void
take(struct pool *p, int i)
{
	struct worker *w = &p->w[i];
	uint32_t len;
	struct job *j;

	while (w->in.len - w->used >= sizeof(len)) {
		memcpy(&len, w->in.s + w->used, sizeof(len));
		if (w->in.len - w->used - sizeof(len) < len)
			break;
		if (w->next >= p->tail) {
			/* a result nobody asked for: read no more of it */
			lose(p, i, w->next, LOST_LIED);
			w->eof = 1;
			return;
		}
		j = &p->ring[w->next % p->cap];
		if (wire_get(w->in.s + w->used + sizeof(len), len, &j->is,
		    &j->res, &j->why, &j->buf, &j->len) == -1) {
			/* what it holds is freed by free_job */
			lose(p, i, w->next, LOST_LIED);
			w->eof = 1;
			return;
		}
		j->done = 1;
		w->used += sizeof(len) + len;
		w->next += (unsigned long)p->nw;
	}
	/* keep only the part of a record still to come */
	if (w->used > 0) {
		memmove(w->in.s, w->in.s + w->used, w->in.len - w->used);
		w->in.len -= w->used;
		w->used = 0;
	}
}

/*
 * pump - read what the workers have sent, waiting until something
 * arrives (or, with out >= 0, until out can be written), or not at all
 * with wait 0. A worker found gone while it owes results is noted in
 * p->lost. 0, or -1 when poll fails.
 */
static int
pump(struct pool *p, int out, int wait)
{
	struct pollfd *fds = p->fds;
	char chunk[65536];
	ssize_t n;
	int i, rc = 0;

	for (i = 0; i < p->nw; i++) {
		fds[i].fd = p->w[i].eof ? -1 : p->w[i].from;
		fds[i].events = POLLIN;
	}
	fds[p->nw].fd = out;
	fds[p->nw].events = POLLOUT;
	while (poll(fds, (nfds_t)p->nw + 1, wait ? -1 : 0) == -1)
		if (errno != EINTR)
			return -1;
	for (i = 0; i < p->nw; i++) {
		struct worker *w = &p->w[i];

		if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		while ((n = read(w->from, chunk, sizeof(chunk))) > 0)
			sbuf_addn(&w->in, chunk, (size_t)n);
		if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR))
			w->eof = 1;
		take(p, i);
		if (w->eof && w->next < p->tail)
			lose(p, i, w->next, LOST_DIED);	/* it owed results */
	}
	return rc;
}

/*
 * send_job - job k's message to worker i, reading results while its pipe
 * is full; -1 when that worker, or another, failed meanwhile
 */
static int
send_job(struct pool *p, int i, unsigned long k, const char *buf, size_t len)
{
	struct worker *w = &p->w[i];
	uint32_t n32 = (uint32_t)len;
	struct iovec iov[2];
	size_t done = 0, total = sizeof(n32) + len;
	ssize_t n;

	while (done < total) {
		/* the frame's header and body, from where the last write stopped */
		iov[0].iov_base = (char *)&n32 + (done < sizeof(n32) ? done : 0);
		iov[0].iov_len = done < sizeof(n32) ? sizeof(n32) - done : 0;
		iov[1].iov_base = (char *)buf + (done > sizeof(n32) ?
		    done - sizeof(n32) : 0);
		iov[1].iov_len = len - (done > sizeof(n32) ? done - sizeof(n32) : 0);
		n = writev(w->to, iov, 2);
		if (n > 0)
			done += (size_t)n;
		else if (n == -1 && errno == EINTR)
			continue;
		else if (n == -1 && errno == EAGAIN) {
			if (pump(p, w->to, 1) == -1 || p->lost != NO_JOB)
				return -1;
		} else {
			lose(p, i, k, LOST_WRITE);	/* EPIPE: it is gone */
			return -1;
		}
	}
	return 0;
}

static void
free_job(struct job *j)
{
	ingest_result_free(&j->res);
	free(j->buf);
	free(j->path);
	free(j->why);
	memset(j, 0, sizeof(*j));
}

/*
 * reap - finish the jobs done at the head of the ring, in order (or
 * drop them after a store failure). wait: 2, for every job in flight; 1,
 * for the oldest; 0, take what has arrived and no more. After a worker
 * failed, every job before the lost one is still finished (the living
 * workers answer them), and none from it on. -1 when finishing failed or
 * a worker is gone.
 */
static int
reap(struct pool *p, int wait, int drop)
{
	struct job *j;
	int rc = 0, took = 0;

	if (pump(p, -1, 0) == -1)
		return -1;
	while (p->head < p->tail && p->head < p->lost) {
		j = &p->ring[p->head % p->cap];
		if (!j->done) {
			if (wait == 0 || (wait == 1 && took))
				break;
			if (pump(p, -1, 1) == -1)
				return -1;
			continue;
		}
		/* after a failure, the rest is dropped: the caller stops */
		if (!drop && rc == 0 && finish(p->u, j->is, &j->res, j->buf,
		    j->len, j->path, j->off) == -1)
			rc = -1;
		free_job(j);
		p->head++;
		took = 1;
	}
	return p->lost != NO_JOB ? -1 : rc;
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
		toobig_msg(u, path, off);
	}
	if (p->tail - p->head == p->cap && reap(p, 1, 0) == -1)
		return -1;
	j = &p->ring[p->tail % p->cap];
	/* what finishing may need: the names (the bytes come back, if need be) */
	j->path = xstrdup(path);
	j->off = off;
	p->tail++;
	if (send_job(p, (int)((p->tail - 1) % (unsigned long)p->nw),
	    p->tail - 1, buf, len) == -1)
		return -1;
	/* once half the ring is in flight, finish what is ready */
	if (p->tail - p->head >= p->cap / 2 && reap(p, 0, 0) == -1)
		return -1;
	return 0;
}

/* start - fork the workers; 0, or -1 (none left running) */
static int
start(struct pool *p, const struct ingest_ctx *x)
{
	int a[2], b[2], i, k;
	pid_t pid;

	for (i = 0; i < p->nw; i++) {
		if (pipe(a) == -1)
			return -1;
		if (pipe(b) == -1) {
			close(a[0]);
			close(a[1]);
			return -1;
		}
		fflush(NULL);
		if ((pid = fork()) == -1) {
			close(a[0]); close(a[1]); close(b[0]); close(b[1]);
			return -1;
		}
		if (pid == 0) {
			/* the child: its own ends only; never the store */
			for (k = 0; k < i; k++) {
				close(p->w[k].to);
				close(p->w[k].from);
			}
			close(a[1]);
			close(b[0]);
			signal(SIGPIPE, SIG_DFL);
			worker_main(x, p->u->o->quarantine != NULL, a[0], b[1]);
			_exit(0);
		}
		close(a[0]);
		close(b[1]);
		p->w[i].pid = pid;
		p->w[i].to = a[1];
		p->w[i].from = b[0];
		p->w[i].next = (unsigned long)i;
		sbuf_init(&p->w[i].in);
		/*
		 * Room for a few hundred messages and results each way, so
		 * that the workers go on while this process waits for a
		 * commit's fsync (Linux; elsewhere the default stays).
		 */
#ifdef F_SETPIPE_SZ
		(void)fcntl(a[1], F_SETPIPE_SZ, PIPE_BYTES);
		(void)fcntl(b[0], F_SETPIPE_SZ, PIPE_BYTES);
#endif
		fcntl(a[1], F_SETFL, fcntl(a[1], F_GETFL) | O_NONBLOCK);
		fcntl(b[0], F_SETFL, fcntl(b[0], F_GETFL) | O_NONBLOCK);
		fcntl(a[1], F_SETFD, FD_CLOEXEC);
		fcntl(b[0], F_SETFD, FD_CLOEXEC);
	}
	return 0;
}

/* stop - close the pipes, reap the workers, keeping how each ended */
static void
stop(struct pool *p, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		close(p->w[i].to);
		close(p->w[i].from);
		sbuf_free(&p->w[i].in);
	}
	for (i = 0; i < n; i++)
		while (waitpid(p->w[i].pid, &p->w[i].status, 0) == -1 &&
		    errno == EINTR)
			;
}

/* ended - how a worker's process ended, in words */
static void
ended(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d", WTERMSIG(status));
	else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		snprintf(buf, len, "exited with status %d",
		    WEXITSTATUS(status));
	else
		snprintf(buf, len, "ended before its results");
}

/*
 * tell - what failed and what it cost, in words an operator can act on:
 * the worker and how it ended, the message it owed, how many messages
 * were finished before it and how many read were not. -1 when a worker
 * failed (the replay's exit status says so), else 0.
 */
static int
tell(struct pool *p, int early)
{
	const char *done = p->u->x->store ? "stored" : "counted";
	char how[64], name[4200];
	struct worker *w;
	struct job *j;
	int i, bad = 0;

	for (i = 0; i < p->nw; i++) {
		w = &p->w[i];
		if (p->lost != NO_JOB && i == p->failed)
			continue;	/* said below, with its message */
		if (WIFEXITED(w->status) && WEXITSTATUS(w->status) == 0)
			continue;
		/* a pipe this process closed when it stopped is no cause */
		if (early && WIFSIGNALED(w->status) &&
		    WTERMSIG(w->status) == SIGPIPE)
			continue;
		ended(w->status, how, sizeof(how));
		fprintf(stderr, "bouncer: replay worker %ld %s\n",
		    (long)w->pid, how);
		bad = 1;
	}
	if (p->lost == NO_JOB) {
		if (bad)
			fprintf(stderr, "bouncer: a replay worker failed after "
			    "its last result: every message read was %s\n",
			    done);
		return bad ? -1 : 0;
	}
	w = &p->w[p->failed];
	if (p->why == LOST_LIED)
		snprintf(how, sizeof(how), "sent a result that could not be "
		    "read");
	else
		ended(w->status, how, sizeof(how));
	if (p->lost < p->tail) {
		j = &p->ring[p->lost % p->cap];
		fprintf(stderr, "bouncer: replay worker %ld %s%s %s\n",
		    (long)w->pid, how, p->why == LOST_LIED ? ": the one for" :
		    " before its result for", where(j->path, j->off, name,
		    sizeof(name)));
		fprintf(stderr, "bouncer: replay stopped: the %lu messages "
		    "before that one were %s; it and the %lu read after it "
		    "were not, nor the rest of the input: run the replay "
		    "again (--jobs 1 finds a message that makes a worker "
		    "fail), nothing is counted twice\n", p->lost, done,
		    p->tail - p->lost - 1);
	} else
		fprintf(stderr, "bouncer: replay worker %ld %s; replay "
		    "stopped after %lu messages, each %s\n", (long)w->pid,
		    how, p->tail, done);
	return -1;
}

/*
 * run_pooled - replay_run with o->jobs worker processes. 0; -1 if none
 * could start (then the caller does it alone); -2 if a worker failed:
 * every message before the one it failed on is finished (the others
 * answer theirs), that one and the rest are not, and tell() says which.
 */
static int
run_pooled(struct run *u, struct replay_src *src)
{
	struct pool p;
	int i, rc = 0;
	void (*oldpipe)(int);

	memset(&p, 0, sizeof(p));
	p.u = u;
	p.nw = u->o->jobs;
	p.cap = (size_t)p.nw * RING_PER_WORKER;
	p.ring = xcalloc(p.cap, sizeof(*p.ring));
	p.w = xcalloc((size_t)p.nw, sizeof(*p.w));
	p.fds = xcalloc((size_t)p.nw + 1, sizeof(*p.fds));
	p.lost = NO_JOB;
	p.failed = -1;
	/* a worker that dies must show as an error here, not kill us */
	oldpipe = signal(SIGPIPE, SIG_IGN);
	if (start(&p, u->x) == -1) {
		for (i = 0; i < p.nw && p.w[i].pid > 0; i++)
			;
		stop(&p, i);
		rc = -1;
		goto out;
	}
	(void)replay_run(src, u->o->max_size, one_pooled, &p, read_error);
	/* what came back before a failure is finished all the same */
	(void)reap(&p, 2, u->r != STORE_OK);
	stop(&p, p.nw);
	if (tell(&p, p.lost != NO_JOB || u->r != STORE_OK) == -1 &&
	    u->r == STORE_OK) {
		rc = -2;
		u->st->unfinished = (long)(p.tail - p.head);
	}
	/* whatever is left (after a failure) is dropped */
	while (p.head < p.tail)
		free_job(&p.ring[p.head++ % p.cap]);
out:
	signal(SIGPIPE, oldpipe);
	free(p.ring);
	free(p.w);
	free(p.fds);
	return rc;
}

enum store_status
batch_replay(struct ingest_ctx *x, const struct batch_opts *o,
    struct batch_stats *st)
{
	struct replay_src *src;
	struct run u;
	int pooled = 0;

	memset(st, 0, sizeof(*st));
	memset(&u, 0, sizeof(u));
	u.x = x;
	u.o = o;
	u.st = st;
	u.r = STORE_OK;
	u.t0 = u.batch_t0 = now_s();
	src = replay_open(o->paths, o->npaths, &u.total);
	if (x->store && (u.r = store_begin(x->store)) != STORE_OK) {
		replay_close(src);
		return u.r;
	}
	if (o->jobs <= 1 || (pooled = run_pooled(&u, src)) == -1)
		replay_run(src, o->max_size, one, &u, read_error);
	/* what was finished before a worker failed is kept, as after a crash */
	st->worker_failed = pooled == -2;
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
	if (s.unfinished)
		fprintf(fp, "  %-22s %8ld\n", dry_run ? "not counted (worker)" :
		    "not stored (worker)", s.unfinished);
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
