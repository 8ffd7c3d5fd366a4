#!/bin/sh
# Hermetic tests (issue 22, finding 6): with the package installed
# (/etc/bouncer/bouncer.conf saying trust = sent), "make check" failed,
# because every bouncer the tests ran read the system's configuration.
# tests/lib.sh now points BOUNCER_CONFIG at an empty file; here a few of
# the suites run again with each bouncer under strace, and no run may
# touch /etc/bouncer or /var/lib/bouncer. Also: BOUNCER_CONFIG is read,
# and it must exist (a typo is not silently "no configuration").
. "$(dirname "$0")/lib.sh"
db=$tmp/t.db

# BOUNCER_CONFIG is the configuration when no --config is given
printf 'trust = sent\n' > "$tmp/sent.conf"
$BOUNCER --db "$db" --init > /dev/null
BOUNCER_CONFIG=$tmp/sent.conf $BOUNCER --allow-root --db "$db" --sender MAILER-DAEMON \
    < "$top/fixtures/postfix-userunknown.eml" > /dev/null 2>&1
is "$(q 'SELECT count(*) FROM pending') $(q 'SELECT count(*) FROM suppression')" \
    "1 0" "BOUNCER_CONFIG's trust = sent keeps an untied bounce pending"
BOUNCER_CONFIG=$tmp/missing.conf $BOUNCER --db "$db" --list > /dev/null 2> "$tmp/err"
is "$?" 78 "a BOUNCER_CONFIG that does not exist: exit 78 (EX_CONFIG)"
grep -q "missing.conf" "$tmp/err"; ok $? "... naming it"
mkdsn bob@example.net 5.1.1 "550 5.1.1 no such user" m2@test.example |
    BOUNCER_CONFIG=$tmp/sent.conf $BOUNCER --config /dev/null --allow-root --db "$db" \
    --sender MAILER-DAEMON > /dev/null 2>&1
is "$(q 'SELECT count(*) FROM pending') $(q "SELECT count(*) FROM suppression WHERE address = 'bob@example.net'")" \
    "1 1" "--config wins over BOUNCER_CONFIG"

if ! command -v strace > /dev/null; then
	skip "the suites under strace" "strace is not installed"
	done_testing; exit 0
fi
if ! strace -f -qq -e trace=%file -o /dev/null true 2> /dev/null; then
	skip "the suites under strace" "strace cannot trace here (ptrace refused)"
	done_testing; exit 0
fi
real=${BOUNCER_REAL:-$top/bouncer}
mkdir "$tmp/bin" "$tmp/traces"
# LeakSanitizer cannot run under ptrace (make check-asan): the leaks are
# checked by every other test, the files opened here
cat > "$tmp/bin/bouncer" <<EOT
#!/bin/sh
ASAN_OPTIONS=\${ASAN_OPTIONS:+\$ASAN_OPTIONS:}detect_leaks=0
export ASAN_OPTIONS
exec strace -f -qq -e trace=%file -o "$tmp/traces/\$\$" "$real" "\$@"
EOT
chmod +x "$tmp/bin/bouncer"
# the tracer sees what any bouncer run opens: check it sees the system path
env -u BOUNCER_CONFIG "$tmp/bin/bouncer" --db "$db" --list > /dev/null 2>&1
grep -qs '"/etc/bouncer/bouncer.conf"' "$tmp"/traces/*; ok $? "the tracer sees a run without BOUNCER_CONFIG open /etc/bouncer/bouncer.conf"
rm -f "$tmp"/traces/*
for t in 0002-cli 0005-store 0019-tied-to-our-mail; do
	out=$(BOUNCER=$tmp/bin/bouncer sh "$top/tests/$t.t" 2>&1)
	! printf '%s\n' "$out" | grep -q '^not ok'; ok $? "tests/$t.t passes with every bouncer traced"
	runs=$(ls "$tmp/traces" | wc -l)
	[ "$runs" -gt 5 ]; ok $? "... $runs bouncer runs traced"
	hits=$(grep -h '"/etc/bouncer\|"/var/lib/bouncer' "$tmp"/traces/* | sort -u | head -5)
	is "$hits" "" "... none opened /etc/bouncer or /var/lib/bouncer"
	rm -f "$tmp"/traces/*
done
done_testing
