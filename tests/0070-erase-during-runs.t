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

# --import: the victim is the list's last line
awk 'BEGIN { for (i = 0; i < 60000; i++) print "imp" i "@example.org"; print "zz-victim@example.org" }' > "$tmp/list"
$B --import "$tmp/list" --class hard > "$tmp/o" 2>&1 &
pid=$!
started "$db"
before=$(forget "$db" zz-victim@example.org); ok $? "--forget while --import writes ($(cat "$tmp/f"))"
wait $pid; ok $? "the import ends ($(tail -1 "$tmp/o"))"
if [ "$before" -lt 60000 ]; then
	is "$(sqlite3 "$db" "SELECT count(*) FROM suppression WHERE address = 'zz-victim@example.org'")" 0 "the address erased during the import is not imported after"
else
	skip "the address erased during the import" "the import had written it before the --forget ($before rows)"
fi

# --migrate-to: the victim's row is the source's last (address order)
src=$tmp/src.db
$BOUNCER --allow-root --db "$src" --init > /dev/null
sqlite3 "$src" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) INSERT INTO suppression (address, class, reason, first_seen, last_seen) SELECT 'm' || i || '@example.org', 'hard', 'userunknown', 1, 1 FROM n; INSERT INTO suppression (address, class, reason, first_seen, last_seen) VALUES ('zz-copied@example.org', 'hard', 'userunknown', 1, 1)"
dst=$tmp/dst.db
$BOUNCER --allow-root --db "$dst" --init > /dev/null
$BOUNCER --allow-root --db "$src" --migrate-to "$dst" > "$tmp/o" 2>&1 &
pid=$!
started "$dst"
before=$(forget "$dst" zz-copied@example.org); ok $? "--forget in the target while --migrate-to writes ($(cat "$tmp/f"))"
wait $pid; ok $? "the copy ends ($(tail -1 "$tmp/o"))"
if [ "$before" -lt 100000 ]; then
	is "$(sqlite3 "$dst" "SELECT count(*) FROM suppression WHERE address = 'zz-copied@example.org'")" 0 "the address erased in the target during the copy is not copied after"
else
	skip "the address erased during the copy" "the copy had written it before the --forget ($before rows)"
fi
is "$(count "$dst")" 100000 "every other row copied"
done_testing
