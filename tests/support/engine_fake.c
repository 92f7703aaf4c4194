/* The engine with a fake host (engine_fake.h). */
#include "support/engine_fake.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static uint8_t *ef_tx_slot(void *ctx, uint32_t dst_addr, uint32_t *room, int new_data) {
  (void)dst_addr;
  ef_engine *e = ctx;
  e->slots_taken++;
  if (e->queue_full || (new_data && e->data_full)) return NULL;
  *room = EF_SLOT_BYTES;
  return e->slot;
}

static void ef_tx_commit(void *ctx, uint8_t *tcp, const ltcp_seg *seg, uint32_t tcp_len,
                         uint32_t seg_size) {
  ef_engine *e = ctx;
  assert_ptr_equal(tcp, e->slot);
  assert_true(tcp_len <= EF_SLOT_BYTES);
  (void)seg_size;
  e->sent++;
  e->last = *seg;
  e->last.data = NULL; /* it pointed into the engine's buffers */
}

static void ef_deadline_moved(void *ctx, ltcp_tcb *tcb) {
  ef_engine *e = ctx;
  (void)tcb;
  e->deadline_moves++;
}

void ef_engine_init(ef_engine *e, const ltcp_stack_config *cfg, ltcp_time_ns now) {
  memset(e, 0, sizeof *e);
  /* The modules under test never look up a listener, attach, expand or detach a connection. */
  ltcp_engine_host host = {.ctx = e, .tx_slot = ef_tx_slot, .tx_commit = ef_tx_commit,
                           .deadline_moved = ef_deadline_moved};
  uint8_t key[16] = {0};
  assert_int_equal(ltcp_engine_init(&e->eng, cfg, &e->stats, &host, key), 0);
  ltcp_engine_clock(&e->eng, now);
}

void ef_engine_free(ef_engine *e) { ltcp_engine_free(&e->eng); }

typedef struct ef_tcb_block {
  ltcp_tcb tcb; /* first: the block's address is the TCB's */
  ltcp_tcb_busy busy;
} ef_tcb_block;

ltcp_tcb *ef_tcb_new(void) {
  ef_tcb_block *b = calloc(1, sizeof *b);
  assert_non_null(b);
  b->tcb.busy = &b->busy;
  return &b->tcb;
}

void ef_tcb_free(ltcp_tcb *tcb) {
  if (!tcb) return;
  ltcp_ring_clear(&tcb->busy->sndbuf, NULL);
  ltcp_ring_clear(&tcb->busy->rcvbuf, NULL);
  free(tcb);
}
