/*
 * floor-walk.c - the least a bounce parser can do per message with
 * GMime: parse each file and read every part's decoded content. The
 * throughput floor that bench/run compares bouncer --replay with.
 * usage: floor-walk FILE...
 */
#include <stdio.h>
#include <stdlib.h>

#include <gmime/gmime.h>

static size_t total;

static void
walk(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	GMimeStream *null;
	GMimeDataWrapper *w;

	(void)parent;
	(void)data;
	if (!GMIME_IS_PART(part))
		return;
	if ((w = g_mime_part_get_content(GMIME_PART(part))) == NULL)
		return;
	null = g_mime_stream_mem_new();
	total += (size_t)g_mime_data_wrapper_write_to_stream(w, null);
	g_object_unref(null);
}

int
main(int argc, char **argv)
{
	int i, n = 0;

	g_mime_init();
	for (i = 1; i < argc; i++) {
		GMimeStream *st;
		GMimeParser *p;
		GMimeMessage *m;
		gchar *buf;
		gsize len;

		if (!g_file_get_contents(argv[i], &buf, &len, NULL))
			continue;
		st = g_mime_stream_mem_new_with_buffer(buf, len);
		p = g_mime_parser_new_with_stream(st);
		if ((m = g_mime_parser_construct_message(p, NULL)) != NULL) {
			g_mime_message_foreach(m, walk, NULL);
			g_object_unref(m);
			n++;
		}
		g_object_unref(p);
		g_object_unref(st);
		g_free(buf);
	}
	printf("%d messages, %zu bytes of content\n", n, total);
	g_mime_shutdown();
	return 0;
}
