/*
 * classify_codes.c - what status codes, reply codes and bounce
 * categories say (classify_codes.h). Codes live in a table, as RFC 3463
 * and the IANA registry define them.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "classify_codes.h"

/*
 * RFC 3463 and the IANA "Enumerated Status Codes" registry, subject and
 * detail only; the class digit is handled by the caller. Codes that say
 * nothing about the cause (x.0.0, x.5.0) are absent on purpose.
 */
static const struct {
	const char *code;
	const char *reason;
} codes[] = {
	{ "1.0", "userunknown" },	/* other address status */
	{ "1.1", "userunknown" },	/* bad destination mailbox address */
	{ "1.2", "hostunknown" },	/* bad destination system address */
	{ "1.3", "userunknown" },	/* bad destination mailbox syntax */
	{ "1.4", "userunknown" },	/* destination mailbox ambiguous */
	{ "1.5", "delivered" },		/* destination address valid */
	{ "1.6", "hasmoved" },		/* destination mailbox has moved */
	{ "1.7", "rejected" },		/* bad sender's mailbox syntax */
	{ "1.8", "rejected" },		/* bad sender's system address */
	{ "1.9", "systemerror" },	/* relayed to non-compliant mailer */
	{ "1.10", "notaccept" },	/* recipient has null MX (RFC 7505) */
	{ "2.0", "suspend" },		/* other mailbox status: the mailbox
					   exists but cannot take it */
	{ "2.1", "suspend" },		/* mailbox disabled */
	{ "2.2", "mailboxfull" },	/* mailbox full */
	{ "2.3", "exceedlimit" },	/* message length exceeds limit */
	{ "2.4", "systemerror" },	/* mailing list expansion problem */
	{ "3.0", "systemerror" },	/* other mail system status */
	{ "3.1", "systemfull" },	/* mail system full */
	{ "3.2", "notaccept" },		/* not accepting network messages */
	{ "3.3", "systemerror" },	/* not capable of selected features */
	{ "3.4", "mesgtoobig" },	/* message too big for system */
	{ "3.5", "systemerror" },	/* system incorrectly configured */
	{ "3.6", "systemerror" },	/* requested priority was changed */
	{ "4.0", "networkerror" },	/* other network or routing status */
	{ "4.1", "networkerror" },	/* no answer from host */
	{ "4.2", "networkerror" },	/* bad connection */
	{ "4.3", "systemerror" },	/* directory server failure */
	{ "4.4", "networkerror" },	/* unable to route (5.4.4: below) */
	{ "4.5", "networkerror" },	/* mail system congestion */
	{ "4.6", "networkerror" },	/* routing loop detected */
	{ "4.7", "expired" },		/* delivery time expired */
	{ "5.1", "syntaxerror" },	/* invalid command */
	{ "5.2", "syntaxerror" },	/* syntax error */
	{ "5.3", "exceedlimit" },	/* too many recipients */
	{ "5.4", "syntaxerror" },	/* invalid command arguments */
	{ "5.5", "syntaxerror" },	/* wrong protocol version */
	{ "5.6", "syntaxerror" },	/* auth exchange line too long */
	{ "6.0", "contenterror" },	/* other media error */
	{ "6.1", "contenterror" },	/* media not supported */
	{ "6.2", "contenterror" },	/* conversion prohibited */
	{ "6.3", "contenterror" },	/* conversion not supported */
	{ "6.4", "contenterror" },	/* conversion with loss */
	{ "6.5", "contenterror" },	/* conversion failed */
	{ "6.6", "contenterror" },	/* content not available */
	{ "6.7", "contenterror" },	/* non-ASCII addresses not permitted */
	{ "6.8", "contenterror" },	/* UTF-8 string reply required */
	{ "6.9", "contenterror" },	/* UTF-8 header cannot be transferred */
	{ "6.10", "contenterror" },
	{ "7.0", "securityerror" },	/* other security status */
	{ "7.1", "blocked" },		/* delivery not authorized */
	{ "7.2", "securityerror" },	/* list expansion prohibited */
	{ "7.3", "securityerror" },	/* security conversion required */
	{ "7.4", "securityerror" },	/* security features not supported */
	{ "7.5", "securityerror" },	/* cryptographic failure */
	{ "7.6", "securityerror" },	/* algorithm not supported */
	{ "7.7", "securityerror" },	/* message integrity failure */
	{ "7.8", "securityerror" },	/* credentials invalid */
	{ "7.9", "securityerror" },	/* mechanism too weak */
	{ "7.10", "securityerror" },	/* encryption needed */
	{ "7.11", "securityerror" },	/* encryption required for mech */
	{ "7.12", "securityerror" },	/* password transition needed */
	{ "7.13", "suspend" },		/* user account disabled */
	{ "7.14", "securityerror" },	/* trust relationship required */
	{ "7.15", "securityerror" },	/* priority level too low */
	{ "7.16", "mesgtoobig" },	/* too big for specified priority */
	{ "7.17", "hasmoved" },		/* mailbox owner has changed */
	{ "7.18", "hasmoved" },		/* domain owner has changed */
	{ "7.19", "securityerror" },	/* RRVS test cannot be completed */
	{ "7.20", "authfailure" },	/* no passing DKIM signature */
	{ "7.21", "authfailure" },	/* no acceptable DKIM signature */
	{ "7.22", "authfailure" },	/* no author-matched DKIM signature */
	{ "7.23", "authfailure" },	/* SPF validation failed */
	{ "7.24", "authfailure" },	/* SPF validation error */
	{ "7.25", "requireptr" },	/* reverse DNS validation failed */
	{ "7.26", "authfailure" },	/* multiple authentication failures */
	{ "7.27", "notaccept" },	/* sender address has null MX */
	{ "7.28", "speeding" },		/* mail flood detected */
	{ "7.29", "authfailure" },	/* ARC validation failure */
	{ "7.30", "securityerror" },	/* REQUIRETLS support required */
};

