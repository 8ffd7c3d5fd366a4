/*
 * cmd_import.c - --import: lists and ESP events from a file or standard
 * input (formats in feed.c); bad records are reported and skipped.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "feed.h"

int
cmd_import_check(const struct options *o, char *err, size_t len)
{
	static const char *const ok[] = { "manual", "unsubscribe", "hard",
	    "complaint" };
	size_t i;

	if (o->class == NULL)
		return 0;
	for (i = 0; i < nitems(ok); i++)
		if (strcmp(o->class, ok[i]) == 0)
			return 0;
	snprintf(err, len, "--import takes --class manual, unsubscribe, hard "
	    "or complaint");
	return -1;
}

int
cmd_import(struct run *r)
{
	const struct options *o = r->o;
	struct feed_stats st;
	struct sbuf errs;
	FILE *fp;
	enum store_status res;

	if (o->arg == NULL || strcmp(o->arg, "-") == 0)
		fp = stdin;
	else if ((fp = fopen(o->arg, "r")) == NULL) {
		fprintf(stderr, "%s: %s: %s\n", progname, o->arg,
		    strerror(errno));
		return EX_NOINPUT;
	}
	sbuf_init(&errs);
	res = feed_import(fp, o->arg, o->class, r->s, r->c, &r->cf->policy,
	    o->now, 1000, &st, &errs);
	if (fp != stdin)
		fclose(fp);
	if (errs.len)
		fputs(errs.s, stderr);
	sbuf_free(&errs);
	if (res != STORE_OK)
		return cli_store_failed(r->s);
	printf("import: %ld lines, %ld applied, %ld duplicates, %ld newly "
	    "suppressed, %ld refused", st.lines, st.applied, st.duplicates,
	    st.suppressed, st.bad);
	if (st.erased)
		printf(", %ld erased (skipped)", st.erased);
	if (st.ignored)
		printf(", %ld other events ignored", st.ignored);
	putchar('\n');
	if (st.read_error)
		return EX_IOERR;
	return st.bad ? EX_DATAERR : EX_OK;
}
