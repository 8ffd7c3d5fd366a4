#!/bin/sh
# --metrics: per-domain series for the largest destinations (bounded,
# the rest as "other"), per-campaign series, counters that only rise
# (through erasure and relabelling), the pipe-mode duration histogram,
# promtool check metrics; contrib/prometheus/bouncer.rules.yml (promtool
# check rules, promtool test rules) and contrib/grafana/bouncer.json.
. "$(dirname "$0")/lib.sh"
db=$tmp/b.db
B="$BOUNCER --allow-root --db $db"
$B --init > /dev/null
NOW=2026-11-21T12:00:00Z
sentlog() {	# sentlog DOMAIN COUNT TAG
	awk -v d="$1" -v n="$2" -v t="$3" 'BEGIN { for (i = 1; i <= n; i++)
	    printf "Nov 21 10:00:00 mx postfix/smtp[1]: %s%d: to=<%s%d@%s>, relay=mx[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)\n", t, i, t, i, d }'
}
m() { $B --now $NOW --metrics > "$tmp/m"; }
val() { awk -v k="$1" '$1 == k { print $2 }' "$tmp/m"; }

printf 'metrics_domains = 1\n' > "$tmp/one.conf"
{ sentlog big.example 60 A; sentlog mid.example 30 B; sentlog small.example 10 C; } > "$tmp/l1"
$B --config "$tmp/one.conf" --now $NOW --maillog "$tmp/l1" > /dev/null
for d in big mid small; do mkdsn "gone@$d.example" 5.1.1 "550 5.1.1 User unknown" "g-$d@t" | $B --now $NOW; done
mkarf "c1@big.example" arf1@t | $B --now $NOW
m
grep '^bouncer_domain' "$tmp/m" | sed 's/^/# /'
is "$(grep -c '^bouncer_domain_sent_total{' "$tmp/m")" 2 "metrics_domains = 1: one destination of its own, the rest as other"
is "$(val 'bouncer_domain_sent_total{domain="big.example"}')" 0 "a domain's series starts at zero when it is labelled"
is "$(val 'bouncer_domain_sent_total{domain="other"}')" 100 "what came before stays in other"
is "$(val 'bouncer_domain_events_total{domain="big.example",class="hard"}')" 1 "events after labelling count for the domain"
is "$(val 'bouncer_domain_events_total{domain="big.example",class="complaint"}')" 1 "complaints too"
is "$(val 'bouncer_domain_events_total{domain="other",class="hard"}')" 2 "the other domains' events in other"
if command -v promtool > /dev/null 2>&1; then
	promtool check metrics < "$tmp/m" > "$tmp/pt" 2>&1; ok $? "promtool check metrics: clean"
	sed 's/^/# /' "$tmp/pt"
else
	skip "promtool check metrics" "promtool not installed (Debian package prometheus)"
fi
cp "$tmp/m" "$tmp/m1"

# more destinations labelled later: nothing goes down, new series start at 0
printf 'metrics_domains = 3\n' > "$tmp/three.conf"
sentlog big.example 5 D > "$tmp/l2"
$B --config "$tmp/three.conf" --now $NOW --maillog "$tmp/l2" > /dev/null
m
is "$(grep -c '^bouncer_domain_sent_total{' "$tmp/m")" 4 "metrics_domains = 3: three destinations and other"
is "$(val 'bouncer_domain_sent_total{domain="big.example"}')" 5 "the labelled domain counts on"
is "$(val 'bouncer_domain_sent_total{domain="mid.example"}')" 0 "a newly labelled domain starts at zero"
is "$(val 'bouncer_domain_events_total{domain="mid.example",class="hard"}')" 0 "its events too"
is "$(val 'bouncer_domain_sent_total{domain="other"}')" 100 "other keeps what it had"
is "$(val 'bouncer_domain_events_total{domain="other",class="hard"}')" 2 "other's events do not go down"
sentlog huge.example 500 E > "$tmp/l3"
$B --config "$tmp/three.conf" --now $NOW --maillog "$tmp/l3" > /dev/null
m
is "$(grep -c '^bouncer_domain_sent_total{' "$tmp/m")" 4 "a new larger destination does not raise the cardinality past the limit"
is "$(val 'bouncer_domain_sent_total{domain="other"}')" 600 "it counts in other"

# counters only rise: erasure removes rows, not counts
cp "$tmp/m" "$tmp/before"
$B --forget gone@big.example > /dev/null
$B --forget gone@mid.example > /dev/null
m
# (bouncer_events_total is issue 17's; these are the series of this file)
drops=$(awk 'NR == FNR { if ($1 ~ /^bouncer_(domain|campaign|pipe)_/) v[$1] = $2; next } ($1 in v) && $2 + 0 < v[$1] + 0 { print $1, v[$1], "->", $2 }' "$tmp/before" "$tmp/m")
is "$drops" "" "no domain, campaign or pipe counter goes down after two erasures"

