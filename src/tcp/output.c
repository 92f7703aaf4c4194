/* Sending (output.h). */
#include "tcp/output.h"

#include "lucidtcp/wire/bytes.h"
#include "lucidtcp/wire/checksum.h"
#include "lucidtcp/wire/ipv4.h"
#include "lucidtcp/wire/ipv6.h"
#include "tcp/busy.h"
#include "tcp/delack.h"
#include "tcp/engine.h"
#include "tcp/events.h"
#include "tcp/nagle.h"
#include "tcp/recovery.h"
#include "tcp/rtt.h"
#include "tcp/timer.h"
#include "tcp/window.h"
#include "util/assert.h"

/* A slot for one segment in the host's output queue (tcp is where its header goes, room the
 * bytes that fit), or NULL. new_data: the host may hold new data back earlier (backpressure). */
typedef struct out_slot {
  uint8_t *tcp;
  uint32_t room;
} out_slot;

static out_slot out_take_slot(ltcp_engine *eng, uint32_t dst_addr, int new_data) {
  out_slot s = {0};
  s.tcp = eng->host.tx_slot(eng->host.ctx, dst_addr, &s.room, new_data);
  return s;
}

/* Inlined where the segments are made: a call taking the slot and the payload cost a bulk
 * transfer about 25 instructions a segment (callgrind). */
#define OUT_HOT static inline __attribute__((always_inline))

/* Copies n payload bytes of the send stream from seq (off bytes past its start) to dst, summed
 * when sum is 1: from the ring, or from the ring and the lent buffers (tcp/zc.h). */
OUT_HOT uint32_t out_payload(ltcp_tcb_busy *b, uint32_t seq, uint32_t off, uint8_t *dst,
                             uint32_t n, int sum) {
  if (__builtin_expect(b->zc.head != NULL, 0))
    return ltcp_zc_copy_out(&b->zc, &b->sndbuf, seq - off, seq, dst, n, sum);
  if (sum) return ltcp_ring_copy_out_sum(&b->sndbuf, off, dst, n);
  ltcp_ring_copy_out(&b->sndbuf, off, dst, n);
  return 0;
}

/* The checksum of the segment seg written at tcp (hl header bytes, tcp_len in all; payload_sum:
 * its payload's sum), as ltcp_tcp_set_checksum_payload computes it, with the fixed header summed
 * from seg's values rather than read back: the pseudo-header and ports are the connection's
 * fixed part, the sequence numbers, offset, flags and window the words that change (RFC 1071
 * §2, RFC 1624 §3); only the options are read. */
OUT_HOT uint16_t out_checksum(const ltcp_seg *seg, const uint8_t *tcp, size_t hl, size_t tcp_len,
                              uint32_t payload_sum) {
  uint64_t s = ltcp_cksum_pseudo_ipv4(seg->src_addr, seg->dst_addr, LTCP_IPPROTO_TCP,
                                      (uint16_t)tcp_len);
  s += (uint32_t)seg->src_port + seg->dst_port + (seg->seq >> 16) + (seg->seq & 0xffff) +
       (seg->ack >> 16) + (seg->ack & 0xffff) + ((uint32_t)(hl / 4) << 12 | seg->flags) +
       seg->wnd + seg->urp;
  s += payload_sum; /* the payload starts at hl, a multiple of 4: no byte swap */
  uint32_t sum = (uint32_t)((s & 0xffffffffu) + (s >> 32));
  if (hl > LTCP_TCP_HDR_LEN) sum = ltcp_cksum_add(sum, tcp + LTCP_TCP_HDR_LEN, hl - LTCP_TCP_HDR_LEN);
  return ltcp_cksum_finish(sum);
}

/* Builds one TCP segment from seg (seg->len payload bytes taken from payload at offset
 * payload_off) into the slot s and queues it; seg_size > 0 asks the link to cut it (TSO). */
