/* The timers: every TCB whose deadline is set (tcb->deadline, kept by tcp/timer.h), ordered by
 * deadline, ties broken by connection id. Two structures hold them, each TCB in one:
 *
 * - FIFOs, one per delay class (the log2 of deadline - now when it was set). Each timer kind
 *   sets now plus a nearly constant delay (RTO, the delayed ACK, 2MSL), so a TCB set later
 *   usually sorts after its class's last entry: it is appended, O(1). A FIFO is kept sorted
 *   by (deadline, id): an entry that would break the order goes to the heap instead. A TCB
 *   that leaves a FIFO (cancelled or moved) leaves a dead entry behind, dropped when it
 *   reaches the head or when the FIFO's ring is compacted.
 * - A binary min-heap for the rest, each entry knowing its index; changes are O(log n).
 *
 * The first deadline is the least of the heap's top and the FIFOs' heads, so the order of
 * expiry is exactly the heap-only order (by deadline, then id). The FIFOs exist for the
 * pattern a heap serves worst: the connection due first (at the top) gets the latest deadline
 * and sinks through every level (issue 18, 4,000 connections in flight). Nothing scans.
 *
 * Each entry holds a copy of its TCB's deadline and id, so comparisons read the timers' own
 * arrays and never chase a pointer into a TCB (with thousands of connections every such read
 * was a cache miss: issue 18); only a moved entry's place (tcb->heap_idx) is written through
 * its pointer. A TCB has a place exactly when its deadline is not LTCP_TIME_NEVER. Private to
 * src/ip/. */
#ifndef LTCP_IP_TIMERS_H
#define LTCP_IP_TIMERS_H

#include <stdint.h>

#include "tcp/tcb.h"

typedef struct ltcp_timer_entry {
  ltcp_time_ns deadline; /* tcb->deadline when it last moved */
  uint64_t id;           /* tcb->id: the tie-break */
  ltcp_tcb *tcb;         /* NULL: a dead FIFO entry */
} ltcp_timer_entry;

/* Delay classes: floor(log2(delay in ns)), 0 to 63. */
#define LTCP_TIMER_CLASSES 64u
/* While the heap holds fewer than this, a TCB not in a FIFO goes to the heap: shallow, it is
 * cheaper than a FIFO's bookkeeping. */
#define LTCP_TIMER_FIFO_FROM 64u
/* A FIFO's ring never holds more entries than this (tcb->heap_idx encodes the slot). */
#define LTCP_TIMER_FIFO_MAX (1u << 24)

typedef struct ltcp_timer_fifo {
  ltcp_timer_entry *ring; /* cap entries, a power of two; NULL until first used */
  uint32_t head, tail;    /* free-running: the entries are head .. tail - 1 (mod cap) */
  uint32_t cap;
  uint32_t live;          /* entries whose tcb is set */
} ltcp_timer_fifo;

typedef struct ltcp_timers {
  ltcp_timer_entry *heap;
  uint32_t len, cap;      /* heap entries; room for every TCB */
  uint32_t fifo_live;     /* TCBs in the FIFOs */
  uint32_t fifo_slots, fifo_slots_max; /* ring slots allocated in all FIFOs, and the limit */
  uint64_t fifo_used;     /* bit k: FIFO k holds a live entry (its head is live) */
  ltcp_timer_fifo fifo[LTCP_TIMER_CLASSES];
} ltcp_timers;

/* Room for cap TCBs (every connection and socket). Returns 0 or LTCP_ENOMEM. */
int ltcp_timers_init(ltcp_timers *h, uint32_t cap);
void ltcp_timers_free(ltcp_timers *h);
/* tcb->deadline changed at time now: tcb enters, moves in or leaves the timers. */
void ltcp_timers_moved(ltcp_timers *h, ltcp_tcb *tcb, ltcp_time_ns now);
/* The TCB due first, or NULL. */
ltcp_tcb *ltcp_timers_first_of_all(const ltcp_timers *h);
static inline ltcp_tcb *ltcp_timers_first(const ltcp_timers *h) {
  if (h->fifo_used) return ltcp_timers_first_of_all(h);
  return h->len ? h->heap[0].tcb : NULL;
}
/* The TCBs with a deadline. */
static inline uint32_t ltcp_timers_count(const ltcp_timers *h) { return h->len + h->fifo_live; }
/* Frees the rings of empty FIFOs (a stack's trim). */
void ltcp_timers_trim(ltcp_timers *h);

#endif
