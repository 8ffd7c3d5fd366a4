/*
 * classify.c - reason and class for one recipient: the order in which
 * the evidence decides (classify.h), the SMTP phase, the report's kind
 * and Action. What the rules match is classify_rules.c's, what the codes
 * say classify_codes.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "classify.h"
#include "classify_codes.h"
#include "util.h"

/* of the whole readable text: the reason sits in its first lines */
#define CONTEXT_MAX	2048

/* size_reason - the reason is about the message's size */
static int
size_reason(const char *reason)
{
	return strcmp(reason, "mesgtoobig") == 0 ||
	    strcmp(reason, "exceedlimit") == 0;
}

/*
 * pick_status - the Status field, unless it is missing, generic or less
 * specific than a code of the same class in the diagnostic text.
 */
static void
pick_status(const struct classifier *c, const char *field, const char *diag,
    struct verdict *v)
{
	char f[16] = "", d[16] = "";
	const char *use;

	if (field)
		classifier_find_status(c, field, f, sizeof(f));
	classifier_find_status(c, diag, d, sizeof(d));
	/* the field, unless the text's code of the same class says more */
	use = f[0] && d[0] && (f[0] == d[0] || code_specificity(f) == 0) &&
	    code_specificity(d) > code_specificity(f) ? d : f[0] ? f : d;
	snprintf(v->status, sizeof(v->status), "%s", use);
	classifier_find_reply(c, diag, v->replycode, sizeof(v->replycode));
}

/* note - append to the verdict's rule, for --explain */
static void
note(struct verdict *v, const char *s)
{
	strncat(v->rule, s, sizeof(v->rule) - strlen(v->rule) - 1);
}

/*
 * relabel - a later step names the reason; the class follows it. Not
 * when a rule named the class itself: an operator who wrote
 * "userunknown hard /.../" has the last word (bouncer.conf(5)).
 */
static void
relabel(struct verdict *v, const char *reason, const char *why)
{
	if (v->by_rule_class)
		return;
	v->reason = reason;
	v->class = classify_reason_class(reason, v->status);
	note(v, why);
}

static void
set_verdict(struct verdict *v, const char *reason, const char *class,
    const char *fmt, const char *a, const char *b)
{
	v->reason = reason;
	v->by_rule_class = class != NULL;
	v->class = class ? class : classify_reason_class(reason, v->status);
	if (v->class == NULL)
		v->class = "undetermined";
	snprintf(v->rule, sizeof(v->rule), fmt, a, b ? b : "");
}

/*
 * decide - what the words, the codes and the phase say, in this order
 * (bouncer(1), CLASSIFICATION):
 *   1. rules on the recipient's diagnostic: the words win over the codes,
 *      but for two refinements: a specific code naming the same kind of
 *      trouble (family), and a code about our sender's own address;
 *   2. rules on the recipient's paragraph of the readable text;
 *   3. a specific enhanced status code (x.y.z, z not 0, not x.7.1),
 *      RFC 3463 and the IANA registry;
 *   4. rules on the whole readable text (context, may be NULL);
 *   5. an enhanced code that names only a subject (x.y.0, x.7.1);
 *   6. the SMTP reply code, with the command it answered (RFC 5321);
 *   7. "onhold" for words no rule reads, "undefined" for none at all.
 */
