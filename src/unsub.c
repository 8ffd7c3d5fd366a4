/*
 * unsub.c - unsubscribe tokens and the List-Unsubscribe headers (unsub.h),
 * with GLib's HMAC-SHA256 as verp.c does (no cryptography of our own).
 *
 * Why a day in the token: a link must be able to expire
 * (unsubscribe_max_age) for whoever wants it to; by default it does not,
 * since an unsubscribe link in a message a year old must still work
 * (CAN-SPAM asks for 30 days at least) and a token can only ever
 * unsubscribe the one address it names.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <glib.h>

#include "addr.h"
#include "unsub.h"

#define DAY	86400

int
unsub_list_valid(const char *s)
{
	size_t n = 0;

	if (s == NULL || *s == '\0')
		return 0;
	for (; s[n]; n++)
		if (!isalnum((unsigned char)s[n]) && s[n] != '-' && s[n] != '_')
			return 0;
	return n <= UNSUB_LIST_MAX;
}

/* mktag - the tag of recipient (normal form), list ("" for none), day */
static void
mktag(const struct verp_key *k, const char *rcpt, const char *list, long day,
    char *out)
{
	GHmac *h = g_hmac_new(G_CHECKSUM_SHA256, k->key, k->len);
	char day_s[32];
	const char *parts[4] = { "unsubscribe", rcpt, list, day_s };
	size_t i;

	snprintf(day_s, sizeof(day_s), "%ld", day);
	for (i = 0; i < 4; i++) {
		if (i > 0)
			g_hmac_update(h, (const guchar *)"|", 1);
		g_hmac_update(h, (const guchar *)parts[i],
		    (gssize)strlen(parts[i]));
	}
	memcpy(out, g_hmac_get_string(h), UNSUB_TAG_HEX);
	out[UNSUB_TAG_HEX] = '\0';
	g_hmac_unref(h);
}

/* lower_list - a list name in lower case, "" for none; caller frees */
static char *
lower_list(const char *list)
{
	char *l = xstrdup(list ? list : "");

	str_lower(l);
	return l;
}

char *
unsub_token(const struct verp_keys *keys, const char *rcpt, const char *list,
    const char *delims, time_t now)
{
	char *a, *l, *at, tag[UNSUB_TAG_HEX + 1];
	long day = (long)(now / DAY);
	struct sbuf b;

	if (keys == NULL || keys->n == 0 || (list && !unsub_list_valid(list)))
		return NULL;
	if ((a = addr_normalise(rcpt)) == NULL || !addr_valid(a)) {
		free(a);
		return NULL;
	}
	l = lower_list(list);
	mktag(&keys->k[0], a, l, day, tag);
	at = strrchr(a, '@');
	sbuf_init(&b);
	sbuf_printf(&b, "%.*s%c%s+u.%s%s%ld.%s", (int)(at - a), a, delims[1],
	    at + 1, l, *l ? "." : "", day, tag);
	free(a);
	free(l);
	return sbuf_steal(&b);
}

/*
 * split - a token's parts: the recipient (normal form), the list ("" for
 * none), the day and the tag (lower case); -1 when it is no token
 */
static int
split(const char *tok, const char *delims, char **rcpt, char **list,
    long *day, char *tag)
{
	const char *eq, *plus, *rest, *dot1, *dot2, *p;
	char addr[UNSUB_TOKEN_MAX + 2], *end;
	size_t i;

	*rcpt = *list = NULL;
	if (strlen(tok) > UNSUB_TOKEN_MAX ||
	    (eq = strrchr(tok, delims[1])) == NULL || eq == tok ||
	    (plus = strchr(eq + 1, '+')) == NULL || plus == eq + 1 ||
	    strncasecmp(plus, "+u.", 3) != 0)
		return -1;
	rest = plus + 3;
	/* from the end: the tag, the day, and a list name or nothing */
	if ((dot1 = strrchr(rest, '.')) == NULL ||
	    strlen(dot1 + 1) != UNSUB_TAG_HEX)
		return -1;
	for (i = 0; i < UNSUB_TAG_HEX; i++) {
		if (!isxdigit((unsigned char)dot1[1 + i]))
			return -1;
		tag[i] = (char)tolower((unsigned char)dot1[1 + i]);
	}
	tag[UNSUB_TAG_HEX] = '\0';
	for (dot2 = dot1; dot2 > rest && dot2[-1] != '.'; dot2--)
		;
	/* dot2 is the day's first digit */
	*day = strtol(dot2, &end, 10);
	if (dot2 == dot1 || end != dot1 || *dot2 == '-' || *dot2 == '+')
		return -1;
	if (dot2 > rest) {
		*list = xstrndup(rest, (size_t)(dot2 - 1 - rest));
		if (!unsub_list_valid(*list))
			goto bad;
		str_lower(*list);
	} else
		*list = xstrdup("");
	if (snprintf(addr, sizeof(addr), "%.*s@%.*s", (int)(eq - tok), tok,
	    (int)(plus - eq - 1), eq + 1) >= (int)sizeof(addr))
		goto bad;
	for (p = addr; *p; p++)
		if ((unsigned char)*p < ' ')
			goto bad;
	if ((*rcpt = addr_normalise(addr)) == NULL || !addr_valid(*rcpt))
		goto bad;
	return 0;
bad:
	free(*rcpt);
	free(*list);
	*rcpt = *list = NULL;
	return -1;
}

