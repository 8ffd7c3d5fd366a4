/*
 * cmd_add.c - --add and --remove: the operator's own word on an address,
 * with the reason (--why) kept in the audit trail.
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "policy.h"

/* cmd_add_check - both need --why; --add takes the never-lapsing classes */
int
cmd_add_check(const struct options *o, char *err, size_t len)
{
	if (o->why == NULL) {
		snprintf(err, len, "--add and --remove need --why TEXT");
		return -1;
	}
	if (o->mode->run == cmd_add && o->class &&
	    strcmp(o->class, "manual") != 0 &&
	    strcmp(o->class, "unsubscribe") != 0) {
		snprintf(err, len, "--add takes --class manual or unsubscribe");
		return -1;
	}
	return 0;
}

int
cmd_add(struct run *r)
{
	enum store_status st;

	if ((st = store_begin(r->s)) == STORE_OK &&
	    (st = policy_add(r->s, r->addr, r->o->class ? r->o->class :
	    "manual", r->o->why, r->o->now)) == STORE_OK)
		st = store_commit(r->s);
	else
		store_rollback(r->s);
	if (st != STORE_OK)
		return cli_store_failed(r->s);
	printf("suppressed %s\n", r->addr);
	return EX_OK;
}

int
cmd_remove(struct run *r)
{
	const char *restored = NULL;
	enum store_status st;
	int found = 0;

	if ((st = store_begin(r->s)) == STORE_OK &&
	    (st = policy_remove(r->s, r->addr, r->o->why, r->o->now, &found,
	    &restored)) == STORE_OK)
		st = store_commit(r->s);
	else
		store_rollback(r->s);
	if (st != STORE_OK)
		return cli_store_failed(r->s);
	if (!found) {
		fprintf(stderr, "%s: %s is not suppressed\n", progname, r->addr);
		return EX_UNAVAILABLE;
	}
	if (restored)
		printf("released %s; its %s suppression is in force again\n",
		    r->addr, restored);
	else
		printf("released %s\n", r->addr);
	return EX_OK;
}
