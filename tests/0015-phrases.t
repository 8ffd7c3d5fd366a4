#!/bin/sh
# What providers document that they say (tests/phrases.txt), and the reason
# each must get: one --test-rule per line.
. "$(dirname "$0")/lib.sh"
while IFS='|' read -r want text; do
	case "$want" in ''|'#'*) continue ;; esac
	got=$($BOUNCER --test-rule "$text" | sed -n 's/^reason: //p')
	is "$got" "$want" "$(printf '%.70s' "$text")"
done < "$top/tests/phrases.txt"
done_testing
