/*
 * logapply.c - Postfix log lines into events (logapply.h).
 *
 * The same failure reaches bouncer twice when the log is read and the
 * DSN also comes back to the bounce address: both carry the queue ID of
 * the failed message (the DSN in X-Postfix-Queue-ID), and the policy
 * counts the second once it finds the first (store_event_near). A line's
 * own key has its time: Postfix reuses queue IDs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <glib.h>

#include "addr.h"
#include "campaign.h"
#include "dest.h"
#include "ingest.h"
#include "logapply.h"
#include "util.h"

struct logapply {
	struct store		*s;
	const struct classifier	*c;
	const struct policy_cfg	*p;
	struct maillog_stats	*st;
	const struct maillog_opts *cp;
	GHashTable		*camp;	/* queue ID -> campaign */
};

struct logapply *
logapply_new(struct store *s, const struct classifier *c,
    const struct policy_cfg *p, const struct maillog_opts *cp,
    struct maillog_stats *st)
{
	struct logapply *x = xcalloc(1, sizeof(*x));

	x->s = s;
	x->c = c;
	x->p = p;
	x->cp = cp;
	x->st = st;
	x->camp = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    g_free);
	return x;
}

void
logapply_free(struct logapply *x)
{
	if (x == NULL)
		return;
	g_hash_table_destroy(x->camp);
	free(x);
}


#define CAMP_MAX	200000	/* messages in flight remembered */

/*
 * learn_campaign - cleanup's header_checks INFO line ("QID: info: header
 * NAME: VALUE from ...") and qmgr's "QID: from=<prefix+...@...>" name a
 * message's campaign; qmgr's "QID: removed" ends it
 */
static void
learn_campaign(struct logapply *x, const struct logline *l)
{
	char *name = NULL;

	if (x->cp == NULL || (x->cp->header == NULL && !x->cp->verp))
		return;
	switch (l->kind) {
	case LOGLINE_REMOVED:
		g_hash_table_remove(x->camp, l->qid);
		return;
	case LOGLINE_HEADER:
		if (x->cp->header != NULL &&
		    strcasecmp(l->name, x->cp->header) == 0)
			name = campaign_from_header(l->value);
		break;
	case LOGLINE_FROM:
		if (x->cp->verp && !g_hash_table_contains(x->camp, l->qid))
			name = campaign_from_verp(l->value, x->cp->delims);
		break;
	default:
		return;
	}
	if (name == NULL)
		return;
	if (g_hash_table_size(x->camp) >= CAMP_MAX)
		g_hash_table_remove_all(x->camp);
	g_hash_table_replace(x->camp, g_strdup(l->qid), g_strdup(name));
	free(name);
}

/*
 * sent_dest - count the attempt for the incident net (dest.h), under the
 * recipient's domain and under the provider of the MX host that answered
 */
static enum store_status
sent_dest(struct logapply *x, const char *addr, const char *relay, time_t t)
{
	char prov[256], d[300];
	enum store_status r;

	if (x->p->incident_threshold <= 0 || x->p->incident_share <= 0)
		return STORE_OK;
	if ((r = dest_sent(x->s, strchr(addr, '@') + 1, t)) != STORE_OK ||
	    dest_provider(relay, prov, sizeof(prov)) == -1)
		return r;
	snprintf(d, sizeof(d), "*.%s", prov);
	return dest_sent(x->s, d, t);
}

/*
 * outbound - the deliveries that are this server's mail going out, and
 * so count as sent, bounced or deferred: smtp(8) and lmtp(8). The other
 * delivery agents deliver here (local, virtual, pipe: bouncer's own
 * input among them) or decide by configuration (error, retry, discard).
 */
static int
outbound(const struct logline *l)
{
	return strcmp(l->program, "smtp") == 0 ||
	    strcmp(l->program, "lmtp") == 0;
}

