/*
 * store_schema.c - the store's tables, once for every database, and the
 * small helpers that the engine and the drivers share (below both, so
 * that nothing above calls back into what is above it).
 *
 * SQL here and in the engine is written once: integer columns are
 * BIGINT (SQLite gives them integer affinity), "?N" placeholders, and
 * {TOKENS} for the few expressions that differ (store_driver.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_driver.h"
#include "util.h"

#define ENTRY "address TEXT PRIMARY KEY, class TEXT NOT NULL, " \
	"reason TEXT NOT NULL, status TEXT NOT NULL DEFAULT '', " \
	"source TEXT NOT NULL DEFAULT '', note TEXT NOT NULL DEFAULT '', " \
	"first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL, " \
	"soft_count INTEGER NOT NULL DEFAULT 0, expires BIGINT"
#define ENTRY_COLS "address, class, reason, status, source, note, " \
	"first_seen, last_seen, soft_count, expires"
#define EVENT "address TEXT NOT NULL, class TEXT NOT NULL, " \
	"reason TEXT NOT NULL, status TEXT NOT NULL DEFAULT '', " \
	"replycode TEXT NOT NULL DEFAULT '', action TEXT NOT NULL DEFAULT '', " \
	"diagnostic TEXT NOT NULL DEFAULT '', " \
	"reporting_mta TEXT NOT NULL DEFAULT '', " \
	"remote_mta TEXT NOT NULL DEFAULT '', " \
	"message_id TEXT NOT NULL DEFAULT '', " \
	"queue_id TEXT NOT NULL DEFAULT '', source TEXT NOT NULL DEFAULT '', " \
	"feedback_type TEXT NOT NULL DEFAULT ''"
#define IX "CREATE INDEX IF NOT EXISTS "
#define EVENT_COLS "address, class, reason, status, replycode, action, " \
	"diagnostic, reporting_mta, remote_mta, message_id, queue_id, " \
	"source, feedback_type"

/*
 * In the order --migrate-to copies them. Names and SQL from here are
 * the only ones the engine puts into statements it builds.
 */
