/*
 * needle.h - literals a pattern cannot match without: a cheap test that
 * lets the classifier skip a rule whose regular expression cannot match
 * a text (see needle.c).
 */
#ifndef BOUNCER_NEEDLE_H
#define BOUNCER_NEEDLE_H

#include <stddef.h>

struct needles {
	char	**s;		/* lower case */
	size_t	 *len;
	size_t	  n;		/* 0: none known, always run the pattern */
	size_t	  cap;
	int	  borrowed;	/* s and len are a needle_table's */
};

/*
 * The built-in rules' needles, by line of src/rules/default.rules, made at
 * build time by src/needlegen.c (src/gen/default_needles.c); ends with a
 * line 0.
 */
struct needle_table {
	const char *const	*s;
	const size_t		*len;
	int			 line;
	int			 n;
};
extern const struct needle_table default_needles[];

/* needles_from_table - borrow the table's needles for line; -1 if none */
int	needles_from_table(const struct needle_table *, int, struct needles *);
/* needles_equal - the same strings in the same order */
int	needles_equal(const struct needles *, const struct needles *);

/*
 * needles_from_pattern - fill out with strings of which every match of
 * the PCRE2 pattern contains one (compared in lower case); -1 and none
 * when that cannot be told. extended: the pattern has the x flag.
 */
int	needles_from_pattern(const char *, int, struct needles *);
void	needles_free(struct needles *);

/*
 * An index of the needles of many patterns, each added with an id below
 * the size of the hit array given to scan: needle_index_scan sets hit[id]
 * for every id with a needle in the lower-cased text. The index borrows
 * the strings: free it before the needles. Call needle_index_done once
 * every set is added.
 */
struct needle_index;
struct needle_index *needle_index_new(void);
void	needle_index_add(struct needle_index *, const struct needles *,
	    size_t);
void	needle_index_done(struct needle_index *);
void	needle_index_scan(const struct needle_index *, const char *, size_t,
	    unsigned char *);
void	needle_index_free(struct needle_index *);

#endif
