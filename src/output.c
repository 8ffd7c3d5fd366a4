/*
 * output.c - --explain and --json renderings of a classified bounce.
 *
 * Everything printed comes from an untrusted message: JSON strings are
 * escaped in full (control bytes, invalid UTF-8), and the readable form
 * replaces control bytes so a message cannot drive the terminal.
 */
#include <stdio.h>
#include <string.h>

#include "output.h"

/* utf8_len - length of a valid UTF-8 sequence at p, or 0 */
static size_t
utf8_len(const unsigned char *p)
{
	size_t n, i;
	unsigned int cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

void
json_str(struct sbuf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n;

	sbuf_addc(b, '"');
	while (*p) {
		if (*p == '"' || *p == '\\') {
			sbuf_addc(b, '\\');
			sbuf_addc(b, (char)*p++);
		} else if (*p == '\n') {
			sbuf_add(b, "\\n");
			p++;
		} else if (*p == '\t') {
			sbuf_add(b, "\\t");
			p++;
		} else if (*p == '\r') {
			sbuf_add(b, "\\r");
			p++;
		} else if (*p < 0x20 || *p == 0x7f) {
			sbuf_printf(b, "\\u%04x", *p++);
		} else if ((n = utf8_len(p)) == 0) {
			sbuf_add(b, "\\ufffd");
			p++;
		} else {
			sbuf_addn(b, (const char *)p, n);
			p += n;
		}
	}
	sbuf_addc(b, '"');
}

static void
kv(struct sbuf *b, const char *k, const char *v)
{
	if (b->len > 1)
		sbuf_addc(b, ',');
	json_str(b, k);
	sbuf_addc(b, ':');
	json_str(b, v ? v : "");
}

void
output_json(FILE *fp, const struct bounce *b)
{
	struct sbuf o;
	size_t i;

	sbuf_init(&o);
	for (i = 0; i < b->n; i++) {
		const struct rcpt *r = &b->r[i];

		sbuf_addc(&o, '{');
		kv(&o, "recipient", r->recipient);
		kv(&o, "original_recipient", r->original_recipient);
		kv(&o, "action", r->action);
		kv(&o, "status", r->v.status);
		kv(&o, "replycode", r->v.replycode);
		kv(&o, "reason", r->v.reason);
		kv(&o, "class", r->v.class);
		kv(&o, "rule", r->v.rule);
		kv(&o, "diagnostic_type", r->diagnostic_type);
		kv(&o, "diagnostic_code", r->diagnostic_code);
		kv(&o, "reporting_mta", b->reporting_mta);
		kv(&o, "remote_mta", r->remote_mta);
		kv(&o, "kind", bounce_kind_name(b->kind));
		kv(&o, "dsn_status", r->status);
		kv(&o, "last_attempt_date", r->last_attempt_date);
		kv(&o, "will_retry_until", r->will_retry_until);
		kv(&o, "arrival_date", b->arrival_date);
		kv(&o, "envelope_id", b->original_envelope_id);
		kv(&o, "queue_id", b->postfix_queue_id);
		kv(&o, "postfix_sender", b->postfix_sender);
		kv(&o, "message_id", b->orig_message_id);
		kv(&o, "orig_from", b->orig_from);
		kv(&o, "orig_to", b->orig_to);
		kv(&o, "orig_subject", b->orig_subject);
		kv(&o, "orig_date", b->orig_date);
		kv(&o, "list_id", b->orig_list_id);
		kv(&o, "feedback_type", b->feedback_type);
		kv(&o, "user_agent", b->user_agent);
		kv(&o, "source_ip", b->source_ip);
		kv(&o, "verp", b->verp);
		kv(&o, "dsn_recipient", r->dsn_recipient);
		kv(&o, "signature", b->signature);
		kv(&o, "trust", r->trust);
		kv(&o, "sender", b->pipe_sender);
		kv(&o, "pipe_recipient", b->pipe_recipient);
		sbuf_add(&o, "}\n");
		fputs(o.s, fp);
		o.len = 0;
		o.s[0] = '\0';
	}
	sbuf_free(&o);
}

/* line - "  label: value", control bytes shown as '?' */
static void
line(FILE *fp, const char *label, const char *v)
{
	const unsigned char *p;

	if (v == NULL || *v == '\0')
		return;
	fprintf(fp, "  %-18s ", label);
	for (p = (const unsigned char *)v; *p; p++)
		fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, fp);
	fputc('\n', fp);
}

void
output_explain(FILE *fp, const struct bounce *b)
{
	size_t i;

	fprintf(fp, "message: %s, %zu recipient%s%s\n",
	    bounce_kind_name(b->kind), b->n, b->n == 1 ? "" : "s",
	    b->truncated ? " (limits reached: input partly ignored)" : "");
	line(fp, "reporting-mta:", b->reporting_mta);
	line(fp, "arrival-date:", b->arrival_date);
	line(fp, "queue-id:", b->postfix_queue_id);
	line(fp, "envelope-id:", b->original_envelope_id);
	line(fp, "dsn-gateway:", b->dsn_gateway);
	line(fp, "received-from-mta:", b->received_from_mta);
	line(fp, "postfix-sender:", b->postfix_sender);
	line(fp, "pipe sender:", b->pipe_sender);
	line(fp, "pipe recipient:", b->pipe_recipient);
	line(fp, "verp recipient:", b->verp);
	line(fp, "return path:", b->verp_source);
	line(fp, "signature:", b->signature);
	if (b->unverified)
		line(fp, "verdict:", "unverified: this report suppresses nobody");
	line(fp, "feedback-type:", b->feedback_type);
	line(fp, "user-agent:", b->user_agent);
	line(fp, "source-ip:", b->source_ip);
	line(fp, "reported-domain:", b->reported_domain);
	line(fp, "original mail from:", b->original_mail_from);
	line(fp, "original id:", b->orig_message_id);
	line(fp, "original from:", b->orig_from);
	line(fp, "original to:", b->orig_to);
	line(fp, "original subject:", b->orig_subject);
	line(fp, "original date:", b->orig_date);
	line(fp, "list-id:", b->orig_list_id);
	for (i = 0; i < b->n; i++) {
		const struct rcpt *r = &b->r[i];
		char st[48];

		fprintf(fp, "\nrecipient %zu: %s\n", i + 1,
		    r->recipient ? r->recipient : "(unknown)");
		line(fp, "class:", r->v.class);
		line(fp, "reason:", r->v.reason);
		snprintf(st, sizeof(st), "%s%s%s%s", r->v.status,
		    r->v.replycode[0] ? " (reply " : "", r->v.replycode,
		    r->v.replycode[0] ? ")" : "");
		line(fp, "status:", st);
		line(fp, "rule:", r->v.rule);
		line(fp, "trust:", r->trust);
		line(fp, "action:", r->action);
		line(fp, "dsn status:", r->status);
		line(fp, "original-recipient:", r->original_recipient);
		if (r->dsn_recipient)
			line(fp, "report says:", *r->dsn_recipient ?
			    r->dsn_recipient : "(no recipient)");
		line(fp, "diagnostic-type:", r->diagnostic_type);
		line(fp, "diagnostic-code:", r->diagnostic_code);
		line(fp, "remote-mta:", r->remote_mta);
		line(fp, "last-attempt-date:", r->last_attempt_date);
		line(fp, "will-retry-until:", r->will_retry_until);
	}
}
