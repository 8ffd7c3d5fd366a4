/*
 * addr.h - e-mail address normalisation and validation.
 *
 * The normal form is what Postfix's table lookups use as a key: the bare
 * address without address-type prefix ("rfc822;"), comments, angle
 * brackets or surrounding quotes (a quoted local part unquoted), folded
 * to lower case in full. Postfix folds the whole recipient before a
 * table lookup (with SMTPUTF8, the Unicode case folding), so the store
 * must hold exactly that.
 */
#ifndef BOUNCER_ADDR_H
#define BOUNCER_ADDR_H

#include <stddef.h>

#define ADDR_MAX	254	/* RFC 5321 path limit, less the brackets */

/*
 * addr_normalise - the normal form of a DSN or header address, or NULL
 * when none can be made; caller frees.
 */
char	*addr_normalise(const char *);
/* addr_check - the same, with *why (static) saying why there is none */
char	*addr_check(const char *, const char **);
/* addr_valid - 1 when s (normal form) is a plausible mailbox address */
int	 addr_valid(const char *);
/*
 * addr_scan - find the next address-like token in text at or after *pos;
 * returns its start and sets *len, or NULL.
 */
const char *addr_scan(const char *, size_t *);

#endif
