/* A program whose annotate output is checked against a golden file, with
 * the times masked: every count in it is known. */
#include <stdio.h>

static int square(int x) {
  return x * x;
}

static int sum_of_squares(int n) {
  int s = 0;
  for (int i = 1; i <= n; i++)
    s += square(i);
  return s;
}

int main(void) {
  int total = 0;
  for (int r = 0; r < 3; r++)
    total += sum_of_squares(10);
  if (total < 0)
    printf("impossible\n");
  printf("%d\n", total);
  return 0;
}
