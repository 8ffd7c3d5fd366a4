#!/bin/sh
# Faults: read-only and full databases, corruption, SIGKILL in the middle
# of a replay, and 16 writers at once with --expire and lookups running.
# Every failure is exit 75 with a clear message, and nothing is lost,
# half-written or counted twice.
. "$(dirname "$0")/lib.sh"
fx=$top/fixtures
db=$tmp/b.db
B="$BOUNCER --allow-root --db $db"
root=0; [ "$(id -u)" = 0 ] && root=1
chmod 755 "$tmp"

# read-only database: as an unprivileged user when we are root
mkdsn ro@example.net 5.1.1 "User unknown" ro1@x > "$tmp/ro.eml"
$B --init > /dev/null
mkdir "$tmp/rodir"; cp "$db" "$tmp/rodir/b.db"; chmod 0444 "$tmp/rodir/b.db"; chmod 0555 "$tmp/rodir"
if [ $root = 1 ] && command -v setpriv >/dev/null 2>&1; then
	cp "$BOUNCER" "$tmp/bouncer" 2>/dev/null || cp "$top/bouncer" "$tmp/bouncer"; chmod 755 "$tmp/bouncer"
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$tmp/bouncer" --db "$tmp/rodir/b.db" < "$tmp/ro.eml" 2> "$tmp/e"
	is $? 75 "read-only database: exit 75"
	grep -q 'try again later' "$tmp/e"; ok $? "read-only: a clear message"
else
	$BOUNCER --db "$tmp/rodir/b.db" < "$tmp/ro.eml" 2> "$tmp/e"
	is $? 75 "read-only database: exit 75"
	grep -q 'try again later' "$tmp/e"; ok $? "read-only: a clear message"
fi

# corrupt pages inside a valid file
for i in $(seq 1 30); do mkdsn "c$i@corrupt.example" 5.1.1 "User unknown" "cor$i@x"; done > /dev/null
cp "$db" "$tmp/cor.db"
for i in $(seq 1 20); do mkdsn "c$i@corrupt.example" 5.1.1 "User unknown" "cor$i@x" | $BOUNCER --allow-root --db "$tmp/cor.db"; done
sqlite3 "$tmp/cor.db" 'PRAGMA wal_checkpoint(TRUNCATE)' > /dev/null
printf 'garbage-garbage-garbage-garbage-garbage-garbage' | dd of="$tmp/cor.db" bs=1 seek=4200 conv=notrunc 2>/dev/null
printf 'garbage-garbage-garbage-garbage-garbage-garbage' | dd of="$tmp/cor.db" bs=1 seek=8300 conv=notrunc 2>/dev/null
mkdsn new@corrupt.example 5.1.1 "User unknown" cor99@x | $BOUNCER --allow-root --db "$tmp/cor.db" 2> "$tmp/e"
rc=$?
ok $([ $rc = 75 ] || [ $rc = 0 ]; echo $?) "corrupt pages: exit 75 (or 0 when the damage is elsewhere), never a crash ($rc)"
[ $rc = 75 ] && { grep -q 'try again later' "$tmp/e"; ok $? "corrupt: a clear message"; }

# a full filesystem: a 320 KiB tmpfs
if [ $root = 1 ] && mkdir "$tmp/full" && mount -t tmpfs -o size=320k tmpfs "$tmp/full" 2>/dev/null; then
	fdb=$tmp/full/b.db
	$BOUNCER --allow-root --db "$fdb" --init > /dev/null
	stored=0 failed=0 other=0
	for i in $(seq 1 400); do
		mkdsn "full$i@fill.example" 5.1.1 "550 5.1.1 User unknown $(head -c 600 /dev/zero | tr '\0' x)" "full$i@x" > "$tmp/f.eml"
		$BOUNCER --allow-root --db "$fdb" < "$tmp/f.eml" 2>> "$tmp/full.err"
		case $? in 0) stored=$((stored + 1)) ;; 75) failed=$((failed + 1)) ;; *) other=$((other + 1)) ;; esac
		[ $failed -ge 5 ] && break
	done
	echo "# $stored stored, then $failed refused with exit 75"
	ok $([ $failed -ge 1 ] && [ $other = 0 ]; echo $?) "full filesystem: exit 75, no other status"
	grep -q 'full' "$tmp/full.err"; ok $? "full: the message says so"
	is "$(sqlite3 "$fdb" 'pragma integrity_check')" ok "full: the database is intact"
	is "$(sqlite3 "$fdb" 'select count(*) from suppression')" "$stored" "full: every exit 0 stored, nothing half-written"
	umount "$tmp/full"
else
	skip "full filesystem" "needs root to mount a small tmpfs"
fi

# SIGKILL in the middle of a large replay, then the replay again
gen_mbox kill 20000 > "$tmp/kill.mbox"
kdb=$tmp/kill.db
$BOUNCER --db "$kdb" --init > /dev/null
$BOUNCER --db "$kdb" --replay "$tmp/kill.mbox" > /dev/null 2>&1 &
pid=$!
i=0
while [ $i -lt 200 ]; do
	c=$(sqlite3 "$kdb" 'select count(*) from events' 2>/dev/null || echo 0)
	[ "${c:-0}" -ge 2000 ] && break
	sleep 0.05; i=$((i + 1))
