/*
 * cmd_list.c - --list (a line or a JSON line an entry) and --export (the
 * list into a file as --import reads it back: JSON lines or CSV).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"
#include "output.h"

void
cmd_list_json(FILE *fp, const struct store_entry *e)
{
	char a[32], b[32], c[32];
	struct sbuf j;

	sbuf_init(&j);
	sbuf_add(&j, "{\"address\":");
	json_str(&j, e->address);
	sbuf_add(&j, ",\"class\":");
	json_str(&j, e->class);
	sbuf_add(&j, ",\"reason\":");
	json_str(&j, e->reason);
	sbuf_add(&j, ",\"status\":");
	json_str(&j, e->status);
	sbuf_add(&j, ",\"source\":");
	json_str(&j, e->source);
	sbuf_printf(&j, ",\"first_seen\":\"%s\",\"last_seen\":\"%s\","
	    "\"expires\":\"%s\",\"soft_count\":%d}\n",
	    cli_iso(e->first_seen, a, sizeof(a)),
	    cli_iso(e->last_seen, b, sizeof(b)),
	    e->expires ? cli_iso(e->expires, c, sizeof(c)) : "", e->soft_count);
	fputs(j.s, fp);
	sbuf_free(&j);
}

static int
list_row(const struct store_entry *e, void *arg)
{
	const struct options *o = arg;
	char a[32], b[32];

	if (o->json)
		cmd_list_json(stdout, e);
	else
		printf("%s\t%s\t%s\t%s\t%s\n", e->address, e->class, e->reason,
		    cli_iso(e->last_seen, a, sizeof(a)),
		    cli_iso(e->expires, b, sizeof(b)));
	return 0;
}

/* cmd_list_check - --class is one a listing can have (policy.c, rank) */
int
cmd_list_check(const struct options *o, char *err, size_t len)
{
	static const char *classes[] = {
		"hard", "soft", "complaint", "unsubscribe", "manual", NULL
	};
	int i;

	if (o->class == NULL)
		return 0;
	for (i = 0; classes[i]; i++)
		if (strcmp(o->class, classes[i]) == 0)
			return 0;
	snprintf(err, len, "--list takes --class hard, soft, complaint, "
	    "unsubscribe or manual");
	return -1;
}

int
cmd_list(struct run *r)
{
	const struct options *o = r->o;

	if (store_list(r->s, o->class ? o->class : "", o->since ?
	    o->now - o->since : 0, list_row, (void *)o) != STORE_OK)
		return cli_store_failed(r->s);
	return EX_OK;
}

/*
 * csv_field - one CSV field, quoted when it must be (RFC 4180). A cell
 * that starts with = + - @ TAB or CR is a formula to a spreadsheet
 * (OWASP, CSV injection): an address may well start so, and it is a
 * stranger's to choose. Such a cell gets a single quote in front, and so
 * does one that starts with a single quote, so that --import reads every
 * cell back as it was (feed.c, csv_unquote).
 */
static void
csv_field(FILE *fp, const char *v, int last)
{
	int neutral = v[0] != '\0' && strchr("=+-@\t\r'", v[0]) != NULL;

	if (strpbrk(v, ",\"\r\n") != NULL) {
		fputc('"', fp);
		if (neutral)
			fputc('\'', fp);
		for (; *v; v++) {
			if (*v == '"')
				fputc('"', fp);
			fputc(*v, fp);
		}
		fputc('"', fp);
	} else {
		if (neutral)
			fputc('\'', fp);
		fputs(v, fp);
	}
	fputc(last ? '\n' : ',', fp);
}

struct export {
	FILE	*fp;
	int	 csv;
};

static int
export_row(const struct store_entry *e, void *arg)
{
	struct export *x = arg;
	char a[32], b[32], c[32], n[16];

	if (!x->csv) {
		cmd_list_json(x->fp, e);
		return 0;
	}
	snprintf(n, sizeof(n), "%d", e->soft_count);
	csv_field(x->fp, e->address, 0);
	csv_field(x->fp, e->class, 0);
	csv_field(x->fp, e->reason, 0);
	csv_field(x->fp, e->status, 0);
	csv_field(x->fp, e->source, 0);
	csv_field(x->fp, cli_iso(e->first_seen, a, sizeof(a)), 0);
	csv_field(x->fp, cli_iso(e->last_seen, b, sizeof(b)), 0);
	csv_field(x->fp, e->expires ? cli_iso(e->expires, c, sizeof(c)) : "",
	    0);
	csv_field(x->fp, n, 1);
	return 0;
}

int
cmd_export(struct run *r)
{
	const struct options *o = r->o;
	struct export x;
	int rc = EX_OK;

	memset(&x, 0, sizeof(x));
	x.csv = o->format ? strcmp(o->format, "csv") == 0 : o->arg != NULL &&
	    strlen(o->arg) > 4 && strcmp(o->arg + strlen(o->arg) - 4,
	    ".csv") == 0;
	if (o->arg == NULL || strcmp(o->arg, "-") == 0)
		x.fp = stdout;
	else if ((x.fp = fopen(o->arg, "w")) == NULL) {
		fprintf(stderr, "%s: %s: %s\n", progname, o->arg,
		    strerror(errno));
		return EX_CANTCREAT;
	}
	if (x.csv)
		fputs("address,class,reason,status,source,first_seen,"
		    "last_seen,expires,soft_count\n", x.fp);
	if (store_list(r->s, o->class ? o->class : "", o->since ?
	    o->now - o->since : 0, export_row, &x) != STORE_OK)
		rc = cli_store_failed(r->s);
	if (x.fp != stdout && (fflush(x.fp) == EOF || fsync(fileno(x.fp)) ==
	    -1 || fclose(x.fp) == EOF) && rc == EX_OK) {
		fprintf(stderr, "%s: %s: %s\n", progname, o->arg,
		    strerror(errno));
		rc = EX_IOERR;
	}
	return rc;
}
