/*
 * reach.c: everything one or more sources reach, over the whole graph and without a hop limit
 * (infracast.blast_radius): fewest hops and the most likely path to every reached node.
 *
 * Two passes, each shaped for a graph far larger than the caches:
 *
 * Fewest hops: a level-by-level BFS that switches direction (Beamer, Asanovic and Patterson,
 * "Direction-optimizing breadth-first search", SC 2012). While the frontier is small it expands
 * the frontier's out-arcs (top-down); once the frontier's arcs outnumber a fraction of the
 * unexplored graph's, every unvisited node instead looks through its in-arcs for a parent in the
 * frontier and stops at the first (bottom-up), which skips most arcs of the middle levels. Visited
 * and frontier sets are bitmaps (n/8 bytes each) that stay in the cache.
 *
 * Most likely paths: a bucketed label-correcting search in the manner of delta-stepping (Meyer and
 * Sanders, J. Algorithms 49, 2003) run on one core. Bucket i holds the nodes whose tentative cost
 * lies in [i*delta, (i+1)*delta); buckets are emptied in order, a whole bucket at a time, and a node
 * improved into the bucket being emptied is processed again. The result is exact (the same
 * doubles as Dijkstra: every node's final cost is its predecessor's final cost plus the arc's
 * cost, the least fixed point of the same arithmetic), and ties keep the lowest predecessor as
 * gr_shortest_paths() does. What it buys is memory-level parallelism: a bucket is a batch of
 * nodes known in advance, so their adjacency rows are prefetched while earlier ones are relaxed,
 * where Dijkstra's next node depends on the heap and each of its rows is a cache miss in series.
 * With delta about the mean arc cost over the mean degree, few nodes are processed twice. To
 * bound the worst case (costs that make nodes improve many times within a bucket) the search
 * counts its relaxations and, past a few times the arc count, finishes with Dijkstra instead.
 */
#include "graph/graph_core.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BU_MAX_BUCKETS	65536		/* circular window of buckets */
#define BU_PREFETCH		16			/* nodes ahead whose row offsets are prefetched */

uint32_t	gr_reach_budget = 4;

typedef struct Bucket
{
	uint32_t   *a;
	uint32_t	len;
	uint32_t	cap;
} Bucket;

typedef struct GrReach
{
	uint32_t	words;			/* n / 64 rounded up */
	uint64_t   *visited;		/* [words] BFS: visited set */
	uint64_t   *frontier;		/* [words] BFS: the level being expanded (bottom-up steps);
								 * costs: the batch's nodes not processed yet */
	Bucket	   *bucket;			/* [BU_MAX_BUCKETS] */
	uint64_t	nonempty[BU_MAX_BUCKETS / 64];	/* which buckets hold entries */
	Bucket		spare;
} GrReach;

static inline uint32_t
out_degree(const GrGraph *g, uint32_t v)
{
	return g->fwd_off[v + 1] - g->fwd_off[v];
}

static GrReach *
reach_get(GrSearch *s)
{
	uint32_t	n = s->g->n ? s->g->n : 1;
	GrReach    *r = s->reach;

	if (r != NULL)
		return r;
	r = s->reach = gr_hooks.alloc(sizeof(GrReach));
	memset(r, 0, sizeof(GrReach));
	r->words = (n + 63) / 64;
	r->visited = gr_hooks.alloc(sizeof(uint64_t) * r->words);
	r->frontier = gr_hooks.alloc(sizeof(uint64_t) * r->words);
	r->bucket = gr_hooks.alloc(sizeof(Bucket) * BU_MAX_BUCKETS);
	memset(r->bucket, 0, sizeof(Bucket) * BU_MAX_BUCKETS);
	return r;
}

void
gr_reach_release(GrSearch *s)
{
	GrReach    *r = s->reach;

	if (r == NULL)
		return;
	for (uint32_t i = 0; i < BU_MAX_BUCKETS; i++)
		if (r->bucket[i].a)
			gr_hooks.release(r->bucket[i].a);
	if (r->spare.a)
		gr_hooks.release(r->spare.a);
	gr_hooks.release(r->bucket);
	gr_hooks.release(r->frontier);
	gr_hooks.release(r->visited);
	gr_hooks.release(r);
	s->reach = NULL;
}

