/*
 * cli.c - what several of the command line's modes share: opening the
 * store (as its owner), the store's errors, reading a message, and an
 * ingest context built from the options. See cli.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <syslog.h>

#include "cli.h"
#include "input.h"
#include "owner.h"
#include "policy.h"
#include "util.h"

const char *progname = "bouncer";

int
cli_open_store(const struct options *o, const struct config *cf, int flags,
    struct store **s)
{
	char *err = NULL, why[512];
	enum store_status r;

	(void)o;
	if (!store_is_pg(cf->db) &&
	    owner_become(cf->db, why, sizeof(why)) == -1) {
		fprintf(stderr, "%s: %s\n", progname, why);
		syslog(LOG_ERR, "%s", why);
		return EX_TEMPFAIL;
	}
	r = store_open(cf->db, cf->busy_ms, flags, s, &err);
	if (r == STORE_OK)
		return EX_OK;
	fprintf(stderr, "%s: database %s unavailable, try again later: %s\n",
	    progname, cf->db, err ? err : "unknown error");
	free(err);
	return EX_TEMPFAIL;
}

int
cli_store_failed(struct store *s)
{
	fprintf(stderr, "%s: database error, try again later: %s\n", progname,
	    store_error(s));
	return EX_TEMPFAIL;
}

int
cli_read_message(const struct options *o, const struct config *cf,
    char **buf, size_t *len)
{
	const char *file = o->arg ? o->arg : "-";
	int pipe_mode = o->mode->flags & M_PIPE;
	char sb[LOG_SAFE_MAX];

	switch (input_read_file(file, cf->max_size, buf, len)) {
	case INPUT_OK:
		return EX_OK;
	case INPUT_TOOBIG:
		/*
		 * A report comes before the original it returns, so what
		 * was read is classified, never dropped.
		 */
		fprintf(stderr, "%s: %s: input larger than %zu bytes, read up "
		    "to the limit\n", progname, file, cf->max_size);
		if (pipe_mode)
			syslog(LOG_WARNING, "message from <%s> larger than %zu "
			    "bytes: read up to the limit", log_safe(o->sender,
			    sb, sizeof(sb)), cf->max_size);
		return EX_OK;
	default:
		fprintf(stderr, "%s: %s: %s\n", progname, file, strerror(errno));
		return pipe_mode ? EX_TEMPFAIL : EX_NOINPUT;
	}
}

void
cli_init_ctx(struct ingest_ctx *x, const struct run *r)
{
	const struct config *cf = r->cf;

	memset(x, 0, sizeof(*x));
	x->classifier = r->c;
	x->policy = &cf->policy;
	x->now = r->o->now;
	x->parse.sender = r->o->sender;
	x->parse.recipient = r->o->recipient;
	x->parse.rcpt_header = cf->recipient_header;
	x->parse.verp_delims = cf->verp_delims;
	x->parse.unsub_prefix = cf->unsub_prefix;
	x->parse.authserv_id = cf->authserv_id;
	x->parse.campaign_header = cf->campaign_header;
	x->parse.campaign_verp = cf->campaign_verp;
	x->keys = r->keys;
	x->require_signed = cf->policy.trust == POLICY_TRUST_SIGNED;
	x->sign_max_age = cf->sign_max_age;
	x->unsub_max_age = cf->unsub_max_age;
}

void
cli_watch(const struct config *cf, struct pending_watch *w)
{
	w->needs_log = cf->policy.trust == POLICY_TRUST_SENT;
	w->stale = cf->maillog_stale;
	w->wait = cf->policy.pending_wait;
}

const char *
cli_iso(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (t == 0)
		return "never";
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}
