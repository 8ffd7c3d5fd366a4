/*
 * store_read.c - the aggregates --report, --metrics and --alert read
 * (store.h, store_query), written once for every database.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store.h"
#include "store_driver.h"

#define DOMAIN_OF "substr(address, {INSTR}(address, '@') + 1)"
#define RATED STORE_RATED

/*
 * The events since ?1, read from the aggregate (daily) for the days
 * after the first and from the rows themselves for the rest of the
 * first day: the same counts as the rows since that second, without
 * reading more than a day of them. n is each line's count.
 */
#define EVENTS "(SELECT day, domain, campaign, class, reason, " \
	"feedback_type, count AS n FROM daily WHERE day > ?1 / 86400 UNION " \
	"ALL SELECT time / 86400, " DOMAIN_OF ", campaign, class, reason, " \
	"feedback_type, 1 FROM events WHERE time >= ?1 AND time < (?1 / " \
	"86400 + 1) * 86400) w"
/* the same for the audit rows (audit_daily) */
#define AUDIT "(SELECT day, action, count AS n FROM audit_daily WHERE " \
	"day > ?1 / 86400 UNION ALL SELECT time / 86400, action, 1 FROM " \
	"audit WHERE time >= ?1 AND time < (?1 / 86400 + 1) * 86400) w"

/* Queries whose first column is a day number, given to callers as a date. */
#define DAY	0x100

static const struct {
	int		 flags;
	const char	*sql;
} queries[] = {
	[STORE_Q_CLASS_REASON] = { 0, "SELECT class, reason, '', sum(n) FROM "
	    EVENTS " GROUP BY class, reason HAVING sum(n) > 0 ORDER BY class, "
	    "sum(n) DESC, reason" },
	[STORE_Q_DOMAIN_CLASS] = { 0, "SELECT " DOMAIN_OF ", class, '', "
	    "count(DISTINCT address) FROM seen_addr WHERE last >= ?1 AND class "
	    "IN ('hard', 'block', 'complaint') GROUP BY 1, 2 ORDER BY 4 DESC, 1 "
	    "LIMIT 60" },
	[STORE_Q_SENT_DOMAIN] = { 0, "SELECT domain, '', '', sum(count) FROM "
	    "sent WHERE day >= ?1 / 86400 GROUP BY domain ORDER BY 4 DESC" },
	[STORE_Q_SUPPRESSED] = { 0, "SELECT class, '', '', count FROM listed "
	    "WHERE count > 0 ORDER BY class" },
	[STORE_Q_GROWTH] = { 0, "SELECT action, '', '', sum(n) FROM " AUDIT
	    " GROUP BY action HAVING sum(n) > 0 ORDER BY action" },
	[STORE_Q_SOFT_FATE] = { 0, "SELECT CASE WHEN EXISTS (SELECT 1 FROM "
	    "events d WHERE d.address = e.address AND d.class = 'delivered' "
	    "AND d.time >= e.t) THEN 'recovered' WHEN EXISTS (SELECT 1 FROM "
	    "audit a WHERE a.address = e.address AND a.action = 'escalated' "
	    "AND a.time >= e.t) THEN 'escalated' ELSE 'pending' END, '', '', "
	    "count(*) FROM (SELECT address, min(time) AS t FROM events WHERE "
	    "class = 'soft' AND time >= ?1 GROUP BY address) e GROUP BY 1 "
	    "ORDER BY 1" },
	[STORE_Q_FEEDBACK] = { 0, "SELECT feedback_type, class, '', sum(n) "
	    "FROM " EVENTS " WHERE reason = 'feedback' GROUP BY 1, 2 HAVING "
	    "sum(n) > 0 ORDER BY 4 DESC" },
	/* distinct addresses: domain rows, then campaign rows */
	[STORE_Q_RATES] = { 0, "SELECT " DOMAIN_OF ", " STORE_RATE_CLASS ", "
	    "'', count(DISTINCT address) FROM seen_addr WHERE last >= ?1 GROUP "
	    "BY 1, 2 UNION ALL SELECT '', " STORE_RATE_CLASS ", campaign, "
	    "count(DISTINCT address) FROM seen_addr WHERE last >= ?1 AND "
	    "campaign <> '' GROUP BY 2, 3" },
	[STORE_Q_SENT_CAMPAIGN] = { 0, "SELECT campaign, '', '', sum(count) "
	    "FROM sent_campaign WHERE day >= ?1 / 86400 GROUP BY campaign "
	    "ORDER BY 4 DESC" },
	[STORE_Q_ALERTS] = { 0, "SELECT key, level, '', since FROM alerts "
	    "ORDER BY key" },
	[STORE_Q_PAUSES] = { 0, "SELECT domain, why, '', expires FROM pauses "
	    "ORDER BY domain" },
	[STORE_Q_DAILY] = { DAY, "SELECT day, rclass, '', sum(n) FROM (SELECT "
	    "day, rclass, count AS n FROM daily_addr WHERE day > ?1 / 86400 "
	    "UNION ALL SELECT time / 86400, " STORE_RATE_CLASS ", count(DISTINCT "
	    "address) FROM events WHERE time >= ?1 AND time < (?1 / 86400 + 1) "
	    "* 86400 AND " STORE_RATE_CLASS " IN " RATED " GROUP BY 1, 2) w "
	    "GROUP BY 1, 2 HAVING sum(n) > 0 ORDER BY 1, 2" },
	[STORE_Q_SENT_DAILY] = { DAY, "SELECT day, '', '', sum(count) FROM "
	    "sent WHERE day >= ?1 / 86400 GROUP BY day ORDER BY day" },
	[STORE_Q_GROWTH_DAILY] = { DAY, "SELECT day, action, '', sum(n) FROM "
	    AUDIT " GROUP BY 1, 2 HAVING sum(n) > 0 ORDER BY 1, 2" },
	[STORE_Q_COUNTS] = { 0, "SELECT kind, name, class, count FROM counts "
	    "ORDER BY kind, name, class" },
	[STORE_Q_METRIC_BASE] = { 0, "SELECT domain, class, '', base FROM "
	    "metric_base ORDER BY domain, class" },
	[STORE_Q_PIPE_SECONDS] = { 0, "SELECT bucket, '', '', count FROM "
	    "pipe_seconds ORDER BY bucket" },
	[STORE_Q_LAST_BLOCK] = { 0, "SELECT " DOMAIN_OF ", '', '', max(time) "
	    "FROM events WHERE time >= ?1 AND class = 'block' GROUP BY 1" },
	[STORE_Q_EVENT_TOTALS] = { 0, "SELECT class, reason, '', value FROM "
	    "event_counts ORDER BY class, reason" },
};

enum store_status
store_query(struct store *s, enum store_query q, time_t since, store_row_cb cb,
    void *arg)
{
	struct store_stmt *st;
	enum store_status r;
	char day[16];
	time_t t;
	struct tm tm;

	if (strstr(queries[q].sql, "?1"))
		r = store_q(s, &st, queries[q].sql, "i", (long long)since);
	else
		r = store_q(s, &st, queries[q].sql, "");
	if (r != STORE_OK)
		return r;
	while (store_row(s, st, &r) == 1) {
		const char *c0 = store_col(st, 0);

		if (queries[q].flags & DAY) {
			t = (time_t)store_coli(st, 0) * 86400;
			gmtime_r(&t, &tm);
			strftime(day, sizeof(day), "%Y-%m-%d", &tm);
			c0 = day;
		}
		if (cb(c0, store_col(st, 1), store_col(st, 2),
		    (long)store_coli(st, 3), arg) == -1)
			break;
	}
	store_done(s, st);
	return r;
}
