/*
 * main.c - bouncer's command line: options, modes and exit statuses.
 *
 * Exit statuses follow sysexits.h and Postfix's pipe(8) contract:
 *   0   processed, or deliberately ignored (not a bounce, unreadable)
 *   64  usage error (in pipe mode 75, with the reason on one line)
 *   65  unreadable input (interactive modes only)
 *   66  input file cannot be opened (interactive modes only)
 *   69  an address given is not valid, or not listed (--remove), or
 *       too long to sign (--sign)
 *   75  temporary failure: Postfix keeps the message and retries
 *   2   --report, --alert: a critical threshold is crossed (as a
 *       monitoring plugin's CRITICAL)
 * Pipe mode never exits with a status that makes Postfix bounce a bounce:
 * only 0 or 75. No message we print begins with an enhanced status code,
 * which pipe(8) would take as the verdict.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "alert.h"
#include "batch.h"
#include "bounce.h"
#include "cgi.h"
#include "classify.h"
#include "config.h"
#include "feed.h"
#include "html.h"
#include "ingest.h"
#include "input.h"
#include "maillog.h"
#include "metrics.h"
#include "mime.h"
#include "output.h"
#include "owner.h"
#include "parse.h"
#include "policy.h"
#include "report.h"
#include "store.h"
#include "unsub.h"
#include "util.h"
#include "verp.h"

enum mode {
	MODE_PIPE, MODE_EXPLAIN, MODE_TEST_RULE, MODE_ADD, MODE_REMOVE,
	MODE_LOOKUP, MODE_LIST, MODE_FORGET, MODE_EXPIRE, MODE_INIT,
	MODE_SIGN, MODE_IMPORT, MODE_REPLAY, MODE_REPORT, MODE_METRICS,
	MODE_ALERT,
	MODE_MAILLOG, MODE_MIGRATE, MODE_EXPORT, MODE_LIST_UNSUB, MODE_CGI
};

struct options {
	enum mode	 mode;
	int		 json;
	int		 html;		/* --report --html */
	int		 allow_root;
	const char	*arg;		/* file, text or address of the mode */
	const char	*why;
	const char	*class;
	const char	*format;	/* --export: jsonl or csv */
	time_t		 since;		/* --since, seconds back */
	const char	*config;
	const char	*db;
	const char	*rules;
	const char	*sender;
	const char	*recipient;
	const char	*queue_id;	/* pipe(8)'s ${queue_id}: this delivery */
	const char	*max_size;
	time_t		 now;
	int		 dry_run;
	const char	*quarantine;
	char		**paths;	/* --replay */
	int		 npaths;
	int		 log_stderr;
	int		 jobs;		/* --jobs, 0: one per CPU */
	int		 saw_list;	/* --list: the mode, or with
					   --list-unsubscribe its NAME */
	const char	*list_name;	/* --list-unsubscribe --list NAME */
	char		 err[256];	/* the first usage error, or "" */
};

static const char *progname = "bouncer";

#define EX_CRITICAL	2	/* a critical threshold crossed (bouncer(1)) */

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: bouncer [--sender ADDR] [--recipient ADDR] < message   (pipe mode)\n"
"       bouncer --explain [--json] [FILE|-]\n"
"       bouncer --test-rule TEXT\n"
"       bouncer --add ADDR [--class unsubscribe] --why TEXT\n"
"       bouncer --remove ADDR --why TEXT\n"
"       bouncer --lookup ADDR | --list [--class C] [--since 7d] [--json]\n"
"       bouncer --forget ADDR | --expire | --init\n"
"       bouncer --import FILE|- [--class C] | --sign ADDR\n"
"       bouncer --list-unsubscribe ADDR [--list NAME] | --cgi\n"
"       bouncer --export FILE|- [--format jsonl|csv] [--class C]\n"
"       bouncer --replay [--dry-run] [--quarantine DIR] [--jobs N] PATH...\n"
"       bouncer --report [--since 7d] [--json | --html] | --metrics | --maillog FILE|-\n"
"       bouncer --alert [--since 1d]   (thresholds, alert_command, pauses)\n"
"       bouncer --migrate-to postgresql://...   (copies --db into it)\n"
"common: --config FILE --db PATH --rules FILE --max-size N --now TIME\n"
"        --allow-root --help --version    (see bouncer(1))\n");
}