done
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
c=$(sqlite3 "$kdb" 'select count(*) from events')
echo "# killed with $c of 20000 events stored"
ok $([ "$c" -lt 20000 ]; echo $?) "killed mid-replay (SIGKILL)"
is "$(sqlite3 "$kdb" 'pragma integrity_check')" ok "database consistent after SIGKILL"
# --replay commits every 1,000 messages or 0.2 s (issue 16), so the count
# at the kill is no multiple of anything; what was committed is the first
# c messages, in order, each whole, and the replay again stores every
# bounce exactly once.
is "$(sqlite3 "$kdb" "select count(distinct address) || ' ' || max(cast(substr(address, 6, instr(address, '@') - 6) as integer)) from events")" "$c $c" \
    "only whole messages were committed: the first $c, in order"
$BOUNCER --db "$kdb" --replay "$tmp/kill.mbox" > "$tmp/o" 2>&1; ok $? "the replay again finishes"
is "$(sqlite3 "$kdb" 'select count(*) from events')" 20000 "every bounce once: 20000 events"
is "$(sqlite3 "$kdb" "select count(*) from suppression where class='hard'")" 10000 "10000 hard suppressions, none twice"

# a replay worker process that dies stops the replay with status 70; what
# was finished before it is kept, whole, and the replay again completes
gen_mbox wk 40000 > "$tmp/wk.mbox"
wdb=$tmp/wk.db
$BOUNCER --db "$wdb" --init > /dev/null
$BOUNCER --db "$wdb" --jobs 2 --replay "$tmp/wk.mbox" > "$tmp/o" 2> "$tmp/e" &
pid=$!
i=0 kid=
children() {
	cat /proc/$1/task/$1/children 2>/dev/null ||
	    ps -o pid= --ppid "$1" 2>/dev/null
}
while [ $i -lt 400 ]; do
	kid=$(children $pid | awk '{ print $1; exit }')
	c=$(sqlite3 "$wdb" 'select count(*) from events' 2>/dev/null || echo 0)
	[ -n "$kid" ] && [ "${c:-0}" -ge 1000 ] && break
	sleep 0.02; i=$((i + 1))
done
killed=1
[ -n "$kid" ] && kill -9 "$kid" 2>/dev/null || killed=0
wait $pid; rc=$?
if [ $killed = 1 ]; then
	is "$rc" 70 "a replay worker killed: exit 70"
	grep -q "replay worker [0-9]* killed by signal 9" "$tmp/e"; ok $? "the failure is named on stderr"
	is "$(sqlite3 "$wdb" 'pragma integrity_check')" ok "database consistent after a worker died"
	c=$(sqlite3 "$wdb" 'select count(*) from events')
	echo "# worker killed with $c of 40000 events stored"
	ok $([ "$c" -lt 40000 ]; echo $?) "the replay stopped"
else
	skip "a replay worker killed" "no worker process seen (one CPU, or no /proc children list)"
fi
$BOUNCER --db "$wdb" --jobs 2 --replay "$tmp/wk.mbox" > "$tmp/o" 2>&1; ok $? "the replay again finishes"
is "$(sqlite3 "$wdb" 'select count(*) from events')" 40000 "every bounce once: 40000 events"

# 16 writers with 2000 distinct bounces each, --expire and lookups running
sdb=$tmp/stress.db
printf 'busy_timeout = 120\n' > "$tmp/stress.conf"
S="$BOUNCER --config $tmp/stress.conf --db $sdb"
$S --init > /dev/null
for w in $(seq 1 16); do gen_mbox "w$w" 2000 > "$tmp/w$w.mbox"; done
pids=
for w in $(seq 1 16); do
	$S --replay "$tmp/w$w.mbox" > "$tmp/w$w.out" 2>&1 &
	pids="$pids $!"
done
( for i in $(seq 1 40); do $S --expire > /dev/null 2>&1 || echo "expire failed $?"; $S --lookup w1-1@gen.example > /dev/null 2>&1 || echo "lookup failed $?"; done ) > "$tmp/side.out" 2>&1 &
side=$!
fail=0
for p in $pids; do wait $p || fail=$((fail + 1)); done
wait $side
is "$fail" 0 "16 concurrent replays: every one exits 0"
grep -l 'locked' "$tmp"/w*.out > "$tmp/locked"; [ ! -s "$tmp/locked" ]; ok $? "no 'database is locked' escapes"
is "$(cat "$tmp/side.out")" "" "--expire and --lookup never failed meanwhile"
is "$(sqlite3 "$sdb" 'select count(*) from events')" 32000 "32000 events: every bounce stored once"
is "$(sqlite3 "$sdb" "select count(*) from suppression")" 16000 "16000 hard suppressions exactly"
done_testing
