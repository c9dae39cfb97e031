/*
 * query.c: PostgREST-style query strings to SQL, with every value a bound parameter.
 *
 *   GET /api/nodes?kind=eq.host&criticality=in.(high,critical)&name=like.web*
 *                 &order=name.asc,id.desc.nullslast&limit=50&offset=100&select=id,name
 *
 * Column names must be columns of the view (from the catalog) and are quoted; operators come
 * from a fixed table; values are $n parameters of unknown type, so PostgreSQL converts them to
 * the column's type (a bad value is then a 22P02 error, i.e. 400). Nothing from the request is
 * ever part of the SQL text.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy.h"

typedef struct StrBuf
{
	char	   *data;
	size_t		len;
	size_t		cap;
} StrBuf;

static void
sb_append(StrBuf *sb, const char *fmt,...) __attribute__((format(printf, 2, 3)));

static void
sb_append(StrBuf *sb, const char *fmt,...)
{
	va_list		ap;
	int			need;

	va_start(ap, fmt);
	need = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (sb->len + need + 1 > sb->cap)
	{
		sb->cap = (sb->len + need + 1) * 2;
		sb->data = realloc(sb->data, sb->cap);
	}
	va_start(ap, fmt);
	vsnprintf(sb->data + sb->len, need + 1, fmt, ap);
	va_end(ap);
	sb->len += need;
}

/* "name" with embedded double quotes doubled. */
static void
sb_ident(StrBuf *sb, const char *name)
{
	sb_append(sb, "\"");
	for (const char *p = name; *p; p++)
		sb_append(sb, *p == '"' ? "\"\"" : "%c", *p);
	sb_append(sb, "\"");
}

void
quote_ident_append(char *buf, size_t size, const char *name)
{
	size_t		n = strlen(buf);

	if (n + 1 < size)
		buf[n++] = '"';
	for (const char *p = name; *p && n + 2 < size; p++)
	{
		if (*p == '"')
			buf[n++] = '"';
		buf[n++] = *p;
	}
	if (n + 1 < size)
		buf[n++] = '"';
	buf[n] = '\0';
}

static const char *
view_column(const ApiObject *view, const char *name, size_t len)
{
	for (int i = 0; i < view->ncols; i++)
		if (strlen(view->cols[i]) == len && strncmp(view->cols[i], name, len) == 0)
			return view->cols[i];
	return NULL;
}

static bool
query_fail(BuiltQuery *q, const char *fmt,...) __attribute__((format(printf, 2, 3)));

static bool
query_fail(BuiltQuery *q, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(q->error, sizeof(q->error), fmt, ap);
	va_end(ap);
	return false;
}

static int
query_param(BuiltQuery *q, const char *value)
{
	if (q->nparams >= PROXY_MAX_PARAMS)
		return -1;
	q->params[q->nparams] = value ? strdup(value) : NULL;
	return ++q->nparams;
}

/* in.(a,"b,c",d) -> the array literal {"a","b,c","d"}; NULL when the list is malformed. */
static char *
in_list_to_array(const char *v)
{
	StrBuf		sb = {0};
	size_t		len = strlen(v);
	const char *p;
	const char *end;
	bool		first = true;

	if (len < 2 || v[0] != '(' || v[len - 1] != ')')
		return NULL;
	p = v + 1;
	end = v + len - 1;
	sb_append(&sb, "{");
	while (p <= end)
	{
		StrBuf		item = {0};

		sb_append(&item, "%s", "");
		if (p < end && *p == '"')
		{
			for (p++; p < end && *p != '"'; p++)
			{
				if (*p == '\\' && p + 1 < end)
					p++;
				sb_append(&item, "%c", *p);
			}
			if (p >= end)
			{
				free(item.data);
				free(sb.data);
				return NULL;
			}
			p++;
		}
		else
			for (; p < end && *p != ','; p++)
				sb_append(&item, "%c", *p);
		if (p < end && *p != ',')
		{
			free(item.data);
			free(sb.data);
			return NULL;
		}
		sb_append(&sb, "%s\"", first ? "" : ",");
		for (const char *c = item.data; *c; c++)
			sb_append(&sb, (*c == '"' || *c == '\\') ? "\\%c" : "%c", *c);
		sb_append(&sb, "\"");
		free(item.data);
		first = false;
		p++;					/* past the comma (or the end) */
	}
	sb_append(&sb, "}");
	return sb.data;
}

