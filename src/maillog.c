/*
 * maillog.c - Postfix log lines into events.
 *
 * The same failure reaches bouncer twice when the log is read and the
 * DSN also comes back to the bounce address: both carry the queue ID of
 * the failed message (the DSN in X-Postfix-Queue-ID), and the policy
 * counts the second once it finds the first (store_event_near). A line's
 * own key has its time: Postfix reuses queue IDs.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <zlib.h>

#include "addr.h"
#include "campaign.h"
#include "dest.h"
#include "ingest.h"
#include "journal.h"
#include "logline.h"
#include "maillog.h"
#include "util.h"

struct ctx {
	struct store		*s;
	const struct classifier	*c;
	const struct policy_cfg	*p;
	time_t			 now;
	struct maillog_stats	*st;
	const struct maillog_opts *cp;
	GHashTable		*camp;	/* queue ID -> campaign */
	struct logline		 ll;	/* the line being read */
	char			 mark[512]; /* of the position (mark_of, or
					   the journal's cursor) */
	/* the file being read, whose position each commit records */
	const char		*path;
	unsigned long long	 ino;
	int			 follow; /* --follow: run until told to stop */
	char			*err;	/* why the log could not be read */
	struct timespec		 settled; /* pending reports last settled */
	int			 fresh;	/* lines committed since then */
	int			 open;	/* a transaction is open */
	struct timespec		 began;	/* ... since then */
	long			 lines;	/* ... with that many lines */
};

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

/* txn_begin - open a transaction, if none is, and start its clock */
static enum store_status
txn_begin(struct ctx *x)
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
 * settle - in --follow, decide the pending reports that the lines just
 * committed may tie (at most once a second, so that a busy log costs
 * one settling a second), and the others once a minute, so that one
 * left untied past pending_wait is recorded as unverified even when the
 * log is quiet; in a transaction of its own, as short as the others.
 * force settles whatever the time.
 */
static enum store_status
settle(struct ctx *x, int force)
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

/* txn_end - commit, with the position end when reading a file */
static enum store_status
txn_end(struct ctx *x, long long end)
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
	return x->follow ? settle(x, 0) : STORE_OK;
}

/* txn_rollback - give up the open transaction, if any */
static void
txn_rollback(struct ctx *x)
{
	if (x->open)
		store_rollback(x->s);
	x->open = 0;
}

/* txn_chunk - after a line: commit when the transaction is long enough */
static enum store_status
txn_chunk(struct ctx *x, long long end)
{
	enum store_status r;

	if (++x->lines < CHUNK_LINES && ms_since(&x->began) < CHUNK_MS)
		return STORE_OK;
	if ((r = txn_end(x, end)) == STORE_OK)
		txn_gap();
	return r;
}

#define CAMP_MAX	200000	/* messages in flight remembered */

/*
 * learn_campaign - cleanup's header_checks INFO line ("QID: info: header
 * NAME: VALUE from ...") and qmgr's "QID: from=<prefix+...@...>" name a
 * message's campaign; qmgr's "QID: removed" ends it
 */
static void
learn_campaign(struct ctx *x, const struct logline *l)
{
	char *name = NULL;

	if (x->cp == NULL || (x->cp->header == NULL && !x->cp->verp))
		return;
	switch (l->kind) {
	case LOGLINE_REMOVED:
		g_hash_table_remove(x->camp, l->qid);
		return;
	case LOGLINE_HEADER:
		if (x->cp->header != NULL &&
		    strcasecmp(l->name, x->cp->header) == 0)
			name = campaign_from_header(l->value);
		break;
	case LOGLINE_FROM:
		if (x->cp->verp && !g_hash_table_contains(x->camp, l->qid))
			name = campaign_from_verp(l->value, x->cp->delims);
		break;
	default:
		return;
	}
	if (name == NULL)
		return;
	if (g_hash_table_size(x->camp) >= CAMP_MAX)
		g_hash_table_remove_all(x->camp);
	g_hash_table_replace(x->camp, g_strdup(l->qid), g_strdup(name));
	free(name);
}

/*
 * sent_dest - count the attempt for the incident net (dest.h), under the
 * recipient's domain and under the provider of the MX host that answered
 */
