/*
 * maillog.c - Postfix's log into the store (maillog.h): a file (or
 * standard input) from where the last run stopped, across rotations,
 * and on as it grows with --follow; or the journal (logjournal.c).
 * What a line says is logapply.c's; how it is committed, logrun.c's;
 * the file's lines and marks, logfile.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "logapply.h"
#include "logfile.h"
#include "logjournal.h"
#include "logline.h"
#include "logrun.h"
#include "maillog.h"
#include "util.h"

/* one_line - a line of a file or of standard input */
static enum store_status
one_line(struct logrun *x, const char *line)
{
	x->st->lines++;
	logrun_tick(x);
	if (logline_parse(line, x->now, &x->ll) == -1)
		return STORE_OK;
	return logapply_line(x->apply, &x->ll);
}

/*
 * read_from - lines of b from offset on, to the end of the file (or of
 * the pipe's input, or until SIGTERM); *end is where the last whole line
 * read ends, x->mark identifies that line.
 */
static enum store_status
read_from(struct logrun *x, struct logfile *b, long long offset,
    long long *end)
{
	enum store_status r = STORE_OK;
	long long dropped = 0;
	char *line;
	size_t n;
	int more, tail;

	*end = logfile_seek(b, offset);
	while (!logrun_stopping()) {
		if ((line = logfile_line(b, &n, end, &tail)) != NULL) {
			*end += dropped;
			dropped = 0;
			if (!logfile_pipe(b))
				logfile_mark(line, n, x->mark, sizeof(x->mark));
			if (tail)
				continue;
			if ((r = logrun_begin(x)) != STORE_OK ||
			    (r = one_line(x, line)) != STORE_OK ||
			    (r = logrun_chunk(x, *end)) != STORE_OK)
				break;
			continue;
		}
		/* nothing buffered: more, committing before any wait */
		if ((r = logrun_fill(x, b, *end, &dropped, &more)) !=
		    STORE_OK || !more)
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
follow(struct logrun *x, const char *path, struct logfile **bp,
    long long *end)
{
	enum store_status r = STORE_OK;
	struct stat sb, cur;
	time_t labelled = time(NULL);
	int fd;

	while (!logrun_stopping()) {
		if ((r = logrun_end(x, *end)) != STORE_OK ||
		    (r = logrun_settle(x, 0)) != STORE_OK)
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
		if (logrun_stopping())
			break;
		if (stat(path, &sb) == 0 &&
		    (unsigned long long)sb.st_ino != x->ino &&
		    (fd = open(path, O_RDONLY | O_CLOEXEC)) != -1) {
			/* renamed away: what was added before, then the new */
			if ((r = read_from(x, *bp, *end, end)) != STORE_OK ||
			    (r = logrun_end(x, *end)) != STORE_OK) {
				close(fd);
				return r;
			}
			logfile_close(*bp);
			*bp = logfile_open(fd);
			x->ino = fstat(fd, &cur) == 0 ?
			    (unsigned long long)cur.st_ino : 0;
			*end = 0;
		} else if (fstat(logfile_fd(*bp), &cur) == 0 &&
		    ((long long)cur.st_size < *end ||
		    !logfile_mark_holds(*bp, *end, x->mark)))
			*end = 0;	/* truncated in place */
		if ((r = read_from(x, *bp, *end, end)) != STORE_OK)
			return r;
	}
	return logrun_end(x, *end);
}

static enum store_status read_log(struct logrun *, const char *, char **);

/*
 * dedup_purge - forget the sent lines seen before the retention of what
 * --maillog learns (sent_retention): a line repeated later than that
 * counts again
 */
static enum store_status
dedup_purge(struct logrun *x)
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
	struct logrun x = { .s = s, .p = p, .now = now, .st = st, .cp = cp };
	enum store_status r;

	memset(st, 0, sizeof(*st));
	*err = NULL;
	x.follow = cp != NULL && cp->follow;
	x.now0 = now;
	x.mono0 = mono_s();
	clock_gettime(CLOCK_MONOTONIC, &x.settled);
	if (x.follow)
		logrun_catch_stop();
	if ((r = dedup_purge(&x)) != STORE_OK)
		return r;
	x.apply = logapply_new(s, c, p, cp, st);
	if (strcmp(path, "journal") == 0)
		r = logjournal_read(&x);
	else
		r = read_log(&x, path, err);
	logapply_free(x.apply);
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
read_log(struct logrun *x, const char *path, char **err)
{
	struct store *s = x->s;
	enum store_status r;
	unsigned long long ino = 0;
	long long off = 0, end = 0;
	struct stat sb;
	struct logfile *b = NULL, *old;
	int found, fd;

	if (strcmp(path, "-") == 0) {
		/* a pipe: read_from commits whenever the writer pauses */
		b = logfile_open(STDIN_FILENO);
		if ((r = read_from(x, b, 0, &end)) == STORE_OK)
			r = logrun_end(x, end);
		if (r == STORE_OK && x->follow)
			r = logrun_settle(x, 1);
		goto out;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &sb) == -1) {
		*err = xstrdup(strerror(errno));
		if (fd != -1)
			close(fd);
		return STORE_FAIL;
	}
	b = logfile_open(fd);
	if ((r = store_logpos_get(s, path, &ino, &off, x->mark,
	    sizeof(x->mark), &found)) != STORE_OK)
		goto out;
	x->path = path;
	if (!found)
		off = 0;
	else if (ino != (unsigned long long)sb.st_ino ||
	    off > (long long)sb.st_size || !logfile_mark_holds(b, off, x->mark)) {
		/*
		 * rotated (renamed, compressed, copied and truncated) since
		 * the last run: the rest of what was read, where it now is,
		 * then the file at path from its start
		 */
		if ((old = logfile_rotated(path, ino, (unsigned long long)sb.st_ino,
		    off, x->mark)) != NULL) {
			x->ino = ino;
			if (!logfile_mark_holds(old, off, x->mark))
				off = 0;
			r = read_from(x, old, off, &end);
			logfile_close(old);
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
	if ((r = logrun_begin(x)) == STORE_OK)
		r = logrun_end(x, end);
	if (r == STORE_OK && x->follow)
		r = follow(x, path, &b, &end);
out:
	logrun_rollback(x);
	logfile_close(b);
	return r;
}
