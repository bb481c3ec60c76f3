/* Fixture of the lineprof CLI golden tests. Its md5 is in fixture.sql and
 * its lines are in golden/*.out: change all three together. */
#include <stdio.h>
#include <stdlib.h>

static int fib(int n) {
  if (n < 2)
    return n;
  return fib(n - 1) + fib(n - 2);
}

static int unused(int x) {
  return x * 2;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 10;	/* tab before this comment */
  int result = fib(n);

  printf("fib(%d) = %d\n", n, result);
  return 0;
}
