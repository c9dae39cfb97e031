/*
 * search.c: most-likely paths (Dijkstra on -ln p), hop-bounded most-likely paths (layered
 * Bellman-Ford) and fewest-hop reachability (BFS), forward or reverse, over a CSR snapshot.
 *
 * Dijkstra uses a 4-ary heap indexed by node (decrease-key in place), which keeps the heap small
 * and its levels few. A search touches only what it reaches and records it, so the next search
 * resets just that: Yen's algorithm runs many searches that each reach a small part of a big graph.
 *
 * Hop-bounded search: round h relaxes the arcs out of the nodes improved in round h-1, using their
 * values as of the end of round h-1, so after round h every value is the best over paths of at
 * most h arcs. Each improvement is an entry in a log (node, value, entry it came from); a node
 * improved twice in one round updates its entry of that round in place, and a path is read back by
 * following entries, not per-node predecessors (the best path of <= h arcs to u need not extend
 * the best path to u's predecessor).
 */
#include "graph/graph.h"

#include <math.h>
#include <string.h>

typedef struct GrHopLog
{
	uint32_t   *node;
	uint32_t   *prev;			/* entry this one extends, GR_NONE for a source */
	uint32_t   *layer;
	double	   *d;
	uint32_t	len;
	uint32_t	cap;
	uint32_t   *last;			/* [n] latest entry of each node, GR_NONE when none */
} GrHopLog;

GrSearch *
gr_search_new(const GrGraph *g)
{
	GrSearch   *s = gr_hooks.alloc(sizeof(GrSearch));
	size_t		n = g->n ? g->n : 1;

	memset(s, 0, sizeof(GrSearch));
	s->g = g;
	s->dist = gr_hooks.alloc(sizeof(double) * n);
	s->pred = gr_hooks.alloc(sizeof(uint32_t) * n);
	s->hops = gr_hooks.alloc(sizeof(uint32_t) * n);
	s->order = gr_hooks.alloc(sizeof(uint32_t) * n);
	s->blocked = gr_hooks.alloc(n);
	s->touched = gr_hooks.alloc(sizeof(uint32_t) * n);
	s->heap = gr_hooks.alloc(sizeof(uint32_t) * n);
	s->heap_pos = gr_hooks.alloc(sizeof(uint32_t) * n);
	for (size_t i = 0; i < n; i++)
	{
		s->dist[i] = INFINITY;
		s->pred[i] = GR_NONE;
		s->hops[i] = UINT32_MAX;
		s->heap_pos[i] = GR_NONE;
	}
	memset(s->blocked, 0, n);
	return s;
}

void
gr_search_free(GrSearch *s)
{
	gr_hooks.release(s->dist);
	gr_hooks.release(s->pred);
	gr_hooks.release(s->hops);
	gr_hooks.release(s->order);
	gr_hooks.release(s->blocked);
	gr_hooks.release(s->touched);
	gr_hooks.release(s->heap);
	gr_hooks.release(s->heap_pos);
	if (s->log)
	{
		if (s->log->cap)
		{
			gr_hooks.release(s->log->node);
			gr_hooks.release(s->log->prev);
			gr_hooks.release(s->log->layer);
			gr_hooks.release(s->log->d);
		}
		gr_hooks.release(s->log->last);
		gr_hooks.release(s->log);
	}
	gr_hooks.release(s);
}

static void
search_reset(GrSearch *s)
{
	for (uint32_t i = 0; i < s->ntouched; i++)
	{
		uint32_t	v = s->touched[i];

		s->dist[v] = INFINITY;
		s->pred[v] = GR_NONE;
		s->hops[v] = UINT32_MAX;
		s->heap_pos[v] = GR_NONE;
		if (s->log)
			s->log->last[v] = GR_NONE;
	}
	s->ntouched = 0;
	s->norder = 0;
	s->heap_len = 0;
	s->last_hop_bounded = false;
}

static inline void
touch(GrSearch *s, uint32_t v)
{
	s->touched[s->ntouched++] = v;
}

/* ---- 4-ary heap on dist ------------------------------------------------------------------ */

static inline void
heap_place(GrSearch *s, uint32_t i, uint32_t v)
{
	s->heap[i] = v;
	s->heap_pos[v] = i;
}

static void
heap_sift_up(GrSearch *s, uint32_t i)
{
	uint32_t	v = s->heap[i];
	double		dv = s->dist[v];

	while (i > 0)
	{
		uint32_t	parent = (i - 1) / 4;

		if (s->dist[s->heap[parent]] <= dv)
			break;
		heap_place(s, i, s->heap[parent]);
		i = parent;
	}
	heap_place(s, i, v);
}

