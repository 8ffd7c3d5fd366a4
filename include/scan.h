/*
 * scan.h - read bounces that carry no delivery-status part: qmail,
 * Exim, old Sendmail, Exchange, Lotus, web-mail providers' notices.
 *
 * The scanner works on the human-readable text only: it cuts the text
 * where the returned original message begins, finds the failed
 * recipients (an address that opens a line, X-Failed-Recipients, or
 * failing those any address that is not the sender's), and takes the
 * lines that follow each as its diagnostic.
 */
#ifndef BOUNCER_SCAN_H
#define BOUNCER_SCAN_H

#include "bounce.h"
#include "fields.h"

#define SCAN_DIAG_MAX	4096	/* bytes of diagnostic text per recipient */
#define SCAN_TEXT_MAX	65536	/* bytes of bounce text looked at */

/* scan_cut - length of text before the returned original message */
size_t	scan_cut(const char *);
/*
 * scan_text - add recipients found in b->text (already cut) to b, using
 * the bounce's own headers h to skip the sender's addresses. Returns the
 * number of recipients added.
 */
size_t	scan_text(struct bounce *, const struct field_list *);
/* scan_diag_for - the diagnostic lines after addr in text; caller frees */
char	*scan_diag_for(const char *, const char *);
/*
 * scan_said - the remote reply a notice quotes after its lead-in ("The
 * error that the other server returned was: 550 ..."), to the end of the
 * paragraph; NULL if none. Caller frees.
 */
char	*scan_said(const char *);
/* scan_is_bounce - 1 when the headers say "delivery failure notice" */
int	scan_is_bounce(const struct field_list *);
/* scan_text_is_bounce - 1 when the readable text says "not delivered" */
int	scan_text_is_bounce(const char *);
/* scan_is_autoreply - 1 when the headers say "automatic reply" (RFC 3834) */
int	scan_is_autoreply(const struct field_list *);

#endif
