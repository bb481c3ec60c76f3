#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

/* Loads LIB, calls SYMBOL(n), and closes it again. */
static int call_once(const char *lib, const char *symbol, int n) {
  void *h = dlopen(lib, RTLD_NOW);
  if (!h) {
    fprintf(stderr, "%s\n", dlerror());
    exit(1);
  }
  int (*fn)(int) = (int (*)(int))dlsym(h, symbol);
  int r = fn(n);
  dlclose(h);
  return r;
}

int main(int argc, char **argv) {
  int s = call_once(argv[1], "a_entry", 3);
  s += call_once(argv[1], "a_entry", 2); /* loaded again: adds up */
  s += call_once(argv[2], "b_entry", 4);
  printf("%d\n", s);
  return 0;
}
