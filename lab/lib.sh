# lab/lib.sh - shared helpers of the bounce lab (sourced by lab/lab.sh).
# Each mail server lives in its own Debian root made by debootstrap (their
# packages conflict: all provide mail-transport-agent), and every daemon
# runs in one private network namespace, so nothing reaches the host's own
# Postfix or the network.
set -u
LAB_CACHE=${LAB_CACHE:-/var/cache/bouncer-lab}	# the debootstrap base, kept
LAB_DIR=${LAB_DIR:-/var/tmp/bouncer-lab}	# the roots of one run
LAB_NS=${LAB_NS:-bouncerlab}
LAB_MIRROR=${LAB_MIRROR:-http://deb.debian.org/debian}
LAB_SUITE=bookworm
LAB_NET=10.77.0
LAB_OWN_NS=${LAB_OWN_NS:-courier opensmtpd}	# roots in a namespace of their own
own_host() { case $1 in courier) echo 14 ;; opensmtpd) echo 13 ;; esac; }

say() { echo "lab: $*" >&2; }
die() { echo "lab: $*" >&2; exit 1; }

# base: one minbase bookworm, made once and copied for every server
base() {
	[ -d "$LAB_CACHE/base" ] && return 0
	command -v debootstrap > /dev/null ||
	    apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends debootstrap ||
	    die "cannot install debootstrap"
	mkdir -p "$LAB_CACHE" && rm -rf "$LAB_CACHE/base.tmp"
	say "debootstrap $LAB_SUITE (a few minutes, once)"
	debootstrap --variant=minbase --include=iproute2,procps,netbase,ca-certificates,less \
	    "$LAB_SUITE" "$LAB_CACHE/base.tmp" "$LAB_MIRROR" > "$LAB_CACHE/debootstrap.log" 2>&1 ||
	    die "debootstrap failed: see $LAB_CACHE/debootstrap.log"
	mv "$LAB_CACHE/base.tmp" "$LAB_CACHE/base"
}

# mkroot NAME PACKAGE...: a copy of the base with the packages installed
# (daemons not started: policy-rc.d says no). Kept between runs unless the
# package list changed.
mkroot() {
	name=$1; shift
	r=$LAB_DIR/roots/$name
	if [ -f "$r/.lab-pkgs" ] && [ "$(cat "$r/.lab-pkgs")" = "$*" ]; then
		return 0
	fi
	umount_root "$r"
	rm -rf "$r"; mkdir -p "$LAB_DIR/roots"
	cp -a "$LAB_CACHE/base" "$r"
	printf '#!/bin/sh\nexit 101\n' > "$r/usr/sbin/policy-rc.d"
	chmod 755 "$r/usr/sbin/policy-rc.d"
	cp /etc/resolv.conf "$r/etc/resolv.conf"
	echo "$name" > "$r/etc/hostname"
	mkdir -p "$LAB_CACHE/archives/partial"
	mount --bind "$LAB_CACHE/archives" "$r/var/cache/apt/archives"
	mount -t proc proc "$r/proc"
	say "$name: installing $*"
	if [ -n "${LAB_PRESEED:-}" ]; then
		printf '%s\n' "$LAB_PRESEED" | chroot "$r" debconf-set-selections
	fi
	chroot "$r" apt-get -q update > "$r/.lab-apt.log" 2>&1 &&
	DEBIAN_FRONTEND=noninteractive chroot "$r" apt-get -q -o APT::Keep-Downloaded-Packages=true \
	    install -y --no-install-recommends "$@" >> "$r/.lab-apt.log" 2>&1
	rc=$?
	umount "$r/var/cache/apt/archives" "$r/proc"
	[ $rc -eq 0 ] || die "$name: apt-get failed: see $r/.lab-apt.log"
	echo "$*" > "$r/.lab-pkgs"
}

# version NAME PACKAGE: the Debian version of a package in a root
version() {
	chroot "$LAB_DIR/roots/$1" dpkg-query -W -f='${Version}' "$2" 2>/dev/null
}

umount_root() {
	for m in dev proc var/cache/apt/archives; do
		mountpoint -q "$1/$m" 2>/dev/null && umount -l "$1/$m"
	done
	return 0
}

