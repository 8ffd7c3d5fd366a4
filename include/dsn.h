/*
 * dsn.h - turn parsed field blocks into bounce records: RFC 3464
 * delivery-status reports and RFC 5965 feedback reports.
 */
#ifndef BOUNCER_DSN_H
#define BOUNCER_DSN_H

#include "bounce.h"
#include "fields.h"

/*
 * dsn_collect - add the per-message fields and one recipient per
 * recipient block of a delivery-status text to b. Blocks without the
 * blank line between them, and several recipients in one block, are
 * split at each Final-Recipient. Returns the number of recipients added.
 */
size_t	dsn_collect(const struct field_list *, struct bounce *);
/* dsn_looks_like - 1 when plain text holds DSN fields (a mislabelled part) */
int	dsn_looks_like(const char *);
/*
 * arf_looks_like - the feedback report's field block written into plain
 * text (Feedback-Type with Version or User-Agent, RFC 5965 3.1), or NULL;
 * *len is its length. Points into text.
 */
const char *arf_looks_like(const char *, size_t *);
/*
 * arf_collect - add a feedback report's fields to b and one recipient per
 * Original-Rcpt-To (or Removal-Recipient). Returns recipients added.
 */
size_t	arf_collect(const struct field_list *, struct bounce *);
/* dsn_set_diagnostic - split "type; text" into r's diagnostic fields, once */
void	dsn_set_diagnostic(struct rcpt *, const char *);
/* dsn_strip_type - value after an address-type "rfc822;" prefix; borrowed */
const char *dsn_strip_type(const char *);

#endif
