/*
 * mime.c - walk a message with GMime 3 and hand out plain texts.
 *
 * Every GObject is created and unreffed here. GMime does not parse
 * message/delivery-status or message/feedback-report: they are plain
 * parts whose decoded content we return as text. A message/rfc822 part
 * with a transfer encoding is built as a plain GMimePart, so we branch
 * on the object's type, never on the type string alone.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>

#include "mime.h"
#include "util.h"

struct walk {
	struct mime_result *r;
	int	 nparts;
	int	 report_nest;	/* message nesting of kept reports, -1: none */
	struct sbuf text;	/* text parts at nest 0 */
	struct sbuf html;	/* html parts at nest 0, tags stripped */
	struct sbuf nested_text;/* text parts of the first nested message */
	int	 nested_text_nest;
};

static void walk(GMimeObject *, int, int, struct walk *);

void
mime_init(void)
{
	g_mime_init();
}

void
mime_shutdown(void)
{
	g_mime_shutdown();
}

/* part_bytes - decoded content of a leaf part, NUL-terminated; caller frees */
static char *
part_bytes(GMimePart *part, size_t *len)
{
	GMimeDataWrapper *w;
	GMimeStream *mem;
	GByteArray *ba;
	char *s;

	*len = 0;
	if ((w = g_mime_part_get_content(part)) == NULL)
		return xstrdup("");
	ba = g_byte_array_new();
	mem = g_mime_stream_mem_new_with_byte_array(ba);
	/* the stream owns ba and frees it with itself */
	g_mime_data_wrapper_write_to_stream(w, mem);
	/* NUL bytes would end the text early for every later reader */
	s = xmalloc(ba->len + 1);
	for (*len = 0; *len < ba->len; (*len)++)
		s[*len] = ba->data[*len] ? (char)ba->data[*len] : ' ';
	s[*len] = '\0';
	g_object_unref(mem);
	return s;
}

/* part_text - decoded content converted to UTF-8 when a charset says so */
static char *
part_text(GMimePart *part)
{
	char *t, *s;
	size_t len;

	if (GMIME_IS_TEXT_PART(part)) {
		const char *cs = g_mime_text_part_get_charset(
		    GMIME_TEXT_PART(part));

		/* already UTF-8: no conversion to pay for, unless it lies */
		if (cs != NULL && (g_ascii_strcasecmp(cs, "utf-8") == 0 ||
		    g_ascii_strcasecmp(cs, "us-ascii") == 0 ||
		    g_ascii_strcasecmp(cs, "ascii") == 0)) {
			s = part_bytes(part, &len);
			if (g_utf8_validate(s, (gssize)len, NULL))
				return s;
			free(s);
		}
		t = g_mime_text_part_get_text(GMIME_TEXT_PART(part));
		if (t != NULL) {
			s = xstrdup(t);
			g_free(t);
			return s;
		}
	}
	return part_bytes(part, &len);
}

/* strip_html - crude tag stripper for HTML-only notices; enough for rules */
static void
strip_html(struct sbuf *out, const char *h)
{
	int intag = 0;
	const char *p;

	for (p = h; *p; p++) {
		if (*p == '<') {
			intag = 1;
			if (str_iprefix(p, "<br") || str_iprefix(p, "<p") ||
			    str_iprefix(p, "</p") || str_iprefix(p, "<div") ||
			    str_iprefix(p, "</div") || str_iprefix(p, "<tr") ||
			    str_iprefix(p, "</td"))
				sbuf_addc(out, '\n');
			continue;
		}
		if (*p == '>' && intag) {
			intag = 0;
			continue;
		}
		if (intag)
			continue;
		if (*p == '&') {
			if (str_iprefix(p, "&nbsp;")) { sbuf_addc(out, ' '); p += 5; continue; }
			if (str_iprefix(p, "&lt;")) { sbuf_addc(out, '<'); p += 3; continue; }
			if (str_iprefix(p, "&gt;")) { sbuf_addc(out, '>'); p += 3; continue; }
			if (str_iprefix(p, "&amp;")) { sbuf_addc(out, '&'); p += 4; continue; }
			if (str_iprefix(p, "&quot;")) { sbuf_addc(out, '"'); p += 5; continue; }
		}
		sbuf_addc(out, *p);
	}
	sbuf_addc(out, '\n');
}

/* header_text - the raw header block of an object; caller frees */
static char *
header_text(GMimeObject *obj)
{
	char *h = g_mime_object_get_headers(obj, NULL);
	char *s = xstrdup(h ? h : "");

	g_free(h);
	return s;
}

