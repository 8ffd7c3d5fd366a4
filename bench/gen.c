/*
 * gen.c - synthetic bounces for the scale benchmark: N messages as an
 * mbox on stdout, rotating over the formats of Postfix, Exim, qmail,
 * Sendmail, Gmail and ARF complaints, and over many reasons. Every
 * message has its own Message-ID and recipient.
 * usage: gen N [SEED]
 */
#include <stdio.h>
#include <stdlib.h>

static const struct {
	const char *status;
	const char *diag;
} reasons[] = {
	{ "5.1.1", "550 5.1.1 <%s>: Recipient address rejected: User unknown in virtual mailbox table" },
	{ "5.1.1", "550-5.1.1 The email account that you tried to reach does not exist." },
	{ "4.2.2", "452 4.2.2 Mailbox full" },
	{ "5.2.2", "552 5.2.2 <%s>: mailbox is over quota" },
	{ "5.7.1", "554 5.7.1 Service unavailable; Client host [203.0.113.9] blocked using zen.spamhaus.org" },
	{ "5.7.26", "550 5.7.26 Unauthenticated email from sender.example is not accepted due to domain's DMARC policy" },
	{ "4.7.0", "421 4.7.0 [TSS04] Messages from 203.0.113.9 temporarily deferred due to unexpected volume or user complaints" },
	{ "5.1.2", "550 5.1.2 Host or domain name not found. Name service error for name=%s type=MX" },
	{ "5.7.1", "550 5.7.1 Message rejected as spam by Content Filtering" },
	{ "4.4.1", "connect to mx.slow.example[192.0.2.80]:25: Connection timed out" },
	{ "5.3.4", "552 5.3.4 Message size exceeds fixed maximum message size" },
	{ "5.2.1", "550 5.2.1 The email account that you tried to reach is disabled" },
	{ "4.7.1", "450 4.7.1 Client host rejected: cannot find your reverse hostname, [203.0.113.9]" },
	{ "5.0.0", "550 Relaying denied" },
	{ "5.1.6", "550 5.1.6 Recipient addresses in this domain have moved" },
};
#define NREASONS (sizeof(reasons) / sizeof(reasons[0]))

static void
headers(long i, const char *subject, const char *ct)
{
	printf("From MAILER-DAEMON Mon Nov 23 10:00:00 2026\n"
	    "Return-Path: <>\nFrom: MAILER-DAEMON@mx%ld.gen.example\n"
	    "To: bounce+r%ld=d%ld.example@bounces.sender.example\n"
	    "Subject: %s\nDate: Mon, 23 Nov 2026 10:%02ld:%02ld +0000\n"
	    "Message-Id: <gen-%ld@mx.gen.example>\nMIME-Version: 1.0\n%s\n\n",
	    i % 7, i, i % 500, subject, (i / 60) % 60, i % 60, i, ct);
}

static void
original(long i, const char *rcpt)
{
	printf("Return-Path: <bounce+r%ld=d%ld.example@bounces.sender.example>\n"
	    "From: News <news@sender.example>\nTo: %s\n"
	    "Subject: Newsletter %ld\nMessage-ID: <nl-%ld@sender.example>\n"
	    "Date: Mon, 23 Nov 2026 09:00:00 +0000\n", i, i % 500, rcpt, i, i);
}

