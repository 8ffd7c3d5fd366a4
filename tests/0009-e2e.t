#!/bin/sh
# The end-to-end test against a real Postfix (tests/e2e/postfix.sh).
exec sh "$(dirname "$0")/e2e/postfix.sh"
