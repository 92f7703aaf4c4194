/* Loss detection and recovery on duplicate ACKs: fast retransmit and fast recovery (RFC 5681
 * §3.2), NewReno's partial ACKs (RFC 6582), SACK-based recovery (RFC 6675) and limited
 * transmit (RFC 3042). The timeout path (RFC 5681 §3.1 loss window) is here too.
 * Private to src/tcp/. */
#ifndef LTCP_TCP_RECOVERY_H
#define LTCP_TCP_RECOVERY_H

#include "tcp/tcb.h"

/* After the ACK step took seg (SND.UNA was old_una, SND.WND old_wnd): counts duplicate ACKs,
 * updates the SACK scoreboard, enters, continues or ends fast recovery, grows cwnd. May send
 * retransmissions; new data goes out with the caller's ltcp_output. */
void ltcp_recovery_on_ack(ltcp_engine *eng, ltcp_tcb *tcb, const ltcp_seg *seg, uint32_t old_una,
                          uint32_t old_wnd);
/* A retransmission timeout of data: ssthresh from the algorithm, cwnd = 1 SMSS (RFC 5681
 * §3.1), recovery ends, "recover" = SND.NXT (RFC 6582 §3.2 step 4), the scoreboard is
 * forgotten (RFC 2018 §8). */
void ltcp_recovery_on_rto(ltcp_engine *eng, ltcp_tcb *tcb);

#endif
