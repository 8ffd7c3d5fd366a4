/*
 * logline.c - Postfix's log lines by their structure (logline.h).
 *
 * The formats, from Postfix's source (3.x):
 *   header   "Mmm dd hh:mm:ss host " (syslog; postlog's msg_logger.c
 *            writes the day zero-padded), "YYYY-MM-DDThh:mm:ss[.frac]
 *            (Z|+hh:mm|+hhmm) host " (rsyslog's RFC 3339, journalctl
 *            -o short-iso), "Mmm dd hh:mm:ss.frac host " (short-precise)
 *   tag      syslog_name "/" process name "[" pid "]: ", where
 *            syslog_name is "postfix", "postfix-INSTANCE" (multi-instance)
 *            or either followed by "/name" (master.cf's -o
 *            syslog_name=postfix/$service_name)
 *   delivery log_adhoc.c: "QID: to=<ADDR>[, orig_to=<ADDR>], relay=R
 *            [, conn_use=N], delay=D, delays=A/B/C/D[, tls=...],
 *            dsn=X.Y.Z, status=S (REASON)"
 *   sender   opened.c: "QID: from=<ADDR>, size=N, nrcpt=N (queue active)"
 *   msgid    cleanup_message.c: "QID: message-id=<ID>" (the header's
 *            value as written, so only "<ID>" alone is taken)
 *   header   cleanup_act_log(): "QID: info: header NAME: VALUE from
 *            ORIGIN; from=<...> ..."
 * ADDR is quote_822_local()'s external form: a local part that is not a
 * dot-string is a quoted-string, '"' and '\' escaped with '\'. A line that
 * departs from its form says nothing (LOGLINE_OTHER).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "logline.h"

static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

/* digits - n decimal digits at p into *v; 0 when they are */
static int
digits(const char *p, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		*v = *v * 10 + (p[i] - '0');
	}
	return 0;
}

/* hms - "hh:mm:ss" into tm */
static int
hms(const char *p, struct tm *tm)
{
	if (digits(p, 2, &tm->tm_hour) == -1 || p[2] != ':' ||
	    digits(p + 3, 2, &tm->tm_min) == -1 || p[5] != ':' ||
	    digits(p + 6, 2, &tm->tm_sec) == -1 || tm->tm_hour > 23 ||
	    tm->tm_min > 59 || tm->tm_sec > 60)
		return -1;
	return 0;
}

/* fraction - skip ".digits" */
static const char *
fraction(const char *p)
{
	if (*p == '.' && p[1] >= '0' && p[1] <= '9')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	return p;
}

/*
 * header_time - the time at the start of l; *rest is after the header's
 * time and the space after it. -1 when l starts with no known form.
 */
static int
header_time(const char *l, time_t now, time_t *t, const char **rest)
{
	struct tm tm, nt;
	const char *p, *m;
	int v, hh, mm, sign;

	memset(&tm, 0, sizeof(tm));
	/* RFC 3339 */
	if (digits(l, 4, &v) == 0 && l[4] == '-') {
		tm.tm_year = v - 1900;
		if (digits(l + 5, 2, &tm.tm_mon) == -1 || l[7] != '-' ||
		    digits(l + 8, 2, &tm.tm_mday) == -1 || l[10] != 'T' ||
		    hms(l + 11, &tm) == -1 || tm.tm_mon < 1 || tm.tm_mon > 12 ||
		    tm.tm_mday < 1 || tm.tm_mday > 31)
			return -1;
		tm.tm_mon--;
		p = fraction(l + 19);
		*t = timegm(&tm);
		if (*p == 'Z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			sign = *p == '+' ? 1 : -1;
			if (digits(p + 1, 2, &hh) == -1)
				return -1;
			if (p[3] == ':' && digits(p + 4, 2, &mm) == 0)
				p += 6;
			else if (digits(p + 3, 2, &mm) == 0)
				p += 5;
			else
				return -1;
			*t -= sign * (hh * 3600 + mm * 60);
		} else
			return -1;
		if (*p != ' ')
			return -1;
		*rest = p + 1;
		return 0;
	}
	/* "Mmm dd hh:mm:ss" or "Mmm  d hh:mm:ss", then maybe ".frac" */
	for (m = months; *m; m += 3)
		if (strncmp(l, m, 3) == 0)
			break;
	if (*m == '\0' || l[3] != ' ')
		return -1;
	tm.tm_mon = (int)(m - months) / 3;
	if (l[4] == ' ' && digits(l + 5, 1, &tm.tm_mday) == 0)
		;
	else if (digits(l + 4, 2, &tm.tm_mday) == -1)
		return -1;
	if (tm.tm_mday < 1 || tm.tm_mday > 31 || l[6] != ' ' ||
	    hms(l + 7, &tm) == -1)
		return -1;
	p = fraction(l + 15);
	if (*p != ' ')
		return -1;
	gmtime_r(&now, &nt);
	tm.tm_year = nt.tm_year;
	*t = timegm(&tm);
	if (*t > now + 86400) {		/* December's lines read in January */
		tm.tm_year--;
		*t = timegm(&tm);
	}
	*rest = p + 1;
	return 0;
}

