/* The output queue (txq.h). */
#include "ip/txq.h"

#include <stdlib.h>

#include "lucidtcp/common.h"
#include "util/assert.h"

int ltcp_txq_init(ltcp_txq *q, uint32_t cap, uint32_t slot, int tso) {
  q->slot = slot;
  q->cap = cap;
  q->buf = malloc((size_t)slot * cap);
  q->len = calloc(cap, sizeof *q->len);
  if (tso) q->seg = calloc(cap, sizeof *q->seg);
  return q->buf && q->len && (!tso || q->seg) ? 0 : LTCP_ENOMEM;
}

void ltcp_txq_free(ltcp_txq *q) {
  free(q->buf);
  free(q->len);
  free(q->seg);
  q->buf = NULL;
  q->len = q->seg = NULL;
}

void ltcp_txq_commit(ltcp_txq *q, uint32_t len, uint32_t seg_size) {
  LTCP_ASSERT(q->count < q->cap && len <= q->slot && (seg_size == 0 || q->seg));
  uint32_t slot = (q->head + q->count) % q->cap;
  q->len[slot] = len;
  if (q->seg) q->seg[slot] = seg_size;
  q->count++;
}

void ltcp_txq_pop(ltcp_txq *q) {
  if (q->count == 0) return;
  q->head = (q->head + 1) % q->cap;
  /* Empty: start again at slot 0, so the queue touches only as many slots as it ever holds at
   * once (hot in cache, faulted in once) instead of walking all cap slots (12 MB at 8192). */
  if (--q->count == 0) q->head = 0;
}