/* One filter "col=[not.]op.value" appended to the WHERE clause. */
static bool
add_filter(BuiltQuery *q, StrBuf *where, const ApiObject *view, const char *key, const char *value)
{
	static const struct
	{
		const char *name;
		const char *sql;
	}			ops[] = {
		{"eq", "="}, {"neq", "<>"}, {"lt", "<"}, {"lte", "<="}, {"gt", ">"}, {"gte", ">="},
		{"like", "LIKE"}, {"ilike", "ILIKE"}, {"is", "IS"}, {"in", "= ANY"}, {NULL, NULL}
	};
	const char *col = view_column(view, key, strlen(key));
	const char *v = value;
	const char *dot;
	bool		negate = false;
	int			op = -1;
	int			n;

	if (col == NULL)
		return query_fail(q, "\"%s\" is not a column of %s", key, view->name);
	if (strncmp(v, "not.", 4) == 0)
	{
		negate = true;
		v += 4;
	}
	dot = strchr(v, '.');
	if (dot == NULL)
		return query_fail(q, "filter %s=%s is not <operator>.<value> (eq, neq, lt, lte, gt, gte, like, ilike, is, in)",
						  key, value);
	for (int i = 0; ops[i].name; i++)
		if (strlen(ops[i].name) == (size_t) (dot - v) && strncmp(ops[i].name, v, dot - v) == 0)
			op = i;
	if (op < 0)
		return query_fail(q, "unknown filter operator \"%.*s\" on %s", (int) (dot - v), v, key);
	v = dot + 1;

	sb_append(where, "%s%s(", where->len ? " AND " : " WHERE ", negate ? "NOT " : "");
	if (strcmp(ops[op].name, "is") == 0)
	{
		const char *what = strcmp(v, "null") == 0 ? "NULL" : strcmp(v, "true") == 0 ? "TRUE" :
			strcmp(v, "false") == 0 ? "FALSE" : strcmp(v, "unknown") == 0 ? "UNKNOWN" : NULL;

		if (what == NULL)
			return query_fail(q, "%s=is.%s: \"is\" takes null, true, false or unknown", key, v);
		sb_ident(where, col);
		sb_append(where, " IS %s)", what);
		return true;
	}
	if (strcmp(ops[op].name, "in") == 0)
	{
		char	   *arr = in_list_to_array(v);

		if (arr == NULL)
			return query_fail(q, "%s=in.%s: \"in\" takes a list in parentheses, (a,b,\"c,d\")", key, v);
		n = query_param(q, arr);
		free(arr);
		if (n < 0)
			return query_fail(q, "too many filters");
		sb_ident(where, col);
		sb_append(where, " = ANY($%d))", n);
		return true;
	}
	if (strstr(ops[op].name, "like"))
	{
		char	   *pattern = strdup(v);

		for (char *c = pattern; *c; c++)
			if (*c == '*')
				*c = '%';
		n = query_param(q, pattern);
		free(pattern);
		if (n < 0)
			return query_fail(q, "too many filters");
		sb_ident(where, col);
		sb_append(where, "::text %s $%d::text)", ops[op].sql, n);
		return true;
	}
	if ((n = query_param(q, v)) < 0)
		return query_fail(q, "too many filters");
	sb_ident(where, col);
	sb_append(where, " %s $%d)", ops[op].sql, n);
	return true;
}

/* order=col[.asc|.desc][.nullsfirst|.nullslast],... */
static bool
add_order(BuiltQuery *q, StrBuf *order, const ApiObject *view, const char *value)
{
	char	   *copy = strdup(value);
	char	   *save = NULL;
	bool		ok = true;

	for (char *term = strtok_r(copy, ",", &save); term && ok; term = strtok_r(NULL, ",", &save))
	{
		char	   *mod = strchr(term, '.');
		const char *col = view_column(view, term, mod ? (size_t) (mod - term) : strlen(term));
		const char *dir = "";
		const char *nulls = "";

		if (col == NULL)
		{
			ok = query_fail(q, "order: \"%.*s\" is not a column of %s",
							(int) (mod ? mod - term : (long) strlen(term)), term, view->name);
			break;
		}
		while (mod && ok)
		{
			char	   *next = strchr(mod + 1, '.');
			size_t		len = next ? (size_t) (next - mod - 1) : strlen(mod + 1);

			if (len == 3 && strncmp(mod + 1, "asc", 3) == 0)
				dir = " ASC";
			else if (len == 4 && strncmp(mod + 1, "desc", 4) == 0)
				dir = " DESC";
			else if (len == 10 && strncmp(mod + 1, "nullsfirst", 10) == 0)
				nulls = " NULLS FIRST";
			else if (len == 9 && strncmp(mod + 1, "nullslast", 9) == 0)
				nulls = " NULLS LAST";
			else
				ok = query_fail(q, "order: \"%.*s\" is not asc, desc, nullsfirst or nullslast",
								(int) len, mod + 1);
			mod = next;
		}
		if (!ok)
			break;
		sb_append(order, "%s", order->len ? ", " : " ORDER BY ");
		sb_ident(order, col);
		sb_append(order, "%s%s", dir, nulls);
	}
	free(copy);
	return ok;
}

