/*
 * ses.c - Amazon SES notifications, mapped onto the DSN and ARF fields.
 *
 * Bounce: bouncedRecipients[] carry emailAddress, action, status and
 * diagnosticCode, the same words as RFC 3464. Complaint:
 * complainedRecipients[] with complaintFeedbackType (the ARF
 * Feedback-Type). Delivery: delivery.recipients[] with smtpResponse.
 */
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "dsn.h"
#include "jsonv.h"
#include "ses.h"
#include "util.h"

static struct rcpt *
add(struct bounce *b, const char *addr)
{
	struct rcpt *r;
	char *a;

	if ((a = addr_normalise(addr)) == NULL)
		return NULL;
	if ((r = bounce_add_rcpt(b)) == NULL) {
		free(a);
		return NULL;
	}
	r->recipient = a;
	r->raw_recipient = xstrdup(addr);
	return r;
}

int
ses_collect(const char *text, struct bounce *b)
{
	const struct jv *t, *list, *o, *mail;
	struct jv *j;
	const char *type, *inner, *p = text;
	struct rcpt *r;
	size_t i;
	int n = 0;

	while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
		p++;
	if (*p != '{' || strstr(p, "Type\"") == NULL)
		return -1;
	if ((j = jv_parse(p, strlen(p), NULL, NULL, 0)) == NULL)
		return -1;
	if ((inner = jv_str(jv_get(j, "Message"))) != NULL &&
	    jv_str(jv_get(j, "Type")) != NULL) {
		/* a raw SNS envelope: the notification is a string inside */
		struct jv *m = jv_parse(inner, strlen(inner), NULL, NULL, 0);

		jv_free(j);
		if ((j = m) == NULL)
			return -1;
	}
	type = jv_str(jv_get(j, "notificationType"));
	if (type == NULL)
		type = jv_str(jv_get(j, "eventType"));
	mail = jv_get(j, "mail");
	if (type == NULL || mail == NULL) {
		jv_free(j);
		return -1;
	}
	str_set(&b->orig_message_id, jv_str(jv_get(mail, "messageId")));
	if (strcmp(type, "Bounce") == 0) {
		t = jv_get(j, "bounce");
		b->kind = BOUNCE_DSN;
		if (jv_str(jv_get(t, "reportingMTA")))
			str_set(&b->reporting_mta,
			    dsn_strip_type(jv_str(jv_get(t, "reportingMTA"))));
		list = jv_get(t, "bouncedRecipients");
		for (i = 0; list && list->type == JV_ARR && i < list->n; i++) {
			o = list->v[i];
			if ((r = add(b, jv_str(jv_get(o, "emailAddress")))) == NULL)
				continue;
			str_set(&r->action, jv_str(jv_get(o, "action")));
			str_set(&r->status, jv_str(jv_get(o, "status")));
			dsn_set_diagnostic(r, jv_str(jv_get(o, "diagnosticCode")));
			n++;
		}
	} else if (strcmp(type, "Complaint") == 0) {
		t = jv_get(j, "complaint");
		b->kind = BOUNCE_ARF;
		str_set(&b->feedback_type,
		    jv_str(jv_get(t, "complaintFeedbackType")));
		str_set(&b->user_agent, jv_str(jv_get(t, "userAgent")));
		list = jv_get(t, "complainedRecipients");
		for (i = 0; list && list->type == JV_ARR && i < list->n; i++)
			if (add(b, jv_str(jv_get(list->v[i], "emailAddress"))))
				n++;
	} else if (strcmp(type, "Delivery") == 0) {
		t = jv_get(j, "delivery");
		b->kind = BOUNCE_DSN;
		str_set(&b->reporting_mta, jv_str(jv_get(t, "reportingMTA")));
		list = jv_get(t, "recipients");
		for (i = 0; list && list->type == JV_ARR && i < list->n; i++) {
			if ((r = add(b, jv_str(list->v[i]))) == NULL)
				continue;
			str_set(&r->action, "delivered");
			dsn_set_diagnostic(r, jv_str(jv_get(t, "smtpResponse")));
			n++;
		}
	} else
		n = -1;
	jv_free(j);
	return n;
}
