#include "tcp/reasm.h"

#include <string.h>

#include "tcp/seq.h"

static void reasm_remove(ltcp_reasm *q, int i) {
  memmove(&q->r[i], &q->r[i + 1], (size_t)(q->count - i - 1) * sizeof q->r[0]);
  q->count--;
}

int ltcp_reasm_add(ltcp_reasm *q, uint32_t start, uint32_t end) {
  int i = 0;
  while (i < q->count && ltcp_seq_lt(q->r[i].end, start)) i++;
  /* Ranges i.. that touch [start, end) merge into one. */
  int j = i;
  while (j < q->count && ltcp_seq_le(q->r[j].start, end)) {
    start = ltcp_seq_min(start, q->r[j].start);
    end = ltcp_seq_max(end, q->r[j].end);
    j++;
  }
  if (j > i) {
    q->r[i].start = start;
    q->r[i].end = end;
    while (j > i + 1) reasm_remove(q, --j);
    return 0;
  }
  if (q->count == LTCP_REASM_MAX) return -1;
  memmove(&q->r[i + 1], &q->r[i], (size_t)(q->count - i) * sizeof q->r[0]);
  q->r[i].start = start;
  q->r[i].end = end;
  q->count++;
  return 0;
}

uint32_t ltcp_reasm_advance(ltcp_reasm *q, uint32_t rcv_nxt) {
  while (q->count > 0 && ltcp_seq_le(q->r[0].start, rcv_nxt)) {
    rcv_nxt = ltcp_seq_max(rcv_nxt, q->r[0].end);
    reasm_remove(q, 0);
  }
  return rcv_nxt;
}

uint32_t ltcp_reasm_high(const ltcp_reasm *q, uint32_t rcv_nxt) {
  return q->count ? ltcp_seq_max(rcv_nxt, q->r[q->count - 1].end) : rcv_nxt;
}
