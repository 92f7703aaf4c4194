/* Timers and timeouts (timer.h). */
#include "tcp/timer.h"

#include "tcp/busy.h"
#include "tcp/delack.h"
#include "tcp/engine.h"
#include "tcp/keepalive.h"
#include "tcp/output.h"
#include "tcp/recovery.h"
#include "tcp/rtt.h"
#include "util/assert.h"

void ltcp_timer_update(ltcp_engine *eng, ltcp_tcb *tcb) {
  if (tcb->view) return; /* a TIME-WAIT record's expiry lives in its FIFO (ip/tw_table.h) */
  ltcp_time_ns d = tcb->ka_at;
  const ltcp_tcb_busy *b = tcb->busy; /* asleep: keep-alive's is the only timer */
  if (b) {
    if (b->rtx_at < d) d = b->rtx_at;
    if (b->tw_at < d) d = b->tw_at;
    if (b->ut_at < d) d = b->ut_at;
    if (b->fw2_at < d) d = b->fw2_at;
    if (b->dack_at < d) d = b->dack_at;
  }
  if (d == tcb->deadline) return; /* the host's heap has it in place */
  tcb->deadline = d;
  eng->host.deadline_moved(eng->host.ctx, tcb);
}

void ltcp_timer_start_time_wait(ltcp_engine *eng, ltcp_tcb *tcb) {
  /* §3.10.7.4 eighth: start the time-wait timer, turn off the other timers. */
  tcb->busy->tw_at = eng->now + 2 * eng->cfg.msl_ns;
  tcb->busy->rtx_at = tcb->busy->ut_at = tcb->busy->fw2_at = LTCP_TIME_NEVER;
  ltcp_ring_clear(&tcb->busy->sndbuf);
  /* Nothing can arrive after the peer's FIN: a read-out receive buffer goes too, so a TIME-WAIT
   * entry holds no buffer memory. */
  if (tcb->busy->rcvbuf.len == 0) ltcp_ring_clear(&tcb->busy->rcvbuf);
  ltcp_timer_update(eng, tcb);
}

void ltcp_timer_orphan_fin_wait_2(ltcp_engine *eng, ltcp_tcb *tcb) {
  if (tcb->state != LTCP_FIN_WAIT_2 || !tcb->orphan || tcb->busy->fw2_at != LTCP_TIME_NEVER) return;
  tcb->busy->fw2_at = eng->now + eng->cfg.fin_wait_2_timeout_ns;
  ltcp_timer_update(eng, tcb);
}

static void timer_give_up(ltcp_engine *eng, ltcp_tcb *tcb) {
  ltcp_cause why = ltcp_cause_timer(LTCP_TIMER_USER_TIMEOUT);
  eng->stats->timeouts++;
  if (tcb->state == LTCP_SYN_RECEIVED && tcb->passive) {
    ltcp_tcb_close(eng, tcb, 0, &why); /* a half-open child just goes away */
    return;
  }
  ltcp_tcb_close(eng, tcb, ETIMEDOUT, &why);
}

/* Our SYN (or SYN,ACK) is still unacknowledged: send it again, then anything queued behind. */
static void timer_resend_syn(ltcp_engine *eng, ltcp_tcb *tcb) {
  if (tcb->busy->retries >= eng->cfg.syn_retries) {
    timer_give_up(eng, tcb);
    return;
  }
  tcb->busy->retries++;
  tcb->rto_backed_off = 1;
  eng->stats->retransmits++;
  ltcp_out_syn(eng, tcb);
  tcb->busy->snd_retx = tcb->iss + 1;
  ltcp_output(eng, tcb);
}

/* RFC 9293 §3.8.6.1: with a zero window, probe it with one byte. The probe is not counted
 * against the retry limit while the peer answers (RFC 1122 4.2.2.17). */
