/*
 * unsub.h - unsubscribe tokens (RFC 2369 List-Unsubscribe, RFC 8058
 * one-click): what the sending software puts in each recipient's copy,
 * and the check of what comes back by mail or over https.
 *
 * A token names one recipient, optionally a list, and the day it was
 * made, and carries a tag:
 *     alice=example.net+u.news.20415.3fa4c91b0d27e6a1
 * the tag being the first 16 hex digits of
 * HMAC-SHA256(key, "unsubscribe|recipient|list|day"), recipient in its
 * normal form (addr.h) and list in lower case. The "unsubscribe|" makes a
 * tag of one kind useless as the other: a return path's tag (verp.h)
 * never unsubscribes and a token never vouches for a bounce. The same
 * sign_keys sign both: the first key signs, every key not past its
 * not-after date verifies, so rotation keeps the tokens already sent
 * valid.
 *
 * In the mailto: address the token follows the unsubscribe prefix:
 *     unsubscribe+alice=example.net+u.news.20415.3fa4c91b0d27e6a1@bounces...
 * in the https URL it is the value of u=:
 *     https://www.example.com/unsubscribe?u=alice%3Dexample.net%2Bu.news...
 */
#ifndef BOUNCER_UNSUB_H
#define BOUNCER_UNSUB_H

#include <time.h>

#include "util.h"
#include "verp.h"

#define UNSUB_TAG_HEX	16
#define UNSUB_LIST_MAX	64	/* a list name: [a-z0-9_-], up to this */
#define UNSUB_TOKEN_MAX	320	/* longest token read */

/* What the sending side needs to write the headers (bouncer.conf(5)). */
struct unsub_cfg {
	const struct verp_keys	*keys;
	const char	*prefix;	/* unsubscribe_prefix */
	const char	*domain;	/* sign_domain: the mailto: domain */
	const char	*url;		/* unsubscribe_url, or NULL */
	const char	*delims;	/* verp_delimiters */
	time_t		 max_age;	/* unsubscribe_max_age, 0: none */
};

/* unsub_list_valid - 1 when s is a usable list name */
int	unsub_list_valid(const char *);
/*
 * unsub_token - the token for recipient and list (NULL: none) at time
 * now; NULL when the recipient is not a valid address, the list name is
 * not valid or there is no key. Caller frees.
 */
char	*unsub_token(const struct verp_keys *, const char *, const char *,
	    const char *, time_t);
/*
 * unsub_check - verify a token at time now (max_age 0: no age limit).
 * *rcpt and *list (caller frees; *list NULL without one) are set for a
 * token that can be read, whatever the verdict: VERP_NONE when it cannot
 * be read at all, VERP_VALID, VERP_BADTAG, VERP_EXPIRED or VERP_NOKEY.
 */
enum verp_check unsub_check(const struct verp_keys *, const char *,
	    const char *, time_t, time_t, char **, char **);
/*
 * unsub_in_address - the token of an unsubscribe address
 * (prefix<d>TOKEN@domain), in a new string, or NULL when the address
 * carries none (an unsigned or return-path-signed one)
 */
char	*unsub_in_address(const char *, const char *, const char *);
/*
 * unsub_headers - the List-Unsubscribe line, and List-Unsubscribe-Post
 * when there is an https URL, each ending in "\n", for recipient and
 * list (may be NULL) into out; -1 with *why (static) when they cannot be
 * made
 */
int	unsub_headers(const struct unsub_cfg *, const char *, const char *,
	    time_t, struct sbuf *, const char **);

#endif
