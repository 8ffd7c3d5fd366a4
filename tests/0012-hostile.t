#!/bin/sh
# Hostile input: every message ends with its documented status, in
# bounded time and memory, and the database holds exactly what it should.
# Limits (bouncer(1), SECURITY CONSIDERATIONS): 10 MiB per message, MIME
# depth 64, 1000 parts, 1000 recipients, 20000 fields, 64 KiB a field.
. "$(dirname "$0")/lib.sh"
fx=$top/fixtures
db=$tmp/b.db
B="$BOUNCER --allow-root --db $db"
$B --init > /dev/null
# run CMD...: at most 30 s (valgrind: 15 min) and 1 GiB of address space
limit=30; [ "${BOUNCER_VALGRIND:-0}" = 1 ] && limit=900
# (no address-space limit under ASan or valgrind, which reserve a lot)
run() { ( [ "${BOUNCER_VALGRIND:-0}" = 1 ] || [ "${BOUNCER_ASAN:-0}" = 1 ] ||
    ulimit -v 1048576; exec timeout $limit "$@" ); }
explain_rc() { run $BOUNCER --explain --json "$1" > "$tmp/out" 2> "$tmp/err"; echo $?; }

# truncated at many points: never a crash, 0 or 65
bad=0
for sz in 1 10 50 100 200 400 800 1200 1600 2000 2400; do
	head -c $sz "$fx/postfix-userunknown.eml" > "$tmp/t.eml"
	rc=$(explain_rc "$tmp/t.eml")
	case $rc in 0|65) ;; *) bad=$((bad + 1)); echo "# truncated at $sz: exit $rc" ;; esac
done
is "$bad" 0 "truncated at 11 points: exit 0 or 65 each"

# boundaries: missing, duplicated, never closed
sed 's/^--4F2A31C0123.1762161302\/mx1.sender.example$//' "$fx/postfix-userunknown.eml" > "$tmp/nob.eml"
rc=$(explain_rc "$tmp/nob.eml"); ok $([ "$rc" = 0 ] || [ "$rc" = 65 ]; echo $?) "missing boundaries: exit $rc"
awk '/^--4F2A31C0123/ { print; print } !/^--4F2A31C0123/' "$fx/postfix-userunknown.eml" > "$tmp/dupb.eml"
is "$(explain_rc "$tmp/dupb.eml")" 0 "duplicate boundary lines: still read"
is "$(jget recipient < "$tmp/out")" alice@example.net "duplicate boundaries: the recipient found"

# 10,000 recipients: capped at 1000, in bounded time
{
	printf 'From: MAILER-DAEMON@x.example\nSubject: Undelivered Mail\nContent-Type: multipart/report; report-type=delivery-status; boundary=B\n\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; x.example\n'
	i=0; while [ $i -lt 10000 ]; do printf '\nFinal-Recipient: rfc822; r%d@many.example\nAction: failed\nStatus: 5.1.1\n' $i; i=$((i + 1)); done
	printf '\n--B--\n'
} > "$tmp/many.eml"
is "$(explain_rc "$tmp/many.eml")" 0 "10,000 recipients: exit 0"
is "$(wc -l < "$tmp/out" | tr -d ' ')" 1000 "10,000 recipients: the first 1000 kept"
printf 'recipient_limit = 1000\n' > "$tmp/rl.conf"
run $B --config "$tmp/rl.conf" < "$tmp/many.eml"; is $? 0 "10,000 recipients into the store: exit 0"
is "$(q "select count(*) from suppression where address like 'r%@many.example'")" 1000 "exactly 1000 stored (recipient_limit = 1000)"

# a 1 MiB header line
{ printf 'From: MAILER-DAEMON@x.example\nSubject: Undelivered\nX-Long: '; head -c 1048576 /dev/zero | tr '\0' a; printf '\n'; sed '1,/^$/d' "$fx/qmail-userunknown.eml"; } > "$tmp/long.eml"
rc=$(explain_rc "$tmp/long.eml"); ok $([ "$rc" = 0 ] || [ "$rc" = 65 ]; echo $?) "1 MiB header line: exit $rc"
# a 1 MiB Diagnostic-Code: kept to the field limit
{ printf 'From: MAILER-DAEMON@x.example\nSubject: Undelivered Mail\nContent-Type: multipart/report; report-type=delivery-status; boundary=B\n\n--B\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822; big@diag.example\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 '; head -c 1048576 /dev/zero | tr '\0' x; printf '\n\n--B--\n'; } > "$tmp/bigdiag.eml"
is "$(explain_rc "$tmp/bigdiag.eml")" 0 "1 MiB diagnostic: exit 0"
ok $([ "$(wc -c < "$tmp/out")" -lt 70000 ]; echo $?) "1 MiB diagnostic: cut to the field limit"

