# Feeds: the embedded seed KEV catalogue and the feeds' C unit tests.
#
# make INFRACAST_KEV_SEED=/path/to/known_exploited_vulnerabilities.json builds that catalogue into
# infracast.so (CREATE EXTENSION loads it when no KEV file was ever loaded). The default is the small
# seed in the repo. Changing the path rebuilds kev_seed.o: the path is recorded in the object, and
# the object is forced out of date when it does not contain the path asked for.
INFRACAST_KEV_SEED ?= test/fixtures/feeds/kev_seed.json
KEV_SEED_ABS := $(abspath $(INFRACAST_KEV_SEED))

src/feeds/kev_seed.o: override CPPFLAGS += -DINFRACAST_KEV_SEED_PATH='"$(KEV_SEED_ABS)"'
src/feeds/kev_seed.bc: override CPPFLAGS += -DINFRACAST_KEV_SEED_PATH='"$(KEV_SEED_ABS)"' -DINFRACAST_KEV_SEED_BITCODE
src/feeds/kev_seed.o: $(KEV_SEED_ABS)
ifneq ($(shell grep -qsF '$(KEV_SEED_ABS)' src/feeds/kev_seed.o && echo same),same)
src/feeds/kev_seed.o: feeds-seed-force
endif
.PHONY: feeds-seed-force
feeds-seed-force:

# C unit tests of the plain-C readers (no PostgreSQL): fixtures and, when present, the real files.
# The NVD reader splits CPE criteria with match/cpe.c, the one CPE parser.
# json_span_equal is wrapped so that the test can count the NVD reader's comparisons.
FEEDS_PARSE_SRCS = src/feeds/parse/feed_reader.c src/feeds/parse/epss_parse.c src/feeds/parse/feodo_parse.c \
                   src/feeds/parse/kev_parse.c src/feeds/parse/json_pull.c \
                   src/feeds/parse/nvd_limits.c src/feeds/parse/nvd_record.c src/feeds/parse/nvd_stream.c \
                   src/feeds/parse/manifest_parse.c src/match/cpe.c
UNIT_BINS += test/unit/bin/test_feeds_parse
test/unit/bin/test_feeds_parse: test/unit/test_feeds_parse.c $(FEEDS_PARSE_SRCS) $(wildcard src/feeds/parse/*.h) src/match/cpe.h
	@mkdir -p test/unit/bin
	$(CC) $(UNIT_CFLAGS) -o $@ test/unit/test_feeds_parse.c $(FEEDS_PARSE_SRCS) $(UNIT_LIBS) -Wl,--wrap=json_span_equal
