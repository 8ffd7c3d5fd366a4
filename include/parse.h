/*
 * parse.h - from raw message bytes to a bounce record.
 *
 * parse_message() is the whole reading side: MIME (mime.h), the report
 * fields (dsn.h), the text scanner for non-standard bounces (scan.h),
 * the returned message's headers. It does not classify.
 */
#ifndef BOUNCER_PARSE_H
#define BOUNCER_PARSE_H

#include <stddef.h>

#include "bounce.h"

enum parse_status {
	PARSE_OK = 0,		/* a bounce, complaint or auto-reply */
	PARSE_NOTBOUNCE,	/* a message, but none of those */
	PARSE_BROKEN		/* looks like a bounce, but cannot be read */
};

struct parse_opts {
	const char *sender;	/* pipe(8) ${sender}, or NULL */
	const char *recipient;	/* pipe(8) ${recipient}, or NULL */
	const char *rcpt_header;/* ARF: header naming the recipient */
	const char *verp_delims;/* "+=" unless set */
	const char *unsub_prefix;/* "unsubscribe": recipient's local part
				   that makes a message an unsubscribe
				   request; NULL or "": none */
	const char *campaign_header; /* names the campaign, or NULL */
	int	 campaign_verp;	/* the VERP prefix names it */
	const char *authserv_id;/* our MTA's Authentication-Results
				   (authres.h); NULL: none believed */
};

/*
 * parse_message - fill b (zeroed by the caller) from buf; on
 * PARSE_BROKEN *why (static) says why. b is freed with bounce_free()
 * whatever the status.
 */
enum parse_status parse_message(const char *, size_t,
	    const struct parse_opts *, struct bounce *, const char **);

#endif