/* logapply_line - what a Postfix line says, into the store */
enum store_status
logapply_line(struct logapply *x, const struct logline *e)
{
	struct store_event ev;
	struct verdict v;
	enum policy_outcome out;
	enum store_status r = STORE_OK;
	char *addr, *k, text[LOGLINE_TEXT_MAX + 32];
	const char *action;
	int n, dup;

	/* trust = sent: what mail we sent, to tie bounces to it later */
	if (e->kind == LOGLINE_MSGID) {
		if (x->p->trust == POLICY_TRUST_SENT)
			return store_outbound_add(x->s, e->qid, e->value, "",
			    e->time);
		return STORE_OK;
	}
	if (e->kind != LOGLINE_DELIVERY) {
		learn_campaign(x, e);
		/* ... and how many it went to, before any delivery is read */
		if (e->kind == LOGLINE_FROM && e->nrcpt > 1 &&
		    x->p->trust == POLICY_TRUST_SENT)
			return store_outbound_nrcpt(x->s, e->qid, e->nrcpt,
			    e->time);
		return STORE_OK;
	}
	if (!outbound(e))
		return STORE_OK;
	x->st->deliveries++;
	if ((addr = addr_normalise(e->rcpt)) == NULL)
		return STORE_OK;
	if (x->p->trust == POLICY_TRUST_SENT && (r = store_outbound_add(x->s,
	    e->qid, "", addr, e->time)) != STORE_OK) {
		free(addr);
		return r;
	}
	memset(&ev, 0, sizeof(ev));
	ev.time = e->time;
	ev.address = addr;
	ev.queue_id = e->qid;
	ev.source = "maillog";
	ev.campaign = x->camp ? g_hash_table_lookup(x->camp, e->qid) : NULL;
	ev.remote_mta = e->relay[0] ? e->relay : NULL;
	/*
	 * "sent" counts attempts that ended, delivered or returned: a
	 * domain where every message bounces has a high rate, not none
	 * (a deferral is counted when it ends, sent or bounced). The same
	 * line again (overlapping input) counts once.
	 */
	if (strcmp(e->status, "sent") == 0 ||
	    strcmp(e->status, "bounced") == 0) {
		k = ingest_queue_key(e->qid, addr, e->status, ev.time);
		r = store_logseen(x->s, k, ev.time, &dup);
		free(k);
		if (r == STORE_OK && !dup) {
			r = store_sent_add(x->s, strchr(addr, '@') + 1,
			    ev.time, 1);
			if (r == STORE_OK && ev.campaign != NULL)
				r = store_campaign_sent_add(x->s, ev.campaign,
				    ev.time, 1);
			if (r == STORE_OK)
				r = sent_dest(x, addr, e->relay, ev.time);
		}
		if (r != STORE_OK || (dup && strcmp(e->status, "sent") == 0)) {
			x->st->duplicates += dup;
			free(addr);
			return r;
		}
	}
	if (strcmp(e->status, "sent") == 0) {
		x->st->sent++;
		/* a delivery resets the soft count: record it only then */
		if (r == STORE_OK)
			r = store_soft_count(x->s, addr, ev.time -
			    x->p->soft_window, x->p->delivery_stands, &n);
		if (r == STORE_OK && n > 0) {
			k = ingest_queue_key(e->qid, addr, "delivered", ev.time);
			ev.class = ev.reason = "delivered";
			ev.action = "delivered";
			ev.status = e->dsn;
			ev.diagnostic = e->text;
			ev.dedup = k;
			r = policy_apply(x->s, x->p, &ev, &out);
			free(k);
		}
		free(addr);
		return r;
	}
	if (strcmp(e->status, "bounced") == 0) {
		action = "failed";
		x->st->bounced++;
	} else if (strcmp(e->status, "deferred") == 0) {
		action = "delayed";
		x->st->deferred++;
	} else {
		free(addr);
		return STORE_OK;
	}
	/* the dsn= code comes first so that it is the status chosen */
	snprintf(text, sizeof(text), "%s %s", e->dsn, e->text);
	classify_text(x->c, text, &v);
	if (strcmp(action, "delayed") == 0)
		v.class = "delayed";
	k = ingest_queue_key(e->qid, addr, action, ev.time);
	ev.class = v.class;
	ev.reason = v.reason;
	ev.status = v.status[0] ? v.status : e->dsn;
	ev.replycode = v.replycode;
	ev.action = action;
	ev.diagnostic = e->text;
	ev.dedup = k;
	r = policy_apply(x->s, x->p, &ev, &out);
	if (out == POLICY_DUPLICATE)
		x->st->duplicates++;
	if (out == POLICY_SUPPRESSED || out == POLICY_ESCALATED)
		x->st->suppressed++;
	free(k);
	free(addr);
	return r;
}
