/*
 * search.c: most-likely paths (Dijkstra on -ln p), hop-bounded most-likely paths (layered
 * Bellman-Ford) and fewest-hop reachability (BFS), forward or reverse, over a CSR snapshot.
 *
 * One-to-all Dijkstra uses a radix heap (sequential memory access; see below); the bidirectional
 * single-pair search uses two small 4-ary heaps indexed by node. A search touches only what it
 * reaches and records it, so the next search resets just that: Yen's algorithm runs many searches
 * that each reach a small part of a big graph.
 *
 * Hop-bounded search: round h relaxes the arcs out of the nodes improved in round h-1, using their
 * values as of the end of round h-1, so after round h every value is the best over paths of at
 * most h arcs. Each improvement is an entry in a log (node, value, entry it came from); a node
 * improved twice in one round updates its entry of that round in place, and a path is read back by
 * following entries, not per-node predecessors (the best path of <= h arcs to u need not extend
 * the best path to u's predecessor).
 */
#include "graph/graph_core.h"

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

/* The backward half of a bidirectional search: distances to the target, next node toward it. */
typedef struct GrBackward
{
	double	   *dist;
	uint32_t   *succ;
	uint32_t   *touched;
	uint32_t	ntouched;
	uint8_t    *on_path;		/* [n] scratch to find a loop in a joined path */
	struct GrHeap *heap;
} GrBackward;

static void back_free(GrBackward *b);

/* ---- radix heap (one-to-all Dijkstra) ----------------------------------------------------------
 * Dijkstra pops keys in non-decreasing order, and a non-negative double's bit pattern orders as an
 * unsigned integer, so a radix heap applies: 65 buckets, an entry sits in the bucket of the highest
 * bit where its key differs from the last key popped, and pushes are appends. Every access is
 * sequential, where a binary or 4-ary heap of a million entries misses the cache at every level of
 * every pop (that was most of Dijkstra's time on large graphs). Decrease-key is a second push; the
 * stale entry is skipped when it surfaces. Exact: keys are the double distances themselves.
 */
typedef struct RadixEntry
{
	uint64_t	key;
	uint32_t	node;
} RadixEntry;

typedef struct RadixBucket
{
	RadixEntry *a;
	uint32_t	len;
	uint32_t	cap;
} RadixBucket;

typedef struct GrLazyHeap
{
	RadixBucket b[65];
	uint64_t	last;
	uint64_t	size;
} GrLazyHeap;

static inline uint64_t
key_bits(double d)
{
	uint64_t	k;

	memcpy(&k, &d, sizeof(k));
	return k;
}

static inline double
key_double(uint64_t k)
{
	double		d;

	memcpy(&d, &k, sizeof(d));
	return d;
}

static inline int
radix_bucket(const GrLazyHeap *h, uint64_t key)
{
	return key == h->last ? 0 : 64 - __builtin_clzll(key ^ h->last);
}

static inline void
radix_append(RadixBucket *bk, uint64_t key, uint32_t node)
{
	if (bk->len == bk->cap)
	{
		bk->cap = bk->cap ? bk->cap * 2 : 256;
		bk->a = gr_grow(bk->a, sizeof(RadixEntry) * bk->len, sizeof(RadixEntry) * bk->cap);
	}
	bk->a[bk->len].key = key;
	bk->a[bk->len].node = node;
	bk->len++;
}

static inline void
lazy_push(GrLazyHeap *h, double key, uint32_t node)
{
	uint64_t	k = key_bits(key);

	radix_append(&h->b[radix_bucket(h, k)], k, node);
	h->size++;
}

static RadixEntry
lazy_pop(GrLazyHeap *h)
{
	if (h->b[0].len == 0)
	{
		int			i = 1;
		RadixBucket *bk;
		uint64_t	min;

		while (h->b[i].len == 0)
			i++;
		bk = &h->b[i];
		min = bk->a[0].key;
		for (uint32_t j = 1; j < bk->len; j++)
			if (bk->a[j].key < min)
				min = bk->a[j].key;
		h->last = min;
		for (uint32_t j = 0; j < bk->len; j++)
			radix_append(&h->b[radix_bucket(h, bk->a[j].key)], bk->a[j].key, bk->a[j].node);
		bk->len = 0;
	}
	h->size--;
	return h->b[0].a[--h->b[0].len];
}

static void
lazy_clear(GrLazyHeap *h)
{
	for (int i = 0; i < 65; i++)
		h->b[i].len = 0;
	h->size = 0;
	h->last = 0;
}

static void
lazy_free(GrLazyHeap *h)
{
	for (int i = 0; i < 65; i++)
		if (h->b[i].a)
			gr_hooks.release(h->b[i].a);
	gr_hooks.release(h);
}

