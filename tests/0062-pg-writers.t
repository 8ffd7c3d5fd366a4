#!/bin/sh
# Two hosts' --maillog at once on one PostgreSQL database (issue 25, 8):
# their chunks upsert the same counter rows (sent per domain and day,
# sent_campaign, the incident net's hourly counts) in opposite orders,
# which deadlocked (exit 75). Every writer now takes the writers' lock
# first (store_pg.c): no deadlock, no exit 75, every line counted once.
. "$(dirname "$0")/lib.sh"
. "$top/tests/pg.sh"
if [ $pg_skip = 1 ]; then
	skip "PostgreSQL concurrent writers" "needs root and Debian's postgresql (initdb)"
	done_testing; exit 0
fi
chmod 755 "$tmp"
pg_start || { echo "Bail out! PostgreSQL did not start"; exit 1; }
printf 'campaign_verp = yes\n' > "$tmp/c.conf"
B="$BOUNCER --allow-root --config $tmp/c.conf --db $PGURI"
$B --init > /dev/null

# hostlog N ORDER ROUND: 3,000 delivery lines, each message to one of 60
# domains and 60 campaigns, walked up (asc) or down (desc), so that the
# two hosts take the same rows in opposite orders within each chunk; each
# round's queue IDs its own (the same line again would count once)
hostlog() {
	awk -v h="$1" -v o="$2" -v r="$3" 'BEGIN {
	    for (i = 0; i < 3000; i++) {
		k = o == "asc" ? i % 60 : 59 - i % 60
		q = sprintf("H%d%d%06X", h, r, i)
		printf "2026-11-20T10:%02d:%02d+00:00 mx%d postfix/qmgr[8]: %s: from=<news%02d+r%d=d%02d.example@bounces.example>, size=900, nrcpt=1 (queue active)\n", \
		    int(i / 60) % 60, i % 60, h, q, k, i, k
		printf "2026-11-20T10:%02d:%02d+00:00 mx%d postfix/smtp[7]: %s: to=<r%d-%d@d%02d.example>, relay=mx.d%02d.example[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)\n", \
		    int(i / 60) % 60, i % 60, h, q, h, i, k, k
	    } }'
}
fails=0
for round in 1 2 3; do
	hostlog 1 asc $round >> "$tmp/h1.log"
	hostlog 2 desc $round >> "$tmp/h2.log"
	$B --now 2026-11-20T12:00:00Z --maillog "$tmp/h1.log" > "$tmp/o1" 2> "$tmp/e1" & p1=$!
	$B --now 2026-11-20T12:00:00Z --maillog "$tmp/h2.log" > "$tmp/o2" 2> "$tmp/e2" & p2=$!
	wait $p1; r1=$?; wait $p2; r2=$?
	if [ "$r1 $r2" != "0 0" ]; then
		fails=$((fails + 1))
		echo "# round $round: exit $r1 $r2: $(cat "$tmp/e1" "$tmp/e2" | head -2)"
	fi
done
is "$fails" 0 "two hosts' --maillog at once, three rounds: never exit 75"
grep -qi deadlock "$tmp"/e*; ok $([ $? -ne 0 ]; echo $?) "no deadlock reported"
is "$(pgq "select sum(count) from sent")" 18000 "every sent line of both hosts counted once"
is "$(pgq "select count(*) || ' ' || sum(count) from sent_campaign")" "60 18000" "... and per campaign"

done_testing
