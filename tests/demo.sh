#!/bin/sh
# tests/demo.sh - make demo: run bouncer over the bundled fixtures into a
# throw-away SQLite database, as Postfix's pipe transport would, and show
# what it found and what the suppression list now says.
set -u
cd "$(dirname "$0")/.." || exit 1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bouncer-demo.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
db=$tmp/demo.db
# the fixtures were not sent from this machine, so nothing in its log ties
# them to our mail: the demo trusts every report (trust = any), which the
# shipped bouncer.conf does not (trust = sent; bouncer(1), TRUST)
printf 'trust = any\n' > "$tmp/demo.conf"
B="./bouncer --db $db --config $tmp/demo.conf --allow-root"
$B --init > /dev/null
echo "== bouncer demo: each fixture piped in as Postfix would (database $db)"
echo "   (trust = any: these reports are not tied to mail sent from here;"
echo "   the shipped bouncer.conf suppresses only on tied reports, see bouncer(1) TRUST)"
for f in fixtures/*.eml; do
	printf '\n-- %s\n' "$(basename "$f")"
	./bouncer --explain --json "$f" 2>&1 | awk -F'"' '
	    /^\{/ { for (i = 2; i < NF; i += 4) v[$i] = $(i + 2)
	            printf "   %-30s %-10s %-14s %-6s %s\n", v["recipient"], v["class"], v["reason"], v["status"], substr(v["rule"], 1, 50); next }
	    { print "   " $0 }'
	$B --sender MAILER-DAEMON < "$f"
	echo "   (pipe mode exit status $?)"
done
printf '\n== the suppression list Postfix now reads\n'
$B --list
printf '\n== one address in detail\n'
$B --lookup alice@example.net
printf '\n== the same bounce again is not counted twice\n'
$B < fixtures/postfix-userunknown.eml
sqlite3 "$db" "select 'events for alice: ' || count(*) from events where address='alice@example.net'" 2>/dev/null ||
    echo "(sqlite3 not installed)"
printf '\n== a year later, the nightly --expire\n'
$B --now "$(date -u -d '+1 year' +%Y-%m-%dT%H:%M:%SZ)" --expire
