#!/bin/sh
# Never drop a bounce (issue 17): a message over the size limit is read up
# to the limit and classified from what was read; an unreadable bounce
# that came back to a VERP return path is recorded for its recipient and
# a copy kept in the quarantine.
. "$(dirname "$0")/lib.sh"
db=$tmp/b.db
B="$BOUNCER --allow-root --db $db"
$B --init > /dev/null
T0=2026-11-20T12:00:00Z

# an 11 MB DSN: the report first, the original (with a large attachment) after
{
	mkdsn big@example.net 5.1.1 "550 5.1.1 <big@example.net>: User unknown" big1@x | sed '$d'
	printf -- '--B\nContent-Type: message/rfc822\n\nFrom: sender@example.com\nTo: big@example.net\nSubject: a large file\nMessage-Id: <orig-big@example.com>\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n'
	head -c 8400000 /dev/zero | base64
	printf -- '--B--\n'
} > "$tmp/big.eml"
[ "$(wc -c < "$tmp/big.eml")" -gt 10485760 ]; ok $? "the test message is over the default 10 MiB limit"
$B --now $T0 < "$tmp/big.eml" 2> "$tmp/e"; is $? 0 "pipe mode: exit 0"
is "$(q "select class||' '||reason from suppression where address='big@example.net'")" "hard userunknown" "over the size limit: read up to it and the recipient suppressed"
grep -q 'larger than 10485760 bytes, read up to the limit' "$tmp/e"; ok $? "and it says it read only part"
$BOUNCER --max-size 64k --explain "$tmp/big.eml" > "$tmp/o" 2>/dev/null; is $? 0 "--explain of a cut message: exit 0"
grep -q 'userunknown' "$tmp/o"; ok $? "--explain classifies what was read"

# replay: the same, in its place among the others
{ printf 'From MAILER-DAEMON Mon Nov 23 10:00:00 2026\n'; cat "$tmp/big.eml"; printf '\n'; gen_mbox rp 3; } > "$tmp/r.mbox"
$B --now $T0 --max-size 1M --replay "$tmp/r.mbox" > "$tmp/o" 2> "$tmp/e"; is $? 0 "--replay with a message over --max-size: exit 0"
is "$(q "select count(*) from events where address='big@example.net'")" 1 "replay reads it up to the limit (one event, the same bounce)"
is "$(q "select count(*) from events where address like 'rp-%@gen.example'")" 3 "and the others"

# unreadable bounces that came back to a VERP return path
printf 'From: MAILER-DAEMON@mx.example\nSubject: Undelivered Mail Returned to Sender\nMessage-Id: <u1@mx.example>\n\nsorry, it did not work\n' > "$tmp/vague.eml"
$B --now $T0 --recipient bounce+vera=example.org@bounces.example.com < "$tmp/vague.eml"; is $? 0 "an unreadable bounce to a VERP address: exit 0"
is "$(q "select action||' '||class||' '||reason||' '||status from events where address='vera@example.org'")" "failed soft undefined 5.0.0" "recorded for the VERP recipient as a final failure of unknown cause"
is "$(q "select count(*) from events where address='vera@example.org'")" 1 "one event"
printf '' | $B --now $T0 --recipient bounce+nell=example.org@bounces.example.com; is $? 0 "an empty message to a VERP address: exit 0"
is "$(q "select count(*) from events where address='nell@example.org'")" 1 "recorded too"
for i in 1 2; do
	printf 'From: MAILER-DAEMON@mx.example\nSubject: failure notice\nMessage-Id: <u%s@mx.example>\n\n???\n' $i |
		$B --now "2026-11-2${i}T12:00:00Z" --recipient bounce+olga=example.org@bounces.example.com
done
printf 'From: MAILER-DAEMON@mx.example\nSubject: failure notice\nMessage-Id: <u3@mx.example>\n\n???\n' |
	$B --now 2026-11-23T12:00:00Z --recipient bounce+olga=example.org@bounces.example.com
is "$(q "select class from suppression where address='olga@example.org'")" soft "they count: three of them suppress like soft bounces"
mkdir "$tmp/q"; chmod 700 "$tmp/q"
printf 'quarantine = %s\n' "$tmp/q" > "$tmp/q.conf"
$B --config "$tmp/q.conf" --now $T0 --recipient bounce+quinn=example.org@bounces.example.com < "$tmp/vague.eml"
is "$(ls "$tmp/q" | wc -l | tr -d ' ')" 1 "quarantine configured: a copy kept"
cmp -s "$tmp/q"/*.eml "$tmp/vague.eml"; ok $? "the copy is the message"
is "$(q "select count(*) from events where address='quinn@example.org'")" 1 "and recorded"
$B --now $T0 --recipient bounces@bounces.example.com < "$tmp/vague.eml" 2>/dev/null; is $? 0 "no VERP recipient: ignored as before (exit 0)"
is "$(q "select count(*) from events where address like 'bounces@%'")" 0 "nothing recorded for nobody"
done_testing
