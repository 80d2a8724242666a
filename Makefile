# vnd: offline forensic toolchain for virtual and software data planes.
PREFIX	?= /usr/local
BINDIR	 = $(PREFIX)/bin
MANDIR	 = $(PREFIX)/share/man
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR = $(PREFIX)/share/zsh/site-functions
SQLDIR	 = $(PREFIX)/share/vnd/sql

CC	?= cc
CFLAGS	?= -O2 -g
PKG_CFLAGS != pkg-config --cflags libpcap sqlite3 libcrypto 2>/dev/null || true
PKG_LIBS != pkg-config --libs libpcap sqlite3 libcrypto 2>/dev/null || echo -lpcap -lsqlite3 -lcrypto
VND_CFLAGS = -std=c11 -Wall -Wextra -D_GNU_SOURCE -Icommon $(PKG_CFLAGS)
LIBS	 = $(PKG_LIBS) -ltrace -lz -lbz2 -llzma -lzstd -lpthread -lm

ifeq ($(SANITIZE),1)
CFLAGS	+= -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS	+= -fsanitize=address,undefined
# libtrace 3 leaks when it cannot guess a format; that is its leak, not ours
export LSAN_OPTIONS = suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS = print_stacktrace=1:halt_on_error=1
endif

TOOLS	 = parse hoploss correlate rtt tcpstate capture rootcause plot report stitch check select sql
LIB_SRC	 = $(wildcard common/*.c)
LIB_OBJ	 = $(LIB_SRC:.c=.o)
LIB	 = common/libvnd.a
BINS	 = bin/vnd $(TOOLS:%=bin/vnd-%)

all: $(BINS)

# Objects remember the flags they were built with: SANITIZE=1 rebuilds them.
FLAGS_STAMP = common/.build-flags
BUILD_FLAGS = $(CC) $(VND_CFLAGS) $(CFLAGS) $(LDFLAGS)
$(shell echo '$(BUILD_FLAGS)' | cmp -s - $(FLAGS_STAMP) || echo '$(BUILD_FLAGS)' >$(FLAGS_STAMP))
# (made again when `make clean all` removed it after the line above ran)
$(FLAGS_STAMP):
	@echo '$(BUILD_FLAGS)' >$@

common/%.o: common/%.c common/*.h $(FLAGS_STAMP)
	$(CC) $(VND_CFLAGS) $(CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $(LIB_OBJ)

# A tool's --help text, whose option lines are its options (vnd_optspec.h).
cmd/%/usage.h: cmd/%/usage.txt
	{ echo 'static const char usage[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $<; \
	  echo ';'; } >$@

# Every table's columns, read off vnd-tables(5), the tables' contract.
common/vnd_cols.h: man/vnd-tables.5 common/vnd_cols.awk
	awk -f common/vnd_cols.awk man/vnd-tables.5 >$@.tmp && mv $@.tmp $@

.SECONDEXPANSION:
bin/vnd-%: $$(wildcard cmd/$$*/*.c cmd/$$*/*.h) cmd/$$*/usage.h common/vnd_cols.h $(LIB) common/*.h $(FLAGS_STAMP)
	@mkdir -p bin
	$(CC) $(VND_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c,$^) $(LIB) $(LIBS)

# vnd-stitch reads HTTP with Debian's http-parser and JSON with jansson
STITCH_LIBS != pkg-config --libs jansson 2>/dev/null || echo -ljansson
bin/vnd-stitch: LIBS += -lhttp_parser $(STITCH_LIBS)

bin/vnd: cmd/vnd/main.c common/vnd.h $(FLAGS_STAMP)
	@mkdir -p bin
	$(CC) $(VND_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ cmd/vnd/main.c

# A fresh Debian machine gets what the build and the tests need.
deps:
	@sh tests/deps.sh

check: deps
	$(MAKE) all
	bats $(BATS_FLAGS) tests

demo: deps
	$(MAKE) all
	@sh samples/demo.sh

golden: all
	@sh tests/golden.sh

bench: deps all
	bench/mktrace.sh && bench/run.sh

fuzz: all
	$(MAKE) -C fuzz run

# Fails on any warning: mandoc's, or clang-tidy's under .clang-tidy.
LINT_SRC = $(wildcard common/*.c cmd/*/*.c fuzz/*.c bench/*.c)
lint: $(TOOLS:%=cmd/%/usage.h) common/vnd_cols.h
	@sh tests/deps.sh lint
	cd man && mandoc -Tlint -W warning *.1 *.5 *.7
	clang-tidy --quiet $(LINT_SRC) -- $(VND_CFLAGS)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)
	install -m 644 man/*.1 $(DESTDIR)$(MANDIR)/man1
	install -m 644 man/*.5 $(DESTDIR)$(MANDIR)/man5
	install -m 644 man/*.7 $(DESTDIR)$(MANDIR)/man7
	install -m 644 completions/bash/* $(DESTDIR)$(BASHCOMPDIR)
	install -m 644 completions/zsh/* $(DESTDIR)$(ZSHCOMPDIR)
	install -d $(DESTDIR)$(SQLDIR)
	install -m 644 sql/clickhouse.sql $(DESTDIR)$(SQLDIR)
	install -m 755 sql/load.sh $(DESTDIR)$(SQLDIR)

uninstall:
	rm -f $(BINS:bin/%=$(DESTDIR)$(BINDIR)/%)
	rm -f $(DESTDIR)$(MANDIR)/man1/vnd.1 $(DESTDIR)$(MANDIR)/man1/vnd-*.1
	rm -f $(DESTDIR)$(MANDIR)/man5/vnd-tables.5 $(DESTDIR)$(MANDIR)/man7/vnd.7
	rm -f $(DESTDIR)$(BASHCOMPDIR)/vnd $(DESTDIR)$(BASHCOMPDIR)/vnd-*
	rm -f $(DESTDIR)$(ZSHCOMPDIR)/_vnd $(DESTDIR)$(ZSHCOMPDIR)/_vnd-*
	rm -rf $(DESTDIR)$(SQLDIR)

clean:
	rm -rf bin common/*.o $(LIB) $(FLAGS_STAMP) cmd/*/usage.h common/vnd_cols.h

.PHONY: all deps check demo golden bench fuzz lint install uninstall clean
