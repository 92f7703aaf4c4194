/* lucidtcp script: the arena, defines and number helpers behind the syntax tree. */
#include "script/ast.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK 16384

typedef struct sc_chunk {
  struct sc_chunk *next;
  size_t used, cap;
  _Alignas(16) unsigned char data[];
} sc_chunk;

void *sc_arena_alloc(sc_arena *a, size_t n) {
  n = (n + 15) & ~(size_t)15;
  sc_chunk *c = a->head;
  if (!c || c->cap - c->used < n) {
    size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;
    c = malloc(sizeof *c + cap);
    if (!c) abort();
    c->next = a->head;
    c->used = 0;
    c->cap = cap;
    a->head = c;
  }
  void *p = c->data + c->used;
  c->used += n;
  memset(p, 0, n);
  return p;
}

char *sc_arena_strndup(sc_arena *a, const char *s, size_t n) {
  char *p = sc_arena_alloc(a, n + 1);
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

void sc_arena_free(sc_arena *a) {
  sc_chunk *c = a->head;
  while (c) {
    sc_chunk *next = c->next;
    free(c);
    c = next;
  }
  a->head = NULL;
}

int sc_defines_add(sc_defines *d, const char *name_value) {
  size_t n = strcspn(name_value, "=");
  if (n == 0 || n >= sizeof d->names[0]) return -1;
  if (sc_defines_has(d, name_value, n)) return 0;
  if (d->count == SC_MAX_DEFINES) return -1;
  memcpy(d->names[d->count], name_value, n);
  d->names[d->count][n] = '\0';
  d->count++;
  return 0;
}

int sc_defines_has(const sc_defines *d, const char *name, size_t len) {
  for (size_t i = 0; i < d->count; i++)
    if (strlen(d->names[i]) == len && memcmp(d->names[i], name, len) == 0) return 1;
  return 0;
}

int64_t sc_parse_seconds(const char *text, size_t len) {
  int64_t whole = 0, frac = 0, scale = 1000000;
  size_t i = 0;
  int digits = 0;
  for (; i < len && isdigit((unsigned char)text[i]); i++, digits++) {
    if (whole > 100000000) return -1; /* beyond three years: a typo */
    whole = whole * 10 + (text[i] - '0');
  }
  if (i < len && text[i] == '.') {
    for (i++; i < len && isdigit((unsigned char)text[i]); i++, digits++) {
      scale /= 10;
      frac += (text[i] - '0') * scale; /* digits past microseconds count as 0 */
    }
  }
  if (i != len || digits == 0) return -1;
  return whole * 1000000 + frac;
}
