#!/bin/sh
# What the list keeps and what it lets go, on PostgreSQL
# (tests/lifecycle-suite.sh).
. "$(dirname "$0")/lib.sh"
. "$top/tests/pg.sh"
if [ $pg_skip = 1 ]; then
	skip "PostgreSQL lifecycle" "needs root and Debian's postgresql (initdb)"
	done_testing; exit 0
fi
chmod 755 "$tmp"
pg_start || { echo "Bail out! PostgreSQL did not start"; exit 1; }
db=$PGURI
B="$BOUNCER --allow-root --db $db"
q() { pgq "$1"; }
BACKEND=pg
$B --init > /dev/null
. "$top/tests/lifecycle-suite.sh"
done_testing
