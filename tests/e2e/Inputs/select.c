#include <lineprof.h>
#include <stdio.h>
static int a(int x) { return x + 1; }
static LINEPROF_PROFILE int b(int x) { return x * 2; }
int helper_c(int x) { return x - 3; }
int main(void) {
  printf("%d\n", a(1) + b(2) + helper_c(3));
  return 0;
}
