#!/bin/sh
# Logs that join up: pipe mode starts its lines with the delivery's queue
# ID (pipe(8)'s ${queue_id}, as postfix/master.cf passes it) and logs
# every deferral (exit 75) with its reason; --expire and --maillog are
# silent when nothing changed (cron mails no one); --lookup shows the
# soft count and window, and "expired" once past the expiry.
. "$(dirname "$0")/lib.sh"
db=$tmp/b.db
printf 'db = %s\nbusy_timeout = 1\n' "$db" > "$tmp/conf"
B="$BOUNCER --config $tmp/conf --allow-root"
$B --init > /dev/null

grep -q -- '--queue-id ${queue_id}' "$top/postfix/master.cf"; ok $? "master.cf passes \${queue_id}"
mkdsn gone@example.net 5.1.1 '550 5.1.1 user unknown' logs1@test > "$tmp/m1"
$B --log-stderr --queue-id 4XyZ12AbC < "$tmp/m1" 2> "$tmp/e1"; is $? 0 "pipe mode with --queue-id stores"
grep -q 'bouncer\[[0-9]*\]: 4XyZ12AbC: to=<gone@example.net>, class=hard, reason=userunknown' "$tmp/e1"
ok $? "its log line starts with the delivery's queue ID"
sed 's/^/#   /' "$tmp/e1"

# a deferral: the database is locked
mkfifo "$tmp/lock"
sqlite3 "$db" < "$tmp/lock" > "$tmp/lock.out" 2>&1 &
lockpid=$!
exec 9> "$tmp/lock"
printf 'BEGIN EXCLUSIVE;\nSELECT 42;\n' >&9
i=0; while [ $i -lt 100 ] && ! grep -q 42 "$tmp/lock.out"; do sleep 0.1; i=$((i + 1)); done
mkdsn other@example.net 5.1.1 '550 5.1.1 user unknown' logs2@test > "$tmp/m2"
$B --log-stderr --queue-id 5DEF34 --sender MAILER-DAEMON < "$tmp/m2" 2> "$tmp/e2"; is $? 75 "locked database: exit 75"
grep -q 'bouncer\[[0-9]*\]: 5DEF34: from=<MAILER-DAEMON>, message deferred (exit 75): .*database.*locked' "$tmp/e2"
ok $? "the deferral is logged with the queue ID and the reason"
sed 's/^/#   /' "$tmp/e2"
printf 'COMMIT;\n' >&9; exec 9>&-; wait $lockpid

# a usage error in pipe mode is a deferral too, and logged
$B --log-stderr --queue-id 6AB --no-such-option < "$tmp/m2" 2> "$tmp/e3"; is $? 75 "usage error in pipe mode: exit 75"
grep -q 'bouncer\[[0-9]*\]: 6AB: from=<>, message deferred (exit 75): .*usage error' "$tmp/e3"
ok $? "... logged with its reason"
sed 's/^/#   /' "$tmp/e3"

# quiet when nothing changed
is "$($B --expire 2>&1)" "" "--expire with nothing to lift prints nothing"
echo 'Nov 20 11:00:03 mx postfix/qmgr[104]: Q1: from=<app@sender.example>, size=100, nrcpt=1 (queue active)' > "$tmp/mail.log"
is "$($B --maillog "$tmp/mail.log" 2>&1)" "" "--maillog with no delivery line prints nothing"
echo 'Nov 20 11:00:04 mx postfix/smtp[9]: Q2: to=<x@big.example>, relay=mx[192.0.2.1]:25, delay=1, dsn=2.0.0, status=sent (250 ok)' >> "$tmp/mail.log"
out=$($B --maillog "$tmp/mail.log" 2>&1)
case $out in "maillog: "*"1 sent"*) r=0 ;; *) r=1 ;; esac
ok $r "--maillog with new deliveries says so ($out)"
is "$($B --maillog "$tmp/mail.log" 2>&1)" "" "... and nothing on the next run"

# --lookup: the soft count before it suppresses, and "expired"
mkdsn soft@example.org 4.2.2 '452 4.2.2 mailbox full' soft1@test | $B
mkdsn soft@example.org 4.2.2 '452 4.2.2 mailbox full' soft2@test | $B
out=$($B --lookup soft@example.org)
echo "$out" | grep -q '^state *not suppressed' && echo "$out" | grep -q '^soft count *2 in the last 30 days (3 suppress)'
ok $? "--lookup shows the soft count and window before it suppresses"
mkarf late@example.com arf-late@test | $B --now 2025-01-01T00:00:00Z
out=$($B --lookup late@example.com)
echo "$out" | grep -q '^state *expired'; ok $? "--lookup says expired once past the expiry"
out=$($B --lookup gone@example.net)
echo "$out" | grep -q '^state *suppressed$'; ok $? "--lookup says suppressed before it"
out=$($B --expire 2>&1)
case $out in *"expire: 1 address lifted"*) r=0 ;; *) r=1 ;; esac
ok $r "--expire says what it lifted ($out)"
done_testing
