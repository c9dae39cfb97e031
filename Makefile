# Infracast: PGXS build of the extension, plus the tools, tests, demo and benchmarks.
#
# Everything is found by glob so that each subsystem adds files without editing this file:
#   src/<subsystem>/*.c      -> objects of infracast.so (bgworkers/*.c too)
#   extension/sql/NN_*.sql   -> concatenated, in order, into extension/infracast--$(EXTVERSION).sql
#   sql/*.sql                -> pg_regress tests (expected/*.out)
#   test/isolation/specs/*.spec -> isolation tests (test/isolation/expected/*.out)
#   test/pgtap/*.sql         -> pgTAP suites run by pg_prove
#   mk/*.mk                  -> each subsystem's extra rules, included below: the proxy, the licence
#                               tool, C unit tests, the fuzzer (mk/zz_unit.mk last: it collects UNIT_BINS)

PG_CONFIG ?= pg_config

EXTVERSION  = 0.1.0
MODULE_big  = infracast
MODULEDIR   = extension

# Plain-C files that speak json-c include no PostgreSQL headers; they are still part of infracast.so.
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c src/*/*.c src/feeds/parse/*.c bgworkers/*.c)))

DATA        = extension/infracast.control $(wildcard extension/infracast--*--*.sql)
DATA_built  = extension/infracast--$(EXTVERSION).sql
DOCS        =

REGRESS      = $(sort $(patsubst sql/%.sql,%,$(wildcard sql/*.sql)))
REGRESS_OPTS = --inputdir=. --outputdir=test/results

# Races between sessions, made deterministic by PostgreSQL's isolationtester (as Citus tests its
# own). `make installcheck` runs them after pg_regress, as PGXS does; `make test` runs them as a
# step of their own (`make installcheck REGRESS=`), so each step has its own log and results.
ISOLATION      = $(sort $(patsubst test/isolation/specs/%.spec,%,$(wildcard test/isolation/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test/isolation --outputdir=test/results/isolation
# pg_isolation_regress creates its output folder but not that folder's parent.
REGRESS_PREP   = test/results

PKG_LIBS      = libsodium json-c zlib
PG_CPPFLAGS  += -I$(srcdir)/src -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
                $(shell pkg-config --cflags $(PKG_LIBS))
SHLIB_LINK   += $(shell pkg-config --libs $(PKG_LIBS))

EXTRA_CLEAN = extension/infracast--$(EXTVERSION).sql test/results

PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifneq ($(wildcard $(PGXS)),)
include $(PGXS)
else
# A fresh machine: `make test` and `make demo` install the packages first (see test/harness).
all install installcheck:
	@echo "PostgreSQL 15 server headers not found: apt-get install postgresql-server-dev-15 (make test and make demo do it for you as root)"; exit 1
endif

# PGXS tracks no header dependencies (Debian's PostgreSQL is built without --enable-depend): a
# changed header rebuilds every object, so no object keeps a stale struct layout.
$(OBJS) $(OBJS:.o=.bc): $(wildcard src/*.h src/*/*.h bgworkers/*.h)

extension/infracast--$(EXTVERSION).sql: $(sort $(wildcard extension/sql/*.sql))
	@echo "-- Generated from extension/sql/*.sql by make; edit those files, not this one." > $@
	@for f in $^; do printf '\n-- ---- %s ----\n' "$$f" >> $@; cat "$$f" >> $@; done

test/results:
	@mkdir -p $@

# Extra programs (licence tool, proxy, unit tests) bring their own rules.
-include $(sort $(wildcard mk/*.mk))

.PHONY: test demo demo-stop bench lint
test:
	@bash test/harness/run_tests.sh

demo:
	@bash demo/demo.sh start

demo-stop:
	@bash demo/demo.sh stop

bench:
	@bash test/bench/run_bench.sh

lint:
	@bash test/harness/lint.sh
