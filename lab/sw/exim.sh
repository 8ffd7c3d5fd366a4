# Exim 4 (heavy: content scanning) as a receiving server (10.77.0.11,
# exim.lab), its configuration written whole after Exim's own example
# (src/configure.default): its messages are Exim's or that file's.
# SpamAssassin's spamd checks content at DATA (GTUBE), and ClamAV's clamd
# (Exim's malware condition, its words from that file's commented example)
# with a signature database of the lab's own: ClamAV's signatures come
# from database.clamav.net, so clamd loads one .ndb signature for the
# EICAR test string (ClamAV's extended signature format,
# docs.clamav.net/manual/Signatures/ExtendedSignatures.html:
# "MalwareName:TargetType:Offset:HexSignature", target 0 any file).
setup_exim() {
	resolv exim "$LAB_NET.11 mx.exim.lab"
	run exim sh -c 'for u in user full; do id $u > /dev/null 2>&1 || useradd -m -s /bin/sh $u; done'
	put exim /etc/exim4/exim4.conf <<EOT
primary_hostname = mx.exim.lab
qualify_domain = exim.lab
domainlist local_domains = exim.lab
domainlist relay_to_domains =
hostlist relay_from_hosts = 127.0.0.1
local_interfaces = $LAB_NET.11
daemon_smtp_ports = 25
host_lookup =
rfc1413_hosts =
never_users = root
message_size_limit = 20K
delay_warning = 1m:10m
ignore_bounce_errors_after = 2m
timeout_frozen_after = 5m
log_file_path = /var/log/exim4/%slog
spool_directory = /var/spool/exim4
spamd_address = 127.0.0.1 783
av_scanner = clamd:127.0.0.1 3310
acl_smtp_rcpt = acl_check_rcpt
acl_smtp_data = acl_check_data
tls_advertise_hosts =

begin acl
acl_check_rcpt:
  accept  hosts = :
  deny    message = Restricted characters in address
          local_parts = ^[.] : ^.*[@%!/|]
  accept  hosts = +relay_from_hosts
  require message = relay not permitted
          domains = +local_domains : +relay_to_domains
  require verify = recipient
  accept

acl_check_data:
  deny    malware = *
          message = This message contains a virus (\$malware_name).
  deny    spam = nobody:true
          condition = \${if >{\$spam_score_int}{50}}
          message = This message scored \$spam_score spam points.
  accept

begin routers
dnslookup:
  driver = dnslookup
  domains = ! +local_domains
  transport = remote_smtp
  ignore_target_hosts = 0.0.0.0 : 127.0.0.0/8
  no_more
system_aliases:
  driver = redirect
  allow_fail
  allow_defer
  data = \${lookup{\$local_part}lsearch{/etc/aliases}}
  file_transport = address_file
  pipe_transport = address_pipe
localuser:
  driver = accept
  check_local_user
  transport = local_delivery

begin transports
remote_smtp:
  driver = smtp
  interface = $LAB_NET.11
local_delivery:
  driver = appendfile
  file = /var/mail/\$local_part_data
  delivery_date_add
  envelope_to_add
  return_path_add
  group = mail
  mode = 0660
  quota = \${if eq{\$local_part}{full}{10K}{}}
address_pipe:
  driver = pipe
  return_output
address_file:
  driver = appendfile
  delivery_date_add
  envelope_to_add
  return_path_add

begin retry
*  *  F,3m,20s

begin rewrite
EOT
	{ printf 'postmaster: root\nloop2: loop1@postfix.lab\n'; aliases exim; } | put exim /etc/aliases
	# clamd over TCP: Exim streams the message (over a local socket it
	# would pass a file name in its spool, which clamd may not read)
	put exim /etc/clamav/clamd.lab.conf <<EOT
TCPSocket 3310
TCPAddr 127.0.0.1
User clamav
DatabaseDirectory /var/lib/clamav
LogFile /var/log/clamav/clamd.log
PidFile /run/clamav/clamd.pid
Foreground false
ScanMail true
EOT
	hex=$(printf '%s' "$LAB_EICAR" | od -An -tx1 | tr -d ' \n')
	echo "Lab.EICAR-Test-File:0:*:$hex" | put exim /var/lib/clamav/lab-eicar.ndb
	run exim sh -c 'mkdir -p /run/clamav /var/log/clamav; chown clamav /run/clamav /var/log/clamav /var/lib/clamav'
	run exim sh -c 'mkdir -p /var/log/exim4; chown -R Debian-exim /var/log/exim4 /var/spool/exim4
	    head -c 20000 /dev/zero | tr "\0" x | fold -w 76 > /var/mail/full; chown full:mail /var/mail/full; chmod 660 /var/mail/full'
}

start_exim() {
	run exim spamd -d --listen=127.0.0.1:783 -u debian-spamd
	run exim clamd -c /etc/clamav/clamd.lab.conf
	run exim exim4 -bd -q15s
}

cases_exim() {
	relay_cases exim
	cat <<EOT
exim|mailboxfull|full@exim.lab|0|soft|mailboxfull
exim|spam|user@exim.lab|0|block|spamdetected|gtube
exim|virus|user@exim.lab|0|block|virusdetected|eicar
exim|virus-two|user@exim.lab,full@exim.lab|0|block|virusdetected|eicar
exim|loop|loop2@exim.lab|0|soft|systemerror/networkerror
EOT
}
pkg_exim() { echo exim exim4-daemon-heavy; }
busy_exim() { [ "$(run exim exim4 -bpc)" != 0 ]; }