OUT_HOT void out_emit(ltcp_engine *eng, out_slot s, const ltcp_seg *seg,
                      ltcp_tcb_busy *payload, uint32_t payload_off, uint32_t seg_size) {
  uint8_t *tcp = s.tcp;
  size_t hl = ltcp_tcp_write_header(tcp, s.room, seg);
  LTCP_ASSERT(hl > 0 && hl + seg->len <= s.room);
  size_t tcp_len = hl + seg->len;
  /* Lent buffers (tcp/zc.h) are read in place, between the ring's pieces. */
  if (eng->cfg.csum_offload) { /* the link sums it (cfg.csum_offload): the payload is only copied */
    if (seg->len) out_payload(payload, seg->seq, payload_off, tcp + hl, seg->len, 0);
    ltcp_put16(tcp + 16, ltcp_tcp_partial_checksum(tcp_len, seg->src_addr, seg->dst_addr));
  } else {
    /* The payload is summed as it is copied; only the header is read again for the checksum. */
    uint32_t payload_sum = 0;
    if (seg->len) payload_sum = out_payload(payload, seg->seq, payload_off, tcp + hl, seg->len, 1);
    ltcp_put16(tcp + 16, out_checksum(seg, tcp, hl, tcp_len, payload_sum));
  }
  eng->host.tx_commit(eng->host.ctx, tcp, seg, (uint32_t)tcp_len, seg_size);
  eng->stats->segs_out++;
  if (seg->flags & LTCP_RST) eng->stats->rst_out++;
}

/* A control segment nobody sends again when it is not queued (a reset, a keep-alive probe):
 * a queue full even of control segments loses it, counted as a drop (TX_QUEUE_FULL), as a
 * full qdisc does on Linux; the protocol recovers it (a timer, the peer's retransmission). */
static void out_control(ltcp_engine *eng, const ltcp_seg *seg) {
  out_slot s = out_take_slot(eng, seg->dst_addr, 0);
  if (!s.tcp) {
    ltcp_events_drop(eng, LTCP_DROP_TX_QUEUE_FULL, seg);
    return;
  }
  out_emit(eng, s, seg, NULL, 0, 0);
}

/* A header from a TCB, acknowledging RCV.NXT when the ACK flag is set. Inlined: called from
 * six places, the compiler made it a call returning the whole segment (callgrind: about 300
 * instructions a connection cycle). */
OUT_HOT ltcp_seg out_seg_from(const ltcp_engine *eng, ltcp_tcb *tcb, uint8_t flags, uint32_t seq) {
  ltcp_seg seg = {0};
  seg.src_addr = tcb->local.addr;
  seg.dst_addr = tcb->remote.addr;
  seg.src_port = tcb->local.port;
  seg.dst_port = tcb->remote.port;
  seg.seq = seq;
  seg.flags = flags;
  if (flags & LTCP_ACK) {
    seg.ack = tcb->rcv_nxt;
    seg.wnd = ltcp_window_field(eng, tcb, flags);
  }
  return seg;
}

/* seg (options stamped) goes into the slot s taken for it; an ACK it carries is sent. */
static void out_queue(ltcp_engine *eng, ltcp_tcb *tcb, out_slot s, const ltcp_seg *seg,
                      uint32_t seg_size) {
  out_emit(eng, s, seg, tcb->busy, seg->seq - tcb->snd_buf_seq, seg_size);
  if (seg->flags & LTCP_ACK) {
    tcb->rcv_adv = tcb->rcv_nxt + ltcp_window_bytes(tcb, seg);
    tcb->ack_now = 0;
    ltcp_delack_sent(eng, tcb);
  }
}

/* Stamps seg's options and queues it in the slot s taken for it. */
static void out_send(ltcp_engine *eng, ltcp_tcb *tcb, out_slot s, ltcp_seg *seg,
                     uint32_t seg_size) {
  ltcp_opts_stamp(eng, tcb, seg); /* RFC 7323 options */
  ltcp_sack_stamp(eng, tcb, seg); /* RFC 2018: SACK-permitted, SACK blocks */
  out_queue(eng, tcb, s, seg, seg_size);
}

