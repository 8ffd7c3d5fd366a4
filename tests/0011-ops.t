#!/bin/sh
# Operations: Postfix's log (--maillog) with resume across rotation,
# --report with its thresholds, --metrics (checked by promtool when
# installed), and the syslog lines.
. "$(dirname "$0")/lib.sh"
fx=$top/fixtures
db=$tmp/b.db
B="$BOUNCER --allow-root --db $db"
$B --init > /dev/null
NOW=2026-11-21T00:00:00Z
sentline() { echo "Nov 20 10:00:$2 mx postfix/smtp[100]: S$(printf %s "$1" | tr -dc A-Za-z0-9): to=<$1>, relay=mx.x[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued)"; }
bounceline() { echo "Nov 20 11:00:00 mx postfix/smtp[101]: $2: to=<$1>, relay=mx.x[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx.x[192.0.2.1] said: 550 5.1.1 <$1>: Recipient address rejected: User unknown in local recipient table (in reply to RCPT TO command))"; }
sent_total() { q "select coalesce(sum(count),0) from sent"; }

# --maillog: sent, bounced, deferred; other programs ignored
log=$tmp/mail.log
{
	for i in $(seq 1 60); do sentline "u$i@big.example" 01; done
	bounceline dead1@big.example B1
	echo "Nov 20 11:00:01 mx postfix/smtp[102]: D1: to=<slow@big.example>, relay=none, delay=300, delays=0/0/300/0, dsn=4.4.1, status=deferred (connect to mx.big.example[192.0.2.1]:25: Connection timed out)"
	echo "Nov 20 11:00:02 mx postfix/pipe[103]: P1: to=<bounce+a=b@bounces.example>, relay=bouncer, delay=0, dsn=2.0.0, status=sent (delivered via bouncer service)"
	echo "Nov 20 11:00:03 mx postfix/qmgr[104]: Q1: from=<app@sender.example>, size=100, nrcpt=1 (queue active)"
} > "$log"
$B --now $NOW --maillog "$log" > "$tmp/o"; ok $? "--maillog exits 0"
is "$(cat "$tmp/o")" "maillog: 64 lines, 62 deliveries: 60 sent, 1 bounced, 1 deferred; 0 already seen, 1 newly suppressed" "--maillog summary"
# sent: every attempt that ended, delivered or returned (issue 25, 7)
is "$(sent_total)" 61 "sent (60) and bounced (1) counted per domain (pipe deliveries ignored)"
is "$(q "select class||' '||reason||' '||status from suppression where address='dead1@big.example'")" "hard userunknown 5.1.1" "bounced line classified and suppressed"
is "$(q "select class from events where address='slow@big.example'")" delayed "deferred line recorded, not counted as a bounce"
is "$(q "select time from events where address='dead1@big.example'")" "$(date -u -d '2026-11-20 11:00:00' +%s)" "event dated by the log line"

# resume: a second run reads only what was appended; a half line waits
$B --now $NOW --maillog "$log" > "$tmp/o"
is "$(sent_total)" 61 "second run over an unchanged log adds nothing"
for i in $(seq 61 70); do sentline "u$i@big.example" 02; done >> "$log"
printf 'Nov 20 12:00:00 mx postfix/smtp[100]: SX: to=<half@big.example>, relay=x, dsn=2.0.0, status=se' >> "$log"
$B --now $NOW --maillog "$log" > /dev/null
is "$(sent_total)" 71 "appended lines read; a half-written line is left for later"
printf 'nt (250 ok)\n' >> "$log"
$B --now $NOW --maillog "$log" > /dev/null
is "$(sent_total)" 72 "the completed line is read on the next run"

# rotation: the old file is finished, then the new one read from its start
mv "$log" "$log.1"
for i in $(seq 72 75); do sentline "u$i@big.example" 03; done >> "$log.1"	# written before the reopen
for i in $(seq 76 100); do sentline "u$i@big.example" 04; done > "$log"
bounceline dead2@big.example B2 >> "$log"
bounceline dead3@big.example B3 >> "$log"
$B --now $NOW --maillog "$log" > /dev/null
is "$(sent_total)" 103 "after rotation: the rest of the old file and all of the new one, nothing twice"
$B --now $NOW --maillog "$log" > /dev/null
is "$(sent_total)" 103 "and nothing more on the next run"