const struct store_table store_tables[] = {
	{ "suppression", ENTRY, IX "suppression_expires ON "
	    "suppression(expires) WHERE expires IS NOT NULL",
	    ENTRY_COLS, "ttttttiiii", "address", "address, note",
	    MERGE_KEEP, 1 },
	{ "held", ENTRY, NULL, ENTRY_COLS, "ttttttiiii", "address",
	    "address, note", MERGE_KEEP, 1 },
	{ "events", "id {ID}, time BIGINT NOT NULL, " EVENT ", "
	    "dedup TEXT NOT NULL UNIQUE, campaign TEXT NOT NULL DEFAULT ''",
	    IX "events_address ON events(address, time);"
	    IX "events_time ON events(time)",
	    "time, " EVENT_COLS ", dedup, campaign", "ittttttttttttttt",
	    "dedup", "id, diagnostic, remote_mta", MERGE_KEEP, 1 },
	{ "audit", "id {ID}, time BIGINT NOT NULL, address TEXT NOT NULL, "
	    "action TEXT NOT NULL, class TEXT NOT NULL DEFAULT '', "
	    "reason TEXT NOT NULL DEFAULT '', why TEXT NOT NULL DEFAULT ''",
	    IX "audit_address_time ON audit(address, time);"
	    IX "audit_time ON audit(time)",
	    "time, address, action, class, reason, why", "ittttt",
	    "time, address, action, why", "id, why", MERGE_NEW, 1 },
	{ "meta", "key TEXT PRIMARY KEY, value BIGINT NOT NULL", NULL,
	    "key, value", "ti", "key", NULL, MERGE_MAX, 0 },
	{ "sent", "domain TEXT NOT NULL, day BIGINT NOT NULL, "
	    "count BIGINT NOT NULL, PRIMARY KEY (domain, day)", NULL,
	    "domain, day, count", "tii", "domain, day", NULL, MERGE_MAX, 0 },
	{ "sent_campaign", "campaign TEXT NOT NULL, day BIGINT NOT NULL, "
	    "count BIGINT NOT NULL, PRIMARY KEY (campaign, day)", NULL,
	    "campaign, day, count", "tii", "campaign, day", NULL, MERGE_MAX,
	    0 },
	{ "logpos", "host TEXT NOT NULL DEFAULT '', path TEXT NOT NULL, "
	    "inode BIGINT NOT NULL, pos BIGINT NOT NULL, "
	    "mark TEXT NOT NULL DEFAULT '', PRIMARY KEY (host, path)", NULL,
	    "host, path, inode, pos, mark", "ttiit", "host, path", NULL,
	    MERGE_KEEP, 0 },
	/* delivery lines counted (keys are host/queue id/recipient/time) */
	{ "logseen", "key TEXT PRIMARY KEY, time BIGINT NOT NULL",
	    IX "logseen_time ON logseen(time)", "key, time", "ti", "key", NULL,
	    MERGE_KEEP, 0 },
	{ "alerts", "key TEXT PRIMARY KEY, level TEXT NOT NULL, "
	    "since BIGINT NOT NULL", NULL, "key, level, since", "tti", "key",
	    NULL, MERGE_KEEP, 0 },
	{ "pauses", "domain TEXT PRIMARY KEY, since BIGINT NOT NULL, "
	    "expires BIGINT NOT NULL, why TEXT NOT NULL DEFAULT ''", NULL,
	    "domain, since, expires, why", "tiit", "domain", NULL, MERGE_KEEP,
	    0 },
	{ "outbound", "queue_id TEXT NOT NULL, address TEXT NOT NULL, "
	    "message_id TEXT NOT NULL DEFAULT '', time BIGINT NOT NULL, "
	    "nrcpt BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (queue_id, address)",
	    IX "outbound_message_id ON outbound(message_id) "
	    "WHERE address = '';"
	    IX "outbound_time ON outbound(time)",
	    "queue_id, address, message_id, time, nrcpt", "tttii",
	    "queue_id, address", NULL, MERGE_KEEP, 1 },
	{ "pending", "dedup TEXT PRIMARY KEY, arrived BIGINT NOT NULL, "
	    "time BIGINT NOT NULL, " EVENT ", campaign TEXT NOT NULL DEFAULT '', "
	    "evidence TEXT NOT NULL DEFAULT ''",
	    IX "pending_arrived ON pending(arrived)",
	    "dedup, arrived, time, " EVENT_COLS ", campaign, evidence",
	    "tiittttttttttttttt", "dedup", "dedup, diagnostic", MERGE_KEEP, 1 },
	{ "event_counts", "class TEXT NOT NULL, reason TEXT NOT NULL, "
	    "value BIGINT NOT NULL, PRIMARY KEY (class, reason)", NULL,
	    "class, reason, value", "tti", "class, reason", NULL, MERGE_MAX,
	    0 },
	{ "erase_keys", "kid TEXT PRIMARY KEY, key TEXT NOT NULL, "
	    "own INTEGER NOT NULL DEFAULT 0", NULL,
	    /* a copied key is the source's, never the target's own */
	    "kid, key", "tt", "kid", NULL, MERGE_KEEP, 0 },
	{ "erased", "kid TEXT NOT NULL, hash TEXT NOT NULL, "
	    "time BIGINT NOT NULL, PRIMARY KEY (kid, hash)", NULL,
	    "kid, hash, time", "tti", "kid, hash", NULL, MERGE_KEEP, 0 },
	{ "counts", "kind TEXT NOT NULL, name TEXT NOT NULL, "
	    "class TEXT NOT NULL, count BIGINT NOT NULL, "
	    "PRIMARY KEY (kind, name, class)", NULL, "kind, name, class, count",
	    "ttti", "kind, name, class", NULL, MERGE_MAX, 0 },
	{ "metric_base", "domain TEXT NOT NULL, class TEXT NOT NULL, "
	    "base BIGINT NOT NULL, PRIMARY KEY (domain, class)", NULL,
	    "domain, class, base", "tti", "domain, class", NULL, MERGE_KEEP,
	    0 },
	{ "pipe_seconds", "bucket INTEGER PRIMARY KEY, count BIGINT NOT NULL",
	    NULL, "bucket, count", "ii", "bucket", NULL, MERGE_MAX, 0 },
	{ "failures", "time BIGINT NOT NULL, domain TEXT NOT NULL, "
	    "fingerprint TEXT NOT NULL, address TEXT NOT NULL",
	    IX "failures_incident ON failures(domain, fingerprint, time, "
	    "address);"
	    IX "failures_time ON failures(time);"
	    IX "failures_address ON failures(address)",
	    "time, domain, fingerprint, address", "ittt",
	    "time, domain, fingerprint, address", NULL, MERGE_NEW, 1 },
	/* with their ids: alert states name incidents by id */
	{ "incidents", "id {ID}, domain TEXT NOT NULL, "
	    "fingerprint TEXT NOT NULL, diagnostic TEXT NOT NULL DEFAULT '', "
	    "reason TEXT NOT NULL DEFAULT '', first_seen BIGINT NOT NULL, "
	    "last_seen BIGINT NOT NULL, recipients BIGINT NOT NULL DEFAULT 0",
	    IX "incidents_key ON incidents(domain, fingerprint, "
	    "last_seen);"
	    IX "incidents_seen ON incidents(last_seen)",
	    "id, domain, fingerprint, diagnostic, reason, first_seen, "
	    "last_seen, recipients", "ittttiii", "id", "id, diagnostic",
	    MERGE_KEEP, 0 },
	/*
	 * Aggregates the reports read instead of whole tables, kept by the
	 * triggers below as rows come and go (a copy's are made by its own
	 * triggers as its rows arrive)
	 */
	{ "daily", "day BIGINT NOT NULL, domain TEXT NOT NULL, "
	    "campaign TEXT NOT NULL, class TEXT NOT NULL, reason TEXT NOT NULL, "
	    "feedback_type TEXT NOT NULL, count BIGINT NOT NULL, PRIMARY KEY "
	    "(day, domain, campaign, class, reason, feedback_type)", NULL, NULL,
	    NULL, NULL, NULL, MERGE_NONE, 0 },
	{ "audit_daily", "day BIGINT NOT NULL, action TEXT NOT NULL, "
	    "count BIGINT NOT NULL, PRIMARY KEY (day, action)", NULL, NULL,
	    NULL, NULL, NULL, MERGE_NONE, 0 },
	{ "listed", "class TEXT PRIMARY KEY, count BIGINT NOT NULL", NULL,
	    NULL, NULL, NULL, NULL, MERGE_NONE, 0 },
	/* addresses with a rated event, by day and rate class */
	{ "daily_addr", "day BIGINT NOT NULL, rclass TEXT NOT NULL, "
	    "count BIGINT NOT NULL, PRIMARY KEY (day, rclass)", NULL, NULL,
	    NULL, NULL, NULL, MERGE_NONE, 0 },
	/* the newest rated event of each address, campaign, class and
	   feedback type: addresses with events since a time */
	{ "seen_addr", "address TEXT NOT NULL, campaign TEXT NOT NULL, "
	    "class TEXT NOT NULL, feedback_type TEXT NOT NULL, "
	    "last BIGINT NOT NULL, PRIMARY KEY (address, campaign, class, "
	    "feedback_type)", IX "seen_addr_last ON seen_addr(last)", NULL,
	    NULL, NULL, NULL, MERGE_NONE, 0 },
	{ "bouncer_schema", "version INTEGER NOT NULL", NULL, NULL, NULL, NULL,
	    NULL, MERGE_NONE, 0 },
};
const size_t store_ntables = sizeof(store_tables) / sizeof(store_tables[0]);

