/*
 * logjournal.h - the systemd journal as a --maillog source: journalctl
 * -o export (journal.h), from after the saved cursor, of the mail
 * facility's entries (Postfix's syslog_facility, mail by default). Each
 * entry's cursor is committed with what it produced, so a restart reads
 * nothing twice and misses nothing. journalctl is found on PATH.
 */
#ifndef BOUNCER_LOGJOURNAL_H
#define BOUNCER_LOGJOURNAL_H

#include "logrun.h"

/*
 * logjournal_read - the entries into x's store, until journalctl ends
 * (with x->follow: until SIGTERM; journalctl --follow ending otherwise
 * is a failure, so that systemd restarts the reader). On failure x->err
 * may say why.
 */
enum store_status logjournal_read(struct logrun *);

#endif
