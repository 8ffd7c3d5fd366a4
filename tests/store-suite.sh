# tests/store-suite.sh - the store and policy tests that every backend
# must pass, sourced with B (bouncer with its --db), q (run SQL on the
# store, print rows) and BACKEND (sqlite or pg) set.
day() { date -u -d "2026-01-01 + $1 days" +%Y-%m-%dT%H:%M:%SZ; }
feed() { $B --now "$(day "$1")"; }	# stdin: a message

# hard: suppressed at once, until released
mkdsn hard@example.net 5.1.1 "550 5.1.1 User unknown" m1@x | feed 0; ok $? "pipe exits 0"
is "$(q "select class||' '||reason||' '||status from suppression where address='hard@example.net'")" \
   "hard userunknown 5.1.1" "hard bounce suppresses at once"
is "$(q "select case when expires is null then 'never' else 'set' end from suppression where address='hard@example.net'")" never "hard: no expiry"
# duplicates: the same bounce twice counts once
mkdsn hard@example.net 5.1.1 "550 5.1.1 User unknown" m1@x | feed 1
is "$(q "select count(*) from events where address='hard@example.net'")" 1 "same bounce twice: one event"
mkdsn hard@example.net 5.1.1 "550 5.1.1 User unknown" m1@x | sed 's/$/\r/' | feed 2
is "$(q "select count(*) from events where address='hard@example.net'")" 1 "same bounce with CRLF: still one event"

# soft: the third within 30 days suppresses; lapses 30 days after the last
for d in 0 10; do mkdsn soft@example.net 4.2.2 "452 4.2.2 Mailbox full" s$d@x | feed $d; done
is "$(q "select count(*) from suppression where address='soft@example.net'")" 0 "two soft bounces: not suppressed"
mkdsn soft@example.net 4.2.2 "452 4.2.2 Mailbox full" s20@x | feed 20
is "$(q "select class||' '||soft_count from suppression where address='soft@example.net'")" "soft 3" "third soft bounce in 30 days escalates"
is "$(q "select action from audit where address='soft@example.net'")" escalated "escalation audited"
$B --now "$(day 49)" --expire > "$tmp/o"
is "$(q "select count(*) from suppression where address='soft@example.net'")" 1 "soft suppression kept 29 days after the last"
$B --now "$(day 51)" --expire > "$tmp/o"
is "$(q "select count(*) from suppression where address='soft@example.net'")" 0 "soft suppression lapses 30 days after the last"
grep -q '^expired soft@example.net' "$tmp/o"; ok $? "--expire prints what it did"
is "$(q "select action||' '||why from audit where address='soft@example.net' order by id desc limit 1")" \
   "expired soft suppression lapsed: no soft bounce since" "expiry audited"
$B --now "$(day 52)" --expire > "$tmp/o"
is "$(cat "$tmp/o")" "" "--expire is idempotent (and silent when nothing lapsed)"

# the window: soft bounces more than 30 days apart do not add up
for d in 100 115 140; do mkdsn slow@example.net 4.4.1 "connect timed out" w$d@x delayed | feed $d; done
for d in 100 115 140; do mkdsn window@example.net 4.2.2 "452 Mailbox full" x$d@x | feed $d; done
is "$(q "select count(*) from suppression where address='window@example.net'")" 0 "three soft bounces over 40 days: not suppressed"
is "$(q "select count(*) from suppression where address='slow@example.net'")" 0 "delayed notices never suppress"

# delivered resets the count and lifts a soft suppression
for d in 200 201; do mkdsn reset@example.net 4.2.2 "452 Mailbox full" r$d@x | feed $d; done
mkdsn reset@example.net 2.0.0 "250 ok" r202@x delivered | feed 202
mkdsn reset@example.net 4.2.2 "452 Mailbox full" r203@x | feed 203
is "$(q "select count(*) from suppression where address='reset@example.net'")" 0 "delivered resets the soft count"
for d in 204 205; do mkdsn reset@example.net 4.2.2 "452 Mailbox full" r$d@x | feed $d; done
is "$(q "select class from suppression where address='reset@example.net'")" soft "after the reset three more escalate"
mkdsn reset@example.net 2.0.0 "250 ok" r206@x relayed | feed 206
is "$(q "select count(*) from suppression where address='reset@example.net'")" 0 "delivered lifts a soft suppression"
is "$(q "select action from audit where address='reset@example.net' order by id desc limit 1")" released "release audited"

