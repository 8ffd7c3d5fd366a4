/*
 * util.h - small helpers shared by every module: growable strings,
 * checked allocation and a few string predicates.
 *
 * Allocation failure is treated as fatal (abort): bouncer handles one
 * message at a time and has no useful way to continue without memory;
 * Postfix sees death by signal as a temporary failure and retries.
 */
#ifndef BOUNCER_UTIL_H
#define BOUNCER_UTIL_H

#include <stddef.h>
#include <stdarg.h>

/* nitems - the number of elements of an array, counted by the compiler */
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* A growable NUL-terminated byte string; owner frees s with free(). */
struct sbuf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);

void	 sbuf_init(struct sbuf *);
void	 sbuf_addn(struct sbuf *, const char *, size_t);
void	 sbuf_add(struct sbuf *, const char *);
void	 sbuf_addc(struct sbuf *, char);
void	 sbuf_printf(struct sbuf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
char	*sbuf_steal(struct sbuf *);	/* caller owns; sbuf is reset */
void	 sbuf_free(struct sbuf *);

/* Replace *dst (freed) by a copy of src, or NULL. */
void	 str_set(char **, const char *);
void	 str_setn(char **, const char *, size_t);
/* Trim ASCII white space at both ends, in place; returns its argument. */
char	*str_trim(char *);
/* Collapse runs of white space (incl. newlines) into one space, in place. */
char	*str_squeeze(char *);
int	 str_empty(const char *);
/* Case-insensitive prefix test; returns pointer past prefix or NULL. */
const char *str_iprefix(const char *, const char *);
/* Case-insensitive substring search (ASCII). */
const char *str_icase(const char *, const char *);
void	 str_lower(char *);
/* str_utf8_clean - a copy with invalid UTF-8 bytes as U+FFFD; caller frees */
char	*str_utf8_clean(const char *);
/* str_replace_ci - a copy of t with each what (any case) as with; caller frees */
char	*str_replace_ci(const char *, const char *, const char *);
/*
 * file_has_ci - 1 when a file's bytes hold needle (lower case) in any
 * letter case, 0 when not or when there is no such file, -1 on a read
 * error (errno set)
 */
int	 file_has_ci(const char *, const char *);

/*
 * txn_gap - pause a few milliseconds between two transactions of a long
 * run (--maillog, --replay), so that a pipe-mode bouncer waiting for
 * the write lock (store_sqlite.c polls every millisecond) gets it.
 */
void	 txn_gap(void);
/* mono_s - seconds on the monotonic clock, for transaction time limits */
double	 mono_s(void);
/*
 * TXN_SECONDS - how long a write transaction of a long run (--expire,
 * --import, --forget's scrubbing) may last before it commits: a bounce
 * piped meanwhile waits about this long for the lock, at most
 */
#define TXN_SECONDS	0.1
/*
 * log_safe - s as it may stand in one of bouncer's own log lines, where
 * it repeats what a stranger wrote (an envelope sender, an address or a
 * complaint from a report): control characters, DEL, bytes above 127,
 * quotes, backslashes and angle brackets as \xHH, so that it can neither
 * end the line nor close the <...> or "..." it stands in and pass for
 * one of Postfix's fields; cut to fit buf (len bytes), "..." marking the
 * cut. Returns buf; NULL s is "".
 */
const char *log_safe(const char *, char *, size_t);
#define LOG_SAFE_MAX	512	/* a buffer for log_safe() */

#endif
