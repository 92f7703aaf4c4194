/* TCB life cycle and state changes; every change becomes an event with its cause. */
#include "tcp/tcb.h"

#include <stdlib.h>
#include <string.h>

#include "ip/stack_int.h"
#include "tcp/keepalive.h"
#include "util/assert.h"
#include "util/poison.h"

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

/* ---- asleep and awake (tcb.h: ltcp_tcb_busy) */

#define TCB_BUSY_POOL_MAX 64 /* busy parts kept for reuse: fewer mallocs when connections come and go */
#define TCB_POOL_MAX 64      /* the same for TCBs (each SYN, accepted connection and TIME-WAIT
                              * passes through one) */

/* A busy part with the values an idle connection's holds (tcb_idle): what it gave back. */
static ltcp_tcb_busy *tcb_busy_take(ltcp_stack *st, const ltcp_tcb *tcb) {
  ltcp_tcb_busy *b = st->busy_pool;
  if (b) {
    LTCP_UNPOISON(b, sizeof *b);
    st->busy_pool = b->pool_next;
    st->busy_pool_count--;
  } else if (!(b = malloc(sizeof *b))) {
    return NULL;
  }
  memset(b, 0, sizeof *b);
  b->sndbuf.cap = tcb->sndbuf_cap;
  b->rcvbuf.cap = tcb->rcvbuf_cap;
  b->snd_retx = tcb->snd_nxt;
  b->snd_sml = tcb->snd_una; /* no small segment outstanding: as any value outside
                              * (SND.UNA, SND.NXT] */
  b->rcv_acked = b->rcv_up = tcb->rcv_nxt;
  b->sack.high_rxt = tcb->snd_una;
  b->rtt_start = LTCP_TIME_NEVER;
  b->rtx_at = b->tw_at = b->ut_at = b->fw2_at = b->dack_at = LTCP_TIME_NEVER;
  return b;
}

/* The activity list: awake TCBs by the time the engine last used them, oldest first. */
static void tcb_idle_unlink(ltcp_stack *st, ltcp_tcb *tcb) {
  if (!tcb->idle_listed) return;
  ltcp_tcb_busy *b = tcb->busy;
  if (b->idle_prev) b->idle_prev->busy->idle_next = b->idle_next;
  else st->idle_head = b->idle_next;
  if (b->idle_next) b->idle_next->busy->idle_prev = b->idle_prev;
  else st->idle_tail = b->idle_prev;
  b->idle_prev = b->idle_next = NULL;
  tcb->idle_listed = 0;
}

static void tcb_idle_append(ltcp_stack *st, ltcp_tcb *tcb) {
  ltcp_tcb_busy *b = tcb->busy;
  b->idle_since = st->now;
  b->idle_prev = st->idle_tail;
  b->idle_next = NULL;
  if (st->idle_tail) st->idle_tail->busy->idle_next = tcb;
  else st->idle_head = tcb;
  st->idle_tail = tcb;
  tcb->idle_listed = 1;
}

void ltcp_tcb_touch_slow(ltcp_stack *st, ltcp_tcb *tcb) {
  if (tcb->touched || tcb->view) return;
  tcb->touched = 1;
  tcb->busy->touched_next = st->touched;
  st->touched = tcb;
}

int ltcp_tcb_wake_slow(ltcp_stack *st, ltcp_tcb *tcb) {
  if (!tcb->busy) {
    if (!(tcb->busy = tcb_busy_take(st, tcb))) return LTCP_ENOMEM;
    st->stats.busy_wakes++;
  }
  ltcp_tcb_touch(st, tcb);
  return 0;
}

/* Whether the busy part holds nothing but the values ltcp_tcb_wake gives a woken TCB. What it
 * does not compare is not read before it is written again: rtt_seq while nothing is timed,
 * the scoreboard and reassembly ranges above their counts, the D-SACK range without
 * has_dsack, ack_tsecr outside a segment's processing, HighRxt outside recovery (recovery
 * sets it on entry; only recovery reads it), the end of the last small
 * segment outside (SND.UNA, SND.NXT], and RCV.UP, which only its own update reads. SND.RETX
 * lies between SND.UNA and SND.NXT, equal here. */