# block: recorded, never suppresses
mkdsn blocked@example.net 5.7.1 "554 5.7.1 Service unavailable; client blocked using zen.spamhaus.org" b1@x | feed 0
is "$(q "select count(*) from suppression where address='blocked@example.net'")" 0 "block does not suppress"
is "$(q "select class from events where address='blocked@example.net'")" block "block event recorded"

# complaint: suppressed at once, kept 90 days
mkarf fbl@example.net c1@x | feed 300
is "$(q "select class from suppression where address='fbl@example.net'")" complaint "complaint suppresses at once"
$B --now "$(day 389)" --expire > /dev/null
is "$(q "select count(*) from suppression where address='fbl@example.net'")" 1 "complaint kept 89 days"
$B --now "$(day 391)" --expire > /dev/null
is "$(q "select count(*) from suppression where address='fbl@example.net'")" 0 "complaint lifted after 90 days"
printf 'complaint_ttl = 0\n' > "$tmp/forever.conf"
mkarf forever@example.net c2@x | $B --config "$tmp/forever.conf" --now "$(day 300)"
$B --now "$(day 2000)" --expire > /dev/null
is "$(q "select count(*) from suppression where address='forever@example.net'")" 1 "complaint_ttl = 0 keeps it forever"
mkarf notspam@example.net c3@x not-spam | feed 300
is "$(q "select count(*) from suppression where address='notspam@example.net'")" 0 "a not-spam report does not suppress"

# manual operations are audited
$B --add Manual@Example.NET --why "unsubscribed by phone" > /dev/null; ok $? "--add"
is "$(q "select class||' '||note from suppression where address='manual@example.net'")" "manual unsubscribed by phone" "--add stores lower-cased with the why"
is "$(q "select action||' '||why from audit where address='manual@example.net'")" "added unsubscribed by phone" "--add audited"
$B --remove manual@example.net --why "asked to resubscribe" > /dev/null; ok $? "--remove"
is "$(q "select action||' '||why from audit where address='manual@example.net' order by id desc limit 1")" "released asked to resubscribe" "--remove audited"
$B --remove nobody@example.net --why x 2>/dev/null; is $? 69 "--remove of an unlisted address: exit 69"
$B --add 'not an address' --why x 2>/dev/null; is $? 69 "--add of an invalid address: exit 69"
$B --add x@example.net 2>/dev/null; is $? 64 "--add without --why: exit 64"
$B --lookup hard@example.net > "$tmp/o"
grep -q '^state *suppressed' "$tmp/o" && grep -q 'event .* hard userunknown 5.1.1' "$tmp/o" && grep -q 'audit .* added hard' "$tmp/o"
ok $? "--lookup shows state, events and audit"
$B --list --class hard --json > "$tmp/o"
is "$(jget address < "$tmp/o" | tr '\n' ' ')" "hard@example.net " "--list --class hard --json"
is "$($B --list --now "$(day 2000)" --since 30d | wc -l | tr -d ' ')" 0 "--list --since filters by age"

# GDPR erasure: no trace left in any file
mkdsn gone@example.net 5.1.1 "550 5.1.1 <gone@example.net> User unknown" g1@x | feed 0
$B --add gone@example.net --why "manual too" > /dev/null
$B --forget gone@example.net > "$tmp/o"; ok $? "--forget"
is "$(q "select (select count(*) from suppression where address='gone@example.net') + (select count(*) from events where address='gone@example.net') + (select count(*) from audit where address='gone@example.net')")" 0 "erased from every table"
is "$(q "select value from meta where key='erasures'")" 1 "an anonymous count of erasures"
if [ "$BACKEND" = sqlite ]; then
	cat "$db" "$db-wal" "$db-shm" 2>/dev/null | grep -c 'gone@example' > "$tmp/n"
	is "$(cat "$tmp/n")" 0 "the address cannot be read from the database files"
