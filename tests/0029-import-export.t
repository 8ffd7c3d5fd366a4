#!/bin/sh
# --import reads what --list --json and --export write, CSV, a plain list
# with --class, and the webhooks of Amazon SES, SendGrid, Postmark and
# Mailgun (samples written from each provider's documentation);
# --export writes JSON lines and CSV (issue 17).
. "$(dirname "$0")/lib.sh"
db=$tmp/b.db
B="$BOUNCER --allow-root --db $db"
$B --init > /dev/null
N=2026-11-20T12:00:00Z
imp() { $B --now $N --import "$@"; }
cls() { q "select class from suppression where address='$1'"; }

# Amazon SES: a bounce, and a complaint inside an SNS envelope
cat > "$tmp/ses-bounce.json" <<'EOT'
{
  "notificationType": "Bounce",
  "bounce": {
    "bounceType": "Permanent",
    "bounceSubType": "General",
    "bouncedRecipients": [
      { "emailAddress": "jane@ses.example", "action": "failed",
        "status": "5.1.1", "diagnosticCode": "smtp; 550 5.1.1 user unknown" }
    ],
    "timestamp": "2026-11-19T14:59:38.237Z",
    "feedbackId": "00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa0680-000000",
    "reportingMTA": "dsn; a8-70.smtp-out.amazonses.com"
  },
  "mail": {
    "timestamp": "2026-11-19T14:59:30.000Z",
    "messageId": "0000014644fe5ef6-9a483358-9170-4cb4-a269-f5dcdf415321-000000",
    "source": "john@sender.example",
    "destination": ["jane@ses.example"]
  }
}
EOT
imp "$tmp/ses-bounce.json" > "$tmp/o"; is $? 0 "SES bounce notification: exit 0"
is "$(q "select class||' '||status from events where address='jane@ses.example'")" "hard 5.1.1" "SES Permanent bounce: hard, with its status"
is "$(q "select time from events where address='jane@ses.example'")" "$(date -u -d 2026-11-19T14:59:38Z +%s)" "dated by the notification"
cat > "$tmp/ses-sns.json" <<'EOT'
{
  "Type" : "Notification",
  "MessageId" : "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
  "TopicArn" : "arn:aws:sns:us-west-2:123456789012:MyTopic",
  "Message" : "{\"notificationType\":\"Complaint\",\"complaint\":{\"userAgent\":\"AnyCompany Feedback Loop (V0.01)\",\"complainedRecipients\":[{\"emailAddress\":\"richard@ses.example\"}],\"complaintFeedbackType\":\"abuse\",\"arrivalDate\":\"2026-11-19T14:59:38.237Z\",\"timestamp\":\"2026-11-19T14:59:38.237Z\",\"feedbackId\":\"000001378603177f-18c07c78-fa81-4a58-9dd1-fedc3cb8f49a-000000\"},\"mail\":{\"messageId\":\"000001378603177f-7a5433e7-8edb-42ae-af10-f0181f34d6ee-000000\"}}",
  "Timestamp" : "2026-11-19T15:00:00.000Z"
}
EOT
imp "$tmp/ses-sns.json" > /dev/null
is "$(cls richard@ses.example)" complaint "SES complaint in an SNS envelope: complaint"

# SendGrid: an array of events; opens and clicks are not deliverability
cat > "$tmp/sendgrid.json" <<'EOT'
[
  {"email":"bounced@sg.example","timestamp":1795500000,"smtp-id":"<14c5d75ce93.dfd.64b469@ismtpd-555>","event":"bounce","category":"cat facts","sg_event_id":"6g4ZI7SA-xmRDv57GoPIPw==","sg_message_id":"14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0","reason":"500 unknown recipient","status":"5.0.0","type":"bounce"},
  {"email":"blocked@sg.example","timestamp":1795500000,"event":"bounce","sg_event_id":"b1","reason":"550 5.7.1 blocked by policy","status":"5.7.1","type":"blocked"},
  {"email":"spam@sg.example","timestamp":1795500000,"event":"spamreport","sg_event_id":"s1","sg_message_id":"m1"},
  {"email":"unsub@sg.example","timestamp":1795500000,"event":"unsubscribe","sg_event_id":"u1"},
  {"email":"group@sg.example","timestamp":1795500000,"event":"group_unsubscribe","asm_group_id":10,"sg_event_id":"g1"},
  {"email":"reader@sg.example","timestamp":1795500000,"event":"open","sg_event_id":"o1","useragent":"Mozilla/4.0"}
]
EOT
imp "$tmp/sendgrid.json" > "$tmp/o"
is "$(cat "$tmp/o")" "import: 5 lines, 5 applied, 0 duplicates, 4 newly suppressed, 0 refused, 1 other events ignored" "SendGrid event array: summary"
is "$(cls bounced@sg.example) $(cls spam@sg.example) $(cls unsub@sg.example) $(cls group@sg.example)" "hard complaint unsubscribe unsubscribe" "SendGrid bounce, spamreport, unsubscribe, group_unsubscribe"
is "$(q "select class from events where address='blocked@sg.example'")" block "SendGrid type blocked: recorded as a block"
imp "$tmp/sendgrid.json" > "$tmp/o"
is "$(sed -n 's/.* \([0-9]*\) duplicates.*/\1/p' "$tmp/o")" 5 "the same events again: duplicates (sg_event_id)"