/* parse_time - RFC 3339: 2026-12-31T00:00:00Z or +01:00 */
static int
parse_time(const char *s, time_t *out)
{
	struct tm tm;
	const char *p;
	int sign, hh, mm;

	memset(&tm, 0, sizeof(tm));
	if ((p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL &&
	    (p = strptime(s, "%Y-%m-%d %H:%M:%S", &tm)) == NULL)
		return -1;
	if (*p == '.')
		while (*++p >= '0' && *p <= '9')
			;
	*out = timegm(&tm);
	if (*p == 'Z' || *p == 'z')
		return p[1] == '\0' ? 0 : -1;
	if ((*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d", &hh, &mm) == 2 &&
	    strlen(p) == 6) {
		sign = *p == '+' ? 1 : -1;
		*out -= sign * (hh * 3600 + mm * 60);
		return 0;
	}
	return -1;
}

/*
 * bad - keep the first usage error. Parsing goes on, so that the mode is
 * known when main() chooses the exit status: pipe mode defers (75), for
 * a bounced bounce would be lost.
 */
static int
bad(struct options *o, const char *fmt, ...)
{
	va_list ap;

	if (o->err[0] != '\0')
		return -1;
	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): started above */
	(void)vsnprintf(o->err, sizeof(o->err), fmt, ap);
	va_end(ap);
	return -1;
}

static int
set_mode(struct options *o, enum mode m, const char *arg)
{
	if (o->mode != MODE_PIPE && o->mode != m)
		return bad(o, "more than one mode given");
	o->mode = m;
	o->arg = arg;
	return 0;
}

static int
parse_args(int argc, char **argv, struct options *o)
{
	enum { O_EXPLAIN = 256, O_JSON, O_TEST_RULE, O_RULES, O_SENDER,
	    O_RECIPIENT, O_MAX_SIZE, O_HELP, O_VERSION, O_ADD, O_REMOVE,
	    O_LOOKUP, O_LIST, O_FORGET, O_EXPIRE, O_WHY, O_CLASS, O_SINCE,
	    O_CONFIG, O_DB, O_NOW, O_ALLOW_ROOT, O_INIT, O_SIGN, O_IMPORT,
	    O_REPLAY, O_DRY_RUN, O_QUARANTINE, O_LOG_STDERR, O_REPORT,
	    O_METRICS, O_ALERT, O_HTML, O_MAILLOG, O_MIGRATE, O_JOBS, O_QUEUE_ID,
	    O_EXPORT, O_FORMAT, O_LIST_UNSUB, O_CGI };
	static const struct option lo[] = {
		{ "explain", no_argument, NULL, O_EXPLAIN },
		{ "json", no_argument, NULL, O_JSON },
		{ "test-rule", required_argument, NULL, O_TEST_RULE },
		{ "rules", required_argument, NULL, O_RULES },
		{ "sender", required_argument, NULL, O_SENDER },
		{ "recipient", required_argument, NULL, O_RECIPIENT },
		{ "queue-id", required_argument, NULL, O_QUEUE_ID },
		{ "max-size", required_argument, NULL, O_MAX_SIZE },
		{ "add", required_argument, NULL, O_ADD },
		{ "remove", required_argument, NULL, O_REMOVE },
		{ "lookup", required_argument, NULL, O_LOOKUP },
		{ "list", no_argument, NULL, O_LIST },
		{ "forget", required_argument, NULL, O_FORGET },
		{ "expire", no_argument, NULL, O_EXPIRE },
		{ "init", no_argument, NULL, O_INIT },
		{ "sign", required_argument, NULL, O_SIGN },
		{ "list-unsubscribe", required_argument, NULL, O_LIST_UNSUB },
		{ "cgi", no_argument, NULL, O_CGI },
		{ "import", required_argument, NULL, O_IMPORT },
		{ "replay", no_argument, NULL, O_REPLAY },
		{ "dry-run", no_argument, NULL, O_DRY_RUN },
		{ "jobs", required_argument, NULL, O_JOBS },
		{ "quarantine", required_argument, NULL, O_QUARANTINE },
		{ "log-stderr", no_argument, NULL, O_LOG_STDERR },
		{ "report", no_argument, NULL, O_REPORT },
		{ "metrics", no_argument, NULL, O_METRICS },
		{ "alert", no_argument, NULL, O_ALERT },
		{ "html", no_argument, NULL, O_HTML },
		{ "maillog", required_argument, NULL, O_MAILLOG },
		{ "migrate-to", required_argument, NULL, O_MIGRATE },
		{ "export", required_argument, NULL, O_EXPORT },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "why", required_argument, NULL, O_WHY },
		{ "class", required_argument, NULL, O_CLASS },
		{ "since", required_argument, NULL, O_SINCE },
		{ "config", required_argument, NULL, O_CONFIG },
		{ "db", required_argument, NULL, O_DB },
		{ "now", required_argument, NULL, O_NOW },
		{ "allow-root", no_argument, NULL, O_ALLOW_ROOT },
		{ "help", no_argument, NULL, O_HELP },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	int c, rc = 0, failed = 0;

	memset(o, 0, sizeof(*o));
	o->now = time(NULL);
	opterr = 0;		/* our own one-line message instead */
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		rc = 0;
		switch (c) {
		case O_EXPLAIN:	rc = set_mode(o, MODE_EXPLAIN, NULL); break;
		case O_TEST_RULE: rc = set_mode(o, MODE_TEST_RULE, optarg); break;
		case O_ADD:	rc = set_mode(o, MODE_ADD, optarg); break;
		case O_REMOVE:	rc = set_mode(o, MODE_REMOVE, optarg); break;
		case O_LOOKUP:	rc = set_mode(o, MODE_LOOKUP, optarg); break;
		case O_LIST:	o->saw_list = 1; break;
		case O_FORGET:	rc = set_mode(o, MODE_FORGET, optarg); break;
		case O_EXPIRE:	rc = set_mode(o, MODE_EXPIRE, NULL); break;
		case O_INIT:	rc = set_mode(o, MODE_INIT, NULL); break;
		case O_SIGN:	rc = set_mode(o, MODE_SIGN, optarg); break;
		case O_LIST_UNSUB: rc = set_mode(o, MODE_LIST_UNSUB, optarg); break;
		case O_CGI:	rc = set_mode(o, MODE_CGI, NULL); break;
		case O_IMPORT:	rc = set_mode(o, MODE_IMPORT, optarg); break;
		case O_REPLAY:	rc = set_mode(o, MODE_REPLAY, NULL); break;
		case O_DRY_RUN:	o->dry_run = 1; break;
		case O_JOBS:
			if ((o->jobs = atoi(optarg)) < 1 || o->jobs > 64)
				rc = bad(o, "bad --jobs: %s (1 to 64)", optarg);
			break;
		case O_REPORT:	rc = set_mode(o, MODE_REPORT, NULL); break;
		case O_METRICS:	rc = set_mode(o, MODE_METRICS, NULL); break;
		case O_ALERT:	rc = set_mode(o, MODE_ALERT, NULL); break;
		case O_MAILLOG:	rc = set_mode(o, MODE_MAILLOG, optarg); break;
		case O_MIGRATE:	rc = set_mode(o, MODE_MIGRATE, optarg); break;
		case O_EXPORT:	rc = set_mode(o, MODE_EXPORT, optarg); break;
		case O_FORMAT:
			if (strcmp(optarg, "jsonl") != 0 &&
			    strcmp(optarg, "csv") != 0)
				rc = bad(o, "--format takes jsonl or csv");
			o->format = optarg;
			break;
		case O_QUARANTINE: o->quarantine = optarg; break;
		case O_LOG_STDERR: o->log_stderr = 1; break;
		case O_JSON:	o->json = 1; break;
		case O_HTML:	o->html = 1; break;
		case O_RULES:	o->rules = optarg; break;
		case O_SENDER:	o->sender = optarg; break;
		case O_RECIPIENT: o->recipient = optarg; break;
		case O_QUEUE_ID: o->queue_id = optarg; break;
		case O_MAX_SIZE: o->max_size = optarg; break;
		case O_WHY:	o->why = optarg; break;
		case O_CLASS:	o->class = optarg; break;
		case O_CONFIG:	o->config = optarg; break;
		case O_DB:	o->db = optarg; break;
		case O_ALLOW_ROOT: o->allow_root = 1; break;
		case O_SINCE:
			if (config_duration(optarg, &o->since) == -1)
				rc = bad(o, "bad --since: %s", optarg);
			break;
		case O_NOW:
			if (parse_time(optarg, &o->now) == -1)
				rc = bad(o, "bad --now (want RFC 3339, e.g. "
				    "2026-12-31T00:00:00Z): %s", optarg);
			break;
		case O_HELP:
			usage(stdout);
			exit(0);
		case O_VERSION:
			puts("bouncer " BOUNCER_VERSION);
			exit(0);
		default:
			rc = bad(o, "bad option or missing argument: %s",
			    argv[optind - 1]);
		}
		if (rc == -1)
			failed = 1;
	}
	if (o->mode == MODE_EXPLAIN && optind < argc)
		o->arg = argv[optind++];
	/* --list is a mode, or --list-unsubscribe's list name after it */
	if (o->saw_list && o->mode == MODE_LIST_UNSUB) {
		if (optind == argc)
			return bad(o, "--list-unsubscribe --list needs a NAME");
		o->list_name = argv[optind++];
	} else if (o->saw_list && set_mode(o, MODE_LIST, NULL) == -1)
		failed = 1;
	if (o->mode == MODE_REPLAY) {
		if (optind == argc)
			return bad(o, "--replay needs at least one PATH (or -)");
		o->paths = argv + optind;
		o->npaths = argc - optind;
		optind = argc;
	}
	if (optind < argc)
		return bad(o, "unexpected argument: %s", argv[optind]);
	if ((o->mode == MODE_ADD || o->mode == MODE_REMOVE) && o->why == NULL)
		return bad(o, "--add and --remove need --why TEXT");
	if (o->mode == MODE_ADD && o->class && strcmp(o->class, "manual") != 0 &&
	    strcmp(o->class, "unsubscribe") != 0)
		return bad(o, "--add takes --class manual or unsubscribe");
	if (o->mode == MODE_IMPORT && o->class &&
	    strcmp(o->class, "manual") != 0 &&
	    strcmp(o->class, "unsubscribe") != 0 &&
	    strcmp(o->class, "hard") != 0 && strcmp(o->class, "complaint") != 0)
		return bad(o, "--import takes --class manual, unsubscribe, "
		    "hard or complaint");
	return failed ? -1 : 0;
}

