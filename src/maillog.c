/*
 * maillog.c - Postfix log lines into events.
 *
 * The same failure reaches bouncer twice when the log is read and the
 * DSN also comes back to the bounce address: both carry the queue ID of
 * the failed message (the DSN in X-Postfix-Queue-ID), and the policy
 * counts the second once it finds the first (store_event_near). A line's
 * own key has its time: Postfix reuses queue IDs.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>


#include <glib.h>

#include "addr.h"
#include "campaign.h"
#include "dest.h"
#include "ingest.h"
#include "maillog.h"
#include "util.h"

static const char *months = "JanFebMarAprMayJunJulAugSepOctNovDec";

/* line_time - the timestamp at the start of a log line */
static time_t
line_time(const char *l, time_t now)
{
	struct tm tm, nt;
	const char *p;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if ((p = strptime(l, "%Y-%m-%dT%H:%M:%S", &tm)) != NULL) {
		int hh, mm;

		while (*p == '.' || (*p >= '0' && *p <= '9'))
			p++;
		t = timegm(&tm);
		if ((*p == '+' || *p == '-') &&
		    sscanf(p + 1, "%2d:%2d", &hh, &mm) == 2)
			t -= (*p == '+' ? 1 : -1) * (hh * 3600 + mm * 60);
		return t;
	}
	if ((p = strstr(months, (char[4]){ l[0], l[1], l[2], 0 })) == NULL ||
	    (p - months) % 3 != 0 ||
	    sscanf(l + 3, "%d %d:%d:%d", &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
	    &tm.tm_sec) != 4)
		return now;
	tm.tm_mon = (int)(p - months) / 3;
	gmtime_r(&now, &nt);
	tm.tm_year = nt.tm_year;
	t = timegm(&tm);
	if (t > now + 86400) {		/* December's lines read in January */
		tm.tm_year--;
		t = timegm(&tm);
	}
	return t;
}

struct entry {
	char	qid[64];
	char	rcpt[256];
	char	dsn[16];
	char	status[16];
	char	relay[256];	/* relay=, the host that answered */
	char	text[2048];
};

/* parse - a delivery line of smtp(8) or lmtp(8); 0 when it is one */
static int
parse(const char *l, struct entry *e)
{
	const char *p, *q, *prog;
	size_t n;

	memset(e, 0, sizeof(*e));
	if ((prog = strstr(l, "postfix")) == NULL ||
	    (p = strstr(prog, "]: ")) == NULL)
		return -1;
	if (((q = strstr(prog, "/smtp[")) == NULL || q > p) &&
	    ((q = strstr(prog, "/lmtp[")) == NULL || q > p))
		return -1;
	p += 3;
	n = strspn(p, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
	if (n == 0 || n >= sizeof(e->qid) || strncmp(p + n, ": to=<", 6) != 0)
		return -1;
	memcpy(e->qid, p, n);
	p += n + 6;
	if ((q = strchr(p, '>')) == NULL || (size_t)(q - p) >= sizeof(e->rcpt))
		return -1;
	memcpy(e->rcpt, p, (size_t)(q - p));
	if ((p = strstr(q, ", dsn=")) != NULL) {
		p += 6;
		n = strcspn(p, ",");
		if (n < sizeof(e->dsn))
			memcpy(e->dsn, p, n);
	}
	if ((p = strstr(q, ", relay=")) != NULL) {
		p += 8;
		n = strcspn(p, ",");
		if (n < sizeof(e->relay))
			memcpy(e->relay, p, n);
	}
	if ((p = strstr(q, ", status=")) == NULL)
		return -1;
	p += 9;
	n = strcspn(p, " \n");
	if (n >= sizeof(e->status))
		return -1;
	memcpy(e->status, p, n);
	p += n;
	if ((p = strchr(p, '(')) != NULL) {
		p++;
		n = strlen(p);
		while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r'))
			n--;
		if (n > 0 && p[n - 1] == ')')
			n--;
		if (n >= sizeof(e->text))
			n = sizeof(e->text) - 1;
		memcpy(e->text, p, n);
	}
	return 0;
}

/*
 * parse_msgid - cleanup(8)'s "QUEUEID: message-id=<id>" line: the
 * Message-ID of a queue file, which a bounce's returned headers carry
 */
static int
parse_msgid(const char *l, char *qid, size_t qlen, char *id, size_t idlen)
{
	const char *p, *q, *prog;
	size_t n;

	if ((prog = strstr(l, "postfix")) == NULL ||
	    (p = strstr(prog, "]: ")) == NULL ||
	    (q = strstr(prog, "/cleanup[")) == NULL || q > p)
		return -1;
	p += 3;
	n = strspn(p, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
	if (n == 0 || n >= qlen || strncmp(p + n, ": message-id=", 13) != 0)
		return -1;
	memcpy(qid, p, n);
	qid[n] = '\0';
	p += n + 13;
	p += strspn(p, "<");
	n = strcspn(p, "> \r\n");
	if (n == 0 || n >= idlen)
		return -1;
	memcpy(id, p, n);
	id[n] = '\0';
	return 0;
}

struct ctx {
	struct store		*s;
	const struct classifier	*c;
	const struct policy_cfg	*p;
	time_t			 now;
	struct maillog_stats	*st;
	const struct maillog_opts *cp;
	GHashTable		*camp;	/* queue ID -> campaign */
	/* the file being read, whose position each commit records */
	const char		*path;
	unsigned long long	 ino;
	int			 open;	/* a transaction is open */
	struct timespec		 began;	/* ... since then */
	long			 lines;	/* ... with that many lines */
};

/*
 * Short transactions: a pipe-mode bouncer waits for the write lock at
 * most its busy timeout (5 s), and a year of log is millions of lines.
 * So commit, with the position reached, every CHUNK_LINES lines or
 * CHUNK_MS milliseconds, whichever comes first, and open the next
 * transaction only when the next line has been read (a pipe that waits
 * for input holds no lock); a crash between two commits loses nothing
 * (the position is in the same transaction).
 */
#define CHUNK_LINES	5000
#define CHUNK_MS	100

static long
ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - t->tv_sec) * 1000 +
	    (now.tv_nsec - t->tv_nsec) / 1000000;
}

