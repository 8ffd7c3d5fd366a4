#!/bin/sh
# What the list keeps and what it lets go, on SQLite (tests/lifecycle-suite.sh).
. "$(dirname "$0")/lib.sh"
db=$tmp/b.db
B="$BOUNCER --allow-root --db $db"
BACKEND=sqlite
. "$top/tests/lifecycle-suite.sh"
done_testing
