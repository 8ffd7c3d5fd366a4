/*
 * dest.h - destinations for the incident net (policy.c): the receiving
 * provider named by an MX host, and the mail sent to a destination hour
 * by hour, so that an incident is judged as a share of what was sent.
 */
#ifndef BOUNCER_DEST_H
#define BOUNCER_DEST_H

#include <stddef.h>
#include <time.h>

#include "store.h"

/*
 * dest_provider - the provider an MX host belongs to, written into out:
 * its registrable domain ("mta7.am0.yahoodns.net" -> "yahoodns.net",
 * "x.mail.protection.outlook.com" -> "outlook.com", "mx.a.co.uk" ->
 * "a.co.uk"). host may be Postfix's relay= ("name[ip]:port") or a DSN's
 * Remote-MTA ("dns; name"). 0, or -1 when it names no host (an address
 * only, "none", local delivery).
 */
int	dest_provider(const char *, char *, size_t);
/*
 * dest_sent - count one delivery attempt to a destination ("mx NAME" for
 * a provider, else the recipient's domain) at t; kept for DEST_HOURS
 */
#define DEST_HOURS	48
enum store_status dest_sent(struct store *, const char *, time_t);
/* dest_sent_since - attempts to a destination within (since, t]; at most DEST_HOURS back */
enum store_status dest_sent_since(struct store *, const char *, time_t,
	    time_t, long *);

#endif
