/*
 * cmd_sign.c - --sign: the signed return path (VERP with a tag) that the
 * sending software puts in MAIL FROM for one recipient.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"

int
cmd_sign(struct run *r)
{
	const struct config *cf = r->cf;
	char *path;

	if (r->keys == NULL || cf->sign_domain == NULL) {
		fprintf(stderr, "%s: --sign needs sign_keys and sign_domain in "
		    "the configuration\n", progname);
		return EX_CONFIG;
	}
	if ((path = verp_sign(r->keys, r->o->arg, cf->sign_prefix,
	    cf->sign_domain, cf->verp_delims, r->o->now)) == NULL) {
		fprintf(stderr, "%s: not a valid address: %s\n", progname,
		    r->o->arg);
		return EX_UNAVAILABLE;
	}
	/* RFC 5321 4.5.3.1.3: a path is 256 octets with its angle brackets */
	if (strlen(path) > VERP_PATH_MAX) {
		fprintf(stderr, "%s: the signed return path for %s would be %zu "
		    "bytes, more than the %d SMTP allows: not signed\n",
		    progname, r->o->arg, strlen(path), VERP_PATH_MAX);
		free(path);
		return EX_UNAVAILABLE;
	}
	printf("%s\n", path);
	free(path);
	return EX_OK;
}
