/*
 * classify_codes.h - what codes alone say of a failure's cause: an RFC
 * 3463 enhanced status code (with the IANA registry), an RFC 5321 reply
 * code and the command it answered, a PowerMTA bounce category. Pure
 * functions over tables; the reasons returned are classify_words.h's.
 */
#ifndef BOUNCER_CLASSIFY_CODES_H
#define BOUNCER_CLASSIFY_CODES_H

/* code_reason - the table's reason for "C.S.D", or NULL */
const char *code_reason(const char *);
/*
 * code_reply_reason - what an SMTP reply code says, given the command it
 * answered (phase: 'H' HELO, 'M' MAIL FROM, 'R' RCPT TO, 'D' DATA, 0
 * unknown), or NULL; never a hard reason
 */
const char *code_reply_reason(const char *, int);
/* code_category_reason - a PowerMTA bounce category's reason, or NULL */
const char *code_category_reason(const char *);
/* code_specificity - 0 for x.0.0, 1 for x.y.0 or x.0.z, 2 for x.y.z */
int	code_specificity(const char *);
/* code_weak - a code too vague to outrank the text (x.y.0, x.7.1) */
int	code_weak(const char *);
/* code_sender - x.1.7 or x.1.8: the code is about the sender's address */
int	code_sender(const char *);
/* code_address - x.1.z but x.1.2: the code says the address is bad */
int	code_address(const char *);

#endif
