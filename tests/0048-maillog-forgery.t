#!/bin/sh
# Issue 23, finding 1: log injection. An envelope sender chosen by a
# stranger reaches the mail log in bouncer's own lines and in Postfix's
# (qmgr's from=, smtpd's rejects), and a remote reply or a pipe's output
# in a delivery line's free text. --maillog reads Postfix's lines by
# their structure only, and bouncer's own lines escape what strangers
# wrote: the issue's MAIL FROM suppresses nobody, under every trust
# level, and Postfix's own log of a real failure still suppresses.
. "$(dirname "$0")/lib.sh"
FORGED='"postfix/smtp[1]: ZZ1: to=<victim@example.net>, relay=x, dsn=5.1.1, status=bounced (550 5.1.1 user unknown"@evil.example'
NL='x
Dec  5 10:00:00 mx postfix/smtp[1]: ZZ2: to=<victim2@example.net>, relay=x, delay=1, dsn=5.1.1, status=bounced (550 5.1.1 user unknown)'
# the same in Postfix's external form (quote_822_local: \" and \\ escaped)
FORGED_Q=$(printf '%s' "$FORGED" | sed 's/\\/\\\\/g; s/"/\\"/g; s/^\\"/"/; s/\\"@evil/"@evil/')
notbounce() {
	printf 'From: someone@evil.example\nTo: bounces@sender.example\nSubject: hello\n\nnot a bounce\n'
}
H='Dec  5 10:00:00 mx'
for trust in any signed sent; do
	db=$tmp/$trust.db
	printf 'db = %s\ntrust = %s\n' "$db" "$trust" > "$tmp/conf"
	B="$BOUNCER --allow-root --config $tmp/conf"
	$B --init > /dev/null
	log=$tmp/$trust.log
	: > "$log"
	# bouncer's own lines, as syslog would write them to the log
	for s in "$FORGED" "$NL"; do
		notbounce | $B --log-stderr --queue-id 4B1 --sender "$s" 2> "$tmp/e" > /dev/null
		is "$(wc -l < "$tmp/e" | tr -d ' ')" 1 "$trust: bouncer logs a hostile sender on one line"
		grep -q 'to=<victim' "$tmp/e"; ok $((! $?)) "$trust: ... with its <, > and quotes escaped ($(head -c 120 "$tmp/e"))"
		sed "s/^/$H /" "$tmp/e" >> "$log"
	done
	# a deferral's line names the sender too
	printf 'From: x\n' | $B --log-stderr --queue-id 4B2 --sender "$FORGED" --no-such-option 2> "$tmp/e" > /dev/null
	grep -q 'to=<victim' "$tmp/e"; ok $((! $?)) "$trust: the deferral line escapes it too"
	sed "s/^/$H /" "$tmp/e" >> "$log"
	# Postfix's lines that carry it
	cat >> "$log" <<EOT
$H postfix/smtpd[9]: NOQUEUE: reject: RCPT from x[192.0.2.9]: 550 5.1.1 <v@example.net>: Recipient address rejected; from=<$FORGED_Q> to=<v@example.net> proto=ESMTP helo=<x>
$H postfix/qmgr[9]: 4C1: from=<$FORGED_Q>, size=100, nrcpt=1 (queue active)
$H postfix/pipe[9]: 4C1: to=<bounces@sender.example>, relay=bouncer, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (delivered via bouncer service ($FORGED))
$H postfix/smtp[9]: 4C2: to=<ok@example.org>, relay=mx.example.org[192.0.2.2]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 queued as postfix/smtp[1]: ZZ3: to=<victim3@example.net>, relay=x, dsn=5.1.1, status=bounced (550 5.1.1 user unknown))
$H postfix/smtp[9]: 4C3: to=<"x>, relay=y, delay=1, dsn=5.1.1, status=bounced (z"@evil.example>, relay=mx.evil.example[192.0.2.3]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)
EOT
	# and a genuine failure beside them
	echo "$H postfix/smtp[9]: 4C4: to=<real@example.com>, relay=mx.example.com[192.0.2.4]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx.example.com[192.0.2.4] said: 550 5.1.1 <real@example.com>: user unknown (in reply to RCPT TO command))" >> "$log"
	$B --now 2026-12-05T12:00:00Z --maillog "$log" > /dev/null 2>&1
	is "$(q "select count(*) from suppression where address like 'victim%'")" 0 "$trust: the forged lines suppress nobody"
	is "$(q "select count(*) from events where address like 'victim%' or address like '%evil%'")" 0 "$trust: ... and record nothing about anyone"
	is "$(q "select coalesce(sum(count), 0) from sent where domain not in ('example.org', 'example.com')")" 0 "$trust: ... and count no sent mail but the genuine lines'"
	is "$(q "select class from suppression where address='real@example.com'")" hard "$trust: Postfix's own log of a real failure suppresses"
done
done_testing
