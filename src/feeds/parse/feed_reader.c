/*
 * feed_reader.c: reads a feed file, gzip or not, and hashes what it reads.
 *
 * Gzip is recognised by its magic bytes, not by the name, but a file named .gz that is not gzip is
 * refused (it is a mis-named or damaged download). A truncated or corrupt gzip stream is an error,
 * never a short file: zlib reports it only when the reader reaches it, so the loaders see it before
 * they commit. The sha256 of the inflated bytes is what NVD's .meta files state.
 *
 * The reader also hashes the file's bytes as stored, as it reads them (gzip is inflated here, not
 * by zlib's gz* functions, so that the compressed bytes pass through the hash too). The sha256 a
 * load records, and the one a feed bundle checks after loading a file, is therefore the digest of
 * the very bytes that were loaded, not of a second read that someone could have raced.
 */
#include "feeds/parse/feeds_parse.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
	int			fd;
	bool		gzip;
	/*
	 * gzip: the compressed input and the inflated output, each in chunks of READER_CHUNK filled
	 * as far as they go. The caller is served from zout; because the chunks do not depend on how
	 * much the caller asks for, nor on how read() splits the file, a damaged stream fails after
	 * the same content whoever reads it.
	 */
	z_stream	zs;
	bool		zs_ready;
	unsigned char *zin;
	unsigned char *zout;
	size_t		zout_len;
	size_t		zout_pos;
	bool		in_eof;			/* read() returned 0 */
	bool		member_done;	/* inflate finished a gzip member */
	bool		trailing;		/* bytes after the last member: hashed, not inflated */
	bool		z_end;			/* no more content */
	FeedError	z_error;		/* reported once zout is used up */
	FeedHash	file_hash;		/* gzip only: a plain file's bytes are its content */
	FeedHash	hash;			/* the content */
	uint64_t	bytes;
	bool		finished;
	char		content_hex[65];
	char		file_hex[65];
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

/*
 * Opens a feed file for reading: a regular file only (a FIFO would block the backend, a directory
 * or device is no feed). O_NONBLOCK keeps open() itself from waiting on a FIFO; it is cleared again
 * (it means nothing for a regular file anyway). -1 with err set on failure.
 */
