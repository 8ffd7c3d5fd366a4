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
#include "util.h"

struct classifier;

/*
 * classifier_new - compile the built-in rules, then (when path is not
 * NULL) the operator's rule file, whose rules are tried first. A bad
 * rule is skipped and described, one "file:line: why" line each, in errs
 * (which may be NULL); the rest still load. Returns NULL only when the
 * operator's file cannot be read (errno set). Caller frees.
 */
struct classifier *classifier_new(const char *, struct sbuf *);
/*
 * classifier_jit - compile the rules with the PCRE2 JIT: worth it for
 * many messages (replay), not for one (pipe mode), where compiling costs
 * more than it saves. Off by default; BOUNCER_NO_JIT keeps it off.
 */
void	classifier_jit(struct classifier *);
void	classifier_free(struct classifier *);
/*
 * classifier_check - compile every rule not compiled yet (the built-in
 * ones are compiled when first needed); the number that do not, each
 * named in errs
 */
int	classifier_check(struct classifier *, struct sbuf *);
/* classifier_nrules - how many rules are loaded */
size_t	classifier_nrules(const struct classifier *);

/* classify - set r->v from r, using the bounce b for context */
void	classify(const struct classifier *, const struct bounce *,
	    struct rcpt *);
/* classify_text - the verdict for a bare diagnostic text (--test-rule) */
void	classify_text(const struct classifier *, const char *,
	    struct verdict *);
/* classify_reason_class - the class a reason implies, or NULL if unknown */
const char *classify_reason_class(const char *, const char *);
/* classify_class_word - the static word for a class name, or NULL */
const char *classify_class_word(const char *);
/* classify_reason_word - canonical word for a reason or alias, or NULL */
const char *classify_reason_word(const char *);

#endif
