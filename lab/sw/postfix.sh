# Postfix as the receiving server (10.77.0.10, postfix.lab), with Dovecot
# in the same root: LMTP on 10.77.0.16 (dovecot.lab, reached straight from
# the sender) and the LDA behind Postfix's pipe(8) (dovecot-lda.lab).
# A second smtpd on 10.77.0.17 rate-limits (postfix-rate.lab).
# A third on .18 refuses clients a DNS block list (bl.lab) lists
# (postfix-rbl.lab), a fourth on .19 refuses the sender's domain through
# an access map saying only REJECT (postfix-sender.lab): Postfix's words.
setup_postfix() {
	resolv postfix "$LAB_NET.10 mx.postfix.lab"
	run postfix sh -c 'for u in user full; do id $u > /dev/null 2>&1 || useradd -m -s /bin/sh $u; done
	    id vmail > /dev/null 2>&1 || useradd -m -s /bin/false vmail'
	put postfix /etc/postfix/main.cf <<EOT
compatibility_level = 3.6
myhostname = mx.postfix.lab
mydomain = postfix.lab
myorigin = postfix.lab
mydestination = postfix.lab, mx.postfix.lab, postfix-rate.lab, postfix-rbl.lab, postfix-sender.lab, localhost
inet_interfaces = $LAB_NET.10, $LAB_NET.17, $LAB_NET.18, $LAB_NET.19
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps = hash:/etc/postfix/aliases
alias_database =
biff = no
smtp_tls_security_level = none
smtpd_tls_security_level = none
message_size_limit = 20000
mailbox_size_limit = 20000
delay_warning_time = 1m
maximal_queue_lifetime = 3m
bounce_queue_lifetime = 3m
queue_run_delay = 15s
minimal_backoff_time = 15s
maximal_backoff_time = 30s
smtp_connect_timeout = 5s
smtp_bind_address = $LAB_NET.10
anvil_rate_time_unit = 3600s
transport_maps = texthash:/etc/postfix/transport
relay_domains = dovecot-lda.lab
dovecot_destination_recipient_limit = 1
maillog_file = /var/log/postfix.log
EOT
	{ printf 'postmaster: root\nloop1: loop2@exim.lab\n'; aliases postfix; } |
	    put postfix /etc/postfix/aliases
	run postfix postalias /etc/postfix/aliases
	echo "dovecot-lda.lab dovecot:" | put postfix /etc/postfix/transport
	run postfix postconf -F '*/*/chroot = n'
	run postfix postconf -M 'postlog/unix-dgram=postlog unix-dgram n - n - 1 postlogd'
	run postfix postconf -MX smtp/inet
	run postfix postconf -M "$LAB_NET.10:smtp/inet=$LAB_NET.10:smtp inet n - n - - smtpd"
	run postfix postconf -M "$LAB_NET.17:smtp/inet=$LAB_NET.17:smtp inet n - n - - smtpd -o smtpd_client_message_rate_limit=1"
	run postfix postconf -M "$LAB_NET.18:smtp/inet=$LAB_NET.18:smtp inet n - n - - smtpd -o smtpd_client_restrictions=reject_rbl_client,bl.lab"
	echo "sender.lab REJECT" | put postfix /etc/postfix/sender_access
	run postfix postconf -M "$LAB_NET.19:smtp/inet=$LAB_NET.19:smtp inet n - n - - smtpd -o smtpd_sender_restrictions=check_sender_access,texthash:/etc/postfix/sender_access"
	run postfix postconf -M 'dovecot/unix=dovecot unix - n n - - pipe flags=DRhu user=vmail argv=/usr/lib/dovecot/dovecot-lda -f ${sender} -d ${recipient}'
	# a mailbox already over the size limit: the next delivery cannot append
	head -c 30000 /dev/zero | tr '\0' 'x' | fold -w 76 > "$LAB_DIR/roots/postfix/var/mail/full"
	run postfix chown full:mail /var/mail/full
	# Dovecot: two users each, one with a tiny quota
	put postfix /etc/dovecot/users <<EOT
user@dovecot.lab:{PLAIN}x:5000:5000::/home/vmail/dovecot/user
full@dovecot.lab:{PLAIN}x:5000:5000::/home/vmail/dovecot/full::userdb_quota_rule=*:storage=1K
user@dovecot-lda.lab:{PLAIN}x:5000:5000::/home/vmail/lda/user
full@dovecot-lda.lab:{PLAIN}x:5000:5000::/home/vmail/lda/full::userdb_quota_rule=*:storage=1K
EOT
	run postfix sh -c 'uid=$(id -u vmail); sed -i "s/:5000:5000:/:$uid:$uid:/" /etc/dovecot/users'
	put postfix /etc/dovecot/dovecot.conf <<EOT
protocols = lmtp
listen = $LAB_NET.16
ssl = no
log_path = /var/log/dovecot.log
mail_location = maildir:~/Maildir
first_valid_uid = 100
auth_mechanisms = plain
passdb {
  driver = passwd-file
  args = /etc/dovecot/users
}
userdb {
  driver = passwd-file
  args = /etc/dovecot/users
}
service stats {
  unix_listener stats-writer {
    mode = 0666
  }
}
service lmtp {
  inet_listener lmtp {
    address = $LAB_NET.16
    port = 24
  }
}
mail_plugins = quota
plugin {
  quota = maildir:User quota
}
protocol lmtp {
  mail_plugins = quota
}
protocol lda {
  mail_plugins = quota
  log_path = /home/vmail/dovecot-lda.log
  postmaster_address = postmaster@postfix.lab
}
EOT
	run postfix sh -c 'for d in /home/vmail/dovecot/full /home/vmail/lda/full; do
	    mkdir -p $d/Maildir/cur $d/Maildir/new $d/Maildir/tmp
	    head -c 4000 /dev/zero | tr "\0" x > $d/Maildir/cur/1.lab:2,S; done
	    chown -R vmail /home/vmail; chmod 644 /etc/dovecot/users'
}

