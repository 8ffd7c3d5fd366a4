/*
 * classify.c - reason and class for one recipient.
 *
 * Rules are data: "reason [class] /pattern/flags", one a line, compiled
 * once per process with PCRE2 (JIT where the platform has it). The
 * built-in rules come from src/rules/default.rules, compiled into the binary;
 * an operator's file is loaded before them so that a local rule wins.
 * Codes live in a table, as RFC 3463 and the IANA registry define them.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <pcre2.h>

#include "classify.h"
#include "needle.h"
#include "util.h"

extern const char default_rules[];	/* generated from src/rules/default.rules */

#define TEXT_MAX	8192	/* bytes of text a rule looks at */
/* of the whole readable text: the reason sits in its first lines */
#define CONTEXT_MAX	2048

struct rule {
	const char	*reason;
	const char	*class;		/* NULL: the reason's class */
	/* compiled when loaded (an operator's rule: errors are reported
	 * then) or when first needed (a built-in one: see rule_code) */
	pcre2_code	*re;
	uint32_t	 opts;
	int		 address;	/* flag a: the words name the account */
	char		*where;		/* "file:line" */
	char		*pattern;
	struct needles	 needles;	/* none: always run re */
	pcre2_code	*jit;		/* JIT-compiled copy, once hot */
	unsigned	 runs;
};

struct classifier {
	struct rule	*rules;
	size_t		 n;
	size_t		 cap;
	pcre2_code	*re_status;
	pcre2_code	*re_reply;
	int		 check_needles;	/* BOUNCER_CHECK_NEEDLES */
	int		 jit;		/* classifier_jit was called */
	struct needle_index *index;	/* of the rules' needles, by rule */
	pcre2_match_data *md;
	unsigned char	*hit;		/* by rule: a needle is in the text */
};

static const struct {
	const char *reason;
	const char *class;
} reasons[] = {
	{ "userunknown", "hard" }, { "hostunknown", "hard" },
	{ "hasmoved", "hard" }, { "notaccept", "hard" },
	{ "mailboxfull", "soft" }, { "suspend", "soft" },
	{ "exceedlimit", "soft" }, { "mesgtoobig", "soft" },
	{ "systemfull", "soft" }, { "systemerror", "soft" },
	{ "networkerror", "soft" }, { "expired", "soft" },
	{ "mailererror", "soft" },
	{ "onhold", "undetermined" }, { "undefined", "undetermined" },
	{ "blocked", "block" }, { "badreputation", "block" },
	{ "requireptr", "block" }, { "authfailure", "block" },
	{ "policyviolation", "block" }, { "securityerror", "block" },
	{ "spamdetected", "block" }, { "virusdetected", "block" },
	{ "contenterror", "block" }, { "notcompliantrfc", "block" },
	{ "filtered", "block" }, { "rejected", "block" },
	{ "norelaying", "block" }, { "toomanyconn", "block" },
	{ "speeding", "block" }, { "syntaxerror", "block" },
	{ "feedback", "complaint" }, { "delivered", "delivered" },
	{ "vacation", "undetermined" },
};

/* Newer Sisimai words, accepted in rule files, emitted as the 5.1 word. */
static const struct {
	const char *alias;
	const char *reason;
} aliases[] = {
	{ "ratelimited", "speeding" }, { "emailtoolarge", "mesgtoobig" },
	{ "failedstarttls", "securityerror" }, { "suppressed", "onhold" },
};

static const char *classes[] = {
	"hard", "soft", "block", "complaint", "delayed", "delivered",
	"undetermined", NULL
};

/*
 * RFC 3463 and the IANA "Enumerated Status Codes" registry, subject and
 * detail only; the class digit is handled by the caller. Codes that say
 * nothing about the cause (x.0.0, x.5.0) are absent on purpose.
 */
