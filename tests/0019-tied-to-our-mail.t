#!/bin/sh
# With postfix/bouncer.conf as shipped (trust = sent) a report suppresses
# only when it is tied to mail this server sent: a valid signed return
# path, or the returned message's Message-ID and recipient (or Postfix's
# queue ID) in what --maillog read. Untied reports wait, then are
# unverified. Limits bound what strangers can make the database hold.
. "$(dirname "$0")/lib.sh"
db=$tmp/b.db
conf=$top/postfix/bouncer.conf
B="$BOUNCER --allow-root --db $db --config $conf"
$B --init > /dev/null
T0=2026-11-20T12:00:00Z
T1=2026-11-20T12:05:00Z		# within pending_wait (1h) of T0
T2=2026-11-20T14:00:00Z		# past it
grep -q '^trust = sent$' "$conf"; ok $? "the shipped configuration says trust = sent"

# rdsn RCPTS MESSAGE-ID ORIGINAL-ID: a remote MTA's DSN with the
# original's headers
rdsn() {
	cat <<EOT
From: MAILER-DAEMON@mx.example.net
To: bounces@sender.example
Subject: Delivery Status Notification (Failure)
Message-Id: <$2>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

EOT
	for r in $1; do
		printf 'Final-Recipient: rfc822; %s\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\n\n' "$r"
	done
	cat <<EOT
--B
Content-Type: text/rfc822-headers

From: news@sender.example
Subject: news
Message-ID: <$3>

--B--
EOT
}
# logmsg QID MESSAGE-ID RCPTS: Postfix's log lines of one message sent
logmsg() {
	printf 'Nov 20 11:00:00 mx1 postfix/cleanup[123]: %s: message-id=<%s>\n' "$1" "$2"
	for r in $3; do
		printf 'Nov 20 11:00:01 mx1 postfix/smtp[124]: %s: to=<%s>, relay=mx.example.net[192.0.2.1]:25, delay=1, delays=0.1/0/0.5/0.4, dsn=2.0.0, status=sent (250 2.0.0 OK)\n' "$1" "$r"
	done
}
log=$tmp/mail.log
listed() { q "select count(*) from suppression where address='$1'"; }

# forged: a made-up DSN and a made-up complaint, nothing in the log
rdsn victim@gmail.example forged1@evil made-up@evil > "$tmp/forged.eml"
$B --now $T0 < "$tmp/forged.eml"; is $? 0 "forged DSN: exit 0"
is "$(listed victim@gmail.example)" 0 "forged DSN suppresses nobody"
is "$(q "select count(*) from pending where address='victim@gmail.example'")" 1 "it is kept pending, not lost"
mkarf victim2@gmail.example forged2@evil > "$tmp/farf.eml"
$B --now $T0 < "$tmp/farf.eml"; is $? 0 "forged complaint: exit 0"
is "$(listed victim2@gmail.example)" 0 "forged complaint suppresses nobody"
: > "$log"
$B --now $T1 --maillog "$log" > /dev/null
is "$(q "select count(*) from pending")" 2 "--maillog within pending_wait: both still wait"
$B --now $T2 --maillog "$log" > "$tmp/o"
is "$(q "select count(*) from pending")" 0 "past pending_wait: decided"
grep -q 'pending: 0 tied to mail we sent, 2 never tied' "$tmp/o"; ok $? "--maillog says so ($(tail -1 "$tmp/o"))"
is "$(q "select group_concat(class) from events where address in ('victim@gmail.example','victim2@gmail.example')")" "unverified,unverified" "both recorded as unverified"
is "$(listed victim@gmail.example)$(listed victim2@gmail.example)" 00 "and still nobody suppressed"
$B --now $T2 < "$tmp/forged.eml"; $B --now $T2 --maillog "$log" > /dev/null
is "$(q "select count(*) from events where address='victim@gmail.example'")" 1 "the same forgery again counts once"

