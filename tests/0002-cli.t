#!/bin/sh
# The command line: --explain and --json output, escaping, exit statuses.
. "$(dirname "$0")/lib.sh"
fx=$top/fixtures

# --explain: readable block with the fields and the deciding rule
out=$($BOUNCER --explain "$fx/postfix-userunknown.eml"); rc=$?
is "$rc" 0 "explain exits 0 on a bounce"
printf '%s\n' "$out" | grep -q '^recipient 1: alice@example.net$'; ok $? "explain names the recipient"
printf '%s\n' "$out" | grep -q 'reason: *userunknown'; ok $? "explain shows the reason"
printf '%s\n' "$out" | grep -q 'rule: *built-in:[0-9]* /'; ok $? "explain shows the deciding rule"
printf '%s\n' "$out" | grep -q 'queue-id: *4F2A31C0123'; ok $? "explain shows X-Postfix-Queue-ID"
printf '%s\n' "$out" | grep -q 'original id: *<20261103091458.4F2A31C0123@mx1.sender.example>'; ok $? "explain shows the original Message-ID"
printf '%s\n' "$out" | grep -q 'list-id: *<news.sender.example>'; ok $? "explain shows the original List-Id"

# --json: one object per recipient, in message order, documented keys
out=$($BOUNCER --explain --json "$fx/multi-recipient-dsn.eml")
is "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 3 "json: one line per recipient"
is "$(printf '%s\n' "$out" | jget recipient | tr '\n' ' ')" "heidi@example.net ivan@example.net judy@example.org " "json: message order"
for k in recipient action status replycode reason class diagnostic_code reporting_mta remote_mta rule; do
	printf '%s\n' "$out" | head -1 | grep -q "\"$k\":\""; ok $? "json has key $k"
done
is "$(printf '%s\n' "$out" | head -1 | jget reporting_mta)" "mx1.sender.example" "json: reporting_mta without type"
is "$(printf '%s\n' "$out" | head -1 | jget queue_id)" "7C0FFEE1234" "json: queue_id"

# escaping: control bytes and invalid UTF-8 in a diagnostic
printf 'From: MAILER-DAEMON@x.example\nSubject: Undelivered Mail\nContent-Type: multipart/report; report-type=delivery-status; boundary=B\n\n--B\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822; esc@example.com\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 bad "quote" \\ back \001 ctl \377 byte\n\n--B--\n' > "$tmp/esc.eml"
out=$($BOUNCER --explain --json "$tmp/esc.eml")
is "$(printf '%s\n' "$out" | grep -o '"diagnostic_code":"[^}]*","reporting_mta"')" \
   '"diagnostic_code":"550 bad \"quote\" \\ back \u0001 ctl \ufffd byte","reporting_mta"' \
   "json escapes quotes, backslash, control bytes, invalid UTF-8"
if command -v python3 >/dev/null 2>&1; then
	printf '%s\n' "$out" | python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin]' 2>/dev/null
	ok $? "json output parses as JSON"
else
	skip "json output parses as JSON" "no python3"
fi
out=$($BOUNCER --explain "$tmp/esc.eml")
printf '%s\n' "$out" | grep -q "$(printf '\001')"; is $? 1 "explain replaces control bytes"

# stdin is a pipe under Postfix: parse from a pipe
out=$(cat "$fx/gmail-userunknown.eml" | $BOUNCER --explain --json - | jget reason)
is "$out" "userunknown" "reads a message from a pipe"

# exit statuses
$BOUNCER --explain "$fx/not-a-bounce.eml" > "$tmp/o"; rc=$?
is "$rc" 0 "not a bounce: exit 0"
is "$(cat "$tmp/o")" "not a bounce" "not a bounce: says so"
$BOUNCER --explain "$fx/broken-no-recipient.eml" > "$tmp/o"; rc=$?
is "$rc" 65 "unparseable bounce: exit 65 (EX_DATAERR)"
grep -q '^unparseable: ' "$tmp/o"; ok $? "unparseable: says why"
$BOUNCER --explain "$tmp/does-not-exist.eml" 2> "$tmp/e"; rc=$?
is "$rc" 66 "missing file: exit 66 (EX_NOINPUT)"
is "$(wc -l < "$tmp/e" | tr -d ' ')" 1 "missing file: one line on stderr"
$BOUNCER --explain --no-such-option 2>/dev/null; is $? 64 "unknown option: exit 64 (EX_USAGE)"
$BOUNCER --no-such-option 2>/dev/null </dev/null; is $? 75 "unknown option with no mode (pipe mode): exit 75"
$BOUNCER --explain a b 2>/dev/null; is $? 64 "extra argument: exit 64"
$BOUNCER --max-size 1k --explain "$fx/gmail-userunknown.eml" 2> "$tmp/e"; rc=$?
is "$rc" 0 "too large: --explain reads up to the limit (exit 0)"
grep -q 'larger than 1024 bytes, read up to the limit' "$tmp/e"; ok $? "too large: says so"
$BOUNCER --max-size banana --explain "$fx/gmail-userunknown.eml" 2>/dev/null; is $? 64 "bad --max-size: exit 64"

# --test-rule shows the rule and reason for a text
out=$($BOUNCER --test-rule '550 5.2.2 <x@y>: mailbox is full')
printf '%s\n' "$out" | grep -q '^reason: mailboxfull$'; ok $? "--test-rule gives the reason"
printf '%s\n' "$out" | grep -q '^rule: built-in:'; ok $? "--test-rule names the rule"

# --rules: an operator's rule wins over the built-in ones
printf '# local override\nsuspend /mailbox is full/i\n' > "$tmp/local.rules"
out=$($BOUNCER --rules "$tmp/local.rules" --test-rule '552 mailbox is full' | sed -n 's/^reason: //p')
is "$out" "suspend" "operator rule wins"
$BOUNCER --version | grep -q '^bouncer [0-9]'; ok $? "--version"

# --explain shows what decided: the reply a notice quotes, a vendor's category
$BOUNCER --explain "$fx/dma-userunknown.eml" > "$tmp/o"
grep -q '^  diagnostic-code: .*did not like our RCPT TO: 550 5.1.1' "$tmp/o"
ok $? "dma: the reply is the paragraph after the recipient's"
$BOUNCER --explain "$fx/powermta-category.eml" > "$tmp/o"
grep -q '^  rule: *X-PowerMTA-BounceCategory: bad-mailbox$' "$tmp/o"
ok $? "PowerMTA's bounce category is shown as the deciding rule"

# a duration or size past its bound is refused, not wrapped round to a
# negative or small number (200000000000000d once became -7e17 seconds)
$BOUNCER --db "$tmp/none.db" --list --since 200000000000000d > /dev/null 2>&1; is $? 64 "--since past 100 years: usage error"
$BOUNCER --db "$tmp/none.db" --list --since 36501d > /dev/null 2>&1; is $? 64 "--since 36501d: usage error"
printf 'busy_timeout = 200000000000000d\n' > "$tmp/busy.conf"
$BOUNCER --config "$tmp/busy.conf" --test-rule x > /dev/null 2> "$tmp/e"; is $? 78 "busy_timeout that would wrap negative: a configuration error"
printf x | $BOUNCER --max-size 17592186044417M --explain - > /dev/null 2>&1; is $? 64 "--max-size that would wrap to 1M: refused"
printf x | $BOUNCER --max-size 1025M --explain - > /dev/null 2>&1; is $? 64 "--max-size over 1G: refused"
done_testing
