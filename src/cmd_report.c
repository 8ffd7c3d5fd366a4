/*
 * cmd_report.c - --report (text, --json or --html) and --metrics (the
 * Prometheus text format): the picture, read from the store.
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "alert.h"
#include "cli.h"
#include "html.h"
#include "report.h"

int
cmd_report(struct run *r)
{
	const struct options *o = r->o;
	struct report_opts ro;
	struct pending_watch w;
	enum store_status st;
	int worst;

	memset(&ro, 0, sizeof(ro));
	cli_watch(r->cf, &w);
	ro.watch = &w;
	ro.now = o->now;
	ro.since = o->now - (o->since ? o->since : 7 * 86400);
	ro.json = o->json;
	ro.th = &r->cf->th;
	st = o->html ? html_report(r->s, &ro, stdout, &worst) :
	    report_print(r->s, &ro, stdout, &worst);
	if (st != STORE_OK)
		return cli_store_failed(r->s);
	return worst == AL_CRITICAL ? EX_CRITICAL : EX_OK;
}

int
cmd_metrics(struct run *r)
{
	if (report_metrics(r->s, r->o->now, stdout) != STORE_OK)
		return cli_store_failed(r->s);
	return EX_OK;
}
