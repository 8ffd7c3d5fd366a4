#!/bin/sh
# --alert and alert_command: one JSON object per new alert, change of
# level and resolution, delivered once (the level is remembered in the
# store), retried when the command fails; README's mail and webhook
# examples, run as written.
. "$(dirname "$0")/lib.sh"
db=$tmp/b.db
B="$BOUNCER --allow-root --db $db"
$B --init > /dev/null
NOW=2026-11-21T12:00:00Z
out=$tmp/alerts.jsonl
: > "$out"

{
	awk 'BEGIN { for (i = 1; i <= 2000; i++)
	    printf "Nov 21 10:00:00 mx postfix/smtp[1]: G%d: to=<s%d@gmail.example>, relay=mx[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)\n", i, i }'
} > "$tmp/mail.log"
$B --now $NOW --maillog "$tmp/mail.log" > /dev/null
complain() { for i in $(seq "$1" "$2"); do mkarf "c$i@gmail.example" "arf$i@t" | $B --now 2026-11-21T11:00:00Z; done; }
complain 1 3
printf 'alert_command = cat >> %s\n' "$out" > "$tmp/a.conf"
A="$B --config $tmp/a.conf --now $NOW --alert"
lines() { wc -l < "$out" | tr -d ' '; }

$A > "$tmp/o"; is $? 0 "--alert with warnings only: exit 0"
sed 's/^/# /' "$tmp/o"
is "$(lines)" 2 "two alerts raised (gmail.example and all domains, complaint 0.15%): two objects"
if command -v python3 > /dev/null 2>&1; then
	grep '"scope":"domain"' "$out" | python3 -c '
import json, sys
d = json.loads(sys.stdin.readline())
assert d["level"] == "warning" and d["state"] == "raised" and d["previous"] == "ok", d
assert d["class"] == "complaint" and d["name"] == "gmail.example", d
assert abs(d["rate"] - 0.15) < 1e-9 and d["threshold"] == 0.1, d
assert d["counts"] == {"events": 3, "sent": 2000}, d
w = d["window"]
assert w["until"] - w["since"] == w["seconds"] and w["seconds"] >= 86400, w
'
	ok $? "the object: level, state, class, scope, name, rate, threshold, counts, window"
else
	skip "the object's fields" "python3 not installed"
fi
$A > /dev/null; is "$(lines)" 2 "run again, nothing changed: nothing delivered"
is "$(q 'select count(*) from alerts')" 2 "the levels are remembered in the store"

complain 4 8
$A > "$tmp/o"; is $? 2 "a critical level stands: --alert exits 2"
is "$(lines)" 4 "warning to critical: one object per alert"
grep -q '"level":"critical","state":"changed","previous":"warning","class":"complaint","scope":"domain","name":"gmail.example","rate":0.4000,"threshold":0.3000' "$out"
ok $? "a change of level says what it was"
$A > /dev/null; is "$(lines)" 4 "and once only"

# a failing command: nothing remembered, tried again next time
printf 'alert_command = exit 1\nwarn_complaint = 1\ncrit_complaint = 2\n' > "$tmp/f.conf"
$B --config "$tmp/f.conf" --now $NOW --alert > "$tmp/o" 2> "$tmp/e"; is $? 75 "alert_command fails: exit 75"
grep -q 'will try again' "$tmp/o"; ok $? "and says it will try again"
is "$(q 'select count(*) from alerts')" 2 "the old levels stay remembered"
printf 'alert_command = cat >> %s\nwarn_complaint = 1\ncrit_complaint = 2\n' "$out" > "$tmp/r.conf"
$B --config "$tmp/r.conf" --now $NOW --alert > /dev/null; is $? 0 "resolved: exit 0"
is "$(lines)" 6 "both alerts resolved, delivered on the next run"
grep -q '"level":"ok","state":"resolved","previous":"critical","class":"complaint","scope":"domain","name":"gmail.example","rate":0.4000' "$out"
ok $? "a resolution carries the rate now"
is "$(q 'select count(*) from alerts')" 0 "nothing standing is remembered"

# README's examples, as written: mail(1) and a Slack-style webhook
mailex=$(sed -n 's/^    alert_command = \(mail .*\)$/\1/p' "$top/README.md")
mkdir "$tmp/bin"
printf '#!/bin/sh\necho "$@" > %s/mail.args\ncat > %s/mail.body\n' "$tmp" "$tmp" > "$tmp/bin/mail"
chmod +x "$tmp/bin/mail"
printf 'alert_command = %s\n' "$mailex" > "$tmp/m.conf"
q 'delete from alerts'
PATH=$tmp/bin:$PATH $B --config "$tmp/m.conf" --now $NOW --alert > /dev/null
is "$(cat "$tmp/mail.args")" "-s bouncer alert postmaster@example.com" "README's mail example: mail -s with the subject"
grep -q '"class":"complaint"' "$tmp/mail.body"; ok $? "and the alert as the body"
hook=$(sed -n 's/^    alert_command = \(jq .*\)$/\1/p' "$top/README.md")
if command -v jq > /dev/null 2>&1 && command -v curl > /dev/null 2>&1 && command -v python3 > /dev/null 2>&1; then
	cat > "$tmp/hook.py" <<'EOPY'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers["Content-Length"])
        with open(sys.argv[1], "ab") as f:
            f.write(self.rfile.read(n).strip() + b"\n")
        self.send_response(200); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[2], "w").write(str(s.server_port))
