# tests/lifecycle-suite.sh - what the list keeps and what it lets go
# (issue 17), sourced by 0024 (SQLite) and 0025 (PostgreSQL) with B
# (bouncer with its --db), q (SQL on the store) and BACKEND set.
day() { date -u -d "2026-01-01 + $1 days" +%Y-%m-%dT%H:%M:%SZ; }
feed() { d=$1; shift; $B --now "$(day "$d")" "$@"; }	# stdin: a message
row() { q "select class||' '||coalesce(cast(expires as text), 'never') from suppression where address='$1'"; }

# unsubscribes never lapse: ARF opt-out, --import, a mailto: request
mkarf optout@example.net u1@x opt-out | feed 0
is "$(row optout@example.net)" "unsubscribe never" "an ARF opt-out report is an unsubscribe, without expiry"
printf '{"email":"imp1@example.net","type":"unsubscribe"}\n{"email":"imp2@example.net","type":"opt-out"}\n' > "$tmp/u.jsonl"
$B --now "$(day 0)" --import "$tmp/u.jsonl" > /dev/null
is "$(row imp1@example.net),$(row imp2@example.net)" "unsubscribe never,unsubscribe never" "--import types unsubscribe and opt-out are unsubscribes"
printf 'From: Alice <alice@example.net>\nTo: unsubscribe+alice=example.net@bounces.example.com\nSubject: unsubscribe\nMessage-Id: <req1@example.net>\n\nunsubscribe\n' > "$tmp/req.eml"
feed 0 --sender alice@example.net --recipient unsubscribe+alice=example.net@bounces.example.com < "$tmp/req.eml"; ok $? "a mailto: unsubscribe request exits 0"
is "$(row alice@example.net)" "unsubscribe never" "a mailto: List-Unsubscribe request (RFC 2369) unsubscribes the VERP recipient"
is "$(q "select source||' '||feedback_type from events where address='alice@example.net'")" "unsubscribe opt-out" "recorded as an unsubscribe request"
printf 'garbage\0\377\n' | feed 0 --recipient unsubscribe+bob=example.net@bounces.example.com
is "$(row bob@example.net)" "" "trust = any: an unsigned request that does not come from the address suppresses nobody (issue 24)"
is "$(q "select class from events where address='bob@example.net'")" unverified "and is recorded as unverified"
printf 'unsubscribe_prefix =\n' > "$tmp/nounsub.conf"
mkdsn "" 5.1.1 "550 5.1.1 User unknown" x1@x | sed 's/^Final-Recipient: rfc822; $/Final-Recipient: rfc822;/' |
	feed 0 --config "$tmp/nounsub.conf" --recipient unsubscribe+carol=example.net@bounces.example.com
is "$(row carol@example.net)" "hard never" "unsubscribe_prefix empty: the address is an ordinary return path"
mkarf optout@example.net u2@x abuse | feed 1
is "$(row optout@example.net)" "unsubscribe never" "a complaint does not replace an unsubscribe"
$B --now "$(day 3000)" --expire > /dev/null
is "$(row optout@example.net),$(row alice@example.net),$(row imp1@example.net)" "unsubscribe never,unsubscribe never,unsubscribe never" "--expire years later lifts no unsubscribe"
$B --remove alice@example.net --why "subscribed again" > /dev/null; ok $? "--remove lifts an unsubscribe"
is "$(q "select count(*) from suppression where address='alice@example.net'")" 0 "and only --remove"

