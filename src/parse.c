/*
 * parse.c - put the reading modules together for one message.
 *
 * Order of belief: a delivery-status or feedback-report part says what
 * happened; failing that, DSN fields written into a text part; failing
 * that, the human-readable text of something whose headers say it is a
 * bounce. An auto-reply is recognised so that it is never taken for a
 * bounce of its sender.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "campaign.h"
#include "dsn.h"
#include "fields.h"
#include "mime.h"
#include "parse.h"
#include "scan.h"
#include "ses.h"
#include "util.h"
#include "verp.h"

static void
copy_headers(struct bounce *b, const struct field_list *h,
    const struct field_list *o)
{
	str_set(&b->from, fields_get(h, -1, "From"));
	str_set(&b->subject, fields_get(h, -1, "Subject"));
	str_set(&b->date, fields_get(h, -1, "Date"));
	str_set(&b->message_id, fields_get(h, -1, "Message-ID"));
	str_set(&b->orig_message_id, fields_get(o, -1, "Message-ID"));
	str_set(&b->orig_from, fields_get(o, -1, "From"));
	str_set(&b->orig_to, fields_get(o, -1, "To"));
	str_set(&b->orig_subject, fields_get(o, -1, "Subject"));
	str_set(&b->orig_date, fields_get(o, -1, "Date"));
	str_set(&b->orig_list_id, fields_get(o, -1, "List-Id"));
	str_set(&b->orig_return_path, fields_get(o, -1, "Return-Path"));
}

/*
 * inline_orig_headers - a text bounce quotes the original message after
 * a separator; read its header block for correlation.
 */
static void
inline_orig_headers(const char *text, size_t cut, struct field_list *o)
{
	const char *p = text + cut, *nl, *end;

	if (*p == '\0')
		return;
	/* skip the separator line itself and blank lines */
	if ((nl = strchr(p, '\n')) == NULL)
		return;
	p = nl + 1;
	while (*p == '\n' || *p == '\r')
		p++;
	if ((end = strstr(p, "\n\n")) == NULL)
		end = p + strlen(p);
	if (end - p > 65536)
		end = p + 65536;
	fields_parse(p, (size_t)(end - p), o);
}

/* fill_missing - DSN recipients without a usable address */
static void
fill_missing(struct bounce *b, const struct field_list *h)
{
	struct bounce t;
	size_t i, j = 0;

	for (i = 0; i < b->n; i++)
		if (b->r[i].recipient == NULL)
			break;
	if (i == b->n)
		return;
	memset(&t, 0, sizeof(t));
	t.text = b->text;
	t.from = b->from;
	t.orig_from = b->orig_from;
	scan_text(&t, h);
	for (i = 0; i < b->n && j < t.n; i++)
		if (b->r[i].recipient == NULL) {
			b->r[i].recipient = t.r[j].recipient;
			t.r[j++].recipient = NULL;
		}
	t.text = t.from = t.orig_from = NULL;
	bounce_free(&t);
}

/* add_single - one recipient from an address-bearing header value */
static int
add_single(struct bounce *b, const char *v)
{
	struct rcpt *r;
	char *a;

	if (v == NULL || (a = addr_normalise(v)) == NULL)
		return 0;
	if ((r = bounce_add_rcpt(b)) == NULL) {
		free(a);
		return 0;
	}
	r->recipient = a;
	r->raw_recipient = xstrdup(v);
	return 1;
}

/*
 * text_action - a text bounce has no Action field; its words say whether
 * it is a final failure or a warning that delivery is still being tried.
 */
static void
text_action(struct bounce *b)
{
	static const char *delayed[] = {
		"has been delayed", "have been delayed", "will be retried",
		"warning message only", "delivery delayed", "not yet been delivered",
		"still trying", "will keep trying", "will continue trying",
		"delivery is delayed", NULL
	};
	const char *act = "failed";
	size_t i;

	for (i = 0; delayed[i]; i++)
		if (str_icase(b->text, delayed[i]) != NULL) {
			act = "delayed";
			break;
		}
	for (i = 0; i < b->n; i++)
		if (b->r[i].action == NULL)
			b->r[i].action = xstrdup(act);
}

