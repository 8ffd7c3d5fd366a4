/*
 * dsn.c - RFC 3464 and RFC 5965 field blocks into bounce records.
 *
 * The fields arrive in blocks (fields.c); RFC 3464 says the first block
 * is per-message and each later one is one recipient, but MTAs omit the
 * blank lines, repeat recipients inside a block and put fields in any
 * order. So we decide by field name: per-message fields go to the
 * message wherever they appear, and a recipient starts at a new block
 * with recipient fields or at a repeated Final-Recipient.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "dsn.h"
#include "util.h"

static const char *rcpt_fields[] = {
	"Original-Recipient", "Final-Recipient", "Action", "Status",
	"Remote-MTA", "Diagnostic-Code", "Last-Attempt-Date",
	"Will-Retry-Until", "Final-Log-ID", "X-Actual-Recipient",
	"X-PowerMTA-BounceCategory", NULL
};

static int
is_rcpt_field(const char *name)
{
	int i;

	for (i = 0; rcpt_fields[i]; i++)
		if (strcasecmp(name, rcpt_fields[i]) == 0)
			return 1;
	return 0;
}

const char *
dsn_strip_type(const char *v)
{
	const char *p = strchr(v, ';');

	if (p == NULL)
		return v;
	while (*++p == ' ' || *p == '\t')
		;
	return p;
}

static void
set_once(char **dst, const char *v)
{
	if (*dst == NULL && !str_empty(v))
		*dst = xstrdup(v);
}

/* set_msg_field - a per-message field; 1 if name was one */
static int
set_msg_field(struct bounce *b, const char *name, const char *v)
{
	static const struct {
		const char *name;
		size_t off;
		int strip;
	} map[] = {
		{ "Reporting-MTA", offsetof(struct bounce, reporting_mta), 1 },
		{ "Original-Envelope-Id",
		    offsetof(struct bounce, original_envelope_id), 0 },
		{ "Arrival-Date", offsetof(struct bounce, arrival_date), 0 },
		{ "DSN-Gateway", offsetof(struct bounce, dsn_gateway), 1 },
		{ "Received-From-MTA",
		    offsetof(struct bounce, received_from_mta), 1 },
		{ "X-Postfix-Queue-ID",
		    offsetof(struct bounce, postfix_queue_id), 0 },
		{ "X-Postfix-Sender", offsetof(struct bounce, postfix_sender), 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcasecmp(name, map[i].name) != 0)
			continue;
		set_once((char **)((char *)b + map[i].off),
		    map[i].strip ? dsn_strip_type(v) : v);
		return 1;
	}
	return 0;
}

static void
set_rcpt_field(struct rcpt *r, const char *name, const char *v)
{
	if (strcasecmp(name, "Final-Recipient") == 0) {
		set_once(&r->raw_recipient, v);
		if (r->recipient == NULL)
			r->recipient = addr_normalise(v);
	} else if (strcasecmp(name, "X-Actual-Recipient") == 0) {
		/* after aliasing; used only when Final-Recipient is unusable */
		if (r->recipient == NULL)
			r->recipient = addr_normalise(v);
	} else if (strcasecmp(name, "Original-Recipient") == 0)
		set_once(&r->original_recipient, dsn_strip_type(v));
	else if (strcasecmp(name, "Action") == 0) {
		if (r->action == NULL && !str_empty(v)) {
			r->action = xstrdup(v);
			str_lower(r->action);
			/* "failed (bad address)" happens */
			r->action[strcspn(r->action, " \t(;")] = '\0';
		}
	} else if (strcasecmp(name, "Status") == 0)
		set_once(&r->status, v);
	else if (strcasecmp(name, "Remote-MTA") == 0)
		set_once(&r->remote_mta, dsn_strip_type(v));
	else if (strcasecmp(name, "Diagnostic-Code") == 0)
		dsn_set_diagnostic(r, v);
	else if (strcasecmp(name, "Last-Attempt-Date") == 0)
		set_once(&r->last_attempt_date, v);
	else if (strcasecmp(name, "Will-Retry-Until") == 0)
		set_once(&r->will_retry_until, v);
	else if (strcasecmp(name, "Final-Log-ID") == 0)
		set_once(&r->final_log_id, v);
	else if (strcasecmp(name, "X-PowerMTA-BounceCategory") == 0)
		set_once(&r->mta_category, v);
}

void
dsn_set_diagnostic(struct rcpt *r, const char *v)
{
	const char *p;

	if (r->diagnostic_code != NULL || str_empty(v))
		return;
	/* "smtp; 550 ...": a short type without spaces before the ';' */
	if ((p = strchr(v, ';')) != NULL && p - v < 32 &&
	    memchr(v, ' ', (size_t)(p - v)) == NULL) {
		r->diagnostic_type = xstrndup(v, (size_t)(p - v));
		r->diagnostic_code = str_trim(xstrdup(p + 1));
	} else
		r->diagnostic_code = xstrdup(v);
}

