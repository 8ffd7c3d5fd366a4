/*
 * mime.h - the only module that touches GMime: turn a raw message into
 * the plain texts the parsers need.
 *
 * mime_parse() walks the MIME tree (bounded depth) and returns, decoded
 * from any transfer encoding and converted to UTF-8 where a charset is
 * declared: the top-level header block, every delivery-status and
 * feedback-report part, the human-readable text of the report, and the
 * headers of the returned original message. Reports are taken from the
 * outermost message that has any, so a bounce forwarded as an attachment
 * is read, while the original message inside a bounce is not mistaken
 * for a second report. The caps below are applied before GMime builds
 * its tree (a first pass counts parts, nesting and header fields, and
 * GMime is given what comes before the first one passed), so that the
 * cost of any message is bounded by its size alone.
 */
#ifndef BOUNCER_MIME_H
#define BOUNCER_MIME_H

#include <stddef.h>

#define MIME_DEPTH_MAX	64	/* nested multiparts and messages */
#define MIME_PARTS_MAX	1000	/* parts looked at per message */

enum mime_report {
	MIME_REPORT_DSN,	/* message/(global-)delivery-status */
	MIME_REPORT_ARF		/* message/feedback-report */
};

struct mime_part_text {
	enum mime_report type;
	char	*text;
	size_t	 len;
};

struct mime_result {
	char	*headers;	/* top-level header block, raw text */
	char	*content_type;	/* top-level type/subtype, lower case */
	char	*report_type;	/* multipart/report's report-type, or NULL */
	struct mime_part_text *reports;
	size_t	 nreports;
	char	*text;		/* human-readable text parts, joined */
	char	*orig_headers;	/* returned message's headers, or NULL */
	int	 pruned;	/* depth or part limit was hit */
	long long date;		/* the Date header, Unix time; 0 if none */
};

/* mime_init - once per process, before mime_parse */
void	mime_init(void);
void	mime_shutdown(void);
/*
 * mime_parse - parse buf; 0 on success, -1 when GMime cannot make a
 * message of it (*why says why, static). The caller frees the result
 * with mime_result_free.
 */
int	mime_parse(const char *, size_t, struct mime_result *, const char **);
void	mime_result_free(struct mime_result *);

#endif
