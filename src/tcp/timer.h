/* Timers (RFC 9293 §3.10.8): each is a deadline field of the TCB (rtx_at, tw_at, ut_at, fw2_at,
 * dack_at in the busy part; ka_at in the TCB). tcb->deadline is their minimum, what the engine
 * hands the host for its timer heap (ip/timers.h); this module keeps it current, and sets the
 * timers a state change starts. What an expiry does is tcp/timeout.h's. */
#ifndef LTCP_TCP_TIMER_H
#define LTCP_TCP_TIMER_H

#include "tcp/tcb.h"

/* Recomputes tcb->deadline from its timers; when it moved, tells the host (never for a
 * view, whose record keeps its own expiry). Call after changing any timer. */
void ltcp_timer_update(ltcp_engine *eng, ltcp_tcb *tcb);
/* §3.10.7.4 eighth: the time-wait timer starts (again), the other timers stop. */
void ltcp_timer_start_time_wait(ltcp_engine *eng, ltcp_tcb *tcb);
/* An orphan in FIN-WAIT-2 waits for the peer's FIN only so long (as Linux's tcp_fin_timeout). */
void ltcp_timer_orphan_fin_wait_2(ltcp_engine *eng, ltcp_tcb *tcb);

#endif
