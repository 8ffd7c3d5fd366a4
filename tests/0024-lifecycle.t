#!/bin/sh
# What the list keeps and what it lets go, on SQLite (tests/lifecycle-suite.sh).
. "$(dirname "$0")/lib.sh"
db=$tmp/b.db
B="$BOUNCER --allow-root --db $db"
$B --init > /dev/null
BACKEND=sqlite
. "$top/tests/lifecycle-suite.sh"

# what Postfix's own lookup finds (postfix-sqlite, SMTPUTF8 on)
if [ -x /usr/sbin/postmap ] && [ -e /usr/lib/postfix/postfix-sqlite.so ]; then
	mkdir -p "$tmp/pf"; printf 'compatibility_level = 3.6\n' > "$tmp/pf/main.cf"
	sed "s|^dbpath = .*|dbpath = $db|" "$top/postfix/bouncer-recipient-access.cf" > "$tmp/pf/ra.cf"
	look() { /usr/sbin/postmap -c "$tmp/pf" -q "$1" "sqlite:$tmp/pf/ra.cf"; }
	for a in 'ПОЛЬЗОВАТЕЛЬ@ПРИМЕР.РФ' 'пользователь@пример.рф' 'STRASSE@example.de' 'Straße@EXAMPLE.de' "o'reilly@r.example"; do
		look "$a" > /dev/null; is $? 0 "postmap -q finds $a"
	done
else
	skip "postmap -q" "postfix-sqlite not installed"
fi
done_testing
