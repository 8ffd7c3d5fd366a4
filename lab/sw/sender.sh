# The sending Postfix (10.77.0.1) and the lab's resolver (dnsmasq). Every
# case mails from sender+CASE@sender.lab, so each bounce comes back to a
# mailbox that names its case. Short queue times make delay notices and
# expiry bounces within minutes.
setup_sender() {
	resolv sender "$LAB_NET.1 mx.sender.lab"
	run sender sh -c 'id sender > /dev/null 2>&1 || useradd -m -s /bin/sh sender'
	put sender /etc/postfix/main.cf <<EOT
compatibility_level = 3.6
myhostname = mx.sender.lab
mydomain = sender.lab
myorigin = sender.lab
mydestination = sender.lab, mx.sender.lab, localhost
inet_interfaces = $LAB_NET.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8 $LAB_NET.0/24
home_mailbox = Maildir/
recipient_delimiter = +
alias_maps =
local_recipient_maps = unix:passwd.byname
biff = no
smtp_tls_security_level = none
smtpd_tls_security_level = none
delay_warning_time = 1m
maximal_queue_lifetime = 4m
bounce_queue_lifetime = 4m
queue_run_delay = 15s
minimal_backoff_time = 15s
maximal_backoff_time = 30s
smtp_connect_timeout = 5s
# on the lab's loopback a client's address is its server's unless bound
smtp_bind_address = $LAB_NET.1
lmtp_bind_address = $LAB_NET.1
smtp_helo_timeout = 20s
transport_maps = texthash:/etc/postfix/transport
maillog_file = /var/log/postfix.log
EOT
	put sender /etc/postfix/transport <<EOT
dovecot.lab	lmtp:inet:[$LAB_NET.16]:24
cyrus.lab	lmtp:inet:[$LAB_NET.15]:24
EOT
	run sender postconf -F '*/*/chroot = n'
	run sender postconf -M 'postlog/unix-dgram=postlog unix-dgram n - n - 1 postlogd'
	run sender newaliases 2>/dev/null
	put sender /etc/dnsmasq.lab <<EOT
no-resolv
no-hosts
listen-address=$LAB_NET.1
bind-interfaces
user=root
log-facility=/var/log/dnsmasq.log
local=/lab/
$LAB_DNS
# a domain whose name servers do not answer: SERVFAIL, a temporary failure
server=/servfail.lab/$LAB_NET.254
# a mail exchanger name that does not resolve
mx-host=badmx.lab,mx.nowhere.lab,10
# a mail exchanger that accepts and never answers (timeouts, then expiry)
host-record=mx.blackhole.lab,$LAB_NET.250
mx-host=blackhole.lab,mx.blackhole.lab,10
EOT
}

start_sender() {
	# servfail.lab's name server: answers every query SERVFAIL
	ip netns exec "$LAB_NS" python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 53))
if os.fork(): sys.exit(0)
while True:
    q, peer = s.recvfrom(512)
    if len(q) < 12: continue
    # the question back, as a response (QR, RA) with RCODE 2, no records
    i = 12
    while i < len(q) and q[i]: i += q[i] + 1
    r = q[:2] + bytes([0x80 | (q[2] & 0x79), 0x82]) + q[4:6] + bytes(6) + q[12:i + 5]
    s.sendto(r, peer)
' "$LAB_NET.254" < /dev/null > /dev/null 2>&1
	run sender dnsmasq --conf-file=/etc/dnsmasq.lab
	# mx.blackhole.lab: accepts connections and never says a word
	run sender perl -MIO::Socket::INET -e '
	    my $s = IO::Socket::INET->new(LocalAddr => "'$LAB_NET'.250:25",
	        Listen => 64, ReuseAddr => 1) or die "tarpit: $!";
	    exit 0 if fork; my @held; while (my $c = $s->accept) { push @held, $c }' 
	run sender postfix start
}

# send CASE RCPT[,RCPT...] [SIZE [NOTIFY]]: one message from
# sender+CASE@sender.lab
send() {
	c=$1 rcpt=$2 size=${3:-0} notify=${4:-failure,delay}
	{
		printf 'From: Lab <sender+%s@sender.lab>\nTo: <%s>\n' "$c" "$rcpt"
		printf 'Subject: lab case %s\nMessage-ID: <%s.%s@sender.lab>\n' "$c" "$c" "$(date +%s)"
		printf 'MIME-Version: 1.0\nContent-Type: text/plain\n\n'
		printf 'A message of the bounce lab, case %s.\n' "$c"
		if [ -n "${LAB_BODY:-}" ]; then printf '%s\n' "$LAB_BODY"; fi
		if [ "$size" -gt 0 ]; then
			head -c "$size" /dev/zero | tr '\0' 'x' | fold -w 76
		fi
	} | run sender sendmail -N "$notify" -f "sender+$c@sender.lab" $(echo "$rcpt" | tr , ' ')
}
pkg_sender() { echo sender postfix; }
