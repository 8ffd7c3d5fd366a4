/*
 * floor.c - the least a pipe-mode bounce processor can do with the same
 * libraries: initialise GMime, read the message from stdin into memory,
 * parse it, and write one row with the same durability as bouncer (WAL,
 * synchronous=FULL, BEGIN IMMEDIATE). bench/run times it beside bouncer.
 * usage: floor DB < message
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <gmime/gmime.h>
#include <sqlite3.h>

int
main(int argc, char **argv)
{
	GByteArray *ba = g_byte_array_new();
	GMimeStream *st;
	GMimeParser *p;
	GMimeMessage *m;
	sqlite3 *db;
	sqlite3_stmt *ins;
	char buf[65536];
	ssize_t n;
	const char *id;

	if (argc != 2)
		return 64;
	g_mime_init();
	while ((n = read(0, buf, sizeof(buf))) > 0)
		g_byte_array_append(ba, (guint8 *)buf, (guint)n);
	st = g_mime_stream_mem_new_with_byte_array(ba);
	p = g_mime_parser_new_with_stream(st);
	m = g_mime_parser_construct_message(p, NULL);
	id = m ? g_mime_message_get_message_id(m) : NULL;
	if (sqlite3_open(argv[1], &db) != SQLITE_OK)
		return 75;
	sqlite3_busy_timeout(db, 5000);
	sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	    "CREATE TABLE IF NOT EXISTS t (id TEXT, n INTEGER)", NULL, NULL,
	    NULL);
	sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO t VALUES (?1, ?2)", -1, &ins, NULL);
	sqlite3_bind_text(ins, 1, id ? id : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(ins, 2, (int)ba->len);
	sqlite3_step(ins);
	sqlite3_finalize(ins);
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return 75;
	sqlite3_close(db);
	if (m)
		g_object_unref(m);
	g_object_unref(p);
	g_object_unref(st);
	g_mime_shutdown();
	return 0;
}
