#!/bin/sh
# A missing or empty database is an error, never a fresh start (issue 22,
# finding 3): only --init creates one; every other mode exits 75 with one
# line naming the path, and creates nothing. A replay whose database is
# deleted or replaced midway stops with an error instead of counting
# stores that are not on disk.
. "$(dirname "$0")/lib.sh"
db=$tmp/b.db
B="$BOUNCER --allow-root --db $db"
echo 'gone@example.org' > "$tmp/imp"
: > "$tmp/maillog"

# every mode but --init, on a path where nothing is
tries() {	# tries LABEL: each mode once; "mode rc lines" per mode in $tmp/r
	: > "$tmp/r"
	mkdsn x@example.net 5.1.1 "550 5.1.1 User unknown" m1@x > "$tmp/dsn"
	for m in pipe replay maillog expire forget add remove import alert \
	    lookup list report metrics export; do
		case $m in
		pipe)	 $B < "$tmp/dsn" ;;
		replay)	 $B --replay "$tmp/dsn" ;;
		maillog) $B --maillog "$tmp/maillog" ;;
		expire)	 $B --expire ;;
		forget)	 $B --forget gone@example.org ;;
		add)	 $B --add gone@example.org --why test ;;
		remove)	 $B --remove gone@example.org --why test ;;
		import)	 $B --import "$tmp/imp" ;;
		alert)	 $B --alert ;;
		lookup)	 $B --lookup gone@example.org ;;
		list)	 $B --list ;;
		report)	 $B --report ;;
		metrics) $B --metrics ;;
		export)	 $B --export - ;;
		esac > /dev/null 2> "$tmp/e"
		echo "$m $? $(wc -l < "$tmp/e") $(grep -c "$db" "$tmp/e")" >> "$tmp/r"
	done
	# modes that did not exit 75 with one line naming the path
	awk '$2 != 75 || $3 != 1 || $4 != 1' "$tmp/r" > "$tmp/bad"
	is "$(cat "$tmp/bad" | tr '\n' ';')" "" "$1: every mode exits 75 with one line naming the path"
}

tries "missing database"
[ ! -e "$db" ] && [ ! -e "$db-wal" ]; ok $? "missing database: nothing created"
$B < "$tmp/dsn" 2> "$tmp/e"
grep -q "only bouncer --init creates" "$tmp/e"; ok $? "the line says what creates one ($(cat "$tmp/e"))"

# a zero-length file (a failed restore, a truncated copy)
: > "$db"
tries "zero-length database"
is "$(stat -c %s "$db")" 0 "zero-length database: left as it was"

# a database that something else made (not bouncer's)
rm -f "$db"*
sqlite3 "$db" 'CREATE TABLE t (x); PRAGMA journal_mode = WAL;' > /dev/null
tries "someone else's database"
is "$(sqlite3 "$db" "select count(*) from sqlite_master where name = 'suppression'")" 0 "someone else's database: no schema added"

# --init creates it, and then everything works
rm -f "$db"*
$B --init > /dev/null; ok $? "--init creates the database"
$B < "$tmp/dsn"; ok $? "then a bounce is stored (exit 0)"
is "$(sqlite3 "$db" "select class from suppression where address = 'x@example.net'")" hard "stored"
$B --init > /dev/null; ok $? "--init again on an existing database is harmless"
is "$(sqlite3 "$db" "select count(*) from suppression")" 1 "and keeps the list"

# a replay whose database is deleted midway: it stops, exit 75, and does
# not report the messages it could not store
replay_midway() {	# replay_midway WHAT: WHAT is "delete" or "replace"
	rm -f "$db"*
	$B --init > /dev/null
	{
		for i in $(seq 1 30); do
			echo "From MAILER-DAEMON Sat Nov 22 10:00:00 2026"
			mkdsn "a$i@midway.example" 5.1.1 "550 5.1.1 User unknown" "a$i@x"
		done
		# a commit is made 0.2 s into a batch, at the next message
		sleep 0.5
		echo "From MAILER-DAEMON Sat Nov 22 10:00:00 2026"
		mkdsn "a31@midway.example" 5.1.1 "550 5.1.1 User unknown" "a31@x"
		i=0
		while [ $i -lt 100 ] && [ "$(sqlite3 "$db" "select count(*) from suppression" 2> /dev/null)" != 30 ]; do
			sleep 0.1; i=$((i + 1))
		done
		if [ "$1" = delete ]; then
			rm -f "$db"
		else
			rm -f "$tmp/other.db"*
			$BOUNCER --allow-root --db "$tmp/other.db" --init > /dev/null
			# a restored copy: the file and its WAL files
			rm -f "$db-wal" "$db-shm"
			for f in "" -wal -shm; do
				[ -e "$tmp/other.db$f" ] && mv "$tmp/other.db$f" "$db$f"
			done
		fi
		for i in $(seq 32 60); do
			echo "From MAILER-DAEMON Sat Nov 22 10:00:00 2026"
			mkdsn "a$i@midway.example" 5.1.1 "550 5.1.1 User unknown" "a$i@x"
		done
	} | $B --jobs 1 --replay - > "$tmp/o" 2> "$tmp/e"
	echo $?
}
rc=$(replay_midway delete)
is "$rc" 75 "replay, database deleted midway: exit 75"
grep -q "$db was deleted or replaced" "$tmp/e"; ok $? "the error names the path ($(cat "$tmp/e"))"
grep -q "newly suppressed" "$tmp/o"; [ $? != 0 ]; ok $? "no summary that claims stores"
[ ! -e "$db" ]; ok $? "and it did not create a new file"

rc=$(replay_midway replace)
is "$rc" 75 "replay, database replaced midway: exit 75"
grep -q "$db was deleted or replaced" "$tmp/e"; ok $? "the error names the path"
is "$(sqlite3 "$db" "select count(*) from suppression")" 0 "the replacement holds nothing the replay counted"
done_testing
