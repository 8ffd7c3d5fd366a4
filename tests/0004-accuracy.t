#!/bin/sh
# The classification ratchet: reason and hard-bounce agreement on the
# corpus must not fall more than a point below the best reached so far.
# Raise the numbers below as the classifier improves.
. "$(dirname "$0")/lib.sh"
MIN_REASON=92.3
MIN_HARD=95.6
MIN_FOUND=98.3
if [ ! -f "$CORPUS/expected.jsonl" ]; then
	skip "accuracy ratchet" "no corpus at $CORPUS"
	done_testing; exit 0
fi
sh "$top/bench/accuracy" "$BOUNCER" > "$tmp/acc"
sed "s/^/# /" "$tmp/acc" | head -10
pct() { sed -n "s/^$1: *\([0-9.]*\)%.*/\1/p" "$tmp/acc"; }
above() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'; }
above "$(pct 'reason agreement')" $MIN_REASON; ok $? "reason agreement >= $MIN_REASON%"
above "$(pct 'hard-bounce agreement')" $MIN_HARD; ok $? "hard-bounce agreement >= $MIN_HARD%"
above "$(pct 'recipients found')" $MIN_FOUND; ok $? "recipients found >= $MIN_FOUND%"
done_testing
