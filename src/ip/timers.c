/* The timer heap (timers.h). */
#include "ip/timers.h"

#include <stdlib.h>

#include "util/assert.h"

int ltcp_timers_init(ltcp_timer_heap *h, uint32_t cap) {
  h->cap = cap;
  h->len = 0;
  h->heap = calloc(cap, sizeof *h->heap);
  return h->heap ? 0 : LTCP_ENOMEM;
}

void ltcp_timers_free(ltcp_timer_heap *h) {
  free(h->heap);
  h->heap = NULL;
}

static void heap_swap(ltcp_timer_heap *h, uint32_t i, uint32_t j) {
  ltcp_tcb *t = h->heap[i];
  h->heap[i] = h->heap[j];
  h->heap[j] = t;
  h->heap[i]->heap_idx = (int32_t)i;
  h->heap[j]->heap_idx = (int32_t)j;
}

static int heap_before(const ltcp_timer_heap *h, uint32_t i, uint32_t j) {
  const ltcp_tcb *a = h->heap[i], *b = h->heap[j];
  return a->deadline < b->deadline || (a->deadline == b->deadline && a->id < b->id);
}

/* Both walks are bounded by the heap's height: each step halves or doubles the index. */
static void heap_up(ltcp_timer_heap *h, uint32_t i) {
  while (i > 0 && heap_before(h, i, (i - 1) / 2)) {
    heap_swap(h, i, (i - 1) / 2);
    i = (i - 1) / 2;
  }
}

static void heap_down(ltcp_timer_heap *h, uint32_t i) {
  for (;;) {
    uint32_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < h->len && heap_before(h, l, m)) m = l;
    if (r < h->len && heap_before(h, r, m)) m = r;
    if (m == i) return;
    heap_swap(h, i, m);
    i = m;
  }
}

static void heap_remove(ltcp_timer_heap *h, ltcp_tcb *tcb) {
  uint32_t i = (uint32_t)tcb->heap_idx, last = h->len - 1;
  if (i != last) heap_swap(h, i, last);
  h->len--;
  tcb->heap_idx = -1;
  if (i < h->len) {
    heap_up(h, i);
    heap_down(h, i);
  }
}

void ltcp_timers_moved(ltcp_timer_heap *h, ltcp_tcb *tcb) {
  if (tcb->deadline == LTCP_TIME_NEVER) {
    if (tcb->heap_idx >= 0) heap_remove(h, tcb);
    return;
  }
  if (tcb->heap_idx < 0) {
    LTCP_ASSERT(h->len < h->cap);
    tcb->heap_idx = (int32_t)h->len;
    h->heap[h->len++] = tcb;
  }
  heap_up(h, (uint32_t)tcb->heap_idx);
  heap_down(h, (uint32_t)tcb->heap_idx);
}
