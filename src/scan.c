/*
 * scan.c - recipients and diagnostics from human-readable bounces.
 *
 * There is no standard here, only habits, and QUIRKS.md lists those we
 * know. What generalises: the failed address opens a line (qmail's
 * "<user@dom>:", Exim's indented address, Sendmail's "<user@dom>...",
 * Postfix's old "<user@dom>: host said"), the reason follows it in the
 * same paragraph, and the copy of the original message begins at a
 * separator line that names it.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "scan.h"
#include "util.h"

/*
 * Phrases that open the returned copy of the original message. Matched
 * case-insensitively at the start of a line, after any dashes, spaces
 * or '>' quoting.
 */
static const char *orig_markers[] = {
	"this is a copy of the message",
	"below this line is a copy of the message",
	"original message follows",
	"original message",
	"the original message",
	"undelivered message",
	"unsent message below",
	"unsent message follows",	/* Sendmail */
	"returned message",
	"message text follows",
	"text of the original message",
	"forwarded message",
	"header of the original message",
	"headers of the original message",
	"original message header",
	"the header of the original message",
	"your message reads",
	"below is a copy of the original message",
	"a copy of the original message",
	"copy of the message",
	"this is a copy of your message",
	"content-type: message/rfc822",
	"included is a copy",
	"the following is a copy",
	"message headers follow",
	"original message headers",
	NULL
};

static const char *orig_headers_start[] = {
	"received: ", "return-path: ", "dkim-signature: ", "message-id: ",
	"x-originating-ip: ", "authentication-results: ", NULL
};

/*
 * is_marker_line - the rest of a line after a marker phrase is short
 * decoration ("follows", "-----", ":"), not a sentence like Sendmail's
 * "The original message was received at ...".
 */
static int
is_marker_line(const char *rest)
{
	size_t n = strcspn(rest, "\n");

	if (n > 40)
		return 0;
	for (; n > 0; n--, rest++)
		if (str_iprefix(rest, " was ") || str_iprefix(rest, " has ") ||
		    str_iprefix(rest, " could") || str_iprefix(rest, " to "))
			return 0;
	return 1;
}

size_t
scan_cut(const char *text)
{
	const char *line = text, *p, *nl;
	int seen_text = 0, i;

	while (*line) {
		nl = strchr(line, '\n');
		p = line;
		while (*p == '-' || *p == ' ' || *p == '\t' || *p == '>' ||
		    *p == '=' || *p == '*' || *p == '_')
			p++;
		/* every marker starts with one of these letters: skip the rest */
		for (i = 0; strchr("tbourmfhyaciTBOURMFHYACI", *p) && *p &&
		    orig_markers[i]; i++)
			if (str_iprefix(p, orig_markers[i]) &&
			    (p > line || seen_text) &&
			    is_marker_line(p + strlen(orig_markers[i])))
				return (size_t)(line - text);
		/* an inline header block, after some text */
		if (seen_text > 1)
			for (i = 0; orig_headers_start[i]; i++)
				if (str_iprefix(line, orig_headers_start[i]))
					return (size_t)(line - text);
		if (p != nl && *p != '\0' && *p != '\n' && *p != '\r')
			seen_text++;
		if (nl == NULL)
			break;
		line = nl + 1;
	}
	return strlen(text);
}

static const char *span_icase(const char *, size_t, const char *);

/* skip_addr - addresses that are the bounce's sender side, not a recipient */
static int
skip_addr(const char *a, char *const *skip, size_t nskip)
{
	static const char *daemons[] = {
		"mailer-daemon@", "postmaster@", "mail-daemon@",
		"mailerdaemon@", "mdaemon@", "no-reply@", "noreply@",
		"nobody@", "root@", NULL
	};
	size_t i;

	for (i = 0; daemons[i]; i++)
		if (str_iprefix(a, daemons[i]))
			return 1;
	for (i = 0; i < nskip; i++)
		if (skip[i] && strcmp(a, skip[i]) == 0)
			return 1;
	return 0;
}

/* in_sender_context - the address at p is an envelope sender or a header */
static int
in_sender_context(const char *text, const char *p)
{
	const char *ls = p, *q;
	size_t n;

	while (ls > text && ls[-1] != '\n')
		ls--;
	/* "MAIL FROM:<a@b>", "MAIL FROM: a@b" */
	for (q = p; q > ls && (q[-1] == '<' || q[-1] == ' '); q--)
		;
	n = (size_t)(q - ls);
	if (n >= 10 && strncasecmp(q - 10, "MAIL FROM:", 10) == 0)
		return 1;
	/* a header line, also where a notice lists them indented */
	while (*ls == ' ' || *ls == '\t')
		ls++;
	if (str_iprefix(ls, "From:") || str_iprefix(ls, "Reply-To:") ||
	    str_iprefix(ls, "Sender:") || str_iprefix(ls, "Return-Path:"))
		return 1;
	if (n >= 14 && str_icase(ls, "envelope-from") != NULL &&
	    str_icase(ls, "envelope-from") < p)
		return 1;
	return 0;
}

