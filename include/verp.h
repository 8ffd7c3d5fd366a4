/*
 * verp.h - VERP return paths, plain and signed.
 *
 * Plain (Postfix's default delimiters "+="):
 *     bounce+alice=example.net@bounces.example.com
 * Signed, for anti-forgery:
 *     bounce+alice=example.net+s.20415.3fa4c91b0d27@bounces.example.com
 * where 20415 is the day (days since 1970-01-01, UTC) and the tag is the
 * first 12 hex digits of HMAC-SHA256(key, "recipient|day"), recipient in
 * its normal form. The domain of a mailbox holds neither '+' nor '=', so
 * the last '=' separates local part and domain and a '+' after it
 * starts the tag.
 */
#ifndef BOUNCER_VERP_H
#define BOUNCER_VERP_H

#include <time.h>

#define VERP_TAG_HEX	12
#define VERP_KEYS_MAX	8
#define VERP_PATH_MAX	254	/* longest return path SMTP carries */

struct verp_key {
	unsigned char	key[64];
	size_t		len;
	time_t		not_after;	/* 0: no end */
};

struct verp_keys {
	struct verp_key	k[VERP_KEYS_MAX];
	int		n;		/* k[0] signs; all valid ones verify */
};

enum verp_check {
	VERP_NONE,		/* no VERP address at all */
	VERP_UNSIGNED,		/* VERP, no tag */
	VERP_VALID,		/* tag verified */
	VERP_BADTAG,		/* tag does not match this recipient */
	VERP_EXPIRED,		/* tag older than the maximum age */
	VERP_NOKEY		/* tag present but no key to check it */
};

/*
 * verp_decode - the recipient encoded in a return path (normal form) and,
 * when present, its day and tag; NULL when it is no VERP address.
 * delims is two characters: the separator after the prefix and the one
 * that replaces '@'. Caller frees.
 */
char	*verp_decode(const char *, const char *, long *, char *);
/*
 * verp_sign - the signed return path for recipient; prefix and domain
 * of the bounce address; NULL when recipient is not a valid address.
 */
char	*verp_sign(const struct verp_keys *, const char *, const char *,
	    const char *, const char *, time_t);
/* verp_check - verify the tag of a return path at time now */
enum verp_check verp_check(const struct verp_keys *, const char *,
	    const char *, time_t, time_t, char **);
const char *verp_check_name(enum verp_check);
/*
 * verp_load_keys - read a key file: one key a line, hex (at least 32
 * digits), optionally followed by "not-after YYYY-MM-DD"; the first line
 * signs. Refuses a file others may read. -1 with *why set on error.
 */
int	verp_load_keys(const char *, struct verp_keys *, const char **);

#endif
