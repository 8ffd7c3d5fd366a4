#!/bin/sh
# Erasure that holds on SQLite (issue 17): no copy of an erased address
# left in the database files once --forget exits 0, even while a reader
# holds a read transaction; a non-zero exit when it cannot be done.
. "$(dirname "$0")/lib.sh"
db=$tmp/b.db
B="$BOUNCER --allow-root --db $db"
$B --init > /dev/null
T0=2026-11-20T12:00:00Z
copies() { cat "$db" "$db-wal" 2>/dev/null | grep -a -c 'gone@example'; }

for i in 1 2 3; do mkdsn gone@example.net 4.2.2 "452 4.2.2 <gone@example.net> Mailbox full" g$i@x | $B --now 2026-11-2${i}T12:00:00Z; done
$B --add gone@example.net --why "gone@example.net asked" > /dev/null
for i in 1 2 3 4 5; do mkdsn "o$i@example.net" 5.1.1 "550 5.1.1 User unknown" o$i@x | $B --now $T0; done
[ "$(copies)" -gt 0 ]; ok $? "the address is in the files before ($(copies) lines)"

# a reader holds a read transaction for longer than the busy timeout
printf 'busy_timeout = 1\n' > "$tmp/c.conf"
mkfifo "$tmp/fifo"
sqlite3 "$db" < "$tmp/fifo" > "$tmp/reader.out" 2>&1 &
rpid=$!
exec 3> "$tmp/fifo"
printf "BEGIN;\nSELECT 'reading', count(*) FROM events;\n" >&3
i=0; while ! grep -q reading "$tmp/reader.out" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
grep -q reading "$tmp/reader.out"; ok $? "a reader holds a read transaction"
$B --config "$tmp/c.conf" --forget gone@example.net > "$tmp/o" 2> "$tmp/e"; rc=$?
is "$rc" 75 "--forget while the reader holds old pages: exit 75, not 0"
grep -q 'run --forget again' "$tmp/e"; ok $? "and says what to do"
sed 's/^/# /' "$tmp/e"
printf 'COMMIT;\n.quit\n' >&3; exec 3>&-; wait $rpid
$B --forget gone@example.net > "$tmp/o"; is $? 0 "run again once the reader is done: exit 0"
is "$(copies)" 0 "no copy of the address left in the database or its WAL"
is "$(q "select value from meta where key='erasures'")" 1 "counted once"

# a reader that comes and goes: --forget waits for it
mkdsn gone2@example.net 5.1.1 "550 5.1.1 User unknown" h1@x | $B --now $T0
mkfifo "$tmp/fifo2"
sqlite3 "$db" < "$tmp/fifo2" > "$tmp/reader2.out" 2>&1 &
rpid=$!
exec 3> "$tmp/fifo2"
printf "BEGIN;\nSELECT 'reading', count(*) FROM events;\n" >&3
i=0; while ! grep -q reading "$tmp/reader2.out" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
( sleep 1; printf 'COMMIT;\n.quit\n' >&3 ) &
$B --forget gone2@example.net > "$tmp/o" 2> "$tmp/e"; rc=$?
exec 3>&-; wait $rpid
is "$rc" 0 "--forget waits for a reader to finish (busy timeout) and exits 0"
is "$(cat "$db" "$db-wal" 2>/dev/null | grep -a -c 'gone2@example')" 0 "and no copy is left"
done_testing