# Postmark: Bounce, SpamComplaint and SubscriptionChange webhooks, one file
cat > "$tmp/postmark.json" <<'EOT'
{
  "RecordType": "Bounce",
  "MessageStream": "outbound",
  "ID": 4323372036854775807,
  "Type": "HardBounce",
  "TypeCode": 1,
  "Name": "Hard bounce",
  "Tag": "Test",
  "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
  "ServerID": 23,
  "Description": "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
  "Details": "Test bounce details",
  "Email": "john@pm.example",
  "From": "sender@sender.example",
  "BouncedAt": "2026-11-05T16:33:54.9070259Z",
  "DumpAvailable": true,
  "Inactive": true,
  "CanActivate": true,
  "Subject": "Test subject"
}
{
  "RecordType": "SpamComplaint",
  "MessageStream": "outbound",
  "ID": 42,
  "Type": "SpamComplaint",
  "TypeCode": 512,
  "Name": "Spam complaint",
  "Details": "Test spam complaint details",
  "Email": "mary@pm.example",
  "BouncedAt": "2026-11-05T16:33:54.9070259Z"
}
{
  "RecordType": "SubscriptionChange",
  "MessageID": "00000000-0000-0000-0000-000000000000",
  "ServerID": 23,
  "MessageStream": "outbound",
  "ChangedAt": "2026-11-01T10:53:34.416071Z",
  "Recipient": "optout@pm.example",
  "Origin": "Recipient",
  "SuppressSending": true,
  "SuppressionReason": "ManualSuppression",
  "Tag": "my-tag"
}
EOT
imp "$tmp/postmark.json" > /dev/null; is $? 0 "Postmark webhooks: exit 0"
is "$(cls john@pm.example) $(cls mary@pm.example) $(cls optout@pm.example)" "hard complaint unsubscribe" "Postmark HardBounce, SpamComplaint, SubscriptionChange (ManualSuppression)"

# Mailgun: event-data of a permanent failure and a complaint
cat > "$tmp/mailgun.json" <<'EOT'
{
  "signature": { "timestamp": "1529006854", "token": "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0", "signature": "d2271d12299f6592d9d44cd9d250f0704e4674c30d79d07c47a66f95ce71cf55" },
  "event-data": {
    "event": "failed", "id": "G9Bn5sl1TC6nu79C8C0bwg", "timestamp": 1795500000.375624,
    "log-level": "error", "severity": "permanent", "reason": "bounce",
    "recipient": "alice@mg.example", "recipient-domain": "mg.example",
    "delivery-status": { "attempt-no": 1, "message": "550 5.1.1 The email account that you tried to reach does not exist", "code": 550, "enhanced-code": "5.1.1", "description": "", "session-seconds": 0.4 },
    "message": { "headers": { "to": "Alice <alice@mg.example>", "message-id": "20130503182626.18666.16540@mg.sender.example", "from": "Bob <bob@mg.sender.example>", "subject": "Test permanent_fail webhook" } }
  }
}
{ "signature": { "timestamp": "1529006854", "token": "t", "signature": "s" },
  "event-data": { "event": "complained", "id": "-Agny091SquKnsrW2NEKUA", "timestamp": 1795500001.5, "recipient": "bob@mg.example" } }
{ "signature": { "timestamp": "1529006854", "token": "t", "signature": "s" },
  "event-data": { "event": "failed", "id": "tmp1", "timestamp": 1795500002, "severity": "temporary", "recipient": "later@mg.example", "delivery-status": { "code": 452, "message": "452 4.2.2 Mailbox full" } } }
EOT
imp "$tmp/mailgun.json" > /dev/null; is $? 0 "Mailgun webhooks: exit 0"
is "$(q "select class||' '||status from events where address='alice@mg.example'") $(cls bob@mg.example)" "hard 5.1.1 complaint" "Mailgun failed/permanent and complained"
is "$(q "select class from events where address='later@mg.example'")" delayed "Mailgun failed/temporary: a delay, recorded"

