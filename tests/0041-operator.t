#!/bin/sh
# The smaller points of issue 22 (finding 7), each of which was wrong:
# --list --class with a class no listing has is a usage error; the map
# files' comments agree with README and Postfix 3's real default
# proxy_read_maps; bouncer-postfix-lines says "reload" only to a running
# Postfix, prints its lines and checks Postfix's log under trust = sent
# with a useful message and exit status; README names Debian's
# node-exporter directory and, under erasure, the mail log and journal.
. "$(dirname "$0")/lib.sh"
db=$tmp/t.db
$BOUNCER --db "$db" --init > /dev/null

# --list --class
$BOUNCER --db "$db" --list --class bogus > "$tmp/out" 2> "$tmp/err"; rc=$?
is "$rc" 64 "--list --class bogus: exit 64 (usage)"
is "$(head -1 "$tmp/err")" "bouncer: --list takes --class hard, soft, complaint, unsubscribe or manual" \
    "... its first line names the classes"
is "$(cat "$tmp/out")" "" "... and nothing on standard output"
$BOUNCER --db "$db" --add x@example.net --why test > /dev/null
is "$($BOUNCER --db "$db" --list --class manual | cut -f1)" x@example.net "--list --class manual lists"

# the map files and proxy_read_maps
bad=$(grep -l 'list \(it\|the same name\) in$\|list \(it\|the same name\) in proxy_read_maps\|^# *proxy_read_maps\.$' "$top"/postfix/*.cf)
is "$bad" "" "no map file says to list it in proxy_read_maps"
for f in "$top"/postfix/*.cf; do
	grep -q proxy_read_maps "$f" || continue
	grep '^#' "$f" | tr -d '#' | tr '\n' ' ' | tr -s ' ' | grep -q "3's default proxy_read_maps"; ok $? "$(basename "$f"): says Postfix 3's default proxy_read_maps covers it"
done
if command -v postconf > /dev/null; then
	mkdir "$tmp/pf"; : > "$tmp/pf/main.cf"
	d=$(postconf -c "$tmp/pf" -dh proxy_read_maps 2> /dev/null)
	case " $d " in *' $transport_maps '*' $smtpd_recipient_restrictions '*) r=0 ;; *) r=1 ;; esac
	ok $r "postconf -d: the default proxy_read_maps has \$transport_maps and \$smtpd_recipient_restrictions"
else
	skip "postconf -d proxy_read_maps" "Postfix is not installed"
fi

# README
! grep -q '/var/lib/node_exporter' "$top/README.md" && grep -q '/var/lib/prometheus/node-exporter' "$top/README.md"
ok $? "README: Debian's node-exporter directory, /var/lib/prometheus/node-exporter"
sed -n '/^## What erasure guarantees/,/^## /p' "$top/README.md" > "$tmp/erasure"
grep -qi 'mail log\|mail\.log' "$tmp/erasure" && grep -qi 'journal' "$tmp/erasure"
ok $? "README's erasure section names the mail log and the journal"
# package paths vs source install: the package's commands name /usr/bin
sed -n '/^## From a bare Debian/,/^## /p' "$top/README.md" > "$tmp/install"
grep -q '/usr/bin/bouncer' "$tmp/install" && grep -q '/usr/local/bin/bouncer' "$tmp/install"
ok $? "README's install section names /usr/bin (package) and /usr/local/bin (make install)"
# a /usr/local/bin outside the source install's paragraph must say it is one
awk '/Without the package/ { src = 1 } /^[0-9]+\. \*\*/ { src = 0 }
    /\/usr\/local\/bin/ && !src && !(prev ~ /make install|source install/) &&
    !($0 ~ /make install|source install/) { print NR": "$0 } { prev = $0 }' \
    "$top/README.md" > "$tmp/paths"
is "$(cat "$tmp/paths")" "" "README: every /usr/local/bin is said to be a source install's"

# bouncer-postfix-lines, installed under a temporary prefix
make -s -C "$top" install DESTDIR="$tmp/dest" PREFIX=/usr > "$tmp/log" 2>&1; ok $? "make install"
bpl=$tmp/bpl
sed "s|^share=.*|share=$tmp/dest/usr/share/bouncer/postfix|" "$tmp/dest/usr/bin/bouncer-postfix-lines" > "$bpl"
mkdir "$tmp/fake"
cat > "$tmp/fake/postfix" <<EOT
#!/bin/sh
[ "\$1" = status ] && exit \$(cat "$tmp/running")
exit 0
EOT
cat > "$tmp/fake/postconf" <<EOT
#!/bin/sh
[ "\$*" = "-h maillog_file" ] && cat "$tmp/maillog_file"
exit 0
EOT
chmod +x "$tmp/fake/postfix" "$tmp/fake/postconf"
: > "$tmp/maillog_file"
printf 'trust = any\n' > "$tmp/any.conf"
printf 'trust = sent\n' > "$tmp/sent.conf"
run() {	# run CONF ... : bouncer-postfix-lines with the fakes, hermetic
	c=$1; shift
	PATH=$tmp/fake:$PATH BOUNCER_CONFIG=$c BOUNCER_USER=nobody \
	    BOUNCER_MAIL_LOG=$tmp/mail.log BOUNCER_SYSTEMD=$tmp/no-systemd sh "$bpl" "$@"
}
echo 1 > "$tmp/running"
run "$tmp/any.conf" bounces.example.org > "$tmp/l1" 2> "$tmp/e1"; rc=$?
is "$rc" 0 "Postfix stopped, trust = any: exit 0"
grep -q '^postfix check && postfix start$' "$tmp/l1" && ! grep -q 'postfix reload' "$tmp/l1"
ok $? "... says postfix start, not reload"
grep -q 'argv=/usr/bin/bouncer ' "$tmp/l1" && grep -q "^echo 'bounces.example.org bouncer:'" "$tmp/l1"
ok $? "... and prints the lines, with /usr/bin/bouncer"
echo 0 > "$tmp/running"
run "$tmp/any.conf" bounces.example.org > "$tmp/l2" 2>&1
grep -q '^postfix check && postfix reload$' "$tmp/l2"; ok $? "Postfix running: postfix reload"
# trust = sent: the log must be readable by the log reader's user
run "$tmp/sent.conf" bounces.example.org > "$tmp/l3" 2> "$tmp/e3"; rc=$?
is "$rc" 1 "trust = sent, no log at all: exit 1"
grep -q 'there is no log of Postfix to read' "$tmp/l3" && grep -q 'apt-get install rsyslog' "$tmp/l3"
ok $? "... step 6 says there is none and what to install"
grep -q "cannot read Postfix's log" "$tmp/e3"; ok $? "... and standard error says so in one line"
grep -q 'argv=/usr/bin/bouncer ' "$tmp/l3"; ok $? "... the lines are printed all the same"
printf 'x\n' > "$tmp/mail.log"; chmod 0600 "$tmp/mail.log"; chmod 755 "$tmp"
run "$tmp/sent.conf" --check-log > "$tmp/l4" 2>&1; rc=$?
if [ "$(id -u)" = 0 ]; then
	is "$rc" 1 "--check-log: a mail.log nobody cannot read: exit 1"
	grep -q 'adduser nobody adm' "$tmp/l4"; ok $? "... says: adduser nobody adm"
	chmod 0644 "$tmp/mail.log"
	run "$tmp/sent.conf" --check-log > "$tmp/l5" 2>&1; rc=$?
	is "$rc" 0 "--check-log: a readable mail.log: exit 0"
	grep -q "log: OK: nobody can read $tmp/mail.log" "$tmp/l5"; ok $? "... and says so"
	# Postfix's own maillog_file (postlog), root 0600 as Postfix makes it
	printf '%s\n' "$tmp/postfix.log" > "$tmp/maillog_file"
	printf 'x\n' > "$tmp/postfix.log"; chmod 0600 "$tmp/postfix.log"
	run "$tmp/sent.conf" --check-log > "$tmp/l6" 2>&1; rc=$?
	is "$rc" 1 "--check-log: maillog_file 0600: exit 1"
	grep -q "maillog_file_permissions = 0640" "$tmp/l6"; ok $? "... says how to open it"
else
	skip "--check-log as another user" "needs root (runuser)"
fi
run "$tmp/sent.conf" > /dev/null 2>&1; is "$?" 64 "no argument: exit 64"
run "$tmp/sent.conf" --bogus > /dev/null 2>&1; is "$?" 64 "an unknown option: exit 64"
sed "s|^share=.*|share=$tmp/nowhere|" "$bpl" > "$tmp/bpl2"
PATH=$tmp/fake:$PATH sh "$tmp/bpl2" bounces.example.org > "$tmp/l7" 2> "$tmp/e7"; rc=$?
is "$rc" 72 "its files missing: exit 72"
grep -q "$tmp/nowhere/master.cf: missing" "$tmp/e7"; ok $? "... naming the file"
# the signing key may be read by its group (the signers: bouncer-sign in
# the package), so that an application user can run --sign
key=$tmp/sign.key
printf '%s\n' 0123456789abcdef0123456789abcdef0123456789abcdef > "$key"
printf 'sign_keys = %s\nsign_domain = bounces.example.org\n' "$key" > "$tmp/sign.conf"
chmod 640 "$key"
out=$($BOUNCER --config "$tmp/sign.conf" --sign alice@example.net 2>&1)
case $out in bounce+alice=example.net*@bounces.example.org) r=0 ;; *) r=1 ;; esac
ok $r "a key file of mode 0640 signs ($out)"
for m in 660 604; do
	chmod $m "$key"
	$BOUNCER --config "$tmp/sign.conf" --sign alice@example.net > /dev/null 2> "$tmp/ek"
	is "$?" 78 "a key file of mode 0$m is refused (exit 78)"
done
grep -q 'chmod 600 it, or 640' "$tmp/ek"; ok $? "... saying which modes will do"
done_testing
