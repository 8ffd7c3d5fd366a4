#!/bin/sh
# Reading Postfix's log where Debian puts it (issue 22, finding 2) and
# rotation safety (issue 25, finding 9):
# - the journal (Debian 12 has no rsyslog by default): journalctl's
#   export output after the cursor committed with the lines it produced,
#   so a restart reads nothing twice and misses nothing (a journalctl on
#   PATH stands in for the real one and records how it was asked); only
#   the entries of maillog_users count, by journald's _UID, so a local
#   user's logger or postlog line in Postfix's name counts for nothing;
# - Postfix's own maillog_file, rotated by "postfix logrotate" to
#   mail.log.YYYYMMDD-HHMMSS and compressed to .gz between two runs: the
#   rest of the old file is read, then the new one;
# - a log truncated in place (copytruncate) that grows past the saved
#   offset between two runs: its new lines are read;
# - the same lines twice on standard input (overlapping journalctl
#   output) count once.
. "$(dirname "$0")/lib.sh"
db=$tmp/b.db
# maillog_users by number, beside root: no postfix user needed here
printf 'db = %s\nmaillog_users = root 4242\n' "$db" > "$tmp/conf"
B="$BOUNCER --allow-root --config $tmp/conf"
$B --init > /dev/null
sent() { q "select coalesce(sum(count), 0) from sent"; }
# line N [DAY]: a sent line of queue ID QN for rN@example.net
line() { printf 'Dec %s 10:00:%02d mx postfix/smtp[7]: 1F%d: to=<r%d@example.net>, relay=mx.example.net[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 OK)\n' "${2:-05}" "$1" "$1" "$1"; }
N=--now=2026-12-05T12:00:00Z

# standard input: overlapping input counts once
{ line 1; line 2; } | $B $N --maillog - > /dev/null
{ line 2; line 3; } | $B $N --maillog - > "$tmp/o"
is "$(sent)" 3 "overlapping input on standard input: each line counted once"
grep -q '1 already seen' "$tmp/o"; ok $? "... and the summary says one was already seen ($(cat "$tmp/o"))"

# copytruncate: truncated, then written past the old offset between runs
log=$tmp/mail.log
{ line 11; line 12; } > "$log"
$B $N --maillog "$log" > /dev/null
: > "$log"
{ line 13; line 14; line 15; } >> "$log"
$B $N --maillog "$log" > /dev/null
is "$(sent)" 8 "truncated in place and grown past the saved offset: every new line read"
$B $N --maillog "$log" > /dev/null
is "$(sent)" 8 "... and nothing twice on the next run"

# postfix logrotate: mail.log.YYYYMMDD-HHMMSS, then maillog_file_compressor
pl=$tmp/postfix.log
{ line 21; line 22; } > "$pl"
$B $N --maillog "$pl" > /dev/null
line 23 >> "$pl"			# written after our last run
mv "$pl" "$pl.20261205-101500"
line 24 > "$pl"
$B $N --maillog "$pl" > /dev/null
is "$(sent)" 12 "rotated to a dated name: the old file's rest, then the new file"
line 25 >> "$pl"
mv "$pl" "$pl.20261205-111500"
gzip "$pl.20261205-111500"
line 26 > "$pl"
$B $N --maillog "$pl" > /dev/null
is "$(sent)" 14 "rotated and compressed (.gz): the old file's rest, then the new file"
$B $N --maillog "$pl" > /dev/null
is "$(sent)" 14 "... nothing twice"

# the journal
mkdir "$tmp/bin"
cat > "$tmp/bin/journalctl" <<'EOS'
#!/bin/sh
# a stand-in for journalctl -o export: the entries of $JOURNAL after the
# cursor asked for; its arguments noted in $JOURNAL.args
echo "$*" >> "$JOURNAL.args"
after= follow=
for a; do
	case $a in
	--after-cursor=*) after=${a#--after-cursor=} ;;
	--follow) follow=1 ;;
	--output=export) ;;
	--no-pager|--quiet|SYSLOG_FACILITY=2) ;;
	*) echo "journalctl: unexpected $a" >&2; exit 1 ;;
	esac
