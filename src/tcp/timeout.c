/* Timeouts (RFC 9293 §3.10.8): what happens when each timer expires: retransmission (RFC 6298)
 * and zero-window probes, user timeout, TIME-WAIT, the orphaned FIN-WAIT-2 limit, the delayed
 * ACK and keep-alive (timeout.h). */
#include "tcp/timeout.h"

#include "tcp/busy.h"
#include "tcp/engine.h"
#include "tcp/icmperr.h"
#include "tcp/life.h"
#include "tcp/output.h"
#include "tcp/recovery.h"
#include "tcp/timer.h"
#include "util/assert.h"

static void timeout_give_up(ltcp_engine *eng, ltcp_tcb *tcb) {
  ltcp_cause why = ltcp_cause_timer(LTCP_TIMER_USER_TIMEOUT);
  eng->stats->timeouts++;
  if (tcb->state == LTCP_SYN_RECEIVED && tcb->passive) {
    ltcp_life_close(eng, tcb, 0, &why); /* a half-open child just goes away */
    return;
  }
  ltcp_life_close(eng, tcb, ltcp_icmperr_timeout_errno(tcb), &why);
}

/* Our SYN (or SYN,ACK) is still unacknowledged: send it again, then anything queued behind. A
 * passive open's SYN,ACK has its own limit (cfg.synack_retries). */
