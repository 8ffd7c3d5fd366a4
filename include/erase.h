/*
 * erase.h - erasure (GDPR) above the store: an erased address is
 * remembered as a tombstone, HMAC-SHA256(key, address) under the store's
 * own random key, never as the address, so that --migrate-to and
 * --import do not bring it back.
 */
#ifndef BOUNCER_ERASE_H
#define BOUNCER_ERASE_H

#include <time.h>

#include "store.h"

/*
 * erase_forget - erase every trace of address (store_forget) under its
 * tombstone, making the store's key on first use. Called outside a
 * transaction; *n is the number of rows removed.
 */
enum store_status erase_forget(struct store *, const char *, time_t, int *);

/*
 * The tombstones of a store, read once (an import, a copy):
 * erase_tombs_has is 1 when the address has one, 0 for a NULL set.
 */
struct erase_tombs;
enum store_status erase_tombs_open(struct store *, struct erase_tombs **);
int	erase_tombs_has(const struct erase_tombs *, const char *);
/* erase_tombs_skip - erase_tombs_has as a store_copy skip callback */
int	erase_tombs_skip(const char *, void *);
void	erase_tombs_close(struct erase_tombs *);

#endif
