#!/bin/sh
# lab/lab.sh - the bounce lab (make lab; README "The bounce lab").
# Installs real mail software from Debian's packages, each in its own root,
# runs them side by side in a private network namespace, mails each of
# them from a sending Postfix in every way it can fail, and writes every
# DSN and delay notice that comes back to fixtures/lab/<software>/<cause>.eml
# with its truth in fixtures/lab/expected.jsonl. Needs root and a Debian
# mirror (apt's); the base root is cached in $LAB_CACHE.
#
# usage: lab/lab.sh [SOFTWARE...]   (default: every one in lab/sw/)
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
. "$here/lib.sh"
. "$here/roots.sh"
[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, chroot, ip netns)"
for f in "$here"/sw/*.sh; do . "$f"; done
out=${LAB_OUT:-$top/fixtures/lab}
sw=${*:-${LAB_SOFTWARE:-postfix exim sendmail opensmtpd courier cyrus filters}}
wait_max=${LAB_WAIT:-600}

# every address of the lab and the domains served there (bl.lab: a DNS
# block list that lists the sending Postfix, 10.77.0.1)
LAB_HOSTS="1 10 11 12 15 16 17 18 19 20 21 22 23 24 25 250 254"	# 13, 14: their own (lib.sh)
LAB_DNS=''
mx() {	# mx DOMAIN HOST-NUMBER
	LAB_DNS="$LAB_DNS
host-record=mx.$1,$LAB_NET.$2
mx-host=$1,mx.$1,10"
}
mx sender.lab 1
mx postfix.lab 10; mx relay-postfix.lab 10; mx postfix-rate.lab 17
mx postfix-rbl.lab 18; mx postfix-sender.lab 19
mx dovecot-lda.lab 10
mx exim.lab 11; mx relay-exim.lab 11
mx sendmail.lab 12; mx relay-sendmail.lab 12
mx opensmtpd.lab 13; mx relay-opensmtpd.lab 13
mx courier.lab 14; mx relay-courier.lab 14
mx cyrus.lab 15
LAB_DNS="$LAB_DNS
host-record=1.0.77.10.bl.lab,127.0.0.2
txt-record=sender.lab,\"v=spf1 -all\"
txt-record=_dmarc.sender.lab,\"v=DMARC1; p=reject\""
mx postgrey.lab 20; mx spf.lab 21; mx dmarc.lab 22; mx spamass.lab 23; mx rspamd.lab 24

cleanup() {
	net_down
	umount_all
}
trap cleanup EXIT
trap 'exit 1' INT TERM

base
echo "$LAB_ROOTS" | while IFS='|' read -r name pkgs; do
	[ -n "$name" ] || continue
	case " sender $sw " in *" $name "*) mkroot "$name" $pkgs || exit 1 ;; esac
done || exit 1

net_up
for r in sender $sw; do	# this run's logs only
	for l in var/log/postfix.log var/log/dovecot.log var/log/dnsmasq.log var/log/exim4/mainlog \
	    var/log/exim4/rejectlog var/log/syslog home/vmail/dovecot-lda.log; do
		rm -f "$LAB_DIR/roots/$r/$l"
	done
done
setup_sender
for s in $sw; do "setup_$s"; done
for r in sender $sw; do syslog "$r"; done
start_sender
for s in $sw; do "start_$s"; done
sleep 3

# every case: software|cause|recipient|size|class|reason[|body]
for s in $sw; do "cases_$s"; done > "$LAB_DIR/cases"
rm -rf "$LAB_DIR/roots/sender/home/sender/Maildir"
while IFS='|' read -r s cause rcpt size class reason body; do
	notify=failure,delay
	case "$body" in
	success) LAB_BODY= notify=success,failure,delay ;;
	gtube) LAB_BODY='XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X' ;;
	eicar) LAB_BODY=$LAB_EICAR ;;
	*) LAB_BODY= ;;
	esac
	send "$s.$cause" "$rcpt" "$size" "$notify" < /dev/null
done < "$LAB_DIR/cases"
say "$(wc -l < "$LAB_DIR/cases") messages sent; waiting for bounces (up to ${wait_max}s)"

# wait for every queue to drain: the sender's, and each server's own
t=0
while [ $t -lt "$wait_max" ]; do
	sleep 20; t=$((t + 20))
	busy=
	run sender postqueue -p | grep -q '^Mail queue is empty' || busy="sender"
	for s in $sw; do
		if command -v "busy_$s" > /dev/null && "busy_$s"; then busy="$busy $s"; fi
	done
	[ -n "$busy" ] || break
	say "${t}s: queued at$busy"
done
sleep 5

# collect: each bounce goes back to sender+SOFTWARE.CAUSE@sender.lab
sh "$here/collect.sh" "$LAB_DIR" "$out" $sw