static enum store_status
sent_dest(struct ctx *x, const char *addr, const char *relay, time_t t)
{
	char prov[256], d[300];
	enum store_status r;

	if (x->p->incident_threshold <= 0 || x->p->incident_share <= 0)
		return STORE_OK;
	if ((r = dest_sent(x->s, strchr(addr, '@') + 1, t)) != STORE_OK ||
	    dest_provider(relay, prov, sizeof(prov)) == -1)
		return r;
	snprintf(d, sizeof(d), "*.%s", prov);
	return dest_sent(x->s, d, t);
}

/*
 * outbound - the deliveries that are this server's mail going out, and
 * so count as sent, bounced or deferred: smtp(8) and lmtp(8). The other
 * delivery agents deliver here (local, virtual, pipe: bouncer's own
 * input among them) or decide by configuration (error, retry, discard).
 */
static int
outbound(const struct logline *l)
{
	return strcmp(l->program, "smtp") == 0 ||
	    strcmp(l->program, "lmtp") == 0;
}

static enum store_status one_record(struct ctx *);

/* one_line - a line of a file or of standard input */
static enum store_status
one_line(struct ctx *x, const char *line)
{
	x->st->lines++;
	if (logline_parse(line, x->now, &x->ll) == -1)
		return STORE_OK;
	return one_record(x);
}

/* one_record - what a Postfix line (x->ll) says, into the store */
static enum store_status
one_record(struct ctx *x)
{
	struct logline *e = &x->ll;
	struct store_event ev;
	struct verdict v;
	enum policy_outcome out;
	enum store_status r = STORE_OK;
	char *addr, *k, text[LOGLINE_TEXT_MAX + 32];
	const char *action;
	int n, dup;

	/* trust = sent: what mail we sent, to tie bounces to it later */
	if (e->kind == LOGLINE_MSGID) {
		if (x->p->trust == POLICY_TRUST_SENT)
			return store_outbound_add(x->s, e->qid, e->value, "",
			    e->time);
		return STORE_OK;
	}
	if (e->kind != LOGLINE_DELIVERY) {
		learn_campaign(x, e);
		return STORE_OK;
	}
	if (!outbound(e))
		return STORE_OK;
	x->st->deliveries++;
	if ((addr = addr_normalise(e->rcpt)) == NULL)
		return STORE_OK;
	if (x->p->trust == POLICY_TRUST_SENT && (r = store_outbound_add(x->s,
	    e->qid, "", addr, e->time)) != STORE_OK) {
		free(addr);
		return r;
	}
	memset(&ev, 0, sizeof(ev));
	ev.time = e->time;
	ev.address = addr;
	ev.queue_id = e->qid;
	ev.source = "maillog";
	ev.campaign = x->camp ? g_hash_table_lookup(x->camp, e->qid) : NULL;
	ev.remote_mta = e->relay[0] ? e->relay : NULL;
	/*
	 * "sent" counts attempts that ended, delivered or returned: a
	 * domain where every message bounces has a high rate, not none
	 * (a deferral is counted when it ends, sent or bounced). The same
	 * line again (overlapping input) counts once.
	 */
	if (strcmp(e->status, "sent") == 0 ||
	    strcmp(e->status, "bounced") == 0) {
		k = ingest_queue_key(e->qid, addr, e->status, ev.time);
		r = store_logseen(x->s, k, ev.time, &dup);
		free(k);
		if (r == STORE_OK && !dup) {
			r = store_sent_add(x->s, strchr(addr, '@') + 1,
			    ev.time, 1);
			if (r == STORE_OK && ev.campaign != NULL)
				r = store_campaign_sent_add(x->s, ev.campaign,
				    ev.time, 1);
			if (r == STORE_OK)
				r = sent_dest(x, addr, e->relay, ev.time);
		}
		if (r != STORE_OK || (dup && strcmp(e->status, "sent") == 0)) {
			x->st->duplicates += dup;
			free(addr);
			return r;
		}
	}
	if (strcmp(e->status, "sent") == 0) {
		x->st->sent++;
		/* a delivery resets the soft count: record it only then */
		if (r == STORE_OK)
			r = store_soft_count(x->s, addr, ev.time -
			    x->p->soft_window, x->p->delivery_stands, &n);
		if (r == STORE_OK && n > 0) {
			k = ingest_queue_key(e->qid, addr, "delivered", ev.time);
			ev.class = ev.reason = "delivered";
			ev.action = "delivered";
			ev.status = e->dsn;
			ev.diagnostic = e->text;
			ev.dedup = k;
			r = policy_apply(x->s, x->p, &ev, &out);
			free(k);
		}
		free(addr);
		return r;
	}
	if (strcmp(e->status, "bounced") == 0) {
		action = "failed";
		x->st->bounced++;
	} else if (strcmp(e->status, "deferred") == 0) {
		action = "delayed";
		x->st->deferred++;
	} else {
		free(addr);
		return STORE_OK;
	}
	/* the dsn= code comes first so that it is the status chosen */
	snprintf(text, sizeof(text), "%s %s", e->dsn, e->text);
	classify_text(x->c, text, &v);
	if (strcmp(action, "delayed") == 0)
		v.class = "delayed";
	k = ingest_queue_key(e->qid, addr, action, ev.time);
	ev.class = v.class;
	ev.reason = v.reason;
	ev.status = v.status[0] ? v.status : e->dsn;
	ev.replycode = v.replycode;
	ev.action = action;
	ev.diagnostic = e->text;
	ev.dedup = k;
	r = policy_apply(x->s, x->p, &ev, &out);
	if (out == POLICY_DUPLICATE)
		x->st->duplicates++;
	if (out == POLICY_SUPPRESSED || out == POLICY_ESCALATED)
		x->st->suppressed++;
	free(k);
	free(addr);
	return r;
}