# trust: an unsubscribe request is checked like a bounce
key=$tmp/sign.key
printf '%s\n' 0123456789abcdef0123456789abcdef0123456789abcdef > "$key"; chmod 600 "$key"
printf 'sign_keys = %s\nsign_domain = bounces.example.com\nrequire_signed = yes\n' "$key" > "$tmp/sign.conf"
feed 5 --config "$tmp/sign.conf" --recipient unsubscribe+forged=example.net@bounces.example.com < "$tmp/req.eml"
is "$(q "select count(*) from suppression where address='forged@example.net'")" 0 "require_signed: an unsigned unsubscribe request suppresses nobody"
is "$(q "select class from events where address='forged@example.net'")" unverified "and is recorded as unverified"
# issue 24: a request that proves itself is honoured at every trust level
printf 'sign_keys = %s\nsign_domain = bounces.example.com\nunsubscribe_url = https://www.example.com/unsub\ntrust = sent\n' "$key" > "$tmp/u24.conf"
U="--config $tmp/u24.conf"
feed 6 $U --list-unsubscribe Erin@Example.NET --list News > "$tmp/h"; ok $? "--list-unsubscribe ADDRESS --list NAME"
grep -qx 'List-Unsubscribe: <mailto:unsubscribe+erin=example.net+u.news.[0-9]*\.[0-9a-f]\{16\}@bounces.example.com>, <https://www.example.com/unsub?u=erin%3Dexample.net%2Bu.news.[0-9]*\.[0-9a-f]\{16\}>' "$tmp/h"; ok $? "List-Unsubscribe: the signed mailto: and https URIs (RFC 2369)"
is "$(sed -n 2p "$tmp/h")" "List-Unsubscribe-Post: List-Unsubscribe=One-Click" "List-Unsubscribe-Post (RFC 8058)"
mt=$(sed -n 's/.*<mailto:\([^>]*\)>.*/\1/p' "$tmp/h")
printf 'From: someone@elsewhere.example\nTo: %s\nMessage-Id: <t1@x>\n\nunsubscribe\n' "$mt" > "$tmp/t1.eml"
feed 7 $U --recipient "$mt" < "$tmp/t1.eml"; ok $? "a signed request exits 0"
is "$(row erin@example.net)" "unsubscribe never" "trust = sent, no mail log: a signed request unsubscribes, whatever its From"
is "$(q "select campaign from events where address='erin@example.net'")" news "the token's list is the event's campaign"
alt=$(printf %s "$mt" | sed 's/^unsubscribe+erin=/unsubscribe+frank=/')
printf 'From: frank@example.net\nTo: %s\nMessage-Id: <t2@x>\n\nunsubscribe\n' "$alt" | feed 7 $U --recipient "$alt"
is "$(row frank@example.net)" "" "a token altered to name another address unsubscribes nobody"
is "$(q "select class from events where address='frank@example.net'")" unverified "and is recorded as unverified"
# a mail client's own request for the user: Auto-Submitted (RFC 3834),
# from the user; read from a saved copy (no pipe recipient) it was an
# auto-reply, and several replay workers refused a class "unsubscribe"
mkdir -p "$tmp/rq"
feed 8 $U --list-unsubscribe gina@example.net | sed -n 's/.*<mailto:\([^>]*\)>.*/\1/p' > "$tmp/g"
printf 'Delivered-To: %s\nFrom: gina@example.net\nTo: %s\nSubject: Unsubscribe\nAuto-Submitted: auto-replied\nMessage-Id: <t3@x>\n\nThis message was sent automatically by the mail client.\n' "$(cat "$tmp/g")" "$(cat "$tmp/g")" > "$tmp/rq/1.eml"
feed 8 $U --replay --jobs 2 "$tmp/rq" > /dev/null; ok $? "--replay of a client's automatic request"
is "$(row gina@example.net)" "unsubscribe never" "a mail client's automatic request is an unsubscribe, not an auto-reply"
sed 's/^Auto-Submitted: .*/Auto-Submitted: auto-generated/; s/t3@x/t4@x/; s/gina/hugo/g' "$tmp/rq/1.eml" > "$tmp/t4.eml"
feed 8 $U --list-unsubscribe hugo@example.net | sed -n 's/.*<mailto:\([^>]*\)>.*/\1/p' > "$tmp/g"
sed "s/^Delivered-To: .*/Delivered-To: $(cat "$tmp/g")/; s/^To: .*/To: $(cat "$tmp/g")/" "$tmp/t4.eml" | feed 8 $U --recipient "$(cat "$tmp/g")"
is "$(row hugo@example.net)" "unsubscribe never" "and so through the pipe"
# unsigned: a stranger never, the subscriber under trust = any, or with
# DKIM evidence under sent and signed
printf 'From: mallory@evil.example\nTo: unsubscribe+ivan=example.net@bounces.example.com\nMessage-Id: <t5@x>\n\nx\n' | feed 9 --recipient unsubscribe+ivan=example.net@bounces.example.com
is "$(row ivan@example.net)" "" "trust = any: an unsigned request from a stranger is refused"
printf 'From: Judy <Judy@Example.net>\nTo: unsubscribe+judy=example.net@bounces.example.com\nMessage-Id: <t6@x>\n\nx\n' > "$tmp/t6.eml"
feed 9 --recipient unsubscribe+judy=example.net@bounces.example.com < "$tmp/t6.eml"
is "$(row judy@example.net)" "unsubscribe never" "trust = any: an unsigned request from the address itself is honoured"
sed 's/judy/kim/g; s/Judy/Kim/g; s/t6@x/t7@x/' "$tmp/t6.eml" | feed 9 $U --recipient unsubscribe+kim=example.net@bounces.example.com
is "$(row kim@example.net)" "" "trust = sent: from the address itself but without DKIM evidence, refused"
is "$(q "select class from events where address='kim@example.net'")" unverified "and recorded as unverified"
feed 9 --lookup kim@example.net | grep -q '^  event .* unverified feedback'; ok $? "--lookup shows it unverified"
is "$(feed 9 --report | sed -n 's/^feedback reports: //p')" "opt-out 4 (unsubscribe), opt-out 4 (unverified)" "--report counts the unverified requests apart"
feed 9 $U --report --json > "$tmp/j"
if command -v python3 > /dev/null 2>&1; then
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
u = sum(x.get("unsubscribe", {}).get("count", 0) for x in d["rates"]["domains"])
print(u)' "$tmp/j" > "$tmp/o" 2>&1
	is "$(cat "$tmp/o")" 4 "the unsubscribe rate counts the honoured requests only"
