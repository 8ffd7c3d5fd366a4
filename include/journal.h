/*
 * journal.h - journalctl's export format (systemd's "Journal Export
 * Format"), read as a stream: entries of "NAME=value\n" fields, or
 * "NAME\n" + a 64-bit little-endian length + the bytes + "\n" for a value
 * that is binary or has a newline, each entry ended by an empty line.
 * Only the fields --maillog needs are kept, each cut at its buffer's
 * size; any other field, of any size, is skipped without being held.
 */
#ifndef BOUNCER_JOURNAL_H
#define BOUNCER_JOURNAL_H

#include <stddef.h>

struct journal_entry {
	char		cursor[512];	/* __CURSOR */
	long long	usec;		/* __REALTIME_TIMESTAMP, 0: none */
	char		ident[128];	/* SYSLOG_IDENTIFIER */
	/*
	 * _UID: journald's own field, the sender's user ID as the kernel
	 * gave it (a client cannot set a field that starts with "_");
	 * -1: none, or more than one
	 */
	long long	uid;
	char		message[8192];	/* MESSAGE */
};

struct journal_parser {
	int		 state;
	char		 name[64];	/* the field being read */
	size_t		 nlen;
	unsigned long long size;	/* a binary value's length ... */
	int		 nsize;		/* ... and how many of its bytes came */
	char		*dst;		/* where the value goes, NULL: nowhere */
	size_t		 dcap, dlen;
	int		 fields;	/* fields in the entry so far */
	char		 usec[32];	/* __REALTIME_TIMESTAMP's text */
	char		 uid[32];	/* _UID's text */
	int		 nuid;		/* _UID fields in the entry */
	struct journal_entry e;
};

void	journal_init(struct journal_parser *);
/*
 * journal_feed - give the parser len bytes; it takes them up to the end
 * of the first entry they complete and returns how many it took, with
 * *done 1 and the entry in p->e (valid until the next call); otherwise it
 * takes them all, *done 0.
 */
size_t	journal_feed(struct journal_parser *, const char *, size_t, int *);

#endif