/*
 * A line reader over a descriptor, instead of stdio, so that what is
 * buffered is known: a pipe is waited on only when no whole line is
 * left unread, and a transaction is committed before any wait (a pipe
 * whose writer pauses, tail -F | bouncer --maillog -, holds no lock).
 * A line longer than LINE_MAX_LEN (Postfix's own syslog lines are at
 * most a few kilobytes) is skipped whole.
 */
#define LINE_MAX_LEN	(64 * 1024)
#define LB_SIZE		(2 * LINE_MAX_LEN)

struct lbuf {
	int	 fd;
	gzFile	 gz;		/* a compressed file instead, or NULL */
	int	 pipe;		/* not a regular file: reads may wait */
	char	 buf[LB_SIZE];
	size_t	 pos, len;	/* unread bytes are buf[pos..len) */
	int	 skip;		/* inside an over-long line */
};

static struct lbuf *
lb_open(int fd)
{
	struct lbuf *b = xmalloc(sizeof(*b));
	struct stat sb;

	b->fd = fd;
	b->gz = NULL;
	b->pipe = fstat(fd, &sb) == 0 && !S_ISREG(sb.st_mode);
	b->pos = b->len = 0;
	b->skip = 0;
	return b;
}

/* lb_open_gz - a gzip-compressed file, read as its uncompressed text */
static struct lbuf *
lb_open_gz(const char *path)
{
	struct lbuf *b;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	b = lb_open(fd);
	if ((b->gz = gzdopen(fd, "rb")) == NULL) {
		close(fd);
		free(b);
		return NULL;
	}
	b->fd = -1;		/* gzclose closes it */
	return b;
}

static void
lb_close(struct lbuf *b)
{
	if (b == NULL)
		return;
	if (b->gz != NULL)
		gzclose(b->gz);
	else if (b->fd != STDIN_FILENO)
		close(b->fd);
	free(b);
}

/* lb_seek - read from offset on (a regular file), nothing buffered */
static long long
lb_seek(struct lbuf *b, long long off)
{
	b->pos = b->len = 0;
	b->skip = 0;
	if (b->gz != NULL)
		return gzseek(b->gz, (z_off_t)off, SEEK_SET) == (z_off_t)off ?
		    off : (gzrewind(b->gz), 0);
	if (b->pipe || lseek(b->fd, (off_t)off, SEEK_SET) == -1)
		return 0;
	return off;
}

