/*
 * jsonv.h - a small JSON reader for the JSON that bounces arrive in
 * (Amazon SES notifications) and complaint feeds (--import). A whole
 * value is parsed into a tree; limits on depth and size apply.
 */
#ifndef BOUNCER_JSONV_H
#define BOUNCER_JSONV_H

#include <stddef.h>

#define JV_DEPTH_MAX	64

enum jv_type { JV_NULL, JV_BOOL, JV_NUM, JV_STR, JV_ARR, JV_OBJ };

struct jv {
	enum jv_type	 type;
	char		*s;	/* JV_STR: decoded UTF-8; JV_NUM: as written */
	int		 b;	/* JV_BOOL */
	struct jv	**v;	/* JV_ARR, JV_OBJ: members */
	char		**k;	/* JV_OBJ: keys */
	size_t		 n;
	long		 line;	/* JV_ARR, JV_OBJ: line breaks before it in
				   the text parsed (0: on its first line) */
};

/*
 * jv_parse - one JSON value from text; *end (may be NULL) is set past it.
 * Tolerates a line break followed by spaces inside strings (mail
 * transports fold long lines). NULL with err set on a syntax error.
 * Caller frees with jv_free.
 */
struct jv *jv_parse(const char *, size_t, size_t *, char *, size_t);
void	jv_free(struct jv *);
/* jv_get - member of an object by key, or NULL; borrowed */
const struct jv *jv_get(const struct jv *, const char *);
/* jv_str - the string of a JV_STR (or NULL); borrowed */
const char *jv_str(const struct jv *);

#endif
