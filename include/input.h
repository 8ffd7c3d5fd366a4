/*
 * input.h - read one whole message into memory, with a size cap.
 *
 * Postfix hands the pipe transport a pipe, which GMime's file streams
 * cannot parse (they assume seekability); reading into memory first also
 * bounds what one message may cost.
 */
#ifndef BOUNCER_INPUT_H
#define BOUNCER_INPUT_H

#include <stddef.h>

enum input_status {
	INPUT_OK = 0,
	INPUT_TOOBIG,		/* more than the limit: the first limit
				   bytes are read */
	INPUT_ERROR		/* read error; errno is set */
};

/*
 * input_read_fd - read fd to EOF into a NUL-terminated buffer the caller
 * frees (on INPUT_OK and INPUT_TOOBIG). On INPUT_TOOBIG the buffer holds
 * the first limit bytes and the rest is drained, so that the writer sees
 * no EPIPE.
 */
enum input_status input_read_fd(int, size_t, char **, size_t *);
/* input_read_file - same for a path ("-" is stdin). */
enum input_status input_read_file(const char *, size_t, char **, size_t *);

#endif
