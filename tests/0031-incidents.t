#!/bin/sh
# The policy's safety nets (issue 18 point 4): a final failure nobody can
# read counts like a soft bounce; many recipients at one destination
# failing alike within a short window are an incident, of class block,
# that suppresses nobody and is shown by --report and --metrics.
. "$(dirname "$0")/lib.sh"
db=$tmp/b.db
B="$BOUNCER --allow-root --db $db"
T=1795000000	# 2026-11-18T08:53:20Z
ts() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
$B --init > /dev/null

# qmailtext RCPT ID TEXT: qmail-send's bounce layout, no code at all
qmailtext() {
	cat <<EOT
From: MAILER-DAEMON@mx.sender.example
To: bounces@sender.example
Subject: failure notice
Message-Id: <$2>

Hi. This is the qmail-send program at mx.sender.example.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<$1>:
$3

--- Below this line is a copy of the message.
EOT
}

# --- an unknown permanent failure escalates like a soft bounce
for i in 1 2 3; do
	qmailtext gone@unread.example "u$i@t" "frobnicated beyond repair" |
	    $B --now $(ts $((T + i * 3600))) > /dev/null
done
is "$($B --lookup gone@unread.example | awk '$1 == "class" { print $2 }')" soft \
    "three unreadable final failures: suppressed as soft"
is "$(sqlite3 "$db" "select count(*) from events where address='gone@unread.example' and class='soft' and reason='onhold'")" 3 \
    "each recorded as a soft event, reason onhold"
# ... but never our own suppression coming back through error(8)
for i in 1 2 3; do
	mkdsn own@unread.example 5.0.0 "Recipient suppressed by bouncer (hard: userunknown)" "o$i@t" |
	    $B --now $(ts $((T + i * 3600))) > /dev/null
done
is "$(sqlite3 "$db" "select count(*) from suppression where address='own@unread.example'")" 0 \
    "our own suppression notice is never counted"

# --- an incident: twelve recipients at one destination, the same words
# (words nothing reads, no address code), within the hour; each had two
# soft bounces the day before, so that the outage's failure is the third
# and suppresses until the incident is known
for i in $(seq 1 12); do
	for d in 1 2; do
		mkdsn "r$i@outage.example" 4.3.1 "452 4.3.1 Insufficient system storage" "pre$d-$i@t" |
		    $B --now $(ts $((T - 300000 + d * 86400 + i * 4000))) > /dev/null
	done
done
for i in $(seq 1 12); do
	mkdsn "r$i@outage.example" 5.0.0 \
	    "550 5.0.0 <r$i@outage.example>: Recipient address rejected: directory lookup failed" "i$i@t" |
	    $B --now $(ts $((T + 10000 + i * 60))) > /dev/null
done
is "$(sqlite3 "$db" "select count(*) from suppression where address like '%@outage.example'")" 0 \
    "an incident suppresses nobody, and releases those suppressed before it was known"
is "$(sqlite3 "$db" "select count(*) from audit where action='released' and why like 'incident 1: 10 recipients at outage.example%'")" 9 \
    "the nine suppressed before are released, the incident named"
is "$(sqlite3 "$db" "select count(*) from events where address like '%@outage.example' and class='block'")" 3 \
    "the incident's failures from the threshold on are recorded as block"
is "$(sqlite3 "$db" "select recipients from incidents where domain='outage.example'")" 12 \
    "one incident, twelve recipients"
$B --now $(ts $((T + 20000))) --report --since 1d > "$tmp/r"

