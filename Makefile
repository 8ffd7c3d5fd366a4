# bouncer - Postfix bounce and complaint processor.
# Plain GNU make; the user's CFLAGS are kept, the warnings are forced.

VERSION   = 0.1.0
PREFIX   ?= /usr/local
BINDIR    = $(PREFIX)/bin
MANDIR    = $(PREFIX)/share/man
SYSCONFDIR ?= /etc
DATADIR   = $(PREFIX)/share/bouncer

PKGS      = gmime-3.0 libpcre2-8 sqlite3
# The libraries' flags are asked of pkg-config when a command runs, not
# when this file is read: "make check" on a bare machine reads it before
# "deps" has installed them (recursive "=", never ":=", for these).
# libpq: headers at build time, the library loaded at run time (store_pg.c)
PQ_CFLAGS = $(shell pkg-config --cflags libpq 2>/dev/null)
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(PQ_CFLAGS)
PKG_LIBS  = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CC       ?= cc
CFLAGS   ?= -O2 -g
USER_CFLAGS := $(CFLAGS)
override CFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror \
	-Wstrict-prototypes -Wmissing-prototypes -Wshadow -Wpointer-arith \
	-Wno-missing-field-initializers \
	-MMD -MP -Iinclude -DBOUNCER_VERSION='"$(VERSION)"' \
	$(PKG_CFLAGS) $(USER_CFLAGS)
LDLIBS   += $(PKG_LIBS) -lz -ldl

# Generated sources and build tools live in their own folder.
GEN       = src/gen

LIBSRC    = src/util.c src/input.c src/fields.c src/mime.c src/addr.c \
	    src/bounce.c src/dsn.c src/scan.c src/parse.c src/classify.c src/classify_rules.c src/classify_codes.c src/classify_words.c src/needle.c src/wire.c \
	    src/output.c src/store.c src/store_ops.c src/store_schema.c src/store_erase.c src/store_read.c src/store_sqlite.c src/store_pg.c src/erase.c src/policy.c src/config.c \
	    src/ingest.c src/jsonv.c src/ses.c src/verp.c src/feed.c src/replay.c src/batch.c src/report.c src/rates.c src/alert.c src/metrics.c src/html.c src/campaign.c src/dest.c src/logline.c src/journal.c src/logfile.c src/logapply.c src/logrun.c src/logjournal.c src/maillog.c src/pending.c src/authres.c src/owner.c src/unsub.c src/cgi.c $(GEN)/default_rules.c $(GEN)/default_needles.c
LIBOBJ    = $(LIBSRC:.c=.o)
# the command line: main.c's table of modes and a file for each mode
CLISRC    = src/cli.c src/cmd_pipe.c src/cmd_explain.c src/cmd_add.c \
	    src/cmd_lookup.c src/cmd_list.c src/cmd_forget.c src/cmd_expire.c \
	    src/cmd_sign.c src/cmd_unsub.c src/cmd_import.c src/cmd_replay.c src/cmd_report.c \
	    src/cmd_alert.c src/cmd_maillog.c src/cmd_migrate.c src/main.c
OBJ       = $(LIBOBJ) $(CLISRC:.c=.o)
DEPS      = $(OBJ:.o=.d) $(UNITS:=.d)
UNITS     = tests/unit/test_fields tests/unit/test_addr tests/unit/test_classify tests/unit/test_needle \
	    tests/unit/test_logline tests/unit/test_journal

all: bouncer

bouncer: $(OBJ)
	@echo "  LD      $@"; $(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJ) $(LDLIBS)

# -MMD -MP: each object's .d lists the headers it includes, so touching
# a header rebuilds exactly what uses it
-include $(DEPS)
# ... and a change of the Makefile (flags, lists) rebuilds everything,
# also objects built before it tracked headers and so without a .d
$(OBJ) $(UNITS): Makefile

