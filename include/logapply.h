/*
 * logapply.h - what one line of Postfix's log says, into the store: an
 * smtp(8)/lmtp(8) delivery that bounced or was deferred is classified and
 * stored like a bounce, one that was sent counted per domain and day (and
 * resets the address's soft count); with trust = sent, what was sent is
 * remembered to tie reports to it. The campaign of a message is learnt
 * from the lines that come before its deliveries (maillog.h).
 */
#ifndef BOUNCER_LOGAPPLY_H
#define BOUNCER_LOGAPPLY_H

#include "classify.h"
#include "logline.h"
#include "maillog.h"
#include "policy.h"
#include "store.h"

struct logapply;

/*
 * logapply_new - apply lines to s, counting into st; the arguments are
 * borrowed for the object's life. Caller frees with logapply_free.
 */
struct logapply *logapply_new(struct store *, const struct classifier *,
	    const struct policy_cfg *, const struct maillog_opts *,
	    struct maillog_stats *);
void	logapply_free(struct logapply *);
/* logapply_line - a parsed line, in the caller's open transaction */
enum store_status logapply_line(struct logapply *, const struct logline *);

#endif
