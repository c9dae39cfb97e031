/*
 * csr.c: builds the CSR snapshot of a tenant's graph from its node and edge rows (plain C).
 *
 * Phases: nodes are collected and sorted by id (they usually arrive sorted, which is checked
 * first); an id map is built (a direct table when the ids are dense, as sequence-assigned ids
 * are, else an open-addressing hash); each edge row is mapped to (source index, destination
 * index << 32 | cost bits) as it arrives; a counting sort by source gives the rows, each row is
 * sorted by (destination, cost) so merging parallel edges keeps the cheapest, and the reverse
 * adjacency is filled by walking the forward rows in order, so its rows are sorted too.
 * A positive float's bit pattern orders as an unsigned integer, which is what lets one 64-bit
 * sort order by destination and cost at once.
 */
#include "graph/graph_core.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Defaults for plain-C use (unit tests): malloc, and no interrupts. The server replaces them. */
static volatile sig_atomic_t no_interrupt = 0;

static void *
default_alloc(size_t size)
{
	void	   *p = malloc(size);

	if (p == NULL)
		abort();
	return p;
}

static void
default_interrupt(void)
{
}

GrHooks		gr_hooks = {default_alloc, default_alloc, free, default_interrupt, &no_interrupt};

struct GrBuilder
{
	int64_t    *ids;
	uint8_t    *flags;
	uint32_t	n;
	uint32_t	ncap;
	/* id -> index map */
	int64_t		map_base;
	uint32_t   *direct;			/* [direct_len] index, GR_NONE when absent */
	uint64_t	direct_len;
	uint32_t   *hash;			/* [hash_mask+1] index, GR_NONE when empty */
	uint64_t	hash_mask;
	/* mapped edge rows */
	uint32_t   *esrc;
	uint64_t   *epacked;
	uint64_t	me;
	uint64_t	mcap;
	uint64_t	rows;
	uint64_t	skipped;
};

/* Allocates n bytes of scratch (never NULL: the hook raises or aborts). */
static void *
scratch(size_t n)
{
	return gr_hooks.alloc(n > 0 ? n : 1);
}

void *
gr_grow(void *old, size_t oldbytes, size_t newbytes)
{
	void	   *p = scratch(newbytes);

	if (old != NULL)
	{
		memcpy(p, old, oldbytes);
		gr_hooks.release(old);
	}
	return p;
}

GrBuilder *
gr_builder_new(void)
{
	GrBuilder  *b = scratch(sizeof(GrBuilder));

	memset(b, 0, sizeof(GrBuilder));
	return b;
}

void
gr_builder_add_node(GrBuilder *b, int64_t id, uint8_t flags)
{
	if (b->n == b->ncap)
	{
		uint32_t	cap = b->ncap ? b->ncap * 2 : 1024;

		b->ids = gr_grow(b->ids, sizeof(int64_t) * b->n, sizeof(int64_t) * cap);
		b->flags = gr_grow(b->flags, b->n, cap);
		b->ncap = cap;
	}
	b->ids[b->n] = id;
	b->flags[b->n] = flags;
	b->n++;
}

typedef struct IdFlag
{
	int64_t		id;
	uint8_t		flags;
} IdFlag;

static int
idflag_cmp(const void *a, const void *b)
{
	int64_t		x = ((const IdFlag *) a)->id,
				y = ((const IdFlag *) b)->id;

	return (x > y) - (x < y);
}

/* Sorts ids (with their flags) unless they came sorted. */
static void
sort_nodes(GrBuilder *b)
{
	uint32_t	i;
	IdFlag	   *tmp;

	for (i = 1; i < b->n; i++)
		if (b->ids[i - 1] > b->ids[i])
			break;
	if (i >= b->n)
		return;
	tmp = scratch(sizeof(IdFlag) * b->n);
	for (i = 0; i < b->n; i++)
	{
		tmp[i].id = b->ids[i];
		tmp[i].flags = b->flags[i];
	}
	qsort(tmp, b->n, sizeof(IdFlag), idflag_cmp);
	for (i = 0; i < b->n; i++)
	{
		GR_CHECK_INTERRUPTS();
		b->ids[i] = tmp[i].id;
		b->flags[i] = tmp[i].flags;
	}
	gr_hooks.release(tmp);
}