else
	skip "the unsubscribe rate counts the honoured requests only" "no python3"
fi
# unsigned, from the address, and DKIM-signed by its domain as our own
# MTA's milter found it (Authentication-Results with our authserv-id)
cp "$tmp/u24.conf" "$tmp/dk.conf"; printf 'authserv_id = mx.bounces.example.com\n' >> "$tmp/dk.conf"
dk() {	# dk ADDRESS AUTHSERV-ID SIGNING-DOMAIN: an unsigned request from ADDRESS
	printf 'Authentication-Results: %s; dkim=pass header.d=%s header.s=s1\nFrom: <%s>\nTo: unsubscribe+%s@bounces.example.com\nMessage-Id: <dk-%s>\n\nunsubscribe\n' \
	    "$2" "$3" "$1" "$(printf %s "$1" | tr @ =)" "$1" |
	    feed 10 --config "$tmp/dk.conf" --recipient "unsubscribe+$(printf %s "$1" | tr @ =)@bounces.example.com"
}
dk lou@example.net mx.bounces.example.com example.net
is "$(row lou@example.net)" "unsubscribe never" "trust = sent: from the address and DKIM-signed by its domain (our MTA's Authentication-Results): honoured"
dk max@example.net mx.elsewhere.example example.net
is "$(row max@example.net)" "" "the same result written under another authserv-id is no evidence"
dk ned@example.net mx.bounces.example.com other.example
is "$(row ned@example.net)" "" "a signature by another domain is no evidence"
is "$(q "select count(*) from events where class='unverified' and address in ('max@example.net', 'ned@example.net')")" 2 "both recorded as unverified"
sed 's/^trust = sent/trust = signed/' "$tmp/dk.conf" > "$tmp/dks.conf"
printf 'Authentication-Results: mx.bounces.example.com; dkim=pass header.d=example.net\nFrom: <oz@example.net>\nTo: unsubscribe+oz=example.net@bounces.example.com\nMessage-Id: <dk-oz>\n\nx\n' |
    feed 10 --config "$tmp/dks.conf" --recipient unsubscribe+oz=example.net@bounces.example.com
is "$(row oz@example.net)" "unsubscribe never" "trust = signed: the same evidence is enough"
# issue 24: unsubscribes never lapse, an erasure keeps the objection, and
# only a resubscribe lifts one
printf 'List-Unsubscribe=One-Click' > "$tmp/oc"
qs=$(feed 20 $U --list-unsubscribe lena@example.net | sed -n 's/.*<https:[^>?]*?\([^>]*\)>.*/\1/p')
env REQUEST_METHOD=POST QUERY_STRING="$qs" CONTENT_LENGTH=26 CONTENT_TYPE=application/x-www-form-urlencoded \
    $B --config "$tmp/u24.conf" --now "$(day 20)" --cgi < "$tmp/oc" | head -1 > "$tmp/o"
