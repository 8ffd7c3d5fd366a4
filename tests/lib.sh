# tests/lib.sh - shared set-up for the shell tests: a temporary
# directory removed on exit, TAP helpers, and json field extraction.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
BOUNCER=${BOUNCER:-$top/bouncer}
# Never the installed /etc/bouncer/bouncer.conf (a package says trust =
# sent there): a test that wants a configuration gives --config or sets
# this (tests/0040).
BOUNCER_CONFIG=/dev/null
export BOUNCER_CONFIG
if [ "${BOUNCER_VALGRIND:-0}" = 1 ]; then
	BOUNCER="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --suppressions=$top/tests/valgrind.supp $BOUNCER"
fi
CORPUS=${BOUNCER_CORPUS:-$top/../shared/corpus}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bouncer-test.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
n=0

ok() {	# ok CONDITION-STATUS NAME
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
is() {	# is GOT WANT NAME
	n=$((n + 1))
	if [ "$1" = "$2" ]; then
		echo "ok $n - $3"
	else
		echo "not ok $n - $3"
		printf '#   got:  %s\n#   want: %s\n' "$1" "$2"
	fi
}
skip() {	# skip NAME WHY
	n=$((n + 1))
	echo "ok $n - $1 # skip $2"
	echo "# skipped: $1: $2"
}
done_testing() { echo "1..$n"; }
# jget KEY < json-lines: the string value of KEY on each line
jget() {
	awk -v k="$1" -F'"' '{ for (i = 2; i < NF; i += 4) if ($i == k) { print $(i + 2); break } }'
}

# mkdsn RCPT STATUS DIAGNOSTIC MESSAGE-ID [ACTION]: a Postfix-style DSN
mkdsn() {
	cat <<EOT
Return-Path: <>
From: MAILER-DAEMON@mx.test.example (Mail Delivery System)
To: bounces@sender.example
Subject: Undelivered Mail Returned to Sender
Message-Id: <$4>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

The mail system

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.test.example

Final-Recipient: rfc822; $1
Action: ${5:-failed}
Status: $2
Diagnostic-Code: smtp; $3

--B--
EOT
}
# mkarf RCPT MESSAGE-ID [TYPE]: an ARF complaint
mkarf() {
	cat <<EOT
From: fbl@isp.example
To: fbl@sender.example
Subject: complaint
Message-Id: <$2>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="A"

--A
Content-Type: message/feedback-report

Feedback-Type: ${3:-abuse}
User-Agent: test/1
Version: 1
Original-Rcpt-To: <$1>

--A--
EOT
}
# q SQL: query the test database
q() { sqlite3 "$db" "$1"; }
# gen_mbox PREFIX COUNT: an mbox of COUNT distinct Postfix-style DSNs for
# PREFIX-N@gen.example, alternating hard and soft
gen_mbox() {
	awk -v p="$1" -v n="$2" 'BEGIN {
	    for (i = 1; i <= n; i++) {
		st = (i % 2) ? "5.1.1" : "4.2.2"
		dg = (i % 2) ? "550 5.1.1 User unknown" : "452 4.2.2 Mailbox full"
		printf "From MAILER-DAEMON Mon Nov 23 10:00:00 2026\n"
		printf "From: MAILER-DAEMON@mx.gen.example\nTo: bounces@sender.example\n"
		printf "Subject: Undelivered Mail Returned to Sender\nMessage-Id: <%s-%d@gen>\n", p, i
		printf "Content-Type: multipart/report; report-type=delivery-status; boundary=\"G\"\n\n"
		printf "--G\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.gen.example\n\n"
		printf "Final-Recipient: rfc822; %s-%d@gen.example\nAction: failed\nStatus: %s\n", p, i, st
		printf "Diagnostic-Code: smtp; %s\n\n--G--\n\n", dg
	    } }'
}
