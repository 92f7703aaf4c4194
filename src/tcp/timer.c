/* Timeouts (RFC 9293 §3.10.8): retransmission (RFC 6298), zero-window probes, user timeout,
 * TIME-WAIT, and the orphaned FIN-WAIT-2 limit; the delayed ACK (delack.c) and keep-alive
 * (keepalive.c) are dispatched from here too. */
#include "ip/stack_int.h"
#include "tcp/delack.h"
#include "tcp/keepalive.h"
#include "tcp/recovery.h"
#include "tcp/tcb.h"

void ltcp_timer_start_time_wait(ltcp_stack *st, ltcp_tcb *tcb) {
  /* §3.10.7.4 eighth: start the time-wait timer, turn off the other timers. */
  tcb->busy->tw_at = st->now + 2 * st->cfg.msl_ns;
  tcb->busy->rtx_at = tcb->busy->ut_at = tcb->busy->fw2_at = LTCP_TIME_NEVER;
  ltcp_ring_clear(&tcb->busy->sndbuf);
  /* Nothing can arrive after the peer's FIN: a read-out receive buffer goes too, so a TIME-WAIT
   * entry holds no buffer memory. */
  if (tcb->busy->rcvbuf.len == 0) ltcp_ring_clear(&tcb->busy->rcvbuf);
  ltcp_timer_update(st, tcb);
}

void ltcp_timer_orphan_fin_wait_2(ltcp_stack *st, ltcp_tcb *tcb) {
  if (tcb->state != LTCP_FIN_WAIT_2 || !tcb->orphan || tcb->busy->fw2_at != LTCP_TIME_NEVER) return;
  tcb->busy->fw2_at = st->now + st->cfg.fin_wait_2_timeout_ns;
  ltcp_timer_update(st, tcb);
}

static void timer_give_up(ltcp_stack *st, ltcp_tcb *tcb) {
  ltcp_cause why = ltcp_cause_timer(LTCP_TIMER_USER_TIMEOUT);
  st->stats.timeouts++;
  if (tcb->state == LTCP_SYN_RECEIVED && tcb->passive) {
    ltcp_tcb_close(st, tcb, 0, &why); /* a half-open child just goes away */
    return;
  }
  ltcp_tcb_close(st, tcb, ETIMEDOUT, &why);
}

/* Our SYN (or SYN,ACK) is still unacknowledged: send it again, then anything queued behind. */
static void timer_resend_syn(ltcp_stack *st, ltcp_tcb *tcb) {
  if (tcb->busy->retries >= st->cfg.syn_retries) {
    timer_give_up(st, tcb);
    return;
  }
  tcb->busy->retries++;
  tcb->rto_backed_off = 1;
  st->stats.retransmits++;
  ltcp_out_syn(st, tcb);
  tcb->busy->snd_retx = tcb->iss + 1;
  ltcp_output(st, tcb);
}

/* RFC 9293 §3.8.6.1: with a zero window, probe it with one byte. The probe is not counted
 * against the retry limit while the peer answers (RFC 1122 4.2.2.17). */
static void timer_probe(ltcp_stack *st, ltcp_tcb *tcb) {
  if (tcb->busy->probes >= st->cfg.data_retries) {
    timer_give_up(st, tcb);
    return;
  }
  tcb->busy->probes++;
  if (tcb->busy->retries < 16) tcb->busy->retries++; /* back off, as for a retransmission */
  tcb->busy->snd_retx = tcb->snd_una;
  tcb->probe_now = 1;
  ltcp_output(st, tcb);
  tcb->probe_now = 0;
}

/* RFC 6298 §5.4-5.6 and RFC 5681 §3.1: send the earliest unacknowledged segment again
 * (go-back-N from SND.UNA in slow start), back the timer off. */
static void timer_retransmit(ltcp_stack *st, ltcp_tcb *tcb) {
  if (tcb->busy->retries >= st->cfg.data_retries) {
    timer_give_up(st, tcb);
    return;
  }
  tcb->busy->retries++;
  tcb->rto_backed_off = 1;
  ltcp_recovery_on_rto(st, tcb); /* ssthresh, cwnd = 1 SMSS (tcp/recovery.c) */
  tcb->busy->snd_retx = tcb->snd_una;
  ltcp_output(st, tcb);
}

static void timer_rtx_expired(ltcp_stack *st, ltcp_tcb *tcb) {
  tcb->busy->rtx_at = LTCP_TIME_NEVER;
  tcb->busy->rtt_start = LTCP_TIME_NEVER; /* Karn: no sample from a retransmitted segment */
  int waiting = ltcp_seq_lt(tcb->snd_una, ltcp_tcb_fin_seq(tcb));
  if (tcb->snd_una == tcb->iss) timer_resend_syn(st, tcb);
  /* Unsent data and a zero window, or nothing in flight (a window SWS avoidance would not
   * use): probe (RFC 9293 §3.8.6.1, RFC 1122 4.2.3.4). */
  else if (waiting && (tcb->snd_wnd == 0 || tcb->snd_una == tcb->snd_nxt)) timer_probe(st, tcb);
  else if (tcb->snd_una != tcb->snd_nxt) timer_retransmit(st, tcb);
  if (tcb->dead) return;
  tcb->busy->rtx_at = LTCP_TIME_NEVER;
  if (tcb->snd_una != tcb->snd_nxt || tcb->snd_wnd == 0 ||
      ltcp_seq_lt(tcb->snd_una, ltcp_tcb_fin_seq(tcb)))
    ltcp_out_arm_rtx(st, tcb);
}

void ltcp_timer_expire(ltcp_stack *st, ltcp_tcb *tcb) {
  ltcp_time_ns now = st->now;
  if (tcb->busy->tw_at <= now) {
    ltcp_cause why = ltcp_cause_timer(LTCP_TIMER_TIME_WAIT);
    ltcp_tcb_close(st, tcb, 0, &why);
  } else if (tcb->busy->fw2_at <= now) {
    ltcp_cause why = ltcp_cause_timer(LTCP_TIMER_FIN_WAIT_2);
    ltcp_tcb_close(st, tcb, 0, &why);
  } else if (tcb->busy->ut_at <= now) {
    timer_give_up(st, tcb); /* §3.10.8 USER TIMEOUT */
  } else if (tcb->busy->rtx_at <= now) {
    timer_rtx_expired(st, tcb);
  }
  if (!tcb->dead && tcb->busy->dack_at <= now) ltcp_delack_expire(st, tcb);
  if (!tcb->dead && tcb->ka_at <= now) ltcp_keepalive_expire(st, tcb);
  if (!tcb->dead) ltcp_timer_update(st, tcb);
}
