#!/bin/sh
# tests/pkg/deb.sh - the Debian package, end to end: "make deb" builds it,
# lintian finds no error, "apt-get install ./bouncer_*.deb" installs it
# (user, groups, directory, database, signing key, conffile, Postfix
# files, the log reader's service, timers or cron), what the units and
# cron run works as their users, an application user signs return paths,
# make check's tests pass with the package's /etc/bouncer installed,
# Postfix reads the database it made, removal is refused while Postfix
# uses bouncer, saves the list, leaves cron lines that run nothing, and
# purge removes the rest. Changes this machine (a package, system users,
# /etc/postfix/main.cf for a moment), so .ci/run runs it, not "make
# check"; it skips, saying so, without root, dpkg and apt, or when bouncer
# is installed already (it never touches an installation it did not
# make). Run it under "flock /tmp/bouncer-e2e.lock". TAP; exits 1 on any
# failure.
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
made_user= made_group= made_ne= pids=
pre_backups=$(echo /var/backups/bouncer-list.*.jsonl)
getent passwd bouncer > /dev/null || made_user=1
getent group bouncer-sign > /dev/null || made_group=1
ne=/var/lib/prometheus/node-exporter
[ -d $ne ] || made_ne=1
[ -e /etc/postfix/main.cf ] && had_main=1 || had_main=
tmp=$(mktemp -d /tmp/bouncer-deb-test.XXXXXX) || exit 1
chmod 755 "$tmp"
[ -n "$had_main" ] && cp -p /etc/postfix/main.cf "$tmp/main.cf.saved"
cleanup() {
	if [ -n "$had_main" ]; then cp -p "$tmp/main.cf.saved" /etc/postfix/main.cf; else rm -f /etc/postfix/main.cf; fi
	BOUNCER_FORCE_REMOVE=1 apt-get -o DPkg::Lock::Timeout=300 purge -y -q bouncer > /dev/null 2>&1
	[ -n "$made_user" ] && { deluser --system bouncer > /dev/null 2>&1 || userdel bouncer 2> /dev/null; }
	[ -n "$made_group" ] && { delgroup --system bouncer-sign > /dev/null 2>&1 || groupdel bouncer-sign 2> /dev/null; }
	getent passwd bncapp > /dev/null && userdel bncapp 2> /dev/null
	[ -n "$made_ne" ] && rm -rf $ne && rmdir /var/lib/prometheus 2> /dev/null
	for f in /var/backups/bouncer-list.*.jsonl; do
		case " $pre_backups " in *" $f "*) ;; *) rm -f "$f" ;; esac
	done
	for p in $pids; do kill "$p" 2> /dev/null; done
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

grep -q "log: OK\|nothing will be suppressed" "$tmp/apt"
ok $? "postinst checks that bouncer can read Postfix's log, and says what to do"
grep "log: \|nothing will be suppressed\|  apt-get install rsyslog\|  adduser" "$tmp/apt" | sed 's/^/#   /'

groups=" $(id -nG bouncer 2> /dev/null) "
case $groups in *" adm "*) r=0 ;; *) r=1 ;; esac
ok $r "user bouncer, in group adm (reads mail.log)"
if getent group systemd-journal > /dev/null; then
	case $groups in *" systemd-journal "*) r=0 ;; *) r=1 ;; esac
	ok $r "user bouncer, in group systemd-journal (reads the journal)"
fi
case $groups in *" bouncer-sign "*) r=0 ;; *) r=1 ;; esac
ok $r "user bouncer, in group bouncer-sign (reads the signing key)"
[ "$(stat -c '%U:%G %a' /var/lib/bouncer 2>&1)" = "bouncer:postfix 2770" ]; ok $? "/var/lib/bouncer is bouncer:postfix 2770"
[ "$(stat -c '%U %a' /var/lib/bouncer/bouncer.db 2>&1)" = "bouncer 666" ]; ok $? "the database exists, bouncer's, 0666 inside it"
[ "$(stat -c '%U:%G %a' /etc/bouncer/sign.key 2>&1)" = "root:bouncer-sign 640" ] &&
    [ "$(tr -d '\n' < /etc/bouncer/sign.key | wc -c)" = 64 ]
ok $? "/etc/bouncer/sign.key: 32 random bytes in hex, root:bouncer-sign 0640"
dpkg-query -W -f='${Conffiles}' bouncer | grep -q '/etc/bouncer/bouncer.conf'; ok $? "/etc/bouncer/bouncer.conf is a conffile"
[ -f /usr/share/bouncer/postfix/bouncer-recipient-access.cf ] && [ -f /usr/share/bouncer/postfix/master.cf ]
ok $? "Postfix files under /usr/share/bouncer/postfix"

