/* Compact TIME-WAIT, the engine's side (timewait.h). */
#include "tcp/timewait.h"

#include <string.h>

#include "tcp/engine.h"
#include "tcp/window.h"
#include "util/assert.h"

int ltcp_tw_may_compact(const ltcp_tcb *tcb) {
  /* The user can no longer see it, and it owes nothing: what TIME-WAIT does with a record
   * is then all it would do with the TCB. */
  return tcb->busy && !tcb->view && !tcb->dead && tcb->state == LTCP_TIME_WAIT && tcb->orphan &&
         !tcb->busy->parent && !tcb->in_tx_wait && !tcb->ack_now &&
         !tcb->busy->rcvbuf.len && tcb->snd_una == tcb->snd_nxt;
}

ltcp_time_ns ltcp_tw_expiry(const ltcp_tcb *tcb) { return tcb->busy->tw_at; }

void ltcp_tw_save(const ltcp_engine *eng, const ltcp_tcb *tcb, ltcp_tw_state *s) {
  const ltcp_rfc7323 *o = &tcb->rfc7323;
  s->snd_nxt = tcb->snd_nxt;
  s->rcv_nxt = tcb->rcv_nxt;
  s->snd_max_wnd = tcb->snd_max_wnd;
  s->rcv_wnd = ltcp_window_rcv(eng, tcb); /* constant in TIME-WAIT: RCV.NXT no longer moves */
  s->ts_recent = o->ts_recent;
  s->ts_offset = o->ts_offset;
  s->wscale_flags = (uint8_t)(o->rcv_wscale | ltcp_opts_pack_flags(tcb) << 4);
  s->chack = ltcp_tcb_chack_get(tcb);
  s->snd_mss = tcb->snd_mss;
}

void ltcp_tw_view_fill(ltcp_engine *eng, ltcp_tcb *v, ltcp_tcb_busy *b, const ltcp_tw_state *s,
                       const ltcp_ep *local, const ltcp_ep *remote,
                       ltcp_time_ns expiry, uint64_t id) {
  memset(v, 0, sizeof *v);
  memset(b, 0, sizeof *b);
  v->busy = b;
  v->view = 1;
  v->state = LTCP_TIME_WAIT;
  v->local = *local;
  v->remote = *remote;
  v->id = id;
  v->fd = -1;
  v->heap_idx = -1;
  v->orphan = 1;
  v->fin_queued = 1; /* our FIN is SND.NXT - 1, acknowledged */
  v->fin_rcvd = 1;
  v->snd_una = v->snd_nxt = b->snd_retx = s->snd_nxt;
  v->snd_buf_seq = s->snd_nxt - 1;
  v->snd_max_wnd = s->snd_max_wnd;
  v->snd_mss = s->snd_mss;
  v->rcv_mss = ltcp_engine_mss(eng, (uint16_t)(eng->cfg.mtu - 40), v->remote.addr);
  v->rcv_nxt = s->rcv_nxt;
  b->rcvbuf.cap = v->rcvbuf_cap = s->rcv_wnd; /* empty: ltcp_window_rcv gives back rcv_wnd */
  v->rcv_adv = s->rcv_nxt + s->rcv_wnd;
  b->rcv_acked = s->rcv_nxt;
  v->rcv_at = eng->now;
  v->opts.congestion = eng->cfg.congestion;
  ltcp_opts_unpack_flags(eng, v, s->wscale_flags >> 4);
  ltcp_tcb_chack_set(v, s->chack);
  ltcp_rfc7323 *o = &v->rfc7323;
  o->inited = 1;
  o->rcv_wscale = s->wscale_flags & 15u;
  o->ts_recent = s->ts_recent;
  o->ts_offset = s->ts_offset;
  o->last_ack_sent = s->rcv_nxt;
  v->rto = eng->cfg.rto_initial_ns;
  b->rtt_start = LTCP_TIME_NEVER;
  b->rtx_at = b->ut_at = b->fw2_at = b->dack_at = v->ka_at = v->deadline = LTCP_TIME_NEVER;
  b->tw_at = expiry;
}

ltcp_time_ns ltcp_tw_view_read_back(const ltcp_tcb *v, ltcp_tw_state *s) {
  LTCP_ASSERT(v->view && !v->dead && v->state == LTCP_TIME_WAIT && v->rcv_nxt == s->rcv_nxt);
  s->ts_recent = v->rfc7323.ts_recent;
  s->wscale_flags = (uint8_t)((s->wscale_flags & 15u) | ltcp_opts_pack_flags(v) << 4);
  s->chack = ltcp_tcb_chack_get(v);
  return v->busy->tw_at;
}
