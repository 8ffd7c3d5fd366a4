#!/bin/sh
# The store and the policy: transitions with a set clock, duplicates,
# manual operations with audit rows, GDPR erasure, concurrency, and
# exit 75 when the database cannot be written.
. "$(dirname "$0")/lib.sh"
db=$tmp/b.db
B="$BOUNCER --allow-root --db $db"
$B --init > /dev/null

BACKEND=sqlite
. "$top/tests/store-suite.sh"

# SQLite only: schema version, WAL, forward migration
ver=$(q "select version from bouncer_schema")
ok $([ "$ver" -ge 9 ]; echo $?) "schema version in bouncer_schema ($ver)"
is "$(q "pragma user_version")" "$ver" "and user_version, which older bouncers read, as high"
is "$(q 'pragma journal_mode')" wal "WAL journal"
# before version 12: no aggregates, no triggers keeping them
pre12() {
	sqlite3 "$1" "SELECT 'DROP TRIGGER ' || name || ';' FROM sqlite_master WHERE type = 'trigger'" | sqlite3 "$1"
	sqlite3 "$1" 'DROP TABLE daily; DROP TABLE audit_daily; DROP TABLE listed; DROP TABLE seen_addr; DROP TABLE daily_addr;'
}
# forward migration: a version 1 database is brought to the current one, data kept
cp "$db" "$tmp/v1.db"
pre12 "$tmp/v1.db"
sqlite3 "$tmp/v1.db" 'DROP TABLE sent; DROP TABLE logpos; DROP INDEX audit_time; ALTER TABLE events DROP COLUMN campaign; DROP TABLE sent_campaign; DROP TABLE alerts; DROP TABLE pauses; DROP TABLE held; DROP TABLE event_counts; DROP TABLE erase_keys; DROP TABLE erased; DROP TABLE outbound; DROP TABLE pending; DROP TABLE counts; DROP TABLE metric_base; DROP TABLE pipe_seconds; DROP TABLE failures; DROP TABLE incidents; DROP TABLE logseen; DROP TABLE bouncer_schema; PRAGMA user_version = 1;'
$BOUNCER --db "$tmp/v1.db" --init > /dev/null
is "$(sqlite3 "$tmp/v1.db" "select version from bouncer_schema; select count(*) from sent; select count(*) from events where campaign = ''; select class from suppression where address='hard@example.net'" | tr '\n' ' ')" "$ver 0 $(q 'select count(*) from events') hard " "version 1 migrated to $ver, rows kept"
# databases of versions 8, 9 and 10 (before bouncer_schema): their log
# positions were in logpos.offset; 9 added logpos.mark and logseen, 10
# pending.evidence and outbound.nrcpt
cp "$db" "$tmp/v10.db"
pre12 "$tmp/v10.db"
sqlite3 "$tmp/v10.db" "DROP TABLE bouncer_schema; DELETE FROM logpos; ALTER TABLE logpos RENAME COLUMN pos TO offset; INSERT INTO logpos (host, path, inode, offset, mark) VALUES ('', '/var/log/mail.log', 7, 1234, 'm'); PRAGMA user_version = 10;"
cp "$tmp/v10.db" "$tmp/v9.db"
sqlite3 "$tmp/v9.db" "ALTER TABLE pending DROP COLUMN evidence; ALTER TABLE outbound DROP COLUMN nrcpt; PRAGMA user_version = 9;"
cp "$tmp/v9.db" "$tmp/v8.db"
sqlite3 "$tmp/v8.db" "DROP TABLE logseen; ALTER TABLE logpos DROP COLUMN mark; PRAGMA user_version = 8;"
$BOUNCER --db "$tmp/v8.db" --init > /dev/null; ok $? "a version 8 database opens"
is "$(sqlite3 "$tmp/v8.db" "select version from bouncer_schema; select inode||' '||pos||' '||mark||'.' from logpos; select count(*) from logseen" | tr '\n' ' ')" "$ver 7 1234 . 0 " "version 8 migrated to $ver, its log position kept in logpos.pos"
$BOUNCER --db "$tmp/v9.db" --init > /dev/null; ok $? "a version 9 database opens"
is "$(sqlite3 "$tmp/v9.db" "select version from bouncer_schema; select inode||' '||pos||' '||mark from logpos; select count(*) from pending where evidence = ''" | tr '\n' ' ')" "$ver 7 1234 m $(q 'select count(*) from pending') " "version 9 migrated to $ver, its log position and mark kept, pending.evidence added"
$BOUNCER --db "$tmp/v10.db" --init > /dev/null; ok $? "a version 10 database opens"
is "$(sqlite3 "$tmp/v10.db" "select version from bouncer_schema; select inode||' '||pos||' '||mark from logpos" | tr '\n' ' ')" "$ver 7 1234 m " "version 10 migrated to $ver"
is "$(sqlite3 "$tmp/v10.db" "select (select sum(count) from daily) = (select count(*) from events) and (select sum(count) from audit_daily) = (select count(*) from audit) and (select group_concat(class || count) from listed) = (select group_concat(class || n) from (select class, count(*) as n from suppression group by class)) and (select count(*) from seen_addr) > 0")" 1 \
   "the aggregates made from the rows there"