/*
 * apply_verp - the return path this report came back to names the one
 * recipient of the original message. Where the report's own recipient
 * is missing, rewritten by forwarding or different, the VERP address is
 * the one to act on; the report's is kept to be shown.
 */
static void
apply_verp(struct bounce *b, const struct parse_opts *o,
    const struct field_list *h)
{
	const char *delims = o && o->verp_delims ? o->verp_delims : "+=";
	const char *src[4];
	size_t i;
	int k;

	src[0] = b->pipe_recipient;
	src[1] = fields_get(h, -1, "To");
	src[2] = b->kind == BOUNCE_ARF ? b->original_mail_from : NULL;
	src[3] = b->kind == BOUNCE_ARF ? b->orig_return_path : NULL;
	for (k = 0; k < 4 && b->verp == NULL; k++)
		if (src[k] && (b->verp = verp_decode(src[k], delims, NULL,
		    NULL)) != NULL)
			b->verp_source = xstrdup(src[k]);
	if (b->verp == NULL)
		return;
	for (i = 0; i < b->n; i++)
		if (b->r[i].recipient && strcmp(b->r[i].recipient, b->verp) == 0)
			return;		/* the report agrees */
	if (b->n == 0 && b->kind == BOUNCE_ARF)
		add_single(b, b->verp);
	/* one original recipient: act on the first report recipient's verdict */
	if (b->n == 0)
		return;
	bounce_keep(b, 1);	/* the others are not who this names */
	b->r[0].dsn_recipient = b->r[0].recipient ? b->r[0].recipient :
	    xstrdup("");
	b->r[0].recipient = xstrdup(b->verp);
}

/* is_unsubscribe - rcpt (may be NULL) is an unsubscribe address */
static int
is_unsubscribe(const struct parse_opts *o, const char *rcpt)
{
	const char *delims = o->verp_delims ? o->verp_delims : "+=";
	size_t n;

	if (o->unsub_prefix == NULL || o->unsub_prefix[0] == '\0' ||
	    rcpt == NULL)
		return 0;
	n = strlen(o->unsub_prefix);
	return strncasecmp(rcpt, o->unsub_prefix, n) == 0 &&
	    rcpt[n] == delims[0];
}

/*
 * unsub_header - without pipe(8)'s recipient (a replay of saved mail), the
 * address a message came to as its headers say: Postfix's Delivered-To
 * or X-Original-To, else To; an unsubscribe address (caller frees) or
 * NULL. Without this a mail client's request, sent for the user and
 * marked Auto-Submitted (RFC 3834), would be read as an auto-reply.
 */
static char *
unsub_header(const struct parse_opts *o, const struct field_list *h)
{
	static const char *names[] = { "Delivered-To", "X-Original-To", "To" };
	size_t i;
	char *a;

	if (o->recipient != NULL)
		return NULL;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *v = fields_get(h, -1, names[i]);

		if (v == NULL || (a = addr_normalise(v)) == NULL)
			continue;
		if (is_unsubscribe(o, a))
			return a;
		free(a);
	}
	return NULL;
}

/*
 * evidence - what our own MTA says of the report itself: the DKIM
 * signatures that passed there, and whether it came with the null
 * envelope sender. Postfix's cleanup drops a Return-Path field that
 * comes with the mail (message_drop_headers) and pipe(8)'s R flag writes
 * its own, so one at the top is the MTA's, not the sender's.
 */
static void
evidence(struct bounce *b, const struct parse_opts *o,
    const struct mime_result *mr, const struct field_list *h)
{
	const char *rp;

	if (o == NULL)
		return;
	authres_read(mr->headers, strlen(mr->headers), o->authserv_id,
	    &b->auth);
	if (o->sender != NULL)
		b->null_sender = strchr(o->sender, '@') == NULL;
	else if ((rp = fields_get(h, -1, "Return-Path")) != NULL)
		b->null_sender = strcmp(rp, "<>") == 0;
}

/*
 * parse_unsubscribe - a message to a recipient's unsubscribe address
 * (List-Unsubscribe: <mailto:unsubscribe+alice=example.net@bounces...>,
 * RFC 2369). What it says does not matter, only where it was sent: the
 * address is the same VERP (and signature) as a return path, so the
 * same trust applies. Its headers are read when they can be, for the
 * Message-ID that deduplicates it and the date.
 */
