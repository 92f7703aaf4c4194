/* User calls (RFC 9293 §3.10.1-§3.10.6), per state (user.h). */
#include "tcp/user.h"

#include <string.h>

#include "tcp/engine.h"
#include "tcp/isn.h"
#include "tcp/life.h"
#include "tcp/output.h"
#include "tcp/timer.h"
#include "tcp/window.h"
#include "util/assert.h"

void ltcp_user_prepare(ltcp_tcb *tcb, const ltcp_user_setup *s) {
  tcb->fd = s->fd;
  tcb->local = s->local;
  tcb->remote = s->remote;
  tcb->busy->sndbuf.cap = tcb->busy->sndbuf_size = s->sndbuf;
  tcb->busy->rcvbuf.cap = tcb->busy->rcvbuf_size = s->rcvbuf;
  tcb->rcv_mss = s->mss;
  tcb->user_timeout_ms = s->user_timeout_ms;
  tcb->opts = s->opts;
}

void ltcp_user_set_fd(ltcp_tcb *tcb, int fd) { tcb->fd = fd; }

void ltcp_user_set_timeout(ltcp_tcb *tcb, uint32_t ms) { tcb->user_timeout_ms = ms; }

int ltcp_user_open_active(ltcp_engine *eng, ltcp_tcb *tcb) {
  /* §3.10.1 CLOSED: select an ISS, send <SEQ=ISS><CTL=SYN>, SND.UNA <- ISS,
   * SND.NXT <- ISS+1, enter SYN-SENT. */
  ltcp_cause why = ltcp_cause_call(LTCP_CALL_OPEN_ACTIVE);
  tcb->iss = ltcp_isn_select(eng, &tcb->local, &tcb->remote);
  tcb->snd_una = tcb->iss;
  tcb->snd_nxt = tcb->busy->snd_retx = tcb->snd_buf_seq = tcb->iss + 1;
  ltcp_life_set_state(eng, tcb, LTCP_SYN_SENT, &why);
  eng->stats->active_opens++;
  tcb->busy->rtt_start = eng->now;
  tcb->busy->rtt_seq = tcb->iss + 1;
  ltcp_out_syn(eng, tcb);
  ltcp_out_arm_rtx(eng, tcb);
  return 0;
}

int ltcp_user_open_passive(ltcp_engine *eng, ltcp_tcb *tcb, uint32_t backlog) {
  ltcp_cause why = ltcp_cause_call(LTCP_CALL_OPEN_PASSIVE);
  tcb->busy->backlog = backlog;
  ltcp_life_set_state(eng, tcb, LTCP_LISTEN, &why);
  return 0;
}

void ltcp_user_set_backlog(ltcp_tcb *lst, uint32_t backlog) { lst->busy->backlog = backlog; }

/* Whether SEND may queue data in this state: 0, or why not. */
static int32_t user_send_state(const ltcp_tcb *tcb) {
  switch (tcb->state) {
    case LTCP_LISTEN:
      return LTCP_ENOTCONN; /* BSD; RFC 9293 would turn the listener active */
    case LTCP_SYN_SENT:
    case LTCP_SYN_RECEIVED:
      if (tcb->fin_queued) return LTCP_EPIPE;
      break; /* queue the data for transmission after entering ESTABLISHED */
    case LTCP_ESTABLISHED:
    case LTCP_CLOSE_WAIT:
      break; /* segmentize the buffer and send it */
    default:
      return LTCP_EPIPE; /* "error: connection closing" */
  }
  return 0;
}

