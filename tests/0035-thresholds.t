#!/bin/sh
# Thresholds (bouncer.conf(5), THRESHOLDS): every class as a share of
# the mail sent, overall and per recipient domain, warning and critical
# levels, per-domain overrides, the minimum volume, suppression-list
# growth, --report's exit status and the numbers in --report --json.
. "$(dirname "$0")/lib.sh"
db=$tmp/b.db
B="$BOUNCER --allow-root --db $db"
$B --init > /dev/null
NOW=2026-11-21T12:00:00Z

# sent: Postfix's log lines for COUNT recipients at DOMAIN
sent() {
	awk -v d="$1" -v n="$2" 'BEGIN { for (i = 1; i <= n; i++)
	    printf "Nov 21 10:00:00 mx postfix/smtp[1]: Q%s%d: to=<s%d@%s>, relay=mx[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)\n", substr(d, 1, 3), i, i, d }'
}
# mbox PREFIX DOMAIN COUNT STATUS DIAG: COUNT DSNs, or ARF reports of
# type DIAG when STATUS is "arf"
mbox() {
	i=1
	while [ $i -le "$3" ]; do
		echo "From MAILER-DAEMON Sat Nov 21 11:00:00 2026"
		if [ "$4" = arf ]; then
			mkarf "$1$i@$2" "$1$i-$2@t" "$5"
		else
			mkdsn "$1$i@$2" "$4" "$5" "$1$i-$2@t"
		fi
		echo
		i=$((i + 1))
	done
}
{
	sent gmail.example 2000; sent hard.example 1000; sent soft.example 1000
	sent block.example 1000; sent unsub.example 1000; sent tiny.example 10
} > "$tmp/mail.log"
$B --now $NOW --maillog "$tmp/mail.log" > /dev/null; ok $? "sent counts from the log"
{
	mbox c gmail.example 3 arf abuse
	mbox h hard.example 30 5.1.1 "550 5.1.1 User unknown"
	mbox s soft.example 70 4.2.2 "452 4.2.2 Mailbox full"
	mbox b block.example 60 5.7.1 "554 5.7.1 Service unavailable; Client host [192.0.2.9] blocked using zen.spamhaus.org"
	mbox u unsub.example 6 arf opt-out
	mbox t tiny.example 5 5.1.1 "550 5.1.1 User unknown"
} > "$tmp/in.mbox"
$B --now $NOW --replay --jobs 1 "$tmp/in.mbox" > /dev/null; ok $? "events replayed"

$B --now $NOW --report > "$tmp/r"; rc=$?
is $rc 2 "a critical threshold crossed: --report exits 2"
sed -n '/^warnings:/,$p' "$tmp/r" | sed 's/^/# /'
has() { grep -qF -- "$1" "$tmp/r"; ok $? "$2"; }
hasnt() { sed -n '/^warnings:/,$p' "$tmp/r" | grep -qF -- "$1"; is $? 1 "$2"; }
has "critical: block.example: block 6.00% of sent (60 of 1000), above 5.00%" "block: critical past 5% at one domain"
has "warning: soft.example: soft 7.00% of sent (70 of 1000), above 5.00%" "soft: warning past 5%"
has "warning: hard.example: hard 3.00% of sent (30 of 1000), above 2.00%" "hard: warning past 2%"
has "warning: gmail.example: complaint 0.15% of sent (3 of 2000), above 0.10%" "complaint: warning past Gmail's advised 0.1%"
has "warning: unsub.example: unsubscribe 0.60% of sent (6 of 1000), above 0.50%" "unsubscribe (opt-out reports): warning past 0.5%"
hasnt "tiny.example" "a domain below min_sent (10 of 1000) raises nothing"
hasnt "all domains" "overall rates stay below every level"
hasnt "suppression list:" "list growth below min_list raises nothing"

# per-domain overrides, both ways; levels turned off; min_sent
cat > "$tmp/o.conf" <<EOT
warn_complaint.gmail.example = 0.2%
crit_soft.soft.example = 6
crit_block = off
warn_block = 5.5
min_sent = 10
EOT
$B --config "$tmp/o.conf" --now $NOW --report > "$tmp/r"; rc=$?
hasnt "gmail.example: complaint" "warn_complaint.gmail.example = 0.2% silences 0.15% there"
has "critical: soft.example: soft 7.00% of sent (70 of 1000), above 6.00%" "crit_soft.soft.example = 6 makes 7% critical there"
has "warning: block.example: block 6.00% of sent (60 of 1000), above 5.50%" "crit_block = off: the warning level still applies"
has "critical: tiny.example: hard 50.00% of sent (5 of 10), above 5.00%" "min_sent = 10 lets the small domain count"
is $rc 2 "critical again (soft.example, tiny.example)"
printf 'crit_block = off\ncrit_soft = off\n' > "$tmp/q.conf"
$B --config "$tmp/q.conf" --now $NOW --report > /dev/null
is $? 0 "warnings alone: --report exits 0"

# growth of the suppression list, per day, as a share of its size
printf 'min_list = 10\n' > "$tmp/g.conf"
$B --config "$tmp/g.conf" --now $NOW --report --since 1d > "$tmp/r"
has "critical: suppression list: grew" "the whole list added within a day: growth critical"

# bad keys and values are refused with their line
printf 'warn_bogus = 1\ncrit_hard = 200\nwarn_growth.gmail.example = 1\n' > "$tmp/bad.conf"
$B --config "$tmp/bad.conf" --report > /dev/null 2> "$tmp/e"; is $? 78 "bad threshold lines: exit 78"
is "$(wc -l < "$tmp/e")" 3 "each bad line reported"

# --report --json carries the rates and the alerts
$B --now $NOW --report --json > "$tmp/j"
if command -v python3 > /dev/null 2>&1; then
	python3 - "$tmp/j" > "$tmp/py" 2>&1 <<'EOPY'
import json, sys
d = json.load(open(sys.argv[1]))
r = d["rates"]
dom = {x["domain"]: x for x in r["domains"]}
assert r["all"]["sent"] == 6010, r["all"]
assert dom["block.example"]["block"] == {"count": 60, "rate": 6.0}
assert dom["gmail.example"]["complaint"]["count"] == 3
assert abs(dom["gmail.example"]["complaint"]["rate"] - 0.15) < 1e-9
assert dom["unsub.example"]["unsubscribe"]["count"] == 6
w = [(a["level"], a["class"], a["scope"], a["name"]) for a in d["warnings"]]
assert w[0] == ("critical", "block", "domain", "block.example"), w
assert ("warning", "complaint", "domain", "gmail.example") in w, w
a = [x for x in d["warnings"] if x["name"] == "soft.example"][0]
assert a["counts"] == {"events": 70, "sent": 1000} and a["threshold"] == 5, a
EOPY
	ok $? "--report --json: rates per domain and class, alerts with level, counts and threshold"
	sed 's/^/# /' "$tmp/py"
else
	skip "--report --json numbers" "python3 not installed"
fi
done_testing