# umount_all: every mount left under the lab's roots, whichever run or
# root made it (deepest first); says which ones would not go
umount_all() {
	for m in $(awk -v d="$LAB_DIR/roots/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r); do
		umount -l "$m" 2>/dev/null || say "cannot unmount $m"
	done
	left=$(awk -v d="$LAB_DIR/roots/" 'index($2, d) == 1 { print $2 }' /proc/mounts)
	[ -z "$left" ] || { say "still mounted: $left"; return 1; }
	return 0
}

# the network: one namespace, its loopback holding every server's address
net_up() {
	net_down
	ip netns add "$LAB_NS" || die "ip netns add failed"
	ip -n "$LAB_NS" link set lo up
	# on the loopback: no kernel module needed, nothing leaves
	for h in $LAB_HOSTS; do
		ip -n "$LAB_NS" addr add "$LAB_NET.$h/32" dev lo
	done
	# a server that takes every address of its host for its own (Courier
	# refuses to deliver "to itself" at any of them, OpenSMTPD lets them
	# all relay as "local") gets a namespace of its own, joined to the
	# lab's by a veth pair
	# the lab's namespace carries traffic between those of their own
	[ -z "$LAB_OWN_NS" ] ||
	    ip netns exec "$LAB_NS" sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward'
	for r in $LAB_OWN_NS; do
		h=$(own_host "$r") ns=$LAB_NS-$r
		ip netns add "$ns" || die "ip netns add $ns failed"
		ip -n "$ns" link set lo up
		ip -n "$LAB_NS" link add "v$r" type veth peer name eth0 netns "$ns" ||
		    die "veth for $r failed"
		ip -n "$LAB_NS" link set "v$r" up
		ip -n "$ns" link set eth0 up
		ip -n "$ns" addr add "$LAB_NET.$h/32" dev eth0
		# through the lab's own address, which the lab's side answers ARP
		# for (a route straight onto eth0 would ARP for every host)
		ip -n "$ns" route add "$LAB_NET.1/32" dev eth0
		ip -n "$ns" route add default via "$LAB_NET.1" dev eth0
		ip -n "$LAB_NS" route add "$LAB_NET.$h/32" dev "v$r" src "$LAB_NET.1"
	done
}

# stop every process in the lab's namespaces (all of them ours), by id
net_down() {
	for ns in "$LAB_NS" $(for r in $LAB_OWN_NS; do echo "$LAB_NS-$r"; done); do
		ip netns list | grep -q "^$ns\( \|$\)" || continue
		for sig in TERM KILL; do
			pids=$(ip netns pids "$ns" 2>/dev/null)
			[ -n "$pids" ] || break
			kill -s $sig $pids 2>/dev/null
			sleep 2
		done
		ip netns del "$ns" 2>/dev/null
	done
	return 0
}

# the namespace of a root
ns_of() {
	case " $LAB_OWN_NS " in *" $1 "*) echo "$LAB_NS-$1" ;; *) echo "$LAB_NS" ;; esac
}

# run NAME CMD...: a command inside a root, inside the lab's network
run() {
	name=$1; shift
	r=$LAB_DIR/roots/$name
	mountpoint -q "$r/proc" || mount -t proc proc "$r/proc"
	ip netns exec "$(ns_of "$name")" chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	    HOME=/root LANG=C.UTF-8 "$@"
}

# syslog NAME: a syslog for the root's daemons (Courier, Cyrus, spamd,
# ... log nowhere else): its /dev/log, written to /var/log/syslog there
# (the root has its own /dev: debootstrap's device nodes)
syslog() {
	r=$LAB_DIR/roots/$1
	# never the host's /dev (a root left with /dev bound by an old run)
	mountpoint -q "$r/dev" && umount "$r/dev"
	mountpoint -q "$r/dev" && die "$r/dev is still a mount point"
	rm -f "$r/dev/log"
	ip netns exec "$(ns_of "$1")" python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o666)
if os.fork(): sys.exit(0)
with open(sys.argv[2], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65536).rstrip(b"\0\n") + b"\n")
' "$r/dev/log" "$r/var/log/syslog" < /dev/null > /dev/null 2>&1
}

# put NAME PATH < content: write a file inside a root
put() {
	mkdir -p "$(dirname "$LAB_DIR/roots/$1$2")"
	cat > "$LAB_DIR/roots/$1$2"
}

# resolv NAME: the root asks the lab's resolver only
resolv() {
	echo "nameserver $LAB_NET.1" > "$LAB_DIR/roots/$1/etc/resolv.conf"
	echo "$1.lab" > "$LAB_DIR/roots/$1/etc/mailname"
	printf '127.0.0.1 localhost\n%s %s.lab %s\n' "$2" "$1" "$1" > "$LAB_DIR/roots/$1/etc/hosts"
}

