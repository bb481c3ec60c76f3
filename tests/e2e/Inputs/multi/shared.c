int lib_shared(int x) {
  if (x % 2)
    return x;
  return 0;
}
