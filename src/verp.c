/*
 * verp.c - decode VERP return paths, sign and verify them with GLib's
 * HMAC-SHA256 (no cryptography of our own).
 *
 * Why a day stamp: a tag must expire, or a bounce address leaked once
 * could be replayed forever; the day keeps the address stable for a
 * whole day of sending, which keeps VERP addresses cacheable.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <glib.h>

#include "addr.h"
#include "util.h"
#include "verp.h"

#define DAY	86400

char *
verp_decode(const char *path, const char *delims, long *day, char *tag)
{
	char *s, *a = NULL, *at, *local, *eq, *plus, *dom;
	char norm[512];

	if (day)
		*day = -1;
	if (tag)
		tag[0] = '\0';
	if (path == NULL || (s = addr_normalise(path)) == NULL)
		return NULL;
	at = strrchr(s, '@');
	*at = '\0';
	if ((local = strchr(s, delims[0])) == NULL)
		goto out;
	local++;
	if ((eq = strrchr(local, delims[1])) == NULL || eq == local)
		goto out;
	*eq = '\0';
	dom = eq + 1;
	if ((plus = strchr(dom, '+')) != NULL) {
		long d;
		char t[VERP_TAG_HEX + 2];

		*plus = '\0';
		if (sscanf(plus + 1, "s.%ld.%13[0-9a-f]", &d, t) == 2 &&
		    strlen(t) == VERP_TAG_HEX) {
			if (day)
				*day = d;
			if (tag)
				memcpy(tag, t, VERP_TAG_HEX + 1);
		}
	}
	if (snprintf(norm, sizeof(norm), "%s@%s", local, dom) >=
	    (int)sizeof(norm))
		goto out;
	a = addr_normalise(norm);
out:
	free(s);
	return a;
}

static void
mktag(const struct verp_key *k, const char *rcpt, long day, char *out)
{
	GHmac *h = g_hmac_new(G_CHECKSUM_SHA256, k->key, k->len);
	char msg[600];

	snprintf(msg, sizeof(msg), "%s|%ld", rcpt, day);
	g_hmac_update(h, (const guchar *)msg, (gssize)strlen(msg));
	memcpy(out, g_hmac_get_string(h), VERP_TAG_HEX);
	out[VERP_TAG_HEX] = '\0';
	g_hmac_unref(h);
}

char *
verp_sign(const struct verp_keys *keys, const char *rcpt, const char *prefix,
    const char *domain, const char *delims, time_t now)
{
	char *a, *at, tag[VERP_TAG_HEX + 1];
	struct sbuf b;
	long day = (long)(now / DAY);

	if (keys->n == 0 || (a = addr_normalise(rcpt)) == NULL)
		return NULL;
	mktag(&keys->k[0], a, day, tag);
	at = strrchr(a, '@');
	sbuf_init(&b);
	sbuf_printf(&b, "%s%c%.*s%c%s+s.%ld.%s@%s", prefix, delims[0],
	    (int)(at - a), a, delims[1], at + 1, day, tag, domain);
	free(a);
	return sbuf_steal(&b);
}

enum verp_check
verp_check(const struct verp_keys *keys, const char *path, const char *delims,
    time_t now, time_t max_age, char **rcpt)
{
	char tag[VERP_TAG_HEX + 2], want[VERP_TAG_HEX + 1];
	long day;
	int i, seen = 0;

	*rcpt = verp_decode(path, delims, &day, tag);
	if (*rcpt == NULL)
		return VERP_NONE;
	if (tag[0] == '\0')
		return VERP_UNSIGNED;
	for (i = 0; i < keys->n; i++) {
		if (keys->k[i].not_after && keys->k[i].not_after < now)
			continue;
		seen = 1;
		mktag(&keys->k[i], *rcpt, day, want);
		/* compare in constant time: the tag is a secret until valid */
		{
			unsigned diff = 0;
			int j;

			for (j = 0; j < VERP_TAG_HEX; j++)
				diff |= (unsigned)(want[j] ^ tag[j]);
			if (diff == 0) {
				if (max_age && (long)(now / DAY) - day >
				    (long)(max_age / DAY))
					return VERP_EXPIRED;
				if (day > (long)(now / DAY) + 1)
					return VERP_BADTAG;	/* from the future */
				return VERP_VALID;
			}
		}
	}
	return seen ? VERP_BADTAG : VERP_NOKEY;
}

const char *
verp_check_name(enum verp_check c)
{
	static const char *n[] = {
		"none", "unsigned", "valid", "bad tag", "expired tag", "no key"
	};

	return n[c];
}

static int
unhex(const char *h, unsigned char *out, size_t max, size_t *len)
{
	size_t n = 0;

	while (h[0] && h[1] && h[0] != ' ' && h[0] != '\t') {
		unsigned v;

		if (n == max || sscanf(h, "%2x", &v) != 1)
			return -1;
		out[n++] = (unsigned char)v;
		h += 2;
	}
	*len = n;
	return n >= 16 ? 0 : -1;
}

int
verp_load_keys(const char *path, struct verp_keys *keys, const char **why)
{
	struct stat sb;
	FILE *fp;
	char line[512];

	memset(keys, 0, sizeof(*keys));
	if ((fp = fopen(path, "r")) == NULL) {
		*why = strerror(errno);
		return -1;
	}
	/*
	 * Its group may read it: the signers' group (bouncer-sign in the
	 * package), whose members run --sign for the sending software.
	 * Anyone else, or a group that may change it, may not.
	 */
	if (fstat(fileno(fp), &sb) == 0 && (sb.st_mode & 0027) != 0) {
		fclose(fp);
		*why = "key file may be read by others (chmod 600 it, or 640 "
		    "for a group of signers)";
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL && keys->n < VERP_KEYS_MAX) {
		struct verp_key *k = &keys->k[keys->n];
		char *p = str_trim(line), *na;
		struct tm tm;

		if (*p == '\0' || *p == '#')
			continue;
		if (unhex(p, k->key, sizeof(k->key), &k->len) == -1) {
			fclose(fp);
			*why = "a key is not 32 or more hex digits";
			return -1;
		}
		k->not_after = 0;
		if ((na = strstr(p, "not-after")) != NULL) {
			memset(&tm, 0, sizeof(tm));
			if (strptime(na + 9 + strspn(na + 9, " \t"), "%Y-%m-%d",
			    &tm) == NULL) {
				fclose(fp);
				*why = "bad not-after date (want YYYY-MM-DD)";
				return -1;
			}
			k->not_after = timegm(&tm) + DAY;
		}
		keys->n++;
	}
	fclose(fp);
	if (keys->n == 0) {
		*why = "no key in the file";
		return -1;
	}
	return 0;
}
