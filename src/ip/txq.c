/* The output queue (txq.h). */
#include "ip/txq.h"

#include <stdlib.h>

#include "lucidtcp/common.h"
#include "util/assert.h"

int ltcp_txq_init(ltcp_txq *q, uint32_t cap, uint32_t slot, int tso) {
  q->slot = slot;
  q->cap = cap;
  q->data_cap = cap - cap / 8;
  q->data_limit = q->data_cap;
  q->resume_at = q->data_cap / 2;
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