int32_t ltcp_user_send(ltcp_engine *eng, ltcp_tcb *tcb, const uint8_t *data, uint32_t len) {
  int32_t rc = user_send_state(tcb);
  if (rc) return rc;
  if (__builtin_expect(tcb->busy->zc.bytes != 0, 0)) {
    /* Lent buffers (tcp/zc.h) take room in the send buffer too. */
    uint32_t space = ltcp_tcb_snd_space(tcb);
    if (len > 0 && space == 0) return LTCP_EAGAIN;
    if (len > space) len = space;
  }
  /* Above the pressure mark the send buffer grows no further (tcp/mem.h); what it cannot take
   * is refused, nothing queued: EAGAIN, as Linux's sk_stream_wait_memory for a nonblocking
   * socket, and the socket is not writable until memory frees (ltcp_user_readiness). */
  uint32_t n = ltcp_ring_append(&tcb->busy->sndbuf, &eng->mem, LTCP_MEM_PRESSURE, data, len);
  if (n == 0 && len > 0 && ltcp_ring_free_space(&tcb->busy->sndbuf) > 0) eng->stats->send_no_memory++;
  if (n == 0) return len == 0 ? 0 : LTCP_EAGAIN;
  ltcp_output(eng, tcb);
  return (int32_t)n;
}

int32_t ltcp_user_send_zc(ltcp_engine *eng, ltcp_tcb *tcb, const uint8_t *data, uint32_t len,
                          ltcp_zc_release_fn release, void *ctx) {
  int32_t rc = user_send_state(tcb);
  if (rc) return rc;
  LTCP_ASSERT(len > 0 && len <= LTCP_BUF_MAX);
  /* Whole, when there is any room (as Linux lets one skb overfill sk_sndbuf): the buffer's
   * ownership never depends on how much was taken. */
  if (ltcp_tcb_snd_space(tcb) == 0) return LTCP_EAGAIN;
  ltcp_tcb_busy *b = tcb->busy;
  rc = ltcp_zc_lend(eng, &b->zc, ltcp_tcb_fin_seq(tcb), b->sndbuf.len, data, len, release, ctx);
  if (rc) return rc;
  ltcp_output(eng, tcb);
  return (int32_t)len;
}

/* Reading opened the window by a significant amount (ltcp_window_rcv applies RFC 1122
 * 4.2.3.3): tell the peer, with an ACK that may yet ride on data or a FIN (MUST-58). */
static void user_window_update(ltcp_engine *eng, ltcp_tcb *tcb) {
  if (ltcp_window_update_due(eng, tcb)) {
    tcb->ack_now = 1;
    ltcp_output(eng, tcb);
  }
}

/* Whether RECEIVE may read in this state: 0, or why not. */
static int32_t user_receive_state(const ltcp_tcb *tcb) {
  switch (tcb->state) {
    case LTCP_LISTEN:
      return LTCP_ENOTCONN;
    case LTCP_SYN_SENT:
    case LTCP_SYN_RECEIVED:
      return LTCP_EAGAIN; /* queued until ESTABLISHED: not yet */
    default:
      return 0;
  }
}

/* n bytes were read: they leave the buffer, and the window may open. Inlined into each
 * reader: as a call it cost request/response about 40 instructions a transaction. */
static inline __attribute__((always_inline)) void user_consumed(ltcp_engine *eng, ltcp_tcb *tcb, uint32_t n) {
  ltcp_ring_consume(&tcb->busy->rcvbuf, n);
  /* After the peer's FIN nothing more can arrive: the emptied buffer's memory goes back. */
  if (tcb->fin_rcvd && tcb->busy->rcvbuf.len == 0) ltcp_ring_clear(&tcb->busy->rcvbuf, &eng->mem);
  if (ltcp_tcb_synchronized(tcb->state) && !tcb->fin_rcvd) user_window_update(eng, tcb);
}

int32_t ltcp_user_receive(ltcp_engine *eng, ltcp_tcb *tcb, uint8_t *buf, uint32_t len, int peek) {
  int32_t rc = user_receive_state(tcb);
  if (rc) return rc;
  uint32_t n = len < tcb->busy->rcvbuf.len ? len : tcb->busy->rcvbuf.len;
  if (n == 0) {
    if (len == 0) return 0;
    return tcb->fin_rcvd ? 0 : LTCP_EAGAIN; /* after the FIN: "connection closing" = EOF */
  }
  ltcp_ring_copy_out(&tcb->busy->rcvbuf, 0, buf, n);
  if (!peek) user_consumed(eng, tcb, n);
  return (int32_t)n;
}