static void
decide(const struct classifier *c, const char *diag, const char *para,
    const char *context, int phase, struct verdict *v)
{
	struct rule_match rm;
	const struct rule_match *r;
	const char *reason;

	v->by_phrase = 0;
	v->by_address = 0;
	v->by_para = 0;
	if ((r = classifier_match(c, diag, &rm)) != NULL) {
		/*
		 * Among temporary troubles at the receiver (both soft), a
		 * specific code names the cause more exactly than a phrase:
		 * 5.2.3 "message size exceeds" is the recipient's limit, 5.4.6
		 * "mail loop" a routing failure, 4.3.1 "out of disk space" the
		 * system's. Not so for "timed out" or "gave up": the last
		 * cause of a message that expired is detail; nor for words
		 * that give the message's size, a fact about the message no
		 * code of another subject undoes ("message exceeds maximum
		 * size" with 5.2.2). Across classes the words win: "spam"
		 * with 5.7.7 is spam.
		 */
		if (v->status[0] && !code_weak(v->status) && r->class == NULL &&
		    strcmp(r->reason, "expired") != 0 &&
		    (reason = code_reason(v->status)) != NULL &&
		    strcmp(reason, r->reason) != 0 &&
		    strcmp(classify_reason_class(reason, v->status), "soft") == 0 &&
		    strcmp(classify_reason_class(r->reason, v->status), "soft") == 0 &&
		    (!size_reason(r->reason) || size_reason(reason))) {
			set_verdict(v, reason, NULL, "status %s (over %s)",
			    v->status, r->where);
			return;
		}
		/*
		 * A code about our sender's address (x.1.7, x.1.8) says whose
		 * address the words are about: "550 5.1.7 Invalid address"
		 * is the envelope sender's, and no reason to drop the
		 * recipient.
		 */
		if (code_sender(v->status) && r->class == NULL &&
		    (strcmp(r->reason, "userunknown") == 0 ||
		    strcmp(r->reason, "hostunknown") == 0 ||
		    strcmp(r->reason, "blocked") == 0)) {
			set_verdict(v, "rejected", NULL, "status %s (over %s)",
			    v->status, r->where);
			return;
		}
		set_verdict(v, r->reason, r->class, "%s /%.140s/", r->where,
		    r->pattern);
		v->by_phrase = 1;
		v->by_address = r->address;
		return;
	}
	if ((r = classifier_match(c, para, &rm)) != NULL) {
		set_verdict(v, r->reason, r->class, "%s /%.120s/ (in its paragraph)",
		    r->where, r->pattern);
		v->by_para = 1;
		return;
	}
	if (v->status[0] && !code_weak(v->status) &&
	    (reason = code_reason(v->status)) != NULL) {
		set_verdict(v, reason, NULL, "status %s%s", v->status, NULL);
		return;
	}
	if ((r = classifier_match(c, context, &rm)) != NULL) {
		set_verdict(v, r->reason, r->class, "%s /%.120s/ (in text)",
		    r->where, r->pattern);
		return;
	}
	if (v->status[0] && (reason = code_reason(v->status)) != NULL) {
		set_verdict(v, reason, NULL, "status %s%s", v->status, NULL);
		/*
		 * x.6.0, "other or undefined media error": something about
		 * this message's content, said of no one; not a refusal of
		 * us (block) but trouble that counts like a soft bounce
		 */
		if (strcmp(v->status + 1, ".6.0") == 0)
			v->class = "soft";
		return;
	}
	if ((reason = code_reply_reason(v->replycode, phase)) != NULL) {
		set_verdict(v, reason, NULL, "reply %s%s", v->replycode,
		    phase == 'D' ? " after DATA" : phase == 'H' ?
		    " at HELO" : "");
		return;
	}
	/* nothing to go on at all is "undefined"; words we cannot read, onhold */
	set_verdict(v, str_empty(diag) && str_empty(para) ? "undefined" :
	    "onhold", NULL, "no rule or code matched%s%s", "", NULL);
}

/*
 * decide_final - qmail ends a message it gave up on with "I'm not going to
 * try again; this message has been in the queue too long." after the last
 * thing it heard: that cause decides when a phrase names it ("Unable to
 * contact LDAP server", "wasn't able to establish an SMTP connection"),
 * the expiry otherwise.
 */