static inline bool
bit_test(const uint64_t *bits, uint32_t v)
{
	return (bits[v >> 6] >> (v & 63)) & 1;
}

static inline void
bit_set(uint64_t *bits, uint32_t v)
{
	bits[v >> 6] |= (uint64_t) 1 << (v & 63);
}

/* ---- fewest hops ------------------------------------------------------------------------------ */

#define BFS_ALPHA	14				/* go bottom-up when frontier arcs > unexplored arcs / ALPHA */
#define BFS_BETA	24				/* back to top-down when the frontier < n / BETA nodes */

/*
 * Visits every node reachable from the sources: hops[] set, each appended to touched[] level by
 * level (so touched[] is the BFS queue), visited bits set.
 */
static void
reach_bfs(GrSearch *s, GrReach *r, const uint32_t *sources, uint32_t nsources)
{
	const GrGraph *g = s->g;
	uint32_t	level_start = 0,
				level = 0;
	uint64_t	unexplored = g->m,
				frontier_arcs = 0;
	bool		bottom_up = false;

	memset(r->visited, 0, sizeof(uint64_t) * r->words);
	for (uint32_t i = 0; i < nsources; i++)
	{
		uint32_t	v = sources[i];

		if (bit_test(r->visited, v))
			continue;
		bit_set(r->visited, v);
		s->hops[v] = 0;
		s->touched[s->ntouched++] = v;
		frontier_arcs += out_degree(g, v);
	}
	while (level_start < s->ntouched)
	{
		uint32_t	level_end = s->ntouched,
					next = level + 1;
		uint64_t	next_arcs = 0;

		GR_CHECK_INTERRUPTS();
		unexplored -= frontier_arcs;
		if (!bottom_up && frontier_arcs > unexplored / BFS_ALPHA)
			bottom_up = true;
		else if (bottom_up && (uint64_t) (level_end - level_start) * BFS_BETA < g->n)
			bottom_up = false;

		if (!bottom_up)
		{
			for (uint32_t i = level_start; i < level_end; i++)
			{
				uint32_t	u = s->touched[i];
				uint32_t	hi = g->fwd_off[u + 1];

				if ((i & 4095) == 4095)
					GR_CHECK_INTERRUPTS();
				if (i + BU_PREFETCH < level_end)
					__builtin_prefetch(&g->fwd_off[s->touched[i + BU_PREFETCH]]);
				for (uint32_t p = g->fwd_off[u]; p < hi; p++)
				{
					uint32_t	v = g->fwd_dst[p];

					if (bit_test(r->visited, v))
						continue;
					bit_set(r->visited, v);
					s->hops[v] = next;
					s->touched[s->ntouched++] = v;
					next_arcs += out_degree(g, v);
				}
			}
		}
		else
		{
			memset(r->frontier, 0, sizeof(uint64_t) * r->words);
			for (uint32_t i = level_start; i < level_end; i++)
				bit_set(r->frontier, s->touched[i]);
			for (uint32_t w = 0; w < r->words; w++)
			{
				uint64_t	unvisited = ~r->visited[w];

				if ((w & 1023) == 0)
					GR_CHECK_INTERRUPTS();
				while (unvisited)
				{
					uint32_t	v = w * 64 + (uint32_t) __builtin_ctzll(unvisited);
					uint32_t	hi;

					unvisited &= unvisited - 1;
					if (v >= g->n)
						break;
					hi = g->rev_off[v + 1];
					for (uint32_t p = g->rev_off[v]; p < hi; p++)
					{
						if (bit_test(r->frontier, g->rev_src[p]))
						{
							r->visited[w] |= (uint64_t) 1 << (v & 63);
							s->hops[v] = next;
							s->touched[s->ntouched++] = v;
							next_arcs += out_degree(g, v);
							break;
						}
					}
				}
			}
		}
		level_start = level_end;
		level = next;
		frontier_arcs = next_arcs;
	}
}

/* ---- most likely paths ------------------------------------------------------------------------ */

