/* The swarm's invariants, checked on every TCB of every stack after each simulator step
 * (swarm.h). ltcp_tcb_check (the engine's own assertions) runs first; what follows are the
 * properties the issue names, each reported with the seed instead of an abort:
 *   - SND.UNA =< SND.NXT, and every byte in flight is in the retransmission queue, which starts
 *     at SND.UNA (nothing acknowledged kept, nothing unacknowledged lost);
 *   - the right edge of the window we advertised never moves left (RFC 9293 §3.8.6, RFC 7323
 *     §2.4), and never promises more than the receive buffer holds;
 *   - timers: a SYN or data in flight has the retransmission timer on (RFC 6298 §5.1); data
 *     queued that cannot be sent with nothing in flight has it on as the persist timer (RFC 1122
 *     4.2.2.17), or nothing would ever send it; TIME-WAIT has its 2 MSL timer;
 *   - memory within the budget, and the budget's account equal to what the connections hold
 *     (sw_check_memory). */
#include <stdio.h>

#include "sock/stack.h"
#include "swarm.h"
#include "tcp/seq.h"

typedef struct sw_check_ctx {
  sw_world *w;
  int s;
  uint64_t held; /* buffer memory the connections hold (sw_check_memory) */
} sw_check_ctx;

static const char *sw_stack_name(int s) {
  static const char *const names[] = {"server", "client1", "client2", "client3"};
  return names[s];
}

static void sw_check_fail(sw_check_ctx *c, const ltcp_tcb *tcb, const char *what) {
  sw_fail(c->w, "%s: connection %llu (%s, port %u -> %u): %s", sw_stack_name(c->s),
          (unsigned long long)tcb->id, ltcp_state_name((ltcp_state)tcb->state), tcb->local.port,
          tcb->remote.port, what);
}

/* Data in flight [lo, hi): between the SYN and the FIN, both of which take a sequence number. */
static void sw_check_flight(sw_check_ctx *c, const ltcp_tcb *tcb) {
  const ltcp_tcb_busy *b = tcb->busy;
  if (!ltcp_seq_le(tcb->snd_una, tcb->snd_nxt)) {
    sw_check_fail(c, tcb, "SND.UNA > SND.NXT");
    return;
  }
  if (!b || !ltcp_tcb_synchronized((ltcp_state)tcb->state) || tcb->state == LTCP_TIME_WAIT ||
      ltcp_tcb_fin_acked(tcb))
    return;
  uint32_t fin = ltcp_tcb_fin_seq(tcb);
  uint32_t lo = tcb->snd_una == tcb->iss ? tcb->iss + 1 : tcb->snd_una;
  uint32_t hi = tcb->fin_queued && ltcp_seq_gt(tcb->snd_nxt, fin) ? fin : tcb->snd_nxt;
  if (ltcp_seq_lt(hi, lo)) return; /* only the SYN in flight */
  if (tcb->snd_buf_seq != lo)
    sw_check_fail(c, tcb, "the retransmission queue does not start at SND.UNA");
  else if (hi - lo > b->sndbuf.len)
    sw_check_fail(c, tcb, "bytes in flight missing from the retransmission queue");
}

static sw_shadow *sw_shadow_of(sw_check_ctx *c, const ltcp_tcb *tcb) {
  sw_shadow *sh = &c->w->shadow[c->s][tcb->id % SW_SHADOWS];
  if (sh->id != tcb->id) {
    sh->id = tcb->id;
    sh->rcv_adv = tcb->rcv_adv;
  }
  return sh;
}

static void sw_check_window(sw_check_ctx *c, const ltcp_tcb *tcb) {
  if (!ltcp_tcb_synchronized((ltcp_state)tcb->state) || tcb->rcv_adv == 0) return;
  sw_shadow *sh = sw_shadow_of(c, tcb);
  if (ltcp_seq_lt(tcb->rcv_adv, sh->rcv_adv))
    sw_check_fail(c, tcb, "the right edge of the advertised window moved left");
  sh->rcv_adv = tcb->rcv_adv;
  if (!tcb->busy || tcb->state == LTCP_TIME_WAIT || tcb->fin_rcvd) return;
  /* Unscaled, the window never promises more than the free buffer. Scaled, RFC 7323 §2.4's
   * rounding up (window.c) may move the right edge by up to 2^shift - 1 bytes per ACK with no
   * room freed: that overshoot is measured (w->window_overshoot), not failed. */
  const ltcp_ring *r = &tcb->busy->rcvbuf;
  uint32_t wnd = ltcp_seq_gt(tcb->rcv_adv, tcb->rcv_nxt) ? tcb->rcv_adv - tcb->rcv_nxt : 0;
  uint32_t room = r->cap - r->len;
  if (wnd <= room) return;
  if (tcb->rfc7323.rcv_wscale) {
    if (wnd - room > c->w->window_overshoot) c->w->window_overshoot = wnd - room;
    return;
  }
  char what[160];
  snprintf(what, sizeof what, "the advertised window (%u) exceeds the free receive buffer "
           "(%u of %u)", wnd, room, r->cap);
  sw_check_fail(c, tcb, what);
}

