/*
 * openprobe.c - what a Postfix lookup meets, by SQLite's extended result
 * code: opens the database as dict_sqlite does (read-only, no busy
 * timeout), runs one lookup and closes, N times; prints how many
 * succeeded and each failure code with its count, e.g.
 * "261 SQLITE_BUSY_RECOVERY" (another opener was rebuilding the WAL
 * index) or "5 SQLITE_BUSY" (a lock held on the database file).
 * usage: openprobe DB N
 */
#include <stdio.h>
#include <stdlib.h>

#include <sqlite3.h>

int
main(int argc, char **argv)
{
	static long codes[65536];
	char uri[4200];
	sqlite3 *db;
	sqlite3_stmt *st;
	long i, n, ok = 0;
	int rc;

	if (argc != 3 || (n = atol(argv[2])) < 1) {
		fprintf(stderr, "usage: openprobe DB N\n");
		return 64;
	}
	snprintf(uri, sizeof(uri), "file:%s?mode=ro", argv[1]);
	for (i = 0; i < n; i++) {
		db = NULL;
		rc = sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY |
		    SQLITE_OPEN_URI, NULL);
		if (rc == SQLITE_OK) {
			sqlite3_extended_result_codes(db, 1);
			rc = sqlite3_prepare_v2(db, "SELECT class FROM suppression "
			    "WHERE address = 'nobody@probe.example'", -1, &st,
			    NULL);
			if (rc == SQLITE_OK) {
				rc = sqlite3_step(st);
				if (rc == SQLITE_DONE || rc == SQLITE_ROW)
					rc = SQLITE_OK;
				sqlite3_finalize(st);
			}
		}
		if (rc == SQLITE_OK)
			ok++;
		else
			codes[rc & 0xffff]++;
		sqlite3_close(db);
	}
	printf("%ld opens and lookups, %ld ok", n, ok);
	for (i = 0; i < 65536; i++)
		if (codes[i])
			printf(", %ld failed with %ld (%s%s)", codes[i], i,
			    sqlite3_errstr((int)i),
			    i == SQLITE_BUSY_RECOVERY ? ": WAL recovery" : "");
	printf("\n");
	return 0;
}
