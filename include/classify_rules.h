/*
 * classify_rules.h - the classifier's rules: "reason [class]
 * /pattern/flags", one a line, compiled with PCRE2, the built-in ones
 * (src/rules/default.rules) after an operator's; matched against a
 * text in order, the first that matches deciding; and the patterns that
 * find a status or reply code in a text. classify.h decides with them.
 */
#ifndef BOUNCER_CLASSIFY_RULES_H
#define BOUNCER_CLASSIFY_RULES_H

#include <stddef.h>

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

/* A rule that matched; the strings are the classifier's. */
struct rule_match {
	const char	*reason;
	const char	*class;		/* NULL: the reason's class */
	int		 address;	/* flag a: the words name the account */
	const char	*where;		/* "file:line" */
	const char	*pattern;
};

/*
 * classifier_match - the first rule matching text (NULL or empty: none),
 * into m; returns m, or NULL when no rule matches
 */
const struct rule_match *classifier_match(const struct classifier *,
	    const char *, struct rule_match *);
/*
 * classifier_find_status, classifier_find_reply - the first enhanced
 * status code ("5.1.1", not part of an address or a version) or SMTP
 * reply code opening a reply ("550 ", "550-") in text, into out (len
 * bytes); 1 when found, else 0 and out untouched
 */
int	classifier_find_status(const struct classifier *, const char *,
	    char *, size_t);
int	classifier_find_reply(const struct classifier *, const char *,
	    char *, size_t);

#endif