size_t
dsn_collect(const struct field_list *l, struct bounce *b)
{
	struct rcpt *cur = NULL;
	int curblock = -1;
	size_t i, added = 0;

	for (i = 0; i < l->n; i++) {
		const struct field *f = &l->f[i];
		int start = 0;

		if (f->value == NULL)
			continue;
		if (set_msg_field(b, f->name, f->value) || !is_rcpt_field(f->name))
			continue;
		start = cur == NULL || f->block != curblock ||
		    (strcasecmp(f->name, "Final-Recipient") == 0 &&
		    cur->raw_recipient != NULL) ||
		    (strcasecmp(f->name, "Original-Recipient") == 0 &&
		    cur->original_recipient != NULL);
		if (start) {
			if ((cur = bounce_add_rcpt(b)) == NULL)
				break;
			curblock = f->block;
			added++;
		}
		set_rcpt_field(cur, f->name, f->value);
	}
	return added;
}

/* span_has - needle, case ignored, in the n bytes at h */
static int
span_has(const char *h, size_t n, const char *needle)
{
	size_t m = strlen(needle), i;

	for (i = 0; i + m <= n; i++)
		if (strncasecmp(h + i, needle, m) == 0)
			return 1;
	return 0;
}

int
dsn_looks_like(const char *text)
{
	const char *p;

	if (text == NULL)
		return 0;
	for (p = text; (p = str_icase(p, "Final-Recipient:")) != NULL; p++)
		if (p == text || p[-1] == '\n')
			return str_icase(text, "\nStatus:") != NULL ||
			    str_icase(text, "\nAction:") != NULL;
	return 0;
}

const char *
arf_looks_like(const char *text, size_t *len)
{
	const char *p, *e;

	if (text == NULL)
		return NULL;
	for (p = text; (p = str_icase(p, "Feedback-Type:")) != NULL; p++) {
		if (p != text && p[-1] != '\n')
			continue;
		/* the block ends at the first blank line */
		for (e = p; *e && !(e[0] == '\n' && (e[1] == '\n' ||
		    (e[1] == '\r' && e[2] == '\n'))); e++)
			;
		*len = (size_t)(e - p);
		if (span_has(p, *len, "\nVersion:") ||
		    span_has(p, *len, "\nUser-Agent:"))
			return p;
	}
	return NULL;
}

size_t
arf_collect(const struct field_list *l, struct bounce *b)
{
	static const struct {
		const char *name;
		size_t off;
		int strip;	/* drop an "dns;" type prefix */
	} map[] = {
		{ "Feedback-Type", offsetof(struct bounce, feedback_type), 0 },
		{ "User-Agent", offsetof(struct bounce, user_agent), 0 },
		{ "Version", offsetof(struct bounce, arf_version), 0 },
		{ "Original-Mail-From",
		    offsetof(struct bounce, original_mail_from), 0 },
		{ "Arrival-Date", offsetof(struct bounce, arrival_date), 0 },
		{ "Received-Date", offsetof(struct bounce, arrival_date), 0 },
		{ "Source-IP", offsetof(struct bounce, source_ip), 0 },
		{ "Reported-Domain", offsetof(struct bounce, reported_domain), 0 },
		{ "Reported-URI", offsetof(struct bounce, reported_uri), 0 },
		{ "Authentication-Results",
		    offsetof(struct bounce, auth_results), 0 },
		{ "Reporting-MTA", offsetof(struct bounce, reporting_mta), 1 },
	};
	size_t i, j, added = 0;
	struct rcpt *r;
	char *a;

	for (i = 0; i < l->n; i++) {
		const struct field *f = &l->f[i];

		if (f->value == NULL)
			continue;
		for (j = 0; j < sizeof(map) / sizeof(map[0]); j++)
			if (strcasecmp(f->name, map[j].name) == 0)
				set_once((char **)((char *)b + map[j].off),
				    map[j].strip ? dsn_strip_type(f->value) :
				    f->value);
		if (strcasecmp(f->name, "Original-Rcpt-To") != 0 &&
		    strcasecmp(f->name, "Removal-Recipient") != 0)
			continue;
		if (b->original_rcpt_to == NULL)
			b->original_rcpt_to = xstrdup(f->value);
		if ((a = addr_normalise(f->value)) == NULL)
			continue;	/* redacted: found elsewhere later */
		if ((r = bounce_add_rcpt(b)) == NULL) {
			free(a);
			break;
		}
		r->recipient = a;
		r->raw_recipient = xstrdup(f->value);
		added++;
	}
	if (b->feedback_type != NULL) {
		str_lower(b->feedback_type);
		str_trim(b->feedback_type);
	}
	return added;
}
