/*
 * feed.c - imports: suppressions and events that do not come as mail.
 *
 * Formats, found from the input itself (--import):
 *   JSON lines, one object a line, in bouncer's feed schema
 *       {"email", "type", "isp", "received_at", "reason", "status"}
 *     or as --list --json and --export write them (address, class, ...);
 *   JSON documents (one, several, or an array): the webhooks of Amazon
 *     SES (raw or in an SNS envelope), SendGrid (an array of events),
 *     Postmark (Bounce, SpamComplaint, SubscriptionChange) and Mailgun
 *     (event-data); any object of the feed or list schema too;
 *   CSV with a header naming an email or address column (and optionally
 *     type or class, reason, status, isp, received_at or timestamp);
 *   a plain list of addresses, one a line, with the class given on the
 *     command line (--class).
 * type words (case-insensitive) of the feed schema and of the webhooks:
 *   abuse, fraud, complaint, spam, spamreport, spamcomplaint, complained
 *                                        complaint (suppresses)
 *   unsubscribe, opt-out, unsubscribed, group_unsubscribe
 *                                        unsubscribe (until --remove)
 *   resubscribe, group_resubscribe       lifts an unsubscribe
 *   hard, hard_bounce, hardbounce, bounce, permanent   hard
 *   soft, soft_bounce, softbounce, transient           soft
 *   block, blocked                       block (recorded)
 *   deferred, delayed                    delayed (recorded)
 *   delivered, delivery                  delivered
 *   not-spam, virus, other, auth-failure recorded only
 * A listing (--list --json, --export, a plain list, CSV class manual) is
 * put on the list as it is, with its expiry; an event goes through the
 * same policy as a bounce. A record seen before counts once; an erased
 * address (--forget) is skipped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <glib.h>

#include "addr.h"
#include "classify.h"
#include "erase.h"
#include "feed.h"
#include "jsonv.h"

static const struct {
	const char *type;
	const char *class;
	const char *reason;
} types[] = {
	{ "abuse", "complaint", "feedback" },
	{ "fraud", "complaint", "feedback" },
	{ "complaint", "complaint", "feedback" },
	{ "spam", "complaint", "feedback" },
	{ "spamreport", "complaint", "feedback" },
	{ "spamcomplaint", "complaint", "feedback" },
	{ "complained", "complaint", "feedback" },
	{ "unsubscribe", "unsubscribe", "feedback" },
	{ "opt-out", "unsubscribe", "feedback" },
	{ "unsubscribed", "unsubscribe", "feedback" },
	{ "group_unsubscribe", "unsubscribe", "feedback" },
	{ "resubscribe", "resubscribe", "feedback" },
	{ "group_resubscribe", "resubscribe", "feedback" },
	{ "hard", "hard", "undefined" },
	{ "hard_bounce", "hard", "undefined" },
	{ "hardbounce", "hard", "undefined" },
	{ "bounce", "hard", "undefined" },
	{ "permanent", "hard", "undefined" },
	{ "soft", "soft", "undefined" },
	{ "soft_bounce", "soft", "undefined" },
	{ "softbounce", "soft", "undefined" },
	{ "transient", "soft", "undefined" },
	{ "block", "block", "blocked" },
	{ "blocked", "block", "blocked" },
	{ "deferred", "delayed", "undefined" },
	{ "delayed", "delayed", "undefined" },
	{ "delivered", "delivered", "delivered" },
	{ "delivery", "delivered", "delivered" },
	{ "not-spam", "undetermined", "feedback" },
	{ "virus", "undetermined", "feedback" },
	{ "other", "undetermined", "feedback" },
	{ "auth-failure", "undetermined", "feedback" },
};

/* One record, whatever the format: all borrowed. */
struct rec {
	const char	*email;
	const char	*type;		/* a word of types[], or NULL */
	const char	*class;		/* a listing's class (listing) */
	int		 listing;	/* state to put, not an event */
	const char	*isp;
	const char	*when;		/* RFC 3339 */
	time_t		 t;		/* or a Unix time */
	const char	*reason;
	const char	*status;
	const char	*diag;
	const char	*expires;	/* listing: RFC 3339 or "" */
	const char	*id;		/* the provider's event ID, for dedup */
};

