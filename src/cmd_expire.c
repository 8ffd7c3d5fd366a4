/*
 * cmd_expire.c - --expire, the nightly decay run from cron or a timer:
 * lift what has lapsed, then drop events older than event_ttl (the
 * counters stay). Silent when nothing changed: cron mails no one.
 */
#include <stdio.h>
#include <sysexits.h>
#include <syslog.h>

#include "cli.h"
#include "policy.h"
#include "util.h"

/* events deleted in one transaction (event_ttl), at most */
#define EXPIRE_EVENTS	2000

static void
report_expired(const struct store_entry *e, void *arg)
{
	(void)arg;
	printf("expired %s (%s, %s)\n", e->address, e->class, e->reason);
	syslog(LOG_INFO, "to=<%s>, class=%s, reason=%s, action=expired",
	    e->address, e->class, e->reason);
}

int
cmd_expire(struct run *r)
{
	const struct policy_cfg *p = &r->cf->policy;
	enum store_status st;
	long ne = 0, k = 0;
	int n;

	if (policy_expire(r->s, r->o->now, report_expired, NULL, &n) !=
	    STORE_OK)
		return cli_store_failed(r->s);
	if (n > 0)
		printf("expire: %d address%s lifted\n", n, n == 1 ? "" : "es");
	if (p->event_ttl <= 0)
		return EX_OK;
	/* in short transactions (issue 22): bounces meanwhile wait little */
	do {
		if ((st = store_begin(r->s)) == STORE_OK &&
		    (st = store_expire_events(r->s, r->o->now - p->event_ttl,
		    EXPIRE_EVENTS, &k)) == STORE_OK)
			st = store_commit(r->s);
		else
			store_rollback(r->s);
		if (st == STORE_OK)
			ne += k;
		txn_gap();
	} while (st == STORE_OK && k == EXPIRE_EVENTS);
	if (st != STORE_OK)
		return cli_store_failed(r->s);
	if (ne > 0)
		printf("expire: %ld event%s older than %ld days deleted\n", ne,
		    ne == 1 ? "" : "s", (long)(p->event_ttl / 86400));
	return EX_OK;
}

/* cmd_init - the store is created (and migrated) by opening it */
int
cmd_init(struct run *r)
{
	printf("database %s ready\n", r->cf->db);
	return EX_OK;
}