/* code_reason - the table's reason for "C.S.D", or NULL */
const char *
code_reason(const char *status)
{
	const char *sd;
	size_t i, n;

	if (status[0] == '2')
		return "delivered";
	if ((sd = strchr(status, '.')) == NULL)
		return NULL;
	sd++;
	/* RFC 7505 and reality: a permanent "unable to route" is no domain */
	if (strcmp(status, "5.4.4") == 0)
		return "hostunknown";
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		n = strlen(codes[i].code);
		if (strncmp(sd, codes[i].code, n) == 0 && sd[n] == '\0')
			return codes[i].reason;
	}
	return NULL;
}

/*
 * code_reply_reason - what an SMTP reply code alone says (RFC 5321
 * 4.2.2-4.2.3, RFC 7504), given the command it answered (phase, 0
 * unknown), or NULL.
 * Never a hard reason: 550 is "mailbox unavailable (e.g., mailbox not
 * found, no access, or command rejected for policy reasons)", and a
 * number is no proof that an address is dead.
 */
const char *
code_reply_reason(const char *reply, int phase)
{
	if (reply[0] == '\0')
		return NULL;
	/* 554 at the greeting or HELO is "no SMTP service here" for us */
	if ((phase == 'H' && (reply[0] == '5' || strcmp(reply, "421") == 0)))
		return "blocked";
	if (strcmp(reply, "421") == 0 || strcmp(reply, "451") == 0)
		return "systemerror";	/* service not available, local error */
	if (strcmp(reply, "452") == 0)
		return "systemfull";	/* insufficient system storage */
	if (strcmp(reply, "552") == 0)	/* exceeded storage allocation */
		return phase == 'D' ? "mesgtoobig" : "mailboxfull";
	if (strcmp(reply, "521") == 0 || strcmp(reply, "556") == 0)
		return "notaccept";	/* RFC 7504: does not accept mail */
	if (strcmp(reply, "530") == 0 || strcmp(reply, "534") == 0 ||
	    strcmp(reply, "535") == 0 || strcmp(reply, "538") == 0)
		return "securityerror";	/* authentication (RFC 4954) */
	if (reply[1] == '0' && reply[0] == '5')
		return "syntaxerror";	/* 500-504: our command was refused */
	return NULL;
}

/*
 * code_category_reason - PowerMTA files every bounce under a category
 * of its own (X-PowerMTA-BounceCategory), decided from the whole SMTP
 * exchange by its bounce rules. Where the category is specific it is the sending
 * MTA's verdict, and stands; "other" and unknown ones say nothing.
 */
const char *
code_category_reason(const char *cat)
{
	static const struct {
		const char *category, *reason;
	} map[] = {
		{ "bad-mailbox", "userunknown" },
		{ "bad-domain", "hostunknown" },
		{ "inactive-mailbox", "suspend" },
		{ "quota-issues", "mailboxfull" },
		{ "message-expired", "expired" },
		{ "no-answer-from-host", "networkerror" },
		{ "bad-connection", "networkerror" },
		{ "routing-errors", "systemerror" },
		{ "bad-configuration", "systemerror" },
		{ "policy-related", "policyviolation" },
		{ "spam-related", "spamdetected" },
		{ "virus-related", "virusdetected" },
		{ "content-related", "contenterror" },
		{ "invalid-sender", "rejected" },
		{ "relaying-issues", "norelaying" },
		{ "protocol-errors", "syntaxerror" },
	};
	size_t i;

	if (cat == NULL)
		return NULL;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcasecmp(cat, map[i].category) == 0)
			return map[i].reason;
	return NULL;
}

/* code_specificity - 0 for x.0.0, 1 for x.y.0 or x.0.z, 2 for x.y.z */
int
code_specificity(const char *s)
{
	const char *a = strchr(s, '.'), *b = a ? strchr(a + 1, '.') : NULL;

	if (a == NULL || b == NULL)
		return -1;
	return (strtol(a + 1, NULL, 10) != 0) + (strtol(b + 1, NULL, 10) != 0);
}

/*
 * code_weak - a code too vague to outrank the text: "other" details
 * (x.y.0) and x.7.1, which receivers use for every kind of refusal.
 */
int
code_weak(const char *status)
{
	size_t n = strlen(status);

	return code_specificity(status) < 2 ||
	    strcmp(status + 1, ".7.1") == 0 ||
	    (n > 2 && strcmp(status + n - 2, ".0") == 0);
}

/* code_sender - x.1.7 or x.1.8: the code is about the sender's address */
int
code_sender(const char *s)
{
	return s[0] != '\0' && (strcmp(s + 1, ".1.7") == 0 ||
	    strcmp(s + 1, ".1.8") == 0);
}

/* code_address - x.1.z but x.1.2: the code itself says the address is bad */
int
code_address(const char *s)
{
	return s[0] != '\0' && strncmp(s + 1, ".1.", 3) == 0 &&
	    strcmp(s + 1, ".1.2") != 0;
}