/* open_store - the store, or an exit status after saying why */
static int
open_store(const struct config *cf, int flags, struct store **s)
{
	char *err = NULL, why[512];
	enum store_status r;

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

static int
store_failed(struct store *s)
{
	fprintf(stderr, "%s: database error, try again later: %s\n", progname,
	    store_error(s));
	return EX_TEMPFAIL;
}

static int
run_test_rule(const struct classifier *c, const struct options *o)
{
	struct verdict v;

	classify_text(c, o->arg, &v);
	printf("reason: %s\nclass: %s\nstatus: %s\nreplycode: %s\nrule: %s\n",
	    v.reason, v.class, v.status, v.replycode, v.rule);
	return EX_OK;
}

/*
 * read_message - the input of explain and pipe modes: EX_OK with *buf
 * set (a message over the limit cut at it: a report comes before the
 * original it returns, so what was read is classified, never dropped),
 * or an exit status
 */
static int
read_message(const struct options *o, const struct config *cf, char **buf,
    size_t *len)
{
	const char *file = o->arg ? o->arg : "-";

	switch (input_read_file(file, cf->max_size, buf, len)) {
	case INPUT_OK:
		return EX_OK;
	case INPUT_TOOBIG:
		fprintf(stderr, "%s: %s: input larger than %zu bytes, read up "
		    "to the limit\n", progname, file, cf->max_size);
		if (o->mode == MODE_PIPE)
			syslog(LOG_WARNING, "message from <%s> larger than %zu "
			    "bytes: read up to the limit", o->sender ?
			    o->sender : "", cf->max_size);
		return EX_OK;
	default:
		fprintf(stderr, "%s: %s: %s\n", progname, file, strerror(errno));
		return o->mode == MODE_PIPE ? EX_TEMPFAIL : EX_NOINPUT;
	}
}

/* keys - the signing keys, loaded once; NULL when none configured */
static struct verp_keys the_keys;
static const struct verp_keys *keys;

static int
load_keys(const struct config *cf)
{
	const char *why;

	if (cf->sign_keys == NULL)
		return 0;
	if (verp_load_keys(cf->sign_keys, &the_keys, &why) == -1) {
		fprintf(stderr, "%s: %s: %s\n", progname, cf->sign_keys, why);
		return -1;
	}
	keys = &the_keys;
	return 0;
}

static void
init_ctx(struct ingest_ctx *x, const struct classifier *c,
    const struct options *o, const struct config *cf)
{
	memset(x, 0, sizeof(*x));
	x->classifier = c;
	x->policy = &cf->policy;
	x->now = o->now;
	x->parse.sender = o->sender;
	x->parse.recipient = o->recipient;
	x->parse.rcpt_header = cf->recipient_header;
	x->parse.verp_delims = cf->verp_delims;
	x->parse.unsub_prefix = cf->unsub_prefix;
	x->parse.campaign_header = cf->campaign_header;
	x->parse.campaign_verp = cf->campaign_verp;
	x->keys = keys;
	x->require_signed = cf->policy.trust == POLICY_TRUST_SIGNED;
	x->sign_max_age = cf->sign_max_age;
	x->unsub_max_age = cf->unsub_max_age;
}

static int
run_explain(const struct classifier *c, const struct options *o,
    const struct config *cf)
{
	struct ingest_ctx x;
	struct ingest_result res;
	char *buf;
	size_t len;
	int rc;

	if ((rc = read_message(o, cf, &buf, &len)) != EX_OK)
		return rc;
	init_ctx(&x, c, o, cf);
	switch (ingest_message(&x, buf, len, &res)) {
	case INGEST_NOTBOUNCE:
		/* JSON consumers get no line for it, people get the words */
		fprintf(o->json ? stderr : stdout, "not a bounce\n");
		break;
	case INGEST_BROKEN:
		fprintf(o->json ? stderr : stdout, "unparseable: %s\n", res.why);
		rc = EX_DATAERR;
		break;
	default:
		if (o->json)
			output_json(stdout, &res.b);
		else
			output_explain(stdout, &res.b);
	}
	ingest_result_free(&res);
	free(buf);
	return rc;
}

/* pipe_time - count this run in the histogram --metrics shows */
static enum store_status
pipe_time(struct store *s, const struct timespec *t0)
{
	struct timespec t1;
	long long us;
	int b;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	us = (long long)(t1.tv_sec - t0->tv_sec) * 1000000 +
	    (t1.tv_nsec - t0->tv_nsec) / 1000;
	for (b = 0; b < METRICS_PIPE_NBUCKETS; b++)
		if ((double)us <= metrics_pipe_buckets[b] * 1e6)
			break;
	return store_pipe_time(s, b, us);
}

/*
 * keep_broken - an unreadable bounce recorded for its VERP recipient:
 * logged, and a copy kept when there is a quarantine to look at it later
 */
static void
keep_broken(const struct options *o, const struct config *cf,
    const struct ingest_result *res, const char *buf, size_t len)
{
	const char *dir = o->quarantine ? o->quarantine : cf->quarantine;
	char *err = NULL;

	syslog(LOG_WARNING, "message from <%s> unparseable (%s): recorded as a "
	    "failure for its VERP recipient <%s>", o->sender ? o->sender : "",
	    res->why, res->b.verp);
	if (dir == NULL)
		return;
	if (ingest_quarantine(dir, buf, len, &err) == -1) {
		syslog(LOG_WARNING, "quarantine %s: %s", dir, err);
		fprintf(stderr, "%s: quarantine %s: %s\n", progname, dir, err);
	}
	free(err);
}

/*
 * run_pipe - Postfix's pipe(8) transport: store what the message says.
 * Only 0 and 75 leave here: a bounce is stored, deliberately ignored
 * (logged), or kept by Postfix for a retry.
 */
static int
run_pipe(const struct classifier *c, const struct options *o,
    const struct config *cf)
{
	struct ingest_ctx x;
	struct ingest_result res;
	struct store *s = NULL;
	struct timespec t0;
	char *buf = NULL;
	size_t len;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((rc = read_message(o, cf, &buf, &len)) != EX_OK)
		return rc;
	init_ctx(&x, c, o, cf);
	/*
	 * Parse and classify before the store is even opened: the write
	 * lock (BEGIN IMMEDIATE) covers the database work alone, so that no
	 * message, however large, makes other bounces wait for its parsing.
	 */
	x.make_keys = 1;
	switch (ingest_analyse(&x, buf, len, &res)) {
	case INGEST_NOTBOUNCE:
		syslog(LOG_INFO, "message from <%s> ignored: not a bounce",
		    o->sender ? o->sender : "");
		goto out;
	case INGEST_BROKEN:
		syslog(LOG_WARNING, "message from <%s> ignored: unparseable: %s",
		    o->sender ? o->sender : "", res.why);
		fprintf(stderr, "%s: unparseable: %s\n", progname, res.why);
		goto out;
	default:
		break;
	}
	if (res.broken)
		keep_broken(o, cf, &res, buf, len);
	free(buf);
	buf = NULL;
	if ((rc = open_store(cf, 0, &s)) != EX_OK)
		goto out;
	if (store_begin(s) != STORE_OK) {
		rc = store_failed(s);
		goto out;
	}
	x.store = s;
	if (ingest_store(&x, &res) != INGEST_OK ||
	    pipe_time(s, &t0) != STORE_OK) {
		store_rollback(s);
		rc = store_failed(s);
	} else if (store_commit(s) != STORE_OK)
		rc = store_failed(s);
	else if (cf->syslog)
		ingest_log(&res, 0, o->queue_id);
out:
	ingest_result_free(&res);
	store_close(s);
	free(buf);
	return rc;
}

static int
valid_arg(const char *a, char **norm)
{
	const char *why;

	if ((*norm = addr_check(a, &why)) == NULL) {
		struct sbuf b;

		/* the bytes as they are would garble a terminal: escape them */
		sbuf_init(&b);
		json_str(&b, a);
		if (strcmp(why, "not a valid address") == 0)
			fprintf(stderr, "%s: not a valid address: %s\n",
			    progname, b.s);
		else
			fprintf(stderr, "%s: not a valid address (%s): %s\n",
			    progname, why, b.s);
		sbuf_free(&b);
		return EX_UNAVAILABLE;
	}
	return EX_OK;
}

static void
print_time(const char *label, time_t t)
{
	char buf[64];
	struct tm tm;

	if (t == 0) {
		printf("%-12s never\n", label);
		return;
	}
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	printf("%-12s %s\n", label, buf);
}

static const char *
iso(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (t == 0)
		return "never";
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

static int
show_event(const struct store_event *e, void *arg)
{
	char t[32];

	(void)arg;
	printf("  event  %s %s %s %s %s%s%s\n", iso(e->time, t, sizeof(t)),
	    e->class, e->reason, *e->status ? e->status : "-", e->source,
	    *e->diagnostic ? ": " : "", e->diagnostic);
	return 0;
}

static int
show_audit(const struct store_audit *a, void *arg)
{
	char t[32];

	(void)arg;
	printf("  audit  %s %s %s %s: %s\n", iso(a->time, t, sizeof(t)),
	    a->action, a->class, a->reason, a->why);
	return 0;
}

/*
 * run_lookup - the entry, if any, and the soft bounces that count now
 * (also before they suppress); an entry past its expiry is "expired":
 * Postfix's maps no longer match it, and the next --expire removes it
 */
static int
run_lookup(struct store *s, const char *addr, const struct options *o,
    const struct config *cf)
{
	const struct policy_cfg *p = &cf->policy;
	struct store_entry e;
	int found, soft;

	if (store_get(s, addr, &e, &found) != STORE_OK)
		return store_failed(s);
	if (store_soft_count(s, addr, o->now - p->soft_window, &soft) !=
	    STORE_OK) {
		if (found)
			store_entry_free(&e);
		return store_failed(s);
	}
	printf("address      %s\n", addr);
	if (found)
		printf("state        %s\nclass        %s\n"
		    "reason       %s\nstatus       %s\nsource       %s\n"
		    "note         %s\n", e.expires != 0 && e.expires <= o->now ?
		    "expired (no longer refused; --expire removes it)" :
		    "suppressed", e.class, e.reason,
		    *e.status ? e.status : "-", e.source, e.note);
	else
		printf("state        not suppressed\n");
	printf("soft count   %d in the last %lld days (%d suppress)\n", soft,
	    (long long)(p->soft_window / 86400), p->soft_threshold);
	if (found) {
		print_time("first seen", e.first_seen);
		print_time("last seen", e.last_seen);
		print_time("expires", e.expires);
		store_entry_free(&e);
	}
	printf("history:\n");
	if (store_history(s, addr, show_event, show_audit, NULL) != STORE_OK)
		return store_failed(s);
	return EX_OK;
}

/* list_json - a listing as one JSON line, as --import reads it back */
static void
list_json(FILE *fp, const struct store_entry *e)
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
	    iso(e->first_seen, a, sizeof(a)), iso(e->last_seen, b, sizeof(b)),
	    e->expires ? iso(e->expires, c, sizeof(c)) : "", e->soft_count);
	fputs(j.s, fp);
	sbuf_free(&j);
}

