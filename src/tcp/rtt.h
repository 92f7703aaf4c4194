/* Round-trip time and the retransmission timeout (RFC 6298): SRTT, RTTVAR and RTO from samples,
 * and the timeout backed off by consecutive expiries. Owns tcb->srtt, rttvar and rto.
 * Private to src/tcp/. */
#ifndef LTCP_TCP_RTT_H
#define LTCP_TCP_RTT_H

#include "tcp/tcb.h"

/* One sample (§2.2, §2.3), RTO clamped to the configured bounds (§2.4, §2.5). */
void ltcp_rtt_sample(ltcp_engine *eng, ltcp_tcb *tcb, ltcp_time_ns rtt);
/* One of several samples per round trip (RFC 7323 Appendix G): alpha and beta divided by
 * expected (>= 1). */
void ltcp_rtt_sample_weighted(ltcp_engine *eng, ltcp_tcb *tcb, ltcp_time_ns rtt, uint32_t expected);
/* The RTO doubled once per consecutive timeout (§5.5), within the bounds. */
ltcp_time_ns ltcp_rtt_backed_off(const ltcp_engine *eng, const ltcp_tcb *tcb);

#endif
