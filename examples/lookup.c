/* Looking keys up in a linked list (a walk per lookup) against a hash table
 * (a bucket per lookup). Same answers, very different lines.
 *
 *   lineprof annotate lookup.c  # the list walk's loop line is the hot one
 */
#include <stdio.h>
#include <stdlib.h>

#define KEYS 4000
#define LOOKUPS 20000
#define BUCKETS 4096

struct node {
  unsigned key;
  unsigned value;
  struct node *next;
};

static unsigned hash(unsigned key) { return (key * 2654435761u) % BUCKETS; }

static struct node *list_insert(struct node *head, struct node *n) {
  n->next = head;
  return n;
}

static unsigned list_find(const struct node *head, unsigned key) {
  for (const struct node *n = head; n; n = n->next)
    if (n->key == key)
      return n->value;
  return 0;
}

static void table_insert(struct node **table, struct node *n) {
  unsigned b = hash(n->key);
  n->next = table[b];
  table[b] = n;
}

static unsigned table_find(struct node *const *table, unsigned key) {
  for (const struct node *n = table[hash(key)]; n; n = n->next)
    if (n->key == key)
      return n->value;
  return 0;
}

int main(void) {
  static struct node in_list[KEYS], in_table[KEYS];
  static struct node *table[BUCKETS];
  struct node *head = NULL;
  for (unsigned i = 0; i < KEYS; i++) {
    in_list[i] = (struct node){i * 7, i, NULL};
    in_table[i] = in_list[i];
    head = list_insert(head, &in_list[i]);
    table_insert(table, &in_table[i]);
  }
  unsigned long from_list = 0, from_table = 0;
  for (unsigned i = 0; i < LOOKUPS; i++) {
    unsigned key = (i * 13) % (KEYS * 7);
    from_list += list_find(head, key);
    from_table += table_find(table, key);
  }
  printf("%lu %lu\n", from_list, from_table);
  return from_list != from_table;
}