# The built-in rules are the text of src/rules/default.rules, as a C string.
$(GEN)/default_rules.c: src/rules/default.rules
	@mkdir -p $(GEN)
	{ echo '/* generated from src/rules/default.rules; do not edit */'; \
	  echo 'const char default_rules[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $<; \
	  echo ';'; } > $@

# ... and their needles (src/needle.c), derived once at build time by a
# small tool built from the same code (no sanitizer or fuzzer flags: it
# only runs here).
$(GEN)/needlegen: src/needlegen.c src/needle.c src/util.c include/needle.h include/util.h
	@mkdir -p $(GEN)
	@echo "  LD      $@"; $(CC) -std=c11 -D_GNU_SOURCE -O2 -Iinclude -o $@ src/needlegen.c src/needle.c src/util.c

$(GEN)/default_needles.c: src/rules/default.rules $(GEN)/needlegen
	$(GEN)/needlegen < src/rules/default.rules > $@.tmp && mv $@.tmp $@

tests/unit/%: tests/unit/%.c $(LIBOBJ) tests/unit/tap.h
	@echo "  LD      $@"; $(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBOBJ) $(LDLIBS)

deps:
	@sh tests/deps.sh

# deps first, then a new make that reads this file again, now that the
# libraries are there (tests/0020)
check: deps
	@$(MAKE) -s --no-print-directory all $(UNITS)
	@sh tests/run.sh

check-asan:
	$(MAKE) clean
	BOUNCER_ASAN=1 $(MAKE) CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer" \
		LDFLAGS="-fsanitize=address,undefined" check
	$(MAKE) clean

# The unit tests and the parsing, CLI, feedback and hostile-input tests
# under valgrind: no error, no definite leak.
check-valgrind: deps
	@$(MAKE) -s --no-print-directory all $(UNITS)
	@BOUNCER_VALGRIND=1 BOUNCER_NO_JIT=1 \
		BOUNCER_TESTS="0001 0002 0008 0012" sh tests/run.sh

demo: deps
	@$(MAKE) -s --no-print-directory all
	@sh tests/demo.sh

# The bounce lab (README "The bounce lab"): real mail software from Debian
# makes bounces with known causes into fixtures/lab/. Needs root and a
# Debian mirror; takes a while; not part of make check (tests/0040 scores
# the fixtures it wrote). LAB_SOFTWARE="postfix exim" to run some only.
lab:
	@sh lab/lab.sh $(LAB_SOFTWARE)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DATADIR)/postfix
	install -m 0755 bouncer $(DESTDIR)$(BINDIR)/bouncer
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@DATADIR@|$(DATADIR)|g' \
		postfix/bouncer-postfix-lines.in > $(DESTDIR)$(BINDIR)/bouncer-postfix-lines
	chmod 0755 $(DESTDIR)$(BINDIR)/bouncer-postfix-lines
	install -m 0644 man/bouncer.1 $(DESTDIR)$(MANDIR)/man1/bouncer.1
	install -m 0644 man/bouncer-postfix-lines.1 $(DESTDIR)$(MANDIR)/man1/bouncer-postfix-lines.1
	install -m 0644 man/bouncer.conf.5 $(DESTDIR)$(MANDIR)/man5/bouncer.conf.5
	install -m 0644 src/rules/default.rules $(DESTDIR)$(DATADIR)/default.rules
	install -m 0644 postfix/*.cf postfix/transport $(DESTDIR)$(DATADIR)/postfix/
	install -d $(DESTDIR)$(SYSCONFDIR)/bouncer
	test -f $(DESTDIR)$(SYSCONFDIR)/bouncer/bouncer.conf || \
		install -m 0644 postfix/bouncer.conf $(DESTDIR)$(SYSCONFDIR)/bouncer/bouncer.conf

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/bouncer $(DESTDIR)$(BINDIR)/bouncer-postfix-lines \
		$(DESTDIR)$(MANDIR)/man1/bouncer.1 $(DESTDIR)$(MANDIR)/man1/bouncer-postfix-lines.1 \
		$(DESTDIR)$(MANDIR)/man5/bouncer.conf.5
	rm -rf $(DESTDIR)$(DATADIR)
	@echo "kept $(DESTDIR)$(SYSCONFDIR)/bouncer/bouncer.conf (remove it by hand)"

clean:
	rm -f bouncer bouncer_*.deb src/*.o src/*.d $(UNITS) $(UNITS:=.d)
	rm -rf $(GEN)

# A Debian package, bouncer_VERSION_ARCH.deb, built with dpkg-deb from a
# clean copy compiled with dpkg-buildflags (pkg/deb/build.sh); then
# "apt install ./bouncer_*.deb". lintian checks it in CI (.ci/run).
deb: deps
	@sh pkg/deb/build.sh $(VERSION)

.PHONY: all check check-asan check-valgrind demo deps deb install uninstall clean lab

%.o: %.c
	@echo "  CC      $@"; $(CC) $(CFLAGS) -c -o $@ $<

# libFuzzer over the parse-and-classify path; FUZZ_TIME seconds (60).
FUZZ_TIME ?= 60
fuzz/fuzz_parse: fuzz/fuzz_parse.c $(LIBSRC) $(wildcard include/*.h)
	clang -std=c11 -D_GNU_SOURCE -g -O1 -Iinclude \
		$$(pkg-config --cflags $(PKGS)) $(PQ_CFLAGS) \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-o $@ fuzz/fuzz_parse.c $(LIBSRC) $$(pkg-config --libs $(PKGS)) -lz -ldl

# ... and over --import (feed.c): every format it finds, into a scratch store
fuzz/fuzz_import: fuzz/fuzz_import.c $(LIBSRC) $(wildcard include/*.h)
	clang -std=c11 -D_GNU_SOURCE -g -O1 -Iinclude \
		$$(pkg-config --cflags $(PKGS)) $(PQ_CFLAGS) \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-o $@ fuzz/fuzz_import.c $(LIBSRC) $$(pkg-config --libs $(PKGS)) -lz -ldl

fuzz: fuzz/fuzz_parse fuzz/fuzz_import $(GEN)/default_rules.c $(GEN)/default_needles.c
	mkdir -p fuzz/corpus fuzz/corpus-import
	cp fixtures/*.eml fuzz/corpus/ 2>/dev/null || true
	cp fixtures/*.jsonl fuzz/corpus-import/ 2>/dev/null || true
	ASAN_OPTIONS=detect_leaks=1 fuzz/fuzz_parse -max_total_time=$(FUZZ_TIME) \
		-max_len=65536 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix=fuzz/crash- fuzz/corpus
	ASAN_OPTIONS=detect_leaks=1 fuzz/fuzz_import -max_total_time=$(FUZZ_TIME) \
		-max_len=65536 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix=fuzz/crash-import- fuzz/corpus-import

# ... and over what --maillog reads (logline.c, journal.c): its own
# corpus, seeded with lines of every form (fuzz/maillog-seeds)
fuzz/fuzz_maillog: fuzz/fuzz_maillog.c src/logline.c src/journal.c include/logline.h include/journal.h
	clang -std=c11 -D_GNU_SOURCE -g -O1 -Iinclude \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-o $@ fuzz/fuzz_maillog.c src/logline.c src/journal.c

fuzz-maillog: fuzz/fuzz_maillog
	mkdir -p fuzz/corpus-maillog
	cp fuzz/maillog-seeds/* fuzz/corpus-maillog/
	ASAN_OPTIONS=detect_leaks=1 fuzz/fuzz_maillog -max_total_time=$(FUZZ_TIME) \
		-max_len=16384 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix=fuzz/crash-maillog- fuzz/corpus-maillog

fuzz: fuzz-maillog

.PHONY: fuzz fuzz-maillog

# Static analysis with the checked-in configurations (.clang-tidy).
# TIDY_SRC: the files clang-tidy reads (all by default; a landing script
# may name only those a change touched; empty: none).
SYSINC = $(shell pkg-config --cflags $(PKGS) libpq | sed 's/-I/-isystem /g')
TIDY_SRC ?= src/*.c
lint: $(GEN)/default_rules.c $(GEN)/default_needles.c
	cppcheck --enable=warning,performance,portability --inline-suppr \
		--error-exitcode=1 -q -Iinclude src/
	$(if $(strip $(TIDY_SRC)),clang-tidy --quiet $(TIDY_SRC) -- -std=c11 \
		-D_GNU_SOURCE -Iinclude -DBOUNCER_VERSION='"$(VERSION)"' $(SYSINC))

.PHONY: lint
