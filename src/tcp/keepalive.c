/* Keep-alive (RFC 9293 §3.8.4 MUST-24..29, SHLD-12; RFC 1122 §4.2.3.6). The timer is lazy: a
 * segment that arrives only records the time, and the expiry works out what is due. */
#include "tcp/keepalive.h"

#include "tcp/engine.h"
#include "tcp/output.h"
#include "tcp/timer.h"

void ltcp_keepalive_heard(ltcp_engine *eng, ltcp_tcb *tcb) {
  tcb->rcv_at = eng->now;
  tcb->busy->ka_probes = 0;
}

void ltcp_keepalive_start(ltcp_engine *eng, ltcp_tcb *tcb) {
  if (!tcb->opts.keepalive) return;
  tcb->ka_at = eng->now + LTCP_SEC(tcb->opts.keep_idle_s);
  ltcp_timer_update(eng, tcb);
}

void ltcp_keepalive_rearm(ltcp_engine *eng, ltcp_tcb *tcb, int on_now) {
  ltcp_time_ns idle = LTCP_SEC(tcb->opts.keep_idle_s);
  if (!tcb->opts.keepalive || !ltcp_tcb_synchronized(tcb->state))
    tcb->ka_at = LTCP_TIME_NEVER; /* ltcp_keepalive_start arms it in ESTABLISHED */
  else if (on_now) tcb->ka_at = eng->now + idle; /* as Linux's SO_KEEPALIVE */
  else tcb->ka_at = tcb->rcv_at + idle > eng->now ? tcb->rcv_at + idle : eng->now;
  ltcp_timer_update(eng, tcb);
}

/* Whether the retransmission or persist timer already watches the peer: data in flight or
 * waiting (Linux's tcp_keepalive_timer also leaves those to them). */
static int keepalive_busy(const ltcp_tcb *tcb) {
  return !ltcp_tcb_synchronized(tcb->state) || tcb->snd_una != tcb->snd_nxt ||
         ltcp_seq_lt(tcb->snd_nxt, ltcp_tcb_fin_seq(tcb));
}

void ltcp_keepalive_expire(ltcp_engine *eng, ltcp_tcb *tcb) {
  const ltcp_conn_opts *o = &tcb->opts;
  tcb->ka_at = LTCP_TIME_NEVER;
  if (!o->keepalive || tcb->state == LTCP_TIME_WAIT || tcb->state == LTCP_LISTEN) return;
  ltcp_time_ns idle = LTCP_SEC(o->keep_idle_s);
  if (keepalive_busy(tcb)) {
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
    ltcp_tcb_close(eng, tcb, ETIMEDOUT, &why);
    return;
  }
  tcb->busy->ka_probes++;
  ltcp_out_keepalive(eng, tcb); /* SHLD-12: <SEQ=SND.NXT-1>, no data */
  tcb->ka_at = eng->now + LTCP_SEC(o->keep_intvl_s);
}
