#include "tcp/ring.h"

#include <stdlib.h>
#include <string.h>

#include "lucidtcp/common.h"
#include "util/assert.h"
#include "lucidtcp/wire/checksum.h"

/* An allocation of size bytes: a first one (LTCP_MEM_RING_FIRST, tcp/mem.h) from mem's pool
 * when the ring has a budget, so a connection that carries a few bytes takes no malloc; a
 * 1460-byte segment takes 2 KiB from malloc. */
static uint8_t *ring_alloc(ltcp_mem *mem, uint32_t size) {
  return mem && size == LTCP_MEM_RING_FIRST ? ltcp_mem_ring_take(mem) : malloc(size);
}

static void ring_free(ltcp_mem *mem, uint8_t *buf, uint32_t size) {
  if (mem && size == LTCP_MEM_RING_FIRST)
    ltcp_mem_ring_give(mem, buf);
  else
    free(buf);
}

/* Copies n bytes from position pos (wrapping at alloc) into dst. */
static void ring_get(const ltcp_ring *r, uint32_t pos, uint8_t *dst, uint32_t n) {
  pos %= r->alloc;
  uint32_t first = r->alloc - pos < n ? r->alloc - pos : n;
  memcpy(dst, r->buf + pos, first);
  memcpy(dst + first, r->buf, n - first);
}

/* Copies n bytes into the ring at position pos (wrapping at alloc). */
static void ring_put(ltcp_ring *r, uint32_t pos, const uint8_t *data, uint32_t n) {
  pos %= r->alloc;
  uint32_t first = r->alloc - pos < n ? r->alloc - pos : n;
  memcpy(r->buf + pos, data, first);
  memcpy(r->buf, data + first, n - first);
}

/* The allocation that holds offsets [0, need) from head: doubling from the current one (or
 * LTCP_MEM_RING_FIRST), at most cap. */
static uint32_t ring_size_for(const ltcp_ring *r, uint32_t need) {
  uint32_t size = r->alloc ? r->alloc : LTCP_MEM_RING_FIRST;
  while (size < need) size = size > r->cap / 2 ? r->cap : size * 2;
  return size > r->cap ? r->cap : size;
}

/* Makes room for offsets [0, need) from head: grows the allocation (mem permitting), moving what
 * it holds to the start of the new one. Returns 0, LTCP_ENOBUFS (the budget) or LTCP_ENOMEM. */
static int ring_reserve(ltcp_ring *r, ltcp_mem *mem, ltcp_mem_mark mark, uint32_t need) {
  LTCP_ASSERT(need <= r->cap);
  if (r->buf && need <= r->alloc) return 0;
  uint32_t size = ring_size_for(r, need);
  if (mem && ltcp_mem_grow(mem, r->alloc, size, mark) != 0) return LTCP_ENOBUFS;
  uint8_t *buf = ring_alloc(mem, size);
  if (!buf) {
    if (mem) ltcp_mem_release(mem, size - r->alloc);
    return LTCP_ENOMEM;
  }
  if (r->buf) {
    ring_get(r, r->head, buf, r->len); /* only the bytes held move */
    ring_free(mem, r->buf, r->alloc);
  }
  r->buf = buf;
  r->alloc = size;
  r->head = 0;
  return 0;
}

uint32_t ltcp_ring_append(ltcp_ring *r, ltcp_mem *mem, ltcp_mem_mark mark, const uint8_t *data,
                          uint32_t n) {
  uint32_t room = ltcp_ring_free_space(r);
  if (n > room) n = room;
  if (n == 0) return 0;
  if (ring_reserve(r, mem, mark, r->len + n) != 0) {
    n = r->alloc - r->len; /* no more memory: what the ring holds already */
    if (n == 0) return 0;
  }
  ring_put(r, r->head + r->len, data, n);
  r->len += n;
  return n;
}

uint32_t ltcp_ring_room(const ltcp_ring *r, const ltcp_mem *mem, ltcp_mem_mark mark) {
  if (r->len >= r->cap) return 0;
  if (!mem || r->alloc >= r->cap) return r->cap - r->len;
  uint32_t next = ring_size_for(r, r->alloc + 1); /* the next doubling */
  return ltcp_mem_may_grow(mem, r->alloc, next, mark) ? r->cap - r->len : r->alloc - r->len;
}

void ltcp_ring_copy_out(const ltcp_ring *r, uint32_t off, uint8_t *dst, uint32_t n) {
  LTCP_ASSERT(off + n <= r->cap);
  if (n == 0) return;
  LTCP_ASSERT(r->buf != NULL && off + n <= r->alloc);
  ring_get(r, r->head + off, dst, n);
}

uint32_t ltcp_ring_copy_out_sum(const ltcp_ring *r, uint32_t off, uint8_t *dst, uint32_t n) {
  LTCP_ASSERT(off + n <= r->cap);
  if (n == 0) return 0;
  LTCP_ASSERT(r->buf != NULL && off + n <= r->alloc);
  uint32_t pos = (r->head + off) % r->alloc;
  uint32_t first = r->alloc - pos < n ? r->alloc - pos : n;
  uint32_t sum = ltcp_cksum_copy(0, dst, r->buf + pos, first);
  if (first == n) return sum;
  /* Wrapped: the rest starts at byte first of the payload, which may be odd (RFC 1071 §2(B)). */
  return ltcp_cksum_combine(sum, ltcp_cksum_copy(0, dst + first, r->buf, n - first), first);
}

void ltcp_ring_consume(ltcp_ring *r, uint32_t n) {
  LTCP_ASSERT(n <= r->len);
  r->len -= n;
  if (r->alloc) r->head = (r->head + n) % r->alloc;
}

void ltcp_ring_clear_slow(ltcp_ring *r, ltcp_mem *mem) {
  if (mem && r->buf) ltcp_mem_release(mem, r->alloc);
  if (r->buf) ring_free(mem, r->buf, r->alloc);
  r->buf = NULL;
  r->alloc = 0;
  r->head = 0;
  r->len = 0;
}