/*
 * raw_headers - the top-level header block as it came, up to the first
 * empty line; caller frees. The same bytes GMime parsed, without asking
 * it to serialise its header objects again.
 */
static char *
raw_headers(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;

	/* line ends may be LF, CRLF or a lone CR (QUIRKS.md) */
	while (p < end) {
		if (*p == '\n' || *p == '\r')
			return xstrndup(buf, (size_t)(p - buf));
		while (p < end && *p != '\n' && *p != '\r')
			p++;
		if (p < end && *p == '\r')
			p++;
		if (p < end && *p == '\n')
			p++;
	}
	return xstrndup(buf, len);
}

/* field_line - the line at p opens a header field: a field name, ':' */
static int
field_line(const char *p, const char *end)
{
	const char *q = p;

	while (q < end && *q > ' ' && *q < 127 && *q != ':')
		q++;
	return q > p && q < end && *q == ':';
}

/* next_line - the start of the line after the one at p */
static const char *
next_line(const char *p, const char *end)
{
	while (p < end && *p != '\n' && *p != '\r')
		p++;
	if (p < end && *p == '\r')
		p++;
	if (p < end && *p == '\n')
		p++;
	return p;
}

/*
 * header_start - how many bytes of junk come before the header block.
 * Mail saved or passed on by other programs may begin with blank lines,
 * an mbox "From " or ">From " line, a byte order mark or a label
 * ("Message 12:", QUIRKS.md), which GMime takes for the end of an empty
 * header. Lines are skipped up to the first of two that open header
 * fields (or one and its continuation), within JUNK_MAX bytes; without
 * such a pair, nothing is skipped.
 */
#define JUNK_MAX	4096

static size_t
header_start(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *n;

	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end && (size_t)(p - buf) < JUNK_MAX) {
		n = next_line(p, end);
		if (field_line(p, end) && strncmp(p, "From ", 5) != 0 &&
		    n < end && (field_line(n, end) || *n == ' ' || *n == '\t'))
			return (size_t)(p - buf);
		p = n;
	}
	return 0;
}

/*
 * The pre-scan: GMime builds the whole tree of what it is given, in
 * memory, before the walk below can count anything (issue 23: ten
 * megabytes of empty parts cost 2.7 GB and 26 s). So the message is read
 * once, cheaply, for where parts begin, and GMime is given only the
 * bytes before the part that passes MIME_PARTS_MAX or nests deeper than
 * MIME_DEPTH_MAX. Boundaries are taken with GMime's own Content-Type
 * parser, so that both agree where parts begin; where they could
 * disagree the scan counts more, never fewer: every Content-Type field of
 * a header block is read, and a boundary line is any line that starts
 * with one of the open boundaries.
 */
#define SCAN_CT_MAX	4	/* Content-Type fields read per header block */
#define SCAN_FIELDS_MAX	20000	/* header fields in all, as fields.h keeps */
#define SCAN_CT_LEN	4096	/* bytes of one Content-Type value read */

struct scan_level {
	char	*boundary;	/* "--" and the boundary; NULL: a message */
	size_t	 len;
	int	 digest;	/* multipart/digest: parts are messages */
};

struct scan {
	struct scan_level lv[MIME_DEPTH_MAX + 1];
	int	 n;		/* open levels (multiparts and messages) */
	long	 parts;
	long	 fields;	/* header fields, all blocks */
};

/* scan_pop - close the levels above k (k itself stays open) */
static void
scan_pop(struct scan *s, int k)
{
	while (s->n > k + 1)
		free(s->lv[--s->n].boundary);
}

/* scan_push - one more level; -1 when it would nest too deep */
static int
scan_push(struct scan *s, const char *boundary, int digest)
{
	char *b = NULL;

	if (s->n >= MIME_DEPTH_MAX)
		return -1;
	if (boundary != NULL)
		b = g_strdup_printf("--%s", boundary);
	s->lv[s->n].boundary = b;
	s->lv[s->n].len = b ? strlen(b) : 0;
	s->lv[s->n].digest = digest;
	s->n++;
	return 0;
}

/*
 * scan_boundary - the innermost open level whose boundary starts the
 * line at p, or -1; *close when it is the boundary's end ("--b--")
 */
