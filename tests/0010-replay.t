#!/bin/sh
# --replay: single files, mbox (with >From), gzipped mbox, Maildir,
# directory trees, stdin; dry run, quarantine, progress line, summary,
# and a second replay that counts nothing twice.
. "$(dirname "$0")/lib.sh"
fx=$top/fixtures
db=$tmp/b.db
B="$BOUNCER --allow-root --db $db"
$B --init > /dev/null
field() { sed -n "s/^  $1  *\([0-9]*\)$/\1/p" "$2"; }

# an mbox: From_ lines, a >From line inside a message, Content-Length lies
{
	for f in postfix-userunknown exim-mailboxfull not-a-bounce; do
		echo "From MAILER-DAEMON Mon Nov 23 10:00:00 2026"
		sed 's/^From />From /' "$fx/$f.eml"
		echo
	done
	echo "From MAILER-DAEMON Mon Nov 23 10:00:01 2026"
	echo "Content-Length: 3"
	sed -n '1,/^$/p' "$fx/broken-no-recipient.eml" | grep -v '^$'
	echo
	echo "Your message could not be delivered."
	echo ">From the desk of the postmaster"
	echo
} > "$tmp/box.mbox"

mkdir -p "$tmp/q"
sum0=$(md5sum "$db")
$B --replay --dry-run --quarantine "$tmp/q" "$tmp/box.mbox" > "$tmp/o" 2> "$tmp/e"; rc=$?
is "$rc" 0 "replay exits 0"
is "$(field 'messages read' "$tmp/o")" 4 "mbox: 4 messages (Content-Length ignored)"
is "$(field 'not bounces' "$tmp/o")" 1 "mbox: the non-bounce counted"
is "$(field unparseable "$tmp/o")" 1 "mbox: the unparseable one counted"
grep -q "box.mbox at offset [0-9]*: unparseable" "$tmp/e"; ok $? "unparseable message named with file and offset"
is "$(ls "$tmp/q" | wc -l | tr -d ' ')" 1 "--quarantine copied it"
grep -q '^From the desk' "$tmp/q"/*; ok $? ">From unescaped in the message"
is "$(md5sum "$db")" "$sum0" "--dry-run does not touch the database"
grep -q '^  hard  *1$' "$tmp/o" && grep -q '^  soft  *1$' "$tmp/o"; ok $? "summary: recipients per class"
grep -q '^top reasons:' "$tmp/o" && grep -q '^  userunknown  *1$' "$tmp/o"; ok $? "summary: top reasons"

# gzipped mbox, and stdin
gzip -c "$tmp/box.mbox" > "$tmp/box.mbox.gz"
$B --replay --dry-run "$tmp/box.mbox.gz" > "$tmp/o" 2>/dev/null
is "$(field 'messages read' "$tmp/o")" 4 "gzipped mbox read"
$B --replay --dry-run - < "$tmp/box.mbox" > "$tmp/o" 2>/dev/null
is "$(field 'messages read' "$tmp/o")" 4 "mbox on stdin read"

# Maildir: cur/ and new/, tmp/ ignored; a directory tree
mkdir -p "$tmp/md/cur" "$tmp/md/new" "$tmp/md/tmp" "$tmp/tree/a/b"
cp "$fx/gmail-userunknown.eml" "$tmp/md/cur/1.host:2,S"
cp "$fx/qmail-userunknown.eml" "$tmp/md/new/2.host"
cp "$fx/exim-mailboxfull.eml" "$tmp/md/tmp/3.host"
cp "$fx/sendmail-hostunknown.eml" "$tmp/tree/a/one.eml"
cp "$fx/multi-recipient-dsn.eml" "$tmp/tree/a/b/two.eml"
$B --replay --dry-run "$tmp/md" > "$tmp/o" 2>/dev/null
is "$(field 'messages read' "$tmp/o")" 2 "Maildir: cur/ and new/, not tmp/"
$B --replay "$tmp/tree" "$fx/arf-abuse.eml" > "$tmp/o" 2>/dev/null; rc=$?
is "$rc" 0 "replay into the database"
is "$(field 'recipients' "$tmp/o")" 5 "tree and single file: 5 recipients"
is "$(q "select count(*) from suppression")" 3 "three addresses suppressed (2 hard, 1 complaint)"
$B --replay "$tmp/tree" "$fx/arf-abuse.eml" > "$tmp/o" 2>/dev/null
is "$(field 'already seen' "$tmp/o")" 5 "the same replay again: all already seen"
is "$(q "select count(*) from events")" 5 "no event counted twice"

# the progress line: only on a terminal
$B --replay --dry-run "$tmp/tree" > /dev/null 2> "$tmp/e"
grep -q 'messages' "$tmp/e"; is $? 1 "no progress line when stderr is not a terminal"
if command -v script >/dev/null 2>&1; then
	script -qec "$B --replay --dry-run $tmp/tree $tmp/md" /dev/null > "$tmp/tty" 2>&1
	grep -q "4/4 messages, [0-9]*/s" "$tmp/tty"; ok $? "progress line on a terminal: done/total and rate"
