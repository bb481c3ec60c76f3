/* Recursive Fibonacci: the call count explodes, fib(n) makes fib(n+1)*2-1
 * calls. `fib memo` computes the same numbers with a memo table instead.
 *
 *   lineprof annotate fib.c     # the recursive line holds all the time
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long fib(int n) {
  if (n < 2)
    return n;
  return fib(n - 1) + fib(n - 2);
}

static long memo[100];

static long fib_memo(int n) {
  if (n < 2)
    return n;
  if (memo[n])
    return memo[n];
  memo[n] = fib_memo(n - 1) + fib_memo(n - 2);
  return memo[n];
}

int main(int argc, char **argv) {
  int use_memo = argc > 1 && strcmp(argv[1], "memo") == 0;
  int n = argc > 2 ? atoi(argv[2]) : 27;
  if (n < 0 || n > 90) {
    fprintf(stderr, "fib: n must be in 0..90\n");
    return 2;
  }
  long r = use_memo ? fib_memo(n) : fib(n);
  printf("fib(%d) = %ld\n", n, r);
  return 0;
}
