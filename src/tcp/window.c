/* The windows (window.h). */
#include "tcp/window.h"

uint32_t ltcp_window_rcv(const ltcp_tcb *tcb) {
  uint32_t cap = ltcp_tcb_rcv_cap(tcb);
  uint32_t free_space = cap - ltcp_tcb_rcv_queued(tcb);
  uint32_t max_wnd = 65535u << tcb->rfc7323.rcv_wscale; /* RFC 7323 §2.3 */
  if (free_space > max_wnd) free_space = max_wnd;
  /* §3.10.7.4 seventh: the total of RCV.NXT and RCV.WND should not be reduced. */
  uint32_t promised = ltcp_seq_gt(tcb->rcv_adv, tcb->rcv_nxt) ? tcb->rcv_adv - tcb->rcv_nxt : 0;
  if (free_space <= promised) return promised;
  /* RFC 1122 4.2.3.3 (MUST-39), receiver SWS avoidance: the right edge moves only by at
   * least min(half the buffer, one MSS). */
  uint32_t step = cap / 2 < tcb->rcv_mss ? cap / 2 : tcb->rcv_mss;
  /* A scaled window moves in units of 2^Rcv.Wind.Shift (RFC 7323 §2.3): a smaller step would
   * send updates that repeat the same window field (duplicate ACKs to the peer). */
  uint32_t unit = 1u << tcb->rfc7323.rcv_wscale;
  if (step < unit && unit <= cap / 2) step = unit;
  return free_space - promised < step ? promised : free_space;
}

uint16_t ltcp_window_field(const ltcp_tcb *tcb, uint8_t flags) {
  uint32_t wnd = ltcp_window_rcv(tcb);
  if (flags & LTCP_SYN) return (uint16_t)(wnd > 65535u ? 65535u : wnd);
  uint8_t shift = tcb->rfc7323.rcv_wscale;
  uint32_t field = wnd >> shift;
  /* §2.4 and Appendix F: rounding down would retract the right edge already promised;
   * round up instead (as Linux), at most 2^shift - 1 bytes beyond the buffer. */
  uint32_t promised = ltcp_seq_gt(tcb->rcv_adv, tcb->rcv_nxt) ? tcb->rcv_adv - tcb->rcv_nxt : 0;
  if ((field << shift) < promised) field++;
  return (uint16_t)(field > 65535u ? 65535u : field);
}

uint32_t ltcp_window_bytes(const ltcp_tcb *tcb, const ltcp_seg *seg) {
  if (seg->flags & LTCP_SYN) return seg->wnd;
  return (uint32_t)seg->wnd << tcb->rfc7323.rcv_wscale;
}

uint32_t ltcp_window_peer(const ltcp_tcb *tcb, const ltcp_seg *seg) {
  if (seg->flags & LTCP_SYN) return seg->wnd;
  return (uint32_t)seg->wnd << tcb->rfc7323.snd_wscale;
}
