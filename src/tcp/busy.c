/* Asleep and awake (busy.h): the busy-part pool, the touched list and the idle list. */
#include "tcp/busy.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tcp/engine.h"
#include "util/assert.h"
#include "util/poison.h"

uint32_t ltcp_busy_pool_limit(const ltcp_stack_config *cfg) {
  uint64_t half = cfg->max_half_open ? cfg->max_half_open : cfg->max_connections;
  uint64_t n = (uint64_t)cfg->max_connections + half + cfg->max_sockets;
  return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

ltcp_tcb_busy *ltcp_busy_take(ltcp_engine *eng, const ltcp_tcb *tcb) {
  ltcp_busy_lists *l = &eng->busy;
  ltcp_tcb_busy *b = l->pool;
  if (b) {
    LTCP_UNPOISON(b, sizeof *b);
    l->pool = b->pool_next;
    l->pool_count--;
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

void ltcp_busy_release(ltcp_engine *eng, ltcp_tcb_busy *b) {
  ltcp_busy_lists *l = &eng->busy;
  /* Only a live connection freed with its stack still holds lent buffers (an idle one has
   * none; a deleted one released them, tcp/life.c). */
  ltcp_zc_release_all(eng, &b->zc, ECANCELED);
  ltcp_ring_clear(&b->sndbuf, &eng->mem);
  ltcp_ring_clear(&b->rcvbuf, &eng->mem);
  (void)ltcp_reasm_clear(&b->reasm, &eng->mem);
  if (!ltcp_pool_keeps(l->pool_count, l->pool_limit)) {
    free(b);
    return;
  }
  b->pool_next = l->pool;
  l->pool = b;
  l->pool_count++;
  LTCP_POISON(b, sizeof *b);
}

void ltcp_busy_pool_free(ltcp_engine *eng) {
  ltcp_busy_lists *l = &eng->busy;
  for (uint32_t n = 0; l->pool; n++) { /* bounded by pool_count: each pass frees one */
    LTCP_ASSERT(n < l->pool_count);
    ltcp_tcb_busy *b = l->pool;
    LTCP_UNPOISON(b, sizeof *b);
    l->pool = b->pool_next;
    free(b);
  }
  l->pool_count = 0;
}

/* The idle list: awake TCBs holding buffers, by the time they were found idle, oldest first. */
void ltcp_busy_unlist(ltcp_engine *eng, ltcp_tcb *tcb) {
  if (!tcb->idle_listed) return;
  ltcp_busy_lists *l = &eng->busy;
  ltcp_tcb_busy *b = tcb->busy;
  if (b->idle_prev) b->idle_prev->busy->idle_next = b->idle_next;
  else l->idle_head = b->idle_next;
  if (b->idle_next) b->idle_next->busy->idle_prev = b->idle_prev;
  else l->idle_tail = b->idle_prev;
  b->idle_prev = b->idle_next = NULL;
  tcb->idle_listed = 0;
}

static void busy_idle_append(ltcp_engine *eng, ltcp_tcb *tcb) {
  ltcp_busy_lists *l = &eng->busy;
  ltcp_tcb_busy *b = tcb->busy;
  b->idle_since = eng->now;
  b->idle_prev = l->idle_tail;
  b->idle_next = NULL;
  if (l->idle_tail) l->idle_tail->busy->idle_next = tcb;
  else l->idle_head = tcb;
  l->idle_tail = tcb;
  tcb->idle_listed = 1;
}

void ltcp_busy_touch_slow(ltcp_engine *eng, ltcp_tcb *tcb) {
  if (tcb->touched || tcb->view) return;
  tcb->touched = 1;
  tcb->busy->touched_next = eng->busy.touched;
  eng->busy.touched = tcb;
}

int ltcp_busy_wake_slow(ltcp_engine *eng, ltcp_tcb *tcb) {
  if (!tcb->busy) {
    if (!(tcb->busy = ltcp_busy_take(eng, tcb))) return LTCP_ENOMEM;
    eng->stats->busy_wakes++;
  }
  ltcp_busy_touch(eng, tcb);
  return 0;
}

/* Whether the busy part holds nothing but the values ltcp_busy_wake gives a woken TCB. What it
 * does not compare is not read before it is written again: rtt_seq while nothing is timed,
 * the scoreboard's ranges above its count, the D-SACK range without
 * has_dsack, ack_tsecr outside a segment's processing, HighRxt outside recovery (recovery
 * sets it on entry; only recovery reads it), the end of the last small
 * segment outside (SND.UNA, SND.NXT], and RCV.UP, which only its own update reads. SND.RETX
 * lies between SND.UNA and SND.NXT, equal here. */
static int busy_idle(const ltcp_tcb *tcb) {
  const ltcp_tcb_busy *b = tcb->busy;
  if (tcb->snd_una != tcb->snd_nxt || b->sndbuf.len || b->zc.head || b->rcvbuf.len ||
      b->rcv_acked != tcb->rcv_nxt)
    return 0;
  if (tcb->dead || tcb->view || !ltcp_tcb_synchronized(tcb->state) || tcb->ack_now ||
      tcb->in_tx_wait || tcb->probe_now)
    return 0;
  if (b->rtx_at != LTCP_TIME_NEVER || b->tw_at != LTCP_TIME_NEVER ||
      b->ut_at != LTCP_TIME_NEVER || b->fw2_at != LTCP_TIME_NEVER ||
      b->dack_at != LTCP_TIME_NEVER || b->rtt_start != LTCP_TIME_NEVER)
    return 0;
  if (b->retries || b->probes || b->ka_probes || b->reasm.head || b->reasm.has_fin ||
      b->sack.count || b->sack.recent_count || b->sack.has_dsack || b->parent ||
      b->accept_next || b->acceptq_head || b->child_count)
    return 0;
  if (tcb->cc.in_recovery || tcb->cc.dupacks) return 0;
  LTCP_ASSERT(b->snd_retx == tcb->snd_nxt);
  return 1;
}

static void busy_sleep(ltcp_engine *eng, ltcp_tcb *tcb) {
  ltcp_busy_unlist(eng, tcb);
  tcb->sndbuf_cap = tcb->busy->sndbuf.cap;
  tcb->rcvbuf_cap = tcb->busy->rcvbuf.cap;
  ltcp_busy_release(eng, tcb->busy);
  tcb->busy = NULL;
  eng->stats->busy_sleeps++;
}

void ltcp_busy_sleep_idle(ltcp_engine *eng) {
  ltcp_busy_lists *l = &eng->busy;
  /* The TCBs used in this call: an idle one without buffer memory sleeps now; an idle one
   * with buffers joins the idle list's tail, unless there already (a call that changed
   * nothing, as a recv() finding no data); a busy one leaves it. Bounded by the TCBs in use:
   * each pass takes one off the list, where a TCB is at most once. */
  for (uint32_t n = 0; l->touched; n++) {
    LTCP_ASSERT(n < eng->life.in_use);
    ltcp_tcb *tcb = l->touched;
    l->touched = tcb->busy->touched_next;
    tcb->touched = 0;
    if (tcb->dead) continue; /* off the idle list already (ltcp_life_close) */
    if (!busy_idle(tcb)) ltcp_busy_unlist(eng, tcb);
    else if (!tcb->busy->sndbuf.buf && !tcb->busy->rcvbuf.buf) busy_sleep(eng, tcb);
    else if (!tcb->idle_listed) busy_idle_append(eng, tcb);
  }
  /* Those idle for LTCP_BUSY_SLEEP_NS give their buffers and busy part back: a connection that
   * pauses between requests keeps its buffers, one that stays quiet costs only its TCB.
   * Bounded by the TCBs in use: each pass takes the head off the list or ends the loop. */
  for (uint32_t n = 0; l->idle_head; n++) {
    LTCP_ASSERT(n < eng->life.in_use);
    ltcp_tcb *tcb = l->idle_head;
    if (eng->now - tcb->busy->idle_since < LTCP_BUSY_SLEEP_NS) break;
    ltcp_busy_unlist(eng, tcb);
    if (busy_idle(tcb)) busy_sleep(eng, tcb);
  }
}
