/*
 * owner.c - run as the user who owns the database (owner.h).
 *
 * The switch is complete and cannot be undone: supplementary groups
 * first (initgroups), then the group, then the user; each is checked,
 * and so is the result, as in OpenSMTPD's privilege drop.
 */
#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "owner.h"

/* owner_of - stat the database, or its directory when it does not exist */
static int
owner_of(const char *path, struct stat *sb)
{
	char dir[4096];

	if (stat(path, sb) == 0)
		return 0;
	if (errno != ENOENT ||
	    snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -1;
	return stat(dirname(dir), sb);
}

int
owner_become(const char *path, char *err, size_t errlen)
{
	struct passwd *pw;
	struct stat sb;

	if (geteuid() != 0 || owner_of(path, &sb) == -1 || sb.st_uid == 0)
		return 0;
	if ((pw = getpwuid(sb.st_uid)) == NULL) {
		snprintf(err, errlen, "%s belongs to uid %lu, which has no "
		    "user name; run bouncer as that user", path,
		    (unsigned long)sb.st_uid);
		return -1;
	}
	if (initgroups(pw->pw_name, sb.st_gid) == -1 ||
	    setgid(sb.st_gid) == -1 || setuid(sb.st_uid) == -1 ||
	    getuid() != sb.st_uid || geteuid() != sb.st_uid ||
	    setuid(0) != -1) {
		snprintf(err, errlen, "cannot become %s, who owns %s (%s); "
		    "run bouncer as %s", pw->pw_name, path, strerror(errno),
		    pw->pw_name);
		return -1;
	}
	return 0;
}