static const struct {
	const char *code;
	const char *reason;
} codes[] = {
	{ "1.0", "userunknown" },	/* other address status */
	{ "1.1", "userunknown" },	/* bad destination mailbox address */
	{ "1.2", "hostunknown" },	/* bad destination system address */
	{ "1.3", "userunknown" },	/* bad destination mailbox syntax */
	{ "1.4", "userunknown" },	/* destination mailbox ambiguous */
	{ "1.5", "delivered" },		/* destination address valid */
	{ "1.6", "hasmoved" },		/* destination mailbox has moved */
	{ "1.7", "rejected" },		/* bad sender's mailbox syntax */
	{ "1.8", "rejected" },		/* bad sender's system address */
	{ "1.9", "systemerror" },	/* relayed to non-compliant mailer */
	{ "1.10", "notaccept" },	/* recipient has null MX (RFC 7505) */
	{ "2.0", "suspend" },		/* other mailbox status: the mailbox
					   exists but cannot take it */
	{ "2.1", "suspend" },		/* mailbox disabled */
	{ "2.2", "mailboxfull" },	/* mailbox full */
	{ "2.3", "exceedlimit" },	/* message length exceeds limit */
	{ "2.4", "systemerror" },	/* mailing list expansion problem */
	{ "3.0", "systemerror" },	/* other mail system status */
	{ "3.1", "systemfull" },	/* mail system full */
	{ "3.2", "notaccept" },		/* not accepting network messages */
	{ "3.3", "systemerror" },	/* not capable of selected features */
	{ "3.4", "mesgtoobig" },	/* message too big for system */
	{ "3.5", "systemerror" },	/* system incorrectly configured */
	{ "3.6", "systemerror" },	/* requested priority was changed */
	{ "4.0", "networkerror" },	/* other network or routing status */
	{ "4.1", "networkerror" },	/* no answer from host */
	{ "4.2", "networkerror" },	/* bad connection */
	{ "4.3", "systemerror" },	/* directory server failure */
	{ "4.4", "networkerror" },	/* unable to route (5.4.4: below) */
	{ "4.5", "networkerror" },	/* mail system congestion */
	{ "4.6", "networkerror" },	/* routing loop detected */
	{ "4.7", "expired" },		/* delivery time expired */
	{ "5.1", "syntaxerror" },	/* invalid command */
	{ "5.2", "syntaxerror" },	/* syntax error */
	{ "5.3", "exceedlimit" },	/* too many recipients */
	{ "5.4", "syntaxerror" },	/* invalid command arguments */
	{ "5.5", "syntaxerror" },	/* wrong protocol version */
	{ "5.6", "syntaxerror" },	/* auth exchange line too long */
	{ "6.0", "contenterror" },	/* other media error */
	{ "6.1", "contenterror" },	/* media not supported */
	{ "6.2", "contenterror" },	/* conversion prohibited */
	{ "6.3", "contenterror" },	/* conversion not supported */
	{ "6.4", "contenterror" },	/* conversion with loss */
	{ "6.5", "contenterror" },	/* conversion failed */
	{ "6.6", "contenterror" },	/* content not available */
	{ "6.7", "contenterror" },	/* non-ASCII addresses not permitted */
	{ "6.8", "contenterror" },	/* UTF-8 string reply required */
	{ "6.9", "contenterror" },	/* UTF-8 header cannot be transferred */
	{ "6.10", "contenterror" },
	{ "7.0", "securityerror" },	/* other security status */
	{ "7.1", "blocked" },		/* delivery not authorized */
	{ "7.2", "securityerror" },	/* list expansion prohibited */
	{ "7.3", "securityerror" },	/* security conversion required */
	{ "7.4", "securityerror" },	/* security features not supported */
	{ "7.5", "securityerror" },	/* cryptographic failure */
	{ "7.6", "securityerror" },	/* algorithm not supported */
	{ "7.7", "securityerror" },	/* message integrity failure */
	{ "7.8", "securityerror" },	/* credentials invalid */
	{ "7.9", "securityerror" },	/* mechanism too weak */
	{ "7.10", "securityerror" },	/* encryption needed */
	{ "7.11", "securityerror" },	/* encryption required for mech */
	{ "7.12", "securityerror" },	/* password transition needed */
	{ "7.13", "suspend" },		/* user account disabled */
	{ "7.14", "securityerror" },	/* trust relationship required */
	{ "7.15", "securityerror" },	/* priority level too low */
	{ "7.16", "mesgtoobig" },	/* too big for specified priority */
	{ "7.17", "hasmoved" },		/* mailbox owner has changed */
	{ "7.18", "hasmoved" },		/* domain owner has changed */
	{ "7.19", "securityerror" },	/* RRVS test cannot be completed */
	{ "7.20", "authfailure" },	/* no passing DKIM signature */
	{ "7.21", "authfailure" },	/* no acceptable DKIM signature */
	{ "7.22", "authfailure" },	/* no author-matched DKIM signature */
	{ "7.23", "authfailure" },	/* SPF validation failed */
	{ "7.24", "authfailure" },	/* SPF validation error */
	{ "7.25", "requireptr" },	/* reverse DNS validation failed */
	{ "7.26", "authfailure" },	/* multiple authentication failures */
	{ "7.27", "notaccept" },	/* sender address has null MX */
	{ "7.28", "speeding" },		/* mail flood detected */
	{ "7.29", "authfailure" },	/* ARC validation failure */
	{ "7.30", "securityerror" },	/* REQUIRETLS support required */
};

const char *
classify_reason_word(const char *w)
{
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (strcasecmp(w, reasons[i].reason) == 0)
			return reasons[i].reason;
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcasecmp(w, aliases[i].alias) == 0)
			return aliases[i].reason;
	return NULL;
}

const char *
classify_reason_class(const char *reason, const char *status)
{
	size_t i;

	if (strcmp(reason, "notaccept") == 0 && status && status[0] == '4')
		return "soft";
	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (strcmp(reason, reasons[i].reason) == 0)
			return reasons[i].class;
	return NULL;
}

static const char *
class_word(const char *w)
{
	int i;

	for (i = 0; classes[i]; i++)
		if (strcasecmp(w, classes[i]) == 0)
			return classes[i];
	return NULL;
}

const char *
classify_class_word(const char *w)
{
	return w == NULL ? NULL : class_word(w);
}

/* code_reason - the table's reason for "C.S.D", or NULL */
static const char *
code_reason(const char *status)
{
	const char *sd;
	size_t i, n;

	if (status[0] == '2')
		return "delivered";
	if ((sd = strchr(status, '.')) == NULL)
		return NULL;
	sd++;
	/* RFC 7505 and reality: a permanent "unable to route" is no domain */
	if (strcmp(status, "5.4.4") == 0)
		return "hostunknown";
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		n = strlen(codes[i].code);
		if (strncmp(sd, codes[i].code, n) == 0 && sd[n] == '\0')
			return codes[i].reason;
	}
	return NULL;
}

/* size_reason - the reason is about the message's size */
static int
size_reason(const char *reason)
{
	return strcmp(reason, "mesgtoobig") == 0 ||
	    strcmp(reason, "exceedlimit") == 0;
}

/*
 * reply_reason - what an SMTP reply code alone says (RFC 5321 4.2.2-4.2.3,
 * RFC 7504), given the command it answered (phase, 0 unknown), or NULL.
 * Never a hard reason: 550 is "mailbox unavailable (e.g., mailbox not
 * found, no access, or command rejected for policy reasons)", and a
 * number is no proof that an address is dead.
 */