done
if [ -n "$after" ]; then
	awk -v c="__CURSOR=$after" 'p { print } $0 == c { s = 1 } s && $0 == "" { p = 1 }' "$JOURNAL"
else
	cat "$JOURNAL"
fi
[ -n "$follow" ] && exec sleep 60
exit 0
EOS
chmod +x "$tmp/bin/journalctl"
JOURNAL=$tmp/journal; export JOURNAL
# entry CURSOR IDENT MESSAGE [UID]: one entry of the export format, from
# root unless UID is given ("": no _UID field)
entry() {
	u=${4-0}
	[ -n "$u" ] && u="_UID=$u\\n"
	printf '__CURSOR=%s\n__REALTIME_TIMESTAMP=1796464800000000\nSYSLOG_FACILITY=2\nSYSLOG_IDENTIFIER=%s\n_PID=7\n%bMESSAGE=%s\n\n' "$1" "$2" "$u" "$3"
}
msg() { printf '1J%d: to=<j%d@example.net>, relay=mx.example.net[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 OK)' "$1" "$1"; }
{ entry s=1 postfix/smtp "$(msg 1)"; entry s=2 postfix/smtp "$(msg 2)"
  entry s=3 bouncer "message from <postfix/smtp[1]: 1J9: to=<j9@example.net>, relay=x, delay=1, dsn=5.1.1, status=bounced (550 x)> ignored"; } > "$JOURNAL"
