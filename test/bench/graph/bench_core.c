/*
 * bench_core.c: times the graph core alone (no PostgreSQL, one core) on generated graphs of the
 * shapes bench_graph.sh loads: snapshot build, BFS, Dijkstra one-to-all, bidirectional
 * single-pair. Prints one line per measurement: "<what> <milliseconds>".
 * Usage: bench_core NODES EDGES uniform|powerlaw
 */
#include "graph/graph_core.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static double
urand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double) (rng >> 11) / 9007199254740992.0;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int
main(int argc, char **argv)
{
	uint32_t	n = argc > 1 ? (uint32_t) atol(argv[1]) : 100000;
	uint64_t	m = argc > 2 ? (uint64_t) atoll(argv[2]) : 1000000;
	int			power = argc > 3 && strcmp(argv[3], "powerlaw") == 0;
	GrBuilder  *b = gr_builder_new();
	GrGraph		g;
	GrSearch   *s;
	double		t0,
				best;
	uint32_t   *path = malloc(sizeof(uint32_t) * (n + 1));
	uint32_t	src = 1;

	for (uint32_t i = 1; i <= n; i++)
		gr_builder_add_node(b, i, 0);
	gr_builder_nodes_done(b);
	for (uint64_t j = 0; j < m; j++)
	{
		int64_t		u = power ? 1 + (int64_t) (n * pow(urand(), 2)) : 1 + (int64_t) (urand() * n);
		int64_t		v = power ? 1 + (int64_t) (n * pow(urand(), 3)) : 1 + (int64_t) (urand() * n);

		gr_builder_add_edge(b, u, v, 0.05 + 0.95 * urand());
	}
	t0 = now_ms();
	gr_builder_finish(b, &g);
	printf("build_from_rows %.1f\n", now_ms() - t0);
	printf("arcs %u bytes %zu\n", g.m, gr_graph_bytes(&g));
	s = gr_search_new(&g);
	best = 1e18;
	for (int r = 0; r < 5; r++)
	{
		t0 = now_ms();
		gr_bfs(s, &src, 1, false, GR_NO_LIMIT);
		best = fmin(best, now_ms() - t0);
	}
	printf("bfs %.2f reached %u\n", best, s->norder);
	best = 1e18;
	for (int r = 0; r < 5; r++)
	{
		t0 = now_ms();
		gr_shortest_paths(s, &src, 1, false, GR_NONE, INFINITY, GR_NO_LIMIT, NULL, 0);
		best = fmin(best, now_ms() - t0);
	}
	printf("dijkstra %.2f settled %u\n", best, s->norder);
	{
		/* gr_reach (blast_radius): hops, costs and predecessors, checked against BFS + Dijkstra */
		uint32_t	nn = s->norder,
					bad = 0;
		double	   *d0 = malloc(sizeof(double) * n);
		uint32_t   *p0 = malloc(sizeof(uint32_t) * n),
				   *h0 = malloc(sizeof(uint32_t) * n);

		for (uint32_t v = 0; v < n; v++)
		{
			d0[v] = s->dist[v];
			p0[v] = s->pred[v];
		}
		gr_bfs(s, &src, 1, false, GR_NO_LIMIT);
		for (uint32_t v = 0; v < n; v++)
			h0[v] = s->hops[v];
		best = 1e18;
		for (int r = 0; r < 5; r++)
		{
			t0 = now_ms();
			gr_reach(s, &src, 1, INFINITY);
			best = fmin(best, now_ms() - t0);
		}
		for (uint32_t v = 0; v < n; v++)
			if (s->dist[v] != d0[v] || s->pred[v] != p0[v] ||
				(d0[v] != INFINITY && s->hops[v] != h0[v]))
				bad++;
		printf("reach %.2f reached %u mismatches %u\n", best, s->norder, bad + (s->norder != nn));
		best = 1e18;
		for (int r = 0; r < 5; r++)
		{
			t0 = now_ms();
			gr_reach(s, &src, 1, -log(0.5));
			best = fmin(best, now_ms() - t0);
		}
		printf("reach_floor %.2f reached %u\n", best, s->norder);
		free(d0);
		free(p0);
		free(h0);
	}
	{
		double		total = 0,
					cost;
		int			pairs = 0;

		for (int r = 0; r < 50; r++)
		{
			uint32_t	a = (uint32_t) (urand() * n),
						z = (uint32_t) (urand() * n);

			t0 = now_ms();
			if (gr_best_path(s, a, z, NULL, 0, path, &cost) > 0)
				pairs++;
			total += now_ms() - t0;
		}
		printf("bidirectional_pair_avg %.3f found %d/50\n", total / 50, pairs);
	}
	return 0;
}
