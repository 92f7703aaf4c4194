#include "tcp/ring.h"

#include <stdlib.h>
#include <string.h>

#include "lucidtcp/common.h"
#include "util/assert.h"

static int ring_ensure(ltcp_ring *r) {
  if (r->buf) return 0;
  if (r->cap == 0) return LTCP_ENOMEM;
  r->buf = malloc(r->cap);
  r->head = 0;
  return r->buf ? 0 : LTCP_ENOMEM;
}

/* Copies n bytes into the ring at absolute offset pos (wrapping). */
static void ring_put(ltcp_ring *r, uint32_t pos, const uint8_t *data, uint32_t n) {
  pos %= r->cap;
  uint32_t first = r->cap - pos < n ? r->cap - pos : n;
  memcpy(r->buf + pos, data, first);
  memcpy(r->buf, data + first, n - first);
}

uint32_t ltcp_ring_append(ltcp_ring *r, const uint8_t *data, uint32_t n) {
  uint32_t room = ltcp_ring_free_space(r);
  if (n > room) n = room;
  if (n == 0 || ring_ensure(r) != 0) return 0;
  ring_put(r, r->head + r->len, data, n);
  r->len += n;
  return n;
}

int ltcp_ring_write_at(ltcp_ring *r, uint32_t off, const uint8_t *data, uint32_t n) {
  LTCP_ASSERT(off + n <= r->cap);
  if (n == 0) return 0;
  int rc = ring_ensure(r);
  if (rc != 0) return rc;
  ring_put(r, r->head + off, data, n);
  return 0;
}

void ltcp_ring_copy_out(const ltcp_ring *r, uint32_t off, uint8_t *dst, uint32_t n) {
  LTCP_ASSERT(off + n <= r->cap);
  if (n == 0) return;
  LTCP_ASSERT(r->buf != NULL);
  uint32_t pos = (r->head + off) % r->cap;
  uint32_t first = r->cap - pos < n ? r->cap - pos : n;
  memcpy(dst, r->buf + pos, first);
  memcpy(dst + first, r->buf, n - first);
}

void ltcp_ring_consume(ltcp_ring *r, uint32_t n) {
  LTCP_ASSERT(n <= r->len);
  r->len -= n;
  r->head = (r->head + n) % r->cap; /* out-of-order bytes beyond len stay where they are */
}

void ltcp_ring_clear(ltcp_ring *r) {
  free(r->buf);
  r->buf = NULL;
  r->head = 0;
  r->len = 0;
}
