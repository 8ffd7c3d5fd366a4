/*
 * replay.c - message sources for --replay.
 *
 * Everything is read through zlib's gz* functions, which read plain
 * files as they are; so a gzipped mbox and a plain one are the same
 * code. An mbox is split at "From " lines that start the file or follow
 * an empty line; lines ">From ", ">>From " lose one '>' (mboxrd, and
 * harmless for mboxo). Content-Length is ignored: it is wrong too often.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "replay.h"
#include "util.h"

#define TREE_MAX	1000000	/* files collected from one tree */

struct replay_src {
	char	**paths;	/* top-level arguments */
	int	  npaths;
	char	**files;	/* expanded from Maildirs and trees */
	size_t	  nfiles;
	size_t	  cap;
	unsigned char *kind;	/* per file: 'f' file-or-mbox, 'd' dir entry */
};

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
add_file(struct replay_src *r, const char *path, unsigned char kind)
{
	if (r->nfiles == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->files = xrealloc(r->files, r->cap * sizeof(*r->files));
		r->kind = xrealloc(r->kind, r->cap);
	}
	r->files[r->nfiles] = xstrdup(path);
	r->kind[r->nfiles++] = kind;
}

/* walk_dir - regular files under dir, sorted per directory */
static void
walk_dir(struct replay_src *r, const char *dir, int depth)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;

	if (depth > 32 || r->nfiles >= TREE_MAX || (d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;	/* ., .., and Maildir's hidden files */
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), cmpstr);
	for (i = 0; i < n; i++) {
		struct sbuf p;
		struct stat sb;

		sbuf_init(&p);
		sbuf_printf(&p, "%s/%s", dir, names[i]);
		if (lstat(p.s, &sb) == 0) {
			if (S_ISDIR(sb.st_mode) && strcmp(names[i], "tmp") != 0)
				walk_dir(r, p.s, depth + 1);
			else if (S_ISREG(sb.st_mode))
				add_file(r, p.s, 'd');
		}
		sbuf_free(&p);
		free(names[i]);
	}
	free(names);
}

struct replay_src *
replay_open(char **paths, int npaths, long *total)
{
	struct replay_src *r = xcalloc(1, sizeof(*r));
	int i, known = 1;

	for (i = 0; i < npaths; i++) {
		struct stat sb;

		if (strcmp(paths[i], "-") == 0) {
			add_file(r, "-", 'f');
			known = 0;
		} else if (stat(paths[i], &sb) == 0 && S_ISDIR(sb.st_mode))
			walk_dir(r, paths[i], 0);	/* Maildir or tree */
		else {
			add_file(r, paths[i], 'f');
			known = 0;	/* could be an mbox */
		}
	}
	*total = known ? (long)r->nfiles : -1;
	return r;
}

void
replay_close(struct replay_src *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nfiles; i++)
		free(r->files[i]);
	free(r->files);
	free(r->kind);
	free(r);
}

/* is_from_line - an mbox separator */
static int
is_from_line(const char *line)
{
	return strncmp(line, "From ", 5) == 0;
}

/*
 * read_file - one file: a single message, or an mbox when it starts
 * with a From_ line. Messages over max are cut at max and flagged.
 */
static int
read_file(const char *path, size_t max, replay_cb cb, void *arg,
    void (*err)(const char *, const char *))
{
	gzFile gz;
	struct sbuf msg;
	char line[65536];
	off_t start = 0, pos = 0;
	int mbox = -1, prev_empty = 1, rc = 0, toobig = 0;

	gz = strcmp(path, "-") == 0 ? gzdopen(dup(0), "rb") : gzopen(path, "rb");
	if (gz == NULL) {
		err(path, strerror(errno ? errno : ENOMEM));
		return 0;
	}
	gzbuffer(gz, 131072);
	sbuf_init(&msg);
	sbuf_addn(&msg, "", 0);
	while (gzgets(gz, line, sizeof(line)) != NULL) {
		size_t n = strlen(line);
		char *l = line;

		if (mbox == -1)
			mbox = is_from_line(line);
		if (mbox && prev_empty && is_from_line(line)) {
			if (msg.len > 0 || toobig) {
				if ((rc = cb(msg.s, msg.len, path, start,
				    toobig, arg)) == -1)
					break;
			}
			msg.len = 0;
			msg.s[0] = '\0';
			toobig = 0;
			start = pos;
			pos += (off_t)n;
			prev_empty = 0;
			continue;	/* the From_ line is not message text */
		}
		pos += (off_t)n;
		prev_empty = (n == 1 && line[0] == '\n') ||
		    (n == 2 && line[0] == '\r' && line[1] == '\n');
		if (mbox && line[0] == '>') {
			size_t k = strspn(line, ">");

			if (strncmp(line + k, "From ", 5) == 0) {
				l++;
				n--;
			}
		}
		if (msg.len + n > max) {
			toobig = 1;
			continue;
		}
		sbuf_addn(&msg, l, n);
	}
	if (rc != -1 && gzeof(gz) == 0) {
		int e;

		err(path, gzerror(gz, &e));
	}
	if (rc != -1 && (msg.len > 0 || toobig))
		rc = cb(msg.s, msg.len, path, mbox == 1 ? start : -1, toobig, arg);
	gzclose(gz);
	sbuf_free(&msg);
	return rc;
}

int
replay_run(struct replay_src *r, size_t max, replay_cb cb, void *arg,
    void (*err)(const char *, const char *))
{
	size_t i;

	for (i = 0; i < r->nfiles; i++)
		if (read_file(r->files[i], max, cb, arg, err) == -1)
			return -1;
	return 0;
}
