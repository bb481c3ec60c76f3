/* Source files as they are on disk at report time: loading one whole,
 * finding its lines, and checking it against the checksum recorded when it
 * was compiled.
 *
 * Read-only: never writes or caches anything outside the struct.
 */
#ifndef LINEPROF_CLI_SOURCE_H
#define LINEPROF_CLI_SOURCE_H

#include <stddef.h>

struct lp_source {
  char *text;         /* whole file content, owned, may lack final '\n' */
  size_t size;        /* length of text, bytes */
  size_t *line_start; /* offset of each line's first byte, nlines entries */
  size_t nlines;      /* number of lines, a last line without '\n' included */
};

/* Load a file. Returns 0, or an errno value (the struct is then empty and
 * lp_source_line gives empty lines). */
int lp_source_load(struct lp_source *src, const char *path);

/* Line `line_no` (1-based) without its '\n' and trailing '\r's, as a
 * pointer and length into src->text; empty past the end of the file. */
void lp_source_line(const struct lp_source *src, long line_no,
                    const char **text, size_t *len);

/* Whether the content matches a files.checksum value: 1 when it is the
 * "md5:<32 lowercase hex>" of the content, or empty (unknown); 0 else. */
int lp_source_matches(const struct lp_source *src, const char *checksum);

void lp_source_free(struct lp_source *src);

#endif
