/*
 * static.c: the single-page app from VULCAN_UI_DIR. A path resolves (symbolic links followed)
 * inside that folder or not at all; a path without a file extension that names no file is
 * answered with index.html, so that the app's own routes survive a reload.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <microhttpd.h>

#include "proxy.h"

static const char *
content_type(const char *path)
{
	static const char *const types[][2] = {
		{".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
		{".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
		{".json", "application/json"}, {".svg", "image/svg+xml"}, {".png", "image/png"},
		{".jpg", "image/jpeg"}, {".jpeg", "image/jpeg"}, {".gif", "image/gif"}, {".webp", "image/webp"},
		{".ico", "image/x-icon"}, {".woff2", "font/woff2"}, {".woff", "font/woff"},
		{".txt", "text/plain; charset=utf-8"}, {".map", "application/json"}, {NULL, NULL}
	};
	const char *dot = strrchr(path, '.');

	for (int i = 0; dot && types[i][0]; i++)
		if (strcmp(dot, types[i][0]) == 0)
			return types[i][1];
	return "application/octet-stream";
}

/* Opens ui_dir + rel when it is a regular file inside ui_dir; -1 otherwise. */
static int
open_inside(const char *ui_dir, const char *rel, struct stat *st, char *resolved)
{
	char		path[PATH_MAX];
	size_t		dl = strlen(ui_dir);
	int			fd;

	if (snprintf(path, sizeof(path), "%s/%s", ui_dir, rel) >= (int) sizeof(path))
		return -1;
	if (realpath(path, resolved) == NULL)
		return -1;
	if (strncmp(resolved, ui_dir, dl) != 0 || resolved[dl] != '/')
		return -1;
	fd = open(resolved, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode))
	{
		close(fd);
		return -1;
	}
	return fd;
}

struct MHD_Response *
static_response(const char *ui_dir, const char *url, int *status)
{
	char		resolved[PATH_MAX];
	const char *rel = url;
	const char *last;
	struct stat st;
	int			fd = -1;
	struct MHD_Response *resp;

	while (*rel == '/')
		rel++;
	/* No "..", no NUL smuggled in, no hidden files. */
	if (strstr(url, "/.") == NULL && strlen(url) < 1024)
	{
		if (*rel == '\0' || url[strlen(url) - 1] == '/')
		{
			char		index[1100];

			snprintf(index, sizeof(index), "%sindex.html", rel);
			fd = open_inside(ui_dir, index, &st, resolved);
		}
		else
			fd = open_inside(ui_dir, rel, &st, resolved);
	}
	last = strrchr(url, '/');
	if (fd < 0 && (last == NULL || strchr(last, '.') == NULL))
		fd = open_inside(ui_dir, "index.html", &st, resolved);
	if (fd < 0)
		return NULL;
	resp = MHD_create_response_from_fd((uint64_t) st.st_size, fd);
	if (resp == NULL)
	{
		close(fd);
		return NULL;
	}
	MHD_add_response_header(resp, "Content-Type", content_type(resolved));
	MHD_add_response_header(resp, "Cache-Control",
							strstr(resolved, "/index.html") ? "no-cache" : "public, max-age=3600");
	*status = 200;
	return resp;
}
