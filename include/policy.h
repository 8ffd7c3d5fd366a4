/*
 * policy.h - what each kind of event does to an address's state.
 *
 * hard: suppressed at once, until released. soft: counted in a rolling
 * window; the Nth within it suppresses the address ("soft-exhausted"),
 * which lapses a set time after the last soft bounce. complaint:
 * suppressed at once, kept a set time (0: forever). delivered: lifts a
 * soft suppression (and the count restarts). block, delayed and
 * undetermined: the event is recorded, the address untouched.
 * unsubscribe (an opt-out report, a mailto: request, an import) and
 * manual (--add): suppressed until --remove, never lapsing; a
 * resubscribe (an ESP's event) lifts an unsubscribe, and nothing else. manual
 * outranks unsubscribe outranks hard outranks complaint outranks soft;
 * the best listing an address has under its top one is held and takes
 * its place when the top one is lifted. Every change of state writes an
 * audit row with the why.
 */
#ifndef BOUNCER_POLICY_H
#define BOUNCER_POLICY_H

#include <time.h>

#include "store.h"

/*
 * Trust: which reports may act (bouncer(1), TRUST). any: all but a bad
 * tag; sent: those tied to mail we sent, by a valid signed return path or
 * by Postfix's log; signed: a valid signed return path only.
 */
enum policy_trust {
	POLICY_TRUST_ANY,
	POLICY_TRUST_SENT,
	POLICY_TRUST_SIGNED
};

struct policy_cfg {
	enum policy_trust trust;	/* any, unless configured */
	time_t	sent_retention;		/* what --maillog learned: 30 days */
	time_t	pending_wait;		/* untied reports wait: 1 hour */
	int	rcpt_limit;		/* recipients acted on per message: 100 */
	long	unverified_limit;	/* unverified events an hour: 1000 */
	int	soft_threshold;		/* soft bounces that suppress: 3 */
	time_t	soft_window;		/* counted within: 30 days */
	time_t	soft_ttl;		/* lapses after the last soft: 30 days */
	time_t	delivery_stands;	/* a delivery resets the soft count
					   when no failure follows within:
					   3 days */
	time_t	complaint_ttl;		/* complaint kept: 90 days, 0 forever */
	time_t	event_ttl;		/* events kept by --expire: 0 forever */
	int	incident_threshold;	/* recipients failing alike: 10, 0 off */
	int	incident_share;		/* ... and this % of the sent: 10, 0 off */
	time_t	incident_window;	/* within: 1 hour */
};

enum policy_outcome {
	POLICY_DUPLICATE,	/* seen before: nothing changed */
	POLICY_RECORDED,	/* event kept, state unchanged */
	POLICY_SUPPRESSED,	/* address added to the list */
	POLICY_ESCALATED,	/* soft count reached the threshold */
	POLICY_UPDATED,		/* already listed: dates or expiry moved */
	POLICY_RELEASED,	/* taken off the list */
	POLICY_PENDING,		/* kept until --maillog can tie it */
	POLICY_LIMITED,		/* dropped: a limit was reached */
	POLICY_INCIDENT		/* part of an incident: suppresses nobody */
};

void	policy_defaults(struct policy_cfg *);
const char *policy_outcome_name(enum policy_outcome);
/* policy_trust_name - "any", "sent", "signed"; policy_trust_parse: -1 if none */
const char *policy_trust_name(enum policy_trust);
int	policy_trust_parse(const char *, enum policy_trust *);

/*
 * policy_apply - record one classified event and apply its consequence.
 * Two safety nets come first. A final failure whose cause is unknown
 * (class undetermined, reason onhold or undefined) is counted as soft.
 * A failure that many recipients at its destination share, with the same
 * diagnostic, within incident_window, is an incident (store.h): recorded
 * as class block, it suppresses nobody, and the incident's earlier
 * failures that did suppress are released. Many is incident_threshold
 * recipients and incident_share percent of what was sent there in the
 * window (dest.h); the destination is the MX provider where the event
 * names the host, else the domain. A failure whose words say the
 * recipient's own address or mailbox is at fault (userunknown,
 * hostunknown, ...) counts toward none and is never released.
 */
enum store_status policy_apply(struct store *, const struct policy_cfg *,
	    const struct store_event *, enum policy_outcome *);
/*
 * policy_forget - store_forget (erase every trace of the address), except
 * that an unsubscribed address stays listed, as nothing but the address
 * and class unsubscribe (*kept 1): erasure must not make the mail start
 * again. *n as store_forget's.
 */
enum store_status policy_forget(struct store *, const char *, time_t, int *,
	    int *);
/*
 * policy_add - suppress by hand as class "manual" or "unsubscribe": never
 * lapses; what it covers is held and comes back when it is removed
 */
enum store_status policy_add(struct store *, const char *, const char *,
	    const char *, time_t);
/*
 * policy_listing - put a listing as it was exported (--import of
 * --list --json, --export or a plain list): class with its expiry (kept
 * only for soft and complaint), ranked and held as any other
 */
enum store_status policy_listing(struct store *, const struct store_event *,
	    const char *, time_t, enum policy_outcome *);
/*
 * policy_remove - release by hand; *found 0 when it was not listed;
 * *restored names the class held underneath that is in force again
 * (static), or NULL when the address is now free
 */
enum store_status policy_remove(struct store *, const char *, const char *,
	    time_t, int *, const char **);
/*
 * policy_expire - lift every suppression whose time is up, with audit
 * rows, in short transactions; report is called per address lifted and
 * committed (may be NULL). *n counts them.
 */
enum store_status policy_expire(struct store *, time_t,
	    void (*)(const struct store_entry *, void *), void *, int *);

#endif
