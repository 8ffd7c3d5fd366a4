#!/bin/sh
# Never silent (issue 22, finding 2): under trust = sent a bounce that
# cannot be tied to our mail waits (pending) for bouncer --maillog; with
# no log reader it waits for ever and nobody is suppressed. --lookup,
# --report (text, JSON, HTML), --metrics and --alert now say how many
# wait and for how long, and warn when the log is not being read
# (maillog_stale); --alert says each change once and nothing otherwise.
. "$(dirname "$0")/lib.sh"
db=$tmp/t.db
printf 'trust = sent\n' > "$tmp/sent.conf"
printf 'trust = sent\nmaillog_stale = 0\n' > "$tmp/off.conf"
B="$BOUNCER --allow-root --db $db --config $tmp/sent.conf"
A="$BOUNCER --allow-root --db $db --config /dev/null"
T0=2026-12-01T10:00:00Z T2=2026-12-01T12:00:00Z
$B --init > /dev/null
mkdsn alice@example.net 5.1.1 "550 5.1.1 no such user" m1@test.example |
    $B --now $T0 --sender MAILER-DAEMON > /dev/null 2>&1
is "$(q 'SELECT count(*) FROM pending')" 1 "an untied bounce under trust = sent is pending"

# --lookup: this address's pending report, and the warning
$B --now $T2 --lookup alice@example.net > "$tmp/lk"
grep -q '^pending  *1 report waiting for Postfix.s log, the oldest for 2h 0m' "$tmp/lk"
ok $? "--lookup: 1 report pending for the address, for 2h"
grep -q "^warning  *Postfix's log has never been read" "$tmp/lk"; ok $? "--lookup: warns that the log was never read"
$B --now $T2 --lookup bob@example.net > "$tmp/lk2"
! grep -q '^pending' "$tmp/lk2" && grep -q '^warning' "$tmp/lk2"
ok $? "--lookup of another address: nothing pending for it, the warning all the same"
$A --now $T2 --lookup alice@example.net > "$tmp/lk3"
grep -q '^pending' "$tmp/lk3" && ! grep -q '^warning' "$tmp/lk3"
ok $? "--lookup under trust = any: the pending report, no warning"

# --report: text, JSON, HTML say the same, and exit 2 (critical)
$B --now $T2 --report > "$tmp/rt"; rc=$?
is "$rc" 2 "--report exits 2 while the log is not read"
grep -q '^pending (waiting for Postfix.s log): 1, the oldest for 2h 0m; the log was never read' "$tmp/rt"
ok $? "--report (text): the pending count and age"
grep -q "^  critical: maillog: Postfix's log has never been read" "$tmp/rt"; ok $? "--report (text): the warning"
$B --now $T2 --report --json > "$tmp/rj"
grep -q '"pending":{"count":1,"oldest":1796119200,"log_read":0}' "$tmp/rj"; ok $? "--report --json: pending count, oldest, log_read"
grep -q '"warnings":\[{"level":"critical","class":"maillog","scope":"all","name":"","message":"Postfix.s log has never been read' "$tmp/rj"
ok $? "--report --json: the warning"
$B --now $T2 --report --html > "$tmp/rh"
grep -q '<li class="critical" data-level="critical" data-class="maillog" data-scope="all"><b>critical</b> maillog: Postfix.*s log has never been read' "$tmp/rh"
ok $? "--report --html: the warning"
grep -q '<p id="pending" data-count="1" data-oldest="1796119200" data-log-read="0">' "$tmp/rh"; ok $? "--report --html: pending count and age"

# --metrics
$B --now $T2 --metrics > "$tmp/m"
grep -qx 'bouncer_pending_reports 1' "$tmp/m" && grep -qx 'bouncer_pending_oldest_age_seconds 7200' "$tmp/m" &&
grep -qx 'bouncer_maillog_last_read_timestamp_seconds 0' "$tmp/m"
ok $? "--metrics: pending count, oldest age, last log read"
if command -v promtool > /dev/null; then
	promtool check metrics < "$tmp/m" > "$tmp/pt" 2>&1; ok $? "promtool accepts the series"