fi

# concurrency: several writers at once, none lost
pids=
for w in 1 2 3 4 5 6; do
	( for i in $(seq 1 15); do
		mkdsn "c$w-$i@example.org" 5.1.1 "550 5.1.1 User unknown" "cc$w-$i@x" | $B || echo fail
	  done ) > "$tmp/w$w" 2>&1 &
	pids="$pids $!"
done
wait $pids
is "$(cat "$tmp"/w* | grep -c fail)" 0 "no writer failed"
is "$(q "select count(*) from suppression where address like 'c%-%@example.org'")" 90 "6 writers x 15 bounces: all 90 stored"


# trust = sent on every backend: tied by what --maillog learned, pending
# until then, unverified when never tied; the hourly limit
printf 'trust = sent\nunverified_limit = 3\n' > "$tmp/trust.conf"
TB="$B --config $tmp/trust.conf"
mkdsn tied@example.net 5.1.1 "550 5.1.1 User unknown" tq1@x | sed 's/^Reporting-MTA: dns; mx.test.example$/&\nX-Postfix-Queue-ID: 7QUEUE0001/' | $TB --now "$(day 300)"
is "$(q "select count(*) from pending where address='tied@example.net'")" 1 "trust = sent: a bounce not yet in the log is pending"
is "$(q "select count(*) from suppression where address='tied@example.net'")" 0 "and suppresses nobody yet"
printf 'Oct 28 00:00:01 mx1 postfix/smtp[124]: 7QUEUE0001: to=<tied@example.net>, relay=mx.example.net[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 OK)\n' > "$tmp/trust.log"
$TB --now "$(day 300)" --maillog "$tmp/trust.log" > /dev/null
is "$(q "select class from suppression where address='tied@example.net'")" hard "trust = sent: tied by --maillog, suppressed"
for v in 1 2 3; do mkdsn "forged$v@example.net" 5.1.1 "550 5.1.1 User unknown" "tf$v@x" | $TB --now "$(day 300)"; done
is "$(q "select count(*) from pending")" 2 "unverified_limit (3, the first pending counted): 2 more kept this hour"
$TB --now "$(day 301)" --maillog "$tmp/trust.log" > /dev/null
is "$(q "select count(*) from pending")" 0 "past pending_wait, decided"
is "$(q "select count(*) from events where address like 'forged_@example.net' and class='unverified'")" 2 "never tied: unverified"
is "$(q "select count(*) from suppression where address like 'forged_@example.net'")" 0 "and nobody suppressed"
$TB --metrics | grep -q '^bouncer_limit_hits_total{limit="unverified"} 1$'; ok $? "the limit's hit counted in --metrics"

# a queue ID sent to several recipients ties none of them by itself
# (issue 23); Postfix's own log of a failure does; the DKIM evidence of
# a report kept pending is kept with it
printf 'trust = sent\nauthserv_id = mx.test.example\n' > "$tmp/shared.conf"
SB="$B --config $tmp/shared.conf --now $(day 310)"
pfx() { sed "s/^Reporting-MTA: dns; mx.test.example\$/&\nX-Postfix-Queue-ID: $1/"; }
printf 'Oct 28 00:00:01 mx1 postfix/smtp[124]: 7QUEUE0002: to=<%s>, relay=mx.example.net[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 OK)\n' sh1@example.net sh2@example.net > "$tmp/shared.log"
$SB --maillog "$tmp/shared.log" > /dev/null
mkdsn sh1@example.net 5.1.1 "550 5.1.1 User unknown" sq1@x | pfx 7QUEUE0002 | $SB
is "$(q "select count(*) from pending where address='sh1@example.net'")" 1 "a queue ID sent to two: its DSN waits"
printf 'Oct 28 00:00:02 mx1 postfix/smtp[124]: 7QUEUE0002: to=<sh3@example.org>, relay=mx.example.org[192.0.2.2]:25, delay=1, delays=0/0/0/1, dsn=4.4.1, status=deferred (connection timed out)\n' >> "$tmp/shared.log"
$SB --maillog "$tmp/shared.log" > /dev/null
mkdsn sh3@example.org 4.4.7 "delivery time expired" sq3@x | pfx 7QUEUE0002 | $SB
is "$(q "select class from events where address='sh3@example.org' and source='bounce'")" soft "Postfix's log of the deferral ties its DSN"
{ printf 'Authentication-Results: mx.test.example; dkim=pass header.d=example.com\n'
  mkdsn sh4@example.com 5.1.1 "550 5.1.1 User unknown" sq4@x | pfx 7QUEUE0003; } | $SB