# the pipe-mode histogram
for i in 1 2 3; do mkdsn "p$i@small.example" 5.1.1 "550 5.1.1 User unknown" "p$i@t" | $B --now $NOW; done
m
is "$(val bouncer_pipe_duration_seconds_count)" 7 "histogram: one count per pipe-mode run that stored a bounce"
is "$(val 'bouncer_pipe_duration_seconds_bucket{le="+Inf"}')" 7 "+Inf bucket equals the count"
awk '/^bouncer_pipe_duration_seconds_bucket/ { if ($2 + 0 < last) bad = 1; last = $2 + 0 } END { exit bad }' "$tmp/m"
ok $? "buckets are cumulative"
awk '$1 == "bouncer_pipe_duration_seconds_sum" { exit !($2 > 0) }' "$tmp/m"; ok $? "and the sum of seconds is there"

# campaigns: the ones sent to in the last 7 days, from our own log
printf 'campaign_verp = yes\n' > "$tmp/c.conf"
awk 'BEGIN { for (i = 1; i <= 20; i++) {
    printf "Nov 21 10:00:00 mx postfix/qmgr[8]: K%d: from=<spring+k%d=mid.example@bounces.example>, size=900, nrcpt=1 (queue active)\n", i, i
    printf "Nov 21 10:00:01 mx postfix/smtp[7]: K%d: to=<k%d@mid.example>, relay=mx[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)\n", i, i } }' > "$tmp/l4"
$B --config "$tmp/c.conf" --now $NOW --maillog "$tmp/l4" > /dev/null
mkdsn "k1@mid.example" 5.1.1 "550 5.1.1 User unknown" "k1@t" | $B --config "$tmp/c.conf" --now $NOW --recipient 'spring+k1=mid.example@bounces.example'
mkdsn "x1@mid.example" 5.1.1 "550 5.1.1 User unknown" "x1@t" | $B --config "$tmp/c.conf" --now $NOW --recipient 'forged+x1=mid.example@bounces.example'
m
is "$(val 'bouncer_campaign_sent_total{campaign="spring"}')" 20 "campaign series: sent"
is "$(val 'bouncer_campaign_events_total{campaign="spring",class="hard"}')" 1 "campaign series: events"
grep -q 'campaign="forged"' "$tmp/m"; is $? 1 "a campaign we never sent gets no series"
$B --now 2026-12-21T12:00:00Z --metrics | grep -q 'campaign="spring"'; is $? 1 "nor one not sent to for 7 days"
if command -v promtool > /dev/null 2>&1; then
	promtool check metrics < "$tmp/m" > "$tmp/pt" 2>&1; ok $? "promtool check metrics: still clean"
	sed 's/^/# /' "$tmp/pt"
	promtool check rules "$top/contrib/prometheus/bouncer.rules.yml" > "$tmp/pr" 2>&1; ok $? "promtool check rules contrib/prometheus/bouncer.rules.yml"
	sed 's/^/# /' "$tmp/pr"
	promtool test rules "$top/tests/prometheus/bouncer.rules.test.yml" > "$tmp/pr" 2>&1; ok $? "promtool test rules: the alerts fire as bouncer.conf's defaults say"
	sed 's/^/# /' "$tmp/pr"
else
	skip "promtool check and test rules" "promtool not installed (Debian package prometheus)"
fi

# the Grafana dashboard: valid JSON, the panels asked for, every query
# PromQL that parses and names only series --metrics writes
g=$top/contrib/grafana/bouncer.json
if command -v python3 > /dev/null 2>&1; then
	python3 - "$g" "$tmp/m" "$tmp/q.yml" <<'EOPY' > "$tmp/gr" 2>&1
import json, re, sys
d = json.load(open(sys.argv[1]))
have = {re.sub(r"\{.*", "", l.split()[0]) for l in open(sys.argv[2]) if l[0] != "#"}
have |= {re.sub(r"_bucket$", "", h) for h in have}
titles = [p["title"] for p in d["panels"]]
for want in ("Rates by class", "Top destinations", "Complaint rate against", "Suppression list size", "Incidents"):
    assert any(t.startswith(want) for t in titles), (want, titles)
exprs = [t["expr"] for p in d["panels"] for t in p["targets"]]
inc = [t["expr"] for p in d["panels"] if p["title"].startswith("Incidents") for t in p["targets"]]
assert any("bouncer_incidents_total" in e for e in inc), inc
lines = [e for e in exprs if "vector(0.001)" in e or "vector(0.003)" in e]
assert len(lines) == 2, lines
with open(sys.argv[3], "w") as f:
    f.write("groups:\n  - name: grafana\n    rules:\n")
    for i, e in enumerate(exprs):
        for m in re.findall(r"\b(bouncer_[a-z_]+)", e):
            assert m in have, (m, e)
        f.write("      - record: grafana:q%d\n        expr: %s\n" % (i, json.dumps(e)))
print(len(d["panels"]), "panels,", len(exprs), "queries")
EOPY
	ok $? "contrib/grafana/bouncer.json: the panels, over series --metrics writes"
	sed 's/^/# /' "$tmp/gr"
	if command -v promtool > /dev/null 2>&1; then
		promtool check rules "$tmp/q.yml" > "$tmp/pr" 2>&1; ok $? "every dashboard query parses (promtool)"
		grep -v SUCCESS "$tmp/pr" | sed 's/^/# /'
	else
		skip "dashboard queries parse" "promtool not installed"
	fi
else
	skip "contrib/grafana/bouncer.json" "python3 not installed"
fi
done_testing