# The forwarding addresses every receiving server has, each sending the
# message on to a known failure, so that each server's own DSN (accept,
# then bounce) shows up with every cause: name target class reason
LAB_ALIASES='to-postfix nosuch@postfix.lab hard userunknown
to-exim nosuch@exim.lab hard userunknown
to-sendmail nosuch@sendmail.lab hard userunknown
to-opensmtpd nosuch@opensmtpd.lab hard userunknown
to-courier nosuch@courier.lab hard userunknown
to-nxdomain user@nosuch.lab hard hostunknown
to-badmx user@badmx.lab hard hostunknown
to-servfail user@servfail.lab soft networkerror/expired
to-blackhole user@blackhole.lab soft networkerror/expired
to-relaydenied user@relay-exim.lab block norelaying
to-spf user@spf.lab block authfailure
to-spam user@rspamd.lab block spamdetected
to-dmarc user@dmarc.lab block authfailure
to-greylist user@postgrey.lab block blocked
to-full full@dovecot-lda.lab soft mailboxfull
to-virus user@exim.lab block virusdetected
to-disabled disabled@sendmail.lab soft suspend
to-two-a nosuch-a@postfix.lab hard userunknown
to-two-b nosuch-b@postfix.lab hard userunknown'

# Where the software's own words cannot carry the truth, the case says so:
# software|case (a shell pattern)|why; collect.sh writes it into the
# expected line as "exception", tests/0040 reports it instead of failing
LAB_EXCEPTIONS='opensmtpd|norelaying*|OpenSMTPD refuses a relay with the words it uses for an unknown user, `550 Invalid recipient` (smtp_session.c), so the address is classed hard
exim|userunknown*|Exim says `Unrouteable address` for any address no router accepts, user or domain: hard is right, the reason cannot tell userunknown from hostunknown
*|forward-exim*|Exim says `Unrouteable address` for any address no router accepts, user or domain: hard is right, the reason cannot tell userunknown from hostunknown
exim|forward-servfail*|Exim verifies the forwarded address at RCPT and defers it with `451 Temporary local problem - please try later`, no cause: soft is right, the reason is systemerror
courier|forward-blackhole*|Courier gives up after queuetime with Status 5.0.0 and no diagnostic: soft is right, nothing names the cause (undefined)
courier|forward-servfail*|Courier gives up after queuetime with Status 5.0.0 and no diagnostic: soft is right, nothing names the cause (undefined)
courier|forward-greylist*|Courier gives up after queuetime with Status 5.0.0 and no diagnostic: nothing names the cause'

# EICAR's anti-virus test file (eicar.org): 68 characters every scanner
# is meant to find. The lab's ClamAV knows it from a signature of its own
# (lab/sw/exim.sh), since ClamAV's databases come from the network.
LAB_EICAR='X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'

# the two halves of the loop between Postfix and Exim
LAB_LOOPS='loop1 loop2@exim.lab
loop2 loop1@postfix.lab'

# aliases SELF: the forwarding addresses in aliases(5) form ("name: target"),
# without the ones that would point back at the server itself
aliases() {
	echo "$LAB_ALIASES" | while read -r a t _; do
		case $t in *"@$1.lab"|*"@relay-$1.lab") continue ;; esac
		echo "$a: $t"
	done
}

# relay_cases SOFTWARE: the cases for those addresses, and the common ones
# (unknown user, two unknown users in one message, too big, relaying denied,
# a delivery notice asked for)
# (its variables are lab.sh's too: sh has no locals, and a name like
# "sw" here once overwrote lab.sh's list of software, so the wait, the
# collection and the cleanup saw only the last server)
relay_cases() {
	rc_sw=$1
	echo "$LAB_ALIASES" | while read -r a t class reason; do
		case $t in *"@$rc_sw.lab"|*"@relay-$rc_sw.lab") continue ;; esac
		case $a in
		to-two-a) echo "$rc_sw|forward-two|to-two-a@$rc_sw.lab,to-two-b@$rc_sw.lab|0|$class|$reason" ;;
		to-two-b) ;;
		to-spam) echo "$rc_sw|forward-spam|$a@$rc_sw.lab|0|$class|$reason|gtube" ;;
		to-virus) echo "$rc_sw|forward-virus|$a@$rc_sw.lab|0|$class|$reason|eicar" ;;
		*) echo "$rc_sw|forward-${a#to-}|$a@$rc_sw.lab|0|$class|$reason" ;;
		esac
	done
	cat <<EOT
$rc_sw|userunknown|nosuch@$rc_sw.lab|0|hard|userunknown
$rc_sw|userunknown-two|nosuch-a@$rc_sw.lab,nosuch-b@$rc_sw.lab|0|hard|userunknown
$rc_sw|mesgtoobig|user@$rc_sw.lab|40000|soft|mesgtoobig
$rc_sw|norelaying|user@relay-$rc_sw.lab|0|block|norelaying
$rc_sw|delivered|user@$rc_sw.lab|0|delivered|delivered|success
EOT
}
