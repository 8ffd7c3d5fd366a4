/*
 * classify_rules.c - the classifier's rules (classify_rules.h).
 *
 * Rules are data: "reason [class] /pattern/flags", one a line, compiled
 * once per process with PCRE2 (JIT where the platform has it). The
 * built-in rules come from src/rules/default.rules, compiled into the binary;
 * an operator's file is loaded before them so that a local rule wins.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcre2.h>

#include "classify_rules.h"
#include "classify_words.h"
#include "needle.h"
#include "util.h"

extern const char default_rules[];	/* generated from src/rules/default.rules */

#define TEXT_MAX	8192	/* bytes of text a rule looks at */

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
	if (w2 != NULL && (r->class = classify_class_word(w2)) == NULL) {
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

const struct rule_match *
classifier_match(const struct classifier *c, const char *text,
    struct rule_match *m)
{
	const struct rule *r;

	if ((r = match_rules(c, text)) == NULL)
		return NULL;
	m->reason = r->reason;
	m->class = r->class;
	m->address = r->address;
	m->where = r->where;
	m->pattern = r->pattern;
	return m;
}

int
classifier_find_status(const struct classifier *c, const char *text,
    char *out, size_t outlen)
{
	return find_code(c, c->re_status, text, out, outlen);
}

int
classifier_find_reply(const struct classifier *c, const char *text,
    char *out, size_t outlen)
{
	return find_code(c, c->re_reply, text, out, outlen);
}
