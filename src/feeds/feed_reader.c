/*
 * feed_reader.c: reads a feed file, gzip or not, and hashes what it reads.
 *
 * Gzip is recognised by its magic bytes, not by the name, but a file named .gz that is not gzip is
 * refused (it is a mis-named or damaged download). A truncated or corrupt gzip stream is an error,
 * never a short file: zlib reports it only when the reader reaches it, so the loaders see it before
 * they commit. The sha256 of the inflated bytes is what NVD's .meta files state.
 */
#include "feeds/feeds_parse.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>
#include <zlib.h>

#define READER_CHUNK (256 * 1024)

/* A running SHA-256: through the installed FeedHashOps, else libsodium. */
typedef struct FeedHash
{
	void	   *ctx;
	crypto_hash_sha256_state sodium;
} FeedHash;

static const FeedHashOps *feed_hash_ops = NULL;

void
feed_hash_set_ops(const FeedHashOps *ops)
{
	feed_hash_ops = ops;
}

static void
feed_hash_init(FeedHash *h)
{
	h->ctx = feed_hash_ops ? feed_hash_ops->create() : NULL;
	if (h->ctx == NULL)
		crypto_hash_sha256_init(&h->sodium);
}

static void
feed_hash_update(FeedHash *h, const void *p, size_t n)
{
	if (h->ctx)
		feed_hash_ops->update(h->ctx, p, n);
	else
		crypto_hash_sha256_update(&h->sodium, p, (unsigned long long) n);
}

/*
 * The digest. The context is released later, by feed_hash_release(): the NVD reader finishes its
 * hash on its parse thread, and only the backend's own thread may release PostgreSQL resources.
 */
static void
feed_hash_final(FeedHash *h, unsigned char d[32])
{
	if (h->ctx)
		feed_hash_ops->final(h->ctx, d);
	else
		crypto_hash_sha256_final(&h->sodium, d);
}

static void
feed_hash_release(FeedHash *h)
{
	if (h->ctx)
		feed_hash_ops->destroy(h->ctx);
	h->ctx = NULL;
}

struct FeedReader
{
	char	   *path;
	int			fd;				/* plain files */
	gzFile		gz;				/* gzip files */
	FeedHash	hash;
	uint64_t	bytes;
	/* line reader */
	char	   *buf;
	size_t		len;
	size_t		pos;
	bool		eof;
	char	   *line;
	size_t		linecap;
};

void
feed_error_set(FeedError *err, FeedErrKind kind, const char *fmt,...)
{
	va_list		ap;

	if (err == NULL)
		return;
	err->kind = kind;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

bool
feed_path_has_suffix(const char *path, const char *suffix)
{
	size_t		lp = strlen(path),
				ls = strlen(suffix);

	return lp >= ls && strcmp(path + lp - ls, suffix) == 0;
}

static void
hex_digest(const unsigned char *d, char hex[65])
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < 32; i++)
	{
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[64] = '\0';
}

