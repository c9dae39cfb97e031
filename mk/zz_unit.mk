# C unit tests of plain-C code (parsers, algorithms). Each subsystem's mk/<name>.mk adds its test
# binaries to UNIT_BINS with a rule to build them; the harness runs every test/unit/bin/* binary.
UNIT_CFLAGS = -O2 -g -Wall -Wextra -I$(srcdir)/src $(shell pkg-config --cflags $(PKG_LIBS))
UNIT_LIBS   = $(shell pkg-config --libs $(PKG_LIBS)) -lm

.PHONY: unit-build
unit-build: $(UNIT_BINS)
	@mkdir -p test/unit/bin

EXTRA_CLEAN += test/unit/bin
