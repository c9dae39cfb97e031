# Matching and scoring: plain-C unit tests (parsers, matcher, version orderings, NVD configurations,
# risk formula). make test runs them under Valgrind.
MATCH_CORE = src/match/cpe.c src/match/version.c src/match/nvd_config.c
MATCH_HDRS = src/match/cpe.h src/match/version.h src/match/nvd_config.h

UNIT_BINS += test/unit/bin/test_cpe test/unit/bin/test_version test/unit/bin/test_match_config \
             test/unit/bin/test_match_score

test/unit/bin/test_cpe: test/unit/test_cpe.c src/match/cpe.c src/match/cpe.h
	@mkdir -p test/unit/bin
	$(CC) $(UNIT_CFLAGS) -o $@ test/unit/test_cpe.c src/match/cpe.c $(UNIT_LIBS)

test/unit/bin/test_version: test/unit/test_version.c src/match/version.c src/match/version.h
	@mkdir -p test/unit/bin
	$(CC) $(UNIT_CFLAGS) -o $@ test/unit/test_version.c src/match/version.c $(UNIT_LIBS)

test/unit/bin/test_match_config: test/unit/test_match_config.c $(MATCH_CORE) $(MATCH_HDRS)
	@mkdir -p test/unit/bin
	$(CC) $(UNIT_CFLAGS) -o $@ test/unit/test_match_config.c $(MATCH_CORE) $(UNIT_LIBS)

test/unit/bin/test_match_score: test/unit/test_match_score.c src/score/risk.c src/score/risk.h
	@mkdir -p test/unit/bin
	$(CC) $(UNIT_CFLAGS) -o $@ test/unit/test_match_score.c src/score/risk.c $(UNIT_LIBS)
