/*
 * cmd_forget.c - --forget: erase an address (GDPR art. 17), leaving a
 * keyed-hash tombstone that keeps imports and copies from bringing it
 * back; see bouncer(1) ERASURE.
 */
#include <stdio.h>
#include <sysexits.h>

#include "cli.h"

int
cmd_forget(struct run *r)
{
	enum store_status st;
	long erasures;
	int n;

	if ((st = store_forget(r->s, r->addr, r->o->now, &n)) == STORE_OK)
		st = store_erasures(r->s, &erasures);
	if (st != STORE_OK)
		return cli_store_failed(r->s);
	if (n > 0)
		printf("erased %s: %d rows (erasures so far: %ld)\n", r->addr,
		    n, erasures);
	else
		printf("nothing to erase for %s; a tombstone keeps it from "
		    "being imported or copied back (erasures so far: %ld)\n",
		    r->addr, erasures);
	return EX_OK;
}