is "$(q "select count(*) from pending where address='sh4@example.com' and evidence like '%header.d=example.com%'")" 1 "a signed report before the log: pending, its evidence kept"
printf 'Oct 28 00:00:03 mx1 postfix/smtp[124]: 7QUEUE0003: to=<%s>, relay=mx.example.com[192.0.2.3]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 OK)\n' sh4@example.com sh5@example.com >> "$tmp/shared.log"
$SB --maillog "$tmp/shared.log" > /dev/null
is "$(q "select class from suppression where address='sh4@example.com'")" hard "--maillog: shared, but the evidence vouches: suppressed"
is "$(q "select count(*) from suppression where address='sh1@example.net'")" 0 "the unsigned one still waits"
# qmgr's nrcpt=2 read before the only delivery line so far: shared
printf 'Oct 28 00:00:04 mx1 postfix/qmgr[125]: 7QUEUE0004: from=<b@sender.example>, size=9, nrcpt=2 (queue active)\nOct 28 00:00:05 mx1 postfix/smtp[124]: 7QUEUE0004: to=<sh6@example.net>, relay=mx.example.net[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 OK)\n' >> "$tmp/shared.log"
$SB --maillog "$tmp/shared.log" > /dev/null
mkdsn sh6@example.net 5.1.1 "550 5.1.1 User unknown" sq6@x | pfx 7QUEUE0004 | $SB
is "$(q "select count(*) from pending where address='sh6@example.net'")" 1 "one delivery line read, but qmgr logged two recipients: it waits"
# Incidents never release what the words already decide (issue 25, 1):
# twelve dead mailboxes at one provider within the hour, said alike with
# no address code (GMX's "550 Requested action not taken: mailbox
# unavailable", status 5.0.0), and a misspelt domain's "host not found",
# are twelve hard bounces, no incident
dday() { date -u -d "2026-01-01 + $1 days" +%Y-%m-%d; }
for i in $(seq 1 12); do
	mkdsn "dead$i@gmx-like.example" 5.0.0 "550 Requested action not taken: mailbox unavailable" "dd$i@x" |
	    $B --now "$(dday 400)T10:$(printf %02d $i):00Z"
done
is "$(q "select count(*) from suppression where address like 'dead%@gmx-like.example' and class='hard' and reason='userunknown'")" 12 \
   "twelve dead mailboxes said alike within the hour: twelve hard suppressions"
is "$(q "select count(*) from incidents where domain='gmx-like.example'")" 0 "... and no incident"
for i in $(seq 1 12); do
	printf '%sT11:%02d:00+00:00 mx1 postfix/smtp[9%02d]: 5B%05d: to=<typo%d@gmial-like.example>, relay=none, delay=0.1, delays=0/0/0.1/0, dsn=5.4.4, status=bounced (Host or domain name not found. Name service error for name=gmial-like.example type=A: Host not found)\n' \
	    "$(dday 400)" $i $i $i $i
done > "$tmp/typo.log"
$B --now "$(dday 400)T12:00:00Z" --maillog "$tmp/typo.log" > /dev/null
is "$(q "select count(*) from suppression where address like 'typo%@gmial-like.example' and reason='hostunknown'")" 12 \
   "a misspelt domain's twelve subscribers: suppressed (hostunknown), never an incident"
