/*
 * main.c - bouncer's command line: options, the table of modes, and exit
 * statuses. Each mode's body is in src/cmd_<mode>.c (cli.h).
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
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "cli.h"
#include "output.h"
#include "mime.h"
#include "util.h"

/*
 * The modes: the long option that chooses each, what it is handed
 * (M_* in cli.h) and what runs it. Pipe mode, the first, is what runs
 * when no mode is given.
 */
static const struct mode modes[] = {
	{ "", no_argument, M_PIPE | M_RULES | M_MIME, NULL, cmd_pipe },
	{ "explain", no_argument, M_RULES | M_MIME | M_FILE, NULL, cmd_explain },
	{ "test-rule", required_argument, M_RULES, NULL, cmd_test_rule },
	{ "add", required_argument, M_STORE | M_ADDR, cmd_add_check, cmd_add },
	{ "remove", required_argument, M_STORE | M_ADDR, cmd_add_check,
	    cmd_remove },
	{ "lookup", required_argument, M_RDONLY | M_ADDR, NULL, cmd_lookup },
	{ "list", no_argument, M_RDONLY, cmd_list_check, cmd_list },
	{ "forget", required_argument, M_STORE | M_ADDR, NULL, cmd_forget },
	{ "expire", no_argument, M_STORE, NULL, cmd_expire },
	{ "init", no_argument, M_STORE | M_CREATE, NULL, cmd_init },
	{ "sign", required_argument, 0, NULL, cmd_sign },
	{ "list-unsubscribe", required_argument, 0, NULL, cmd_list_unsub },
	{ "cgi", no_argument, 0, NULL, cmd_cgi },
	/* the classifier: a failure's diagnostic decides, as in mail */
	{ "import", required_argument, M_STORE | M_RULES, cmd_import_check,
	    cmd_import },
	{ "export", required_argument, M_RDONLY, NULL, cmd_export },
	{ "replay", no_argument, M_RULES | M_MIME | M_JIT | M_PATHS, NULL,
	    cmd_replay },
	{ "report", no_argument, M_RDONLY, NULL, cmd_report },
	{ "metrics", no_argument, M_RDONLY, NULL, cmd_metrics },
	{ "alert", no_argument, M_STORE, NULL, cmd_alert },
	{ "maillog", required_argument, M_RULES | M_MIME | M_JIT, NULL,
	    cmd_maillog },
	{ "migrate-to", required_argument, M_RDONLY, NULL, cmd_migrate },
};

/* --list, which --list-unsubscribe also takes (with a NAME after) */
#define list_mode	mode_of(cmd_list)

static int set_jobs(struct options *, const char *);
static int set_format(struct options *, const char *);
static int set_since(struct options *, const char *);
static int set_now(struct options *, const char *);
static int set_help(struct options *, const char *);
static int set_version(struct options *, const char *);

/*
 * The options that modify a mode: a flag (an int set to 1), a string
 * kept as given, or a function that checks its value.
 */
struct modifier {
	const char	*name;
	int		 has_arg;
	size_t		 off;		/* the field of struct options */
	int		(*set)(struct options *, const char *);
};

#define F(field)	offsetof(struct options, field)
static const struct modifier mods[] = {
	{ "json", no_argument, F(json), NULL },
	{ "html", no_argument, F(html), NULL },
	{ "dry-run", no_argument, F(dry_run), NULL },
	{ "follow", no_argument, F(follow), NULL },
	{ "log-stderr", no_argument, F(log_stderr), NULL },
	{ "allow-root", no_argument, F(allow_root), NULL },
	{ "rules", required_argument, F(rules), NULL },
	{ "sender", required_argument, F(sender), NULL },
	{ "recipient", required_argument, F(recipient), NULL },
	{ "queue-id", required_argument, F(queue_id), NULL },
	{ "max-size", required_argument, F(max_size), NULL },
	{ "quarantine", required_argument, F(quarantine), NULL },
	{ "why", required_argument, F(why), NULL },
	{ "class", required_argument, F(class), NULL },
	{ "config", required_argument, F(config), NULL },
	{ "db", required_argument, F(db), NULL },
	{ "jobs", required_argument, 0, set_jobs },
	{ "format", required_argument, 0, set_format },
	{ "since", required_argument, 0, set_since },
	{ "now", required_argument, 0, set_now },
	{ "help", no_argument, 0, set_help },
	{ "version", no_argument, 0, set_version },
};
#undef F

