/*
 * test_journal - journalctl's export format read as a stream: the
 * fields --maillog keeps, and _UID, journald's record of who sent an
 * entry, which decides whether an entry in Postfix's name is Postfix's
 * (issue 23: a local user's logger line must not pass for one).
 */
#include <string.h>

#include "journal.h"
#include "tap.h"

/* uid_of - the _UID of the one entry in text, or -2 if none completes */
static long long
uid_of(const char *text, size_t len)
{
	struct journal_parser p;
	int done = 0;

	journal_init(&p);
	journal_feed(&p, text, len, &done);
	return done ? p.e.uid : -2;
}

#define UID(s)	uid_of((s), sizeof(s) - 1)

int
main(void)
{
	struct journal_parser p;
	const char two[] = "__CURSOR=a\n_UID=107\nMESSAGE=x\n\n"
	    "__CURSOR=b\nMESSAGE=y\n\n";
	size_t used;
	int done;

	ok(UID("__CURSOR=a\n_UID=0\nMESSAGE=x\n\n") == 0, "_UID=0: root");
	ok(UID("__CURSOR=a\n_UID=107\nMESSAGE=x\n\n") == 107, "_UID=107");
	ok(UID("__CURSOR=a\nMESSAGE=x\n\n") == -1, "no _UID: nobody's");
	ok(UID("_UID=107\n_UID=0\nMESSAGE=x\n\n") == -1,
	    "two _UID fields: nobody's, not the first or the last");
	ok(UID("_UID=0x0\nMESSAGE=x\n\n") == -1, "_UID not a number");
	ok(UID("_UID=-1\nMESSAGE=x\n\n") == -1, "_UID negative");
	ok(UID("_UID=\nMESSAGE=x\n\n") == -1, "_UID empty");
	ok(UID("_UID= 0\nMESSAGE=x\n\n") == -1 &&
	    UID("_UID=+0\nMESSAGE=x\n\n") == -1, "_UID with a space or a sign");
	ok(UID("_UID=99999999999\nMESSAGE=x\n\n") == -1,
	    "_UID beyond a uid_t");
	ok(UID("_UID_X=0\nUID=0\nMESSAGE=x\n\n") == -1,
	    "fields named like _UID are not _UID");
	/* a MESSAGE in the binary form whose bytes look like a _UID field */
	ok(UID("MESSAGE\n\x0a\0\0\0\0\0\0\0a\n_UID=0\nb\n\n") == -1,
	    "_UID=0 inside a binary MESSAGE is the message's");
	ok(UID("_UID\n\x01\0\0\0\0\0\0\0" "5\nMESSAGE=x\n\n") == 5,
	    "_UID in the binary form");

	/* the next entry starts afresh: no _UID carried over */
	journal_init(&p);
	used = journal_feed(&p, two, sizeof(two) - 1, &done);
	ok(done && p.e.uid == 107, "first entry: 107");
	journal_feed(&p, two + used, sizeof(two) - 1 - used, &done);
	ok(done && p.e.uid == -1 && strcmp(p.e.message, "y") == 0,
	    "second entry, without _UID: nobody's (%lld)", p.e.uid);
	return done_testing();
}