static int
list_row(const struct store_entry *e, void *arg)
{
	const struct options *o = arg;
	char a[32], b[32];

	if (o->json)
		list_json(stdout, e);
	else
		printf("%s\t%s\t%s\t%s\t%s\n", e->address, e->class, e->reason,
		    iso(e->last_seen, a, sizeof(a)),
		    iso(e->expires, b, sizeof(b)));
	return 0;
}

/* csv_field - one CSV field, quoted when it must be (RFC 4180) */
static void
csv_field(FILE *fp, const char *v, int last)
{
	if (strpbrk(v, ",\"\r\n") != NULL) {
		fputc('"', fp);
		for (; *v; v++) {
			if (*v == '"')
				fputc('"', fp);
			fputc(*v, fp);
		}
		fputc('"', fp);
	} else
		fputs(v, fp);
	fputc(last ? '\n' : ',', fp);
}

struct export {
	FILE	*fp;
	int	 csv;
};

/* export_row - a listing as --import reads it back (JSON lines or CSV) */
static int
export_row(const struct store_entry *e, void *arg)
{
	struct export *x = arg;
	char a[32], b[32], c[32], n[16];

	if (!x->csv) {
		list_json(x->fp, e);
		return 0;
	}
	snprintf(n, sizeof(n), "%d", e->soft_count);
	csv_field(x->fp, e->address, 0);
	csv_field(x->fp, e->class, 0);
	csv_field(x->fp, e->reason, 0);
	csv_field(x->fp, e->status, 0);
	csv_field(x->fp, e->source, 0);
	csv_field(x->fp, iso(e->first_seen, a, sizeof(a)), 0);
	csv_field(x->fp, iso(e->last_seen, b, sizeof(b)), 0);
	csv_field(x->fp, e->expires ? iso(e->expires, c, sizeof(c)) : "", 0);
	csv_field(x->fp, n, 1);
	return 0;
}

