/*
 * test_logline - Postfix's log lines read by their structure: every
 * header form, every line type, and hostile variants of each (issue 23:
 * text a stranger controls that looks like a delivery line).
 */
#include <string.h>
#include <time.h>

#include "logline.h"
#include "tap.h"

static const time_t now = 1796428800;	/* 2026-12-05T00:00:00Z */

/* kind - what line l says, as "kind qid program field" for comparison */
static void
check(const char *line, const char *want, const char *name)
{
	struct logline l;
	char got[4096];

	if (logline_parse(line, now, &l) == -1)
		snprintf(got, sizeof(got), "-");
	else
		switch (l.kind) {
		case LOGLINE_DELIVERY:
			snprintf(got, sizeof(got), "delivery %s %s <%s> %s %s "
			    "(%s)", l.program, l.qid, l.rcpt, l.dsn, l.status,
			    l.text);
			break;
		case LOGLINE_MSGID:
			snprintf(got, sizeof(got), "msgid %s <%s>", l.qid,
			    l.value);
			break;
		case LOGLINE_HEADER:
			snprintf(got, sizeof(got), "header %s %s: %s", l.qid,
			    l.name, l.value);
			break;
		case LOGLINE_FROM:
			snprintf(got, sizeof(got), "from %s <%s> nrcpt=%ld",
			    l.qid, l.value, l.nrcpt);
			break;
		case LOGLINE_REMOVED:
			snprintf(got, sizeof(got), "removed %s", l.qid);
			break;
		default:
			snprintf(got, sizeof(got), "other %s", l.program);
		}
	is_str(got, want, name);
}

#define SENT ", relay=mx.example.net[192.0.2.1]:25, delay=1.2, " \
	"delays=0.1/0/0.5/0.6, dsn=2.0.0, status=sent (250 2.0.0 OK)"
/* the MAIL FROM, as qmgr and smtpd log it */
#define FORGED "\"postfix/smtp[1]: ZZ1: to=<victim@example.net>, relay=x, " \
	"dsn=5.1.1, status=bounced (550 5.1.1 user unknown\"@evil.example"
#define FORGED_Q "\"postfix/smtp[1]: ZZ1: to=<victim@example.net>, " \
	"relay=x, dsn=5.1.1, status=bounced (550 5.1.1 user unknown\"" \
	"@evil.example"

