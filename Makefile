# Infracast: PGXS build of the extension, plus the tools, tests, demo and benchmarks.
#
# The objects of infracast.so are listed below by subsystem; the rest is found by glob:
#   extension/sql/NN_*.sql   -> concatenated, in order, into extension/infracast--$(EXTVERSION).sql
#   extension/updates/A--B.sql -> the update script extension/infracast--A--B.sql (its "-- @include
#                               extension/sql/NN_x.sql" lines expanded; docs/operations.md, Upgrades)
#   sql/*.sql                -> pg_regress tests (expected/*.out)
#   test/isolation/specs/*.spec -> isolation tests (test/isolation/expected/*.out)
#   test/pgtap/*.sql         -> pgTAP suites run by pg_prove
#   mk/*.mk                  -> each subsystem's extra rules, included below: the proxy, the licence
#                               tool, C unit tests, the fuzzer (mk/zz_unit.mk last: it collects UNIT_BINS)

PG_CONFIG ?= pg_config

# The version is the control file's default_version (one place to bump); the library knows it too,
# so its background workers wait for the schema of their own version (bgworkers/README.md).
INFRACAST_TOP := $(dir $(abspath $(lastword $(MAKEFILE_LIST))))
EXTVERSION := $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" $(INFRACAST_TOP)extension/infracast.control)
MODULE_big  = infracast
MODULEDIR   = extension

# The objects of infracast.so, listed by subsystem (a stray .c file is never linked silently; a
# subsystem's README says what each file holds). The files under src/feeds/parse/ and the plain-C
# cores speak no PostgreSQL (json-c's json_object collides with its headers); they are linked all the same.
OBJS_MAIN         = src/infracast.o
OBJS_COMMON       = src/common/privileged.o
OBJS_INVENTORY    = src/inventory/import.o src/inventory/tenant.o
OBJS_AUTH         = src/auth/auth.o
OBJS_GRAPH        = src/graph/analysis.o src/graph/analysis_sql.o src/graph/arc_edges.o \
                    src/graph/cache_sql.o src/graph/csr.o src/graph/graph_init.o src/graph/mincut.o \
                    src/graph/paths_sql.o src/graph/reach.o src/graph/reach_sql.o \
                    src/graph/search.o src/graph/snapshot.o src/graph/sql_args.o src/graph/yen.o
OBJS_FEEDS        = src/feeds/feed_insert.o src/feeds/feed_status.o src/feeds/feeds_hash.o \
                    src/feeds/feeds_init.o src/feeds/feeds_load.o src/feeds/feeds_shmem.o \
                    src/feeds/feeds_time.o src/feeds/kev_seed.o src/feeds/load_bundle.o \
                    src/feeds/load_epss.o src/feeds/load_feodo.o src/feeds/load_kev.o \
                    src/feeds/load_nvd.o
OBJS_FEEDS_PARSE  = src/feeds/parse/epss_parse.o src/feeds/parse/feed_reader.o \
                    src/feeds/parse/feodo_parse.o src/feeds/parse/json_pull.o \
                    src/feeds/parse/kev_parse.o src/feeds/parse/manifest_parse.o \
                    src/feeds/parse/nvd_limits.o src/feeds/parse/nvd_record.o \
                    src/feeds/parse/nvd_stream.o
OBJS_MATCH        = src/match/applicability_sql.o src/match/cpe.o src/match/cpe_type.o \
                    src/match/nvd_config.o src/match/version.o src/match/version_sql.o
OBJS_SCORE        = src/score/risk.o src/score/score_sql.o
OBJS_LICENSE      = src/license/license_format.o src/license/license_init.o \
                    src/license/license_keys.o src/license/license_sql.o \
                    src/license/license_state.o
OBJS_COMPLIANCE   = src/compliance/compliance_shipped.o
OBJS_DISCOVERY    = src/discovery/credentials.o src/discovery/discovery_init.o src/discovery/snmp_walk.o \
                    src/discovery/ssh_collect.o src/discovery/ssh_parse.o src/discovery/ssh_settings.o
OBJS_DOCUMENTS    = src/documents/uuid5.o
OBJS_BGWORKERS    = bgworkers/discovery_worker.o bgworkers/feed_status_recorder.o bgworkers/feed_worker.o \
                    bgworkers/registration.o bgworkers/startup_worker.o
OBJS = $(OBJS_MAIN) $(OBJS_COMMON) $(OBJS_INVENTORY) $(OBJS_AUTH) $(OBJS_GRAPH) $(OBJS_FEEDS) \
       $(OBJS_FEEDS_PARSE) $(OBJS_MATCH) $(OBJS_SCORE) $(OBJS_LICENSE) $(OBJS_COMPLIANCE) \
       $(OBJS_DISCOVERY) $(OBJS_DOCUMENTS) $(OBJS_BGWORKERS)

UPDATE_SCRIPTS = $(patsubst extension/updates/%.sql,extension/infracast--%.sql,$(wildcard extension/updates/*--*.sql))
DATA        = extension/infracast.control
DATA_built  = extension/infracast--$(EXTVERSION).sql $(UPDATE_SCRIPTS)
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
PG_CPPFLAGS  += -DINFRACAST_EXTVERSION='"$(EXTVERSION)"'
PG_CPPFLAGS  += -I$(srcdir)/src -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
                $(shell pkg-config --cflags $(PKG_LIBS))
SHLIB_LINK   += $(shell pkg-config --libs $(PKG_LIBS))

EXTRA_CLEAN = $(DATA_built) test/results

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
$(OBJS) $(OBJS:.o=.bc): $(wildcard src/*.h src/*/*.h src/*/*/*.h bgworkers/*.h)
# INFRACAST_EXTVERSION comes from the control file: a bumped version rebuilds what compares it.
bgworkers/startup_worker.o bgworkers/feed_worker.o bgworkers/discovery_worker.o: extension/infracast.control

extension/infracast--$(EXTVERSION).sql: $(sort $(wildcard extension/sql/*.sql))
	@echo "-- Generated from extension/sql/*.sql by make; edit those files, not this one." > $@
	@for f in $^; do printf '\n-- ---- %s ----\n' "$$f" >> $@; cat "$$f" >> $@; done

# An update script: the hand-written steps of extension/updates/A--B.sql, where a line
# "-- @include extension/sql/NN_x.sql" stands for that whole part (the objects new in B).
extension/infracast--%.sql: extension/updates/%.sql $(sort $(wildcard extension/sql/*.sql))
	@echo "-- Generated from $< by make; edit that file, not this one." > $@
	@awk '/^-- @include / { f = $$3; printf "\n-- ---- %s ----\n", f; \
	          while ((r = (getline l < f)) > 0) print l; \
	          if (r < 0) { print "make: " FILENAME ": cannot read the included part " f > "/dev/stderr"; exit 1 } \
	          close(f); next } { print }' $< >> $@ || { rm -f $@; exit 1; }

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

# Every C file of src/ and bgworkers/ is in OBJS (test/integration/foundation_meta.sh asks this), so a
# file added without its line fails a test instead of failing to load with an undefined symbol.
.PHONY: print-objs print-version
print-objs:
	@echo $(OBJS)
print-version:
	@echo $(EXTVERSION)
