/*
 * fuzz_nvd.c: libFuzzer harness for the NVD feed reader (nvd_stream.c, nvd_record.c) and its JSON pull reader
 * (json_pull.c). Built and run by `make fuzz` (mk/fuzz.mk); see docs/feeds.md, "Fuzzing".
 *
 * Each input goes through:
 *
 * 1. json_pull directly, as one JSON value in a buffer of exactly its size plus the '\0' sentinel
 *    (so AddressSanitizer sees any read past the sentinel):
 *    - a walk that calls every accessor, the right one for the next value most of the time and a
 *      wrong one (which must skip the value) otherwise, decoding every string and checking what the
 *      decoder promises (never longer than the span; json_span_is and json_span_equal agree with it);
 *    - when the whole input is one value json_pull accepts: the same walk over prefixes of it must
 *      ask for more input (JSON_PULL_MORE), never call the prefix bad or complete, since that is
 *      what the NVD reader relies on when a record is split across buffer refills; and json-c, which
 *      read these files before and which json_pull claims to follow, must accept the value too and
 *      decode the same strings (unless an object repeats a key: json-c keeps the last value only).
 *
 * 2. The NVD stream (nvd_open, nvd_next, nvd_close: what load_nvd.c calls) over the input written to
 *    a file, with the production size limits and ring budget or small ones, twice: with the production buffer size and whole reads, and with a small first buffer
 *    and read() returning chunks of varying sizes (1 byte to a few KB: -Wl,--wrap=read), so records
 *    and header values are split at every kind of place and the buffer is moved and grown. Both
 *    runs must return the same CVEs (compared by a digest of every field) and the same outcome;
 *    the chunked run sometimes closes the stream early, as an ERROR in the backend does. Some inputs
 *    get a .meta file beside them (right or wrong), some run with no parse thread
 *    (-Wl,--wrap=pthread_create makes it fail to start), some with tiny ring and slot sizes.
 *
 * Which choices are made (accessors, chunk sizes, first buffer size, prefix lengths) follows from a
 * hash of the input, so a crash reproduces from the input file alone.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pthread.h>

#include <json-c/json.h>

#include "feeds/parse/feeds_parse.h"
/* the reader's buffer sizes and limits: the harness sets a first buffer size per run and limits
 * per input (small ones, so that inputs of a few KB reach them) */
#include "feeds/parse/nvd_limits.h"

#define FUZZ_CHECK(cond, ...) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz_nvd: check failed at %s:%d: %s: ", __FILE__, __LINE__, #cond); \
		fprintf(stderr, __VA_ARGS__); \
		fprintf(stderr, "\n"); \
		abort(); \
	} \
} while (0)

/* ---- choices --------------------------------------------------------------------------------- */

static uint64_t
fuzz_hash(const uint8_t *data, size_t size)
{
	uint64_t	h = UINT64_C(0xcbf29ce484222325);

	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * UINT64_C(0x100000001b3);
	return h;
}

static uint64_t
fuzz_next(uint64_t *state)
{
	uint64_t	z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* ---- read() in chunks ------------------------------------------------------------------------ */

extern ssize_t __real_read(int fd, void *buf, size_t n);
ssize_t		__wrap_read(int fd, void *buf, size_t n);

static volatile int fuzz_chunked = 0;	/* set only while the NVD reader runs */
static uint64_t fuzz_chunk_state;	/* used by one thread at a time: nvd_open's, then the parse
									 * thread's (pthread_create orders the two) */

ssize_t
__wrap_read(int fd, void *buf, size_t n)
{
	if (fuzz_chunked && n > 1)
	{
		uint64_t	r = fuzz_next(&fuzz_chunk_state);
		size_t		c;

		switch (r & 3)
		{
			case 0:
				c = 1 + (r >> 8) % 4;
				break;
			case 1:
				c = 1 + (r >> 8) % 64;
				break;
			case 2:
				c = 1 + (r >> 8) % 4096;
				break;
			default:
				c = n;
				break;
		}
		if (c < n)
			n = c;
	}
	return __real_read(fd, buf, n);
}

/* ---- no parse thread: pthread_create() fails when asked to (-Wl,--wrap=pthread_create) ---- */

extern int	__real_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*fn) (void *), void *arg);
int			__wrap_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*fn) (void *), void *arg);

static int	fuzz_no_thread = 0;