static void timer_probe(ltcp_engine *eng, ltcp_tcb *tcb) {
  if (tcb->busy->probes >= eng->cfg.data_retries) {
    timer_give_up(eng, tcb);
    return;
  }
  tcb->busy->probes++;
  if (tcb->busy->retries < 16) tcb->busy->retries++; /* back off, as for a retransmission */
  tcb->busy->snd_retx = tcb->snd_una;
  tcb->probe_now = 1;
  ltcp_output(eng, tcb);
  tcb->probe_now = 0;
}

/* RFC 6298 §5.4-5.6 and RFC 5681 §3.1: send the earliest unacknowledged segment again
 * (go-back-N from SND.UNA in slow start), back the timer off. */
static void timer_retransmit(ltcp_engine *eng, ltcp_tcb *tcb) {
  if (tcb->busy->retries >= eng->cfg.data_retries) {
    timer_give_up(eng, tcb);
    return;
  }
  tcb->busy->retries++;
  tcb->rto_backed_off = 1;
  ltcp_recovery_on_rto(eng, tcb); /* ssthresh, cwnd = 1 SMSS (tcp/recovery.c) */
  tcb->busy->snd_retx = tcb->snd_una;
  ltcp_output(eng, tcb);
}

static void timer_rtx_expired(ltcp_engine *eng, ltcp_tcb *tcb) {
  tcb->busy->rtx_at = LTCP_TIME_NEVER;
  tcb->busy->rtt_start = LTCP_TIME_NEVER; /* Karn: no sample from a retransmitted segment */
  int waiting = ltcp_seq_lt(tcb->snd_una, ltcp_tcb_fin_seq(tcb));
  if (tcb->snd_una == tcb->iss) timer_resend_syn(eng, tcb);
  /* Unsent data and a zero window, or nothing in flight (a window SWS avoidance would not
   * use): probe (RFC 9293 §3.8.6.1, RFC 1122 4.2.3.4). */
  else if (waiting && (tcb->snd_wnd == 0 || tcb->snd_una == tcb->snd_nxt)) timer_probe(eng, tcb);
  else if (tcb->snd_una != tcb->snd_nxt) timer_retransmit(eng, tcb);
  if (tcb->dead) return;
  tcb->busy->rtx_at = LTCP_TIME_NEVER;
  if (tcb->snd_una != tcb->snd_nxt || tcb->snd_wnd == 0 ||
      ltcp_seq_lt(tcb->snd_una, ltcp_tcb_fin_seq(tcb)))
    ltcp_out_arm_rtx(eng, tcb);
}

void ltcp_timer_run(ltcp_engine *eng, ltcp_tcb *tcb) {
  if (ltcp_busy_wake(eng, tcb) != 0) {
    /* Asleep, so keep-alive's timer: it runs when memory allows (checked each second). */
    tcb->ka_at = eng->now + LTCP_SEC(1);
    ltcp_timer_update(eng, tcb);
    return;
  }
  ltcp_busy_touch(eng, tcb);
  ltcp_timer_expire(eng, tcb);
  LTCP_ASSERT(tcb->dead || tcb->deadline > eng->now);
}

void ltcp_timer_expire(ltcp_engine *eng, ltcp_tcb *tcb) {
  ltcp_time_ns now = eng->now;
  if (tcb->busy->tw_at <= now) {
    ltcp_cause why = ltcp_cause_timer(LTCP_TIMER_TIME_WAIT);
    ltcp_tcb_close(eng, tcb, 0, &why);
  } else if (tcb->busy->fw2_at <= now) {
    ltcp_cause why = ltcp_cause_timer(LTCP_TIMER_FIN_WAIT_2);
    ltcp_tcb_close(eng, tcb, 0, &why);
  } else if (tcb->busy->ut_at <= now) {
    timer_give_up(eng, tcb); /* §3.10.8 USER TIMEOUT */
  } else if (tcb->busy->rtx_at <= now) {
    timer_rtx_expired(eng, tcb);
  }
  if (!tcb->dead && tcb->busy->dack_at <= now) ltcp_delack_expire(eng, tcb);
  if (!tcb->dead && tcb->ka_at <= now) ltcp_keepalive_expire(eng, tcb);
  if (!tcb->dead) ltcp_timer_update(eng, tcb);
}
