/* Asleep and awake: a TCB's busy part (tcb.h, ltcp_tcb_busy) is taken when the engine needs it
 * and given back when the connection is idle, so an idle connection costs only its TCB (see
 * docs/design.md, "Asleep and awake"). This module owns the busy-part pool, the list of TCBs
 * used during the current host call and the list of idle TCBs still holding buffers. */
#ifndef LTCP_TCP_BUSY_H
#define LTCP_TCP_BUSY_H

#include <stdint.h>

#include "lucidtcp/common.h"
#include "lucidtcp/config.h"
#include "tcp/tcb.h"

typedef struct ltcp_busy_lists {
  ltcp_tcb *touched;            /* used during this call, through busy->touched_next */
  ltcp_tcb *idle_head, *idle_tail; /* idle TCBs that hold buffers, oldest first */
  ltcp_tcb_busy *pool;          /* busy parts kept for reuse */
  uint32_t pool_count;
  uint32_t pool_limit;          /* set at init: the most TCBs the engine can hold at once */
} ltcp_busy_lists;

/* Whether a pool (busy parts, TCBs) keeps one more freed part: below limit, set at init. Every
 * part pooled was in use once, so a pool holds at most the concurrency reached less what is in
 * use now: 4,000 connections cycling reuse their parts, where a fixed 64 sent the rest to
 * malloc and free (issue 18), and a pool is never larger than the peak it served. */
static inline int ltcp_pool_keeps(uint32_t pool_count, uint32_t limit) {
  return pool_count < limit;
}
/* The limit of the engine's pools, from its configuration: every connection, half-open one and
 * socket it may hold at once. */
uint32_t ltcp_busy_pool_limit(const ltcp_stack_config *cfg);

/* An idle TCB that holds buffer memory keeps it, and its busy part, this long. */
#define LTCP_BUSY_SLEEP_NS LTCP_SEC(1)

/* A busy part with the values an idle connection's holds, for tcb (from the pool or malloc),
 * or NULL when memory runs out. */
ltcp_tcb_busy *ltcp_busy_take(ltcp_engine *eng, const ltcp_tcb *tcb);
/* Gives a busy part back: its buffers are freed, the part pooled or freed. */
void ltcp_busy_release(ltcp_engine *eng, ltcp_tcb_busy *b);
/* Gives an asleep TCB its busy part back (idle values: empty buffers, no timer but
 * keep-alive's, nothing timed or held) and touches it. Every entry point that hands a TCB to
 * the engine calls it first. Returns 0, or LTCP_ENOMEM (the TCB stays asleep and unchanged). */
int ltcp_busy_wake_slow(ltcp_engine *eng, ltcp_tcb *tcb);
/* Puts an awake TCB on the list of TCBs to look at when the call ends: whatever may have left
 * it idle calls it (a segment, a timer, data read, an ACK sent, an accept). */
void ltcp_busy_touch_slow(ltcp_engine *eng, ltcp_tcb *tcb);
static inline int ltcp_busy_wake(ltcp_engine *eng, ltcp_tcb *tcb) {
  return tcb->busy ? 0 : ltcp_busy_wake_slow(eng, tcb);
}
static inline void ltcp_busy_touch(ltcp_engine *eng, ltcp_tcb *tcb) {
  if (!tcb->touched && !tcb->view) ltcp_busy_touch_slow(eng, tcb);
}
/* Off the idle list (a TCB that is deleted or freed). */
void ltcp_busy_unlist(ltcp_engine *eng, ltcp_tcb *tcb);
/* At the end of a host call: an idle TCB used during the call gives its busy part back at once
 * when it holds no buffer memory, else after LTCP_BUSY_SLEEP_NS idle (its buffers too). */
void ltcp_busy_sleep_idle(ltcp_engine *eng);
/* Returns every pooled busy part to the allocator. */
void ltcp_busy_pool_free(ltcp_engine *eng);

#endif
