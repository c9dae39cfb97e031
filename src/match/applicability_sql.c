/*
 * applicability_sql.c: the two C functions infracast.match_vulnerabilities() is built on (glue over
 * match/nvd_config.c):
 *   infracast.cpe_match_entry(criteria, bounds..., candidate)  does an inventory CPE satisfy a cpeMatch?
 *   infracast.nvd_culprits(per-entry arrays...)                does the CVE apply, and which entries are
 *                                                              the vulnerable software?
 */
#include "match/match.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "match/nvd_config.h"

PG_FUNCTION_INFO_V1(infracast_cpe_match_entry);
PG_FUNCTION_INFO_V1(infracast_nvd_culprits);

/* Last parsed criteria and candidate of this call site: hash joins repeat one side for long runs. */
typedef struct EntryCache
{
	Size		crit_len;
	char		crit_bytes[CPE_MAX_LEN + 1];
	bool		crit_ok;
	Cpe			criteria;
	Size		cand_len;
	char		cand_bytes[CPE_MAX_LEN * 2 + 64];
	Cpe			candidate;
} EntryCache;

static bool
same_bytes(Size cached_len, const char *cached, text *t)
{
	return cached_len == VARSIZE_ANY_EXHDR(t) && memcmp(cached, VARDATA_ANY(t), cached_len) == 0;
}

static char *
opt_cstring(FunctionCallInfo fcinfo, int i)
{
	return PG_ARGISNULL(i) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(i));
}

/*
 * infracast.cpe_match_entry(criteria text, start_incl, start_excl, end_incl, end_excl, candidate cpe
 *                           [, any_part boolean, any_vendor boolean]).
 * any_part / any_vendor: the candidate was built from inventory words that did not say its part
 * (application, OS, hardware) or its vendor; those attributes then match whatever the criteria says.
 * A criteria string that is not a valid CPE (feed damage) matches nothing rather than stopping a
 * whole tenant's matching run.
 */
Datum
infracast_cpe_match_entry(PG_FUNCTION_ARGS)
{
	EntryCache *cache = (EntryCache *) fcinfo->flinfo->fn_extra;
	text	   *crit;
	text	   *cand;
	NvdRange	range;
	unsigned	skip = 0;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(5))
		PG_RETURN_NULL();
	crit = PG_GETARG_TEXT_PP(0);
	cand = PG_GETARG_TEXT_PP(5);
	if (cache == NULL)
	{
		cache = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(EntryCache));
		cache->crit_len = (Size) -1;
		cache->cand_len = (Size) -1;
		fcinfo->flinfo->fn_extra = cache;
	}
	if (!same_bytes(cache->crit_len, cache->crit_bytes, crit))
	{
		Size		len = VARSIZE_ANY_EXHDR(crit);
		CpeError	err;

		cache->crit_ok = cpe_name_parse(VARDATA_ANY(crit), len, &cache->criteria, &err);
		cache->crit_len = Min(len, CPE_MAX_LEN);
		memcpy(cache->crit_bytes, VARDATA_ANY(crit), cache->crit_len);
		if (len > CPE_MAX_LEN)
			cache->crit_len = (Size) -1;
	}
	if (!cache->crit_ok)
		PG_RETURN_BOOL(false);
	if (!same_bytes(cache->cand_len, cache->cand_bytes, cand))
	{
		Size		len = VARSIZE_ANY_EXHDR(cand);

		match_cpe_parse_or_error(VARDATA_ANY(cand), len, &cache->candidate);
		cache->cand_len = Min(len, sizeof(cache->cand_bytes));
		memcpy(cache->cand_bytes, VARDATA_ANY(cand), cache->cand_len);
		if (len > sizeof(cache->cand_bytes))
			cache->cand_len = (Size) -1;
	}
	range.start_including = opt_cstring(fcinfo, 1);
	range.start_excluding = opt_cstring(fcinfo, 2);
	range.end_including = opt_cstring(fcinfo, 3);
	range.end_excluding = opt_cstring(fcinfo, 4);
	if (PG_NARGS() > 6 && !PG_ARGISNULL(6) && PG_GETARG_BOOL(6))
		skip |= 1u << CPE_PART;
	if (PG_NARGS() > 7 && !PG_ARGISNULL(7) && PG_GETARG_BOOL(7))
		skip |= 1u << CPE_VENDOR;
	PG_RETURN_BOOL(applicability_entry_matches_except(&cache->criteria, &range, &cache->candidate, skip));
}

