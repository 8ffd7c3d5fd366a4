/*
 * cgi.h - bouncer --cgi: the one-click unsubscribe endpoint, a CGI/1.1
 * program (RFC 3875) that any web server runs for unsubscribe_url.
 *
 * GET (and HEAD) of URL?u=TOKEN answers a small page with a button that
 * POSTs: link scanners and previews fetch URLs, so a GET never
 * unsubscribes. POST with List-Unsubscribe=One-Click in its body
 * (form-urlencoded or multipart/form-data: RFC 8058 section 3.2) records
 * the unsubscribe and answers 200. A token that is bad or expired answers
 * 400 and records nothing; the answers never depend on whether the
 * address is known. Requests are bounded (CGI_QUERY_MAX, CGI_BODY_MAX).
 * The store is opened as pipe mode opens it, for one short transaction;
 * when it stays locked past busy_timeout the answer is 503 with
 * Retry-After, so that the request is made again rather than lost.
 */
#ifndef BOUNCER_CGI_H
#define BOUNCER_CGI_H

#include <time.h>

#include "config.h"
#include "unsub.h"

#define CGI_QUERY_MAX	2048	/* bytes of QUERY_STRING read */
#define CGI_BODY_MAX	8192	/* bytes of request body read */

/*
 * cgi_run - answer one request from the environment and standard input
 * on standard output; the exit status is 0 whenever an answer was
 * written (the HTTP status says the rest)
 */
int	cgi_run(const struct unsub_cfg *, const struct config *, time_t);

#endif