static int
scan_boundary(const struct scan *s, const char *p, const char *end,
    int *last)
{
	int k;

	if (end - p < 2 || p[0] != '-' || p[1] != '-')
		return -1;
	for (k = s->n - 1; k >= 0; k--) {
		const struct scan_level *l = &s->lv[k];
		const char *q = p + l->len;

		if (l->boundary == NULL || (size_t)(end - p) < l->len ||
		    memcmp(p, l->boundary, l->len) != 0)
			continue;
		/* the end only when nothing but white space follows "--" */
		*last = end - q >= 2 && q[0] == '-' && q[1] == '-';
		for (q += *last ? 2 : 0; *last && q < end && *q != '\n' &&
		    *q != '\r'; q++)
			if (*q != ' ' && *q != '\t')
				*last = 0;
		return k;
	}
	return -1;
}

/* scan_ct - what one Content-Type value declares: push its levels */
static int
scan_ct(struct scan *s, const char *v, size_t n, int *message)
{
	GMimeContentType *ct;
	const char *b;
	char *t = g_strndup(v, n);
	int rc = 0;

	if ((ct = g_mime_content_type_parse(NULL, t)) != NULL) {
		if (g_mime_content_type_is_type(ct, "multipart", "*") &&
		    (b = g_mime_content_type_get_parameter(ct, "boundary")) !=
		    NULL && *b != '\0')
			rc = scan_push(s, b, g_mime_content_type_is_type(ct,
			    "multipart", "digest"));
		else if (g_mime_content_type_is_type(ct, "message", "*"))
			*message = 1;
		g_object_unref(ct);
	}
	g_free(t);
	return rc;
}

/*
 * scan_headers - a header block at *pp: its Content-Type fields, and the
 * levels they open. Stops at the empty line (moved past), or at a line
 * that is an open boundary (left for the caller). -1: too deep, or past
 * SCAN_FIELDS_MAX fields (GMime keeps an object for each), with *pp at
 * the line where that happened.
 */
static int
scan_headers(struct scan *s, const char **pp, const char *end, int digest)
{
	const char *p = *pp, *n;
	char ct[SCAN_CT_LEN];
	size_t ctlen = 0;
	int nct = 0, in_ct = 0, message = 0, last;

	for (; p < end; p = n) {
		n = next_line(p, end);
		if (*p == '\n' || *p == '\r') {
			p = n;
			break;
		}
		if (scan_boundary(s, p, end, &last) != -1)
			break;
		if ((*p == ' ' || *p == '\t') && in_ct) {
			size_t k = (size_t)(n - p);

			if (ctlen + k < sizeof(ct)) {
				memcpy(ct + ctlen, p, k);
				ctlen += k;
			}
			continue;
		}
		if (in_ct && scan_ct(s, ct, ctlen, &message) == -1)
			return -1;
		in_ct = 0;
		if (++s->fields > SCAN_FIELDS_MAX) {
			*pp = p;
			return -1;
		}
		if (nct < SCAN_CT_MAX && (size_t)(end - p) > 13 &&
		    g_ascii_strncasecmp(p, "Content-Type", 12) == 0) {
			const char *c = p + 12;

			while (c < n && (*c == ' ' || *c == '\t'))
				c++;
			if (c < n && *c == ':') {
				ctlen = (size_t)(n - c - 1) < sizeof(ct) ?
				    (size_t)(n - c - 1) : sizeof(ct) - 1;
				memcpy(ct, c + 1, ctlen);
				in_ct = 1;
				nct++;
			}
		}
	}
	if (in_ct && scan_ct(s, ct, ctlen, &message) == -1)
		return -1;
	*pp = p;
	/* a part of a digest without a type is a message (RFC 2046 5.1.5) */
	if (digest && nct == 0)
		message = 1;
	if (message) {
		/* its body is a message: another header block */
		if (scan_push(s, NULL, 0) == -1 || ++s->parts > MIME_PARTS_MAX)
			return -1;
		return scan_headers(s, pp, end, 0);
	}
	return 0;
}

/*
 * prescan - how many bytes of buf GMime may be given: all of them, or
 * those before the line where the part past the caps begins (*pruned).
 */
static size_t
prescan(const char *buf, size_t len, int *pruned)
{
	struct scan s;
	const char *p = buf, *end = buf + len, *line;
	int k, last;

	memset(&s, 0, sizeof(s));
	*pruned = 0;
	if (scan_push(&s, NULL, 0) == -1 || scan_headers(&s, &p, end, 0) ==
	    -1) {
		*pruned = 1;	/* cut where the header block went too far */
		goto out;
	}
	while (p < end) {
		line = p;
		if ((k = scan_boundary(&s, p, end, &last)) == -1) {
			p = next_line(p, end);
			continue;
		}
		p = next_line(p, end);
		if (last) {
			scan_pop(&s, k - 1);
			continue;
		}
		scan_pop(&s, k);
		if (++s.parts > MIME_PARTS_MAX) {
			*pruned = 1;
			p = line;
			break;
		}
		if (scan_headers(&s, &p, end, s.lv[k].digest) == -1) {
			*pruned = 1;
			break;
		}
	}
out:
	scan_pop(&s, -1);
	return (size_t)(p - buf);
}

