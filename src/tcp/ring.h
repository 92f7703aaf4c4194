/* A byte ring for the send and receive buffers. cap is the buffer size the user asked for; memory
 * is taken as data arrives (starting small and doubling up to cap), so a connection that never
 * carries data holds none and one that carries a few bytes holds a few KiB, not cap. Each
 * allocation is asked of the stack's budget (tcp/mem.h) when one is given (mem non-NULL); a
 * ring outside the engine (a socket's unread data) passes NULL. */
#ifndef LTCP_TCP_RING_H
#define LTCP_TCP_RING_H

#include <stdint.h>

#include "tcp/mem.h"

typedef struct ltcp_ring {
  uint8_t *buf;   /* NULL until the first write */
  uint32_t cap;   /* bytes the ring may hold */
  uint32_t alloc; /* bytes allocated (<= cap); positions wrap at alloc */
  uint32_t head; /* offset of the first byte held */
  uint32_t len;  /* bytes held from head on */
} ltcp_ring;

static inline uint32_t ltcp_ring_free_space(const ltcp_ring *r) { return r->cap - r->len; }
/* Appends up to n bytes: as many as cap and the memory allow (the ring grows if mem lets it to
 * mark, else fills what it holds); returns how many (0 also when memory runs out). */
uint32_t ltcp_ring_append(ltcp_ring *r, ltcp_mem *mem, ltcp_mem_mark mark, const uint8_t *data,
                          uint32_t n);
/* Bytes an append could take now without more memory than mem lets the ring have to mark (a
 * lower bound: the next doubling). */
uint32_t ltcp_ring_room(const ltcp_ring *r, const ltcp_mem *mem, ltcp_mem_mark mark);
/* Copies n bytes starting at offset off from head (off + n <= cap). */
void ltcp_ring_copy_out(const ltcp_ring *r, uint32_t off, uint8_t *dst, uint32_t n);
/* The same, returning the Internet checksum sum of the n bytes (ltcp_cksum_add from 0) taken
 * during the copy, so a packet's payload is read once. */
uint32_t ltcp_ring_copy_out_sum(const ltcp_ring *r, uint32_t off, uint8_t *dst, uint32_t n);
/* The bytes from head that lie in one piece (*p set to the first): at most len, fewer when
 * they wrap past the end of the allocation (the rest follows once these are consumed). */
static inline uint32_t ltcp_ring_contig(const ltcp_ring *r, const uint8_t **p) {
  if (r->len == 0) return 0;
  *p = r->buf + r->head;
  return r->len < r->alloc - r->head ? r->len : r->alloc - r->head;
}
/* Drops n bytes from the head (n <= len). */
void ltcp_ring_consume(ltcp_ring *r, uint32_t n);
/* Frees the memory (given back to mem) and forgets the contents. */
void ltcp_ring_clear_slow(ltcp_ring *r, ltcp_mem *mem);
static inline void ltcp_ring_clear(ltcp_ring *r, ltcp_mem *mem) {
  if (r->buf) ltcp_ring_clear_slow(r, mem); /* without memory it holds nothing */
}

#endif