/*
 * help_address - in running text, an address the notice offers for help
 * ("If you need help, write to helpdesk@x", "contact support@x") is not a
 * recipient: a help cue in the words before it on its line, or a role
 * mailbox of the receiving side.
 */
static int
help_address(const char *text, const char *p, const char *a)
{
	static const char *cues[] = {
		"contact", "write to", "email us", "e-mail us", "mail us",
		"question", "help", NULL
	};
	static const char *roles[] = {
		"helpdesk@", "help@", "support@", "abuse@", "hostmaster@",
		"webmaster@", "admin@", "administrator@", "security@", "noc@",
		NULL
	};
	const char *ls = p;
	size_t i;

	for (i = 0; roles[i]; i++)
		if (str_iprefix(a, roles[i]))
			return 1;
	while (ls > text && ls[-1] != '\n' && p - ls < 60)
		ls--;
	for (i = 0; cues[i]; i++)
		if (span_icase(ls, (size_t)(p - ls), cues[i]) != NULL)
			return 1;
	return 0;
}

/* anchor_at - 1 when the address at p opens its line */
static int
anchor_at(const char *text, const char *p)
{
	const char *ls = p;

	while (ls > text && ls[-1] != '\n')
		ls--;
	while (ls < p && (*ls == ' ' || *ls == '\t' || *ls == '<' ||
	    *ls == '"' || *ls == '\'' || *ls == '*' || *ls == '>' ||
	    *ls == '-'))
		ls++;
	if (ls == p)
		return 1;
	/* "Recipient: a@b", "To: a@b", "Failed address: a@b" */
	if (p - ls < 40 && (p[-1] == ' ' || p[-1] == '<' || p[-1] == '\t')) {
		const char *c = memchr(ls, ':', (size_t)(p - ls));

		if (c != NULL && c + 3 >= p - 1 &&
		    (str_icase(ls, "recipient") == ls ||
		     str_icase(ls, "address") == ls ||
		     strncasecmp(ls, "to", 2) == 0 ||
		     (str_icase(ls, "address") != NULL &&
		      str_icase(ls, "address") < c) ||
		     (str_icase(ls, "recipient") != NULL &&
		      str_icase(ls, "recipient") < c)))
			return 1;
	}
	return 0;
}

/* span_icase - needle in the first n bytes of h, case ignored, or NULL */
static const char *
span_icase(const char *h, size_t n, const char *needle)
{
	size_t m = strlen(needle), i;

	for (i = 0; i + m <= n; i++)
		if (strncasecmp(h + i, needle, m) == 0)
			return h + i;
	return NULL;
}

/*
 * sendmail_entry - a line "NNN who... what" of a Sendmail transcript: a
 * reply code, then an address or "host (mailer)", then "... ".
 */
static int
sendmail_entry(const char *q, size_t k)
{
	const char *who = q + 4, *dots, *sp;
	size_t wlen;

	if (k < 8 || !isdigit((unsigned char)q[0]) ||
	    !isdigit((unsigned char)q[1]) || !isdigit((unsigned char)q[2]) ||
	    q[3] != ' ' || (dots = span_icase(who, k - 4, "... ")) == NULL)
		return 0;
	wlen = (size_t)(dots - who);
	if ((sp = memchr(who, ' ', wlen)) == NULL)
		return 1;
	return sp[1] == '(' && memchr(sp + 1, ' ', (size_t)(dots - sp - 1)) ==
	    NULL;
}