is "$(cat "$tmp/o") $(row lena@example.net)" "Status: 200 OK unsubscribe never" "a one-click POST unsubscribes"
cp "$tmp/u24.conf" "$tmp/ttl.conf"; printf 'event_ttl = 30d\n' >> "$tmp/ttl.conf"
d=21; while [ $d -le 420 ]; do feed $d --config "$tmp/ttl.conf" --expire > /dev/null || break; d=$((d + 1)); done
is "$d" 421 "400 days of --expire (event_ttl 30d) run"
is "$(row lena@example.net),$(row erin@example.net),$(row gina@example.net),$(row judy@example.net)" \
   "unsubscribe never,unsubscribe never,unsubscribe never,unsubscribe never" "after 400 days of --expire every unsubscribe stands"
feed 421 --forget erin@example.net > "$tmp/o"; ok $? "--forget of an unsubscriber"
grep -q 'stays listed as unsubscribed' "$tmp/o"; ok $? "says the address stays listed"
is "$(row erin@example.net)" "unsubscribe never" "an erased unsubscriber stays suppressed (the objection is honoured)"
is "$(q "select reason||' '||source||' '||first_seen from suppression where address='erin@example.net'")" "feedback erasure $(date -u -d "$(day 421)" +%s)" "kept as nothing but the address and the class"
is "$(q "select count(*) from events where address='erin@example.net'")+$(q "select count(*) from audit where address='erin@example.net'")" "0+0" "no event or audit row is kept"
$B --add mona@example.net --class unsubscribe --why x > /dev/null; $B --add mona@example.net --why "by hand" > /dev/null
feed 421 --forget mona@example.net > /dev/null
is "$(row mona@example.net)" "unsubscribe never" "an unsubscribe held under an --add is kept too"
mkdsn nora@example.net 5.1.1 "550 5.1.1 User unknown" n1@x | feed 421
feed 421 --forget nora@example.net > /dev/null
is "$(q "select count(*) from suppression where address='nora@example.net'")" 0 "--forget of a hard bounce erases it all, as before"
printf '[{"email":"gina@example.net","timestamp":%s,"event":"group_resubscribe","asm_group_id":10,"sg_event_id":"rs1"}]\n' "$(date -u -d "$(day 422)" +%s)" > "$tmp/rs.json"
feed 422 --import "$tmp/rs.json" > /dev/null; ok $? "--import of SendGrid's group_resubscribe"
is "$(row gina@example.net)" "" "a resubscribe lifts the unsubscribe"
is "$(q "select action||' '||why from audit where address='gina@example.net' order by id desc limit 1")" "released resubscribed" "audited"
mkdsn olga@example.net 5.1.1 "550 5.1.1 User unknown" o1@x | feed 422
printf '{"RecordType":"SubscriptionChange","Recipient":"olga@example.net","SuppressSending":false,"SuppressionReason":null,"ChangedAt":"%s"}\n{"RecordType":"SubscriptionChange","Recipient":"judy@example.net","SuppressSending":false,"SuppressionReason":null,"ChangedAt":"%s"}\n' "$(day 422)" "$(day 422)" | feed 423 --import - > /dev/null
is "$(row olga@example.net)" "hard never" "a resubscribe lifts no hard bounce"
is "$(row judy@example.net)" "" "Postmark's SubscriptionChange reactivating an address lifts its unsubscribe"
rp=$(feed 5 --config "$tmp/sign.conf" --sign dave@example.net)
feed 5 --config "$tmp/sign.conf" --recipient "unsubscribe${rp#bounce}" < "$tmp/req.eml"
is "$(row dave@example.net)" "unsubscribe never" "a signed unsubscribe address is trusted (${rp#bounce})"

# manual: never lapses; --remove after --add restores what it covered
mkdsn covered@example.net 5.1.1 "550 5.1.1 User unknown" h1@x | feed 10
$B --now "$(day 11)" --add covered@example.net --why "by hand" > /dev/null
is "$(row covered@example.net)" "manual never" "--add covers a hard bounce"
$B --now "$(day 3000)" --expire > /dev/null
is "$(row covered@example.net)" "manual never" "manual never lapses"
$B --now "$(day 12)" --remove covered@example.net --why "undo" > "$tmp/o"; ok $? "--remove of the --add"
is "$(row covered@example.net)" "hard never" "--remove after --add restores the hard bounce"
grep -q 'hard suppression is in force again' "$tmp/o"; ok $? "and says so"
is "$(q "select action||':'||class from audit where address='covered@example.net' order by id" | tr '\n' ' ')" \
   "added:hard added:manual released:manual restored:hard " "each step audited"
