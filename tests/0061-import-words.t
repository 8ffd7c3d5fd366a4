#!/bin/sh
# --import through the classifier (issue 25, 3 and 4): an ESP's failure is
# judged by its diagnostic text, the ESP's permanent flag only where the
# words say nothing; provider timestamps kept; Mailchimp's CSV export,
# SES inside Lambda's Records[].Sns, SendGrid dropped and
# group_resubscribe read; a malformed record (a SendGrid record with
# sg_event_id and no event once crashed it) refused with its line, the
# rest applied. The samples' shapes are the providers' documented ones,
# cited above each; the diagnostic texts are what Postfix's smtpd says
# (src/smtpd/smtpd_check.c, reject_rbl_client) and RFC 3463 codes.
. "$(dirname "$0")/lib.sh"
db=$tmp/b.db
B="$BOUNCER --allow-root --db $db"
$B --init > /dev/null
N=2026-11-20T12:00:00Z
imp() { $B --now $N --import "$@"; }
cls() { q "select class from suppression where address='$1'"; }
ev() { q "select $2 from events where address='$1' order by id desc limit 1"; }

# Amazon SES bounce notifications (docs.aws.amazon.com/ses/latest/dg/
# notification-contents.html#bounce-object and notification-examples.html):
# one Permanent bounce whose words say the address is dead, one Permanent
# bounce that is a blocklist refusal of our IP
cat > "$tmp/ses.json" <<'EOT'
{
  "notificationType": "Bounce",
  "bounce": {
    "bounceType": "Permanent",
    "bounceSubType": "General",
    "bouncedRecipients": [
      { "emailAddress": "dead@ses.example", "action": "failed",
        "status": "5.0.0", "diagnosticCode": "smtp; 550 Requested action not taken: mailbox unavailable (user unknown)" },
      { "emailAddress": "listed@ses.example", "action": "failed",
        "status": "5.7.1", "diagnosticCode": "smtp; 554 5.7.1 Service unavailable; Client host [192.0.2.10] blocked using zen.spamhaus.org" }
    ],
    "timestamp": "2026-11-19T14:59:38.237Z",
    "feedbackId": "00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa0680-000000",
    "reportingMTA": "dsn; a8-70.smtp-out.amazonses.com"
  },
  "mail": {
    "timestamp": "2026-11-19T14:59:30.000Z",
    "messageId": "0000014644fe5ef6-9a483358-9170-4cb4-a269-f5dcdf415321-000000",
    "source": "john@sender.example",
    "destination": ["dead@ses.example", "listed@ses.example"]
  }
}
EOT
imp "$tmp/ses.json" > "$tmp/o" 2> "$tmp/e"; is $? 0 "SES bounces: exit 0"
is "$(cls dead@ses.example) $(ev dead@ses.example reason)" "hard userunknown" \
   "SES Permanent, text 'user unknown': hard, reason userunknown (not undefined)"
is "$(cls listed@ses.example)" "" "SES Permanent, text a Spamhaus listing of our IP: nobody suppressed"
is "$(ev listed@ses.example class) $(ev listed@ses.example reason)" "block blocked" \
   "... recorded as a block, reason blocked (the words beat the ESP's flag)"
is "$(ev dead@ses.example time)" "$(date -u -d 2026-11-19T14:59:38Z +%s)" "the provider's timestamp kept"

