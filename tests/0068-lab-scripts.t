#!/bin/sh
# The bounce lab's scripts (lab/, README "The bounce lab") without running
# the lab (that needs root and Debian's mirror): their functions share one
# shell with lab/lab.sh, so making the cases must leave lab.sh's list of
# software alone (relay_cases once set "sw" and the wait, the collection
# and the cleanup then saw only the last server, leaving /proc mounted in
# the others' roots), and every case must be well formed.
. "$(dirname "$0")/lib.sh"
LAB_DIR=$tmp/lab
. "$top/lab/lib.sh"
. "$top/lab/roots.sh"
for f in "$top"/lab/sw/*.sh; do . "$f"; done
all="postfix exim sendmail opensmtpd courier cyrus filters"
sw=$all
for s in $sw; do "cases_$s"; done > "$tmp/cases"
is "$sw" "$all" "making the cases leaves lab.sh's list of software as it was"

bad=$(awk -F'|' '
	NF < 6 || NF > 7 { print NR ": " NF " fields"; next }
	$5 !~ /^(hard|soft|block|delivered)$/ { print NR ": class " $5 }
	$4 !~ /^[0-9]+$/ { print NR ": size " $4 }
	$3 !~ /@/ { print NR ": recipient " $3 }
	seen[$1 "|" $2]++ { print NR ": twice " $1 "|" $2 }' "$tmp/cases")
is "$bad" "" "every case: software|cause|recipient|size|class|reason, each once"
for c in 'exim|virus|' 'sendmail|disabled|' 'cyrus|disabled|' 'postfix|forward-virus|' 'courier|forward-disabled|'; do
	grep -q "^$c" "$tmp/cases"
	ok $? "a case $c"
done
# the EICAR test string, exactly (eicar.org): 68 characters
is "$(printf '%s' "$LAB_EICAR" | wc -c | tr -d ' ')" 68 "EICAR's test string is whole"
# nothing mounted under a lab directory that has none: umount_all says so
umount_all
ok $? "umount_all with nothing mounted"
done_testing
