#!/bin/sh
# bouncer --cgi, the one-click unsubscribe endpoint (issue 24, RFC 8058):
# first as a CGI/1.1 program run by hand (RFC 3875's environment), then
# end to end behind Debian's lighttpd with curl on loopback.
. "$(dirname "$0")/lib.sh"
db=$tmp/b.db
key=$tmp/sign.key
printf '%s\n' 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff > "$key"; chmod 600 "$key"
cat > "$tmp/b.conf" <<EOT
db = $db
sign_keys = $key
sign_domain = bounces.example.com
unsubscribe_url = https://www.example.com/unsubscribe
unsubscribe_max_age = 60d
trust = sent
EOT
NOW=2026-12-01T12:00:00Z
B="$BOUNCER --allow-root --config $tmp/b.conf"
$B --init > /dev/null
row() { q "select class from suppression where address='$1'"; }
query() { $B ${2:+--now $2} --list-unsubscribe "$1" | sed -n 's/.*<https:[^>?]*?\([^>]*\)>.*/\1/p'; }
# cgi METHOD QUERY [BODY [CONTENT-TYPE]]: the response, head and body
cgi() {
	printf %s "${3:-}" > "$tmp/body"
	env REQUEST_METHOD="$1" QUERY_STRING="$2" CONTENT_LENGTH="$(wc -c < "$tmp/body" | tr -d ' ')" \
	    CONTENT_TYPE="${4:-application/x-www-form-urlencoded}" GATEWAY_INTERFACE=CGI/1.1 \
	    $B --now "$NOW" --cgi < "$tmp/body"
}
status() { sed -n '1s/^Status: \([0-9]*\).*/\1/p'; }
printf 'List-Unsubscribe=One-Click' > "$tmp/oc"