PATH=$tmp/bin:$PATH $B $N --maillog journal > "$tmp/o"; is $? 0 "--maillog journal: exit 0"
is "$(sent)" 16 "the journal's Postfix entries are read, bouncer's own ignored"
is "$(q "select count(*) from events where address = 'j9@example.net'")" 0 "... nothing from bouncer's entry"
# a MESSAGE in the binary form (a value with a newline)
{ entry s=4 postfix/smtp "$(msg 4)"
  printf '__CURSOR=s=5\nSYSLOG_IDENTIFIER=postfix/smtp\n_UID=4242\nMESSAGE\n'
  m="$(msg 5)"; len=${#m}
  printf "\\$(printf %03o $((len % 256)))\\$(printf %03o $((len / 256)))\\000\\000\\000\\000\\000\\000%s\\n\\n" "$m"; } >> "$JOURNAL"
PATH=$tmp/bin:$PATH $B $N --maillog journal > /dev/null
is "$(sent)" 18 "a restart reads only the entries after the saved cursor (binary fields too)"
tail -1 "$JOURNAL.args" | grep -q -- '--after-cursor=s=3'; ok $? "... asking journalctl for those after the cursor ($(tail -1 "$JOURNAL.args"))"
PATH=$tmp/bin:$PATH $B $N --maillog journal > /dev/null
is "$(sent)" 18 "... and nothing twice"
is "$(q "select mark from logpos where path = 'journal'")" s=5 "the cursor is kept in the store"
# --follow: read, then stop on SIGTERM with the cursor committed
entry s=6 postfix/smtp "$(msg 6)" >> "$JOURNAL"
PATH=$tmp/bin:$PATH $B --maillog journal --follow > /dev/null 2>&1 &
pid=$!
i=0; while [ $i -lt 100 ] && [ "$(sent)" != 19 ]; do sleep 0.1; i=$((i + 1)); done
is "$(sent)" 19 "--maillog journal --follow reads the new entry"
kill -TERM $pid; wait $pid; is $? 0 "... and exits 0 on SIGTERM"
is "$(q "select mark from logpos where path = 'journal'")" s=6 "... its cursor committed"
# Postfix's lines from a user not in maillog_users: any local user can
# write them (logger -t postfix/smtp, postlog -t postfix/smtp), journald
# says who did in _UID; an entry without _UID is nobody's we know
forged='1J70: to=<victim@example.net>, relay=mx.example.net[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx.example.net[192.0.2.1] said: 550 5.1.1 user unknown (in reply to RCPT TO command))'
{ entry s=7 postfix/smtp "$forged" 1000; entry s=8 postfix/smtp "$forged" ""
  entry s=9 postfix/smtp "$forged" "0x0"; entry s=10 postfix/smtp "$(msg 10)" 4242; } >> "$JOURNAL"
PATH=$tmp/bin:$PATH $B $N --maillog journal > "$tmp/o" 2> "$tmp/e"; is $? 0 "entries from other users: exit 0"
is "$(q "select count(*) from events where address = 'victim@example.net'")" 0 "a postfix/smtp bounced line from uid 1000, from no _UID or a bad one: no event"
$B --lookup victim@example.net > "$tmp/l" 2>&1
grep -q '^state *not suppressed' "$tmp/l"; ok $? "... and the address is not suppressed ($(grep '^state' "$tmp/l"))"
is "$(sent)" 20 "the entry from a user of maillog_users given by number counts"
grep -q 'ignored 3 entries in Postfix.s name from users not in maillog_users' "$tmp/e"; ok $? "... and the run says how many it ignored, on stderr ($(cat "$tmp/e"))"
# counted in the store with the cursor, for --metrics (a --follow
# service says it only when it stops): once, however often it is read
PATH=$tmp/bin:$PATH $B $N --maillog journal > /dev/null 2>&1
$B --metrics > "$tmp/m" 2>&1
grep -q '^bouncer_maillog_foreign_total 3$' "$tmp/m"; ok $? "... and --metrics counts them, once ($(grep foreign_total "$tmp/m"))"
printf 'db = %s\nmaillog_users = root nosuchuser-bouncer\n' "$db" > "$tmp/conf2"
PATH=$tmp/bin:$PATH $BOUNCER --allow-root --config "$tmp/conf2" --maillog journal > /dev/null 2> "$tmp/e"
is $? 66 "maillog_users naming no user: exit 66"
grep -q 'maillog_users: no user nosuchuser-bouncer' "$tmp/e"; ok $? "... saying which ($(cat "$tmp/e"))"
# journalctl --follow that ends by itself: an error, for systemd to restart it
mkdir "$tmp/bin2"
printf '#!/bin/sh\nexit 0\n' > "$tmp/bin2/journalctl"
chmod +x "$tmp/bin2/journalctl"
PATH=$tmp/bin2:$PATH $B --maillog journal --follow > /dev/null 2> "$tmp/e"
is $? 66 "journalctl --follow ending by itself: exit 66, for a restart"
grep -q 'journalctl --follow ended' "$tmp/e"; ok $? "... saying so ($(cat "$tmp/e"))"
PATH=/nonexistent $BOUNCER --allow-root --config "$tmp/conf" --maillog journal > /dev/null 2> "$tmp/e"
is $? 66 "no journalctl: exit 66"
grep -q 'journalctl' "$tmp/e"; ok $? "... saying why ($(cat "$tmp/e"))"
# a long run (a pipe fed for days, --follow) dates a year-less line by
# the time that has passed, not by the time it started: a line a day and
# a second after the start was once put a year back. The second line
# comes 5 s after the first, so "now" has moved on by then.
bounced() { printf 'Dec  %s mx postfix/smtp[7]: 2A%d: to=<%s@example.net>, relay=mx.example.net[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx.example.net[192.0.2.1] said: 550 5.1.1 user unknown (in reply to RCPT TO command))\n' "$1" "$2" "$3"; }
{ bounced '5 12:00:00' 1 early; sleep 5; bounced '6 12:00:01' 2 late; } |
	$B --now=2026-12-05T12:00:00Z --maillog - > /dev/null
is "$(q "select datetime(time, 'unixepoch') from events where address='early@example.net'")" "2026-12-05 12:00:00" "a line of the run's start: dated that day"
is "$(q "select datetime(time, 'unixepoch') from events where address='late@example.net'")" "2026-12-06 12:00:01" "a line a day and a second later, read 5 s on: dated that year, not the one before"
done_testing