/* lb_pread - n bytes at off, for a check; the reading place is kept */
static int
lb_pread(struct lbuf *b, char *buf, size_t n, long long off)
{
	z_off_t here;
	int ok;

	if (b->gz == NULL)
		return pread(b->fd, buf, n, (off_t)off) == (ssize_t)n ? 0 : -1;
	here = gztell(b->gz);
	ok = gzseek(b->gz, (z_off_t)off, SEEK_SET) == (z_off_t)off &&
	    gzread(b->gz, buf, (unsigned)n) == (int)n;
	gzseek(b->gz, here, SEEK_SET);
	return ok ? 0 : -1;
}

/*
 * lb_line - the next whole line (its length with the newline in *n,
 * NUL-terminated in place of it), or NULL when none is buffered; *used
 * counts the bytes consumed. *tail is 1 when the line is the end of an
 * over-long one, whose start was dropped: not to be read, but it is what
 * ends at *used.
 */
static char *
lb_line(struct lbuf *b, size_t *n, long long *used, int *tail)
{
	char *l, *nl;

	l = b->buf + b->pos;
	if ((nl = memchr(l, '\n', b->len - b->pos)) == NULL)
		return NULL;
	*n = (size_t)(nl - l) + 1;
	b->pos += *n;
	*used += (long long)*n;
	*tail = b->skip;
	b->skip = 0;
	*nl = '\0';
	return l;
}

/* what lb_fill found */
#define LB_ERR	(-1)	/* errno says */
#define LB_EOF	0	/* the end of the input */
#define LB_DATA	1	/* something read */
#define LB_WAIT	2	/* nothing yet (or a signal) */

/*
 * lb_fill - read more, waiting up to ms on a pipe (-1: for ever); bytes
 * of an over-long line dropped to make room are added to *dropped
 */