static void timeout_resend_syn(ltcp_engine *eng, ltcp_tcb *tcb) {
  int half_open = tcb->state == LTCP_SYN_RECEIVED && tcb->passive;
  if (tcb->busy->retries >= (half_open ? eng->cfg.synack_retries : eng->cfg.syn_retries)) {
    timeout_give_up(eng, tcb);
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
static void timeout_probe(ltcp_engine *eng, ltcp_tcb *tcb) {
  if (tcb->busy->probes >= eng->cfg.data_retries) {
    timeout_give_up(eng, tcb);
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
static void timeout_retransmit(ltcp_engine *eng, ltcp_tcb *tcb) {
  if (tcb->busy->retries >= eng->cfg.data_retries) {
    timeout_give_up(eng, tcb);
    return;
  }
  tcb->busy->retries++;
  tcb->rto_backed_off = 1;
  ltcp_recovery_on_rto(eng, tcb); /* ssthresh, cwnd = 1 SMSS (tcp/recovery.c) */
  tcb->busy->snd_retx = tcb->snd_una;
  ltcp_output(eng, tcb);
}

static void timeout_rtx_expired(ltcp_engine *eng, ltcp_tcb *tcb) {
  tcb->busy->rtx_at = LTCP_TIME_NEVER;
  tcb->busy->rtt_start = LTCP_TIME_NEVER; /* Karn: no sample from a retransmitted segment */
  int waiting = ltcp_seq_lt(tcb->snd_una, ltcp_tcb_fin_seq(tcb));
  if (tcb->snd_una == tcb->iss) timeout_resend_syn(eng, tcb);
  /* Unsent data and a zero window, or nothing in flight (a window SWS avoidance would not
   * use): probe (RFC 9293 §3.8.6.1, RFC 1122 4.2.3.4). */
  else if (waiting && (tcb->snd_wnd == 0 || tcb->snd_una == tcb->snd_nxt)) timeout_probe(eng, tcb);
  else if (tcb->snd_una != tcb->snd_nxt) timeout_retransmit(eng, tcb);
  if (tcb->dead) return;
  tcb->busy->rtx_at = LTCP_TIME_NEVER;
  if (tcb->snd_una != tcb->snd_nxt || tcb->snd_wnd == 0 ||
      ltcp_seq_lt(tcb->snd_una, ltcp_tcb_fin_seq(tcb)))
    ltcp_out_arm_rtx(eng, tcb);
}

/* The delayed-ACK timer (RFC 1122 4.2.3.2, tcp/delack.h) expired: the ACK is owed now. */
static void timeout_delayed_ack(ltcp_engine *eng, ltcp_tcb *tcb) {
  tcb->busy->dack_at = LTCP_TIME_NEVER;
  /* Owed now: it goes out when the driver takes the output (MUST-58/59), or on data. */
  tcb->ack_now = 1;
  ltcp_output(eng, tcb);
}

/* Whether the retransmission or persist timer already watches the peer: data in flight or
 * waiting (Linux's tcp_keepalive_timer also leaves those to them). */
static int timeout_keepalive_busy(const ltcp_tcb *tcb) {
  return !ltcp_tcb_synchronized(tcb->state) || tcb->snd_una != tcb->snd_nxt ||
         ltcp_seq_lt(tcb->snd_nxt, ltcp_tcb_fin_seq(tcb));
}

/* RFC 9293 §3.8.4 (MUST-26..29, SHLD-12): probe an idle peer, give up after keep_cnt
 * unanswered probes, or wait longer. */
static void timeout_keepalive(ltcp_engine *eng, ltcp_tcb *tcb) {
  const ltcp_conn_opts *o = &tcb->opts;
  tcb->ka_at = LTCP_TIME_NEVER;
  if (!o->keepalive || tcb->state == LTCP_TIME_WAIT || tcb->state == LTCP_LISTEN) return;
  ltcp_time_ns idle = LTCP_SEC(o->keep_idle_s);
  if (timeout_keepalive_busy(tcb)) {
    tcb->ka_at = eng->now + idle;
    return;
  }
  /* MUST-26: probe only after an interval with nothing received. */
  if (eng->now - tcb->rcv_at < idle) {
    tcb->ka_at = tcb->rcv_at + idle;
    return;
  }
  if (tcb->busy->ka_probes >= o->keep_cnt) { /* MUST-29: never one lost probe alone, but keep_cnt */
    ltcp_cause why = ltcp_cause_timer(LTCP_TIMER_KEEPALIVE);
    eng->stats->timeouts++;
    ltcp_life_close(eng, tcb, ltcp_icmperr_timeout_errno(tcb), &why);
    return;
  }
  tcb->busy->ka_probes++;
  ltcp_out_keepalive(eng, tcb); /* SHLD-12: <SEQ=SND.NXT-1>, no data */
  tcb->ka_at = eng->now + LTCP_SEC(o->keep_intvl_s);
}

void ltcp_timeout_run(ltcp_engine *eng, ltcp_tcb *tcb) {
  if (ltcp_busy_wake(eng, tcb) != 0) {
    /* Asleep, so keep-alive's timer: it runs when memory allows (checked each second). */
    tcb->ka_at = eng->now + LTCP_SEC(1);
    ltcp_timer_update(eng, tcb);
    return;
  }
  ltcp_busy_touch(eng, tcb);
  ltcp_timeout_expire(eng, tcb);
  LTCP_ASSERT(tcb->dead || tcb->deadline > eng->now);
}

void ltcp_timeout_expire(ltcp_engine *eng, ltcp_tcb *tcb) {
  ltcp_time_ns now = eng->now;
  if (tcb->busy->tw_at <= now) {
    ltcp_cause why = ltcp_cause_timer(LTCP_TIMER_TIME_WAIT);
    ltcp_life_close(eng, tcb, 0, &why);
  } else if (tcb->busy->fw2_at <= now) {
    ltcp_cause why = ltcp_cause_timer(LTCP_TIMER_FIN_WAIT_2);
    ltcp_life_close(eng, tcb, 0, &why);
  } else if (tcb->busy->ut_at <= now) {
    timeout_give_up(eng, tcb); /* §3.10.8 USER TIMEOUT */
  } else if (tcb->busy->rtx_at <= now) {
    timeout_rtx_expired(eng, tcb);
  }
  if (!tcb->dead && tcb->busy->dack_at <= now) timeout_delayed_ack(eng, tcb);
  if (!tcb->dead && tcb->ka_at <= now) timeout_keepalive(eng, tcb);
  if (!tcb->dead) ltcp_timer_update(eng, tcb);
}