FeedReader *
feed_reader_open(const char *path, FeedError *err)
{
	FeedReader *r;
	unsigned char magic[2];
	ssize_t		n;
	int			fd = open(path, O_RDONLY);

	if (fd < 0)
	{
		feed_error_set(err, FEED_ERR_IO, "could not open \"%s\": %s", path, strerror(errno));
		return NULL;
	}
	/* read() may return fewer bytes than asked for (a signal, a FUSE or network file system) */
	for (n = 0; n < 2;)
	{
		ssize_t		got = read(fd, magic + n, 2 - (size_t) n);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
		{
			if (got < 0)
				n = -1;
			break;
		}
		n += got;
	}
	if (n < 0)
	{
		feed_error_set(err, FEED_ERR_IO, "could not read \"%s\": %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	if (n == 0)
	{
		feed_error_set(err, FEED_ERR_EMPTY, "\"%s\" is empty (0 bytes)", path);
		close(fd);
		return NULL;
	}
	lseek(fd, 0, SEEK_SET);
	r = calloc(1, sizeof(FeedReader));
	if (r == NULL)
	{
		close(fd);
		feed_error_set(err, FEED_ERR_IO, "out of memory");
		return NULL;
	}
	r->path = strdup(path);
	r->fd = -1;
	feed_hash_init(&r->hash);
	if (n == 2 && magic[0] == 0x1f && magic[1] == 0x8b)
	{
		r->gz = gzdopen(fd, "rb");
		if (r->gz == NULL)
		{
			close(fd);
			feed_error_set(err, FEED_ERR_IO, "could not open \"%s\" with zlib", path);
			feed_reader_close(r);
			return NULL;
		}
		gzbuffer(r->gz, READER_CHUNK);
	}
	else if (feed_path_has_suffix(path, ".gz"))
	{
		close(fd);
		feed_error_set(err, FEED_ERR_GZIP, "\"%s\" is named .gz but is not gzip data", path);
		feed_reader_close(r);
		return NULL;
	}
	else
		r->fd = fd;
	return r;
}

long
feed_reader_read(FeedReader *r, char *buf, size_t n, FeedError *err)
{
	long		got;

	if (r->gz != NULL)
	{
		int			errnum = Z_OK;
		const char *msg;

		got = gzread(r->gz, buf, (unsigned) n);
		if (got <= 0)
		{
			msg = gzerror(r->gz, &errnum);
			if (got < 0 || (errnum != Z_OK && errnum != Z_STREAM_END))
			{
				/* zlib prefixes "<fd:N>: ", which names nothing useful here */
				if (msg && strncmp(msg, "<fd:", 4) == 0 && strstr(msg, ": ") != NULL)
					msg = strstr(msg, ": ") + 2;
				feed_error_set(err, FEED_ERR_GZIP,
							   "gzip data in \"%s\" is corrupt or truncated after %llu bytes: %s",
							   r->path, (unsigned long long) r->bytes, msg ? msg : "unknown zlib error");
				return -1;
			}
		}
	}
	else
	{
		do
			got = read(r->fd, buf, n);
		while (got < 0 && errno == EINTR);
		if (got < 0)
		{
			feed_error_set(err, FEED_ERR_IO, "could not read \"%s\": %s", r->path, strerror(errno));
			return -1;
		}
	}
	if (got > 0)
	{
		feed_hash_update(&r->hash, buf, (size_t) got);
		r->bytes += (uint64_t) got;
	}
	return got;
}

/* Refills the line buffer, keeping the unread tail; returns bytes added, 0 at end, -1 error. */
static long
reader_fill(FeedReader *r, FeedError *err)
{
	long		got;

	if (r->buf == NULL)
	{
		r->buf = malloc(READER_CHUNK);
		if (r->buf == NULL)
		{
			feed_error_set(err, FEED_ERR_IO, "out of memory");
			return -1;
		}
	}
	if (r->pos > 0)
	{
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
	}
	if (r->len == READER_CHUNK)
		return 0;				/* caller handles an over-long line */
	got = feed_reader_read(r, r->buf + r->len, READER_CHUNK - r->len, err);
	if (got > 0)
		r->len += (size_t) got;
	return got;
}

int
feed_reader_getline(FeedReader *r, char **line, size_t *len, FeedError *err)
{
	size_t		scanned = 0;

	for (;;)
	{
		char	   *start = (r->buf ? r->buf + r->pos : NULL);
		char	   *nl = start ? memchr(start + scanned, '\n', r->len - r->pos - scanned) : NULL;

		if (start != NULL && (nl != NULL || (r->eof && r->len > r->pos)))
		{
			size_t		l = nl ? (size_t) (nl - start) : r->len - r->pos;

			if (l + 1 > r->linecap)
			{
				r->linecap = l + 1 > 256 ? l + 1 : 256;
				free(r->line);
				r->line = malloc(r->linecap);
				if (r->line == NULL)
				{
					feed_error_set(err, FEED_ERR_IO, "out of memory");
					return -1;
				}
			}
			memcpy(r->line, start, l);
			r->pos += l + (nl ? 1 : 0);
			if (l > 0 && r->line[l - 1] == '\r')
				l--;
			r->line[l] = '\0';
			*line = r->line;
			*len = l;
			return 1;
		}
		if (r->eof)
			return 0;
		scanned = r->buf ? r->len - r->pos : 0;
		{
			long		got = reader_fill(r, err);

			if (got < 0)
				return -1;
			if (got == 0)
			{
				if (r->len == READER_CHUNK && r->pos == 0)
				{
					feed_error_set(err, FEED_ERR_FORMAT, "a line in \"%s\" is longer than %d bytes",
								   r->path, READER_CHUNK);
					return -1;
				}
				r->eof = true;
			}
		}
	}
}

uint64_t
feed_reader_bytes(const FeedReader *r)
{
	return r->bytes;
}

/* The digest of everything read; call it once, after the last read. */
void
feed_reader_content_sha256(FeedReader *r, char hex[65])
{
	unsigned char d[32];

	feed_hash_final(&r->hash, d);
	hex_digest(d, hex);
}

bool
feed_reader_is_gzip(const FeedReader *r)
{
	return r->gz != NULL;
}

void
feed_reader_close(FeedReader *r)
{
	if (r == NULL)
		return;
	if (r->gz != NULL)
		gzclose(r->gz);
	if (r->fd >= 0)
		close(r->fd);
	feed_hash_release(&r->hash);
	free(r->buf);
	free(r->line);
	free(r->path);
	free(r);
}

void
feed_buffer_sha256(const char *buf, size_t len, char hex[65])
{
	FeedHash	sha;
	unsigned char d[32];

	feed_hash_init(&sha);
	feed_hash_update(&sha, buf, len);
	feed_hash_final(&sha, d);
	feed_hash_release(&sha);
	hex_digest(d, hex);
}

int
feed_file_sha256(const char *path, char hex[65], uint64_t *size, FeedError *err)
{
	FeedHash	sha;
	unsigned char d[32];
	char	   *buf;
	ssize_t		n;
	uint64_t	total = 0;
	int			fd = open(path, O_RDONLY);

	if (fd < 0)
	{
		feed_error_set(err, FEED_ERR_IO, "could not open \"%s\": %s", path, strerror(errno));
		return -1;
	}
	buf = malloc(READER_CHUNK);
	if (buf == NULL)
	{
		close(fd);
		feed_error_set(err, FEED_ERR_IO, "out of memory");
		return -1;
	}
	feed_hash_init(&sha);
	while ((n = read(fd, buf, READER_CHUNK)) != 0)
	{
		if (n < 0)
		{
			if (errno == EINTR)
				continue;
			feed_error_set(err, FEED_ERR_IO, "could not read \"%s\": %s", path, strerror(errno));
			feed_hash_release(&sha);
			free(buf);
			close(fd);
			return -1;
		}
		feed_hash_update(&sha, buf, (size_t) n);
		total += (uint64_t) n;
	}
	free(buf);
	close(fd);
	feed_hash_final(&sha, d);
	feed_hash_release(&sha);
	hex_digest(d, hex);
	if (size)
		*size = total;
	return 0;
}
