/* Buffer memory: the budget and the out-of-order block pool (mem.h). */
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

void ltcp_mem_trim(ltcp_mem *m) {
  for (uint32_t n = 0; m->ring_pool; n++) { /* bounded by ring_pool_count: each pass frees one */
    LTCP_ASSERT(n < m->ring_pool_count);
    ltcp_mem_free_block *b = m->ring_pool;
    LTCP_UNPOISON(b, LTCP_MEM_RING_FIRST);
    m->ring_pool = b->next;
    free(b);
  }
  m->ring_pool_count = 0;
}

void ltcp_mem_free(ltcp_mem *m) {
  ltcp_mem_trim(m);
  for (uint32_t n = 0; m->pool; n++) { /* bounded by pool_count: each pass frees one */
    LTCP_ASSERT(n < m->pool_count);
    ltcp_mem_free_block *b = m->pool;
    LTCP_UNPOISON(b, LTCP_MEM_BLOCK);
    m->pool = b->next;
    free(b);
  }
  m->pool_count = 0;
}

void *ltcp_mem_block_take(ltcp_mem *m) {
  if (m->used + LTCP_MEM_BLOCK > m->limit || m->reasm_used + LTCP_MEM_BLOCK > m->reasm_max)
    return NULL;
  ltcp_mem_free_block *b = m->pool;
  if (b) {
    LTCP_UNPOISON(b, LTCP_MEM_BLOCK);
    m->pool = b->next;
    m->pool_count--;
  } else if (!(b = malloc(LTCP_MEM_BLOCK))) {
    return NULL;
  }
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
  if (m->pool_count >= LTCP_MEM_POOL_MAX) {
    free(blk);
    return;
  }
  ltcp_mem_free_block *b = blk;
  b->next = m->pool;
  m->pool = b;
  m->pool_count++;
  LTCP_POISON(b, LTCP_MEM_BLOCK);
}

void *ltcp_mem_ring_take(ltcp_mem *m) {
  ltcp_mem_free_block *b = m->ring_pool;
  if (!b) return malloc(LTCP_MEM_RING_FIRST);
  LTCP_UNPOISON(b, LTCP_MEM_RING_FIRST);
  m->ring_pool = b->next;
  m->ring_pool_count--;
  return b;
}

void ltcp_mem_ring_give(ltcp_mem *m, void *buf) {
  if ((uint64_t)(m->ring_pool_count + 1) * LTCP_MEM_RING_FIRST > m->limit) {
    free(buf);
    return;
  }
  ltcp_mem_free_block *b = buf;
  b->next = m->ring_pool;
  m->ring_pool = b;
  m->ring_pool_count++;
  LTCP_POISON(b, LTCP_MEM_RING_FIRST);
}
