#!/bin/sh
# tests/run.sh - run every test program and TAP script, count the
# assertions, and end with "N passed, N failed". Exit 1 on any failure.
#
# C unit tests: tests/unit/test_* (TAP on stdout).
# Shell tests:  tests/NNNN-*.t    (TAP on stdout, sourced helpers in lib.sh).
# BOUNCER_VALGRIND=1 runs the unit tests and bouncer under valgrind;
# BOUNCER_TESTS="0001 0002" runs only those shell tests.
set -u
cd "$(dirname "$0")/.." || exit 1
passed=0 failed=0 skipped=0
log=$(mktemp) || exit 1
trap 'rm -f "$log"' EXIT INT TERM

run_one() {
	name=$1; shift
	"$@" > "$log" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	s=$(grep -ci '^ok .*# skip' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name exited with status $rc" >> "$log"
	fi
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
	if [ "$f" -gt 0 ]; then
		printf '%-40s FAIL (%d passed, %d failed)\n' "$name" "$p" "$f"
		grep -v '^ok ' "$log" | sed 's/^/    /'
	else
		printf '%-40s ok (%d)%s\n' "$name" "$p" \
		    "$(grep -i '^# *skipped\|# skip' "$log" | head -1 | sed 's/^/  /')"
	fi
}

vg=
if [ "${BOUNCER_VALGRIND:-0}" = 1 ]; then
	vg="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --suppressions=tests/valgrind.supp"
fi
for t in tests/unit/test_*; do
	case $t in *.c|*.h) continue ;; esac
	[ -x "$t" ] || continue
	run_one "$t" $vg "$t"
done
for t in tests/[0-9]*.t; do
	if [ -n "${BOUNCER_TESTS:-}" ]; then
		num=$(basename "$t" | cut -c1-4)
		case " $BOUNCER_TESTS " in *" $num "*) ;; *) continue ;; esac
	fi
	run_one "$t" sh "$t"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