int
__wrap_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*fn) (void *), void *arg)
{
	if (fuzz_no_thread)
		return EAGAIN;
	return __real_pthread_create(t, a, fn, arg);
}

/* ---- json_pull ------------------------------------------------------------------------------- */

static const char *const fuzz_keys[] = {
	"cve", "id", "lastModified", "vulnStatus", "descriptions", "metrics", "cvssData", "criteria",
	"cpeMatch", "nodes", "a", ""
};

static const char *
peek_byte(const JsonPull *j)
{
	const char *p = j->p;

	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/* Decodes a span and checks what the decoder and the comparisons promise. */
static void
check_span(const JsonSpan *s, const JsonSpan *other)
{
	char	   *out;
	size_t		n;

	FUZZ_CHECK(s->p != NULL, "span without text");
	out = malloc((size_t) s->len + 1);
	FUZZ_CHECK(out != NULL, "out of memory");
	n = json_span_decode(s, out);
	FUZZ_CHECK(n <= s->len, "decoded %zu bytes from a span of %u", n, s->len);
	FUZZ_CHECK(out[n] == '\0', "decoded text not terminated");
	FUZZ_CHECK(json_span_is(s, out), "a span differs from its own decoded text");
	if (!s->escaped)
		FUZZ_CHECK(n == s->len && memchr(out, '\0', n) == NULL, "a span without escapes changed");
	if (other && other->p)
	{
		char	   *o2 = malloc((size_t) other->len + 1);
		bool		same;

		FUZZ_CHECK(o2 != NULL, "out of memory");
		json_span_decode(other, o2);
		same = strcmp(out, o2) == 0;
		FUZZ_CHECK(json_span_equal(s, other) == same, "json_span_equal disagrees with the decoded texts");
		free(o2);
	}
	for (size_t k = 0; k < sizeof(fuzz_keys) / sizeof(fuzz_keys[0]); k++)
		FUZZ_CHECK(json_span_is(s, fuzz_keys[k]) == (strcmp(out, fuzz_keys[k]) == 0), "json_span_is(\"%s\")",
				   fuzz_keys[k]);
	free(out);
}

/* Walks one value, choosing accessors from *rng: right ones mostly, wrong ones sometimes. */
static void
walk_value(JsonPull *j, uint64_t *rng, int level)
{
	uint64_t	r = fuzz_next(rng);
	char		c = *peek_byte(j);
	int			pick;

	if (j->status != JSON_PULL_OK)
		return;
	if (r % 8 != 0)
		pick = c == '{' ? 0 : c == '[' ? 1 : c == '"' ? 2 : (c == 't' || c == 'f') ? 3 :
			(c == '-' || (c >= '0' && c <= '9')) ? 4 : 5;
	else
		pick = (int) ((r >> 8) % 6);
	switch (pick)
	{
		case 0:
			if (json_pull_object(j))
			{
				JsonSpan	key,
							prev = {0};
				int			depth = j->depth;

				while (json_pull_member(j, &key))
				{
					FUZZ_CHECK(j->depth == depth, "depth changed inside an object");
					check_span(&key, &prev);
					prev = key;
					walk_value(j, rng, level + 1);
				}
				FUZZ_CHECK(j->status != JSON_PULL_OK || j->depth == depth - 1, "object left at depth %d", j->depth);
			}
			break;
		case 1:
			if (json_pull_array(j))
			{
				int			depth = j->depth;

				while (json_pull_element(j))
				{
					FUZZ_CHECK(j->depth == depth, "depth changed inside an array");
					walk_value(j, rng, level + 1);
				}
				FUZZ_CHECK(j->status != JSON_PULL_OK || j->depth == depth - 1, "array left at depth %d", j->depth);
			}
			break;
		case 2:
			{
				JsonSpan	s;

				json_pull_string(j, &s);
				if (s.p)
				{
					FUZZ_CHECK(j->status == JSON_PULL_OK, "a string returned on error");
					FUZZ_CHECK(s.p + s.len + 1 == j->p, "span not where the string was");
					check_span(&s, NULL);
				}
				else
					FUZZ_CHECK(c != '"' || j->status != JSON_PULL_OK, "a string not returned");
			}
			break;
		case 3:
			{
				int			b = json_pull_bool(j);

				FUZZ_CHECK(b == -1 || j->status == JSON_PULL_OK, "a boolean returned on error");
			}
			break;
		case 4:
			{
				double		d = 0;

				if (json_pull_number(j, &d))
					FUZZ_CHECK(j->status == JSON_PULL_OK, "a number returned on error");
			}
			break;
		default:
			json_pull_skip(j);
			break;
	}
	FUZZ_CHECK(j->p <= j->end, "position past the end of the input");
	FUZZ_CHECK(j->depth >= 0 && j->depth <= j->max_depth, "depth %d", j->depth);
	FUZZ_CHECK(j->status != JSON_PULL_BAD || j->error != NULL, "bad without a message");
}

/* Reads buf[0, len) (buf[len] is '\0') as one value; the reader's state at the end. */
static JsonPull
pull_walk(const char *buf, size_t len, int max_depth, uint64_t seed)
{
	JsonPull	j;
	uint64_t	rng = seed;

	json_pull_init(&j, buf, len, max_depth);
	walk_value(&j, &rng, 0);
	FUZZ_CHECK(j.p >= buf && j.p <= buf + len, "position outside the input");
	if (j.status == JSON_PULL_OK)
		FUZZ_CHECK(j.depth == 0, "a value read whole left depth %d", j.depth);
	return j;
}

/* A canonical form of a value: type letters and decoded strings (numbers by type only). */
typedef struct Canon
{
	char	   *p;
	size_t		len;
	size_t		cap;
	bool		dup_keys;
} Canon;

static void
canon_add(Canon *c, const char *s, size_t n)
{
	if (c->len + n + 1 > c->cap)
	{
		size_t		cap = c->cap ? c->cap : 256;

		while (c->len + n + 1 > cap)
			cap *= 2;
		c->p = realloc(c->p, cap);
		FUZZ_CHECK(c->p != NULL, "out of memory");
		c->cap = cap;
	}
	memcpy(c->p + c->len, s, n);
	c->len += n;
	c->p[c->len] = '\0';
}

static void
canon_str(Canon *c, const char *s)
{
	char		len[32];
	size_t		n = strlen(s);	/* \u0000 ends a string for readers of C strings */

	snprintf(len, sizeof(len), "s%zu:", n);
	canon_add(c, len, strlen(len));
	canon_add(c, s, n);
}

static void
canon_span(Canon *c, const JsonSpan *s)
{
	char	   *out = malloc((size_t) s->len + 1);

	FUZZ_CHECK(out != NULL, "out of memory");
	json_span_decode(s, out);
	canon_str(c, out);
	free(out);
}

static void
canon_pull(JsonPull *j, Canon *c)
{
	char		ch = *peek_byte(j);

	if (ch == '{')
	{
		JsonSpan	key;
		JsonSpan   *keys = NULL;
		int			nkeys = 0;

		FUZZ_CHECK(json_pull_object(j), "an object not entered");
		canon_add(c, "{", 1);
		while (json_pull_member(j, &key))
		{
			for (int k = 0; k < nkeys; k++)
				if (json_span_equal(&keys[k], &key))
					c->dup_keys = true;
			keys = realloc(keys, sizeof(JsonSpan) * (size_t) (nkeys + 1));
			FUZZ_CHECK(keys != NULL, "out of memory");
			keys[nkeys++] = key;
			canon_span(c, &key);
			canon_pull(j, c);
		}
		free(keys);
		canon_add(c, "}", 1);
	}
	else if (ch == '[')
	{
		FUZZ_CHECK(json_pull_array(j), "an array not entered");
		canon_add(c, "[", 1);
		while (json_pull_element(j))
			canon_pull(j, c);
		canon_add(c, "]", 1);
	}
	else if (ch == '"')
	{
		JsonSpan	s;

		json_pull_string(j, &s);
		if (s.p)
			canon_span(c, &s);
	}
	else if (ch == 't' || ch == 'f')
		canon_add(c, json_pull_bool(j) == 1 ? "t" : "f", 1);
	else if (ch == 'n')
	{
		json_pull_skip(j);
		canon_add(c, "z", 1);
	}
	else
	{
		double		d;

		json_pull_number(j, &d);
		canon_add(c, "n", 1);
	}
}

static void
canon_jsonc(json_object *o, Canon *c)
{
	switch (json_object_get_type(o))
	{
		case json_type_object:
			canon_add(c, "{", 1);
			{
				json_object_object_foreach(o, k, v)
				{
					canon_str(c, k);
					canon_jsonc(v, c);
				}
			}
			canon_add(c, "}", 1);
			break;
		case json_type_array:
			canon_add(c, "[", 1);
			for (size_t i = 0; i < json_object_array_length(o); i++)
				canon_jsonc(json_object_array_get_idx(o, i), c);
			canon_add(c, "]", 1);
			break;
		case json_type_string:
			canon_str(c, json_object_get_string(o));
			break;
		case json_type_boolean:
			canon_add(c, json_object_get_boolean(o) ? "t" : "f", 1);
			break;
		case json_type_null:
			canon_add(c, "z", 1);
			break;
		default:
			canon_add(c, "n", 1);
			break;
	}
}

static void
fuzz_json_pull(const uint8_t *data, size_t size, uint64_t h)
{
	char	   *buf = malloc(size + 1);
	JsonPull	j;
	int			max_depth = 1 + (int) (h % 70);	/* past 64 too: the reader caps it */
	size_t		end;

	FUZZ_CHECK(buf != NULL, "out of memory");
	memcpy(buf, data, size);
	buf[size] = '\0';

	j = pull_walk(buf, size, max_depth, h);
	if (j.status != JSON_PULL_OK)
	{
		free(buf);
		return;
	}
	end = (size_t) (j.p - buf);

	/* every prefix of an accepted value asks for more (a few of them: the cut, and ones near it) */
	for (int k = 0; k < 4 && end > 0; k++)
	{
		size_t		cut = k == 0 ? end - 1 : (size_t) (fuzz_next(&h) % end);
		char	   *pre = malloc(cut + 1);
		JsonPull	pj;

		FUZZ_CHECK(pre != NULL, "out of memory");
		memcpy(pre, buf, cut);
		pre[cut] = '\0';
		pj = pull_walk(pre, cut, max_depth, h);
		FUZZ_CHECK(pj.status == JSON_PULL_MORE, "a prefix of %zu bytes of an accepted value of %zu: status %d (%s)",
				   cut, end, pj.status, pj.error ? pj.error : "");
		free(pre);
	}

	/* json-c must accept what json_pull accepts and decode the same strings */
	if (strspn(buf + end, " \t\r\n") == size - end && max_depth <= 32)
	{
		Canon		a = {0},
					b = {0};
		JsonPull	cj;
		json_tokener *tok = json_tokener_new_ex(64);
		json_object *o;

		json_pull_init(&cj, buf, size, max_depth);
		canon_pull(&cj, &a);
		FUZZ_CHECK(cj.status == JSON_PULL_OK, "the canonical walk failed where the first walk did not");
		o = json_tokener_parse_ex(tok, buf, (int) size + 1);	/* with the '\0': a bare number ends */
		FUZZ_CHECK(o != NULL, "json-c refuses what json_pull accepts: %s",
				   json_tokener_error_desc(json_tokener_get_error(tok)));
		if (!a.dup_keys)
		{
			canon_jsonc(o, &b);
			FUZZ_CHECK(a.len == b.len && memcmp(a.p, b.p, a.len) == 0, "json_pull and json-c differ:\n  %s\n  %s",
					   a.p, b.p);
		}
		json_object_put(o);
		json_tokener_free(tok);
		free(a.p);
		free(b.p);
	}
	free(buf);
}

/* ---- the NVD stream -------------------------------------------------------------------------- */

static char fuzz_dir[256];
static char fuzz_path[300];
static char fuzz_meta[300];

static uint64_t
mix_str(uint64_t h, const char *s)
{
	if (s == NULL)
		return (h ^ 0xff) * UINT64_C(0x100000001b3);
	for (size_t n = strlen(s) + 1; n > 0; n--, s++)
		h = (h ^ (unsigned char) *s) * UINT64_C(0x100000001b3);
	return h;
}

static uint64_t
mix_num(uint64_t h, double d)
{
	uint64_t	b;

	memcpy(&b, &d, sizeof(b));
	return (h ^ b) * UINT64_C(0x100000001b3);
}

static uint64_t
mix_cvss(uint64_t h, const NvdCvss *v)
{
	h = mix_num(h, v->present);
	if (!v->present)
		return h;
	return mix_str(mix_str(mix_num(h, v->score), v->vector), v->severity);
}

/* Every field of a CVE, in a digest (and each string read to its end, for AddressSanitizer). */
static uint64_t
cve_digest(const NvdCve *c)
{
	uint64_t	h = UINT64_C(0xcbf29ce484222325);

	FUZZ_CHECK(c->id != NULL && strncmp(c->id, "CVE-", 4) == 0, "a CVE without its id");
	FUZZ_CHECK(c->last_modified != NULL && c->vuln_status != NULL, "a CVE without lastModified or vulnStatus");
	FUZZ_CHECK(c->ncwes >= 0 && c->ncwes <= NVD_MAX_CWES && c->nmatches >= 0, "counts");
	h = mix_str(h, c->id);
	h = mix_str(h, c->source_identifier);
	h = mix_str(h, c->published);
	h = mix_str(h, c->last_modified);
	h = mix_str(h, c->vuln_status);
	h = mix_str(h, c->description);
	h = mix_cvss(mix_cvss(mix_cvss(mix_cvss(h, &c->v40), &c->v31), &c->v30), &c->v2);
	for (int k = 0; k < c->ncwes; k++)
		h = mix_str(h, c->cwes[k]);
	for (int m = 0; m < c->nmatches; m++)
	{
		const NvdCpeMatch *x = &c->matches[m];

		h = mix_num(h, x->config_index);
		h = mix_str(h, x->config_operator);
		h = mix_num(h, x->config_negate);
		h = mix_num(h, x->node_index);
		h = mix_str(h, x->node_operator);
		h = mix_num(h, x->node_negate);
		h = mix_num(h, x->match_index);
		h = mix_num(h, x->vulnerable);
		FUZZ_CHECK(x->criteria != NULL, "a cpeMatch without criteria");
		h = mix_str(h, x->criteria);
		h = mix_str(h, x->match_criteria_id);
		for (int a = 0; a < CPE_NATTRS; a++)
		{
			FUZZ_CHECK(x->cpe[a] != NULL, "a CPE attribute missing");
			h = mix_str(h, x->cpe[a]);
		}
		h = mix_str(h, x->version_start_including);
		h = mix_str(h, x->version_start_excluding);
		h = mix_str(h, x->version_end_including);
		h = mix_str(h, x->version_end_excluding);
	}
	return h;
}

typedef struct NvdRun
{
	int			rc;				/* last nvd_next result; -2: nvd_open failed */
	long		n;				/* CVEs returned */
	uint64_t	digest;			/* of the CVEs returned and what the stream says about itself */
	FeedError	err;
} NvdRun;

/* Reads the file through nvd_open/nvd_next/nvd_close; stops after stop_after CVEs (-1: never). */
static NvdRun
nvd_run(long stop_after)
{
	NvdRun		run = {0};
	NvdStream  *s = nvd_open(fuzz_path, &run.err);
	NvdCve		cve;

	run.digest = UINT64_C(0xcbf29ce484222325);
	if (s == NULL)
	{
		FUZZ_CHECK(run.err.kind != FEED_OK, "nvd_open failed without an error");
		run.rc = -2;
		return run;
	}
	run.rc = 1;					/* stopped before the end */
	while (stop_after < 0 || run.n < stop_after)
	{
		run.rc = nvd_next(s, &cve, &run.err);
		if (run.rc <= 0)
			break;
		run.n++;
		run.digest = (run.digest ^ cve_digest(&cve)) * UINT64_C(0x100000001b3);
	}
	if (run.rc < 0)
		FUZZ_CHECK(run.err.kind != FEED_OK, "nvd_next failed without an error");
	if (run.rc == 0)
	{
		char		hex[65];

		FUZZ_CHECK(nvd_cves(s) == run.n, "nvd_cves %ld, %ld returned", nvd_cves(s), run.n);
		/* final only now: header members may follow the array (the parse thread reads them) */
		run.digest = mix_num(run.digest, nvd_total_results(s));
		run.digest = mix_str(run.digest, nvd_timestamp(s));
		run.digest = mix_str(run.digest, nvd_version(s));
		nvd_content_sha256(s, hex);
		FUZZ_CHECK(strlen(hex) == 64, "content sha256");
	}
	nvd_close(s);
	return run;
}

static void
fuzz_nvd_stream(const uint8_t *data, size_t size, uint64_t h)
{
	FILE	   *f = fopen(fuzz_path, "wb");
	NvdRun		whole,
				chunked;
	long		stop_after = -1;

	FUZZ_CHECK(f != NULL, "cannot write %s", fuzz_path);
	FUZZ_CHECK(fwrite(data, 1, size, f) == size && fclose(f) == 0, "cannot write %s", fuzz_path);

	/* the production limits for half of the inputs, small ones for the others */
	nvd_limits.max_record = h % 2 ? (size_t) 64 << 20 : 1 + (size_t) ((h >> 8) % 16384);
	nvd_limits.max_header = h % 2 ? (size_t) 1 << 20 : 1 + (size_t) ((h >> 24) % 4096);
	/* and a ring budget that a CVE or two exceed and slots that keep little, for a third of them */
	nvd_limits.ring_bytes = (h >> 40) % 3 ? (size_t) 32 << 20 : 1 + (size_t) ((h >> 42) % 8192);
	nvd_limits.slot_keep = (h >> 40) % 3 ? 1024 * 1024 : 1 + (size_t) ((h >> 50) % 2048);
	/* a .meta beside the file for a quarter: right, or with the wrong size or sha256 */
	unlink(fuzz_meta);
	if ((h >> 56) % 4 == 0)
	{
		char		hex[65];
		FILE	   *m = fopen(fuzz_meta, "wb");

		FUZZ_CHECK(m != NULL, "cannot write %s", fuzz_meta);
		feed_buffer_sha256((const char *) data, size, hex);
		if ((h >> 58) % 3 == 1)
			hex[(h >> 60) % 64] = hex[(h >> 60) % 64] == '0' ? '1' : '0';
		fprintf(m, "lastModifiedDate:2099-01-01T00:00:00-04:00\r\nsize:%zu\r\nzipSize:1\r\ngzSize:1\r\nsha256:%s\r\n",
				size + ((h >> 58) % 3 == 2), hex);
		FUZZ_CHECK(fclose(m) == 0, "cannot write %s", fuzz_meta);
	}
	/* and no parse thread, for an eighth */
	fuzz_no_thread = (h >> 61) == 0;

	nvd_limits.chunk = 256 * 1024;
	fuzz_chunked = 0;
	whole = nvd_run(-1);

	nvd_limits.chunk = 1 + (size_t) (fuzz_next(&h) % 128);
	fuzz_chunk_state = fuzz_next(&h);
	if (whole.rc == 0 && whole.n > 0 && fuzz_next(&h) % 4 == 0)
		stop_after = (long) (fuzz_next(&h) % (uint64_t) whole.n);
	fuzz_chunked = 1;
	chunked = nvd_run(stop_after);
	fuzz_chunked = 0;
	fuzz_no_thread = 0;

	if (stop_after >= 0)
		return;
	FUZZ_CHECK(whole.rc == chunked.rc && whole.n == chunked.n && whole.err.kind == chunked.err.kind &&
			   whole.digest == chunked.digest && strcmp(whole.err.msg, chunked.err.msg) == 0,
			   "whole and chunked reads differ (first buffer %zu):\n  rc %d, %ld CVEs, kind %d: %s\n  rc %d, %ld CVEs, kind %d: %s",
			   nvd_limits.chunk, whole.rc, whole.n, whole.err.kind, whole.err.msg,
			   chunked.rc, chunked.n, chunked.err.kind, chunked.err.msg);
}

/* ---- libFuzzer ------------------------------------------------------------------------------- */

static void
fuzz_cleanup(void)
{
	unlink(fuzz_path);
	unlink(fuzz_meta);
	rmdir(fuzz_dir);
}

int			LLVMFuzzerInitialize(int *argc, char ***argv);
int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/fuzz-nvd-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(fuzz_dir) == NULL)
	{
		perror("mkdtemp");
		exit(1);
	}
	/* a name the loader takes, with no .meta beside it */
	snprintf(fuzz_path, sizeof(fuzz_path), "%s/nvdcve-2.0-fuzz.json", fuzz_dir);
	snprintf(fuzz_meta, sizeof(fuzz_meta), "%s/nvdcve-2.0-fuzz.meta", fuzz_dir);
	atexit(fuzz_cleanup);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t	h = fuzz_hash(data, size);

	fuzz_json_pull(data, size, h);
	fuzz_nvd_stream(data, size, h);
	return 0;
}