/* run_export - the list into a file (or -), JSON lines or CSV */
static int
run_export(struct store *s, const struct options *o)
{
	struct export x;
	enum store_status r;
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
	r = store_list(s, o->class ? o->class : "", o->since ?
	    o->now - o->since : 0, export_row, &x);
	if (r != STORE_OK)
		rc = store_failed(s);
	if (x.fp != stdout && (fflush(x.fp) == EOF || fsync(fileno(x.fp)) ==
	    -1 || fclose(x.fp) == EOF) && rc == EX_OK) {
		fprintf(stderr, "%s: %s: %s\n", progname, o->arg,
		    strerror(errno));
		rc = EX_IOERR;
	}
	return rc;
}

static void
report_expired(const struct store_entry *e, void *arg)
{
	(void)arg;
	printf("expired %s (%s, %s)\n", e->address, e->class, e->reason);
	syslog(LOG_INFO, "to=<%s>, class=%s, reason=%s, action=expired",
	    e->address, e->class, e->reason);
}

static int
run_sign(const struct options *o, const struct config *cf)
{
	char *path;

	if (keys == NULL || cf->sign_domain == NULL) {
		fprintf(stderr, "%s: --sign needs sign_keys and sign_domain in "
		    "the configuration\n", progname);
		return EX_CONFIG;
	}
	if ((path = verp_sign(keys, o->arg, cf->sign_prefix, cf->sign_domain,
	    cf->verp_delims, o->now)) == NULL) {
		fprintf(stderr, "%s: not a valid address: %s\n", progname,
		    o->arg);
		return EX_UNAVAILABLE;
	}
	/* RFC 5321 4.5.3.1.3: a path is 256 octets with its angle brackets */
	if (strlen(path) > VERP_PATH_MAX) {
		fprintf(stderr, "%s: the signed return path for %s would be %zu "
		    "bytes, more than the %d SMTP allows: not signed\n",
		    progname, o->arg, strlen(path), VERP_PATH_MAX);
		free(path);
		return EX_UNAVAILABLE;
	}
	printf("%s\n", path);
	free(path);
	return EX_OK;
}

static void
unsub_cfg_of(const struct config *cf, struct unsub_cfg *u)
{
	memset(u, 0, sizeof(*u));
	u->keys = keys;
	u->prefix = cf->unsub_prefix;
	u->domain = cf->sign_domain;
	u->url = cf->unsub_url;
	u->delims = cf->verp_delims;
	u->max_age = cf->unsub_max_age;
}

/* run_list_unsub - the headers for one recipient's copy (bouncer(1)) */
static int
run_list_unsub(const struct unsub_cfg *u, const struct options *o)
{
	struct sbuf b;
	const char *why;
	int rc = EX_OK;

	sbuf_init(&b);
	if (unsub_headers(u, o->arg, o->list_name, o->now, &b, &why) == -1) {
		fprintf(stderr, "%s: --list-unsubscribe %s: %s\n", progname,
		    o->arg, why);
		rc = u->keys == NULL || (u->domain == NULL && u->url == NULL) ?
		    EX_CONFIG : EX_UNAVAILABLE;
	} else
		fputs(b.s, stdout);
	sbuf_free(&b);
	return rc;
}

