/*
 * cmd_replay.c - --replay: saved bounces (files, mbox, Maildir) through
 * the same path as pipe mode, in parallel workers, committed in batches.
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "batch.h"
#include "cli.h"

int
cmd_replay(struct run *r)
{
	const struct options *o = r->o;
	struct ingest_ctx x;
	struct batch_opts bo;
	struct batch_stats st;
	struct store *s = NULL;
	enum store_status res;
	int rc = EX_OK;

	cli_init_ctx(&x, r);
	x.msg_time = 1;
	if (!o->dry_run) {
		if ((rc = cli_open_store(o, r->cf, 0, &s)) != EX_OK)
			return rc;
		x.store = s;
	}
	memset(&bo, 0, sizeof(bo));
	bo.paths = o->paths;
	bo.npaths = o->npaths;
	bo.max_size = r->cf->max_size;
	bo.batch = 1000;
	bo.quarantine = o->quarantine ? o->quarantine : r->cf->quarantine;
	bo.progress = isatty(2);
	bo.log = r->cf->syslog;
	/* parsing is most of a replay: one process per CPU, up to 8 */
	if ((bo.jobs = o->jobs) == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		bo.jobs = n < 1 ? 1 : n > 8 ? 8 : (int)n;
	}
	res = batch_replay(&x, &bo, &st);
	/* a failed store (locked, deleted midway) stored less than it counted */
	if (res != STORE_OK)
		rc = cli_store_failed(s);
	else
		batch_summary(stdout, &st, o->dry_run);
	if (res == STORE_OK && st.worker_failed)
		rc = EX_SOFTWARE;	/* a parser crash: run again with --jobs 1 */
	store_close(s);
	return rc;
}