/* diag_at - the lines after the occurrence p of addr, or NULL */
static char *
diag_at(const char *text, const char *p, const char *addr)
{
	const char *s, *nl;
	struct sbuf d;
	size_t alen = strlen(addr);
	size_t label;
	int lines = 0, said = 0;

	sbuf_init(&d);
	/* "Invalid final delivery userid: a@b": the label is the reason */
	for (s = p; s > text && s[-1] != '\n'; s--)
		;
	while (s < p && (*s == ' ' || *s == '\t'))
		s++;
	if (p - s > 3 && !anchor_at(text, p)) {
		sbuf_addn(&d, s, (size_t)(p - s));
		while (d.len && strchr(" \t<\"'", d.s[d.len - 1]))
			d.s[--d.len] = '\0';
	}
	label = d.len;
	s = p + alen;
	while (*s == '>' || *s == '"' || *s == ':' || *s == '.' ||
	    *s == ' ' || *s == '\t' || *s == ',')
		s++;
	while (*s && d.len < SCAN_DIAG_MAX && lines < 12) {
		size_t n, k;
		const char *q;

		nl = strchr(s, '\n');
		n = nl ? (size_t)(nl - s) : strlen(s);
		q = s;
		k = n;
		while (k > 0 && (*q == ' ' || *q == '\t' || *q == '\r')) {
			q++;
			k--;
		}
		while (k > 0 && (q[k - 1] == '\r' || q[k - 1] == ' '))
			k--;
		/*
		 * "There was an error delivering your mail to <a@b>." and
		 * nothing more on its paragraph (DragonFly's dma): the reply
		 * is the next paragraph.
		 */
		if (k == 0 && lines == 1 && label > 0 && !said &&
		    d.len == label) {
			said = 1;
			lines = 0;
			if (nl == NULL)
				break;
			s = nl + 1;
			continue;
		}
		if (k == 0 && lines > 0)
			break;
		if ((lines > 0 || said) && k > 0) {
			/* the next recipient's paragraph begins */
			size_t al;
			const char *a2 = addr_scan(q, &al);

			/* (its own address again, as in Postfix's folded reply, is not) */
			if ((a2 == q || (a2 == q + 1 && (*q == '<' || *q == '"'))) &&
			    !(al == alen && strncasecmp(a2, addr, alen) == 0))
				break;
			/*
			 * Sendmail's transcript gives each address or host a line
			 * of its own, "554 <b@c>... Remote protocol error" or
			 * "550 c (smtp)... 550 Host unknown": another one is not
			 * this recipient's.
			 */
			if (sendmail_entry(q, k) && !span_icase(q, k, addr))
				break;
			/* and the session with the next host begins */
			if (k > 17 && strncasecmp(q, "While talking to ", 17) == 0)
				break;
		}
		if (k > 0) {
			if (d.len)
				sbuf_addc(&d, ' ');
			sbuf_addn(&d, q, k);
		}
		lines++;
		if (nl == NULL)
			break;
		s = nl + 1;
	}
	if (d.len == 0) {
		sbuf_free(&d);
		return NULL;
	}
	return sbuf_steal(&d);
}

char *
scan_diag_for(const char *text, const char *addr)
{
	const char *p;
	char *d;

	/*
	 * The first anchored occurrence that says something: Sendmail
	 * lists the address alone, then its transcript repeats it with
	 * the reply ("<a@b>... Deferred: Connection refused by mx").
	 * Else the first occurrence at all.
	 */
	for (p = str_icase(text, addr); p != NULL; p = str_icase(p + 1, addr))
		if (anchor_at(text, p) && (d = diag_at(text, p, addr)) != NULL)
			return d;
	if ((p = str_icase(text, addr)) == NULL)
		return NULL;
	return diag_at(text, p, addr);
}

char *
scan_said(const char *text)
{
	static const char *leads[] = {
		"The error that the other server returned was:",	/* Gmail */
		"The response from the remote server was:",		/* Gmail */
		"Remote host said:",					/* qmail */
		"-------server message",				/* m-FILTER */
		NULL
	};
	/* leads that name the SMTP phase, and so are kept */
	static const char *kept[] = {
		"SMTP error from remote mail server",			/* Exim */
		NULL
	};
	const char *p = NULL, *e;
	size_t i;

	for (i = 0; leads[i] && p == NULL; i++)
		if ((p = str_icase(text, leads[i])) != NULL)
			p += strlen(leads[i]);
	for (i = 0; kept[i] && p == NULL; i++)
		p = str_icase(text, kept[i]);
	if (p == NULL)
		return NULL;
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	/* to the end of its paragraph */
	for (e = p; *e && !(e[0] == '\n' && (e[1] == '\n' ||
	    (e[1] == '\r' && e[2] == '\n'))); e++)
		;
	while (e > p && (e[-1] == '\r' || e[-1] == ' '))
		e--;
	if (e == p || e - p > SCAN_DIAG_MAX)
		return NULL;
	return xstrndup(p, (size_t)(e - p));
}

static int
have_rcpt(const struct bounce *b, const char *a)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (b->r[i].recipient && strcmp(b->r[i].recipient, a) == 0)
			return 1;
	return 0;
}

static size_t
add_found(struct bounce *b, char *a)
{
	struct rcpt *r;

	if (have_rcpt(b, a) || (r = bounce_add_rcpt(b)) == NULL) {
		free(a);
		return 0;
	}
	r->recipient = a;
	r->raw_recipient = xstrdup(a);
	r->diagnostic_code = scan_diag_for(b->text, a);
	return 1;
}