void ltcp_out_syn(ltcp_engine *eng, ltcp_tcb *tcb) {
  /* §3.10.1 / §3.10.7.2: <SEQ=ISS><CTL=SYN>, or <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>.
   * §3.7.1 MUST-14: the MSS option goes in every SYN. */
  uint8_t flags = LTCP_SYN | (tcb->state == LTCP_SYN_SENT ? 0 : LTCP_ACK);
  ltcp_seg seg = out_seg_from(eng, tcb, flags, tcb->iss);
  if (!(flags & LTCP_ACK)) seg.wnd = ltcp_window_field(eng, tcb, flags); /* never scaled */
  seg.opts.mss = tcb->rcv_mss;
  /* Stamped even when the queue is full: the options offered are the connection's from now
   * on; the SYN timer sends it again. */
  ltcp_opts_stamp(eng, tcb, &seg);
  ltcp_sack_stamp(eng, tcb, &seg);
  out_slot s = out_take_slot(eng, seg.dst_addr, 0);
  if (!s.tcp) {
    ltcp_events_drop(eng, LTCP_DROP_TX_QUEUE_FULL, &seg);
    return;
  }
  out_queue(eng, tcb, s, &seg, 0);
}

void ltcp_out_ack(ltcp_engine *eng, ltcp_tcb *tcb) {
  /* <SEQ=SND.NXT>, unless a zero-window probe took SND.NXT past the peer's window: a zero
   * window accepts only SEG.SEQ = RCV.NXT (§3.10.7.4, Table 6), so the peer would drop the ACK
   * unread. Use the window's right edge then, as Linux's tcp_acceptable_seq does. */
  uint32_t edge = tcb->snd_una + tcb->snd_wnd;
  uint32_t seq = ltcp_seq_gt(tcb->snd_nxt, edge) && ltcp_tcb_synchronized(tcb->state) ? edge
                                                                                   : tcb->snd_nxt;
  out_slot s = out_take_slot(eng, tcb->remote.addr, 0);
  ltcp_seg seg = out_seg_from(eng, tcb, LTCP_ACK, seq);
  if (s.tcp) {
    out_send(eng, tcb, s, &seg, 0);
  } else if (tcb->view) { /* a TIME-WAIT record keeps no ACK owed: lost, the peer sends again */
    ltcp_events_drop(eng, LTCP_DROP_TX_QUEUE_FULL, &seg);
  } else { /* owed, it goes when the driver drains the queue (docs/design.md, Output) */
    tcb->ack_now = 1;
    ltcp_output_wait(eng, tcb);
  }
}

void ltcp_out_keepalive(ltcp_engine *eng, ltcp_tcb *tcb) {
  /* One below SND.NXT: outside the peer's window, so it must answer with an ACK (§3.8.4). */
  ltcp_seg seg = out_seg_from(eng, tcb, LTCP_ACK, tcb->snd_nxt - 1);
  out_slot s = out_take_slot(eng, seg.dst_addr, 0);
  if (s.tcp) out_send(eng, tcb, s, &seg, 0);
  else ltcp_events_drop(eng, LTCP_DROP_TX_QUEUE_FULL, &seg); /* the next probe follows */
}

void ltcp_out_rst(ltcp_engine *eng, ltcp_tcb *tcb, uint32_t seq) {
  ltcp_seg seg = out_seg_from(eng, tcb, LTCP_RST, seq);
  if (tcb->rfc7323.ts_ok) ltcp_opts_stamp(eng, tcb, &seg); /* RFC 7323 §5.2 SHOULD */
  out_control(eng, &seg);
}

void ltcp_out_rst_ack(ltcp_engine *eng, ltcp_tcb *tcb) {
  ltcp_seg seg = out_seg_from(eng, tcb, LTCP_RST | LTCP_ACK, tcb->snd_nxt);
  seg.wnd = 0;
  if (tcb->rfc7323.ts_ok) ltcp_opts_stamp(eng, tcb, &seg); /* RFC 7323 §5.2 SHOULD */
  out_control(eng, &seg);
}

