#!/bin/sh
# tests/pkg/deb.sh - the Debian package, end to end: "make deb" builds it,
# lintian finds no error, "apt-get install ./bouncer_*.deb" installs it
# (user, directory, database, conffile, Postfix files, timers or cron),
# what the timers and cron run works as the bouncer user, Postfix reads
# the database it made, and purge removes it. Changes this machine (a
# package, a system user), so .ci/run runs it, not "make check"; it skips,
# saying so, without root, dpkg and apt, or when bouncer is installed
# already (it never touches an installation it did not make). TAP; exits
# 1 on any failure.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }
skip_all() { echo "ok 1 - Debian package # skip $1"; echo "# skipped: Debian package: $1"; echo "1..1"; exit 0; }

[ "$(id -u)" = 0 ] || skip_all "needs root"
command -v dpkg-deb > /dev/null && command -v apt-get > /dev/null || skip_all "needs dpkg and apt"
dpkg-query -W -f='${Status}' bouncer 2> /dev/null | grep -q 'installed' &&
    skip_all "bouncer is installed on this machine; not touching it"
[ -e /var/lib/bouncer ] && skip_all "/var/lib/bouncer exists; not touching it"
made_user=
getent passwd bouncer > /dev/null || made_user=1
tmp=$(mktemp -d /tmp/bouncer-deb-test.XXXXXX) || exit 1
chmod 755 "$tmp"
cleanup() {
	apt-get -o DPkg::Lock::Timeout=300 purge -y -q bouncer > /dev/null 2>&1
	[ -n "$made_user" ] && { deluser --system bouncer > /dev/null 2>&1 || userdel bouncer 2> /dev/null; }
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
apt() { DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -y -q "$@"; }

rm -f bouncer_*.deb
make -s deb > "$tmp/build" 2>&1; ok $? "make deb"
deb=$(ls bouncer_*.deb 2> /dev/null | head -1)
[ -n "$deb" ]; ok $? "it made $deb"
if command -v lintian > /dev/null; then
	lintian "$deb" > "$tmp/lintian" 2>&1
	! grep -q '^E:' "$tmp/lintian"; ok $? "lintian: no error"
	grep '^[EW]:' "$tmp/lintian" | sed 's/^/#   /'
else
	echo "ok $((n = n + 1)) - lintian # skip not installed"; echo "# skipped: lintian not installed"
fi
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections 2> /dev/null
apt install --no-install-recommends "./$deb" > "$tmp/apt" 2>&1; ok $? "apt-get install ./$deb"
tail -3 "$tmp/apt" | sed 's/^/#   /'
dpkg-query -W -f='${Status}' bouncer | grep -q 'install ok installed'; ok $? "installed"

id -nG bouncer 2> /dev/null | tr ' ' '\n' | grep -qx adm; ok $? "user bouncer, in group adm (reads mail.log)"
[ "$(stat -c '%U:%G %a' /var/lib/bouncer 2>&1)" = "bouncer:postfix 2770" ]; ok $? "/var/lib/bouncer is bouncer:postfix 2770"
[ "$(stat -c '%U %a' /var/lib/bouncer/bouncer.db 2>&1)" = "bouncer 666" ]; ok $? "the database exists, bouncer's, 0666 inside it"
dpkg-query -W -f='${Conffiles}' bouncer | grep -q '/etc/bouncer/bouncer.conf'; ok $? "/etc/bouncer/bouncer.conf is a conffile"
[ -f /usr/share/bouncer/postfix/bouncer-recipient-access.cf ] && [ -f /usr/share/bouncer/postfix/master.cf ]
ok $? "Postfix files under /usr/share/bouncer/postfix"

# the timers: enabled and run under systemd; elsewhere, what they run
for u in expire maillog; do
	[ -f "/lib/systemd/system/bouncer-$u.timer" ] && [ -f "/lib/systemd/system/bouncer-$u.service" ]
	ok $? "bouncer-$u.timer and .service installed"
done
if command -v systemd-analyze > /dev/null; then
	out=$(systemd-analyze verify --man=no /lib/systemd/system/bouncer-*.timer \
	    /lib/systemd/system/bouncer-*.service 2>&1)
	[ -z "$out" ]; ok $? "systemd-analyze verify: the units are valid ($out)"
fi
if [ -d /run/systemd/system ]; then
	for u in expire maillog; do
		systemctl is-enabled --quiet "bouncer-$u.timer"; ok $? "bouncer-$u.timer enabled"
	done
	systemctl start bouncer-expire.service; ok $? "bouncer-expire.service runs"
else
	echo "ok $((n = n + 1)) - timers enabled # skip systemd is not running here"
	echo "# skipped: timers enabled: systemd is not running here; running their commands instead"
fi
for u in expire maillog; do
	cmd=$(sed -n 's/^ExecStart=//p' "/lib/systemd/system/bouncer-$u.service")
	case $cmd in /usr/bin/bouncer\ *) r=0 ;; *) r=1 ;; esac
	ok $r "bouncer-$u.service calls /usr/bin/bouncer by its full path"
