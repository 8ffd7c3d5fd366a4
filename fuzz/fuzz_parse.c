/*
 * fuzz_parse.c - libFuzzer entry point over the untrusted-input path:
 * MIME parsing, report fields, text scanning, VERP and classification,
 * everything a message sent to the bounce address goes through before
 * the store. Built by "make fuzz" with clang -fsanitize=fuzzer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bounce.h"
#include "classify.h"
#include "mime.h"
#include "output.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct classifier *c;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct parse_opts po = { "MAILER-DAEMON",
	    "bounce+fuzz=example.com@bounces.example.com", "X-Recipient-Id",
	    "+=" };
	struct bounce b;
	const char *why;
	size_t i;

	if (c == NULL) {
		mime_init();
		c = classifier_new(NULL, NULL);
	}
	memset(&b, 0, sizeof(b));
	if (parse_message((const char *)data, size, &po, &b, &why) == PARSE_OK)
		for (i = 0; i < b.n; i++)
			classify(c, &b, &b.r[i]);
	bounce_free(&b);
	return 0;
}
