/* test_authres - DKIM results from our own MTA's Authentication-Results */
#include <stdlib.h>
#include <string.h>

#include "authres.h"
#include "tap.h"

#define ID	"mx.bounces.example.org"

static int
pass(const char *msg, const char *id, const char *domain)
{
	return authres_dkim_pass(msg, strlen(msg), id, domain);
}

int
main(void)
{
	/* OpenDKIM 2.11's form: a comment, header.d, header.i, header.b */
	const char *opendkim =
	    "Return-Path: <>\n"
	    "Authentication-Results: " ID "; dkim=pass (2048-bit key;\n"
	    "\tunprotected) header.d=Example.NET header.i=@example.net\n"
	    "\theader.b=\"AbC;d=evil.example\"\n"
	    "From: MAILER-DAEMON@mx.example.net\n"
	    "\n"
	    "Authentication-Results: " ID "; dkim=pass header.d=body.example\n";
	/* Rspamd's: several clauses, the DKIM one not first */
	const char *rspamd =
	    "Authentication-Results: " ID ";\r\n"
	    "\tspf=pass (" ID ": domain of x designates y) "
	    "smtp.mailfrom=other.example;\r\n"
	    "\tdkim=pass header.d=example.com header.s=s1 header.b=Zz;\r\n"
	    "\tdmarc=pass (policy=reject) header.from=example.com\r\n"
	    "Subject: x\r\n\r\n";
	struct authres a;

	ok(pass(opendkim, ID, "example.net"), "OpenDKIM's field: d= passes");
	ok(pass(opendkim, ID, "alice@example.net"), "an address: its domain");
	ok(pass(opendkim, ID, "mx.example.net"), "a subdomain of d=");
	ok(!pass(opendkim, ID, "notexample.net"), "not a suffix of a label");
	ok(!pass(opendkim, ID, "net"), "not the parent of d=");
	ok(!pass(opendkim, ID, "evil.example"),
	    "a d= inside a quoted header.b value is not a signature");
	ok(!pass(opendkim, ID, "body.example"),
	    "a field in the body is not a header");
	ok(!pass(opendkim, "", "example.net"), "authserv_id empty: none trusted");
	ok(!pass(opendkim, NULL, "example.net"), "authserv_id unset: none");
	ok(!pass(opendkim, "mx.other.example", "example.net"),
	    "another authserv-id: ignored");
	ok(pass(rspamd, ID, "example.com"), "Rspamd's field, CRLF, clause 2");
	ok(!pass(rspamd, ID, "other.example"), "spf=pass is not DKIM");

	ok(!pass("Authentication-Results: " ID "; dkim=fail header.d=a.example\n"
	    "\n", ID, "a.example"), "dkim=fail");
	ok(!pass("Authentication-Results: " ID "; dkim=neutral header.d=a.example"
	    "\n\n", ID, "a.example"), "dkim=neutral");
	ok(!pass("Authentication-Results: " ID "; none\n\n", ID, "a.example"),
	    "none");
	ok(!pass("Authentication-Results: mx.evil.example; dkim=pass "
	    "header.d=a.example\n\n", ID, "a.example"),
	    "a stranger's field, the one a forger writes");
	ok(!pass("Authentication-Results: " ID ".evil.example; dkim=pass "
	    "header.d=a.example\n\n", ID, "a.example"),
	    "an authserv-id our id is only a prefix of");
	ok(!pass("Authentication-Results: (" ID ") mx.evil.example; dkim=pass "
	    "header.d=a.example\n\n", ID, "a.example"),
	    "our id in a comment is not the authserv-id");
	ok(pass("Authentication-Results: \"" ID "\" 1; dkim/1 = pass "
	    "header.d = \"a.example.\"\n\n", ID, "a.example"),
	    "quoted id, version, method version, spaces around =, final dot");
	ok(pass("Authentication-Results: " ID "; dkim=pass "
	    "header.i=@a.example\n\n", ID, "a.example"),
	    "header.i alone (older OpenDKIM)");
	ok(!pass("Authentication-Results: " ID "; dkim=pass header.d=example\n\n",
	    ID, "a.example"), "a top-level domain signs for nobody");
	ok(pass("Authentication-Results: " ID "; dkim=fail header.d=a.example\n"
	    "Authentication-Results: " ID "; dkim=pass header.d=b.example; "
	    "dkim=pass header.d=a.example\n\n", ID, "A.Example"),
	    "two signatures, two fields: any that passes");
	ok(!pass("Authentication-Results: " ID "; dkim=pass (unclosed "
	    "header.d=a.example\n\n", ID, "a.example"),
	    "an unclosed comment hides the rest");

	memset(&a, 0, sizeof(a));
	authres_read(opendkim, strlen(opendkim), ID, &a);
	ok(a.n == 1 && strcmp(a.dkim[0], "example.net") == 0,
	    "one domain kept, lower case");
	authres_free(&a);
	return done_testing();
}