done
printf 'Nov 20 11:00:04 mx postfix/smtp[9]: Q2: to=<x@big.example>, relay=mx[192.0.2.1]:25, delay=1, dsn=2.0.0, status=sent (250 ok)\n' > "$tmp/mail.log"
chmod 644 "$tmp/mail.log"
out=$(runuser -u bouncer -- /usr/bin/bouncer --config /etc/bouncer/bouncer.conf --expire 2>&1); r=$?
[ $r = 0 ] && [ -z "$out" ]; ok $? "the expire timer's command, as bouncer: exit 0, silent ($out)"
runuser -u bouncer -- /usr/bin/bouncer --config /etc/bouncer/bouncer.conf --maillog "$tmp/mail.log" > "$tmp/ml" 2>&1
ok $? "the maillog timer's command, as bouncer, reads a log"
# cron.d: the same commands, with the binary's full path, silent
grep -q '^17 3 \* \* \* *bouncer .*/usr/bin/bouncer .*--expire' /etc/cron.d/bouncer &&
grep -q '/usr/bin/bouncer .*--maillog /var/log/mail.log' /etc/cron.d/bouncer
ok $? "/etc/cron.d/bouncer: --expire nightly, --maillog, by full path"
grep -v '^#' /etc/cron.d/bouncer | grep ' bouncer ' | sed 's/^\([^ ]* *\)\{5\}bouncer *//' |
while read -r cmd; do
	out=$(runuser -u bouncer -- env -i PATH=/usr/bin:/bin sh -c "$cmd" 2>&1); r=$?
	[ $r = 0 ] && [ -z "$out" ] || { echo "cron: $cmd: $r $out"; exit 1; }
done > "$tmp/cron"
ok $? "the cron lines run as bouncer with cron's PATH, silently"
sed 's/^/#   /' "$tmp/cron"

# the lines for Postfix, printed, not applied
bouncer-postfix-lines bounces.example.org > "$tmp/lines"; ok $? "bouncer-postfix-lines runs"
grep -q 'argv=/usr/bin/bouncer .*--queue-id ${queue_id}' "$tmp/lines" &&
grep -q "bounces.example.org bouncer:" "$tmp/lines" &&
grep -q 'relay_domains = .*bounces.example.org' "$tmp/lines"
ok $? "... with the installed paths and the bounce domain"
! grep -q bouncer /etc/postfix/master.cf 2> /dev/null && ! grep -qs bouncer /etc/postfix/main.cf
ok $? "Postfix's configuration was not touched"

# a bounce piped as pipe(8) would, then read by Postfix as postfix. The
# packaged bouncer.conf says trust = sent: first Postfix's log shows that
# we sent the returned message (its queue ID and Message-ID) to alice.
mkdir "$tmp/pf"; : > "$tmp/pf/main.cf"
now=$(LC_ALL=C date '+%b %e %H:%M:%S')
{ printf '%s mx1 postfix/cleanup[123]: 4F2A31C0123: message-id=<20261103091458.4F2A31C0123@mx1.sender.example>\n' "$now"
  printf '%s mx1 postfix/smtp[124]: 4F2A31C0123: to=<alice@example.net>, relay=mx.example.net[192.0.2.1]:25, delay=1, delays=0.1/0/0.5/0.4, dsn=2.0.0, status=sent (250 2.0.0 OK)\n' "$now"
} > "$tmp/pf/mail.log"
chmod -R a+rX "$tmp/pf"
runuser -u bouncer -- /usr/bin/bouncer --maillog "$tmp/pf/mail.log" > /dev/null
ok $? "--maillog as bouncer learns what we sent"
runuser -u bouncer -- /usr/bin/bouncer --sender MAILER-DAEMON < fixtures/postfix-userunknown.eml
ok $? "pipe mode as bouncer stores a bounce"
if command -v postmap > /dev/null && [ -e /usr/lib/postfix/postfix-sqlite.so ]; then
	out=$(runuser -u postfix -- postmap -c "$tmp/pf" -q alice@example.net \
	    sqlite:/usr/share/bouncer/postfix/bouncer-recipient-access.cf 2>&1)
	case $out in "REJECT 5.1.1"*) r=0 ;; *) r=1 ;; esac
	ok $r "Postfix reads it through the packaged map ($out)"
fi
dpkg -i "$deb" > "$tmp/again" 2>&1; ok $? "installing it again (upgrade path) works"
apt purge --no-install-recommends bouncer > "$tmp/purge" 2>&1; ok $? "apt-get purge bouncer"
[ ! -e /var/lib/bouncer ] && [ ! -e /usr/bin/bouncer ] && [ ! -e /etc/cron.d/bouncer ]
ok $? "purge removed the database, the binary and the cron file"
echo "1..$n"
[ "$failed" = 0 ]