static int tcb_idle(const ltcp_tcb *tcb) {
  const ltcp_tcb_busy *b = tcb->busy;
  if (tcb->snd_una != tcb->snd_nxt || b->sndbuf.len || b->rcvbuf.len ||
      b->rcv_acked != tcb->rcv_nxt)
    return 0;
  if (tcb->dead || tcb->view || tcb->is_listener || !ltcp_tcb_synchronized(tcb->state) ||
      tcb->ack_now || tcb->in_tx_wait || tcb->probe_now)
    return 0;
  if (b->rtx_at != LTCP_TIME_NEVER || b->tw_at != LTCP_TIME_NEVER ||
      b->ut_at != LTCP_TIME_NEVER || b->fw2_at != LTCP_TIME_NEVER ||
      b->dack_at != LTCP_TIME_NEVER || b->rtt_start != LTCP_TIME_NEVER)
    return 0;
  if (b->retries || b->probes || b->ka_probes || b->reasm.count || b->reasm.has_fin ||
      b->sack.count || b->sack.recent_count || b->sack.has_dsack || b->parent ||
      b->accept_next || b->acceptq_head || b->child_count)
    return 0;
  if (tcb->cc.in_recovery || tcb->cc.dupacks) return 0;
  LTCP_ASSERT(b->snd_retx == tcb->snd_nxt);
  return 1;
}

static void tcb_busy_release(ltcp_stack *st, ltcp_tcb_busy *b) {
  ltcp_ring_clear(&b->sndbuf);
  ltcp_ring_clear(&b->rcvbuf);
  if (st->busy_pool_count >= TCB_BUSY_POOL_MAX) {
    free(b);
    return;
  }
  b->pool_next = st->busy_pool;
  st->busy_pool = b;
  st->busy_pool_count++;
  LTCP_POISON(b, sizeof *b);
}

static void tcb_sleep(ltcp_stack *st, ltcp_tcb *tcb) {
  tcb_idle_unlink(st, tcb);
  tcb->sndbuf_cap = tcb->busy->sndbuf.cap;
  tcb->rcvbuf_cap = tcb->busy->rcvbuf.cap;
  tcb_busy_release(st, tcb->busy);
  tcb->busy = NULL;
  st->stats.busy_sleeps++;
}

void ltcp_tcb_sleep_idle(ltcp_stack *st) {
  /* The TCBs used in this call: an idle one without buffer memory sleeps now; an idle one
   * with buffers joins the idle list's tail, unless there already (a call that changed
   * nothing, as a recv() finding no data); a busy one leaves it. */
  for (uint32_t i = 0; st->touched && i < UINT32_MAX; i++) {
    ltcp_tcb *tcb = st->touched;
    st->touched = tcb->busy->touched_next;
    tcb->touched = 0;
    if (tcb->dead) continue; /* off the idle list already (tcb_bury) */
    if (!tcb_idle(tcb)) tcb_idle_unlink(st, tcb);
    else if (!tcb->busy->sndbuf.buf && !tcb->busy->rcvbuf.buf) tcb_sleep(st, tcb);
    else if (!tcb->idle_listed) tcb_idle_append(st, tcb);
  }
  /* Those idle for LTCP_TCB_SLEEP_NS give their buffers and busy part back: a connection that
   * pauses between requests keeps its buffers, one that stays quiet costs only its TCB. */
  for (uint32_t i = 0; st->idle_head && i < UINT32_MAX; i++) {
    ltcp_tcb *tcb = st->idle_head;
    if (st->now - tcb->busy->idle_since < LTCP_TCB_SLEEP_NS) break;
    tcb_idle_unlink(st, tcb);
    if (tcb_idle(tcb)) tcb_sleep(st, tcb);
  }
}

void ltcp_tcb_busy_pool_free(ltcp_stack *st) {
  while (st->busy_pool) {
    ltcp_tcb_busy *b = st->busy_pool;
    LTCP_UNPOISON(b, sizeof *b);
    st->busy_pool = b->pool_next;
    free(b);
  }
  st->busy_pool_count = 0;
  while (st->tcb_pool) {
    ltcp_tcb *t = st->tcb_pool;
    LTCP_UNPOISON(t, sizeof *t);
    st->tcb_pool = t->hash_next;
    free(t);
  }
  st->tcb_pool_count = 0;
}

/* A zeroed TCB: from the pool, or from malloc. */
static ltcp_tcb *tcb_take(ltcp_stack *st) {
  ltcp_tcb *tcb = st->tcb_pool;
  if (tcb) {
    LTCP_UNPOISON(tcb, sizeof *tcb);
    st->tcb_pool = tcb->hash_next;
    st->tcb_pool_count--;
  } else if (!(tcb = malloc(sizeof *tcb))) {
    return NULL;
  }
  memset(tcb, 0, sizeof *tcb);
  return tcb;
}

/* ---- life cycle */

ltcp_tcb *ltcp_tcb_new(ltcp_stack *st, ltcp_state state) {
  ltcp_tcb *tcb = ltcp_tcb_new_with_id(st, state, st->next_conn_id + 1);
  if (tcb) st->next_conn_id++;
  return tcb;
}

