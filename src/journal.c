/*
 * journal.c - journalctl -o export as a stream of entries (journal.h).
 * The format: systemd's JOURNAL_EXPORT_FORMATS documentation.
 */
#include <stdlib.h>
#include <string.h>

#include "journal.h"

enum { J_NAME, J_TEXT, J_SIZE, J_DATA, J_DATA_NL };

static void
entry_reset(struct journal_parser *p)
{
	p->e.cursor[0] = p->e.ident[0] = p->e.message[0] = '\0';
	p->e.usec = 0;
	p->e.uid = -1;
	p->nuid = 0;
	p->fields = 0;
}

void
journal_init(struct journal_parser *p)
{
	memset(p, 0, sizeof(*p));
	p->state = J_NAME;
	entry_reset(p);
}

/* value_to - where the field named p->name goes, if anywhere */
static void
value_to(struct journal_parser *p)
{
	p->dst = NULL;
	p->dcap = p->dlen = 0;
	if (strcmp(p->name, "__CURSOR") == 0) {
		p->dst = p->e.cursor;
		p->dcap = sizeof(p->e.cursor);
	} else if (strcmp(p->name, "__REALTIME_TIMESTAMP") == 0) {
		p->dst = p->usec;
		p->dcap = sizeof(p->usec);
	} else if (strcmp(p->name, "_UID") == 0) {
		p->dst = p->uid;
		p->dcap = sizeof(p->uid);
	} else if (strcmp(p->name, "SYSLOG_IDENTIFIER") == 0) {
		p->dst = p->e.ident;
		p->dcap = sizeof(p->e.ident);
	} else if (strcmp(p->name, "MESSAGE") == 0) {
		p->dst = p->e.message;
		p->dcap = sizeof(p->e.message);
	}
	if (p->dst != NULL)
		p->dst[0] = '\0';
}

/* put - one byte of a value, kept while there is room */
static void
put(struct journal_parser *p, char c)
{
	if (p->dst == NULL || p->dlen + 1 >= p->dcap)
		return;
	p->dst[p->dlen++] = c == '\0' ? ' ' : c;
	p->dst[p->dlen] = '\0';
}

/* value_end - a field is complete */
static void
value_end(struct journal_parser *p)
{
	size_t n;

	if (p->dst != NULL && strcmp(p->name, "__REALTIME_TIMESTAMP") == 0)
		p->e.usec = strtoll(p->dst, NULL, 10);
	if (p->dst == p->uid) {
		/* only one, and only digits (a uid_t): else no user we know */
		n = strlen(p->uid);
		p->e.uid = ++p->nuid == 1 && n > 0 && n <= 10 &&
		    strspn(p->uid, "0123456789") == n ?
		    strtoll(p->uid, NULL, 10) : -1;
	}
	p->dst = NULL;
	p->fields++;
	p->state = J_NAME;
	p->nlen = 0;
}

size_t
journal_feed(struct journal_parser *p, const char *buf, size_t len, int *done)
{
	size_t i;
	unsigned char c;

	*done = 0;
	for (i = 0; i < len; i++) {
		c = (unsigned char)buf[i];
again:
		switch (p->state) {
		case J_NAME:
			if (c == '\n' && p->nlen == 0) {
				/* an empty line: the end of an entry */
				if (p->fields == 0)
					continue;
				*done = 1;
				p->fields = 0;
				return i + 1;
			}
			if (p->fields == 0 && p->nlen == 0)
				entry_reset(p);
			if (c == '=' || c == '\n') {
				p->name[p->nlen < sizeof(p->name) ? p->nlen :
				    sizeof(p->name) - 1] = '\0';
				value_to(p);
				if (c == '=')
					p->state = J_TEXT;
				else {
					p->state = J_SIZE;
					p->size = 0;
					p->nsize = 0;
				}
				continue;
			}
			if (p->nlen + 1 < sizeof(p->name))
				p->name[p->nlen] = (char)c;
			p->nlen++;
			break;
		case J_TEXT:
			if (c == '\n')
				value_end(p);
			else
				put(p, (char)c);
			break;
		case J_SIZE:
			p->size |= (unsigned long long)c << (8 * p->nsize);
			if (++p->nsize == 8)
				p->state = p->size > 0 ? J_DATA : J_DATA_NL;
			break;
		case J_DATA:
			put(p, (char)c);
			if (--p->size == 0)
				p->state = J_DATA_NL;
			break;
		case J_DATA_NL:
			/* the newline after binary data; anything else is a
			   broken stream, read on as if it were one */
			value_end(p);
			if (c != '\n')
				goto again;
			break;
		}
	}
	return len;
}
