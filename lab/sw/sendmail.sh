# Sendmail as a receiving server (10.77.0.12, sendmail.lab), its
# sendmail.cf built from a small .mc with Debian's sendmail-cf macros.
# A disabled mailbox: FEATURE(blocklist_recipients) with "REJECT" for the
# address in the access map, which Sendmail's proto.m4 answers with its
# own "550 5.2.1 ... Mailbox disabled for this recipient".
setup_sendmail() {
	resolv sendmail "$LAB_NET.12 mx.sendmail.lab"
	# (disabled and disabled2 are accounts; the access map refuses them)
	run sendmail sh -c 'for u in user disabled disabled2; do id $u > /dev/null 2>&1 || useradd -m -s /bin/sh $u; done
	    touch /var/mail/user; chown user:mail /var/mail/user; chmod 660 /var/mail/user'
	put sendmail /etc/mail/lab.mc <<EOT
include(\`/usr/share/sendmail/cf/m4/cf.m4')dnl
VERSIONID(\`bouncer lab')dnl
OSTYPE(\`linux')dnl
define(\`confDOMAIN_NAME', \`mx.sendmail.lab')dnl
define(\`confDONT_PROBE_INTERFACES', \`True')dnl
define(\`confMAX_MESSAGE_SIZE', \`20000')dnl
define(\`confTO_QUEUEWARN', \`1m')dnl
define(\`confTO_QUEUERETURN', \`3m')dnl
define(\`confTO_CONNECT', \`5s')dnl
define(\`confTO_INITIAL', \`20s')dnl
define(\`confMIN_QUEUE_AGE', \`0')dnl
define(\`ALIAS_FILE', \`/etc/mail/aliases')dnl
define(\`confCW_FILE', \`/etc/mail/local-host-names')dnl
define(\`LOCAL_MAILER_PATH', \`/usr/libexec/sendmail/mail.local')dnl
define(\`LOCAL_MAILER_ARGS', \`mail.local -d \$u')dnl
DAEMON_OPTIONS(\`Family=inet, Name=MTA-v4, Port=smtp, Addr=$LAB_NET.12')dnl
CLIENT_OPTIONS(\`Family=inet, Addr=$LAB_NET.12')dnl
FEATURE(\`use_cw_file')dnl
FEATURE(\`access_db')dnl
FEATURE(\`blocklist_recipients')dnl
MAILER(\`local')dnl
MAILER(\`smtp')dnl
EOT
	printf 'sendmail.lab\nmx.sendmail.lab\n' | put sendmail /etc/mail/local-host-names
	# ("user@" names the local part in every local domain: Sendmail
	# canonifies sendmail.lab to mx.sendmail.lab before it looks)
	printf 'disabled@\tREJECT\ndisabled2@\tREJECT\n' | put sendmail /etc/mail/access
	{ printf 'postmaster: root\nMAILER-DAEMON: postmaster\n'; aliases sendmail; } | put sendmail /etc/mail/aliases
	# the queue as Debian leaves it belongs to smmta: the daemon runs as root
	# (makemap as root may not write in /etc/mail, smmta's; a map only
	# smmta may read is "unsafe" to the daemon: the lab's is world-readable)
	run sendmail sh -c 'cd /etc/mail && m4 lab.mc > sendmail.cf && sendmail -bi > /dev/null
	    rm -f access.db; runuser -u smmta -- makemap hash /etc/mail/access < /etc/mail/access &&
	    chmod 644 access.db || echo "lab: sendmail: makemap failed" >&2
	    chown root /var/spool/mqueue; chmod 700 /var/spool/mqueue'
}
start_sendmail() { run sendmail sendmail -bd -q15s; }
cases_sendmail() {
	relay_cases sendmail
	cat <<EOT
sendmail|disabled|disabled@sendmail.lab|0|soft|suspend
sendmail|disabled-two|disabled@sendmail.lab,disabled2@sendmail.lab|0|soft|suspend
EOT
}
pkg_sendmail() { echo sendmail sendmail-bin; }
busy_sendmail() { ! run sendmail mailq 2>/dev/null | grep -q 'queue is empty'; }