void ltcp_out_reset_reply(ltcp_engine *eng, const ltcp_seg *in) {
  /* §3.10.7.1: never answer a RST; with ACK off <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>,
   * with ACK on <SEQ=SEG.ACK><CTL=RST>. */
  if (in->flags & LTCP_RST) return;
  ltcp_seg seg = {0};
  seg.src_addr = in->dst_addr;
  seg.dst_addr = in->src_addr;
  seg.src_port = in->dst_port;
  seg.dst_port = in->src_port;
  if (in->flags & LTCP_ACK) {
    seg.seq = in->ack;
    seg.flags = LTCP_RST;
  } else {
    seg.ack = in->seq + ltcp_seg_seqlen(in);
    seg.flags = LTCP_RST | LTCP_ACK;
  }
  /* No TSopt, though RFC 7323 §5.2 RECOMMENDS one echoing the segment's TSval with TSval zero:
   * Linux's TIME-WAIT runs PAWS on an RST with TSopt (against its §5.2 MUST NOT) and drops
   * that one, so a SYN of ours that met a peer's TIME-WAIT on the same 4-tuple was answered
   * by its ACK, our reset ignored, for the 60 s the TIME-WAIT lasts. Linux's tcp_v4_send_reset
   * and FreeBSD's tcp_respond without a connection send none either. */
  out_control(eng, &seg);
}

void ltcp_out_arm_rtx(ltcp_engine *eng, ltcp_tcb *tcb) {
  if (tcb->busy->rtx_at == LTCP_TIME_NEVER) tcb->busy->rtx_at = eng->now + ltcp_rtt_backed_off(eng, tcb);
  if (tcb->busy->ut_at == LTCP_TIME_NEVER && tcb->user_timeout_ms)
    tcb->busy->ut_at = eng->now + LTCP_MS(tcb->user_timeout_ms);
  ltcp_timer_update(eng, tcb);
}

static int out_can_send_data(ltcp_state s) {
  return s == LTCP_ESTABLISHED || s == LTCP_CLOSE_WAIT || s == LTCP_FIN_WAIT_1 ||
         s == LTCP_CLOSING || s == LTCP_LAST_ACK;
}

/* The most payload one packet carries: one MSS (RFC 9293 §3.7.1: SEG.LEN <= Eff.snd.MSS), or
 * with TCP segmentation offload (cfg.tso_max) as many whole MSS as fit with the largest
 * headers; the link cuts it into segments of one MSS, each within the rule. */
static uint32_t out_seg_limit(const ltcp_engine *eng, const ltcp_tcb *tcb) {
  uint32_t mss = tcb->snd_mss;
  if (!eng->cfg.tso_max) return mss;
  uint32_t ip_hdr = ltcp_ep_is_v6(tcb->remote.addr) ? LTCP_IPV6_HDR_LEN : LTCP_IPV4_HDR_LEN;
  uint32_t segs = (eng->cfg.tso_max - ip_hdr - LTCP_TCP_MAX_HDR_LEN) / mss;
  return segs > 1 ? segs * mss : mss;
}

/* How many bytes from seq the windows let us send now (RFC 9293 §3.8.6, RFC 5681 cwnd), at
 * most limit, with sender-side silly window avoidance (RFC 1122 4.2.3.4). */
static uint32_t out_data_room(const ltcp_tcb *tcb, uint32_t seq, uint32_t data_end,
                              uint32_t limit) {
  if (tcb->probe_now) {
    /* A zero-window probe: one byte (§3.8.6.1). A window too small for SWS avoidance: what
     * fits, as the override timeout of RFC 1122 4.2.3.4 (Linux's tcp_write_wakeup). */
    if (seq != tcb->snd_una) return 0;
    uint32_t left = data_end - seq, fit = left < tcb->snd_mss ? left : tcb->snd_mss;
    return tcb->snd_wnd == 0 ? 1 : tcb->snd_wnd < fit ? tcb->snd_wnd : fit;
  }
  uint32_t edge = tcb->snd_una + tcb->snd_wnd, cc_edge = ltcp_cc_send_edge(tcb); /* tcp/cc.c */
  if (ltcp_seq_lt(cc_edge, edge)) edge = cc_edge;
  if (!ltcp_seq_lt(seq, edge)) return 0;
  uint32_t room = edge - seq, pending = data_end - seq;
  uint32_t n = pending < limit ? pending : limit;
  if (ltcp_nagle_hold(tcb, seq, n)) return 0;
  if (room >= n) return n;
  /* TSO: the whole MSS that fit go as one packet; a partial one is decided below, as alone. */
  if (n > tcb->snd_mss && room >= tcb->snd_mss) return room - room % tcb->snd_mss;
  /* SWS avoidance governs new data only: bytes already sent (a probe that filled a small
   * window) must be retransmitted as they fit, or they never would be (RFC 1122 4.2.3.4). */
  if (ltcp_seq_lt(seq, tcb->snd_nxt)) return room;
  /* Only part fits: send it if it is at least half the largest window the peer offered. */
  return room >= tcb->snd_max_wnd / 2 ? room : 0;
}

