#!/bin/sh
# Bounded cost for any input (issue 23, finding 4): a message of up to
# 10 MB (Postfix's default message_size_limit) made of two million empty
# MIME parts, nesting, header fields or long lines is read within 256 MB
# of address space (ulimit -v) and stored: pipe mode exits 0, never
# aborts. What comes before the caps (a DSN part first) is still read.
# The generator and the time and memory figures: bench/hostile.
. "$(dirname "$0")/lib.sh"
db=$tmp/b.db
printf 'trust = any\n' > "$tmp/b.conf"
B="$BOUNCER --allow-root --db $db --config $tmp/b.conf"
$BOUNCER --allow-root --db $db --init > /dev/null
# pipe KIND: bouncer in pipe mode on a 10 MB hostile message of KIND,
# under 256 MB of address space (none under ASan or valgrind, which
# reserve much more) and 60 s; prints its exit status
pipe() {
	sh "$top/bench/hostile" -g "$1" 10000000 > "$tmp/m"
	( [ "${BOUNCER_VALGRIND:-0}" = 1 ] || [ "${BOUNCER_ASAN:-0}" = 1 ] ||
	    ulimit -v 262144; exec timeout 60 $B --recipient bounces@sender.example < "$tmp/m" ) > /dev/null 2> "$tmp/e"
	echo $?
}
stored() { q "select count(*) from events where address='victim@example.net'"; }

for kind in parts deep messages siblings line longheader; do
	is "$(pipe $kind)" 0 "$kind: pipe mode exits 0 within 256 MB"
	is "$(stored)" 1 "$kind: the DSN before the caps is stored"
	q "delete from events; delete from suppression; delete from audit"
done
# header fields past the cap: the message is cut there, so its body is
# not read; it still ends with a status Postfix accepts
for kind in headers tinyheaders; do
	rc=$(pipe $kind)
	ok $([ "$rc" = 0 ] || [ "$rc" = 75 ]; echo $?) "$kind: pipe mode exits 0 or 75 within 256 MB ($rc)"
done
grep -q 'Aborted\|abort' "$tmp/e"; ok $((! $?)) "no abort message"

# the genuine path: a report of many parts below the caps is read whole
{
	printf 'From: MAILER-DAEMON@mx.example.net\nSubject: Undelivered Mail\nMessage-Id: <ok@mx>\nContent-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
	i=0; while [ $i -lt 500 ]; do printf -- '--B\nContent-Type: text/plain\n\npart %d\n' $i; i=$((i + 1)); done
	printf -- '--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; last@example.net\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\n\n--B--\n'
} > "$tmp/ok.eml"
$B < "$tmp/ok.eml"; is $? 0 "500 parts, the report last: exit 0"
is "$(q "select class from suppression where address='last@example.net'")" hard "and the report after them is read"
done_testing
