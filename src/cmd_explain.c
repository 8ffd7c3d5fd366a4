/*
 * cmd_explain.c - --explain: what bouncer makes of one message, stored
 * nowhere; and --test-rule: what the rules make of one line of text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>

#include "cli.h"
#include "output.h"

int
cmd_explain(struct run *r)
{
	const struct options *o = r->o;
	struct ingest_ctx x;
	struct ingest_result res;
	char *buf;
	size_t len;
	int rc;

	if ((rc = cli_read_message(o, r->cf, &buf, &len)) != EX_OK)
		return rc;
	cli_init_ctx(&x, r);
	switch (ingest_message(&x, buf, len, &res)) {
	case INGEST_NOTBOUNCE:
		/* JSON consumers get no line for it, people get the words */
		fprintf(o->json ? stderr : stdout, "not a bounce\n");
		break;
	case INGEST_BROKEN:
		fprintf(o->json ? stderr : stdout, "unparseable: %s\n", res.why);
		rc = EX_DATAERR;
		break;
	default:
		if (o->json)
			output_json(stdout, &res.b);
		else
			output_explain(stdout, &res.b);
	}
	ingest_result_free(&res);
	free(buf);
	return rc;
}

int
cmd_test_rule(struct run *r)
{
	struct verdict v;

	classify_text(r->c, r->o->arg, &v);
	printf("reason: %s\nclass: %s\nstatus: %s\nreplycode: %s\nrule: %s\n",
	    v.reason, v.class, v.status, v.replycode, v.rule);
	return EX_OK;
}
