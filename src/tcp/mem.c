/* Buffer memory: the budget and the pools of free blocks (mem.h). */
#include "tcp/mem.h"

#include <stdlib.h>

#include "lucidtcp/common.h"
#include "util/assert.h"
#include "util/poison.h"

void ltcp_mem_configure(ltcp_mem *m, const ltcp_stack_config *cfg) {
  m->limit = cfg->mem_limit ? cfg->mem_limit : LTCP_MEM_LIMIT_DEFAULT;
  /* Linux's tcp_mem: pressure at two thirds of the hard limit (tcp_init_mem). */
  m->pressure = cfg->mem_pressure ? cfg->mem_pressure : m->limit / 3 * 2;
  if (m->pressure > m->limit) m->pressure = m->limit;
  /* Out-of-order data may take half the budget: in-order data, which the application can
   * use, always has the other half. */
  m->reasm_max = cfg->reasm_max ? cfg->reasm_max : m->limit / 2;
}

void ltcp_mem_init(ltcp_mem *m, const ltcp_stack_config *cfg, ltcp_stats *stats) {
  *m = (ltcp_mem){.stats = stats};
  ltcp_mem_configure(m, cfg);
}

/* The pool's newest block (size bytes), or NULL when it is empty. */
static void *pool_pop(ltcp_mem_pool *p, uint32_t size) {
  ltcp_mem_free_block *b = p->head;
  if (!b) return NULL;
  LTCP_UNPOISON(b, size);
  p->head = b->next;
  p->count--;
  return b;
}

static void pool_push(ltcp_mem_pool *p, void *blk, uint32_t size) {
  ltcp_mem_free_block *b = blk;
  b->next = p->head;
  p->head = b;
  p->count++;
  LTCP_POISON(b, size);
}

static void pool_free(ltcp_mem_pool *p, uint32_t size) {
  for (uint32_t n = p->count; p->head; n--) { /* bounded by count: each pass frees one */
    LTCP_ASSERT(n > 0);
    free(pool_pop(p, size));
  }
  LTCP_ASSERT(p->count == 0);
}

void ltcp_mem_trim(ltcp_mem *m) { pool_free(&m->rings, LTCP_MEM_RING_FIRST); }

void ltcp_mem_free(ltcp_mem *m) {
  ltcp_mem_trim(m);
  pool_free(&m->blocks, LTCP_MEM_BLOCK);
}

void *ltcp_mem_block_take(ltcp_mem *m) {
  if (m->used + LTCP_MEM_BLOCK > m->limit || m->reasm_used + LTCP_MEM_BLOCK > m->reasm_max)
    return NULL;
  void *b = pool_pop(&m->blocks, LTCP_MEM_BLOCK);
  if (!b && !(b = malloc(LTCP_MEM_BLOCK))) return NULL;
  ltcp_mem_add(m, LTCP_MEM_BLOCK);
  m->reasm_used += LTCP_MEM_BLOCK;
  m->stats->reasm_mem = m->reasm_used;
  return b;
}

void ltcp_mem_block_give(ltcp_mem *m, void *blk) {
  LTCP_ASSERT(m->reasm_used >= LTCP_MEM_BLOCK);
  m->reasm_used -= LTCP_MEM_BLOCK;
  m->stats->reasm_mem = m->reasm_used;
  LTCP_ASSERT(m->used >= LTCP_MEM_BLOCK);
  ltcp_mem_release(m, LTCP_MEM_BLOCK);
  if (m->blocks.count >= LTCP_MEM_POOL_MAX)
    free(blk);
  else
    pool_push(&m->blocks, blk, LTCP_MEM_BLOCK);
}

void *ltcp_mem_ring_take(ltcp_mem *m) {
  void *b = pool_pop(&m->rings, LTCP_MEM_RING_FIRST);
  return b ? b : malloc(LTCP_MEM_RING_FIRST);
}

void ltcp_mem_ring_give(ltcp_mem *m, void *buf) {
  if ((uint64_t)(m->rings.count + 1) * LTCP_MEM_RING_FIRST > m->limit)
    free(buf);
  else
    pool_push(&m->rings, buf, LTCP_MEM_RING_FIRST);
}
