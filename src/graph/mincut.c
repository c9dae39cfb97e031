/*
 * mincut.c: the cheapest set of arcs whose removal cuts every source from every target
 * (max-flow/min-cut, Dinic's algorithm, plain C).
 *
 * Only the nodes that lie on some source-to-target path matter (reached forward from the sources
 * and backward from the targets), so the flow network is built on those, with a super source
 * feeding every source and a super sink fed by every target through arcs of "infinite" capacity
 * (more than all finite capacities together, so no cheapest cut uses them). Augmenting paths are
 * found with an explicit stack (no recursion). The cut returned is the arcs leaving the set the
 * super source still reaches in the residual graph: of all cheapest cuts, the one nearest the
 * sources, which is unique, so equal-cost alternatives never make the answer change between runs.
 */
#include "graph/graph_core.h"

#include <math.h>
#include <string.h>

typedef struct Flow
{
	uint32_t	nn;				/* network nodes: relevant graph nodes + super source + sink */
	uint32_t	ne;				/* arcs, residual twins included (arc e's twin is e ^ 1) */
	uint32_t   *to;
	double	   *res;			/* residual capacity */
	uint32_t   *orig;			/* forward position of the graph arc, GR_NONE otherwise */
	uint32_t   *off;			/* [nn+1] arcs out of each network node, by index */
	uint32_t   *adj;
	int32_t    *level;
	uint32_t   *it;
	uint32_t   *queue;
} Flow;

static void
reach(const GrGraph *g, const uint32_t *start, uint32_t nstart, bool reverse, uint8_t *mark,
	  uint8_t bit, uint32_t *queue)
{
	uint32_t	head = 0,
				tail = 0;

	for (uint32_t i = 0; i < nstart; i++)
		if (!(mark[start[i]] & bit))
		{
			mark[start[i]] |= bit;
			queue[tail++] = start[i];
		}
	while (head < tail)
	{
		uint32_t	u = queue[head++];
		uint32_t	lo = reverse ? g->rev_off[u] : g->fwd_off[u];
		uint32_t	hi = reverse ? g->rev_off[u + 1] : g->fwd_off[u + 1];

		GR_CHECK_INTERRUPTS();
		for (uint32_t p = lo; p < hi; p++)
		{
			uint32_t	v = reverse ? g->rev_src[p] : g->fwd_dst[p];

			if (!(mark[v] & bit))
			{
				mark[v] |= bit;
				queue[tail++] = v;
			}
		}
	}
}

static bool
flow_levels(Flow *f, uint32_t S, uint32_t T, double eps)
{
	uint32_t	head = 0,
				tail = 0;

	for (uint32_t v = 0; v < f->nn; v++)
		f->level[v] = -1;
	f->level[S] = 0;
	f->queue[tail++] = S;
	while (head < tail)
	{
		uint32_t	u = f->queue[head++];

		GR_CHECK_INTERRUPTS();
		for (uint32_t i = f->off[u]; i < f->off[u + 1]; i++)
		{
			uint32_t	e = f->adj[i];

			if (f->res[e] > eps && f->level[f->to[e]] < 0)
			{
				f->level[f->to[e]] = f->level[u] + 1;
				f->queue[tail++] = f->to[e];
			}
		}
	}
	return f->level[T] >= 0;
}

/* One blocking flow on the level graph; explicit stack of arcs. */
static double
flow_block(Flow *f, uint32_t S, uint32_t T, double eps, uint32_t *path)
{
	double		total = 0.0;
	uint32_t	depth = 0,
				u = S;

	for (uint32_t v = 0; v < f->nn; v++)
		f->it[v] = f->off[v];
	for (;;)
	{
		GR_CHECK_INTERRUPTS();
		if (u == T)
		{
			double		b = INFINITY;

			for (uint32_t i = 0; i < depth; i++)
				b = fmin(b, f->res[path[i]]);
			for (uint32_t i = 0; i < depth; i++)
			{
				f->res[path[i]] -= b;
				f->res[path[i] ^ 1] += b;
			}
			total += b;
			depth = 0;
			u = S;
			continue;
		}
		while (f->it[u] < f->off[u + 1])
		{
			uint32_t	e = f->adj[f->it[u]];

			if (f->res[e] > eps && f->level[f->to[e]] == f->level[u] + 1)
				break;
			f->it[u]++;
		}
		if (f->it[u] < f->off[u + 1])
		{
			uint32_t	e = f->adj[f->it[u]];

			path[depth++] = e;
			u = f->to[e];
			continue;
		}
		/* dead end: retreat */
		f->level[u] = -1;
		if (depth == 0)
			break;
		u = f->to[path[--depth] ^ 1];
		f->it[u]++;
	}
	return total;
}

