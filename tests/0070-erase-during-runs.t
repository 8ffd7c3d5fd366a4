#!/bin/sh
# An address erased while a long --import or --migrate-to writes into
# the same store stays erased. Both write in short transactions; the
# tombstones were read once, at the start, so a --forget between two of
# them was undone by the next (the address imported or copied again).
# They are read again at the start of each transaction. The victim is
# the run's last row; where the run had written it before the --forget's
# tombstone was committed (a very slow machine), the check says skipped
# rather than passing for nothing.
. "$(dirname "$0")/lib.sh"
db=$tmp/b.db
B="$BOUNCER --allow-root --db $db"
$B --init > /dev/null
count() { sqlite3 "$1" "SELECT count(*) FROM suppression" 2>/dev/null || echo 0; }
started() {	# started DB: wait until rows have been committed into DB
	i=0
	while [ $i -lt 400 ] && [ "$(count "$1")" -lt 1 ]; do
		sleep 0.05; i=$((i + 1))
	done
}
# forget DB ADDRESS: erase it in the background; once its tombstone is
# committed, print how many rows the run had committed by then (the
# run's open transaction, if any, had to end first: one writer)
forget() {
	$BOUNCER --allow-root --db "$1" --forget "$2" > "$tmp/f" 2>&1 &
	fpid=$!
	i=0
	while [ $i -lt 2000 ] && [ "$(sqlite3 "$1" "SELECT count(*) FROM erased" 2>/dev/null || echo 0)" -lt 1 ]; do
		sleep 0.01; i=$((i + 1))
	done
	count "$1"
	wait $fpid
}

# erased_during WHAT DB ADDRESS ROWS: while the run $pid writes into DB,
# erase ADDRESS, the last of its ROWS rows; the run must not write it back
erased_during() {
	started "$2"
	before=$(forget "$2" "$3"); ok $? "--forget while $1 writes ($(cat "$tmp/f"))"
	wait $pid; ok $? "$1 ends ($(tail -1 "$tmp/o"))"
	if [ "$before" -lt "$4" ]; then
		is "$(sqlite3 "$2" "SELECT count(*) FROM suppression WHERE address = '$3'")" 0 "the address erased during $1 is not written back by it"
	else
		skip "the address erased during $1" "$1 had written it before the --forget ($before rows)"
	fi
}

# --import: the victim is the list's last line
awk 'BEGIN { for (i = 0; i < 60000; i++) print "imp" i "@example.org"; print "zz-victim@example.org" }' > "$tmp/list"
$B --import "$tmp/list" --class hard > "$tmp/o" 2>&1 &
pid=$!
erased_during --import "$db" zz-victim@example.org 60000

# --migrate-to: the victim's row is the source's last (address order)
src=$tmp/src.db
$BOUNCER --allow-root --db "$src" --init > /dev/null
sqlite3 "$src" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) INSERT INTO suppression (address, class, reason, first_seen, last_seen) SELECT 'm' || i || '@example.org', 'hard', 'userunknown', 1, 1 FROM n; INSERT INTO suppression (address, class, reason, first_seen, last_seen) VALUES ('zz-copied@example.org', 'hard', 'userunknown', 1, 1)"
dst=$tmp/dst.db
$BOUNCER --allow-root --db "$dst" --init > /dev/null
$BOUNCER --allow-root --db "$src" --migrate-to "$dst" > "$tmp/o" 2>&1 &
pid=$!
erased_during --migrate-to "$dst" zz-copied@example.org 100000
is "$(count "$dst")" 100000 "every other row copied"
done_testing