/* namechar - a character of a syslog_name part or a program name */
static int
namechar(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

/*
 * tag - a Postfix tag at p, ending where end points (exclusive): the
 * first part "postfix" or "postfix-INSTANCE", the last the program
 */
static int
tag(const char *p, const char *end, struct logline *l)
{
	const char *last = NULL, *q;
	size_t n;

	if ((size_t)(end - p) < 9 || strncmp(p, "postfix", 7) != 0 ||
	    (p[7] != '/' && p[7] != '-'))
		return -1;
	for (q = p + 7; q < end; q++) {
		if (*q == '/') {
			if (q + 1 >= end || !namechar((unsigned char)q[1]))
				return -1;
			last = q + 1;
		} else if (!namechar((unsigned char)*q))
			return -1;
	}
	if (last == NULL || (n = (size_t)(end - last)) >= sizeof(l->program))
		return -1;
	memcpy(l->program, last, n);
	l->program[n] = '\0';
	return 0;
}

/*
 * qid - "QID: " at p (1 to 31 letters and digits: Postfix's short and
 * long queue IDs, mail_queue.h), the rest after it; never a word Postfix
 * puts in that place instead (a severity, "NOQUEUE", "statistics")
 */
static const char *
qid(const char *p, struct logline *l)
{
	static const char *words[] = { "warning", "error", "fatal", "panic",
	    "info", "debug", "NOQUEUE", "statistics", NULL };
	size_t n = 0;
	int i;

	while (n < sizeof(l->qid) && ((p[n] >= '0' && p[n] <= '9') ||
	    (p[n] >= 'A' && p[n] <= 'Z') || (p[n] >= 'a' && p[n] <= 'z')))
		n++;
	if (n == 0 || n >= sizeof(l->qid) || p[n] != ':' || p[n + 1] != ' ')
		return NULL;
	for (i = 0; words[i]; i++)
		if (strlen(words[i]) == n && strncmp(p, words[i], n) == 0)
			return NULL;
	memcpy(l->qid, p, n);
	l->qid[n] = '\0';
	return p + n + 2;
}

/*
 * addr - "<ADDR>" at p in Postfix's external form, unquoted into out;
 * the rest after '>', or NULL. An unquoted local part or a domain with a
 * character that quoting would have covered (under info_log_address_format
 * = internal, an address can be anything) makes the line unreadable
 * rather than ambiguous.
 */
static const char *
addr(const char *p, char *out, size_t len)
{
	size_t n = 0;

	if (*p++ != '<')
		return NULL;
	if (*p == '"') {
		for (p++; *p != '"'; p++) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			if (*p == '\0' || (unsigned char)*p < 0x20 ||
			    n + 1 >= len)
				return NULL;
			out[n++] = *p;
		}
		p++;
		if (*p != '@' && *p != '>')
			return NULL;
	}
	for (; *p != '>'; p++) {
		if (*p == '\0' || *p == '<' || *p == '"' || *p == ' ' ||
		    *p == '\\' || (unsigned char)*p < 0x20 || n + 1 >= len)
			return NULL;
		out[n++] = *p;
	}
	out[n] = '\0';
	return p + 1;
}

/* word - characters of set at p into out (1 to len - 1 of them) */
static const char *
word(const char *p, const char *set, char *out, size_t len)
{
	size_t n = strspn(p, set);

	if (n == 0 || n >= len)
		return NULL;
	memcpy(out, p, n);
	out[n] = '\0';
	return p + n;
}

