/*
 * ssh_parse.c: plain C parsers of the SSH discovery commands' output (see ssh_parse.h), and the
 * package URLs built from it. The output comes from a machine we do not trust: every length is
 * checked, nothing is assumed NUL-terminated, and an odd line is skipped and counted, not fatal.
 */
#include "discovery/ssh_parse.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers ------------------------------------------------------------------------ */

static void *
xrealloc(void *p, size_t n)
{
	void	   *q = realloc(p, n);

	if (q == NULL)
		abort();				/* the worker's limits keep outputs small; out of memory is not recoverable here */
	return q;
}

static char *
xstrndup(const char *s, size_t n)
{
	char	   *d = xrealloc(NULL, n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* Next line of [*pos, end): sets *line and *line_len (without "\n" or "\r\n"); false at the end. */
static bool
next_line(const char *text, size_t len, size_t *pos, const char **line, size_t *line_len)
{
	size_t		start = *pos;
	size_t		i = start;

	if (start >= len)
		return false;
	while (i < len && text[i] != '\n')
		i++;
	*line = text + start;
	*line_len = i - start;
	if (*line_len > 0 && (*line)[*line_len - 1] == '\r')
		(*line_len)--;
	*pos = i < len ? i + 1 : len;
	return true;
}

/* Splits line on sep into at most max fields (pointers into line); returns the number found. */
static int
split_fields(const char *line, size_t len, char sep, const char **f, size_t *flen, int max)
{
	int			n = 0;
	size_t		start = 0;

	for (size_t i = 0; i <= len && n < max; i++)
	{
		if (i == len || line[i] == sep)
		{
			f[n] = line + start;
			flen[n] = i - start;
			n++;
			start = i + 1;
		}
	}
	/* a line with more fields than max: the last field would be cut short, so say so */
	return start <= len && n == max ? max + 1 : n;
}

/* Whitespace-separated words; returns the number found (at most max). */
static int
split_words(const char *line, size_t len, const char **w, size_t *wlen, int max)
{
	int			n = 0;
	size_t		i = 0;

	while (i < len)
	{
		size_t		start;

		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i >= len)
			break;
		start = i;
		while (i < len && line[i] != ' ' && line[i] != '\t')
			i++;
		if (n == max)
			return max + 1;
		w[n] = line + start;
		wlen[n] = i - start;
		n++;
	}
	return n;
}

static bool
has_control_chars(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char) s[i] < 0x20 || s[i] == 0x7f)
			return true;
	return false;
}

/* ---- os-release --------------------------------------------------------------------------- */

/*
 * One value of os-release(5), shell-like: "double quoted" (\ escapes $ " \ ` only), 'single
 * quoted', or bare (a backslash escapes the next character). Ends at the first unquoted blank or #.
 */
static char *
os_release_value(const char *v, size_t n)
{
	char	   *out = xrealloc(NULL, n + 1);
	size_t		o = 0;
	size_t		i = 0;

	while (i < n)
	{
		char		c = v[i];

		if (c == '"')
		{
			for (i++; i < n && v[i] != '"'; i++)
			{
				if (v[i] == '\\' && i + 1 < n && strchr("$\"\\`", v[i + 1]) != NULL)
					i++;
				out[o++] = v[i];
			}
			i++;				/* the closing quote (or the end) */
		}
		else if (c == '\'')
		{
			for (i++; i < n && v[i] != '\''; i++)
				out[o++] = v[i];
			i++;
		}
		else if (c == ' ' || c == '\t' || c == '#')
			break;
		else if (c == '\\' && i + 1 < n)
		{
			out[o++] = v[i + 1];
			i += 2;
		}
		else
		{
			out[o++] = c;
			i++;
		}
	}
	out[o] = '\0';
	return out;
}

