/* TCB life cycle and state changes; every change becomes an event with its cause. */
#include "tcp/tcb.h"

#include <stdlib.h>
#include <string.h>

#include "ip/stack_int.h"
#include "tcp/keepalive.h"
#include "util/assert.h"

ltcp_cause ltcp_cause_call(ltcp_call call) {
  ltcp_cause c = {.kind = LTCP_CAUSE_CALL, .call = call};
  return c;
}

ltcp_cause ltcp_cause_timer(ltcp_timer timer) {
  ltcp_cause c = {.kind = LTCP_CAUSE_TIMER, .timer = timer};
  return c;
}

ltcp_cause ltcp_cause_segment(const ltcp_seg *seg) {
  ltcp_cause c = {.kind = LTCP_CAUSE_SEGMENT};
  c.seg.flags = seg->flags;
  c.seg.seq = seg->seq;
  c.seg.ack = seg->ack;
  c.seg.wnd = seg->wnd;
  c.seg.len = seg->len;
  return c;
}

ltcp_tcb *ltcp_tcb_new(ltcp_stack *st, ltcp_state state) {
  ltcp_tcb *tcb = ltcp_tcb_new_with_id(st, state, st->next_conn_id + 1);
  if (tcb) st->next_conn_id++;
  return tcb;
}

ltcp_tcb *ltcp_tcb_new_with_id(ltcp_stack *st, ltcp_state state, uint64_t id) {
  ltcp_tcb *tcb = calloc(1, sizeof *tcb);
  if (!tcb) return NULL;
  tcb->state = state;
  tcb->id = id;
  tcb->fd = -1;
  tcb->heap_idx = -1;
  tcb->rtx_at = tcb->tw_at = tcb->ut_at = tcb->fw2_at = tcb->deadline = LTCP_TIME_NEVER;
  tcb->dack_at = tcb->ka_at = LTCP_TIME_NEVER;
  tcb->rcv_at = st->now;
  ltcp_conn_opts_default(&tcb->opts, &st->cfg);
  tcb->rtt_start = LTCP_TIME_NEVER;
  tcb->rto = st->cfg.rto_initial_ns;
  tcb->sndbuf_size = st->cfg.sndbuf;
  tcb->rcvbuf_size = st->cfg.rcvbuf;
  tcb->rcv_mss = (uint16_t)(st->cfg.mtu - 40);
  tcb->snd_mss = 536; /* RFC 9293 §3.7.1 MUST-15: the default without an MSS option */
  tcb->user_timeout_ns = st->cfg.user_timeout_ns;
  tcb->sndbuf.cap = st->cfg.sndbuf;
  tcb->rcvbuf.cap = st->cfg.rcvbuf;
  st->state_count[state]++;
  return tcb;
}

static void tcb_event(ltcp_stack *st, const ltcp_tcb *tcb, ltcp_state old, int error,
                      const ltcp_cause *why) {
  ltcp_event ev = {.kind = LTCP_EV_STATE, .time = st->now, .conn_id = tcb->id, .fd = tcb->fd};
  ev.local = tcb->local;
  ev.remote = tcb->remote;
  ev.old_state = old;
  ev.new_state = tcb->state;
  ev.error = error;
  ev.cause = why->kind;
  ev.seg = why->seg;
  ev.call = why->call;
  ev.timer = why->timer;
  ltcp_stack_emit_event(st, &ev);
}

static void tcb_enter(ltcp_stack *st, ltcp_tcb *tcb, ltcp_state next, int error,
                      const ltcp_cause *why) {
  ltcp_state old = tcb->state;
  st->state_count[old]--;
  st->state_count[next]++;
  tcb->state = next;
  if (next == LTCP_ESTABLISHED) st->stats.established++;
  tcb_event(st, tcb, old, error, why);
}

void ltcp_tcb_set_state(ltcp_stack *st, ltcp_tcb *tcb, ltcp_state next, const ltcp_cause *why) {
  LTCP_ASSERT(next != LTCP_CLOSED); /* use ltcp_tcb_close */
  if (tcb->state == next) return;
  ltcp_state old = tcb->state;
  tcb_enter(st, tcb, next, 0, why);
  if (next == LTCP_ESTABLISHED) ltcp_keepalive_start(st, tcb);
  if (next == LTCP_ESTABLISHED && tcb->parent && old == LTCP_SYN_RECEIVED) {
    /* A passive child is ready for accept(). */
    ltcp_tcb *lst = tcb->parent;
    if (lst->acceptq_tail) lst->acceptq_tail->accept_next = tcb;
    else lst->acceptq_head = tcb;
    lst->acceptq_tail = tcb;
  }
}

/* Takes a child off its listener: out of the accept queue, out of the backlog count. */
static void tcb_detach_from_listener(ltcp_tcb *tcb) {
  ltcp_tcb *lst = tcb->parent;
  if (!lst) return;
  ltcp_tcb **pp = &lst->acceptq_head, *prev = NULL;
  for (uint32_t i = 0; *pp && i <= lst->backlog; i++) {
    if (*pp == tcb) {
      *pp = tcb->accept_next;
      if (lst->acceptq_tail == tcb) lst->acceptq_tail = prev;
      break;
    }
    prev = *pp;
    pp = &(*pp)->accept_next;
  }
  tcb->accept_next = NULL;
  lst->child_count--;
  tcb->parent = NULL;
}