#define LOWER	"abcdefghijklmnopqrstuvwxyz"
#define DIGITS	"0123456789"
/* a relay: host[address]:port, none, local, a transport name ... */
#define RELAYCH	LOWER "ABCDEFGHIJKLMNOPQRSTUVWXYZ" DIGITS ".-_[]:/"

/* dsn - "d.d{1,3}.d{1,3}" (RFC 3463) */
static const char *
dsn(const char *p, char *out, size_t len)
{
	const char *q = p;
	size_t a, b;

	if (*q < '2' || *q > '5' || q[1] != '.')
		return NULL;
	q += 2;
	if ((a = strspn(q, DIGITS)) < 1 || a > 3 || q[a] != '.')
		return NULL;
	q += a + 1;
	if ((b = strspn(q, DIGITS)) < 1 || b > 3 || (size_t)(q + b - p) >= len)
		return NULL;
	q += b;
	memcpy(out, p, (size_t)(q - p));
	out[q - p] = '\0';
	return q;
}

/*
 * delivery - log_adhoc()'s fields after "QID: ". Between relay= and
 * dsn= come only the performance fields (conn_use, delay, delays, tls),
 * whose values have neither a space nor a comma.
 */
static int
delivery(const char *p, struct logline *l)
{
	char skip[LOGLINE_ADDR_MAX];
	const char *v;
	size_t n;

	if (strncmp(p, "to=", 3) != 0 ||
	    (p = addr(p + 3, l->rcpt, sizeof(l->rcpt))) == NULL ||
	    l->rcpt[0] == '\0')
		return -1;
	if (strncmp(p, ", orig_to=", 10) == 0 &&
	    (p = addr(p + 10, skip, sizeof(skip))) == NULL)
		return -1;
	if (strncmp(p, ", relay=", 8) != 0 ||
	    (p = word(p + 8, RELAYCH, l->relay, sizeof(l->relay))) == NULL)
		return -1;
	while (strncmp(p, ", dsn=", 6) != 0) {
		if (strncmp(p, ", ", 2) != 0)
			return -1;
		p += 2;
		if (strncmp(p, "conn_use=", 9) == 0)
			v = p + 9;
		else if (strncmp(p, "delay=", 6) == 0)
			v = p + 6;
		else if (strncmp(p, "delays=", 7) == 0)
			v = p + 7;
		else if (strncmp(p, "tls=", 4) == 0)
			v = p + 4;
		else
			return -1;
		if ((n = strcspn(v, ", ")) == 0 || v[n] != ',')
			return -1;
		p = v + n;
	}
	if ((p = dsn(p + 6, l->dsn, sizeof(l->dsn))) == NULL ||
	    strncmp(p, ", status=", 9) != 0 ||
	    (p = word(p + 9, LOWER, l->status, sizeof(l->status))) == NULL ||
	    strncmp(p, " (", 2) != 0)
		return -1;
	/* the reason: free text to the end of the line, its ')' removed */
	p += 2;
	n = strlen(p);
	if (n > 0 && p[n - 1] == ')')
		n--;
	if (n >= sizeof(l->text))
		n = sizeof(l->text) - 1;
	memcpy(l->text, p, n);
	l->text[n] = '\0';
	l->kind = LOGLINE_DELIVERY;
	return 0;
}

/* msgid - cleanup's "message-id=<ID>": exactly one <ID>, nothing after */
static int
msgid(const char *p, struct logline *l)
{
	size_t n;

	if (strncmp(p, "message-id=<", 12) != 0)
		return -1;
	p += 12;
	n = strcspn(p, "<> \t");
	if (n == 0 || n >= sizeof(l->value) || p[n] != '>' || p[n + 1] != '\0')
		return -1;
	memcpy(l->value, p, n);
	l->value[n] = '\0';
	l->kind = LOGLINE_MSGID;
	return 0;
}

/*
 * header_info - cleanup's header_checks INFO: "info: header NAME: VALUE
 * from ORIGIN;". The value is the message's (the sending application's,
 * for mail we send); it ends at the first " from ".
 */