# make check's tests do not read the installed configuration (issue 22,
# finding 6: with trust = sent in /etc/bouncer, tests/0005 failed 20)
out=$(BOUNCER_TESTS="0005 0019 0040" sh tests/run.sh 2>&1)
printf '%s\n' "$out" | tail -1 | grep -q ' passed, 0 failed$'
ok $? "make check's store, trust and hermetic tests pass with /etc/bouncer/bouncer.conf installed ($(printf '%s\n' "$out" | tail -1))"
printf '%s\n' "$out" | grep -v ' ok (' | sed 's/^/#   /'

# the units: the log reader runs always; timers for the rest
U=/lib/systemd/system
[ -f $U/bouncer-maillog.service ] && [ ! -e $U/bouncer-maillog.timer ]
ok $? "bouncer-maillog.service installed (a service, no timer)"
for u in expire alert metrics; do
	[ -f "$U/bouncer-$u.timer" ] && [ -f "$U/bouncer-$u.service" ]
	ok $? "bouncer-$u.timer and .service installed"
done
if command -v systemd-analyze > /dev/null; then
	out=$(systemd-analyze verify --man=no $U/bouncer-*.timer $U/bouncer-*.service 2>&1)
	[ -z "$out" ]; ok $? "systemd-analyze verify: the units are valid ($out)"
fi
grep -qx 'ExecStart=/usr/bin/bouncer --config /etc/bouncer/bouncer.conf --maillog journal --follow' $U/bouncer-maillog.service &&
grep -qx 'Restart=on-failure' $U/bouncer-maillog.service && grep -qx 'User=bouncer' $U/bouncer-maillog.service &&
grep -q '^SupplementaryGroups=.*systemd-journal' $U/bouncer-maillog.service && grep -qx 'WantedBy=multi-user.target' $U/bouncer-maillog.service
ok $? "bouncer-maillog.service: follows the journal as bouncer (group systemd-journal), restarted on failure, started at boot"
! grep -q ConditionPathExists $U/bouncer-maillog.service; ok $? "... and no condition that skips it silently"
if [ -d /run/systemd/system ]; then
	systemctl is-enabled --quiet bouncer-maillog.service; ok $? "bouncer-maillog.service enabled"
	systemctl is-active --quiet bouncer-maillog.service; ok $? "bouncer-maillog.service running"
	for u in expire alert metrics; do
		systemctl is-enabled --quiet "bouncer-$u.timer"; ok $? "bouncer-$u.timer enabled"
	done
	systemctl start bouncer-expire.service; ok $? "bouncer-expire.service runs"
else
	echo "ok $((n = n + 1)) - units enabled # skip systemd is not running here"
	echo "# skipped: units enabled: systemd is not running here; running their commands as they would"
fi
for u in expire alert metrics maillog; do
	cmd=$(sed -n 's/^ExecStart=//p' "$U/bouncer-$u.service")
	case $cmd in /usr/bin/bouncer\ *|"/bin/sh -c 'exec /usr/bin/bouncer "*) r=0 ;; *) r=1 ;; esac
	ok $r "bouncer-$u.service calls /usr/bin/bouncer by its full path"
done
# as the units would: their user, their groups, their command
svc() { runuser -u bouncer -G systemd-journal -G adm -- "$@"; }
getent group systemd-journal > /dev/null || svc() { runuser -u bouncer -G adm -- "$@"; }
out=$(svc /usr/bin/bouncer --config /etc/bouncer/bouncer.conf --expire 2>&1); r=$?
[ $r = 0 ] && [ -z "$out" ]; ok $? "the expire unit's command, as bouncer: exit 0, silent ($out)"
# the follower: runs until stopped (as systemd would stop it)
timeout -s TERM 5 runuser -u bouncer -G adm -- /usr/bin/bouncer --config /etc/bouncer/bouncer.conf \
    --maillog /dev/null > "$tmp/fo" 2>&1
ok $? "--maillog of a file, as bouncer: reads it"
if command -v journalctl > /dev/null; then
	timeout -s TERM 5 runuser -u bouncer -G systemd-journal -G adm -- /usr/bin/bouncer \
	    --config /etc/bouncer/bouncer.conf --maillog journal --follow > "$tmp/fj" 2>&1; r=$?
	[ $r = 124 ]; ok $? "the log reader's command, as bouncer in systemd-journal: still following after 5 s, stopped by SIGTERM ($r: $(head -1 "$tmp/fj"))"
