/*
 * cmd_lookup.c - --lookup: one address's entry, if any, and the soft
 * bounces that count now (also before they suppress), with its history.
 * An entry past its expiry is "expired": Postfix's maps no longer match
 * it, and the next --expire removes it.
 */
#include <stdio.h>
#include <sysexits.h>

#include "cli.h"

static void
print_time(const char *label, time_t t)
{
	char buf[64];

	printf("%-12s %s\n", label, cli_iso(t, buf, sizeof(buf)));
}

static int
show_event(const struct store_event *e, void *arg)
{
	char t[32];

	(void)arg;
	printf("  event  %s %s %s %s %s%s%s\n", cli_iso(e->time, t, sizeof(t)),
	    e->class, e->reason, *e->status ? e->status : "-", e->source,
	    *e->diagnostic ? ": " : "", e->diagnostic);
	return 0;
}

static int
show_audit(const struct store_audit *a, void *arg)
{
	char t[32];

	(void)arg;
	printf("  audit  %s %s %s %s: %s\n", cli_iso(a->time, t, sizeof(t)),
	    a->action, a->class, a->reason, a->why);
	return 0;
}

/*
 * lookup_pending - this address's reports waiting for Postfix's log, and
 * a warning when the log is not being read (nothing pending is decided)
 */
static enum store_status
lookup_pending(const struct run *r)
{
	struct pending_state mine = { 0, 0, 0 }, all = { 0, 0, 0 };
	struct pending_watch w;
	enum store_status st;
	char age[32], msg[512];

	if ((st = pending_gather(r->s, r->addr, &mine)) != STORE_OK ||
	    (st = pending_gather(r->s, NULL, &all)) != STORE_OK)
		return st;
	if (mine.count > 0)
		printf("pending      %ld report%s waiting for Postfix's log, "
		    "the oldest for %s (not acted on until --maillog ties "
		    "%s to mail we sent)\n", mine.count, mine.count == 1 ?
		    "" : "s", pending_age(r->o->now - mine.oldest, age,
		    sizeof(age)), mine.count == 1 ? "it" : "them");
	cli_watch(r->cf, &w);
	if (pending_problem(&all, &w, r->o->now, msg, sizeof(msg)))
		printf("warning      %s\n", msg);
	return STORE_OK;
}

int
cmd_lookup(struct run *r)
{
	const struct policy_cfg *p = &r->cf->policy;
	const struct options *o = r->o;
	struct store_entry e;
	int found, soft;

	if (store_get(r->s, STORE_LIST, r->addr, &e, &found) != STORE_OK)
		return cli_store_failed(r->s);
	if (store_soft_count(r->s, r->addr, o->now - p->soft_window,
	    p->delivery_stands, &soft) != STORE_OK) {
		if (found)
			store_entry_free(&e);
		return cli_store_failed(r->s);
	}
	printf("address      %s\n", r->addr);
	if (found)
		printf("state        %s\nclass        %s\n"
		    "reason       %s\nstatus       %s\nsource       %s\n"
		    "note         %s\n", e.expires != 0 && e.expires <= o->now ?
		    "expired (no longer refused; --expire removes it)" :
		    "suppressed", e.class, e.reason,
		    *e.status ? e.status : "-", e.source, e.note);
	else
		printf("state        not suppressed\n");
	printf("soft count   %d in the last %lld days (%d suppress)\n", soft,
	    (long long)(p->soft_window / 86400), p->soft_threshold);
	if (lookup_pending(r) != STORE_OK) {
		if (found)
			store_entry_free(&e);
		return cli_store_failed(r->s);
	}
	if (found) {
		print_time("first seen", e.first_seen);
		print_time("last seen", e.last_seen);
		print_time("expires", e.expires);
		store_entry_free(&e);
	}
	printf("history:\n");
	if (store_history(r->s, r->addr, show_event, show_audit, NULL) !=
	    STORE_OK)
		return cli_store_failed(r->s);
	return EX_OK;
}
