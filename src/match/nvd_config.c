/*
 * nvd_config.c: NVD configuration evaluation (see nvd_config.h for the model), in plain C.
 */
#include "match/nvd_config.h"

#include <string.h>

#include "match/version.h"

bool
applicability_range_present(const NvdRange *r)
{
	return (r->start_including && *r->start_including) || (r->start_excluding && *r->start_excluding)
		|| (r->end_including && *r->end_including) || (r->end_excluding && *r->end_excluding);
}

bool
applicability_version_in_range(const char *v, const NvdRange *r)
{
	if (r->start_including && *r->start_including && version_cmp_generic(v, r->start_including) < 0)
		return false;
	if (r->start_excluding && *r->start_excluding && version_cmp_generic(v, r->start_excluding) <= 0)
		return false;
	if (r->end_including && *r->end_including && version_cmp_generic(v, r->end_including) > 0)
		return false;
	if (r->end_excluding && *r->end_excluding && version_cmp_generic(v, r->end_excluding) >= 0)
		return false;
	return true;
}

bool
applicability_entry_matches(const Cpe *criteria, const NvdRange *range, const Cpe *candidate)
{
	return applicability_entry_matches_except(criteria, range, candidate, 0);
}

bool
applicability_entry_matches_except(const Cpe *criteria, const NvdRange *range, const Cpe *candidate,
								   unsigned skip_mask)
{
	if (!cpe_name_match_except(criteria, candidate, skip_mask))
		return false;
	if (range == NULL || !applicability_range_present(range))
		return true;
	if (!cpe_attr_is_literal(candidate, CPE_VERSION))
		return false;
	/* logical values are NUL-terminated in Cpe.chars */
	return applicability_version_in_range(cpe_attr_value(candidate, CPE_VERSION, NULL), range);
}

static bool
node_holds(const NvdCve *cve, const NvdNode *node)
{
	int			i;
	int			matched = 0;
	bool		value;

	for (i = 0; i < node->n_entries; i++)
		if (cve->entries[node->first_entry + i].matched)
			matched++;
	value = node->op_and ? (node->n_entries > 0 && matched == node->n_entries) : matched > 0;
	return node->negate ? !value : value;
}

static bool
configuration_holds(const NvdCve *cve, const NvdConfiguration *cfg)
{
	int			i;
	bool		value = cfg->op_and;	/* AND of nothing is true, OR of nothing false */

	if (cfg->n_nodes == 0)
		value = false;
	for (i = 0; i < cfg->n_nodes; i++)
	{
		bool		h = node_holds(cve, &cve->nodes[cfg->first_node + i]);

		if (cfg->op_and && !h)
		{
			value = false;
			break;
		}
		if (!cfg->op_and && h)
		{
			value = true;
			break;
		}
	}
	return cfg->negate ? !value : value;
}

bool
applicability_cve_applies(const NvdCve *cve, bool *culprit)
{
	bool		applies = false;
	int			c;

	for (c = 0; c < cve->n_configurations; c++)
	{
		const NvdConfiguration *cfg = &cve->configurations[c];
		bool		any_vulnerable = false;
		int			n;

		if (!configuration_holds(cve, cfg))
			continue;
		for (n = 0; n < cfg->n_nodes; n++)
		{
			const NvdNode *node = &cve->nodes[cfg->first_node + n];
			int			i;

			/* a negated node holds because nothing in it matched: it names no culprit */
			if (node->negate || !node_holds(cve, node))
				continue;
			for (i = 0; i < node->n_entries; i++)
			{
				int			e = node->first_entry + i;

				if (cve->entries[e].vulnerable && cve->entries[e].matched)
				{
					any_vulnerable = true;
					if (culprit)
						culprit[e] = true;
				}
			}
		}
		if (any_vulnerable)
			applies = true;
	}
	return applies;
}