/* add_list - recipients from a comma-separated header value */
static size_t
add_list(struct bounce *b, const char *v)
{
	const char *p = v;
	size_t len, added = 0;
	char *a;

	while ((p = addr_scan(p, &len)) != NULL) {
		char *tok = xstrndup(p, len);

		if ((a = addr_normalise(tok)) != NULL)
			added += add_found(b, a);
		free(tok);
		p += len;
	}
	return added;
}

size_t
scan_text(struct bounce *b, const struct field_list *h)
{
	char *skip[4] = { NULL, NULL, NULL, NULL };
	const char *text = b->text ? b->text : "", *p, *v;
	size_t len, added = 0, i;
	int pass;
	char *a;

	if ((v = fields_get(h, -1, "X-Failed-Recipients")) != NULL &&
	    (added = add_list(b, v)) > 0)
		return added;
	skip[0] = addr_normalise(b->from);
	skip[1] = addr_normalise(fields_get(h, -1, "To"));
	skip[2] = addr_normalise(b->orig_from);
	skip[3] = addr_normalise(b->pipe_sender);
	/* pass 0: addresses opening a line; pass 1: any address */
	for (pass = 0; pass < 2 && added == 0; pass++) {
		for (p = text; (p = addr_scan(p, &len)) != NULL; p += len) {
			char *tok;

			if (pass == 0 && !anchor_at(text, p))
				continue;
			if (in_sender_context(text, p))
				continue;
			tok = xstrndup(p, len);
			a = addr_normalise(tok);
			free(tok);
			if (a == NULL)
				continue;
			if (skip_addr(a, skip, 4) ||
			    (pass == 1 && help_address(text, p, a))) {
				free(a);
				continue;
			}
			added += add_found(b, a);
		}
	}
	for (i = 0; i < 4; i++)
		free(skip[i]);
	return added;
}

/* header_is - the header's value contains any of the words (case-insensitive) */
static int
header_has(const struct field_list *h, const char *name, const char **words)
{
	const char *v = fields_get(h, -1, name);
	int i;

	if (v == NULL)
		return 0;
	for (i = 0; words[i]; i++)
		if (str_icase(v, words[i]) != NULL)
			return 1;
	return 0;
}

int
scan_is_bounce(const struct field_list *h)
{
	static const char *from_words[] = {
		"mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon",
		"mail delivery", "mail administrator", "mdaemon", "mailmaster",
		"delivery subsystem", "mail.delivery", "post_master", NULL
	};
	static const char *subject_words[] = {
		"undeliver", "delivery status notification", "returned mail",
		"failure notice", "delivery failure", "delivery failed",
		"mail delivery failed", "non remis", "nondeliverable",
		"non-deliverable", "not delivered", "could not be delivered",
		"delivery notification", "mail system error", "returned to sender",
		"delivery problem", "rejected", "failed delivery", "bounce",
		"mail failure", "delivery error", "message not delivered",
		"notification d'etat", "unzustellbar", "warning: could not send",
		"delayed mail", "delivery has failed", "delivery report",
		NULL
	};

	if (fields_get(h, -1, "X-Failed-Recipients") != NULL)
		return 1;
	return header_has(h, "From", from_words) ||
	    header_has(h, "Subject", subject_words);
}

int
scan_text_is_bounce(const char *text)
{
	static const char *phrases[] = {
		"could not be delivered", "couldn't be delivered",
		"could not deliver", "was not delivered", "wasn't delivered",
		"undeliverable", "delivery failed", "delivery has failed",
		"delivery to the following recipient",
		"this is a permanent error", "following address(es) failed",
		"following addresses had permanent", "invalid user address",
		"unable to deliver", "message could not be sent",
		"returned mail:", "mail delivery failed", "failed to deliver",
		NULL
	};
	size_t i;

	for (i = 0; phrases[i]; i++)
		if (str_icase(text, phrases[i]) != NULL)
			return 1;
	return 0;
}

int
scan_is_autoreply(const struct field_list *h)
{
	static const char *subject_words[] = {
		"out of office", "out of the office", "automatic reply",
		"auto reply", "autoreply", "auto-reply", "auto:", "vacation",
		"abwesenheit", "absence", "away from", NULL
	};
	static const char *replied[] = { "auto-replied", NULL };
	static const char *prec[] = { "auto_reply", NULL };

	if (header_has(h, "Auto-Submitted", replied) ||
	    header_has(h, "Precedence", prec) ||
	    fields_get(h, -1, "X-Autoreply") != NULL ||
	    fields_get(h, -1, "X-Autorespond") != NULL)
		return 1;
	return header_has(h, "Subject", subject_words);
}
