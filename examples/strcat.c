/* Building a string piece by piece. strcat() scans the whole buffer for its
 * end on every call, so the loop is quadratic in the length; remembering
 * where the string ends makes it linear.
 *
 *   lineprof annotate strcat.c  # the strcat() line dominates
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PIECES 20000

static const char *piece(int i) {
  static const char *words[] = {"alpha ", "beta ", "gamma ", "delta "};
  return words[i % 4];
}

/* Quadratic: every strcat walks the string built so far. */
static size_t build_quadratic(char *buf) {
  buf[0] = '\0';
  for (int i = 0; i < PIECES; i++)
    strcat(buf, piece(i));
  return strlen(buf);
}

/* Linear: append at the known end. */
static size_t build_linear(char *buf) {
  char *end = buf;
  for (int i = 0; i < PIECES; i++) {
    size_t n = strlen(piece(i));
    memcpy(end, piece(i), n);
    end += n;
  }
  *end = '\0';
  return (size_t)(end - buf);
}

int main(void) {
  char *a = malloc(PIECES * 8), *b = malloc(PIECES * 8);
  if (!a || !b)
    return 1;
  size_t la = build_quadratic(a);
  size_t lb = build_linear(b);
  printf("%zu %zu %s\n", la, lb, strcmp(a, b) == 0 ? "same" : "different");
  free(a);
  free(b);
  return 0;
}
