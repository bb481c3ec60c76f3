/* Source files at report time (see source.h). A file is read once and
 * indexed once, so that annotating a 250k-line file stays linear. */
#include "source.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "md5.h"

/* Read all of `f` into a malloc'd buffer. Returns 0 or an errno value. */
static int lp_read_all(FILE *f, char **out, size_t *size) {
  size_t cap = 1 << 16, len = 0;
  char *buf = malloc(cap);
  if (!buf)
    return ENOMEM;
  for (;;) {
    len += fread(buf + len, 1, cap - len, f);
    if (len < cap)
      break;
    char *bigger = cap > ((size_t)-1) / 2 ? NULL : realloc(buf, cap * 2);
    if (!bigger) {
      free(buf);
      return ENOMEM;
    }
    buf = bigger;
    cap *= 2;
  }
  if (ferror(f)) {
    int err = errno ? errno : EIO;
    free(buf);
    return err;
  }
  *out = buf;
  *size = len;
  return 0;
}

int lp_source_load(struct lp_source *src, const char *path) {
  memset(src, 0, sizeof *src);
  errno = 0;
  FILE *f = fopen(path, "rb");
  if (!f)
    return errno ? errno : EIO;
  int err = lp_read_all(f, &src->text, &src->size);
  fclose(f);
  if (err)
    return err;

  size_t n = 0;
  for (size_t i = 0; i < src->size; i++)
    n += src->text[i] == '\n';
  if (src->size && src->text[src->size - 1] != '\n')
    n++; /* last line without a newline */
  src->line_start = malloc((n ? n : 1) * sizeof *src->line_start);
  if (!src->line_start) {
    lp_source_free(src);
    return ENOMEM;
  }
  size_t line = 0;
  for (size_t i = 0; i < src->size; i++)
    if (i == 0 || src->text[i - 1] == '\n')
      src->line_start[line++] = i;
  src->nlines = line;
  return 0;
}

void lp_source_line(const struct lp_source *src, long line_no,
                    const char **text, size_t *len) {
  *text = "";
  *len = 0;
  if (line_no < 1 || (size_t)line_no > src->nlines)
    return;
  size_t begin = src->line_start[line_no - 1];
  size_t end =
      (size_t)line_no < src->nlines ? src->line_start[line_no] : src->size;
  /* Python's line.rstrip('\n').rstrip('\r'), as line_profiler does. */
  while (end > begin && src->text[end - 1] == '\n')
    end--;
  while (end > begin && src->text[end - 1] == '\r')
    end--;
  *text = src->text + begin;
  *len = end - begin;
}

int lp_source_matches(const struct lp_source *src, const char *checksum) {
  if (checksum[0] == '\0')
    return 1;
  char hex[LP_MD5_HEX_SIZE];
  lp_md5_hex(src->text ? src->text : "", src->size, hex);
  return strncmp(checksum, "md5:", 4) == 0 && strcmp(checksum + 4, hex) == 0;
}

void lp_source_free(struct lp_source *src) {
  free(src->text);
  free(src->line_start);
  memset(src, 0, sizeof *src);
}