static int
lb_fill(struct lbuf *b, int ms, long long *dropped)
{
	struct pollfd pfd;
	ssize_t n;

	if (b->pos > 0) {
		memmove(b->buf, b->buf + b->pos, b->len - b->pos);
		b->len -= b->pos;
		b->pos = 0;
	}
	if (b->len > LINE_MAX_LEN) {	/* no newline in a whole line's room */
		*dropped += (long long)b->len;
		b->len = 0;
		b->skip = 1;
	}
	if (b->pipe && ms >= 0) {
		pfd.fd = b->fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if ((n = poll(&pfd, 1, ms)) <= 0)
			return n == 0 || errno == EINTR ? LB_WAIT : LB_ERR;
	}
	if (b->gz != NULL)
		n = gzread(b->gz, b->buf + b->len,
		    (unsigned)(sizeof(b->buf) - b->len));
	else
		n = read(b->fd, b->buf + b->len, sizeof(b->buf) - b->len);
	if (n < 0)
		return errno == EINTR ? LB_WAIT : LB_ERR;
	b->len += (size_t)n;
	return n > 0 ? LB_DATA : LB_EOF;
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
 * catch_stop - SIGTERM ends --follow after the lines read are
 * committed. No SA_RESTART: a read waiting on a pipe returns at once.
 */
static void
catch_stop(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/*
 * mark_of - what identifies the line that ends a position: its length
 * (with the newline) and a 64-bit FNV-1a hash of its bytes. A file
 * truncated in place and written again (copytruncate), or replaced
 * under the same inode, has other bytes there: read from its start.
 */
static void
mark_of(const char *line, size_t n, char *mark, size_t len)
{
	unsigned long long h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i + 1 < n; i++) {
		h ^= (unsigned char)line[i];
		h *= 0x100000001b3ULL;
	}
	snprintf(mark, len, "%zu:%016llx", n, h);
}

/* lb_mark_holds - 1 when the line of mark ends at off in b */
static int
lb_mark_holds(struct lbuf *b, long long off, const char *mark)
{
	char *buf, now[64];
	size_t n;
	int ok;

	if (mark[0] == '\0')
		return 1;	/* a position kept before marks were */
	if (sscanf(mark, "%zu:", &n) != 1 || n == 0 || n > LB_SIZE ||
	    (long long)n > off)
		return 0;
	buf = xmalloc(n);
	ok = lb_pread(b, buf, n, off - (long long)n) == 0 && buf[n - 1] == '\n';
	if (ok) {
		mark_of(buf, n, now, sizeof(now));
		ok = strcmp(now, mark) == 0;
	}
	free(buf);
	return ok;
}

/*
 * read_from - lines of b from offset on, to the end of the file (or of
 * the pipe's input, or until SIGTERM); *end is where the last whole line
 * read ends, x->mark identifies that line.
 */
static enum store_status
read_from(struct ctx *x, struct lbuf *b, long long offset, long long *end)
{
	enum store_status r = STORE_OK;
	long long dropped = 0;
	char *line;
	size_t n;
	int got, tail;

	*end = lb_seek(b, offset);
	while (!stopping) {
		if ((line = lb_line(b, &n, end, &tail)) != NULL) {
			*end += dropped;
			dropped = 0;
			if (!b->pipe)
				mark_of(line, n, x->mark, sizeof(x->mark));
			if (tail)
				continue;
			if ((r = txn_begin(x)) != STORE_OK ||
			    (r = one_line(x, line)) != STORE_OK ||
			    (r = txn_chunk(x, *end)) != STORE_OK)
				break;
			continue;
		}
		/* nothing buffered: commit before waiting for a writer */
		if ((got = lb_fill(b, b->pipe ? 0 : -1, &dropped)) == LB_WAIT) {
			if ((r = txn_end(x, *end)) != STORE_OK)
				break;
			do {
				got = lb_fill(b, 1000, &dropped);
				if (got == LB_WAIT && x->follow &&
				    (r = settle(x, 0)) != STORE_OK)
					break;
			} while (got == LB_WAIT && !stopping);
			if (r != STORE_OK)
				break;
		}
		if (got == LB_DATA)
			continue;
		if (got == LB_ERR) {
			x->err = xstrdup(strerror(errno));
			r = STORE_FAIL;
		}
		break;
	}
	return r;
}

/* nap - wait for more log, a little */
static void
nap(void)
{
	struct timespec t = { 0, 200 * 1000000 };

	nanosleep(&t, NULL);
}

/*
 * follow - go on reading path (whose file fp is, read to *end) as it
 * grows, until SIGTERM: a file renamed away (rotation) is read to its
 * end and the new one at path opened from its start; one truncated in
 * place (copytruncate) is read from its start. Each batch is committed
 * with its position; between batches no transaction is open, and the
 * store's connection stays open, idle, for the process's life.
 */
static enum store_status
follow(struct ctx *x, const char *path, struct lbuf **bp, long long *end)
{
	enum store_status r = STORE_OK;
	struct stat sb, cur;
	time_t labelled = time(NULL);
	int fd;

	while (!stopping) {
		if ((r = txn_end(x, *end)) != STORE_OK ||
		    (r = settle(x, 0)) != STORE_OK)
			return r;
		if (x->cp != NULL && x->cp->top_domains > 0 &&
		    time(NULL) - labelled >= 3600) {
			labelled = time(NULL);
			if ((r = store_begin(x->s)) != STORE_OK)
				return r;
			if ((r = store_label_domains(x->s,
			    x->cp->top_domains)) != STORE_OK) {
				store_rollback(x->s);
				return r;
			}
			if ((r = store_commit(x->s)) != STORE_OK)
				return r;
		}
		nap();
		if (stopping)
			break;
		if (stat(path, &sb) == 0 &&
		    (unsigned long long)sb.st_ino != x->ino &&
		    (fd = open(path, O_RDONLY | O_CLOEXEC)) != -1) {
			/* renamed away: what was added before, then the new */
			if ((r = read_from(x, *bp, *end, end)) != STORE_OK ||
			    (r = txn_end(x, *end)) != STORE_OK) {
				close(fd);
				return r;
			}
			lb_close(*bp);
			*bp = lb_open(fd);
			x->ino = fstat(fd, &cur) == 0 ?
			    (unsigned long long)cur.st_ino : 0;
			*end = 0;
		} else if (fstat((*bp)->fd, &cur) == 0 &&
		    ((long long)cur.st_size < *end ||
		    !lb_mark_holds(*bp, *end, x->mark)))
			*end = 0;	/* truncated in place */
		if ((r = read_from(x, *bp, *end, end)) != STORE_OK)
			return r;
	}
	return txn_end(x, *end);
}

static enum store_status read_log(struct ctx *, const char *, char **);
static enum store_status read_journal(struct ctx *);

struct cand {
	char	 path[4096];
	time_t	 mtime;
};

static int
newest_first(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	return x->mtime < y->mtime ? 1 : x->mtime > y->mtime ? -1 : 0;
}

#define ROTATED_MAX	64	/* rotated files looked at */
#define ROTATED_TRY	4	/* ... and the newest checked by their mark */

/*
 * rotated - where the log at path was read to (inode ino, offset off,
 * mark) now is, when not at path (inode cur): the file with inode ino
 * among the rotated names (path.1, path-old, logrotate's dateext
 * "path-20261206", postfix logrotate's "path.20261206-011548"), or else
 * the newest of them, compressed (.gz, as maillog_file_compressor and
 * logrotate leave it) or copied (copytruncate), whose line before off is
 * the one mark names
 */
static struct lbuf *
rotated(const char *path, unsigned long long ino, unsigned long long cur,
    long long off, const char *mark)
{
	char dir[4096], p[4096];
	const char *base, *n;
	struct cand *c = NULL;
	struct stat sb;
	struct dirent *d;
	struct lbuf *b = NULL;
	size_t bl, nc = 0, i, len;
	DIR *dp;
	int fd;

	if ((base = strrchr(path, '/')) != NULL) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(base - path + 1), path);
		base++;
	} else {
		snprintf(dir, sizeof(dir), "./");
		base = path;
	}
	bl = strlen(base);
	if ((dp = opendir(dir)) == NULL)
		return NULL;
	c = xmalloc(ROTATED_MAX * sizeof(*c));
	while ((d = readdir(dp)) != NULL && b == NULL) {
		n = d->d_name;
		len = strlen(n);
		if (strncmp(n, base, bl) != 0 || (n[bl] != '.' && n[bl] != '-') ||
		    n[bl + 1] == '\0' ||
		    snprintf(p, sizeof(p), "%s%s", dir, n) >= (int)sizeof(p) ||
		    stat(p, &sb) == -1 || !S_ISREG(sb.st_mode) ||
		    (unsigned long long)sb.st_ino == cur)
			continue;
		if (len > 3 && strcmp(n + len - 3, ".gz") != 0 &&
		    (unsigned long long)sb.st_ino == ino &&
		    (fd = open(p, O_RDONLY | O_CLOEXEC)) != -1)
			b = lb_open(fd);
		else if (mark[0] != '\0' && nc < ROTATED_MAX) {
			snprintf(c[nc].path, sizeof(c[nc].path), "%s", p);
			c[nc++].mtime = sb.st_mtime;
		}
	}
	closedir(dp);
	qsort(c, nc, sizeof(*c), newest_first);
	for (i = 0; b == NULL && i < nc && i < ROTATED_TRY; i++) {
		len = strlen(c[i].path);
		if (len > 3 && strcmp(c[i].path + len - 3, ".gz") == 0)
			b = lb_open_gz(c[i].path);
		else if ((fd = open(c[i].path, O_RDONLY | O_CLOEXEC)) != -1)
			b = lb_open(fd);
		if (b != NULL && !lb_mark_holds(b, off, mark)) {
			lb_close(b);
			b = NULL;
		}
	}
	free(c);
	return b;
}

