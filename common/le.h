/* memwhere: bounded little-endian decoders over a byte buffer.
 *
 * Dump memory and dump files are little-endian (x86-64). Each decoder takes
 * the buffer's length: a field that does not lie wholly inside it reads as 0,
 * so a bad offset never reads past the buffer.
 */
#ifndef MW_LE_H
#define MW_LE_H

#include <stddef.h>
#include <stdint.h>

static inline uint64_t mw_le_uint(const void *buf, size_t len, uint64_t off,
				  unsigned size)
{
	const uint8_t *b = buf;
	if (size > 8 || off > len || size > len - off)
		return 0;
	uint64_t v = 0;
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)b[off + i] << (8 * i);
	return v;
}

static inline uint64_t mw_le64(const void *buf, size_t len, uint64_t off)
{
	return mw_le_uint(buf, len, off, 8);
}

static inline uint32_t mw_le32(const void *buf, size_t len, uint64_t off)
{
	return (uint32_t)mw_le_uint(buf, len, off, 4);
}

static inline uint16_t mw_le16(const void *buf, size_t len, uint64_t off)
{
	return (uint16_t)mw_le_uint(buf, len, off, 2);
}

static inline uint8_t mw_le8(const void *buf, size_t len, uint64_t off)
{
	return (uint8_t)mw_le_uint(buf, len, off, 1);
}

#endif
