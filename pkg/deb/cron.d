# /etc/cron.d/bouncer: the same jobs as bouncer's systemd timers, for a
# machine without systemd (where they run, these lines do nothing).
# Both are silent unless something changed.
SHELL=/bin/sh
PATH=/usr/sbin:/usr/bin:/sbin:/bin
17 3 * * *   bouncer [ -d /run/systemd/system ] || /usr/bin/bouncer --config /etc/bouncer/bouncer.conf --expire
*/5 * * * *  bouncer [ -d /run/systemd/system ] || [ ! -e /var/log/mail.log ] || /usr/bin/bouncer --config /etc/bouncer/bouncer.conf --maillog /var/log/mail.log
