/*
 * feed.c - JSON-lines feeds of complaints and bounces.
 *
 * type words (case-insensitive):
 *   abuse, fraud, complaint, spam        complaint (suppresses)
 *   unsubscribe, opt-out                 unsubscribe (until --remove)
 *   hard, hard_bounce, bounce, permanent hard
 *   soft, soft_bounce, transient         soft
 *   delivered, delivery                  delivered
 *   not-spam, virus, other               recorded only
 * An optional "reason" (a reason word) and "status" are kept.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <glib.h>

#include "addr.h"
#include "classify.h"
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
	{ "unsubscribe", "unsubscribe", "feedback" },
	{ "opt-out", "unsubscribe", "feedback" },
	{ "hard", "hard", "undefined" },
	{ "hard_bounce", "hard", "undefined" },
	{ "bounce", "hard", "undefined" },
	{ "permanent", "hard", "undefined" },
	{ "soft", "soft", "undefined" },
	{ "soft_bounce", "soft", "undefined" },
	{ "transient", "soft", "undefined" },
	{ "delivered", "delivered", "delivered" },
	{ "delivery", "delivered", "delivered" },
	{ "not-spam", "undetermined", "feedback" },
	{ "virus", "undetermined", "feedback" },
	{ "other", "undetermined", "feedback" },
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
	if ((p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
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

/* one_line - 0 applied or skipped as bad (errs), -1 store failure */
static int
one_line(const char *line, const char *name, long lineno, struct store *s,
    const struct policy_cfg *pc, time_t now, struct feed_stats *st,
    struct sbuf *errs, enum store_status *r)
{
	struct jv *j;
	const char *type, *email, *isp, *when, *reason;
	struct store_event e;
	enum policy_outcome out;
	char err[80], *addr = NULL, *key;
	size_t i;
	int gone;

	if ((j = jv_parse(line, strlen(line), NULL, err, sizeof(err))) == NULL ||
	    j->type != JV_OBJ) {
		sbuf_printf(errs, "%s:%ld: not a JSON object%s%s\n", name,
		    lineno, j ? "" : ": ", j ? "" : err);
		goto bad;
	}
	email = jv_str(jv_get(j, "email"));
	type = jv_str(jv_get(j, "type"));
	isp = jv_str(jv_get(j, "isp"));
	when = jv_str(jv_get(j, "received_at"));
	reason = jv_str(jv_get(j, "reason"));
	if (email == NULL || (addr = addr_normalise(email)) == NULL) {
		sbuf_printf(errs, "%s:%ld: no valid \"email\"\n", name, lineno);
		goto bad;
	}
	for (i = 0; type && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcasecmp(type, types[i].type) == 0)
			break;
	if (type == NULL || i == sizeof(types) / sizeof(types[0])) {
		sbuf_printf(errs, "%s:%ld: unknown \"type\": %.40s\n", name,
		    lineno, type ? type : "(none)");
		goto bad;
	}
	/* an address erased on request (--forget) stays erased */
	if ((*r = store_erased(s, addr, &gone)) != STORE_OK) {
		free(addr);
		jv_free(j);
		return -1;
	}
	if (gone) {
		st->erased++;
		free(addr);
		jv_free(j);
		return 0;
	}
	for (i = 0; type && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcasecmp(type, types[i].type) == 0)
			break;
	memset(&e, 0, sizeof(e));
	e.time = parse_when(when);
	if (e.time == 0 || e.time > now)
		e.time = now;
	e.address = addr;
	e.class = types[i].class;
	e.reason = reason && classify_reason_word(reason) ?
	    classify_reason_word(reason) : types[i].reason;
	e.status = jv_str(jv_get(j, "status"));
	e.source = "import";
	e.reporting_mta = isp;
	e.feedback_type = strcmp(types[i].reason, "feedback") == 0 ?
	    (strcasecmp(type, "unsubscribe") == 0 ? "opt-out" : type) : NULL;
	key = dedup(addr, type, isp, when);
	e.dedup = key;
	*r = policy_apply(s, pc, &e, &out);
	free(key);
	free(addr);
	jv_free(j);
	if (*r != STORE_OK)
		return -1;
	if (out == POLICY_DUPLICATE)
		st->duplicates++;
	else
		st->applied++;
	if (out == POLICY_SUPPRESSED || out == POLICY_ESCALATED)
		st->suppressed++;
	return 0;
bad:
	free(addr);
	jv_free(j);
	st->bad++;
	return 0;
}

enum store_status
feed_import(FILE *fp, const char *name, struct store *s,
    const struct policy_cfg *pc, time_t now, int batch,
    struct feed_stats *st, struct sbuf *errs)
{
	enum store_status r = STORE_OK;
	char *line = NULL;
	size_t cap = 0;
	long lineno = 0, in_batch = 0;

	memset(st, 0, sizeof(*st));
	if ((r = store_begin(s)) != STORE_OK)
		return r;
	while (getline(&line, &cap, fp) != -1) {
		lineno++;
		str_trim(line);
		if (line[0] == '\0')
			continue;
		st->lines++;
		if (one_line(line, name, lineno, s, pc, now, st, errs, &r) == -1)
			break;
		if (++in_batch >= batch) {
			if ((r = store_commit(s)) != STORE_OK ||
			    (r = store_begin(s)) != STORE_OK)
				break;
			in_batch = 0;
		}
	}
	free(line);
	if (r == STORE_OK)
		r = store_commit(s);
	else
		store_rollback(s);
	return r;
}