static inline uint64_t
hash_id(int64_t id)
{
	return ((uint64_t) id) * UINT64_C(0x9E3779B97F4A7C15);
}

bool
gr_builder_nodes_done(GrBuilder *b)
{
	uint32_t	i;

	sort_nodes(b);
	for (i = 1; i < b->n; i++)
		if (b->ids[i - 1] == b->ids[i])
			return false;
	if (b->n == 0)
		return true;
	b->map_base = b->ids[0];
	/* Dense ids (the usual case: one sequence) get a direct table; others a hash. */
	if ((uint64_t) (b->ids[b->n - 1] - b->ids[0]) < (uint64_t) b->n * 4 + 1024)
	{
		b->direct_len = (uint64_t) (b->ids[b->n - 1] - b->ids[0]) + 1;
		b->direct = scratch(sizeof(uint32_t) * b->direct_len);
		memset(b->direct, 0xff, sizeof(uint32_t) * b->direct_len);
		for (i = 0; i < b->n; i++)
			b->direct[b->ids[i] - b->map_base] = i;
	}
	else
	{
		uint64_t	cap = 1024;

		while (cap < (uint64_t) b->n * 2)
			cap *= 2;
		b->hash_mask = cap - 1;
		b->hash = scratch(sizeof(uint32_t) * cap);
		memset(b->hash, 0xff, sizeof(uint32_t) * cap);
		for (i = 0; i < b->n; i++)
		{
			uint64_t	h = hash_id(b->ids[i]) & b->hash_mask;

			GR_CHECK_INTERRUPTS();
			while (b->hash[h] != GR_NONE)
				h = (h + 1) & b->hash_mask;
			b->hash[h] = i;
		}
	}
	return true;
}

static inline uint32_t
map_id(const GrBuilder *b, int64_t id)
{
	if (b->n == 0)
		return GR_NONE;
	if (b->direct != NULL)
	{
		if (id < b->map_base || (uint64_t) (id - b->map_base) >= b->direct_len)
			return GR_NONE;
		return b->direct[id - b->map_base];
	}
	else
	{
		uint64_t	h = hash_id(id) & b->hash_mask;

		while (b->hash[h] != GR_NONE)
		{
			if (b->ids[b->hash[h]] == id)
				return b->hash[h];
			h = (h + 1) & b->hash_mask;
		}
		return GR_NONE;
	}
}

/* Cost bits of -ln(likelihood) as a non-negative float (never -0.0, so bits order as numbers). */
static inline uint32_t
cost_bits(double likelihood)
{
	float		c = (likelihood >= 1.0) ? 0.0f : (float) (-log(likelihood));
	uint32_t	bits;

	if (!(c > 0.0f))
		c = 0.0f;
	memcpy(&bits, &c, sizeof(bits));
	return bits;
}

void
gr_builder_add_edge(GrBuilder *b, int64_t src, int64_t dst, double likelihood)
{
	uint32_t	u = map_id(b, src),
				v = map_id(b, dst);

	b->rows++;
	if (u == GR_NONE || v == GR_NONE || u == v || !(likelihood > 0.0))
	{
		b->skipped++;
		return;
	}
	if (b->me == b->mcap)
	{
		uint64_t	cap = b->mcap ? b->mcap * 2 : 4096;

		b->esrc = gr_grow(b->esrc, sizeof(uint32_t) * b->me, sizeof(uint32_t) * cap);
		b->epacked = gr_grow(b->epacked, sizeof(uint64_t) * b->me, sizeof(uint64_t) * cap);
		b->mcap = cap;
	}
	b->esrc[b->me] = u;
	b->epacked[b->me] = ((uint64_t) v << 32) | cost_bits(likelihood);
	b->me++;
}

