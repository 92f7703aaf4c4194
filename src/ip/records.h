/* Fixed-size connection records kept outside the TCB table: compact TIME-WAIT entries
 * (tcp/timewait.h) and half-open SYN-RECEIVED entries (tcp/synrcvd.h). A store is a pool of
 * records addressed by 32-bit index (index + 1, so 0 means none), a hash table of its own
 * and FIFOs; every record begins with an ltcp_rec_hdr. Nothing here scans: allocation, hash
 * insertion and FIFO moves are O(1), removal from a bucket O(chain). Private to src/ip/. */
#ifndef LTCP_IP_RECORDS_H
#define LTCP_IP_RECORDS_H

#include <stdint.h>

/* What every record starts with: its links and its 4-tuple (the local address is the
 * stack's own). */
typedef struct ltcp_rec_hdr {
  uint32_t hash_next;     /* next record in the bucket; on the free list, the next free one */
  uint32_t prev, next;    /* FIFO neighbours */
  uint32_t remote_addr;
  uint16_t local_port, remote_port;
} ltcp_rec_hdr;

/* A FIFO of records, oldest first. */
typedef struct ltcp_rec_fifo {
  uint32_t head, tail;
} ltcp_rec_fifo;

typedef struct ltcp_recs {
  uint8_t **blocks;       /* the pool: blocks of LTCP_RECS_BLOCK records, taken as needed */
  uint32_t nblocks, max_blocks;
  uint32_t rec_size;
  uint32_t free_head;
  uint32_t *buckets;
  uint32_t mask;
  uint32_t count;         /* records in use */
} ltcp_recs;

#define LTCP_RECS_BLOCK 1024u

/* nbuckets: a power of two; max: the most records there may be. Returns 0 or LTCP_ENOMEM. */
int ltcp_recs_init(ltcp_recs *r, uint32_t rec_size, uint32_t max, uint32_t nbuckets);
void ltcp_recs_free(ltcp_recs *r);
/* A zeroed record, or 0 when the pool is full or memory runs out. */
uint32_t ltcp_recs_alloc(ltcp_recs *r);
void ltcp_recs_release(ltcp_recs *r, uint32_t idx);

static inline void *ltcp_recs_at(const ltcp_recs *r, uint32_t idx) {
  uint32_t i = idx - 1;
  return r->blocks[i / LTCP_RECS_BLOCK] + (uint64_t)(i % LTCP_RECS_BLOCK) * r->rec_size;
}
static inline ltcp_rec_hdr *ltcp_recs_hdr(const ltcp_recs *r, uint32_t idx) {
  return (ltcp_rec_hdr *)ltcp_recs_at(r, idx);
}

/* Hash chains: the first record of a bucket (hash masked here), insertion, removal. */
static inline uint32_t ltcp_recs_first(const ltcp_recs *r, uint32_t hash) {
  return r->buckets[hash & r->mask];
}
void ltcp_recs_hash_insert(ltcp_recs *r, uint32_t idx, uint32_t hash);
void ltcp_recs_hash_remove(ltcp_recs *r, uint32_t idx, uint32_t hash);

void ltcp_recs_fifo_append(ltcp_recs *r, ltcp_rec_fifo *f, uint32_t idx);
void ltcp_recs_fifo_unlink(ltcp_recs *r, ltcp_rec_fifo *f, uint32_t idx);

#endif
