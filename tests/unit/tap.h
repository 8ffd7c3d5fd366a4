/*
 * tap.h - a few macros that print TAP for the C unit tests.
 */
#ifndef BOUNCER_TAP_H
#define BOUNCER_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...) do {						\
	tap_n++;							\
	if (cond)							\
		printf("ok %d - ", tap_n);				\
	else {								\
		printf("not ok %d - ", tap_n);				\
		tap_failed++;						\
	}								\
	printf(__VA_ARGS__);						\
	printf("\n");							\
} while (0)

#define is_str(got, want, name) do {					\
	const char *g_ = (got), *w_ = (want);				\
	ok(g_ && w_ ? strcmp(g_, w_) == 0 : g_ == w_, "%s", name);	\
	if (!(g_ && w_ ? strcmp(g_, w_) == 0 : g_ == w_))		\
		printf("#   got '%s', want '%s'\n", g_ ? g_ : "(null)",	\
		    w_ ? w_ : "(null)");				\
} while (0)

#define done_testing() (printf("1..%d\n", tap_n), tap_failed != 0)

#endif
