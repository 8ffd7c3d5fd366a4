#!/bin/sh
# Alert states that say what they mean (issue 25, 7): a warning is never
# resolved by a lack of mail (it becomes "insufficient data", once, and is
# judged again when mail comes); min_sent per destination; an incident's
# alert carries its id and diagnostic; rounding never prints a rate equal
# to the level it is above; --report's text, JSON and page say the same
# about warnings when too little was sent.
. "$(dirname "$0")/lib.sh"
db=$tmp/b.db
B="$BOUNCER --allow-root --db $db"
$B --init > /dev/null
out=$tmp/alerts.jsonl
: > "$out"
# sent DAY N PREFIX DOMAIN: N delivered lines on DAY (YYYY-MM-DD) at 10:00
sent() {
	awk -v d="$1" -v n="$2" -v p="$3" -v dom="$4" 'BEGIN { for (i = 1; i <= n; i++)
	    printf "%sT10:00:00+00:00 mx postfix/smtp[1]: %s%d: to=<%s%d@%s>, relay=mx.%s[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)\n", d, p, i, p, i, dom, dom }' >> "$tmp/mail.log"
}
complain() {	# complain DAY FIRST LAST DOMAIN
	for i in $(seq "$2" "$3"); do mkarf "c$i@$4" "arf$i-$4@t" | $B --now "$1T11:00:00Z"; done
}
printf 'alert_command = cat >> %s\nmin_sent = 1000\n' "$out" > "$tmp/a.conf"
{ cat "$tmp/a.conf"; printf 'min_sent.small.example = 100\n'; } > "$tmp/s.conf"
A="$B --config $tmp/a.conf --alert --since 1d"

# day 1: 2,000 sent to big.example, 3 complaints (0.15%, over 0.1%)
sent 2026-11-21 2000 s big.example
$B --now 2026-11-21T10:30:00Z --maillog "$tmp/mail.log" > /dev/null
complain 2026-11-21 1 3 big.example
$A --now 2026-11-21T12:00:00Z > "$tmp/o"
grep -q '"level":"warning","state":"raised".*"class":"complaint","scope":"domain","name":"big.example"' "$out"
ok $? "day 1: a complaint warning raised for big.example"
# two days later nothing was sent: the window holds too little to judge
$A --now 2026-11-23T12:00:00Z > "$tmp/o"
grep -c '"state":"resolved"' "$out" > "$tmp/n"
is "$(cat "$tmp/n")" 0 "a day without mail resolves nothing"
grep -q '"level":"insufficient data","state":"changed","previous":"warning","class":"complaint","scope":"domain","name":"big.example"' "$out"
ok $? "... the warning changes to 'insufficient data'"
n1=$(wc -l < "$out")
$A --now 2026-11-23T13:00:00Z > "$tmp/o"
is "$(wc -l < "$out")" "$n1" "... said once, not on every run"
# mail again, and clean: now it is resolved
sent 2026-11-24 2000 t big.example
$B --now 2026-11-24T10:30:00Z --maillog "$tmp/mail.log" > /dev/null
$A --now 2026-11-24T12:00:00Z > "$tmp/o"
grep -q '"level":"ok","state":"resolved","previous":"insufficient data","class":"complaint","scope":"domain","name":"big.example"' "$out"
ok $? "enough mail and a clean rate: resolved"

# min_sent.DOMAIN: 200 sent to small.example, 2 complaints (1%) judged
sent 2026-11-25 200 u small.example
sent 2026-11-25 2000 v big.example
$B --now 2026-11-25T10:30:00Z --maillog "$tmp/mail.log" > /dev/null
complain 2026-11-25 1 2 small.example
$B --config "$tmp/a.conf" --alert --since 1d --now 2026-11-25T12:00:00Z > "$tmp/o"
grep -q '"class":"complaint","scope":"domain","name":"small.example"' "$out"
ok $([ $? -ne 0 ]; echo $?) "min_sent = 1000: small.example's 200 sent are not judged"
$B --config "$tmp/s.conf" --alert --since 1d --now 2026-11-25T12:00:00Z > "$tmp/o"
grep -q '"class":"complaint","scope":"domain","name":"small.example"' "$out"
ok $? "min_sent.small.example = 100: its 200 sent are judged"

