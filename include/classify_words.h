/*
 * classify_words.h - the words of a verdict: the reasons (bouncer(1),
 * CLASSIFICATION; ../shared/design/reasons.md), each with the class it
 * implies, the newer aliases a rule file may use for some of them, and
 * the classes. Each function returns one of its own static strings, so
 * that the words can be compared by pointer.
 */
#ifndef BOUNCER_CLASSIFY_WORDS_H
#define BOUNCER_CLASSIFY_WORDS_H

/* classify_reason_class - the class a reason implies, or NULL if unknown */
const char *classify_reason_class(const char *, const char *);
/* classify_class_word - the static word for a class name, or NULL */
const char *classify_class_word(const char *);
/* classify_reason_word - canonical word for a reason or alias, or NULL */
const char *classify_reason_word(const char *);

#endif
