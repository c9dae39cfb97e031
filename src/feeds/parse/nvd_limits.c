/*
 * nvd_limits.c: the NVD reader's buffer sizes and limits (see nvd_limits.h), in a file of their
 * own so that the stream and the record reader both read them without depending on each other.
 */
#include "feeds/parse/nvd_limits.h"

NvdLimits	nvd_limits = {
	.chunk = 256 * 1024,
	.max_record = (size_t) 64 << 20,
	.max_header = (size_t) 1 << 20,
	.ring_bytes = (size_t) 32 << 20,
	.slot_keep = 1024 * 1024,
};
