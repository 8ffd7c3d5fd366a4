#!/bin/sh
# The journal says who wrote an entry (issue 23): a real systemd-journald,
# in a mount namespace of the test's own (a tmpfs on /run, so nothing of
# the host's journal is read or written), takes a delivery line tagged
# postfix/smtp from logger(1) run as nobody and one run as Postfix's user.
# --maillog journal acts on Postfix's only and says it ignored the other.
# Skipped where there is no journald, no unshare, no root or no user
# postfix (a fresh clone on a workstation).
. "$(dirname "$0")/lib.sh"
jd=/lib/systemd/systemd-journald
why=
[ "$(id -u)" = 0 ] || why="not root"
[ -n "$why" ] || [ -x $jd ] || why="no $jd"
[ -n "$why" ] || command -v unshare > /dev/null || why="no unshare"
[ -n "$why" ] || command -v logger > /dev/null || why="no logger"
[ -n "$why" ] || command -v journalctl > /dev/null || why="no journalctl"
[ -n "$why" ] || getent passwd postfix > /dev/null || why="no user postfix"
[ -n "$why" ] || unshare -m true 2> /dev/null || why="unshare -m refused"
if [ -n "$why" ]; then
	skip "a real journald: a local user's line in Postfix's name" "$why"
	done_testing
	exit 0
fi
cat > "$tmp/inner" <<'EOS'
set -u
mount --make-rprivate / 2> /dev/null
mount -t tmpfs tmpfs /run || exit 3
[ -d /var/log/journal ] && { mount -t tmpfs tmpfs /var/log/journal || exit 3; }
mkdir -p /run/systemd/journal /run/log
"$JD" > "$T/journald.out" 2>&1 &
jp=$!
i=0; while [ $i -lt 100 ] && [ ! -S /run/systemd/journal/dev-log ]; do sleep 0.1; i=$((i + 1)); done
line() { printf '%s: to=<%s@example.net>, relay=mx.example.net[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx.example.net[192.0.2.1] said: 550 5.1.1 user unknown (in reply to RCPT TO command))' "$1" "$2"; }
runuser -u nobody -- logger -u /run/systemd/journal/dev-log -p mail.info -t 'postfix/smtp[123]' "$(line 1A1 victim)"
runuser -u postfix -- logger -u /run/systemd/journal/dev-log -p mail.info -t 'postfix/smtp[124]' "$(line 1A2 gone)"
# journald writes what it received before it answers a reader
i=0; while [ $i -lt 50 ] && [ "$(journalctl -q -o cat SYSLOG_FACILITY=2 2> /dev/null | grep -c status=bounced)" != 2 ]; do sleep 0.1; i=$((i + 1)); done
journalctl -q -o export SYSLOG_FACILITY=2 > "$T/export" 2>&1
$B --maillog journal > "$T/out" 2> "$T/err"
echo $? > "$T/rc"
kill $jp; wait $jp
EOS
printf 'db = %s/b.db\n' "$tmp" > "$tmp/conf"
B="$BOUNCER --allow-root --config $tmp/conf"
$B --init > /dev/null
JD=$jd T=$tmp B=$B unshare -m sh "$tmp/inner"
is "$?" 0 "a journald of the test's own ran ($(head -2 "$tmp/journald.out" | tr '\n' ' '))"
grep -aq "^_UID=$(id -u nobody)$" "$tmp/export" && grep -aq "^_UID=$(id -u postfix)$" "$tmp/export"
ok $? "journald recorded each sender's user ID"
is "$(cat "$tmp/rc")" 0 "--maillog journal: exit 0 ($(cat "$tmp/err"))"
$B --lookup victim@example.net > "$tmp/l"
grep -q '^state *not suppressed' "$tmp/l"; ok $? "a bounced line logged by nobody as postfix/smtp suppresses nobody ($(grep '^state' "$tmp/l"))"
$B --lookup gone@example.net > "$tmp/l"
grep -q '^state *suppressed' "$tmp/l"; ok $? "the same line from Postfix's user suppresses ($(grep '^state' "$tmp/l"))"
grep -q 'ignored 1 entries in Postfix.s name from users not in maillog_users' "$tmp/err"
ok $? "... and the run says it ignored one"
done_testing
