/*
 * erase.c - erasure (GDPR) above the store: what a tombstone is and
 * whether an address has one. The store keeps the keys and tombstones
 * (store_erase_keys, store_tombstones) and erases (store_forget); the
 * keyed hash is made here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <glib.h>

#include "erase.h"
#include "util.h"

/*
 * Erasure tombstones. An erased address is remembered as
 * HMAC-SHA256(key, address) under the store's own random key (made on
 * first use), never as the address: what is kept cannot be read back
 * without the key and a guess. Keys of stores merged in by --migrate-to
 * come along with their tombstones, so each tombstone is checked under
 * the key that made it.
 */
#define KEYS_MAX	64

struct keyset {
	char	kid[KEYS_MAX][33];
	char	key[KEYS_MAX][129];
	int	own;		/* index of the own key, -1: none */
	int	n;
};

static int
add_key(const char *kid, const char *key, int own, void *arg)
{
	struct keyset *k = arg;

	if (k->n == KEYS_MAX)
		return -1;
	snprintf(k->kid[k->n], sizeof(k->kid[0]), "%s", kid);
	snprintf(k->key[k->n], sizeof(k->key[0]), "%s", key);
	if (own)
		k->own = k->n;
	k->n++;
	return 0;
}

static enum store_status
load_keys(struct store *s, struct keyset *k)
{
	memset(k, 0, sizeof(*k));
	k->own = -1;
	return store_erase_keys(s, add_key, k);
}

static void
hex(const unsigned char *b, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* own_key - the store's own erasure key, made when there is none */
static enum store_status
own_key(struct store *s, struct keyset *k)
{
	unsigned char b[40];
	enum store_status r;

	if ((r = load_keys(s, k)) != STORE_OK || k->own >= 0)
		return r;
	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b)) {
		return store_fail(s, STORE_TEMP, "no random bytes for an "
		    "erasure key: %s", strerror(errno));
	}
	hex(b, 8, k->kid[0]);
	hex(b + 8, 32, k->key[0]);
	if ((r = store_erase_key_add(s, k->kid[0], k->key[0])) != STORE_OK)
		return r;
	return load_keys(s, k);
}

/* tomb - the tombstone of address under key i */
static void
tomb(const struct keyset *k, int i, const char *addr, char out[65])
{
	GHmac *h = g_hmac_new(G_CHECKSUM_SHA256,
	    (const guchar *)k->key[i], strlen(k->key[i]));

	g_hmac_update(h, (const guchar *)addr, (gssize)strlen(addr));
	snprintf(out, 65, "%s", g_hmac_get_string(h));
	g_hmac_unref(h);
}

static int
add_tomb(const char *kid, const char *hash, void *arg)
{
	GHashTable *t = arg;

	g_hash_table_add(t, g_strconcat(kid, ":", hash, NULL));
	return 0;
}

/* is_erased - address has a tombstone under one of the keys */
static int
is_erased(const struct keyset *k, GHashTable *t, const char *addr)
{
	char h[65], *id;
	int i, yes = 0;

	for (i = 0; i < k->n && !yes; i++) {
		tomb(k, i, addr, h);
		id = g_strconcat(k->kid[i], ":", h, NULL);
		yes = g_hash_table_contains(t, id);
		g_free(id);
	}
	return yes;
}

struct erase_tombs {
	struct keyset	 k;
	GHashTable	*t;
	long		 mark;	/* store_erase_mark when read; -1: never */
};

enum store_status
erase_tombs_open(struct store *s, struct erase_tombs **out)
{
	struct erase_tombs *x = xcalloc(1, sizeof(*x));
	enum store_status r;

	x->t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	x->mark = -1;
	if ((r = erase_tombs_fresh(s, x)) != STORE_OK) {
		erase_tombs_close(x);
		x = NULL;
	}
	*out = x;
	return r;
}

enum store_status
erase_tombs_fresh(struct store *s, struct erase_tombs *x)
{
	enum store_status r;
	long mark;

	/* called every transaction of a long run: read only what changed */
	if ((r = store_erase_mark(s, &mark)) != STORE_OK || mark == x->mark)
		return r;
	g_hash_table_remove_all(x->t);
	if ((r = load_keys(s, &x->k)) != STORE_OK ||
	    (r = store_tombstones(s, add_tomb, x->t)) != STORE_OK)
		return r;
	x->mark = mark;
	return STORE_OK;
}

enum store_status
erase_tombs_fresh_cb(struct store *s, void *arg)
{
	return erase_tombs_fresh(s, arg);
}

int
erase_tombs_has(const struct erase_tombs *x, const char *addr)
{
	return x != NULL && is_erased(&x->k, x->t, addr);
}

void
erase_tombs_close(struct erase_tombs *x)
{
	if (x == NULL)
		return;
	g_hash_table_destroy(x->t);
	free(x);
}

int
erase_tombs_skip(const char *addr, void *arg)
{
	return erase_tombs_has(arg, addr);
}

enum store_status
erase_forget(struct store *s, const char *addr, time_t now, int *n)
{
	struct keyset k;
	enum store_status r;
	char h[65];

	*n = 0;
	if ((r = store_begin(s)) != STORE_OK)
		return r;
	if ((r = own_key(s, &k)) != STORE_OK ||
	    (r = store_commit(s)) != STORE_OK) {
		store_rollback(s);
		return r;
	}
	tomb(&k, k.own, addr, h);
	return store_forget(s, addr, k.kid[k.own], h, now, n);
}