/* txn_begin - open a transaction, if none is, and start its clock */
static enum store_status
txn_begin(struct ctx *x)
{
	enum store_status r;

	if (x->open)
		return STORE_OK;
	if ((r = store_begin(x->s)) != STORE_OK)
		return r;
	clock_gettime(CLOCK_MONOTONIC, &x->began);
	x->lines = 0;
	x->open = 1;
	return STORE_OK;
}

/* txn_end - commit, with the position end when reading a file */
static enum store_status
txn_end(struct ctx *x, long long end)
{
	enum store_status r;

	if (!x->open)
		return STORE_OK;
	x->open = 0;
	if (x->path != NULL &&
	    (r = store_logpos_set(x->s, x->path, x->ino, end)) != STORE_OK) {
		store_rollback(x->s);
		return r;
	}
	return store_commit(x->s);
}

/* txn_rollback - give up the open transaction, if any */
static void
txn_rollback(struct ctx *x)
{
	if (x->open)
		store_rollback(x->s);
	x->open = 0;
}

/* txn_chunk - after a line: commit when the transaction is long enough */
static enum store_status
txn_chunk(struct ctx *x, long long end)
{
	enum store_status r;

	if (++x->lines < CHUNK_LINES && ms_since(&x->began) < CHUNK_MS)
		return STORE_OK;
	if ((r = txn_end(x, end)) == STORE_OK)
		txn_gap();
	return r;
}

#define CAMP_MAX	200000	/* messages in flight remembered */