/* ---- 4-ary heap keyed by a dist array -------------------------------------------------------- */

typedef struct GrHeap
{
	uint32_t   *a;
	uint32_t   *pos;			/* [n] index in a, GR_NONE when not in the heap */
	uint32_t	len;
	const double *key;
} GrHeap;

static GrHeap *
heap_new(uint32_t n, const double *key)
{
	GrHeap	   *h = gr_hooks.alloc(sizeof(GrHeap));

	h->a = gr_hooks.alloc(sizeof(uint32_t) * (n ? n : 1));
	h->pos = gr_hooks.alloc(sizeof(uint32_t) * (n ? n : 1));
	memset(h->pos, 0xff, sizeof(uint32_t) * (n ? n : 1));
	h->len = 0;
	h->key = key;
	return h;
}

static void
heap_free(GrHeap *h)
{
	gr_hooks.release(h->a);
	gr_hooks.release(h->pos);
	gr_hooks.release(h);
}

/* Empties the heap in time proportional to what is left in it (popped nodes are already out). */
static void
heap_clear(GrHeap *h)
{
	for (uint32_t i = 0; i < h->len; i++)
		h->pos[h->a[i]] = GR_NONE;
	h->len = 0;
}

static inline void
heap_place(GrHeap *h, uint32_t i, uint32_t v)
{
	h->a[i] = v;
	h->pos[v] = i;
}

static void
heap_sift_up(GrHeap *h, uint32_t i)
{
	uint32_t	v = h->a[i];
	double		dv = h->key[v];

	while (i > 0)
	{
		uint32_t	parent = (i - 1) / 4;

		if (h->key[h->a[parent]] <= dv)
			break;
		heap_place(h, i, h->a[parent]);
		i = parent;
	}
	heap_place(h, i, v);
}

static uint32_t
heap_pop(GrHeap *h)
{
	uint32_t	top = h->a[0];
	uint32_t	v,
				i = 0;
	double		dv;

	h->pos[top] = GR_NONE;
	if (--h->len == 0)
		return top;
	v = h->a[h->len];
	dv = h->key[v];
	for (;;)
	{
		uint32_t	first = 4 * i + 1,
					last = first + 4 < h->len ? first + 4 : h->len,
					best = GR_NONE;
		double		bd = dv;

		for (uint32_t c = first; c < last; c++)
		{
			double		kc = h->key[h->a[c]];

			if (kc < bd)
			{
				bd = kc;
				best = c;
			}
		}
		if (best == GR_NONE)
			break;
		heap_place(h, i, h->a[best]);
		i = best;
	}
	heap_place(h, i, v);
	return top;
}

static inline void
heap_push_or_decrease(GrHeap *h, uint32_t v)
{
	if (h->pos[v] == GR_NONE)
	{
		h->pos[v] = h->len;
		h->a[h->len++] = v;
	}
	heap_sift_up(h, h->pos[v]);
}

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
	for (size_t i = 0; i < n; i++)
	{
		s->dist[i] = INFINITY;
		s->pred[i] = GR_NONE;
		s->hops[i] = UINT32_MAX;
	}
	/* s->heap: made by the first bidirectional search (the others do not use it) */
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
	if (s->heap)
		heap_free(s->heap);
	if (s->lazy)
		lazy_free(s->lazy);
	if (s->back)
		back_free(s->back);
	gr_reach_release(s);
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

void
gr_search_reset(GrSearch *s)
{
	for (uint32_t i = 0; i < s->ntouched; i++)
	{
		uint32_t	v = s->touched[i];

		s->dist[v] = INFINITY;
		s->pred[v] = GR_NONE;
		s->hops[v] = UINT32_MAX;
		if (s->log)
			s->log->last[v] = GR_NONE;
	}
	s->ntouched = 0;
	s->norder = 0;
	if (s->heap)
		heap_clear(s->heap);
	s->last_hop_bounded = false;
}

