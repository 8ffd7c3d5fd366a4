/* test_fields - the RFC 822-style field block parser */
#include <string.h>

#include "fields.h"
#include "tap.h"

static void
parse(const char *text, struct field_list *l)
{
	memset(l, 0, sizeof(*l));
	fields_parse(text, strlen(text), l);
}

int
main(void)
{
	struct field_list l;

	parse("Reporting-MTA: dns; a.example\n\nFinal-Recipient: rfc822; x@y\n"
	    "Action: failed\nStatus: 5.1.1\n", &l);
	ok(l.n == 4, "four fields, LF");
	ok(l.f[0].block == 0 && l.f[1].block == 1, "blank line starts a block");
	is_str(fields_get(&l, 1, "status"), "5.1.1", "case-insensitive name");
	is_str(fields_get(&l, 0, "Status"), NULL, "block filter");
	fields_free(&l);

	parse("Diagnostic-Code: smtp; 550 5.1.1 <x@y>:\r\n    Recipient address\r\n"
	    "\trejected\r\nStatus: 5.1.1", &l);
	is_str(fields_get(&l, -1, "Diagnostic-Code"),
	    "smtp; 550 5.1.1 <x@y>: Recipient address rejected",
	    "CRLF folding unfolded");
	is_str(fields_get(&l, -1, "Status"), "5.1.1", "no final newline");
	fields_free(&l);

	parse("Action: failed\rStatus: 4.4.7\r\rFinal-Recipient: a@b\r", &l);
	ok(l.n == 3 && l.f[2].block == 1, "bare CR line ends and blocks");
	fields_free(&l);

	parse("garbage line without colon\n: empty name\nX-Ok: yes\n", &l);
	ok(l.n == 1, "non-field lines skipped");
	is_str(fields_get(&l, -1, "x-ok"), "yes", "field after garbage");
	fields_free(&l);

	parse("\n\n   \n", &l);
	ok(l.n == 0, "only blank lines");
	fields_free(&l);
	return done_testing();
}