static const char *
reply_reason(const char *reply, int phase)
{
	if (reply[0] == '\0')
		return NULL;
	/* 554 at the greeting or HELO is "no SMTP service here" for us */
	if ((phase == 'H' && (reply[0] == '5' || strcmp(reply, "421") == 0)))
		return "blocked";
	if (strcmp(reply, "421") == 0 || strcmp(reply, "451") == 0)
		return "systemerror";	/* service not available, local error */
	if (strcmp(reply, "452") == 0)
		return "systemfull";	/* insufficient system storage */
	if (strcmp(reply, "552") == 0)	/* exceeded storage allocation */
		return phase == 'D' ? "mesgtoobig" : "mailboxfull";
	if (strcmp(reply, "521") == 0 || strcmp(reply, "556") == 0)
		return "notaccept";	/* RFC 7504: does not accept mail */
	if (strcmp(reply, "530") == 0 || strcmp(reply, "534") == 0 ||
	    strcmp(reply, "535") == 0 || strcmp(reply, "538") == 0)
		return "securityerror";	/* authentication (RFC 4954) */
	if (reply[1] == '0' && reply[0] == '5')
		return "syntaxerror";	/* 500-504: our command was refused */
	return NULL;
}

static pcre2_code *
compile(const char *pat, uint32_t opts, char *err, size_t errlen)
{
	PCRE2_SIZE off;
	int ec;
	pcre2_code *re;

	re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, opts,
	    &ec, &off, NULL);
	if (re == NULL) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(ec, msg, sizeof(msg));
		snprintf(err, errlen, "bad pattern at offset %zu: %s",
		    (size_t)off, (char *)msg);
		return NULL;
	}
	return re;
}

/*
 * parse_rule - one line of a rule file. Returns 1 for a rule, 0 for a
 * blank or comment line, -1 with err set for a bad one.
 */
static int
parse_rule(char *line, struct rule *r, int builtin, int lineno, char *err,
    size_t errlen)
{
	char *p = line, *w1, *w2 = NULL, *pat, *end, *f;
	uint32_t opts = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '#')
		return 0;
	if ((pat = strchr(p, '/')) == NULL || (end = strrchr(p, '/')) == pat) {
		snprintf(err, errlen, "no /pattern/");
		return -1;
	}
	*pat++ = '\0';
	*end = '\0';
	w1 = strtok(p, " \t");
	if (w1 != NULL)
		w2 = strtok(NULL, " \t");
	if (w1 == NULL || strtok(NULL, " \t") != NULL) {
		snprintf(err, errlen, "want: reason [class] /pattern/flags");
		return -1;
	}
	if ((r->reason = classify_reason_word(w1)) == NULL) {
		snprintf(err, errlen, "unknown reason '%.40s'", w1);
		return -1;
	}
	r->class = NULL;
	if (w2 != NULL && (r->class = class_word(w2)) == NULL) {
		snprintf(err, errlen, "unknown class '%.40s'", w2);
		return -1;
	}
	for (f = end + 1; *f && *f != '\n' && *f != '\r'; f++) {
		switch (*f) {
		case 'i':	opts |= PCRE2_CASELESS; break;
		case 'x':	opts |= PCRE2_EXTENDED; break;
		case 'a':	r->address = 1; break;
		case ' ': case '\t': break;
		default:
			snprintf(err, errlen, "unknown flag '%c'", *f);
			return -1;
		}
	}
	r->opts = opts;
	if (r->address && r->reason != classify_reason_word("userunknown")) {
		snprintf(err, errlen, "flag 'a' is for userunknown rules");
		return -1;
	}
	if (!builtin && (r->re = compile(pat, opts, err, errlen)) == NULL)
		return -1;
	/* the built-in rules' needles were derived at build time */
	if (!builtin || needles_from_table(default_needles, lineno,
	    &r->needles) == -1)
		(void)needles_from_pattern(pat, (opts & PCRE2_EXTENDED) != 0,
		    &r->needles);
	r->pattern = xstrdup(pat);
	return 1;
}

