/*
 * needlegen.c - a build tool: the needles of every rule of a rule file
 * (needle.c), written out as C, so that bouncer finds the built-in rules'
 * needles in a table instead of deriving them at every start (a pipe-mode
 * process reads one bounce; deriving them was a fifth of its work).
 * usage: needlegen < src/rules/default.rules > src/gen/default_needles.c
 *
 * A rule line is found as classify_rules.c's load_text finds it: not
 * blank, not a comment, a pattern between the first and the last '/',
 * then flags.
 * classifier_check() compares the table with what needle.c derives, so
 * a stale table is caught by the unit tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "needle.h"
#include "util.h"

static void
cstring(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			printf("\\%03o", (unsigned char)*s);
		else
			putchar(*s);
	}
	putchar('"');
}

int
main(void)
{
	char line[65536], *p, *a, *b, *f;
	int lineno = 0, nrules = 0, i, *lines = NULL, *counts = NULL;
	size_t k;

	printf("/* generated from src/rules/default.rules by src/needlegen.c; "
	    "do not edit */\n#include <stddef.h>\n\n#include \"needle.h\"\n\n");
	while (fgets(line, sizeof(line), stdin) != NULL) {
		struct needles n;
		int extended = 0;

		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		if (*p == '\0' || *p == '#')
			continue;
		if ((a = strchr(p, '/')) == NULL || (b = strrchr(p, '/')) == a)
			continue;
		for (f = b + 1; *f; f++)
			if (*f == 'x')
				extended = 1;
		*b = '\0';
		if (needles_from_pattern(a + 1, extended, &n) == -1)
			continue;
		printf("static const char *const s%d[] = {", lineno);
		for (k = 0; k < n.n; k++) {
			printf("%s\n\t", k ? "," : "");
			cstring(n.s[k]);
		}
		printf("\n};\nstatic const size_t l%d[] = {", lineno);
		for (k = 0; k < n.n; k++)
			printf("%s%zu", k ? ", " : " ", n.len[k]);
		printf(" };\n");
		lines = xrealloc(lines, (size_t)(nrules + 1) * sizeof(*lines));
		counts = xrealloc(counts, (size_t)(nrules + 1) * sizeof(*counts));
		lines[nrules] = lineno;
		counts[nrules++] = (int)n.n;
		needles_free(&n);
	}
	printf("\nconst struct needle_table default_needles[] = {\n");
	for (i = 0; i < nrules; i++)
		printf("\t{ s%d, l%d, %d, %d },\n", lines[i], lines[i],
		    lines[i], counts[i]);
	printf("\t{ NULL, NULL, 0, 0 }\n};\n");
	free(lines);
	free(counts);
	return ferror(stdout) ? 1 : 0;
}