qa=$(query ann@example.net $NOW)
cgi GET "$qa" > "$tmp/o"; is "$(status < "$tmp/o")" 200 "GET: 200"
grep -q '<form method="post" action="?u=ann%3Dexample.net%2Bu\.[0-9]*\.[0-9a-f]*"><input type="hidden" name="List-Unsubscribe" value="One-Click">' "$tmp/o"; ok $? "GET: a page whose button POSTs List-Unsubscribe=One-Click"
is "$(row ann@example.net)" "" "GET never unsubscribes (link scanners fetch URLs)"
cgi HEAD "$qa" > "$tmp/o"; is "$(status < "$tmp/o")" 200 "HEAD: 200, and nothing recorded either"
is "$(q "select count(*) from events")" 0 "no event from GET or HEAD"
cgi POST "$qa" "List-Unsubscribe=One-Click" > "$tmp/o"; is "$(status < "$tmp/o")" 200 "POST List-Unsubscribe=One-Click: 200"
is "$(row ann@example.net)" unsubscribe "POST unsubscribes"
is "$(q "select source||' '||feedback_type||' '||diagnostic from events where address='ann@example.net'")" "unsubscribe opt-out one-click unsubscribe (RFC 8058)" "recorded as a one-click request"
cgi POST "$qa" "List-Unsubscribe=One-Click" > "$tmp/o2"
cmp -s "$tmp/o" "$tmp/o2"; ok $? "a second POST answers the same (nothing says whether the address was listed)"
is "$(q "select count(*) from events where address='ann@example.net'")" 1 "and counts once"
qb=$(query bob@example.net $NOW)
tampered=$(printf %s "$qb" | sed 's/bob%3D/rob%3D/')
cgi POST "$tampered" "List-Unsubscribe=One-Click" > "$tmp/o"; is "$(status < "$tmp/o")" 400 "a token altered to name another address: 400"
cgi GET "$tampered" > "$tmp/o"; is "$(status < "$tmp/o")" 400 "and a GET of it: 400"
last=$(printf %s "$qb" | tail -c 1); case $last in 0) flip=1 ;; *) flip=0 ;; esac
cgi POST "$(printf %s "$qb" | sed "s/.\$/$flip/")" "List-Unsubscribe=One-Click" | status > "$tmp/o"; is "$(cat "$tmp/o")" 400 "a tag with one digit changed: 400"
cgi POST "" "List-Unsubscribe=One-Click" | status > "$tmp/o"; is "$(cat "$tmp/o")" 400 "no token: 400"
old=$(query cy@example.net 2026-09-01T00:00:00Z)
cgi POST "$old" "List-Unsubscribe=One-Click" | status > "$tmp/o"; is "$(cat "$tmp/o")" 400 "a token older than unsubscribe_max_age: 400"
is "$(q "select count(*) from events where address in ('rob@example.net', 'bob@example.net', 'cy@example.net')")" 0 "bad and expired tokens record nothing"
cgi POST "$qb" "List-Unsubscribe=Nope" | status > "$tmp/o"; is "$(cat "$tmp/o")" 400 "a POST without List-Unsubscribe=One-Click: 400"
is "$(row bob@example.net)" "" "and unsubscribes nobody"
printf -- '--frontier\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--frontier--\r\n' > "$tmp/mp"
cgi POST "$qb" "$(cat "$tmp/mp")" "multipart/form-data; boundary=frontier" | status > "$tmp/o"
is "$(cat "$tmp/o")" 200 "POST as multipart/form-data (RFC 8058 3.2): 200"
is "$(row bob@example.net)" unsubscribe "and unsubscribes"
qd=$(query dee@example.net $NOW)
head -c 9000 /dev/zero | tr '\0' a > "$tmp/big"
cgi POST "$qd" "$(cat "$tmp/big")" | status > "$tmp/o"; is "$(cat "$tmp/o")" 413 "a body over 8 KiB: 413"
cgi PUT "$qd" | status > "$tmp/o"; is "$(cat "$tmp/o")" 405 "PUT: 405"
is "$(row dee@example.net)" "" "neither records anything"
# locked: 503 with Retry-After, nothing lost (the sender tries again)
printf 'busy_timeout = 1\n' >> "$tmp/b.conf"
(echo "BEGIN IMMEDIATE;"; sleep 6; echo "COMMIT;") | sqlite3 "$db" > /dev/null 2>&1 &
holder=$!
i=0	# until the holder has the write lock
while sqlite3 "$db" "BEGIN IMMEDIATE; ROLLBACK;" > /dev/null 2>&1 && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
cgi POST "$qd" "List-Unsubscribe=One-Click" > "$tmp/o" 2> "$tmp/e"
wait $holder
is "$(status < "$tmp/o")" 503 "the store locked past busy_timeout: 503"
grep -q '^Retry-After: 60$' "$tmp/o"; ok $? "with Retry-After"
cgi POST "$qd" "List-Unsubscribe=One-Click" | status > "$tmp/o"; is "$(cat "$tmp/o")" 200 "the retry: 200"
is "$(row dee@example.net)" unsubscribe "and it is recorded"
env -u REQUEST_METHOD $B --cgi > /dev/null 2>&1; is $? 64 "--cgi outside a web server: exit 64"
# key rotation: a new first key signs, the old one still verifies until
# its not-after date
qg=$(query gus@example.net $NOW)
{ printf '%s\n' ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100; cat "$key"; } > "$tmp/rot.key"; chmod 600 "$tmp/rot.key"
sed "s|^sign_keys = .*|sign_keys = $tmp/rot.key|" "$tmp/b.conf" > "$tmp/rot.conf"
R="$BOUNCER --allow-root --config $tmp/rot.conf"
[ "$($R --now $NOW --list-unsubscribe gus@example.net | sed -n 's/.*<https:[^>?]*?\([^>]*\)>.*/\1/p')" != "$qg" ]; ok $? "after rotation the new key signs (another tag)"
env REQUEST_METHOD=POST QUERY_STRING="$qg" CONTENT_LENGTH=26 CONTENT_TYPE=application/x-www-form-urlencoded \
    $R --now $NOW --cgi < "$tmp/oc" | status > "$tmp/o"
