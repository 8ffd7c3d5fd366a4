/* test_classify - rules, codes and the rule file loader */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classify.h"
#include "tap.h"

static void
check(struct classifier *c, const char *text, const char *reason,
    const char *class, const char *status)
{
	struct verdict v;
	char name[200];

	classify_text(c, text, &v);
	snprintf(name, sizeof(name), "%.60s -> %s", text, reason);
	is_str(v.reason, reason, name);
	is_str(v.class, class, "  class");
	is_str(v.status, status, "  status");
}

int
main(void)
{
	struct sbuf errs;
	struct classifier *c;
	char path[] = "/tmp/bouncer-rules-XXXXXX";
	FILE *fp;
	int fd;

	sbuf_init(&errs);
	c = classifier_new(NULL, &errs);
	ok(c != NULL && errs.len == 0, "built-in rules load cleanly");
	ok(classifier_nrules(c) > 30, "built-in rules are many");
	/* they compile when first needed: each must, or it never matches */
	ok(classifier_check(c, &errs) == 0 && errs.len == 0,
	    "every built-in rule compiles and has the needles of its table%s%s", errs.len ? ": " : "",
	    errs.len ? errs.s : "");
	check(c, "550 5.1.1 <a@b>: Recipient address rejected: User unknown in "
	    "local recipient table", "userunknown", "hard", "5.1.1");
	check(c, "552 5.2.2 Mailbox full", "mailboxfull", "soft", "5.2.2");
	check(c, "550 5.7.1 Service unavailable; client [192.0.2.1] blocked "
	    "using zen.spamhaus.org", "blocked", "block", "5.7.1");
	check(c, "550 5.7.26 This message does not pass authentication checks "
	    "(SPF and DKIM both do not pass)", "authfailure", "block", "5.7.26");
	check(c, "554 5.0.0 Host or domain name not found", "hostunknown",
	    "hard", "5.0.0");
	check(c, "something entirely new", "onhold", "undetermined", "");
	check(c, "451 4.7.1 Client host rejected: cannot find your hostname",
	    "requireptr", "block", "4.7.1");
	check(c, "host x said: 550 User unknown (in reply to end of DATA command)",
	    "filtered", "block", "");
	check(c, "550 5.7.27 Sender address has null MX", "notaccept", "hard",
	    "5.7.27");
	check(c, "452 4.2.2 Mailbox full", "mailboxfull", "soft", "4.2.2");
	/* a provider's numbered code says more than "sender rejected" */
	check(c, "550 5.1.0 <b@x> sender rejected. Please see https://www."
	    "spectrum.net/support/ for more information. AUP#In-1310",
	    "toomanyconn", "block", "5.1.0");
	check(c, "550 5.1.0 <b@x> sender rejected. Refer to Error Codes "
	    "section at https://www.cox.com/. AUP#CXDNS", "requireptr", "block",
	    "5.1.0");
	check(c, "550 5.1.0 <b@x> sender rejected. AUP#In-9999", "rejected",
	    "block", "5.1.0");
	check(c, "554 5.7.0 Header error", "policyviolation", "block", "5.7.0");
	check(c, "The mail server could not deliver mail to a@b. The account "
	    "or domain may not exist, they may be blacklisted, or missing the "
	    "proper dns entries.", "hostunknown", "hard", "");
	check(c, "550-REJECTED - Blacklisted URL in message. (b.example) in "
	    "[black]. 550-See http://lookup.uribl.com.", "spamdetected",
	    "block", "");
	check(c, "554 IP=192.0.2.254 - A problem occurred. (Ask your postmaster "
	    "for help.) (BL)", "blocked", "block", "");
	check(c, "550 5.1.1 <a@icloud.com>: inactive email address",
	    "userunknown", "hard", "5.1.1");
	/* the words win over a code of another kind */
	check(c, "552 5.2.2 Message exceeds maximum size", "mesgtoobig", "soft",
	    "5.2.2");
	check(c, "552 5.7.0 Message rejected: exceeded size limit",
	    "mesgtoobig", "soft", "5.7.0");
	check(c, "554 5.7.1 Your message was rejected because it exceeds the "
	    "size limit", "mesgtoobig", "soft", "5.7.1");
	/* ... and a code refines words of the same kind */
	check(c, "552 5.2.3 Message size exceeds fixed maximum message size",
	    "exceedlimit", "soft", "5.2.3");
	check(c, "554 5.4.6 Message exceeded 50 hops, this may indicate a mail "
	    "loop", "networkerror", "soft", "5.4.6");
	/* codes without words: RFC 3463 subjects, RFC 5321 replies */
	check(c, "550 5.2.0", "suspend", "soft", "5.2.0");
	check(c, "554 5.6.0", "contenterror", "soft", "5.6.0");
	check(c, "452 frobnicated", "systemfull", "soft", "");
	check(c, "503 frobnicated", "syntaxerror", "block", "");
	check(c, "521 frobnicated", "notaccept", "hard", "");
	classifier_free(c);

	/* an operator's file: its rules win, a bad line is reported */
	fd = mkstemp(path);
	fp = fdopen(fd, "w");
	fputs("# local\nmailboxfull soft /user unknown/i\nnosuchreason /x/\n"
	    "userunknown /unclosed(/\nratelimited /slow down, friend/i\n"
	    "filtered /frobnicated account/ia\n"
	    "userunknown /no frobnicated account here/ia\n", fp);
	fclose(fp);
	sbuf_free(&errs);
	c = classifier_new(path, &errs);
	ok(c != NULL, "operator file loads");
	ok(errs.s && strstr(errs.s, ":3: unknown reason") != NULL,
	    "bad reason reported with line number");
	ok(errs.s && strstr(errs.s, ":4: bad pattern") != NULL,
	    "bad pattern reported with line number");
	check(c, "550 5.1.1 User unknown", "mailboxfull", "soft", "5.1.1");
	check(c, "421 slow down, friend", "speeding", "block", "");
	ok(errs.s && strstr(errs.s, ":6: flag 'a' is for userunknown") != NULL,
	    "flag a on another reason reported");
	check(c, "550 no frobnicated account here (in reply to end of DATA "
	    "command)", "userunknown", "hard", "");
	check(c, "550 no such user here (in reply to end of DATA command)",
	    "filtered", "block", "");
	classifier_free(c);
	unlink(path);
	ok(classifier_new("/nonexistent/rules", NULL) == NULL,
	    "missing operator file is an error");
	ok(strcmp(classify_reason_class("notaccept", "4.3.2"), "soft") == 0,
	    "notaccept is soft when temporary");
	sbuf_free(&errs);
	return done_testing();
}