uint32_t
gr_min_cut(const GrGraph *g, const uint32_t *sources, uint32_t nsources,
		   const uint8_t *is_target, const double *cap, uint32_t *cut, double *total)
{
	uint32_t	n = g->n;
	uint8_t    *mark = gr_hooks.alloc(n ? n : 1);
	uint32_t   *queue = gr_hooks.alloc(sizeof(uint32_t) * (n ? n : 1));
	uint32_t   *local = gr_hooks.alloc(sizeof(uint32_t) * (n ? n : 1));
	uint32_t   *targets = gr_hooks.alloc(sizeof(uint32_t) * (n ? n : 1));
	uint32_t   *from,
			   *path;
	uint32_t	ntargets = 0,
				nrel = 0,
				S,
				T,
				ncut = 0,
				e;
	double		inf = 1.0,
				eps;
	Flow		f;

	*total = 0.0;
	memset(mark, 0, n ? n : 1);
	for (uint32_t v = 0; v < n; v++)
		if (is_target[v])
			targets[ntargets++] = v;
	reach(g, sources, nsources, false, mark, 1, queue);
	reach(g, targets, ntargets, true, mark, 2, queue);
	for (uint32_t v = 0; v < n; v++)
		local[v] = (mark[v] == 3) ? nrel++ : GR_NONE;

	/* Count network arcs: graph arcs inside the relevant set, source and target arcs. */
	memset(&f, 0, sizeof(f));
	f.nn = nrel + 2;
	S = nrel;
	T = nrel + 1;
	f.ne = 0;
	for (uint32_t u = 0; u < n; u++)
	{
		if (local[u] == GR_NONE)
			continue;
		for (uint32_t p = g->fwd_off[u]; p < g->fwd_off[u + 1]; p++)
			if (local[g->fwd_dst[p]] != GR_NONE)
			{
				f.ne += 2;
				inf += cap[p];
			}
		if (is_target[u])
			f.ne += 2;
	}
	for (uint32_t i = 0; i < nsources; i++)
		if (local[sources[i]] != GR_NONE)
			f.ne += 2;
	eps = 1e-12 * inf;
	f.to = gr_hooks.alloc(sizeof(uint32_t) * (f.ne + 1));
	f.res = gr_hooks.alloc(sizeof(double) * (f.ne + 1));
	f.orig = gr_hooks.alloc(sizeof(uint32_t) * (f.ne + 1));
	from = gr_hooks.alloc(sizeof(uint32_t) * (f.ne + 1));
	e = 0;
#define ADD_ARC(a, b, c, o) do { \
		from[e] = (a); f.to[e] = (b); f.res[e] = (c); f.orig[e] = (o); e++; \
		from[e] = (b); f.to[e] = (a); f.res[e] = 0.0; f.orig[e] = GR_NONE; e++; } while (0)
	for (uint32_t i = 0; i < nsources; i++)
		if (local[sources[i]] != GR_NONE)
			ADD_ARC(S, local[sources[i]], inf, GR_NONE);
	for (uint32_t u = 0; u < n; u++)
	{
		if (local[u] == GR_NONE)
			continue;
		for (uint32_t p = g->fwd_off[u]; p < g->fwd_off[u + 1]; p++)
			if (local[g->fwd_dst[p]] != GR_NONE)
				ADD_ARC(local[u], local[g->fwd_dst[p]], cap[p], p);
		if (is_target[u])
			ADD_ARC(local[u], T, inf, GR_NONE);
	}
#undef ADD_ARC

	/* Adjacency of the network by counting sort on the arcs' tails. */
	f.off = gr_hooks.alloc(sizeof(uint32_t) * (f.nn + 1));
	f.adj = gr_hooks.alloc(sizeof(uint32_t) * (f.ne + 1));
	memset(f.off, 0, sizeof(uint32_t) * (f.nn + 1));
	for (uint32_t i = 0; i < f.ne; i++)
		f.off[from[i] + 1]++;
	for (uint32_t v = 0; v < f.nn; v++)
		f.off[v + 1] += f.off[v];
	{
		uint32_t   *fill = gr_hooks.alloc(sizeof(uint32_t) * (f.nn + 1));

		memcpy(fill, f.off, sizeof(uint32_t) * (f.nn + 1));
		for (uint32_t i = 0; i < f.ne; i++)
			f.adj[fill[from[i]]++] = i;
		gr_hooks.release(fill);
	}
	f.level = gr_hooks.alloc(sizeof(int32_t) * f.nn);
	f.it = gr_hooks.alloc(sizeof(uint32_t) * f.nn);
	f.queue = gr_hooks.alloc(sizeof(uint32_t) * f.nn);
	path = gr_hooks.alloc(sizeof(uint32_t) * f.nn);

	while (flow_levels(&f, S, T, eps))
		(void) flow_block(&f, S, T, eps, path);

	/* The source side: what S reaches in the residual graph (flow_levels leaves it in level). */
	flow_levels(&f, S, T, eps);
	for (uint32_t i = 0; i < f.ne; i++)
		if (f.orig[i] != GR_NONE && f.level[from[i]] >= 0 && f.level[f.to[i]] < 0)
		{
			cut[ncut++] = f.orig[i];
			*total += cap[f.orig[i]];
		}
	/* arcs were added in forward-position order, so cut is ascending */

	gr_hooks.release(mark);
	gr_hooks.release(queue);
	gr_hooks.release(local);
	gr_hooks.release(targets);
	gr_hooks.release(from);
	gr_hooks.release(path);
	gr_hooks.release(f.to);
	gr_hooks.release(f.res);
	gr_hooks.release(f.orig);
	gr_hooks.release(f.off);
	gr_hooks.release(f.adj);
	gr_hooks.release(f.level);
	gr_hooks.release(f.it);
	gr_hooks.release(f.queue);
	return ncut;
}
