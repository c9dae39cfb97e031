/*
 * test_graph.c: the graph core (the plain-C files of src/graph, without PostgreSQL) checked against brute force on
 * many small random graphs: CSR build, Dijkstra, hop-bounded paths, BFS, Yen, path counts,
 * dominators, strongly connected components and the minimum cut. Exits non-zero on a failure.
 * Run it under Valgrind too: valgrind --error-exitcode=1 --leak-check=full test/unit/bin/test_graph
 */
#include "graph/graph_core.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int	failures = 0;
static int	checks = 0;

#define CHECK(cond, ...) do { checks++; if (!(cond)) { failures++; \
	fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); fprintf(stderr, __VA_ARGS__); \
	fputc('\n', stderr); } } while (0)

static uint64_t rng_state = 88172645463325252ULL;

static uint32_t
rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t) (rng_state % n);
}

typedef struct Edge
{
	int64_t		src,
				dst;
	double		p;
} Edge;

/* A random graph on n nodes with ids id_base + id_step * i (shuffled) and m edge rows. */
static void
random_graph(GrGraph *g, uint32_t n, uint32_t m, int64_t id_base, int64_t id_step, Edge *rows,
			 bool few_likelihoods)
{
	GrBuilder  *b = gr_builder_new();
	uint32_t   *perm = malloc(sizeof(uint32_t) * n);

	for (uint32_t i = 0; i < n; i++)
		perm[i] = i;
	for (uint32_t i = n; i > 1; i--)
	{
		uint32_t	j = rnd(i),
					t = perm[i - 1];

		perm[i - 1] = perm[j];
		perm[j] = t;
	}
	for (uint32_t i = 0; i < n; i++)
		gr_builder_add_node(b, id_base + id_step * perm[i], (uint8_t) (rnd(8)));
	if (!gr_builder_nodes_done(b))
		abort();
	for (uint32_t i = 0; i < m; i++)
	{
		Edge		e;

		e.src = id_base + id_step * rnd(n);
		e.dst = id_base + id_step * rnd(n);
		e.p = few_likelihoods ? (1 + rnd(4)) / 4.0 : (1 + rnd(1000)) / 1000.0;
		rows[i] = e;
		gr_builder_add_edge(b, e.src, e.dst, e.p);
	}
	gr_builder_add_edge(b, id_base - 1, id_base, 0.5);	/* unknown node: skipped */
	gr_builder_finish(b, g);
	free(perm);
}

static void
graph_free(GrGraph *g)
{
	free(g->node_id);
	free(g->node_flags);
	free(g->fwd_off);
	free(g->fwd_dst);
	free(g->fwd_cost);
	free(g->rev_off);
	free(g->rev_src);
}

/* Dense cost matrix of the snapshot (INFINITY = no arc). */
static double *
cost_matrix(const GrGraph *g)
{
	double	   *c = malloc(sizeof(double) * g->n * g->n);

	for (uint32_t i = 0; i < g->n * g->n; i++)
		c[i] = INFINITY;
	for (uint32_t u = 0; u < g->n; u++)
		for (uint32_t p = g->fwd_off[u]; p < g->fwd_off[u + 1]; p++)
			c[u * g->n + g->fwd_dst[p]] = g->fwd_cost[p];
	return c;
}