static void
bucket_push(Bucket *b, uint32_t v)
{
	if (b->len == b->cap)
	{
		b->cap = b->cap ? b->cap * 2 : 64;
		b->a = gr_grow(b->a, sizeof(uint32_t) * b->len, sizeof(uint32_t) * b->cap);
	}
	b->a[b->len++] = v;
}

/*
 * Bucketed label-correcting search from the sources. Returns false (leaving dist/pred partly
 * done) when it gave up after `budget` relaxations.
 *
 * A bucket's list may hold a node more than once, or a node that has since improved into an
 * earlier bucket (and was processed there): such entries are dropped when the list is taken as a
 * batch. No node improves into a bucket before the current one (costs are not negative, and the
 * bucket of a double is monotone in it), so an entry is current exactly when its node's cost
 * still falls in the bucket. While a batch runs, pending[] marks its nodes not yet processed: one
 * improved again before its turn is not queued a second time.
 */
static bool
reach_costs(GrSearch *s, GrReach *r, const uint32_t *sources, uint32_t nsources, double max_cost,
			uint64_t budget)
{
	const GrGraph *g = s->g;
	const uint32_t *off = g->fwd_off;
	const uint32_t *dst = g->fwd_dst;
	const float *cost = g->fwd_cost;
	double	   *dist = s->dist;
	uint32_t   *pred = s->pred;
	uint64_t   *pending = r->frontier;
	double		degree = g->n ? (double) g->m / g->n : 1.0;
	double		delta = g->cost_mean / (degree > 1.0 ? degree : 1.0),
				inv;
	uint64_t	cur = 0,
				live = 0,
				relaxed = 0;

	if (!(delta > 1e-9))
		delta = g->cost_max > 1e-9 ? (double) g->cost_max : 1.0;
	if ((double) g->cost_max / delta > BU_MAX_BUCKETS - 4)
		delta = (double) g->cost_max / (BU_MAX_BUCKETS - 4);
	inv = 1.0 / delta;
	memset(pending, 0, sizeof(uint64_t) * r->words);
	memset(r->nonempty, 0, sizeof(r->nonempty));

	for (uint32_t i = 0; i < nsources; i++)
	{
		dist[sources[i]] = 0.0;
		bucket_push(&r->bucket[0], sources[i]);
		live++;
	}
	if (live > 0)
		bit_set(r->nonempty, 0);
	while (live > 0)
	{
		Bucket	   *b;
		uint32_t	slot = (uint32_t) (cur % BU_MAX_BUCKETS),
					w = slot / 64;
		uint64_t	bits = r->nonempty[w] & (~(uint64_t) 0 << (slot % 64));

		/* the next non-empty bucket, circularly (live entries lie within the window) */
		while (bits == 0)
		{
			w = (w + 1) % (BU_MAX_BUCKETS / 64);
			bits = r->nonempty[w];
			relaxed += 64;		/* a long scan counts against the budget */
		}
		cur += (w * 64 + (uint32_t) __builtin_ctzll(bits) + BU_MAX_BUCKETS - slot) % BU_MAX_BUCKETS;
		slot = (uint32_t) (cur % BU_MAX_BUCKETS);
		b = &r->bucket[slot];
		while (b->len > 0)
		{
			/* take the bucket's list; what this batch adds to the bucket goes to the spare */
			Bucket		batch = *b;
			uint32_t	k = 0;

			*b = r->spare;
			b->len = 0;
			live -= batch.len;
			GR_CHECK_INTERRUPTS();
			if (relaxed > budget)
			{
				r->spare = batch;
				return false;
			}

			/* one entry per current node; a big batch in index order, so rows are read in
			 * address order */
			if (batch.len >= r->words / 4)
			{
				for (uint32_t i = 0; i < batch.len; i++)
					bit_set(pending, batch.a[i]);
				for (uint32_t x = 0; x < r->words; x++)
				{
					uint64_t	word = pending[x];

					while (word)
					{
						batch.a[k++] = x * 64 + (uint32_t) __builtin_ctzll(word);
						word &= word - 1;
					}
				}
			}
			else
			{
				for (uint32_t i = 0; i < batch.len; i++)
				{
					uint32_t	u = batch.a[i];

					if (!bit_test(pending, u))
					{
						bit_set(pending, u);
						batch.a[k++] = u;
					}
				}
			}
			batch.len = k;

			for (uint32_t i = 0; i < batch.len; i++)
			{
				uint32_t	u = batch.a[i];
				double		du;
				uint32_t	hi;

				if (i + BU_PREFETCH < batch.len)
				{
					__builtin_prefetch(&off[batch.a[i + BU_PREFETCH]]);
					__builtin_prefetch(&dist[batch.a[i + BU_PREFETCH]]);
				}
				if (i + BU_PREFETCH / 2 < batch.len)
				{
					uint32_t	x = batch.a[i + BU_PREFETCH / 2];

					__builtin_prefetch(&dst[off[x]]);
					__builtin_prefetch(&cost[off[x]]);
				}
				if ((i & 4095) == 4095)
					GR_CHECK_INTERRUPTS();
				pending[u >> 6] &= ~((uint64_t) 1 << (u & 63));
				du = dist[u];
				if ((uint64_t) (du * inv) != cur)
					continue;	/* improved into an earlier bucket and processed there */
				hi = off[u + 1];
				relaxed += hi - off[u];
				for (uint32_t p = off[u]; p < hi; p++)
				{
					uint32_t	v = dst[p];
					double		c = (double) cost[p];
					double		nd = du + c;

					if (nd < dist[v])
					{
						uint64_t	bi;

						if (nd > max_cost)
							continue;
						dist[v] = nd;
						pred[v] = u;
						bi = (uint64_t) (nd * inv);
						if (bi == cur && bit_test(pending, v))
							continue;	/* still to come in this batch */
						bucket_push(&r->bucket[bi % BU_MAX_BUCKETS], v);
						bit_set(r->nonempty, (uint32_t) (bi % BU_MAX_BUCKETS));
						live++;
					}
					else if (nd == dist[v] && c > 0.0 && u < pred[v] && pred[v] != GR_NONE)
						pred[v] = u;	/* a tie: the lowest predecessor, as Dijkstra keeps */
				}
			}
			r->spare = batch;
		}
		r->nonempty[slot / 64] &= ~((uint64_t) 1 << (slot % 64));
	}
	return true;
}

