/*
 * dest.c - destinations: the provider behind an MX host, and hourly send
 * counts per destination for the incident net.
 *
 * The counts live in the store's counters (store_counter), in a ring of
 * DEST_HOURS slots per destination: "dest:NAME:SLOT" is the count and
 * "dest@:NAME:SLOT" the hour it is for, so a slot is reused (reset) when
 * the ring comes round and the store keeps at most 2 * DEST_HOURS rows
 * per destination, with no schema of its own.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <glib.h>

#include "dest.h"

int
dest_provider(const char *host, char *out, size_t len)
{
	char h[256], *labels[128];
	const char *p = host;
	size_t n, k = 0, keep, o;
	char *l;

	if (host == NULL)
		return -1;
	/* "dns; name" (RFC 3464 Remote-MTA) */
	if (strncasecmp(p, "dns;", 4) == 0)
		p += 4;
	p += strspn(p, " \t");
	n = strcspn(p, "[]: \t;,");
	if (n == 0 || n >= sizeof(h))
		return -1;
	memcpy(h, p, n);
	h[n] = '\0';
	while (n > 0 && h[n - 1] == '.')
		h[--n] = '\0';
	if (strcasecmp(h, "none") == 0 || strcasecmp(h, "local") == 0 ||
	    strchr(h, '.') == NULL || strspn(h, "0123456789.") == n)
		return -1;
	for (l = h; l && k < 128; ) {
		labels[k++] = l;
		if ((l = strchr(l, '.')) != NULL)
			*l++ = '\0';
	}
	/*
	 * The registrable domain without a public-suffix list: the last two
	 * labels, or three under a two-letter country code whose second
	 * level is a short generic one (co.uk, com.au, ne.jp)
	 */
	keep = 2;
	if (k >= 3 && strlen(labels[k - 1]) == 2 && strlen(labels[k - 2]) <= 3)
		keep = 3;
	if (keep > k)
		keep = k;
	for (n = k - keep, o = 0; n < k; n++) {
		int w = snprintf(out + o, len - o, "%s%s", n > k - keep ? "." :
		    "", labels[n]);

		if (w < 0 || (size_t)w >= len - o)
			return -1;
		o += (size_t)w;
	}
	for (l = out; *l; l++)
		*l = g_ascii_tolower(*l);
	return 0;
}

static void
keys(char *ck, char *hk, size_t len, const char *dest, long slot)
{
	snprintf(ck, len, "dest:%.200s:%ld", dest, slot);
	snprintf(hk, len, "dest@:%.200s:%ld", dest, slot);
}

enum store_status
dest_sent(struct store *s, const char *dest, time_t t)
{
	long hour = (long)(t / 3600), at, n;
	char ck[256], hk[256];
	enum store_status r;

	keys(ck, hk, sizeof(ck), dest, hour % DEST_HOURS);
	if ((r = store_counter(s, hk, 0, &at)) != STORE_OK)
		return r;
	if (at == hour)
		return store_counter(s, ck, 1, &n);
	if (at > hour)
		return STORE_OK;	/* older than the ring holds now */
	if ((r = store_counter_set(s, hk, hour)) != STORE_OK)
		return r;
	return store_counter_set(s, ck, 1);
}

enum store_status
dest_sent_since(struct store *s, const char *dest, time_t since, time_t t,
    long *total)
{
	long h, first = (long)(since / 3600), last = (long)(t / 3600), at, n;
	char ck[256], hk[256];
	enum store_status r;

	*total = 0;
	if (last - first >= DEST_HOURS)
		first = last - DEST_HOURS + 1;
	for (h = first; h <= last; h++) {
		keys(ck, hk, sizeof(ck), dest, h % DEST_HOURS);
		if ((r = store_counter(s, hk, 0, &at)) != STORE_OK)
			return r;
		if (at != h)
			continue;
		if ((r = store_counter(s, ck, 0, &n)) != STORE_OK)
			return r;
		*total += n;
	}
	return STORE_OK;
}