int
ssh_parse_os_release(const char *text, size_t len, SshOsRelease *out)
{
	static const struct
	{
		const char *key;
		size_t		offset;
	}			keys[] = {
		{"ID", offsetof(SshOsRelease, id)},
		{"ID_LIKE", offsetof(SshOsRelease, id_like)},
		{"NAME", offsetof(SshOsRelease, name)},
		{"VERSION", offsetof(SshOsRelease, version)},
		{"VERSION_ID", offsetof(SshOsRelease, version_id)},
		{"VERSION_CODENAME", offsetof(SshOsRelease, version_codename)},
		{"PRETTY_NAME", offsetof(SshOsRelease, pretty_name)},
	};
	size_t		pos = 0;
	const char *line;
	size_t		n;

	memset(out, 0, sizeof(*out));
	while (next_line(text, len, &pos, &line, &n))
	{
		const char *eq;
		size_t		klen;

		while (n > 0 && (*line == ' ' || *line == '\t'))
			line++, n--;
		if (n == 0 || *line == '#')
			continue;
		eq = memchr(line, '=', n);
		if (eq == NULL)
			continue;
		klen = (size_t) (eq - line);
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		{
			char	  **slot = (char **) ((char *) out + keys[k].offset);

			if (strlen(keys[k].key) != klen || memcmp(keys[k].key, line, klen) != 0)
				continue;
			free(*slot);		/* a repeated key: the last one wins, as in a shell */
			*slot = os_release_value(eq + 1, n - klen - 1);
			if (has_control_chars(*slot, strlen(*slot)))
			{
				free(*slot);
				*slot = NULL;
			}
		}
	}
	if (out->id == NULL || out->id[0] == '\0')
	{
		/* os-release(5): ID defaults to "linux" when absent, but a file without it is not one */
		ssh_os_release_free(out);
		return -1;
	}
	return 0;
}

void
ssh_os_release_free(SshOsRelease *o)
{
	free(o->id);
	free(o->id_like);
	free(o->name);
	free(o->version);
	free(o->version_id);
	free(o->version_codename);
	free(o->pretty_name);
	memset(o, 0, sizeof(*o));
}

char *
ssh_distro_qualifier(const SshOsRelease *o)
{
	char	   *d;

	if (o->id == NULL || o->version_id == NULL || o->id[0] == '\0' || o->version_id[0] == '\0')
		return NULL;
	d = xrealloc(NULL, strlen(o->id) + strlen(o->version_id) + 2);
	sprintf(d, "%s-%s", o->id, o->version_id);
	for (char *c = d; *c; c++)
		*c = (char) tolower((unsigned char) *c);
	return d;
}

/* ---- uname -snrm -------------------------------------------------------------------------- */

int
ssh_parse_uname(const char *text, size_t len, SshUname *out)
{
	const char *w[4];
	size_t		wl[4];
	const char *line;
	size_t		n;
	size_t		pos = 0;

	memset(out, 0, sizeof(*out));
	if (!next_line(text, len, &pos, &line, &n) || split_words(line, n, w, wl, 4) != 4 ||
		has_control_chars(line, n))
		return -1;
	out->sysname = xstrndup(w[0], wl[0]);
	out->nodename = xstrndup(w[1], wl[1]);
	out->release = xstrndup(w[2], wl[2]);
	out->machine = xstrndup(w[3], wl[3]);
	return 0;
}

void
ssh_uname_free(SshUname *u)
{
	free(u->sysname);
	free(u->nodename);
	free(u->release);
	free(u->machine);
	memset(u, 0, sizeof(*u));
}

/* ---- packages ----------------------------------------------------------------------------- */

static void
package_add(SshPackageList *l, char *name, char *version, char *arch)
{
	if (l->n == l->cap)
	{
		l->cap = l->cap ? l->cap * 2 : 64;
		l->items = xrealloc(l->items, l->cap * sizeof(SshPackage));
	}
	l->items[l->n].name = name;
	l->items[l->n].version = version;
	l->items[l->n].arch = arch;
	l->n++;
}

/* A package name or version: printable, no blank, not empty. */
static bool
token_ok(const char *s, size_t n)
{
	if (n == 0 || n > 512)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char) s[i] <= 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

