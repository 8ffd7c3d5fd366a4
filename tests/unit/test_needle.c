/*
 * test_needle - the literals a rule cannot match without. Each case
 * gives a pattern and the needles wanted, "" for none (always run); and
 * then texts each pattern matches must contain a needle (what the
 * classifier relies on to skip a rule).
 */
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "needle.h"
#include "tap.h"
#include "util.h"

static void
want(const char *pat, const char *joined)
{
	struct needles n;
	struct sbuf b;
	size_t i;

	sbuf_init(&b);
	if (needles_from_pattern(pat, 0, &n) == 0)
		for (i = 0; i < n.n; i++)
			sbuf_printf(&b, "%s%s", i ? "|" : "", n.s[i]);
	is_str(b.s ? b.s : "", joined, pat);
	needles_free(&n);
	sbuf_free(&b);
}

/* safe - for each text the pattern matches, a needle is in it */
static void
safe(const char *pat, const char *const *texts)
{
	struct needle_index *x = needle_index_new();
	struct needles n;
	pcre2_code *re;
	pcre2_match_data *md;
	int ec, bad = 0;
	PCRE2_SIZE off;
	size_t i, k;

	re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
	    PCRE2_CASELESS, &ec, &off, NULL);
	md = pcre2_match_data_create(4, NULL);
	(void)needles_from_pattern(pat, 0, &n);
	needle_index_add(x, &n, 0);
	needle_index_done(x);
	for (i = 0; texts[i]; i++) {
		char *low = xstrdup(texts[i]);
		unsigned char hit = 0;

		for (k = 0; low[k]; k++)
			low[k] = (char)(low[k] >= 'A' && low[k] <= 'Z' ?
			    low[k] + 32 : low[k]);
		needle_index_scan(x, low, strlen(low), &hit);
		if (pcre2_match(re, (PCRE2_SPTR)texts[i], strlen(texts[i]), 0,
		    0, md, NULL) >= 0 && n.n > 0 && !hit)
			bad++;
		free(low);
	}
	ok(re != NULL && bad == 0, "no text the pattern matches is skipped: %s",
	    pat);
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	needle_index_free(x);
	needles_free(&n);
}

int
main(void)
{
	static const char *const texts[] = {
	    "550 5.1.1 User Unknown", "USER UNKNOWN", "user  is unknown",
	    "Mailbox unavailable", "no such user here", "ab+c abbbc",
	    "quota exceeded", "over quota", "The e-mail account does not exist",
	    "email account does not exist", "Recipient address rejected",
	    "rcpt", "mail box full", "mailbox full", NULL
	};

	want("user unknown", "user unknown");
	want("User Unknown", "user unknown");
	want("unknown (user|recipient)", "unknown ");
	want("(user|recipient) unknown", " unknown");
	want("(user|mailbox) (is )?(unknown|invalid)", "unknown|invalid");
	want("over ?quota|quota (exceeded|full)", "quota|quota ");
	want("mail ?box full", "box full");
	want("e-?mail", "mail");
	want("ab+cde", "cde");
	want("\\bUBE\\b", "ube");
	want("a{0,3}bcd", "bcd");
	want("x{2}yz", "");
	want("groups\\.google\\.com\\/support", "groups.google.com/support");
	want("[0-9]+ bounce", " bounce");
	want("(?i)user unknown", "");
	want("user|", "");
	want("(?<![0-9])abc", "abc");
	want("(?!foo)barbaz", "barbaz");
	want("(user)? unknown", " unknown");
	want("ab|cd", "");
	want("\\Qa.b\\E", "");
	want("user (unknown", "");
	want("rate limit.*", "rate limit");
	safe("(user|mailbox) (is )?(unknown|invalid)", texts);
	safe("over ?quota|quota (exceeded|full)", texts);
	safe("mail ?box full", texts);
	safe("(e-?mail|user) (account )?does not exist", texts);
	safe("ab+c", texts);
	safe("recipient address rejected\\.?( |$)", texts);
	return done_testing();
}
