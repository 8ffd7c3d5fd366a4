/*
 * cmd_maillog.c - --maillog: learn from Postfix's log what was sent and
 * what failed (maillog.c), then decide the reports that waited for it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "maillog.h"
#include "pending.h"
#include "policy.h"

/*
 * settle - the log is read: note when (pending.h: --alert, --report);
 * under trust = sent, decide what waited for it (with what --follow
 * decided as it read, in ms)
 */
static int
settle(struct store *s, const struct run *r, const struct maillog_stats *ms)
{
	enum store_status st;
	long tied = 0, unverified = 0;

	if ((st = store_begin(s)) == STORE_OK &&
	    (st = pending_log_read(s, r->o->now)) == STORE_OK &&
	    (r->cf->policy.trust != POLICY_TRUST_SENT ||
	    (st = ingest_settle(s, &r->cf->policy, r->o->now, &tied,
	    &unverified)) == STORE_OK))
		st = store_commit(s);
	if (st != STORE_OK) {
		store_rollback(s);
		return cli_store_failed(s);
	}
	tied += ms->tied;
	unverified += ms->unverified;
	if (tied || unverified)
		printf("pending: %ld tied to mail we sent, %ld never tied "
		    "(unverified)\n", tied, unverified);
	return EX_OK;
}

int
cmd_maillog(struct run *r)
{
	const struct options *o = r->o;
	const struct config *cf = r->cf;
	struct maillog_stats st;
	struct maillog_opts mc;
	struct store *s = NULL;
	enum store_status res;
	char *err = NULL;
	int rc;

	if ((rc = cli_open_store(o, cf, 0, &s)) != EX_OK)
		return rc;
	memset(&st, 0, sizeof(st));
	mc.header = cf->campaign_header;
	mc.verp = cf->campaign_verp;
	mc.delims = cf->verp_delims;
	mc.top_domains = cf->metrics_domains;
	mc.follow = o->follow;
	mc.users = cf->maillog_users;
	res = maillog_read(o->arg, s, r->c, &cf->policy, o->now, &st, &err,
	    &mc);
	if (err) {
		fprintf(stderr, "%s: %s: %s\n", progname, o->arg, err);
		free(err);
		rc = EX_NOINPUT;
	} else if (res != STORE_OK)
		rc = cli_store_failed(s);
	else if (st.deliveries > 0)	/* silent otherwise: cron mails no one */
		printf("maillog: %ld lines, %ld deliveries: %ld sent, %ld "
		    "bounced, %ld deferred; %ld already seen, %ld newly "
		    "suppressed\n", st.lines, st.deliveries, st.sent,
		    st.bounced, st.deferred, st.duplicates, st.suppressed);
	/* someone on this host writes Postfix's lines: say so, every run */
	if (st.foreign > 0)
		fprintf(stderr, "%s: %s: ignored %ld entries in Postfix's name "
		    "from users not in maillog_users\n", progname, o->arg,
		    st.foreign);
	if (rc == EX_OK)
		rc = settle(s, r, &st);
	store_close(s);
	return rc;
}