is "$(cat "$tmp/o") $(row gus@example.net)" "200 unsubscribe" "a token of the old key is still honoured after rotation"
{ head -1 "$tmp/rot.key"; printf '%s not-after 2026-11-30\n' "$(cat "$key")"; } > "$tmp/rot2.key"; chmod 600 "$tmp/rot2.key"
sed "s|^sign_keys = .*|sign_keys = $tmp/rot2.key|" "$tmp/b.conf" > "$tmp/rot2.conf"
qh=$(query hal@example.net $NOW)
env REQUEST_METHOD=POST QUERY_STRING="$qh" CONTENT_LENGTH=26 CONTENT_TYPE=application/x-www-form-urlencoded \
    $BOUNCER --allow-root --config "$tmp/rot2.conf" --now $NOW --cgi < "$tmp/oc" | status > "$tmp/o"
is "$(cat "$tmp/o") $(row hal@example.net)" "400 " "past the old key's not-after date its tokens are refused"

# end to end: lighttpd (mod_cgi) runs it; curl is the mailbox provider
if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/lighttpd ] || ! command -v curl > /dev/null 2>&1; then
	skip "--cgi behind lighttpd" "needs root, lighttpd and curl (BOUNCER_E2E_DEPS=1 tests/deps.sh)"
	done_testing; exit 0
fi
port=
for p in 18080 18081 18082 18083 18084 18085; do
	ss -ltn 2>/dev/null | awk '{print $4}' | grep -q ":$p\$" || { port=$p; break; }
done
mkdir -p "$tmp/www"
cat > "$tmp/www/unsubscribe" <<EOT
#!/bin/sh
exec $BOUNCER --config $tmp/b.conf --cgi
EOT
chmod 755 "$tmp/www/unsubscribe"
cat > "$tmp/lighttpd.conf" <<EOT
server.modules = ( "mod_cgi" )
server.document-root = "$tmp/www"
server.bind = "127.0.0.1"
server.port = $port
server.errorlog = "$tmp/lighttpd.err"
server.pid-file = "$tmp/lighttpd.pid"
cgi.assign = ( "/unsubscribe" => "" )
EOT
/usr/sbin/lighttpd -D -f "$tmp/lighttpd.conf" > "$tmp/lighttpd.out" 2>&1 &
lpid=$!
trap 'kill $lpid 2>/dev/null; wait $lpid 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
i=0
while ! curl -s -o /dev/null "http://127.0.0.1:$port/" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
base="http://127.0.0.1:$port/unsubscribe"
qe=$(query eve@example.net)
code() { curl -s --max-time 10 -o "$tmp/resp" -w '%{http_code}' "$@"; }
is "$(code "$base?$qe")" 200 "lighttpd: GET answers 200"
grep -q 'name="List-Unsubscribe" value="One-Click"' "$tmp/resp"; ok $? "with the confirmation button"
is "$(row eve@example.net)" "" "lighttpd: GET does not unsubscribe"
is "$(code -H 'Content-Type: application/x-www-form-urlencoded' --data 'List-Unsubscribe=One-Click' "$base?$(printf %s "$qe" | sed 's/eve%3D/eva%3D/')")" 400 "lighttpd: a tampered URL answers 400"
is "$(q "select count(*) from events where address in ('eve@example.net', 'eva@example.net')")" 0 "and records nothing"
is "$(code -H 'Content-Type: application/x-www-form-urlencoded' --data 'List-Unsubscribe=One-Click' "$base?$qe")" 200 "lighttpd: the one-click POST (as Gmail sends it) answers 200"
is "$(row eve@example.net)" unsubscribe "lighttpd: POST unsubscribes"
qf=$(query fay@example.net)
is "$(code -F 'List-Unsubscribe=One-Click' "$base?$qf")" 200 "lighttpd: a multipart/form-data POST answers 200"
is "$(row fay@example.net)" unsubscribe "and unsubscribes"
done_testing
