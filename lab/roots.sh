# lab/roots.sh - which Debian packages go into which root (sourced).
# name|packages ; each root is a copy of the base, one mail system each.
LAB_ROOTS='
sender|postfix dnsmasq-base
postfix|postfix dovecot-core dovecot-lmtpd
exim|exim4-daemon-heavy spamassassin spamd clamav-daemon
sendmail|sendmail-bin sendmail-cf m4 make
opensmtpd|opensmtpd
courier|courier-mta
cyrus|cyrus-imapd cyrus-common sasl2-bin
filters|postfix postgrey postfix-policyd-spf-python opendmarc spamass-milter spamassassin spamd rspamd redis-server
'
LAB_PRESEED='postfix postfix/main_mailer_type select No configuration
postfix postfix/mailname string localhost
courier-base courier-base/webadmin-configmode boolean false
courier-base courier-base/maildirpath string Maildir
courier-base courier-base/certnotice note
courier-mta courier-mta/defaultdomain string courier.lab
cyrus-common cyrus-common/removespools boolean false
exim4-config exim4/dc_eximconfig_configtype select no configuration at this time
exim4-config exim4/no_config boolean true
sendmail-bin sendmail/rebuild boolean false'
