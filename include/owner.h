/*
 * owner.h - run as the user who owns the database.
 *
 * Root may run any mode (sudo is often absent), but files root creates
 * beside the database (the -wal and -shm files, a new database) would
 * lock out the bouncer user and Postfix, and every bounce would be
 * deferred. So, run as root, bouncer first becomes the owner of the
 * SQLite database, or of its directory when the database does not exist
 * yet, with that file's group (Postfix's) and the owner's other groups.
 */
#ifndef BOUNCER_OWNER_H
#define BOUNCER_OWNER_H

#include <stddef.h>

/*
 * owner_become - when running as root, switch to the owner of the SQLite
 * database at path (or of its directory) unless that is root too; a
 * no-op otherwise. 0 on success; -1 with the reason in err (naming the
 * user to run as) when the switch is needed and fails.
 */
int	owner_become(const char *path, char *err, size_t errlen);

#endif
