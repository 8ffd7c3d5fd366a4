/*
 * lockprobe.c - how long a writer waits for SQLite's write lock while
 * something else runs: takes the lock (BEGIN IMMEDIATE, retrying every
 * millisecond, as bouncer's busy handler does) and gives it back at once,
 * every 2 ms, until the file STOP exists. The longest wait is about the
 * longest time another process held the lock. Prints: samples, longest
 * wait (ms), waits over 100 ms, waits over 1 s.
 * usage: lockprobe DB STOP
 */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

static double
ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int
busy(void *arg, int n)
{
	struct timespec one = { 0, 1000000 };

	(void)arg;
	(void)n;
	nanosleep(&one, NULL);
	return 1;		/* wait for ever: the wait is what is measured */
}

int
main(int argc, char **argv)
{
	struct timespec two = { 0, 2000000 };
	sqlite3 *db;
	double t0, w, longest = 0;
	long samples = 0, over100 = 0, over1s = 0;
	int noop = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: lockprobe DB STOP\n");
		return 64;
	}
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "lockprobe: %s: %s\n", argv[1],
		    sqlite3_errmsg(db));
		return 75;
	}
	/* like bouncer: no checkpoint at close, the WAL files kept */
	sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &noop);
	sqlite3_busy_handler(db, busy, NULL);
	while (access(argv[2], F_OK) != 0) {
		t0 = ms();
		if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
		    SQLITE_OK) {
			fprintf(stderr, "lockprobe: %s\n", sqlite3_errmsg(db));
			sqlite3_close(db);
			return 75;
		}
		w = ms() - t0;
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
		samples++;
		if (w > longest)
			longest = w;
		if (w > 100)
			over100++;
		if (w > 1000)
			over1s++;
		nanosleep(&two, NULL);
	}
	sqlite3_close(db);
	printf("%ld %.1f %ld %ld\n", samples, longest, over100, over1s);
	return 0;
}
