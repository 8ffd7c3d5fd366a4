#!/bin/sh
# Campaigns: named by a header of the returned message (campaign_header)
# or by the VERP prefix of the return path (campaign_verp), in bounces,
# complaints and Postfix's log alike; sent counts and rates per
# campaign in --report, its JSON and its thresholds.
. "$(dirname "$0")/lib.sh"
db=$tmp/b.db
B="$BOUNCER --allow-root --db $db"
$B --init > /dev/null
NOW=2026-11-21T12:00:00Z
camp() { q "select campaign from events where address='$1'"; }

# dsnh RCPT MSGID HEADER-LINE: a DSN returning the original's headers
dsnh() {
	cat <<EOT
From: MAILER-DAEMON@mx.test.example
To: bounces@sender.example
Subject: Undelivered Mail Returned to Sender
Message-Id: <$2>
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.test.example

Final-Recipient: rfc822; $1
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 User unknown

--B
Content-Type: text/rfc822-headers

From: news@sender.example
To: $1
Subject: offers
Message-Id: <orig-$2>
$3

--B--
EOT
}
printf 'campaign_header = X-Campaign-ID\ncampaign_verp = yes\nmin_sent = 100\n' > "$tmp/c.conf"
C="$B --config $tmp/c.conf --now $NOW"

dsnh a1@one.example m1@t "X-Campaign-ID: spring-2026" | $C; ok $? "a DSN with X-Campaign-ID stored"
is "$(camp a1@one.example)" spring-2026 "campaign from the returned message's header"
dsnh a2@one.example m2@t "X-Other: x" | $C --recipient 'autumn+a2=one.example@bounces.example'
is "$(camp a2@one.example)" autumn "no header: the VERP prefix of the return path"
dsnh a3@one.example m3@t "X-Campaign-ID: spring-2026" | $C --recipient 'autumn+a3=one.example@bounces.example'
is "$(camp a3@one.example)" spring-2026 "the header wins over the VERP prefix"
dsnh a4@one.example m4@t "X-Other: x" | $B --now $NOW --recipient 'autumn+a4=one.example@bounces.example'
is "$(camp a4@one.example)" "" "without campaign_verp the prefix names nothing"
printf 'X-Campaign-ID: bad\001name\n' > "$tmp/h"
dsnh a5@one.example m5@t "$(cat "$tmp/h")" | $C
is "$(camp a5@one.example)" "" "a control character refuses the name"
dsnh a6@one.example m6@t "X-Campaign-ID: $(printf '%0150d' 0)" | $C
is "$(camp a6@one.example)" "" "a name over 100 bytes is refused"
printf 'campaign_header = List-Id\n' > "$tmp/l.conf"
dsnh a7@one.example m7@t "List-Id: Spring sale <spring.news.example>" | $B --config "$tmp/l.conf" --now $NOW
is "$(camp a7@one.example)" spring.news.example "List-Id: the id in angle brackets"
# a complaint names its campaign the same way
cat > "$tmp/arf.eml" <<EOT
From: fbl@isp.example
To: fbl@sender.example
Subject: complaint
Message-Id: <arf1@isp>
Content-Type: multipart/report; report-type=feedback-report; boundary="A"

--A
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: test/1
Version: 1
Original-Rcpt-To: <c1@one.example>

--A
Content-Type: text/rfc822-headers

From: news@sender.example
To: c1@one.example
X-Campaign-ID: spring-2026

--A--
EOT
$C < "$tmp/arf.eml"
is "$(camp c1@one.example)" spring-2026 "ARF complaint: campaign from the original's header"
# --replay carries the campaign from its worker processes
{ echo "From x Sat Nov 21 10:00:00 2026"; dsnh r1@one.example r1@t "X-Campaign-ID: replayed"; echo; } > "$tmp/r.mbox"
$C --replay --jobs 2 "$tmp/r.mbox" > /dev/null
is "$(camp r1@one.example)" replayed "--replay: campaign through the workers"