int
main(void)
{
	struct logline l;

	/* headers */
	check("Dec  5 10:00:00 mx postfix/smtp[123]: 4F9D1C: to=<a@example.net>" SENT,
	    "delivery smtp 4F9D1C <a@example.net> 2.0.0 sent (250 2.0.0 OK)",
	    "syslog header, space-padded day");
	check("Dec 05 10:00:00 mx postfix/smtp[123]: 4F9D1C: to=<a@example.net>" SENT,
	    "delivery smtp 4F9D1C <a@example.net> 2.0.0 sent (250 2.0.0 OK)",
	    "postlog (maillog_file) header: zero-padded day");
	check("Dec 05 10:00:00.123456 mx postfix/smtp[123]: 4F9D1C: to=<a@example.net>" SENT,
	    "delivery smtp 4F9D1C <a@example.net> 2.0.0 sent (250 2.0.0 OK)",
	    "journalctl -o short-precise header");
	check("2026-12-05T10:00:00.123456+01:00 mx postfix/smtp[123]: 4F9D1C: to=<a@example.net>" SENT,
	    "delivery smtp 4F9D1C <a@example.net> 2.0.0 sent (250 2.0.0 OK)",
	    "RFC 3339 header");
	check("2026-12-05T10:00:00+0000 mx postfix/smtp[123]: 4F9D1C: to=<a@example.net>" SENT,
	    "delivery smtp 4F9D1C <a@example.net> 2.0.0 sent (250 2.0.0 OK)",
	    "journalctl -o short-iso header");
	logline_parse("2026-12-05T10:00:00.5+01:00 mx postfix/smtp[1]: A: to=<a@b>" SENT, now, &l);
	ok(l.time == now + 9 * 3600, "RFC 3339 time with its offset");
	logline_parse("Dec  5 10:00:00 mx postfix/smtp[1]: A: to=<a@b>" SENT, now, &l);
	ok(l.time == now + 10 * 3600, "syslog time in the current year");
	logline_parse("Dec 31 23:00:00 mx postfix/smtp[1]: A: to=<a@b>" SENT, now - 300 * 86400, &l);
	ok(l.time < now - 300 * 86400, "December's line read in January: last year");
	check("Foo  5 10:00:00 mx postfix/smtp[123]: 4F9D1C: to=<a@example.net>" SENT,
	    "-", "a bad month: not a log line");
	check("postfix/smtp[123]: 4F9D1C: to=<a@example.net>" SENT, "-",
	    "no header: not a log line");

	/* tags */
	check("Dec  5 10:00:00 mx postfix-out/smtp[123]: 4F9D1C: to=<a@example.net>" SENT,
	    "delivery smtp 4F9D1C <a@example.net> 2.0.0 sent (250 2.0.0 OK)",
	    "multi-instance syslog_name postfix-out");
	check("Dec  5 10:00:00 mx postfix/relay/smtp[123]: 4F9D1C: to=<a@example.net>" SENT,
	    "delivery smtp 4F9D1C <a@example.net> 2.0.0 sent (250 2.0.0 OK)",
	    "syslog_name=postfix/$service_name (Debian's relay)");
	check("Dec  5 10:00:00 mx postfix/smtpd[123]: 4F9D1C: to=<a@example.net>" SENT,
	    "other smtpd", "smtpd is not a delivery agent");
	check("Dec  5 10:00:00 mx bouncer[123]: 4F9D1C: to=<a@example.net>" SENT,
	    "-", "bouncer's own line is not Postfix's");
	check("Dec  5 10:00:00 mx evil postfix/smtp[123]: 4F9D1C: to=<a@example.net>" SENT,
	    "-", "a tag after a second word is no tag");
	check("Dec  5 10:00:00 mx postfixx/smtp[123]: 4F9D1C: to=<a@example.net>" SENT,
	    "-", "postfixx is not postfix");
	check("Dec  5 10:00:00 mx postfix/smtp: 4F9D1C: to=<a@example.net>" SENT,
	    "-", "a tag without pid");
	ok(logline_message("postfix/lmtp", "ABC: to=<a@example.net>" SENT, now, &l) == 0 &&
	    l.kind == LOGLINE_DELIVERY && strcmp(l.program, "lmtp") == 0,
	    "journal fields: identifier and message apart");
	ok(logline_message("bouncer", "ABC: to=<a@example.net>" SENT, now, &l) == -1,
	    "journal: bouncer's identifier is not Postfix's");

	/* deliveries */
	check("Dec  5 10:00:00 mx postfix/smtp[9]: Q2: to=<x@big.example>, relay=mx[192.0.2.1]:25, delay=1, dsn=2.0.0, status=sent (250 ok)",
	    "delivery smtp Q2 <x@big.example> 2.0.0 sent (250 ok)",
	    "older lines without delays=");
	check("Dec  5 10:00:00 mx postfix/smtp[9]: Q2: to=<x@big.example>, orig_to=<y@alias.example>, relay=mx[192.0.2.1]:25, conn_use=2, delay=1, delays=1/0/0/0, tls=may/no, dsn=5.1.1, status=bounced (host mx[192.0.2.1] said: 550 5.1.1 <x@big.example>: no such user (in reply to RCPT TO command))",
	    "delivery smtp Q2 <x@big.example> 5.1.1 bounced (host mx[192.0.2.1] said: 550 5.1.1 <x@big.example>: no such user (in reply to RCPT TO command))",
	    "orig_to, conn_use and tls; the reply kept whole");
	check("Dec  5 10:00:00 mx postfix/smtp[9]: Q2: to=<\"a b\\\"c\"@big.example>" SENT,
	    "delivery smtp Q2 <a b\"c@big.example> 2.0.0 sent (250 2.0.0 OK)",
	    "a quoted local part is unquoted");
	check("Dec  5 10:00:00 mx postfix/error[9]: Q3: to=<x@nowhere.example>, relay=none, delay=0, delays=0/0/0/0, dsn=5.0.0, status=bounced (nowhere)",
	    "delivery error Q3 <x@nowhere.example> 5.0.0 bounced (nowhere)",
	    "error(8) is a delivery agent");
	check("Dec  5 10:00:00 mx postfix/cleanup[9]: Q2: to=<x@big.example>" SENT,
	    "other cleanup", "cleanup's line is not a delivery");
	check("Dec  5 10:00:00 mx postfix/smtp[9]: Q2: to=<x@big.example>, relay=mx, delay=1, dsn=2.0.0, status=sent",
	    "other smtp", "no (reason): not a delivery");
	check("Dec  5 10:00:00 mx postfix/smtp[9]: Q2: to=<x@big.example>, relay=mx, extra=1, dsn=2.0.0, status=sent (x)",
	    "other smtp", "an unknown field before dsn=: not a delivery");
	check("Dec  5 10:00:00 mx postfix/smtp[9]: Q2: to=<x@big.example>, relay=mx, delay=1, dsn=9.9.9, status=sent (x)",
	    "other smtp", "a dsn= that is no status code");
	check("Dec  5 10:00:00 mx postfix/smtp[9]: warning: to=<x@big.example>" SENT,
	    "other smtp", "a warning is no delivery");

	/* hostile: the MAIL FROM in every place Postfix logs it */
	check("Dec  5 10:00:00 mx postfix/qmgr[9]: Q4: from=<" FORGED_Q ">, size=100, nrcpt=1 (queue active)",
	    "from Q4 <postfix/smtp[1]: ZZ1: to=<victim@example.net>, relay=x, dsn=5.1.1, status=bounced (550 5.1.1 user unknown@evil.example> nrcpt=1",
	    "qmgr's from= with the forged line: a sender, nothing else");
	check("Dec  5 10:00:00 mx postfix/smtpd[9]: NOQUEUE: reject: RCPT from x[192.0.2.9]: 550 5.1.1 <v@example.net>: Recipient address rejected; from=<" FORGED_Q "> to=<v@example.net> proto=ESMTP helo=<x>",
	    "other smtpd", "smtpd's reject with it: nothing");
	check("Dec  5 10:00:00 mx bouncer[9]: message from <" FORGED "> ignored: not a bounce",
	    "-", "bouncer's line with it: nothing");
	check("Dec  5 10:00:00 mx postfix/pipe[9]: Q5: to=<bounces@example.com>, relay=bouncer, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (delivered via bouncer service (" FORGED "))",
	    "delivery pipe Q5 <bounces@example.com> 2.0.0 sent (delivered via bouncer service (" FORGED "))",
	    "a pipe delivery quoting it: the delivery to bouncer only");
	check("Dec  5 10:00:00 mx postfix/smtp[9]: Q6: to=<ok@example.org>, relay=mx, delay=1, dsn=2.0.0, status=sent (250 ok " FORGED ")",
	    "delivery smtp Q6 <ok@example.org> 2.0.0 sent (250 ok " FORGED ")",
	    "a remote reply quoting it: the one delivery, the reply free text");
	check("Dec  5 10:00:00 mx postfix/smtp[9]: Q7: to=<\"x>, relay=y, dsn=5.1.1, status=bounced (z\"@evil.example>" SENT,
	    "delivery smtp Q7 <x>, relay=y, dsn=5.1.1, status=bounced (z@evil.example> 2.0.0 sent (250 2.0.0 OK)",
	    "a recipient quoting fields: one address, the real status");
	check("Dec  5 10:00:00 mx postfix/smtp[9]: Q8: to=<a\"b@evil.example>" SENT,
	    "other smtp", "a bare quote in an address: unreadable, not ambiguous");
	check("Dec  5 10:00:00 mx postfix/smtp[9]: Q8: to=<a\001b@evil.example>" SENT,
	    "other smtp", "a control character in an address");

	/* cleanup and qmgr */
	check("Dec  5 10:00:00 mx postfix/cleanup[9]: Q9: message-id=<m1@sender.example>",
	    "msgid Q9 <m1@sender.example>", "cleanup's message-id");
	check("Dec  5 10:00:00 mx postfix/cleanup[9]: Q9: resent-message-id=<m1@sender.example>",
	    "other cleanup", "resent-message-id is not the Message-ID");
	check("Dec  5 10:00:00 mx postfix/cleanup[9]: Q9: message-id=<a@b> <c@d>",
	    "other cleanup", "two ids in the header: none taken");
	check("Dec  5 10:00:00 mx postfix/smtp[9]: Q9: message-id=<m1@sender.example>",
	    "other smtp", "message-id from another program");
	check("Dec  5 10:00:00 mx postfix/qmgr[9]: Q9: message-id=<m1@sender.example>",
	    "other qmgr", "... qmgr's neither");
	check("Dec  5 10:00:00 mx postfix/cleanup[9]: Q9: info: header X-Campaign: spring-sale from localhost[127.0.0.1]; from=<a@b> to=<c@d> proto=ESMTP helo=<x>",
	    "header Q9 X-Campaign: spring-sale", "header_checks INFO");
	check("Dec  5 10:00:00 mx postfix/cleanup[9]: Q9: info: header X-Campaign: x from evil; from=<" FORGED_Q "> to=<v@example.net> proto=ESMTP helo=<x>",
	    "header Q9 X-Campaign: x", "header_checks INFO with the forged sender: the header only");
	check("Dec  5 10:00:00 mx postfix/cleanup[9]: Q9: message-id=<m@x> to=<victim@example.net>, relay=x, delay=1, dsn=5.1.1, status=bounced (x)",
	    "other cleanup", "a Message-ID header carrying fields: nothing");
	check("Dec  5 10:00:00 mx postfix/cleanup[9]: Q9: message-id=<a>b@evil.example>",
	    "other cleanup", "a Message-ID with a stray >: nothing");
	check("Dec  5 10:00:00 mx postfix/qmgr[9]: Q9: from=<a@b>, relay=x, dsn=5.1.1, status=bounced (x)",
	    "other qmgr", "qmgr's from= not followed by size=: nothing");
	check("Dec  5 10:00:00 mx postfix/qmgr[9]: Q9: from=<news+spring@sender.example>, size=1200, nrcpt=3 (queue active)",
	    "from Q9 <news+spring@sender.example> nrcpt=3", "qmgr's from=, with the recipients' number");
	check("Dec  5 10:00:00 mx postfix/qmgr[9]: Q9: from=<\"x>, size=1, nrcpt=1 (queue active)\"@evil.example>, size=1200, nrcpt=5 (queue active)",
	    "from Q9 <x>, size=1, nrcpt=1 (queue active)@evil.example> nrcpt=5", "a sender that carries its own nrcpt=: the real one read");
	check("Dec  5 10:00:00 mx postfix/qmgr[9]: Q9: from=<a@b>, size=1200 (queue active)",
	    "from Q9 <a@b> nrcpt=0", "no nrcpt=: unknown (0)");
	check("Dec  5 10:00:00 mx postfix/qmgr[9]: Q9: from=<a@b>, size=1200, nrcpt=99999999999 (queue active)",
	    "from Q9 <a@b> nrcpt=0", "an nrcpt= too long to be Postfix's: unknown");
	check("Dec  5 10:00:00 mx postfix/qmgr[9]: Q9: from=<>, size=1200, nrcpt=1 (queue active)",
	    "from Q9 <> nrcpt=1", "the null sender");
	check("Dec  5 10:00:00 mx postfix/qmgr[9]: Q9: removed",
	    "removed Q9", "qmgr's removed");
	check("Dec  5 10:00:00 mx postfix/smtp[9]: Q9: removed",
	    "other smtp", "removed from smtp is nothing");
	return done_testing();
}
