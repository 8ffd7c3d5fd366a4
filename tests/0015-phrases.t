#!/bin/sh
# What MTAs and providers document that they say (src/rules/phrases.txt and
# src/rules/phrases-*.txt, one group per source), and the reason each must get:
# one --test-rule per line. BOUNCER_CHECK_NEEDLES=1 also
# runs every rule the needle index skipped and aborts if one would match.
. "$(dirname "$0")/lib.sh"
for f in "$top"/src/rules/phrases.txt "$top"/src/rules/phrases-*.txt; do
	[ -f "$f" ] || continue
	while IFS='|' read -r want text; do
		case "$want" in ''|'#'*) continue ;; esac
		got=$(BOUNCER_CHECK_NEEDLES=1 $BOUNCER --test-rule "$text" | sed -n 's/^reason: //p')
		is "$got" "$want" "$(printf '%.70s' "$text")"
	done < "$f"
done
# the phrasebook lives with the rules it witnesses; a file left elsewhere
# would be read by nobody
stray=$(ls "$top"/tests/phrases*.txt 2>/dev/null)
is "$stray" "" "every phrase file is in src/rules/"
done_testing
