# Cyrus IMAP's lmtpd (10.77.0.15:24, cyrus.lab), reached straight from
# the sending Postfix (transport lmtp:). Mailboxes are made over IMAP as
# the admin "cyrus" (sasldb); "full" gets a 1 KiB quota and a message.
# "disabled" has a mailbox and is denied every service with cyr_deny(8),
# which lmtpd's verify_user answers with LMTP_MAILBOX_DISABLED (its own
# "Delivery to mailbox is disabled", imap/lmtpengine.c, lmtpstat.et).
setup_cyrus() {
	resolv cyrus "$LAB_NET.15 mx.cyrus.lab"
	put cyrus /etc/imapd.conf <<EOT
configdirectory: /var/lib/cyrus
proc_path: /run/cyrus/proc
mboxname_lockpath: /run/cyrus/lock
defaultpartition: default
partition-default: /var/spool/cyrus/mail
altnamespace: no
unixhierarchysep: no
lmtp_downcase_rcpt: yes
servername: mx.cyrus.lab
admins: cyrus
allowplaintext: yes
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_mech_list: PLAIN LOGIN
virtdomains: off
lmtp_over_quota_perm_failure: yes
maxmessagesize: 20000
hashimapspool: true
syslog_prefix: cyrus
EOT
	put cyrus /etc/cyrus.conf <<EOT
START {
	recover		cmd="/usr/sbin/cyrus ctl_cyrusdb -r"
}
SERVICES {
	imap		cmd="imapd" listen="$LAB_NET.15:143" prefork=0 maxchild=10
	lmtp		cmd="lmtpd -a" listen="$LAB_NET.15:24" prefork=0 maxchild=10
}
EVENTS {
	checkpoint	cmd="/usr/sbin/cyrus ctl_cyrusdb -c" period=30
}
EOT
	run cyrus sh -c 'echo x | saslpasswd2 -p -c -u mx.cyrus.lab cyrus; chown cyrus /etc/sasldb2 2>/dev/null
	    mkdir -p /run/cyrus/proc /run/cyrus/lock /run/cyrus/socket; chown -R cyrus /run/cyrus'
}
start_cyrus() {
	run cyrus cyrmaster -d
	sleep 3
	# the mailboxes, over IMAP (Python's imaplib, from the host, in the lab's network)
	ip netns exec "$LAB_NS" python3 - "$LAB_NET.15" <<'EOT'
import imaplib, sys, time
m = imaplib.IMAP4(sys.argv[1])
m.login("cyrus", "x")
for box in ("user.user", "user.full", "user.disabled"):
    m.create(box)
m.setacl("user.full", "cyrus", "lrswipkxtecda")
m.setquota("user.full", "(STORAGE 100000)")
big = b"From: x@cyrus.lab\r\nSubject: filler\r\n\r\n" + b"x" * 4000 + b"\r\n"
m.append("user.full", None, None, big)
m.setquota("user.full", "(STORAGE 1)")
m.logout()
EOT
	run cyrus runuser -u cyrus -- /usr/lib/cyrus/bin/cyr_deny -m 'bouncer lab: disabled' disabled
}
cases_cyrus() {
	cat <<EOT
cyrus|userunknown|nosuch@cyrus.lab|0|hard|userunknown
cyrus|mailboxfull|full@cyrus.lab|0|soft|mailboxfull
cyrus|userunknown-two|nosuch-a@cyrus.lab,nosuch-b@cyrus.lab|0|hard|userunknown
cyrus|mesgtoobig|user@cyrus.lab|40000|soft|mesgtoobig
cyrus|disabled|disabled@cyrus.lab|0|soft|suspend
EOT
}
pkg_cyrus() { echo cyrus cyrus-imapd; }