fi
svc /usr/bin/bouncer --config /etc/bouncer/bouncer.conf --alert > "$tmp/al1" 2>&1; r=$?
[ $r = 0 ] || [ $r = 2 ]; ok $? "the alert unit's command, as bouncer: exit 0 or 2 (SuccessExitStatus=2) ($r)"
grep -qx 'SuccessExitStatus=2' $U/bouncer-alert.service; ok $? "... a standing critical alert is not a failed unit"
svc /usr/bin/bouncer --config /etc/bouncer/bouncer.conf --alert > "$tmp/al2" 2>&1
[ ! -s "$tmp/al2" ]; ok $? "... and a second run, nothing changed, prints nothing ($(head -1 "$tmp/al2"))"
# metrics into Debian's node-exporter directory, as the unit does
mkdir -p $ne
pre=$(sed -n 's/^ExecStartPost=+//p' $U/bouncer-metrics.service)
mkdir -p /run/bouncer-metrics && chown bouncer /run/bouncer-metrics
svc sh -c "$(sed -n "s/^ExecStart=\/bin\/sh -c '\(.*\)'$/\1/p" $U/bouncer-metrics.service)" &&
    sh -c "$(printf '%s' "$pre" | sed "s/^\/bin\/sh -c '\(.*\)'$/\1/")"
ok $? "the metrics unit's commands: bouncer writes, root puts the file in place"
rm -rf /run/bouncer-metrics
grep -q '^bouncer_pending_reports ' $ne/bouncer.prom && [ "$(stat -c %a $ne/bouncer.prom)" = 644 ]
ok $? "$ne/bouncer.prom has the series (pending too), 0644"
if command -v promtool > /dev/null; then
	promtool check metrics < $ne/bouncer.prom > "$tmp/pt" 2>&1; ok $? "promtool accepts it"
fi

# cron.d: the same, by full path, each line guarded; silent
grep -q '^17 3 \* \* \* *bouncer .*/usr/bin/bouncer .*--expire' /etc/cron.d/bouncer &&
grep -q '^\*/10 \* \* \* \* *bouncer .*/usr/bin/bouncer .*--alert' /etc/cron.d/bouncer &&
grep -q '^\* \* \* \* \* *bouncer .*flock -n -E 0 .*/usr/bin/bouncer .*--maillog /var/log/mail.log --follow' /etc/cron.d/bouncer &&
grep -q '^\* \* \* \* \* *root .*/usr/bin/bouncer .*--metrics > /var/lib/prometheus/node-exporter/' /etc/cron.d/bouncer
ok $? "/etc/cron.d/bouncer: the follower (flock), --expire, --alert, --metrics, by full path"
! grep -v '^#' /etc/cron.d/bouncer | grep ' bouncer \| root ' | grep -v '^[^#]* \(bouncer\|root\) *test -x /usr/bin/bouncer && '
ok $? "... every line starts with test -x /usr/bin/bouncer"
# cronlines: "USER COMMAND" per job line
cronlines() { grep -v '^#' /etc/cron.d/bouncer | grep ' bouncer \| root ' | sed 's/^\([^ ]* *\)\{5\}//'; }
cronlines | while read -r user cmd; do
	case $cmd in *--follow*) continue ;; esac
	out=$(runuser -u "$user" -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin sh -c "$cmd" 2>&1); r=$?
	[ -z "$out" ] || { echo "cron: $user $cmd: $r $out"; exit 1; }
done > "$tmp/cron"
ok $? "the cron lines run as their users with cron's PATH, silently"
sed 's/^/#   /' "$tmp/cron"
# the follower's line: starts one reader, and a second start while it
# runs does nothing (flock), silently
printf '' > /var/log/mail.log.bouncer-test
follow=$(cronlines | sed -n 's/^bouncer *\(.*--follow\)$/\1/p' | sed 's|/var/log/mail.log|/var/log/mail.log.bouncer-test|g')
chmod 644 /var/log/mail.log.bouncer-test
runuser -u bouncer -- env -i PATH=/usr/bin:/bin sh -c "$follow" > "$tmp/f1" 2>&1 &
pids="$pids $!"; sleep 2
kill -0 $! 2> /dev/null; ok $? "the cron line starts the follower, which keeps running"
out=$(timeout 5 runuser -u bouncer -- env -i PATH=/usr/bin:/bin sh -c "$follow" 2>&1); r=$?
[ $r = 0 ] && [ -z "$out" ]; ok $? "... and while it runs, the next minute's line exits 0 at once, silently ($r $out)"
for p in $pids; do kill "$p" 2> /dev/null; done; pids=
# runuser's children (flock, the reader) outlive it: stop them too, or
# they hold what the test's caller locked (flock /tmp/bouncer-e2e.lock)
pkill -f 'mail\.log\.bouncer-test' 2> /dev/null
rm -f /var/log/mail.log.bouncer-test

# the lines for Postfix, printed, not applied
bouncer-postfix-lines bounces.example.org > "$tmp/lines"; r=$?
[ $r = 0 ] || [ $r = 1 ]; ok $? "bouncer-postfix-lines runs ($r: 1 when the log cannot be read)"
grep -q 'argv=/usr/bin/bouncer .*--queue-id ${queue_id}' "$tmp/lines" &&
grep -q "bounces.example.org bouncer:" "$tmp/lines" &&
grep -q 'relay_domains = .*bounces.example.org' "$tmp/lines"
ok $? "... with the installed paths and the bounce domain"
grep -q '^postfix check && postfix \(start\|reload\)$' "$tmp/lines"; ok $? "... and how to load them"
! grep -qs bouncer /etc/postfix/master.cf && ! grep -qs bouncer /etc/postfix/main.cf
ok $? "Postfix's configuration was not touched"

