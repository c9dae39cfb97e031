/*
 * test_feeds_parse.c: unit tests of the plain-C feed readers (no PostgreSQL).
 *
 * Reads the fixtures in test/fixtures/feeds and the real feed files that INFRACAST_TEST_DATA (or
 * IC_TEST_DATA) names (test/data restored by the harness), checking counts and chosen records against
 * the files. Exits non-zero on any failure.
 */
#include "feeds/parse/feeds_parse.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

static int	failures = 0;
static int	checks = 0;

#define CHECK(cond, ...) do { \
	checks++; \
	if (!(cond)) { failures++; printf("not ok: %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } \
} while (0)

static char shared[1024];
static char fixtures[1024];

static const char *
sp(const char *rel)
{
	static char buf[4][2048];
	static int	k = 0;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/feeds/%s", shared, rel);
	return buf[k];
}

static const char *
fx(const char *rel)
{
	static char buf[4][2048];
	static int	k = 0;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", fixtures, rel);
	return buf[k];
}

/* Reads an EPSS file to the end: rows, or -1 with the error kind in *kind. */
static long
epss_read_all(const char *path, FeedErrKind *kind, char *model, double *first_epss, const char *find, double *found)
{
	FeedError	err = {0};
	EpssReader *r = epss_open(path, &err);
	EpssRow		row;
	int			rc;
	long		n;

	if (r == NULL)
	{
		*kind = err.kind;
		return -1;
	}
	if (model)
		snprintf(model, 64, "%s", epss_model_version(r) ? epss_model_version(r) : "");
	while ((rc = epss_next(r, &row, &err)) > 0)
	{
		if (first_epss && epss_rows(r) == 1)
			*first_epss = row.epss;
		if (find && strcmp(row.cve, find) == 0)
			*found = row.epss;
	}
	n = rc < 0 ? -1 : epss_rows(r);
	*kind = err.kind;
	epss_close(r);
	return n;
}

static long
feodo_read_all(const char *path, FeedErrKind *kind, FeodoRow *first, char *firstbuf)
{
	FeedError	err = {0};
	FeodoReader *r = feodo_open(path, &err);
	FeodoRow	row;
	int			rc;
	long		n;

	if (r == NULL)
	{
		*kind = err.kind;
		return -1;
	}
	while ((rc = feodo_next(r, &row, &err)) > 0)
		if (first && feodo_rows(r) == 1)
		{
			snprintf(firstbuf, 256, "%s|%d|%s|%s|%s", row.ip, row.port, row.malware,
					 row.status ? row.status : "", row.first_seen ? row.first_seen : "");
		}
	n = rc < 0 ? -1 : feodo_rows(r);
	*kind = err.kind;
	feodo_close(r);
	return n;
}

/* Streams an NVD file: CVE count, or -1 with the error kind. Records facts about one CVE. */
typedef struct NvdFacts
{
	const char *want;
	bool		seen;
	char		status[64];
	double		v31;
	double		v40;
	int			ncwes;
	int			nmatches;
	char		vendor[128];
	char		product[128];
	char		end_excl[64];
	long		rejected;
	long		deferred;
	long		matches_total;
} NvdFacts;

static long
nvd_read_all(const char *path, FeedErrKind *kind, NvdFacts *f, char *errmsg)
{
	FeedError	err = {0};
	NvdStream  *s = nvd_open(path, &err);
	NvdCve		cve;
	int			rc;
	long		n;

	if (s == NULL)
	{
		*kind = err.kind;
		if (errmsg)
			snprintf(errmsg, 1024, "%s", err.msg);
		return -1;
	}
	while ((rc = nvd_next(s, &cve, &err)) > 0)
	{
		if (f == NULL)
			continue;
		f->matches_total += cve.nmatches;
		if (strcmp(cve.vuln_status, "Rejected") == 0)
			f->rejected++;
		if (strcmp(cve.vuln_status, "Deferred") == 0)
			f->deferred++;
		if (f->want && strcmp(cve.id, f->want) == 0)
		{
			f->seen = true;
			snprintf(f->status, sizeof(f->status), "%s", cve.vuln_status);
			f->v31 = cve.v31.present ? cve.v31.score : -1;
			f->v40 = cve.v40.present ? cve.v40.score : -1;
			f->ncwes = cve.ncwes;
			f->nmatches = cve.nmatches;
			if (cve.nmatches > 0)
			{
				snprintf(f->vendor, sizeof(f->vendor), "%s", cve.matches[0].cpe[1]);
				snprintf(f->product, sizeof(f->product), "%s", cve.matches[0].cpe[2]);
				snprintf(f->end_excl, sizeof(f->end_excl), "%s",
						 cve.matches[0].version_end_excluding ? cve.matches[0].version_end_excluding : "");
			}
		}
	}
	n = rc < 0 ? -1 : nvd_cves(s);
	*kind = err.kind;
	if (errmsg)
		snprintf(errmsg, 1024, "%s", err.msg);
	nvd_close(s);
	return n;
}

/* Reads buf (with its '\0' after len) as one value: the reader's status at the end. */
static JsonPullStatus
pull_status(const char *buf, int max_depth)
{
	JsonPull	j;

	json_pull_init(&j, buf, strlen(buf), max_depth);
	json_pull_skip(&j);
	return j.status;
}

static void
test_json_pull(void)
{
	const char *doc = "{\"a\\u0062\" : [1, -2.5e3, true, null, {\"x\": \"caf\\u00e9 \\ud83d\\ude00 \\udc00\\\"\"},], \"n\": 7.5}";
	JsonPull	j;
	JsonSpan	key,
				s;
	char		out[128];
	double		n = 0;
	int			members = 0;

	json_pull_init(&j, doc, strlen(doc), 64);
	CHECK(json_pull_object(&j), "object entered");
	while (json_pull_member(&j, &key))
	{
		members++;
		if (json_span_is(&key, "ab"))
		{
			CHECK(key.escaped, "an escaped member name is compared decoded");
			CHECK(json_pull_array(&j), "array entered");
			for (int i = 0; json_pull_element(&j); i++)
			{
				if (i < 4)
				{
					json_pull_skip(&j);
					continue;
				}
				CHECK(json_pull_object(&j) && json_pull_member(&j, &key) && json_span_is(&key, "x"), "nested member");
				json_pull_string(&j, &s);
				CHECK(s.p != NULL, "a string value");
				json_span_decode(&s, out);
				CHECK(strcmp(out, "caf\xc3\xa9 \xf0\x9f\x98\x80 \xef\xbf\xbd\"") == 0,
					  "escapes decoded, a pair joined, a lone surrogate replaced: %s", out);
				CHECK(!json_pull_member(&j, &key), "object closed");
			}
		}
		else
			CHECK(json_pull_number(&j, &n), "a number");
	}
	CHECK(j.status == JSON_PULL_OK && members == 2 && n == 7.5 && *j.p == '\0', "whole document read (status %d)", j.status);

	CHECK(pull_status("{\"a\": [1, 2", 64) == JSON_PULL_MORE, "input ending inside a value: more");
	CHECK(pull_status("{\"a\": \"abc", 64) == JSON_PULL_MORE, "input ending inside a string: more");
	CHECK(pull_status("[12", 64) == JSON_PULL_MORE, "input ending inside a number: more");
	CHECK(pull_status("[tr", 64) == JSON_PULL_MORE, "input ending inside a literal: more");
	CHECK(pull_status("{\"a\" 1}", 64) == JSON_PULL_BAD, "missing ':' is bad");
	CHECK(pull_status("[1,,2]", 64) == JSON_PULL_BAD, "empty element is bad");
	CHECK(pull_status("[tru]", 64) == JSON_PULL_BAD, "broken literal is bad");
	CHECK(pull_status("[\"\\x\"]", 64) == JSON_PULL_BAD, "unknown escape is bad");
	CHECK(pull_status("[\"\\u12g4\"]", 64) == JSON_PULL_BAD, "bad \\u escape is bad");
	CHECK(pull_status("[1.2.3]", 64) == JSON_PULL_BAD, "bad number is bad");
	CHECK(pull_status("['a']", 64) == JSON_PULL_BAD, "single quotes are bad");
	CHECK(pull_status("[[[]]]", 3) == JSON_PULL_OK && pull_status("[[[[]]]]", 3) == JSON_PULL_BAD, "nesting limit");
	CHECK(pull_status("{\"a\": [1, 2,], }", 64) == JSON_PULL_OK, "a comma before a closing bracket is accepted (as json-c does)");

	/* the word-at-a-time loops: every position of a space run's end, a quote, an escape, the end */
	for (int spaces = 0; spaces < 20; spaces++)
		for (int before = 0; before < 20; before++)
		{
			char		buf[128];
			int			n = snprintf(buf, sizeof(buf), "[%*s\"%.*s\\\"x\"]", spaces, "", before,
									 "aaaaaaaaaaaaaaaaaaaaaaaaa");
			bool		ok;

			json_pull_init(&j, buf, (size_t) n, 4);
			ok = json_pull_array(&j) && json_pull_element(&j);
			json_pull_string(&j, &s);
			ok = ok && s.p != NULL && s.len == (uint32_t) before + 3 && s.escaped && !json_pull_element(&j) &&
				j.status == JSON_PULL_OK;
			CHECK(ok, "string after %d spaces with %d bytes before an escape", spaces, before);
			buf[n - 3] = '\0';	/* cut inside the string: the reader asks for more */
			CHECK(pull_status(buf, 4) == JSON_PULL_MORE, "string cut after %d spaces, %d bytes", spaces, before);
		}
}

/* A temporary NVD file (a name the loader takes); its path in path (64 bytes). */
static FILE *
nvd_temp(char *path)
{
	char		tmpl[] = "/tmp/infracast-nvd-XXXXXX";
	int			fd = mkstemp(tmpl);

	if (fd < 0)
		return NULL;
	close(fd);
	unlink(tmpl);
	snprintf(path, 64, "%s-nvdcve-2.0-2099.json", tmpl);
	return fopen(path, "w");
}

/*
 * Writes an NVD document of ncves CVEs (CVE-2099-0000, ...) to f and closes it: CVE c has
 * matches(c) cpeMatch elements, each printed with match_fmt (one %d: its index in the list).
 */
static void
nvd_write_cves(FILE *f, int ncves, int (*matches) (int c), const char *match_fmt)
{
	fprintf(f, "{\"totalResults\": %d, \"vulnerabilities\": [", ncves);
	for (int c = 0; c < ncves; c++)
	{
		fprintf(f, "%s{\"cve\": {\"id\": \"CVE-2099-%04d\", \"lastModified\": \"2099-01-01T00:00:00\", "
				"\"vulnStatus\": \"Analyzed\", \"configurations\": [{\"nodes\": [{\"cpeMatch\": [", c ? ", " : "", c);
		for (int m = 0; m < matches(c); m++)
		{
			if (m)
				fputs(", ", f);
			fprintf(f, match_fmt, m);
		}
		fprintf(f, "]}]}]}}");
	}
	fprintf(f, "]}");
	fclose(f);
}

/* two records of 8000 cpeMatch, then small ones */
static int
large_record_matches(int c)
{
	return c < 2 ? 8000 : 1;
}

/*
 * A record far larger than the input buffer is moved, the buffer grown, and the record read again;
 * the ring slots that held the two large records shrink when small ones reuse them.
 */
static void
test_nvd_large_record(void)
{
	char		path[64];
	FILE	   *f = nvd_temp(path);
	FeedErrKind kind;
	NvdFacts	facts = {0};
	char		msg[1024];
	long		n;

	CHECK(f != NULL, "temporary file");
	if (f == NULL)
		return;
	nvd_write_cves(f, 202, large_record_matches,
				   "{\"vulnerable\": true, \"criteria\": \"cpe:2.3:a:vendor%d:product:1:*:*:*:*:*:*:*\"}");
	facts.want = "CVE-2099-0001";
	n = nvd_read_all(path, &kind, &facts, msg);
	CHECK(n == 202 && facts.seen && facts.nmatches == 8000 && facts.matches_total == 16200 &&
		  strcmp(facts.vendor, "vendor0") == 0, "two records of 8000 cpeMatch each, then 200 small (%ld: %s)", n, msg);
	unlink(path);
}

/* ---- malformed and outsized NVD input ---------------------------------------------------------- */

/* The process's peak resident memory in KB (VmHWM), after resetting it when reset; -1 if unknown. */
static long
peak_rss_kb(bool reset)
{
	char		line[256];
	long		kb = -1;
	FILE	   *f;

	if (reset)
	{
		f = fopen("/proc/self/clear_refs", "w");
		if (f == NULL || fputs("5", f) < 0 || fclose(f) != 0)
			return -1;
	}
	f = fopen("/proc/self/status", "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "VmHWM:", 6) == 0)
			kb = atol(line + 6);
	fclose(f);
	return kb;
}

static const char nvd_cve_fields[] = "\"id\": \"CVE-2099-0001\", \"lastModified\": \"2099-01-01T00:00:00\", "
	"\"vulnStatus\": \"Analyzed\"";

/* A record larger than the limit is refused as such, without the buffer growing past the limit. */
static void
test_nvd_record_limit(void)
{
	char		path[64];
	FILE	   *f = nvd_temp(path);
	FeedErrKind kind;
	char		msg[1024];
	long		n;

	CHECK(f != NULL, "temporary file");
	if (f == NULL)
		return;
	fprintf(f, "{\"totalResults\": 1, \"vulnerabilities\": [{\"cve\": {%s, \"descriptions\": [{\"lang\": \"en\", \"value\": \"",
			nvd_cve_fields);
	for (int i = 0; i < 65 * 1024; i++)
		fprintf(f, "%01024d", 0);
	fprintf(f, "\"}]}}]}");
	fclose(f);
	n = nvd_read_all(path, &kind, NULL, msg);
	CHECK(n < 0 && kind == FEED_ERR_FORMAT && strstr(msg, "vulnerabilities[0] is larger than 64 MB") != NULL,
		  "a 65 MB record is refused (%ld, kind %d: %s)", n, kind, msg);
	unlink(path);
}

/* A header member (anything but "vulnerabilities") is parsed whole by json-c: it has a smaller limit. */
static void
test_nvd_header_limit(void)
{
	char		path[64];
	FILE	   *f = nvd_temp(path);
	FeedErrKind kind;
	char		msg[1024];
	long		n;

	CHECK(f != NULL, "temporary file");
	if (f == NULL)
		return;
	fprintf(f, "{\"totalResults\": 0, \"padding\": [0");
	for (int i = 0; i < 1024 * 1024; i++)
		fputs(",0", f);
	fprintf(f, "], \"vulnerabilities\": []}");
	fclose(f);
	n = nvd_read_all(path, &kind, NULL, msg);
	CHECK(n < 0 && kind == FEED_ERR_FORMAT && strstr(msg, "header member") != NULL && strstr(msg, "1 MB") != NULL,
		  "a 2 MB header member is refused (%ld, kind %d: %s)", n, kind, msg);
	unlink(path);
}

/*
 * cpeMatch elements without a criteria make the record fail, but each used to take a 144-byte
 * entry first: a million "0," (2 MB) took 144 MB. The error is the same; the memory is not taken.
 */
static void
test_nvd_empty_matches(void)
{
	char		path[64];
	FILE	   *f = nvd_temp(path);
	FeedErrKind kind;
	char		msg[1024];
	long		n,
				before,
				after;

	CHECK(f != NULL, "temporary file");
	if (f == NULL)
		return;
	fprintf(f, "{\"totalResults\": 1, \"vulnerabilities\": [{\"cve\": {%s, \"configurations\": [{\"nodes\": [{\"cpeMatch\": [0",
			nvd_cve_fields);
	for (int i = 0; i < 1000 * 1000; i++)
		fputs(i % 2 ? ",0" : ",{}", f);
	fprintf(f, "]}]}]}}]}");
	fclose(f);
	before = peak_rss_kb(true);
	n = nvd_read_all(path, &kind, NULL, msg);
	after = peak_rss_kb(false);
	CHECK(n < 0 && kind == FEED_ERR_FORMAT && strstr(msg, "criteria is not a CPE 2.3 name: \"(missing)\"") != NULL,
		  "cpeMatch elements without criteria refused (%ld, kind %d: %s)", n, kind, msg);
	if (before < 0 || after < 0)
		printf("# peak memory not measured (no /proc/self/clear_refs)\n");
	else
		CHECK(after - before < 48 * 1024, "a million empty cpeMatch elements took %ld KB", after - before);

	/* a node whose cpeMatch list is given twice counts the last one only, empty elements too */
	f = fopen(path, "w");
	CHECK(f != NULL, "temporary file");
	if (f == NULL)
		return;
	fprintf(f, "{\"totalResults\": 1, \"vulnerabilities\": [{\"cve\": {%s, \"configurations\": [{\"nodes\": ["
			"{\"cpeMatch\": [{\"criteria\": \"cpe:2.3:a:v:p:1:*:*:*:*:*:*:*\"}]}, "
			"{\"cpeMatch\": [0, {}], \"cpeMatch\": [{\"criteria\": \"cpe:2.3:a:v:q:1:*:*:*:*:*:*:*\"}]}]}]}}]}",
			nvd_cve_fields);
	fclose(f);
	n = nvd_read_all(path, &kind, NULL, msg);
	CHECK(n == 1, "a cpeMatch list given again replaces the one before, and its empty elements (%ld: %s)", n, msg);
	unlink(path);
}

static int
ring_budget_matches(int c)
{
	(void) c;
	return 20000;
}

/*
 * Parsed CVEs wait in a ring of 64 for the backend. Sixty-four large ones took 64 times a large
 * one's memory: the ring has a byte budget too (32 MB), past which the parse thread waits.
 */
static void
test_nvd_ring_budget(void)
{
	char		path[64];
	FILE	   *f = nvd_temp(path);
	FeedError	err = {0};
	NvdStream  *s;
	NvdCve		cve;
	long		before,
				peak = 0,
				n = 0;
	int			rc;

	CHECK(f != NULL, "temporary file");
	if (f == NULL)
		return;
	/* 40 records of 20,000 cpeMatch (900 KB each; 5 MB each once parsed) */
	nvd_write_cves(f, 40, ring_budget_matches, "{\"criteria\": \"cpe:2.3:a:v:p%05d:*:*:*:*:*:*:*:*\"}");

	before = peak_rss_kb(true);
	s = nvd_open(path, &err);
	CHECK(s != NULL, "ring budget file opens: %s", err.msg);
	if (s == NULL)
		return;
	rc = nvd_next(s, &cve, &err);
	CHECK(rc == 1, "first CVE: %s", err.msg);
	/* the backend is slow: let the parse thread read ahead as far as it will */
	for (int still = 0, i = 0; still < 10 && i < 600; i++)
	{
		long		now = peak_rss_kb(false);

		still = now == peak ? still + 1 : 0;
		peak = now;
		usleep(100 * 1000);
	}
	if (rc == 1)
		n = 1;
	while ((rc = nvd_next(s, &cve, &err)) > 0)
		n++;
	CHECK(rc == 0 && n == 40, "40 large CVEs read (%ld: %s)", n, err.msg);
	nvd_close(s);
	if (before < 0 || peak < 0)
		printf("# peak memory not measured (no /proc/self/clear_refs)\n");
	else
		CHECK(peak - before < 96 * 1024, "the parse thread read ahead into %ld KB", peak - before);
	unlink(path);
}

/* An unexpected byte that is not printable ASCII is named in hex, not put raw into the message. */
static void
test_nvd_bad_byte(void)
{
	char		path[64];
	FILE	   *f = nvd_temp(path);
	FeedErrKind kind;
	char		msg[1024];
	long		n;
	bool		ascii = true;

	CHECK(f != NULL, "temporary file");
	if (f == NULL)
		return;
	fputs("\xef\xbb\xbf{\"totalResults\": 0, \"vulnerabilities\": []}", f);
	fclose(f);
	n = nvd_read_all(path, &kind, NULL, msg);
	for (const char *p = msg; *p; p++)
		ascii &= (unsigned char) *p < 0x80;
	CHECK(n < 0 && kind == FEED_ERR_FORMAT && ascii && strstr(msg, "found byte 0xEF") != NULL,
		  "a file starting with a UTF-8 BOM is refused, the byte named in hex: %s", msg);

	/* so are the bytes of a CVE id or criteria quoted in a message, and a multibyte character is
	 * never cut in two */
	f = fopen(path, "w");
	CHECK(f != NULL, "temporary file");
	if (f == NULL)
		return;
	fprintf(f, "{\"vulnerabilities\": [{\"cve\": {\"id\": \"CVE-\xff\\u0001\", \"lastModified\": \"x\", "
			"\"vulnStatus\": \"y\", \"configurations\": [{\"nodes\": [{\"cpeMatch\": [{\"criteria\": \"");
	fputc('x', f);
	for (int i = 0; i < 150; i++)
		fputs("\xc3\xa9", f);	/* e-acute: "%.200s" cut the 100th in two */
	fprintf(f, "\"}]}]}]}}]}");
	fclose(f);
	n = nvd_read_all(path, &kind, NULL, msg);
	ascii = true;
	for (const char *p = msg; *p; p++)
		ascii &= (unsigned char) *p < 0x80;
	CHECK(n < 0 && kind == FEED_ERR_FORMAT && ascii && strstr(msg, "CVE-\\xFF\\x01 has a cpeMatch") != NULL &&
		  strstr(msg, "\\xC3\\xA9\\xC3\\xA9") != NULL,
		  "an id and a criteria that are not ASCII are quoted in hex: %s", msg);
	unlink(path);
}

/*
 * json_span_equal() calls made by the NVD reader: the test binary is linked with
 * --wrap=json_span_equal (mk/feeds.mk), so the NVD reader's calls come here first.
 */
static volatile long span_equal_calls = 0;

extern bool __real_json_span_equal(const JsonSpan *a, const JsonSpan *b);
extern bool __wrap_json_span_equal(const JsonSpan *a, const JsonSpan *b);

bool
__wrap_json_span_equal(const JsonSpan *a, const JsonSpan *b)
{
	span_equal_calls++;
	return __real_json_span_equal(a, b);
}

/* Comparisons made to read an NVD file whose one record has these CWE values (printf format, index). */
static long
nvd_cwe_compares(const char *value_fmt, int distinct, int total, int *ncwes)
{
	char		path[64];
	FILE	   *f = nvd_temp(path);
	FeedError	err = {0};
	NvdStream  *s;
	NvdCve		cve;
	long		before;

	*ncwes = -1;
	if (f == NULL)
		return -1;
	fprintf(f, "{\"totalResults\": 1, \"vulnerabilities\": [{\"cve\": {%s, \"weaknesses\": [{\"description\": [",
			nvd_cve_fields);
	for (int i = 0; i < total; i++)
	{
		fprintf(f, "%s{\"lang\": \"en\", \"value\": \"", i ? ", " : "");
		fprintf(f, value_fmt, i < distinct ? i : distinct - 1);
		fprintf(f, "\"}");
	}
	fprintf(f, "]}]}}]}");
	fclose(f);
	before = span_equal_calls;
	s = nvd_open(path, &err);
	if (s != NULL && nvd_next(s, &cve, &err) == 1)
		*ncwes = cve.ncwes;
	nvd_close(s);				/* joins the parse thread: its calls are all counted */
	unlink(path);
	return span_equal_calls - before;
}

/*
 * A CWE value is compared with the ones kept before (up to 64) to drop duplicates, and an escaped
 * one was decoded again for each comparison: 63 distinct values and then 240,000 copies of one of
 * them (escaped, 60 MB) took 20 s for one record. Now a value is compared only with kept values of
 * the same hash: a duplicate once, a distinct value (almost) never; before, each of the 30,000
 * here was compared with up to 63 kept ones (1.9 million comparisons).
 */
static void
test_nvd_cwe_duplicates(void)
{
	const char *fmt = "CWE-%d\\u0041\\u0041\\u0041\\u0041";
	int			ndup,
				ndistinct;
	long		dup = nvd_cwe_compares(fmt, 63, 30000, &ndup);
	long		distinct = nvd_cwe_compares(fmt, 30000, 30000, &ndistinct);

	CHECK(ndup == 63 && ndistinct == 64, "63 distinct CWEs, then 64 at most (%d, %d)", ndup, ndistinct);
	/* the record (1.5 MB) is read again as the input buffer doubles: about twice over in all */
	CHECK(dup >= 0 && dup <= 4 * 30000, "30,000 CWE values, 29,937 of them duplicates: %ld comparisons", dup);
	CHECK(distinct >= 0 && distinct <= 100, "30,000 distinct CWE values: %ld comparisons", distinct);
}

static void
test_cpe(void)
{
	char		buf[CPE_MAX_LEN];
	char	   *c[CPE_NATTRS];

	/* the NVD reader's side of the one splitter (src/match/cpe.c, tested in test_cpe.c) */
	CHECK(cpe_name_split("cpe:2.3:a:apache:log4j:2.0:beta9:*:*:*:*:*:*", buf, sizeof(buf), c, NULL), "plain CPE parses");
	CHECK(strcmp(c[1], "apache") == 0 && strcmp(c[2], "log4j") == 0 && strcmp(c[4], "beta9") == 0,
		  "attributes split");
	CHECK(cpe_name_split("cpe:2.3:a:foo\\:bar:prod\\!x:1.0:*:*:*:*:*:*:*", buf, sizeof(buf), c, NULL), "escaped colon parses");
	CHECK(strcmp(c[1], "foo:bar") == 0 && strcmp(c[2], "prod!x") == 0, "escapes removed: %s %s", c[1], c[2]);
	CHECK(!cpe_name_split("cpe:/a:apache:log4j", buf, sizeof(buf), c, NULL), "CPE 2.2 URI refused");
	CHECK(!cpe_name_split("cpe:2.3:a:apache:log4j:2.0", buf, sizeof(buf), c, NULL), "too few attributes refused");
}

static void
test_fixtures(void)
{
	FeedErrKind kind;
	double		e = -1,
				found = -1;
	char		model[64];
	NvdFacts	f = {0};
	char		msg[1024];

	CHECK(epss_read_all(fx("feeds/epss_two_column.csv"), &kind, model, &e, NULL, NULL) == 3 && model[0] == '\0',
		  "two-column EPSS without the comment line");
	CHECK(epss_read_all(fx("feeds/epss_bad_columns.csv"), &kind, NULL, NULL, NULL, NULL) < 0 && kind == FEED_ERR_FORMAT,
		  "EPSS with a wrong column count is refused");
	CHECK(epss_read_all(fx("feeds/empty.csv"), &kind, NULL, NULL, NULL, NULL) < 0 && kind == FEED_ERR_EMPTY,
		  "empty file refused as empty");
	CHECK(epss_read_all(fx("feeds/epss_truncated.csv.gz"), &kind, NULL, NULL, NULL, NULL) < 0 && kind == FEED_ERR_GZIP,
		  "truncated gzip refused (kind %d)", kind);
	CHECK(epss_read_all(fx("feeds/not_gzip.csv.gz"), &kind, NULL, NULL, NULL, NULL) < 0 && kind == FEED_ERR_GZIP,
		  "a .gz that is not gzip refused");
	CHECK(epss_read_all(fx("feeds/epss_scientific.csv.gz"), &kind, model, NULL, "CVE-2024-0002", &found) == 4 &&
		  fabs(found - 7e-05) < 1e-12 && strcmp(model, "v2026.06.15") == 0,
		  "gzip EPSS with scientific notation: %g %s", found, model);
	CHECK(feodo_read_all(fx("feeds/feodo_count_mismatch.csv"), &kind, NULL, NULL) < 0 && kind == FEED_ERR_COUNT,
		  "Feodo END count mismatch refused");
	CHECK(nvd_read_all(fx("feeds/nvd_bad/nvdcve-2.0-truncated.json"), &kind, NULL, NULL) < 0 && kind == FEED_ERR_FORMAT,
		  "truncated NVD refused");
	CHECK(nvd_read_all(fx("feeds/nvd_bad/nvdcve-2.0-badjson.json"), &kind, NULL, NULL) < 0 && kind == FEED_ERR_FORMAT,
		  "bad JSON NVD refused");
	f.want = "CVE-2099-0001";
	CHECK(nvd_read_all(fx("feeds/nvd/nvdcve-2.0-2099.json"), &kind, &f, msg) == 2, "small NVD fixture: %s", msg);
	CHECK(f.seen && strcmp(f.vendor, "acme") == 0 && strcmp(f.product, "widget") == 0 &&
		  strcmp(f.end_excl, "14su5") == 0 && f.v40 == 9.3 && f.ncwes == 1,
		  "fixture CVE facts: %s %s %s %g", f.vendor, f.product, f.end_excl, f.v40);
}

static void
test_real_kev(void)
{
	FeedError	err = {0};
	KevDoc	   *d = kev_open_file(sp("kev/cisagov-kev-data/known_exploited_vulnerabilities.json"), NULL, &err);
	KevEntry	e;
	int			known = 0;

	CHECK(d != NULL, "real KEV opens: %s", err.msg);
	if (d == NULL)
		return;
	CHECK(kev_count(d) == 1404, "KEV has 1404 entries (%d)", kev_count(d));
	CHECK(strcmp(kev_catalog_version(d), "2025.08.25") == 0, "catalogVersion");
	for (int i = 0; i < kev_count(d); i++)
	{
		CHECK(kev_entry(d, i, &e, &err) == 0, "entry %d: %s", i, err.msg);
		if (e.known_ransomware_campaign_use && strcmp(e.known_ransomware_campaign_use, "Known") == 0)
			known++;
		if (i == 0)
			CHECK(strcmp(e.cve_id, "CVE-2025-48384") == 0 && strcmp(e.vendor_project, "Git") == 0 &&
				  strcmp(e.due_date, "2025-09-15") == 0, "first entry is CVE-2025-48384");
	}
	CHECK(known == 293, "293 Known ransomware entries (%d)", known);
	kev_close(d);
}

static void
test_real_epss(void)
{
	FeedErrKind kind;
	char		model[64];
	double		found = -1;

	CHECK(epss_read_all(sp("epss/quay-claircore/data.csv"), &kind, model, NULL, "CVE-1999-0005", &found) == 29 &&
		  strcmp(model, "v2023.03.01") == 0 && found == 0.91963, "claircore EPSS sample: 29 rows (the corpus's SOURCES.md says 28)");
	CHECK(epss_read_all(sp("epss/aboutcode-vulnerablecode/epss_scores-2025-x-x.csv"), &kind, model, NULL, NULL, NULL) == 27 &&
		  strcmp(model, "v2025.03.14") == 0, "vulnerablecode EPSS sample: 27 rows");
}

static void
test_real_feodo(void)
{
	FeedErrKind kind;
	FeodoRow	r;
	char		first[256];

	CHECK(feodo_read_all(sp("feodo/jainidhya-CSV/ipblocklist.csv"), &kind, &r, first) == 750 &&
		  strcmp(first, "51.178.161.32|4643|Dridex|online|2021-01-17 07:44:46") == 0, "Feodo 750: %s", first);
	CHECK(feodo_read_all(sp("feodo/kotesh442-kotichowdary/ipblocklist.csv"), &kind, NULL, NULL) == 470, "Feodo 470");
	CHECK(feodo_read_all(sp("feodo/wizard-projects-abuse.chC2Feeds/ipblocklist.csv"), &kind, NULL, NULL) == 28, "Feodo 28");
	CHECK(feodo_read_all(sp("feodo/pavankalyankaki-cyberintern_Task04/ipblocklist.csv"), &kind, NULL, NULL) == 1, "Feodo 1");
	CHECK(feodo_read_all(sp("feodo/cesar214567-PC2_Redes/ipblocklist_aggressive.csv"), &kind, NULL, NULL) == 472, "Feodo aggressive: 472 rows (the corpus's SOURCES.md says 471)");
}

static void
test_real_nvd(void)
{
	FeedErrKind kind;
	NvdFacts	f = {0};
	char		msg[1024];
	long		n;

	f.want = "CVE-2002-0001";
	n = nvd_read_all(sp("nvd/teundeclercq-nvd-mirror/nvdcve-2002.json.gz"), &kind, &f, msg);
	CHECK(n == 6770, "2002: 6770 CVEs (%ld: %s)", n, msg);
	CHECK(f.deferred == 6664, "2002: 6664 Deferred (%ld)", f.deferred);
	CHECK(f.matches_total == 26971, "2002: 26971 cpeMatch (%ld)", f.matches_total);
	CHECK(nvd_read_all(sp("nvd/teundeclercq-nvd-mirror/nvdcve-2003.json.gz"), &kind, NULL, msg) == 1555, "2003: %s", msg);
	{
		/* closing in the middle (as an ERROR while storing does) stops the parse thread cleanly */
		FeedError	err = {0};
		NvdStream  *s = nvd_open(sp("nvd/teundeclercq-nvd-mirror/nvdcve-2002.json.gz"), &err);
		NvdCve		cve;
		int			got = 0;

		while (s && got < 5 && nvd_next(s, &cve, &err) > 0)
			got++;
		CHECK(s != NULL && got == 5 && strncmp(cve.id, "CVE-", 4) == 0, "5 CVEs, then close early");
		nvd_close(s);
	}
	memset(&f, 0, sizeof(f));
	f.want = "CVE-2026-30820";
	n = nvd_read_all(sp("nvd/teundeclercq-nvd-mirror/nvdcve-recent.json.gz"), &kind, &f, msg);
	CHECK(n == 1447 && f.rejected == 5, "recent: 1447 CVEs, 5 rejected (%ld, %ld: %s)", n, f.rejected, msg);
	CHECK(f.seen && f.v40 == 8.7, "CVE-2026-30820 has CVSS 4.0 8.7 (%g)", f.v40);
	CHECK(nvd_read_all(sp("nvd/teundeclercq-nvd-mirror/nvdcve-modified.json.gz"), &kind, NULL, msg) == 2286, "modified: %s", msg);
	CHECK(nvd_read_all(sp("nvd/Moralz-Lang-Agent-ZeroV2/nvdcve-2.0-recent.json.gz"), &kind, NULL, msg) == 930, "Agent-Zero recent: %s", msg);
	CHECK(nvd_read_all(sp("nvd/DependencyTrack-dependency-track/nvdcve-2.0-2022.json"), &kind, NULL, msg) < 0 &&
		  (kind == FEED_ERR_CHECKSUM || kind == FEED_ERR_COUNT), "trimmed 2022 refused: %s", msg);
	CHECK(nvd_read_all(sp("nvd/DependencyTrack-dependency-track/nvdcve-2.0-2021_duplicate-cpes.json"), &kind, NULL, msg) < 0 &&
		  kind == FEED_ERR_COUNT, "duplicate-cpes fixture says totalResults 23075 for 1 CVE: %s", msg);
}

/* ---- feed_reader: gzip inflated here, and the hash of the bytes as stored --------------------- */

/* One gzip member holding data; its length, or 0 when out is too small. */
static size_t
gz_member(const void *data, size_t len, unsigned char *out, size_t cap)
{
	z_stream	zs = {0};
	size_t		n;

	if (deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return 0;
	zs.next_in = (Bytef *) data;
	zs.avail_in = (uInt) len;
	zs.next_out = out;
	zs.avail_out = (uInt) cap;
	n = deflate(&zs, Z_FINISH) == Z_STREAM_END ? cap - zs.avail_out : 0;
	deflateEnd(&zs);
	return n;
}

static void
write_file(const char *path, const void *buf, size_t len)
{
	FILE	   *f = fopen(path, "wb");

	if (f == NULL || fwrite(buf, 1, len, f) != len)
		printf("could not write %s\n", path);
	if (f)
		fclose(f);
}

/*
 * Reads path to the end in reads of step bytes (or only first bytes, then feed_reader_finish);
 * fills content and file digests; returns the content length, or -1 with err set.
 */
static long
reader_digests(const char *path, size_t step, size_t first, char content[65], char file[65], FeedError *err)
{
	FeedReader *r = feed_reader_open(path, err);
	char	   *buf = malloc(step);
	long		total = 0,
				got;

	if (r == NULL)
	{
		free(buf);
		return -1;
	}
	while ((first == 0 || (size_t) total < first) && (got = feed_reader_read(r, buf, step, err)) != 0)
	{
		if (got < 0)
		{
			total = -1;
			break;
		}
		total += got;
	}
	if (total >= 0 && feed_reader_finish(r, content, file, err) < 0)
		total = -1;
	if (total >= 0 && feed_reader_read(r, buf, step, err) != 0)
		total = -2;				/* a read after finish must give nothing */
	feed_reader_close(r);
	free(buf);
	return total;
}

static void
test_reader_gzip(void)
{
	char		tmpl[] = "/tmp/infracast-gz-XXXXXX";
	char		path[64],
				content[65],
				file[65],
				want[65],
				want_file[65];
	unsigned char *big = malloc(600000),
			   *gz = malloc(1400000);
	size_t		n,
				m;
	long		len;
	FeedError	err = {0};
	uint32_t	x = 12345;

	if (mkdtemp(tmpl) == NULL || big == NULL || gz == NULL)
	{
		CHECK(0, "test_reader_gzip: no temporary folder or memory");
		free(big);
		free(gz);
		return;
	}
	snprintf(path, sizeof(path), "%s/f.gz", tmpl);

	/* two members one after the other are one stream, as gzip -d reads them */
	n = gz_member("hello\n", 6, gz, 1400000);
	n += gz_member("world\n", 6, gz + n, 1400000 - n);
	write_file(path, gz, n);
	len = reader_digests(path, 4096, 0, content, file, &err);
	feed_buffer_sha256("hello\nworld\n", 12, want);
	feed_file_sha256(path, want_file, NULL, &err);
	CHECK(len == 12 && strcmp(content, want) == 0, "two gzip members: %ld bytes, %s", len, err.msg);
	CHECK(strcmp(file, want_file) == 0 && strcmp(file, content) != 0,
		  "the file digest of a .gz is of its compressed bytes: %s vs %s", file, want_file);

	/* bytes after the last member that start no member: ignored, yet hashed */
	n = gz_member("abc", 3, gz, 1400000);
	memcpy(gz + n, "TRAILING", 8);
	write_file(path, gz, n + 8);
	len = reader_digests(path, 4096, 0, content, file, &err);
	feed_buffer_sha256("abc", 3, want);
	feed_file_sha256(path, want_file, NULL, &err);
	CHECK(len == 3 && strcmp(content, want) == 0 && strcmp(file, want_file) == 0,
		  "trailing bytes after gzip: %ld bytes, file %s vs %s", len, file, want_file);

	/* a large member (incompressible: several chunks of input), read in odd steps or left unread */
	for (size_t i = 0; i < 600000; i++)
	{
		x = x * 1103515245u + 12345u;
		big[i] = (unsigned char) (x >> 24);
	}
	n = gz_member(big, 600000, gz, 1400000);
	write_file(path, gz, n);
	feed_buffer_sha256((const char *) big, 600000, want);
	feed_file_sha256(path, want_file, NULL, &err);
	CHECK(reader_digests(path, 1000, 0, content, file, &err) == 600000 && strcmp(content, want) == 0 &&
		  strcmp(file, want_file) == 0, "600 kB gzip read 1000 bytes at a time: %s", err.msg);
	len = reader_digests(path, 1000, 3000, content, file, &err);
	CHECK(len == 3000 && strcmp(content, want) == 0 && strcmp(file, want_file) == 0,
		  "feed_reader_finish reads what was left: %ld, %s", len, err.msg);

	/* cut short, or damaged: an error, not a short file */
	write_file(path, gz, n - 4);
	memset(&err, 0, sizeof(err));
	CHECK(reader_digests(path, 4096, 0, content, file, &err) == -1 && err.kind == FEED_ERR_GZIP &&
		  strstr(err.msg, "unexpected end of file") != NULL, "truncated gzip: %s", err.msg);
	m = gz_member("hello hello hello hello\n", 24, gz, 1400000);
	gz[m - 6] ^= 0x55;			/* inside the CRC-32 */
	write_file(path, gz, m);
	memset(&err, 0, sizeof(err));
	CHECK(reader_digests(path, 4096, 0, content, file, &err) == -1 && err.kind == FEED_ERR_GZIP,
		  "gzip with a wrong CRC: %s", err.msg);

	/* bytes after a member that start with 1f but not 1f 8b: trailing, not a new member */
	n = gz_member("abc", 3, gz, 1400000);
	memcpy(gz + n, "\x1f\x00\x00", 3);
	write_file(path, gz, n + 3);
	CHECK(reader_digests(path, 4096, 0, content, file, &err) == 3, "member + 1f 00 00 is read as the member: %s", err.msg);
	write_file(path, gz, n + 1);
	CHECK(reader_digests(path, 4096, 0, content, file, &err) == 3, "member + a lone 1f is read as the member: %s", err.msg);

	/* a damaged stream fails after the same content however it is read */
	n = gz_member(big, 600000, gz, 1400000);
	gz[n / 2] ^= 0x40;
	write_file(path, gz, n);
	{
		FeedError	e1 = {0},
					e2 = {0};
		long		l1 = reader_digests(path, 1, 0, content, file, &e1),
					l2 = reader_digests(path, 65536, 0, content, file, &e2);

		CHECK(l1 == -1 && l2 == -1 && e1.kind == FEED_ERR_GZIP && strcmp(e1.msg, e2.msg) == 0,
			  "damaged gzip, 1-byte and 64 kB reads: \"%s\" vs \"%s\"", e1.msg, e2.msg);
	}

	/* a read of 0 bytes is no error */
	{
		FeedReader *r = feed_reader_open(path, &err);
		char		c;

		CHECK(r != NULL && feed_reader_read(r, &c, 0, &err) == 0, "a 0-byte read gives 0");
		feed_reader_close(r);
	}

	/* only regular files: a folder, or a FIFO (which must not block) */
	memset(&err, 0, sizeof(err));
	CHECK(feed_reader_open(tmpl, &err) == NULL && err.kind == FEED_ERR_IO && strstr(err.msg, "not a regular file") != NULL,
		  "a folder is refused: %s", err.msg);
	snprintf(path, sizeof(path), "%s/fifo", tmpl);
	if (mkfifo(path, 0600) == 0)
	{
		memset(&err, 0, sizeof(err));
		CHECK(feed_reader_open(path, &err) == NULL && strstr(err.msg, "not a regular file") != NULL,
			  "a FIFO is refused without waiting for a writer: %s", err.msg);
		memset(&err, 0, sizeof(err));
		CHECK(feed_file_sha256(path, want, NULL, &err) < 0 && strstr(err.msg, "not a regular file") != NULL,
			  "feed_file_sha256 refuses a FIFO: %s", err.msg);
		unlink(path);
	}
	else
		CHECK(0, "mkfifo failed");
	snprintf(path, sizeof(path), "%s/f.gz", tmpl);

	/* a plain file: one digest for both */
	snprintf(path, sizeof(path), "%s/f.csv", tmpl);
	write_file(path, "a,b\n1,2\n", 8);
	feed_file_sha256(path, want_file, NULL, &err);
	CHECK(reader_digests(path, 3, 0, content, file, &err) == 8 && strcmp(content, want_file) == 0 &&
		  strcmp(file, want_file) == 0, "plain file digests: %s %s", content, file);
	unlink(path);
	snprintf(path, sizeof(path), "%s/f.gz", tmpl);
	unlink(path);
	rmdir(tmpl);
	free(big);
	free(gz);
}

int
main(void)
{
	const char *s = getenv("INFRACAST_TEST_DATA");
	const char *f = getenv("IC_FIXTURES");

	if (s == NULL || *s == '\0')
		s = getenv("IC_TEST_DATA");
	snprintf(fixtures, sizeof(fixtures), "%s", f && *f ? f : "test/fixtures");
	test_cpe();
	test_reader_gzip();
	test_json_pull();
	test_nvd_large_record();
	test_nvd_record_limit();
	test_nvd_header_limit();
	test_nvd_empty_matches();
	test_nvd_ring_budget();
	test_nvd_cwe_duplicates();
	test_nvd_bad_byte();
	test_fixtures();
	if (s == NULL || *s == '\0')
	{
		printf("not ok: the test data is ABSENT (INFRACAST_TEST_DATA / IC_TEST_DATA unset; run through make test): the real feed files cannot be checked\n");
		failures++;
	}
	else
	{
		snprintf(shared, sizeof(shared), "%s", s);
		test_real_kev();
		test_real_epss();
		test_real_feodo();
		test_real_nvd();
	}
	printf("%d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