/* Deconstruct a 1-D array argument without NULLs into datums; the length must be n (or set it). */
static Datum *
array_arg(FunctionCallInfo fcinfo, int i, Oid elemtype, int *n, const char *name)
{
	ArrayType  *a = PG_GETARG_ARRAYTYPE_P(i);
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum	   *elems;
	bool	   *nulls;
	int			count;
	int			k;

	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", name)));
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	deconstruct_array(a, elemtype, typlen, typbyval, typalign, &elems, &nulls, &count);
	for (k = 0; k < count; k++)
		if (nulls[k] && elemtype != TEXTOID)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain NULLs", name)));
	if (*n < 0)
		*n = count;
	else if (count != *n)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s has %d elements, expected %d", name, count, *n),
				 errhint("Pass one element per cpeMatch entry in every array.")));
	for (k = 0; k < count; k++)
		if (nulls[k])
			elems[k] = (Datum) 0;
	return elems;
}

static bool
operator_is_and(Datum d)
{
	return d != (Datum) 0 && pg_strcasecmp(TextDatumGetCString(d), "AND") == 0;
}

/*
 * infracast.nvd_culprits(config_index int[], config_operator text[], config_negate bool[],
 *                        node_index int[], node_operator text[], node_negate bool[],
 *                        vulnerable bool[], matched bool[]) RETURNS bool[]
 * One element per cpeMatch entry of one CVE, ordered by (config_index, node_index, match_index).
 * Returns, per entry, whether it is vulnerable software to report; NULL when the CVE does not apply.
 */
Datum
infracast_nvd_culprits(PG_FUNCTION_ARGS)
{
	int			n = -1;
	Datum	   *cfg_idx,
			   *cfg_op,
			   *cfg_neg,
			   *node_idx,
			   *node_op,
			   *node_neg,
			   *vuln,
			   *matched;
	NvdConfiguration *configs;
	NvdNode    *nodes;
	NvdEntry   *entries;
	bool	   *culprit;
	Datum	   *out;
	NvdCve		cve;
	int			n_configs = 0,
				n_nodes = 0,
				i;

	for (i = 0; i < 8; i++)
		if (PG_ARGISNULL(i))
			PG_RETURN_NULL();
	cfg_idx = array_arg(fcinfo, 0, INT4OID, &n, "config_index");
	cfg_op = array_arg(fcinfo, 1, TEXTOID, &n, "config_operator");
	cfg_neg = array_arg(fcinfo, 2, BOOLOID, &n, "config_negate");
	node_idx = array_arg(fcinfo, 3, INT4OID, &n, "node_index");
	node_op = array_arg(fcinfo, 4, TEXTOID, &n, "node_operator");
	node_neg = array_arg(fcinfo, 5, BOOLOID, &n, "node_negate");
	vuln = array_arg(fcinfo, 6, BOOLOID, &n, "vulnerable");
	matched = array_arg(fcinfo, 7, BOOLOID, &n, "matched");
	if (n == 0)
		PG_RETURN_NULL();

	configs = palloc0(sizeof(NvdConfiguration) * n);
	nodes = palloc0(sizeof(NvdNode) * n);
	entries = palloc0(sizeof(NvdEntry) * n);
	culprit = palloc0(sizeof(bool) * n);
	for (i = 0; i < n; i++)
	{
		bool		new_config = i == 0 || DatumGetInt32(cfg_idx[i]) != DatumGetInt32(cfg_idx[i - 1]);
		bool		new_node = new_config || DatumGetInt32(node_idx[i]) != DatumGetInt32(node_idx[i - 1]);

		if (new_config)
		{
			NvdConfiguration *c = &configs[n_configs++];

			c->op_and = operator_is_and(cfg_op[i]);
			c->negate = DatumGetBool(cfg_neg[i]);
			c->first_node = n_nodes;
		}
		if (new_node)
		{
			NvdNode    *nd = &nodes[n_nodes++];

			nd->op_and = operator_is_and(node_op[i]);
			nd->negate = DatumGetBool(node_neg[i]);
			nd->first_entry = i;
			configs[n_configs - 1].n_nodes++;
		}
		nodes[n_nodes - 1].n_entries++;
		entries[i].vulnerable = DatumGetBool(vuln[i]);
		entries[i].matched = DatumGetBool(matched[i]);
	}
	cve.n_configurations = n_configs;
	cve.configurations = configs;
	cve.nodes = nodes;
	cve.entries = entries;
	if (!applicability_cve_applies(&cve, culprit))
		PG_RETURN_NULL();
	out = palloc(sizeof(Datum) * n);
	for (i = 0; i < n; i++)
		out[i] = BoolGetDatum(culprit[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(out, n, BOOLOID, 1, true, TYPALIGN_CHAR));
}