static size_t
snapshot_bytes(uint64_t n, uint64_t m)
{
	return n * (sizeof(int64_t) + sizeof(uint8_t) + 2 * sizeof(uint32_t)) + 2 * sizeof(uint32_t)
		+ m * (2 * sizeof(uint32_t) + sizeof(float));
}

size_t
gr_builder_snapshot_bytes(const GrBuilder *b)
{
	return snapshot_bytes(b->n, b->me);
}

uint64_t
gr_builder_edge_rows(const GrBuilder *b)
{
	return b->rows;
}

size_t
gr_graph_bytes(const GrGraph *g)
{
	return snapshot_bytes(g->n, g->m);
}

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *) a,
				y = *(const uint64_t *) b;

	return (x > y) - (x < y);
}

static void
sort_row(uint64_t *a, uint32_t len)
{
	if (len > 24)
	{
		qsort(a, len, sizeof(uint64_t), u64_cmp);
		return;
	}
	for (uint32_t i = 1; i < len; i++)
	{
		uint64_t	x = a[i];
		uint32_t	j = i;

		while (j > 0 && a[j - 1] > x)
		{
			a[j] = a[j - 1];
			j--;
		}
		a[j] = x;
	}
}

void
gr_builder_finish(GrBuilder *b, GrGraph *g)
{
	uint32_t	n = b->n;
	uint32_t   *cnt = scratch(sizeof(uint32_t) * ((size_t) n + 1));
	uint64_t   *sorted = scratch(sizeof(uint64_t) * b->me);
	uint64_t	i;
	uint32_t	u,
				m;
	double		cost_sum = 0.0;

	memset(g, 0, sizeof(GrGraph));
	g->n = n;
	g->edge_rows = b->rows;
	g->edges_skipped = b->skipped;
	g->node_id = gr_hooks.alloc_keep(sizeof(int64_t) * (n ? n : 1));
	g->node_flags = gr_hooks.alloc_keep(n ? n : 1);
	memcpy(g->node_id, b->ids, sizeof(int64_t) * n);
	memcpy(g->node_flags, b->flags, n);

	/* Counting sort of the rows by source. */
	memset(cnt, 0, sizeof(uint32_t) * ((size_t) n + 1));
	for (i = 0; i < b->me; i++)
		cnt[b->esrc[i] + 1]++;
	for (u = 0; u < n; u++)
		cnt[u + 1] += cnt[u];
	for (i = 0; i < b->me; i++)
	{
		if ((i & 0xffff) == 0)
			GR_CHECK_INTERRUPTS();
		sorted[cnt[b->esrc[i]]++] = b->epacked[i];
	}
	/* cnt[u] is now the end of row u; shift back to starts. */
	for (u = n; u > 0; u--)
		cnt[u] = cnt[u - 1];
	cnt[0] = 0;
	if (b->esrc)
		gr_hooks.release(b->esrc);
	if (b->epacked)
		gr_hooks.release(b->epacked);
	b->esrc = NULL;
	b->epacked = NULL;

	/* Sort each row by (destination, cost) and count distinct destinations. */
	g->fwd_off = gr_hooks.alloc_keep(sizeof(uint32_t) * ((size_t) n + 1));
	g->fwd_off[0] = 0;
	m = 0;
	for (u = 0; u < n; u++)
	{
		uint64_t   *row = sorted + cnt[u];
		uint32_t	len = cnt[u + 1] - cnt[u];

		GR_CHECK_INTERRUPTS();
		sort_row(row, len);
		for (uint32_t j = 0; j < len; j++)
			if (j == 0 || (row[j] >> 32) != (row[j - 1] >> 32))
				m++;
		g->fwd_off[u + 1] = m;
	}
	g->m = m;
	g->fwd_dst = gr_hooks.alloc_keep(sizeof(uint32_t) * (m ? m : 1));
	g->fwd_cost = gr_hooks.alloc_keep(sizeof(float) * (m ? m : 1));
	for (u = 0; u < n; u++)
	{
		uint64_t   *row = sorted + cnt[u];
		uint32_t	len = cnt[u + 1] - cnt[u];
		uint32_t	pos = g->fwd_off[u];

		GR_CHECK_INTERRUPTS();
		for (uint32_t j = 0; j < len; j++)
		{
			uint32_t	bits;

			if (j > 0 && (row[j] >> 32) == (row[j - 1] >> 32))
				continue;		/* a parallel edge, costlier or equal: merged */
			bits = (uint32_t) row[j];
			g->fwd_dst[pos] = (uint32_t) (row[j] >> 32);
			memcpy(&g->fwd_cost[pos], &bits, sizeof(float));
			cost_sum += g->fwd_cost[pos];
			if (g->fwd_cost[pos] > g->cost_max)
				g->cost_max = g->fwd_cost[pos];
			pos++;
		}
	}
	gr_hooks.release(sorted);
	g->cost_mean = m ? cost_sum / m : 0.0;

	/* Reverse adjacency, rows sorted by source because sources are walked in order. */
	g->rev_off = gr_hooks.alloc_keep(sizeof(uint32_t) * ((size_t) n + 1));
	g->rev_src = gr_hooks.alloc_keep(sizeof(uint32_t) * (m ? m : 1));
	memset(cnt, 0, sizeof(uint32_t) * ((size_t) n + 1));
	for (i = 0; i < m; i++)
		cnt[g->fwd_dst[i] + 1]++;
	for (u = 0; u < n; u++)
		cnt[u + 1] += cnt[u];
	memcpy(g->rev_off, cnt, sizeof(uint32_t) * ((size_t) n + 1));
	for (u = 0; u < n; u++)
	{
		GR_CHECK_INTERRUPTS();
		for (uint32_t p = g->fwd_off[u]; p < g->fwd_off[u + 1]; p++)
			g->rev_src[cnt[g->fwd_dst[p]]++] = u;
	}
	gr_hooks.release(cnt);

	if (b->ids)
		gr_hooks.release(b->ids);
	if (b->flags)
		gr_hooks.release(b->flags);
	if (b->direct)
		gr_hooks.release(b->direct);
	if (b->hash)
		gr_hooks.release(b->hash);
	gr_hooks.release(b);
}