/* load_text - every rule of a rule file's text, appended */
static void
load_text(struct classifier *c, const char *text, const char *name,
    int builtin, struct sbuf *errs)
{
	const char *p = text, *nl;
	char err[300];
	int lineno = 0;

	while (*p) {
		struct rule r;
		char *line;
		int rc;

		lineno++;
		nl = strchr(p, '\n');
		line = xstrndup(p, nl ? (size_t)(nl - p) : strlen(p));
		memset(&r, 0, sizeof(r));
		rc = parse_rule(line, &r, builtin, lineno, err, sizeof(err));
		if (rc == -1 && errs)
			sbuf_printf(errs, "%s:%d: %s\n", name, lineno, err);
		if (rc == 1) {
			if (c->n == c->cap) {
				c->cap = c->cap ? c->cap * 2 : 256;
				c->rules = xrealloc(c->rules,
				    c->cap * sizeof(*c->rules));
			}
			r.where = xmalloc(strlen(name) + 16);
			sprintf(r.where, "%s:%d", name, lineno);
			c->rules[c->n++] = r;
		}
		free(line);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

struct classifier *
classifier_new(const char *path, struct sbuf *errs)
{
	struct classifier *c = xcalloc(1, sizeof(*c));
	char err[300];
	size_t i;

	if (path != NULL) {
		FILE *fp = fopen(path, "r");
		struct sbuf t;
		char buf[4096];
		size_t n;
		int saved;

		if (fp == NULL) {
			saved = errno;
			free(c);
			errno = saved;
			return NULL;
		}
		sbuf_init(&t);
		while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
			sbuf_addn(&t, buf, n);
		fclose(fp);
		if (t.s)
			load_text(c, t.s, path, 0, errs);
		sbuf_free(&t);
	}
	/*
	 * The built-in rules are compiled when first needed: a pipe-mode
	 * process reads one message and runs a few of them, and compiling
	 * all of them was a fifth of its time.
	 */
	load_text(c, default_rules, "built-in", 1, errs);
	c->check_needles = getenv("BOUNCER_CHECK_NEEDLES") != NULL;
	c->index = needle_index_new();
	for (i = 0; i < c->n; i++)
		needle_index_add(c->index, &c->rules[i].needles, i);
	needle_index_done(c->index);
	c->hit = xmalloc(c->n ? c->n : 1);
	c->md = pcre2_match_data_create(8, NULL);
	/* an enhanced status code, not part of an IP address or version */
	c->re_status = compile("(?<![0-9.])([245])\\.([0-9]{1,3})\\.([0-9]{1,3})"
	    "(?![0-9]|\\.[0-9])", 0, err, sizeof(err));
	/* an SMTP reply code opening a reply, "550 ", "550-", "550:" */
	c->re_reply = compile("(?<![0-9.,:/#-])([245][0-5][0-9])(?=[ \\-:]|$)",
	    0, err, sizeof(err));
	if (c->md == NULL || c->re_status == NULL || c->re_reply == NULL)
		abort();
	return c;
}

void
classifier_jit(struct classifier *c)
{
	/* BOUNCER_NO_JIT: the JIT reads past the subject by design, which
	 * valgrind reports */
	if (getenv("BOUNCER_NO_JIT") != NULL)
		return;
	/* these two run for every recipient; the rules when they prove hot */
	(void)pcre2_jit_compile(c->re_status, PCRE2_JIT_COMPLETE);
	(void)pcre2_jit_compile(c->re_reply, PCRE2_JIT_COMPLETE);
	c->jit = 1;
}

void
classifier_free(struct classifier *c)
{
	size_t i;

	if (c == NULL)
		return;
	needle_index_free(c->index);
	for (i = 0; i < c->n; i++) {
		pcre2_code_free(c->rules[i].re);
		pcre2_code_free(c->rules[i].jit);
		needles_free(&c->rules[i].needles);
		free(c->rules[i].where);
		free(c->rules[i].pattern);
	}
	free(c->rules);
	free(c->hit);
	pcre2_match_data_free(c->md);
	pcre2_code_free(c->re_status);
	pcre2_code_free(c->re_reply);
	free(c);
}

size_t
classifier_nrules(const struct classifier *c)
{
	return c->n;
}

/* rule_code - r's compiled pattern, compiled now if it was not */
static pcre2_code *
rule_code(struct rule *r)
{
	char err[300];

	/* NULL never for a built-in rule: test_classify */
	if (r->re == NULL)
		r->re = compile(r->pattern, r->opts, err, sizeof(err));
	return r->re;
}

int
classifier_check(struct classifier *c, struct sbuf *errs)
{
	size_t i;
	int bad = 0;

	for (i = 0; i < c->n; i++) {
		struct rule *r = &c->rules[i];
		struct needles n;

		if (rule_code(r) == NULL) {
			bad++;
			if (errs)
				sbuf_printf(errs, "%s: does not compile\n",
				    r->where);
		}
		/* a table made at build time must say what needle.c says */
		(void)needles_from_pattern(r->pattern,
		    (r->opts & PCRE2_EXTENDED) != 0, &n);
		if (!needles_equal(&n, &r->needles)) {
			bad++;
			if (errs)
				sbuf_printf(errs, "%s: needles differ from "
				    "src/gen/default_needles.c\n", r->where);
		}
		needles_free(&n);
	}
	return bad;
}

/*
 * run_rule - match r against text. Compiling a rule with the JIT costs
 * as much as running it a few hundred times without, and most rules
 * rarely run (their needles are absent): so a rule is JIT-compiled, into
 * a copy, only when it runs for the JIT_AFTER-th time.
 */
#define JIT_AFTER	1

static int
run_rule(const struct classifier *c, struct rule *r, const char *text,
    size_t len)
{
	pcre2_code *code = r->jit;

	if (code == NULL) {
		if ((code = rule_code(r)) == NULL)
			return 0;
		if (c->jit && r->runs++ == JIT_AFTER) {
			pcre2_code *cp = pcre2_code_copy(code);

			if (cp != NULL &&
			    pcre2_jit_compile(cp, PCRE2_JIT_COMPLETE) == 0)
				code = r->jit = cp;
			else
				pcre2_code_free(cp);
		}
	}
	return pcre2_match(code, (PCRE2_SPTR)text, len, 0, 0, c->md, NULL) >= 0;
}

/*
 * match_rules - the first rule matching text, or NULL. A rule whose
 * needles are all absent from the text cannot match and is not run
 * (needle.c); BOUNCER_CHECK_NEEDLES=1 runs it anyway and aborts if it
 * matches, for the tests.
 */
static const struct rule *
match_rules(const struct classifier *c, const char *text)
{
	char low[TEXT_MAX];
	size_t i, len;
	struct rule *r;

	if (text == NULL || *text == '\0')
		return NULL;
	len = strlen(text);
	if (len > TEXT_MAX)
		len = TEXT_MAX;
	for (i = 0; i < len; i++)
		low[i] = (char)tolower((unsigned char)text[i]);
	memset(c->hit, 0, c->n);
	needle_index_scan(c->index, low, len, c->hit);
	for (i = 0; i < c->n; i++) {
		r = &c->rules[i];
		if (r->needles.n > 0 && !c->hit[i]) {
			if (c->check_needles && run_rule(c, r, text, len)) {
				fprintf(stderr, "needle check: %s skipped but "
				    "matches: %s\n", r->where, text);
				abort();
			}
			continue;
		}
		if (run_rule(c, r, text, len))
			return r;
	}
	return NULL;
}

/* find_code - first match of re's group 0 in text into out */
static int
find_code(const struct classifier *c, const pcre2_code *re,
    const char *text, char *out, size_t outlen)
{
	PCRE2_SIZE *ov;
	size_t len, n;

	if (str_empty(text))
		return 0;
	len = strlen(text);
	if (len > TEXT_MAX)
		len = TEXT_MAX;
	if (pcre2_match(re, (PCRE2_SPTR)text, len, 0, 0, c->md, NULL) < 0)
		return 0;
	ov = pcre2_get_ovector_pointer(c->md);
	n = ov[1] - ov[0];
	if (n >= outlen)
		return 0;
	memcpy(out, text + ov[0], n);
	out[n] = '\0';
	return 1;
}

/* specificity - 0 for x.0.0, 1 for x.y.0 or x.0.z, 2 for x.y.z */
static int
specificity(const char *s)
{
	const char *a = strchr(s, '.'), *b = a ? strchr(a + 1, '.') : NULL;

	if (a == NULL || b == NULL)
		return -1;
	return (strtol(a + 1, NULL, 10) != 0) + (strtol(b + 1, NULL, 10) != 0);
}

/*
 * pick_status - the Status field, unless it is missing, generic or less
 * specific than a code of the same class in the diagnostic text.
 */
static void
pick_status(const struct classifier *c, const char *field, const char *diag,
    struct verdict *v)
{
	char f[16] = "", d[16] = "";
	const char *use;

	if (field)
		find_code(c, c->re_status, field, f, sizeof(f));
	find_code(c, c->re_status, diag, d, sizeof(d));
	/* the field, unless the text's code of the same class says more */
	use = f[0] && d[0] && (f[0] == d[0] || specificity(f) == 0) &&
	    specificity(d) > specificity(f) ? d : f[0] ? f : d;
	snprintf(v->status, sizeof(v->status), "%s", use);
	find_code(c, c->re_reply, diag, v->replycode, sizeof(v->replycode));
}

/* note - append to the verdict's rule, for --explain */
static void
note(struct verdict *v, const char *s)
{
	strncat(v->rule, s, sizeof(v->rule) - strlen(v->rule) - 1);
}

/*
 * relabel - a later step names the reason; the class follows it. Not
 * when a rule named the class itself: an operator who wrote
 * "userunknown hard /.../" has the last word (bouncer.conf(5)).
 */
static void
relabel(struct verdict *v, const char *reason, const char *why)
{
	if (v->by_rule_class)
		return;
	v->reason = reason;
	v->class = classify_reason_class(reason, v->status);
	note(v, why);
}

static void
set_verdict(struct verdict *v, const char *reason, const char *class,
    const char *fmt, const char *a, const char *b)
{
	v->reason = reason;
	v->by_rule_class = class != NULL;
	v->class = class ? class : classify_reason_class(reason, v->status);
	if (v->class == NULL)
		v->class = "undetermined";
	snprintf(v->rule, sizeof(v->rule), fmt, a, b ? b : "");
}

/*
 * weak_code - a code too vague to outrank the text: "other" details
 * (x.y.0) and x.7.1, which receivers use for every kind of refusal.
 */
static int
weak_code(const char *status)
{
	size_t n = strlen(status);

	return specificity(status) < 2 || strcmp(status + 1, ".7.1") == 0 ||
	    (n > 2 && strcmp(status + n - 2, ".0") == 0);
}

/* sender_code - x.1.7 or x.1.8: the code is about the sender's address */
static int
sender_code(const char *s)
{
	return s[0] != '\0' && (strcmp(s + 1, ".1.7") == 0 ||
	    strcmp(s + 1, ".1.8") == 0);
}

/*
 * decide - what the words, the codes and the phase say, in this order
 * (bouncer(1), CLASSIFICATION):
 *   1. rules on the recipient's diagnostic: the words win over the codes,
 *      but for two refinements: a specific code naming the same kind of
 *      trouble (family), and a code about our sender's own address;
 *   2. rules on the recipient's paragraph of the readable text;
 *   3. a specific enhanced status code (x.y.z, z not 0, not x.7.1),
 *      RFC 3463 and the IANA registry;
 *   4. rules on the whole readable text (context, may be NULL);
 *   5. an enhanced code that names only a subject (x.y.0, x.7.1);
 *   6. the SMTP reply code, with the command it answered (RFC 5321);
 *   7. "onhold" for words no rule reads, "undefined" for none at all.
 */
static void
decide(const struct classifier *c, const char *diag, const char *para,
    const char *context, int phase, struct verdict *v)
{
	const struct rule *r;
	const char *reason;

	v->by_phrase = 0;
	v->by_address = 0;
	v->by_para = 0;
	if ((r = match_rules(c, diag)) != NULL) {
		/*
		 * Among temporary troubles at the receiver (both soft), a
		 * specific code names the cause more exactly than a phrase:
		 * 5.2.3 "message size exceeds" is the recipient's limit, 5.4.6
		 * "mail loop" a routing failure, 4.3.1 "out of disk space" the
		 * system's. Not so for "timed out" or "gave up": the last
		 * cause of a message that expired is detail; nor for words
		 * that give the message's size, a fact about the message no
		 * code of another subject undoes ("message exceeds maximum
		 * size" with 5.2.2). Across classes the words win: "spam"
		 * with 5.7.7 is spam.
		 */
		if (v->status[0] && !weak_code(v->status) && r->class == NULL &&
		    strcmp(r->reason, "expired") != 0 &&
		    (reason = code_reason(v->status)) != NULL &&
		    reason != r->reason &&
		    strcmp(classify_reason_class(reason, v->status), "soft") == 0 &&
		    strcmp(classify_reason_class(r->reason, v->status), "soft") == 0 &&
		    (!size_reason(r->reason) || size_reason(reason))) {
			set_verdict(v, reason, NULL, "status %s (over %s)",
			    v->status, r->where);
			return;
		}
		/*
		 * A code about our sender's address (x.1.7, x.1.8) says whose
		 * address the words are about: "550 5.1.7 Invalid address"
		 * is the envelope sender's, and no reason to drop the
		 * recipient.
		 */
		if (sender_code(v->status) && r->class == NULL &&
		    (strcmp(r->reason, "userunknown") == 0 ||
		    strcmp(r->reason, "hostunknown") == 0 ||
		    strcmp(r->reason, "blocked") == 0)) {
			set_verdict(v, "rejected", NULL, "status %s (over %s)",
			    v->status, r->where);
			return;
		}
		set_verdict(v, r->reason, r->class, "%s /%.140s/", r->where,
		    r->pattern);
		v->by_phrase = 1;
		v->by_address = r->address;
		return;
	}
	if ((r = match_rules(c, para)) != NULL) {
		set_verdict(v, r->reason, r->class, "%s /%.120s/ (in its paragraph)",
		    r->where, r->pattern);
		v->by_para = 1;
		return;
	}
	if (v->status[0] && !weak_code(v->status) &&
	    (reason = code_reason(v->status)) != NULL) {
		set_verdict(v, reason, NULL, "status %s%s", v->status, NULL);
		return;
	}
	if ((r = match_rules(c, context)) != NULL) {
		set_verdict(v, r->reason, r->class, "%s /%.120s/ (in text)",
		    r->where, r->pattern);
		return;
	}
	if (v->status[0] && (reason = code_reason(v->status)) != NULL) {
		set_verdict(v, reason, NULL, "status %s%s", v->status, NULL);
		/*
		 * x.6.0, "other or undefined media error": something about
		 * this message's content, said of no one; not a refusal of
		 * us (block) but trouble that counts like a soft bounce
		 */
		if (strcmp(v->status + 1, ".6.0") == 0)
			v->class = "soft";
		return;
	}
	if ((reason = reply_reason(v->replycode, phase)) != NULL) {
		set_verdict(v, reason, NULL, "reply %s%s", v->replycode,
		    phase == 'D' ? " after DATA" : phase == 'H' ?
		    " at HELO" : "");
		return;
	}
	/* nothing to go on at all is "undefined"; words we cannot read, onhold */
	set_verdict(v, str_empty(diag) && str_empty(para) ? "undefined" :
	    "onhold", NULL, "no rule or code matched%s%s", "", NULL);
}

/*
 * decide_final - qmail ends a message it gave up on with "I'm not going to
 * try again; this message has been in the queue too long." after the last
 * thing it heard: that cause decides when a phrase names it ("Unable to
 * contact LDAP server", "wasn't able to establish an SMTP connection"),
 * the expiry otherwise.
 */
static void
decide_final(const struct classifier *c, const char *diag, const char *para,
    const char *context, int phase, struct verdict *v)
{
	const char *gaveup = str_icase(diag, "I'm not going to try again");
	char *cause;

	if (gaveup != NULL && gaveup > diag) {
		cause = xstrndup(diag, (size_t)(gaveup - diag));
		/*
		 * A cause that only asked to try again later says no more
		 * than the give-up does: the message expired.
		 */
		if (str_icase(cause, "try again later") == NULL)
			decide(c, cause, NULL, NULL, phase, v);
		free(cause);
		if (v->by_phrase) {
			note(v, " (before qmail's give-up)");
			return;
		}
	}
	decide(c, diag, para, context, phase, v);
}

/*
 * smtp_phase - the SMTP command a remote reply answered, when the text
 * says: 'M' MAIL FROM, 'R' RCPT TO, 'D' DATA, or 0.
 */
static int
smtp_phase(const char *t)
{
	if (t == NULL)
		return 0;
	if (str_icase(t, "end of data") || str_icase(t, "after data") ||
	    str_icase(t, "reply to data") || str_icase(t, ">>> data") ||
	    str_icase(t, "after end of data") || str_icase(t, "DATA command"))
		return 'D';
	/* a refusal of our greeting or connection is about our host */
	if (str_icase(t, "my name was rejected") || str_icase(t, "after HELO") ||
	    str_icase(t, "after initial connection") ||
	    str_icase(t, "after EHLO") || str_icase(t, "reply to HELO") ||
	    str_icase(t, "reply to EHLO"))
		return 'H';
	/* qmail names the phase in its own words */
	if (str_icase(t, "failed after I sent the message"))
		return 'D';
	if (str_icase(t, "but sender was rejected"))
		return 'M';
	if (str_icase(t, "does not like recipient"))
		return 'R';
	if (str_icase(t, "reply to mail from") || str_icase(t, "after mail from") ||
	    str_icase(t, ">>> mail from") || str_icase(t, "MAIL FROM command"))
		return 'M';
	if (str_icase(t, "rcpt to") || str_icase(t, "rcpt command") ||
	    str_icase(t, "[rcpt_to]") || str_icase(t, "after rcpt"))
		return 'R';
	return 0;
}

/* address_code - x.1.z but x.1.2: the code itself says the address is bad */
static int
address_code(const char *s)
{
	return s[0] != '\0' && strncmp(s + 1, ".1.", 3) == 0 &&
	    strcmp(s + 1, ".1.2") != 0;
}

/*
 * adjust_phase - what a reply means depends on when it came. A mailbox
 * that accepted RCPT TO exists, so "user unknown" after DATA is the
 * recipient's filter; a refusal at MAIL FROM is about our sender.
 */
static void
adjust_phase(int phase, struct verdict *v)
{
	const char *to = NULL;

	if (strcmp(v->reason, "userunknown") == 0 && !address_code(v->status) &&
	    !v->by_address && phase != 'R' && phase != 'M' &&
	    (phase == 'D' || v->status[2] == '2' || v->status[2] == '7')) {
		/*
		 * "User unknown" after DATA, or with a code that says the
		 * mailbox refused (5.2.x) or policy refused (5.7.x), and no
		 * sign that RCPT TO was refused: the mailbox exists and a
		 * filter speaks. A code about the address (5.1.1) keeps it.
		 */
		to = "filtered";
		if (phase != 'D')
			phase = 'F';
	}
	else if (phase == 'H' && strcmp(classify_reason_class(v->reason,
	    v->status), "block") != 0)
		to = "blocked";
	else if (phase == 'M' && (strcmp(v->reason, "userunknown") == 0 ||
	    strcmp(v->reason, "hostunknown") == 0 ||
	    strcmp(v->reason, "filtered") == 0 ||
	    strcmp(v->reason, "onhold") == 0))
		to = "rejected";
	if (to == NULL && v->status[0] == '4' &&
	    strcmp(v->reason, "hostunknown") == 0) {
		/* a temporary "no such domain" is a DNS failure, retried */
		to = "networkerror";
		v->by_phrase = 0;
		phase = 0;
	}
	if (to == NULL)
		return;
	relabel(v, to, phase == 'D' ? "; refused after DATA" :
	    phase == 'F' ? "; not a mailbox code, not at RCPT TO" :
	    phase == 'M' ? "; refused at MAIL FROM" :
	    phase == 'H' ? "; refused at HELO" : "; temporary");
}

/*
 * category_reason - PowerMTA files every bounce under a category of its
 * own (X-PowerMTA-BounceCategory), decided from the whole SMTP exchange
 * by its bounce rules. Where the category is specific it is the sending
 * MTA's verdict, and stands; "other" and unknown ones say nothing.
 */
static const char *
category_reason(const char *cat)
{
	static const struct {
		const char *category, *reason;
	} map[] = {
		{ "bad-mailbox", "userunknown" },
		{ "bad-domain", "hostunknown" },
		{ "inactive-mailbox", "suspend" },
		{ "quota-issues", "mailboxfull" },
		{ "message-expired", "expired" },
		{ "no-answer-from-host", "networkerror" },
		{ "bad-connection", "networkerror" },
		{ "routing-errors", "systemerror" },
		{ "bad-configuration", "systemerror" },
		{ "policy-related", "policyviolation" },
		{ "spam-related", "spamdetected" },
		{ "virus-related", "virusdetected" },
		{ "content-related", "contenterror" },
		{ "invalid-sender", "rejected" },
		{ "relaying-issues", "norelaying" },
		{ "protocol-errors", "syntaxerror" },
	};
	size_t i;

	if (cat == NULL)
		return NULL;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcasecmp(cat, map[i].category) == 0)
			return map[i].reason;
	return NULL;
}

/*
 * final_failure - a failure the sending MTA gave up on counts: its class
 * is never undetermined when its codes say it failed (4.x or 5.x), unless
 * a rule named that class. A temporary code is a message that stayed in
 * the queue until its lifetime ran out (Postfix's maximal_queue_lifetime):
 * the last transient cause is detail. A permanent one whose cause no
 * rule or table names is counted like a soft bounce (policy.h): an
 * address that keeps failing is suppressed after the threshold.
 */
static void
final_failure(struct verdict *v)
{
	char code = v->status[0] ? v->status[0] : v->replycode[0];

	if (v->by_rule_class || (code != '4' && code != '5'))
		return;
	if (code == '4' && (strcmp(v->reason, "onhold") == 0 ||
	    strcmp(v->reason, "undefined") == 0))
		relabel(v, "expired", "; failed after retries");
	else if (strcmp(v->class, "undetermined") == 0) {
		v->class = "soft";
		note(v, "; a final failure, counted as soft");
	}
}

void
classify_text(const struct classifier *c, const char *text,
    struct verdict *v)
{
	char *t = str_squeeze(xstrdup(text ? text : ""));

	memset(v, 0, sizeof(*v));
	pick_status(c, NULL, t, v);
	decide(c, t, NULL, NULL, smtp_phase(t), v);
	adjust_phase(smtp_phase(t), v);
	free(t);
}

void
classify(const struct classifier *c, const struct bounce *b, struct rcpt *r)
{
	struct verdict *v = &r->v;
	const char *act = r->action ? r->action : "";
	char *diag, *para, *ctx;
	const char *cat;
	int phase;

	memset(v, 0, sizeof(*v));
	diag = str_squeeze(xstrdup(r->diagnostic_code ? r->diagnostic_code : ""));
	/*
	 * Without a Diagnostic-Code, the Status field's own comment is the
	 * diagnostic: "Status: 4.0.0 (host name lookup failure)" (Sendmail)
	 */
	if (diag[0] == '\0' && r->status && strchr(r->status, ' ') != NULL) {
		free(diag);
		diag = str_squeeze(xstrdup(strchr(r->status, ' ') + 1));
	}
	para = str_squeeze(xstrdup(r->text_diag ? r->text_diag : ""));
	phase = smtp_phase(diag);
	if (phase == 0)
		phase = smtp_phase(para);
	if (diag[0] == '\0' && para[0] != '\0') {
		char *t = diag;

		diag = para;
		para = t;
	}
	ctx = str_squeeze(xstrndup(b->text ? b->text : "", CONTEXT_MAX));
	pick_status(c, r->status, diag, v);
	/* the whole text speaks for a recipient only when it is the only one */
	if (!v->replycode[0] && b->n == 1)
		find_code(c, c->re_reply, ctx, v->replycode,
		    sizeof(v->replycode));
	/* ... and so does its status code: another's is not this one's */
	if (!v->status[0] && b->kind == BOUNCE_TEXT && b->n == 1)
		find_code(c, c->re_status, ctx, v->status, sizeof(v->status));

	if (b->kind == BOUNCE_ARF) {
		const char *ft = b->feedback_type ? b->feedback_type : "";
		int complaint = ft[0] == '\0' || strcmp(ft, "abuse") == 0 ||
		    strcmp(ft, "fraud") == 0;

		v->status[0] = v->replycode[0] = '\0';
		/* an opt-out report is an unsubscribe: it never lapses */
		set_verdict(v, "feedback", strcmp(ft, "opt-out") == 0 ?
		    "unsubscribe" : complaint ? "complaint" : "undetermined",
		    "feedback report, type %s%s", ft[0] ? ft : "(none: abuse)",
		    NULL);
	} else if (b->kind == BOUNCE_UNSUBSCRIBE) {
		v->status[0] = v->replycode[0] = '\0';
		set_verdict(v, "feedback", "unsubscribe", "unsubscribe request "
		    "to %s%s (RFC 2369 mailto:)", b->verp_source, NULL);
	} else if (b->kind == BOUNCE_AUTOREPLY) {
		v->status[0] = v->replycode[0] = '\0';
		set_verdict(v, "vacation", NULL, "auto-reply (RFC 3834)%s%s",
		    "", NULL);
	} else if (strcmp(act, "delivered") == 0 ||
	    strcmp(act, "relayed") == 0 || strcmp(act, "expanded") == 0) {
		set_verdict(v, "delivered", NULL, "action %s%s", act, NULL);
	} else {
		/*
		 * The whole readable text speaks for a recipient of a report
		 * with several only when the report is nothing but text: a
		 * DSN gives each its own Diagnostic-Code, and another
		 * recipient's "Host unknown" is not this one's reason.
		 */
		decide_final(c, diag, para,
		    b->n == 1 || b->kind != BOUNCE_DSN ? ctx : NULL, phase, v);
		/*
		 * A lone recipient's session transcript (">>> RCPT TO ... <<<
		 * 550") can tell that the address was refused; only that,
		 * since a transcript goes on past the failing command
		 * ("... >>> DATA"). Read only when it matters.
		 */
		if (phase == 0 && b->n == 1 &&
		    strcmp(v->reason, "userunknown") == 0) {
			if (smtp_phase(b->text) == 'R')
				phase = 'R';
			/* m-FILTER states it: "-------SMTP command\nDATA" */
			else if (str_icase(b->text, "SMTP command\nDATA") ||
			    str_icase(b->text, "SMTP command\r\nDATA"))
				phase = 'D';
		}
		if (!v->by_rule_class &&
		    (cat = category_reason(r->mta_category)) != NULL) {
			v->reason = cat;
			v->class = classify_reason_class(cat, v->status);
			v->by_phrase = 1;
			snprintf(v->rule, sizeof(v->rule),
			    "X-PowerMTA-BounceCategory: %s", r->mta_category);
		} else
			adjust_phase(phase, v);
		/*
		 * Diagnostic-Type X-Unix: a local program (a pipe, procmail)
		 * failed; that is the reason unless its own words name one
		 * ("Quota exceeded"), in the diagnostic or in the recipient's
		 * paragraph (Postfix's local(8) puts "input/output error" in
		 * the Diagnostic-Code and the cause in the text: "cannot
		 * update mailbox ... File too large", the bounce lab's
		 * postfix/mailboxfull.eml). "255" is an exit status, not a
		 * cause.
		 */
		if (r->diagnostic_type != NULL &&
		    strcasecmp(r->diagnostic_type, "x-unix") == 0 &&
		    !v->by_phrase && !v->by_para &&
		    strcmp(v->reason, "mailererror") != 0)
			relabel(v, "mailererror", "; a local program failed (X-Unix)");
		/*
		 * A final failure with a temporary code is a message that
		 * stayed in the queue until its lifetime ran out (Postfix's
		 * maximal_queue_lifetime): the last transient cause is detail.
		 */
		if (strcmp(act, "failed") == 0)
			final_failure(v);
		if (strcmp(act, "delayed") == 0) {
			/*
			 * A delay notice with a vague transient cause (system,
			 * none, a network code without a phrase) is about the
			 * delay itself; "no route to host" says more.
			 */
			if ((strcmp(v->reason, "networkerror") == 0 &&
			    !v->by_phrase) ||
			    strcmp(v->reason, "systemerror") == 0 ||
			    strcmp(v->reason, "onhold") == 0 ||
			    strcmp(v->reason, "undefined") == 0)
				v->reason = "expired";
			v->class = "delayed";
			note(v, "; action delayed");
		}
	}
	free(diag);
	free(para);
	free(ctx);
}
