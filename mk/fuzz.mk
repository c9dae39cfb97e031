# libFuzzer harness of the NVD reader and its JSON pull reader (test/fuzz/fuzz_nvd.c). Fuzzing is not
# part of `make test` (replaying test/fuzz/regress is, below): `make fuzz` builds it with clang (libFuzzer, AddressSanitizer, UBSan), seeds a corpus
# and fuzzes for FUZZ_TIME seconds on one core. See docs/feeds.md, "Fuzzing the NVD reader".
FUZZ_CC     ?= clang-14
FUZZ_TIME   ?= 600
FUZZ_MAXLEN ?= 65536
FUZZ_CORPUS ?= test/fuzz/corpus
FUZZ_ARGS   ?=
FUZZ_COMMON  = -g -O1 -Wall -Wextra -Wno-unused-parameter -I$(srcdir)/src $(shell pkg-config --cflags $(PKG_LIBS))
FUZZ_CFLAGS  = -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined $(FUZZ_COMMON)
FUZZ_LDLIBS  = -Wl,--wrap=read -Wl,--wrap=pthread_create $(shell pkg-config --libs $(PKG_LIBS)) -lpthread -lm
# The reader's files are built with the harness; it lowers the reader's limits through
# nvd_limits.h. read() is wrapped so that the harness can hand the reader its input in chunks,
# pthread_create() so that it can run the reader without its parse thread.
FUZZ_NVD_SRCS = src/feeds/parse/feed_reader.c src/match/cpe.c src/feeds/parse/json_pull.c \
                src/feeds/parse/nvd_limits.c src/feeds/parse/nvd_record.c src/feeds/parse/nvd_stream.c

test/fuzz/bin/fuzz_nvd: test/fuzz/fuzz_nvd.c $(FUZZ_NVD_SRCS) $(wildcard src/feeds/parse/*.h) src/match/cpe.h
	@mkdir -p test/fuzz/bin
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ test/fuzz/fuzz_nvd.c $(FUZZ_NVD_SRCS) $(FUZZ_LDLIBS)

# The same harness under ThreadSanitizer (the parse thread and the ring), run once over the corpus.
test/fuzz/bin/fuzz_nvd_tsan: test/fuzz/fuzz_nvd.c $(FUZZ_NVD_SRCS) $(wildcard src/feeds/parse/*.h) src/match/cpe.h
	@mkdir -p test/fuzz/bin
	$(FUZZ_CC) -fsanitize=fuzzer,thread $(FUZZ_COMMON) -o $@ test/fuzz/fuzz_nvd.c $(FUZZ_NVD_SRCS) $(FUZZ_LDLIBS)

.PHONY: fuzz fuzz-build fuzz-seeds fuzz-regress fuzz-tsan
fuzz-build: test/fuzz/bin/fuzz_nvd

fuzz-seeds:
	@bash test/fuzz/make_seeds.sh $(FUZZ_CORPUS)

# Crashes and slow inputs go to test/fuzz/artifacts/ (ignored by git), never to the top folder.
fuzz: fuzz-build fuzz-seeds
	@mkdir -p test/fuzz/artifacts
	test/fuzz/bin/fuzz_nvd -artifact_prefix=test/fuzz/artifacts/ -dict=test/fuzz/nvd.dict -max_len=$(FUZZ_MAXLEN) -max_total_time=$(FUZZ_TIME) \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 $(FUZZ_ARGS) $(FUZZ_CORPUS)

# The inputs that once failed (test/fuzz/regress), each run once.
fuzz-regress: fuzz-build
	test/fuzz/bin/fuzz_nvd -runs=0 test/fuzz/regress

fuzz-tsan: test/fuzz/bin/fuzz_nvd_tsan fuzz-seeds
	test/fuzz/bin/fuzz_nvd_tsan -runs=0 -max_len=$(FUZZ_MAXLEN) $(FUZZ_CORPUS) test/fuzz/regress

# The same harness without libFuzzer, built by the ordinary compiler as a unit test, so that
# `make test` replays every input of test/fuzz/regress (each once failed) under valgrind.
UNIT_BINS += test/unit/bin/fuzz_regress
test/unit/bin/fuzz_regress: test/fuzz/fuzz_regress_main.c test/fuzz/fuzz_nvd.c $(FUZZ_NVD_SRCS) $(wildcard src/feeds/parse/*.h) src/match/cpe.h
	@mkdir -p test/unit/bin
	$(CC) $(UNIT_CFLAGS) -Wno-unused-parameter -o $@ test/fuzz/fuzz_regress_main.c test/fuzz/fuzz_nvd.c $(FUZZ_NVD_SRCS) \
		-Wl,--wrap=read -Wl,--wrap=pthread_create $(UNIT_LIBS) -lpthread

EXTRA_CLEAN += test/fuzz/bin test/fuzz/artifacts