#define MOD_BASE	1000	/* getopt's value of mods[i]: MOD_BASE + i */

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
"       bouncer --report [--since 7d] [--json | --html] | --metrics\n"
"       bouncer --maillog FILE|-|journal [--follow]   (Postfix's log)\n"
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
set_jobs(struct options *o, const char *v)
{
	if ((o->jobs = atoi(v)) < 1 || o->jobs > 64)
		return bad(o, "bad --jobs: %s (1 to 64)", v);
	return 0;
}

static int
set_format(struct options *o, const char *v)
{
	o->format = v;
	if (strcmp(v, "jsonl") != 0 && strcmp(v, "csv") != 0)
		return bad(o, "--format takes jsonl or csv");
	return 0;
}

static int
set_since(struct options *o, const char *v)
{
	if (config_duration(v, &o->since) == -1)
		return bad(o, "bad --since: %s", v);
	return 0;
}

static int
set_now(struct options *o, const char *v)
{
	if (parse_time(v, &o->now) == -1)
		return bad(o, "bad --now (want RFC 3339, e.g. "
		    "2026-12-31T00:00:00Z): %s", v);
	return 0;
}

static int
set_help(struct options *o, const char *v)
{
	(void)o, (void)v;
	usage(stdout);
	exit(0);
}

static int
set_version(struct options *o, const char *v)
{
	(void)o, (void)v;
	puts("bouncer " BOUNCER_VERSION);
	exit(0);
}

/* mode_of - the table's entry of a run function; none is a programmer's error */
static const struct mode *
mode_of(int (*run)(struct run *))
{
	size_t i;

	for (i = 0; i < nitems(modes); i++)
		if (modes[i].run == run)
			return &modes[i];
	abort();
}

/* set_mode - a mode option: only one, and its argument kept */
static int
set_mode(struct options *o, const struct mode *m, const char *arg)
{
	if (o->mode != &modes[0] && o->mode != m)
		return bad(o, "more than one mode given");
	o->mode = m;
	o->arg = arg;
	return 0;
}

static int
set_modifier(struct options *o, const struct modifier *m, const char *v)
{
	if (m->set != NULL)
		return m->set(o, v);
	if (m->has_arg == no_argument)
		*(int *)(void *)((char *)o + m->off) = 1;
	else
		*(const char **)(void *)((char *)o + m->off) = v;
	return 0;
}

/* long_options - getopt_long's table, built from modes[] and mods[] */
static const struct option *
long_options(void)
{
	static struct option lo[nitems(modes) + nitems(mods)];
	size_t i, n = 0;

	for (i = 1; i < nitems(modes); i++)
		lo[n++] = (struct option){ modes[i].name, modes[i].has_arg,
		    NULL, (int)i };
	for (i = 0; i < nitems(mods); i++)
		lo[n++] = (struct option){ mods[i].name, mods[i].has_arg,
		    NULL, MOD_BASE + (int)i };
	lo[n] = (struct option){ NULL, 0, NULL, 0 };
	return lo;
}

/* positional - what follows the options: explain's FILE, replay's PATHs */
static int
positional(struct options *o, int argc, char **argv)
{
	/* --list is a mode, or --list-unsubscribe's list name after it */
	if (o->saw_list && o->mode->run == cmd_list_unsub) {
		if (optind == argc)
			return bad(o, "--list-unsubscribe --list needs a NAME");
		o->list_name = argv[optind++];
	} else if (o->saw_list && set_mode(o, list_mode, NULL) == -1)
		return -1;
	if ((o->mode->flags & M_FILE) && optind < argc)
		o->arg = argv[optind++];
	if (o->mode->flags & M_PATHS) {
		if (optind == argc)
			return bad(o, "--%s needs at least one PATH (or -)",
			    o->mode->name);
		o->paths = argv + optind;
		o->npaths = argc - optind;
		optind = argc;
	}
	if (optind < argc)
		return bad(o, "unexpected argument: %s", argv[optind]);
	if (o->follow && o->mode->run != cmd_maillog)
		return bad(o, "--follow goes with --maillog");
	return 0;
}

