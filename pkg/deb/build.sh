#!/bin/sh
# pkg/deb/build.sh - "make deb": build bouncer_VERSION_ARCH.deb at the top
# of the tree with dpkg-deb, from a clean copy of the sources compiled
# with Debian's hardening flags (dpkg-buildflags). Prints the file name.
# Needs dpkg-dev (dpkg-buildflags, dpkg-shlibdeps) and the build
# dependencies; installs nothing.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
version=$1
arch=$(dpkg --print-architecture)
pkg=bouncer_${version}_${arch}.deb
work=$(mktemp -d "${TMPDIR:-/tmp}/bouncer-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
src=$work/src root=$work/root

# a clean build with the distribution's flags, away from the work tree
mkdir "$src"
(cd "$top" && cp -R Makefile src include man postfix pkg README.md "$src/")
rm -f "$src"/src/*.o "$src/bouncer"
make -s -C "$src" CFLAGS="$(dpkg-buildflags --get CFLAGS)" \
    CPPFLAGS="$(dpkg-buildflags --get CPPFLAGS)" \
    LDFLAGS="$(dpkg-buildflags --get LDFLAGS)" all > "$work/build.log" 2>&1 ||
    { tail -20 "$work/build.log" >&2; exit 1; }
make -s -C "$src" install DESTDIR="$root" PREFIX=/usr SYSCONFDIR=/etc > /dev/null
strip --remove-section=.comment --remove-section=.note --strip-unneeded \
    "$root/usr/bin/bouncer"
gzip -9n "$root"/usr/share/man/man*/*

d=$src/pkg/deb
doc=$root/usr/share/doc/bouncer
install -d "$doc" "$root/lib/systemd/system" "$root/etc/cron.d"
install -m 0644 "$d/copyright" "$doc/copyright"
gzip -9n < "$d/changelog" > "$doc/changelog.gz"
gzip -9n < "$src/README.md" > "$doc/README.md.gz"
install -m 0644 "$d"/*.service "$d"/*.timer "$root/lib/systemd/system/"
install -m 0644 "$d/cron.d" "$root/etc/cron.d/bouncer"

install -d -m 0755 "$root/DEBIAN"
for f in postinst prerm postrm; do install -m 0755 "$d/$f" "$root/DEBIAN/$f"; done
printf '/etc/bouncer/bouncer.conf\n/etc/cron.d/bouncer\n' > "$root/DEBIAN/conffiles"
# the shared libraries the binary links, as Debian package names
mkdir "$work/shl" "$work/shl/debian"
printf 'Source: bouncer\n\nPackage: bouncer\nArchitecture: any\n' > "$work/shl/debian/control"
shlibs=$(cd "$work/shl" && dpkg-shlibdeps -O "$root/usr/bin/bouncer" 2> /dev/null |
    sed -n 's/^shlibs:Depends=//p')
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" \
    -e "s/@SHLIBS@/$shlibs/" "$d/control" > "$root/DEBIAN/control"
(cd "$root" && find . -type f ! -path './DEBIAN/*' ! -path './etc/*' -printf '%P\0' |
    sort -z | xargs -0 md5sum > DEBIAN/md5sums)
chmod 0644 "$root/DEBIAN/md5sums" "$root/DEBIAN/conffiles" "$root/DEBIAN/control"
dpkg-deb --root-owner-group -Zxz --build "$root" "$top/$pkg" > /dev/null
echo "$pkg"
