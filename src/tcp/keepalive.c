/* Keep-alive's timer (RFC 9293 §3.8.4 MUST-24..29; RFC 1122 §4.2.3.6). The timer is lazy: a
 * segment that arrives only records the time, and the expiry (tcp/timeout.c) works out what
 * is due. */
#include "tcp/keepalive.h"

#include "tcp/engine.h"
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