void
ssh_parse_dpkg(const char *text, size_t len, SshPackageList *out)
{
	size_t		pos = 0;
	const char *line;
	size_t		n;

	memset(out, 0, sizeof(*out));
	while (next_line(text, len, &pos, &line, &n))
	{
		const char *f[4];
		size_t		fl[4];

		if (n == 0)
			continue;
		if (split_fields(line, n, '\t', f, fl, 4) != 4 || !token_ok(f[0], fl[0]) || fl[3] < 2)
		{
			out->skipped++;
			continue;
		}
		/* db:Status-Abbrev: want, status, error; status 'i' is installed (ii, hi, ...) */
		if (f[3][1] != 'i')
		{
			out->not_installed++;
			continue;
		}
		if (!token_ok(f[1], fl[1]))
		{
			out->skipped++;
			continue;
		}
		package_add(out, xstrndup(f[0], fl[0]), xstrndup(f[1], fl[1]),
					token_ok(f[2], fl[2]) ? xstrndup(f[2], fl[2]) : NULL);
	}
}

void
ssh_parse_rpm(const char *text, size_t len, SshPackageList *out)
{
	size_t		pos = 0;
	const char *line;
	size_t		n;

	memset(out, 0, sizeof(*out));
	while (next_line(text, len, &pos, &line, &n))
	{
		const char *f[4];
		size_t		fl[4];
		char	   *version;
		bool		epoch_numeric;

		if (n == 0)
			continue;
		if (split_fields(line, n, '\t', f, fl, 4) != 4 || !token_ok(f[0], fl[0]) || !token_ok(f[2], fl[2]))
		{
			out->skipped++;
			continue;
		}
		epoch_numeric = fl[1] > 0 && fl[1] <= 10;
		for (size_t i = 0; i < fl[1] && epoch_numeric; i++)
			epoch_numeric = f[1][i] >= '0' && f[1][i] <= '9';
		if (epoch_numeric)
		{
			version = xrealloc(NULL, fl[1] + 1 + fl[2] + 1);
			memcpy(version, f[1], fl[1]);
			version[fl[1]] = ':';
			memcpy(version + fl[1] + 1, f[2], fl[2]);
			version[fl[1] + 1 + fl[2]] = '\0';
		}
		else if (fl[1] == 6 && memcmp(f[1], "(none)", 6) == 0)
			version = xstrndup(f[2], fl[2]);
		else
		{
			out->skipped++;
			continue;
		}
		package_add(out, xstrndup(f[0], fl[0]), version,
					token_ok(f[3], fl[3]) && !(fl[3] == 6 && memcmp(f[3], "(none)", 6) == 0)
					? xstrndup(f[3], fl[3]) : NULL);
	}
}

