#!/bin/sh
# What providers document that they say (tests/phrases.txt), and the reason
# each must get: one --test-rule per line. BOUNCER_CHECK_NEEDLES=1 also
# runs every rule the needle index skipped and aborts if one would match.
. "$(dirname "$0")/lib.sh"
while IFS='|' read -r want text; do
	case "$want" in ''|'#'*) continue ;; esac
	got=$(BOUNCER_CHECK_NEEDLES=1 $BOUNCER --test-rule "$text" | sed -n 's/^reason: //p')
	is "$got" "$want" "$(printf '%.70s' "$text")"
done < "$top/tests/phrases.txt"
done_testing
