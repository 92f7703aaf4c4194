/* Timers: the deadline the host keeps, and the timers set by state changes (timer.h). */
#include "tcp/timer.h"

#include <errno.h>

#include "tcp/engine.h"
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
  /* Our FIN is acknowledged here, and every byte before it: nothing lent is left. */
  LTCP_ASSERT(tcb->busy->zc.head == NULL || !ltcp_tcb_fin_acked(tcb));
  ltcp_zc_release_all(eng, &tcb->busy->zc, ltcp_tcb_fin_acked(tcb) ? 0 : ECONNABORTED);
  ltcp_ring_clear(&tcb->busy->sndbuf, &eng->mem);
  /* Nothing can arrive after the peer's FIN: a read-out receive buffer goes too, so a TIME-WAIT
   * entry holds no buffer memory. */
  if (tcb->busy->rcvbuf.len == 0) ltcp_ring_clear(&tcb->busy->rcvbuf, &eng->mem);
  ltcp_timer_update(eng, tcb);
}

void ltcp_timer_orphan_fin_wait_2(ltcp_engine *eng, ltcp_tcb *tcb) {
  if (tcb->state != LTCP_FIN_WAIT_2 || !tcb->orphan || tcb->busy->fw2_at != LTCP_TIME_NEVER) return;
  tcb->busy->fw2_at = eng->now + eng->cfg.fin_wait_2_timeout_ns;
  ltcp_timer_update(eng, tcb);
}
