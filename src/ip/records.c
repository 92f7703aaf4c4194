/* Fixed-size connection records: pool, hash chains, FIFOs (see records.h). */
#include "ip/records.h"

#include <stdlib.h>
#include <string.h>

#include "lucidtcp/common.h"
#include "util/assert.h"

int ltcp_recs_init(ltcp_recs *r, uint32_t rec_size, uint32_t max, uint32_t nbuckets) {
  memset(r, 0, sizeof *r);
  LTCP_ASSERT(rec_size >= sizeof(ltcp_rec_hdr) && (nbuckets & (nbuckets - 1)) == 0);
  r->rec_size = rec_size;
  r->max_blocks = (max + LTCP_RECS_BLOCK - 1) / LTCP_RECS_BLOCK;
  r->blocks = calloc(r->max_blocks ? r->max_blocks : 1, sizeof *r->blocks);
  r->buckets = calloc(nbuckets, sizeof *r->buckets);
  r->mask = nbuckets - 1;
  return r->blocks && r->buckets ? 0 : LTCP_ENOMEM;
}

void ltcp_recs_free(ltcp_recs *r) {
  for (uint32_t i = 0; r->blocks && i < r->nblocks; i++) free(r->blocks[i]);
  free(r->blocks);
  free(r->buckets);
  memset(r, 0, sizeof *r);
}

uint32_t ltcp_recs_alloc(ltcp_recs *r) {
  if (!r->free_head) {
    if (r->nblocks == r->max_blocks) return 0;
    uint8_t *b = malloc((size_t)LTCP_RECS_BLOCK * r->rec_size);
    if (!b) return 0;
    r->blocks[r->nblocks++] = b;
    uint32_t base = (r->nblocks - 1) * LTCP_RECS_BLOCK;
    for (uint32_t i = LTCP_RECS_BLOCK; i-- > 0;) { /* lowest index first on the free list */
      ltcp_recs_hdr(r, base + i + 1)->hash_next = r->free_head;
      r->free_head = base + i + 1;
    }
  }
  uint32_t idx = r->free_head;
  r->free_head = ltcp_recs_hdr(r, idx)->hash_next;
  memset(ltcp_recs_at(r, idx), 0, r->rec_size);
  r->count++;
  return idx;
}

void ltcp_recs_release(ltcp_recs *r, uint32_t idx) {
  ltcp_recs_hdr(r, idx)->hash_next = r->free_head;
  r->free_head = idx;
  r->count--;
}

void ltcp_recs_hash_insert(ltcp_recs *r, uint32_t idx, uint32_t hash) {
  uint32_t *b = &r->buckets[hash & r->mask];
  ltcp_recs_hdr(r, idx)->hash_next = *b;
  *b = idx;
}

void ltcp_recs_hash_remove(ltcp_recs *r, uint32_t idx, uint32_t hash) {
  uint32_t *pp = &r->buckets[hash & r->mask];
  for (uint32_t n = 0; *pp && *pp != idx && n <= r->count; n++)
    pp = &ltcp_recs_hdr(r, *pp)->hash_next;
  LTCP_ASSERT(*pp == idx);
  *pp = ltcp_recs_hdr(r, idx)->hash_next;
}

void ltcp_recs_fifo_append(ltcp_recs *r, ltcp_rec_fifo *f, uint32_t idx) {
  ltcp_rec_hdr *h = ltcp_recs_hdr(r, idx);
  h->prev = f->tail;
  h->next = 0;
  if (f->tail) ltcp_recs_hdr(r, f->tail)->next = idx;
  else f->head = idx;
  f->tail = idx;
}

void ltcp_recs_fifo_unlink(ltcp_recs *r, ltcp_rec_fifo *f, uint32_t idx) {
  ltcp_rec_hdr *h = ltcp_recs_hdr(r, idx);
  if (h->prev) ltcp_recs_hdr(r, h->prev)->next = h->next;
  else f->head = h->next;
  if (h->next) ltcp_recs_hdr(r, h->next)->prev = h->prev;
  else f->tail = h->prev;
  h->prev = h->next = 0;
}
