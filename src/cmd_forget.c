/*
 * cmd_forget.c - --forget: erase an address (GDPR art. 17), leaving a
 * keyed-hash tombstone that keeps imports and copies from bringing it
 * back; see bouncer(1) ERASURE.
 */
#include <stdio.h>
#include <sysexits.h>

#include "cli.h"
#include "policy.h"

int
cmd_forget(struct run *r)
{
	enum store_status st;
	long erasures;
	int n, kept;

	if ((st = policy_forget(r->s, r->addr, r->o->now, &n, &kept)) ==
	    STORE_OK)
		st = store_erasures(r->s, &erasures);
	if (st != STORE_OK)
		return cli_store_failed(r->s);
	if (n > 0)
		printf("erased %s: %d rows (erasures so far: %ld)%s\n", r->addr,
		    n, erasures, kept ? "; the address stays listed as "
		    "unsubscribed, alone: erasure does not start the mail "
		    "again" : "");
	else
		printf("nothing to erase for %s; a tombstone keeps it from "
		    "being imported or copied back (erasures so far: %ld)\n",
		    r->addr, erasures);
	return EX_OK;
}
