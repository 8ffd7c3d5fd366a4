#!/bin/sh
# "make demo" and "make check" work on their first run on a machine
# without the build dependencies: the Makefile must ask pkg-config for
# the libraries' flags after "deps" has installed them, not when make
# first reads it. Proved without this machine's packages: a copy of the
# tree whose tests/deps.sh "installs" by creating a file, a pkg-config
# that fails until that file exists, and a cc that records its
# arguments and writes a do-nothing program.
. "$(dirname "$0")/lib.sh"
w=$tmp/tree bin=$tmp/bin
mkdir -p "$w/tests/unit" "$bin"
cp -R "$top/Makefile" "$top/src" "$top/include" "$w/"
rm -rf "$w"/src/*.o "$w"/src/*.d "$w/src/gen"
cp "$top"/tests/unit/*.c "$top"/tests/unit/*.h "$w/tests/unit/"
cat > "$w/tests/deps.sh" <<EOT
echo deps-ran >> "$tmp/order"
: > "$tmp/installed"
EOT
echo 'echo run-tests >> "'"$tmp"'/order"; echo "1 passed, 0 failed"' > "$w/tests/run.sh"
echo 'echo demo-ran >> "'"$tmp"'/order"' > "$w/tests/demo.sh"
cat > "$bin/pkg-config" <<EOT
#!/bin/sh
[ -e "$tmp/installed" ] || exit 1
case "\$1" in
--exists) exit 0 ;;
--cflags) echo "-DFAKE_PKG_CFLAGS" ;;
--libs) echo "-lfake_pkg_libs" ;;
esac
EOT
cat > "$bin/cc" <<EOT
#!/bin/sh
echo "\$*" >> "$tmp/cc.log"
out=
while [ \$# -gt 0 ]; do [ "\$1" = -o ] && out=\$2; shift; done
[ -n "\$out" ] && printf '#!/bin/sh\ncat > /dev/null\n' > "\$out" && chmod +x "\$out"
exit 0
EOT
chmod +x "$bin/pkg-config" "$bin/cc"

for target in demo check; do
	rm -f "$tmp/installed" "$tmp/cc.log" "$tmp/order"
	make -C "$w" clean > /dev/null 2>&1
	PATH=$bin:$PATH make -C "$w" CC="$bin/cc" $target > "$tmp/out" 2>&1
	ok $? "make $target on a bare machine: first run succeeds"
	[ "$(head -1 "$tmp/order" 2>/dev/null)" = deps-ran ]; ok $? "make $target: deps ran first"
	grep -- ' -c ' "$tmp/cc.log" > "$tmp/compiles"
	[ -s "$tmp/compiles" ]; ok $? "make $target compiled something"
	is "$(grep -vc -- -DFAKE_PKG_CFLAGS "$tmp/compiles")" 0 \
	    "make $target: every compile has the flags pkg-config gives after deps"
	grep -- '-o bouncer ' "$tmp/cc.log" | grep -q -- -lfake_pkg_libs
	ok $? "make $target: the link has the libraries pkg-config gives after deps"
done
done_testing
