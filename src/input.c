/*
 * input.c - read a message into memory, refusing more than a limit.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input.h"
#include "util.h"

enum input_status
input_read_fd(int fd, size_t limit, char **out, size_t *outlen)
{
	struct sbuf b;
	char chunk[65536];
	ssize_t n;
	int toobig = 0;

	sbuf_init(&b);
	sbuf_addn(&b, "", 0);
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1) {
			if (errno == EINTR)
				continue;
			sbuf_free(&b);
			return INPUT_ERROR;
		}
		if (n == 0)
			break;
		if (toobig)
			continue;	/* drain */
		if ((size_t)n > limit - b.len || b.len > limit) {
			/* keep what fits: a report comes before the original */
			sbuf_addn(&b, chunk, limit > b.len ? limit - b.len : 0);
			toobig = 1;
			continue;
		}
		sbuf_addn(&b, chunk, (size_t)n);
	}
	*outlen = b.len;
	*out = sbuf_steal(&b);
	return toobig ? INPUT_TOOBIG : INPUT_OK;
}

enum input_status
input_read_file(const char *path, size_t limit, char **out, size_t *outlen)
{
	enum input_status st;
	int fd, saved;

	if (strcmp(path, "-") == 0)
		return input_read_fd(0, limit, out, outlen);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return INPUT_ERROR;
	st = input_read_fd(fd, limit, out, outlen);
	saved = errno;
	close(fd);
	errno = saved;
	return st;
}
