#!/bin/sh
# A tie vouches only for what it proves (issue 23, finding 2). Under
# trust = sent a Message-ID or queue ID that Postfix's log shows sent to
# one recipient ties that recipient; one sent to several ties none of
# them by itself, since each of them holds both and can forge a DSN
# naming the others. What else vouches for a recipient of a shared
# message: a signed return path (tests/0019), Postfix's own log of its
# failing delivery, or a DKIM signature by the recipient's domain on a
# report that came with the null sender, as our own MTA's
# Authentication-Results (authserv_id) says. The attacks first, then the
# genuine paths beside them.
. "$(dirname "$0")/lib.sh"
db=$tmp/b.db
ID=mx.sender.example
{ cat "$top/postfix/bouncer.conf"; printf 'authserv_id = %s\n' "$ID"; } > "$tmp/b.conf"
B="$BOUNCER --allow-root --db $db --config $tmp/b.conf"
$BOUNCER --allow-root --db $db --init > /dev/null
T0=2026-11-20T12:00:00Z
T2=2026-11-20T14:00:00Z		# past pending_wait (1h)
log=$tmp/mail.log
: > "$log"
listed() { q "select count(*) from suppression where address='$1'"; }

# rdsn RCPTS MESSAGE-ID ORIGINAL-ID [HEADER]: a remote MTA's DSN with the
# original's headers; HEADER (an Authentication-Results field) on top
rdsn() {
	[ -n "${4:-}" ] && printf '%s\n' "$4"
	cat <<EOT
From: MAILER-DAEMON@mx.example.net
To: bounces@sender.example
Subject: Delivery Status Notification (Failure)
Message-Id: <$2>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

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
# logmsg QID MESSAGE-ID RCPTS [NRCPT]: Postfix's log of one message sent
# to NRCPT recipients (all of RCPTS by default), delivered to RCPTS
logmsg() {
	printf 'Nov 20 11:00:00 mx1 postfix/cleanup[123]: %s: message-id=<%s>\n' "$1" "$2"
	printf 'Nov 20 11:00:00 mx1 postfix/qmgr[125]: %s: from=<bounces@sender.example>, size=2048, nrcpt=%s (queue active)\n' "$1" "${4:-$(echo $3 | wc -w)}"
	for r in $3; do
		printf 'Nov 20 11:00:01 mx1 postfix/smtp[124]: %s: to=<%s>, relay=mx.example.net[192.0.2.1]:25, delay=1, delays=0.1/0/0.5/0.4, dsn=2.0.0, status=sent (250 2.0.0 OK)\n' "$1" "$r"
	done
}
ar() { printf 'Authentication-Results: %s; dkim=pass (2048-bit key) header.d=%s header.i=@%s header.b=abc' "$1" "$2" "$2"; }
pipe() { $B --now $T0 --sender "$1" --recipient bounces@sender.example --queue-id 9ABC; }

# the attack: a list post, one Message-ID and queue ID for 50
# recipients; one of them (mallet) forges DSNs naming the others
rcpts="mallet@evil.example $(seq 1 49 | sed 's/.*/v&@victims.example/' | tr '\n' ' ')"
logmsg 5B0000000001 list1@sender.example "$rcpts" >> "$log"
$B --now $T0 --maillog "$log" > /dev/null
rdsn "v1@victims.example v2@victims.example" f1@evil list1@sender.example | pipe MAILER-DAEMON; is $? 0 "forged DSN from a co-recipient: exit 0"
# ... with Postfix's queue ID too (he sees it in his copy's Received)
rdsn v3@victims.example f2@evil list1@sender.example | sed 's/^Reporting-MTA: dns; mx.example.net$/&\nX-Postfix-Queue-ID: 5B0000000001/' | pipe MAILER-DAEMON
# ... with an Authentication-Results field of his own making
rdsn v4@victims.example f3@evil list1@sender.example "$(ar mx.evil.example victims.example)" | pipe MAILER-DAEMON
# ... signed by his own domain, or sent from an account at the victims'
# domain (its DKIM signature passes, but not with the null sender)
rdsn v5@victims.example f4@evil list1@sender.example "$(ar $ID evil.example)" | pipe MAILER-DAEMON
rdsn v6@victims.example f5@evil list1@sender.example "$(ar $ID victims.example)" | pipe mallet2@victims.example
is "$(q "select count(*) from suppression where address like 'v%@victims.example'")" 0 "a co-recipient's forged DSNs suppress nobody"
is "$(q "select count(*) from pending where address like 'v%@victims.example'")" 6 "they wait for --maillog, in case Postfix's log has the failure"
$B --now $T2 --maillog "$log" > "$tmp/o"
is "$(q "select count(*) from events where address like 'v%@victims.example' and class <> 'unverified'")" 0 "past pending_wait: all recorded as unverified"
is "$(q "select count(*) from suppression")" 0 "and still nobody suppressed"

# genuine: a one-recipient message's DSN under trust = sent suppresses
logmsg 5B0000000002 solo@sender.example "alice@example.net" >> "$log"
$B --now $T0 --maillog "$log" > /dev/null
rdsn alice@example.net g1@mx solo@sender.example | pipe MAILER-DAEMON
is "$(q "select class from suppression where address='alice@example.net'")" hard "a message sent to one recipient: its DSN suppresses"

# the same before --maillog has read mallet's own delivery line: the log
# has only the victim's so far, but qmgr logged two recipients before
# either delivery
logmsg 5B0000000007 list6@sender.example "v50@victims.example" 2 >> "$log"
$B --now $T0 --maillog "$log" > /dev/null
rdsn v50@victims.example f6@evil list6@sender.example | pipe MAILER-DAEMON
is "$(listed v50@victims.example)" 0 "before his own delivery line is read, qmgr's nrcpt=2 still makes it shared"
is "$(q "select count(*) from pending where address='v50@victims.example'")" 1 "... and it waits"

# genuine: Postfix's own log of a failure, for one recipient of a shared
# message. A rejection suppresses from the log itself, and Postfix's DSN
# of it is tied; a deferral ties the DSN Postfix writes when it expires.
{ logmsg 5B0000000003 list2@sender.example "bob@example.net"
  printf 'Nov 20 11:00:02 mx1 postfix/smtp[124]: 5B0000000003: to=<carol@example.org>, relay=mx.example.org[192.0.2.2]:25, delay=1, delays=0.1/0/0.5/0.4, dsn=5.1.1, status=bounced (host mx.example.org[192.0.2.2] said: 550 5.1.1 <carol@example.org>: User unknown (in reply to RCPT TO command))\n'
  printf 'Nov 20 11:00:02 mx1 postfix/smtp[124]: 5B0000000003: to=<dan@example.com>, relay=mx.example.com[192.0.2.3]:25, delay=1, delays=0.1/0/0.5/0.4, dsn=4.4.1, status=deferred (connect to mx.example.com[192.0.2.3]:25: Connection timed out)\n'
} >> "$log"
$B --now $T0 --maillog "$log" > /dev/null
is "$(q "select class from suppression where address='carol@example.org'")" hard "Postfix's log of a rejection suppresses"
pdsn() {	# pdsn RCPT STATUS DIAG: Postfix's own DSN of 5B0000000003
	mkdsn "$1" "$2" "$3" "p-$1@mx1" | sed 's/^Reporting-MTA: dns; mx.test.example$/Reporting-MTA: dns; mx1.sender.example\nX-Postfix-Queue-ID: 5B0000000003/'
}
pdsn carol@example.org 5.1.1 "550 5.1.1 User unknown" | pipe MAILER-DAEMON
pdsn dan@example.com 4.4.1 "connect to mx.example.com: Connection timed out" | pipe MAILER-DAEMON
is "$(q "select count(*) from pending where address in ('carol@example.org', 'dan@example.com')")" 0 "Postfix's DSNs of failures in its log: not pending"
is "$(q "select class||' '||reason from events where address='dan@example.com' and source='bounce'")" "soft expired" "the expired deferral is acted on (soft, expired)"
# ... but not its DSN about bob, whose delivery the log has as sent
pdsn bob@example.net 5.1.1 "550 5.1.1 User unknown" | pipe MAILER-DAEMON
is "$(listed bob@example.net)" 0 "a DSN naming a recipient the log has as delivered: not tied"

# genuine: a multi-recipient DSN from the recipients' own domain, with
# the null sender, DKIM-signed, as our MTA's milter says: each acts
logmsg 5B0000000004 list3@sender.example "erin@dkim.example frank@dkim.example gina@mail.sub.example mallet@evil.example" >> "$log"
$B --now $T0 --maillog "$log" > /dev/null
rdsn "erin@dkim.example frank@dkim.example" g2@mx list3@sender.example "$(ar $ID dkim.example)" | pipe MAILER-DAEMON
is "$(q "select group_concat(address) from (select address from suppression where address like '%@dkim.example' order by address)")" "erin@dkim.example,frank@dkim.example" "DKIM by the recipients' domain, null sender: both suppressed"
rdsn gina@mail.sub.example g3@mx list3@sender.example "$(ar $ID sub.example)" | pipe MAILER-DAEMON
is "$(q "select class from suppression where address='gina@mail.sub.example'")" hard "a signature by a parent domain vouches for a subdomain"
# without our authserv_id configured, the same report vouches for nobody
logmsg 5B0000000005 list4@sender.example "hal@dkim.example ian@dkim.example" >> "$log"
$B --now $T0 --maillog "$log" > /dev/null
rdsn hal@dkim.example g4@mx list4@sender.example "$(ar $ID dkim.example)" | $BOUNCER --allow-root --db $db --config "$top/postfix/bouncer.conf" --now $T0 --sender MAILER-DAEMON
is "$(listed hal@dkim.example)" 0 "authserv_id unset: no Authentication-Results field is believed"
# the report first, the log after: the evidence waits with it
rdsn "jo@dkim.example kim@dkim.example" g5@mx list5@sender.example "$(ar $ID dkim.example)" | pipe MAILER-DAEMON
is "$(q "select count(*) from pending where address in ('jo@dkim.example','kim@dkim.example')")" 2 "a signed report before its log line: pending"
logmsg 5B0000000006 list5@sender.example "jo@dkim.example kim@dkim.example lee@other.example" >> "$log"
$B --now $T0 --maillog "$log" > /dev/null
is "$(q "select count(*) from suppression where address in ('jo@dkim.example','kim@dkim.example')")" 2 "--maillog ties it with its evidence: both suppressed"
done_testing
