# Sendmail as a receiving server (10.77.0.12, sendmail.lab), its
# sendmail.cf built from a small .mc with Debian's sendmail-cf macros.
setup_sendmail() {
	resolv sendmail "$LAB_NET.12 mx.sendmail.lab"
	run sendmail sh -c 'id user > /dev/null 2>&1 || useradd -m -s /bin/sh user
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
MAILER(\`local')dnl
MAILER(\`smtp')dnl
EOT
	printf 'sendmail.lab\nmx.sendmail.lab\n' | put sendmail /etc/mail/local-host-names
	{ printf 'postmaster: root\nMAILER-DAEMON: postmaster\n'; aliases sendmail; } | put sendmail /etc/mail/aliases
	# the queue as Debian leaves it belongs to smmta: the daemon runs as root
	run sendmail sh -c 'cd /etc/mail && m4 lab.mc > sendmail.cf && sendmail -bi > /dev/null
	    chown root /var/spool/mqueue; chmod 700 /var/spool/mqueue'
}
start_sendmail() { run sendmail sendmail -bd -q15s; }
cases_sendmail() { relay_cases sendmail; }
pkg_sendmail() { echo sendmail sendmail-bin; }
busy_sendmail() { ! run sendmail mailq 2>/dev/null | grep -q 'queue is empty'; }