static int
parse_args(int argc, char **argv, struct options *o)
{
	const struct option *lo = long_options();
	int c, failed = 0;

	memset(o, 0, sizeof(*o));
	o->mode = &modes[0];
	o->now = time(NULL);
	opterr = 0;		/* our own one-line message instead */
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		int rc;

		if (c >= 1 && c < (int)nitems(modes) && &modes[c] == list_mode)
			o->saw_list = 1, rc = 0;	/* decided after */
		else if (c >= 1 && c < (int)nitems(modes))
			rc = set_mode(o, &modes[c], optarg);
		else if (c >= MOD_BASE && c < MOD_BASE + (int)nitems(mods))
			rc = set_modifier(o, &mods[c - MOD_BASE], optarg);
		else
			rc = bad(o, "bad option or missing argument: %s",
			    argv[optind - 1]);
		if (rc == -1)
			failed = 1;
	}
	if (positional(o, argc, argv) == -1 || failed)
		return -1;
	if (o->mode->check && o->mode->check(o, o->err, sizeof(o->err)) == -1)
		return -1;
	return 0;
}

/* load_config - file, then command line; an exit status on error */
static int
load_config(const struct options *o, struct config *cf)
{
	int pipe_mode = o->mode->flags & M_PIPE;
	struct sbuf errs;
	const char *path;
	int rc = EX_OK;

	config_defaults(cf);
	sbuf_init(&errs);
	/* BOUNCER_CONFIG: the test suite's, never the system's (tests/lib.sh) */
	if ((path = o->config) == NULL && (path = getenv("BOUNCER_CONFIG")) !=
	    NULL && *path == '\0')
		path = NULL;
	if (config_load(cf, path ? path : CONFIG_PATH, path != NULL, &errs) ==
	    -1) {
		fprintf(stderr, "%s", errs.s);
		rc = pipe_mode ? EX_TEMPFAIL : EX_CONFIG;
	}
	sbuf_free(&errs);
	if (o->db)
		str_set(&cf->db, o->db);
	if (o->rules)
		str_set(&cf->rules, o->rules);
	if (o->max_size && config_size(o->max_size, &cf->max_size) == -1) {
		fprintf(stderr, "%s: bad --max-size: %s\n", progname,
		    o->max_size);
		rc = pipe_mode ? EX_TEMPFAIL : EX_USAGE;
	}
	return rc;
}

/* valid_arg - the mode's address argument, normalised, or 69 */
static int
valid_arg(const char *a, char **norm)
{
	const char *why;
	struct sbuf b;

	if ((*norm = addr_check(a, &why)) != NULL)
		return EX_OK;
	/* the bytes as they are would garble a terminal: escape them */
	sbuf_init(&b);
	json_str(&b, a);
	if (strcmp(why, "not a valid address") == 0)
		fprintf(stderr, "%s: not a valid address: %s\n", progname, b.s);
	else
		fprintf(stderr, "%s: not a valid address (%s): %s\n", progname,
		    why, b.s);
	sbuf_free(&b);
	return EX_UNAVAILABLE;
}

/* keys - the signing keys, loaded once; NULL when none configured */
static struct verp_keys the_keys;

static int
load_keys(const struct config *cf, const struct verp_keys **keys)
{
	const char *why;

	*keys = NULL;
	if (cf->sign_keys == NULL)
		return 0;
	if (verp_load_keys(cf->sign_keys, &the_keys, &why) == -1) {
		fprintf(stderr, "%s: %s: %s\n", progname, cf->sign_keys, why);
		return -1;
	}
	*keys = &the_keys;
	return 0;
}

/*
 * run_mode - give the mode what its flags ask for, run it, take it all
 * down again
 */
