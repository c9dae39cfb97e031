/*
 * manifest_parse.c: feed bundles, a folder carried into the enclave as one unit.
 *
 *   bundle/
 *     manifest.json      {"format": "infracast-feed-bundle", "version": 1, "created": "2026-11-28T12:00:00Z",
 *                          "files": [{"path": "kev/known_exploited_vulnerabilities.json", "feed": "kev",
 *                                     "sha256": "901b..."}, ...]}
 *     ATTRIBUTION.txt    where each file came from and under which terms
 *     kev/ epss/ nvd/ feodo/ ...
 *
 * feed is kev, epss, nvd, feodo, or meta (an NVD .meta file: checked here, used by the NVD reader).
 * Paths are relative and may not leave the folder. Every checksum is verified before anything is
 * loaded, so a bundle damaged in transit changes nothing.
 */
#include "feeds/parse/feeds_parse.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

static const char *const manifest_feeds[] = {"kev", "epss", "nvd", "feodo", "meta", NULL};

static bool
manifest_safe_path(const char *p)
{
	const char *seg = p;

	if (*p == '\0' || *p == '/')
		return false;
	for (;;)
	{
		size_t		n = strcspn(seg, "/");

		if ((n == 2 && strncmp(seg, "..", 2) == 0) || n == 0)
			return false;
		if (seg[n] == '\0')
			return true;
		seg += n + 1;
	}
}

Manifest *
manifest_read(const char *dir, FeedError *err)
{
	char		path[4096];
	json_object *root,
			   *files,
			   *v;
	Manifest   *m;
	size_t		n;

	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	root = json_object_from_file(path);
	if (root == NULL)
	{
		struct stat st;

		if (stat(path, &st) != 0)
			feed_error_set(err, FEED_ERR_IO, "feed bundle \"%s\" has no readable manifest.json", dir);
		else
			feed_error_set(err, FEED_ERR_FORMAT, "manifest.json of feed bundle \"%s\" is not valid JSON", dir);
		return NULL;
	}
	if (!json_object_object_get_ex(root, "files", &files) || !json_object_is_type(files, json_type_array) ||
		(n = json_object_array_length(files)) == 0)
	{
		feed_error_set(err, FEED_ERR_FORMAT, "manifest.json of feed bundle \"%s\" has no \"files\" list", dir);
		json_object_put(root);
		return NULL;
	}
	m = calloc(1, sizeof(Manifest));
	m->files = calloc(n, sizeof(ManifestFile));
	if (json_object_object_get_ex(root, "created", &v) && json_object_is_type(v, json_type_string))
		m->created = strdup(json_object_get_string(v));
	for (size_t i = 0; i < n; i++)
	{
		json_object *f = json_object_array_get_idx(files, i);
		json_object *jp,
				   *jf,
				   *js;
		const char *sha;
		bool		known = false;
		ManifestFile *mf = &m->files[m->nfiles];

		if (!json_object_object_get_ex(f, "path", &jp) || !json_object_is_type(jp, json_type_string) ||
			!json_object_object_get_ex(f, "feed", &jf) || !json_object_is_type(jf, json_type_string) ||
			!json_object_object_get_ex(f, "sha256", &js) || !json_object_is_type(js, json_type_string))
		{
			feed_error_set(err, FEED_ERR_FORMAT,
						   "manifest.json of feed bundle \"%s\": files[%zu] needs \"path\", \"feed\" and \"sha256\"", dir, i);
			goto fail;
		}
		mf->path = strdup(json_object_get_string(jp));
		mf->feed = strdup(json_object_get_string(jf));
		sha = json_object_get_string(js);
		m->nfiles++;
		if (!manifest_safe_path(mf->path))
		{
			feed_error_set(err, FEED_ERR_FORMAT,
						   "manifest.json of feed bundle \"%s\": path \"%s\" is not a relative path inside the bundle", dir, mf->path);
			goto fail;
		}
		for (int k = 0; manifest_feeds[k]; k++)
			known |= strcmp(mf->feed, manifest_feeds[k]) == 0;
		if (!known)
		{
			feed_error_set(err, FEED_ERR_FORMAT,
						   "manifest.json of feed bundle \"%s\": \"%s\" has feed \"%s\" (expected kev, epss, nvd, feodo or meta)",
						   dir, mf->path, mf->feed);
			goto fail;
		}
		if (strlen(sha) != 64 || strspn(sha, "0123456789abcdefABCDEF") != 64)
		{
			feed_error_set(err, FEED_ERR_FORMAT,
						   "manifest.json of feed bundle \"%s\": \"%s\" has no 64-digit hex sha256", dir, mf->path);
			goto fail;
		}
		mf->sha256 = strdup(sha);
		for (int k = 0; k < 64; k++)
			mf->sha256[k] = (char) tolower((unsigned char) mf->sha256[k]);
	}
	json_object_put(root);
	return m;
fail:
	json_object_put(root);
	manifest_free(m);
	return NULL;
}

int
manifest_verify(const char *dir, const Manifest *m, FeedError *err)
{
	char		path[4096];
	char		sha[65];
	struct stat st;

	snprintf(path, sizeof(path), "%s/ATTRIBUTION.txt", dir);
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
	{
		feed_error_set(err, FEED_ERR_FORMAT, "feed bundle \"%s\" has no ATTRIBUTION.txt", dir);
		return -1;
	}
	for (int i = 0; i < m->nfiles; i++)
	{
		snprintf(path, sizeof(path), "%s/%s", dir, m->files[i].path);
		if (feed_file_sha256(path, sha, NULL, err) < 0)
		{
			feed_error_set(err, FEED_ERR_IO, "feed bundle \"%s\": \"%s\" listed in manifest.json is missing or unreadable",
						   dir, m->files[i].path);
			return -1;
		}
		if (strcmp(sha, m->files[i].sha256) != 0)
		{
			feed_error_set(err, FEED_ERR_CHECKSUM,
						   "feed bundle \"%s\": the sha256 of \"%s\" is %s but manifest.json says %s",
						   dir, m->files[i].path, sha, m->files[i].sha256);
			return -1;
		}
	}
	return 0;
}

void
manifest_free(Manifest *m)
{
	if (m == NULL)
		return;
	for (int i = 0; i < m->nfiles; i++)
	{
		free(m->files[i].path);
		free(m->files[i].feed);
		free(m->files[i].sha256);
	}
	free(m->files);
	free(m->created);
	free(m);
}