#define RATE_CLASS "(CASE WHEN class = 'unsubscribe' OR feedback_type IN " \
	"('opt-out', 'unsubscribe') THEN 'unsubscribe' ELSE class END)"

/* What the triggers add to an aggregate: R is NEW or OLD, N 1 or -1. */
#define DAILY(R, N) "INSERT INTO daily (day, domain, campaign, class, " \
	"reason, feedback_type, count) VALUES (" R ".time / 86400, substr(" \
	R ".address, {INSTR}(" R ".address, '@') + 1), " R ".campaign, " R \
	".class, " R ".reason, " R ".feedback_type, " N ") ON CONFLICT (day, " \
	"domain, campaign, class, reason, feedback_type) DO UPDATE SET " \
	"count = daily.count + excluded.count"
#define AUDIT(R, N) "INSERT INTO audit_daily (day, action, count) VALUES (" \
	R ".time / 86400, " R ".action, " N ") ON CONFLICT (day, action) DO " \
	"UPDATE SET count = audit_daily.count + excluded.count"
#define LISTED(R, N) "INSERT INTO listed (class, count) VALUES (" R \
	".class, " N ") ON CONFLICT (class) DO UPDATE SET count = " \
	"listed.count + excluded.count"

#define SEEN_KEY(R) "address = " R ".address AND campaign = " R \
	".campaign AND class = " R ".class AND feedback_type = " R \
	".feedback_type"
