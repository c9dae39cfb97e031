# Graph engine: the plain-C core is unit-tested on its own (no PostgreSQL), also under Valgrind:
#   make unit-build && valgrind --error-exitcode=1 --leak-check=full test/unit/bin/test_graph
GRAPH_CORE = src/graph/csr.c src/graph/search.c src/graph/reach.c src/graph/yen.c src/graph/analysis.c src/graph/mincut.c

UNIT_BINS += test/unit/bin/test_graph

test/unit/bin/test_graph: test/unit/test_graph.c $(GRAPH_CORE) src/graph/graph_core.h
	@mkdir -p test/unit/bin
	$(CC) $(UNIT_CFLAGS) -o $@ test/unit/test_graph.c $(GRAPH_CORE) $(UNIT_LIBS)
