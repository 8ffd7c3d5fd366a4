#!/bin/sh
# bouncer --maillog FILE --follow: a long-running reader that learns sent
# mail within seconds (so pending reports under trust = sent resolve at
# once), follows rotation (rename, copytruncate), holds one idle store
# connection open for its life with no transaction open between batches
# (../shared/design/sqlite-readers.md), and on SIGTERM commits and exits
# 0, its position saved (a later run reads nothing twice).
. "$(dirname "$0")/lib.sh"
db=$tmp/b.db
log=$tmp/mail.log
printf 'db = %s\ntrust = sent\npending_wait = 1h\n' "$db" > "$tmp/conf"
B="$BOUNCER --allow-root --config $tmp/conf"
$B --init > /dev/null
: > "$log"

# waitfor SQL WANT: poll the store up to 10 s until SQL gives WANT
waitfor() {
	i=0
	while [ $i -lt 100 ]; do
		[ "$(q "$1")" = "$2" ] && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
# logmsg QID MESSAGE-ID RCPT: Postfix's lines of one message sent, now
logmsg() {
	d=$(date -u '+%b %e %H:%M:%S')
	printf '%s mx1 postfix/cleanup[123]: %s: message-id=<%s>\n' "$d" "$1" "$2"
	printf '%s mx1 postfix/smtp[124]: %s: to=<%s>, relay=mx.example.net[192.0.2.1]:25, delay=1, delays=0.1/0/0.5/0.4, dsn=2.0.0, status=sent (250 2.0.0 OK)\n' "$d" "$1" "$3"
}
rdsn() {	# rdsn RCPT ORIGINAL-MESSAGE-ID
	cat <<EOT
From: MAILER-DAEMON@mx.example.net
To: bounces@sender.example
Subject: Delivery Status Notification (Failure)
Message-Id: <dsn-$2>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; $1
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 User unknown

--B
Content-Type: text/rfc822-headers

From: news@sender.example
Subject: news
Message-ID: <$2>

--B--
EOT
}

$B --maillog "$log" --follow > "$tmp/out" 2> "$tmp/err" &
pid=$!
logmsg 1A1 m1@sender.example one@example.net >> "$log"
waitfor "select coalesce(sum(count), 0) from sent" 1; ok $? "a sent line appended is counted within seconds"

# pending resolves while the reader runs: the bounce first, then its log
rdsn two@example.net m2@sender.example | $B
is "$(q "select count(*) from pending where address='two@example.net'")" 1 "a bounce before its log line waits in pending"
logmsg 1A2 m2@sender.example two@example.net >> "$log"
waitfor "select class from suppression where address='two@example.net'" hard; ok $? "... and is suppressed within seconds of its log line"
is "$(q "select count(*) from pending")" 0 "... pending is empty"

# one idle connection held: the database is open in the process, and no
# transaction is: a TRUNCATE checkpoint (which waits for no reader but
# cannot finish past one holding a snapshot) completes
ls -l /proc/$pid/fd 2>/dev/null | grep -q "$db\$"; ok $? "the reader keeps the database open between batches"
is "$(sqlite3 "$db" 'PRAGMA busy_timeout = 2000; PRAGMA wal_checkpoint(TRUNCATE);' | tail -1)" "0|0|0" "no transaction open between batches (a checkpoint completes)"

# rotation by rename: lines added to the old file after the rename, then
# the new file
mv "$log" "$log.1"
logmsg 1A3 m3@sender.example three@example.net >> "$log.1"
logmsg 1A4 m4@sender.example four@example.net >> "$log"
waitfor "select coalesce(sum(count), 0) from sent" 4; ok $? "rotation: the old file's last line and the new file's are read"

# copytruncate: truncated in place, then written again, shorter
: > "$log"
logmsg 1A5 m5@x.example f@x.example | tail -1 >> "$log"
waitfor "select coalesce(sum(count), 0) from sent" 5; ok $? "truncated in place: the new lines are read"
# ... and truncated again, then written past where it was read to
: > "$log"
{ logmsg 1A7 m7@sender.example seven@example.net; logmsg 1A8 m8@sender.example eight@example.net; } >> "$log"
waitfor "select coalesce(sum(count), 0) from sent" 7; ok $? "truncated and grown past the old end: the new lines are read"

kill -TERM $pid
wait $pid; is $? 0 "SIGTERM: exit 0"
grep -q 'maillog: .* 7 sent' "$tmp/out"; ok $? "... after saying what it read ($(cat "$tmp/out" | head -1))"
is "$(cat "$tmp/err")" "" "nothing on stderr"
is "$($B --maillog "$log")" "" "the next run starts where it stopped: nothing read twice"
is "$(q "select coalesce(sum(count), 0) from sent")" 7 "sent count unchanged"

# standard input: lines are committed while the writer pauses, and
# pending reports settle
rdsn six@example.net m6@sender.example | $B
mkfifo "$tmp/fifo"
$B --maillog - --follow < "$tmp/fifo" > /dev/null &
ppid=$!
exec 8> "$tmp/fifo"
logmsg 1A6 m6@sender.example six@example.net >&8
waitfor "select class from suppression where address='six@example.net'" hard; ok $? "--maillog - --follow: a pending report settles while the writer pauses"
exec 8>&-
wait $ppid; is $? 0 "... and exits 0 at the end of its input"

$B --follow --lookup x@example.net > /dev/null 2>&1; is $? 64 "--follow without --maillog is a usage error"
done_testing