# an incident is a share of what was sent there: 12 alike among 300 sent
# (4%) is none; the same words to 40 of the 300 (13%) are one (the
# refusals spread through the send, as a campaign's are)
mklog() {	# mklog DAY HOUR N-SENT N-REFUSED DOMAIN RELAY
	awk -v d="$1" -v h="$2" -v n="$3" -v f="$4" -v dom="$5" -v relay="$6" 'BEGIN {
	    for (i = 1; i <= n; i++) {
		pre = sprintf("%sT%02d:%02d:%02d+00:00 mx1 postfix/smtp[77]: 6C%s%05d: to=<u%d-%s@%s>, relay=%s[192.0.2.9]:25, delay=1, delays=0/0/0.5/0.5, ", \
		    d, h, int(i / 60) % 60, i % 60, h, i, i, h, dom, relay)
		if (f > 0 && i % int(n / f) == 0 && k++ < f)
			print pre "dsn=5.7.1, status=bounced (host " relay "[192.0.2.9] said: 554 5.7.1 Service unavailable; Client host [198.51.100.7] blocked using bl.example.org (in reply to RCPT TO command))"
		else
			print pre "dsn=2.0.0, status=sent (250 2.0.0 Ok)"
	    } }'
}
mklog "$(dday 401)" 10 300 12 share.example mx.share.example > "$tmp/share.log"
$B --now "$(dday 401)T12:00:00Z" --maillog "$tmp/share.log" > /dev/null
is "$(q "select count(*) from incidents where domain like '%share.example'")" 0 "12 refused alike among 300 sent (4%): no incident"
mklog "$(dday 401)" 14 300 40 share.example mx.share.example >> "$tmp/share.log"
$B --now "$(dday 401)T16:00:00Z" --maillog "$tmp/share.log" > /dev/null
is "$(q "select count(*) from incidents where domain like '%share.example'")" 1 "40 refused alike among 300 sent (13%): an incident"
# one provider's MX hosts serve two domains: judged together, by relay=
mklog "$(dday 402)" 10 6 6 one.example mx1.provider.example > "$tmp/prov.log"
mklog "$(dday 402)" 10 6 6 two.example mx2.provider.example >> "$tmp/prov.log"
$B --now "$(dday 402)T12:00:00Z" --maillog "$tmp/prov.log" > /dev/null
is "$(q "select domain || ' ' || recipients from incidents where domain like '%provider.example'")" "*.provider.example 12" \
   "six and six refused at two domains of one MX provider: one incident, at the provider"

# A delivery resets soft failures only when it stands (issue 25, 2): a
# gateway logs status=sent, then the mailbox server behind it returns
# "mailbox full"; three such in three days escalate
for d in 1 2 3; do
	printf '%sT10:00:00+00:00 mx1 postfix/smtp[88]: 7D0000%d: to=<full@corp-gw.example>, relay=gw.corp-gw.example[192.0.2.80]:25, delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as ABC)\n' "$(dday $((410 + d)))" $d >> "$tmp/gw.log"
	$B --now "$(dday $((410 + d)))T10:05:00Z" --maillog "$tmp/gw.log" > /dev/null
	mkdsn full@corp-gw.example 5.2.2 "552 5.2.2 Mailbox full" "gw$d@corp-gw.example" | $B --now "$(dday $((410 + d)))T10:10:00Z"
done
is "$(q "select class || ' ' || soft_count from suppression where address='full@corp-gw.example'")" "soft 3" \
   "accepted (status=sent) then returned three times: soft-exhausted"
# ... while a delivery that no failure follows within delivery_stands
# (3 days) resets the count as before
for d in 1 2; do mkdsn stands@corp-gw.example 4.2.2 "452 4.2.2 Mailbox full" "st$d@x" | $B --now "$(dday $((420 + d)))T10:00:00Z"; done
printf '%sT10:00:00+00:00 mx1 postfix/smtp[88]: 7E000001: to=<stands@corp-gw.example>, relay=gw.corp-gw.example[192.0.2.80]:25, delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok)\n' "$(dday 423)" >> "$tmp/gw.log"
$B --now "$(dday 423)T11:00:00Z" --maillog "$tmp/gw.log" > /dev/null
mkdsn stands@corp-gw.example 4.2.2 "452 4.2.2 Mailbox full" "st3@x" | $B --now "$(dday 427)T10:00:00Z"
is "$(q "select count(*) from suppression where address='stands@corp-gw.example'")" 0 \
   "a delivery that stood four days resets the count: the next soft bounce is the first"