#define SEEN_ADD "INSERT INTO seen_addr (address, campaign, class, " \
	"feedback_type, last) SELECT NEW.address, NEW.campaign, NEW.class, " \
	"NEW.feedback_type, NEW.time WHERE " STORE_RATE_OF("NEW.") " IN " \
	STORE_RATED " ON CONFLICT (address, campaign, class, feedback_type) " \
	"DO UPDATE SET last = {GREATEST}(seen_addr.last, excluded.last)"
/* (the events' own columns: the subqueries' names are theirs) */
#define SEEN_DEL "DELETE FROM seen_addr WHERE " SEEN_KEY("OLD") " AND NOT " \
	"EXISTS (SELECT 1 FROM events WHERE " SEEN_KEY("OLD") "); UPDATE " \
	"seen_addr SET last = (SELECT max(e.time) FROM events e WHERE " \
	"e.address = OLD.address AND e.campaign = OLD.campaign AND e.class = " \
	"OLD.class AND e.feedback_type = OLD.feedback_type) WHERE " \
	SEEN_KEY("OLD") " AND last = OLD.time"

/*
 * an address counts in a day once a rate class: R's day gains it (N 1,
 * after an insert) or loses it (N -1, before a delete, while the rows
 * the same statement deletes after it are still there) unless another
 * event of the address counts there
 */
#define DAY_OF(R) R ".time / 86400"
#define DAILY_ADDR(R, N) "INSERT INTO daily_addr (day, rclass, count) " \
	"SELECT " DAY_OF(R) ", " STORE_RATE_OF(R ".") ", " N " WHERE " \
	STORE_RATE_OF(R ".") " IN " STORE_RATED " AND NOT EXISTS (SELECT 1 " \
	"FROM events e WHERE e.address = " R ".address AND e.time >= " \
	DAY_OF(R) " * 86400 AND e.time < " DAY_OF(R) " * 86400 + 86400 AND " \
	"e.id <> " R ".id AND " STORE_RATE_OF("e.") " = " \
	STORE_RATE_OF(R ".") ") ON CONFLICT (day, rclass) DO UPDATE SET " \
	"count = daily_addr.count + excluded.count"