/*
 * dedup_purge - forget the sent lines seen before the retention of what
 * --maillog learns (sent_retention): a line repeated later than that
 * counts again
 */
static enum store_status
dedup_purge(struct ctx *x)
{
	enum store_status r;

	if ((r = store_begin(x->s)) != STORE_OK)
		return r;
	if ((r = store_logseen_purge(x->s, x->now - x->p->sent_retention)) !=
	    STORE_OK) {
		store_rollback(x->s);
		return r;
	}
	return store_commit(x->s);
}

enum store_status
maillog_read(const char *path, struct store *s, const struct classifier *c,
    const struct policy_cfg *p, time_t now, struct maillog_stats *st,
    char **err, const struct maillog_opts *cp)
{
	struct ctx x = { s, c, p, now, st, cp, NULL };
	enum store_status r;

	memset(st, 0, sizeof(*st));
	*err = NULL;
	x.follow = cp != NULL && cp->follow;
	clock_gettime(CLOCK_MONOTONIC, &x.settled);
	if (x.follow)
		catch_stop();
	if ((r = dedup_purge(&x)) != STORE_OK)
		return r;
	x.camp = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	if (strcmp(path, "journal") == 0)
		r = read_journal(&x);
	else
		r = read_log(&x, path, err);
	g_hash_table_destroy(x.camp);
	if (x.err != NULL) {
		free(*err);
		*err = x.err;
	}
	/* the largest destinations may have changed: label new ones */
	if (r == STORE_OK && cp != NULL && cp->top_domains > 0 &&
	    (r = store_begin(s)) == STORE_OK) {
		if ((r = store_label_domains(s, cp->top_domains)) == STORE_OK)
			r = store_commit(s);
		else
			store_rollback(s);
	}
	return r;
}

