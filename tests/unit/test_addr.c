/* test_addr - address normal form and validation */
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "tap.h"

static void
norm(const char *in, const char *want)
{
	char *got = addr_normalise(in);

	is_str(got, want, in);
	free(got);
}

int
main(void)
{
	norm("rfc822; Alice@Example.NET", "alice@example.net");
	norm("RFC822;<bob@example.org>", "bob@example.org");
	norm("utf-8; Carol <carol@example.com>", "carol@example.com");
	norm("dave@example.com (Dave Example)", "dave@example.com");
	norm("  <erin@example.com>.  ", "erin@example.com");
	norm("x-unix; localuser", NULL);
	norm("rfc822; \"quoted local\"@example.com", NULL);
	norm("\"o'reilly\"@R.example", "o'reilly@r.example");
	norm("<\"o'reilly\"@r.example>", "o'reilly@r.example");
	norm("\"alice@example.com\"", "alice@example.com");
	norm("o'reilly\"@r.example", NULL);
	norm("\"o'reilly@r.example", NULL);
	norm("a\"b\"c@r.example", NULL);
	norm("ПОЛЬЗОВАТЕЛЬ@ПРИМЕР.РФ", "пользователь@пример.рф");
	norm("Straße@Example.DE", "strasse@example.de");
	norm("bad\xff@example.com", NULL);
	{
		const char *why;
		char *a;

		a = addr_check("bad\xc3\x28@example.com", &why);
		ok(a == NULL && strcmp(why, "not valid UTF-8") == 0,
		    "invalid UTF-8 refused, and why");
		a = addr_check("o'reilly\"@r.example", &why);
		ok(a == NULL && strcmp(why, "unbalanced quotes in the local "
		    "part") == 0, "unbalanced quotes refused, and why");
	}
	norm("a@b@c.example", NULL);
	norm("user@exa mple.com", NULL);
	norm("user@example.com; DROP TABLE x", NULL);
	norm("", NULL);
	norm(NULL, NULL);
	ok(addr_valid("o'brien+tag@example.ie"), "quote and plus are valid");
	ok(!addr_valid("no-at-sign.example"), "no @ is invalid");
	ok(!addr_valid("trailing@dot."), "trailing dot is invalid");
	{
		size_t len;
		const char *p = addr_scan("said: <frank@example.net>: no", &len);

		ok(p != NULL && len == 17, "addr_scan finds a bracketed address");
	}
	return done_testing();
}
