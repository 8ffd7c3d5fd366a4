#!/bin/sh
# Run as root, every mode leaves the database's files owned by the user
# who owns the database (or its directory): otherwise root-owned -wal
# and -shm files lock out the bouncer user and Postfix, and every bounce
# is deferred. A database whose owner has no name is refused, saying so.
. "$(dirname "$0")/lib.sh"
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null 2>&1 ||
   ! id nobody >/dev/null 2>&1; then
	skip "modes run as root keep the owner" "needs root, setpriv and the user nobody"
	done_testing; exit 0
fi
chmod 755 "$tmp"
d=$tmp/lib db=$tmp/lib/bouncer.db
install -d -o nobody -g nogroup -m 2770 "$d"
cp "$BOUNCER" "$tmp/bouncer" 2>/dev/null || cp "$top/bouncer" "$tmp/bouncer"
chmod 755 "$tmp/bouncer"
B="$BOUNCER --db $db"
owners() { stat -c '%U' "$db" "$db-wal" "$db-shm" 2>&1 | sort -u | tr '\n' ' '; }

$B --init > /dev/null; ok $? "--init as root"
is "$(owners)" "nobody " "--init as root: the database and its WAL files belong to the directory's owner"
rm -f "$db-wal" "$db-shm"
$B --add root-added@example.com --why test > /dev/null; ok $? "--add as root"
is "$(owners)" "nobody " "--add as root recreates the WAL files as the database's owner"
mkdsn gone@example.net 5.1.1 '550 5.1.1 user unknown' root-pipe@test > "$tmp/m"
rm -f "$db-wal" "$db-shm"
$B --allow-root < "$tmp/m"; ok $? "pipe mode as root (--allow-root)"
is "$(owners)" "nobody " "pipe mode as root leaves the files to the database's owner"
$B --expire > /dev/null; ok $? "--expire as root"
setpriv --reuid=nobody --regid=nogroup --clear-groups \
    "$tmp/bouncer" --db "$db" --add after-root@example.com --why test > /dev/null
ok $? "the owner can still write after root's runs"
is "$($B --lookup gone@example.net | grep -c suppressed)" 1 "root's pipe-mode bounce was stored"

# an owner without a name: refused, saying which uid
install -d -o 54321 -m 0700 "$tmp/anon"
out=$($B --db "$tmp/anon/x.db" --init 2>&1); rc=$?
is "$rc" 75 "a database owned by a nameless uid: exit 75"
case $out in *"uid 54321"*"run bouncer as that user"*) r=0 ;; *) r=1 ;; esac
ok $r "... and says which uid to run as ($out)"
[ ! -e "$tmp/anon/x.db" ]; ok $? "... and creates nothing"
done_testing