static uint32_t
heap_pop(GrSearch *s)
{
	uint32_t	top = s->heap[0];
	uint32_t	v,
				i = 0;
	double		dv;

	s->heap_pos[top] = GR_NONE;
	if (--s->heap_len == 0)
		return top;
	v = s->heap[s->heap_len];
	dv = s->dist[v];
	for (;;)
	{
		uint32_t	first = 4 * i + 1,
					best = GR_NONE;
		double		bd = dv;

		for (uint32_t c = first; c < first + 4 && c < s->heap_len; c++)
		{
			if (s->dist[s->heap[c]] < bd)
			{
				bd = s->dist[s->heap[c]];
				best = c;
			}
		}
		if (best == GR_NONE)
			break;
		heap_place(s, i, s->heap[best]);
		i = best;
	}
	heap_place(s, i, v);
	return top;
}

static inline void
heap_push_or_decrease(GrSearch *s, uint32_t v)
{
	if (s->heap_pos[v] == GR_NONE)
	{
		s->heap_pos[v] = s->heap_len;
		s->heap[s->heap_len++] = v;
	}
	heap_sift_up(s, s->heap_pos[v]);
}

static inline bool
is_banned(const uint32_t *banned, uint32_t nbanned, uint32_t v)
{
	for (uint32_t i = 0; i < nbanned; i++)
		if (banned[i] == v)
			return true;
	return false;
}

/* ---- Dijkstra ----------------------------------------------------------------------------- */

static void
dijkstra(GrSearch *s, const uint32_t *sources, uint32_t nsources, bool reverse, uint32_t target,
		 double max_cost, const uint32_t *banned, uint32_t nbanned)
{
	const GrGraph *g = s->g;
	uint32_t	ban_from = (nsources == 1 && nbanned > 0) ? sources[0] : GR_NONE;

	for (uint32_t i = 0; i < nsources; i++)
	{
		uint32_t	v = sources[i];

		if (s->dist[v] == 0.0)
			continue;
		touch(s, v);
		s->dist[v] = 0.0;
		s->hops[v] = 0;
		heap_push_or_decrease(s, v);
	}
	while (s->heap_len > 0)
	{
		uint32_t	u = heap_pop(s);
		double		du = s->dist[u];
		uint32_t	hu = s->hops[u] + 1;
		uint32_t	lo,
					hi;

		GR_CHECK_INTERRUPTS();
		s->order[s->norder++] = u;
		if (u == target)
			break;
		lo = reverse ? g->rev_off[u] : g->fwd_off[u];
		hi = reverse ? g->rev_off[u + 1] : g->fwd_off[u + 1];
		for (uint32_t p = lo; p < hi; p++)
		{
			uint32_t	v = reverse ? g->rev_src[p] : g->fwd_dst[p];
			double		nd;

			if (s->blocked[v] || (u == ban_from && is_banned(banned, nbanned, v)))
				continue;
			nd = du + (reverse ? gr_arc_cost(g, v, u) : (double) g->fwd_cost[p]);
			if (nd < s->dist[v] && nd <= max_cost)
			{
				if (s->dist[v] == INFINITY)
					touch(s, v);
				s->dist[v] = nd;
				s->pred[v] = u;
				s->hops[v] = hu;
				heap_push_or_decrease(s, v);
			}
		}
	}
	s->heap_len = 0;			/* an early stop leaves entries: forget them */
	for (uint32_t i = 0; i < s->ntouched; i++)
		s->heap_pos[s->touched[i]] = GR_NONE;
}

/* ---- hop-bounded (layered Bellman-Ford) ------------------------------------------------------ */

static uint32_t
log_add(GrHopLog *log, uint32_t v, uint32_t prev, uint32_t layer, double d)
{
	if (log->len == log->cap)
	{
		uint32_t	cap = log->cap ? log->cap * 2 : 1024;
		uint32_t   *node = gr_hooks.alloc(sizeof(uint32_t) * cap),
				   *prv = gr_hooks.alloc(sizeof(uint32_t) * cap),
				   *lay = gr_hooks.alloc(sizeof(uint32_t) * cap);
		double	   *dd = gr_hooks.alloc(sizeof(double) * cap);

		if (log->cap)
		{
			memcpy(node, log->node, sizeof(uint32_t) * log->len);
			memcpy(prv, log->prev, sizeof(uint32_t) * log->len);
			memcpy(lay, log->layer, sizeof(uint32_t) * log->len);
			memcpy(dd, log->d, sizeof(double) * log->len);
			gr_hooks.release(log->node);
			gr_hooks.release(log->prev);
			gr_hooks.release(log->layer);
			gr_hooks.release(log->d);
		}
		log->node = node;
		log->prev = prv;
		log->layer = lay;
		log->d = dd;
		log->cap = cap;
	}
	log->node[log->len] = v;
	log->prev[log->len] = prev;
	log->layer[log->len] = layer;
	log->d[log->len] = d;
	log->last[v] = log->len;
	return log->len++;
}

