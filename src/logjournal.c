/*
 * logjournal.c - the journal as a --maillog source (logjournal.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "journal.h"
#include "logapply.h"
#include "logjournal.h"
#include "util.h"

#define JOURNAL_SOURCE	"journal"
#define MAX_USERS	16

/*
 * Whose entries are Postfix's. Any local user can log a line tagged
 * postfix/smtp (logger(1); postlog(1), which is set-gid postdrop), but
 * journald records the sender's user ID in _UID from the kernel's
 * credentials, where no client can set it; Postfix's daemons run as
 * root (master, local, pipe) or mail_owner (smtp, lmtp, cleanup, qmgr).
 */
struct users {
	long long	uid[MAX_USERS];
	int		n;
};

/* users_get - maillog_users ("root postfix", names or IDs) as IDs */
static int
users_get(const char *spec, struct users *u, char **err)
{
	char name[64], msg[128], *end;
	struct passwd *pw;
	long long id;
	size_t k;

	u->n = 0;
	for (spec = spec ? spec : ""; *spec; spec += k) {
		spec += strspn(spec, " \t,");
		if ((k = strcspn(spec, " \t,")) == 0)
			break;
		snprintf(name, sizeof(name), "%.*s", (int)k, spec);
		id = strtoll(name, &end, 10);
		if (end == name || *end != '\0' || id < 0) {
			if ((pw = getpwnam(name)) == NULL) {
				snprintf(msg, sizeof(msg), "maillog_users: no "
				    "user %s", name);
				*err = xstrdup(msg);
				return -1;
			}
			id = (long long)pw->pw_uid;
		}
		if (u->n == MAX_USERS) {
			snprintf(msg, sizeof(msg), "maillog_users: more "
			    "than %d users", MAX_USERS);
			*err = xstrdup(msg);
			return -1;
		}
		u->uid[u->n++] = id;
	}
	if (u->n == 0) {
		*err = xstrdup("maillog_users is empty: no entry of the "
		    "journal would be Postfix's");
		return -1;
	}
	return 0;
}

static int
users_has(const struct users *u, long long uid)
{
	int i;

	for (i = 0; uid >= 0 && i < u->n; i++)
		if (u->uid[i] == uid)
			return 1;
	return 0;
}

/* journalctl - start it; its output's descriptor, or -1 (errno) */
static int
journalctl(const char *cursor, int follow_it, pid_t *pid)
{
	char after[600];
	const char *argv[10];
	int fds[2], i = 0, devnull;

	argv[i++] = "journalctl";
	argv[i++] = "--output=export";
	argv[i++] = "--no-pager";
	argv[i++] = "--quiet";
	if (follow_it)
		argv[i++] = "--follow";
	if (cursor[0] != '\0') {
		snprintf(after, sizeof(after), "--after-cursor=%s", cursor);
		argv[i++] = after;
	}
	argv[i++] = "SYSLOG_FACILITY=2";
	argv[i] = NULL;
	if (pipe2(fds, O_CLOEXEC) == -1)
		return -1;
	if ((*pid = fork()) == -1) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (*pid == 0) {
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		if ((devnull = open("/dev/null", O_RDONLY)) != -1 &&
		    devnull != STDIN_FILENO) {
			dup2(devnull, STDIN_FILENO);
			close(devnull);
		}
		dup2(fds[1], STDOUT_FILENO);
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "bouncer: journalctl: %s\n", strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	return fds[0];
}

/*
 * one_entry - a journal entry as a line of its program, if a user of
 * users sent it; else, when it reads as Postfix's, counted as foreign
 */
static enum store_status
one_entry(struct logrun *x, const struct users *u,
    const struct journal_entry *e)
{
	time_t t;
	long n;

	logrun_tick(x);
	t = e->usec > 0 ? (time_t)(e->usec / 1000000) : x->now;

	snprintf(x->mark, sizeof(x->mark), "%s", e->cursor);
	x->st->lines++;
	if (logline_message(e->ident, e->message, t, &x->ll) == -1)
		return STORE_OK;
	if (!users_has(u, e->uid)) {
		/* counted with the cursor: once, whatever restarts */
		x->st->foreign++;
		return store_counter(x->s, MAILLOG_FOREIGN, 1, &n);
	}
	return logapply_line(x->apply, &x->ll);
}

enum store_status
logjournal_read(struct logrun *x)
{
	struct journal_parser *jp = xmalloc(sizeof(*jp));
	enum store_status r = STORE_OK;
	struct logfile *b = NULL;
	struct users users;
	long long dropped = 0;
	const char *p;
	size_t n, used;
	pid_t pid = -1;
	int fd, more, done, status, found;
	unsigned long long ino;
	long long off;

	journal_init(jp);
	x->path = JOURNAL_SOURCE;
	x->ino = 0;
	if (users_get(x->cp && x->cp->users ? x->cp->users : MAILLOG_USERS,
	    &users, &x->err) == -1) {
		r = STORE_FAIL;
		goto out;
	}
	if ((r = store_logpos_get(x->s, JOURNAL_SOURCE, &ino, &off, x->mark,
	    sizeof(x->mark), &found)) != STORE_OK)
		goto out;
	if ((fd = journalctl(x->mark, x->follow, &pid)) == -1) {
		x->err = xstrdup(strerror(errno));
		r = STORE_FAIL;
		goto out;
	}
	b = logfile_open(fd);	/* a pipe: logfile_fill waits on it */
	while (!logrun_stopping()) {
		p = logfile_unread(b, &n);
		if (n > 0) {
			used = journal_feed(jp, p, n, &done);
			logfile_take(b, used);
			if (!done)
				continue;
			if ((r = logrun_begin(x)) != STORE_OK ||
			    (r = one_entry(x, &users, &jp->e)) != STORE_OK ||
			    (r = logrun_chunk(x, 0)) != STORE_OK)
				break;
			continue;
		}
		if ((r = logrun_fill(x, b, 0, &dropped, &more)) != STORE_OK ||
		    !more)
			break;
	}
	if (r == STORE_OK)
		r = logrun_end(x, 0);
	if (r == STORE_OK && x->follow)
		r = logrun_settle(x, 1);
out:
	logrun_rollback(x);
	logfile_close(b);
	if (pid > 0) {
		if (logrun_stopping() || r != STORE_OK)
			kill(pid, SIGTERM);
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
			;
		if (r == STORE_OK && !logrun_stopping() && x->err == NULL &&
		    (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
			x->err = xstrdup(WIFEXITED(status) &&
			    WEXITSTATUS(status) == 127 ? "journalctl not found" :
			    "journalctl failed (see its message above)");
			r = STORE_FAIL;
		}
	}
	/* journalctl --follow ends only when told to: else fail, so that
	   systemd restarts the reader (from the committed cursor) */
	if (r == STORE_OK && x->follow && !logrun_stopping() &&
	    x->err == NULL) {
		x->err = xstrdup("journalctl --follow ended");
		r = STORE_FAIL;
	}
	free(jp);
	return r;
}
