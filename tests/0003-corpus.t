#!/bin/sh
# Every message of ../shared/corpus parses without a crash (and, under
# make check-asan, without a sanitizer report), exiting with a documented
# status; prints how many recipients were found.
. "$(dirname "$0")/lib.sh"

# The rule filter (needle.c) only skips rules that cannot match: with
# BOUNCER_CHECK_NEEDLES every skipped rule is run anyway, and bouncer
# aborts if one matches. The fixtures here, the corpus below.
BOUNCER_CHECK_NEEDLES=1 $BOUNCER --allow-root --jobs 2 --replay --dry-run "$top/fixtures" > /dev/null 2> "$tmp/err"
grep -q 'needle check' "$tmp/err"; is $? 1 "no rule skipped by its needles matches a fixture"

if [ ! -d "$CORPUS/maildir" ]; then
	skip "corpus parse" "no corpus at $CORPUS"
	done_testing; exit 0
fi
files=0 bad=0 rcpts=0
for f in $(find "$CORPUS/maildir" "$CORPUS/mailbox" -type f | sort); do
	files=$((files + 1))
	$BOUNCER --explain --json "$f" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	case $rc in
	0|65) ;;
	*) bad=$((bad + 1)); echo "# $f: exit $rc"; sed 's/^/#   /' "$tmp/err" | head -5 ;;
	esac
	if grep -q 'runtime error\|AddressSanitizer\|LeakSanitizer' "$tmp/err"; then
		bad=$((bad + 1)); echo "# $f: sanitizer report"; head -5 "$tmp/err" | sed 's/^/#   /'
	fi
	rcpts=$((rcpts + $(grep -c '^{' "$tmp/out")))
done
echo "# corpus: $files files, $rcpts recipients found"
BOUNCER_CHECK_NEEDLES=1 $BOUNCER --allow-root --replay --dry-run "$CORPUS/maildir" "$CORPUS/mailbox" > /dev/null 2> "$tmp/err"
grep -q 'needle check' "$tmp/err"; is $? 1 "no rule skipped by its needles matches a corpus message"
is "$bad" 0 "all $files corpus files parse with status 0 or 65"
ok $([ "$rcpts" -gt 400 ]; echo $?) "more than 400 recipients found ($rcpts)"
done_testing
