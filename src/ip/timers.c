/* The timers: FIFOs per delay class and a heap (timers.h). */
#include "ip/timers.h"

#include <stdlib.h>

#include "util/assert.h"

/* A TCB's place (tcb->heap_idx): an index of the heap (>= 0), nowhere (-1), or a FIFO's class
 * and ring slot (<= -2). */
#define PLACE_NONE (-1)
#define CLASS_BITS 6
#define FIFO_FIRST_CAP 64u

static int32_t place_fifo(uint32_t cls, uint32_t slot) {
  return -2 - (int32_t)((slot << CLASS_BITS) | cls);
}
static uint32_t place_class(int32_t p) { return (uint32_t)(-2 - p) & (LTCP_TIMER_CLASSES - 1); }
static uint32_t place_slot(int32_t p) { return (uint32_t)(-2 - p) >> CLASS_BITS; }

int ltcp_timers_init(ltcp_timers *h, uint32_t cap) {
  *h = (ltcp_timers){.cap = cap};
  /* The rings together hold at most twice the TCBs' number (plus a first ring per class):
   * past that, an entry goes to the heap, which has room for every TCB. */
  uint64_t max = 2ull * cap + LTCP_TIMER_CLASSES * FIFO_FIRST_CAP;
  h->fifo_slots_max = max > UINT32_MAX ? UINT32_MAX : (uint32_t)max;
  h->heap = calloc(cap, sizeof *h->heap);
  return h->heap ? 0 : LTCP_ENOMEM;
}

void ltcp_timers_free(ltcp_timers *h) {
  for (uint32_t k = 0; k < LTCP_TIMER_CLASSES; k++) free(h->fifo[k].ring);
  free(h->heap);
  *h = (ltcp_timers){0};
}

void ltcp_timers_trim(ltcp_timers *h) {
  for (uint32_t k = 0; k < LTCP_TIMER_CLASSES; k++) {
    ltcp_timer_fifo *f = &h->fifo[k];
    if (f->live || !f->ring) continue;
    free(f->ring);
    h->fifo_slots -= f->cap;
    *f = (ltcp_timer_fifo){0};
  }
}

static int entry_before(const ltcp_timer_entry *a, const ltcp_timer_entry *b) {
  return a->deadline < b->deadline || (a->deadline == b->deadline && a->id < b->id);
}

/* ---- the heap */

static void heap_put(ltcp_timers *h, uint32_t i, const ltcp_timer_entry *e) {
  h->heap[i] = *e;
  e->tcb->heap_idx = (int32_t)i;
}

/* Both walks put e in the hole at i, moving the hole, not the entry, and are bounded by the
 * heap's height: each step halves or doubles the index. */
static void heap_up(ltcp_timers *h, uint32_t i, const ltcp_timer_entry *e) {
  while (i > 0 && entry_before(e, &h->heap[(i - 1) / 2])) {
    heap_put(h, i, &h->heap[(i - 1) / 2]);
    i = (i - 1) / 2;
  }
  heap_put(h, i, e);
}

static void heap_down(ltcp_timers *h, uint32_t i, const ltcp_timer_entry *e) {
  for (;;) {
    uint32_t l = 2 * i + 1, r = l + 1, m = l;
    if (l >= h->len) break;
    if (r < h->len && entry_before(&h->heap[r], &h->heap[l])) m = r;
    if (!entry_before(&h->heap[m], e)) break;
    heap_put(h, i, &h->heap[m]);
    i = m;
  }
  heap_put(h, i, e);
}

/* The entry e goes to index i (a hole): up or down to its place. */
static void heap_place(ltcp_timers *h, uint32_t i, const ltcp_timer_entry *e) {
  if (i > 0 && entry_before(e, &h->heap[(i - 1) / 2])) heap_up(h, i, e);
  else heap_down(h, i, e);
}

/* The entry at i leaves: the last one fills its place. */
static void heap_remove_at(ltcp_timers *h, uint32_t i) {
  uint32_t last = --h->len;
  if (i == last) return;
  ltcp_timer_entry e = h->heap[last];
  heap_place(h, i, &e);
}

/* e enters the heap (p < 0: it has no index there) or moves in it from index p. */
static void heap_set(ltcp_timers *h, int32_t p, const ltcp_timer_entry *e) {
  if (p >= 0) {
    heap_place(h, (uint32_t)p, e);
    return;
  }
  LTCP_ASSERT(h->len < h->cap);
  heap_up(h, h->len++, e);
}

static void heap_remove(ltcp_timers *h, ltcp_tcb *tcb) {
  uint32_t i = (uint32_t)tcb->heap_idx;
  tcb->heap_idx = PLACE_NONE;
  heap_remove_at(h, i);
}

/* ---- the FIFOs */

static ltcp_timer_entry *fifo_at(const ltcp_timer_fifo *f, uint32_t pos) {
  return &f->ring[pos & (f->cap - 1)];
}

/* The class of a deadline set at now: floor(log2(delay)), 0 for a deadline due already. */
static uint32_t fifo_class(ltcp_time_ns deadline, ltcp_time_ns now) {
  if (deadline <= now + 1) return 0;
  return 63u - (uint32_t)__builtin_clzll((uint64_t)(deadline - now));
}

/* A TCB leaves its FIFO: its entry dies. Dead entries at either end go at once (each once:
 * O(1) amortized), so a FIFO's first and last entries are live; the others wait for the head
 * or for a copy (fifo_grow). */
