/*
 * wire.h - what the store needs of an analysed message, as bytes: replay's
 * worker processes parse and classify, and send this to the process that
 * stores. Not a file format: both ends are the same binary.
 */
#ifndef BOUNCER_WIRE_H
#define BOUNCER_WIRE_H

#include <stddef.h>

#include "ingest.h"
#include "util.h"

/*
 * wire_put - append is and the parts of res that finishing reads; for a
 * message that is not processed, raw (if not NULL) is its bytes, for the
 * quarantine
 */
void	wire_put(struct sbuf *, enum ingest_status, const struct ingest_result *,
	    const char *, size_t);
/*
 * wire_get - the reverse, into a zeroed res (free it with
 * ingest_result_free); *why and *raw are allocated or NULL, the caller
 * frees them, and res->why points to *why. -1 on a malformed record.
 */
int	wire_get(const char *, size_t, enum ingest_status *,
	    struct ingest_result *, char **, char **, size_t *);

#endif