# --maillog on every backend: the same line twice counts once (logseen),
# and a log truncated in place that grows past the saved position is
# read again from its start (the position's mark: a checksum of the line
# before it)
sline() { printf 'Dec 01 10:00:%02d mx1 postfix/smtp[9]: 5S%d: to=<ls%d@seen.example>, relay=mx.seen.example[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 OK)\n' "$1" "$1" "$1"; }
seen() { q "select coalesce(sum(count), 0) from sent where domain='seen.example'"; }
{ sline 1; sline 2; } | $B --now "$(day 334)" --maillog - > /dev/null
{ sline 2; sline 3; } | $B --now "$(day 334)" --maillog - > /dev/null
is "$(seen)" 3 "--maillog -: overlapping input counts once"
{ sline 4; sline 5; } > "$tmp/seen.log"
$B --now "$(day 334)" --maillog "$tmp/seen.log" > /dev/null
{ sline 6; sline 7; sline 8; } > "$tmp/seen.log"
$B --now "$(day 334)" --maillog "$tmp/seen.log" > /dev/null
is "$(seen)" 8 "--maillog: a log truncated and grown past the position is read from its start"
$B --now "$(day 334)" --maillog "$tmp/seen.log" > /dev/null
is "$(seen)" 8 "... and nothing twice"

# Alert states on every backend (issue 25, 7): a warning stands over
# midnight (the window reaches back alert_window from now, to the start of
# that UTC day: never only the day begun), becomes "insufficient data"
# once when the window holds too little mail, and is resolved when enough
# clean mail was sent
printf 'alert_command = cat >> %s\nmin_sent = 1000\n' "$tmp/al.jsonl" > "$tmp/al.conf"
: > "$tmp/al.jsonl"
AL="$B --config $tmp/al.conf --alert"
# the incident at share.example's MX provider (above) is told with its id,
# reason and diagnostic, as the store keeps them
$AL --now "$(dday 401)T16:30:00Z" > /dev/null
grep '"class":"incident","scope":"domain","name":"\*.share.example"' "$tmp/al.jsonl" |
    grep -q "\"incident\":{\"id\":$(q "select id from incidents where domain = '*.share.example'"),\"reason\":\"blocked\",\"diagnostic\":\"554 5.7.1 Service unavailable; Client host \[198.51.100.7\] blocked using bl.example.org"
ok $? "an incident's alert carries its id, reason and diagnostic"
: > "$tmp/al.jsonl"
alsent() {	# alsent DAY PREFIX: 2,000 delivered to alerted.example at 10:00
	awk -v d="$1" -v p="$2" 'BEGIN { for (i = 1; i <= 2000; i++)
	    printf "%sT10:00:00+00:00 mx1 postfix/smtp[5]: 8A%s%05d: to=<%s%d@alerted.example>, relay=mx.alerted.example[192.0.2.5]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 OK)\n", d, p, i, p, i }' >> "$tmp/al.log"
}
alstate() { q "select level from alerts where key='complaint|domain|alerted.example'"; }
alsent "$(dday 500)" a
$B --now "$(dday 500)T10:30:00Z" --maillog "$tmp/al.log" > /dev/null
for i in 1 2 3; do mkarf "a$i@alerted.example" "al$i@x" | $B --now "$(dday 500)T11:00:00Z"; done
$AL --now "$(dday 500)T23:50:00Z" > /dev/null
is "$(alstate)" warning "3 complaints in 2,000 sent (0.15%): a warning"
aln=$(wc -l < "$tmp/al.jsonl")
$AL --now "$(dday 501)T00:05:00Z" > /dev/null
is "$(alstate) $(wc -l < "$tmp/al.jsonl")" "warning $aln" "midnight passed: the warning stands, nothing said"
$AL --now "$(dday 501)T23:55:00Z" > /dev/null
is "$(alstate)" warning "... and stands the whole next day (the window reaches a day back from now)"
$AL --now "$(dday 502)T00:05:00Z" > /dev/null
is "$(alstate)" "insufficient data" "a window without enough mail: insufficient data, not resolved"
grep -c '"state":"resolved".*alerted.example' "$tmp/al.jsonl" > "$tmp/al.n"
is "$(cat "$tmp/al.n")" 0 "... nothing resolved for lack of mail"
alsent "$(dday 503)" b
$B --now "$(dday 503)T10:30:00Z" --maillog "$tmp/al.log" > /dev/null
$AL --now "$(dday 503)T12:00:00Z" > /dev/null
is "$(alstate)" "" "2,000 clean sent: the alert's state is gone"
grep -q '"level":"ok","state":"resolved","previous":"insufficient data","class":"complaint","scope":"domain","name":"alerted.example"' "$tmp/al.jsonl"
ok $? "... and its resolution delivered"

