/*
 * logline.h - one line of Postfix's log, read by its structure only.
 *
 * A line is a syslog header (a time, a host), a tag naming the program
 * (postfix[-instance][/name...]/program[pid], as Postfix's syslog_name
 * and process name make it), and the program's message, whose fields
 * come in the order Postfix writes them (src/global/log_adhoc.c,
 * src/global/opened.c, src/cleanup/cleanup_message.c). Nothing is looked
 * for anywhere else: a program that is not Postfix's (bouncer's own
 * lines, which repeat what strangers wrote) says nothing; only delivery
 * agents' lines are deliveries, only cleanup's "message-id=" gives a
 * Message-ID, only qmgr's "from=" a sender; the free text a field
 * carries (the remote server's reply in status=... (...), an envelope
 * sender) is never searched for other fields.
 */
#ifndef BOUNCER_LOGLINE_H
#define BOUNCER_LOGLINE_H

#include <stddef.h>
#include <time.h>

enum logline_kind {
	LOGLINE_OTHER = 0,	/* nothing bouncer reads */
	LOGLINE_DELIVERY,	/* QID: to=<...>, ..., dsn=, status= (...) */
	LOGLINE_MSGID,		/* cleanup: QID: message-id=<...> */
	LOGLINE_HEADER,		/* cleanup: QID: info: header NAME: VALUE from */
	LOGLINE_FROM,		/* qmgr: QID: from=<...>, size=N, nrcpt=N */
	LOGLINE_REMOVED		/* qmgr: QID: removed */
};

#define LOGLINE_ADDR_MAX	512
#define LOGLINE_TEXT_MAX	2048

struct logline {
	enum logline_kind kind;
	time_t	 time;		/* from the header; the caller's now if none */
	char	 program[32];	/* smtp, lmtp, cleanup, qmgr, ... */
	char	 qid[32];
	/* LOGLINE_DELIVERY */
	char	 rcpt[LOGLINE_ADDR_MAX];	/* unquoted (internal form) */
	char	 relay[256];
	char	 dsn[16];	/* d.ddd.ddd */
	char	 status[16];	/* sent, bounced, deferred, ... */
	char	 text[LOGLINE_TEXT_MAX];	/* the reason, free text */
	/* LOGLINE_MSGID: the Message-ID without <>; LOGLINE_HEADER: the
	   header's value; LOGLINE_FROM: the sender, unquoted */
	char	 value[LOGLINE_TEXT_MAX];
	char	 name[128];	/* LOGLINE_HEADER: the header's name */
	long	 nrcpt;		/* LOGLINE_FROM: the queue file's recipients */
};

/*
 * logline_parse - a whole log line (no newline) as syslog, rsyslog's
 * RFC 3339 form, Postfix's maillog_file (postlog) or journalctl's
 * short forms write it; now dates a header that has no year. Returns 0
 * and fills l (kind may be LOGLINE_OTHER) when the header and tag are
 * Postfix's, -1 when the line is not a Postfix program's.
 */
int	logline_parse(const char *, time_t, struct logline *);
/*
 * logline_message - the same from a tag (the journal's
 * SYSLOG_IDENTIFIER, "postfix/smtp") and a message (MESSAGE) given
 * apart, and a time
 */
int	logline_message(const char *, const char *, time_t, struct logline *);
/*
 * logline_delivery_agent - 1 when program is one of Postfix's delivery
 * agents (smtp, lmtp, local, virtual, pipe, error, retry, discard)
 */
int	logline_delivery_agent(const char *);

#endif