enum verp_check
unsub_check(const struct verp_keys *keys, const char *tok, const char *delims,
    time_t now, time_t max_age, char **rcpt, char **list)
{
	char tag[UNSUB_TAG_HEX + 1], want[UNSUB_TAG_HEX + 1];
	long day;
	int i, j, seen = 0;

	if (split(tok, delims, rcpt, list, &day, tag) == -1)
		return VERP_NONE;
	for (i = 0; keys != NULL && i < keys->n; i++) {
		unsigned diff = 0;

		if (keys->k[i].not_after && keys->k[i].not_after < now)
			continue;
		seen = 1;
		mktag(&keys->k[i], *rcpt, *list, day, want);
		/* in constant time: the tag is a secret until it is valid */
		for (j = 0; j < UNSUB_TAG_HEX; j++)
			diff |= (unsigned)(want[j] ^ tag[j]);
		if (diff != 0)
			continue;
		if (day > (long)(now / DAY) + 1)
			return VERP_BADTAG;	/* from the future */
		if (max_age && (long)(now / DAY) - day > (long)(max_age / DAY))
			return VERP_EXPIRED;
		return VERP_VALID;
	}
	return seen ? VERP_BADTAG : VERP_NOKEY;
}

char *
unsub_in_address(const char *address, const char *prefix, const char *delims)
{
	const char *at;
	size_t n;

	if (address == NULL || prefix == NULL || *prefix == '\0')
		return NULL;
	n = strlen(prefix);
	if (strncasecmp(address, prefix, n) != 0 || address[n] != delims[0] ||
	    (at = strrchr(address, '@')) == NULL || at < address + n + 1)
		return NULL;
	address += n + 1;
	/* "+u." after the domain's delimiter: a token, not a return path tag */
	{
		char *t = xstrndup(address, (size_t)(at - address));
		const char *eq = strrchr(t, delims[1]);

		if (eq == NULL || strstr(eq, "+u.") == NULL) {
			free(t);
			return NULL;
		}
		return t;
	}
}

/*
 * pct - append s percent-encoded: all but RFC 3986's unreserved, and also
 * but the characters in keep
 */
static void
pct(struct sbuf *b, const char *s, const char *keep)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
		    (c != '\0' && strchr(keep, c) != NULL))
			sbuf_addc(b, (char)c);
		else
			sbuf_printf(b, "%%%02X", c);
	}
}

int
unsub_headers(const struct unsub_cfg *c, const char *rcpt, const char *list,
    time_t now, struct sbuf *out, const char **why)
{
	int mailto = c->domain != NULL && c->prefix != NULL &&
	    *c->prefix != '\0';
	char *tok;

	if (c->keys == NULL || (!mailto && c->url == NULL)) {
		*why = "needs sign_keys, and sign_domain or unsubscribe_url, "
		    "in the configuration";
		return -1;
	}
	if (list != NULL && !unsub_list_valid(list)) {
		*why = "a list name is letters, digits, '-' and '_', up to 64";
		return -1;
	}
	if ((tok = unsub_token(c->keys, rcpt, list, c->delims, now)) == NULL) {
		*why = "not a valid address";
		return -1;
	}
	sbuf_add(out, "List-Unsubscribe: ");
	if (mailto) {
		sbuf_printf(out, "<mailto:%s%c", c->prefix, c->delims[0]);
		/*
		 * RFC 6068 escapes what a mailto: URI may not hold; '=' too,
		 * strictly, but every mail client takes the VERP '=' as it
		 * is and not every one decodes %3D
		 */
		pct(out, tok, "+=!$'*");
		sbuf_printf(out, "@%s>", c->domain);
	}
	if (c->url != NULL) {
		sbuf_printf(out, "%s<%s%cu=", mailto ? ", " : "", c->url,
		    strchr(c->url, '?') ? '&' : '?');
		pct(out, tok, "");
		sbuf_add(out, ">");
	}
	sbuf_add(out, "\n");
	/* RFC 8058 section 3.1: one-click is offered for an https URI only */
	if (c->url != NULL)
		sbuf_add(out, "List-Unsubscribe-Post: List-Unsubscribe=One-Click\n");
	free(tok);
	return 0;
}
