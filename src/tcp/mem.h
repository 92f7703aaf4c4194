/* Buffer memory (Linux's tcp_mem): one budget for every connection's send and receive rings
 * and out-of-order blocks, set at init, and the pools of free out-of-order blocks and of the
 * rings' first blocks. The only owner of
 * the bytes counted: a ring or the reassembly queue asks here before it allocates and says
 * here when it frees. Three regimes, by the bytes held:
 *   below `pressure`: buffers grow freely (up to their sizes);
 *   from `pressure`: windows stop growing beyond the memory a connection already holds
 *                    (tcp/window.c) and send buffers grow no further than LTCP_MEM_BUF_MIN;
 *   at `limit`:      nothing grows; new data that needs memory is dropped and counted.
 * Private to src/tcp/. */
#ifndef LTCP_TCP_MEM_H
#define LTCP_TCP_MEM_H

#include <stdint.h>

#include "lucidtcp/config.h"
#include "lucidtcp/stats.h"
#include "util/assert.h"

/* A block of out-of-order data, header included (tcp/reasm.h). */
#define LTCP_MEM_BLOCK 512u
/* Under pressure a buffer may still grow to this (Linux's tcp_rmem[0] / tcp_wmem[0], 4 KiB), so
 * that every connection keeps moving. */
#define LTCP_MEM_BUF_MIN 4096u
/* Free out-of-order blocks kept for reuse (256 KiB). */
#define LTCP_MEM_POOL_MAX 512u
/* A ring's first allocation (tcp/ring.c), from the pool below: what a short request or reply
 * needs. 256 bytes, not 1 KiB: with 4,000 connections in flight their 16,000 first blocks
 * spread over 4 MiB instead of 16 MiB of pages, and cycles ran 3.7% faster; a ring that needs
 * more doubles once or twice to the same sizes as before. */
#define LTCP_MEM_RING_FIRST 256u
/* The defaults of the configuration's 0s. */
#define LTCP_MEM_LIMIT_DEFAULT (256ull << 20)

/* The mark a buffer may grow up to: a receive ring takes what the window promised up to the
 * limit; a send buffer stops at the pressure mark. */
typedef enum ltcp_mem_mark { LTCP_MEM_PRESSURE, LTCP_MEM_LIMIT } ltcp_mem_mark;

typedef struct ltcp_mem_free_block {
  struct ltcp_mem_free_block *next;
} ltcp_mem_free_block;

/* Free blocks of one size, last in first out, linked through themselves. */
typedef struct ltcp_mem_pool {
  ltcp_mem_free_block *head;
  uint32_t count;
} ltcp_mem_pool;

typedef struct ltcp_mem {
  uint64_t limit, pressure;  /* the marks (bytes), from the configuration */
  uint64_t reasm_max;        /* out-of-order blocks of the whole stack, bytes */
  uint64_t used;             /* bytes held: rings' allocations and out-of-order blocks */
  uint64_t reasm_used;       /* of which out-of-order blocks */
  ltcp_stats *stats;         /* buf_mem, buf_mem_peak, reasm_mem mirror the above */
  ltcp_mem_pool blocks;      /* free out-of-order blocks, at most LTCP_MEM_POOL_MAX */
  /* Free first ring allocations (LTCP_MEM_RING_FIRST bytes), kept for the next connection: a
   * burst of connections that each carry a few bytes frees thousands at once, and malloc would
   * give the heap's top back to the kernel and fault it in again for the next burst (issue 18:
   * half the CPU time of cycles with 1,000 in flight). Never more than were held at once, so
   * never more than `limit` bytes; ltcp_mem_trim frees them. */
  ltcp_mem_pool rings;
} ltcp_mem;

/* Sets the marks from cfg (0s take their defaults) and, at init, the counters. */
void ltcp_mem_init(ltcp_mem *m, const ltcp_stack_config *cfg, ltcp_stats *stats);
void ltcp_mem_configure(ltcp_mem *m, const ltcp_stack_config *cfg);
/* Frees the pools. Every buffer was given back first. */
void ltcp_mem_free(ltcp_mem *m);
/* Frees the pool of first ring allocations (ltcp_stack_trim). */
void ltcp_mem_trim(ltcp_mem *m);

static inline int ltcp_mem_under_pressure(const ltcp_mem *m) { return m->used >= m->pressure; }
static inline int ltcp_mem_at_limit(const ltcp_mem *m) { return m->used >= m->limit; }
/* Whether a buffer of `from` bytes may become `to` bytes (mark: how far it may go). */
static inline int ltcp_mem_may_grow(const ltcp_mem *m, uint32_t from, uint32_t to,
                                    ltcp_mem_mark mark) {
  if (to <= from) return 1;
  uint64_t after = m->used + (to - from);
  if (after > m->limit) return 0;
  return mark == LTCP_MEM_LIMIT || after <= m->pressure || to <= LTCP_MEM_BUF_MIN;
}
/* n more bytes are held. */
static inline void ltcp_mem_add(ltcp_mem *m, uint64_t n) {
  m->used += n;
  m->stats->buf_mem = m->used;
  if (m->used > m->stats->buf_mem_peak) m->stats->buf_mem_peak = m->used;
}
/* ltcp_mem_may_grow, and if so the difference is counted as held: 0, or -1. */
static inline int ltcp_mem_grow(ltcp_mem *m, uint32_t from, uint32_t to, ltcp_mem_mark mark) {
  if (!ltcp_mem_may_grow(m, from, to, mark)) return -1;
  if (to > from) ltcp_mem_add(m, to - from);
  return 0;
}
/* A buffer of n bytes (n <= used) is freed. */
static inline void ltcp_mem_release(ltcp_mem *m, uint32_t n) {
  LTCP_ASSERT(n <= m->used);
  m->used -= n;
  m->stats->buf_mem = m->used;
}
/* An out-of-order block (LTCP_MEM_BLOCK bytes, counted), or NULL when the limit, the stack's
 * reassembly bound or malloc refuses. */
void *ltcp_mem_block_take(ltcp_mem *m);
void ltcp_mem_block_give(ltcp_mem *m, void *blk);
/* A ring's first allocation (LTCP_MEM_RING_FIRST bytes, not counted: the ring counts it), from
 * the pool or malloc; NULL when malloc refuses. */
void *ltcp_mem_ring_take(ltcp_mem *m);
/* Gives one back: kept in the pool while it holds less than `limit`, else freed. */
void ltcp_mem_ring_give(ltcp_mem *m, void *buf);

#endif
