/*
 * html.h - --report --html: the report as one self-contained HTML page
 * with inline SVG charts (daily rates by class, the complaint rate
 * against the providers' lines, top destinations and campaigns, list
 * growth), the warnings and the paused destinations.
 */
#ifndef BOUNCER_HTML_H
#define BOUNCER_HTML_H

#include <stdio.h>

#include "report.h"
#include "store.h"

/* html_report - the page on fp; *worst as report_print's */
enum store_status html_report(struct store *, const struct report_opts *,
	    FILE *, int *);

#endif
