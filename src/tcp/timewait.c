/* Compact TIME-WAIT records: pool, hash table, FIFO, and the view through which the engine
 * handles them (see timewait.h). */
#include "tcp/timewait.h"

#include <stdlib.h>
#include <string.h>

#include "ip/stack_int.h"
#include "util/assert.h"

static ltcp_tw_rec *tw_at(const ltcp_tw_table *t, uint32_t idx) {
  return (ltcp_tw_rec *)ltcp_recs_at(&t->recs, idx);
}

int ltcp_tw_init(ltcp_stack *st) {
  return ltcp_recs_init(&st->tw.recs, sizeof(ltcp_tw_rec), st->cfg.max_connections,
                        st->conns_mask + 1);
}

void ltcp_tw_free(ltcp_stack *st) { ltcp_recs_free(&st->tw.recs); }

static uint32_t tw_find(const ltcp_stack *st, const ltcp_endpoint *l, const ltcp_endpoint *r) {
  return ltcp_table_rec_find(st, &st->tw.recs, l, r);
}

/* ---- records */

static void tw_remove(ltcp_stack *st, uint32_t idx) {
  ltcp_tw_table *t = &st->tw;
  ltcp_table_rec_remove(st, &t->recs, idx);
  ltcp_recs_fifo_unlink(&t->recs, &t->fifo, idx);
  ltcp_recs_release(&t->recs, idx);
}

static int tw_may_compact(const ltcp_stack *st, const ltcp_tcb *tcb) {
  const ltcp_tw_table *t = &st->tw;
  /* The user can no longer see it, and it owes nothing: what TIME-WAIT does with a record
   * is then all it would do with the TCB. */
  if (!tcb->busy || tcb->view || tcb->dead || tcb->state != LTCP_TIME_WAIT || tcb->fd >= 0 || !tcb->orphan ||
      tcb->busy->parent || tcb->in_tx_wait || tcb->ack_now || tcb->busy->rcvbuf.len || !tcb->in_table ||
      tcb->local.addr != st->cfg.addr || tcb->snd_una != tcb->snd_nxt)
    return 0;
  /* The FIFO stays sorted: a TCB that entered TIME-WAIT before the newest record (its user
   * closed the socket late) keeps its TCB, and its timer in the heap. */
  return !t->fifo.tail || tw_at(t, t->fifo.tail)->expiry <= tcb->busy->tw_at;
}

int ltcp_tw_compact(ltcp_stack *st, ltcp_tcb *tcb) {
  if (!tw_may_compact(st, tcb)) return 0;
  ltcp_tw_table *t = &st->tw;
  uint32_t idx = ltcp_recs_alloc(&t->recs);
  if (!idx) return 0; /* no memory: the TCB stays as it is */
  ltcp_tw_rec *w = tw_at(t, idx);
  const ltcp_rfc7323 *o = &tcb->rfc7323;
  w->snd_nxt = tcb->snd_nxt;
  w->rcv_nxt = tcb->rcv_nxt;
  w->snd_max_wnd = tcb->snd_max_wnd;
  w->rcv_wnd = ltcp_tcb_rcv_wnd(tcb); /* constant in TIME-WAIT: RCV.NXT no longer moves */
  w->ts_recent = o->ts_recent;
  w->ts_offset = o->ts_offset;
  w->rcv_wscale = o->rcv_wscale;
  w->flags = ltcp_opts_pack_flags(tcb);
  w->snd_mss = tcb->snd_mss;
  w->expiry = tcb->busy->tw_at;
  w->id = tcb->id;
  /* The TCB leaves the tables (its state stays counted: the record is in TIME-WAIT). */
  ltcp_tcb_delete(st, tcb);
  st->state_count[LTCP_TIME_WAIT]++;
  ltcp_table_rec_insert(st, &t->recs, idx, tcb);
  ltcp_recs_fifo_append(&t->recs, &t->fifo, idx);
  st->stats.time_wait_compact++;
  return 1;
}