const struct store_trigger store_triggers[] = {
	{ "bouncer_event_add", "AFTER INSERT", "events", DAILY("NEW", "1") },
	{ "bouncer_event_del", "AFTER DELETE", "events", DAILY("OLD", "-1") },
	{ "bouncer_seen_add", "AFTER INSERT", "events", SEEN_ADD },
	{ "bouncer_seen_del", "AFTER DELETE", "events", SEEN_DEL },
	{ "bouncer_day_add", "AFTER INSERT", "events", DAILY_ADDR("NEW", "1") },
	{ "bouncer_day_del", "BEFORE DELETE", "events",
	    DAILY_ADDR("OLD", "-1") },
	{ "bouncer_audit_add", "AFTER INSERT", "audit", AUDIT("NEW", "1") },
	{ "bouncer_audit_del", "AFTER DELETE", "audit", AUDIT("OLD", "-1") },
	{ "bouncer_listed_add", "AFTER INSERT", "suppression",
	    LISTED("NEW", "1") },
	{ "bouncer_listed_del", "AFTER DELETE", "suppression",
	    LISTED("OLD", "-1") },
	{ "bouncer_listed_set", "AFTER UPDATE OF class", "suppression",
	    LISTED("OLD", "-1") "; " LISTED("NEW", "1") },
};
const size_t store_ntriggers = sizeof(store_triggers) /
    sizeof(store_triggers[0]);

const struct store_migration store_migrations[] = {
	/* 0 -> 1: nothing there: made from the list */
	{ NULL, NULL },
	/* 1 -> 2: sent counts and --maillog positions */
	{ "sent logpos", IX "audit_time ON audit(time)" },
	/* 2 -> 3: campaigns, alert states, paused destinations */
	{ "sent_campaign alerts pauses", NULL,
	    "events campaign TEXT NOT NULL DEFAULT ''" },
	/* 3 -> 4: the listing an outranking one covers (policy.c) */
	{ "held", NULL },
	/* 4 -> 5: the mail we sent, as --maillog read it; reports awaiting it */
	{ "outbound pending", NULL },
	/*
	 * 5 -> 6: counters that only go up; erasure tombstones (a keyed
	 * hash per key, keys of migrated stores kept); --maillog positions
	 * per host
	 */
	{ "event_counts erase_keys erased",
	    "INSERT INTO event_counts SELECT class, reason, count(*) FROM "
	    "events GROUP BY class, reason;"
	    "CREATE TABLE logpos_new (host TEXT NOT NULL DEFAULT '', "
	    "path TEXT NOT NULL, inode BIGINT NOT NULL, pos BIGINT NOT NULL, "
	    "PRIMARY KEY (host, path)){NOROWID};"
	    "INSERT INTO logpos_new SELECT '', path, inode, pos FROM logpos;"
	    "DROP TABLE logpos;"
	    "ALTER TABLE logpos_new RENAME TO logpos" },
	/* 6 -> 7: per-domain and per-campaign counters, metric bases,
	 * pipe-mode timings (metrics.c) */
	{ "counts metric_base pipe_seconds",
	    "INSERT INTO counts (kind, name, class, count) SELECT 'domain', "
	    "substr(address, {INSTR}(address, '@') + 1), " RATE_CLASS ", "
	    "count(*) FROM events WHERE class IN ('hard', 'soft', 'block', "
	    "'complaint', 'unsubscribe') GROUP BY 2, 3" },
	/* 7 -> 8: failures noted for incidents, and the incidents (policy.c) */
	{ "failures incidents", NULL },
	/* 8 -> 9: what identifies a --maillog position (a file's line
	 * checksum, the journal's cursor); delivery lines already counted */
	{ "logseen", NULL, "logpos mark TEXT NOT NULL DEFAULT ''" },
	/* 9 -> 10: what else vouches for a pending report's recipient; how
	 * many recipients qmgr logged for a queue ID (its "" row) */
	{ NULL, NULL, "pending evidence TEXT NOT NULL DEFAULT '';"
	    "outbound nrcpt BIGINT NOT NULL DEFAULT 0" },
	/*
	 * 10 -> 11: one schema on every database: the version in
	 * bouncer_schema, the log position in logpos.pos (each driver's
	 * legacy hook brings its own older names in line first)
	 */
	{ "bouncer_schema", NULL },
	/*
	 * 11 -> 12: the aggregates, made from the rows there (the triggers
	 * that keep them are made after the migrations)
	 */
	{ "daily audit_daily listed seen_addr daily_addr",
	    "INSERT INTO daily SELECT time / 86400, substr(address, "
	    "{INSTR}(address, '@') + 1), campaign, class, reason, "
	    "feedback_type, count(*) FROM events GROUP BY 1, 2, 3, 4, 5, 6;"
	    "INSERT INTO audit_daily SELECT time / 86400, action, count(*) "
	    "FROM audit GROUP BY 1, 2;"
	    "INSERT INTO listed SELECT class, count(*) FROM suppression "
	    "GROUP BY class;"
	    "INSERT INTO seen_addr SELECT address, campaign, class, "
	    "feedback_type, max(time) FROM events WHERE " STORE_RATE_CLASS
	    " IN " STORE_RATED " GROUP BY 1, 2, 3, 4;"
	    "INSERT INTO daily_addr SELECT time / 86400, " STORE_RATE_CLASS
	    ", count(DISTINCT address) FROM events WHERE " STORE_RATE_CLASS
	    " IN " STORE_RATED " GROUP BY 1, 2" },
	/*
	 * 12 -> 13: indexes that pin one row of the tables --migrate-to
	 * copies without a key (it looks for an equal row first): with
	 * audit(time) or failures(domain, fingerprint, time) the search
	 * read every row of the same second, and a store whose --import or
	 * --expire wrote thousands of them at once took hours to copy
	 */
	{ "audit failures", "DROP INDEX IF EXISTS audit_address;"
	    "DROP INDEX IF EXISTS failures_key" },
};
/* a migration added without the version (or the reverse) fails to build */
_Static_assert(sizeof(store_migrations) / sizeof(store_migrations[0]) ==
    STORE_VERSION, "one migration per schema version");