static void
add_report(struct walk *w, enum mime_report type, GMimePart *part, int nest)
{
	struct mime_result *r = w->r;
	struct mime_part_text *pt;

	if (w->report_nest != -1 && nest > w->report_nest)
		return;		/* a report inside the returned message */
	if (w->report_nest != -1 && nest < w->report_nest) {
		/*
		 * a report of an attached message came first: the outer
		 * message's own report replaces it
		 */
		while (r->nreports > 0)
			free(r->reports[--r->nreports].text);
	}
	w->report_nest = nest;
	r->reports = xrealloc(r->reports, (r->nreports + 1) * sizeof(*pt));
	pt = &r->reports[r->nreports++];
	pt->type = type;
	pt->text = part_bytes(part, &pt->len);
	/*
	 * A report has no charset, but Japanese MTAs (Lotus Notes,
	 * Domino) write their Diagnostic-Code in ISO-2022-JP: 7-bit, so it
	 * survives as escape sequences that no rule could read. It is a
	 * superset of ASCII, so the whole part converts.
	 */
	if (memchr(pt->text, '\033', pt->len) != NULL &&
	    (strstr(pt->text, "\033$B") || strstr(pt->text, "\033$@"))) {
		gsize n;
		char *u = g_convert(pt->text, (gssize)pt->len, "UTF-8",
		    "ISO-2022-JP", NULL, &n, NULL);

		if (u != NULL) {
			free(pt->text);
			pt->text = xstrndup(u, n);
			pt->len = n;
			g_free(u);
		}
	}
}

/* leaf - a non-multipart, non-message part */
static void
leaf(GMimeObject *obj, int nest, int in_report, struct walk *w)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	GMimePart *part = GMIME_PART(obj);
	const char *type = ct ? g_mime_content_type_get_media_type(ct) : "text";
	const char *sub = ct ? g_mime_content_type_get_media_subtype(ct) : "plain";
	char *s;
	size_t len;

	if (g_ascii_strcasecmp(type, "message") == 0 &&
	    (g_ascii_strcasecmp(sub, "delivery-status") == 0 ||
	     g_ascii_strcasecmp(sub, "global-delivery-status") == 0)) {
		add_report(w, MIME_REPORT_DSN, part, nest);
		return;
	}
	if (g_ascii_strcasecmp(type, "message") == 0 &&
	    g_ascii_strcasecmp(sub, "feedback-report") == 0) {
		add_report(w, MIME_REPORT_ARF, part, nest);
		return;
	}
	if ((g_ascii_strcasecmp(type, "text") == 0 &&
	     g_ascii_strcasecmp(sub, "rfc822-headers") == 0) ||
	    (g_ascii_strcasecmp(type, "message") == 0 &&
	     (g_ascii_strcasecmp(sub, "rfc822") == 0 ||
	      g_ascii_strcasecmp(sub, "global") == 0 ||
	      g_ascii_strcasecmp(sub, "global-headers") == 0 ||
	      g_ascii_strcasecmp(sub, "rfc822-headers") == 0))) {
		/* an encoded message/rfc822 or bare headers: keep the header block */
		if (w->r->orig_headers == NULL && nest <= 1) {
			char *end;

			s = part_bytes(part, &len);
			if ((end = strstr(s, "\n\n")) != NULL ||
			    (end = strstr(s, "\r\n\r\n")) != NULL)
				*end = '\0';
			w->r->orig_headers = s;
		}
		return;
	}
	if (g_ascii_strcasecmp(type, "text") != 0)
		return;
	if (nest == 0 || (in_report && nest == w->report_nest)) {
		s = part_text(part);
		if (g_ascii_strcasecmp(sub, "html") == 0)
			strip_html(&w->html, s);
		else {
			sbuf_add(&w->text, s);
			sbuf_addc(&w->text, '\n');
		}
		free(s);
	} else if (w->nested_text_nest == -1 || nest == w->nested_text_nest) {
		/* text of a forwarded bounce, used only if it holds the reports */
		w->nested_text_nest = nest;
		s = part_text(part);
		if (g_ascii_strcasecmp(sub, "html") == 0)
			strip_html(&w->nested_text, s);
		else
			sbuf_add(&w->nested_text, s);
		free(s);
	}
}

