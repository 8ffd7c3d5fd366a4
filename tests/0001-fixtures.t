#!/bin/sh
# Every fixture against its .expected: recipient, class, reason, status,
# reply code and action of each recipient, or the one-line verdict.
. "$(dirname "$0")/lib.sh"
for f in "$top"/fixtures/*.eml; do
	exp=${f%.eml}.expected
	[ -f "$exp" ] || continue
	name=$(basename "$f" .eml)
	out=$($BOUNCER --explain --json "$f" 2>"$tmp/err")
	if [ -z "$out" ]; then
		got=$(cat "$tmp/err")
	else
		got=$(printf '%s\n' "$out" | awk -F'"' '{
		    for (i = 2; i < NF; i += 4) v[$i] = $(i + 2)
		    printf "%s\t%s\t%s\t%s\t%s\t%s\n", v["recipient"], v["class"],
		        v["reason"], v["status"], v["replycode"], v["action"] }')
	fi
	is "$got" "$(cat "$exp")" "fixture $name"
done
done_testing