char *
store_subst(const char *t, const char *const *names,
    const char *const *vals, size_t n)
{
	struct sbuf b;
	size_t k;

	sbuf_init(&b);
	sbuf_addn(&b, "", 0);
	while (*t) {
		for (k = 0; k < n; k++)
			if (strncmp(t, names[k], strlen(names[k])) == 0)
				break;
		if (k < n) {
			sbuf_add(&b, vals[k]);
			t += strlen(names[k]);
		} else
			sbuf_addn(&b, t++, 1);
	}
	return sbuf_steal(&b);
}

char *
store_sql(const char *sql, const char *const *dialect, int dollar)
{
	static const char *names[TOK_N + 1] = { "{ID}", "{NOROWID}",
	    "{INSTR}", "{GREATEST}", "{TABLES}", "{COLUMNS}", "{TRIGGER}",
	    "?" };
	const char *vals[TOK_N + 1];

	/* "?N" as "$N" for PostgreSQL: no other '?' is in the engine's SQL */
	memcpy(vals, dialect, TOK_N * sizeof(*vals));
	vals[TOK_N] = "$";
	return store_subst(sql, names, vals, TOK_N + (dollar != 0));
}

enum store_status
store_fail(struct store *s, enum store_status r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): started above */
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
	return r;
}

void
store_host(char *buf, size_t len)
{
	const char *env = getenv("BOUNCER_HOST");

	/* BOUNCER_HOST: tests play several hosts on one machine */
	if (env && *env)
		snprintf(buf, len, "%s", env);
	else if (gethostname(buf, len) == -1)
		snprintf(buf, len, "localhost");
	buf[len - 1] = '\0';
}
