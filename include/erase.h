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
 * The tombstones of a store, for an import or a copy into it:
 * erase_tombs_has is 1 when the address has one, 0 for a NULL set.
 * erase_tombs_fresh reads them again, at the start of each of the run's
 * transactions, so that an address erased meanwhile is not brought back
 * by the next.
 */
struct erase_tombs;
enum store_status erase_tombs_open(struct store *, struct erase_tombs **);
enum store_status erase_tombs_fresh(struct store *, struct erase_tombs *);
int	erase_tombs_has(const struct erase_tombs *, const char *);
/* erase_tombs_has and _fresh as store_copy's callbacks */
int	erase_tombs_skip(const char *, void *);
enum store_status erase_tombs_fresh_cb(struct store *, void *);
void	erase_tombs_close(struct erase_tombs *);

#endif