/*
 * read_log - the file at path (or "-") from where the last run stopped:
 * where the saved position's inode is another file's (rotated), the rest
 * of the old file first; where the line before the saved offset is not
 * the one read there (truncated in place and written again past it), the
 * file from its start
 */
static enum store_status
read_log(struct ctx *x, const char *path, char **err)
{
	struct store *s = x->s;
	enum store_status r;
	unsigned long long ino = 0;
	long long off = 0, end = 0;
	struct stat sb;
	struct lbuf *b = NULL, *old;
	int found, fd;

	if (strcmp(path, "-") == 0) {
		/* a pipe: read_from commits whenever the writer pauses */
		b = lb_open(STDIN_FILENO);
		if ((r = read_from(x, b, 0, &end)) == STORE_OK)
			r = txn_end(x, end);
		if (r == STORE_OK && x->follow)
			r = settle(x, 1);
		goto out;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &sb) == -1) {
		*err = xstrdup(strerror(errno));
		if (fd != -1)
			close(fd);
		return STORE_FAIL;
	}
	b = lb_open(fd);
	if ((r = store_logpos_get(s, path, &ino, &off, x->mark,
	    sizeof(x->mark), &found)) != STORE_OK)
		goto out;
	x->path = path;
	if (!found)
		off = 0;
	else if (ino != (unsigned long long)sb.st_ino ||
	    off > (long long)sb.st_size || !lb_mark_holds(b, off, x->mark)) {
		/*
		 * rotated (renamed, compressed, copied and truncated) since
		 * the last run: the rest of what was read, where it now is,
		 * then the file at path from its start
		 */
		if ((old = rotated(path, ino, (unsigned long long)sb.st_ino,
		    off, x->mark)) != NULL) {
			x->ino = ino;
			if (!lb_mark_holds(old, off, x->mark))
				off = 0;
			r = read_from(x, old, off, &end);
			lb_close(old);
			if (r != STORE_OK)
				goto out;
		}
		off = 0;
		x->mark[0] = '\0';
	}
	x->ino = (unsigned long long)sb.st_ino;
	if ((r = read_from(x, b, off, &end)) != STORE_OK)
		goto out;
	/* the last position, also when no line was new */
	if ((r = txn_begin(x)) == STORE_OK)
		r = txn_end(x, end);
	if (r == STORE_OK && x->follow)
		r = follow(x, path, &b, &end);
out:
	txn_rollback(x);
	lb_close(b);
	return r;
}

/*
 * The journal: journalctl -o export, from after the saved cursor, of the
 * mail facility's entries (Postfix's syslog_facility, mail by default).
 * Each entry's cursor is committed with what it produced, so a restart
 * reads nothing twice and misses nothing. journalctl is found on PATH.
 */
#define JOURNAL_SOURCE	"journal"