static void fifo_remove(ltcp_timers *h, ltcp_tcb *tcb) {
  uint32_t cls = place_class(tcb->heap_idx), slot = place_slot(tcb->heap_idx);
  ltcp_timer_fifo *f = &h->fifo[cls];
  LTCP_ASSERT(f->ring[slot].tcb == tcb && f->live > 0);
  f->ring[slot].tcb = NULL;
  tcb->heap_idx = PLACE_NONE;
  h->fifo_live--;
  if (--f->live == 0) {
    f->head = f->tail = 0;
    h->fifo_used &= ~(1ull << cls);
  } else if (slot == (f->head & (f->cap - 1))) {
    while (!fifo_at(f, f->head)->tcb) f->head++;
  } else if (slot == ((f->tail - 1) & (f->cap - 1))) {
    while (!fifo_at(f, f->tail - 1)->tcb) f->tail--;
  }
}

/* A full ring is copied, live entries only, into one with room for twice as many as it holds
 * (so at least as many appends again before the next copy: O(1) amortized). Returns 0, or -1
 * when the new ring would pass the limits or malloc fails (the entry goes to the heap). */
static int fifo_grow(ltcp_timers *h, ltcp_timer_fifo *f, uint32_t cls) {
  uint32_t cap = FIFO_FIRST_CAP;
  while (cap < 2ull * (f->live + 1) && cap <= LTCP_TIMER_FIFO_MAX) cap *= 2; /* <= 19 passes */
  if (cap > LTCP_TIMER_FIFO_MAX || (uint64_t)h->fifo_slots - f->cap + cap > h->fifo_slots_max)
    return -1;
  ltcp_timer_entry *ring = malloc(cap * sizeof *ring);
  if (!ring) return -1;
  uint32_t n = 0;
  for (uint32_t pos = f->head; pos != f->tail; pos++) {
    const ltcp_timer_entry *e = fifo_at(f, pos);
    if (!e->tcb) continue;
    ring[n] = *e;
    e->tcb->heap_idx = place_fifo(cls, n);
    n++;
  }
  LTCP_ASSERT(n == f->live);
  free(f->ring);
  h->fifo_slots = h->fifo_slots - f->cap + cap;
  f->ring = ring;
  f->cap = cap;
  f->head = 0;
  f->tail = n;
  return 0;
}

/* Appends e to its class's FIFO if it sorts after the last entry there. Returns 0, or -1 when
 * it does not (or there is no room): the caller puts it in the heap. */
static int fifo_append(ltcp_timers *h, const ltcp_timer_entry *e, ltcp_time_ns now) {
  uint32_t cls = fifo_class(e->deadline, now);
  ltcp_timer_fifo *f = &h->fifo[cls];
  if (f->head != f->tail && entry_before(e, fifo_at(f, f->tail - 1))) return -1;
  if (f->tail - f->head == f->cap && fifo_grow(h, f, cls) != 0) return -1;
  uint32_t slot = f->tail++ & (f->cap - 1);
  f->ring[slot] = *e;
  f->live++;
  h->fifo_live++;
  e->tcb->heap_idx = place_fifo(cls, slot);
  h->fifo_used |= 1ull << cls;
  return 0;
}

/* ---- both */

/* A TCB in a FIFO, or any when the heap is deep: to its class's FIFO when it sorts last
 * there, else to the heap (where it may already be). */
static __attribute__((noinline)) void timers_place_many(ltcp_timers *h, ltcp_tcb *tcb,
                                                        ltcp_time_ns now) {
  int32_t p = tcb->heap_idx;
  if (p <= -2) fifo_remove(h, tcb);
  ltcp_timer_entry e = {.deadline = tcb->deadline, .id = tcb->id, .tcb = tcb};
  if (fifo_append(h, &e, now) == 0) {
    if (p >= 0) heap_remove_at(h, (uint32_t)p); /* it leaves the heap from where it was */
  } else {
    heap_set(h, p, &e); /* p < 0 when it came from a FIFO */
  }
}

void ltcp_timers_moved(ltcp_timers *h, ltcp_tcb *tcb, ltcp_time_ns now) {
  int32_t p = tcb->heap_idx;
  if (tcb->deadline == LTCP_TIME_NEVER) {
    if (p >= 0) heap_remove(h, tcb);
    else if (p != PLACE_NONE) fifo_remove(h, tcb);
    return;
  }
  if (p <= -2 || h->len >= LTCP_TIMER_FIFO_FROM) {
    timers_place_many(h, tcb, now);
    return;
  }
  /* A shallow heap: cheaper than a FIFO's bookkeeping. */
  ltcp_timer_entry e = {.deadline = tcb->deadline, .id = tcb->id, .tcb = tcb};
  heap_set(h, p, &e);
}

ltcp_tcb *ltcp_timers_first_of_all(const ltcp_timers *h) {
  const ltcp_timer_entry *best = h->len ? &h->heap[0] : NULL;
  for (uint64_t m = h->fifo_used; m; m &= m - 1) {
    const ltcp_timer_fifo *f = &h->fifo[__builtin_ctzll(m)];
    const ltcp_timer_entry *e = fifo_at(f, f->head);
    if (!best || entry_before(e, best)) best = e;
  }
  return best ? best->tcb : NULL;
}