static void
check_csr(const GrGraph *g, const Edge *rows, uint32_t m)
{
	uint32_t	n = g->n;
	double	   *c = cost_matrix(g);
	uint32_t	arcs = 0;

	for (uint32_t i = 1; i < n; i++)
		CHECK(g->node_id[i - 1] < g->node_id[i], "node ids ascending");
	/* every arc is the cheapest of its parallel rows, and every row has its arc */
	{
		double	   *best = malloc(sizeof(double) * n * n);

		for (uint32_t i = 0; i < n * n; i++)
			best[i] = INFINITY;
		for (uint32_t i = 0; i < m; i++)
		{
			uint32_t	u = gr_node_index(g, rows[i].src),
						v = gr_node_index(g, rows[i].dst);
			float		cf = (float) (-log(rows[i].p));

			if (u == v)
				continue;
			if (cf < best[u * n + v])
				best[u * n + v] = cf < 0 ? 0 : cf;
		}
		for (uint32_t i = 0; i < n * n; i++)
		{
			CHECK(best[i] == c[i] || (best[i] == 0 && c[i] == 0), "arc cost is the cheapest parallel row");
			if (c[i] != INFINITY)
				arcs++;
		}
		free(best);
	}
	CHECK(arcs == g->m, "arc count %u vs %u", arcs, g->m);
	for (uint32_t v = 0; v < n; v++)
		for (uint32_t p = g->rev_off[v]; p < g->rev_off[v + 1]; p++)
		{
			CHECK(c[g->rev_src[p] * n + v] != INFINITY, "reverse arc exists forward");
			if (p > g->rev_off[v])
				CHECK(g->rev_src[p - 1] < g->rev_src[p], "reverse rows sorted");
		}
	CHECK(g->rev_off[n] == g->m, "reverse has every arc");
	free(c);
}

/* Bellman-Ford reference: dist[h][v] = cheapest with at most h arcs (h up to n). */
static double *
bf_table(const GrGraph *g, const double *c, uint32_t src, bool reverse)
{
	uint32_t	n = g->n;
	double	   *d = malloc(sizeof(double) * (n + 1) * n);

	for (uint32_t v = 0; v < n; v++)
		d[v] = (v == src) ? 0 : INFINITY;
	for (uint32_t h = 1; h <= n; h++)
		for (uint32_t v = 0; v < n; v++)
		{
			double		best = d[(h - 1) * n + v];

			for (uint32_t u = 0; u < n; u++)
			{
				double		w = reverse ? c[v * n + u] : c[u * n + v];

				if (w != INFINITY && d[(h - 1) * n + u] + w < best)
					best = d[(h - 1) * n + u] + w;
			}
			d[h * n + v] = best;
		}
	return d;
}

static bool
close_to(double a, double b)
{
	if (a == INFINITY || b == INFINITY)
		return a == b;
	return fabs(a - b) <= 1e-9 * fmax(1.0, fabs(a));
}

/* Cost of a node sequence from the matrix, INFINITY if an arc is missing. */
static double
seq_cost(const double *c, uint32_t n, const uint32_t *nodes, uint32_t len, bool reverse)
{
	double		t = 0;

	for (uint32_t i = 0; i + 1 < len; i++)
		t += reverse ? c[nodes[i] * n + nodes[i + 1]] : c[nodes[i] * n + nodes[i + 1]];
	return t;
}

