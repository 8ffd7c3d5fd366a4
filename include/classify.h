/*
 * classify.h - decide, for one recipient, the reason and class of what
 * happened, and the rule that decided.
 *
 * The classifier is a pure function of the parsed record: no I/O after
 * the rules are loaded. Order of decision (bouncer(1), CLASSIFICATION):
 *   1. the report kind (feedback report, auto-reply) and the DSN Action
 *      (delivered, relayed, expanded);
 *   2. PCRE2 rules on the diagnostic text, an operator's rules first: the
 *      words win over the codes;
 *   3. the rules on the recipient's paragraph, a specific RFC 3463 / IANA
 *      enhanced status code, the rules on the bounce's readable text, a
 *      code that names only a subject, the RFC 5321 reply code;
 *   4. "onhold" when a failure has no recognisable cause.
 * The SMTP phase refines the verdict. A delayed Action keeps the reason
 * found but gets class "delayed"; a failed one with a 4.x or 5.x code is
 * never "undetermined".
 */
#ifndef BOUNCER_CLASSIFY_H
#define BOUNCER_CLASSIFY_H

#include "bounce.h"
#include "classify_rules.h"
#include "classify_words.h"	/* the rules and words it decides with */

/* classify - set r->v from r, using the bounce b for context */
void	classify(const struct classifier *, const struct bounce *,
	    struct rcpt *);
/* classify_text - the verdict for a bare diagnostic text (--test-rule) */
void	classify_text(const struct classifier *, const char *,
	    struct verdict *);

#endif