static int
header_info(const char *p, struct logline *l)
{
	const char *e;

	if (strncmp(p, "info: header ", 13) != 0)
		return -1;
	p += 13;
	if ((p = word(p, LOWER "ABCDEFGHIJKLMNOPQRSTUVWXYZ" DIGITS "-_",
	    l->name, sizeof(l->name))) == NULL || *p != ':')
		return -1;
	p++;
	p += strspn(p, " \t");
	if ((e = strstr(p, " from ")) == NULL ||
	    (size_t)(e - p) >= sizeof(l->value))
		return -1;
	memcpy(l->value, p, (size_t)(e - p));
	l->value[e - p] = '\0';
	l->kind = LOGLINE_HEADER;
	return 0;
}

/*
 * from - opened.c's "from=<ADDR>, size=N, nrcpt=N". nrcpt is the number
 * of recipients the queue file was written with (qmgr_message.c reads it
 * from the size record before the sender), logged before any delivery:
 * 0 when the line has none.
 */
static int
from(const char *p, struct logline *l)
{
	long n = 0;
	int k;

	if (strncmp(p, "from=", 5) != 0 ||
	    (p = addr(p + 5, l->value, sizeof(l->value))) == NULL ||
	    strncmp(p, ", size=", 7) != 0)
		return -1;
	l->kind = LOGLINE_FROM;
	for (p += 7; *p >= '0' && *p <= '9'; p++)
		;
	if (strncmp(p, ", nrcpt=", 8) != 0)
		return 0;
	for (p += 8, k = 0; *p >= '0' && *p <= '9' && k < 9; p++, k++)
		n = n * 10 + (*p - '0');
	if (k > 0 && k < 9 && (*p == ' ' || *p == '\0'))
		l->nrcpt = n;
	return 0;
}

int
logline_delivery_agent(const char *prog)
{
	static const char *agents[] = { "smtp", "lmtp", "local", "virtual",
	    "pipe", "error", "retry", "discard", NULL };
	int i;

	for (i = 0; agents[i]; i++)
		if (strcmp(prog, agents[i]) == 0)
			return 1;
	return 0;
}

/* body - the message of a Postfix program, once its tag is known */
static void
body(const char *m, struct logline *l)
{
	const char *p;

	if ((p = qid(m, l)) == NULL)
		return;
	if (logline_delivery_agent(l->program))
		(void)delivery(p, l);
	else if (strcmp(l->program, "cleanup") == 0) {
		if (msgid(p, l) == -1)
			(void)header_info(p, l);
	} else if (strcmp(l->program, "qmgr") == 0) {
		if (strcmp(p, "removed") == 0)
			l->kind = LOGLINE_REMOVED;
		else
			(void)from(p, l);
	}
	if (l->kind == LOGLINE_OTHER)
		l->qid[0] = '\0';
}

static void
reset(struct logline *l, time_t t)
{
	l->kind = LOGLINE_OTHER;
	l->time = t;
	l->program[0] = l->qid[0] = l->rcpt[0] = l->relay[0] = '\0';
	l->dsn[0] = l->status[0] = l->text[0] = l->value[0] = '\0';
	l->name[0] = '\0';
	l->nrcpt = 0;
}

int
logline_parse(const char *line, time_t now, struct logline *l)
{
	const char *p, *host, *t, *br, *e;
	time_t when;

	reset(l, now);
	if (header_time(line, now, &when, &p) == -1)
		return -1;
	l->time = when;
	/* the host: one word */
	host = p;
	p += strcspn(p, " ");
	if (p == host || *p != ' ')
		return -1;
	/* the tag: up to "[pid]: " */
	t = p + 1;
	if ((br = strchr(t, '[')) == NULL)
		return -1;
	e = br + 1;
	if (strspn(e, DIGITS) < 1 || strspn(e, DIGITS) > 10)
		return -1;
	e += strspn(e, DIGITS);
	if (e[0] != ']' || e[1] != ':' || e[2] != ' ' ||
	    tag(t, br, l) == -1)
		return -1;
	body(e + 3, l);
	return 0;
}

int
logline_message(const char *ident, const char *msg, time_t t,
    struct logline *l)
{
	reset(l, t);
	if (tag(ident, ident + strlen(ident), l) == -1)
		return -1;
	body(msg, l);
	return 0;
}