sqlite3 "$tmp/v1.db" 'UPDATE bouncer_schema SET version = 99;'
$BOUNCER --db "$tmp/v1.db" --init 2> "$tmp/e"; is $? 75 "a database newer than bouncer is refused"
grep -q 'newer than this bouncer' "$tmp/e"; ok $? "and says so"

# locked past the timeout: exit 75, nothing written, then stored on retry
printf 'busy_timeout = 1\n' > "$tmp/fast.conf"
( printf 'BEGIN EXCLUSIVE;\nSELECT 1;\n'; sleep 4; printf 'COMMIT;\n' ) | sqlite3 "$db" > /dev/null &
lock=$!
sleep 1
mkdsn locked@example.net 5.1.1 "550 5.1.1 User unknown" l1@x > "$tmp/locked.eml"
$B --config "$tmp/fast.conf" < "$tmp/locked.eml" 2> "$tmp/e"; rc=$?
is "$rc" 75 "database locked: exit 75"
grep -q 'try again later' "$tmp/e"; ok $? "locked: clear message"
grep -q '^[245]\.[0-9]' "$tmp/e"; is $? 1 "message does not begin with a status code"
wait $lock
$B < "$tmp/locked.eml"; is $? 0 "retry after the lock: exit 0"
is "$(q "select count(*) from suppression where address='locked@example.net'")" 1 "retried bounce stored"

# read-only or broken database: exit 75
cp "$db" "$tmp/ro.db"; chmod 0444 "$tmp/ro.db"
if [ "$(id -u)" != 0 ]; then
	mkdsn ro@example.net 5.1.1 "User unknown" ro@x | $BOUNCER --db "$tmp/ro.db" 2>/dev/null
	is $? 75 "read-only database: exit 75"
else
	skip "read-only database: exit 75" "root ignores file modes"
fi
head -c 8192 /dev/urandom > "$tmp/junk.db"
mkdsn junk@example.net 5.1.1 "User unknown" j@x | $B --db "$tmp/junk.db" 2> "$tmp/e"
is $? 75 "corrupt database: exit 75"
mkdir -p "$tmp/nodir"; chmod 0 "$tmp/nodir"
mkdsn nd@example.net 5.1.1 "User unknown" nd@x | $BOUNCER --allow-root --db /nonexistent/dir/b.db 2>/dev/null
is $? 75 "database directory missing: exit 75"
# root in pipe mode is refused unless told
if [ "$(id -u)" = 0 ]; then
	mkdsn r@example.net 5.1.1 "User unknown" r@x | $BOUNCER --db "$db" 2> "$tmp/e"
	is $? 75 "pipe mode as root refused (exit 75)"
fi
done_testing
