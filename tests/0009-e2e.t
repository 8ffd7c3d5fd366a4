#!/bin/sh
# The end-to-end test against a real Postfix (tests/e2e/postfix.sh), one
# at a time on the machine: two instances could pick the same free-looking
# port, and one would then test the other's Postfix.
exec flock /tmp/bouncer-e2e.lock sh "$(dirname "$0")/e2e/postfix.sh"
