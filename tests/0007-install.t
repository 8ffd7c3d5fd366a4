#!/bin/sh
# Man pages lint clean; make install honours PREFIX and DESTDIR and the
# installed binary runs; make uninstall removes what install put there.
. "$(dirname "$0")/lib.sh"
if command -v mandoc >/dev/null 2>&1; then
	out=$(mandoc -Tlint -W warning "$top/man/bouncer.1" "$top/man/bouncer.conf.5" "$top/man/bouncer-postfix-lines.1" 2>&1)
	is "$out" "" "mandoc -Tlint: no warnings"
else
	skip "mandoc -Tlint" "mandoc not installed"
fi
dest=$tmp/dest
make -s -C "$top" install DESTDIR="$dest" PREFIX=/opt/bnc > "$tmp/log" 2>&1; ok $? "make install DESTDIR PREFIX"
for f in bin/bouncer share/man/man1/bouncer.1 share/man/man5/bouncer.conf.5 \
    share/bouncer/default.rules share/bouncer/postfix/bouncer-recipient-access.cf \
    share/bouncer/postfix/bouncer-transport.cf share/bouncer/postfix/master.cf; do
	[ -f "$dest/opt/bnc/$f" ]; ok $? "installed $f"
done
[ -f "$dest/etc/bouncer/bouncer.conf" ]; ok $? "installed the default config"
"$dest/opt/bnc/bin/bouncer" --version | grep -q '^bouncer '; ok $? "installed binary runs"
# bouncer-postfix-lines prints the Postfix lines with the installed paths
# (it reads them from DATADIR, here under DESTDIR: point it there)
sed "s|^share=.*|share=$dest/opt/bnc/share/bouncer/postfix|" "$dest/opt/bnc/bin/bouncer-postfix-lines" > "$tmp/bpl"
sh "$tmp/bpl" bounces.example.org > "$tmp/lines"; ok $? "bouncer-postfix-lines runs"
grep -q 'argv=/opt/bnc/bin/bouncer ' "$tmp/lines" && grep -q "^echo 'bounces.example.org bouncer:'" "$tmp/lines" &&
    grep -q '^relay_domains = .*bounces.example.org' "$tmp/lines"
ok $? "... with the installed binary's path and the bounce domain"
! grep -q 'proxy_read_maps' "$tmp/lines"; ok $? "... and no Postfix 2 proxy_read_maps list"
sh "$tmp/bpl" 'bad domain;x' > /dev/null 2>&1; is $? 65 "bouncer-postfix-lines refuses a bad domain"
is "$("$dest/opt/bnc/bin/bouncer" --explain --json "$top/fixtures/qmail-userunknown.eml" | jget reason)" userunknown "installed binary classifies"
make -s -C "$top" uninstall DESTDIR="$dest" PREFIX=/opt/bnc > "$tmp/log" 2>&1; ok $? "make uninstall"
is "$(find "$dest/opt" -type f | wc -l | tr -d ' ')" 0 "uninstall removed every installed file"
done_testing
