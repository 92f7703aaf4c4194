/* The output queue (txq.h). */
#include "ip/txq.h"

#include <stdint.h>
#include <stdlib.h>

#include "lucidtcp/common.h"
#include "util/assert.h"

int ltcp_txq_init(ltcp_txq *q, uint32_t cap, uint32_t slot, int tso) {
  q->slot = slot;
  q->cap = cap;
  q->head = q->count = q->tail = 0;
  q->data_cap = cap - cap / 8;
  q->data_limit = q->data_cap;
  q->resume_at = q->data_cap / 2;
  /* Two packets more than cap: the end wasted at a wrap and the packet being written always fit
   * (txq.h, ltcp_txq_next_off; docs/design.md, "Output"). */
  uint64_t bytes = ((uint64_t)cap + 2) * ((slot + 15u) & ~15u); /* packets start 16-aligned */
  if (bytes > UINT32_MAX) return LTCP_EINVAL;
  q->bytes = (uint32_t)bytes;
  q->buf = malloc(bytes);
  q->off = calloc(cap, sizeof *q->off);
  q->len = calloc(cap, sizeof *q->len);
  if (tso) q->seg = calloc(cap, sizeof *q->seg);
  return q->buf && q->off && q->len && (!tso || q->seg) ? 0 : LTCP_ENOMEM;
}

void ltcp_txq_free(ltcp_txq *q) {
  free(q->buf);
  free(q->off);
  free(q->len);
  free(q->seg);
  q->buf = NULL;
  q->off = q->len = q->seg = NULL;
}