static void
walk_message(GMimeMessage *msg, int depth, int nest, struct walk *w)
{
	GMimeObject *body;

	if (msg == NULL)
		return;
	if (nest == 1 && w->r->orig_headers == NULL)
		w->r->orig_headers = header_text(GMIME_OBJECT(msg));
	if ((body = g_mime_message_get_mime_part(msg)) != NULL)
		walk(body, depth + 1, nest, w);
}

static void
walk(GMimeObject *obj, int depth, int nest, struct walk *w)
{
	int i, n;

	if (obj == NULL)
		return;		/* GMime gives NULL for broken parts: go on */
	if (depth > MIME_DEPTH_MAX || ++w->nparts > MIME_PARTS_MAX) {
		w->r->pruned = 1;
		return;
	}
	if (GMIME_IS_MULTIPART(obj)) {
		n = g_mime_multipart_get_count(GMIME_MULTIPART(obj));
		if (n == 0 && nest == 0) {
			/*
			 * The declared boundary never occurs (QUIRKS.md): GMime
			 * keeps the whole body as the prologue. Read it as text;
			 * DSN fields in it are still found.
			 */
			const char *pro = g_mime_multipart_get_prologue(
			    GMIME_MULTIPART(obj));

			if (pro != NULL) {
				sbuf_add(&w->text, pro);
				sbuf_addc(&w->text, '\n');
			}
			w->r->pruned = 1;
		}
		for (i = 0; i < n; i++)
			walk(g_mime_multipart_get_part(GMIME_MULTIPART(obj), i),
			    depth + 1, nest, w);
	} else if (GMIME_IS_MESSAGE_PART(obj)) {
		walk_message(g_mime_message_part_get_message(
		    GMIME_MESSAGE_PART(obj)), depth + 1, nest + 1, w);
	} else if (GMIME_IS_PART(obj)) {
		leaf(obj, nest, 1, w);
	}
}

int
mime_parse(const char *buf, size_t len, struct mime_result *r,
    const char **why)
{
	GMimeStream *stream = NULL;
	GMimeParser *parser = NULL;
	GMimeMessage *msg = NULL;
	GMimeContentType *ct;
	struct walk w;
	const char *rt;
	size_t skip;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	memset(&w, 0, sizeof(w));
	w.r = r;
	w.report_nest = -1;
	w.nested_text_nest = -1;
	sbuf_init(&w.text);
	sbuf_init(&w.html);
	sbuf_init(&w.nested_text);

	skip = header_start(buf, len);
	buf += skip;
	len -= skip;
	len = prescan(buf, len, &r->pruned);
	r->headers = raw_headers(buf, len);
	stream = g_mime_stream_mem_new_with_buffer(buf, len);
	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	if ((msg = g_mime_parser_construct_message(parser, NULL)) == NULL) {
		*why = "no message headers could be parsed";
		goto out;
	}
	if ((ct = g_mime_object_get_content_type(
	    g_mime_message_get_mime_part(msg) ?
	    g_mime_message_get_mime_part(msg) : GMIME_OBJECT(msg))) != NULL) {
		char *t = g_mime_content_type_get_mime_type(ct);

		r->content_type = xstrdup(t);
		str_lower(r->content_type);
		g_free(t);
		if ((rt = g_mime_content_type_get_parameter(ct,
		    "report-type")) != NULL) {
			r->report_type = xstrdup(rt);
			str_lower(r->report_type);
		}
	}
	{
		GDateTime *dt = g_mime_message_get_date(msg);	/* borrowed */

		r->date = dt ? (long long)g_date_time_to_unix(dt) : 0;
	}
	walk_message(msg, 0, 0, &w);
	if (w.report_nest > 0 && w.nested_text.len > 0)
		r->text = sbuf_steal(&w.nested_text);
	else if (w.text.len > 0)
		r->text = sbuf_steal(&w.text);
	else
		r->text = sbuf_steal(&w.html);
	rc = 0;
out:
	if (rc == -1)
		mime_result_free(r);
	sbuf_free(&w.text);
	sbuf_free(&w.html);
	sbuf_free(&w.nested_text);
	if (msg)
		g_object_unref(msg);
	if (parser)
		g_object_unref(parser);
	if (stream)
		g_object_unref(stream);
	return rc;
}

void
mime_result_free(struct mime_result *r)
{
	size_t i;

	free(r->headers);
	free(r->content_type);
	free(r->report_type);
	for (i = 0; i < r->nreports; i++)
		free(r->reports[i].text);
	free(r->reports);
	free(r->text);
	free(r->orig_headers);
	memset(r, 0, sizeof(*r));
}
