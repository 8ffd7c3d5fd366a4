#!/bin/sh
# Parse first, then take the write lock: a 10 MB message naming 1,000
# recipients and no Message-ID must not make a concurrent bounce wait
# until it gives up. Outcomes are asserted, not times.
. "$(dirname "$0")/lib.sh"
db=$tmp/b.db
B="$BOUNCER --allow-root --db $db"
# a short lock wait, so that a bounce kept waiting fails fast
printf 'busy_timeout = 1\nrecipient_limit = 1000\n' > "$tmp/c.conf"
C="$B --config $tmp/c.conf"
$B --init > /dev/null

# big N SIZE: a DSN naming N recipients, no Message-ID, about SIZE bytes
big() {
	awk -v n="$1" -v size="$2" 'BEGIN {
	printf "From: MAILER-DAEMON@mx.big.example\nTo: bounces@sender.example\n"
	printf "Subject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\n"
	printf "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n"
	printf "--B\nContent-Type: text/plain\n\nThe mail system\n\n"
	printf "--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.big.example\n\n"
	for (i = 1; i <= n; i++)
		printf "Final-Recipient: rfc822; big-%d@big.example\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\n\n", i
	printf "--B\nContent-Type: message/rfc822\n\nFrom: news@sender.example\nTo: x@big.example\nSubject: hello\n\n"
	line = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	for (s = 0; s < size; s += 78) print line
	printf "\n--B--\n" }'
}
big 1000 10200000 > "$tmp/big.eml"
is "$(grep -ci '^message-id:' "$tmp/big.eml")" 0 "the big message has no Message-ID"
mkdsn normal@example.org 5.1.1 "550 5.1.1 User unknown" normal1@mx > "$tmp/normal.eml"

# the big one first, the normal one while it is being handled
( $C < "$tmp/big.eml" > "$tmp/big.out" 2>&1; echo $? > "$tmp/big.rc" ) &
bigpid=$!
sleep 0.3
$C < "$tmp/normal.eml" 2> "$tmp/normal.err"; rc=$?
is "$rc" 0 "the normal bounce is stored while the big one is handled ($(cat "$tmp/normal.err"))"
is "$(q "select class from suppression where address='normal@example.org'")" hard "the normal bounce's recipient is suppressed"
wait $bigpid
is "$(cat "$tmp/big.rc")" 0 "the big message is stored too"
is "$(q "select count(*) from events where address like 'big-%@big.example'")" 1000 "all its 1,000 recipients recorded"

# hashed once, but still the same key for the same bytes: a retry counts once
$C < "$tmp/big.eml"; is $? 0 "the big message again"
is "$(q "select count(*) from events where address like 'big-%@big.example'")" 1000 "a retry of it adds nothing (dedup key from its bytes)"
sed 's/$/\r/' "$tmp/big.eml" | $C; is $? 0 "the big message again with CRLF line ends"
is "$(q "select count(*) from events where address like 'big-%@big.example'")" 1000 "CRLF copy adds nothing either"
done_testing
