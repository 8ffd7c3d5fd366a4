/*
 * logfile.c - a log read as lines, with positions that survive rotation
 * (logfile.h).
 *
 * A line reader over a descriptor, instead of stdio, so that what is
 * buffered is known: a pipe is waited on only when no whole line is
 * left unread, and the caller can commit before any wait (a pipe whose
 * writer pauses, tail -F | bouncer --maillog -, holds no lock). A line
 * longer than LINE_MAX_LEN (Postfix's own syslog lines are at most a
 * few kilobytes) is skipped whole.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "logfile.h"
#include "util.h"

#define LINE_MAX_LEN	(64 * 1024)
#define LB_SIZE		(2 * LINE_MAX_LEN)

struct logfile {
	int	 fd;
	gzFile	 gz;		/* a compressed file instead, or NULL */
	int	 pipe;		/* not a regular file: reads may wait */
	char	 buf[LB_SIZE];
	size_t	 pos, len;	/* unread bytes are buf[pos..len) */
	int	 skip;		/* inside an over-long line */
};

struct logfile *
logfile_open(int fd)
{
	struct logfile *b = xmalloc(sizeof(*b));
	struct stat sb;

	b->fd = fd;
	b->gz = NULL;
	b->pipe = fstat(fd, &sb) == 0 && !S_ISREG(sb.st_mode);
	b->pos = b->len = 0;
	b->skip = 0;
	return b;
}

/* logfile_open_gz - a gzip-compressed file, read as its text */
struct logfile *
logfile_open_gz(const char *path)
{
	struct logfile *b;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	b = logfile_open(fd);
	if ((b->gz = gzdopen(fd, "rb")) == NULL) {
		close(fd);
		free(b);
		return NULL;
	}
	b->fd = -1;		/* gzclose closes it */
	return b;
}

void
logfile_close(struct logfile *b)
{
	if (b == NULL)
		return;
	if (b->gz != NULL)
		gzclose(b->gz);
	else if (b->fd != STDIN_FILENO)
		close(b->fd);
	free(b);
}

int
logfile_pipe(const struct logfile *b)
{
	return b->pipe;
}

int
logfile_fd(const struct logfile *b)
{
	return b->fd;
}

/* logfile_seek - read from offset on (a regular file), nothing buffered */
long long
logfile_seek(struct logfile *b, long long off)
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
lb_pread(struct logfile *b, char *buf, size_t n, long long off)
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
 * logfile_line - the next whole line (its length with the newline in *n,
 * NUL-terminated in place of it), or NULL when none is buffered; *used
 * counts the bytes consumed. *tail is 1 when the line is the end of an
 * over-long one, whose start was dropped: not to be read, but it is what
 * ends at *used.
 */
char *
logfile_line(struct logfile *b, size_t *n, long long *used, int *tail)
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

/* logfile_unread - what a parser of its own (journal.h) has yet to take */
const char *
logfile_unread(const struct logfile *b, size_t *n)
{
	*n = b->len - b->pos;
	return b->buf + b->pos;
}

void
logfile_take(struct logfile *b, size_t n)
{
	b->pos += n;
}

/*
 * logfile_fill - read more, waiting up to ms on a pipe (-1: for ever);
 * bytes of an over-long line dropped to make room are added to *dropped
 */
int
logfile_fill(struct logfile *b, int ms, long long *dropped)
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
			return n == 0 || errno == EINTR ? LOGFILE_WAIT :
			    LOGFILE_ERR;
	}
	if (b->gz != NULL)
		n = gzread(b->gz, b->buf + b->len,
		    (unsigned)(sizeof(b->buf) - b->len));
	else
		n = read(b->fd, b->buf + b->len, sizeof(b->buf) - b->len);
	if (n < 0)
		return errno == EINTR ? LOGFILE_WAIT : LOGFILE_ERR;
	b->len += (size_t)n;
	return n > 0 ? LOGFILE_DATA : LOGFILE_EOF;
}

/*
 * logfile_mark - what identifies the line that ends a position: its
 * length (with the newline) and a 64-bit FNV-1a hash of its bytes. A file
 * truncated in place and written again (copytruncate), or replaced
 * under the same inode, has other bytes there: read from its start.
 */
void
logfile_mark(const char *line, size_t n, char *mark, size_t len)
{
	unsigned long long h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i + 1 < n; i++) {
		h ^= (unsigned char)line[i];
		h *= 0x100000001b3ULL;
	}
	snprintf(mark, len, "%zu:%016llx", n, h);
}

/* logfile_mark_holds - 1 when the line of mark ends at off in b */
int
logfile_mark_holds(struct logfile *b, long long off, const char *mark)
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
		logfile_mark(buf, n, now, sizeof(now));
		ok = strcmp(now, mark) == 0;
	}
	free(buf);
	return ok;
}

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
 * logfile_rotated - where the log at path was read to (inode ino, offset off,
 * mark) now is, when not at path (inode cur): the file with inode ino
 * among the rotated names (path.1, path-old, logrotate's dateext
 * "path-20261206", postfix logrotate's "path.20261206-011548"), or else
 * the newest of them, compressed (.gz, as maillog_file_compressor and
 * logrotate leave it) or copied (copytruncate), whose line before off is
 * the one mark names
 */
struct logfile *
logfile_rotated(const char *path, unsigned long long ino,
    unsigned long long cur, long long off, const char *mark)
{
	char dir[4096], p[4096];
	const char *base, *n;
	struct cand *c = NULL;
	struct stat sb;
	struct dirent *d;
	struct logfile *b = NULL;
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
			b = logfile_open(fd);
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
			b = logfile_open_gz(c[i].path);
		else if ((fd = open(c[i].path, O_RDONLY | O_CLOEXEC)) != -1)
			b = logfile_open(fd);
		if (b != NULL && !logfile_mark_holds(b, off, mark)) {
			logfile_close(b);
			b = NULL;
		}
	}
	free(c);
	return b;
}
