#!/bin/sh
# A valid signed return path vouches for its own recipient only: the
# other recipients a DSN, a text bounce or an ARF report lists beside it
# are unverified (recorded, suppressing nobody).
. "$(dirname "$0")/lib.sh"
db=$tmp/b.db
T0=2026-11-20T12:00:00Z
key=$tmp/sign.key
printf '%s\n' 0123456789abcdef0123456789abcdef0123456789abcdef > "$key"; chmod 600 "$key"
cat > "$tmp/sign.conf" <<EOT
sign_keys = $key
sign_domain = bounces.sender.example
require_signed = yes
EOT
S="$BOUNCER --allow-root --db $db --config $tmp/sign.conf --now $T0"
$S --init > /dev/null
# the attacker subscribed once and got his own, genuine, signed return path
rp=$($S --sign attacker@evil.example); ok $? "the attacker's own return path is signed"
suppressed() { q "select count(*) from suppression where address like '%@bigbank.example'"; }

# a DSN to his return path naming him and four victims
{
	mkdsn attacker@evil.example 5.1.1 "550 5.1.1 User unknown" forged1@evil | sed '/^--B--$/d'
	for v in ceo cfo cto coo; do
		printf 'Final-Recipient: rfc822; %s@bigbank.example\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\n\n' "$v"
	done
	echo '--B--'
} > "$tmp/dsn.eml"
$S --recipient "$rp" < "$tmp/dsn.eml"; is $? 0 "forged multi-recipient DSN: exit 0"
is "$(suppressed)" 0 "DSN: no victim suppressed"
is "$(q "select count(*) from events where address like '%@bigbank.example' and class='unverified'")" 4 "DSN: each victim recorded as unverified"
is "$(q "select class from suppression where address='attacker@evil.example'")" hard "DSN: the recipient the tag names still counts"
$S --explain --recipient "$rp" "$tmp/dsn.eml" > "$tmp/o"
grep -q "trust: *unverified: the return path's tag vouches for attacker@evil.example" "$tmp/o"; ok $? "--explain says whom the tag vouches for"
grep -q "trust: *signed return path" "$tmp/o"; ok $? "--explain marks the signed recipient"

# a text bounce (qmail's words) to his return path
cat > "$tmp/text.eml" <<EOT
From: MAILER-DAEMON@mx.evil.example
To: $rp
Subject: failure notice
Message-Id: <forged2@evil>

Hi. This is the qmail-send program at mx.evil.example.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<attacker@evil.example>:
550 5.1.1 user unknown

<ciso@bigbank.example>:
550 5.1.1 user unknown

<cmo@bigbank.example>:
550 5.1.1 user unknown
EOT
$S --recipient "$rp" < "$tmp/text.eml"; is $? 0 "forged text bounce: exit 0"
is "$(suppressed)" 0 "text bounce: no victim suppressed"
is "$(q "select count(*) from events where address in ('ciso@bigbank.example','cmo@bigbank.example') and class='unverified'")" 2 "text bounce: victims recorded as unverified"

# an ARF report whose Original-Mail-From is his return path
cat > "$tmp/arf.eml" <<EOT
From: fbl@isp.example
To: fbl@sender.example
Subject: complaint
Message-Id: <forged3@evil>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="A"

--A
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: evil/1
Version: 1
Original-Mail-From: <$rp>
Original-Rcpt-To: <attacker@evil.example>
Original-Rcpt-To: <cio@bigbank.example>
Original-Rcpt-To: <cpo@bigbank.example>

--A--
EOT
$S < "$tmp/arf.eml"; is $? 0 "forged ARF report: exit 0"
is "$(suppressed)" 0 "ARF: no victim suppressed"
is "$(q "select count(*) from events where address in ('cio@bigbank.example','cpo@bigbank.example') and class='unverified'")" 2 "ARF: victims recorded as unverified"

# the same through --replay (worker processes carry the trust)
{ printf 'From MAILER-DAEMON Mon Nov 23 10:00:00 2026\n'; sed "s/forged1@evil/forged4@evil/; s/ceo@/cbo@/; s/^To: .*/To: $rp/" "$tmp/dsn.eml"; echo; } > "$tmp/r.mbox"
db2=$tmp/r.db
$BOUNCER --allow-root --db "$db2" --init > /dev/null
$BOUNCER --allow-root --db "$db2" --config "$tmp/sign.conf" --now $T0 --jobs 2 --replay "$tmp/r.mbox" > /dev/null 2>&1
is "$(sqlite3 "$db2" "select address from suppression")" attacker@evil.example "replay: only the signed recipient suppressed"
is "$(sqlite3 "$db2" "select count(*) from events where class='unverified'")" 4 "replay: the victims recorded as unverified"

# genuine: a signed bounce for one recipient
rp2=$($S --sign real@example.org)
mkdsn real@example.org 5.1.1 "550 5.1.1 User unknown" real1@mx | $S --recipient "$rp2"
is "$(q "select class from suppression where address='real@example.org'")" hard "genuine signed bounce suppresses its recipient"
done_testing
