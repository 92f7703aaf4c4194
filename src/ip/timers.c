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

static int heap_before(const ltcp_timer_entry *a, const ltcp_timer_entry *b) {
  return a->deadline < b->deadline || (a->deadline == b->deadline && a->id < b->id);
}

static void heap_put(ltcp_timer_heap *h, uint32_t i, const ltcp_timer_entry *e) {
  h->heap[i] = *e;
  e->tcb->heap_idx = (int32_t)i;
}

/* Both walks put e in the hole at i, moving the hole, not the entry, and are bounded by the
 * heap's height: each step halves or doubles the index. */
static void heap_up(ltcp_timer_heap *h, uint32_t i, const ltcp_timer_entry *e) {
  while (i > 0 && heap_before(e, &h->heap[(i - 1) / 2])) {
    heap_put(h, i, &h->heap[(i - 1) / 2]);
    i = (i - 1) / 2;
  }
  heap_put(h, i, e);
}

static void heap_down(ltcp_timer_heap *h, uint32_t i, const ltcp_timer_entry *e) {
  for (;;) {
    uint32_t l = 2 * i + 1, r = l + 1, m = l;
    if (l >= h->len) break;
    if (r < h->len && heap_before(&h->heap[r], &h->heap[l])) m = r;
    if (!heap_before(&h->heap[m], e)) break;
    heap_put(h, i, &h->heap[m]);
    i = m;
  }
  heap_put(h, i, e);
}

/* The entry e goes to index i (a hole): up or down to its place. */
static void heap_place(ltcp_timer_heap *h, uint32_t i, const ltcp_timer_entry *e) {
  if (i > 0 && heap_before(e, &h->heap[(i - 1) / 2])) heap_up(h, i, e);
  else heap_down(h, i, e);
}

static void heap_remove(ltcp_timer_heap *h, ltcp_tcb *tcb) {
  uint32_t i = (uint32_t)tcb->heap_idx, last = --h->len;
  tcb->heap_idx = -1;
  if (i == last) return;
  ltcp_timer_entry e = h->heap[last];
  heap_place(h, i, &e);
}

void ltcp_timers_moved(ltcp_timer_heap *h, ltcp_tcb *tcb) {
  if (tcb->deadline == LTCP_TIME_NEVER) {
    if (tcb->heap_idx >= 0) heap_remove(h, tcb);
    return;
  }
  ltcp_timer_entry e = {.deadline = tcb->deadline, .id = tcb->id, .tcb = tcb};
  if (tcb->heap_idx < 0) {
    LTCP_ASSERT(h->len < h->cap);
    heap_up(h, h->len++, &e);
    return;
  }
  heap_place(h, (uint32_t)tcb->heap_idx, &e);
}