$B --now "$(day 13)" --remove covered@example.net --why "mailbox exists again" > /dev/null
is "$(q "select count(*) from suppression where address='covered@example.net'")" 0 "a second --remove releases the hard bounce"
$B --now "$(day 20)" --add free@example.net --why x > /dev/null
$B --now "$(day 21)" --remove free@example.net --why y > /dev/null
is "$(q "select count(*) from suppression where address='free@example.net'")" 0 "--add then --remove of a free address frees it"
mkarf layered@example.net l1@x abuse | feed 30
$B --now "$(day 31)" --add layered@example.net --class unsubscribe --why "asked by phone" > /dev/null
is "$(row layered@example.net)" "unsubscribe never" "--add --class unsubscribe"
$B --now "$(day 200)" --remove layered@example.net --why "resubscribed" > /dev/null
is "$(q "select count(*) from suppression where address='layered@example.net'")" 0 "a complaint held under it that has lapsed is not restored"
mkdsn under@example.net 5.1.1 "550 5.1.1 User unknown" h2@x | feed 40
mkarf under@example.net l2@x opt-out | feed 41
mkdsn under@example.net 5.1.1 "550 5.1.1 User unknown" h3@x | feed 42
$B --now "$(day 43)" --remove under@example.net --why "resubscribed" > /dev/null
is "$(row under@example.net)" "hard never" "an unsubscribe lifted: the hard bounce under it is in force"
$B --add x@example.net --class soft --why x 2>/dev/null; is $? 64 "--add takes only manual or unsubscribe"

# counters only go up: erasure and retention delete events, not counts
metric() { $B --metrics | awk -v k="$1" 'index($0, k) == 1 { print $2 }'; }
mkdsn cnt1@example.net 5.1.1 "550 5.1.1 User unknown" c1@x | feed 50
mkdsn cnt2@example.net 5.1.1 "550 5.1.1 User unknown" c2@x | feed 50
k='bouncer_events_total{class="hard",reason="userunknown"}'
before=$(metric "$k")
$B --forget cnt1@example.net > /dev/null; $B --forget cnt2@example.net > /dev/null
is "$(metric "$k")" "$before" "bouncer_events_total does not go down after --forget ($before)"
mkdsn cnt3@example.net 5.1.1 "550 5.1.1 User unknown" c3@x | feed 51
is "$(metric "$k")" "$((before + 1))" "and goes on counting"

# erasure: never seen, other rows' text, tombstones
e0=$(q "select value from meta where key='erasures'")
$B --forget never-seen@example.net > "$tmp/o"; ok $? "--forget of a never-seen address exits 0"
is "$(q "select value from meta where key='erasures'")" "$e0" "forgetting a never-seen address is no erasure"
grep -q 'nothing to erase' "$tmp/o"; ok $? "and says so"
mkdsn other@example.net 5.1.1 "550 5.1.1 <other@example.net>: forwarding to Scrub.Me@Example.NET failed" s1@x | feed 52
mkdsn scrub.me@example.net 5.1.1 "550 5.1.1 User unknown" s2@x | feed 52
$B --now "$(day 52)" --add other@example.net --why "asked for scrub.me@example.net too" > /dev/null
$B --forget scrub.me@example.net > /dev/null
is "$(q "select count(*) from events where lower(diagnostic) like '%scrub.me@%'") $(q "select count(*) from audit where why like '%scrub.me@%'") $(q "select count(*) from suppression where note like '%scrub.me@%'")" "0 0 0" "the erased address is scrubbed from other rows' text"
is "$(q "select diagnostic from events where address='other@example.net'")" "550 5.1.1 <other@example.net>: forwarding to [erased] failed" "the rest of that text is kept"
is "$(q "select count(*) from erased")" 7 "a tombstone per --forget (never-seen included; three above for unsubscribers)"
is "$(q "select count(*) from erased where hash like '%scrub%' or hash like '%@%'")" 0 "tombstones hold a hash, not the address"
printf '{"email":"Scrub.Me@example.net","type":"hard"}\n{"email":"kept@example.net","type":"hard"}\n' |
	$B --now "$(day 53)" --import - > "$tmp/o"