static int
run_mode(const struct options *o, const struct config *cf, struct run *r)
{
	const struct mode *m = o->mode;
	struct classifier *c = NULL;
	char *addr = NULL;
	struct sbuf errs;
	int rc = EX_OK;

	if ((m->flags & M_ADDR) && (rc = valid_arg(o->arg, &addr)) != EX_OK)
		return rc;
	r->addr = addr;
	if (m->flags & M_RULES) {
		sbuf_init(&errs);
		c = classifier_new(cf->rules, &errs);
		if (c == NULL) {
			fprintf(stderr, "%s: %s: %s\n", progname, cf->rules,
			    strerror(errno));
			rc = m->flags & M_PIPE ? EX_TEMPFAIL : EX_NOINPUT;
		} else if (errs.len)
			fprintf(stderr, "%s", errs.s);
		sbuf_free(&errs);
		if (c == NULL)
			goto out;
		if (m->flags & M_JIT)
			classifier_jit(c);
		r->c = c;
	}
	/*
	 * reading modes never create or migrate the database; only --init
	 * creates one (a missing or empty one is an error everywhere else)
	 */
	if ((m->flags & (M_STORE | M_RDONLY)) && (rc = cli_open_store(o, cf,
	    m->flags & M_RDONLY ? STORE_RDONLY : m->flags & M_CREATE ?
	    STORE_CREATE : 0, &r->s)) != EX_OK)
		goto out;
	if (m->flags & M_MIME)
		mime_init();
	rc = m->run(r);
	if (m->flags & M_MIME)
		mime_shutdown();
out:
	store_close(r->s);
	classifier_free(c);
	free(addr);
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
	char qb[LOG_SAFE_MAX], sb[LOG_SAFE_MAX], wb[LOG_SAFE_MAX];
	size_t i;

	if (!(o->mode->flags & M_PIPE) || rc != EX_TEMPFAIL)
		return rc;
	for (i = 0; i < errkept; i++)
		if (errkeep[i] == '\n' || errkeep[i] == '\r')
			errkeep[i] = i + 1 < errkept ? ' ' : '\0';
	errkeep[errkept] = '\0';
	openlog("bouncer", LOG_PID | (o->log_stderr ? LOG_PERROR : 0),
	    LOG_MAIL);
	syslog(LOG_WARNING, "%s: from=<%s>, message deferred (exit 75): %s",
	    o->queue_id ? log_safe(o->queue_id, qb, sizeof(qb)) : "NOQUEUE",
	    log_safe(o->sender, sb, sizeof(sb)),
	    errkept ? log_safe(errkeep, wb, sizeof(wb)) : "no reason given");
	return rc;
}

int
main(int argc, char **argv)
{
	struct options o;
	struct config cf;
	struct run r;
	int rc, pipe_mode;

	tee_stderr();
	if (parse_args(argc, argv, &o) == -1) {
		/* one line: pipe(8) hands it to Postfix's log with the deferral */
		if (o.mode->flags & M_PIPE) {
			fprintf(stderr, "%s: usage error, message deferred: %s\n",
			    progname, o.err);
			return finish(&o, EX_TEMPFAIL);
		}
		fprintf(stderr, "%s: %s\n", progname, o.err);
		usage(stderr);
		return EX_USAGE;
	}
	pipe_mode = o.mode->flags & M_PIPE;
	memset(&r, 0, sizeof(r));
	r.o = &o;
	r.cf = &cf;
	/* the database is shared with Postfix's group: see bouncer(1) */
	umask(007);
	if ((rc = load_config(&o, &cf)) != EX_OK)
		goto out;
	if (pipe_mode && geteuid() == 0 && !o.allow_root) {
		fprintf(stderr, "%s: refusing to run as root in pipe mode; set "
		    "user= in master.cf (or give --allow-root)\n", progname);
		rc = EX_TEMPFAIL;
		goto out;
	}
	openlog("bouncer", LOG_PID | (o.log_stderr ? LOG_PERROR : 0), LOG_MAIL);
	if (load_keys(&cf, &r.keys) == -1)
		rc = pipe_mode ? EX_TEMPFAIL : EX_CONFIG;
	else
		rc = run_mode(&o, &cf, &r);
out:
	config_free(&cf);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "%s: write error: %s\n", progname,
		    strerror(errno));
		if (rc == EX_OK)
			rc = pipe_mode ? EX_TEMPFAIL : EX_IOERR;
	}
	/* whatever went wrong, Postfix must keep the bounce: see above */
	if (pipe_mode && rc != EX_OK && rc != EX_TEMPFAIL)
		rc = EX_TEMPFAIL;
	return finish(&o, rc);
}
