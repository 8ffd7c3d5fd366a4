#!/bin/sh
# Feedback loops and VERP: complaints from several ISP styles, JSON
# feeds, VERP decoding, signed return paths and forged bounces.
. "$(dirname "$0")/lib.sh"
fx=$top/fixtures
db=$tmp/b.db
B="$BOUNCER --allow-root --db $db"
$B --init > /dev/null
T0=2026-11-20T12:00:00Z

# ARF: recipient from Original-Rcpt-To, from VERP when redacted, from a header
$B --now $T0 < "$fx/arf-abuse.eml"
is "$(q "select class||' '||reason from suppression where address='mallory@isp.example'")" "complaint feedback" "ARF abuse suppresses the Original-Rcpt-To"
is "$(q "select feedback_type||' '||reporting_mta from events where address='mallory@isp.example'")" "abuse ExampleFBL/2.1" "feedback type and ISP kept"
$B --now $T0 < "$fx/arf-redacted-verp.eml"
is "$(q "select class from suppression where address='victor@isp2.example'")" complaint "redacted Original-Rcpt-To: the VERP return path names the recipient"
is "$(q "select count(*) from suppression where address='redacted@isp2.example'")" 0 "the redacted placeholder is not suppressed"
printf 'recipient_header = X-Recipient-Id\n' > "$tmp/rh.conf"
$B --config "$tmp/rh.conf" --now $T0 < "$fx/arf-header-id.eml"
is "$(q "select class from suppression where address='wendy@isp3.example'")" complaint "no Original-Rcpt-To: a configured header names the recipient"
$B --now $T0 < "$fx/arf-not-spam.eml"; $B --now $T0 < "$fx/arf-auth-failure.eml"
is "$(q "select count(*) from suppression where address in ('xavier@isp.example','yvonne@isp4.example')")" 0 "not-spam and auth-failure reports suppress nobody"
is "$(q "select group_concat(feedback_type) from (select feedback_type from events where address in ('xavier@isp.example','yvonne@isp4.example') order by feedback_type)")" "auth-failure,not-spam" "but are recorded with their type"

# JSON feeds
$B --now $T0 --import "$fx/feed-complaints.jsonl" > "$tmp/o" 2> "$tmp/e"; rc=$?
is "$rc" 65 "--import with refused lines: exit 65"
is "$(cat "$tmp/o")" "import: 8 lines, 4 applied, 1 duplicates, 3 newly suppressed, 3 refused" "--import summary"
is "$(wc -l < "$tmp/e" | tr -d ' ')" 3 "each refused line named on stderr"
grep -q 'feed-complaints.jsonl:7: unknown "type": mystery' "$tmp/e"; ok $? "refusal names file and line"
is "$(q "select class from suppression where address='amy@esp.example'")" complaint "imported complaint suppresses (address normalised)"
is "$(q "select class||' '||reason||' '||status from suppression where address='bert@esp.example'")" "hard userunknown 5.1.1" "imported hard bounce keeps reason and status"
is "$(q "select count(*) from suppression where address='cleo@esp.example'")" 0 "imported not-spam suppresses nobody"
is "$(q "select time from events where address='amy@esp.example'")" "$(date -u -d 2026-11-16T08:00:00Z +%s)" "received_at with offset becomes the event time"
grep -v mystery "$fx/feed-complaints.jsonl" | grep '^{' | grep -v 'not an address' | $B --now $T0 --import - > "$tmp/o"
is "$(cat "$tmp/o")" "import: 5 lines, 0 applied, 5 duplicates, 0 newly suppressed, 0 refused" "re-import from stdin counts nothing twice"

# VERP: a forwarded address; the VERP recipient is the one suppressed
$B --now $T0 < "$fx/verp-forwarded-dsn.eml"
is "$(q "select class from suppression where address='alice@example.net'")" hard "VERP recipient suppressed"
is "$(q "select count(*) from suppression where address='alice.smith@forward.example'")" 0 "forwarding target not suppressed"
$BOUNCER --explain "$fx/verp-forwarded-dsn.eml" | grep -q 'report says: *alice.smith@forward.example'; ok $? "--explain shows the disagreement"
mkdsn "" 5.1.1 "550 5.1.1 User unknown" v2@x | sed 's/^Final-Recipient: rfc822; $/Final-Recipient: rfc822;/' > "$tmp/norcpt.eml"
$B --now $T0 --recipient 'bounce+nina=example.org@bounces.sender.example' < "$tmp/norcpt.eml"
is "$(q "select class from suppression where address='nina@example.org'")" hard "missing Final-Recipient: --recipient's VERP address"
printf 'verp_delimiters = -#\n' > "$tmp/delim.conf"
mkdsn "" 5.1.1 "550 5.1.1 User unknown" v3@x | $B --config "$tmp/delim.conf" --now $T0 --recipient 'bounce-otto#example.org@bounces.sender.example'
is "$(q "select class from suppression where address='otto@example.org'")" hard "configurable VERP delimiters"

