/*
 * campaign.h - what campaign a message belonged to, from a header of
 * the returned message (campaign_header: X-Campaign-ID, List-Id, ...)
 * or from the prefix of its VERP return path (campaign_verp:
 * "spring+alice=example.net@bounces.example.com" is campaign "spring").
 * The same words name it in Postfix's log (maillog.c), so bounces and
 * sent counts meet.
 */
#ifndef BOUNCER_CAMPAIGN_H
#define BOUNCER_CAMPAIGN_H

#define CAMPAIGN_MAX	100	/* longest name kept, in bytes */

/*
 * campaign_from_header - the name in a header's value: the id in angle
 * brackets when there is one (List-Id: Sale <sale.list.example>), else
 * the trimmed value. NULL when empty, too long or holding control
 * characters. Caller frees.
 */
char	*campaign_from_header(const char *);
/*
 * campaign_from_verp - the local part of a return path before the first
 * VERP delimiter (delims[0]); NULL when it has none. Caller frees.
 */
char	*campaign_from_verp(const char *, const char *);

#endif
