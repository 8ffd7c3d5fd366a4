#!/bin/sh
# What the list keeps and what it lets go, on PostgreSQL
# (tests/lifecycle-suite.sh).
. "$(dirname "$0")/lib.sh"
. "$top/tests/pg.sh"
if [ $pg_skip = 1 ]; then
	skip "PostgreSQL lifecycle" "needs root and Debian's postgresql (initdb)"
	done_testing; exit 0
fi
chmod 755 "$tmp"
pg_start || { echo "Bail out! PostgreSQL did not start"; exit 1; }
db=$PGURI
B="$BOUNCER --allow-root --db $db"
q() { pgq "$1"; }
BACKEND=pg
$B --init > /dev/null
. "$top/tests/lifecycle-suite.sh"

# --migrate-to brings back no address erased in the target, and erasures
# made on the SQLite host travel with it
sdb=$tmp/old.db
S="$BOUNCER --allow-root --db $sdb"
$S --init > /dev/null
for a in back keep; do mkdsn $a@old.example 5.1.1 "550 5.1.1 User unknown" m-$a@x | $S --now "$(day 70)"; done
$S --forget elsewhere@old.example > /dev/null
$B --forget back@old.example > /dev/null
$S --migrate-to "$PGURI" > /dev/null 2>&1; ok $? "--migrate-to"
is "$(q "select count(*) from events where address='back@old.example'") $(q "select count(*) from suppression where address='back@old.example'")" "0 0" "an address erased in the target is not copied back"
is "$(q "select count(*) from suppression where address='keep@old.example'")" 1 "the others are"
printf '{"email":"elsewhere@old.example","type":"hard"}\n' | $B --import - > "$tmp/o"
grep -q '1 erased (skipped)' "$tmp/o"; ok $? "a tombstone from the SQLite host keeps it out of the fleet's list"

# --expire on every host at once: each address lifted and audited once
for i in $(seq 1 20); do mkarf "ex$i@fleet.example" "ex$i@x" | $B --now "$(day 80)"; done
$B --now "$(day 200)" --expire > "$tmp/x1" & p1=$!
$B --now "$(day 200)" --expire > "$tmp/x2" & p2=$!
wait $p1; r1=$?; wait $p2; r2=$?
is "$r1 $r2" "0 0" "two hosts expiring at once: both exit 0"
is "$(q "select count(*) from audit where action='expired' and address like 'ex%@fleet.example'")" 20 "20 addresses lifted: 20 audit rows, none twice"
is "$(cat "$tmp/x1" "$tmp/x2" | sed -n 's/^expire: \([0-9]*\) address.*/\1/p' | awk '{ s += $1 } END { print s }')" 20 "and the two counts add up to 20"
done_testing
