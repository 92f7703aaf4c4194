/* The windows (window.h). */
#include "tcp/window.h"

#include "tcp/engine.h"

/* What the window already promises: §3.10.7.4 seventh, RCV.NXT + RCV.WND is not reduced. */
static inline uint32_t window_promised(const ltcp_tcb *tcb) {
  return ltcp_seq_gt(tcb->rcv_adv, tcb->rcv_nxt) ? tcb->rcv_adv - tcb->rcv_nxt : 0;
}

/* Above the memory pressure mark (tcp/mem.h) the window offers no more than the memory the
 * receive ring already holds (at least LTCP_MEM_BUF_MIN below the limit), as Linux's
 * tcp_under_memory_pressure() clamps the window; the promised edge still never moves left. */
static uint32_t __attribute__((noinline)) window_mem_clamp(const ltcp_engine *eng,
                                                            const ltcp_tcb *tcb, uint32_t free_space) {
  uint32_t held = tcb->busy ? tcb->busy->rcvbuf.alloc : 0, queued = ltcp_tcb_rcv_queued(tcb);
  if (held < LTCP_MEM_BUF_MIN && !ltcp_mem_at_limit(&eng->mem)) held = LTCP_MEM_BUF_MIN;
  uint32_t room = held > queued ? held - queued : 0;
  return free_space < room ? free_space : room;
}

static inline uint32_t window_free(const ltcp_engine *eng, const ltcp_tcb *tcb, uint32_t cap) {
  uint32_t free_space = cap - ltcp_tcb_rcv_queued(tcb);
  if (__builtin_expect(ltcp_mem_under_pressure(&eng->mem), 0))
    free_space = window_mem_clamp(eng, tcb, free_space);
  return free_space;
}

/* 4.4BSD's tcp_output() and tcp_input() (FreeBSD's today): RCV.WND is all the free space, even
 * beyond what the field carries, but for a passive SYN-RECEIVED, whose window is the one its
 * SYN,ACK offered (FreeBSD's SYN cache); below a quarter of the buffer and one MSS it is not
 * offered. */
static uint32_t __attribute__((noinline)) window_rcv_bsd(const ltcp_engine *eng, const ltcp_tcb *tcb) {
  uint32_t cap = ltcp_tcb_rcv_cap(tcb);
  uint32_t free_space = window_free(eng, tcb, cap), promised = window_promised(tcb);
  uint32_t max_wnd = 65535u << tcb->rfc7323.rcv_wscale;
  if (tcb->passive && tcb->state == LTCP_SYN_RECEIVED && free_space > max_wnd) free_space = max_wnd;
  if (free_space < cap / 4 && free_space < tcb->rcv_mss) free_space = 0;
  return free_space > promised ? free_space : promised;
}

/* RFC 1122 4.2.3.3's receiver SWS avoidance: lucidtcp's own rule, on every segment's path. */
static inline uint32_t window_rcv_rfc1122(const ltcp_engine *eng, const ltcp_tcb *tcb) {
  uint32_t cap = ltcp_tcb_rcv_cap(tcb);
  uint32_t free_space = window_free(eng, tcb, cap);
  uint32_t max_wnd = 65535u << tcb->rfc7323.rcv_wscale; /* RFC 7323 §2.3 */
  if (free_space > max_wnd) free_space = max_wnd;
  uint32_t promised = window_promised(tcb);
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

/* The BSD rule is a setting for FreeBSD's test suite; the RFC's stays inline on the hot path. */
static inline uint32_t window_rcv(const ltcp_engine *eng, const ltcp_tcb *tcb) {
  return eng->cfg.window_bsd ? window_rcv_bsd(eng, tcb) : window_rcv_rfc1122(eng, tcb);
}

uint32_t ltcp_window_rcv(const ltcp_engine *eng, const ltcp_tcb *tcb) { return window_rcv(eng, tcb); }

int ltcp_window_update_due(const ltcp_engine *eng, const ltcp_tcb *tcb) {
  uint32_t adv = window_promised(tcb), wnd = window_rcv(eng, tcb);
  if (!eng->cfg.window_bsd) return wnd > adv; /* ltcp_window_rcv moved it by enough */
  /* BSD: an update when the window grows by two segments or half the buffer. */
  uint32_t max_wnd = 65535u << tcb->rfc7323.rcv_wscale, grow;
  if (wnd > max_wnd) wnd = max_wnd;
  grow = wnd > adv ? wnd - adv : 0;
  return grow >= 2u * tcb->rcv_mss || 2 * (uint64_t)grow >= ltcp_tcb_rcv_cap(tcb);
}

uint16_t ltcp_window_field(const ltcp_engine *eng, const ltcp_tcb *tcb, uint8_t flags) {
  uint32_t wnd = window_rcv(eng, tcb);
  if (flags & LTCP_SYN) return (uint16_t)(wnd > 65535u ? 65535u : wnd);
  uint8_t shift = tcb->rfc7323.rcv_wscale;
  uint32_t field = wnd >> shift;
  /* §2.4 and Appendix F: rounding down would retract the right edge already promised;
   * round up instead (as Linux), at most 2^shift - 1 bytes beyond the buffer. */
  if ((field << shift) < window_promised(tcb)) field++;
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