static inline void
touch(GrSearch *s, uint32_t v)
{
	s->touched[s->ntouched++] = v;
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
	GrLazyHeap *h = s->lazy;
	uint32_t	to_settle = s->stop_mask ? s->stop_count : UINT32_MAX;

	if (h == NULL)
	{
		h = s->lazy = gr_hooks.alloc(sizeof(GrLazyHeap));
		memset(h, 0, sizeof(GrLazyHeap));
	}
	lazy_clear(h);
	for (uint32_t i = 0; i < nsources; i++)
	{
		uint32_t	v = sources[i];

		if (s->dist[v] == 0.0)
			continue;
		touch(s, v);
		s->dist[v] = 0.0;
		s->hops[v] = 0;
		lazy_push(h, 0.0, v);
	}
	while (h->size > 0)
	{
		RadixEntry	top = lazy_pop(h);
		uint32_t	u = top.node;
		double		du = key_double(top.key);
		uint32_t	lo,
					hi;

		if (du > s->dist[u])
			continue;			/* stale: u was reached more cheaply since */
		GR_CHECK_INTERRUPTS();
		s->order[s->norder++] = u;
		if (u == target || (s->stop_mask && s->stop_mask[u] && --to_settle == 0))
			break;
		lo = reverse ? g->rev_off[u] : g->fwd_off[u];
		hi = reverse ? g->rev_off[u + 1] : g->fwd_off[u + 1];
		for (uint32_t p = lo; p < hi; p++)
		{
			uint32_t	v = reverse ? g->rev_src[p] : g->fwd_dst[p];
			double		nd;

			double		c = reverse ? gr_arc_cost(g, v, u) : (double) g->fwd_cost[p];

			nd = du + c;
			/* dist[v] first: blocked[] and the bans are looked at only for an improvement */
			if (nd < s->dist[v] && nd <= max_cost && !s->blocked[v] &&
				!(u == ban_from && is_banned(banned, nbanned, v)))
			{
				if (s->dist[v] == INFINITY)
					touch(s, v);
				s->dist[v] = nd;
				s->pred[v] = u;
				lazy_push(h, nd, v);
			}
			else if (nd == s->dist[v] && c > 0.0 && u < s->pred[v] && s->pred[v] != GR_NONE &&
					 !s->blocked[v] && !(u == ban_from && is_banned(banned, nbanned, v)))
			{
				/*
				 * A tie: keep the lowest predecessor, so that paths and "via" do not depend on
				 * the heap's order. With c > 0, u settles before v, so v's place in order[]
				 * (after its predecessor) still holds.
				 */
				s->pred[v] = u;
			}
		}
	}
	lazy_clear(h);
}

/* ---- hop-bounded (layered Bellman-Ford) ------------------------------------------------------ */