/* Sends one segment from seq (data, FIN or both; data_end: the end of the stream, where a FIN
 * goes). Returns the sequence space it used. */
static uint32_t out_one(ltcp_engine *eng, ltcp_tcb *tcb, uint32_t seq, uint32_t data_end) {
  uint32_t n = ltcp_seq_lt(seq, data_end)
                   ? out_data_room(tcb, seq, data_end, out_seg_limit(eng, tcb))
                   : 0;
  int fin = tcb->fin_queued && seq + n == data_end;
  if (n == 0 && !fin) return 0;
  /* Backpressure: no room for new data, nothing is built; the connection waits its turn and
   * sends when the driver has drained the queue (ltcp_output_resume_next). */
  out_slot s = out_take_slot(eng, tcb->remote.addr, 1);
  if (!s.tcp) {
    ltcp_output_wait(eng, tcb);
    return 0;
  }
  uint8_t flags = LTCP_ACK | (fin ? LTCP_FIN : 0) | (n && seq + n == data_end ? LTCP_PSH : 0);
  ltcp_seg seg = out_seg_from(eng, tcb, flags, seq);
  seg.len = n;
  /* Over one MSS, the link cuts it (TSO): FIN and PSH stay on the last piece. */
  out_send(eng, tcb, s, &seg, n > tcb->snd_mss ? tcb->snd_mss : 0);
  if (n > tcb->snd_mss) {
    /* The last piece alone may be small, and so counts for Nagle (RFC 1122 4.2.3.4). */
    ltcp_nagle_sent(tcb, seq + n - n % tcb->snd_mss, n % tcb->snd_mss);
  } else {
    ltcp_nagle_sent(tcb, seq, n);
  }
  return n + (fin ? 1u : 0u);
}

uint32_t ltcp_out_resend(ltcp_engine *eng, ltcp_tcb *tcb, uint32_t seq, uint32_t max) {
  if (!ltcp_seq_in(seq, tcb->snd_una, tcb->snd_nxt) || !out_can_send_data(tcb->state)) return 0;
  uint32_t data_end = ltcp_tcb_fin_seq(tcb);
  uint32_t n = ltcp_seq_lt(seq, data_end) ? ltcp_seq_min(data_end, tcb->snd_nxt) - seq : 0;
  if (n > max) n = max;
  if (n > tcb->snd_mss) n = tcb->snd_mss;
  int fin = tcb->fin_queued && seq + n == data_end && ltcp_seq_gt(tcb->snd_nxt, data_end);
  if (n == 0 && !fin) return 0;
  uint8_t flags = LTCP_ACK | (fin ? LTCP_FIN : 0) | (n && seq + n == data_end ? LTCP_PSH : 0);
  ltcp_seg seg = out_seg_from(eng, tcb, flags, seq);
  seg.len = n;
  /* A retransmission may use the room kept for control segments; without any, it is lost as
   * on a link, and recovery or the retransmission timer sends it again. */
  out_slot s = out_take_slot(eng, seg.dst_addr, 0);
  if (!s.tcp) {
    ltcp_events_drop(eng, LTCP_DROP_TX_QUEUE_FULL, &seg);
    return 0;
  }
  out_send(eng, tcb, s, &seg, 0);
  eng->stats->retransmits++;
  tcb->busy->rtt_start = LTCP_TIME_NEVER; /* Karn (MUST-18): no sample across a retransmission */
  return n + (fin ? 1u : 0u);
}

