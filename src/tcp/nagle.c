/* Nagle's algorithm (RFC 1122 4.2.3.4, RFC 9293 §3.7.4), Minshall's variant as Linux. */
#include "tcp/nagle.h"

int ltcp_nagle_hold(const ltcp_tcb *tcb, uint32_t seq, uint32_t n) {
  if (tcb->opts.nodelay || n >= tcb->snd_mss) return 0;
  if (ltcp_seq_lt(seq, tcb->snd_nxt)) return 0; /* a retransmission is never held */
  /* The last bytes before our FIN go with it at once, as Linux's tcp_nagle_test. */
  if (tcb->fin_queued && seq + n == ltcp_tcb_fin_seq(tcb)) return 0;
  /* "If there is unacknowledged data, ... buffer all user data until the outstanding data
   * has been acknowledged or until ... a full-sized segment" (RFC 1122 4.2.3.4); only small
   * unacknowledged data counts (Minshall), so a write's tail never waits behind its own head. */
  return tcb->snd_una != tcb->snd_nxt && ltcp_seq_gt(tcb->busy->snd_sml, tcb->snd_una) &&
         ltcp_seq_le(tcb->busy->snd_sml, tcb->snd_nxt);
}

void ltcp_nagle_sent(ltcp_tcb *tcb, uint32_t seq, uint32_t n) {
  if (n && n < tcb->snd_mss && !ltcp_seq_lt(seq, tcb->snd_nxt)) tcb->busy->snd_sml = seq + n;
}