ltcp_tcb *ltcp_tcb_new_with_id(ltcp_stack *st, ltcp_state state, uint64_t id) {
  ltcp_tcb *tcb = tcb_take(st);
  if (!tcb) return NULL;
  tcb->state = state;
  tcb->id = id;
  tcb->fd = -1;
  tcb->heap_idx = -1;
  tcb->deadline = tcb->ka_at = LTCP_TIME_NEVER;
  tcb->rcv_at = st->now;
  ltcp_conn_opts_default(&tcb->opts, &st->cfg);
  tcb->rto = st->cfg.rto_initial_ns;
  tcb->rcv_mss = (uint16_t)(st->cfg.mtu - 40);
  tcb->snd_mss = 536; /* RFC 9293 §3.7.1 MUST-15: the default without an MSS option */
  tcb->user_timeout_ms = (uint32_t)(st->cfg.user_timeout_ns / LTCP_MS(1));
  tcb->sndbuf_cap = st->cfg.sndbuf;
  tcb->rcvbuf_cap = st->cfg.rcvbuf;
  if (!(tcb->busy = tcb_busy_take(st, tcb))) {
    ltcp_tcb_free(st, tcb);
    return NULL;
  }
  ltcp_tcb_touch(st, tcb);
  tcb->busy->sndbuf_size = st->cfg.sndbuf;
  tcb->busy->rcvbuf_size = st->cfg.rcvbuf;
  st->state_count[state]++;
  return tcb;
}

static void tcb_event(ltcp_stack *st, const ltcp_tcb *tcb, ltcp_state old, int error,
                      const ltcp_cause *why) {
  if (st->cfg.event_capacity == 0) return; /* events off: not even built */
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
  if (next == LTCP_ESTABLISHED && tcb->busy->parent && old == LTCP_SYN_RECEIVED) {
    /* A passive child is ready for accept(). */
    ltcp_tcb *lst = tcb->busy->parent;
    if (lst->busy->acceptq_tail) lst->busy->acceptq_tail->busy->accept_next = tcb;
    else lst->busy->acceptq_head = tcb;
    lst->busy->acceptq_tail = tcb;
  }
}

/* Takes a child off its listener: out of the accept queue, out of the backlog count. */
static void tcb_detach_from_listener(ltcp_tcb *tcb) {
  ltcp_tcb *lst = tcb->busy ? tcb->busy->parent : NULL;
  if (!lst) return;
  ltcp_tcb **pp = &lst->busy->acceptq_head, *prev = NULL;
  for (uint32_t i = 0; *pp && i <= lst->busy->backlog; i++) {
    if (*pp == tcb) {
      *pp = tcb->busy->accept_next;
      if (lst->busy->acceptq_tail == tcb) lst->busy->acceptq_tail = prev;
      break;
    }
    prev = *pp;
    pp = &(*pp)->busy->accept_next;
  }
  tcb->busy->accept_next = NULL;
  lst->busy->child_count--;
  tcb->busy->parent = NULL;
}

/* Out of every table and list; onto the graveyard, freed when the stack call returns. */
static void tcb_bury(ltcp_stack *st, ltcp_tcb *tcb, int error) {
  tcb->dead = 1;
  tcb_idle_unlink(st, tcb);
  ltcp_stack_tx_unwait(st, tcb);
  tcb_detach_from_listener(tcb);
  if (tcb->fd >= 0) ltcp_sock_tcb_gone(st, tcb, error);
  if (tcb->in_table) ltcp_table_remove(st, tcb);
  ltcp_tcb_busy *b = tcb->busy;
  if (b) {
    b->rtx_at = b->tw_at = b->ut_at = b->fw2_at = b->dack_at = LTCP_TIME_NEVER;
    ltcp_ring_clear(&b->sndbuf);
    ltcp_ring_clear(&b->rcvbuf);
  }
  tcb->ka_at = LTCP_TIME_NEVER;
  ltcp_timer_update(st, tcb);
  st->state_count[tcb->state]--;
  if (tcb->view) { /* a TIME-WAIT record's view: the record goes, the view is the stack's */
    ltcp_tw_view_gone(st);
    return;
  }
  tcb->hash_next = st->graveyard; /* out of every table: the chain link is free */
  st->graveyard = tcb;
}

/* A listener goes: its half-open children go with it, without a reset (as Linux's
 * inet_csk_listen_stop drops its request socks). Records come back as TCBs first. This walks
 * the connection table once: closing a listener is rare, and no other path scans. */