int32_t ltcp_user_receive_peek(ltcp_tcb *tcb, const uint8_t **data) {
  int32_t rc = user_receive_state(tcb);
  if (rc) return rc;
  uint32_t n = ltcp_ring_contig(&tcb->busy->rcvbuf, data);
  if (n == 0) return tcb->fin_rcvd ? 0 : LTCP_EAGAIN;
  return (int32_t)n;
}

int32_t ltcp_user_receive_consume(ltcp_engine *eng, ltcp_tcb *tcb, uint32_t n) {
  if (user_receive_state(tcb) || n > tcb->busy->rcvbuf.len) return LTCP_EINVAL;
  if (n) user_consumed(eng, tcb, n);
  return 0;
}

void ltcp_user_shutdown_read(ltcp_tcb *tcb) {
  tcb->rcv_shut = 1;
  ltcp_ring_consume(&tcb->busy->rcvbuf, tcb->busy->rcvbuf.len);
}

int ltcp_user_close(ltcp_engine *eng, ltcp_tcb *tcb) {
  ltcp_cause why = ltcp_cause_call(LTCP_CALL_CLOSE);
  switch (tcb->state) {
    case LTCP_LISTEN:
    case LTCP_SYN_SENT:
      ltcp_life_close(eng, tcb, 0, &why); /* delete the TCB */
      return 0;
    case LTCP_SYN_RECEIVED:
      tcb->fin_queued = 1;
      /* With nothing to send, the FIN goes now; else after ESTABLISHED (the ACK step). */
      if (tcb->busy->sndbuf.len == 0) ltcp_life_set_state(eng, tcb, LTCP_FIN_WAIT_1, &why);
      break;
    case LTCP_ESTABLISHED:
      tcb->fin_queued = 1; /* the FIN follows the data already queued */
      ltcp_life_set_state(eng, tcb, LTCP_FIN_WAIT_1, &why);
      break;
    case LTCP_CLOSE_WAIT:
      tcb->fin_queued = 1;
      ltcp_life_set_state(eng, tcb, LTCP_LAST_ACK, &why);
      break;
    case LTCP_FIN_WAIT_1:
    case LTCP_FIN_WAIT_2:
      return 0; /* "ok" is acceptable as long as a second FIN is not emitted */
    default:
      return LTCP_EALREADY; /* CLOSING, LAST-ACK, TIME-WAIT: "error: connection closing" */
  }
  ltcp_output(eng, tcb);
  return 0;
}

void ltcp_user_abort(ltcp_engine *eng, ltcp_tcb *tcb) {
  ltcp_cause why = ltcp_cause_call(LTCP_CALL_ABORT);
  switch (tcb->state) {
    case LTCP_SYN_RECEIVED:
    case LTCP_ESTABLISHED:
    case LTCP_FIN_WAIT_1:
    case LTCP_FIN_WAIT_2:
    case LTCP_CLOSE_WAIT:
      ltcp_out_rst(eng, tcb, tcb->snd_nxt); /* §3.10.5: <SEQ=SND.NXT><CTL=RST> */
      break;
    default:
      break; /* LISTEN, SYN-SENT, CLOSING, LAST-ACK, TIME-WAIT: no reset */
  }
  ltcp_life_close(eng, tcb, ECONNABORTED, &why);
}

void ltcp_user_orphan(ltcp_engine *eng, ltcp_tcb *tcb) {
  if (tcb->dead) return;
  tcb->fd = -1;
  tcb->orphan = 1;
  ltcp_timer_orphan_fin_wait_2(eng, tcb);
}

