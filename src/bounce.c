/*
 * bounce.c - the parsed-bounce record: growth and release.
 */
#include <stdlib.h>
#include <string.h>

#include "bounce.h"
#include "util.h"

struct rcpt *
bounce_add_rcpt(struct bounce *b)
{
	if (b->n >= BOUNCE_RCPT_MAX) {
		b->truncated = 1;
		return NULL;
	}
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 4;
		b->r = xrealloc(b->r, b->cap * sizeof(*b->r));
	}
	memset(&b->r[b->n], 0, sizeof(b->r[b->n]));
	return &b->r[b->n++];
}

static void
rcpt_free(struct rcpt *r)
{
	free(r->recipient);
	free(r->raw_recipient);
	free(r->original_recipient);
	free(r->action);
	free(r->status);
	free(r->remote_mta);
	free(r->diagnostic_type);
	free(r->mta_category);
	free(r->diagnostic_code);
	free(r->last_attempt_date);
	free(r->will_retry_until);
	free(r->final_log_id);
	free(r->text_diag);
	free(r->dsn_recipient);
}

void
bounce_keep(struct bounce *b, size_t n)
{
	while (b->n > n)
		rcpt_free(&b->r[--b->n]);
}

void
bounce_free(struct bounce *b)
{
	char **strs[] = {
		&b->reporting_mta, &b->original_envelope_id, &b->arrival_date,
		&b->dsn_gateway, &b->received_from_mta, &b->postfix_queue_id,
		&b->postfix_sender, &b->from, &b->subject, &b->date,
		&b->message_id, &b->text, &b->orig_message_id, &b->orig_from,
		&b->orig_to, &b->orig_subject, &b->orig_date, &b->orig_list_id,
		&b->orig_return_path, &b->feedback_type, &b->user_agent,
		&b->arf_version, &b->original_mail_from, &b->original_rcpt_to,
		&b->source_ip, &b->reported_domain, &b->reported_uri,
		&b->auth_results, &b->pipe_sender, &b->pipe_recipient,
		&b->verp_source, &b->verp, &b->campaign,
	};
	size_t i;

	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		free(*strs[i]);
	for (i = 0; i < b->n; i++)
		rcpt_free(&b->r[i]);
	free(b->r);
	authres_free(&b->auth);
	memset(b, 0, sizeof(*b));
}

const char *
bounce_kind_name(enum bounce_kind k)
{
	switch (k) {
	case BOUNCE_DSN:	return "dsn";
	case BOUNCE_TEXT:	return "text";
	case BOUNCE_ARF:	return "arf";
	case BOUNCE_AUTOREPLY:	return "autoreply";
	case BOUNCE_UNSUBSCRIBE: return "unsubscribe";
	default:		return "none";
	}
}
