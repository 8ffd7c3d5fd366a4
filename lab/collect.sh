#!/bin/sh
# lab/collect.sh LAB_DIR OUT SOFTWARE... - turn what came back to the
# sending Postfix into fixtures: each bounce is OUT/<software>/<cause>.eml
# (a delay notice <cause>-delayed.eml, a second of a kind -2, -3, ...) and
# one line of OUT/expected.jsonl with its truth, taken from the case that
# sent it (LAB_DIR/cases). The messages are kept as they came, dates,
# queue ids and all: the lab's host names are fixed, nothing needs
# rewriting. The logs of every server go to OUT/logs/.
set -u
lab=$1 out=$2; shift 2
maildir=$lab/roots/sender/home/sender/Maildir
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/roots.sh"
for f in "$(dirname "$0")"/sw/*.sh; do . "$f"; done
mkdir -p "$out/logs"
for r in sender "$@"; do rm -f "$out/logs/$r-"*; done
exp=$out/expected.jsonl
touch "$exp"
# keep the lines of software not run this time
sws=$(cut -d'|' -f1 "$lab/cases" | sort -u)
for s in $sws; do
	rm -rf "${out:?}/$s"
	grep -v "\"software\": \"$s\"" "$exp" > "$exp.tmp"; mv "$exp.tmp" "$exp"
done
n=0
for m in $(ls -tr "$maildir"/new/* "$maildir"/cur/* 2>/dev/null); do
	tag=$(sed -n '/^$/q; s/^Delivered-To: sender+\([^@]*\)@sender.lab.*/\1/p' "$m" | head -1)
	[ -n "$tag" ] || { say "no case for $m"; continue; }
	s=${tag%%.*} cause=${tag#*.}
	line=$(grep "^$s|$cause|" "$lab/cases" | head -1)
	[ -n "$line" ] || { say "no case $tag"; continue; }
	IFS='|' read -r _ _ rcpt _ class reason _ <<EOT
$line
EOT
	# a delay notice: Action: delayed, and no failure in the same report
	name=$cause
	if grep -qi '^Action: *delayed' "$m" && ! grep -qi '^Action: *failed' "$m"; then
		name=$cause-delayed
		# a notice says the cause when its words do, else only the delay
		# (a DNS failure a server retries is a network error to it)
		case $reason in
		*/expired) ;;
		hostunknown) reason=hostunknown/networkerror/expired ;;
		*) reason=$reason/expired ;;
		esac
		class=delayed
	fi
	f=$s/$name.eml i=2
	while [ -f "$out/$f" ]; do f=$s/$name-$i.eml; i=$((i + 1)); done
	mkdir -p "$out/$s"
	cp "$m" "$out/$f"
	p=$("pkg_$(echo "$s" | tr - _)"); sw_root=${p% *} sw_pkg=${p#* }
	v=$(version "$sw_root" "$sw_pkg")
	ex=$(echo "$LAB_EXCEPTIONS" | while IFS='|' read -r es ec why; do
		case "$s" in $es) ;; *) continue ;; esac
		case "$cause" in $ec) echo "$why"; break ;; esac
	done)
	ex=${ex:+, \"exception\": \"$ex\"}
	# the recipients this bounce reports: those its report names (the
	# message before the returned one); where it names only the address
	# the server forwarded to, that one
	awk 'tolower($0) ~ /^content-type: *(message\/rfc822|text\/rfc822-headers|message\/rfc822-headers)/ { exit }
	    { print }' "$m" > "$lab/report"
	rs=
	for r in $(echo "$rcpt" | tr , ' '); do
		if grep -qi -- "$r" "$lab/report"; then
			rs="$rs $r"
			continue
		fi
		t=$(printf '%s\n%s\n' "$LAB_ALIASES" "$LAB_LOOPS" | awk -v a="${r%@*}" '$1 == a { print $2 }')
		if [ -n "$t" ] && grep -qi -- "$t" "$lab/report"; then
			rs="$rs $t"
		fi
	done
	[ -n "$rs" ] || rs=$(echo "$rcpt" | tr , ' ')
	for r in $rs; do
		printf '{"file": "%s", "recipient": "%s", "class": "%s", "reason": "%s", "cause": "%s", "software": "%s", "version": "%s %s"%s}\n' \
		    "$f" "$r" "$class" "$reason" "$cause" "$s" "$sw_pkg" "$v" "$ex" >> "$exp"
	done
	n=$((n + 1))
done
sort -o "$exp" "$exp"
for r in sender "$@"; do
	[ -d "$lab/roots/$r" ] || continue
	for l in var/log/postfix.log var/log/dovecot.log var/log/dnsmasq.log var/log/exim4/mainlog \
	    var/log/exim4/rejectlog var/log/syslog home/vmail/dovecot-lda.log; do
		[ -s "$lab/roots/$r/$l" ] && cp "$lab/roots/$r/$l" "$out/logs/$r-${l##*/}"
	done
done
say "$n bounces collected into $out"
# the cases that sent mail and got nothing back
for s in $sws; do
	# (a case labelled delivered only prepares another: no bounce wanted)
	grep "^$s|" "$lab/cases" | grep -v '^[^|]*|[^|]*|[^|]*|[^|]*|delivered|' |
	    cut -d'|' -f2 | while read -r c; do
		got=
		for x in "$out/$s/$c".eml "$out/$s/$c"-*.eml; do [ -f "$x" ] && got=1; done
		[ -n "$got" ] || say "no bounce for $s $c"
	done
done
