#!/bin/sh
# Fleets: the store on PostgreSQL. The same store suite as SQLite's, two
# "hosts" writing at once, Postfix's pgsql lookups, and PostgreSQL
# stopped in the middle: exit 75, then stored exactly once.
. "$(dirname "$0")/lib.sh"
. "$top/tests/pg.sh"
if [ $pg_skip = 1 ]; then
	skip "PostgreSQL backend" "needs root and Debian's postgresql (initdb)"
	done_testing; exit 0
fi
chmod 755 "$tmp"
pg_start || { echo "Bail out! PostgreSQL did not start"; sed 's/^/# /' "$tmp"/pg.* 2>/dev/null; exit 1; }
echo "# cluster on 127.0.0.1:$PGPORT"
db=$PGURI
B="$BOUNCER --allow-root --db $db"
q() { pgq "$1"; }
BACKEND=pg
$B --init > /dev/null; ok $? "bouncer creates its schema in PostgreSQL"
pgver=$(pgq 'select version from bouncer_schema')
ok $([ "${pgver:-0}" -ge 8 ]; echo $?) "schema version kept ($pgver)"
. "$top/tests/store-suite.sh"

# two hosts at once, different bounces, one database
for h in 1 2; do gen_mbox "host$h" 300 > "$tmp/h$h.mbox"; done
$B --replay "$tmp/h1.mbox" > "$tmp/h1.out" 2>&1 & p1=$!
$B --replay "$tmp/h2.mbox" > "$tmp/h2.out" 2>&1 & p2=$!
wait $p1; r1=$?; wait $p2; r2=$?
is "$r1 $r2" "0 0" "two hosts replaying at once: both exit 0"
is "$(pgq "select count(*) from events where address like 'host%@gen.example'")" 600 "every bounce of both hosts stored once"
# the same replays again from the other host: nothing counted twice
$B --replay "$tmp/h1.mbox" > /dev/null 2>&1
is "$(pgq "select count(*) from events where address like 'host%@gen.example'")" 600 "a replay on the other host counts nothing twice"
# the same address from two hosts at once: one listing, consistent
mkdsn race@example.org 5.1.1 "User unknown" race1@x > "$tmp/r1.eml"
mkdsn race@example.org 5.1.1 "User unknown" race2@x > "$tmp/r2.eml"
$B < "$tmp/r1.eml" & a=$!; $B < "$tmp/r2.eml" & b=$!; wait $a; wait $b
is "$(pgq "select count(*) from audit where address='race@example.org' and action='added'")" 1 "same address from two hosts: added once"

# Postfix's own lookups through the shipped pgsql map
if [ -x /usr/sbin/postmap ] && [ -e /usr/lib/postfix/postfix-pgsql.so ]; then
	mkdir -p "$tmp/pf"; printf 'compatibility_level = 3.6\n' > "$tmp/pf/main.cf"
	for m in bouncer-recipient-access-pgsql bouncer-transport-pgsql; do
		sed -e "s|^hosts = .*|hosts = inet:127.0.0.1:$PGPORT|" \
		    -e "s|^password = .*|password = $PGREADER_PW|" "$top/postfix/$m.cf" > "$tmp/pf/$m.cf"
	done
	chmod -R a+rX "$tmp/pf"
	look() { su -s /bin/sh postfix -c "/usr/sbin/postmap -c $tmp/pf -q '$1' pgsql:$tmp/pf/$2.cf" 2>>"$tmp/pmerr"; }
	is "$(look hard@example.net bouncer-recipient-access-pgsql)" "REJECT 5.1.1 Recipient suppressed: userunknown" "postmap -q via pgsql: hard"
	is "$(look host1-1@gen.example bouncer-recipient-access-pgsql)" "REJECT 5.1.1 Recipient suppressed: userunknown" "a suppression from host 1 seen"
	is "$(look host2-3@gen.example bouncer-recipient-access-pgsql)" "REJECT 5.1.1 Recipient suppressed: userunknown" "a suppression from host 2 seen"
	look clean@example.net bouncer-recipient-access-pgsql; is $? 1 "clean address: no answer"
	is "$(look hard@example.net bouncer-transport-pgsql)" "error:5.1.1 Recipient suppressed by bouncer (hard: userunknown)" "transport map via pgsql"
	is "$(wc -c < "$tmp/pmerr" | tr -d ' ')" 0 "postmap printed no warning"
	sed 's/^/# /' "$tmp/pmerr"
	psql -h 127.0.0.1 -p "$PGPORT" -U postfix_reader -d bouncer -c "DELETE FROM suppression" > /dev/null 2>&1
	is $? 1 "the reader role cannot write"
else
	skip "postmap -q via pgsql" "postfix-pgsql not installed"
fi

# --migrate-to: an SQLite store copied into PostgreSQL, idempotently
sdb=$tmp/old.db
$BOUNCER --allow-root --db "$sdb" --init > /dev/null
$BOUNCER --allow-root --db "$sdb" --replay "$top/fixtures" > /dev/null 2>&1
$BOUNCER --db "$sdb" --add keep@old.example --why "manual on the old host" > /dev/null
$BOUNCER --db "$sdb" --forget gone2@old.example > /dev/null
counts() { pgq "select (select count(*) from suppression) || ' ' || (select count(*) from events) || ' ' || (select count(*) from audit) || ' ' || (select value from meta where key='erasures')"; }
before=$(counts)
$BOUNCER --db "$sdb" --migrate-to "$PGURI" > "$tmp/o" 2>&1; ok $? "--migrate-to"
is "$(pgq "select class||' '||reason from suppression where address='alice@example.net'")" "hard userunknown" "suppressions copied"
is "$(pgq "select note from suppression where address='keep@old.example'")" "manual on the old host" "manual entries copied"
is "$(pgq "select count(*) from audit where address='keep@old.example'")" 1 "audit copied"
is "$(pgq "select count(*) from events where address='mallory@isp.example'")" 1 "events copied, none twice"
after=$(counts)
$BOUNCER --db "$sdb" --migrate-to "$PGURI" > /dev/null 2>&1
is "$(counts)" "$after" "a second --migrate-to changes nothing"
ok $([ "$before" != "$after" ]; echo $?) "the first one did ($before -> $after)"

# PostgreSQL stopped in the middle: exit 75 fast, then stored exactly once
pg_stop
mkdsn down@example.org 5.1.1 "550 5.1.1 User unknown" down1@x > "$tmp/down.eml"
start=$(date +%s)
$B < "$tmp/down.eml" 2> "$tmp/e"; rc=$?
took=$(( $(date +%s) - start ))
is "$rc" 75 "PostgreSQL down: exit 75"
grep -q 'try again later' "$tmp/e"; ok $? "and a clear message"
sed 's/^/# /' "$tmp/e"
ok $([ $took -le 10 ]; echo $?) "failed within the connect timeout (${took}s)"
pg_ctl_start
$B < "$tmp/down.eml"; is $? 0 "after the restart the deferred bounce is stored"
$B < "$tmp/down.eml"
is "$(pgq "select count(*) from events where address='down@example.org'")" 1 "exactly once"
done_testing
