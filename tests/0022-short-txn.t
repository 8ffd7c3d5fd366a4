#!/bin/sh
# --maillog commits as it goes (every 5,000 lines or 100 ms) and holds no
# lock while it waits for input, so a bounce piped meanwhile is stored
# at once instead of waiting behind a whole file (and being deferred).
. "$(dirname "$0")/lib.sh"
db=$tmp/b.db
printf 'db = %s\nbusy_timeout = 1\n' "$db" > "$tmp/conf"
B="$BOUNCER --config $tmp/conf --allow-root"
$B --init > /dev/null
mkfifo "$tmp/fifo"
$B --maillog - < "$tmp/fifo" > "$tmp/ml.out" 2>&1 &
pid=$!
exec 8> "$tmp/fifo"
awk 'BEGIN { for (i = 1; i <= 5000; i++)
	printf "Nov 23 10:00:00 mx postfix/smtp[99]: Q%dX: to=<u%d@ml.example>, relay=mx.ml.example[192.0.2.1]:25, delay=1, dsn=5.1.1, status=bounced (host mx.ml.example[192.0.2.1] said: 550 5.1.1 <u%d@ml.example>: user unknown (in reply to RCPT TO command))\n", i, i, i }' >&8
i=0
while [ $i -lt 300 ] && [ "$(q "select count(*) from events" 2>/dev/null)" != 5000 ]; do
	sleep 0.1; i=$((i + 1))
done
is "$(q "select count(*) from events")" 5000 "5,000 lines read from a pipe that stays open are committed"
kill -0 $pid 2>/dev/null; ok $? "... while --maillog still waits for more"
mkdsn piped@example.net 5.1.1 '550 5.1.1 user unknown' short-txn@test > "$tmp/m"
$B < "$tmp/m"; is "$?" 0 "a bounce piped meanwhile is stored (exit 0, not 75)"
is "$(q "select class from suppression where address='piped@example.net'")" hard "... and suppresses"
echo 'Nov 23 10:00:01 mx postfix/smtp[99]: LASTX: to=<last@ml.example>, relay=mx.ml.example[192.0.2.1]:25, delay=1, dsn=5.1.1, status=bounced (host said: 550 5.1.1 user unknown)' >&8
exec 8>&-
wait $pid; is "$?" 0 "--maillog ends well at the end of its input"
is "$(q "select count(*) from suppression where address like '%@ml.example'")" 5001 "every line stored"

# A pipe whose writer pauses after a few lines (tail -F): they are
# committed before --maillog waits for more, so the lock is free, however
# few lines came and however fast they were read.
mkfifo "$tmp/fifo2"
$B --maillog - < "$tmp/fifo2" > "$tmp/ml2.out" 2>&1 &
pid=$!
exec 8> "$tmp/fifo2"
for i in 1 2 3; do
	echo "Nov 23 10:00:02 mx postfix/smtp[99]: P${i}X: to=<p$i@ml.example>, relay=mx.ml.example[192.0.2.1]:25, delay=1, dsn=5.1.1, status=bounced (host said: 550 5.1.1 user unknown)" >&8
done
i=0
while [ $i -lt 300 ] && [ "$(q "select count(*) from suppression where address like 'p_@ml.example'" 2>/dev/null)" != 3 ]; do
	sleep 0.1; i=$((i + 1))
done
is "$(q "select count(*) from suppression where address like 'p_@ml.example'")" 3 "three lines, then a pause: committed while --maillog waits"
mkdsn paused@example.net 5.1.1 '550 5.1.1 user unknown' short-txn2@test > "$tmp/m"
$B < "$tmp/m"; is "$?" 0 "a bounce piped during the pause is stored (exit 0, not 75)"
exec 8>&-
wait $pid; is "$?" 0 "--maillog ends well"

# a file: the position is committed with the lines
awk 'BEGIN { for (i = 1; i <= 12000; i++)
	printf "Nov 23 10:00:00 mx postfix/smtp[99]: F%dX: to=<f%d@ml.example>, relay=none, delay=1, dsn=5.1.1, status=bounced (host said: 550 5.1.1 user unknown)\n", i, i }' > "$tmp/mail.log"
$B --maillog "$tmp/mail.log" > /dev/null; ok $? "--maillog FILE of 12,000 lines"
is "$(q "select pos from logpos")" "$(wc -c < "$tmp/mail.log" | tr -d ' ')" "its position is the end of the file"
is "$(q "select count(*) from suppression where address like 'f%@ml.example'")" 12000 "every line stored"
done_testing
