/*
 * feeds_parse.h: the plain-C side of the feeds subsystem (no PostgreSQL headers).
 *
 * Readers for the feed files (zlib, json-c, CSV) that hand plain structs to the PostgreSQL glue
 * (load_*.c). Every reader is pull-based: the glue opens it, asks for the next record in its own
 * loop and closes it in PG_FINALLY, so an ERROR raised while storing a record never jumps through
 * these files and every malloc'd buffer, gzFile and json-c object is released by *_close().
 *
 * Errors are returned, never printed: a FeedError holds a kind (mapped to a SQLSTATE by the glue)
 * and a message naming the input and what was wrong with it.
 */
#ifndef FEEDS_PARSE_H
#define FEEDS_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "match/cpe.h"			/* CPE 2.3 names, plain C: the NVD reader splits criteria with them */

typedef enum FeedErrKind
{
	FEED_OK = 0,
	FEED_ERR_IO,				/* missing, unreadable */
	FEED_ERR_EMPTY,				/* zero bytes or no records */
	FEED_ERR_GZIP,				/* bad or truncated gzip stream */
	FEED_ERR_FORMAT,			/* bad JSON, wrong columns, bad values, truncated document */
	FEED_ERR_CHECKSUM,			/* sha256 differs from manifest.json or .meta */
	FEED_ERR_COUNT				/* record count differs from the count the file states */
} FeedErrKind;

typedef struct FeedError
{
	FeedErrKind kind;
	char		msg[1024];
} FeedError;

