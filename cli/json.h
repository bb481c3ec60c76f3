/* Writing JSON text: strings escaped per RFC 8259, with bytes that are not
 * valid UTF-8 replaced by U+FFFD so that any source line or path gives
 * valid JSON. Numbers and structure are the callers' printf business.
 */
#ifndef LINEPROF_CLI_JSON_H
#define LINEPROF_CLI_JSON_H

#include <stddef.h>
#include <stdio.h>

/* Write `len` bytes of s as a quoted JSON string. */
void lp_json_string_n(FILE *out, const char *s, size_t len);

/* Write the NUL-terminated s (NULL as "") as a quoted JSON string. */
void lp_json_string(FILE *out, const char *s);

#endif
