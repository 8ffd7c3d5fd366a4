/*
 * cmd_migrate.c - --migrate-to: the store into another database, every
 * table (an SQLite store into PostgreSQL, for a fleet of MTAs that share
 * one list, or back, or into another SQLite file).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sysexits.h>

#include "cli.h"
#include "erase.h"

static void
copy_progress(const char *table, long rows, void *arg)
{
	(void)arg;
	if (isatty(2))
		fprintf(stderr, "\r%s: %ld rows   ", table, rows);
}

int
cmd_migrate(struct run *r)
{
	const struct options *o = r->o;
	struct store *to = NULL;
	struct erase_tombs *tombs = NULL;
	struct store_copy_cb cb = { erase_tombs_skip, erase_tombs_fresh_cb,
	    copy_progress, NULL };
	struct config pc = *r->cf;
	enum store_status st;
	int rc;

	if (o->arg == NULL || (r->cf->db != NULL &&
	    strcmp(o->arg, r->cf->db) == 0)) {
		fprintf(stderr, "%s: --migrate-to copies --db into another "
		    "database, not into itself\n", progname);
		return EX_USAGE;
	}
	pc.db = (char *)o->arg;
	/* the target is new: its schema is made here, as --init would */
	if ((rc = cli_open_store(o, &pc, STORE_CREATE, &to)) != EX_OK)
		return rc;
	/* an address erased in the target is not brought back */
	if ((st = erase_tombs_open(to, &tombs)) == STORE_OK) {
		cb.arg = tombs;
		st = store_copy(r->s, to, &cb);
	} else
		store_fail(r->s, st, "%s", store_error(to));
	erase_tombs_close(tombs);
	if (isatty(2))
		fputc('\n', stderr);
	if (st != STORE_OK)
		rc = cli_store_failed(r->s);
	else
		printf("copied %s into %s\n", r->cf->db, store_is_pg(o->arg) ?
		    "PostgreSQL" : o->arg);
	store_close(to);
	return rc;
}