static void tcb_drop_children(ltcp_stack *st, ltcp_tcb *lst) {
  if (lst->busy->child_count == 0) return;
  ltcp_syn_expand_port(st, lst->local.port);
  ltcp_cause why = ltcp_cause_call(LTCP_CALL_CLOSE);
  for (uint32_t b = 0; lst->busy->child_count && b <= st->conns_mask; b++) {
    for (ltcp_tcb *t = st->conns[b], *next; t; t = next) {
      next = t->hash_next;
      if (t->busy && t->busy->parent == lst && !t->dead) ltcp_tcb_close(st, t, 0, &why);
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

void ltcp_tcb_free(ltcp_stack *st, ltcp_tcb *tcb) {
  if (tcb->busy) {
    tcb_idle_unlink(st, tcb);
    tcb_busy_release(st, tcb->busy);
  }
  if (st->tcb_pool_count >= TCB_POOL_MAX) {
    free(tcb);
    return;
  }
  tcb->hash_next = st->tcb_pool;
  st->tcb_pool = tcb;
  st->tcb_pool_count++;
  LTCP_POISON(tcb, sizeof *tcb);
}

uint32_t ltcp_tcb_rcv_wnd(const ltcp_tcb *tcb) {
  uint32_t cap = ltcp_tcb_rcv_cap(tcb);
  uint32_t free_space = cap - ltcp_tcb_rcv_queued(tcb);
  uint32_t max_wnd = ltcp_opts_max_rcv_wnd(tcb); /* 65535 << Rcv.Wind.Shift (RFC 7323) */
  if (free_space > max_wnd) free_space = max_wnd;
  /* §3.10.7.4 seventh: the total of RCV.NXT and RCV.WND should not be reduced. */
  uint32_t promised = ltcp_seq_gt(tcb->rcv_adv, tcb->rcv_nxt) ? tcb->rcv_adv - tcb->rcv_nxt : 0;
  if (free_space <= promised) return promised;
  /* RFC 1122 4.2.3.3 (MUST-39), receiver SWS avoidance: the right edge moves only by at
   * least min(half the buffer, one MSS). */
  uint32_t step = cap / 2 < tcb->rcv_mss ? cap / 2 : tcb->rcv_mss;
  /* A scaled window moves in units of 2^Rcv.Wind.Shift (RFC 7323 §2.3): a smaller step would
   * send updates that repeat the same window field (duplicate ACKs to the peer). */
  uint32_t unit = 1u << tcb->rfc7323.rcv_wscale;
  if (step < unit && unit <= cap / 2) step = unit;
  return free_space - promised < step ? promised : free_space;
}

void ltcp_tcb_check(const ltcp_tcb *tcb) {
  if (tcb->state == LTCP_LISTEN || tcb->state == LTCP_CLOSED) return;
  const ltcp_tcb_busy *b = tcb->busy;
  LTCP_ASSERT(ltcp_seq_le(tcb->snd_una, tcb->snd_nxt));
  if (b) {
    LTCP_ASSERT(ltcp_seq_le(tcb->snd_una, b->snd_retx) || b->snd_retx == tcb->snd_nxt);
    LTCP_ASSERT(ltcp_seq_le(b->snd_retx, tcb->snd_nxt));
    LTCP_ASSERT(b->sndbuf.len <= b->sndbuf.cap && b->rcvbuf.len <= b->rcvbuf.cap);
    LTCP_ASSERT(b->reasm.count <= LTCP_REASM_MAX);
    if (b->reasm.count) LTCP_ASSERT(ltcp_seq_gt(b->reasm.r[0].start, tcb->rcv_nxt));
  } else {
    LTCP_ASSERT(tcb->snd_una == tcb->snd_nxt && ltcp_tcb_synchronized(tcb->state));
  }
  if (tcb->state != LTCP_SYN_SENT && tcb->state != LTCP_SYN_RECEIVED) {
    /* The send buffer starts at SND.UNA once the SYN is acknowledged. */
    LTCP_ASSERT(tcb->snd_buf_seq == tcb->snd_una || tcb->snd_una == tcb->iss ||
                (ltcp_tcb_fin_acked(tcb) && (!b || b->sndbuf.len == 0)));
    uint32_t end = ltcp_tcb_fin_seq(tcb) + (tcb->fin_queued ? 1u : 0u);
    LTCP_ASSERT(ltcp_seq_le(tcb->snd_nxt, end));
    (void)end; /* used only by the assertion (compiled out with NDEBUG) */
  }
  LTCP_ASSERT(ltcp_seq_le(tcb->rcv_nxt + 0u, tcb->rcv_adv) || tcb->rcv_adv == 0 ||
              tcb->state == LTCP_SYN_SENT);
}
