/*
 * bounce.h - what a parsed bounce or complaint says, before and after
 * classification. Plain data, owned by whoever called parse_message();
 * freed with bounce_free().
 */
#ifndef BOUNCER_BOUNCE_H
#define BOUNCER_BOUNCE_H

#include <stddef.h>

#include "authres.h"

#define BOUNCE_RCPT_MAX	1000	/* recipients kept per message */

enum bounce_kind {
	BOUNCE_NONE = 0,	/* not a bounce */
	BOUNCE_DSN,		/* RFC 3464 delivery-status part */
	BOUNCE_TEXT,		/* non-standard, human-readable bounce */
	BOUNCE_ARF,		/* RFC 5965 feedback report */
	BOUNCE_AUTOREPLY,	/* RFC 3834 auto-reply (vacation) */
	BOUNCE_UNSUBSCRIBE	/* RFC 2369 mailto: unsubscribe request */
};

/* The classifier's answer for one recipient. */
struct verdict {
	char		 status[16];	/* "5.1.1" or "" */
	char		 replycode[4];	/* "550" or "" */
	const char	*reason;	/* static vocabulary word */
	const char	*class;		/* static class word */
	char		 rule[160];	/* what decided, for --explain */
	int		 by_phrase;	/* a rule matched the recipient's own
					   diagnostic and named the reason */
	int		 by_rule_class;	/* that rule named the class too */
	int		 by_address;	/* that rule's words are about the
					   address itself (flag a): no phase
					   makes them a filter's */
	int		 by_para;	/* a rule matched the recipient's
					   paragraph of the human-readable part */
};

struct rcpt {
	char	*recipient;		/* normal form (addr.h), or NULL */
	char	*raw_recipient;		/* Final-Recipient as written */
	char	*original_recipient;
	char	*action;		/* lower case */
	char	*status;		/* Status field as written */
	char	*remote_mta;
	char	*diagnostic_type;	/* "smtp", "X-Postfix", ... */
	char	*diagnostic_code;	/* text after the type */
	char	*last_attempt_date;
	char	*will_retry_until;
	char	*final_log_id;
	char	*mta_category;		/* the sending MTA's own bounce category
					   (X-PowerMTA-BounceCategory) */
	char	*text_diag;		/* its paragraph in the readable part */
	char	*dsn_recipient;		/* the report's own, when VERP differs */
	int	 vouched;		/* a valid signed return path names it */
	char	 trust[256];		/* why it is or is not believed */
	struct verdict v;
};

struct bounce {
	enum bounce_kind kind;
	/* per-message DSN fields */
	char	*reporting_mta;
	char	*original_envelope_id;
	char	*arrival_date;
	char	*dsn_gateway;
	char	*received_from_mta;
	char	*postfix_queue_id;
	char	*postfix_sender;
	/* the bounce message itself */
	char	*from;
	char	*subject;
	char	*date;
	long long when;			/* Date as Unix time, 0 if unknown */
	char	*message_id;
	char	*text;			/* human-readable part */
	/* the returned original message */
	char	*orig_message_id;
	char	*orig_from;
	char	*orig_to;
	char	*orig_subject;
	char	*orig_date;
	char	*orig_list_id;
	char	*orig_return_path;
	char	*campaign;		/* campaign.h; NULL when unknown */
	/* ARF (RFC 5965) fields */
	char	*feedback_type;
	char	*user_agent;
	char	*arf_version;
	char	*original_mail_from;
	char	*original_rcpt_to;
	char	*source_ip;
	char	*reported_domain;
	char	*reported_uri;
	char	*auth_results;
	/* VERP: the return path the report came back to, and its recipient */
	char	*verp_source;
	char	*verp;
	const char *signature;		/* verp_check_name(), or NULL */
	int	 unverified;		/* acts on nobody: see signature */
	/* Postfix pipe(8) arguments */
	char	*pipe_sender;
	char	*pipe_recipient;
	/* evidence from our own MTA (authres.h) */
	struct authres auth;		/* DKIM signatures that passed */
	int	 null_sender;		/* came with MAIL FROM:<>, as a DSN
					   does (RFC 5321 4.5.5): pipe(8)'s
					   sender has no '@' (Postfix writes
					   the null sender MAILER-DAEMON),
					   or, without one, Return-Path: <> */
	struct rcpt *r;
	size_t	 n;
	size_t	 cap;
	int	 truncated;		/* limits dropped some input */
};

/* bounce_add_rcpt - append an empty recipient; NULL past BOUNCE_RCPT_MAX */
struct rcpt *bounce_add_rcpt(struct bounce *);
/* bounce_keep - free all recipients after the first n */
void	bounce_keep(struct bounce *, size_t);
void	bounce_free(struct bounce *);
const char *bounce_kind_name(enum bounce_kind);

#endif