static void
check_searches(const GrGraph *g)
{
	uint32_t	n = g->n;
	double	   *c = cost_matrix(g);
	GrSearch   *s = gr_search_new(g);
	uint32_t   *path = malloc(sizeof(uint32_t) * n);

	for (int rev = 0; rev <= 1; rev++)
		for (uint32_t src = 0; src < n; src++)
		{
			double	   *d = bf_table(g, c, src, rev);

			gr_shortest_paths(s, &src, 1, rev, GR_NONE, INFINITY, GR_NO_LIMIT, NULL, 0);
			/* ties: the lowest predecessor (when no zero-cost arc ties too) */
			for (uint32_t v = 0; v < n && !rev; v++)
			{
				uint32_t	lowest = GR_NONE;
				bool		zero_tie = false;

				if (v == src || s->dist[v] == INFINITY)
					continue;
				for (uint32_t u = 0; u < n; u++)
					if (s->dist[u] != INFINITY && c[u * n + v] != INFINITY &&
						s->dist[u] + c[u * n + v] == s->dist[v])
					{
						if (c[u * n + v] == 0)
							zero_tie = true;
						else if (lowest == GR_NONE)
							lowest = u;
					}
				if (!zero_tie && lowest != GR_NONE)
					CHECK(s->pred[v] == lowest, "tie %u->%u: pred %u, lowest %u", src, v, s->pred[v], lowest);
			}
			for (uint32_t v = 0; v < n; v++)
			{
				uint32_t	len = gr_path_nodes(s, v, path);

				CHECK(close_to(s->dist[v], d[n * n + v]), "dijkstra %u->%u rev=%d: %g vs %g",
					  src, v, rev, s->dist[v], d[n * n + v]);
				if (d[n * n + v] != INFINITY)
				{
					CHECK(len >= 1 && path[rev ? len - 1 : 0] == src && path[rev ? 0 : len - 1] == v,
						  "path ends");
					CHECK(close_to(seq_cost(c, n, path, len, rev), s->dist[v]), "path cost");
				}
				else
					CHECK(len == 0, "no path to unreached");
			}
			for (uint32_t h = 0; h <= 4; h++)
			{
				uint32_t	hh = h < n ? h : n;

				gr_shortest_paths(s, &src, 1, rev, GR_NONE, INFINITY, h, NULL, 0);
				for (uint32_t v = 0; v < n; v++)
				{
					uint32_t	len = gr_path_nodes(s, v, path);

					CHECK(close_to(s->dist[v], d[hh * n + v]), "hop-bounded h=%u %u->%u: %g vs %g",
						  h, src, v, s->dist[v], d[hh * n + v]);
					if (len)
					{
						CHECK(len - 1 <= h, "hop-bounded path too long");
						CHECK(close_to(seq_cost(c, n, path, len, rev), s->dist[v]), "hop path cost");
					}
				}
				gr_bfs(s, &src, 1, rev, h);
				for (uint32_t v = 0; v < n; v++)
				{
					uint32_t	want = UINT32_MAX;

					for (uint32_t k = 0; k <= hh && want == UINT32_MAX; k++)
						if (d[k * n + v] != INFINITY)
							want = k;
					CHECK(s->hops[v] == want, "bfs hops %u->%u: %u vs %u", src, v, s->hops[v], want);
				}
			}
			free(d);
		}
	/* bidirectional: same cost as one-sided Dijkstra, with and without blocked nodes and bans */
	for (uint32_t src = 0; src < n; src++)
		for (uint32_t dst = 0; dst < n; dst++)
		{
			uint32_t	banned[2] = {rnd(n), rnd(n)};
			uint32_t	nb = rnd(3);
			double		cost = -1;
			uint32_t	len;
			uint8_t		seen[64] = {0};
			bool		simple = true;

			if (src == dst)
				continue;
			for (uint32_t v = 0; v < n; v++)
				s->blocked[v] = (v != src && v != dst && rnd(5) == 0);
			gr_shortest_paths(s, &src, 1, false, GR_NONE, INFINITY, GR_NO_LIMIT, banned, nb);
			{
				double		want = s->dist[dst];

				len = gr_best_path(s, src, dst, banned, nb, path, &cost);
				CHECK((len == 0) == (want == INFINITY), "bidirectional %u->%u reach", src, dst);
				if (len)
				{
					CHECK(close_to(cost, want), "bidirectional %u->%u: %g vs %g", src, dst, cost, want);
					CHECK(path[0] == src && path[len - 1] == dst, "bidirectional ends");
					CHECK(close_to(seq_cost(c, n, path, len, false), cost), "bidirectional path cost");
					for (uint32_t i = 0; i < len; i++)
					{
						simple = simple && !seen[path[i]] && (i == 0 || i == len - 1 || !s->blocked[path[i]]);
						seen[path[i]] = 1;
					}
					CHECK(simple, "bidirectional path loopless and unblocked");
					for (uint32_t i = 0; i < nb; i++)
						CHECK(len < 2 || path[1] != banned[i], "bidirectional respects bans");
				}
			}
			memset(s->blocked, 0, n);
		}
	gr_search_free(s);
	free(path);
	free(c);
}