extern void feed_error_set(FeedError *err, FeedErrKind kind, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

/* ---- feed_reader.c: a file, gzip or not, with the sha256 of what was read ---------------- */
typedef struct FeedReader FeedReader;

/* A SHA-256 implementation. libsodium's by default; the backend installs PostgreSQL's (OpenSSL),
 * which uses the CPU's SHA instructions and is several times faster on large NVD files. */
typedef struct FeedHashOps
{
	void	   *(*create) (void);	/* NULL on failure: libsodium is used instead */
	void		(*update) (void *ctx, const unsigned char *data, size_t len);
	void		(*final) (void *ctx, unsigned char out[32]);
	void		(*destroy) (void *ctx);
} FeedHashOps;

extern void feed_hash_set_ops(const FeedHashOps *ops);

extern FeedReader *feed_reader_open(const char *path, FeedError *err);
/* Up to n bytes of (inflated) content; 0 at the end; -1 on error (err set). */
extern long feed_reader_read(FeedReader *r, char *buf, size_t n, FeedError *err);
/* The next line without its \n or \r\n; 1 = line, 0 = end, -1 = error. The last line may lack \n. */
extern int	feed_reader_getline(FeedReader *r, char **line, size_t *len, FeedError *err);
extern uint64_t feed_reader_bytes(const FeedReader *r);
/* Reads what is left, then the lower-case hex sha256 of the inflated content and of the file's
 * bytes as stored (the same for a plain file), as read by this reader; either may be NULL. */
extern int	feed_reader_finish(FeedReader *r, char content_hex[65], char file_hex[65], FeedError *err);
extern void feed_reader_close(FeedReader *r);

/* Lower-case hex sha256 of a buffer. */
extern void feed_buffer_sha256(const char *buf, size_t len, char hex[65]);
/* Lower-case hex sha256 of a file's bytes as stored; 0 ok, -1 error. */
extern int	feed_file_sha256(const char *path, char hex[65], uint64_t *size, FeedError *err);
extern bool feed_path_has_suffix(const char *path, const char *suffix);

/* ---- kev_parse.c: CISA KEV catalogue (JSON) ------------------------------------------------ */
typedef struct KevEntry
{
	const char *cve_id;
	const char *vendor_project;
	const char *product;
	const char *vulnerability_name;
	const char *date_added;		/* YYYY-MM-DD */
	const char *short_description;
	const char *required_action;
	const char *due_date;
	const char *known_ransomware_campaign_use;
	const char *notes;
	const char *cwes[32];
	int			ncwes;
} KevEntry;

typedef struct KevDoc KevDoc;

/* file_sha256 (may be NULL): the sha256 of the file as stored, of the bytes read */
extern KevDoc *kev_open_file(const char *path, char file_sha256[65], FeedError *err);
extern KevDoc *kev_open_buffer(const char *buf, size_t len, const char *name, FeedError *err);
extern const char *kev_catalog_version(const KevDoc *d);
extern const char *kev_date_released(const KevDoc *d);
extern int	kev_count(const KevDoc *d);
/* Entry i (0-based); -1 with err set when the entry is malformed. */
extern int	kev_entry(KevDoc *d, int i, KevEntry *e, FeedError *err);
extern void kev_close(KevDoc *d);

/* ---- epss_parse.c: FIRST EPSS CSV ---------------------------------------------------------- */
typedef struct EpssRow
{
	char		cve[32];
	double		epss;
	double		percentile;
} EpssRow;

typedef struct EpssReader EpssReader;

extern EpssReader *epss_open(const char *path, FeedError *err);
extern const char *epss_model_version(const EpssReader *r);	/* NULL without the comment line */
extern const char *epss_score_date(const EpssReader *r);	/* ISO 8601 with zone, or NULL */
extern int	epss_next(EpssReader *r, EpssRow *row, FeedError *err);	/* 1 row, 0 end, -1 error */
extern long epss_rows(const EpssReader *r);
/* After the last row: the sha256 of the file as stored, of the bytes this reader read. */
extern int	epss_file_sha256(EpssReader *r, char hex[65], FeedError *err);
extern void epss_close(EpssReader *r);

/* ---- feodo_parse.c: abuse.ch Feodo Tracker ipblocklist.csv --------------------------------- */
typedef struct FeodoRow
{
	const char *first_seen;		/* "YYYY-MM-DD HH:MM:SS" (UTC) */
	const char *ip;
	int			port;
	const char *status;
	const char *hostname;		/* NULL when the file has no such column */
	const char *as_number;
	const char *as_name;
	const char *country;
	const char *last_online;	/* YYYY-MM-DD or NULL */
	const char *malware;
} FeodoRow;

typedef struct FeodoReader FeodoReader;

extern FeodoReader *feodo_open(const char *path, FeedError *err);
extern int	feodo_next(FeodoReader *r, FeodoRow *row, FeedError *err);	/* 1 row, 0 end, -1 error */
extern const char *feodo_last_updated(const FeodoReader *r);	/* from the banner, or NULL */
extern long feodo_rows(const FeodoReader *r);
/* After the last row: the sha256 of the file as stored, of the bytes this reader read. */
extern int	feodo_file_sha256(FeodoReader *r, char hex[65], FeedError *err);
extern void feodo_close(FeodoReader *r);

/* ---- json_pull.c: one JSON value in memory, walked in order without building a tree -------- */
typedef enum JsonPullStatus
{
	JSON_PULL_OK = 0,
	JSON_PULL_MORE,				/* the input ended inside the value: read more, start it again */
	JSON_PULL_BAD				/* not JSON: error says why */
} JsonPullStatus;

/* A string of the input between its quotes, escapes not decoded; p NULL: absent or not a string. */
typedef struct JsonSpan
{
	const char *p;
	uint32_t	len;
	bool		escaped;
} JsonSpan;

typedef struct JsonPull
{
	const char *p;				/* next byte */
	const char *end;			/* end of the input; *end must be '\0' */
	const char *error;			/* JSON_PULL_BAD: what was wrong */
	uint64_t	comma;			/* bit d-1: the container at depth d has had an item */
	int			depth;
	int			max_depth;		/* at most 64 */
	JsonPullStatus status;
} JsonPull;

extern void json_pull_init(JsonPull *j, const char *buf, size_t len, int max_depth);
/* Enters an object or array: false (the value skipped) when the next value is something else. */
extern bool json_pull_object(JsonPull *j);
extern bool json_pull_array(JsonPull *j);
/* The next member (its name in key, positioned at its value, which the caller must read or skip)
 * or element; false at the closing bracket (consumed) and on error. */
extern bool json_pull_member(JsonPull *j, JsonSpan *key);
extern bool json_pull_element(JsonPull *j);
/* Values: a string (else out->p NULL), a boolean (1, 0; else -1), a number (else false); a value
 * of another type is skipped. */
extern void json_pull_string(JsonPull *j, JsonSpan *out);
extern int	json_pull_bool(JsonPull *j);
extern bool json_pull_number(JsonPull *j, double *out);
extern void json_pull_skip(JsonPull *j);
/* Decodes a span into out (room for s->len + 1 bytes), '\0'-terminated; returns the length. */
extern size_t json_span_decode(const JsonSpan *s, char *out);
extern bool json_span_is_decoded(const JsonSpan *s, const char *lit);
extern bool json_span_equal(const JsonSpan *a, const JsonSpan *b);

/* Whether a span's text is lit (inline: with a literal, the length is known at compile time). */
static inline bool
json_span_is(const JsonSpan *s, const char *lit)
{
	if (s->p == NULL)
		return false;
	if (s->escaped)
		return json_span_is_decoded(s, lit);
	return strlen(lit) == s->len && memcmp(s->p, lit, s->len) == 0;
}

/* ---- nvd_stream.c (records: nvd_record.c): NVD 2.0 feed files, one CVE at a time ----------- */
typedef struct NvdCvss
{
	bool		present;
	double		score;
	const char *vector;
	const char *severity;
} NvdCvss;

typedef struct NvdCpeMatch
{
	int			config_index;
	const char *config_operator;
	bool		config_negate;
	int			node_index;
	const char *node_operator;
	bool		node_negate;
	int			match_index;
	bool		vulnerable;
	const char *criteria;
	const char *match_criteria_id;
	char	   *cpe[CPE_NATTRS];	/* the criteria split by cpe_name_split() (its text in the
									 * stream's memory too) */
	const char *version_start_including;
	const char *version_start_excluding;
	const char *version_end_including;
	const char *version_end_excluding;
} NvdCpeMatch;

typedef struct NvdCve
{
	const char *id;
	const char *source_identifier;
	const char *published;		/* as in the file: 2026-03-07T05:16:26.243 (UTC) */
	const char *last_modified;
	const char *vuln_status;
	const char *description;
	NvdCvss		v40,
				v31,
				v30,
				v2;
	const char *cwes[64];
	int			ncwes;
	NvdCpeMatch *matches;		/* owned by the stream, valid until the next call */
	int			nmatches;
} NvdCve;

typedef struct NvdStream NvdStream;

/* Opens the file and reads the header up to the vulnerabilities array. A .meta beside the file
 * (same name without .json/.json.gz) is read and its sha256 checked at the end. */
extern NvdStream *nvd_open(const char *path, FeedError *err);
extern int	nvd_next(NvdStream *s, NvdCve *cve, FeedError *err);	/* 1 CVE, 0 end, -1 error */
/* The header's values: final, and safe to read, only once nvd_next() has returned 0 (members may
 * follow the vulnerabilities array, and the parse thread reads those). */
extern long nvd_total_results(const NvdStream *s);	/* -1 when absent */
extern const char *nvd_timestamp(const NvdStream *s);
extern const char *nvd_version(const NvdStream *s);
extern bool nvd_has_meta(const NvdStream *s);
extern long nvd_cves(const NvdStream *s);
/* After the last CVE: the sha256 of the JSON read, and of the file as stored (gzip or not). */
extern void nvd_content_sha256(NvdStream *s, char hex[65]);
extern void nvd_file_sha256(NvdStream *s, char hex[65]);
extern void nvd_close(NvdStream *s);

/* The file feed a file name stands for: "2002", "modified", "recent", ... (out: 64 bytes). */
extern bool nvd_file_feed(const char *path, char *out, size_t outlen);

/* ---- manifest_parse.c: feed bundle manifest.json ------------------------------------------- */
typedef struct ManifestFile
{
	char	   *path;			/* relative to the bundle folder */
	char	   *feed;			/* kev, epss, nvd, feodo, meta */
	char	   *sha256;			/* lower-case hex */
} ManifestFile;

typedef struct Manifest
{
	ManifestFile *files;
	int			nfiles;
	char	   *created;
} Manifest;

extern Manifest *manifest_read(const char *dir, FeedError *err);
/* Checks ATTRIBUTION.txt and every listed file's sha256: 0 when all match, -1 (err set) otherwise. */
extern int	manifest_verify(const char *dir, const Manifest *m, FeedError *err);
extern void manifest_free(Manifest *m);

#endif							/* FEEDS_PARSE_H */
