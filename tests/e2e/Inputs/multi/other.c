int other_tu(int x) {
  return x + 1;
}