/* Unsent data (or our FIN) queued behind a window that lets nothing go. */
static int sw_waits_to_send(const ltcp_tcb *tcb) {
  const ltcp_tcb_busy *b = tcb->busy;
  uint32_t sent = tcb->snd_nxt - tcb->snd_buf_seq;
  return b->sndbuf.len > sent || (tcb->fin_queued && tcb->snd_nxt == ltcp_tcb_fin_seq(tcb));
}

static void sw_check_timers(sw_check_ctx *c, const ltcp_tcb *tcb) {
  const ltcp_tcb_busy *b = tcb->busy;
  ltcp_state st = (ltcp_state)tcb->state;
  if (st == LTCP_TIME_WAIT) {
    if (b && b->tw_at == LTCP_TIME_NEVER) sw_check_fail(c, tcb, "TIME-WAIT without its timer");
    return;
  }
  if (st == LTCP_SYN_SENT || st == LTCP_SYN_RECEIVED) {
    if (!b || b->rtx_at == LTCP_TIME_NEVER)
      sw_check_fail(c, tcb, "a SYN in flight without the retransmission timer");
    return;
  }
  if (!b) return; /* asleep: nothing in flight (ltcp_tcb_check) */
  if (tcb->snd_una != tcb->snd_nxt && b->rtx_at == LTCP_TIME_NEVER) {
    sw_check_fail(c, tcb, "data in flight without the retransmission timer");
    return;
  }
  if (tcb->snd_una == tcb->snd_nxt && sw_waits_to_send(tcb) && !tcb->in_tx_wait &&
      b->rtx_at == LTCP_TIME_NEVER && (st == LTCP_ESTABLISHED || st == LTCP_CLOSE_WAIT))
    sw_check_fail(c, tcb, "data queued, nothing in flight, and no timer to send it");
}

static void sw_sum_buffers(sw_check_ctx *c, const ltcp_tcb *tcb) {
  if (!tcb->busy) return;
  c->held += tcb->busy->sndbuf.alloc + tcb->busy->rcvbuf.alloc;
  c->held += (uint64_t)tcb->busy->reasm.blocks * LTCP_MEM_BLOCK;
}

/* One sweep of the table per step: the invariants of each TCB, and what it holds. */
static void sw_check_tcb(void *ctx, ltcp_tcb *tcb) {
  sw_check_ctx *c = ctx;
  sw_sum_buffers(c, tcb);
  if (tcb->state == LTCP_LISTEN || tcb->state == LTCP_CLOSED || tcb->dead) return;
  ltcp_tcb_check(tcb);
  sw_check_flight(c, tcb);
  sw_check_window(c, tcb);
  sw_check_timers(c, tcb);
}

/* Memory within the global buffer budget (tcp/mem.h): what the stack accounts for is at most its
 * limit, is what its counters say, and is what the connections hold (their rings' allocations
 * and out-of-order blocks), byte for byte. */
static void sw_check_memory(sw_check_ctx *c) {
  sw_world *w = c->w;
  const ltcp_mem *m = &w->st[c->s]->ip.tcp.mem;
  if (m->used > m->limit || ltcp_stack_stats(w->st[c->s])->buf_mem != m->used || c->held != m->used)
    sw_fail(w, "%s: buffer memory: accounted %llu (limit %llu, stats %llu), connections hold %llu",
            sw_stack_name(c->s), (unsigned long long)m->used, (unsigned long long)m->limit,
            (unsigned long long)ltcp_stack_stats(w->st[c->s])->buf_mem,
            (unsigned long long)c->held);
}

void sw_check_all(sw_world *w) {
  for (int s = 0; s <= w->p.clients && !w->why[0]; s++) {
    sw_check_ctx c = {w, s, 0};
    ltcp_table_each(&w->st[s]->ip.table, sw_check_tcb, &c);
    sw_check_memory(&c);
  }
  w->checks++;
}
