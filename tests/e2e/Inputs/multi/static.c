int lib_static(int x) {
  return x * 2;
}