# the log's bounce and Postfix's DSN of the same failure count once
cat > "$tmp/pfdsn.eml" <<EOT
From: MAILER-DAEMON@mx.example (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: bounces@sender.example
Message-Id: <pfdsn-1@mx.example>
Content-Type: multipart/report; report-type=delivery-status; boundary="P"

--P
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example
X-Postfix-Queue-ID: B2

Final-Recipient: rfc822; dead2@big.example
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 User unknown

--P--
EOT
$B --now $NOW < "$tmp/pfdsn.eml"
is "$(q "select count(*) from events where address='dead2@big.example'")" 1 "log line and DSN of one failure: one event"

# --report: rates against sent counts and the thresholds
mkarf fbl1@big.example fb1@x | $B --now 2026-11-20T12:00:00Z
# 103 sent: below the default minimum volume (1000), so lower it
printf 'min_sent = 100\n' > "$tmp/m.conf"
$B --config "$tmp/m.conf" --now $NOW --report > "$tmp/r"
is $? 2 "--report exits 2: the complaint rate is past its critical level"
grep -q '^  hard  *userunknown  *3$' "$tmp/r"; ok $? "report: counts per class and reason"
grep -q '^  big.example  *3  *0  *1  *103$' "$tmp/r"; ok $? "report: domain table with hard, block, complaint, sent"
grep -q 'warning: big.example: hard 2.91% of sent (3 of 103), above 2.00%' "$tmp/r"; ok $? "report: hard-bounce threshold warning for the domain"
grep -q 'critical: big.example: complaint 0.97% of sent (1 of 103), above 0.30%' "$tmp/r"; ok $? "report: complaint threshold (critical)"
grep -q 'warning: all domains: hard 2.91% of sent' "$tmp/r"; ok $? "report: total threshold warning"
grep -q '^suppression list: 4 addresses (complaint 1, hard 3)' "$tmp/r"; ok $? "report: list size"
printf 'min_sent = 100\nwarn_hard = 5%%\nwarn_complaint = 2\ncrit_complaint = 3\n' > "$tmp/w.conf"
$B --config "$tmp/w.conf" --now $NOW --report > "$tmp/r2"
grep -q 'above' "$tmp/r2"; is $? 1 "thresholds are configurable"
$B --config "$tmp/m.conf" --now $NOW --report --json > "$tmp/rj"
if command -v python3 >/dev/null 2>&1; then
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["sent"]==103 and d["rates_known"] and len(d["warnings"])==4' "$tmp/rj"
	ok $? "--report --json parses and carries the warnings"
else
	grep -q '"rates_known":true' "$tmp/rj"; ok $? "--report --json"
fi
# without sent counts the report says so
db2=$tmp/nosent.db
$BOUNCER --allow-root --db "$db2" --init > /dev/null
mkdsn a@b.example 5.1.1 "User unknown" ns@x | $BOUNCER --allow-root --db "$db2"
$BOUNCER --db "$db2" --report > "$tmp/r3"
grep -q 'no sent counts: rates cannot be computed' "$tmp/r3"; ok $? "no sent counts: the report says so"
# soft fates: recovered versus escalated
for d in 1 2 3; do mkdsn esc@big.example 4.2.2 "452 Mailbox full" es$d@x | $B --now 2026-11-1${d}T00:00:00Z; done
mkdsn rec@big.example 4.2.2 "452 Mailbox full" rs1@x | $B --now 2026-11-15T00:00:00Z
mkdsn rec@big.example 2.0.0 "250 ok" rs2@x delivered | $B --now 2026-11-16T00:00:00Z
$B --now $NOW --report --since 30d | grep -q 'soft bounces: 2 addresses, 1 recovered (delivered later), 1 escalated'
ok $? "report: soft bounces recovered versus escalated"

# --metrics: Prometheus text format
$B --metrics > "$tmp/m"; ok $? "--metrics"
grep -q '^bouncer_events_total{class="hard",reason="userunknown"} 3$' "$tmp/m"; ok $? "metrics: counter by class and reason"
grep -q '^bouncer_suppressed_addresses{class="hard"} 3$' "$tmp/m"; ok $? "metrics: gauge by class"
grep -q '^bouncer_last_event_timestamp_seconds [0-9]*$' "$tmp/m"; ok $? "metrics: time of the last event"
if command -v promtool >/dev/null 2>&1; then
	promtool check metrics < "$tmp/m" > "$tmp/pt" 2>&1; ok $? "promtool check metrics"
	sed 's/^/# /' "$tmp/pt"
else
	skip "promtool check metrics" "promtool not installed (Debian package prometheus)"
fi

# syslog lines, Postfix style (LOG_PERROR copies them to stderr)
$BOUNCER --allow-root --db "$tmp/sl.db" --init > /dev/null
$BOUNCER --allow-root --db "$tmp/sl.db" --log-stderr < "$fx/postfix-userunknown.eml" 2> "$tmp/sl"
grep -Eq '^bouncer\[[0-9]+\]: 4F2A31C0123: to=<alice@example.net>, class=hard, reason=userunknown, status=5.1.1, action=suppressed$' "$tmp/sl"
ok $? "syslog line: bouncer[PID]: QUEUEID: to=<addr>, class=, reason=, status=, action="
sed 's/^/# /' "$tmp/sl"
$BOUNCER --allow-root --db "$tmp/sl.db" --log-stderr < "$fx/postfix-userunknown.eml" 2> "$tmp/sl"
grep -q 'action=duplicate$' "$tmp/sl"; ok $? "syslog line for a duplicate"
$BOUNCER --allow-root --db "$tmp/sl.db" --log-stderr --sender oscar@example.com < "$fx/not-a-bounce.eml" 2> "$tmp/sl"
grep -q 'message from <oscar@example.com> ignored: not a bounce' "$tmp/sl"; ok $? "syslog line for an ignored message"
done_testing
