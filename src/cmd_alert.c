/*
 * cmd_alert.c - --alert: deliver what changed to alert_command; 75 when
 * a delivery failed (it is tried again next time), else 2 while a
 * critical level stands.
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "alert.h"
#include "cli.h"

int
cmd_alert(struct run *r)
{
	const struct config *cf = r->cf;
	struct alert_opts ao;
	struct alert_result res;
	struct pending_watch w;

	memset(&ao, 0, sizeof(ao));
	cli_watch(cf, &w);
	ao.watch = &w;
	ao.now = r->o->now;
	ao.window = r->o->since ? r->o->since : cf->alert_window;
	ao.th = &cf->th;
	ao.command = cf->alert_command;
	ao.pause_block = cf->pause_block;
	ao.pause_time = cf->pause_time;
	if (alert_run(r->s, &ao, stdout, &res) != STORE_OK)
		return cli_store_failed(r->s);
	if (res.failed) {
		fprintf(stderr, "%s: alert_command failed for %d alert%s; the "
		    "next run tries again\n", progname, res.failed,
		    res.failed == 1 ? "" : "s");
		return EX_TEMPFAIL;
	}
	return res.worst == AL_CRITICAL ? EX_CRITICAL : EX_OK;
}
