/* The timer heap: every TCB whose deadline is set (tcb->deadline, kept by tcp/timer.h), in a
 * binary min-heap by deadline, ties broken by connection id, each TCB knowing its index
 * (tcb->heap_idx, which only this module touches). Changes are O(log n); nothing scans.
 * A TCB is in the heap exactly when its deadline is not LTCP_TIME_NEVER. Private to src/ip/. */
#ifndef LTCP_IP_TIMERS_H
#define LTCP_IP_TIMERS_H

#include <stdint.h>

#include "tcp/tcb.h"

typedef struct ltcp_timer_heap {
  ltcp_tcb **heap;
  uint32_t len, cap;
} ltcp_timer_heap;

/* Room for cap TCBs (every connection and socket). Returns 0 or LTCP_ENOMEM. */
int ltcp_timers_init(ltcp_timer_heap *h, uint32_t cap);
void ltcp_timers_free(ltcp_timer_heap *h);
/* tcb->deadline changed: tcb enters, moves in or leaves the heap. */
void ltcp_timers_moved(ltcp_timer_heap *h, ltcp_tcb *tcb);
/* The TCB due first, or NULL. */
static inline ltcp_tcb *ltcp_timers_first(const ltcp_timer_heap *h) {
  return h->len ? h->heap[0] : NULL;
}

#endif
