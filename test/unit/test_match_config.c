/*
 * test_match_config: NVD configuration evaluation (src/match/nvd_config.c) on the cases in
 * test/fixtures/match/configurations.json: AND, OR, negate, running-on/with, version bounds, and
 * which entries are reported as the vulnerable software. Configurations are written as NVD 2.0 JSON
 * and read with json-c, exactly as the feed presents them.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match/cpe.h"
#include "match/nvd_config.h"

#define MAX_ITEMS 64

static int	failures = 0;
static int	checks = 0;

#define CHECK(cond, ...) do { checks++; if (!(cond)) { failures++; \
	fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

static const char *
get_str(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static bool
get_bool(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

/* Everything one case needs, flattened the way nvd_config.h wants it. */
typedef struct Case
{
	NvdConfiguration configs[MAX_ITEMS];
	NvdNode		nodes[MAX_ITEMS];
	NvdEntry	entries[MAX_ITEMS];
	Cpe			criteria[MAX_ITEMS];
	NvdRange	ranges[MAX_ITEMS];
	int			n_configs,
				n_nodes,
				n_entries;
} Case;

static bool
load_configurations(json_object *cfgs, Case *c)
{
	size_t		i,
				j,
				k;

	c->n_configs = c->n_nodes = c->n_entries = 0;
	for (i = 0; i < json_object_array_length(cfgs); i++)
	{
		json_object *cfg = json_object_array_get_idx(cfgs, i);
		json_object *nodes;
		const char *op = get_str(cfg, "operator");
		NvdConfiguration *nc = &c->configs[c->n_configs++];

		nc->op_and = op && strcmp(op, "AND") == 0;
		nc->negate = get_bool(cfg, "negate");
		nc->first_node = c->n_nodes;
		json_object_object_get_ex(cfg, "nodes", &nodes);
		nc->n_nodes = (int) json_object_array_length(nodes);
		for (j = 0; j < json_object_array_length(nodes); j++)
		{
			json_object *node = json_object_array_get_idx(nodes, j);
			json_object *matches;
			NvdNode    *nn = &c->nodes[c->n_nodes++];

			nn->op_and = strcmp(get_str(node, "operator"), "AND") == 0;
			nn->negate = get_bool(node, "negate");
			nn->first_entry = c->n_entries;
			json_object_object_get_ex(node, "cpeMatch", &matches);
			nn->n_entries = (int) json_object_array_length(matches);
			for (k = 0; k < json_object_array_length(matches); k++)
			{
				json_object *m = json_object_array_get_idx(matches, k);
				const char *crit = get_str(m, "criteria");
				CpeError	err;
				int			e = c->n_entries++;

				if (!cpe_name_parse(crit, strlen(crit), &c->criteria[e], &err))
				{
					fprintf(stderr, "bad criteria %s: %s\n", crit, err.message);
					return false;
				}
				c->entries[e].vulnerable = get_bool(m, "vulnerable");
				c->ranges[e].start_including = get_str(m, "versionStartIncluding");
				c->ranges[e].start_excluding = get_str(m, "versionStartExcluding");
				c->ranges[e].end_including = get_str(m, "versionEndIncluding");
				c->ranges[e].end_excluding = get_str(m, "versionEndExcluding");
			}
		}
	}
	return true;
}

static void
run_case(json_object *all, json_object *tc)
{
	static Case c;
	static Cpe	inventory[MAX_ITEMS];
	json_object *cfgs,
			   *inv,
			   *culprits,
			   *same;
	const char *name = get_str(tc, "name");
	bool		culprit[MAX_ITEMS] = {false};
	bool		want_culprit[MAX_ITEMS] = {false};
	bool		applies;
	int			n_inv,
				e,
				i;
	NvdCve		cve;

	if (json_object_object_get_ex(tc, "same_as", &same))
		json_object_object_get_ex(json_object_array_get_idx(all, (size_t) json_object_get_int(same)),
								  "configurations", &cfgs);
	else
		json_object_object_get_ex(tc, "configurations", &cfgs);
	if (!load_configurations(cfgs, &c))
	{
		CHECK(false, "%s: could not load configurations", name);
		return;
	}
	json_object_object_get_ex(tc, "inventory", &inv);
	n_inv = (int) json_object_array_length(inv);
	for (i = 0; i < n_inv; i++)
	{
		const char *s = json_object_get_string(json_object_array_get_idx(inv, (size_t) i));
		CpeError	err;

		CHECK(cpe_name_parse(s, strlen(s), &inventory[i], &err), "%s: bad inventory cpe %s", name, s);
	}
	for (e = 0; e < c.n_entries; e++)
	{
		c.entries[e].matched = false;
		for (i = 0; i < n_inv; i++)
			if (applicability_entry_matches(&c.criteria[e], &c.ranges[e], &inventory[i]))
				c.entries[e].matched = true;
	}
	cve.n_configurations = c.n_configs;
	cve.configurations = c.configs;
	cve.nodes = c.nodes;
	cve.entries = c.entries;
	applies = applicability_cve_applies(&cve, culprit);
	CHECK(applies == get_bool(tc, "applies"), "%s: applies = %d", name, applies);
	if (json_object_object_get_ex(tc, "culprits", &culprits))
		for (i = 0; i < (int) json_object_array_length(culprits); i++)
			want_culprit[json_object_get_int(json_object_array_get_idx(culprits, (size_t) i))] = true;
	for (e = 0; e < c.n_entries; e++)
		CHECK(culprit[e] == (applies && want_culprit[e]), "%s: entry %d culprit = %d", name, e, culprit[e]);
}

static void
test_ranges(void)
{
	NvdRange	none = {NULL, NULL, NULL, NULL};
	NvdRange	r = {"2.4.0", NULL, NULL, "2.4.50"};
	NvdRange	empty = {"", "", "", ""};

	CHECK(applicability_version_in_range("1.0", &none), "no bounds");
	CHECK(!applicability_range_present(&empty), "empty strings are no bounds");
	CHECK(applicability_version_in_range("2.4.0", &r), "start including");
	CHECK(applicability_version_in_range("2.4.49", &r), "inside");
	CHECK(!applicability_version_in_range("2.4.50", &r), "end excluding");
	CHECK(!applicability_version_in_range("2.2.34", &r), "below start");
}

int
main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "test/fixtures/match/configurations.json";
	json_object *all;
	size_t		i;

	all = json_object_from_file(path);
	if (!all || !json_object_is_type(all, json_type_array))
	{
		fprintf(stderr, "cannot read %s\n", path);
		return 1;
	}
	for (i = 0; i < json_object_array_length(all); i++)
		run_case(all, json_object_array_get_idx(all, i));
	test_ranges();
	json_object_put(all);
	printf("test_match_config: %zu cases, %d checks, %d failures\n", i, checks, failures);
	return failures ? 1 : 0;
}
