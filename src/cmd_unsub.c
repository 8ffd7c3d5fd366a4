/*
 * cmd_unsub.c - the unsubscribe modes (RFC 2369, RFC 8058):
 * --list-unsubscribe prints the headers for one recipient's copy, and
 * --cgi answers the one-click https URL (cgi.c).
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cgi.h"
#include "cli.h"
#include "unsub.h"

static void
unsub_cfg_of(const struct run *r, struct unsub_cfg *u)
{
	const struct config *cf = r->cf;

	memset(u, 0, sizeof(*u));
	u->keys = r->keys;
	u->prefix = cf->unsub_prefix;
	u->domain = cf->sign_domain;
	u->url = cf->unsub_url;
	u->delims = cf->verp_delims;
	u->max_age = cf->unsub_max_age;
}

/* cmd_list_unsub - the headers for one recipient's copy (bouncer(1)) */
int
cmd_list_unsub(struct run *r)
{
	const struct options *o = r->o;
	struct unsub_cfg u;
	struct sbuf b;
	const char *why;
	int rc = EX_OK;

	unsub_cfg_of(r, &u);
	sbuf_init(&b);
	if (unsub_headers(&u, o->arg, o->list_name, o->now, &b, &why) == -1) {
		fprintf(stderr, "%s: --list-unsubscribe %s: %s\n", progname,
		    o->arg, why);
		rc = u.keys == NULL || (u.domain == NULL && u.url == NULL) ?
		    EX_CONFIG : EX_UNAVAILABLE;
	} else
		fputs(b.s, stdout);
	sbuf_free(&b);
	return rc;
}

int
cmd_cgi(struct run *r)
{
	struct unsub_cfg u;

	unsub_cfg_of(r, &u);
	return cgi_run(&u, r->cf, r->o->now);
}