else
	skip "progress line on a terminal" "script(1) not installed"
fi

# the replayed events carry the bounce's own date
is "$(q "select time from events where address='carol@no-such-domain.example'")" \
   "$(date -u -d 'Wed, 4 Nov 2026 11:00:02 +0100' +%s)" "a replayed event is dated by its message"
# --jobs: workers parse and classify, one thread stores in input order; the
# database comes out the same as with one thread. The soft bounces to one
# address escalate on the third, so the order of storing shows.
{
	gen_mbox par 400
	for i in 1 2 3 4 5; do
		for f in "$fx"/*.eml; do
			echo "From MAILER-DAEMON Mon Nov 23 10:00:0$i 2026"
			sed -e 's/^From />From /' -e "s/^Message-I[Dd]: *<\(.*\)>/Message-ID: <$i.\1>/" "$f"
			echo
		done
	done
	gen_mbox par 400
} > "$tmp/par.mbox"
dump() {
	sqlite3 "$1" "select address, class, reason, status, first_seen, last_seen, soft_count, expires from suppression order by address;
	    select id, time, address, class, reason, dedup from events order by id;"
}
for j in 1 4; do
	rm -f "$tmp/j$j.db"*
	$BOUNCER --allow-root --db "$tmp/j$j.db" --init > /dev/null
	$BOUNCER --allow-root --now 2026-11-23T12:00:00Z --db "$tmp/j$j.db" --jobs $j --replay "$tmp/par.mbox" > "$tmp/j$j.out" 2> "$tmp/j$j.err"
	is "$?" 0 "--jobs $j: replay exits 0"
	dump "$tmp/j$j.db" > "$tmp/j$j.dump"
done
[ -s "$tmp/j1.dump" ] && cmp -s "$tmp/j1.dump" "$tmp/j4.dump"; ok $? "--jobs 4 stores what --jobs 1 stores, in the same order"
sed 1d "$tmp/j1.out" > "$tmp/j1.sum"; sed 1d "$tmp/j4.out" > "$tmp/j4.sum"
cmp -s "$tmp/j1.sum" "$tmp/j4.sum"; ok $? "--jobs 4 prints the same summary"
cmp -s "$tmp/j1.err" "$tmp/j4.err"; ok $? "--jobs 4 names the same unparseable messages, in order"
[ "$(field 'already seen' "$tmp/j4.out")" -ge 400 ]; ok $? "the repeated DSNs counted once"
# messages over --max-size are named in their place among the others
for j in 1 4; do
	mkdir -p "$tmp/q$j"
	$BOUNCER --allow-root --now 2026-11-23T12:00:00Z --max-size 2k --jobs $j --dry-run --quarantine "$tmp/q$j" \
	    --replay "$tmp/par.mbox" > "$tmp/m$j.out" 2> "$tmp/m$j.err"
	sed -i 's/^replay.*//' "$tmp/m$j.out"
done
grep -q 'larger than 2048 bytes' "$tmp/m4.err"; ok $? "--jobs 4: messages over --max-size named"
cmp -s "$tmp/m1.err" "$tmp/m4.err" && cmp -s "$tmp/m1.out" "$tmp/m4.out"; ok $? "--jobs 4 names and counts them as --jobs 1 does"
is "$(ls "$tmp/q4" | wc -l | tr -d ' ')" "$(ls "$tmp/q1" | wc -l | tr -d ' ')" "--jobs 4 quarantines as many"
# a single message file over --max-size is named by its path alone (it was
# "FILE0": the offset an mbox has, printed as 0)
{ sed -n '1,/^$/p' "$fx/postfix-userunknown.eml"; awk 'BEGIN { for (i = 0; i < 100; i++) print "filler line to pass the size limit of this test" }'; } > "$tmp/big.eml"
$BOUNCER --allow-root --max-size 1k --dry-run --replay "$tmp/big.eml" > /dev/null 2> "$tmp/e"
grep -qx "bouncer: $tmp/big.eml: larger than 1024 bytes, read up to the limit" "$tmp/e"; ok $? "a message file over --max-size named by its path"
grep -q "par.mbox at offset [0-9]*: larger than 2048 bytes" "$tmp/m1.err"; ok $? "one in an mbox by its path and offset"
# every class a verdict can carry crosses the workers' pipes: an opt-out
# report (class unsubscribe) once made the pool drop the replay at the
# first one ("replay worker killed by signal 13", exit 70; issue 25, 5)
{
	gen_mbox every 300
	for f in arf-abuse arf-not-spam exchange-m365-blocked postfix-delayed success-dsn postfix-userunknown exim-mailboxfull; do
		echo "From MAILER-DAEMON Mon Nov 23 10:00:00 2026"
		sed 's/^From />From /' "$fx/$f.eml"
		echo
	done
	for i in 1 2 3; do
		echo "From MAILER-DAEMON Mon Nov 23 10:00:00 2026"
		mkarf "optout-$i@gen.example" "optout-$i@fbl.example" opt-out
		echo
	done
	gen_mbox every2 300
} > "$tmp/every.mbox"
for j in 1 2; do
	$BOUNCER --allow-root --now 2026-11-23T12:00:00Z --jobs $j --dry-run --replay "$tmp/every.mbox" > "$tmp/e$j.out" 2> "$tmp/e$j.err"
	is "$?" 0 "every class, --jobs $j: replay exits 0"
	sed -i 1d "$tmp/e$j.out"
done
is "$(field 'messages read' "$tmp/e2.out")" 610 "--jobs 2 reads all 610 messages past the opt-out reports"
grep -q '^  unsubscribe  *3$' "$tmp/e2.out"; ok $? "--jobs 2 carries the opt-out reports' class"
cmp -s "$tmp/e1.out" "$tmp/e2.out"; ok $? "--jobs 2 counts every class as --jobs 1 does"
[ ! -s "$tmp/e2.err" ]; ok $? "--jobs 2: no worker failure"

# a worker that fails is a test (issue 25, 5): its message is named, every
# message before it is stored (the other workers answer theirs), the
# replay says how many were not and exits 70, and a second run stores
# the rest. The input is a FIFO, so the fourth worker can be killed
# before the replay reads a byte: message 4 (its first) is the one lost.
gen_mbox wf 20 > "$tmp/wf.mbox"
off4=$(awk '/^From /{ if (++n == 4) { print o; exit } } { o += length($0) + 1 }' "$tmp/wf.mbox")
mkfifo "$tmp/wf.fifo"
wdb=$tmp/wf.db
W="$BOUNCER --allow-root --now 2026-11-23T12:00:00Z --db $wdb"
$W --init > /dev/null
$W --jobs 4 --replay "$tmp/wf.fifo" > "$tmp/wf.out" 2> "$tmp/wf.err" &
pid=$!
kids() {	# the workers, in the order they were started
	cat /proc/$1/task/$1/children 2>/dev/null || ps -o pid= --ppid "$1" | sort -n
}
i=0
while [ $i -lt 500 ] && [ "$(kids $pid | wc -w)" -lt 4 ]; do sleep 0.02; i=$((i + 1)); done
last=$(kids $pid | tr ' ' '\n' | grep . | sed -n 4p)
if [ -n "$last" ]; then
	kill -9 "$last"
	# gone (a zombie until the replay reaps it) before a message is read
	i=0
	while [ $i -lt 500 ] && [ "$(awk '{ print $3 }' /proc/$last/stat 2>/dev/null)" != Z ]; do sleep 0.02; i=$((i + 1)); done
	cat "$tmp/wf.mbox" > "$tmp/wf.fifo"
	wait $pid; rc=$?
	sed 's/^/# /' "$tmp/wf.err"
	is "$rc" 70 "a worker killed: exit 70"
	grep -q "^bouncer: replay worker $last killed by signal 9 before its result for $tmp/wf.fifo at offset $off4\$" "$tmp/wf.err"
	ok $? "... the worker, its signal and the message it owed are named"
	grep -q "^bouncer: replay stopped: the 3 messages before that one were stored; it and the 0 read after it were not, nor the rest of the input" "$tmp/wf.err"
	ok $? "... and what was stored and what was not"
	is "$(sqlite3 "$wdb" "select group_concat(address, ' ') from (select address from events order by address)")" \
	    "wf-1@gen.example wf-2@gen.example wf-3@gen.example" "... the three messages before it are stored, answered by the other workers"
	is "$(field 'messages read' "$tmp/wf.out") $(field 'not stored (worker)' "$tmp/wf.out")" "4 1" "... the summary counts the one read and not stored"
	[ "$(grep -c 'signal 13' "$tmp/wf.err")" = 0 ]; ok $? "... the other workers' ends are no failure of theirs"
else
	kill "$pid" 2>/dev/null
	skip "a worker killed" "no worker processes seen (no /proc children list, no ps)"
fi
$W --jobs 4 --replay "$tmp/wf.mbox" > "$tmp/o" 2> "$tmp/e"; ok $? "the replay again finishes"
is "$(sqlite3 "$wdb" 'select count(distinct address) || " " || count(*) from events')" "20 20" "every bounce stored once"

$BOUNCER --allow-root --db "$tmp/j0.db" --jobs 0 --replay "$tmp/par.mbox" > /dev/null 2> "$tmp/e"; rc=$?
is "$rc" 64 "--jobs 0 is a usage error"

done_testing