# CSV, and a plain list with --class
printf 'Email,Type,Status\njo@csv.example,hard,5.1.1\n"Smith, Al <al@csv.example>",complaint,\n' > "$tmp/f.csv"
imp "$tmp/f.csv" > /dev/null; is $? 0 "CSV with a header: exit 0"
is "$(cls jo@csv.example) $(cls al@csv.example)" "hard complaint" "CSV rows, quoted fields included"
printf '# opted out at the fair\nAnn@List.example\nben@list.example\n' > "$tmp/list.txt"
imp "$tmp/list.txt" > /dev/null 2> "$tmp/e"; is $? 65 "a plain list without --class: refused (exit 65)"
grep -q 'needs --class' "$tmp/e"; ok $? "and says what it needs"
imp "$tmp/list.txt" --class unsubscribe > /dev/null; is $? 0 "a plain list with --class unsubscribe"
is "$(cls ann@list.example) $(cls ben@list.example)" "unsubscribe unsubscribe" "each address listed, normalised"

# round trip: --list --json and --export (JSON lines, CSV) into a new database
$B --now $N --add keep@manual.example --why "by hand" > /dev/null
$B --list --json > "$tmp/list.jsonl"
$B --export "$tmp/e.jsonl" > /dev/null; is $? 0 "--export FILE: exit 0"
cmp -s "$tmp/list.jsonl" "$tmp/e.jsonl"; ok $? "--export writes what --list --json writes"
$B --export "$tmp/e.csv" > /dev/null
is "$(head -1 "$tmp/e.csv")" "address,class,reason,status,source,first_seen,last_seen,expires,soft_count" "--export FILE.csv writes CSV with a header"
is "$(($(wc -l < "$tmp/e.csv") - 1))" "$(wc -l < "$tmp/e.jsonl" | tr -d ' ')" "one CSV row per listing"
for f in list.jsonl e.csv; do
	d2=$tmp/rt-$f.db
	$BOUNCER --allow-root --db "$d2" --init > /dev/null
	$BOUNCER --allow-root --db "$d2" --now $N --import "$tmp/$f" > "$tmp/o" 2> "$tmp/e"; rc=$?
	is "$rc" 0 "--import of $f: exit 0"
	is "$(sqlite3 "$d2" "select address||' '||class||' '||coalesce(expires, '') from suppression order by address" | md5sum)" \
	   "$(q "select address||' '||class||' '||coalesce(expires, '') from suppression order by address" | md5sum)" "$f: the same list, classes and expiries"
done
$B --export - --format csv --class unsubscribe | tail -n +2 | cut -d, -f2 | sort -u > "$tmp/o"
is "$(cat "$tmp/o")" unsubscribe "--export - --format csv --class C"

# CSV injection (issue 23, OWASP): a cell starting with = + - @ TAB or CR
# is a formula to a spreadsheet; --export puts a single quote before it
# (and before a cell that starts with one), --import takes it off again
d3=$tmp/inj.db
B3="$BOUNCER --allow-root --db $d3 --now $N"
$B3 --init > /dev/null
for a in '=1+2@inj.example' '+cmd@inj.example' '-2@inj.example' plain@inj.example; do
	$B3 --add "$a" --why 'by hand' > /dev/null
done
is "$(sqlite3 "$d3" "select count(*) from suppression")" 4 "four addresses, three of them formula-like"

$B3 --export "$tmp/inj.csv" > /dev/null
tail -n +2 "$tmp/inj.csv" | tr ',' '\n' | sed 's/^"//' | grep -c "$(printf '^[-=+@\t\r]')" > "$tmp/o"
is "$(cat "$tmp/o")" 0 "--export csv: no cell starts with = + - @ TAB or CR"
grep -q "^'=1+2@inj.example," "$tmp/inj.csv"; ok $? "a formula-like address is written after a single quote"
grep -q "^plain@inj.example," "$tmp/inj.csv"; ok $? "a plain address is written as it is"
$BOUNCER --allow-root --db "$tmp/inj2.db" --init > /dev/null
$BOUNCER --allow-root --db "$tmp/inj2.db" --now $N --import "$tmp/inj.csv" > /dev/null; is $? 0 "--import of the neutralised CSV: exit 0"
is "$(sqlite3 "$tmp/inj2.db" "select address from suppression order by address" | tr '\n' ' ')" \
   "$(sqlite3 "$d3" "select address from suppression order by address" | tr '\n' ' ')" "the same addresses read back, quotes taken off"
done_testing