struct ctx {
	const char		*name;
	const struct classifier	*c;	/* the diagnostic decides */
	struct store		*s;
	const struct policy_cfg	*pc;
	time_t			 now;
	const char		*class;	/* --class: a plain list's */
	struct feed_stats	*st;
	struct sbuf		*errs;
	struct erase_tombs	*tombs;	/* erased addresses, read again in
					   each transaction */
	long			 lineno;	/* where the record starts */
	long			 item;		/* in an array: 1, 2, ...; 0 */
	double			 txn_t0;	/* this transaction began */
	enum store_status	 r;
};

/* parse_when - RFC 3339 (seconds precision kept), else 0 */
static time_t
parse_when(const char *s)
{
	struct tm tm;
	const char *p;
	time_t t;
	int hh, mm;

	if (s == NULL)
		return 0;
	memset(&tm, 0, sizeof(tm));
	if ((p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL &&
	    (p = strptime(s, "%Y-%m-%d %H:%M:%S", &tm)) == NULL)
		return 0;
	while (*p == '.' || (*p >= '0' && *p <= '9'))
		p++;
	t = timegm(&tm);
	if ((*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d", &hh, &mm) == 2)
		t -= (*p == '+' ? 1 : -1) * (hh * 3600 + mm * 60);
	return t;
}

static char *
dedup(const char *email, const char *type, const char *isp, const char *when)
{
	GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA256);
	const char *parts[5] = { "feed", email, type, isp, when };
	char *k;
	int i;

	for (i = 0; i < 5; i++) {
		const char *p = parts[i] ? parts[i] : "";

		g_checksum_update(ck, (const guchar *)p, (gssize)strlen(p) + 1);
	}
	k = xstrdup(g_checksum_get_string(ck));
	g_checksum_free(ck);
	return k;
}

static void
refuse(struct ctx *x, const char *fmt, const char *a, const char *b)
{
	sbuf_printf(x->errs, "%s:%ld: ", x->name, x->lineno);
	if (x->item)
		sbuf_printf(x->errs, "record %ld of the array: ", x->item);
	sbuf_printf(x->errs, fmt, a ? a : "", b ? b : "");
	sbuf_add(x->errs, "\n");
	x->st->bad++;
}

/*
 * judge - what the words say of a failure an ESP reported: its
 * diagnostic text (with the status code it gave) through the same rules
 * as a bounce's. The ESP's own permanent/temporary flag (the record's
 * type) stands only where the words decide nothing: a Spamhaus listing
 * the ESP calls Permanent is a block, not a dead address. *class and
 * *reason are changed only when the words decide; a delay stays a delay.
 */
static void
judge(const struct ctx *x, const struct rec *rc, const char **class,
    const char **reason, char *status, size_t statuslen)
{
	struct verdict v;
	struct sbuf t;

	if (x->c == NULL || (rc->diag == NULL && rc->status == NULL) ||
	    (strcmp(*class, "hard") != 0 && strcmp(*class, "soft") != 0 &&
	    strcmp(*class, "block") != 0 && strcmp(*class, "delayed") != 0))
		return;
	sbuf_init(&t);
	sbuf_printf(&t, "%.16s %.2000s", rc->status ? rc->status : "",
	    rc->diag ? rc->diag : "");
	classify_text(x->c, t.s, &v);
	sbuf_free(&t);
	if (status && rc->status == NULL && v.status[0])
		snprintf(status, statuslen, "%s", v.status);
	if (v.class == NULL || v.reason == NULL ||
	    strcmp(v.reason, "onhold") == 0 ||
	    strcmp(v.reason, "undefined") == 0 ||
	    (strcmp(v.class, "hard") != 0 && strcmp(v.class, "soft") != 0 &&
	    strcmp(v.class, "block") != 0))
		return;
	*reason = v.reason;
	if (strcmp(*class, "delayed") != 0)
		*class = v.class;
}

/* apply - one record into the store; -1 on a store failure */
static int
apply(struct ctx *x, const struct rec *rc)
{
	struct store_event e;
	enum policy_outcome out;
	const char *why;
	char *addr, *key, when[32], status[16] = "";
	size_t i = 0;

	x->st->lines++;
	if (rc->email == NULL || (addr = addr_check(rc->email, &why)) == NULL) {
		int say = rc->email != NULL &&
		    strcmp(why, "not a valid address") != 0;

		refuse(x, "no valid \"email\"%s%s", say ? ": " : "",
		    say ? why : "");
		return 0;
	}
	if (!rc->listing) {
		for (i = 0; rc->type && i < sizeof(types) / sizeof(types[0]); i++)
			if (strcasecmp(rc->type, types[i].type) == 0)
				break;
		if (rc->type == NULL || i == sizeof(types) / sizeof(types[0])) {
			refuse(x, "unknown \"type\": %.40s%s", rc->type ?
			    rc->type : "(none)", NULL);
			free(addr);
			return 0;
		}
	}
	/* an address erased on request (--forget) stays erased */
	if (erase_tombs_has(x->tombs, addr)) {
		x->st->erased++;
		free(addr);
		return 0;
	}
	memset(&e, 0, sizeof(e));
	e.time = rc->t ? rc->t : parse_when(rc->when);
	if (e.time <= 0 || e.time > x->now)
		e.time = x->now;
	e.address = addr;
	e.status = rc->status;
	e.reporting_mta = rc->isp;
	e.diagnostic = rc->diag;
	e.source = "import";
	if (rc->listing) {
		e.reason = rc->reason && classify_reason_word(rc->reason) ?
		    classify_reason_word(rc->reason) :
		    strcmp(rc->class, "manual") == 0 ? "manual" :
		    strcmp(rc->class, "unsubscribe") == 0 ||
		    strcmp(rc->class, "complaint") == 0 ? "feedback" :
		    "undefined";
		x->r = policy_listing(x->s, &e, rc->class,
		    parse_when(rc->expires), &out);
	} else {
		e.class = types[i].class;
		e.reason = types[i].reason;
		judge(x, rc, &e.class, &e.reason, status, sizeof(status));
		if (status[0])
			e.status = status;
		/* bouncer's own feed schema may name the reason outright */
		if (rc->reason && classify_reason_word(rc->reason))
			e.reason = classify_reason_word(rc->reason);
		e.action = strcmp(e.class, "hard") == 0 ||
		    strcmp(e.class, "soft") == 0 ||
		    strcmp(e.class, "block") == 0 ? "failed" :
		    strcmp(e.class, "delayed") == 0 ? "delayed" : NULL;
		e.feedback_type = strcmp(types[i].reason, "feedback") == 0 ?
		    (strcmp(types[i].class, "unsubscribe") == 0 ? "opt-out" :
		    rc->type) : NULL;
		snprintf(when, sizeof(when), "%lld", (long long)rc->t);
		key = dedup(addr, rc->type, rc->id ? rc->id : rc->isp,
		    rc->when ? rc->when : when);
		e.dedup = key;
		x->r = policy_apply(x->s, x->pc, &e, &out);
		free(key);
	}
	free(addr);
	if (x->r != STORE_OK)
		return -1;
	if (out == POLICY_DUPLICATE)
		x->st->duplicates++;
	else
		x->st->applied++;
	if (out == POLICY_SUPPRESSED || out == POLICY_ESCALATED)
		x->st->suppressed++;
	return 0;
}

static const char *
str(const struct jv *o, const char *k)
{
	return jv_str(jv_get(o, k));
}

/* num - a JSON number or numeric string as a Unix time (s or ms) */
static time_t
num(const struct jv *v)
{
	long long n;

	if (v == NULL || (v->type != JV_NUM && v->type != JV_STR) || v->s == NULL)
		return 0;
	n = atoll(v->s);
	return (time_t)(n > 100000000000LL ? n / 1000 : n);
}

static int one_object(struct ctx *, const struct jv *, int);

/* ses - an Amazon SES notification or event (Bounce, Complaint, Delivery) */
static int
ses(struct ctx *x, const struct jv *o, const char *kind)
{
	const struct jv *b, *list, *m;
	struct rec rc;
	size_t i;

	memset(&rc, 0, sizeof(rc));
	m = jv_get(o, "mail");
	rc.id = str(m, "messageId");
	rc.isp = "amazonses.com";
	if (strcmp(kind, "Bounce") == 0) {
		b = jv_get(o, "bounce");
		list = jv_get(b, "bouncedRecipients");
		rc.type = str(b, "bounceType");
		rc.type = rc.type && strcmp(rc.type, "Permanent") == 0 ? "hard" :
		    rc.type && strcmp(rc.type, "Transient") == 0 ? "soft" :
		    "other";
		rc.when = str(b, "timestamp");
		if (str(b, "feedbackId"))
			rc.id = str(b, "feedbackId");
	} else if (strcmp(kind, "Complaint") == 0) {
		b = jv_get(o, "complaint");
		list = jv_get(b, "complainedRecipients");
		rc.type = str(b, "complaintFeedbackType") ?
		    str(b, "complaintFeedbackType") : "complaint";
		rc.when = str(b, "timestamp");
		if (str(b, "feedbackId"))
			rc.id = str(b, "feedbackId");
	} else if (strcmp(kind, "Delivery") == 0) {
		b = jv_get(o, "delivery");
		list = jv_get(b, "recipients");
		rc.type = "delivered";
		rc.when = str(b, "timestamp");
	} else {
		x->st->ignored++;
		return 0;
	}
	for (i = 0; list && list->type == JV_ARR && i < list->n; i++) {
		const struct jv *r = list->v[i];

		rc.email = r->type == JV_STR ? r->s : str(r, "emailAddress");
		rc.status = str(r, "status");
		rc.diag = str(r, "diagnosticCode");
		if (apply(x, &rc) == -1)
			return -1;
	}
	return 0;
}

/* sendgrid - one event of SendGrid's Event Webhook */
static int
sendgrid(struct ctx *x, const struct jv *o, const char *ev)
{
	struct rec rc;

	memset(&rc, 0, sizeof(rc));
	rc.email = str(o, "email");
	rc.t = num(jv_get(o, "timestamp"));
	rc.id = str(o, "sg_event_id");
	rc.isp = "sendgrid.net";
	rc.status = str(o, "status");
	rc.diag = str(o, "reason");
	if (ev == NULL) {
		/* an sg_event_id and no event: once a NULL dereference */
		x->st->lines++;
		refuse(x, "SendGrid record without \"event\"%s%s", NULL, NULL);
		return 0;
	}
	if (strcmp(ev, "deferred") == 0 && rc.diag == NULL)
		rc.diag = str(o, "response");
	if (strcmp(ev, "dropped") == 0) {
		/*
		 * SendGrid did not send: the address is on one of its own
		 * lists, or invalid (the Event Webhook reference's "reason"
		 * of a dropped event); other drops (content, quota) are ours
		 */
		const char *why = rc.diag ? rc.diag : "";

		rc.diag = NULL;
		rc.type = strcasecmp(why, "Bounced Address") == 0 ||
		    strcasecmp(why, "Invalid") == 0 ? "hard" :
		    strcasecmp(why, "Unsubscribed Address") == 0 ?
		    "unsubscribe" :
		    strcasecmp(why, "Spam Reporting Address") == 0 ?
		    "complaint" : NULL;
		if (rc.type == NULL) {
			x->st->ignored++;
			return 0;
		}
		return apply(x, &rc);
	}
	if (strcmp(ev, "bounce") == 0)
		/* type "blocked": refused for reputation or content */
		rc.type = str(o, "type") && strcmp(str(o, "type"),
		    "blocked") == 0 ? "blocked" : rc.status &&
		    rc.status[0] == '4' ? "soft" : "hard";
	else if (strcmp(ev, "spamreport") == 0 ||
	    strcmp(ev, "unsubscribe") == 0 ||
	    strcmp(ev, "group_unsubscribe") == 0 ||
	    strcmp(ev, "group_resubscribe") == 0 ||
	    strcmp(ev, "deferred") == 0 || strcmp(ev, "delivered") == 0)
		rc.type = ev;
	else {
		x->st->ignored++;	/* processed, open, click, ... */
		return 0;
	}
	return apply(x, &rc);
}

/* postmark - a Postmark Bounce, SpamComplaint or SubscriptionChange */
static int
postmark(struct ctx *x, const struct jv *o, const char *rt)
{
	static const struct {
		const char *pm, *type;
	} map[] = {
		{ "HardBounce", "hard" }, { "SoftBounce", "soft" },
		{ "Transient", "soft" }, { "DnsError", "soft" },
		{ "SpamComplaint", "complaint" }, { "SpamNotification", "other" },
		{ "Unsubscribe", "unsubscribe" }, { "Blocked", "blocked" },
		{ "BadEmailAddress", "hard" }, { "ManuallyDeactivated", "hard" },
		{ "AutoResponder", "other" }, { "VirusNotification", "virus" },
	};
	struct rec rc;
	const char *t;
	size_t i;

	memset(&rc, 0, sizeof(rc));
	rc.isp = "postmarkapp.com";
	if (strcmp(rt, "SubscriptionChange") == 0) {
		const struct jv *sup = jv_get(o, "SuppressSending");

		rc.email = str(o, "Recipient");
		rc.when = str(o, "ChangedAt");
		t = str(o, "SuppressionReason");
		if (sup != NULL && sup->type == JV_BOOL && !sup->b) {
			/* reactivated: a resubscribe lifts an unsubscribe */
			rc.type = "resubscribe";
			return apply(x, &rc);
		}
		if (sup == NULL || sup->type != JV_BOOL || t == NULL) {
			x->st->ignored++;
			return 0;
		}
		rc.type = strcmp(t, "HardBounce") == 0 ? "hard" :
		    strcmp(t, "SpamComplaint") == 0 ? "complaint" :
		    "unsubscribe";
		return apply(x, &rc);
	}
	rc.email = str(o, "Email");
	rc.when = str(o, "BouncedAt");
	rc.diag = str(o, "Details") ? str(o, "Details") : str(o, "Description");
	rc.id = jv_get(o, "ID") ? jv_get(o, "ID")->s : NULL;
	t = str(o, "Type");
	for (i = 0; t && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(t, map[i].pm) == 0)
			rc.type = map[i].type;
	if (rc.type == NULL)
		rc.type = "other";
	return apply(x, &rc);
}

/* mailgun - a Mailgun webhook's event-data */
static int
mailgun(struct ctx *x, const struct jv *d)
{
	const char *ev = str(d, "event"), *sev = str(d, "severity");
	const struct jv *ds = jv_get(d, "delivery-status");
	struct rec rc;

	memset(&rc, 0, sizeof(rc));
	rc.email = str(d, "recipient");
	rc.t = num(jv_get(d, "timestamp"));
	rc.id = str(d, "id");
	rc.isp = "mailgun.net";
	rc.status = str(ds, "enhanced-code");
	rc.diag = str(ds, "message") && *str(ds, "message") ?
	    str(ds, "message") : str(ds, "description");
	if (ev == NULL)
		ev = "";
	if (strcmp(ev, "failed") == 0)
		rc.type = sev && strcmp(sev, "temporary") == 0 ? "deferred" :
		    "hard";
	else if (strcmp(ev, "complained") == 0 ||
	    strcmp(ev, "unsubscribed") == 0 || strcmp(ev, "delivered") == 0)
		rc.type = ev;
	else {
		x->st->ignored++;	/* accepted, opened, clicked, ... */
		return 0;
	}
	return apply(x, &rc);
}

/* one_object - any object: find its shape and apply what it says */
static int
one_object(struct ctx *x, const struct jv *o, int depth)
{
	const char *v;
	struct rec rc;

	if (o == NULL || o->type != JV_OBJ) {
		refuse(x, "not a JSON object%s%s", NULL, NULL);
		return 0;
	}
	/* SNS envelope: the SES notification is a string inside */
	if ((v = str(o, "Type")) != NULL && strcmp(v, "Notification") == 0 &&
	    (v = str(o, "Message")) != NULL && depth < 2) {
		char err[80];
		struct jv *in = jv_parse(v, strlen(v), NULL, err, sizeof(err));
		int rc2 = one_object(x, in, depth + 1);

		jv_free(in);
		return rc2;
	}
	/*
	 * AWS Lambda's SNS event: {"Records": [{"EventSource": "aws:sns",
	 * "Sns": {"Type": "Notification", "Message": "..."}}]}
	 * (docs.aws.amazon.com/lambda/latest/dg/with-sns.html)
	 */
	if (jv_get(o, "Records") != NULL && depth < 2) {
		const struct jv *recs = jv_get(o, "Records");
		size_t i;

		for (i = 0; recs->type == JV_ARR && i < recs->n; i++) {
			const struct jv *sns = jv_get(recs->v[i], "Sns");

			if (sns == NULL) {
				x->st->ignored++;
				continue;
			}
			if (one_object(x, sns, depth + 1) == -1)
				return -1;
		}
		return 0;
	}
	if ((v = str(o, "notificationType")) != NULL ||
	    (v = str(o, "eventType")) != NULL)
		return ses(x, o, v);
	if (jv_get(o, "sg_event_id") != NULL ||
	    (str(o, "event") != NULL && str(o, "email") != NULL))
		return sendgrid(x, o, str(o, "event"));
	if ((v = str(o, "RecordType")) != NULL)
		return postmark(x, o, v);
	if (jv_get(o, "event-data") != NULL)
		return mailgun(x, jv_get(o, "event-data"));
	memset(&rc, 0, sizeof(rc));
	if (str(o, "address") != NULL && str(o, "class") != NULL) {
		/* a listing, as --list --json and --export write it */
		rc.email = str(o, "address");
		rc.class = str(o, "class");
		rc.listing = 1;
		rc.reason = str(o, "reason");
		rc.status = str(o, "status");
		rc.when = str(o, "last_seen");
		rc.expires = str(o, "expires");
		if (strcmp(rc.class, "hard") != 0 &&
		    strcmp(rc.class, "soft") != 0 &&
		    strcmp(rc.class, "complaint") != 0 &&
		    strcmp(rc.class, "unsubscribe") != 0 &&
		    strcmp(rc.class, "manual") != 0) {
			x->st->lines++;
			refuse(x, "unknown \"class\": %.40s%s", rc.class, NULL);
			return 0;
		}
		return apply(x, &rc);
	}
	rc.email = str(o, "email");
	rc.type = str(o, "type");
	rc.isp = str(o, "isp");
	rc.when = str(o, "received_at");
	rc.reason = str(o, "reason");
	rc.status = str(o, "status");
	return apply(x, &rc);
}

/* one_value - an object, or an array of them (SendGrid posts arrays) */
static int
one_value(struct ctx *x, const struct jv *j)
{
	size_t i;
	int rc = 0;
	long first = x->lineno;

	if (j->type != JV_ARR)
		return one_object(x, j, 0);
	for (i = 0; i < j->n && rc == 0; i++) {
		/* what is refused is named by the line its record starts on */
		x->item = (long)i + 1;
		x->lineno = first + j->v[i]->line;
		rc = one_object(x, j->v[i], 0);
	}
	x->item = 0;
	x->lineno = first;
	return rc;
}

/* csv_split - the fields of one CSV line (RFC 4180 quotes), in place */
static size_t
csv_split(char *l, char **f, size_t max)
{
	size_t n = 0;
	char *r = l, *w;

	while (n < max) {
		f[n++] = w = r;
		if (*r == '"') {
			for (r++; *r; r++) {
				if (*r == '"' && r[1] == '"')
					*w++ = *r++;
				else if (*r == '"') {
					r++;
					break;
				} else
					*w++ = *r;
			}
			while (*r && *r != ',')
				r++;
		} else
			for (; *r && *r != ','; r++)
				*w++ = *r;
		if (*r == '\0') {
			*w = '\0';
			break;
		}
		r++;
		*w = '\0';
	}
	for (size_t i = 0; i < n; i++)
		str_trim(f[i]);
	return n;
}

#define CSV_COLS	64

/*
 * csv_unquote - undo the single quote that --export (and spreadsheets
 * that defend against CSV injection) put before a cell starting with
 * = + - @ TAB CR or a quote; any other cell is kept as it is, so an
 * address that really starts with a quote survives.
 */
static void
csv_unquote(char **f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (f[i][0] == '\'' && f[i][1] != '\0' &&
		    strchr("=+-@\t\r'", f[i][1]) != NULL)
			f[i]++;
}

/* col - the index of the first header among names, -1 when none */
static int
col(char **h, size_t n, const char *names)
{
	size_t i;
	char want[64];
	const char *p = names, *e;

	while (*p) {
		e = strchr(p, '|');
		snprintf(want, sizeof(want), "%.*s", e ? (int)(e - p) :
		    (int)strlen(p), p);
		for (i = 0; i < n; i++)
			if (strcasecmp(h[i], want) == 0)
				return (int)i;
		if (e == NULL)
			break;
		p = e + 1;
	}
	return -1;
}

static int
is_csv_header(const char *l)
{
	char *c = xstrdup(l), *f[CSV_COLS];
	size_t n = csv_split(c, f, CSV_COLS);
	int yes = n > 1 && col(f, n, "email|address|recipient|e-mail|"
	    "email_address|emailaddress|email address") >= 0;

	free(c);
	return yes;
}

static int
csv_line(struct ctx *x, char *l, char **h, size_t nh)
{
	char *f[CSV_COLS];
	size_t n = csv_split(l, f, CSV_COLS);
	int ce = col(h, nh, "email|address|recipient|e-mail|email_address|"
	    "emailaddress|email address"), ct = col(h, nh, "type|event|bounce_type"),
	    cc = col(h, nh, "class"), cr = col(h, nh, "reason"),
	    cs = col(h, nh, "status"), ci = col(h, nh, "isp"),
	    cw = col(h, nh, "received_at|timestamp|date|created_at"),
	    cx = col(h, nh, "expires");
	struct rec rc;

	csv_unquote(f, n);
#define F(c) ((c) >= 0 && (size_t)(c) < n && *f[(c)] ? f[(c)] : NULL)
	memset(&rc, 0, sizeof(rc));
	rc.email = F(ce);
	rc.type = F(ct);
	rc.reason = F(cr);
	rc.status = F(cs);
	rc.isp = F(ci);
	rc.when = F(cw);
	if (rc.when && strspn(rc.when, "0123456789") == strlen(rc.when)) {
		rc.t = (time_t)atoll(rc.when);
		rc.when = NULL;
	}
	if (rc.type == NULL && (F(cc) || x->class)) {
		/* a listing: --export's CSV, or a class given for all */
		rc.class = F(cc) ? F(cc) : x->class;
		rc.listing = 1;
		rc.expires = F(cx);
	}
#undef F
	return apply(x, &rc);
}

static int
list_line(struct ctx *x, const char *l)
{
	struct rec rc;

	memset(&rc, 0, sizeof(rc));
	rc.email = l;
	rc.class = x->class;
	rc.listing = 1;
	return apply(x, &rc);
}

/*
 * commit every batch records or TXN_SECONDS, so that a long import holds
 * no lock long (issue 22: a bounce piped meanwhile waits that long)
 */
static int
batch_done(struct ctx *x, long *in_batch, int batch)
{
	if (++*in_batch < batch && mono_s() - x->txn_t0 < TXN_SECONDS)
		return 0;
	*in_batch = 0;
	if ((x->r = store_commit(x->s)) != STORE_OK)
		return -1;
	txn_gap();
	if ((x->r = store_begin(x->s)) != STORE_OK)
		return -1;
	x->txn_t0 = mono_s();
	/* an address erased since the last transaction stays erased */
	if ((x->r = erase_tombs_fresh(x->s, x->tombs)) != STORE_OK)
		return -1;
	return 0;
}

/* documents - the whole input as JSON values, one after another */
static int
documents(struct ctx *x, const char *text, size_t len, long first, int batch)
{
	size_t off = 0, end, counted = 0;
	long in_batch = 0;
	char err[80];

	x->lineno = first;
	while (off < len) {
		struct jv *j;

		while (off < len && strchr(" \t\r\n", text[off]))
			off++;
		if (off == len)
			break;
		/* the line each document starts on, for what is refused */
		for (; counted < off; counted++)
			x->lineno += text[counted] == '\n';
		if ((j = jv_parse(text + off, len - off, &end, err,
		    sizeof(err))) == NULL) {
			const char *next;

			x->st->lines++;
			refuse(x, "not JSON: %s%s", err, NULL);
			/*
			 * skipped up to the next document: a line that opens
			 * an object or an array at its start; the rest applied
			 */
			for (next = text + off + 1; next < text + len; next++)
				if (next[-1] == '\n' && (*next == '{' ||
				    *next == '['))
					break;
			if (next >= text + len)
				return 0;
			off = (size_t)(next - text);
			continue;
		}
		off += end;
		if (one_value(x, j) == -1 ||
		    batch_done(x, &in_batch, batch) == -1) {
			jv_free(j);
			return -1;
		}
		jv_free(j);
	}
	return 0;
}

enum store_status
feed_import(FILE *fp, const char *name, const char *class, struct store *s,
    const struct classifier *c, const struct policy_cfg *pc, time_t now, int batch,
    struct feed_stats *st, struct sbuf *errs)
{
	struct ctx x;
	struct sbuf all;
	char *line = NULL, *h = NULL, *hf[CSV_COLS];
	size_t cap = 0, nh = 0;
	long in_batch = 0, first = 1;
	int kind = 0;		/* 'j' JSON lines, 'c' CSV, 'l' list */

	memset(st, 0, sizeof(*st));
	memset(&x, 0, sizeof(x));
	x.name = name;
	x.c = c;
	x.s = s;
	x.pc = pc;
	x.now = now;
	x.class = class;
	x.st = st;
	x.errs = errs;
	x.r = STORE_OK;
	sbuf_init(&all);
	if ((x.r = store_begin(s)) != STORE_OK)
		return x.r;
	x.txn_t0 = mono_s();
	if ((x.r = erase_tombs_open(s, &x.tombs)) != STORE_OK) {
		store_rollback(s);
		return x.r;
	}
	while (getline(&line, &cap, fp) != -1) {
		struct jv *j = NULL;
		char err[80];

		x.lineno++;
		if (kind == 'd') {
			sbuf_add(&all, line);
			continue;
		}
		str_trim(line);
		if (line[0] == '\0' || (kind != 'j' && line[0] == '#'))
			continue;
		if (kind == 0) {
			/* a JSON document over several lines, or an array */
			if (line[0] == '[' || (line[0] == '{' && (j = jv_parse(line,
			    strlen(line), NULL, err, sizeof(err))) == NULL)) {
				kind = 'd';
				first = x.lineno;
				sbuf_add(&all, line);
				sbuf_add(&all, "\n");
				continue;
			}
			if (line[0] == '{') {
				jv_free(j);
				kind = 'j';
			} else if (is_csv_header(line)) {
				kind = 'c';
				h = xstrdup(line);
				nh = csv_split(h, hf, CSV_COLS);
				continue;
			} else {
				kind = 'l';
				if (class == NULL) {
					sbuf_printf(errs, "%s: a plain list of "
					    "addresses needs --class (manual, "
					    "unsubscribe, hard, complaint)\n",
					    name);
					st->bad++;
					break;
				}
			}
		}
		if (kind == 'j') {
			if ((j = jv_parse(line, strlen(line), NULL, err,
			    sizeof(err))) == NULL || j->type != JV_OBJ) {
				st->lines++;
				sbuf_printf(errs, "%s:%ld: not a JSON object%s%s\n",
				    name, x.lineno, j ? "" : ": ", j ? "" : err);
				st->bad++;
				jv_free(j);
				continue;
			}
			if (one_object(&x, j, 0) == -1) {
				jv_free(j);
				break;
			}
			jv_free(j);
		} else if ((kind == 'c' ? csv_line(&x, line, hf, nh) :
		    list_line(&x, line)) == -1)
			break;
		if (batch_done(&x, &in_batch, batch) == -1)
			break;
	}
	/* a read error is not the end of the input: say so, never a
	   short import that looks whole */
	if (ferror(fp)) {
		sbuf_printf(errs, "%s:%ld: read error: %s\n", name, x.lineno + 1,
		    strerror(errno));
		st->read_error = 1;
	} else if (kind == 'd' && x.r == STORE_OK)
		(void)documents(&x, all.s, all.len, first, batch);
	free(line);
	free(h);
	sbuf_free(&all);
	erase_tombs_close(x.tombs);
	if (x.r == STORE_OK)
		x.r = store_commit(s);
	else
		store_rollback(s);
	return x.r;
}