static void
decide_final(const struct classifier *c, const char *diag, const char *para,
    const char *context, int phase, struct verdict *v)
{
	const char *gaveup = str_icase(diag, "I'm not going to try again");
	char *cause;

	if (gaveup != NULL && gaveup > diag) {
		cause = xstrndup(diag, (size_t)(gaveup - diag));
		/*
		 * A cause that only asked to try again later says no more
		 * than the give-up does: the message expired.
		 */
		if (str_icase(cause, "try again later") == NULL)
			decide(c, cause, NULL, NULL, phase, v);
		free(cause);
		if (v->by_phrase) {
			note(v, " (before qmail's give-up)");
			return;
		}
	}
	decide(c, diag, para, context, phase, v);
}

/*
 * smtp_phase - the SMTP command a remote reply answered, when the text
 * says: 'M' MAIL FROM, 'R' RCPT TO, 'D' DATA, or 0.
 */
static int
smtp_phase(const char *t)
{
	if (t == NULL)
		return 0;
	if (str_icase(t, "end of data") || str_icase(t, "after data") ||
	    str_icase(t, "reply to data") || str_icase(t, ">>> data") ||
	    str_icase(t, "after end of data") || str_icase(t, "DATA command"))
		return 'D';
	/* a refusal of our greeting or connection is about our host */
	if (str_icase(t, "my name was rejected") || str_icase(t, "after HELO") ||
	    str_icase(t, "after initial connection") ||
	    str_icase(t, "after EHLO") || str_icase(t, "reply to HELO") ||
	    str_icase(t, "reply to EHLO"))
		return 'H';
	/* qmail names the phase in its own words */
	if (str_icase(t, "failed after I sent the message"))
		return 'D';
	if (str_icase(t, "but sender was rejected"))
		return 'M';
	if (str_icase(t, "does not like recipient"))
		return 'R';
	if (str_icase(t, "reply to mail from") || str_icase(t, "after mail from") ||
	    str_icase(t, ">>> mail from") || str_icase(t, "MAIL FROM command"))
		return 'M';
	if (str_icase(t, "rcpt to") || str_icase(t, "rcpt command") ||
	    str_icase(t, "[rcpt_to]") || str_icase(t, "after rcpt"))
		return 'R';
	return 0;
}

/*
 * adjust_phase - what a reply means depends on when it came. A mailbox
 * that accepted RCPT TO exists, so "user unknown" after DATA is the
 * recipient's filter; a refusal at MAIL FROM is about our sender.
 */
static void
adjust_phase(int phase, struct verdict *v)
{
	const char *to = NULL;

	if (strcmp(v->reason, "userunknown") == 0 && !code_address(v->status) &&
	    !v->by_address && phase != 'R' && phase != 'M' &&
	    (phase == 'D' || v->status[2] == '2' || v->status[2] == '7')) {
		/*
		 * "User unknown" after DATA, or with a code that says the
		 * mailbox refused (5.2.x) or policy refused (5.7.x), and no
		 * sign that RCPT TO was refused: the mailbox exists and a
		 * filter speaks. A code about the address (5.1.1) keeps it.
		 */
		to = "filtered";
		if (phase != 'D')
			phase = 'F';
	}
	else if (phase == 'H' && strcmp(classify_reason_class(v->reason,
	    v->status), "block") != 0)
		to = "blocked";
	else if (phase == 'M' && (strcmp(v->reason, "userunknown") == 0 ||
	    strcmp(v->reason, "hostunknown") == 0 ||
	    strcmp(v->reason, "filtered") == 0 ||
	    strcmp(v->reason, "onhold") == 0))
		to = "rejected";
	if (to == NULL && v->status[0] == '4' &&
	    strcmp(v->reason, "hostunknown") == 0) {
		/* a temporary "no such domain" is a DNS failure, retried */
		to = "networkerror";
		v->by_phrase = 0;
		phase = 0;
	}
	if (to == NULL)
		return;
	relabel(v, to, phase == 'D' ? "; refused after DATA" :
	    phase == 'F' ? "; not a mailbox code, not at RCPT TO" :
	    phase == 'M' ? "; refused at MAIL FROM" :
	    phase == 'H' ? "; refused at HELO" : "; temporary");
}