# an address counts in daily_addr once a day and class, and leaves it
# once when its events go (--forget deletes them in one statement)
for m in a b; do mkdsn twice@agg.example 4.2.2 "452 4.2.2 Mailbox full" tw$m@x | feed 600; done
mkdsn other@agg.example 4.2.2 "452 4.2.2 Mailbox full" ot@x | feed 600
aggday() { q "select coalesce(sum(count), 0) from daily_addr where rclass = 'soft' and day = (select max(time) / 86400 from events where address = 'other@agg.example')"; }
is "$(aggday)" 2 "daily_addr: two addresses soft that day, three events"
$B --forget twice@agg.example > /dev/null
is "$(aggday)" 1 "... one of them erased, both its events: one address"
# the aggregates the reports read (daily, audit_daily, listed) hold what
# the rows they sum hold, after everything above (bounces, --expire,
# --forget, --remove, imports, the log reader)
agg() { q "select $1, sum(count) from $2 group by $1 having sum(count) <> 0 order by $1"; }
at=instr; [ "$BACKEND" = pg ] && at=strpos
raw() { q "select $1, count(*) from $2 group by $1 order by $1"; }
is "$(agg class listed)" "$(raw class suppression)" "listed: the suppressions by class"
is "$(agg "day, action" audit_daily)" "$(raw "time / 86400, action" audit)" "audit_daily: the audit rows by day and action"
is "$(agg "day, domain, campaign, class, reason, feedback_type" daily)" \
   "$(raw "time / 86400, substr(address, $at(address, '@') + 1), campaign, class, reason, feedback_type" events)" \
   "daily: the events by day, domain, campaign, class, reason and feedback type"
is "$(q "select address, campaign, class, feedback_type, last from seen_addr order by 1, 2, 3, 4")" \
   "$(q "select address, campaign, class, feedback_type, max(time) from events where (case when class = 'unverified' then class when class = 'unsubscribe' or feedback_type in ('opt-out', 'unsubscribe') then 'unsubscribe' else class end) in ('hard', 'soft', 'block', 'complaint', 'unsubscribe') group by 1, 2, 3, 4 order by 1, 2, 3, 4")" \
   "seen_addr: the newest rated event of each address, campaign, class and feedback type"
is "$(q "select day, rclass, count from daily_addr where count <> 0 order by 1, 2")" \
   "$(q "select time / 86400, case when class = 'unverified' then class when class = 'unsubscribe' or feedback_type in ('opt-out', 'unsubscribe') then 'unsubscribe' else class end, count(distinct address) from events where (case when class = 'unverified' then class when class = 'unsubscribe' or feedback_type in ('opt-out', 'unsubscribe') then 'unsubscribe' else class end) in ('hard', 'soft', 'block', 'complaint', 'unsubscribe') group by 1, 2 order by 1, 2")" \
   "daily_addr: the addresses with rated events by day and rate class"