static enum parse_status
parse_unsubscribe(const char *buf, size_t len, const struct parse_opts *o,
    const char *to, struct bounce *b, const char **why)
{
	struct mime_result mr;
	struct field_list h, none;
	const char *w;

	memset(&h, 0, sizeof(h));
	memset(&none, 0, sizeof(none));
	b->kind = BOUNCE_UNSUBSCRIBE;
	str_set(&b->pipe_sender, o->sender);
	str_set(&b->pipe_recipient, o->recipient);
	if (mime_parse(buf, len, &mr, &w) == 0) {
		fields_parse(mr.headers, strlen(mr.headers), &h);
		copy_headers(b, &h, &none);
		/* unsigned requests need it (ingest.c, authres.h) */
		evidence(b, o, &mr, &h);
		b->when = mr.date;
		fields_free(&h);
		mime_result_free(&mr);
	}
	b->verp = verp_decode(to, o->verp_delims ? o->verp_delims : "+=", NULL,
	    NULL);
	if (b->verp == NULL || !add_single(b, b->verp)) {
		*why = "an unsubscribe request, but its address names no "
		    "recipient";
		return PARSE_BROKEN;
	}
	b->verp_source = xstrdup(to);
	str_set(&b->feedback_type, "opt-out");
	return PARSE_OK;
}

/* find_campaign - the returned message's header, else the VERP prefix */
static void
find_campaign(struct bounce *b, const struct parse_opts *opts,
    const struct field_list *o)
{
	if (opts == NULL)
		return;
	if (opts->campaign_header)
		b->campaign = campaign_from_header(fields_get(o, -1,
		    opts->campaign_header));
	if (b->campaign == NULL && opts->campaign_verp && b->verp != NULL)
		b->campaign = campaign_from_verp(b->verp_source,
		    opts->verp_delims ? opts->verp_delims : "+=");
}

enum parse_status
parse_message(const char *buf, size_t len, const struct parse_opts *opts,
    struct bounce *b, const char **why)
{
	struct mime_result mr;
	struct field_list h, o, f;
	enum parse_status st = PARSE_NOTBOUNCE;
	const char *v;
	char *unsub;
	size_t i, cut, arflen;
	int have_dsn = 0, have_arf = 0;

	memset(&h, 0, sizeof(h));
	memset(&o, 0, sizeof(o));
	memset(&f, 0, sizeof(f));
	if (opts && is_unsubscribe(opts, opts->recipient))
		return parse_unsubscribe(buf, len, opts, opts->recipient, b,
		    why);
	if (mime_parse(buf, len, &mr, why) == -1)
		return PARSE_BROKEN;
	if (opts) {
		str_set(&b->pipe_sender, opts->sender);
		str_set(&b->pipe_recipient, opts->recipient);
	}
	fields_parse(mr.headers, strlen(mr.headers), &h);
	if (opts && (unsub = unsub_header(opts, &h)) != NULL) {
		fields_free(&h);
		mime_result_free(&mr);
		st = parse_unsubscribe(buf, len, opts, unsub, b, why);
		free(unsub);
		return st;
	}
	evidence(b, opts, &mr, &h);
	if (mr.orig_headers)
		fields_parse(mr.orig_headers, strlen(mr.orig_headers), &o);
	cut = scan_cut(mr.text);
	if (o.n == 0)
		inline_orig_headers(mr.text, cut, &o);
	b->text = xstrndup(mr.text, cut < SCAN_TEXT_MAX ? cut : SCAN_TEXT_MAX);
	copy_headers(b, &h, &o);
	b->when = mr.date;
	b->truncated = mr.pruned || h.truncated;

