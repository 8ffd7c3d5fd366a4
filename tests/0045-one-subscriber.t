#!/bin/sh
# Rates, alerts, pauses and the counters --metrics shows count distinct
# addresses (issue 23, finding 3): one subscriber who mails sixty
# "unusual rate of unsolicited mail" DSNs about his own copy, each with a
# new Message-ID, or replays his own signed return path, is one address
# and moves no domain's rate; sixty subscribers still do.
. "$(dirname "$0")/lib.sh"
db=$tmp/b.db
NOW=2026-11-21T12:00:00Z
T=2026-11-21T11:00:00Z
key=$tmp/sign.key
printf '%s\n' 0123456789abcdef0123456789abcdef0123456789abcdef > "$key"; chmod 600 "$key"
printf 'min_sent = 100\npause_block = 5\nsign_keys = %s\nsign_domain = bounces.sender.example\n' "$key" > "$tmp/b.conf"
B="$BOUNCER --allow-root --db $db --config $tmp/b.conf"
$BOUNCER --allow-root --db $db --init > /dev/null
awk 'BEGIN { for (i = 1; i <= 1000; i++)
    printf "Nov 21 10:00:00 mx postfix/smtp[1]: Y%d: to=<s%d@gmail.example>, relay=mx[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)\n", i, i }' > "$tmp/y.log"
$B --now $NOW --maillog "$tmp/y.log" > /dev/null
block() {	# block ADDRESS MESSAGE-ID
	mkdsn "$1" 5.7.1 "550-5.7.1 Our system has detected an unusual rate of unsolicited mail originating from your IP address" "$2"
}
val() { awk -v k="$1" '$1 == k { print $2 }' "$tmp/m"; }

# the attack: sixty reports about one address, each a new message
for i in $(seq 1 60); do block s1@gmail.example "fake$i@evil" | $B --now $T; done
is "$(q "select count(*) from events where address='s1@gmail.example' and class='block'")" 60 "sixty block events recorded"
$B --now $NOW --alert > "$tmp/o"; is $? 0 "--alert: no critical level (exit 0)"
is "$(q 'select count(*) from pauses')" 0 "the domain is not paused"
grep -q 'block' "$tmp/o"; ok $((! $?)) "and no block alert at all (one address in 1000 is 0.1%)"
$B --now $NOW --metrics > "$tmp/m"
is "$(val 'bouncer_domain_events_total{domain="gmail.example",class="block"}')" 1 "--metrics counts the address once"
$B --now $NOW --report --json > "$tmp/r"
grep -q '"block":60' "$tmp/r"; ok $((! $?)) "--report's rates do not count sixty"

# his own signed return path, replayed sixty times (trust = signed)
printf 'trust = signed\n' >> "$tmp/b.conf"
rp=$($B --now $T --sign s2@gmail.example)
for i in $(seq 1 60); do block s2@gmail.example "tag$i@evil" | $B --now $T --recipient "$rp"; done
is "$(q "select count(*) from events where address='s2@gmail.example' and class='block'")" 60 "a valid tag replayed sixty times: sixty events"
$B --now $NOW --alert > "$tmp/o"; is $? 0 "--alert: still no critical level"
is "$(q 'select count(*) from pauses')" 0 "still not paused"
$B --now $NOW --metrics > "$tmp/m"
is "$(val 'bouncer_domain_events_total{domain="gmail.example",class="block"}')" 2 "two addresses, two counted"

# genuine: sixty subscribers blocked are 6%: critical, paused
for i in $(seq 3 62); do block "s$i@gmail.example" "real$i@mx" | $B --now $T --recipient "$($B --now $T --sign "s$i@gmail.example")"; done
$B --now $NOW --alert > "$tmp/o"; is $? 2 "sixty-two addresses blocked: critical (exit 2)"
is "$(q 'select domain from pauses')" gmail.example "and the domain is paused"
done_testing