void ltcp_user_status(const ltcp_engine *eng, const ltcp_tcb *tcb, ltcp_tcp_info *info) {
  memset(info, 0, sizeof *info);
  info->state = tcb->state;
  ltcp_engine_endpoint(eng, tcb->local.addr, tcb->local.port, &info->local);
  ltcp_engine_endpoint(eng, tcb->remote.addr, tcb->remote.port, &info->remote);
  info->iss = tcb->iss;
  info->irs = tcb->irs;
  info->snd_una = tcb->snd_una;
  info->snd_nxt = tcb->snd_nxt;
  info->snd_wnd = tcb->snd_wnd;
  info->rcv_nxt = tcb->rcv_nxt;
  info->rcv_wnd = ltcp_window_rcv(eng, tcb);
  info->snd_mss = tcb->snd_mss;
  info->rcv_mss = tcb->rcv_mss;
  uint32_t data_end = ltcp_tcb_fin_seq(tcb);
  info->unsent = ltcp_seq_lt(tcb->snd_nxt, data_end) ? data_end - tcb->snd_nxt : 0;
  info->unacked = ltcp_tcb_snd_queued(tcb) - info->unsent;
  info->readable = ltcp_tcb_rcv_queued(tcb);
  info->srtt_ns = tcb->srtt;
  info->rttvar_ns = tcb->rttvar;
  info->rto_ns = tcb->rto;
  info->retransmits = tcb->busy ? tcb->busy->retries : 0;
  info->conn_id = tcb->id;
  info->wscale_ok = tcb->rfc7323.ws_ok;
  info->snd_wscale = tcb->rfc7323.snd_wscale;
  info->rcv_wscale = tcb->rfc7323.rcv_wscale;
  info->timestamps_ok = tcb->rfc7323.ts_ok;
  info->sack_ok = tcb->sack_ok;
  info->congestion = tcb->cc.id;
  info->in_recovery = tcb->cc.in_recovery;
  info->cwnd = tcb->cwnd;
  info->ssthresh = tcb->ssthresh;
}

void ltcp_user_readiness(const ltcp_engine *eng, const ltcp_tcb *tcb, ltcp_user_ready *r) {
  memset(r, 0, sizeof *r);
  switch (tcb->state) {
    case LTCP_LISTEN:
      r->listening = 1;
      r->acceptable = tcb->busy->acceptq_head != NULL; /* a listener is always awake */
      return;
    case LTCP_SYN_SENT:
    case LTCP_SYN_RECEIVED:
      r->opening = 1;
      return;
    default:
      break;
  }
  r->readable = ltcp_tcb_rcv_queued(tcb) > 0 || tcb->fin_rcvd;
  r->peer_fin = tcb->fin_rcvd;
  r->writable = (tcb->state == LTCP_ESTABLISHED || tcb->state == LTCP_CLOSE_WAIT) &&
                ltcp_tcb_snd_space(tcb) > 0 &&
                (!tcb->busy || ltcp_ring_room(&tcb->busy->sndbuf, &eng->mem, LTCP_MEM_PRESSURE) > 0);
  r->both_closed = tcb->fin_rcvd && tcb->fin_queued;
}

void ltcp_user_conn_info(const ltcp_engine *eng, const ltcp_tcb *tcb, ltcp_conn_info *ci) {
  memset(ci, 0, sizeof *ci);
  ltcp_user_status(eng, tcb, &ci->tcp);
  for (int k = 0; k < LTCP_TIMER_COUNT; k++) ci->timer_at[k] = LTCP_TIME_NEVER;
  ci->delack_at = LTCP_TIME_NEVER;
  ci->timer_at[LTCP_TIMER_KEEPALIVE] = tcb->ka_at; /* the TCB's own, asleep or awake */
  ci->fd = tcb->orphan ? -1 : tcb->fd;
  ci->asleep = tcb->busy == NULL;
  const ltcp_tcb_busy *b = tcb->busy;
  if (!b) return;
  ci->timer_at[LTCP_TIMER_RETRANSMIT] = b->rtx_at;
  ci->timer_at[LTCP_TIMER_TIME_WAIT] = b->tw_at;
  ci->timer_at[LTCP_TIMER_USER_TIMEOUT] = b->ut_at;
  ci->timer_at[LTCP_TIMER_FIN_WAIT_2] = b->fw2_at;
  ci->delack_at = b->dack_at;
}
