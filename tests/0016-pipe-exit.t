#!/bin/sh
# Pipe mode exits only 0 or 75, whatever master.cf's argv says; --sign
# hands out no return path longer than SMTP carries.
. "$(dirname "$0")/lib.sh"
fx=$top/fixtures
db=$tmp/b.db
B="$BOUNCER --allow-root --db $db"
$B --init > /dev/null

# pipe_rc ARGS...: exit status and stderr of pipe mode over a real bounce
pipe_rc() {
	"$@" < "$fx/postfix-userunknown.eml" > "$tmp/o" 2> "$tmp/e"
	echo $?
}
is "$(pipe_rc $B --bogus-option)" 75 "unknown option in pipe mode: 75, not 64"
is "$(wc -l < "$tmp/e" | tr -d ' ')" 1 "one line on stderr"
grep -q 'deferred.*--bogus-option' "$tmp/e"; ok $? "it names the option ($(cat "$tmp/e"))"
grep -q '^[245]\.[0-9]' "$tmp/e"; is $? 1 "no line starts with an enhanced status code"
is "$(pipe_rc $B --max-size 0)" 75 "--max-size 0 in pipe mode: 75"
grep -q 'max-size' "$tmp/e"; ok $? "says which option"
is "$(pipe_rc $B --now yesterday)" 75 "--now yesterday in pipe mode: 75"
is "$(wc -l < "$tmp/e" | tr -d ' ')" 1 "one line on stderr"
is "$(pipe_rc $B --sender)" 75 "option without its argument: 75"
is "$(pipe_rc $B --jobs 0)" 75 "bad --jobs: 75"
is "$(pipe_rc $B stray-argument)" 75 "stray argument: 75"
is "$(pipe_rc $B --since 3x)" 75 "bad --since: 75"
is "$(pipe_rc $B --bogus-option --now 2026-11-20T12:00:00Z)" 75 "bad option first, good one after: still 75"
printf 'no_such_key = 1\n' > "$tmp/bad.conf"
is "$(pipe_rc $B --config "$tmp/bad.conf")" 75 "bad configuration: 75"
is "$(pipe_rc $B --config "$tmp/missing.conf")" 75 "missing configuration: 75"
is "$(pipe_rc $B --rules "$tmp/missing.rules")" 75 "missing rules file: 75"
is "$(pipe_rc $B)" 0 "and a good argv stores it: 0"
# outside pipe mode, usage errors keep their own status
$B --explain --bogus-option "$fx/postfix-userunknown.eml" > /dev/null 2>&1; is $? 64 "--explain with a bad option: 64"
$B --lookup a@example.com --now yesterday > /dev/null 2>&1; is $? 64 "--lookup with a bad --now: 64"

# --sign: a return path longer than 254 bytes is refused
key=$tmp/sign.key
printf '%s\n' 0123456789abcdef0123456789abcdef0123456789abcdef > "$key"; chmod 600 "$key"
printf 'sign_keys = %s\nsign_domain = bounces.sender.example\n' "$key" > "$tmp/sign.conf"
S="$B --config $tmp/sign.conf --now 2026-11-20T12:00:00Z"
# local@example.com, the local part n bytes long
addr() { printf '%*s@example.com' "$1" '' | tr ' ' a; }
long=$(addr 200)
$S --sign "$long" > "$tmp/o" 2> "$tmp/e"; rc=$?
is "$rc" 69 "--sign of a $(printf %s "$long" | wc -c)-byte address: refused (69)"
is "$(wc -c < "$tmp/o" | tr -d ' ')" 0 "nothing printed on stdout"
grep -q 'more than the 254' "$tmp/e"; ok $? "clear error ($(cat "$tmp/e" | cut -c1-60)...)"
# the longest that fits gives exactly 254
for l in 190 191 192 193 194 195 196 197 198 199; do
	rp=$($S --sign "$(addr $l)" 2>/dev/null) || break
	fit=$rp
done
is "$(printf %s "$fit" | wc -c | tr -d ' ')" 254 "the longest address signed gives a 254-byte return path"
mkdsn "$(addr 10)" 5.1.1 "550 5.1.1 User unknown" x1@x > "$tmp/d.eml"
rp=$($S --sign "$(addr 10)"); ok $? "a short address is signed"
done_testing
