#!/bin/sh
# tests/deps.sh - install what building and testing bouncer needs, from
# the distribution's packages, when something is missing. Runs apt-get
# when root, through sudo when that works without a password, and
# otherwise says what to install. Set BOUNCER_NO_APT=1 to never install.
set -u
missing=

have_pc() { pkg-config --exists "$1" 2>/dev/null; }
command -v cc >/dev/null 2>&1 || missing="$missing build-essential"
command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
have_pc gmime-3.0 || missing="$missing libgmime-3.0-dev"
have_pc libpcre2-8 || missing="$missing libpcre2-dev"
have_pc sqlite3 || missing="$missing libsqlite3-dev"
have_pc zlib || missing="$missing zlib1g-dev"
have_pc libpq || missing="$missing libpq-dev"
command -v sqlite3 >/dev/null 2>&1 || missing="$missing sqlite3"
command -v mandoc >/dev/null 2>&1 || missing="$missing mandoc"
if [ "${BOUNCER_E2E_DEPS:-0}" = 1 ]; then
	[ -x /usr/sbin/postfix ] || missing="$missing postfix"
	[ -e /usr/lib/postfix/postfix-sqlite.so ] || \
	    ls /usr/lib/postfix/*sqlite* >/dev/null 2>&1 || missing="$missing postfix-sqlite"
	command -v swaks >/dev/null 2>&1 || missing="$missing swaks"
	command -v promtool >/dev/null 2>&1 || missing="$missing prometheus"
	command -v jq >/dev/null 2>&1 || missing="$missing jq"
	command -v curl >/dev/null 2>&1 || missing="$missing curl"
	# tests/0055: --cgi behind a real web server
	[ -x /usr/sbin/lighttpd ] || missing="$missing lighttpd"
	# tests/0039: --report --html rendered by a real browser
	command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
	[ -e /usr/lib/postfix/postfix-pgsql.so ] || missing="$missing postfix-pgsql"
	command -v script >/dev/null 2>&1 || missing="$missing bsdutils"
fi
if [ "${BOUNCER_CI_DEPS:-0}" = 1 ]; then
	# the reliability checks: sanitizers, fuzzing, valgrind, static analysis
	command -v clang >/dev/null 2>&1 || missing="$missing clang"
	ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a \
	    >/dev/null 2>&1 || missing="$missing libclang-rt-14-dev"
	command -v valgrind >/dev/null 2>&1 || missing="$missing valgrind"
	command -v cppcheck >/dev/null 2>&1 || missing="$missing cppcheck"
	command -v clang-tidy >/dev/null 2>&1 || missing="$missing clang-tidy"
	# the Debian package (make deb, tests/pkg/deb.sh)
	command -v lintian >/dev/null 2>&1 || missing="$missing lintian"
	command -v dpkg-shlibdeps >/dev/null 2>&1 || missing="$missing dpkg-dev"
fi
[ -z "$missing" ] && exit 0

if [ "${BOUNCER_NO_APT:-0}" = 1 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "deps: missing:$missing (install them, e.g. apt-get install$missing)" >&2
	exit 1
fi
if [ "$(id -u)" = 0 ]; then
	sudo=
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	sudo="sudo -n"
else
	echo "deps: missing:$missing; run as root: apt-get install$missing" >&2
	exit 1
fi
echo "deps: installing$missing"
# Postfix asks a debconf question on install: answer "No configuration",
# so that nothing is configured or started on this machine.
echo "postfix postfix/main_mailer_type select No configuration" |
    $sudo debconf-set-selections 2>/dev/null
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get install -y -q --no-install-recommends $missing > /tmp/bouncer-apt.log 2>&1 ||
{ $sudo apt-get update -q > /dev/null 2>&1 &&
  $sudo apt-get install -y -q --no-install-recommends $missing > /tmp/bouncer-apt.log 2>&1; } ||
{ echo "deps: apt-get failed; see /tmp/bouncer-apt.log" >&2; tail -5 /tmp/bouncer-apt.log >&2; exit 1; }
exit 0