/* Out of every table and list; onto the graveyard, freed when the stack call returns. */
static void tcb_bury(ltcp_stack *st, ltcp_tcb *tcb, int error) {
  tcb->dead = 1;
  ltcp_stack_tx_unwait(st, tcb);
  tcb_detach_from_listener(tcb);
  if (tcb->fd >= 0) ltcp_sock_tcb_gone(st, tcb, error);
  if (tcb->in_table) ltcp_table_remove(st, tcb);
  tcb->rtx_at = tcb->tw_at = tcb->ut_at = tcb->fw2_at = LTCP_TIME_NEVER;
  tcb->dack_at = tcb->ka_at = LTCP_TIME_NEVER;
  ltcp_timer_update(st, tcb);
  ltcp_ring_clear(&tcb->sndbuf);
  ltcp_ring_clear(&tcb->rcvbuf);
  st->state_count[tcb->state]--;
  if (tcb->view) { /* a TIME-WAIT record's view: the record goes, the view is the stack's */
    ltcp_tw_view_gone(st);
    return;
  }
  tcb->list_next = st->graveyard;
  st->graveyard = tcb;
}

/* A listener goes: its half-open children go with it, without a reset (as Linux's
 * inet_csk_listen_stop drops its request socks). Records come back as TCBs first. This walks
 * the connection table once: closing a listener is rare, and no other path scans. */
static void tcb_drop_children(ltcp_stack *st, ltcp_tcb *lst) {
  if (lst->child_count == 0) return;
  ltcp_syn_expand_port(st, lst->local.port);
  ltcp_cause why = ltcp_cause_call(LTCP_CALL_CLOSE);
  for (uint32_t b = 0; lst->child_count && b <= st->conns_mask; b++) {
    for (ltcp_tcb *t = st->conns[b], *next; t; t = next) {
      next = t->hash_next;
      if (t->parent == lst && !t->dead) ltcp_tcb_close(st, t, 0, &why);
    }
  }
}

void ltcp_tcb_close(ltcp_stack *st, ltcp_tcb *tcb, int error, const ltcp_cause *why) {
  if (tcb->dead) return;
  if (tcb->is_listener) {
    tcb_drop_children(st, tcb);
    ltcp_table_remove_listener(st, tcb);
  }
  tcb_enter(st, tcb, LTCP_CLOSED, error, why);
  tcb_bury(st, tcb, error);
}

void ltcp_tcb_delete(ltcp_stack *st, ltcp_tcb *tcb) {
  if (!tcb->dead) tcb_bury(st, tcb, 0);
}

void ltcp_tcb_free(ltcp_tcb *tcb) {
  ltcp_ring_clear(&tcb->sndbuf);
  ltcp_ring_clear(&tcb->rcvbuf);
  free(tcb);
}

uint32_t ltcp_tcb_rcv_wnd(const ltcp_tcb *tcb) {
  uint32_t free_space = tcb->rcvbuf.cap - tcb->rcvbuf.len;
  uint32_t max_wnd = ltcp_opts_max_rcv_wnd(tcb); /* 65535 << Rcv.Wind.Shift (RFC 7323) */
  if (free_space > max_wnd) free_space = max_wnd;
  /* §3.10.7.4 seventh: the total of RCV.NXT and RCV.WND should not be reduced. */
  uint32_t promised = ltcp_seq_gt(tcb->rcv_adv, tcb->rcv_nxt) ? tcb->rcv_adv - tcb->rcv_nxt : 0;
  if (free_space <= promised) return promised;
  /* RFC 1122 4.2.3.3 (MUST-39), receiver SWS avoidance: the right edge moves only by at
   * least min(half the buffer, one MSS). */
  uint32_t step = tcb->rcvbuf.cap / 2 < tcb->rcv_mss ? tcb->rcvbuf.cap / 2 : tcb->rcv_mss;
  /* A scaled window moves in units of 2^Rcv.Wind.Shift (RFC 7323 §2.3): a smaller step would
   * send updates that repeat the same window field (duplicate ACKs to the peer). */
  uint32_t unit = 1u << tcb->rfc7323.rcv_wscale;
  if (step < unit && unit <= tcb->rcvbuf.cap / 2) step = unit;
  return free_space - promised < step ? promised : free_space;
}

void ltcp_tcb_check(const ltcp_tcb *tcb) {
  if (tcb->state == LTCP_LISTEN || tcb->state == LTCP_CLOSED) return;
  LTCP_ASSERT(ltcp_seq_le(tcb->snd_una, tcb->snd_nxt));
  LTCP_ASSERT(ltcp_seq_le(tcb->snd_una, tcb->snd_retx) || tcb->snd_retx == tcb->snd_nxt);
  LTCP_ASSERT(ltcp_seq_le(tcb->snd_retx, tcb->snd_nxt));
  LTCP_ASSERT(tcb->sndbuf.len <= tcb->sndbuf.cap && tcb->rcvbuf.len <= tcb->rcvbuf.cap);
  if (tcb->state != LTCP_SYN_SENT && tcb->state != LTCP_SYN_RECEIVED) {
    /* The send buffer starts at SND.UNA once the SYN is acknowledged. */
    LTCP_ASSERT(tcb->snd_buf_seq == tcb->snd_una || tcb->snd_una == tcb->iss ||
                (ltcp_tcb_fin_acked(tcb) && tcb->sndbuf.len == 0));
    uint32_t end = ltcp_tcb_fin_seq(tcb) + (tcb->fin_queued ? 1u : 0u);
    LTCP_ASSERT(ltcp_seq_le(tcb->snd_nxt, end));
    (void)end; /* used only by the assertion (compiled out with NDEBUG) */
  }
  LTCP_ASSERT(tcb->reasm.count <= LTCP_REASM_MAX);
  if (tcb->reasm.count) LTCP_ASSERT(ltcp_seq_gt(tcb->reasm.r[0].start, tcb->rcv_nxt));
  LTCP_ASSERT(ltcp_seq_le(tcb->rcv_nxt + 0u, tcb->rcv_adv) || tcb->rcv_adv == 0 ||
              tcb->state == LTCP_SYN_SENT);
}