uint32_t
gr_node_index(const GrGraph *g, int64_t id)
{
	uint32_t	lo = 0,
				hi = g->n;

	while (lo < hi)
	{
		uint32_t	mid = lo + (hi - lo) / 2;

		if (g->node_id[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo < g->n && g->node_id[lo] == id) ? lo : GR_NONE;
}

uint32_t
gr_arc_find(const GrGraph *g, uint32_t u, uint32_t v)
{
	uint32_t	lo = g->fwd_off[u],
				hi = g->fwd_off[u + 1];

	while (lo < hi)
	{
		uint32_t	mid = lo + (hi - lo) / 2;

		if (g->fwd_dst[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo < g->fwd_off[u + 1] && g->fwd_dst[lo] == v) ? lo : GR_NONE;
}

double
gr_arc_cost(const GrGraph *g, uint32_t u, uint32_t v)
{
	uint32_t	pos = gr_arc_find(g, u, v);

	return pos == GR_NONE ? INFINITY : (double) g->fwd_cost[pos];
}

uint32_t
gr_arc_source(const GrGraph *g, uint32_t pos)
{
	uint32_t	lo = 0,
				hi = g->n;

	/* the last u with fwd_off[u] <= pos */
	while (lo + 1 < hi)
	{
		uint32_t	mid = lo + (hi - lo) / 2;

		if (g->fwd_off[mid] <= pos)
			lo = mid;
		else
			hi = mid;
	}
	while (lo + 1 < g->n && g->fwd_off[lo + 1] <= pos)
		lo++;
	return lo;
}