static int
run_import(struct store *s, const struct options *o, const struct config *cf)
{
	struct feed_stats st;
	struct sbuf errs;
	FILE *fp;
	enum store_status r;
	int rc = EX_OK;

	if (o->arg == NULL || strcmp(o->arg, "-") == 0)
		fp = stdin;
	else if ((fp = fopen(o->arg, "r")) == NULL) {
		fprintf(stderr, "%s: %s: %s\n", progname, o->arg,
		    strerror(errno));
		return EX_NOINPUT;
	}
	sbuf_init(&errs);
	r = feed_import(fp, o->arg, o->class, s, &cf->policy, o->now, 1000, &st,
	    &errs);
	if (fp != stdin)
		fclose(fp);
	if (errs.len)
		fputs(errs.s, stderr);
	sbuf_free(&errs);
	if (r != STORE_OK)
		return store_failed(s);
	printf("import: %ld lines, %ld applied, %ld duplicates, %ld newly "
	    "suppressed, %ld refused", st.lines, st.applied, st.duplicates,
	    st.suppressed, st.bad);
	if (st.erased)
		printf(", %ld erased (skipped)", st.erased);
	if (st.ignored)
		printf(", %ld other events ignored", st.ignored);
	putchar('\n');
	if (st.bad)
		rc = EX_DATAERR;
	return rc;
}

static int
run_maillog(const struct classifier *c, const struct options *o,
    const struct config *cf)
{
	struct maillog_stats st;
	struct maillog_opts mc;
	struct store *s = NULL;
	enum store_status r;
	char *err = NULL;
	int rc;

	if ((rc = open_store(cf, 0, &s)) != EX_OK)
		return rc;
	memset(&st, 0, sizeof(st));
	mc.header = cf->campaign_header;
	mc.verp = cf->campaign_verp;
	mc.delims = cf->verp_delims;
	mc.top_domains = cf->metrics_domains;
	r = maillog_read(o->arg, s, c, &cf->policy, o->now, &st, &err, &mc);
	if (err) {
		fprintf(stderr, "%s: %s: %s\n", progname, o->arg, err);
		free(err);
		rc = EX_NOINPUT;
	} else if (r != STORE_OK)
		rc = store_failed(s);
	else if (st.deliveries > 0)	/* silent otherwise: cron mails no one */
		printf("maillog: %ld lines, %ld deliveries: %ld sent, %ld "
		    "bounced, %ld deferred; %ld already seen, %ld newly "
		    "suppressed\n", st.lines, st.deliveries, st.sent,
		    st.bounced, st.deferred, st.duplicates, st.suppressed);
	/* the log is read: decide the reports that waited for it */
	if (rc == EX_OK && cf->policy.trust == POLICY_TRUST_SENT) {
		long tied, unverified;

		if ((r = store_begin(s)) == STORE_OK &&
		    (r = ingest_settle(s, &cf->policy, o->now, &tied,
		    &unverified)) == STORE_OK)
			r = store_commit(s);
		if (r != STORE_OK) {
			store_rollback(s);
			rc = store_failed(s);
		} else if (tied || unverified)
			printf("pending: %ld tied to mail we sent, %ld never "
			    "tied (unverified)\n", tied, unverified);
	}
	store_close(s);
	return rc;
}

static int
run_replay(const struct classifier *c, const struct options *o,
    const struct config *cf)
{
	struct ingest_ctx x;
	struct batch_opts bo;
	struct batch_stats st;
	struct store *s = NULL;
	enum store_status r;
	int rc = EX_OK;

	init_ctx(&x, c, o, cf);
	x.msg_time = 1;
	if (!o->dry_run) {
		if ((rc = open_store(cf, 0, &s)) != EX_OK)
			return rc;
		x.store = s;
	}
	memset(&bo, 0, sizeof(bo));
	bo.paths = o->paths;
	bo.npaths = o->npaths;
	bo.max_size = cf->max_size;
	bo.batch = 1000;
	bo.quarantine = o->quarantine ? o->quarantine : cf->quarantine;
	bo.progress = isatty(2);
	bo.log = cf->syslog;
	/* parsing is most of a replay: one process per CPU, up to 8 */
	if ((bo.jobs = o->jobs) == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		bo.jobs = n < 1 ? 1 : n > 8 ? 8 : (int)n;
	}
	r = batch_replay(&x, &bo, &st);
	batch_summary(stdout, &st, o->dry_run);
	if (r != STORE_OK)
		rc = store_failed(s);
	else if (st.worker_failed)
		rc = EX_SOFTWARE;	/* a parser crash: run again with --jobs 1 */
	store_close(s);
	return rc;
}

static void
copy_progress(const char *table, long rows, void *arg)
{
	(void)arg;
	if (isatty(2))
		fprintf(stderr, "\r%s: %ld rows   ", table, rows);
}

/* run_migrate - the store s into the other database given */
static int
run_migrate(struct store *s, const struct options *o, const struct config *cf)
{
	struct store *to = NULL;
	struct config pc = *cf;
	enum store_status r;
	int rc;

	if (o->arg == NULL || (cf->db != NULL && strcmp(o->arg, cf->db) == 0)) {
		fprintf(stderr, "%s: --migrate-to copies --db into another "
		    "database, not into itself\n", progname);
		return EX_USAGE;
	}
	pc.db = (char *)o->arg;
	if ((rc = open_store(&pc, 0, &to)) != EX_OK)
		return rc;
	r = store_copy(s, to, copy_progress, NULL);
	if (isatty(2))
		fputc('\n', stderr);
	if (r != STORE_OK)
		rc = store_failed(s);
	else
		printf("copied %s into %s\n", cf->db, store_is_pg(o->arg) ?
		    "PostgreSQL" : o->arg);
	store_close(to);
	return rc;
}

/*
 * run_alert - --alert: deliver what changed; 75 when a delivery failed
 * (it is tried again next time), else 2 while a critical level stands
 */
