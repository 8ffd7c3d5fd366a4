/*
 * logfile.h - a log read as lines, for --maillog: a regular file, a
 * gzip-compressed one (read as its text), or a pipe. Over a descriptor,
 * not stdio, so that what is buffered is known: a pipe is waited on only
 * when no whole line is left unread. A line longer than 64 KiB is
 * skipped whole. Where a file was read to is a position (an offset)
 * and the mark of the line that ends there, which tells a file truncated
 * in place or replaced from the one read; and a file renamed away by
 * rotation is found again among its rotated names.
 */
#ifndef BOUNCER_LOGFILE_H
#define BOUNCER_LOGFILE_H

#include <stddef.h>

struct logfile;

/* logfile_open - read fd (closed by logfile_close, unless stdin) */
struct logfile *logfile_open(int);
/* logfile_open_gz - a gzip-compressed file; NULL (errno) if it cannot be */
struct logfile *logfile_open_gz(const char *);
void	logfile_close(struct logfile *);
/* logfile_pipe - 1 when not a regular file: reads may wait */
int	logfile_pipe(const struct logfile *);
/* logfile_fd - the descriptor read (-1 for a compressed file) */
int	logfile_fd(const struct logfile *);
/*
 * logfile_seek - read from offset on (a regular file), nothing
 * buffered; returns where reading starts (0 when it could not seek)
 */
long long logfile_seek(struct logfile *, long long);
/*
 * logfile_line - the next whole line (its length with the newline in *n,
 * NUL-terminated in place of it), or NULL when none is buffered; *used
 * counts the bytes consumed. *tail is 1 when the line is the end of an
 * over-long one, whose start was dropped: not to be read, but it is what
 * ends at *used. The line is valid until the next call.
 */
char	*logfile_line(struct logfile *, size_t *, long long *, int *);
/* logfile_unread - the bytes buffered and not yet taken (*n of them) */
const char *logfile_unread(const struct logfile *, size_t *);
/* logfile_take - n of the bytes logfile_unread gave are used */
void	logfile_take(struct logfile *, size_t);

/* what logfile_fill found */
#define LOGFILE_ERR	(-1)	/* errno says */
#define LOGFILE_EOF	0	/* the end of the input */
#define LOGFILE_DATA	1	/* something read */
#define LOGFILE_WAIT	2	/* nothing yet (or a signal) */

/*
 * logfile_fill - read more, waiting up to ms on a pipe (-1: for ever);
 * bytes of an over-long line dropped to make room are added to *dropped
 */
int	logfile_fill(struct logfile *, int, long long *);

/*
 * logfile_mark - what identifies the line (n bytes with the newline)
 * that ends a position, into mark (len bytes)
 */
void	logfile_mark(const char *, size_t, char *, size_t);
/* logfile_mark_holds - 1 when the line of mark ends at off in the file */
int	logfile_mark_holds(struct logfile *, long long, const char *);
/*
 * logfile_rotated - where the log at path was read to (inode ino, offset
 * off, mark) now is, when not at path (inode cur), opened; NULL when it
 * is nowhere to be found
 */
struct logfile *logfile_rotated(const char *, unsigned long long,
	    unsigned long long, long long, const char *);

#endif
