/* An outside project that profiles itself through the installed package. */
#include <lineprof.h>
#include <stdio.h>

static LINEPROF_PROFILE int triangle(int n) {
  int s = 0;
  for (int i = 1; i <= n; i++)
    s += i;
  return s;
}

int main(void) {
  printf("%d\n", triangle(100));
  return 0;
}
