/* JSON strings (see json.h). */
#include "json.h"

#include <string.h>

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t lp_utf8_length(const unsigned char *s, size_t n) {
  size_t len;
  unsigned min;
  unsigned code;
  if (s[0] < 0x80)
    return 1;
  if ((s[0] & 0xe0) == 0xc0)
    len = 2, min = 0x80, code = s[0] & 0x1f;
  else if ((s[0] & 0xf0) == 0xe0)
    len = 3, min = 0x800, code = s[0] & 0x0f;
  else if ((s[0] & 0xf8) == 0xf0)
    len = 4, min = 0x10000, code = s[0] & 0x07;
  else
    return 0;
  if (len > n)
    return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xc0) != 0x80)
      return 0;
    code = (code << 6) | (s[i] & 0x3f);
  }
  /* Overlong forms, surrogates and code points past U+10FFFF are invalid. */
  if (code < min || (code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff)
    return 0;
  return len;
}

void lp_json_string_n(FILE *out, const char *s, size_t len) {
  const unsigned char *p = (const unsigned char *)s;
  putc('"', out);
  size_t i = 0;
  while (i < len) {
    unsigned char c = p[i];
    if (c == '"' || c == '\\') {
      putc('\\', out);
      putc(c, out);
      i++;
    } else if (c < 0x20) {
      switch (c) {
      case '\n':
        fputs("\\n", out);
        break;
      case '\t':
        fputs("\\t", out);
        break;
      case '\r':
        fputs("\\r", out);
        break;
      default:
        fprintf(out, "\\u%04x", c);
        break;
      }
      i++;
    } else {
      size_t n = lp_utf8_length(p + i, len - i);
      if (n == 0) {
        fputs("\\ufffd", out);
        i++;
      } else {
        fwrite(p + i, 1, n, out);
        i += n;
      }
    }
  }
  putc('"', out);
}

void lp_json_string(FILE *out, const char *s) {
  if (!s)
    s = "";
  lp_json_string_n(out, s, strlen(s));
}
