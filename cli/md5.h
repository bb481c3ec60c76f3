/* MD5 message digest (RFC 1321), used only to tell whether a source file
 * still matches the checksum that the compiler plugin recorded for it.
 *
 * Not for anything security-related: MD5 is broken for that, and here it
 * only detects edits. No allocation; the state lives in the caller's struct.
 */
#ifndef LINEPROF_CLI_MD5_H
#define LINEPROF_CLI_MD5_H

#include <stddef.h>
#include <stdint.h>

#define LP_MD5_DIGEST_SIZE 16 /* bytes */
#define LP_MD5_HEX_SIZE 33    /* 32 lowercase hex digits + NUL, bytes */

struct lp_md5 {
  uint32_t state[4];       /* A, B, C, D chaining words */
  uint64_t length;         /* message length so far, bytes */
  unsigned char block[64]; /* pending partial block, bytes */
};

void lp_md5_init(struct lp_md5 *ctx);
void lp_md5_update(struct lp_md5 *ctx, const void *data, size_t size);
void lp_md5_final(struct lp_md5 *ctx, unsigned char digest[LP_MD5_DIGEST_SIZE]);

/* One-shot digest of `size` bytes, written as 32 lowercase hex digits. */
void lp_md5_hex(const void *data, size_t size, char hex[LP_MD5_HEX_SIZE]);

#endif