# Postfix's log: header_checks INFO lines and qmgr's from= name the
# campaign of each queue ID; sent and bounced lines then count for it
log=$tmp/mail.log
{
	i=1
	while [ $i -le 200 ]; do
		echo "Nov 21 10:00:00 mx postfix/cleanup[9]: S$i: info: header X-Campaign-ID: spring-2026 from localhost[127.0.0.1]; from=<news@sender.example> to=<s$i@two.example> proto=ESMTP helo=<app>"
		echo "Nov 21 10:00:00 mx postfix/qmgr[8]: S$i: from=<news@sender.example>, size=900, nrcpt=1 (queue active)"
		echo "Nov 21 10:00:01 mx postfix/smtp[7]: S$i: to=<s$i@two.example>, relay=mx[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)"
		echo "Nov 21 10:00:01 mx postfix/qmgr[8]: S$i: removed"
		i=$((i + 1))
	done
	i=1
	while [ $i -le 100 ]; do
		echo "Nov 21 10:00:00 mx postfix/qmgr[8]: W$i: from=<winter+w$i=two.example@bounces.example>, size=900, nrcpt=1 (queue active)"
		echo "Nov 21 10:00:01 mx postfix/smtp[7]: W$i: to=<w$i@two.example>, relay=mx[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)"
		i=$((i + 1))
	done
	echo "Nov 21 10:00:00 mx postfix/qmgr[8]: WB: from=<winter+dead=two.example@bounces.example>, size=900, nrcpt=1 (queue active)"
	echo "Nov 21 10:00:01 mx postfix/smtp[7]: WB: to=<dead@two.example>, relay=mx[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx[192.0.2.1] said: 550 5.1.1 User unknown (in reply to RCPT TO command))"
	echo "Nov 21 10:00:01 mx postfix/smtp[7]: NC: to=<n1@two.example>, relay=mx[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)"
} > "$log"
$C --maillog "$log" > /dev/null; ok $? "--maillog with campaign lines"
# "sent" is every attempt that ended: the 100 delivered and the one
# returned of winter (issue 25, 7)
is "$(q "select campaign||':'||sum(count) from sent_campaign group by campaign order by campaign" | tr '\n' ' ')" "spring-2026:200 winter:101 " "sent per campaign (delivered and returned): header INFO lines and VERP prefixes"
is "$(q "select sum(count) from sent")" 302 "every sent or bounced line still counts per domain"
is "$(camp dead@two.example)" winter "a bounced log line carries its message's campaign"
$B --now $NOW --maillog "$log" > /dev/null
is "$(q "select count(*) from sent_campaign where campaign <> ''")" 2 "without the settings the log names no campaign (nothing new added)"

# the report: rates per campaign, and thresholds judged per campaign
$C --report > "$tmp/r"; rc=$?
grep -F "  spring-2026" "$tmp/r" | sed 's/^/# /'
grep -qE '^  spring-2026 +sent 200: hard 2 \(1.00%\), soft 0 \(0\.00%\), block 0 \(0\.00%\), complaint 1 \(0\.50%\), unsubscribe 0 \(0\.00%\)$' "$tmp/r"
ok $? "report: the campaign's counts and rates of its mail sent"
grep -qF "critical: campaign spring-2026: complaint 0.50% of sent (1 of 200), above 0.30%" "$tmp/r"; ok $? "a campaign's complaint rate judged on its own"
is $rc 2 "and it is critical: exit 2"
$C --report --json > "$tmp/j"
if command -v python3 > /dev/null 2>&1; then
	python3 - "$tmp/j" <<'EOPY'
import json, sys
d = json.load(open(sys.argv[1]))
c = {x["campaign"]: x for x in d["rates"]["campaigns"]}
assert c["spring-2026"]["sent"] == 200 and c["spring-2026"]["hard"]["count"] == 2, c
assert c["winter"]["sent"] == 101 and c["winter"]["hard"] == {"count": 1, "rate": 0.9901}, c
assert any(a["scope"] == "campaign" and a["name"] == "spring-2026" and a["class"] == "complaint" for a in d["warnings"])
EOPY
	ok $? "--report --json: rates per campaign"
else
	skip "--report --json: rates per campaign" "python3 not installed"
fi
done_testing