# signed return paths
key=$tmp/sign.key
printf '%s\n' 0123456789abcdef0123456789abcdef0123456789abcdef > "$key"; chmod 600 "$key"
cat > "$tmp/sign.conf" <<EOT
sign_keys = $key
sign_domain = bounces.sender.example
require_signed = yes
EOT
S="$B --config $tmp/sign.conf"
rp=$($S --now $T0 --sign Victim@Example.ORG); ok $? "--sign"
case $rp in bounce+victim=example.org+s.*.????????????@bounces.sender.example) r=0 ;; *) r=1 ;; esac
ok $r "signed return path has the documented shape ($rp)"
mkdsn victim@example.org 5.1.1 "550 5.1.1 User unknown" s1@x | $S --now $T0 --recipient "$rp"
is "$(q "select class from suppression where address='victim@example.org'")" hard "genuine signed bounce accepted"
mkdsn victim2@example.org 5.1.1 "550 5.1.1 User unknown" s2@x | $S --now $T0 --recipient 'bounce+victim2=example.org@bounces.sender.example'
is "$(q "select count(*) from suppression where address='victim2@example.org'")" 0 "forged unsigned bounce refused under require_signed"
is "$(q "select class from events where address='victim2@example.org'")" unverified "forged bounce recorded as unverified"
mkdsn victim2@example.org 5.1.1 "User unknown" s2@x | $S --now $T0 --explain --recipient 'bounce+victim2=example.org@bounces.sender.example' - | grep -q 'unverified: this report suppresses nobody'
ok $? "--explain says why"
other=$(printf '%s' "$rp" | sed 's/victim=/victim3=/')
mkdsn victim3@example.org 5.1.1 "User unknown" s3@x | $S --now $T0 --recipient "$other"
is "$(q "select count(*) from suppression where address='victim3@example.org'")" 0 "a tag for one recipient does not validate another"
mkdsn victim@example.org 5.1.1 "User unknown" s4@x | $S --now 2027-01-05T00:00:00Z --explain --recipient "$rp" - | grep -q 'signature: *expired tag'
ok $? "a tag older than sign_max_age is refused"
sed '/^require_signed/d' "$tmp/sign.conf" > "$tmp/lax.conf"
mkdsn lax@example.org 5.1.1 "User unknown" s5@x | $B --config "$tmp/lax.conf" --now $T0 --recipient 'bounce+lax=example.org@bounces.sender.example'
is "$(q "select class from suppression where address='lax@example.org'")" hard "require_signed off: unsigned VERP accepted"
bad=$(printf '%s' "$rp" | sed 's/victim=/lax2=/')
mkdsn lax2@example.org 5.1.1 "User unknown" s6@x | $B --config "$tmp/lax.conf" --now $T0 --recipient "$bad"
is "$(q "select count(*) from suppression where address='lax2@example.org'")" 0 "require_signed off: a bad tag is still refused"
# key rotation: the old key verifies until its not-after date
printf '%s\n%s not-after 2026-12-31\n' fedcba9876543210fedcba9876543210fedcba98 \
    0123456789abcdef0123456789abcdef0123456789abcdef > "$tmp/rot.key"; chmod 600 "$tmp/rot.key"
sed "s|^sign_keys = .*|sign_keys = $tmp/rot.key|" "$tmp/sign.conf" > "$tmp/rot.conf"
mkdsn rot@example.org 5.1.1 "User unknown" s7@x > "$tmp/rot.eml"
rprot=$($S --now $T0 --sign rot@example.org)
$B --config "$tmp/rot.conf" --now $T0 --recipient "$rprot" < "$tmp/rot.eml"
is "$(q "select class from suppression where address='rot@example.org'")" hard "rotated: the old key is accepted in its grace period"
new=$($B --config "$tmp/rot.conf" --now $T0 --sign rot@example.org)
[ "$new" != "$rprot" ]; ok $? "rotated: the new key signs"
$B --config "$tmp/rot.conf" --now 2027-01-02T00:00:00Z --explain --recipient "$rprot" "$tmp/rot.eml" | grep -q 'signature: *bad tag'
ok $? "rotated: the old key is refused after its not-after date"
chmod 644 "$key"
$S --sign x@example.org 2> "$tmp/e"; is $? 78 "a key file others can read is refused"
grep -q 'chmod 600' "$tmp/e"; ok $? "and says how to fix it"
done_testing
