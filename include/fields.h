/*
 * fields.h - parse RFC 822-style field blocks ("Name: value", folded
 * continuation lines, blocks separated by empty lines) from plain text.
 *
 * Used for message/delivery-status (RFC 3464), message/feedback-report
 * (RFC 5965) and header blocks. Works on any of CRLF, LF or CR line ends
 * and tolerates a missing final newline. Lines that are not fields are
 * skipped. At most FIELDS_MAX fields are kept in all.
 */
#ifndef BOUNCER_FIELDS_H
#define BOUNCER_FIELDS_H

#include <stddef.h>

#define FIELDS_MAX		20000	/* fields per text, all blocks */
#define FIELDS_VALUE_MAX	65536	/* bytes per value, after unfolding */

struct field {
	char	*name;		/* as written */
	char	*value;		/* unfolded, trimmed */
	int	 block;		/* index of the block, from 0 */
};

struct field_list {
	struct field	*f;
	size_t		 n;
	size_t		 cap;
	int		 truncated;	/* limits hit */
};

/* fields_parse - append the fields of text to list; owner frees with fields_free */
void	fields_parse(const char *, size_t, struct field_list *);
/* fields_get - first value of a field in block (-1: any block), or NULL */
const char *fields_get(const struct field_list *, int, const char *);
void	fields_free(struct field_list *);

#endif
