#!/bin/sh
# The bounce lab's fixtures (fixtures/lab/, made by `make lab` from real
# mail software, README "The bounce lab"): each bounce's truth is the cause
# the lab set up. Every labelled recipient must be found (as the final or
# the original recipient), no live address may come out hard, and the
# share classified as labelled (class and reason) must not fall below the
# best reached so far (raise MIN_AGREE as the classifier improves).
. "$(dirname "$0")/lib.sh"
MIN_AGREE=171
MIN_MESSAGES=150	# issue 27: 150 or more labelled bounces
lab=${LAB_FIXTURES:-$top/fixtures/lab}
[ -f "$lab/expected.jsonl" ] || { echo "not ok 1 - no $lab/expected.jsonl"; exit 1; }
total=0 found=0 agree=0 falsehard=0 known=0
while IFS= read -r line; do
	f=$(printf '%s\n' "$line" | jget file)
	want_rcpt=$(printf '%s\n' "$line" | jget recipient)
	want_class=$(printf '%s\n' "$line" | jget class)
	want_reason=$(printf '%s\n' "$line" | jget reason)
	why=$(printf '%s\n' "$line" | jget exception)
	total=$((total + 1))
	$BOUNCER --explain --json "$lab/$f" > "$tmp/out" 2>/dev/null
	got=$(awk -v r="$want_rcpt" 'tolower($0) ~ "\"(original_)?recipient\": ?\"" tolower(r) "\"" { print; exit }' "$tmp/out")
	if [ -z "$got" ]; then
		echo "# $f: $want_rcpt not found"
		continue
	fi
	found=$((found + 1))
	class=$(printf '%s\n' "$got" | jget class)
	reason=$(printf '%s\n' "$got" | jget reason)
	case "/$want_reason/" in */"$reason"/*) reason_ok=1 ;; *) reason_ok= ;; esac
	if [ "$class" = "$want_class" ] && [ -n "$reason" ] && [ -n "$reason_ok" ]; then
		agree=$((agree + 1))
		continue
	fi
	if [ -n "$why" ]; then
		known=$((known + 1))
		echo "# $f: $want_rcpt got $class $reason, labelled $want_class $want_reason: known exception: $why"
		continue
	fi
	if [ "$class" = hard ] && [ "$want_class" != hard ]; then
		falsehard=$((falsehard + 1))
		echo "# $f: $want_rcpt FALSE HARD ($reason; labelled $want_class $want_reason)"
	fi
	echo "# $f: $want_rcpt got $class $reason, labelled $want_class $want_reason"
done < "$lab/expected.jsonl"
echo "# lab: $total labelled, $found found, $agree as labelled, $known known exceptions, $falsehard false hard"
files=$(jget file < "$lab/expected.jsonl" | sort -u | wc -l)
ok $((files < MIN_MESSAGES)) "the lab has at least $MIN_MESSAGES labelled bounces ($files, $total recipients)"
is "$found" "$total" "every labelled recipient found"
is "$falsehard" 0 "no live address classed hard"
awk -v a="$agree" -v m="$MIN_AGREE" 'BEGIN { exit !(a >= m) }'
ok $? "classified as labelled: $agree of $total, at least $MIN_AGREE"
is "$((total - agree - known))" 0 "every other one classified as labelled"
done_testing
