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
is "$(row bob@example.net)" "unsubscribe never" "whatever the request says, where it went is what counts"
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
