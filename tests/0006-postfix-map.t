#!/bin/sh
# The shipped postfix/*.cf maps against a real database, through Postfix's
# own postmap -q when postfix-sqlite is installed; as root, the lookups run
# as the postfix user and the writes as another user, in both orders
# (the production layout: bouncer(1), "Two users, one database").
. "$(dirname "$0")/lib.sh"
if ! command -v postmap >/dev/null 2>&1 && [ ! -x /usr/sbin/postmap ]; then
	skip "postfix maps" "postmap not installed (apt-get install postfix postfix-sqlite)"
	done_testing; exit 0
fi
PATH=$PATH:/usr/sbin
if [ ! -e /usr/lib/postfix/postfix-sqlite.so ] && ! ls /usr/lib/postfix/*/postfix-sqlite.so >/dev/null 2>&1; then
	skip "postfix maps" "postfix-sqlite not installed"
	done_testing; exit 0
fi
chmod 755 "$tmp"
mkdir -p "$tmp/pf" "$tmp/lib"
printf 'compatibility_level = 3.6\n' > "$tmp/pf/main.cf"
db=$tmp/lib/bouncer.db
for m in bouncer-recipient-access bouncer-transport; do
	sed "s|^dbpath = .*|dbpath = $db|" "$top/postfix/$m.cf" > "$tmp/pf/$m.cf"
done
chmod -R a+rX "$tmp/pf"

if [ "$(id -u)" = 0 ] && id postfix >/dev/null 2>&1 && command -v setpriv >/dev/null 2>&1; then
	# writer: nobody with group postfix's gid standing in for the shared
	# group; reader: postfix. Directory 2750: the reader cannot create or
	# remove the -wal and -shm files, only use them.
	pgid=$(id -g postfix)
	chown nobody:"$pgid" "$tmp/lib"; chmod 2750 "$tmp/lib"
	cp "$BOUNCER" "$tmp/bouncer" 2>/dev/null || cp "$top/bouncer" "$tmp/bouncer"
	chmod 755 "$tmp/bouncer"
	as_writer() { setpriv --reuid=nobody --regid="$pgid" --clear-groups "$@"; }
	as_reader() { setpriv --reuid=postfix --regid="$pgid" --clear-groups "$@"; }
	W="$tmp/bouncer"
	mode="writer nobody, reader postfix"
else
	as_writer() { "$@"; }
	as_reader() { "$@"; }
	W=$BOUNCER
	mode="one user (not root)"
fi
echo "# $mode"
look() { as_reader postmap -c "$tmp/pf" -q "$1" "sqlite:$tmp/pf/$2.cf" 2>>"$tmp/pmerr"; }

as_writer $W --db "$db" --init > /dev/null; ok $? "writer creates the database (--init)"
ls -l "$tmp/lib" | sed 's/^/# /'
# Postfix first: before bouncer has written anything
look alice@example.net bouncer-recipient-access > "$tmp/o"; rc=$?
is "$rc" 1 "lookup before any write: not found, no failure"
as_writer $W --db "$db" < "$top/fixtures/postfix-userunknown.eml"; is $? 0 "writer stores after the first lookup"
is "$(look alice@example.net bouncer-recipient-access)" "REJECT 5.1.1 Recipient suppressed: userunknown" "hard: REJECT 5.1.1 with the reason"
is "$(look ALICE@example.net bouncer-recipient-access)" "REJECT 5.1.1 Recipient suppressed: userunknown" "lookup key case folded by Postfix"
look clean@example.net bouncer-recipient-access; is $? 1 "clean address: no answer"
# bouncer after Postfix has read
as_writer $W --db "$db" < "$top/fixtures/arf-abuse.eml"; is $? 0 "writer stores after Postfix has read"
is "$(look mallory@isp.example bouncer-recipient-access)" "REJECT 5.7.1 Recipient suppressed: complaint" "complaint: REJECT 5.7.1"
is "$(look alice@example.net bouncer-transport)" "error:5.1.1 Recipient suppressed by bouncer (hard: userunknown)" "transport map routes to error:"
look clean@example.net bouncer-transport; is $? 1 "transport map: clean address falls through"
# an expired entry stops matching even before --expire runs
mkarf old@example.net old1@x | as_writer $W --db "$db" --now 2020-01-01T00:00:00Z
look old@example.net bouncer-recipient-access; is $? 1 "expired complaint no longer rejects"
is "$(wc -c < "$tmp/pmerr" | tr -d ' ')" 0 "postmap printed no warning or error"
sed 's/^/# /' "$tmp/pmerr"
done_testing
