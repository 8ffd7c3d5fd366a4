/*
 * authres.h - evidence from our own MTA: the Authentication-Results
 * header fields (RFC 8601) that its milter (OpenDKIM, OpenDMARC, Rspamd)
 * adds, read for DKIM results.
 *
 * Only fields whose authserv-id (the first word of the value) equals the
 * configured one (bouncer.conf(5) authserv_id) are believed; every other
 * is ignored, since anyone can write an Authentication-Results field into
 * a message he sends. With authserv_id NULL or empty nothing is believed.
 * That alone is not enough: a sender can also write one that names our
 * authserv-id, and RFC 8601 section 5 asks the border MTA to delete those
 * (Postfix: a header_checks IGNORE rule, which applies to the message as
 * received and not to the fields milters add; see bouncer.conf(5)).
 *
 * bouncer does not verify signatures itself: the MTA's milter has done it
 * with its own DNS resolver and cache, and a pipe(8) transport that waits
 * on DNS would hold Postfix's delivery agents (bouncer(1) TRUST).
 *
 * Usage (message headers in, domain in, yes or no out):
 *
 *	if (authres_dkim_pass(msg, len, cf->authserv_id, "example.net"))
 *		... a DKIM signature by example.net or a parent domain
 *		    of it passed at our MTA ...
 */
#ifndef BOUNCER_AUTHRES_H
#define BOUNCER_AUTHRES_H

#include <stddef.h>

#define AUTHRES_FIELDS_MAX	32	/* Authentication-Results fields read */
#define AUTHRES_DOMAINS_MAX	16	/* passing signatures kept */
#define AUTHRES_HEADER_MAX	(1024 * 1024)	/* header bytes looked at */

struct authres {
	/* header.d= of each DKIM signature our MTA says passed, lower case */
	char	*dkim[AUTHRES_DOMAINS_MAX];
	size_t	 n;
};

/*
 * authres_read - fill a (zeroed by the caller, freed with authres_free)
 * from the message's top-level header block: msg may be that block or
 * the whole message (reading stops at the first empty line, or after
 * AUTHRES_HEADER_MAX bytes).
 */
void	authres_read(const char *, size_t, const char *, struct authres *);
/*
 * authres_signed_by - 1 when a passing signature's d= is domain, or a
 * parent domain of it (d=example.net covers mail.example.net: whoever
 * holds a parent's DNS zone already holds its subdomains'). domain may
 * be an address: its part after the last '@' is used. A d= of one label
 * (a top-level domain) covers nothing.
 */
int	authres_signed_by(const struct authres *, const char *);
/* authres_signer - the same, giving the d= that covers domain, or NULL */
const char *authres_signer(const struct authres *, const char *);
void	authres_free(struct authres *);
/* authres_dkim_pass - authres_read, then authres_signed_by: 1 or 0 */
int	authres_dkim_pass(const char *, size_t, const char *, const char *);

#endif