s.serve_forever()
EOPY
	python3 "$tmp/hook.py" "$tmp/posted" "$tmp/port" & hp=$!
	i=0; while [ ! -s "$tmp/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	url="http://127.0.0.1:$(cat "$tmp/port")/services/T000/B000/XXXX"
	printf 'alert_command = %s\n' "$(printf '%s' "$hook" | sed "s|https://hooks.slack.com/services/T000/B000/XXXX|$url|")" > "$tmp/h.conf"
	q 'delete from alerts'
	$B --config "$tmp/h.conf" --now $NOW --alert > /dev/null
	kill $hp
	is "$(wc -l < "$tmp/posted" | tr -d ' ')" 2 "README's webhook example posts one message per alert"
	python3 -c 'import json,sys; [json.loads(l)["text"] for l in open(sys.argv[1])]' "$tmp/posted"
	ok $? "as Slack's {\"text\": ...}"
	grep -q 'bouncer raised: critical complaint domain gmail.example 0.4% (threshold 0.3%)' "$tmp/posted"; ok $? "saying what happened"
	sed 's/^/# /' "$tmp/posted"
else
	skip "README's webhook example" "needs jq, curl and python3"
fi

# traffic shaping: pause_block pauses a destination (the pauses table that
# postfix/bouncer-pause.cf reads), lifts it at its expiry, audits and
# announces both; a lifted destination is paused again only on a new block
db=$tmp/p.db
P="$BOUNCER --allow-root --db $db"
$P --init > /dev/null
awk 'BEGIN { for (i = 1; i <= 200; i++)
    printf "Nov 21 10:00:00 mx postfix/smtp[1]: Y%d: to=<s%d@yahoo.example>, relay=mx[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)\n", i, i }' > "$tmp/y.log"
$P --now $NOW --maillog "$tmp/y.log" > /dev/null
block() { mkdsn "$1@yahoo.example" 5.7.1 "554 5.7.1 Service unavailable; Client host [192.0.2.9] blocked using zen.spamhaus.org" "$1@t" | $P --now "$2"; }
for i in $(seq 1 20); do block "b$i" 2026-11-21T11:00:00Z; done
: > "$tmp/pa"
printf 'min_sent = 100\nalert_command = cat >> %s\n' "$tmp/pa" > "$tmp/p0.conf"
$P --config "$tmp/p0.conf" --now $NOW --alert > /dev/null
is "$(q 'select count(*) from pauses')" 0 "pause_block off (the default): nothing paused"
printf 'pause_block = 5\npause_time = 1h\n' >> "$tmp/p0.conf"
$P --config "$tmp/p0.conf" --now $NOW --alert > "$tmp/o"; is $? 2 "--alert with a pause: exit 2 (critical)"
is "$(q 'select domain||" "||(expires-since)||" "||why from pauses')" "yahoo.example 3600 block 10.00% of sent (20 of 200), above 5.00%" "blocks past pause_block: the destination paused for pause_time"
grep -q '"level":"critical","state":"paused","previous":"ok","class":"block","scope":"domain","name":"yahoo.example","rate":10.0000,"threshold":5.0000' "$tmp/pa"; ok $? "the pause announced"
grep '"state":"paused"' "$tmp/pa" | grep -q '"until":'; ok $? "with the time it lifts"
is "$(q "select action||' '||why from audit where address='yahoo.example'")" "paused block 10.00% of sent (20 of 200), above 5.00%" "and audited"
$P --config "$tmp/p0.conf" --now 2026-11-21T12:30:00Z --alert > /dev/null
is "$(grep -c '"state":"paused"' "$tmp/pa")" 1 "announced once"
$P --config "$tmp/p0.conf" --now 2026-11-21T13:00:01Z --alert > /dev/null
is "$(q 'select count(*) from pauses')" 0 "at its expiry: lifted"
grep -q '"level":"ok","state":"resumed","previous":"paused","class":"block","scope":"domain","name":"yahoo.example"' "$tmp/pa"; ok $? "the lifting announced"
is "$(q "select group_concat(action, ' ') from (select action from audit where address='yahoo.example' order by id)")" "paused resumed" "and audited"
$P --config "$tmp/p0.conf" --now 2026-11-21T13:10:00Z --alert > /dev/null
is "$(q 'select count(*) from pauses')" 0 "the same old blocks do not pause it again"
block b21 2026-11-21T13:20:00Z
$P --config "$tmp/p0.conf" --now 2026-11-21T13:30:00Z --alert > /dev/null
is "$(q 'select count(*) from pauses')" 1 "a new block does"
printf 'alert_command = exit 1\npause_block = 5\nmin_sent = 100\n' > "$tmp/pf.conf"
q 'delete from pauses'; q "delete from alerts"
$P --config "$tmp/pf.conf" --now 2026-11-21T13:40:00Z --alert > /dev/null 2>&1; is $? 75 "the command fails: exit 75"
is "$(q 'select count(*) from pauses')" 1 "but the mail is held all the same"
$P --config "$tmp/p0.conf" --now 2026-11-21T13:41:00Z --alert > /dev/null
is "$(grep -c '"state":"paused"' "$tmp/pa")" 3 "and the news goes out on the next run"
done_testing
