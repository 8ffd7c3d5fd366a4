# tests/pg.sh - sourced by tests that need PostgreSQL: a throw-away
# cluster under $tmp, run by the postgres user, on 127.0.0.1 and a free
# port, stopped and removed at exit. Sets PGURI (bouncer, the writer
# role, owner of database bouncer) and PGREADER_PW (postfix_reader).
# pg_skip is 1 when it cannot be had (not root, no server).
pg_skip=1
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ "$(id -u)" = 0 ] && [ -n "$pgbin" ] && [ -x "$pgbin/initdb" ] && id postgres >/dev/null 2>&1; then
	pg_skip=0
fi
pg_start() {
	pgdir=$tmp/pg
	mkdir -p "$pgdir"; chown postgres "$pgdir"; chmod 700 "$pgdir"
	su -s /bin/sh postgres -c "$pgbin/initdb -D $pgdir/data -A trust -U pgadmin" > "$tmp/pg.init" 2>&1 || return 1
	# Several suites (and several checkouts) may start clusters at once:
	# a port that looked free can be taken before our server binds it,
	# so try the next one when the start fails.
	PGPORT=
	for p in $(seq 54329 54399); do
		ss -ltn 2>/dev/null | awk '{print $4}' | grep -q ":$p\$" && continue
		PGPORT=$p
		pg_ctl_start && break
		PGPORT=
	done
	[ -n "$PGPORT" ] || return 1
	psql -q -h 127.0.0.1 -p "$PGPORT" -U pgadmin -d postgres -v ON_ERROR_STOP=1 > "$tmp/pg.sql" 2>&1 <<EOT || return 1
CREATE ROLE bouncer LOGIN;
CREATE ROLE postfix_reader LOGIN PASSWORD 'reader-secret';
CREATE DATABASE bouncer OWNER bouncer;
\c bouncer
ALTER DEFAULT PRIVILEGES FOR ROLE bouncer IN SCHEMA public GRANT SELECT ON TABLES TO postfix_reader;
EOT
	PGURI="postgresql://bouncer@127.0.0.1:$PGPORT/bouncer"
	PGREADER_PW=reader-secret
	trap 'pg_stop; rm -rf "$tmp"' EXIT INT TERM
}
pg_ctl_start() {
	su -s /bin/sh postgres -c "$pgbin/pg_ctl -D $pgdir/data -w -t 30 -l $pgdir/log \
	    -o \"-c listen_addresses=127.0.0.1 -p $PGPORT -k $pgdir -c fsync=off\" start" > /dev/null 2>&1
}
pg_stop() {
	[ -n "${pgdir:-}" ] && su -s /bin/sh postgres -c "$pgbin/pg_ctl -D $pgdir/data -m fast -w stop" > /dev/null 2>&1
	return 0
}
pgq() { psql -At -h 127.0.0.1 -p "$PGPORT" -U pgadmin -d bouncer -c "$1"; }