int
main(int argc, char **argv)
{
	long n, i;
	char rcpt[64], diag[512];

	if (argc < 2 || (n = atol(argv[1])) < 1)
		return 64;
	srand(argc > 2 ? (unsigned)atoi(argv[2]) : 1);
	for (i = 0; i < n; i++) {
		int r = rand() % (int)NREASONS, style = (int)(i % 6);

		snprintf(rcpt, sizeof(rcpt), "r%ld@d%ld.example", i, i % 500);
		snprintf(diag, sizeof(diag), reasons[r].diag, rcpt);
		switch (style) {
		case 0:	/* Postfix */
		case 3:	/* Sendmail */
		case 4:	/* Gmail */
			headers(i, style == 3 ? "Returned mail: see transcript for details" :
			    style == 4 ? "Delivery Status Notification (Failure)" :
			    "Undelivered Mail Returned to Sender",
			    "Content-Type: multipart/report; report-type=delivery-status;\n"
			    "\tboundary=\"BND\"");
			printf("This is a MIME-encapsulated message.\n\n--BND\n"
			    "Content-Type: text/plain; charset=us-ascii\n\n"
			    "This is the mail system at host mx.gen.example.\n\n"
			    "I'm sorry to have to inform you that your message could not\n"
			    "be delivered to one or more recipients.\n\n"
			    "<%s>: host mx.d%ld.example[192.0.2.%ld] said: %s\n\n"
			    "--BND\nContent-Type: message/delivery-status\n\n"
			    "Reporting-MTA: dns; mx.gen.example\n%s%.0lX%s"
			    "Arrival-Date: Mon, 23 Nov 2026 09:00:00 +0000\n\n"
			    "Final-Recipient: rfc822; %s\nOriginal-Recipient: rfc822;%s\n"
			    "Action: %s\nStatus: %s\nRemote-MTA: dns; mx.d%ld.example\n"
			    "Diagnostic-Code: smtp; %s\n\n--BND\n"
			    "Content-Type: text/rfc822-headers\n\n",
			    rcpt, i % 500, i % 250, diag,
			    style == 0 ? "X-Postfix-Queue-ID: " : "", style == 0 ? i + 0x10000 : 0L, style == 0 ? "\n" : "",
			    rcpt, rcpt, reasons[r].status[0] == '4' && i % 3 ?
			    "delayed" : "failed", reasons[r].status, i % 500, diag);
			original(i, rcpt);
			printf("\n--BND--\n\n");
			break;
		case 1:	/* Exim */
			headers(i, "Mail delivery failed: returning message to sender",
			    "X-Failed-Recipients: dummy\nContent-Type: text/plain");
			printf("This message was created automatically by mail delivery software.\n\n"
			    "A message that you sent could not be delivered to one or more of its\n"
			    "recipients. This is a permanent error. The following address(es) failed:\n\n"
			    "  %s\n    host mx.d%ld.example [192.0.2.7]\n"
			    "    SMTP error from remote mail server after RCPT TO:<%s>:\n    %s\n\n"
			    "------ This is a copy of the message, including all the headers. ------\n\n",
			    rcpt, i % 500, rcpt, diag);
			original(i, rcpt);
			printf("\nHello\n\n");
			break;
		case 2:	/* qmail */
			headers(i, "failure notice", "Content-Type: text/plain");
			printf("Hi. This is the qmail-send program at mx.gen.example.\n"
			    "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
			    "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
			    "<%s>:\n192.0.2.3 does not like recipient.\nRemote host said: %s\n"
			    "Giving up on 192.0.2.3.\n\n--- Below this line is a copy of the message.\n\n",
			    rcpt, diag);
			original(i, rcpt);
			printf("\nHello\n\n");
			break;
		default: /* ARF */
			headers(i, "Complaint", "Content-Type: multipart/report; "
			    "report-type=feedback-report; boundary=\"ARF\"");
			printf("--ARF\nContent-Type: text/plain\n\nAn abuse report.\n\n"
			    "--ARF\nContent-Type: message/feedback-report\n\n"
			    "Feedback-Type: abuse\nUser-Agent: GenFBL/1.0\nVersion: 1\n"
			    "Original-Mail-From: <bounce+r%ld=d%ld.example@bounces.sender.example>\n"
			    "Original-Rcpt-To: <%s>\nSource-IP: 203.0.113.9\n\n"
			    "--ARF\nContent-Type: message/rfc822\n\n", i, i % 500, rcpt);
			original(i, rcpt);
			printf("\nBuy now\n\n--ARF--\n\n");
		}
	}
	return 0;
}