/*
 * final_failure - a failure the sending MTA gave up on counts: its class
 * is never undetermined when its codes say it failed (4.x or 5.x), unless
 * a rule named that class. A temporary code is a message that stayed in
 * the queue until its lifetime ran out (Postfix's maximal_queue_lifetime):
 * the last transient cause is detail. A permanent one whose cause no
 * rule or table names is counted like a soft bounce (policy.h): an
 * address that keeps failing is suppressed after the threshold.
 */
static void
final_failure(struct verdict *v)
{
	char code = v->status[0] ? v->status[0] : v->replycode[0];

	if (v->by_rule_class || (code != '4' && code != '5'))
		return;
	if (code == '4' && (strcmp(v->reason, "onhold") == 0 ||
	    strcmp(v->reason, "undefined") == 0))
		relabel(v, "expired", "; failed after retries");
	else if (strcmp(v->class, "undetermined") == 0) {
		v->class = "soft";
		note(v, "; a final failure, counted as soft");
	}
}

void
classify_text(const struct classifier *c, const char *text,
    struct verdict *v)
{
	char *t = str_squeeze(xstrdup(text ? text : ""));

	memset(v, 0, sizeof(*v));
	pick_status(c, NULL, t, v);
	decide(c, t, NULL, NULL, smtp_phase(t), v);
	adjust_phase(smtp_phase(t), v);
	free(t);
}

