/*
 * fuzz_import.c - libFuzzer entry point over --import: format detection,
 * JSON (lines, documents, the ESP webhooks' shapes), CSV and plain lists,
 * the classifier on the diagnostics, and the policy into a scratch SQLite
 * store. Built by "make fuzz" with clang -fsanitize=fuzzer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classify.h"
#include "feed.h"
#include "policy.h"
#include "store.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct classifier *c;
static struct store *s;
static struct policy_cfg pc;

static void
setup(void)
{
	char dir[] = "/tmp/bouncer-fuzz-import.XXXXXX", path[64], *err = NULL;

	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/b.db", dir);
	if (store_open(path, 1000, STORE_CREATE, &s, &err) != STORE_OK) {
		fprintf(stderr, "fuzz_import: %s\n", err ? err : "store");
		abort();
	}
	c = classifier_new(NULL, NULL);
	policy_defaults(&pc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct feed_stats st;
	struct sbuf errs;
	FILE *fp;

	if (s == NULL)
		setup();
	if (size == 0 || (fp = fmemopen((void *)data, size, "r")) == NULL)
		return 0;
	sbuf_init(&errs);
	/* a plain list needs a class: give one every other input */
	(void)feed_import(fp, "fuzz", size % 2 ? "hard" : NULL, s, c, &pc,
	    1795176000, 100, &st, &errs);
	fclose(fp);
	sbuf_free(&errs);
	return 0;
}
