/* A connection's life: creation, state changes (each an event with its cause), deletion,
 * and the pool TCBs are reused from (life.h). */
#include "tcp/life.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tcp/busy.h"
#include "tcp/conn_opts.h"
#include "tcp/engine.h"
#include "tcp/events.h"
#include "tcp/keepalive.h"
#include "tcp/listen.h"
#include "tcp/output.h"
#include "tcp/timer.h"
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

ltcp_cause ltcp_cause_icmp(uint8_t type, uint8_t code) {
  ltcp_cause c = {.kind = LTCP_CAUSE_ICMP, .icmp_type = type, .icmp_code = code};
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

ltcp_cause ltcp_cause_syncookie(const ltcp_seg *seg) {
  ltcp_cause c = ltcp_cause_segment(seg);
  c.kind = LTCP_CAUSE_SYNCOOKIE;
  return c;
}

/* The one place the per-state counts change: a TCB (not a view) leaves from (LTCP_STATE_COUNT:
 * it is new) and enters to (LTCP_STATE_COUNT: it is deleted). */
static void tcb_count(ltcp_engine *eng, const ltcp_tcb *tcb, ltcp_state from, ltcp_state to) {
  if (tcb->view) return; /* a record's view: its store counts the record */
  uint32_t *c = eng->life.state_count;
  if (from < LTCP_STATE_COUNT) {
    LTCP_ASSERT(c[from] > 0);
    c[from]--;
  }
  if (to < LTCP_STATE_COUNT) c[to]++;
}

/* ---- memory */

/* A zeroed TCB: from the pool, or from malloc. */
static ltcp_tcb *tcb_take(ltcp_engine *eng) {
  ltcp_life *l = &eng->life;
  ltcp_tcb *tcb = l->pool;
  if (tcb) {
    LTCP_UNPOISON(tcb, sizeof *tcb);
    l->pool = tcb->hash_next;
    l->pool_count--;
  } else if (!(tcb = malloc(sizeof *tcb))) {
    return NULL;
  }
  memset(tcb, 0, sizeof *tcb);
  l->in_use++;
  return tcb;
}

void ltcp_life_free(ltcp_engine *eng, ltcp_tcb *tcb) {
  ltcp_life *l = &eng->life;
  if (tcb->busy) {
    ltcp_busy_unlist(eng, tcb);
    ltcp_busy_release(eng, tcb->busy);
  }
  LTCP_ASSERT(l->in_use > 0);
  l->in_use--;
  /* Each SYN, accepted connection and TIME-WAIT passes through a TCB: kept for reuse. */
  if (!ltcp_pool_keeps(l->pool_count, eng->busy.pool_limit)) {
    free(tcb);
    return;
  }
  tcb->hash_next = l->pool;
  l->pool = tcb;
  l->pool_count++;
  LTCP_POISON(tcb, sizeof *tcb);
}

void ltcp_life_free_graveyard(ltcp_engine *eng) {
  ltcp_life *l = &eng->life;
  /* Bounded by the TCBs in use: each pass frees one. */
  for (uint32_t n = 0; l->graveyard; n++) {
    LTCP_ASSERT(l->in_use > 0);
    ltcp_tcb *t = l->graveyard;
    l->graveyard = t->hash_next;
    ltcp_life_free(eng, t);
  }
}

void ltcp_life_pool_free(ltcp_engine *eng) {
  ltcp_life *l = &eng->life;
  for (uint32_t n = 0; l->pool; n++) { /* bounded by pool_count: each pass frees one */
    LTCP_ASSERT(n < l->pool_count);
    ltcp_tcb *t = l->pool;
    LTCP_UNPOISON(t, sizeof *t);
    l->pool = t->hash_next;
    free(t);
  }
  l->pool_count = 0;
}

/* ---- life cycle */

ltcp_tcb *ltcp_life_new(ltcp_engine *eng, ltcp_state state) {
  ltcp_tcb *tcb = ltcp_life_new_with_id(eng, state, eng->life.next_conn_id + 1);
  if (tcb) eng->life.next_conn_id++;
  return tcb;
}

ltcp_tcb *ltcp_life_new_with_id(ltcp_engine *eng, ltcp_state state, uint64_t id) {
  const ltcp_stack_config *cfg = &eng->cfg;
  ltcp_tcb *tcb = tcb_take(eng);
  if (!tcb) return NULL;
  tcb->state = state;
  tcb->id = id;
  tcb->fd = -1;
  tcb->heap_idx = -1;
  tcb->deadline = tcb->ka_at = LTCP_TIME_NEVER;
  tcb->rcv_at = eng->now;
  ltcp_conn_opts_default(&tcb->opts, cfg);
  tcb->rto = cfg->rto_initial_ns;
  tcb->rcv_mss = (uint16_t)(cfg->mtu - 40);
  tcb->snd_mss = 536; /* RFC 9293 §3.7.1 MUST-15: the default without an MSS option */
  tcb->user_timeout_ms = (uint32_t)(cfg->user_timeout_ns / LTCP_MS(1));
  tcb->sndbuf_cap = cfg->sndbuf;
  tcb->rcvbuf_cap = cfg->rcvbuf;
  if (!(tcb->busy = ltcp_busy_take(eng, tcb))) {
    ltcp_life_free(eng, tcb);
    return NULL;
  }
  ltcp_busy_touch(eng, tcb);
  tcb->busy->sndbuf_size = cfg->sndbuf;
  tcb->busy->rcvbuf_size = cfg->rcvbuf;
  tcb_count(eng, tcb, LTCP_STATE_COUNT, state);
  return tcb;
}

static void tcb_event(ltcp_engine *eng, const ltcp_tcb *tcb, ltcp_state old, int error,
                      const ltcp_cause *why) {
  if (eng->cfg.event_capacity == 0) return; /* events off: not even built */
  ltcp_event ev = {.kind = LTCP_EV_STATE, .time = eng->now, .conn_id = tcb->id, .fd = tcb->fd};
  ltcp_engine_endpoint(eng, tcb->local.addr, tcb->local.port, &ev.local);
  ltcp_engine_endpoint(eng, tcb->remote.addr, tcb->remote.port, &ev.remote);
  ev.old_state = old;
  ev.new_state = tcb->state;
  ev.error = error;
  ev.cause = why->kind;
  ev.seg = why->seg;
  ev.call = why->call;
  ev.timer = why->timer;
  ev.icmp_type = why->icmp_type;
  ev.icmp_code = why->icmp_code;
  ltcp_events_emit(eng, &ev);
}

static void tcb_enter(ltcp_engine *eng, ltcp_tcb *tcb, ltcp_state next, int error,
                      const ltcp_cause *why) {
  ltcp_state old = tcb->state;
  /* Every transition is an arc of RFC 9293's diagram, the table lucidtcp analyze infers
   * captured connections' states with (src/util/fsm.c). */
  LTCP_ASSERT(ltcp_state_arc(old, next));
  tcb_count(eng, tcb, old, next);
  tcb->state = next;
  if (next == LTCP_ESTABLISHED) eng->stats->established++;
  tcb_event(eng, tcb, old, error, why);
}

void ltcp_life_set_state(ltcp_engine *eng, ltcp_tcb *tcb, ltcp_state next, const ltcp_cause *why) {
  LTCP_ASSERT(next != LTCP_CLOSED); /* use ltcp_life_close */
  if (tcb->state == next) return;
  ltcp_state old = tcb->state;
  tcb_enter(eng, tcb, next, 0, why);
  if (next == LTCP_ESTABLISHED) ltcp_keepalive_start(eng, tcb);
  if (next == LTCP_ESTABLISHED && tcb->busy->parent && old == LTCP_SYN_RECEIVED)
    ltcp_listen_ready(tcb); /* a passive child is ready for accept() */
}

/* Out of every list and timer; then either onto the graveyard (freed when the host's call
 * ends) or, for a view, nowhere (the host's). */
static void tcb_unlink(ltcp_engine *eng, ltcp_tcb *tcb, int error) {
  tcb->dead = 1;
  ltcp_busy_unlist(eng, tcb);
  ltcp_output_unwait(eng, tcb);
  ltcp_tcb_busy *b = tcb->busy;
  if (b) {
    b->rtx_at = b->tw_at = b->ut_at = b->fw2_at = b->dack_at = LTCP_TIME_NEVER;
    /* Lent buffers the peer never acknowledged: the connection's error, or ECONNABORTED for
     * one that ended without (a CLOSE before the handshake, a half-open child dropped). */
    ltcp_zc_release_all(eng, &b->zc, error ? error : ECONNABORTED);
    ltcp_ring_clear(&b->sndbuf, &eng->mem);
    ltcp_ring_clear(&b->rcvbuf, &eng->mem);
    (void)ltcp_reasm_clear(&b->reasm, &eng->mem);
  }
  tcb->ka_at = LTCP_TIME_NEVER;
  ltcp_timer_update(eng, tcb); /* the host's heap lets go of it */
  tcb_count(eng, tcb, tcb->state, LTCP_STATE_COUNT);
  if (tcb->view) return;
  tcb->hash_next = eng->life.graveyard; /* out of every table: the chain link is free */
  eng->life.graveyard = tcb;
}

/* A connection ends: its listener lets go of it, the host (tables, socket) learns why. */
static void tcb_bury(ltcp_engine *eng, ltcp_tcb *tcb, int error) {
  ltcp_listen_release(tcb, 0);
  eng->host.detach(eng->host.ctx, tcb, error); /* the socket may take the unread data first */
  tcb_unlink(eng, tcb, error);
}

/* A listener closes: its children not yet accepted go with it, the compact ones brought back
 * first, without a reset (as Linux's inet_csk_listen_stop drops its request socks). Bounded by
 * the slots the children hold: each pass closes the first child, which leaves the list. */
static void tcb_close_children(ltcp_engine *eng, ltcp_tcb *lst) {
  eng->host.expand_children(eng->host.ctx, lst);
  ltcp_cause why = ltcp_cause_call(LTCP_CALL_CLOSE);
  uint32_t bound = lst->busy->child_count;
  for (uint32_t n = 0; ltcp_listen_first_child(lst); n++) {
    LTCP_ASSERT(n < bound);
    ltcp_life_close(eng, ltcp_listen_first_child(lst), 0, &why);
  }
}

void ltcp_life_close(ltcp_engine *eng, ltcp_tcb *tcb, int error, const ltcp_cause *why) {
  if (tcb->dead) return;
  if (tcb->state == LTCP_LISTEN && !tcb->passive) tcb_close_children(eng, tcb);
  tcb_enter(eng, tcb, LTCP_CLOSED, error, why);
  tcb_bury(eng, tcb, error);
}

void ltcp_life_delete(ltcp_engine *eng, ltcp_tcb *tcb) {
  if (!tcb->dead) tcb_bury(eng, tcb, 0);
}

void ltcp_life_retire(ltcp_engine *eng, ltcp_tcb *tcb) {
  LTCP_ASSERT(!tcb->dead && !tcb->view);
  ltcp_listen_release(tcb, 1);
  eng->host.detach(eng->host.ctx, tcb, 0);
  tcb_unlink(eng, tcb, 0);
}

void ltcp_life_discard(ltcp_engine *eng, ltcp_tcb *tcb) {
  /* Touched by ltcp_life_new: it goes through the graveyard, as any deleted TCB, so the
   * touched list never points at freed memory. */
  LTCP_ASSERT(tcb->deadline == LTCP_TIME_NEVER);
  tcb_unlink(eng, tcb, 0);
}
