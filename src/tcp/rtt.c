/* RFC 6298: SRTT, RTTVAR and RTO from round-trip samples. */
#include "tcp/rtt.h"

#include "tcp/engine.h"

#define RTT_GRANULARITY_NS LTCP_MS(1) /* G in RFC 6298 §2 */

static ltcp_time_ns rtt_clamp(const ltcp_engine *eng, ltcp_time_ns rto) {
  if (rto < eng->cfg.rto_min_ns) rto = eng->cfg.rto_min_ns; /* §2.4 */
  if (rto > eng->cfg.rto_max_ns) rto = eng->cfg.rto_max_ns; /* §2.5 */
  return rto;
}

void ltcp_rtt_sample(ltcp_engine *eng, ltcp_tcb *tcb, ltcp_time_ns r) {
  if (tcb->srtt == 0) {
    /* §2.2: the first measurement. */
    tcb->srtt = r;
    tcb->rttvar = r / 2;
  } else {
    /* §2.3, alpha = 1/8, beta = 1/4. */
    ltcp_time_ns diff = tcb->srtt > r ? tcb->srtt - r : r - tcb->srtt;
    tcb->rttvar = (3 * tcb->rttvar + diff) / 4;
    tcb->srtt = (7 * tcb->srtt + r) / 8;
  }
  ltcp_time_ns k_rttvar = 4 * tcb->rttvar;
  tcb->rto = rtt_clamp(eng, tcb->srtt + (k_rttvar > RTT_GRANULARITY_NS ? k_rttvar : RTT_GRANULARITY_NS));
}

ltcp_time_ns ltcp_rtt_backed_off(const ltcp_engine *eng, const ltcp_tcb *tcb) {
  /* §5.5: double the timer on each expiry, bounded by the maximum. */
  ltcp_time_ns rto = tcb->rto;
  for (uint32_t i = 0; i < tcb->busy->retries && rto < eng->cfg.rto_max_ns; i++) rto *= 2;
  return rtt_clamp(eng, rto);
}

void ltcp_rtt_sample_weighted(ltcp_engine *eng, ltcp_tcb *tcb, ltcp_time_ns r, uint32_t expected) {
  if (tcb->srtt == 0 || expected <= 1) {
    ltcp_rtt_sample(eng, tcb, r);
    return;
  }
  /* RTTVAR <- (1 - beta') RTTVAR + beta' |SRTT - R'|, SRTT <- (1 - alpha') SRTT + alpha' R',
   * alpha' = 1/(8 expected), beta' = 1/(4 expected). Signed steps, so rounding never drifts. */
  int64_t e = expected, srtt = (int64_t)tcb->srtt, rttvar = (int64_t)tcb->rttvar;
  int64_t diff = srtt > (int64_t)r ? srtt - (int64_t)r : (int64_t)r - srtt;
  rttvar += (diff - rttvar) / (4 * e);
  srtt += ((int64_t)r - srtt) / (8 * e);
  tcb->rttvar = (ltcp_time_ns)(rttvar > 0 ? rttvar : 0);
  tcb->srtt = (ltcp_time_ns)(srtt > 0 ? srtt : 1);
  ltcp_time_ns k_rttvar = 4 * tcb->rttvar;
  tcb->rto = rtt_clamp(eng, tcb->srtt + (k_rttvar > RTT_GRANULARITY_NS ? k_rttvar : RTT_GRANULARITY_NS));
}