static int
run_alert(struct store *s, const struct options *o, const struct config *cf)
{
	struct alert_opts ao;
	struct alert_result res;

	memset(&ao, 0, sizeof(ao));
	ao.now = o->now;
	ao.window = o->since ? o->since : cf->alert_window;
	ao.th = &cf->th;
	ao.command = cf->alert_command;
	ao.pause_block = cf->pause_block;
	ao.pause_time = cf->pause_time;
	if (alert_run(s, &ao, stdout, &res) != STORE_OK)
		return store_failed(s);
	if (res.failed) {
		fprintf(stderr, "%s: alert_command failed for %d alert%s; the "
		    "next run tries again\n", progname, res.failed,
		    res.failed == 1 ? "" : "s");
		return EX_TEMPFAIL;
	}
	return res.worst == AL_CRITICAL ? EX_CRITICAL : EX_OK;
}

/* run_store_mode - the operator's modes that work on the store */
static int
run_store_mode(const struct options *o, const struct config *cf)
{
	struct store *s = NULL;
	const char *restored = NULL;
	char *addr = NULL;
	int rc, found, n;
	enum store_status r = STORE_OK;
	long erasures;
	int worst, kept;

	if (o->arg && o->mode != MODE_IMPORT && o->mode != MODE_MAILLOG &&
	    o->mode != MODE_MIGRATE && o->mode != MODE_EXPORT &&
	    (rc = valid_arg(o->arg, &addr)) != EX_OK)
		return rc;
	/* reading modes never create or migrate the database */
	rc = open_store(cf, o->mode == MODE_LOOKUP || o->mode == MODE_LIST ||
	    o->mode == MODE_REPORT || o->mode == MODE_METRICS ||
	    o->mode == MODE_MIGRATE || o->mode == MODE_EXPORT ?
	    STORE_RDONLY : 0, &s);
	if (rc != EX_OK)
		goto out;
	switch (o->mode) {
	case MODE_ADD:
	case MODE_REMOVE:
		if ((r = store_begin(s)) != STORE_OK)
			break;
		if (o->mode == MODE_ADD)
			r = policy_add(s, addr, o->class ? o->class : "manual",
			    o->why, o->now);
		else
			r = policy_remove(s, addr, o->why, o->now, &found,
			    &restored);
		if (r == STORE_OK)
			r = store_commit(s);
		else
			store_rollback(s);
		if (r == STORE_OK && o->mode == MODE_REMOVE && !found) {
			fprintf(stderr, "%s: %s is not suppressed\n", progname,
			    addr);
			rc = EX_UNAVAILABLE;
		} else if (r == STORE_OK && restored)
			printf("released %s; its %s suppression is in force "
			    "again\n", addr, restored);
		else if (r == STORE_OK)
			printf("%s %s\n", o->mode == MODE_ADD ? "suppressed" :
			    "released", addr);
		break;
	case MODE_LOOKUP:
		rc = run_lookup(s, addr, o, cf);
		break;
	case MODE_LIST:
		r = store_list(s, o->class ? o->class : "", o->since ?
		    o->now - o->since : 0, list_row, (void *)o);
		break;
	case MODE_FORGET:
		if ((r = policy_forget(s, addr, o->now, &n, &kept)) ==
		    STORE_OK && (r = store_erasures(s, &erasures)) == STORE_OK &&
		    n > 0)
			printf("erased %s: %d rows (erasures so far: %ld)%s\n",
			    addr, n, erasures, kept ? "; the address stays "
			    "listed as unsubscribed, alone: erasure does not "
			    "start the mail again" : "");
		else if (r == STORE_OK)
			printf("nothing to erase for %s; a tombstone keeps it "
			    "from being imported or copied back (erasures so "
			    "far: %ld)\n", addr, erasures);
		break;
	case MODE_INIT:
		printf("database %s ready\n", cf->db);
		break;
	case MODE_IMPORT:
		rc = run_import(s, o, cf);
		break;
	case MODE_REPORT: {
		struct report_opts ro;

		memset(&ro, 0, sizeof(ro));
		ro.now = o->now;
		ro.since = o->now - (o->since ? o->since : 7 * 86400);
		ro.json = o->json;
		ro.th = &cf->th;
		r = o->html ? html_report(s, &ro, stdout, &worst) :
		    report_print(s, &ro, stdout, &worst);
		if (r == STORE_OK && worst == AL_CRITICAL)
			rc = EX_CRITICAL;
		break;
	}
	case MODE_ALERT:
		rc = run_alert(s, o, cf);
		break;
	case MODE_METRICS:
		r = report_metrics(s, o->now, stdout);
		break;
	case MODE_MIGRATE:
		rc = run_migrate(s, o, cf);
		break;
	case MODE_EXPORT:
		rc = run_export(s, o);
		break;
	case MODE_EXPIRE:
		/* silent when nothing lapsed: cron mails no one */
		if ((r = policy_expire(s, o->now, report_expired, NULL, &n)) ==
		    STORE_OK && n > 0)
			printf("expire: %d address%s lifted\n", n,
			    n == 1 ? "" : "es");
		/* event_ttl: the diagnostics go, the counters stay */
		if (r == STORE_OK && cf->policy.event_ttl > 0) {
			long ne = 0;

			if ((r = store_begin(s)) == STORE_OK &&
			    (r = store_expire_events(s, o->now -
			    cf->policy.event_ttl, &ne)) == STORE_OK)
				r = store_commit(s);
			else
				store_rollback(s);
			if (r == STORE_OK && ne > 0)
				printf("expire: %ld event%s older than %ld days "
				    "deleted\n", ne, ne == 1 ? "" : "s",
				    (long)(cf->policy.event_ttl / 86400));
		}
		break;
	default:
		break;
	}
	if (r != STORE_OK)
		rc = store_failed(s);
out:
	store_close(s);
	free(addr);
	return rc;
}

/* load_config - file, then command line; an exit status on error */
static int
load_config(const struct options *o, struct config *cf)
{
	struct sbuf errs;
	int rc = EX_OK;

	config_defaults(cf);
	sbuf_init(&errs);
	if (config_load(cf, o->config ? o->config : CONFIG_PATH,
	    o->config != NULL, &errs) == -1) {
		fprintf(stderr, "%s", errs.s);
		rc = o->mode == MODE_PIPE ? EX_TEMPFAIL : EX_CONFIG;
	}
	sbuf_free(&errs);
	if (o->db)
		str_set(&cf->db, o->db);
	if (o->rules)
		str_set(&cf->rules, o->rules);
	if (o->max_size && config_size(o->max_size, &cf->max_size) == -1) {
		fprintf(stderr, "%s: bad --max-size: %s\n", progname,
		    o->max_size);
		rc = o->mode == MODE_PIPE ? EX_TEMPFAIL : EX_USAGE;
	}
	return rc;
}

