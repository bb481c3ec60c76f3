/* The FILE-argument matching rule (see match.h). */
#include "match.h"

#include <string.h>

enum lp_match lp_match_path(const char *arg, const char *resolved,
                            const char *path) {
  if (strcmp(path, arg) == 0 || (resolved && strcmp(path, resolved) == 0))
    return LP_MATCH_EXACT;
  size_t n = strlen(arg), m = strlen(path);
  if (n > 0 && m > n && path[m - n - 1] == '/' &&
      memcmp(path + m - n, arg, n) == 0)
    return LP_MATCH_SUFFIX;
  return LP_MATCH_NONE;
}