	for (i = 0; i < mr.nreports; i++) {
		fields_free(&f);
		fields_parse(mr.reports[i].text, mr.reports[i].len, &f);
		b->truncated |= f.truncated;
		if (mr.reports[i].type == MIME_REPORT_ARF) {
			arf_collect(&f, b);
			have_arf = 1;
		} else {
			dsn_collect(&f, b);
			have_dsn = 1;
		}
	}
	if (!have_arf && !have_dsn &&
	    (v = arf_looks_like(mr.text, &arflen)) != NULL) {
		/* a feedback report's fields in a text part: a complaint
		 * still, never an auto-reply (QUIRKS.md) */
		fields_free(&f);
		fields_parse(v, arflen, &f);
		arf_collect(&f, b);
		have_arf = 1;
	}
	if (have_arf) {
		b->kind = BOUNCE_ARF;
		if (b->n == 0 && opts && opts->rcpt_header)
			add_single(b, fields_get(&o, -1, opts->rcpt_header));
		if (b->n == 0)
			add_single(b, b->orig_to);
		st = PARSE_OK;
		goto out;
	}
	if (!have_dsn && ses_collect(mr.text, b) > 0) {
		st = PARSE_OK;
		goto out;
	}
	if (!have_dsn && dsn_looks_like(mr.text)) {
		/* DSN fields in a text/plain part: old gateways do this */
		fields_free(&f);
		fields_parse(mr.text, strlen(mr.text), &f);
		if (dsn_collect(&f, b) > 0)
			have_dsn = 1;
	}
	if (have_dsn && b->n > 0) {
		b->kind = BOUNCE_DSN;
		fill_missing(b, &h);
		st = PARSE_OK;
		goto out;
	}
	if (have_dsn && b->n == 0 && scan_text(b, &h) > 0) {
		b->kind = BOUNCE_TEXT;
		st = PARSE_OK;
		goto out;
	}
	/* a report (a complaint, a DSN) is never an auto-reply */
	if (!have_dsn && !(mr.report_type &&
	    (strcmp(mr.report_type, "feedback-report") == 0 ||
	    strcmp(mr.report_type, "delivery-status") == 0)) &&
	    scan_is_autoreply(&h) && !scan_is_bounce(&h)) {
		b->kind = BOUNCE_AUTOREPLY;
		add_single(b, b->from);
		st = PARSE_OK;
		goto out;
	}
	if (!have_dsn && (v = fields_get(&o, -1,
	    "X-HmXmrOriginalRecipient")) != NULL) {
		/* Microsoft's JMRP complaint: the original, no ARF part */
		b->kind = BOUNCE_ARF;
		str_set(&b->feedback_type, "abuse");
		add_single(b, v);
		st = b->n > 0 ? PARSE_OK : PARSE_BROKEN;
		*why = "a complaint, but its recipient is not a valid address";
		goto out;
	}
	if (have_dsn || scan_is_bounce(&h) || scan_text_is_bounce(b->text) ||
	    (mr.report_type && strcmp(mr.report_type, "delivery-status") == 0)) {
		b->kind = BOUNCE_TEXT;
		if (scan_text(b, &h) == 0 && !add_single(b, b->orig_to)) {
			*why = "a bounce, but no recipient could be found in it";
			st = PARSE_BROKEN;
			goto out;
		}
		st = PARSE_OK;
	}
out:
	if (st == PARSE_OK) {
		apply_verp(b, opts, &h);
		find_campaign(b, opts, &o);
	}
	if (st == PARSE_OK && b->n == 0) {
		*why = b->kind == BOUNCE_ARF ? "a complaint, but no recipient "
		    "could be found in it (see recipient_header)" :
		    "a report, but no recipient could be found in it";
		st = PARSE_BROKEN;
	}
	if (b->kind == BOUNCE_TEXT)
		text_action(b);
	/* each recipient's own paragraph of the readable text, for rules */
	for (i = 0; i < b->n; i++)
		if (b->r[i].recipient && b->kind != BOUNCE_ARF)
			b->r[i].text_diag = scan_diag_for(b->text,
			    b->r[i].recipient);
	/* a lone recipient named alone: the reply the notice quotes is its */
	if (b->n == 1 && b->kind == BOUNCE_TEXT && b->r[0].text_diag == NULL &&
	    b->r[0].diagnostic_code == NULL && b->text != NULL)
		b->r[0].text_diag = scan_said(b->text);
	fields_free(&f);
	fields_free(&o);
	fields_free(&h);
	mime_result_free(&mr);
	return st;
}