# an application user signs return paths through group bouncer-sign
useradd --no-create-home -s /usr/sbin/nologin bncapp 2> /dev/null
printf 'sign_keys = /etc/bouncer/sign.key\nsign_domain = bounces.example.org\ntrust = signed\ndb = %s/sign/bouncer.db\n' "$tmp" > "$tmp/sign.conf"
chmod 644 "$tmp/sign.conf"
out=$(runuser -u bncapp -- /usr/bin/bouncer --config "$tmp/sign.conf" --sign alice@example.net 2>&1); r=$?
[ $r != 0 ]; ok $? "an application user outside bouncer-sign cannot sign ($r: $out)"
adduser bncapp bouncer-sign > /dev/null 2>&1
signed=$(runuser -u bncapp -- /usr/bin/bouncer --config "$tmp/sign.conf" --sign alice@example.net 2>&1); r=$?
case $signed in bounce+*@bounces.example.org) ;; *) r=1 ;; esac
ok $r "... in bouncer-sign, it signs: $signed"
install -d -o bouncer -g bouncer -m 0750 "$tmp/sign"
runuser -u bouncer -- /usr/bin/bouncer --config "$tmp/sign.conf" --init > /dev/null &&
runuser -u bouncer -- /usr/bin/bouncer --config "$tmp/sign.conf" --sender MAILER-DAEMON \
    --recipient "$signed" < fixtures/postfix-userunknown.eml > /dev/null 2>&1 &&
runuser -u bouncer -- /usr/bin/bouncer --config "$tmp/sign.conf" --lookup alice@example.net | grep -q '^state  *suppressed'
ok $? "a bounce to that return path suppresses under trust = signed (bouncer reads the key)"

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
[ "$(stat -c '%U:%G %a' /etc/bouncer/sign.key 2>&1)" = "root:bouncer-sign 640" ]; ok $? "... and keeps the signing key"

# removal: refused while Postfix uses bouncer, then saves the list
echo 'transport_maps = proxy:sqlite:/etc/postfix/bouncer-transport.cf' >> /etc/postfix/main.cf
apt remove bouncer > "$tmp/rm1" 2>&1; r=$?
[ $r != 0 ] && dpkg-query -W -f='${Status}' bouncer | grep -q 'ok installed' && [ -x /usr/bin/bouncer ] && [ -e /var/lib/bouncer/bouncer.db ]
ok $? "apt remove, while main.cf uses bouncer's map: refused, bouncer stays ($r)"
grep -q 'not removed: Postfix still uses' "$tmp/rm1" && grep -q 'bouncer-transport.cf' "$tmp/rm1"
ok $? "... saying so and naming the line"
grep 'bouncer:' "$tmp/rm1" | head -2 | sed 's/^/#   /'
if [ -n "$had_main" ]; then cp -p "$tmp/main.cf.saved" /etc/postfix/main.cf; else rm -f /etc/postfix/main.cf; fi
apt remove bouncer > "$tmp/rm2" 2>&1; ok $? "apt remove once Postfix no longer uses it"
b=$(ls -t /var/backups/bouncer-list.*.jsonl 2> /dev/null | head -1)
[ -n "$b" ] && grep -q '"address":"alice@example.net"' "$b" && [ "$(stat -c %a "$b")" = 600 ]
ok $? "... which saved the list in /var/backups ($b, 0600)"
[ ! -e /usr/bin/bouncer ] && [ -e /etc/cron.d/bouncer ]; ok $? "the binary is gone, the cron file (a conffile) stays"
cronlines | while read -r user cmd; do
	out=$(runuser -u "$user" -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin sh -c "$cmd" 2>&1)
	[ -z "$out" ] || { echo "cron: $user $cmd: $out"; exit 1; }
done > "$tmp/cron2"
ok $? "... and its lines run nothing, silently"
sed 's/^/#   /' "$tmp/cron2"
apt purge bouncer > "$tmp/purge" 2>&1; ok $? "apt-get purge bouncer"
[ ! -e /var/lib/bouncer ] && [ ! -e /usr/bin/bouncer ] && [ ! -e /etc/cron.d/bouncer ] && [ ! -e /etc/bouncer/sign.key ]
ok $? "purge removed the database, the binary, the cron file and the key"
[ -n "$b" ] && [ -e "$b" ]; ok $? "... and kept the saved list"
echo "1..$n"
[ "$failed" = 0 ]
