/* The timer heap: every TCB whose deadline is set (tcb->deadline, kept by tcp/timer.h), in a
 * binary min-heap by deadline, ties broken by connection id, each TCB knowing its index
 * (tcb->heap_idx, which only this module touches). Changes are O(log n); nothing scans.
 * Each entry holds a copy of its TCB's deadline and id, so comparisons read the heap's own
 * array and never chase a pointer into a TCB (with thousands of connections every such read
 * was a cache miss: issue 18); only a moved entry's heap_idx is written through its pointer.
 * A TCB is in the heap exactly when its deadline is not LTCP_TIME_NEVER. Private to src/ip/. */
#ifndef LTCP_IP_TIMERS_H
#define LTCP_IP_TIMERS_H

#include <stdint.h>

#include "tcp/tcb.h"

typedef struct ltcp_timer_entry {
  ltcp_time_ns deadline; /* tcb->deadline when it last moved */
  uint64_t id;           /* tcb->id: the tie-break */
  ltcp_tcb *tcb;
} ltcp_timer_entry;

typedef struct ltcp_timer_heap {
  ltcp_timer_entry *heap;
  uint32_t len, cap;
} ltcp_timer_heap;

/* Room for cap TCBs (every connection and socket). Returns 0 or LTCP_ENOMEM. */
int ltcp_timers_init(ltcp_timer_heap *h, uint32_t cap);
void ltcp_timers_free(ltcp_timer_heap *h);
/* tcb->deadline changed: tcb enters, moves in or leaves the heap. */
void ltcp_timers_moved(ltcp_timer_heap *h, ltcp_tcb *tcb);
/* The TCB due first, or NULL. */
static inline ltcp_tcb *ltcp_timers_first(const ltcp_timer_heap *h) {
  return h->len ? h->heap[0].tcb : NULL;
}

#endif
