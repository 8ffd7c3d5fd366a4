/*
 * fuzz_maillog.c - libFuzzer entry point over what --maillog reads from
 * Postfix's log: each line of the input through the structural parser
 * (logline.c) as a file line, and the first line as a journal
 * identifier with the rest as its message; and the whole input as
 * journalctl's export output, given to journal.c in pieces of varying
 * size, each entry's fields as the journal source hands them on. Built
 * by "make fuzz" with
 * clang -fsanitize=fuzzer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "logline.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* check - what a parse gives must hold together */
static void
check(const struct logline *l)
{
	if (l->kind == LOGLINE_OTHER && l->qid[0] != '\0')
		abort();
	if (l->kind == LOGLINE_DELIVERY && (l->rcpt[0] == '\0' ||
	    l->dsn[0] == '\0' || l->status[0] == '\0' ||
	    !logline_delivery_agent(l->program)))
		abort();
	if (l->kind == LOGLINE_MSGID && strcmp(l->program, "cleanup") != 0)
		abort();
	if (strlen(l->rcpt) >= sizeof(l->rcpt) ||
	    strlen(l->text) >= sizeof(l->text) ||
	    strlen(l->value) >= sizeof(l->value))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct journal_parser jp;
	struct logline l;
	char *buf, *line, *nl, *rest;
	size_t off, step, piece, took;
	int done;

	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (line = buf; line != NULL; line = nl) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		if (logline_parse(line, 1796428800, &l) == 0)
			check(&l);
	}
	/* the journal's fields: identifier, then message */
	memcpy(buf, data, size);
	buf[size] = '\0';
	if ((rest = strchr(buf, '\n')) != NULL) {
		*rest++ = '\0';
		if (logline_message(buf, rest, 1796428800, &l) == 0)
			check(&l);
	}
	/* the export format, in pieces of 1 to 64 bytes */
	journal_init(&jp);
	for (off = 0, step = 1; off < size; off += took, step = step % 64 + 7) {
		piece = size - off < step ? size - off : step;
		took = journal_feed(&jp, (const char *)data + off, piece, &done);
		if (took == 0 || took > piece)
			abort();
		if (done) {
			if (strlen(jp.e.cursor) >= sizeof(jp.e.cursor) ||
			    strlen(jp.e.message) >= sizeof(jp.e.message))
				abort();
			if (logline_message(jp.e.ident, jp.e.message, 0, &l) == 0)
				check(&l);
		}
	}
	free(buf);
	return 0;
}
