#!/bin/sh
# One schema, every table moved (issue 25 finding 6, issue 26): --init
# makes the same tables and columns on SQLite and PostgreSQL, and
# --migrate-to copies every row of every table, in either direction.
# The test row of each table is made from the schema itself, so that a
# table added later is checked without editing this test.
. "$(dirname "$0")/lib.sh"
. "$top/tests/pg.sh"

# tables - "table column" lines of an SQLite database
tables() {
	sqlite3 "$1" "SELECT m.name || ' ' || p.name FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY 1"
}
# fill - one row in every table but the version and the aggregates
# (which triggers keep), from its columns' types
fill() {
	for t in $(sqlite3 "$1" "SELECT name FROM sqlite_master m WHERE type = 'table' AND name <> 'bouncer_schema' AND NOT EXISTS (SELECT 1 FROM sqlite_master g WHERE g.type = 'trigger' AND g.sql LIKE '%INSERT INTO ' || m.name || ' %')"); do
		cols=$(sqlite3 "$1" "SELECT group_concat(name, ', ') FROM pragma_table_info('$t')")
		vals=$(sqlite3 "$1" "SELECT group_concat(CASE WHEN name = 'own' THEN '0' WHEN type LIKE '%INT%' THEN '7' ELSE '''v' || cid || '@example.net''' END, ', ') FROM pragma_table_info('$t')")
		sqlite3 "$1" "INSERT INTO $t ($cols) VALUES ($vals)" || echo "# cannot fill $t"
	done
}
# rows - every row of table t, sorted, without the ids events and audit
# renumber (other tables' ids, such as an incident's, are kept)
sq_rows() {
	cols=$(sqlite3 "$1" "SELECT group_concat(name, ' || ''|'' || ') FROM pragma_table_info('$2') WHERE NOT (name = 'id' AND '$2' IN ('events', 'audit'))")
	sqlite3 "$1" "SELECT coalesce($cols, '') FROM $2" | sort
}
pg_rows() {
	cols=$(sqlite3 "$1" "SELECT group_concat('coalesce(' || name || '::text, '''')', ' || ''|'' || ') FROM pragma_table_info('$2') WHERE NOT (name = 'id' AND '$2' IN ('events', 'audit'))")
	pgq "SELECT $cols FROM $2" | sort
}
# same - every table of SQLite database a equal to b's (SQLite or PostgreSQL)
same() {
	bad=
	for t in $(sqlite3 "$1" "SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'bouncer_schema'"); do
		if [ "$2" = pg ]; then other=$(pg_rows "$1" "$t"); else other=$(sq_rows "$2" "$t"); fi
		[ "$(sq_rows "$1" "$t")" = "$other" ] || bad="$bad $t"
	done
	echo "${bad:-none}"
}

src=$tmp/src.db
$BOUNCER --db "$src" --init > /dev/null; ok $? "--init makes an SQLite store"
fill "$src"
ntab=$(sqlite3 "$src" "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name <> 'bouncer_schema'")
ok $([ "$ntab" -ge 20 ]; echo $?) "a row in each of its $ntab tables"

is "$(sqlite3 "$src" "SELECT sum(count) FROM daily")" 1 "the aggregates made by the triggers as the rows came"

# SQLite into SQLite
$BOUNCER --db "$src" --migrate-to "$tmp/copy.db" > /dev/null 2>&1; ok $? "--migrate-to another SQLite file"
is "$(same "$src" "$tmp/copy.db")" none "every table's rows copied (tables that differ)"
$BOUNCER --db "$src" --migrate-to "$tmp/copy.db" > /dev/null 2>&1
is "$(same "$src" "$tmp/copy.db")" none "a second copy changes nothing"
$BOUNCER --db "$src" --migrate-to "$src" > /dev/null 2>&1; is $? 64 "a store is not copied into itself"