/* The view: the stack's scratch TCB, as the record's TCB would be in TIME-WAIT. */
static ltcp_tcb *tw_fill_view(ltcp_stack *st, uint32_t idx) {
  const ltcp_tw_rec *w = tw_at(&st->tw, idx);
  ltcp_tcb *v = &st->tw_view;
  memset(v, 0, sizeof *v);
  memset(&st->tw_view_busy, 0, sizeof st->tw_view_busy);
  v->busy = &st->tw_view_busy;
  v->view = 1;
  v->state = LTCP_TIME_WAIT;
  ltcp_table_rec_tuple(st, &w->link, &v->local, &v->remote);
  v->id = w->id;
  v->fd = -1;
  v->heap_idx = -1;
  v->orphan = 1;
  v->fin_queued = 1; /* our FIN is SND.NXT - 1, acknowledged */
  v->fin_rcvd = 1;
  v->snd_una = v->snd_nxt = v->busy->snd_retx = w->snd_nxt;
  v->snd_buf_seq = w->snd_nxt - 1;
  v->snd_max_wnd = w->snd_max_wnd;
  v->snd_mss = w->snd_mss;
  v->rcv_mss = (uint16_t)(st->cfg.mtu - 40);
  v->rcv_nxt = w->rcv_nxt;
  v->busy->rcvbuf.cap = v->rcvbuf_cap = w->rcv_wnd; /* empty: ltcp_tcb_rcv_wnd gives back rcv_wnd */
  v->rcv_adv = w->rcv_nxt + w->rcv_wnd;
  v->busy->rcv_acked = w->rcv_nxt;
  v->rcv_at = st->now;
  v->opts.congestion = st->cfg.congestion;
  ltcp_opts_unpack_flags(st, v, w->flags);
  ltcp_rfc7323 *o = &v->rfc7323;
  o->inited = 1;
  o->rcv_wscale = w->rcv_wscale;
  o->ts_recent = w->ts_recent;
  o->ts_offset = w->ts_offset;
  o->last_ack_sent = w->rcv_nxt;
  v->rto = st->cfg.rto_initial_ns;
  v->busy->rtt_start = LTCP_TIME_NEVER;
  v->busy->rtx_at = v->busy->ut_at = v->busy->fw2_at = v->busy->dack_at = v->ka_at = v->deadline = LTCP_TIME_NEVER;
  v->busy->tw_at = w->expiry;
  st->tw.view_idx = idx;
  return v;
}

int ltcp_tw_exists(const ltcp_stack *st, const ltcp_endpoint *local, const ltcp_endpoint *remote) {
  return tw_find(st, local, remote) != 0;
}

ltcp_tcb *ltcp_tw_view(ltcp_stack *st, const ltcp_endpoint *local, const ltcp_endpoint *remote) {
  uint32_t idx = tw_find(st, local, remote);
  return idx ? tw_fill_view(st, idx) : NULL;
}

void ltcp_tw_view_done(ltcp_stack *st, ltcp_tcb *v) {
  ltcp_tw_table *t = &st->tw;
  LTCP_ASSERT(v == &st->tw_view);
  uint32_t idx = t->view_idx;
  t->view_idx = 0;
  if (v->dead || !idx) return; /* closed: ltcp_tw_view_gone freed the record */
  LTCP_ASSERT(v->state == LTCP_TIME_WAIT && v->rcv_nxt == tw_at(t, idx)->rcv_nxt);
  ltcp_tw_rec *w = tw_at(t, idx);
  w->ts_recent = v->rfc7323.ts_recent;
  w->flags = ltcp_opts_pack_flags(v);
  if (v->busy->tw_at != w->expiry) {
    /* §3.10.7.4: a retransmitted FIN restarts the 2 MSL timeout: now the newest record. */
    LTCP_ASSERT(!t->fifo.tail || v->busy->tw_at >= tw_at(t, t->fifo.tail)->expiry);
    w->expiry = v->busy->tw_at;
    ltcp_recs_fifo_unlink(&t->recs, &t->fifo, idx);
    ltcp_recs_fifo_append(&t->recs, &t->fifo, idx);
  }
}

void ltcp_tw_view_gone(ltcp_stack *st) {
  uint32_t idx = st->tw.view_idx;
  if (!idx) return;
  st->tw.view_idx = 0;
  tw_remove(st, idx);
}

ltcp_time_ns ltcp_tw_next_expiry(const ltcp_stack *st, uint64_t *id) {
  const ltcp_tw_table *t = &st->tw;
  if (!t->fifo.head) return LTCP_TIME_NEVER;
  const ltcp_tw_rec *w = tw_at(t, t->fifo.head);
  if (id) *id = w->id;
  return w->expiry;
}

void ltcp_tw_expire_oldest(ltcp_stack *st) {
  if (!st->tw.fifo.head) return;
  ltcp_tcb *v = tw_fill_view(st, st->tw.fifo.head);
  ltcp_timer_expire(st, v); /* §3.10.8 time-wait timeout: CLOSED, the record goes */
  ltcp_tw_view_done(st, v);
}