/* journalctl - start it; its output's descriptor, or -1 (errno) */
static int
journalctl(const char *cursor, int follow_it, pid_t *pid)
{
	char after[600];
	const char *argv[10];
	int fds[2], i = 0, devnull;

	argv[i++] = "journalctl";
	argv[i++] = "--output=export";
	argv[i++] = "--no-pager";
	argv[i++] = "--quiet";
	if (follow_it)
		argv[i++] = "--follow";
	if (cursor[0] != '\0') {
		snprintf(after, sizeof(after), "--after-cursor=%s", cursor);
		argv[i++] = after;
	}
	argv[i++] = "SYSLOG_FACILITY=2";
	argv[i] = NULL;
	if (pipe2(fds, O_CLOEXEC) == -1)
		return -1;
	if ((*pid = fork()) == -1) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (*pid == 0) {
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		if ((devnull = open("/dev/null", O_RDONLY)) != -1)
			dup2(devnull, STDIN_FILENO);
		dup2(fds[1], STDOUT_FILENO);
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "bouncer: journalctl: %s\n", strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	return fds[0];
}

/* one_entry - a journal entry as a line of its program */
static enum store_status
one_entry(struct ctx *x, const struct journal_entry *e)
{
	time_t t = e->usec > 0 ? (time_t)(e->usec / 1000000) : x->now;

	snprintf(x->mark, sizeof(x->mark), "%s", e->cursor);
	x->st->lines++;
	if (logline_message(e->ident, e->message, t, &x->ll) == -1)
		return STORE_OK;
	return one_record(x);
}

static enum store_status
read_journal(struct ctx *x)
{
	struct journal_parser *jp = xmalloc(sizeof(*jp));
	enum store_status r = STORE_OK;
	struct lbuf *b = NULL;
	long long dropped = 0;
	size_t used;
	pid_t pid = -1;
	int fd, got, done, status, found;
	unsigned long long ino;
	long long off;

	journal_init(jp);
	x->path = JOURNAL_SOURCE;
	x->ino = 0;
	if ((r = store_logpos_get(x->s, JOURNAL_SOURCE, &ino, &off, x->mark,
	    sizeof(x->mark), &found)) != STORE_OK)
		goto out;
	if ((fd = journalctl(x->mark, x->follow, &pid)) == -1) {
		x->err = xstrdup(strerror(errno));
		r = STORE_FAIL;
		goto out;
	}
	b = lb_open(fd);
	b->pipe = 1;
	while (!stopping) {
		if (b->pos < b->len) {
			used = journal_feed(jp, b->buf + b->pos, b->len - b->pos,
			    &done);
			b->pos += used;
			if (!done)
				continue;
			if ((r = txn_begin(x)) != STORE_OK ||
			    (r = one_entry(x, &jp->e)) != STORE_OK ||
			    (r = txn_chunk(x, 0)) != STORE_OK)
				break;
			continue;
		}
		b->pos = b->len = 0;
		if ((got = lb_fill(b, 0, &dropped)) == LB_WAIT) {
			if ((r = txn_end(x, 0)) != STORE_OK)
				break;
			do {
				got = lb_fill(b, 1000, &dropped);
				if (got == LB_WAIT && x->follow &&
				    (r = settle(x, 0)) != STORE_OK)
					break;
			} while (got == LB_WAIT && !stopping);
			if (r != STORE_OK)
				break;
		}
		if (got == LB_DATA)
			continue;
		if (got == LB_ERR) {
			x->err = xstrdup(strerror(errno));
			r = STORE_FAIL;
		}
		break;
	}
	if (r == STORE_OK)
		r = txn_end(x, 0);
	if (r == STORE_OK && x->follow)
		r = settle(x, 1);
out:
	txn_rollback(x);
	lb_close(b);
	if (pid > 0) {
		if (stopping || r != STORE_OK)
			kill(pid, SIGTERM);
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
			;
		if (r == STORE_OK && !stopping && x->err == NULL &&
		    (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
			x->err = xstrdup(WIFEXITED(status) &&
			    WEXITSTATUS(status) == 127 ? "journalctl not found" :
			    "journalctl failed (see its message above)");
			r = STORE_FAIL;
		}
	}
	/* journalctl --follow ends only when told to: else fail, so that
	   systemd restarts the reader (from the committed cursor) */
	if (r == STORE_OK && x->follow && !stopping && x->err == NULL) {
		x->err = xstrdup("journalctl --follow ended");
		r = STORE_FAIL;
	}
	free(jp);
	return r;
}
