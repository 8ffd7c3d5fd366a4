/*
 * classify_words.c - reasons, aliases and classes (classify_words.h).
 */
#include <string.h>
#include <strings.h>

#include "classify_words.h"

static const struct {
	const char *reason;
	const char *class;
} reasons[] = {
	{ "userunknown", "hard" }, { "hostunknown", "hard" },
	{ "hasmoved", "hard" }, { "notaccept", "hard" },
	{ "mailboxfull", "soft" }, { "suspend", "soft" },
	{ "exceedlimit", "soft" }, { "mesgtoobig", "soft" },
	{ "systemfull", "soft" }, { "systemerror", "soft" },
	{ "networkerror", "soft" }, { "expired", "soft" },
	{ "mailererror", "soft" },
	{ "onhold", "undetermined" }, { "undefined", "undetermined" },
	{ "blocked", "block" }, { "badreputation", "block" },
	{ "requireptr", "block" }, { "authfailure", "block" },
	{ "policyviolation", "block" }, { "securityerror", "block" },
	{ "spamdetected", "block" }, { "virusdetected", "block" },
	{ "contenterror", "block" }, { "notcompliantrfc", "block" },
	{ "filtered", "block" }, { "rejected", "block" },
	{ "norelaying", "block" }, { "toomanyconn", "block" },
	{ "speeding", "block" }, { "syntaxerror", "block" },
	{ "feedback", "complaint" }, { "delivered", "delivered" },
	{ "vacation", "undetermined" },
};

/* Newer Sisimai words, accepted in rule files, emitted as the 5.1 word. */
static const struct {
	const char *alias;
	const char *reason;
} aliases[] = {
	{ "ratelimited", "speeding" }, { "emailtoolarge", "mesgtoobig" },
	{ "failedstarttls", "securityerror" }, { "suppressed", "onhold" },
};

static const char *classes[] = {
	"hard", "soft", "block", "complaint", "delayed", "delivered",
	"undetermined", NULL
};

const char *
classify_reason_word(const char *w)
{
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (strcasecmp(w, reasons[i].reason) == 0)
			return reasons[i].reason;
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcasecmp(w, aliases[i].alias) == 0)
			return aliases[i].reason;
	return NULL;
}

const char *
classify_reason_class(const char *reason, const char *status)
{
	size_t i;

	if (strcmp(reason, "notaccept") == 0 && status && status[0] == '4')
		return "soft";
	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (strcmp(reason, reasons[i].reason) == 0)
			return reasons[i].class;
	return NULL;
}

static const char *
class_word(const char *w)
{
	int i;

	for (i = 0; classes[i]; i++)
		if (strcasecmp(w, classes[i]) == 0)
			return classes[i];
	return NULL;
}

const char *
classify_class_word(const char *w)
{
	return w == NULL ? NULL : class_word(w);
}