# genuine, the log read first: suppressed at once
logmsg 4F2A31C0001 m1@sender.example alice@example.net >> "$log"
$B --now $T0 --maillog "$log" > /dev/null
rdsn alice@example.net b1@mx m1@sender.example | $B --now $T0
is "$(q "select class from suppression where address='alice@example.net'")" hard "bounce of mail in the log: suppressed at once"
# genuine, the bounce first: pending, then decided by --maillog
rdsn bob@example.net b2@mx m2@sender.example | $B --now $T0
is "$(listed bob@example.net)" 0 "bounce before its log line is read: not yet suppressed"
logmsg 4F2A31C0002 m2@sender.example bob@example.net >> "$log"
$B --now $T1 --maillog "$log" > "$tmp/o"
is "$(q "select class from suppression where address='bob@example.net'")" hard "--maillog reads the log line: suppressed"
grep -q 'pending: 1 tied to mail we sent, 0 never tied' "$tmp/o"; ok $? "--maillog says so"
# a message we sent to several recipients: any of them could have
# written this report about the others (issue 23), so the shared
# Message-ID alone ties nobody (tests/0044 has what else does); a
# stranger is not tied either
logmsg 4F2A31C0003 m3@sender.example "carol@example.net dave@example.org erin@example.com" >> "$log"
$B --now $T0 --maillog "$log" > /dev/null
rdsn "carol@example.net dave@example.org erin@example.com mallory@example.net" b3@mx m3@sender.example | $B --now $T0
is "$(q "select count(*) from suppression where address in ('carol@example.net','dave@example.org','erin@example.com')")" 0 "multi-recipient DSN of mail we sent to several, nothing else: nobody suppressed"
is "$(listed mallory@example.net)" 0 "a recipient it was not sent to: not suppressed"
$B --now $T2 --maillog "$log" > /dev/null
is "$(q "select class from events where address='mallory@example.net'")" unverified "and, once the log is read, unverified"
is "$(q "select group_concat(class) from events where address in ('carol@example.net','dave@example.org','erin@example.com')")" "unverified,unverified,unverified" "the shared message's recipients too"
# the right Message-ID but another recipient, or the right recipient but another Message-ID
rdsn alice2@example.net b4@mx m1@sender.example | $B --now $T2
rdsn carol@example.org b5@mx m9@sender.example | $B --now $T2
is "$(listed alice2@example.net)$(listed carol@example.org)" 00 "Message-ID and recipient must match together"
# a genuine complaint: the ARF report carries the original, whose
# Message-ID and recipient are in the log
logmsg 4F2A31C0005 m5@sender.example ivy@example.net >> "$log"
$B --now $T0 --maillog "$log" > /dev/null
{ mkarf "" c1@isp | sed '/^Original-Rcpt-To/d; /^--A--$/d'
  printf -- '--A\nContent-Type: message/rfc822\n\nFrom: news@sender.example\nTo: ivy@example.net\nSubject: news\nMessage-ID: <m5@sender.example>\n\nhello\n--A--\n'; } | $B --now $T0
is "$(q "select class from suppression where address='ivy@example.net'")" complaint "complaint about mail in the log: suppressed"
# Postfix's own DSN: the queue ID of the original (X-Postfix-Queue-ID)
printf 'Nov 20 11:00:01 mx1 postfix/smtp[124]: 4F2A31C0004: to=<frank@example.net>, relay=mx.example.net[192.0.2.1]:25, delay=1, delays=0.1/0/0.5/0.4, dsn=4.2.2, status=deferred (452 4.2.2 Mailbox full)\n' >> "$log"
$B --now $T0 --maillog "$log" > /dev/null
mkdsn frank@example.net 5.1.1 "550 5.1.1 User unknown" b6@mx | sed 's/^Reporting-MTA: dns; mx.test.example$/Reporting-MTA: dns; mx1.sender.example\nX-Postfix-Queue-ID: 4F2A31C0004/' | $B --now $T0
is "$(q "select class from suppression where address='frank@example.net'")" hard "Postfix's own DSN, tied by queue ID and recipient"
# a valid signed return path needs no log
key=$tmp/sign.key
printf '%s\n' 0123456789abcdef0123456789abcdef0123456789abcdef > "$key"; chmod 600 "$key"
{ cat "$conf"; printf 'sign_keys = %s\nsign_domain = bounces.sender.example\n' "$key"; } > "$tmp/signed.conf"
S="$BOUNCER --allow-root --db $db --config $tmp/signed.conf --now $T0"
rp=$($S --sign grace@example.net)
mkdsn grace@example.net 5.1.1 "550 5.1.1 User unknown" b7@mx | $S --recipient "$rp"
is "$(q "select class from suppression where address='grace@example.net'")" hard "signed return path: suppressed at once under trust = sent"
# what is learned from the log is forgotten after sent_retention
$B --now 2027-01-05T00:00:00Z --maillog "$log" > /dev/null
is "$(q "select count(*) from outbound")" 0 "sent mail forgotten after sent_retention (30d)"

# trust = any: the old behaviour, for who chooses it
printf 'trust = any\n' > "$tmp/any.conf"
rdsn henry@example.net b8@mx m8@x | $BOUNCER --allow-root --db $db --config "$tmp/any.conf" --now $T0
is "$(q "select class from suppression where address='henry@example.net'")" hard "trust = any: an untied bounce suppresses"

# limits: recipients acted on per message, unverified events an hour
db2=$tmp/l.db
printf 'trust = sent\nrecipient_limit = 5\nunverified_limit = 8\n' > "$tmp/lim.conf"
L="$BOUNCER --allow-root --db $db2 --config $tmp/lim.conf"
$L --init > /dev/null
many=$(seq 1 20 | sed 's/.*/v&@victims.example/' | tr '\n' ' ')
rdsn "$many" big1@evil x1@evil | $L --now $T0; is $? 0 "20 recipients over a limit of 5: exit 0"
is "$(sqlite3 "$db2" "select count(*) from pending")" 5 "only recipient_limit of them kept"
rdsn "$(seq 21 30 | sed 's/.*/v&@victims.example/' | tr '\n' ' ')" big2@evil x2@evil | $L --now $T0
is "$(sqlite3 "$db2" "select count(*) from pending")" 8 "unverified_limit an hour: 8 kept"
$L --metrics > "$tmp/m"
grep -q '^bouncer_limit_hits_total{limit="recipients"} 20$' "$tmp/m"; ok $? "recipient limit hits in --metrics"
grep -q '^bouncer_limit_hits_total{limit="unverified"} 2$' "$tmp/m"; ok $? "unverified limit hits in --metrics"
rdsn "v31@victims.example" big3@evil x3@evil | $L --now 2026-11-20T13:00:01Z
is "$(sqlite3 "$db2" "select count(*) from pending")" 9 "a new hour, new room"
done_testing