/* qid_line - the queue ID of a Postfix line of program prog, and its rest */
static const char *
qid_line(const char *l, const char *prog, char *qid, size_t len)
{
	const char *p, *q;
	size_t n;

	if ((p = strstr(l, prog)) == NULL || (q = strstr(p, "]: ")) == NULL)
		return NULL;
	q += 3;
	n = strspn(q, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
	if (n == 0 || n >= len || q[n] != ':' || q[n + 1] != ' ')
		return NULL;
	memcpy(qid, q, n);
	qid[n] = '\0';
	return q + n + 2;
}

/*
 * learn_campaign - "QID: info: header NAME: VALUE from ...;" (cleanup's
 * header_checks INFO action) and "QID: from=<prefix+...@...>" (qmgr)
 * name a message's campaign; "QID: removed" ends it. 1 when l was one.
 */
static int
learn_campaign(struct ctx *x, const char *l)
{
	const char *r, *v, *e;
	char qid[64], *name = NULL, *val;
	size_t hl;

	if (x->cp == NULL || (x->cp->header == NULL && !x->cp->verp))
		return 0;
	if ((r = qid_line(l, "/cleanup[", qid, sizeof(qid))) != NULL) {
		if (x->cp->header == NULL ||
		    (v = str_iprefix(r, "info: header ")) == NULL ||
		    (v = str_iprefix(v, x->cp->header)) == NULL || *v != ':' ||
		    (e = strstr(v, " from ")) == NULL)
			return 1;
		val = xstrndup(v + 1, (size_t)(e - v - 1));
		name = campaign_from_header(val);
		free(val);
	} else if ((r = qid_line(l, "/qmgr[", qid, sizeof(qid))) != NULL) {
		if (strncmp(r, "removed", 7) == 0) {
			g_hash_table_remove(x->camp, qid);
			return 1;
		}
		if (!x->cp->verp || strncmp(r, "from=<", 6) != 0 ||
		    (e = strchr(r + 6, '>')) == NULL ||
		    g_hash_table_contains(x->camp, qid))
			return 1;
		hl = (size_t)(e - r - 6);
		val = xstrndup(r + 6, hl);
		name = campaign_from_verp(val, x->cp->delims);
		free(val);
	} else
		return 0;
	if (name == NULL)
		return 1;
	if (g_hash_table_size(x->camp) >= CAMP_MAX)
		g_hash_table_remove_all(x->camp);
	g_hash_table_replace(x->camp, g_strdup(qid), g_strdup(name));
	free(name);
	return 1;
}

/*
 * sent_dest - count the attempt for the incident net (dest.h), under the
 * recipient's domain and under the provider of the MX host that answered
 */
static enum store_status
sent_dest(struct ctx *x, const char *addr, const char *relay, time_t t)
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

static enum store_status
one_line(struct ctx *x, const char *l)
{
	struct entry e;
	struct store_event ev;
	struct verdict v;
	enum policy_outcome out;
	enum store_status r = STORE_OK;
	char *addr, *k, text[2100];
	const char *action;
	int n;

	x->st->lines++;
	/* trust = sent: what mail we sent, to tie bounces to it later */
	if (x->p->trust == POLICY_TRUST_SENT &&
	    parse_msgid(l, e.qid, sizeof(e.qid), e.text, sizeof(e.text)) == 0)
		return store_outbound_add(x->s, e.qid, e.text, "",
		    line_time(l, x->now));
	if (learn_campaign(x, l) || parse(l, &e) == -1)
		return STORE_OK;
	x->st->deliveries++;
	if ((addr = addr_normalise(e.rcpt)) == NULL)
		return STORE_OK;
	if (x->p->trust == POLICY_TRUST_SENT && (r = store_outbound_add(x->s,
	    e.qid, "", addr, line_time(l, x->now))) != STORE_OK) {
		free(addr);
		return r;
	}
	memset(&ev, 0, sizeof(ev));
	ev.time = line_time(l, x->now);
	ev.address = addr;
	ev.queue_id = e.qid;
	ev.source = "maillog";
	ev.campaign = x->camp ? g_hash_table_lookup(x->camp, e.qid) : NULL;
	ev.remote_mta = e.relay[0] ? e.relay : NULL;
	/*
	 * "sent" counts attempts that ended, delivered or returned: a
	 * domain where every message bounces has a high rate, not none
	 * (a deferral is counted when it ends, sent or bounced)
	 */
	if (strcmp(e.status, "sent") == 0 || strcmp(e.status, "bounced") == 0) {
		r = store_sent_add(x->s, strchr(addr, '@') + 1, ev.time, 1);
		if (r == STORE_OK && ev.campaign != NULL)
			r = store_campaign_sent_add(x->s, ev.campaign, ev.time,
			    1);
		if (r == STORE_OK)
			r = sent_dest(x, addr, e.relay, ev.time);
		if (r != STORE_OK) {
			free(addr);
			return r;
		}
	}
	if (strcmp(e.status, "sent") == 0) {
		x->st->sent++;
		/* a delivery resets the soft count: record it only then */
		if (r == STORE_OK)
			r = store_soft_count(x->s, addr, ev.time -
			    x->p->soft_window, x->p->delivery_stands, &n);
		if (r == STORE_OK && n > 0) {
			k = ingest_queue_key(e.qid, addr, "delivered", ev.time);
			ev.class = ev.reason = "delivered";
			ev.action = "delivered";
			ev.status = e.dsn;
			ev.diagnostic = e.text;
			ev.dedup = k;
			r = policy_apply(x->s, x->p, &ev, &out);
			free(k);
		}
		free(addr);
		return r;
	}
	if (strcmp(e.status, "bounced") == 0) {
		action = "failed";
		x->st->bounced++;
	} else if (strcmp(e.status, "deferred") == 0) {
		action = "delayed";
		x->st->deferred++;
	} else {
		free(addr);
		return STORE_OK;
	}
	/* the dsn= code comes first so that it is the status chosen */
	snprintf(text, sizeof(text), "%s %s", e.dsn, e.text);
	classify_text(x->c, text, &v);
	if (strcmp(action, "delayed") == 0)
		v.class = "delayed";
	k = ingest_queue_key(e.qid, addr, action, ev.time);
	ev.class = v.class;
	ev.reason = v.reason;
	ev.status = v.status[0] ? v.status : e.dsn;
	ev.replycode = v.replycode;
	ev.action = action;
	ev.diagnostic = e.text;
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

/*
 * idle - nothing to read on fp's descriptor right now. Lines may still
 * sit in stdio's buffer, which no portable call shows; then the caller
 * commits once more than it needed to, never once too few, so a pipe
 * whose writer pauses (tail -F | bouncer --maillog -) holds no lock.
 */
static int
idle(FILE *fp)
{
	struct pollfd pfd;

	pfd.fd = fileno(fp);
	pfd.events = POLLIN;
	pfd.revents = 0;
	return poll(&pfd, 1, 0) == 0;
}

/* read_from - lines of fp from offset to its end; *end is where it stopped */
static enum store_status
read_from(struct ctx *x, FILE *fp, long long offset, long long *end)
{
	enum store_status r = STORE_OK;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	struct stat sb;
	int waits;

	if (offset > 0 && fseeko(fp, (off_t)offset, SEEK_SET) == -1)
		offset = 0;
	*end = offset;
	/* a pipe can make getline() wait for its writer: commit first */
	waits = fstat(fileno(fp), &sb) == 0 && !S_ISREG(sb.st_mode);
	for (;;) {
		if (waits && x->open && idle(fp) &&
		    (r = txn_end(x, *end)) != STORE_OK)
			break;
		if ((n = getline(&line, &cap, fp)) == -1)
			break;
		if (line[n - 1] != '\n')
			break;		/* a line still being written */
		if ((r = txn_begin(x)) != STORE_OK ||
		    (r = one_line(x, line)) != STORE_OK)
			break;
		*end += n;
		if ((r = txn_chunk(x, *end)) != STORE_OK)
			break;
	}
	free(line);
	return r;
}

static enum store_status read_log(struct ctx *, const char *, char **);

/* rotated - the file that had inode ino before rotation, if any */
static FILE *
rotated(const char *path, unsigned long long ino)
{
	static const char *suffix[] = { ".1", ".0", "-old", NULL };
	char p[4096];
	struct stat sb;
	int i;

	for (i = 0; suffix[i]; i++) {
		if (snprintf(p, sizeof(p), "%s%s", path, suffix[i]) >=
		    (int)sizeof(p))
			continue;
		if (stat(p, &sb) == 0 && (unsigned long long)sb.st_ino == ino)
			return fopen(p, "r");
	}
	return NULL;
}

enum store_status
maillog_read(const char *path, struct store *s, const struct classifier *c,
    const struct policy_cfg *p, time_t now, struct maillog_stats *st,
    char **err, const struct maillog_opts *cp)
{
	struct ctx x = { s, c, p, now, st, cp, NULL };
	enum store_status r;

	x.camp = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	r = read_log(&x, path, err);
	g_hash_table_destroy(x.camp);
	/* the largest destinations may have changed: label new ones */
	if (r == STORE_OK && cp != NULL && cp->top_domains > 0 &&
	    (r = store_begin(s)) == STORE_OK) {
		if ((r = store_label_domains(s, cp->top_domains)) == STORE_OK)
			r = store_commit(s);
		else
			store_rollback(s);
	}
	return r;
}

/* read_log - the file at path (or "-") from where the last run stopped */
static enum store_status
read_log(struct ctx *xp, const char *path, char **err)
{
	struct ctx x = *xp;
	struct store *s = x.s;
	struct maillog_stats *st = x.st;
	enum store_status r;
	unsigned long long ino = 0;
	long long off = 0, end = 0;
	struct stat sb;
	FILE *fp, *old;
	int found;

	memset(st, 0, sizeof(*st));
	*err = NULL;
	if (strcmp(path, "-") == 0) {
		if ((r = read_from(&x, stdin, 0, &end)) == STORE_OK)
			return txn_end(&x, end);
		txn_rollback(&x);
		return r;
	}
	if ((fp = fopen(path, "r")) == NULL || fstat(fileno(fp), &sb) == -1) {
		*err = xstrdup(strerror(errno));
		if (fp)
			fclose(fp);
		return STORE_FAIL;
	}
	if ((r = store_logpos_get(s, path, &ino, &off, &found)) != STORE_OK)
		goto out;
	x.path = path;
	if (found && ino != (unsigned long long)sb.st_ino) {
		/* rotated since the last run: finish the old file first */
		if ((old = rotated(path, ino)) != NULL) {
			x.ino = ino;
			r = read_from(&x, old, off, &end);
			fclose(old);
			if (r != STORE_OK)
				goto bad;
		}
		off = 0;
	} else if (found && off > (long long)sb.st_size)
		off = 0;	/* truncated in place */
	x.ino = (unsigned long long)sb.st_ino;
	if ((r = read_from(&x, fp, found ? off : 0, &end)) != STORE_OK)
		goto bad;
	/* the last position, also when no line was new */
	if ((r = txn_begin(&x)) == STORE_OK)
		r = txn_end(&x, end);
	goto out;
bad:
	txn_rollback(&x);
out:
	fclose(fp);
	return r;
}
