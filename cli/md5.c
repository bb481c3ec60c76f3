/* MD5 (RFC 1321), written from the RFC's description: four rounds of
 * sixteen operations over 512-bit blocks, little-endian words and length.
 * Portable C11; no alignment or endianness assumptions about the input.
 */
#include "md5.h"

#include <string.h>

/* Per-operation left-rotation amounts, four per round (RFC 1321, 3.4). */
static const unsigned char lp_md5_shift[64] = {
    7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
    5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
    4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
    6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};

/* T[i] = floor(2^32 * |sin(i + 1)|), the RFC's sine table. */
static const uint32_t lp_md5_sine[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a,
    0xa8304613, 0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be,
    0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340,
    0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8,
    0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c,
    0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
    0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92,
    0xffeff47d, 0x85845dd1, 0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1,
    0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391};

static uint32_t lp_md5_rotl(uint32_t x, unsigned n) {
  return (x << n) | (x >> (32 - n));
}

/* Mix one 64-byte block into the chaining state. */
static void lp_md5_block(uint32_t state[4], const unsigned char *p) {
  uint32_t x[16]; /* the block as little-endian words */
  for (int i = 0; i < 16; i++)
    x[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 |
           (uint32_t)p[4 * i + 2] << 16 | (uint32_t)p[4 * i + 3] << 24;

  uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
  for (int i = 0; i < 64; i++) {
    uint32_t f;
    int k; /* index of the message word used by this operation */
    switch (i / 16) {
    case 0:
      f = (b & c) | (~b & d);
      k = i;
      break;
    case 1:
      f = (b & d) | (c & ~d);
      k = (5 * i + 1) % 16;
      break;
    case 2:
      f = b ^ c ^ d;
      k = (3 * i + 5) % 16;
      break;
    default:
      f = c ^ (b | ~d);
      k = (7 * i) % 16;
      break;
    }
    uint32_t next =
        b + lp_md5_rotl(a + f + x[k] + lp_md5_sine[i], lp_md5_shift[i]);
    a = d;
    d = c;
    c = b;
    b = next;
  }
  state[0] += a;
  state[1] += b;
  state[2] += c;
  state[3] += d;
}

void lp_md5_init(struct lp_md5 *ctx) {
  ctx->state[0] = 0x67452301;
  ctx->state[1] = 0xefcdab89;
  ctx->state[2] = 0x98badcfe;
  ctx->state[3] = 0x10325476;
  ctx->length = 0;
}

void lp_md5_update(struct lp_md5 *ctx, const void *data, size_t size) {
  const unsigned char *p = data;
  size_t used = (size_t)(ctx->length % 64); /* bytes pending in block */
  ctx->length += size;
  if (used) {
    size_t take = 64 - used < size ? 64 - used : size;
    memcpy(ctx->block + used, p, take);
    p += take;
    size -= take;
    if (used + take < 64)
      return;
    lp_md5_block(ctx->state, ctx->block);
  }
  for (; size >= 64; p += 64, size -= 64)
    lp_md5_block(ctx->state, p);
  if (size)
    memcpy(ctx->block, p, size);
}

void lp_md5_final(struct lp_md5 *ctx,
                  unsigned char digest[LP_MD5_DIGEST_SIZE]) {
  uint64_t bits = ctx->length * 8; /* message length, bits */
  unsigned char pad[72] = {0x80};  /* 0x80, zeros, then the 8-byte length */
  size_t used = (size_t)(ctx->length % 64);
  size_t padlen = (used < 56 ? 56 : 120) - used;
  for (int i = 0; i < 8; i++)
    pad[padlen + i] = (unsigned char)(bits >> (8 * i));
  lp_md5_update(ctx, pad, padlen + 8);
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 4; j++)
      digest[4 * i + j] = (unsigned char)(ctx->state[i] >> (8 * j));
}

void lp_md5_hex(const void *data, size_t size, char hex[LP_MD5_HEX_SIZE]) {
  static const char digits[] = "0123456789abcdef";
  struct lp_md5 ctx;
  unsigned char digest[LP_MD5_DIGEST_SIZE];
  lp_md5_init(&ctx);
  lp_md5_update(&ctx, data, size);
  lp_md5_final(&ctx, digest);
  for (int i = 0; i < LP_MD5_DIGEST_SIZE; i++) {
    hex[2 * i] = digits[digest[i] >> 4];
    hex[2 * i + 1] = digits[digest[i] & 15];
  }
  hex[32] = '\0';
}