static int
feed_open_regular(const char *path, FeedError *err)
{
	struct stat st;
	int			fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
	{
		feed_error_set(err, FEED_ERR_IO, "could not open \"%s\": %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
	{
		feed_error_set(err, FEED_ERR_IO, "could not read \"%s\": it is not a regular file", path);
		close(fd);
		return -1;
	}
	(void) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

FeedReader *
feed_reader_open(const char *path, FeedError *err)
{
	FeedReader *r;
	unsigned char magic[2];
	ssize_t		n;
	int			fd = feed_open_regular(path, err);
	int			zrc;

	if (fd < 0)
		return NULL;
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
	if (lseek(fd, 0, SEEK_SET) != 0)
	{
		feed_error_set(err, FEED_ERR_IO, "could not read \"%s\": %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	r = calloc(1, sizeof(FeedReader));
	if (r == NULL)
	{
		close(fd);
		feed_error_set(err, FEED_ERR_IO, "out of memory");
		return NULL;
	}
	r->fd = fd;
	feed_hash_init(&r->hash);
	r->path = strdup(path);
	if (r->path == NULL)
	{
		feed_error_set(err, FEED_ERR_IO, "out of memory");
		feed_reader_close(r);
		return NULL;
	}
	if (n == 2 && magic[0] == 0x1f && magic[1] == 0x8b)
	{
		r->gzip = true;
		feed_hash_init(&r->file_hash);
		r->zin = malloc(READER_CHUNK);
		r->zout = malloc(READER_CHUNK);
		if (r->zin == NULL || r->zout == NULL)
		{
			feed_error_set(err, FEED_ERR_IO, "out of memory");
			feed_reader_close(r);
			return NULL;
		}
		/* 16 + MAX_WBITS: a gzip header and trailer (CRC-32 and length) around the deflate data */
		zrc = inflateInit2(&r->zs, 16 + MAX_WBITS);
		if (zrc != Z_OK)
		{
			feed_error_set(err, zrc == Z_MEM_ERROR ? FEED_ERR_IO : FEED_ERR_GZIP,
						   "could not start inflating \"%s\": %s", path,
						   zrc == Z_MEM_ERROR ? "out of memory" : "zlib refused (version or parameters)");
			feed_reader_close(r);
			return NULL;
		}
		r->zs_ready = true;
	}
	else if (feed_path_has_suffix(path, ".gz"))
	{
		feed_error_set(err, FEED_ERR_GZIP, "\"%s\" is named .gz but is not gzip data", path);
		feed_reader_close(r);
		return NULL;
	}
	return r;
}

/*
 * More compressed input: what is left in zin moves to its start and read() fills the rest, until
 * the chunk is full or the file ends. Each byte is hashed once, as it is read. -1 on error.
 */
static int
gz_fill(FeedReader *r, FeedError *err)
{
	size_t		have = r->zs.avail_in;

	if (have > 0 && r->zs.next_in != r->zin)
		memmove(r->zin, r->zs.next_in, have);
	while (have < READER_CHUNK && !r->in_eof)
	{
		ssize_t		got = read(r->fd, r->zin + have, READER_CHUNK - have);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
		{
			feed_error_set(err, FEED_ERR_IO, "could not read \"%s\": %s", r->path, strerror(errno));
			return -1;
		}
		if (got == 0)
			r->in_eof = true;
		else
		{
			feed_hash_update(&r->file_hash, r->zin + have, (size_t) got);
			have += (size_t) got;
		}
	}
	r->zs.next_in = r->zin;
	r->zs.avail_in = (uInt) have;
	return 0;
}

static void
gz_corrupt(FeedReader *r, const char *why)
{
	feed_error_set(&r->z_error, FEED_ERR_GZIP, "gzip data in \"%s\" is corrupt or truncated after %llu bytes: %s",
				   r->path, (unsigned long long) r->bytes, why ? why : "unknown zlib error");
}

/*
 * Inflates the next chunk of content into zout. Members written one after another are one stream,
 * and bytes after the last member that do not start another one (1f 8b) are ignored, as gzip -d
 * does, though they count in the file's hash. A stream that ends inside a member is an error. On
 * an error the chunk being inflated is dropped and the error is kept for the caller; -1 only for
 * a failed read().
 */
static int
gz_produce(FeedReader *r, FeedError *err)
{
	r->zout_len = 0;
	r->zout_pos = 0;
	while (r->zout_len < READER_CHUNK)
	{
		int			rc;

		/* a new member needs its two magic bytes in view; anything else wants input when empty */
		if ((r->zs.avail_in == 0 || (r->member_done && r->zs.avail_in < 2)) && !r->in_eof &&
			gz_fill(r, err) < 0)
			return -1;
		if (r->trailing)
		{
			r->zs.avail_in = 0;
			if (r->in_eof)
			{
				r->z_end = true;
				return 0;
			}
			continue;
		}
		if (r->member_done)
		{
			if (r->zs.avail_in == 0 && r->in_eof)
			{
				r->z_end = true;
				return 0;
			}
			if (r->zs.avail_in >= 2 && r->zs.next_in[0] == 0x1f && r->zs.next_in[1] == 0x8b)
			{
				if (inflateReset(&r->zs) != Z_OK)
				{
					gz_corrupt(r, r->zs.msg);
					r->zout_len = 0;
					return 0;
				}
				r->member_done = false;
			}
			else
				r->trailing = true;
			continue;
		}
		if (r->zs.avail_in == 0 && r->in_eof)
		{
			gz_corrupt(r, "unexpected end of file");
			r->zout_len = 0;
			return 0;
		}
		r->zs.next_out = r->zout + r->zout_len;
		r->zs.avail_out = (uInt) (READER_CHUNK - r->zout_len);
		rc = inflate(&r->zs, Z_NO_FLUSH);
		r->zout_len = READER_CHUNK - r->zs.avail_out;
		if (rc == Z_STREAM_END)
			r->member_done = true;
		else if (rc == Z_BUF_ERROR && r->zs.avail_in == 0)
			continue;			/* it needs more input */
		else if (rc == Z_MEM_ERROR)
		{
			feed_error_set(&r->z_error, FEED_ERR_IO, "out of memory inflating \"%s\"", r->path);
			r->zout_len = 0;
			return 0;
		}
		else if (rc != Z_OK)
		{
			gz_corrupt(r, r->zs.msg ? r->zs.msg : (rc == Z_NEED_DICT ? "needs a preset dictionary" : NULL));
			r->zout_len = 0;
			return 0;
		}
	}
	return 0;
}

/* Inflated content out of zout, producing the next chunk when it is used up. */
static long
gz_read(FeedReader *r, char *buf, size_t n, FeedError *err)
{
	size_t		take;

	while (r->zout_pos == r->zout_len)
	{
		if (r->z_error.kind != FEED_OK)
		{
			if (err)
				*err = r->z_error;
			return -1;
		}
		if (r->z_end)
			return 0;
		if (gz_produce(r, err) < 0)
			return -1;
	}
	take = r->zout_len - r->zout_pos;
	if (take > n)
		take = n;
	memcpy(buf, r->zout + r->zout_pos, take);
	r->zout_pos += take;
	return (long) take;
}

long
feed_reader_read(FeedReader *r, char *buf, size_t n, FeedError *err)
{
	long		got;

	if (r->finished || n == 0)
		return 0;
	if (r->gzip)
	{
		got = gz_read(r, buf, n, err);
		if (got < 0)
			return -1;
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

/*
 * Reads (and checks) whatever the parser left unread, then gives the sha256 of the inflated content
 * and of the file as stored; either may be NULL. Later reads return 0. 0 ok, -1 error (err set).
 */
int
feed_reader_finish(FeedReader *r, char content_hex[65], char file_hex[65], FeedError *err)
{
	if (!r->finished)
	{
		char		scratch[4096];
		long		got;
		unsigned char d[32];

		while ((got = feed_reader_read(r, scratch, sizeof(scratch), err)) > 0)
			;
		if (got < 0)
			return -1;
		feed_hash_final(&r->hash, d);
		hex_digest(d, r->content_hex);
		if (r->gzip)
		{
			feed_hash_final(&r->file_hash, d);
			hex_digest(d, r->file_hex);
		}
		else
			memcpy(r->file_hex, r->content_hex, sizeof(r->file_hex));
		r->finished = true;
	}
	if (content_hex)
		memcpy(content_hex, r->content_hex, 65);
	if (file_hex)
		memcpy(file_hex, r->file_hex, 65);
	return 0;
}

void
feed_reader_close(FeedReader *r)
{
	if (r == NULL)
		return;
	if (r->zs_ready)
		inflateEnd(&r->zs);
	if (r->fd >= 0)
		close(r->fd);
	feed_hash_release(&r->hash);
	if (r->gzip)
		feed_hash_release(&r->file_hash);
	free(r->zin);
	free(r->zout);
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
	int			fd = feed_open_regular(path, err);

	if (fd < 0)
		return -1;
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
