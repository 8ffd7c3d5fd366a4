#!/bin/sh
# An operator's explicit class wins; deduplication by what identifies a
# bounce (its Message-ID, or its bytes), not by the original's queue ID
# alone (issue 17).
. "$(dirname "$0")/lib.sh"
db=$tmp/b.db
B="$BOUNCER --allow-root --db $db"
$B --init > /dev/null

# Octeth's own example: an explicit class in the operator's rules file
printf 'userunknown hard /550 5\\.7\\.1 Unfortunately, messages from/\n' > "$tmp/op.rules"
diag="550 5.7.1 Unfortunately, messages from [203.0.113.9] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3140)."
mkdsn op@example.net 5.7.1 "$diag" op1@x > "$tmp/op.eml"
$BOUNCER --rules "$tmp/op.rules" --explain --json "$tmp/op.eml" > "$tmp/o"
is "$(jget reason < "$tmp/o") $(jget class < "$tmp/o")" "userunknown hard" "an operator's rule with an explicit class: its reason and class stand"
$BOUNCER --rules "$tmp/op.rules" --test-rule "$diag" > "$tmp/o"
is "$(grep -E '^(reason|class):' "$tmp/o" | tr '\n' ' ')" "reason: userunknown class: hard " "--test-rule agrees"
$B --rules "$tmp/op.rules" --now 2026-11-20T12:00:00Z < "$tmp/op.eml"
is "$(q "select class||' '||reason from suppression where address='op@example.net'")" "hard userunknown" "and it suppresses as the operator said"
printf 'userunknown /550 5\\.7\\.1 Unfortunately, messages from/\n' > "$tmp/op2.rules"
is "$($BOUNCER --rules "$tmp/op2.rules" --test-rule "$diag" | sed -n 's/^class: //p')" block "without a class the phase logic still applies"

# deduplication: a Postfix DSN names the original's queue ID
pfdsn() {	# RCPT QUEUE-ID MESSAGE-ID DATE
	mkdsn "$1" 5.2.2 "552 5.2.2 Mailbox full" "$3" |
		sed -e "s/^Reporting-MTA: dns; mx.test.example$/Reporting-MTA: dns; mx.test.example\nX-Postfix-Queue-ID: $2/" \
		    -e "s/^Subject: .*/&\nDate: $4/"
}
pfdsn reuse@example.net 3F2A1 r1@mx.test.example "Fri, 20 Nov 2026 10:00:00 +0000" | $B --now 2026-11-20T12:00:00Z
pfdsn reuse@example.net 3F2A1 r2@mx.test.example "Fri, 25 Dec 2026 10:00:00 +0000" | $B --now 2026-12-25T12:00:00Z
is "$(q "select count(*) from events where address='reuse@example.net'")" 2 "another bounce five weeks later with a reused queue ID counts"
pfdsn reuse@example.net 3F2A1 r2@mx.test.example "Fri, 25 Dec 2026 10:00:00 +0000" | $B --now 2026-12-25T13:00:00Z
is "$(q "select count(*) from events where address='reuse@example.net'")" 2 "the same bounce (Message-ID) again counts once"
# the log line of the same failure, and a log line five weeks later
line() { echo "$1 mx postfix/smtp[100]: 3F2A1: to=<reuse@example.net>, relay=mx.x[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=5.2.2, status=bounced (host mx.x[192.0.2.1] said: 552 5.2.2 Mailbox full (in reply to RCPT TO command))"; }
line "2026-12-25T09:59:58+00:00" | $B --now 2026-12-25T14:00:00Z --maillog - > /dev/null
is "$(q "select count(*) from events where address='reuse@example.net'")" 2 "the log line of a failure whose DSN was read counts once"
line "2027-02-01T09:00:00+00:00" | $B --now 2027-02-01T10:00:00Z --maillog - > /dev/null
is "$(q "select count(*) from events where address='reuse@example.net'")" 3 "a log line weeks later with the same queue ID counts"
# without a Message-ID: the bytes
mkdsn nomid@example.net 5.1.1 "550 5.1.1 User unknown" x | grep -v '^Message-Id' > "$tmp/n1.eml"
mkdsn nomid@example.net 5.1.1 "550 5.1.1 User unknown here" x | grep -v '^Message-Id' > "$tmp/n2.eml"
$B --now 2026-11-20T12:00:00Z < "$tmp/n1.eml"; $B --now 2026-11-20T12:00:00Z < "$tmp/n1.eml"
is "$(q "select count(*) from events where address='nomid@example.net'")" 1 "no Message-ID: the same bytes count once"
$B --now 2026-11-21T12:00:00Z < "$tmp/n2.eml"
is "$(q "select count(*) from events where address='nomid@example.net'")" 2 "other bytes are another bounce"
done_testing
