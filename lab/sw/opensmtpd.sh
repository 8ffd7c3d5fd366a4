# OpenSMTPD as a receiving server (10.77.0.13, opensmtpd.lab).
setup_opensmtpd() {
	resolv opensmtpd "$LAB_NET.13 mx.opensmtpd.lab"
	run opensmtpd sh -c 'id user > /dev/null 2>&1 || useradd -m -s /bin/sh user'
	aliases opensmtpd | put opensmtpd /etc/smtpd/aliases
	put opensmtpd /etc/smtpd.conf <<EOT
smtp max-message-size 20000
queue ttl 3m
bounce warn-interval 1m
table aliases file:/etc/smtpd/aliases
listen on $LAB_NET.13 hostname mx.opensmtpd.lab
action "local" mbox alias <aliases>
action "relay" relay helo mx.opensmtpd.lab src $LAB_NET.13
match from any for domain "opensmtpd.lab" action "local"
match from local for any action "relay"
EOT
	rm -f "$LAB_DIR/roots/opensmtpd/etc/smtpd/smtpd.conf"
	ln -sf ../smtpd.conf "$LAB_DIR/roots/opensmtpd/etc/smtpd/smtpd.conf" 2>/dev/null
}
start_opensmtpd() { run opensmtpd smtpd -f /etc/smtpd.conf; }
cases_opensmtpd() { relay_cases opensmtpd; }
pkg_opensmtpd() { echo opensmtpd opensmtpd; }
busy_opensmtpd() { [ -n "$(run opensmtpd smtpctl show queue 2>/dev/null)" ]; }