else
	skip "promtool accepts the series" "promtool is not installed"
fi

# --alert: raised once, then silent, resolved once the log is read
printf 'trust = sent\nalert_command = cat >> %s\n' "$tmp/delivered" > "$tmp/alert.conf"
AL="$BOUNCER --allow-root --db $db --config $tmp/alert.conf"
$AL --now $T2 --alert > "$tmp/a1"; rc=$?
grep -q "^alert raised: critical maillog: Postfix's log has never been read" "$tmp/a1"; ok $? "--alert raises the log reader's alert"
is "$rc" 2 "... and exits 2 (critical)"
grep -q '"class":"maillog".*"message":"Postfix' "$tmp/delivered"; ok $? "... and alert_command gets it, with its message"
$AL --now 2026-12-01T12:10:00Z --alert > "$tmp/a2"; rc=$?
is "$(cat "$tmp/a2")" "" "--alert again, nothing changed: prints nothing (cron mails no one)"
is "$rc" 2 "... still exits 2 while it stands"
is "$(wc -l < "$tmp/delivered" | tr -d ' ')" 1 "... and delivers nothing again"
: > "$tmp/empty.log"
$AL --now 2026-12-01T12:20:00Z --maillog "$tmp/empty.log" > /dev/null
$AL --now 2026-12-01T12:21:00Z --alert > "$tmp/a3"; rc=$?
grep -q "^alert resolved: ok maillog" "$tmp/a3"; ok $? "the log read: --alert resolves it"
is "$rc" 0 "... exit 0"
$AL --now 2026-12-01T12:22:00Z --alert > "$tmp/a4"
is "$(cat "$tmp/a4")" "" "--alert once more: silent"
$B --now 2026-12-01T12:22:00Z --metrics | grep -qx 'bouncer_maillog_last_read_timestamp_seconds 1796127600'
ok $? "--metrics: the time the log was last read"

# the log not read for longer than maillog_stale (1h by default)
$AL --now 2026-12-01T13:19:00Z --alert > "$tmp/a5"
is "$(cat "$tmp/a5")" "" "the log read 59 min ago: silent"
$AL --now 2026-12-01T13:21:00Z --alert > "$tmp/a6"
grep -q "^alert raised: critical maillog: Postfix's log was last read 1h 1m ago (maillog_stale 1h 0m)" "$tmp/a6"
ok $? "the log read 61 min ago: raised (maillog_stale 1h)"
$BOUNCER --allow-root --db "$db" --config "$tmp/off.conf" --now 2026-12-02T13:21:00Z --report > /dev/null
is "$?" 0 "maillog_stale = 0: no warning, --report exits 0"

# read, but a report waits longer than pending_wait + maillog_stale: the
# log reader runs but nothing decides the reports (e.g. a crash in settle)
mkdsn carol@example.net 5.1.1 "550 5.1.1 no such user" m3@test.example |
    $B --now 2026-12-03T10:00:00Z --sender MAILER-DAEMON > /dev/null 2>&1
q "INSERT OR REPLACE INTO meta (key, value) VALUES ('maillog_read', strftime('%s', '2026-12-03T12:29:00Z'))"
$B --now 2026-12-03T12:30:00Z --lookup carol@example.net > "$tmp/lk4"
grep -q '^warning  *1 reports pending, the oldest for 2h 30m (pending_wait is 1h 0m): the log is read but they are not decided' "$tmp/lk4"
ok $? "a report pending 2h 30m, the log read a minute ago: the warning says so"
$B --now 2026-12-03T11:30:00Z --lookup carol@example.net > "$tmp/lk5"
! grep -q '^warning' "$tmp/lk5"; ok $? "... and not at 1h 30m (pending_wait 1h + maillog_stale 1h)"
done_testing