grep -q "^incidents .*: 1$" "$tmp/r"; ok $? "--report counts the incident"
grep -q "#1 outage.example since .*, 12 recipients, .*read as onhold: 550 5.0.0 <\*>: Recipient address rejected" "$tmp/r"
ok $? "--report names its destination, size and diagnostic"
$B --now $(ts $((T + 20000))) --report --since 1d --json > "$tmp/j"
grep -q '"incidents":\[{"id":1,"domain":"outage.example",' "$tmp/j"; ok $? "--report --json lists it"
# the page shows it, with the same figures as the JSON
$B --now $(ts $((T + 20000))) --report --since 1d --html > "$tmp/h.html"
jr=$(sed -n 's/.*"incidents":\[{"id":1,"domain":"outage.example",[^}]*"recipients":\([0-9]*\).*/\1/p' "$tmp/j")
hr=$(sed -n 's/.*<li class="incident" data-id="1" data-recipients="\([0-9]*\)" data-domain="outage.example">.*/\1/p' "$tmp/h.html")
ok $([ -n "$hr" ] && [ "$hr" = "$jr" ]; echo $?) "--report --html lists the incident, its size as in the JSON ($hr, $jr)"
# --alert tells alert_command of it once
printf 'alert_command = cat >> %s\n' "$tmp/alerts" > "$tmp/a.conf"
$B --config "$tmp/a.conf" --now $(ts $((T + 20000))) --alert > /dev/null
grep -c '"class":"incident","scope":"domain","name":"outage.example".*"counts":{"events":12,' "$tmp/alerts" > "$tmp/n"
is "$(cat "$tmp/n")" 1 "--alert delivers the incident to alert_command"
$B --config "$tmp/a.conf" --now $(ts $((T + 20100))) --alert > /dev/null
is "$(grep -c '"class":"incident"' "$tmp/alerts")" 1 "... once, not on every run"
$B --metrics > "$tmp/m"
grep -q "^bouncer_incidents_total 1$" "$tmp/m"; ok $? "--metrics: bouncer_incidents_total"
grep -q "^bouncer_incident_recipients_total 12$" "$tmp/m"; ok $? "--metrics: recipients in incidents"

# --- a purged list is no incident: the code names each address (5.1.1)
for i in $(seq 1 12); do
	mkdsn "p$i@purged.example" 5.1.1 "550 5.1.1 <p$i@purged.example>: Recipient address rejected: User unknown" "p$i@t" |
	    $B --now $(ts $((T + 30000 + i * 60))) > /dev/null
done
is "$(sqlite3 "$db" "select count(*) from suppression where address like '%@purged.example' and class='hard'")" 12 \
    "twelve addresses rejected with 5.1.1 are twelve hard bounces"

# --- spread out beyond the window: no incident
for i in $(seq 1 12); do
	mkdsn "s$i@slow.example" 5.0.0 "550 5.0.0 <s$i@slow.example>: Recipient address rejected: User unknown" "s$i@t" |
	    $B --now $(ts $((T + 40000 + i * 1200))) > /dev/null
done
is "$(sqlite3 "$db" "select count(*) from suppression where address like '%@slow.example'")" 12 \
    "one failure every 20 minutes: never ten within the hour"

# --- the thresholds are configurable
printf 'incident_threshold = 0\n' > "$tmp/off.conf"
for i in $(seq 1 12); do
	mkdsn "f$i@off.example" 5.0.0 "550 5.0.0 <f$i@off.example>: Recipient address rejected: User unknown" "f$i@t" |
	    $B --config "$tmp/off.conf" --now $(ts $((T + 90000 + i * 60))) > /dev/null
done
is "$(sqlite3 "$db" "select count(*) from suppression where address like '%@off.example'")" 12 \
    "incident_threshold = 0 turns incidents off"
printf 'incident_threshold = 3\nincident_window = 10m\n' > "$tmp/low.conf"
for i in 1 2 3; do
	mkdsn "w$i@low.example" 4.4.1 "451 4.4.1 connection refused by frontend" "w$i@t" |
	    $B --config "$tmp/low.conf" --now $(ts $((T + 95000 + i * 60))) > /dev/null
done
is "$(sqlite3 "$db" "select recipients from incidents where domain='low.example'")" 3 \
    "incident_threshold = 3, incident_window = 10m"
printf 'incident_threshold = -1\n' > "$tmp/bad.conf"
$B --config "$tmp/bad.conf" --lookup x@y.example > /dev/null 2>&1; ok $([ $? -ne 0 ]; echo $?) "a negative threshold is refused"

# --- --forget erases the failures noted for incidents too
$B --forget r1@outage.example > /dev/null
is "$(sqlite3 "$db" "select count(*) from failures where address='r1@outage.example'")" 0 \
    "--forget erases the address from the incident notes"
done_testing