# rounding: 1 complaint in 996 is 0.1004%, above 0.1%: never "0.10% above 0.10%"
sent 2026-11-27 996 w round.example
printf 'min_sent = 500\n' > "$tmp/r.conf"
$B --now 2026-11-27T10:30:00Z --maillog "$tmp/mail.log" > /dev/null
complain 2026-11-27 1 1 round.example
$B --config "$tmp/r.conf" --now 2026-11-27T12:00:00Z --report --since 1d > "$tmp/rep" 2>&1
grep 'round.example' "$tmp/rep" | grep 'complaint' | sed 's/^/# /'
grep -q 'round.example: complaint 0.1004% of sent (1 of 996), above 0.1000%' "$tmp/rep"
ok $? "--report: a rate above its level printed with the decimals that show it"
grep -q '0.10% of sent (1 of 996), above 0.10%' "$tmp/rep"; ok $([ $? -ne 0 ]; echo $?) "... never 0.10% above 0.10%"

# --report's three forms agree when too little was sent to judge
printf 'min_sent = 100000\n' > "$tmp/m.conf"
R="$B --config $tmp/m.conf --now 2026-11-27T12:00:00Z --report --since 1d"
$R > "$tmp/t"; $R --json > "$tmp/j"; $R --html > "$tmp/h"
note="too little mail to judge: rates are judged from 100000 sent on (min_sent); 996 were"
grep -qF "  $note" "$tmp/t"; ok $? "text: too little mail to judge"
grep -qF "\"warning_notes\":[\"$note\"]" "$tmp/j"; ok $? "JSON: the same note"
grep -qF "$note" "$tmp/h"; ok $? "HTML: the same note"
grep -q 'every rate is under its levels' "$tmp/h"; ok $([ $? -ne 0 ]; echo $?) "HTML: not 'None: every rate is under its levels'"

# ... and when nothing was sent at all (the JSON once lacked this one)
ndb=$tmp/nosent.db
$BOUNCER --allow-root --db "$ndb" --init > /dev/null
mkdsn a@nosent.example 5.1.1 "550 5.1.1 User unknown" ns@t | $BOUNCER --allow-root --db "$ndb" --now 2026-11-27T11:00:00Z
N="$BOUNCER --allow-root --db $ndb --now 2026-11-27T12:00:00Z --report --since 1d"
$N > "$tmp/t"; $N --json > "$tmp/j"; $N --html > "$tmp/h"
note="no sent counts: rates cannot be computed; feed Postfix's log with --maillog"
grep -qF "  $note" "$tmp/t"; ok $? "text: no sent counts"
grep -qF "\"warning_notes\":[\"$note\"]" "$tmp/j"; ok $? "JSON: the same note"
grep -qF "no sent counts: rates cannot be computed; feed Postfix&#39;s log with --maillog" "$tmp/h"; ok $? "HTML: the same note"

# an incident's alert names it: id, reason, diagnostic
for i in $(seq 1 12); do
	mkdsn "o$i@outage.example" 5.0.0 "550 5.0.0 <o$i@outage.example>: Recipient address rejected: directory lookup failed" "oi$i@t" |
	    $B --now "2026-11-28T10:$(printf %02d $i):00Z"
done
$A --now 2026-11-28T12:00:00Z > "$tmp/o"
grep '"class":"incident"' "$out" | grep -q '"incident":{"id":1,"reason":"onhold","diagnostic":"550 5.0.0 <\*>: Recipient address rejected: directory lookup failed"}'
ok $? "the incident alert carries its id, reason and diagnostic"

# min_sent.DOMAIN and pausing: a mid-size destination (300 sent a day,
# under min_sent) is paused by its own min_sent.DOMAIN (issue 25, 7:
# mid-size lists were never paused)
sent 2026-11-30 300 p mid.example
$B --now 2026-11-30T10:30:00Z --maillog "$tmp/mail.log" > /dev/null
for i in $(seq 1 30); do
	mkdsn "p$i@mid.example" 5.7.1 "554 5.7.1 Service unavailable; Client host [192.0.2.9] blocked using zen.spamhaus.org" "pb$i@t" |
	    $B --now 2026-11-30T11:00:00Z
done
printf 'pause_block = 5\n' >> "$tmp/a.conf"
printf 'pause_block = 5\n' >> "$tmp/s.conf"
sed -i 's/^min_sent.small.example = 100$/min_sent.mid.example = 200/' "$tmp/s.conf"
$B --config "$tmp/a.conf" --alert --since 1d --now 2026-11-30T12:00:00Z > /dev/null
is "$(sqlite3 "$db" "select count(*) from pauses where domain = 'mid.example'")" 0 "min_sent = 1000: 30 blocks in 300 sent pause nothing"
$B --config "$tmp/s.conf" --alert --since 1d --now 2026-11-30T12:00:00Z > /dev/null
is "$(sqlite3 "$db" "select why from pauses where domain = 'mid.example'")" "block 10.00% of sent (30 of 300), above 5.00%" \
    "min_sent.mid.example = 200: paused"

done_testing