static bool
add_select(BuiltQuery *q, StrBuf *cols, const ApiObject *view, const char *value)
{
	char	   *copy = strdup(value);
	char	   *save = NULL;
	bool		ok = true;

	for (char *c = strtok_r(copy, ",", &save); c; c = strtok_r(NULL, ",", &save))
	{
		const char *col = view_column(view, c, strlen(c));

		if (col == NULL)
		{
			ok = query_fail(q, "select: \"%s\" is not a column of %s", c, view->name);
			break;
		}
		if (cols->len)
			sb_append(cols, ", ");
		sb_ident(cols, col);
	}
	free(copy);
	if (ok && cols->len == 0)
		ok = query_fail(q, "select: give at least one column");
	return ok;
}

static bool
parse_count(const char *value, long max, long *out)
{
	char	   *end;
	long		n;

	errno = 0;
	n = strtol(value, &end, 10);
	if (errno || end == value || *end != '\0' || n < 0 || n > max || !isdigit((unsigned char) value[0]))
		return false;
	*out = n;
	return true;
}

bool
query_build_view(const ApiObject *view, const QueryArg *args, int nargs, int max_rows, BuiltQuery *q)
{
	StrBuf		where = {0};
	StrBuf		order = {0};
	StrBuf		cols = {0};
	StrBuf		sql = {0};
	long		limit = max_rows;
	long		offset = 0;
	bool		ok = true;
	int			n_limit;
	int			n_offset;
	char		num[32];

	memset(q, 0, sizeof(*q));
	for (int i = 0; i < nargs && ok; i++)
	{
		const char *k = args[i].key;
		const char *v = args[i].value ? args[i].value : "";

		if (strcmp(k, "limit") == 0)
		{
			if (!parse_count(v, max_rows, &limit))
				ok = query_fail(q, "limit must be a whole number from 0 to %d", max_rows);
		}
		else if (strcmp(k, "offset") == 0)
		{
			if (!parse_count(v, 1000000000L, &offset))
				ok = query_fail(q, "offset must be a whole number from 0");
		}
		else if (strcmp(k, "order") == 0)
			ok = add_order(q, &order, view, v);
		else if (strcmp(k, "select") == 0)
			ok = add_select(q, &cols, view, v);
		else
			ok = add_filter(q, &where, view, k, v);
	}
	if (ok)
	{
		snprintf(num, sizeof(num), "%ld", limit);
		n_limit = query_param(q, num);
		snprintf(num, sizeof(num), "%ld", offset);
		n_offset = query_param(q, num);
		if (n_limit < 0 || n_offset < 0)
			ok = query_fail(q, "too many filters");
	}
	if (ok)
	{
		sb_append(&sql, "SELECT COALESCE(pg_catalog.json_agg(_r), '[]')::text FROM (SELECT %s FROM infracast_api.",
				  cols.len ? cols.data : "*");
		sb_ident(&sql, view->name);
		sb_append(&sql, "%s%s LIMIT $%d::bigint OFFSET $%d::bigint) _r",
				  where.len ? where.data : "", order.len ? order.data : "", n_limit, n_offset);
		q->sql = sql.data;
	}
	free(where.data);
	free(order.data);
	free(cols.data);
	if (!ok)
		query_free(q);
	return ok;
}

bool
query_build_rpc(const ApiObject *fn, BuiltQuery *q)
{
	StrBuf		sql = {0};

	memset(q, 0, sizeof(*q));
	if (fn->retset)
		sb_append(&sql, "SELECT COALESCE(pg_catalog.json_agg(_r), '[]')::text FROM infracast_api.");
	else if (fn->composite)
		sb_append(&sql, "SELECT pg_catalog.row_to_json(_r)::text FROM infracast_api.");
	else
		sb_append(&sql, "SELECT pg_catalog.to_json(infracast_api.");
	sb_ident(&sql, fn->name);
	if (fn->retset || fn->composite)
		sb_append(&sql, "($1::jsonb) _r");
	else
		sb_append(&sql, "($1::jsonb))::text");
	q->sql = sql.data;
	q->nparams = 1;				/* the caller fills params[0] with the body */
	return true;
}

void
query_free(BuiltQuery *q)
{
	free(q->sql);
	q->sql = NULL;
	for (int i = 0; i < q->nparams; i++)
	{
		free(q->params[i]);
		q->params[i] = NULL;
	}
	q->nparams = 0;
}