start_postfix() {
	run postfix postfix start
	run postfix dovecot -c /etc/dovecot/dovecot.conf
}

# case lines: software|cause|recipient|size|class|reason
cases_postfix() {
	relay_cases postfix | grep -v '|norelaying|'
	cat <<EOT
postfix|mailboxfull|full@postfix.lab|0|soft|mailboxfull
postfix|norelaying|user@relay-postfix.lab|0|block|norelaying
postfix|loop|loop1@postfix.lab|0|soft|systemerror/networkerror
postfix|ratelimit-first|user@postfix-rate.lab|0|delivered|delivered
postfix|ratelimit-2|user@postfix-rate.lab|0|block|speeding
postfix|ratelimit-3|user@postfix-rate.lab|0|block|speeding
postfix|rbl|user@postfix-rbl.lab|0|block|blocked
postfix|rbl-two|user@postfix-rbl.lab,full@postfix-rbl.lab|0|block|blocked
postfix|sender-rejected|user@postfix-sender.lab|0|block|rejected
postfix|hostunknown|user@nosuch.lab|0|hard|hostunknown
postfix|badmx|user@badmx.lab|0|hard|hostunknown
postfix|servfail|user@servfail.lab|0|soft|networkerror/expired
postfix|timeout|user@blackhole.lab|0|soft|networkerror/expired
dovecot|lmtp-userunknown|nosuch@dovecot.lab|0|hard|userunknown
dovecot|lmtp-userunknown-two|nosuch-a@dovecot.lab,nosuch-b@dovecot.lab|0|hard|userunknown
dovecot|lda-userunknown-two|nosuch-a@dovecot-lda.lab,nosuch-b@dovecot-lda.lab|0|hard|userunknown
dovecot|lmtp-mailboxfull|full@dovecot.lab|0|soft|mailboxfull
dovecot|lda-userunknown|nosuch@dovecot-lda.lab|0|hard|userunknown
dovecot|lda-mailboxfull|full@dovecot-lda.lab|0|soft|mailboxfull
EOT
}
pkg_postfix() { echo postfix postfix; }
pkg_dovecot() { echo postfix dovecot-core; }
busy_postfix() { ! run postfix postqueue -p | grep -q '^Mail queue is empty'; }