# message/rfc822 nested 1,000 deep
{
	i=0; while [ $i -lt 1000 ]; do printf 'Content-Type: message/rfc822\n\n'; i=$((i + 1)); done
	cat "$fx/postfix-userunknown.eml"
} > "$tmp/deep.eml"
rc=$(explain_rc "$tmp/deep.eml"); ok $([ "$rc" = 0 ] || [ "$rc" = 65 ]; echo $?) "message/rfc822 nested 1000 deep: exit $rc"
# multipart nested 1000 deep
{
	i=0; while [ $i -lt 1000 ]; do printf 'Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n' $i $i; i=$((i + 1)); done
	printf 'Content-Type: text/plain\n\nhello\n'
} > "$tmp/deepmp.eml"
rc=$(explain_rc "$tmp/deepmp.eml"); ok $([ "$rc" = 0 ] || [ "$rc" = 65 ]; echo $?) "multipart nested 1000 deep: exit $rc"

# invalid UTF-8, NUL bytes, mixed line ends
printf 'From: MAILER-DAEMON@x.example\r\nSubject: Undelivered Mail\nContent-Type: multipart/report; report-type=delivery-status; boundary=B\r\n\n--B\nContent-Type: message/delivery-status\r\n\r\nFinal-Recipient: rfc822; nul@bytes.example\nAction: failed\r\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 \000 nul \377\376 bad utf-8 \300\200\n\r\n--B--\r\n' > "$tmp/nul.eml"
is "$(explain_rc "$tmp/nul.eml")" 0 "NUL bytes, invalid UTF-8, mixed CRLF/LF: exit 0"
is "$(jget recipient < "$tmp/out")" nul@bytes.example "and the recipient read"
if command -v python3 >/dev/null 2>&1; then
	python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$tmp/out"; ok $? "and the JSON still valid"
fi

# base64 and quoted-printable delivery-status parts
is "$(explain_rc "$fx/status-generic-dsn.eml")" 0 "base64 delivery-status part"
printf 'From: MAILER-DAEMON@x.example\nSubject: Undelivered Mail\nContent-Type: multipart/report; report-type=delivery-status; boundary=B\n\n--B\nContent-Type: message/delivery-status\nContent-Transfer-Encoding: quoted-printable\n\nFinal-Recipient: rfc822; q=\n=70@qp.example\nAction: failed\nStatus: 5.1=2E1\n\n--B--\n' > "$tmp/qp.eml"
is "$(explain_rc "$tmp/qp.eml")" 0 "quoted-printable delivery-status part"
is "$(jget recipient < "$tmp/out") $(jget status < "$tmp/out")" "qp@qp.example 5.1.1" "quoted-printable decoded"

# addresses with quotes, semicolons, SQL and shell metacharacters
n0=$(q "select count(*) from suppression")
for a in "o'brien@quote.example" "x';DROP TABLE suppression;--@sql.example" '"a b"@sp.example' 'a;b@semi.example' '$(touch /tmp/pwned)@sh.example' '`id`@sh.example' 'a|b@sh.example'; do
	mkdsn "$a" 5.1.1 "550 5.1.1 User unknown" "h-$(printf %s "$a" | md5sum | cut -c1-8)@x" > "$tmp/meta.eml"
	run $B < "$tmp/meta.eml" 2>/dev/null || echo "# exit $? for $a"
done
is "$(q "select count(*) from suppression")" "$((n0 + 4))" "legal local parts stored (quote, \$, backquote, |), the others refused"
is "$(q "select address from suppression where address like '%quote.example'")" "o'brien@quote.example" "a quote stored exactly, as data"
is "$(q "select count(*) from sqlite_master where name='suppression'")" 1 "SQL in an address did nothing"
[ ! -e /tmp/pwned ]; ok $? "shell metacharacters reached no shell"

# over the size limit: read up to the limit (here: no recipient, ignored)
head -c 2000000 /dev/zero | tr '\0' x | sed 's/^/From: MAILER-DAEMON@x.example\nSubject: Undelivered\n\n/' > "$tmp/huge.eml"
run $B --max-size 1M < "$tmp/huge.eml" 2> "$tmp/e"; is $? 0 "over --max-size in pipe mode: exit 0 (read up to the limit)"
grep -q 'larger than 1048576 bytes' "$tmp/e"; ok $? "and a clear message"
run $BOUNCER --allow-root --db "$tmp/untouched.db" --max-size 1M < "$tmp/huge.eml" 2>/dev/null
[ ! -e "$tmp/untouched.db" ]; ok $? "no recipient in what was read: the database not even opened"
is "$(explain_rc "$tmp/huge.eml")" 65 "2 MB under the default 10 MiB limit: read (and found to have no recipient)"
grep -q 'larger than' "$tmp/err"; is $? 1 "not refused for its size"
done_testing
