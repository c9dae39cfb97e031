/*
 * analysis.c: whole-graph answers built on the searches (plain C): how many most-likely
 * (source, target) paths cross each node and arc, dominators, strongly connected components.
 *
 * Path counts: one Dijkstra per source; in its shortest-path tree, the number of targets below a
 * node is the number of that source's best paths crossing it, accumulated from the leaves up in
 * reverse settle order: O(sources * (m log n)) with no per-path walk.
 *
 * Dominators: Cooper, Harvey and Kennedy, "A Simple, Fast Dominance Algorithm" (2001), on the
 * part of the graph reached from a virtual root whose children are the sources, iterated over a
 * reverse postorder from an explicit-stack DFS (no recursion: paths can be a million nodes long).
 *
 * Components: Tarjan's algorithm with an explicit stack.
 */
#include "graph/graph_core.h"

#include <math.h>
#include <string.h>

uint64_t
gr_count_best_paths(GrSearch *s, const uint32_t *sources, uint32_t nsources,
					const uint8_t *is_target, uint64_t *node_paths, uint64_t *arc_paths)
{
	const GrGraph *g = s->g;
	uint64_t   *below = gr_hooks.alloc(sizeof(uint64_t) * (g->n ? g->n : 1));
	uint64_t	pairs = 0;

	uint32_t	ntargets = 0;

	memset(below, 0, sizeof(uint64_t) * (g->n ? g->n : 1));
	for (uint32_t v = 0; v < g->n; v++)
		ntargets += is_target[v] ? 1 : 0;
	for (uint32_t i = 0; i < nsources; i++)
	{
		uint32_t	src = sources[i];

		/* nothing past the last target settled matters to the counts */
		s->stop_mask = is_target;
		s->stop_count = ntargets;
		gr_shortest_paths(s, &src, 1, false, GR_NONE, INFINITY, GR_NO_LIMIT, NULL, 0);
		s->stop_mask = NULL;
		for (uint32_t j = s->norder; j-- > 0;)
		{
			uint32_t	v = s->order[j];
			uint64_t	c = below[v];

			GR_CHECK_INTERRUPTS();
			if (is_target[v] && v != src)
			{
				c++;
				pairs++;
			}
			below[v] = 0;
			if (c == 0)
				continue;
			node_paths[v] += c;
			if (s->pred[v] != GR_NONE)
			{
				below[s->pred[v]] += c;
				arc_paths[gr_arc_find(g, s->pred[v], v)] += c;
			}
		}
	}
	gr_hooks.release(below);
	return pairs;
}

/* Walks up the dominator tree from a and b to their nearest common dominator. */
static uint32_t
intersect(const uint32_t *idom, const uint32_t *po, uint32_t a, uint32_t b)
{
	while (a != b)
	{
		while (po[a] < po[b])
			a = idom[a];
		while (po[b] < po[a])
			b = idom[b];
	}
	return a;
}

