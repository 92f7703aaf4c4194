/* Timeouts (RFC 9293 §3.10.8): what each timer's expiry does (tcp/timer.h keeps the
 * deadlines): the retransmission timeout (RFC 6298 §5) and the persist timer's zero-window
 * probes (§3.8.6.1), the user timeout, TIME-WAIT's 2 MSL, the orphaned FIN-WAIT-2 limit, the
 * delayed ACK (RFC 1122 4.2.3.2) and keep-alive (§3.8.4). */
#ifndef LTCP_TCP_TIMEOUT_H
#define LTCP_TCP_TIMEOUT_H

#include "tcp/tcb.h"

/* The host's heap says tcb is due (tcb->deadline <= now): runs what expired. An asleep TCB is
 * woken first; when memory for that runs out, only keep-alive's timer can be due, and it is
 * put off by a second. */
void ltcp_timeout_run(ltcp_engine *eng, ltcp_tcb *tcb);
/* Runs what expired on a TCB that is awake (a view included). */
void ltcp_timeout_expire(ltcp_engine *eng, ltcp_tcb *tcb);

#endif