# SES through AWS Lambda: the SNS notification inside Records[].Sns
# (docs.aws.amazon.com/lambda/latest/dg/with-sns.html, the example event)
cat > "$tmp/lambda.json" <<'EOT'
{
  "Records": [
    {
      "EventVersion": "1.0",
      "EventSubscriptionArn": "arn:aws:sns:us-east-1:123456789012:ses-bounces:21be56ed-a058-49f5-8c98-aedd2564c486",
      "EventSource": "aws:sns",
      "Sns": {
        "SignatureVersion": "1",
        "Timestamp": "2026-11-19T15:00:00.000Z",
        "Signature": "tcc6faL2yUC6dgZdmrwh1Y4cGa/ebXEkAi6RibDsvpi+tE/1+82j...65r==",
        "SigningCertUrl": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-ac565b8b1a6c5d002d285f9598aa1d9b.pem",
        "MessageId": "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
        "Message": "{\"notificationType\":\"Complaint\",\"complaint\":{\"complainedRecipients\":[{\"emailAddress\":\"lambda@ses.example\"}],\"complaintFeedbackType\":\"abuse\",\"timestamp\":\"2026-11-19T14:58:00.000Z\",\"feedbackId\":\"0000013786031775-fea503bc-7497-49e1-881b-a0379bb037d3-000000\"},\"mail\":{\"messageId\":\"0000013786031775-163e3910-53eb-4c8e-a04a-f29debf88a84-000000\"}}",
        "MessageAttributes": {},
        "Type": "Notification",
        "UnsubscribeUrl": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-east-1:123456789012:ses-bounces",
        "TopicArn": "arn:aws:sns:us-east-1:123456789012:ses-bounces",
        "Subject": null
      }
    }
  ]
}
EOT
imp "$tmp/lambda.json" > "$tmp/o" 2> "$tmp/e"; is $? 0 "SES in Lambda's Records[].Sns: exit 0"
is "$(cls lambda@ses.example)" complaint "... the complaint inside applied"
is "$(ev lambda@ses.example time)" "$(date -u -d 2026-11-19T14:58:00Z +%s)" "... dated by the complaint"

# SendGrid Event Webhook (www.twilio.com/docs/sendgrid/for-developers/
# tracking-events/event: the delivery events' "dropped" with its reasons,
# the account event "group_resubscribe"); a bounce whose text is a
# mailbox over quota, one whose text says nothing; and a record with an
# sg_event_id but no event between good ones (once SIGSEGV)
cat > "$tmp/sg.json" <<'EOT'
[
  {"email":"bounced@sg.example","timestamp":1795090000,"smtp-id":"<14c5d75ce93.dfd.64b469@ismtpd-555>","event":"dropped","category":"cat facts","sg_event_id":"d1","sg_message_id":"m1","reason":"Bounced Address","status":"5.0.0"},
  {"email":"unsub@sg.example","timestamp":1795090000,"event":"dropped","sg_event_id":"d2","sg_message_id":"m2","reason":"Unsubscribed Address","status":"5.0.0"},
  {"email":"content@sg.example","timestamp":1795090000,"event":"dropped","sg_event_id":"d3","sg_message_id":"m3","reason":"Spam Content (if spam checker app enabled)","status":"5.0.0"},
  {"email":"noevent@sg.example","timestamp":1795090000,"sg_event_id":"x1","sg_message_id":"m4"},
  {"email":"full@sg.example","timestamp":1795090000,"event":"bounce","sg_event_id":"b1","sg_message_id":"m5","reason":"552 5.2.2 Mailbox full","status":"5.2.2","type":"bounce"},
  {"email":"silent@sg.example","timestamp":1795090000,"event":"bounce","sg_event_id":"b2","sg_message_id":"m6","reason":"","status":"5.0.0","type":"bounce"},
  {"email":"back@sg.example","timestamp":1795090100,"event":"group_resubscribe","sg_event_id":"r1","sg_message_id":"m7","asm_group_id":10}
]
EOT
imp "$tmp/sg.json" > "$tmp/o" 2> "$tmp/e"; rc=$?
is "$rc" 65 "SendGrid with a record lacking \"event\": exit 65 (data error), no crash"
grep -q "sg.json:5: record 4 of the array: SendGrid record without \"event\"" "$tmp/e"; ok $? "... refused with the line it starts on (not the array's) and its place"
is "$(cls bounced@sg.example)" hard "dropped, Bounced Address: hard"
is "$(cls unsub@sg.example)" unsubscribe "dropped, Unsubscribed Address: unsubscribe"
is "$(cls content@sg.example)$(ev content@sg.example class)" "" "dropped for our content: nothing about the address"
is "$(ev full@sg.example class) $(ev full@sg.example reason)" "soft mailboxfull" "a bounce saying 'Mailbox full': soft mailboxfull, whatever SendGrid's type"
is "$(cls full@sg.example)" "" "... one soft bounce suppresses nobody"
is "$(cls silent@sg.example)" hard "a bounce whose words say nothing: SendGrid's flag decides (hard)"
is "$(ev back@sg.example dedup | wc -c | tr -d ' ')" 65 "group_resubscribe read and recorded (not ignored)"
is "$(ev bounced@sg.example time)" 1795090000 "SendGrid's timestamp kept"