uint32_t
gr_dominators(const GrGraph *g, const uint32_t *sources, uint32_t nsources,
			  const uint8_t *is_target, uint32_t *idom_out, uint32_t *dominated_targets)
{
	uint32_t	n = g->n;
	uint32_t	root = n;		/* the virtual root above the sources */
	uint32_t   *po = gr_hooks.alloc(sizeof(uint32_t) * (n + 1));	/* postorder number */
	uint32_t   *rpo = gr_hooks.alloc(sizeof(uint32_t) * (n + 1));	/* nodes by postorder */
	uint32_t   *stack = gr_hooks.alloc(sizeof(uint32_t) * (n + 1));
	uint32_t   *next = gr_hooks.alloc(sizeof(uint32_t) * (n + 1));	/* next child to try */
	uint32_t   *idom = gr_hooks.alloc(sizeof(uint32_t) * (n + 1));
	uint8_t    *is_source = gr_hooks.alloc(n + 1);
	uint32_t	depth = 0,
				count = 0;
	bool		changed = true;

	memset(po, 0xff, sizeof(uint32_t) * (n + 1));
	memset(idom, 0xff, sizeof(uint32_t) * (n + 1));
	memset(is_source, 0, n + 1);
	for (uint32_t i = 0; i < nsources; i++)
		is_source[sources[i]] = 1;

	/* Postorder by DFS from the root; po[v] == GR_NONE - 1 marks "on the stack or done". */
	stack[depth] = root;
	next[depth] = 0;
	depth++;
	po[root] = GR_NONE - 1;
	while (depth > 0)
	{
		uint32_t	v = stack[depth - 1];
		uint32_t	child = GR_NONE;

		GR_CHECK_INTERRUPTS();
		if (v == root)
		{
			while (next[depth - 1] < nsources && child == GR_NONE)
			{
				uint32_t	c = sources[next[depth - 1]++];

				if (po[c] == GR_NONE)
					child = c;
			}
		}
		else
		{
			while (g->fwd_off[v] + next[depth - 1] < g->fwd_off[v + 1] && child == GR_NONE)
			{
				uint32_t	c = g->fwd_dst[g->fwd_off[v] + next[depth - 1]++];

				if (po[c] == GR_NONE)
					child = c;
			}
		}
		if (child != GR_NONE)
		{
			po[child] = GR_NONE - 1;
			stack[depth] = child;
			next[depth] = 0;
			depth++;
		}
		else
		{
			po[v] = count;
			rpo[count++] = v;
			depth--;
		}
	}

	/* Iterate to the fixed point in reverse postorder (rpo[count-1] is the root). */
	idom[root] = root;
	while (changed)
	{
		changed = false;
		for (uint32_t i = count - 1; i-- > 0;)
		{
			uint32_t	v = rpo[i];
			uint32_t	nd = GR_NONE;

			GR_CHECK_INTERRUPTS();
			if (is_source[v])
				nd = root;
			for (uint32_t p = g->rev_off[v]; p < g->rev_off[v + 1]; p++)
			{
				uint32_t	u = g->rev_src[p];

				if (idom[u] == GR_NONE)
					continue;	/* unreached, or not processed yet */
				nd = (nd == GR_NONE) ? u : intersect(idom, po, u, nd);
			}
			if (idom[v] != nd)
			{
				idom[v] = nd;
				changed = true;
			}
		}
	}

	/* Targets below each node of the dominator tree: children have lower postorder numbers. */
	if (dominated_targets)
	{
		memset(dominated_targets, 0, sizeof(uint32_t) * n);
		for (uint32_t i = 0; i + 1 < count; i++)
		{
			uint32_t	v = rpo[i];

			if (is_target[v])
				dominated_targets[v]++;
			if (idom[v] != root)
				dominated_targets[idom[v]] += dominated_targets[v];
		}
	}
	for (uint32_t v = 0; v < n; v++)
		idom_out[v] = (idom[v] == root) ? GR_NONE : idom[v];

	gr_hooks.release(po);
	gr_hooks.release(rpo);
	gr_hooks.release(stack);
	gr_hooks.release(next);
	gr_hooks.release(idom);
	gr_hooks.release(is_source);
	return count - 1;
}

uint32_t
gr_strong_components(const GrGraph *g, uint32_t *comp)
{
	uint32_t	n = g->n;
	uint32_t   *index = gr_hooks.alloc(sizeof(uint32_t) * (n ? n : 1));
	uint32_t   *low = gr_hooks.alloc(sizeof(uint32_t) * (n ? n : 1));
	uint32_t   *stack = gr_hooks.alloc(sizeof(uint32_t) * (n ? n : 1));	/* Tarjan's stack */
	uint32_t   *cs = gr_hooks.alloc(sizeof(uint32_t) * (n ? n : 1));	/* call stack: node */
	uint32_t   *cp = gr_hooks.alloc(sizeof(uint32_t) * (n ? n : 1));	/* call stack: arc */
	uint8_t    *on = gr_hooks.alloc(n ? n : 1);
	uint32_t	next_index = 0,
				sp = 0,
				count = 0;

	memset(index, 0xff, sizeof(uint32_t) * (n ? n : 1));
	memset(on, 0, n ? n : 1);
	for (uint32_t r = 0; r < n; r++)
	{
		uint32_t	depth = 0;

		if (index[r] != GR_NONE)
			continue;
		index[r] = low[r] = next_index++;
		stack[sp++] = r;
		on[r] = 1;
		cs[depth] = r;
		cp[depth] = g->fwd_off[r];
		depth++;
		while (depth > 0)
		{
			uint32_t	v = cs[depth - 1];

			GR_CHECK_INTERRUPTS();
			if (cp[depth - 1] < g->fwd_off[v + 1])
			{
				uint32_t	w = g->fwd_dst[cp[depth - 1]++];

				if (index[w] == GR_NONE)
				{
					index[w] = low[w] = next_index++;
					stack[sp++] = w;
					on[w] = 1;
					cs[depth] = w;
					cp[depth] = g->fwd_off[w];
					depth++;
				}
				else if (on[w] && index[w] < low[v])
					low[v] = index[w];
				continue;
			}
			depth--;
			if (depth > 0 && low[v] < low[cs[depth - 1]])
				low[cs[depth - 1]] = low[v];
			if (low[v] == index[v])
			{
				uint32_t	w;

				do
				{
					w = stack[--sp];
					on[w] = 0;
					comp[w] = count;
				} while (w != v);
				count++;
			}
		}
	}
	gr_hooks.release(index);
	gr_hooks.release(low);
	gr_hooks.release(stack);
	gr_hooks.release(cs);
	gr_hooks.release(cp);
	gr_hooks.release(on);
	return count;
}