# The tables copied without a key (audit, failures) are searched for an
# equal row before each insert; that search must pin the row by its
# address, not read every row of the same second: an --import or an
# --expire writes thousands of audit rows in one second, and with
# audit(time) chosen a 50,000-row store took 130 s to copy (quadratic).
plans() {
	sqlite3 "$1" "EXPLAIN QUERY PLAN SELECT 1 FROM audit WHERE time = 1 AND address = 'a' AND action = 'b' AND why = 'c'; EXPLAIN QUERY PLAN SELECT 1 FROM failures WHERE time = 1 AND domain = 'a' AND fingerprint = 'b' AND address = 'c'" | grep -c 'SEARCH.*address=?'
}
is "$(plans "$tmp/copy.db")" 2 "the search for an equal audit or failures row goes by its address"
# a store of version 12 has the old indexes; its migration replaces them
cp "$tmp/copy.db" "$tmp/v12.db"
sqlite3 "$tmp/v12.db" "DROP INDEX audit_address_time; DROP INDEX failures_incident; CREATE INDEX audit_address ON audit(address); CREATE INDEX failures_key ON failures(domain, fingerprint, time); UPDATE bouncer_schema SET version = 12"
is "$(plans "$tmp/v12.db")" 0 "version 12's indexes: the search reads the second's rows"
$BOUNCER --db "$tmp/v12.db" --init > /dev/null
is "$(plans "$tmp/v12.db") $(sqlite3 "$tmp/v12.db" "SELECT count(*) FROM sqlite_master WHERE name IN ('audit_address', 'failures_key')")" "2 0" "migrated from version 12: by the address, the old indexes gone"
# 3,000 addresses imported in one second, copied whole
awk 'BEGIN { for (i = 0; i < 3000; i++) print "same" i "@example.org" }' > "$tmp/list"
$BOUNCER --db "$tmp/burst.db" --init > /dev/null
$BOUNCER --db "$tmp/burst.db" --import "$tmp/list" --class manual > /dev/null 2>&1
$BOUNCER --db "$tmp/burst.db" --migrate-to "$tmp/burst-copy.db" > /dev/null 2>&1; ok $? "a store with 3,000 audit rows of one second copied"
is "$(sqlite3 "$tmp/burst-copy.db" "SELECT count(*), count(DISTINCT time) FROM audit")" "3000|1" "every audit row of the burst"

if [ $pg_skip = 1 ]; then
	skip "PostgreSQL" "needs root and Debian's postgresql (initdb)"
	done_testing; exit 0
fi
chmod 755 "$tmp"
pg_start || { echo "Bail out! PostgreSQL did not start"; sed "s/^/# /" "$tmp"/pg.* "$tmp"/pg/log 2>/dev/null; exit 1; }
$BOUNCER --db "$PGURI" --init > /dev/null; ok $? "--init makes a PostgreSQL store"
# plpgsql's generic plan of a trigger, made while --migrate-to's target
# was empty, scanned events for every row copied (quadratic)
is "$(pgq "SELECT count(*) FROM pg_proc WHERE proname LIKE 'bouncer_%' AND 'plan_cache_mode=force_custom_plan' = ANY(proconfig)") $(pgq "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'bouncer_%'")" \
   "$(sqlite3 "$src" "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'") $(sqlite3 "$src" "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")" "every trigger's function planned for each call"
$BOUNCER --db "$tmp/fresh.db" --init > /dev/null
is "$(pgq "SELECT table_name || ' ' || column_name FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1")" \
   "$(tables "$tmp/fresh.db")" "the same tables and columns on SQLite and PostgreSQL"

# SQLite into PostgreSQL, and back
$BOUNCER --db "$src" --migrate-to "$PGURI" > "$tmp/o" 2>&1; ok $? "--migrate-to PostgreSQL"
is "$(same "$src" pg)" none "every table's rows in PostgreSQL (tables that differ)"
$BOUNCER --db "$src" --migrate-to "$PGURI" > /dev/null 2>&1
is "$(same "$src" pg)" none "a second copy changes nothing"
$BOUNCER --db "$PGURI" --migrate-to "$tmp/back.db" > "$tmp/o" 2>&1; ok $? "--migrate-to from PostgreSQL into SQLite"
is "$(same "$tmp/back.db" pg)" none "every table's rows back in SQLite (tables that differ)"
# numbering goes on after the copied incident
$BOUNCER --db "$PGURI" --init > /dev/null
is "$(pgq "INSERT INTO incidents (domain, fingerprint, first_seen, last_seen) VALUES ('d', 'f', 1, 1) RETURNING id" | head -1)" "8" "new incidents are numbered after the copied ones"
# a PostgreSQL store of version 9 (no aggregates, no pending.evidence,
# no outbound.nrcpt) is brought to this one: the same tables and columns
pgq "DROP TABLE daily, audit_daily, listed, seen_addr, daily_addr; ALTER TABLE pending DROP COLUMN evidence; ALTER TABLE outbound DROP COLUMN nrcpt; UPDATE bouncer_schema SET version = 9" > /dev/null
$BOUNCER --db "$PGURI" --init > /dev/null; ok $? "a version 9 PostgreSQL store opens"
is "$(pgq "SELECT table_name || ' ' || column_name FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1")" \
   "$(tables "$tmp/fresh.db")" "migrated, the same tables and columns as a new one"
is "$(pgq "SELECT (SELECT sum(count) FROM daily) = (SELECT count(*) FROM events)")" t "its aggregates made from its rows"
done_testing
