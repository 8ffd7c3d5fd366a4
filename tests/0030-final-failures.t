#!/bin/sh
# A final failure always gets a class that counts, and codes without words
# follow RFC 3463 and RFC 5321 (issue 17 point 9, issue 18 point 2).
. "$(dirname "$0")/lib.sh"

# verdict STATUS DIAGNOSTIC [ACTION]: "class reason" of a one-recipient DSN
verdict() {
	mkdsn x@dest.example "$1" "$2" "v$$@t" "${3:-failed}" > "$tmp/m.eml"
	$BOUNCER --explain --json "$tmp/m.eml" |
	    awk -F'"' '{ for (i = 2; i < NF; i += 4) v[$i] = $(i + 2)
		print v["class"], v["reason"] }'
}

# a message given up on with a temporary code expired: soft, never undetermined
is "$(verdict 4.0.0 '')" "soft expired" "failed 4.0.0 without words: expired, soft"
is "$(verdict 4.5.0 '')" "soft expired" "failed 4.5.0 without words: expired, soft"
is "$(verdict 4.0.0 'something no rule reads')" "soft expired" \
    "failed 4.0.0 with unreadable words: expired, soft"
# a permanent failure nobody can read counts like a soft bounce
is "$(verdict 5.0.0 '')" "soft undefined" "failed 5.0.0 without words: counted, soft"
is "$(verdict 5.0.0 '550 5.0.0 frobnicated beyond repair')" "soft onhold" \
    "failed 5.0.0 with unreadable words: counted, soft"
is "$(verdict 5.5.0 '550 5.5.0 frobnicated beyond repair')" "soft onhold" \
    "failed 5.5.0 with unreadable words: counted, soft"
# RFC 3463: x.2.0 is the mailbox's trouble, x.6.0 the content's; no block
is "$(verdict 5.2.0 '')" "soft suspend" "5.2.0 without words: mailbox status, soft"
is "$(verdict 4.2.0 '')" "soft suspend" "4.2.0 without words: mailbox status, soft"
is "$(verdict 5.6.0 '')" "soft contenterror" "5.6.0 without words: media status, soft"
# the class a rule names stands: our own suppression is never counted again
is "$(verdict 5.0.0 '550 5.0.0 Recipient suppressed by bouncer: userunknown')" \
    "undetermined onhold" "our own suppression stays undetermined"
# a delay notice stays a delay notice
is "$(verdict 4.0.0 '' delayed)" "delayed expired" "delayed 4.0.0 is delayed"
# RFC 5321 reply codes when there is no enhanced code and no phrase
is "$(verdict '' '452 frobnicated')" "soft systemfull" "452: insufficient system storage"
is "$(verdict '' '421 frobnicated')" "soft systemerror" "421: service not available"
is "$(verdict '' '552 frobnicated')" "soft mailboxfull" "552 at RCPT: storage allocation"
is "$(verdict '' '552 frobnicated (in reply to end of DATA command)')" \
    "soft mesgtoobig" "552 after DATA: the message's size"
is "$(verdict '' '556 frobnicated')" "hard notaccept" "556: domain does not accept mail (RFC 7504)"
is "$(verdict '' '530 frobnicated')" "block securityerror" "530: authentication required"
is "$(verdict '' '503 frobnicated')" "block syntaxerror" "503: bad sequence of commands"
is "$(verdict '' '554 frobnicated (in reply to HELO command)')" "block blocked" \
    "554 at HELO: no service for us"
# a bare 550 is no proof of a dead address
is "$(verdict '' '550 frobnicated (in reply to RCPT TO command)')" "soft onhold" \
    "550 at RCPT without words: not hard, counted"
done_testing
