/*
 * replay.h - walk saved mail: single message files, mbox files (From_
 * lines, >From unescaped, Content-Length ignored), Maildirs (cur/ and
 * new/), directory trees of message files, and "-" for an mbox on
 * standard input. Gzipped files are read transparently (zlib).
 */
#ifndef BOUNCER_REPLAY_H
#define BOUNCER_REPLAY_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Called once per message: its bytes (NUL-terminated, borrowed), where
 * it came from (path, and byte offset in an mbox, else -1), and whether
 * it was larger than the limit (then buf holds only the first part).
 * Return 0 to go on, -1 to stop the walk.
 */
typedef int (*replay_cb)(const char *, size_t, const char *, off_t, int,
	    void *);

struct replay_src;

/*
 * replay_open - prepare to walk paths; *total is the number of messages
 * when it can be known cheaply (Maildirs and trees), else -1.
 */
struct replay_src *replay_open(char **, int, long *);
/*
 * replay_run - walk every message, messages cut at max bytes; err is
 * called with a path and a reason for what cannot be read (and the walk
 * goes on). -1 when the callback stopped it.
 */
int	replay_run(struct replay_src *, size_t, replay_cb, void *,
	    void (*)(const char *, const char *));
void	replay_close(struct replay_src *);

#endif
