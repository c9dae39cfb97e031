/*
 * yen.c: Yen's k most likely loopless paths between two nodes (plain C).
 *
 * Path i+1 is the cheapest "deviation" of the paths found so far: for each node j of path i (the
 * spur node), the search is repeated from it with the nodes before it blocked (loopless) and the
 * arcs that earlier paths with the same first j+1 nodes took out of it banned (new), and the root
 * path 0..j is prepended. With a hop limit the spur search gets what the root left of it, which
 * keeps the order exact for hop-bounded paths too. Candidates tie on cost within a relative 1e-9
 * (float costs summed in different orders); ties go to fewer hops, then to lower node indexes,
 * so the result is deterministic.
 */
#include "graph/graph_core.h"

#include <math.h>
#include <string.h>

typedef struct Candidates
{
	GrPath	   *items;
	uint32_t	len;
	uint32_t	cap;
} Candidates;

/* a before b? */
static bool
path_less(const GrPath *a, const GrPath *b)
{
	double		tol = 1e-9 * fmax(1.0, fmax(a->cost, b->cost));

	if (a->cost < b->cost - tol)
		return true;
	if (b->cost < a->cost - tol)
		return false;
	if (a->len != b->len)
		return a->len < b->len;
	for (uint32_t i = 0; i < a->len; i++)
		if (a->nodes[i] != b->nodes[i])
			return a->nodes[i] < b->nodes[i];
	return false;
}

static bool
path_equal(const GrPath *a, const uint32_t *nodes, uint32_t len)
{
	return a->len == len && memcmp(a->nodes, nodes, sizeof(uint32_t) * len) == 0;
}

static void
candidates_add(Candidates *c, uint32_t *nodes, uint32_t len, double cost)
{
	GrPath	   *p;

	if (c->len == c->cap)
	{
		c->cap = c->cap ? c->cap * 2 : 16;
		c->items = gr_grow(c->items, sizeof(GrPath) * c->len, sizeof(GrPath) * c->cap);
	}
	p = &c->items[c->len++];
	p->len = len;
	p->cost = cost;
	p->nodes = gr_hooks.alloc(sizeof(uint32_t) * len);
	memcpy(p->nodes, nodes, sizeof(uint32_t) * len);
}

/* Most likely path src -> dst: bidirectional unless hop-bounded. Returns its node count. */
static uint32_t
spur_search(GrSearch *s, uint32_t src, uint32_t dst, uint32_t max_hops, const uint32_t *banned,
			uint32_t nbanned, uint32_t *out, double *cost)
{
	uint32_t	len;

	if (max_hops == GR_NO_LIMIT)
		return gr_best_path(s, src, dst, banned, nbanned, out, cost);
	gr_shortest_paths(s, &src, 1, false, dst, INFINITY, max_hops, banned, nbanned);
	len = gr_path_nodes(s, dst, out);
	*cost = len ? s->dist[dst] : INFINITY;
	return len;
}

uint32_t
gr_k_shortest_paths(GrSearch *s, uint32_t src, uint32_t dst, uint32_t k, uint32_t max_hops,
					GrPath *out)
{
	const GrGraph *g = s->g;
	uint32_t   *spur_path = gr_hooks.alloc(sizeof(uint32_t) * (g->n + 1));
	uint32_t   *cand = gr_hooks.alloc(sizeof(uint32_t) * (g->n + 1));
	uint32_t   *banned = gr_hooks.alloc(sizeof(uint32_t) * (k + 1));
	Candidates	B = {NULL, 0, 0};
	uint32_t	found = 0,
				len;
	double		cost = 0.0;

	if (k == 0 || src == dst)
		goto done;
	len = spur_search(s, src, dst, max_hops, NULL, 0, spur_path, &cost);
	if (len == 0)
		goto done;
	out[0].len = len;
	out[0].cost = cost;
	out[0].nodes = gr_hooks.alloc(sizeof(uint32_t) * len);
	memcpy(out[0].nodes, spur_path, sizeof(uint32_t) * len);
	found = 1;

	while (found < k)
	{
		const GrPath *prev = &out[found - 1];
		double		root_cost = 0.0;
		uint32_t	best;

		for (uint32_t j = 0; j + 1 < prev->len; j++)
		{
			uint32_t	spur = prev->nodes[j];
			uint32_t	nbanned = 0,
						slen,
						hops_left;

			GR_CHECK_INTERRUPTS();
			if (j > 0)
				root_cost += gr_arc_cost(g, prev->nodes[j - 1], spur);
			/* arcs out of the spur node already used by found paths with this root */
			for (uint32_t i = 0; i < found; i++)
				if (out[i].len > j + 1 &&
					memcmp(out[i].nodes, prev->nodes, sizeof(uint32_t) * (j + 1)) == 0)
					banned[nbanned++] = out[i].nodes[j + 1];
			hops_left = (max_hops == GR_NO_LIMIT) ? GR_NO_LIMIT : max_hops - j;
			for (uint32_t i = 0; i < j; i++)
				s->blocked[prev->nodes[i]] = 1;
			slen = spur_search(s, spur, dst, hops_left, banned, nbanned, spur_path, &cost);
			for (uint32_t i = 0; i < j; i++)
				s->blocked[prev->nodes[i]] = 0;
			if (slen == 0)
				continue;
			memcpy(cand, prev->nodes, sizeof(uint32_t) * j);
			memcpy(cand + j, spur_path, sizeof(uint32_t) * slen);
			{
				bool		dup = false;

				for (uint32_t i = 0; i < B.len && !dup; i++)
					dup = path_equal(&B.items[i], cand, j + slen);
				if (!dup)
					candidates_add(&B, cand, j + slen, root_cost + cost);
			}
		}
		if (B.len == 0)
			break;
		best = 0;
		for (uint32_t i = 1; i < B.len; i++)
			if (path_less(&B.items[i], &B.items[best]))
				best = i;
		out[found++] = B.items[best];
		B.items[best] = B.items[--B.len];
	}

done:
	for (uint32_t i = 0; i < B.len; i++)
		gr_hooks.release(B.items[i].nodes);
	if (B.items)
		gr_hooks.release(B.items);
	gr_hooks.release(spur_path);
	gr_hooks.release(cand);
	gr_hooks.release(banned);
	return found;
}