is "$(cat "$tmp/o")" "import: 2 lines, 1 applied, 0 duplicates, 1 newly suppressed, 0 refused, 1 erased (skipped)" "--import does not bring an erased address back"
is "$(q "select count(*) from events where address='scrub.me@example.net'")" 0 "nothing of it stored"

# event_ttl: --expire deletes old events, the counters stay
printf 'event_ttl = 100d\n' > "$tmp/ttl.conf"
n_old=$(q "select count(*) from events where time < $(date -u -d "$(day 300)" +%s)")
k2='bouncer_events_total{class="soft",reason="mailboxfull"}'
soft_before=$(metric "$k2")
$B --config "$tmp/ttl.conf" --now "$(day 400)" --expire > "$tmp/o"
grep -q "^expire: $n_old events older than 100 days deleted" "$tmp/o"; ok $? "event_ttl: --expire deletes events older than it ($n_old)"
is "$(q "select count(*) from events where time < $(date -u -d "$(day 300)" +%s)")" 0 "none left"
is "$(metric "$k2")" "$soft_before" "the counters stay"

# --maillog positions are per host: two hosts, same log path
log=$tmp/mail.log
for i in 1 2 3; do echo "2026-03-01T10:00:0$i+00:00 mx postfix/smtp[1]: Q$i: to=<m$i@sent.example>, relay=x[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)"; done > "$log"
BOUNCER_HOST=mx1 $B --now "$(day 60)" --maillog "$log" > /dev/null
BOUNCER_HOST=mx2 $B --now "$(day 60)" --maillog "$log" > /dev/null
BOUNCER_HOST=mx1 $B --now "$(day 60)" --maillog "$log" > /dev/null
is "$(q "select sum(count) from sent where domain='sent.example'")" 6 "each host's log counted once (two hosts, one path)"
is "$(q "select count(*) from logpos where path='$log'")" 2 "a position per host"

# one normal form, Postfix's (SMTPUTF8: Unicode case folding), on both backends
mkdsn 'ПОЛЬЗОВАТЕЛЬ@ПРИМЕР.РФ' 5.1.1 "550 5.1.1 User unknown" nf1@x | feed 90
is "$(q "select count(*) from suppression where address='пользователь@пример.рф'")" 1 "a Cyrillic address is stored case-folded"
$B --now "$(day 90)" --add 'Straße@Example.DE' --why x > /dev/null
is "$(q "select count(*) from suppression where address='strasse@example.de'")" 1 "full case folding, as Postfix's: ß is ss"
mkdsn '"o'"'"'reilly"@R.example' 5.1.1 "550 5.1.1 User unknown" nf2@x | feed 90
is "$(q "select address from suppression where address like 'o%@r.example'")" "o'reilly@r.example" "a quoted local part is stored without its quotes"
$B --add "$(printf 'bad\377@example.com')" --why x 2> "$tmp/e"; is $? 69 "invalid UTF-8: refused"
grep -q 'not valid UTF-8' "$tmp/e"; ok $? "with a clear error"
$B --add "o'reilly\"@r.example" --why x 2> "$tmp/e"; is $? 69 "unbalanced quotes: refused"
grep -q 'unbalanced quotes' "$tmp/e"; ok $? "with a clear error"
mkdsn "$(printf 'bad\377@utf.example')" 5.1.1 "550 5.1.1 User unknown" nf3@x | feed 90
is "$(q "select count(*) from events where address like 'bad%@utf.example'")" 0 "a DSN recipient in invalid UTF-8 is stored under no key"
# --maillog on a pipe that stays open: a line is committed before the
# next read blocks (not only after 5,000 lines or the next line)
mkfifo "$tmp/ml.fifo"
$B --now "$(day 61)" --maillog - < "$tmp/ml.fifo" > /dev/null 2>&1 &
mlpid=$!
exec 7> "$tmp/ml.fifo"
echo "2026-03-02T10:00:00+00:00 mx postfix/smtp[1]: P1: to=<lonely@pipe.example>, relay=x[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host x said: 550 5.1.1 user unknown)" >&7
i=0; while [ $i -lt 100 ] && [ "$(q "select count(*) from events where address='lonely@pipe.example'")" != 1 ]; do sleep 0.1; i=$((i + 1)); done
is "$(q "select count(*) from events where address='lonely@pipe.example'")" 1 "--maillog -: one line is stored while the pipe stays open"
exec 7>&-; wait $mlpid
