# The filters senders meet, each in front of its own smtpd of one Postfix
# (the "filters" root): postgrey (10.77.0.20, postgrey.lab), policyd-spf
# (.21, spf.lab), OpenDMARC (.22, dmarc.lab), SpamAssassin through
# spamass-milter (.23, spamass.lab) and Rspamd's milter (.24, rspamd.lab).
# sender.lab publishes "v=spf1 -all" and a DMARC p=reject policy (lab.sh),
# so SPF and DMARC fail for every message the lab sends.
setup_filters() {
	resolv filters "$LAB_NET.20 mx.filters.lab"
	run filters sh -c 'for u in user user2; do id $u > /dev/null 2>&1 || useradd -m -s /bin/sh $u; done'
	put filters /etc/postfix/main.cf <<EOT
compatibility_level = 3.6
myhostname = mx.filters.lab
mydomain = filters.lab
mydestination = postgrey.lab, spf.lab, dmarc.lab, spamass.lab, rspamd.lab, localhost
inet_interfaces = $LAB_NET.20, $LAB_NET.21, $LAB_NET.22, $LAB_NET.23, $LAB_NET.24
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
biff = no
smtp_tls_security_level = none
smtpd_tls_security_level = none
maillog_file = /var/log/postfix.log
milter_default_action = tempfail
EOT
	run filters postconf -F '*/*/chroot = n'
	run filters postconf -M 'postlog/unix-dgram=postlog unix-dgram n - n - 1 postlogd'
	run filters postconf -MX smtp/inet
	rr='smtpd_recipient_restrictions=permit_mynetworks,reject_unauth_destination'
	run filters postconf -M "$LAB_NET.20:smtp/inet=$LAB_NET.20:smtp inet n - n - - smtpd -o $rr,check_policy_service,inet:127.0.0.1:10023"
	run filters postconf -M "$LAB_NET.21:smtp/inet=$LAB_NET.21:smtp inet n - n - - smtpd -o $rr,check_policy_service,unix:private/policyd-spf"
	run filters postconf -M "$LAB_NET.22:smtp/inet=$LAB_NET.22:smtp inet n - n - - smtpd -o smtpd_milters=inet:127.0.0.1:8893"
	run filters postconf -M "$LAB_NET.23:smtp/inet=$LAB_NET.23:smtp inet n - n - - smtpd -o smtpd_milters=unix:/run/spamass.sock"
	run filters postconf -M "$LAB_NET.24:smtp/inet=$LAB_NET.24:smtp inet n - n - - smtpd -o smtpd_milters=inet:127.0.0.1:11332"
	run filters postconf -M 'policyd-spf/unix=policyd-spf unix - n n - 0 spawn user=nobody argv=/usr/bin/policyd-spf'
	put filters /etc/opendmarc.lab.conf <<EOT
Socket inet:8893@127.0.0.1
AuthservID mx.filters.lab
RejectFailures true
SPFSelfValidate true
SPFIgnoreResults true
PidFile /run/opendmarc.lab.pid
UserID opendmarc
EOT
	run filters sh -c 'mkdir -p /run/opendmarc /var/run/spamass; chown opendmarc /run/opendmarc 2>/dev/null; :'
	# postgrey forgets the last run's triplets (it would let them through now)
	run filters sh -c 'rm -f /var/lib/postgrey/*'
}
start_filters() {
	run filters spamd -d --listen=127.0.0.1:784 -u debian-spamd
	run filters postgrey --inet=127.0.0.1:10023 --delay=3600 -d --pidfile=/run/postgrey.pid
	run filters opendmarc -c /etc/opendmarc.lab.conf
	run filters sh -c 'spamass-milter -p /run/spamass.sock -r 5 -f -- -p 784; sleep 1; chmod 666 /run/spamass.sock'
	run filters sh -c 'mkdir -p /run/rspamd && chown _rspamd /run/rspamd; rspamd -u _rspamd -g _rspamd'
	run filters postfix start
}
cases_filters() {
	cat <<EOT
postgrey|greylisted|user@postgrey.lab|0|block|blocked
policyd-spf|spf-fail|user@spf.lab|0|block|authfailure
opendmarc|dmarc-reject|user@dmarc.lab|0|block|authfailure
spamass-milter|gtube|user@spamass.lab|0|block|spamdetected|gtube
rspamd|gtube|user@rspamd.lab|0|block|spamdetected|gtube
policyd-spf|spf-fail-two|user@spf.lab,user2@spf.lab|0|block|authfailure
opendmarc|dmarc-reject-two|user@dmarc.lab,user2@dmarc.lab|0|block|authfailure
spamass-milter|gtube-two|user@spamass.lab,user2@spamass.lab|0|block|spamdetected|gtube
rspamd|gtube-two|user@rspamd.lab,user2@rspamd.lab|0|block|spamdetected|gtube
EOT
}
pkg_filters() { echo filters postfix; }
pkg_postgrey() { echo filters postgrey; }
pkg_policyd_spf() { echo filters postfix-policyd-spf-python; }
pkg_opendmarc() { echo filters opendmarc; }
pkg_spamass_milter() { echo filters spamass-milter; }
pkg_rspamd() { echo filters rspamd; }
busy_filters() { ! run filters postqueue -p | grep -q '^Mail queue is empty'; }
