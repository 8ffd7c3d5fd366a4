#!/bin/sh
# Short write transactions (issue 22, finding 4): --expire lifts a long
# list in many small transactions, so another connection sees it go down
# step by step (one transaction would show it only all or nothing), and
# --forget never waits for a reader while it holds the write lock, so a
# bounce piped meanwhile is stored instead of deferred.
. "$(dirname "$0")/lib.sh"
db=$tmp/b.db
B="$BOUNCER --allow-root --db $db"
$B --init > /dev/null
N=40000
T=$(date +%s)
sqlite3 "$db" > /dev/null <<EOT
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $N)
INSERT INTO suppression (address, class, reason, first_seen, last_seen,
    soft_count, expires)
    SELECT 'lapsed' || i || '@expire.example', 'soft', 'mailboxfull',
    $T - 86400 * 60, $T - 86400 * 40, 3, $T - 86400 FROM c;
EOT
is "$(q "select count(*) from suppression")" $N "$N lapsed soft suppressions"

# watch the count from another connection while --expire runs
$B --expire > "$tmp/expire.out" 2> "$tmp/e" &
pid=$!
: > "$tmp/seen"
while kill -0 $pid 2> /dev/null; do
	q "select count(*) from suppression" >> "$tmp/seen" 2> /dev/null
done
wait $pid; is "$?" 0 "--expire exits 0"
is "$(q "select count(*) from suppression")" 0 "every lapsed row lifted"
is "$(q "select count(*) from audit where action = 'expired'")" $N "each audited once"
grep -q "expire: $N addresses lifted" "$tmp/expire.out"; ok $? "and counted ($(tail -1 "$tmp/expire.out"))"
between=$(awk -v n=$N '$1 > 0 && $1 < n' "$tmp/seen" | sort -u | wc -l)
ok $([ "$between" -ge 2 ]; echo $?) "another connection saw the list go down in steps ($between counts between $N and 0)"

# --forget while a reader holds an old snapshot for 3 s: it waits for the
# reader without holding the write lock, so a bounce piped meanwhile (a
# busy timeout of 1 s) is stored
for i in 1 2 3; do mkdsn gone@example.net 5.1.1 "550 5.1.1 <gone@example.net> unknown" g$i@x | $B; done
mkfifo "$tmp/fifo"
sqlite3 "$db" < "$tmp/fifo" > "$tmp/reader.out" 2>&1 &
rpid=$!
exec 3> "$tmp/fifo"
printf "BEGIN;\nSELECT 'reading', count(*) FROM events;\n" >&3
i=0; while ! grep -q reading "$tmp/reader.out" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
grep -q reading "$tmp/reader.out"; ok $? "a reader holds a read transaction"
# the old pages the reader may need must be in the WAL: a write after it
mkdsn other@example.net 5.1.1 "550 5.1.1 unknown" o1@x | $B
( sleep 3; printf 'COMMIT;\n.quit\n' >&3 ) &
$B --forget gone@example.net > "$tmp/f.out" 2> "$tmp/f.err" &
fpid=$!
sleep 0.7
printf 'busy_timeout = 1\n' > "$tmp/short.conf"
mkdsn meanwhile@example.net 5.1.1 "550 5.1.1 unknown" m1@x | $B --config "$tmp/short.conf" 2> "$tmp/m.err"
is "$?" 0 "a bounce piped while --forget waits for the reader is stored (exit 0, not 75)"
sed 's/^/# /' "$tmp/m.err"
wait $fpid; is "$?" 0 "--forget exits 0 once the reader is done"
exec 3>&-; wait $rpid
is "$(cat "$db" "$db-wal" 2> /dev/null | grep -a -c 'gone@example')" 0 "no copy of the address is left"
is "$(q "select class from suppression where address = 'meanwhile@example.net'")" hard "the bounce piped meanwhile is there"
done_testing
