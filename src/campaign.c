/*
 * campaign.c - a campaign's name from a header value or a VERP return
 * path. Both come from strangers' messages: the name is bounded, and
 * control characters refuse it rather than reaching the report, the
 * metrics' labels or an alert.
 */
#include <string.h>

#include "campaign.h"
#include "util.h"

static char *
clean(const char *p, size_t n)
{
	size_t i;

	while (n > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' ||
	    p[n - 1] == '\r' || p[n - 1] == '\n'))
		n--;
	if (n == 0 || n > CAMPAIGN_MAX)
		return NULL;
	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f ||
		    p[i] == '"' || p[i] == '\\')
			return NULL;
	return xstrndup(p, n);
}

char *
campaign_from_header(const char *v)
{
	const char *lt, *gt;

	if (v == NULL)
		return NULL;
	if ((lt = strrchr(v, '<')) != NULL && (gt = strchr(lt, '>')) != NULL)
		return clean(lt + 1, (size_t)(gt - lt - 1));
	return clean(v, strlen(v));
}

char *
campaign_from_verp(const char *rp, const char *delims)
{
	const char *at, *d;

	if (rp == NULL || delims == NULL || *delims == '\0')
		return NULL;
	if (*rp == '<')
		rp++;
	if ((at = strrchr(rp, '@')) == NULL ||
	    (d = memchr(rp, delims[0], (size_t)(at - rp))) == NULL)
		return NULL;
	return clean(rp, (size_t)(d - rp));
}