/* All simple paths src->dst by DFS; costs into out (sorted), returns count. */
static uint32_t
all_simple(const double *c, uint32_t n, uint32_t src, uint32_t dst, uint32_t max_hops,
		   double *out, uint32_t cap)
{
	uint32_t	stack[16],
				next[16],
				depth = 1,
				count = 0;
	uint8_t		on[16] = {0};
	double		cost[16];

	stack[0] = src;
	next[0] = 0;
	on[src] = 1;
	cost[0] = 0;
	while (depth > 0)
	{
		uint32_t	u = stack[depth - 1];

		if (u == dst && depth > 1)
		{
			if (count < cap)
				out[count] = cost[depth - 1];
			count++;
			on[u] = 0;
			depth--;
			continue;
		}
		if (next[depth - 1] < n && depth - 1 < max_hops)
		{
			uint32_t	v = next[depth - 1]++;

			if (!on[v] && c[u * n + v] != INFINITY)
			{
				on[v] = 1;
				stack[depth] = v;
				next[depth] = 0;
				cost[depth] = cost[depth - 1] + c[u * n + v];
				depth++;
			}
			continue;
		}
		on[u] = 0;
		depth--;
	}
	for (uint32_t i = 1; i < count && i < cap; i++)
		for (uint32_t j = i; j > 0 && out[j - 1] > out[j]; j--)
		{
			double		t = out[j];

			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return count;
}

static void
check_yen(const GrGraph *g)
{
	uint32_t	n = g->n;
	double	   *c = cost_matrix(g);
	GrSearch   *s = gr_search_new(g);
	GrPath		paths[12];
	double		want[4096];

	for (uint32_t src = 0; src < n; src++)
		for (uint32_t dst = 0; dst < n; dst++)
		{
			uint32_t	limits[2] = {GR_NO_LIMIT, 3};

			if (src == dst)
				continue;
			for (int li = 0; li < 2; li++)
			{
				uint32_t	total = all_simple(c, n, src, dst, limits[li] == GR_NO_LIMIT ? n : limits[li],
											   want, 4096);
				uint32_t	k = 1 + rnd(10);
				uint32_t	got = gr_k_shortest_paths(s, src, dst, k, limits[li], paths);
				uint32_t	expect = total < k ? total : k;

				CHECK(got == expect, "yen %u->%u k=%u hops=%u: %u paths, want %u", src, dst, k,
					  limits[li], got, expect);
				for (uint32_t i = 0; i < got; i++)
				{
					uint8_t		seen[64] = {0};
					bool		simple = true;

					for (uint32_t j = 0; j < paths[i].len; j++)
					{
						simple = simple && !seen[paths[i].nodes[j]];
						seen[paths[i].nodes[j]] = 1;
					}
					CHECK(simple, "yen path is loopless");
					CHECK(paths[i].nodes[0] == src && paths[i].nodes[paths[i].len - 1] == dst, "yen ends");
					CHECK(close_to(seq_cost(c, n, paths[i].nodes, paths[i].len, false), paths[i].cost),
						  "yen path cost");
					CHECK(limits[li] == GR_NO_LIMIT || paths[i].len - 1 <= limits[li], "yen hop limit");
					if (i < 4096)
						CHECK(close_to(paths[i].cost, want[i]), "yen %u->%u path %u cost %g want %g",
							  src, dst, i, paths[i].cost, want[i]);
					for (uint32_t j = 0; j < i; j++)
						CHECK(paths[j].len != paths[i].len ||
							  memcmp(paths[j].nodes, paths[i].nodes, sizeof(uint32_t) * paths[i].len) != 0,
							  "yen paths distinct");
				}
				for (uint32_t i = 0; i < got; i++)
					free(paths[i].nodes);
			}
		}
	gr_search_free(s);
	free(c);
}

/* Is t reached from the sources when node `skip` is removed? */
static bool
reaches(const GrGraph *g, const uint32_t *src, uint32_t ns, uint32_t skip, uint32_t t)
{
	uint8_t		seen[64] = {0};
	uint32_t	q[64],
				head = 0,
				tail = 0;

	for (uint32_t i = 0; i < ns; i++)
		if (src[i] != skip && !seen[src[i]])
		{
			seen[src[i]] = 1;
			q[tail++] = src[i];
		}
	while (head < tail)
	{
		uint32_t	u = q[head++];

		for (uint32_t p = g->fwd_off[u]; p < g->fwd_off[u + 1]; p++)
		{
			uint32_t	v = g->fwd_dst[p];

			if (v != skip && !seen[v])
			{
				seen[v] = 1;
				q[tail++] = v;
			}
		}
	}
	return seen[t];
}

static void
check_analysis(const GrGraph *g)
{
	uint32_t	n = g->n;
	uint32_t	src[3],
				ns = 1 + rnd(3);
	uint8_t		is_target[64] = {0};
	uint32_t	idom[64],
				dom[64],
				comp[64];
	GrSearch   *s = gr_search_new(g);
	uint64_t	node_paths[64] = {0};
	uint64_t   *arc_paths = calloc(g->m + 1, sizeof(uint64_t));

	for (uint32_t i = 0; i < ns; i++)
		src[i] = rnd(n);
	for (uint32_t i = 0; i < 3; i++)
		is_target[rnd(n)] = 1;

	/* dominators vs "removing v cuts t off" */
	gr_dominators(g, src, ns, is_target, idom, dom);
	for (uint32_t v = 0; v < n; v++)
	{
		uint32_t	want = 0;

		for (uint32_t t = 0; t < n; t++)
			if (is_target[t] && reaches(g, src, ns, GR_NONE, t) && (t == v || !reaches(g, src, ns, v, t)))
				want++;
		CHECK(dom[v] == want, "dominated targets of %u: %u vs %u", v, dom[v], want);
	}

	/* path counts: pairs, and arc totals equal the summed lengths of the best paths */
	{
		uint64_t	pairs = gr_count_best_paths(s, src, ns, is_target, node_paths, arc_paths);
		uint64_t	want_pairs = 0,
					want_arcs = 0,
					got_arcs = 0;
		uint32_t	path[64];

		for (uint32_t i = 0; i < ns; i++)
		{
			gr_shortest_paths(s, &src[i], 1, false, GR_NONE, INFINITY, GR_NO_LIMIT, NULL, 0);
			for (uint32_t t = 0; t < n; t++)
				if (is_target[t] && t != src[i] && s->dist[t] != INFINITY)
				{
					want_pairs++;
					want_arcs += gr_path_nodes(s, t, path) - 1;
				}
		}
		for (uint32_t p = 0; p < g->m; p++)
			got_arcs += arc_paths[p];
		CHECK(pairs == want_pairs, "path pairs %llu vs %llu", (unsigned long long) pairs,
			  (unsigned long long) want_pairs);
		CHECK(got_arcs == want_arcs, "arc path total %llu vs %llu", (unsigned long long) got_arcs,
			  (unsigned long long) want_arcs);
	}

	/* strongly connected components vs mutual reachability */
	gr_strong_components(g, comp);
	for (uint32_t u = 0; u < n; u++)
		for (uint32_t v = 0; v < n; v++)
		{
			bool		mutual = (u == v) || (reaches(g, &u, 1, GR_NONE, v) && reaches(g, &v, 1, GR_NONE, u));

			CHECK((comp[u] == comp[v]) == mutual, "scc %u %u", u, v);
		}

	/* minimum cut vs every subset of arcs (small graphs) */
	if (g->m <= 14)
	{
		double	   *cap = malloc(sizeof(double) * (g->m + 1));
		uint32_t	cut[64],
					ncut;
		double		total,
					best = INFINITY;
		uint8_t		tgt2[64];
		uint32_t	src2[3],
					ns2 = 0;

		memcpy(tgt2, is_target, sizeof(tgt2));
		for (uint32_t i = 0; i < ns; i++)
			tgt2[src[i]] = 0;	/* a source that is a target cannot be cut off */
		for (uint32_t i = 0; i < ns; i++)
			src2[ns2++] = src[i];
		for (uint32_t p = 0; p < g->m; p++)
			cap[p] = rnd(4);
		ncut = gr_min_cut(g, src2, ns2, tgt2, cap, cut, &total);
		for (uint32_t mask = 0; mask < (1u << g->m); mask++)
		{
			/* remove the arcs in mask; still connected? */
			GrGraph		h = *g;
			uint32_t   *dst = malloc(sizeof(uint32_t) * (g->m + 1));
			double		sum = 0;
			bool		connected = false;

			memcpy(dst, g->fwd_dst, sizeof(uint32_t) * g->m);
			for (uint32_t p = 0; p < g->m; p++)
				if (mask & (1u << p))
				{
					sum += cap[p];
					dst[p] = gr_arc_source(g, p);	/* a self-loop: harmless for reachability */
				}
			h.fwd_dst = dst;
			for (uint32_t t = 0; t < n && !connected; t++)
				connected = tgt2[t] && reaches(&h, src2, ns2, GR_NONE, t);
			if (!connected && sum < best)
				best = sum;
			free(dst);
		}
		CHECK(close_to(total, best), "min cut %g vs brute %g", total, best);
		{
			GrGraph		h = *g;
			uint32_t   *dst = malloc(sizeof(uint32_t) * (g->m + 1));
			bool		connected = false;

			memcpy(dst, g->fwd_dst, sizeof(uint32_t) * g->m);
			for (uint32_t i = 0; i < ncut; i++)
				dst[cut[i]] = gr_arc_source(g, cut[i]);
			h.fwd_dst = dst;
			for (uint32_t t = 0; t < n && !connected; t++)
				connected = tgt2[t] && reaches(&h, src2, ns2, GR_NONE, t);
			CHECK(!connected, "the cut disconnects");
			free(dst);
		}
		free(cap);
	}
	free(arc_paths);
	gr_search_free(s);
}

/*
 * gr_reach (blast_radius) against gr_bfs + gr_shortest_paths: the same hops, the same costs (to
 * the bit), a predecessor on a best path, and Dijkstra's own predecessor wherever no best path
 * ends with a zero-cost arc (there both searches may pick different equally good ones).
 */
static void
check_reach(const GrGraph *g, uint32_t nsrc, double max_cost)
{
	GrSearch   *ref = gr_search_new(g);
	GrSearch   *s = gr_search_new(g);
	uint32_t	sources[3];
	uint32_t   *hops = malloc(sizeof(uint32_t) * (g->n + 1));
	uint32_t	expect = 0;

	for (uint32_t i = 0; i < nsrc; i++)
		sources[i] = rnd(g->n);
	gr_bfs(ref, sources, nsrc, false, GR_NO_LIMIT);
	for (uint32_t v = 0; v < g->n; v++)
		hops[v] = ref->hops[v];
	gr_shortest_paths(ref, sources, nsrc, false, GR_NONE, max_cost, GR_NO_LIMIT, NULL, 0);
	gr_reach(s, sources, nsrc, max_cost);
	for (uint32_t v = 0; v < g->n; v++)
	{
		bool		zero_tie = false;

		if (ref->dist[v] == INFINITY)
		{
			CHECK(s->dist[v] == INFINITY || s->dist[v] > max_cost, "reach: %u unreached", v);
			continue;
		}
		expect++;
		CHECK(s->dist[v] == ref->dist[v], "reach: cost of %u %.17g, Dijkstra %.17g", v, s->dist[v],
			  ref->dist[v]);
		CHECK(s->hops[v] == hops[v], "reach: hops of %u %u, BFS %u", v, s->hops[v], hops[v]);
		if (ref->pred[v] == GR_NONE)
		{
			CHECK(s->pred[v] == GR_NONE, "reach: %u is a source", v);
			continue;
		}
		CHECK(s->pred[v] != GR_NONE && gr_arc_find(g, s->pred[v], v) != GR_NONE &&
			  ref->dist[s->pred[v]] + gr_arc_cost(g, s->pred[v], v) == ref->dist[v],
			  "reach: predecessor of %u on a best path", v);
		for (uint32_t p = g->rev_off[v]; p < g->rev_off[v + 1]; p++)
		{
			uint32_t	u = g->rev_src[p];

			if (gr_arc_cost(g, u, v) == 0.0 && ref->dist[u] == ref->dist[v])
				zero_tie = true;
		}
		if (!zero_tie)
			CHECK(s->pred[v] == ref->pred[v], "reach: predecessor of %u %u, Dijkstra %u", v,
				  s->pred[v], ref->pred[v]);
	}
	CHECK(s->norder == expect, "reach: %u nodes listed, %u reached", s->norder, expect);
	for (uint32_t i = 1; i < s->norder; i++)
		CHECK(s->order[i - 1] < s->order[i], "reach: nodes listed in ascending order");
	/* the same search object again: nothing of the last search may leak into the next */
	gr_reach(s, sources, nsrc, max_cost);
	CHECK(s->norder == expect, "reach: a second search lists the same %u nodes", expect);
	free(hops);
	gr_search_free(s);
	gr_search_free(ref);
}

/* MulVAL's 3-host example: internet -> web -> file -> workstation, plus a side branch. */
static void
check_mulval_shape(void)
{
	GrBuilder  *b = gr_builder_new();
	GrGraph		g;
	uint32_t	idom[5],
				dom[5],
				src = 0,
				cut[8],
				ncut;
	uint8_t		tgt[5] = {0, 0, 0, 1, 0};
	double		cap[8],
				total;

	for (int i = 0; i < 5; i++)
		gr_builder_add_node(b, 10 + i, 0);
	gr_builder_nodes_done(b);
	gr_builder_add_edge(b, 10, 11, 0.9);	/* internet -> web */
	gr_builder_add_edge(b, 11, 12, 0.8);	/* web -> file */
	gr_builder_add_edge(b, 11, 12, 0.5);	/* parallel, less likely: merged */
	gr_builder_add_edge(b, 12, 13, 0.7);	/* file -> workstation */
	gr_builder_add_edge(b, 11, 14, 0.9);	/* web -> printer (dead end) */
	gr_builder_finish(b, &g);
	CHECK(g.m == 4, "parallel edges merged: %u arcs", g.m);
	gr_dominators(&g, &src, 1, tgt, idom, dom);
	CHECK(dom[1] == 1 && dom[2] == 1 && dom[4] == 0, "web and file dominate the workstation");
	CHECK(idom[3] == 2 && idom[2] == 1 && idom[1] == 0, "idom chain");
	for (uint32_t p = 0; p < g.m; p++)
		cap[p] = 5;
	cap[gr_arc_find(&g, 2, 3)] = 2;
	ncut = gr_min_cut(&g, &src, 1, tgt, cap, cut, &total);
	CHECK(ncut == 1 && cut[0] == gr_arc_find(&g, 2, 3) && total == 2, "cheapest fix is file->ws");
	cap[gr_arc_find(&g, 2, 3)] = 5;
	ncut = gr_min_cut(&g, &src, 1, tgt, cap, cut, &total);
	CHECK(ncut == 1 && cut[0] == gr_arc_find(&g, 0, 1), "equal costs: the cut nearest the sources");
	graph_free(&g);
}

int
main(void)
{
	for (int round = 0; round < 800; round++)
	{
		uint32_t	n = 2 + rnd(10);
		uint32_t	m = rnd(n * 3);
		Edge	   *rows = malloc(sizeof(Edge) * (m + 1));
		GrGraph		g;
		bool		sparse_ids = rnd(2);

		random_graph(&g, n, m, 1000 + rnd(50), sparse_ids ? 1000003 : 1, rows, rnd(2));
		check_csr(&g, rows, m);
		check_searches(&g);
		check_yen(&g);
		check_analysis(&g);
		check_reach(&g, 1 + rnd(3), rnd(4) == 0 ? 1.5 : INFINITY);
		graph_free(&g);
		free(rows);
	}
	/* larger graphs: big batches, bottom-up BFS levels, many buckets; then the Dijkstra fallback */
	for (int round = 0; round < 24; round++)
	{
		uint32_t	n = 500 + rnd(3000);
		uint32_t	m = n * (1 + rnd(12));
		Edge	   *rows = malloc(sizeof(Edge) * (m + 1));
		GrGraph		g;

		random_graph(&g, n, m, 1, 1, rows, round % 2);
		gr_reach_budget = round < 20 ? 4 : 0;
		check_reach(&g, 1 + rnd(3), round % 5 == 0 ? 2.0 : INFINITY);
		graph_free(&g);
		free(rows);
	}
	gr_reach_budget = 4;
	check_mulval_shape();
	printf("%d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
