/*
 * main.c - bouncer's command line: options, modes and exit statuses.
 *
 * Exit statuses follow sysexits.h and Postfix's pipe(8) contract:
 * 0 processed or deliberately ignored, 64 usage, 65 unreadable input
 * (interactive modes only), 66 no input file, 75 temporary failure
 * (Postfix keeps the message and retries). No message we print begins
 * with an enhanced status code, which pipe(8) would take as a verdict.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "bounce.h"
#include "classify.h"
#include "input.h"
#include "mime.h"
#include "output.h"
#include "parse.h"
#include "util.h"

#define DEFAULT_MAX_SIZE	(10u * 1024 * 1024)

enum mode { MODE_PIPE, MODE_EXPLAIN, MODE_TEST_RULE };

struct options {
	enum mode	 mode;
	int		 json;
	const char	*file;
	const char	*text;
	const char	*rules;
	const char	*sender;
	const char	*recipient;
	size_t		 max_size;
};

static const char *progname = "bouncer";

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: bouncer [--sender ADDR] [--recipient ADDR]      (pipe mode, stdin)\n"
"       bouncer --explain [--json] [FILE|-]\n"
"       bouncer --test-rule TEXT\n"
"options: --rules FILE  --max-size BYTES  --help  --version\n");
}

static int
parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || v == 0)
		return -1;
	if (*end == 'k' || *end == 'K')
		v *= 1024, end++;
	else if (*end == 'm' || *end == 'M')
		v *= 1024 * 1024, end++;
	if (*end != '\0' || v > (1ULL << 30))
		return -1;
	*out = (size_t)v;
	return 0;
}

static int
parse_args(int argc, char **argv, struct options *o)
{
	enum { O_EXPLAIN = 256, O_JSON, O_TEST_RULE, O_RULES, O_SENDER,
	    O_RECIPIENT, O_MAX_SIZE, O_HELP, O_VERSION };
	static const struct option lo[] = {
		{ "explain", no_argument, NULL, O_EXPLAIN },
		{ "json", no_argument, NULL, O_JSON },
		{ "test-rule", required_argument, NULL, O_TEST_RULE },
		{ "rules", required_argument, NULL, O_RULES },
		{ "sender", required_argument, NULL, O_SENDER },
		{ "recipient", required_argument, NULL, O_RECIPIENT },
		{ "max-size", required_argument, NULL, O_MAX_SIZE },
		{ "help", no_argument, NULL, O_HELP },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->max_size = DEFAULT_MAX_SIZE;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case O_EXPLAIN:		o->mode = MODE_EXPLAIN; break;
		case O_JSON:		o->json = 1; break;
		case O_TEST_RULE:
			o->mode = MODE_TEST_RULE;
			o->text = optarg;
			break;
		case O_RULES:		o->rules = optarg; break;
		case O_SENDER:		o->sender = optarg; break;
		case O_RECIPIENT:	o->recipient = optarg; break;
		case O_MAX_SIZE:
			if (parse_size(optarg, &o->max_size) == -1) {
				fprintf(stderr, "%s: bad --max-size: %s\n",
				    progname, optarg);
				return -1;
			}
			break;
		case O_HELP:
			usage(stdout);
			exit(0);
		case O_VERSION:
			puts("bouncer " BOUNCER_VERSION);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (o->mode == MODE_EXPLAIN && optind < argc)
		o->file = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument: %s\n", progname,
		    argv[optind]);
		return -1;
	}
	return 0;
}

static int
run_test_rule(const struct classifier *c, const struct options *o)
{
	struct verdict v;

	classify_text(c, o->text, &v);
	printf("reason: %s\nclass: %s\nstatus: %s\nreplycode: %s\nrule: %s\n",
	    v.reason, v.class, v.status, v.replycode, v.rule);
	return EX_OK;
}

/* run_message - read, parse, classify and show one message */
static int
run_message(const struct classifier *c, const struct options *o)
{
	struct parse_opts po = { o->sender, o->recipient, NULL };
	struct bounce b;
	enum parse_status ps;
	const char *file = o->file ? o->file : "-", *why = "";
	char *buf = NULL;
	size_t len, i;
	int rc = EX_OK;

	switch (input_read_file(file, o->max_size, &buf, &len)) {
	case INPUT_OK:
		break;
	case INPUT_TOOBIG:
		fprintf(stderr, "%s: %s: input larger than %zu bytes, refused\n",
		    progname, file, o->max_size);
		return o->mode == MODE_PIPE ? EX_OK : EX_DATAERR;
	case INPUT_ERROR:
		fprintf(stderr, "%s: %s: %s\n", progname, file, strerror(errno));
		return o->mode == MODE_PIPE ? EX_TEMPFAIL : EX_NOINPUT;
	}
	memset(&b, 0, sizeof(b));
	ps = parse_message(buf, len, &po, &b, &why);
	if (ps == PARSE_NOTBOUNCE) {
		printf("not a bounce\n");
		goto out;
	}
	if (ps == PARSE_BROKEN) {
		printf("unparseable: %s\n", why);
		rc = o->mode == MODE_PIPE ? EX_OK : EX_DATAERR;
		goto out;
	}
	for (i = 0; i < b.n; i++)
		classify(c, &b, &b.r[i]);
	if (o->json)
		output_json(stdout, &b);
	else
		output_explain(stdout, &b);
out:
	bounce_free(&b);
	free(buf);
	return rc;
}

int
main(int argc, char **argv)
{
	struct options o;
	struct classifier *c;
	struct sbuf errs;
	int rc;

	if (parse_args(argc, argv, &o) == -1)
		return EX_USAGE;
	sbuf_init(&errs);
	if ((c = classifier_new(o.rules, &errs)) == NULL) {
		fprintf(stderr, "%s: %s: %s\n", progname, o.rules,
		    strerror(errno));
		return o.mode == MODE_PIPE ? EX_TEMPFAIL : EX_NOINPUT;
	}
	if (errs.len)
		fprintf(stderr, "%s", errs.s);
	sbuf_free(&errs);
	if (o.mode == MODE_TEST_RULE)
		rc = run_test_rule(c, &o);
	else {
		mime_init();
		rc = run_message(c, &o);
		mime_shutdown();
	}
	classifier_free(c);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "%s: write error: %s\n", progname,
		    strerror(errno));
		if (rc == EX_OK)
			rc = o.mode == MODE_PIPE ? EX_TEMPFAIL : EX_IOERR;
	}
	return rc;
}