/*
 * Every deferral is logged with its reason (pipe(8) puts only the first
 * line of our standard error in Postfix's log, and only with the
 * deferral's status): standard error goes through tee_write, which
 * passes everything on and keeps the first ERRKEEP bytes, and finish()
 * logs them when pipe mode exits 75, whatever path led there.
 */
#define ERRKEEP	900
static char	errkeep[ERRKEEP + 1];
static size_t	errkept;

static ssize_t
tee_write(void *cookie, const char *buf, size_t n)
{
	size_t done = 0, k;
	ssize_t w;

	(void)cookie;
	k = n < ERRKEEP - errkept ? n : ERRKEEP - errkept;
	memcpy(errkeep + errkept, buf, k);
	errkept += k;
	while (done < n) {
		if ((w = write(STDERR_FILENO, buf + done, n - done)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)w;
	}
	return (ssize_t)n;
}

/* tee_stderr - route stderr through tee_write (unbuffered, as before) */
static void
tee_stderr(void)
{
	static const cookie_io_functions_t io = { NULL, tee_write, NULL, NULL };
	FILE *f;

	if ((f = fopencookie(NULL, "w", io)) == NULL)
		return;
	setvbuf(f, NULL, _IONBF, 0);
	stderr = f;
}

/* finish - the exit status; a deferral in pipe mode is logged first */
static int
finish(const struct options *o, int rc)
{
	size_t i;

	if (o->mode != MODE_PIPE || rc != EX_TEMPFAIL)
		return rc;
	for (i = 0; i < errkept; i++)
		if (errkeep[i] == '\n' || errkeep[i] == '\r')
			errkeep[i] = i + 1 < errkept ? ' ' : '\0';
	errkeep[errkept] = '\0';
	openlog("bouncer", LOG_PID | (o->log_stderr ? LOG_PERROR : 0),
	    LOG_MAIL);
	syslog(LOG_WARNING, "%s: from=<%s>, message deferred (exit 75): %s",
	    o->queue_id ? o->queue_id : "NOQUEUE", o->sender ? o->sender : "",
	    errkept ? errkeep : "no reason given");
	return rc;
}

int
main(int argc, char **argv)
{
	struct options o;
	struct config cf;
	struct classifier *c = NULL;
	struct sbuf errs;
	int rc;

	tee_stderr();
	if (parse_args(argc, argv, &o) == -1) {
		/* one line: pipe(8) hands it to Postfix's log with the deferral */
		if (o.mode == MODE_PIPE) {
			fprintf(stderr, "%s: usage error, message deferred: %s\n",
			    progname, o.err);
			return finish(&o, EX_TEMPFAIL);
		}
		fprintf(stderr, "%s: %s\n", progname, o.err);
		usage(stderr);
		return EX_USAGE;
	}
	/* the database is shared with Postfix's group: see bouncer(1) */
	umask(007);
	if ((rc = load_config(&o, &cf)) != EX_OK)
		goto out;
	if (o.mode == MODE_PIPE && geteuid() == 0 && !o.allow_root) {
		fprintf(stderr, "%s: refusing to run as root in pipe mode; set "
		    "user= in master.cf (or give --allow-root)\n", progname);
		rc = EX_TEMPFAIL;
		goto out;
	}
	openlog("bouncer", LOG_PID | (o.log_stderr ? LOG_PERROR : 0), LOG_MAIL);
	if (load_keys(&cf) == -1) {
		rc = o.mode == MODE_PIPE ? EX_TEMPFAIL : EX_CONFIG;
		goto out;
	}
	if (o.mode == MODE_SIGN) {
		rc = run_sign(&o, &cf);
		goto out;
	}
	if (o.mode == MODE_LIST_UNSUB || o.mode == MODE_CGI) {
		struct unsub_cfg u;

		unsub_cfg_of(&cf, &u);
		rc = o.mode == MODE_CGI ? cgi_run(&u, &cf, o.now) :
		    run_list_unsub(&u, &o);
		goto out;
	}
	if (o.mode != MODE_PIPE && o.mode != MODE_EXPLAIN &&
	    o.mode != MODE_TEST_RULE && o.mode != MODE_REPLAY &&
	    o.mode != MODE_MAILLOG) {
		rc = run_store_mode(&o, &cf);
		goto out;
	}
	sbuf_init(&errs);
	if ((c = classifier_new(cf.rules, &errs)) == NULL) {
		fprintf(stderr, "%s: %s: %s\n", progname, cf.rules,
		    strerror(errno));
		sbuf_free(&errs);
		rc = o.mode == MODE_PIPE ? EX_TEMPFAIL : EX_NOINPUT;
		goto out;
	}
	if (errs.len)
		fprintf(stderr, "%s", errs.s);
	sbuf_free(&errs);
	if (o.mode == MODE_REPLAY || o.mode == MODE_MAILLOG)
		classifier_jit(c);
	if (o.mode == MODE_TEST_RULE)
		rc = run_test_rule(c, &o);
	else {
		mime_init();
		rc = o.mode == MODE_PIPE ? run_pipe(c, &o, &cf) :
		    o.mode == MODE_REPLAY ? run_replay(c, &o, &cf) :
		    o.mode == MODE_MAILLOG ? run_maillog(c, &o, &cf) :
		    run_explain(c, &o, &cf);
		mime_shutdown();
	}
out:
	classifier_free(c);
	config_free(&cf);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "%s: write error: %s\n", progname,
		    strerror(errno));
		if (rc == EX_OK)
			rc = o.mode == MODE_PIPE ? EX_TEMPFAIL : EX_IOERR;
	}
	/* whatever went wrong, Postfix must keep the bounce: see above */
	if (o.mode == MODE_PIPE && rc != EX_OK && rc != EX_TEMPFAIL)
		rc = EX_TEMPFAIL;
	return finish(&o, rc);
}