void
classify(const struct classifier *c, const struct bounce *b, struct rcpt *r)
{
	struct verdict *v = &r->v;
	const char *act = r->action ? r->action : "";
	char *diag, *para, *ctx;
	const char *cat;
	int phase;

	memset(v, 0, sizeof(*v));
	diag = str_squeeze(xstrdup(r->diagnostic_code ? r->diagnostic_code : ""));
	/*
	 * Without a Diagnostic-Code, the Status field's own comment is the
	 * diagnostic: "Status: 4.0.0 (host name lookup failure)" (Sendmail)
	 */
	if (diag[0] == '\0' && r->status && strchr(r->status, ' ') != NULL) {
		free(diag);
		diag = str_squeeze(xstrdup(strchr(r->status, ' ') + 1));
	}
	para = str_squeeze(xstrdup(r->text_diag ? r->text_diag : ""));
	phase = smtp_phase(diag);
	if (phase == 0)
		phase = smtp_phase(para);
	if (diag[0] == '\0' && para[0] != '\0') {
		char *t = diag;

		diag = para;
		para = t;
	}
	ctx = str_squeeze(xstrndup(b->text ? b->text : "", CONTEXT_MAX));
	pick_status(c, r->status, diag, v);
	/* the whole text speaks for a recipient only when it is the only one */
	if (!v->replycode[0] && b->n == 1)
		classifier_find_reply(c, ctx, v->replycode,
		    sizeof(v->replycode));
	/* ... and so does its status code: another's is not this one's */
	if (!v->status[0] && b->kind == BOUNCE_TEXT && b->n == 1)
		classifier_find_status(c, ctx, v->status,
		    sizeof(v->status));

	if (b->kind == BOUNCE_ARF) {
		const char *ft = b->feedback_type ? b->feedback_type : "";
		int complaint = ft[0] == '\0' || strcmp(ft, "abuse") == 0 ||
		    strcmp(ft, "fraud") == 0;

		v->status[0] = v->replycode[0] = '\0';
		/* an opt-out report is an unsubscribe: it never lapses */
		set_verdict(v, "feedback", strcmp(ft, "opt-out") == 0 ?
		    "unsubscribe" : complaint ? "complaint" : "undetermined",
		    "feedback report, type %s%s", ft[0] ? ft : "(none: abuse)",
		    NULL);
	} else if (b->kind == BOUNCE_UNSUBSCRIBE) {
		v->status[0] = v->replycode[0] = '\0';
		set_verdict(v, "feedback", "unsubscribe", "unsubscribe request "
		    "to %s%s (RFC 2369 mailto:)", b->verp_source, NULL);
	} else if (b->kind == BOUNCE_AUTOREPLY) {
		v->status[0] = v->replycode[0] = '\0';
		set_verdict(v, "vacation", NULL, "auto-reply (RFC 3834)%s%s",
		    "", NULL);
	} else if (strcmp(act, "delivered") == 0 ||
	    strcmp(act, "relayed") == 0 || strcmp(act, "expanded") == 0) {
		set_verdict(v, "delivered", NULL, "action %s%s", act, NULL);
	} else {
		/*
		 * The whole readable text speaks for a recipient of a report
		 * with several only when the report is nothing but text: a
		 * DSN gives each its own Diagnostic-Code, and another
		 * recipient's "Host unknown" is not this one's reason.
		 */
		decide_final(c, diag, para,
		    b->n == 1 || b->kind != BOUNCE_DSN ? ctx : NULL, phase, v);
		/*
		 * A lone recipient's session transcript (">>> RCPT TO ... <<<
		 * 550") can tell that the address was refused; only that,
		 * since a transcript goes on past the failing command
		 * ("... >>> DATA"). Read only when it matters.
		 */
		if (phase == 0 && b->n == 1 &&
		    strcmp(v->reason, "userunknown") == 0) {
			if (smtp_phase(b->text) == 'R')
				phase = 'R';
			/* m-FILTER states it: "-------SMTP command\nDATA" */
			else if (str_icase(b->text, "SMTP command\nDATA") ||
			    str_icase(b->text, "SMTP command\r\nDATA"))
				phase = 'D';
		}
		if (!v->by_rule_class &&
		    (cat = code_category_reason(r->mta_category)) != NULL) {
			v->reason = cat;
			v->class = classify_reason_class(cat, v->status);
			v->by_phrase = 1;
			snprintf(v->rule, sizeof(v->rule),
			    "X-PowerMTA-BounceCategory: %s", r->mta_category);
		} else
			adjust_phase(phase, v);
		/*
		 * Diagnostic-Type X-Unix: a local program (a pipe, procmail)
		 * failed; that is the reason unless its own words name one
		 * ("Quota exceeded"), in the diagnostic or in the recipient's
		 * paragraph (Postfix's local(8) puts "input/output error" in
		 * the Diagnostic-Code and the cause in the text: "cannot
		 * update mailbox ... File too large", the bounce lab's
		 * postfix/mailboxfull.eml). "255" is an exit status, not a
		 * cause.
		 */
		if (r->diagnostic_type != NULL &&
		    strcasecmp(r->diagnostic_type, "x-unix") == 0 &&
		    !v->by_phrase && !v->by_para &&
		    strcmp(v->reason, "mailererror") != 0)
			relabel(v, "mailererror", "; a local program failed (X-Unix)");
		/*
		 * A final failure with a temporary code is a message that
		 * stayed in the queue until its lifetime ran out (Postfix's
		 * maximal_queue_lifetime): the last transient cause is detail.
		 */
		if (strcmp(act, "failed") == 0)
			final_failure(v);
		if (strcmp(act, "delayed") == 0) {
			/*
			 * A delay notice with a vague transient cause (system,
			 * none, a network code without a phrase) is about the
			 * delay itself; "no route to host" says more.
			 */
			if ((strcmp(v->reason, "networkerror") == 0 &&
			    !v->by_phrase) ||
			    strcmp(v->reason, "systemerror") == 0 ||
			    strcmp(v->reason, "onhold") == 0 ||
			    strcmp(v->reason, "undefined") == 0)
				v->reason = "expired";
			v->class = "delayed";
			note(v, "; action delayed");
		}
	}
	free(diag);
	free(para);
	free(ctx);
}
