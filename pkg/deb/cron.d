# /etc/cron.d/bouncer: what bouncer's systemd units do, for a machine
# without systemd; where systemd runs, and once the package is removed
# (this file is a conffile and stays), these lines do nothing. Each is
# silent unless something changed, so cron mails no one.
SHELL=/bin/sh
PATH=/usr/sbin:/usr/bin:/sbin:/bin
# the log reader, following rsyslog's mail.log (the journal needs
# systemd): started every minute unless it runs already (flock -n)
* * * * *    bouncer test -x /usr/bin/bouncer && [ ! -d /run/systemd/system ] && [ -r /var/log/mail.log ] && flock -n -E 0 /var/lib/bouncer/maillog.lock /usr/bin/bouncer --config /etc/bouncer/bouncer.conf --maillog /var/log/mail.log --follow
17 3 * * *   bouncer test -x /usr/bin/bouncer && [ ! -d /run/systemd/system ] && /usr/bin/bouncer --config /etc/bouncer/bouncer.conf --expire
*/10 * * * * bouncer test -x /usr/bin/bouncer && [ ! -d /run/systemd/system ] && /usr/bin/bouncer --config /etc/bouncer/bouncer.conf --alert
# metrics for Debian's prometheus-node-exporter, when it is installed
* * * * *    root    test -x /usr/bin/bouncer && [ ! -d /run/systemd/system ] && [ -d /var/lib/prometheus/node-exporter ] && runuser -u bouncer -- /usr/bin/bouncer --config /etc/bouncer/bouncer.conf --metrics > /var/lib/prometheus/node-exporter/.bouncer.prom.tmp && mv -f /var/lib/prometheus/node-exporter/.bouncer.prom.tmp /var/lib/prometheus/node-exporter/bouncer.prom
