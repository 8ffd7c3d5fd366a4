# Courier as a receiving server (10.77.0.14, courier.lab); user lookups
# through courier-authlib's authdaemond (authpam: the root's passwd).
setup_courier() {
	resolv courier "$LAB_NET.14 mx.courier.lab"
	run courier sh -c 'id user > /dev/null 2>&1 || useradd -m -s /bin/sh user
	    [ -d /home/user/Maildir ] || su user -c "maildirmake /home/user/Maildir" 2>/dev/null ||
	        mkdir -p /home/user/Maildir/cur /home/user/Maildir/new /home/user/Maildir/tmp'
	c=$LAB_DIR/roots/courier/etc/courier
	echo mx.courier.lab > "$c/me"
	echo courier.lab > "$c/defaultdomain"
	printf 'localhost\ncourier.lab\nmx.courier.lab\n' > "$c/locals"
	echo courier.lab > "$c/esmtpacceptmailfor.dir/lab"
	echo 20000 > "$c/sizelimit"
	echo 3m > "$c/queuetime"
	echo 1m > "$c/warntime"
	echo 15 > "$c/retryalpha"; echo 1 > "$c/retrybeta"; echo 30 > "$c/retrygamma"
	aliases courier > "$c/aliases/system"
	sed -i '/^ADDRESS=/d; s/^ESMTPDSTART=.*//; s/^TARPIT=.*/TARPIT=0/' "$c/esmtpd"
	printf 'ADDRESS=%s\nESMTPDSTART=YES\n' "$LAB_NET.14" >> "$c/esmtpd"
	# Courier drops its own bounces of mail that came by SMTP from a client
	# without relay rights (ESMTP_BLOCKBACKSCATTER=smtp/dsn): the lab
	# wants to see them
	sed -i '/^ESMTP_BLOCKBACKSCATTER=/d' "$c/courierd"
	echo 'ESMTP_BLOCKBACKSCATTER=' >> "$c/courierd"
	# Debian lets 10/8 and 192.168/16 relay: here only the sending Postfix,
	# for which Courier is a relay (a client without relay rights gets
	# "556 Address unavailable" for an alias that forwards elsewhere)
	printf '127.0.0.1\tallow,RELAYCLIENT\n%s\tallow,RELAYCLIENT\n' "$LAB_NET.1" > "$c/smtpaccess/default"
	run courier sh -c 'makeacceptmailfor 2>/dev/null || /usr/lib/courier/makeacceptmailfor
	    makealiases 2>/dev/null || /usr/lib/courier/makealiases
	    makesmtpaccess 2>/dev/null || /usr/lib/courier/makesmtpaccess; true'
}
start_courier() {
	run courier sh -c 'mkdir -p /run/courier/authdaemon && chown -R daemon /run/courier 2>/dev/null
	    authdaemond start; sleep 1; courier start; esmtpd start'
}
# (no relaying-denied case: the sending Postfix may relay here)
cases_courier() { relay_cases courier | grep -v '|norelaying|'; }
pkg_courier() { echo courier courier-mta; }
busy_courier() { [ -n "$(run courier mailq 2>/dev/null | grep -v '^ *$' | head -1)" ] && run courier mailq 2>/dev/null | grep -q '@'; }
