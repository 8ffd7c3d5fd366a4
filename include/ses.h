/*
 * ses.h - Amazon SES notifications (Bounce, Complaint, Delivery) that
 * arrive as mail through SNS: a JSON object in the message body.
 */
#ifndef BOUNCER_SES_H
#define BOUNCER_SES_H

#include "bounce.h"

/*
 * ses_collect - if text holds an SES notification, fill b (kind, fields,
 * one recipient per bounced, complained-of or delivered address) and
 * return the number of recipients; -1 when it is not one.
 */
int	ses_collect(const char *, struct bounce *);

#endif