# Mailchimp's audience export: a CSV per status, the address under
# "Email Address" (mailchimp.com/help/view-export-contacts; the
# unsubscribed members' file, given --class unsubscribe)
cat > "$tmp/mc.csv" <<'EOT'
Email Address,First Name,Last Name,MEMBER_RATING,OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,LATITUDE,LONGITUDE,GMTOFF,DSTOFF,TIMEZONE,CC,REGION,UNSUB_TIME,UNSUB_CAMPAIGN_TITLE,UNSUB_CAMPAIGN_ID,UNSUB_REASON,UNSUB_REASON_OTHER,LEID,EUID,NOTES
mc1@mc.example,Ann,Lee,2,"2026-01-04 10:00:00",,"2026-01-04 10:01:00",192.0.2.1,,,,,,,,"2026-11-02 09:00:00","November news",abc123,"I no longer want to receive these emails",,123,def456,
mc2@mc.example,Bob,Ray,2,"2026-01-05 10:00:00",,"2026-01-05 10:01:00",192.0.2.2,,,,,,,,"2026-11-03 09:00:00","November news",abc123,"Other",,124,def457,
EOT
imp "$tmp/mc.csv" --class unsubscribe > "$tmp/o" 2> "$tmp/e"; is $? 0 "Mailchimp CSV ('Email Address' header): exit 0"
is "$(cls mc1@mc.example) $(cls mc2@mc.example)" "unsubscribe unsubscribe" "... both unsubscribed"

# JSON lines: a malformed line among good ones: named, skipped, the rest applied
printf '%s\n' '{"email":"a1@jl.example","type":"complaint"}' '{"email": "a2@jl.example", "type":' \
    '{"email":"a3@jl.example","type":"complaint"}' > "$tmp/jl.jsonl"
imp "$tmp/jl.jsonl" > "$tmp/o" 2> "$tmp/e"; is $? 65 "JSON lines with a broken line: exit 65"
grep -q 'jl.jsonl:2: not a JSON object' "$tmp/e"; ok $? "... the broken line named by number"
is "$(cls a1@jl.example) $(cls a3@jl.example)" "complaint complaint" "... the lines around it applied"

# JSON documents over several lines: a broken one between good ones is
# named by its first line and skipped; the documents after it applied
cat > "$tmp/docs.json" <<'EOT'
{
  "email": "d1@docs.example",
  "type": "complaint"
}
{
  "email": "d2@docs.example",
  "type":
}
{
  "email": "d3@docs.example",
  "type": "complaint"
}
EOT
imp "$tmp/docs.json" > "$tmp/o" 2> "$tmp/e"; is $? 65 "documents with a broken one: exit 65"
grep -q 'docs.json:5: not JSON' "$tmp/e"; ok $? "... the broken document named by its first line"
is "$(cls d1@docs.example) $(cls d3@docs.example)" "complaint complaint" "... the documents around it applied"

# input that fails while read (here a directory: getline says EISDIR) is
# an error, never an import that looks whole and clean
mkdir "$tmp/dir"
imp "$tmp/dir" > "$tmp/o" 2> "$tmp/e"; is $? 74 "a read error: exit 74 (EX_IOERR), not 0"
grep -q 'dir:1: read error: Is a directory' "$tmp/e"; ok $? "... saying where and why ($(cat "$tmp/e"))"

done_testing
