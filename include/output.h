/*
 * output.h - how a classified bounce is shown: the readable --explain
 * block and one JSON object per recipient.
 */
#ifndef BOUNCER_OUTPUT_H
#define BOUNCER_OUTPUT_H

#include <stdio.h>

#include "bounce.h"
#include "util.h"

/* json_str - append s as a JSON string (quotes, escapes, U+FFFD for bad UTF-8) */
void	json_str(struct sbuf *, const char *);
/* output_json - one line per recipient of b, in message order */
void	output_json(FILE *, const struct bounce *);
/* output_explain - a readable block per recipient of b */
void	output_explain(FILE *, const struct bounce *);

#endif
