/*
 * cli.h - bouncer's modes, as the command line runs them.
 *
 * main.c parses the options into struct options and looks the mode up
 * in its table (name, flags, run function); each mode's body lives in a
 * file of its own, src/cmd_<mode>.c, and is handed a struct run with
 * what its flags asked for: the classifier, the store opened, the
 * address argument checked and normalised. The helpers here are the
 * few things several modes share; they print their own one-line errors
 * (they are the command line's, not a library's) and return exit
 * statuses from <sysexits.h>.
 */
#ifndef BOUNCER_CLI_H
#define BOUNCER_CLI_H

#include <stdio.h>
#include <time.h>

#include "classify.h"
#include "config.h"
#include "ingest.h"
#include "pending.h"
#include "store.h"
#include "verp.h"

#define EX_CRITICAL	2	/* a critical threshold crossed (bouncer(1)) */

struct options {
	const struct mode *mode;	/* never NULL after parsing */
	int		 json;
	int		 html;		/* --report --html */
	int		 allow_root;
	const char	*arg;		/* file, text or address of the mode */
	const char	*why;
	const char	*class;
	const char	*format;	/* --export: jsonl or csv */
	time_t		 since;		/* --since, seconds back */
	const char	*config;
	const char	*db;
	const char	*rules;
	const char	*sender;
	const char	*recipient;
	const char	*queue_id;	/* pipe(8)'s ${queue_id}: this delivery */
	const char	*max_size;
	time_t		 now;
	int		 dry_run;
	const char	*quarantine;
	char		**paths;	/* --replay */
	int		 npaths;
	int		 log_stderr;
	int		 jobs;		/* --jobs, 0: one per CPU */
	int		 follow;	/* --maillog --follow */
	int		 saw_list;	/* --list: the mode, or with
					   --list-unsubscribe its NAME */
	const char	*list_name;	/* --list-unsubscribe --list NAME */
	char		 err[256];	/* the first usage error, or "" */
};

/* What a mode is handed: the flags of its table entry decide what is set. */
struct run {
	const struct options	*o;
	const struct config	*cf;
	const struct classifier	*c;	/* M_RULES */
	struct store		*s;	/* M_STORE, M_RDONLY */
	const char		*addr;	/* M_ADDR: normalised */
	const struct verp_keys	*keys;	/* NULL when none configured */
};

#define M_RULES		0x01	/* the classifier is loaded */
#define M_MIME		0x02	/* GMime is initialised around the run */
#define M_JIT		0x04	/* many messages: the rules are JIT-compiled */
#define M_STORE		0x08	/* the store is opened for writing */
#define M_RDONLY	0x10	/* the store is opened for reading only */
#define M_ADDR		0x20	/* the argument is an address, checked */
#define M_PIPE		0x40	/* pipe mode: only 0 or 75 leave */
#define M_FILE		0x80	/* an optional FILE after the options */
#define M_PATHS		0x100	/* one PATH or more after the options */
#define M_CREATE	0x200	/* --init: a missing store is created (no
				   other mode creates one: issue 22) */

struct mode {
	const char	*name;		/* the long option; "" for pipe mode */
	int		 has_arg;	/* as getopt_long's */
	int		 flags;		/* M_* */
	int		(*check)(const struct options *, char *, size_t);
	int		(*run)(struct run *);
};

extern const char *progname;

/* cli_open_store - the store, or an exit status after saying why */
int	cli_open_store(const struct options *, const struct config *, int,
	    struct store **);
/* cli_store_failed - say what the store said; 75 */
int	cli_store_failed(struct store *);
/* cli_init_ctx - an ingest context for this run's options */
void	cli_init_ctx(struct ingest_ctx *, const struct run *);
/*
 * cli_read_message - the input of explain and pipe modes: EX_OK with
 * *buf set (the caller frees it; a message over the limit cut at it), or
 * an exit status
 */
int	cli_read_message(const struct options *, const struct config *,
	    char **, size_t *);
/* cli_iso - RFC 3339 UTC into buf, or "never" for 0 */
const char *cli_iso(time_t, char *, size_t);
/* cli_watch - what the configuration says of the log reader (pending.h) */
void	cli_watch(const struct config *, struct pending_watch *);

/* The modes' run (and check) functions, one file each. */
int	cmd_pipe(struct run *);
int	cmd_explain(struct run *);
int	cmd_test_rule(struct run *);
int	cmd_add(struct run *);
int	cmd_remove(struct run *);
int	cmd_add_check(const struct options *, char *, size_t);
int	cmd_lookup(struct run *);
int	cmd_list(struct run *);
int	cmd_list_check(const struct options *, char *, size_t);
int	cmd_export(struct run *);
int	cmd_forget(struct run *);
int	cmd_expire(struct run *);
int	cmd_init(struct run *);
int	cmd_sign(struct run *);
int	cmd_list_unsub(struct run *);
int	cmd_cgi(struct run *);
int	cmd_import(struct run *);
int	cmd_import_check(const struct options *, char *, size_t);
int	cmd_replay(struct run *);
int	cmd_report(struct run *);
int	cmd_metrics(struct run *);
int	cmd_alert(struct run *);
int	cmd_maillog(struct run *);
int	cmd_migrate(struct run *);
/* list_json - a listing as one JSON line, as --import reads it back */
void	cmd_list_json(FILE *, const struct store_entry *);

#endif