void ltcp_output(ltcp_engine *eng, ltcp_tcb *tcb) {
  if (tcb->dead) return;
  LTCP_ASSERT(tcb->busy != NULL); /* awake: every entry point wakes it (tcp/busy.h) */
  /* The stream (copied and lent bytes) does not change while segments are made from it. */
  uint32_t queued = tcb->busy->sndbuf.len + tcb->busy->zc.bytes;
  uint32_t data_end = tcb->snd_buf_seq + queued;
  /* Data waits for the SYN to be acknowledged; a FIN alone may go before (§3.10.4). */
  if (out_can_send_data(tcb->state) &&
      (!ltcp_seq_lt(tcb->snd_una, tcb->snd_buf_seq) || queued == 0)) {
    /* Bounded: every pass sends at least one byte of the stream, or its FIN. */
    for (uint32_t i = 0; i <= queued + 1; i++) {
      int resend = ltcp_seq_lt(tcb->busy->snd_retx, tcb->snd_nxt);
      uint32_t used = out_one(eng, tcb, tcb->busy->snd_retx, data_end);
      if (used == 0) break;
      if (resend) {
        eng->stats->retransmits++;
        tcb->busy->snd_retx += used;
        if (ltcp_seq_gt(tcb->busy->snd_retx, tcb->snd_nxt)) tcb->snd_nxt = tcb->busy->snd_retx;
      } else {
        if (tcb->busy->rtt_start == LTCP_TIME_NEVER) {
          tcb->busy->rtt_start = eng->now; /* RFC 6298 §3: time one segment at a time */
          tcb->busy->rtt_seq = tcb->snd_nxt + used;
        }
        tcb->snd_nxt += used;
        tcb->busy->snd_retx = tcb->snd_nxt;
      }
    }
  }
  /* MUST-58/59: a bare ACK waits until the driver takes the output, so every segment that
   * arrived before then is processed first and one ACK answers them all. */
  if (tcb->ack_now) {
    /* A TIME-WAIT record's view answers at once, as Linux's tcp_timewait_state_process. */
    if (eng->txw.flushing || tcb->view) ltcp_out_ack(eng, tcb);
    else ltcp_output_wait(eng, tcb);
  }
  int unsent = ltcp_seq_lt(tcb->snd_nxt, data_end + (tcb->fin_queued ? 1u : 0u));
  /* Data left waiting with nothing in flight (the window is zero, or too small for SWS
   * avoidance) needs the persist timer: a lost window update would otherwise deadlock
   * both ends (RFC 9293 §3.8.6.1, RFC 1122 4.2.2.17 and 4.2.3.4). */
  if (tcb->snd_una != tcb->snd_nxt || (unsent && out_can_send_data(tcb->state)))
    ltcp_out_arm_rtx(eng, tcb);
}

/* ---- connections waiting to send */

void ltcp_output_wait(ltcp_engine *eng, ltcp_tcb *tcb) {
  ltcp_output_wait_list *w = &eng->txw;
  if (tcb->in_tx_wait || tcb->view) return;
  tcb->in_tx_wait = 1;
  tcb->busy->tx_next = NULL;
  tcb->busy->tx_prev = w->tail;
  if (w->tail) w->tail->busy->tx_next = tcb;
  else w->head = tcb;
  w->tail = tcb;
}

void ltcp_output_unwait(ltcp_engine *eng, ltcp_tcb *tcb) {
  if (!tcb->in_tx_wait) return;
  ltcp_output_wait_list *w = &eng->txw;
  ltcp_tcb_busy *b = tcb->busy;
  if (b->tx_prev) b->tx_prev->busy->tx_next = b->tx_next;
  else w->head = b->tx_next;
  if (b->tx_next) b->tx_next->busy->tx_prev = b->tx_prev;
  else w->tail = b->tx_prev;
  b->tx_prev = b->tx_next = NULL;
  tcb->in_tx_wait = 0;
}

ltcp_tcb *ltcp_output_resume_next(ltcp_engine *eng) {
  ltcp_output_wait_list *w = &eng->txw;
  ltcp_tcb *t = w->head;
  if (!t) return NULL;
  w->head = t->busy->tx_next; /* the head leaves: ltcp_output_unwait, shortened */
  if (w->head) w->head->busy->tx_prev = NULL;
  else w->tail = NULL;
  t->busy->tx_next = NULL;
  t->in_tx_wait = 0;
  if (!t->dead) {
    w->flushing = 1;
    ltcp_busy_touch(eng, t); /* awake (waiting keeps it so); the ACK it owed may go now */
    ltcp_output(eng, t);
    ltcp_timer_update(eng, t);
    w->flushing = 0;
  }
  return t;
}