static void
hop_bounded(GrSearch *s, const uint32_t *sources, uint32_t nsources, bool reverse,
			double max_cost, uint32_t max_hops, const uint32_t *banned, uint32_t nbanned)
{
	const GrGraph *g = s->g;
	GrHopLog   *log = s->log;
	uint32_t	ban_from = (nsources == 1 && nbanned > 0) ? sources[0] : GR_NONE;
	uint32_t	start,
				end;

	if (log == NULL)
	{
		log = s->log = gr_hooks.alloc(sizeof(GrHopLog));
		memset(log, 0, sizeof(GrHopLog));
		log->last = gr_hooks.alloc(sizeof(uint32_t) * (g->n ? g->n : 1));
		memset(log->last, 0xff, sizeof(uint32_t) * (g->n ? g->n : 1));
	}
	log->len = 0;
	s->last_hop_bounded = true;
	for (uint32_t i = 0; i < nsources; i++)
	{
		uint32_t	v = sources[i];

		if (s->dist[v] == 0.0)
			continue;
		touch(s, v);
		s->dist[v] = 0.0;
		s->hops[v] = 0;
		log_add(log, v, GR_NONE, 0, 0.0);
	}
	start = 0;
	end = log->len;
	for (uint32_t h = 1; h <= max_hops && start < end; h++)
	{
		for (uint32_t e = start; e < end; e++)
		{
			uint32_t	u = log->node[e];
			double		du = log->d[e];
			uint32_t	lo = reverse ? g->rev_off[u] : g->fwd_off[u];
			uint32_t	hi = reverse ? g->rev_off[u + 1] : g->fwd_off[u + 1];

			GR_CHECK_INTERRUPTS();
			for (uint32_t p = lo; p < hi; p++)
			{
				uint32_t	v = reverse ? g->rev_src[p] : g->fwd_dst[p];
				double		nd;

				if (s->blocked[v] || (u == ban_from && is_banned(banned, nbanned, v)))
					continue;
				nd = du + (reverse ? gr_arc_cost(g, v, u) : (double) g->fwd_cost[p]);
				if (nd < s->dist[v] && nd <= max_cost)
				{
					uint32_t	le = log->last[v];

					if (s->dist[v] == INFINITY)
						touch(s, v);
					if (le != GR_NONE && log->layer[le] == h)
					{
						log->d[le] = nd;
						log->prev[le] = e;
					}
					else
						log_add(log, v, e, h, nd);
					s->dist[v] = nd;
					s->pred[v] = u;
					s->hops[v] = h;
				}
			}
		}
		start = end;
		end = log->len;
	}
	for (uint32_t i = 0; i < s->ntouched; i++)
		s->order[s->norder++] = s->touched[i];
}

void
gr_shortest_paths(GrSearch *s, const uint32_t *sources, uint32_t nsources, bool reverse,
				  uint32_t target, double max_cost, uint32_t max_hops,
				  const uint32_t *banned, uint32_t nbanned)
{
	search_reset(s);
	s->last_reverse = reverse;
	if (max_hops == GR_NO_LIMIT)
		dijkstra(s, sources, nsources, reverse, target, max_cost, banned, nbanned);
	else
		hop_bounded(s, sources, nsources, reverse, max_cost, max_hops, banned, nbanned);
}

/* ---- BFS ---------------------------------------------------------------------------------- */

void
gr_bfs(GrSearch *s, const uint32_t *sources, uint32_t nsources, bool reverse, uint32_t max_hops)
{
	const GrGraph *g = s->g;
	uint32_t	head = 0;

	search_reset(s);
	s->last_reverse = reverse;
	for (uint32_t i = 0; i < nsources; i++)
	{
		uint32_t	v = sources[i];

		if (s->hops[v] == 0)
			continue;
		touch(s, v);
		s->hops[v] = 0;
		s->dist[v] = 0.0;
		s->order[s->norder++] = v;
	}
	while (head < s->norder)
	{
		uint32_t	u = s->order[head++];
		uint32_t	hu = s->hops[u] + 1;
		uint32_t	lo,
					hi;

		GR_CHECK_INTERRUPTS();
		if (hu > max_hops)
			continue;
		lo = reverse ? g->rev_off[u] : g->fwd_off[u];
		hi = reverse ? g->rev_off[u + 1] : g->fwd_off[u + 1];
		for (uint32_t p = lo; p < hi; p++)
		{
			uint32_t	v = reverse ? g->rev_src[p] : g->fwd_dst[p];

			if (s->hops[v] != UINT32_MAX || s->blocked[v])
				continue;
			touch(s, v);
			s->hops[v] = hu;
			s->dist[v] = (double) hu;
			s->pred[v] = u;
			s->order[s->norder++] = v;
		}
	}
}

uint32_t
gr_path_nodes(const GrSearch *s, uint32_t t, uint32_t *out)
{
	uint32_t	len = 0;

	if (s->dist[t] == INFINITY)
		return 0;
	if (s->last_hop_bounded)
	{
		for (uint32_t e = s->log->last[t]; e != GR_NONE; e = s->log->prev[e])
			out[len++] = s->log->node[e];
	}
	else
	{
		for (uint32_t v = t; v != GR_NONE; v = s->pred[v])
			out[len++] = v;
	}
	if (!s->last_reverse)
	{
		for (uint32_t i = 0; i < len / 2; i++)
		{
			uint32_t	x = out[i];

			out[i] = out[len - 1 - i];
			out[len - 1 - i] = x;
		}
	}
	return len;
}