static int
index_cmp(const void *a, const void *b)
{
	uint32_t	x = *(const uint32_t *) a,
				y = *(const uint32_t *) b;

	return (x > y) - (x < y);
}

void
gr_reach(GrSearch *s, const uint32_t *sources, uint32_t nsources, double max_cost)
{
	const GrGraph *g = s->g;
	GrReach    *r = reach_get(s);

	gr_search_reset(s);
	s->last_reverse = false;
	reach_bfs(s, r, sources, nsources);
	if (!reach_costs(s, r, sources, nsources, max_cost, (uint64_t) gr_reach_budget * g->m + g->n))
	{
		/* pathological costs: Dijkstra, keeping the hops found above */
		uint32_t   *hops = gr_hooks.alloc(sizeof(uint32_t) * (g->n ? g->n : 1));

		for (uint32_t i = 0; i < BU_MAX_BUCKETS; i++)
			r->bucket[i].len = 0;
		for (uint32_t i = 0; i < s->ntouched; i++)
			hops[s->touched[i]] = s->hops[s->touched[i]];
		gr_shortest_paths(s, sources, nsources, false, GR_NONE, max_cost, GR_NO_LIMIT, NULL, 0);
		for (uint32_t i = 0; i < s->norder; i++)
			s->hops[s->order[i]] = hops[s->order[i]];
		gr_hooks.release(hops);
		qsort(s->order, s->norder, sizeof(uint32_t), index_cmp);
		return;
	}
	/* order[]: the nodes within max_cost, ascending */
	s->norder = 0;
	for (uint32_t w = 0; w < r->words; w++)
	{
		uint64_t	bits = r->visited[w];

		while (bits)
		{
			uint32_t	v = w * 64 + (uint32_t) __builtin_ctzll(bits);

			bits &= bits - 1;
			if (s->dist[v] <= max_cost)
				s->order[s->norder++] = v;
		}
	}
}