void
ssh_package_list_free(SshPackageList *l)
{
	for (size_t i = 0; i < l->n; i++)
	{
		free(l->items[i].name);
		free(l->items[i].version);
		free(l->items[i].arch);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

/* ---- ss -H -tulnp ------------------------------------------------------------------------- */

/*
 * "0.0.0.0:22", "[::]:22", "[fe80::1]%eth0:123", "127.0.0.53%lo:53", "*:80": the address without
 * brackets and interface, and the port; false when the port is "*" or not a number.
 */
static bool
ss_local_address(const char *s, size_t n, char **address, int *port)
{
	const char *colon = NULL;
	const char *a = s;
	size_t		alen;
	long		p = 0;

	for (size_t i = n; i > 0; i--)
		if (s[i - 1] == ':')
		{
			colon = s + i - 1;
			break;
		}
	if (colon == NULL || colon + 1 == s + n || (size_t) (s + n - colon - 1) > 5)
		return false;
	for (const char *c = colon + 1; c < s + n; c++)
	{
		if (*c < '0' || *c > '9')
			return false;
		p = p * 10 + (*c - '0');
	}
	if (p < 1 || p > 65535)
		return false;
	alen = (size_t) (colon - s);
	if (alen > 0 && a[0] == '[')
	{
		const char *close = memchr(a, ']', alen);

		if (close == NULL)
			return false;
		a++;
		alen = (size_t) (close - a);
	}
	/* the zone ("%eth0") names the host's interface, not part of the address */
	{
		const char *pct = memchr(a, '%', alen);

		if (pct)
			alen = (size_t) (pct - a);
	}
	if (alen == 0 || has_control_chars(a, alen))
		return false;
	*address = xstrndup(a, alen);
	*port = (int) p;
	return true;
}

/* users:(("sshd",pid=612,fd=3),("sshd",pid=613,fd=3)): the first process's name and pid. */
static void
ss_process(const char *s, size_t n, char **process, long *pid)
{
	const char *u = NULL;
	const char *q1;
	const char *q2;
	const char *end = s + n;

	*process = NULL;
	*pid = 0;
	for (size_t i = 0; i + 9 <= n; i++)
		if (memcmp(s + i, "users:((\"", 9) == 0)
		{
			u = s + i + 8;
			break;
		}
	if (u == NULL)
		return;
	q1 = u;
	q2 = memchr(q1 + 1, '"', (size_t) (end - q1 - 1));
	if (q2 == NULL || q2 == q1 + 1 || has_control_chars(q1 + 1, (size_t) (q2 - q1 - 1)))
		return;
	*process = xstrndup(q1 + 1, (size_t) (q2 - q1 - 1));
	if (end - q2 > 5 && memcmp(q2 + 1, ",pid=", 5) == 0)
	{
		long		p = 0;

		for (const char *c = q2 + 6; c < end && *c >= '0' && *c <= '9' && p < 100000000; c++)
			p = p * 10 + (*c - '0');
		*pid = p;
	}
}

void
ssh_parse_ss(const char *text, size_t len, SshListenerList *out)
{
	size_t		pos = 0;
	const char *line;
	size_t		n;

	memset(out, 0, sizeof(*out));
	while (next_line(text, len, &pos, &line, &n))
	{
		const char *w[8];
		size_t		wl[8];
		int			nw;
		int			first = 0;
		const char *proto = "tcp";
		SshListener *l;
		char	   *address;
		int			port;

		if (n == 0)
			continue;
		nw = split_words(line, n, w, wl, 7);
		if (nw > 7)
			nw = 7;				/* the process column holds no blank: more words is a format we do not know */
		/* a header line, when ss was not given -H */
		if (nw > 0 && ((wl[0] == 5 && memcmp(w[0], "State", 5) == 0) || (wl[0] == 5 && memcmp(w[0], "Netid", 5) == 0)))
			continue;
		/* with -u (or several protocols) the first column is the protocol */
		if (nw > 0 && wl[0] == 3 && (memcmp(w[0], "tcp", 3) == 0 || memcmp(w[0], "udp", 3) == 0))
		{
			proto = memcmp(w[0], "tcp", 3) == 0 ? "tcp" : "udp";
			first = 1;
		}
		/* state, recv-q, send-q, local, peer [, process] */
		if (nw - first < 5 || !ss_local_address(w[first + 3], wl[first + 3], &address, &port))
		{
			out->skipped++;
			continue;
		}
		if (out->n == out->cap)
		{
			out->cap = out->cap ? out->cap * 2 : 32;
			out->items = xrealloc(out->items, out->cap * sizeof(SshListener));
		}
		l = &out->items[out->n++];
		l->proto = xstrndup(proto, 3);
		l->address = address;
		l->port = port;
		if (nw - first >= 6)
			ss_process(w[first + 5], wl[first + 5], &l->process, &l->pid);
		else
		{
			l->process = NULL;
			l->pid = 0;
		}
	}
}

void
ssh_listener_list_free(SshListenerList *l)
{
	for (size_t i = 0; i < l->n; i++)
	{
		free(l->items[i].proto);
		free(l->items[i].address);
		free(l->items[i].process);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

/* ---- getent passwd ------------------------------------------------------------------------ */

static bool
parse_id(const char *s, size_t n, long *v)
{
	long		x = 0;

	if (n == 0 || n > 10)
		return false;
	for (size_t i = 0; i < n; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			return false;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return true;
}

static bool
shell_allows_login(const char *shell)
{
	static const char *const no_login[] = {"nologin", "false", "sync", "halt", "shutdown", "true"};
	const char *base = strrchr(shell, '/');

	if (shell[0] == '\0')
		return false;
	base = base ? base + 1 : shell;
	for (size_t i = 0; i < sizeof(no_login) / sizeof(no_login[0]); i++)
		if (strcmp(base, no_login[i]) == 0)
			return false;
	return true;
}

void
ssh_parse_passwd(const char *text, size_t len, SshAccountList *out)
{
	size_t		pos = 0;
	const char *line;
	size_t		n;

	memset(out, 0, sizeof(*out));
	while (next_line(text, len, &pos, &line, &n))
	{
		const char *f[7];
		size_t		fl[7];
		long		uid;
		long		gid;
		SshAccount *a;

		if (n == 0)
			continue;
		if (split_fields(line, n, ':', f, fl, 7) != 7 || !token_ok(f[0], fl[0]) ||
			!parse_id(f[2], fl[2], &uid) || !parse_id(f[3], fl[3], &gid) || has_control_chars(line, n))
		{
			out->skipped++;
			continue;
		}
		if (out->n == out->cap)
		{
			out->cap = out->cap ? out->cap * 2 : 32;
			out->items = xrealloc(out->items, out->cap * sizeof(SshAccount));
		}
		a = &out->items[out->n++];
		a->name = xstrndup(f[0], fl[0]);
		a->uid = uid;
		a->gid = gid;
		a->home = xstrndup(f[5], fl[5]);
		a->shell = xstrndup(f[6], fl[6]);
		a->system = uid < 1000 || uid > 60000;
		a->login = shell_allows_login(a->shell);
	}
}

void
ssh_account_list_free(SshAccountList *l)
{
	for (size_t i = 0; i < l->n; i++)
	{
		free(l->items[i].name);
		free(l->items[i].home);
		free(l->items[i].shell);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

/* ---- package URLs ------------------------------------------------------------------------- */

/* Appends s percent-encoded: purl keeps letters, digits and . - _ ~ (and, here, : and +). */
static size_t
purl_append(char *out, size_t o, const char *s, bool keep_colon_plus)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *c = (const unsigned char *) s; *c; c++)
	{
		if (isalnum(*c) || *c == '.' || *c == '-' || *c == '_' || *c == '~' ||
			(keep_colon_plus && (*c == ':' || *c == '+')))
			out[o++] = (char) *c;
		else
		{
			out[o++] = '%';
			out[o++] = hex[*c >> 4];
			out[o++] = hex[*c & 15];
		}
	}
	return o;
}

char *
ssh_purl(const char *type, const char *namespace_, const char *name, const char *version,
		 const char *arch, const char *distro)
{
	size_t		cap = 32 + 3 * (strlen(type) + strlen(name) + (namespace_ ? strlen(namespace_) : 0) +
								(version ? strlen(version) : 0) + (arch ? strlen(arch) : 0) +
								(distro ? strlen(distro) : 0));
	char	   *out = xrealloc(NULL, cap);
	size_t		o = 0;
	const char *sep = "?";

	memcpy(out, "pkg:", 4);
	o = 4;
	o = purl_append(out, o, type, false);
	out[o++] = '/';
	if (namespace_ && namespace_[0])
	{
		o = purl_append(out, o, namespace_, false);
		out[o++] = '/';
	}
	o = purl_append(out, o, name, true);
	if (version && version[0])
	{
		out[o++] = '@';
		o = purl_append(out, o, version, true);
	}
	if (arch && arch[0])
	{
		memcpy(out + o, "?arch=", 6);
		o += 6;
		o = purl_append(out, o, arch, false);
		sep = "&";
	}
	if (distro && distro[0])
	{
		out[o++] = sep[0];
		memcpy(out + o, "distro=", 7);
		o += 7;
		o = purl_append(out, o, distro, false);
	}
	out[o] = '\0';
	return out;
}
