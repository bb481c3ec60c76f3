#include <stdio.h>
int lib_static(int);
int lib_shared(int);
int plain(int);
int other_tu(int);
int main(void) {
  int s = 0;
  for (int i = 0; i < 10; i++)
    s += lib_static(i) + lib_shared(i) + plain(i) + other_tu(i);
  printf("%d\n", s);
  return 0;
}