static uint32_t
log_add(GrHopLog *log, uint32_t v, uint32_t prev, uint32_t layer, double d)
{
	if (log->len == log->cap)
	{
		uint32_t	cap = log->cap ? log->cap * 2 : 1024;

		log->node = gr_grow(log->node, sizeof(uint32_t) * log->len, sizeof(uint32_t) * cap);
		log->prev = gr_grow(log->prev, sizeof(uint32_t) * log->len, sizeof(uint32_t) * cap);
		log->layer = gr_grow(log->layer, sizeof(uint32_t) * log->len, sizeof(uint32_t) * cap);
		log->d = gr_grow(log->d, sizeof(double) * log->len, sizeof(double) * cap);
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
	gr_search_reset(s);
	s->last_reverse = reverse;
	if (max_hops == GR_NO_LIMIT)
		dijkstra(s, sources, nsources, reverse, target, max_cost, banned, nbanned);
	else
		hop_bounded(s, sources, nsources, reverse, max_cost, max_hops, banned, nbanned);
}

/* ---- bidirectional Dijkstra (one pair) -------------------------------------------------------- */

static GrBackward *
back_get(GrSearch *s)
{
	uint32_t	n = s->g->n ? s->g->n : 1;
	GrBackward *b = s->back;

	if (b != NULL)
		return b;
	b = s->back = gr_hooks.alloc(sizeof(GrBackward));
	b->dist = gr_hooks.alloc(sizeof(double) * n);
	b->succ = gr_hooks.alloc(sizeof(uint32_t) * n);
	b->touched = gr_hooks.alloc(sizeof(uint32_t) * n);
	b->on_path = gr_hooks.alloc(n);
	for (uint32_t i = 0; i < n; i++)
	{
		b->dist[i] = INFINITY;
		b->succ[i] = GR_NONE;
	}
	memset(b->on_path, 0, n);
	b->ntouched = 0;
	b->heap = heap_new(s->g->n, b->dist);
	return b;
}

static void
back_free(GrBackward *b)
{
	gr_hooks.release(b->dist);
	gr_hooks.release(b->succ);
	gr_hooks.release(b->touched);
	gr_hooks.release(b->on_path);
	heap_free(b->heap);
	gr_hooks.release(b);
}

static void
back_reset(GrBackward *b)
{
	for (uint32_t i = 0; i < b->ntouched; i++)
	{
		b->dist[b->touched[i]] = INFINITY;
		b->succ[b->touched[i]] = GR_NONE;
	}
	b->ntouched = 0;
	heap_clear(b->heap);
}

/*
 * Joins the forward chain src..meet and the backward chain meet..dst. With zero-cost cycles
 * (likelihood-1 edges) the two halves can share a node; the cycle between is cut out (it costs 0).
 */
static uint32_t
join_path(GrSearch *s, GrBackward *b, uint32_t meet, uint32_t *out)
{
	uint32_t	len = 0,
				w = 0;

	for (uint32_t v = meet; v != GR_NONE; v = s->pred[v])
		out[len++] = v;
	for (uint32_t i = 0; i < len / 2; i++)
	{
		uint32_t	x = out[i];

		out[i] = out[len - 1 - i];
		out[len - 1 - i] = x;
	}
	for (uint32_t v = b->succ[meet]; v != GR_NONE; v = b->succ[v])
		out[len++] = v;
	for (uint32_t i = 0; i < len; i++)
	{
		uint32_t	v = out[i];

		if (b->on_path[v])
		{
			/* drop back to the earlier v */
			while (out[w - 1] != v)
				b->on_path[out[--w]] = 0;
			continue;
		}
		b->on_path[v] = 1;
		out[w++] = v;
	}
	for (uint32_t i = 0; i < w; i++)
		b->on_path[out[i]] = 0;
	return w;
}

uint32_t
gr_best_path(GrSearch *s, uint32_t src, uint32_t dst, const uint32_t *banned, uint32_t nbanned,
			 uint32_t *out, double *cost)
{
	const GrGraph *g = s->g;
	GrBackward *b = back_get(s);
	GrHeap	   *hf = s->heap ? s->heap : (s->heap = heap_new(s->g->n, s->dist)),
			   *hb = b->heap;
	double		mu = INFINITY;
	uint32_t	meet = GR_NONE,
				len;

	gr_search_reset(s);
	back_reset(b);
	s->last_reverse = false;
	if (src == dst)
		return 0;
	touch(s, src);
	s->dist[src] = 0.0;
	heap_push_or_decrease(hf, src);
	b->touched[b->ntouched++] = dst;
	b->dist[dst] = 0.0;
	heap_push_or_decrease(hb, dst);

	while (hf->len > 0 && hb->len > 0)
	{
		GR_CHECK_INTERRUPTS();
		if (s->dist[hf->a[0]] + b->dist[hb->a[0]] >= mu)
			break;
		if (hf->len <= hb->len)
		{
			uint32_t	u = heap_pop(hf);
			double		du = s->dist[u];

			for (uint32_t p = g->fwd_off[u]; p < g->fwd_off[u + 1]; p++)
			{
				uint32_t	v = g->fwd_dst[p];
				double		nd = du + (double) g->fwd_cost[p];

				if (s->blocked[v] || (u == src && is_banned(banned, nbanned, v)))
					continue;
				if (nd < s->dist[v])
				{
					if (s->dist[v] == INFINITY)
						touch(s, v);
					s->dist[v] = nd;
					s->pred[v] = u;
					heap_push_or_decrease(hf, v);
				}
				if (b->dist[v] != INFINITY && s->dist[v] + b->dist[v] < mu)
				{
					mu = s->dist[v] + b->dist[v];
					meet = v;
				}
			}
		}
		else
		{
			uint32_t	u = heap_pop(hb);
			double		du = b->dist[u];

			for (uint32_t p = g->rev_off[u]; p < g->rev_off[u + 1]; p++)
			{
				uint32_t	w = g->rev_src[p];
				double		nd;

				if (s->blocked[w] || (w == src && is_banned(banned, nbanned, u)))
					continue;
				nd = du + gr_arc_cost(g, w, u);
				if (nd < b->dist[w])
				{
					if (b->dist[w] == INFINITY)
						b->touched[b->ntouched++] = w;
					b->dist[w] = nd;
					b->succ[w] = u;
					heap_push_or_decrease(hb, w);
				}
				if (s->dist[w] != INFINITY && s->dist[w] + b->dist[w] < mu)
				{
					mu = s->dist[w] + b->dist[w];
					meet = w;
				}
			}
		}
	}
	heap_clear(hf);
	heap_clear(hb);
	if (meet == GR_NONE)
		return 0;
	len = join_path(s, b, meet, out);
	*cost = 0.0;
	for (uint32_t i = 0; i + 1 < len; i++)
		*cost += gr_arc_cost(g, out[i], out[i + 1]);
	return len;
}

/* ---- BFS ---------------------------------------------------------------------------------- */

void
gr_bfs(GrSearch *s, const uint32_t *sources, uint32_t nsources, bool reverse, uint32_t max_hops)
{
	const GrGraph *g = s->g;
	uint32_t	head = 0;

	gr_search_reset(s);
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
