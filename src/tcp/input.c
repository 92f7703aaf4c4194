/* SEGMENT ARRIVES (RFC 9293 §3.10.7), one short function per step, in the RFC's order
 * (input.h). */
#include "tcp/input.h"

#include <string.h>

#include "tcp/busy.h"
#include "tcp/delack.h"
#include "tcp/engine.h"
#include "tcp/events.h"
#include "tcp/isn.h"
#include "tcp/keepalive.h"
#include "tcp/life.h"
#include "tcp/listen.h"
#include "tcp/output.h"
#include "tcp/recovery.h"
#include "tcp/rtt.h"
#include "tcp/syncookie.h"
#include "tcp/timer.h"
#include "tcp/window.h"
#include "util/assert.h"

enum { IN_CONTINUE = 0, IN_DONE = 1 };

/* The out-of-order bytes a connection may hold: cfg.reasm_conn_max, or by default twice its
 * receive buffer (blocks cost a little more than the bytes they hold; Linux likewise doubles
 * SO_RCVBUF for overhead). */
static uint32_t in_reasm_conn_max(const ltcp_engine *eng, const ltcp_tcb *tcb) {
  if (eng->cfg.reasm_conn_max) return eng->cfg.reasm_conn_max;
  uint64_t two = 2 * (uint64_t)tcb->busy->rcvbuf.cap;
  return two > UINT32_MAX ? UINT32_MAX : (uint32_t)two;
}

/* RFC 9293 §3.7.1: the send MSS is the peer's (536 without the option, MUST-15), no larger
 * than what our own link carries. */
static void in_take_mss(ltcp_tcb *tcb, const ltcp_seg *seg) {
  uint16_t peer = seg->opts.mss ? seg->opts.mss : 536;
  tcb->snd_mss = peer < tcb->rcv_mss ? peer : tcb->rcv_mss;
  if (tcb->snd_mss < 64) tcb->snd_mss = 64; /* a hostile MSS of 1 must not make 40x overhead */
}

/* cfg.rcvbuf_round_mss: as 4.4BSD's tcp_mss(), whole segments fill the receive buffer, from
 * when FreeBSD calls it: an active opener on the peer's SYN, a passive one when its SYN cache
 * entry becomes a connection (ESTABLISHED). */
static void in_round_rcvbuf(const ltcp_engine *eng, ltcp_tcb *tcb) {
  if (!eng->cfg.rcvbuf_round_mss) return;
  uint32_t max = eng->cfg.rcvbuf_max ? eng->cfg.rcvbuf_max : LTCP_BUF_MAX;
  uint64_t cap = tcb->busy->rcvbuf.cap, mss = tcb->snd_mss;
  cap = (cap + mss - 1) / mss * mss;
  if (cap <= max) tcb->busy->rcvbuf.cap = (uint32_t)cap;
}

static void in_take_window(ltcp_tcb *tcb, const ltcp_seg *seg) {
  uint32_t wnd = ltcp_window_peer(tcb, seg); /* RFC 7323 §2.3: SEG.WND << Snd.Wind.Shift */
  tcb->snd_wnd = wnd;
  tcb->snd_wl1 = seg->seq;
  tcb->snd_wl2 = seg->ack;
  if (wnd > tcb->snd_max_wnd) tcb->snd_max_wnd = wnd;
}

/* The first SYN of a connection: IRS and RCV.NXT, the send MSS, what its options negotiate
 * (RFC 7323, RFC 2018), and the initial window. */
static void in_take_syn(ltcp_engine *eng, ltcp_tcb *tcb, const ltcp_seg *seg) {
  tcb->irs = seg->seq;
  tcb->rcv_nxt = seg->seq + 1;
  tcb->rcv_adv = tcb->rcv_nxt;
  in_take_mss(tcb, seg);
  if (!tcb->passive) in_round_rcvbuf(eng, tcb);
  ltcp_opts_take_syn(eng, tcb, seg); /* RFC 7323 negotiation */
  ltcp_sack_take_syn(eng, tcb, seg); /* RFC 2018 */
  /* RFC 6928's IW counts SMSS, which RFC 5681 §2 takes without options: once the timestamps
   * took their 12 bytes off the MSS (as Linux's mss_cache and FreeBSD's tcp_maxseg). */
  ltcp_cc_init(tcb);
}

/* §3.10.7.3 fourth, a SYN without an ACK in SYN-SENT: "If there are other controls or text in
 * the segment, queue them for processing after the ESTABLISHED state has been reached" (as
 * FreeBSD does the text; Linux drops both). The text waits in the receive buffer as
 * out-of-order data at RCV.NXT, the FIN as an early FIN; neither is acknowledged yet. */
static void in_syn_queue_rest(ltcp_engine *eng, ltcp_tcb *tcb, const ltcp_seg *seg) {
  ltcp_tcb_busy *b = tcb->busy;
  uint32_t n = seg->len, room = ltcp_ring_free_space(&b->rcvbuf);
  if (n > room) n = room;
  if (n && ltcp_reasm_add(&b->reasm, &eng->mem, in_reasm_conn_max(eng, tcb), tcb->rcv_nxt,
                          seg->data, n) != 0) {
    (void)ltcp_reasm_clear(&b->reasm, &eng->mem); /* the budget: not queued, nor its FIN */
    ltcp_events_drop(eng, LTCP_DROP_TCP_REASSEMBLY_FULL, seg);
    return;
  }
  if ((seg->flags & LTCP_FIN) && n == seg->len) {
    b->reasm.has_fin = 1;
    b->reasm.fin_seq = tcb->rcv_nxt + n;
  }
}

/* Held out-of-order bytes reached by RCV.NXT = nxt move into the ring (tcp/reasm.h); returns
 * RCV.NXT advanced over them. */
static uint32_t in_text_pull(ltcp_engine *eng, ltcp_tcb *tcb, uint32_t nxt) {
  uint32_t pruned = 0;
  nxt = ltcp_reasm_pull(&tcb->busy->reasm, &eng->mem, nxt, &tcb->busy->rcvbuf, &pruned);
  eng->stats->reasm_pruned += pruned;
  return nxt;
}

/* ESTABLISHED reached: text a SYN brought (in_syn_queue_rest) is taken, as any in-order text. */
static void in_take_queued(ltcp_engine *eng, ltcp_tcb *tcb) {
  ltcp_tcb_busy *b = tcb->busy;
  if (!b->reasm.head || b->reasm.head->seq != tcb->rcv_nxt) return;
  uint32_t nxt = in_text_pull(eng, tcb, tcb->rcv_nxt);
  if (nxt == tcb->rcv_nxt) return;
  tcb->rcv_nxt = nxt;
  if (ltcp_seq_gt(nxt, tcb->rcv_adv)) tcb->rcv_adv = nxt;
  tcb->ack_now = 1;
  ltcp_delack_hold(eng, tcb, 0);
}

/* ------------------------------------------------------------------ §3.10.7.2 LISTEN */

/* A new child of lst for seg (a SYN, or an ACK with a SYN cookie): in the host's table
 * (half-open, or for a cookie's connection an ordinary place), holding one of lst's slots,
 * with what it inherits from lst; NULL (seg dropped, counted) when the backlog (the accept
 * queue for a cookie), memory or the table is full. */
static ltcp_tcb *in_listen_child(ltcp_engine *eng, ltcp_tcb *lst, const ltcp_seg *seg,
                                 int half_open) {
  int room = half_open ? ltcp_listen_has_room(lst) : ltcp_listen_synced_room(lst);
  ltcp_tcb *tcb = room ? ltcp_life_new(eng, LTCP_LISTEN) : NULL;
  if (tcb) {
    tcb->local = (ltcp_ep){seg->dst_addr, seg->dst_port};
    tcb->remote = (ltcp_ep){seg->src_addr, seg->src_port};
    tcb->passive = 1;
    ltcp_listen_inherit(eng, lst, tcb);
    if (eng->host.attach(eng->host.ctx, tcb, half_open) != 0) {
      ltcp_life_discard(eng, tcb);
      tcb = NULL;
    }
  }
  if (!tcb) {
    ltcp_events_drop(eng, LTCP_DROP_TCP_LISTEN_OVERFLOW, seg);
    return NULL;
  }
  if (half_open) ltcp_listen_adopt(lst, tcb);
  else ltcp_listen_adopt_synced(lst, tcb);
  eng->stats->passive_opens++;
  return tcb;
}

/* ---- SYN floods (RFC 4987): SYN cookies (§3.6, tcp/syncookie.h) and the early drop */

/* Whether a SYN to lst finds no half-open slot: its backlog, or the host's half-open limit. */
static int in_listen_full(const ltcp_engine *eng, const ltcp_tcb *lst) {
  return !ltcp_listen_has_room(lst) || eng->host.half_open_full(eng->host.ctx);
}

/* cfg.syn_cookies: 2 always, 1 when no half-open slot is left (Linux's tcp_syncookies). */
static int in_listen_cookie_wanted(const ltcp_engine *eng, const ltcp_tcb *lst) {
  uint8_t mode = eng->cfg.syn_cookies;
  return mode == LTCP_SYNCOOKIE_ALWAYS || (mode == LTCP_SYNCOOKIE_WHEN_FULL && in_listen_full(eng, lst));
}

/* The SYN answered and forgotten: a SYN,ACK whose ISS is a cookie, built as a child's would be
 * (the window, MSS and options it would offer) on a TCB that lives for this call only, a view
 * in no table, heap or list. With timestamps, our TSval carries the SYN's window scale and
 * SACK-permitted (tcp/syncookie.h). */
static void in_listen_cookie_synack(ltcp_engine *eng, ltcp_tcb *lst, const ltcp_seg *seg) {
  ltcp_tcb t;
  ltcp_tcb_busy b;
  memset(&t, 0, sizeof t);
  memset(&b, 0, sizeof b);
  t.busy = &b;
  t.view = 1;
  t.state = LTCP_SYN_RECEIVED;
  t.passive = 1;
  t.fd = t.heap_idx = -1;
  t.deadline = t.ka_at = LTCP_TIME_NEVER;
  b.rtx_at = b.tw_at = b.ut_at = b.fw2_at = b.dack_at = b.rtt_start = LTCP_TIME_NEVER;
  t.local = (ltcp_ep){seg->dst_addr, seg->dst_port};
  t.remote = (ltcp_ep){seg->src_addr, seg->src_port};
  ltcp_listen_inherit(eng, lst, &t);
  ltcp_seg syn = *seg;
  if (!eng->cfg.timestamps || !syn.opts.has_timestamps) {
    /* Nothing would bring them back: no window scaling, no SACK (as Linux). */
    syn.opts.has_wscale = 0;
    syn.opts.sack_permitted = 0;
  }
  in_take_syn(eng, &t, &syn);
  t.iss = t.snd_una = ltcp_syncookie_make(eng, seg);
  t.snd_nxt = b.snd_retx = t.snd_buf_seq = t.iss + 1;
  if (t.rfc7323.ts_ok) {
    uint32_t ms = (uint32_t)(eng->now / LTCP_MS(1));
    uint32_t ts = ltcp_syncookie_tsval(ms + t.rfc7323.ts_offset,
                                       t.rfc7323.ws_ok ? t.rfc7323.snd_wscale : -1, t.sack_ok);
    t.rfc7323.ts_offset = ts - ms;
  }
  eng->stats->syn_cookies_sent++;
  ltcp_out_syn(eng, &t);
}

/* The SYN a valid cookie gives back, for the negotiation the LISTEN step would have done. */
static ltcp_seg in_cookie_syn(const ltcp_seg *ack, const ltcp_syncookie_opts *o) {
  ltcp_seg syn = {.flags = LTCP_SYN, .seq = ack->seq - 1, .wnd = ack->wnd};
  syn.src_addr = ack->src_addr;
  syn.dst_addr = ack->dst_addr;
  syn.src_port = ack->src_port;
  syn.dst_port = ack->dst_port;
  syn.opts.mss = o->mss;
  syn.opts.has_wscale = o->has_wscale;
  syn.opts.wscale = o->wscale;
  syn.opts.sack_permitted = o->sack_ok;
  syn.opts.has_timestamps = o->ts_ok;
  syn.opts.ts_val = ack->opts.ts_val;
  return syn;
}

/* An ACK brought back a valid cookie: the child is made now, as the LISTEN step would have
 * made it, and reports LISTEN -> SYN-RECEIVED with the cookie as its cause; the caller then
 * takes the ACK through SYN-RECEIVED's processing (-> ESTABLISHED), with any text or FIN it
 * carries (ltcp_input_segment). It takes a place in the connection table (not a half-open one)
 * and in the accept queue, or the ACK is dropped, counted, as Linux does when the accept queue
 * is full. */
static ltcp_tcb *in_listen_cookie_child(ltcp_engine *eng, ltcp_tcb *lst, const ltcp_seg *seg,
                                        const ltcp_syncookie_opts *o) {
  ltcp_tcb *tcb = in_listen_child(eng, lst, seg, 0);
  if (!tcb) return NULL;
  eng->stats->syn_cookies_ok++;
  ltcp_seg syn = in_cookie_syn(seg, o);
  in_take_syn(eng, tcb, &syn);
  tcb->rfc7323.last_ack_sent = tcb->rcv_nxt;
  tcb->iss = tcb->snd_una = seg->ack - 1;
  tcb->snd_nxt = tcb->busy->snd_retx = tcb->snd_buf_seq = seg->ack;
  in_take_window(tcb, &syn);
  tcb->snd_wl2 = tcb->iss;
  ltcp_seg synack = {.flags = LTCP_SYN | LTCP_ACK}; /* the window it offered: the edge stays */
  tcb->rcv_adv = tcb->rcv_nxt + ltcp_window_field(eng, tcb, synack.flags);
  ltcp_cause why = ltcp_cause_syncookie(seg);
  ltcp_life_set_state(eng, tcb, LTCP_SYN_RECEIVED, &why);
  return tcb;
}

/* Second, an ACK: <SEQ=SEG.ACK><CTL=RST>, unless it returns one of our SYN cookies (checked in
 * mode 2, and in mode 1 while cookies sent lately may come back, as Linux). A bad or expired
 * cookie is counted and reset like any other ACK (Linux's SyncookiesFailed). */
static ltcp_tcb *in_listen_ack(ltcp_engine *eng, ltcp_tcb *lst, const ltcp_seg *seg) {
  uint8_t mode = eng->cfg.syn_cookies;
  if (!(seg->flags & LTCP_SYN) &&
      (mode == LTCP_SYNCOOKIE_ALWAYS || (mode == LTCP_SYNCOOKIE_WHEN_FULL && ltcp_syncookie_recent(eng)))) {
    ltcp_syncookie_opts o;
    if (ltcp_syncookie_check(eng, seg, &o) == 0) return in_listen_cookie_child(eng, lst, seg, &o);
    eng->stats->syn_cookies_failed++;
  }
  ltcp_out_reset_reply(eng, seg);
  return NULL;
}

/* cfg.syn_cookies 0 and no slot: the oldest half-open connection (SYN,ACK sent again first)
 * makes room for the new SYN, as FreeBSD's syncache drops the oldest entry of a full bucket and
 * Linux pruned its request queue. It ends without a segment, the new SYN its cause. */
static void in_listen_early_drop(ltcp_engine *eng, ltcp_tcb *lst, const ltcp_seg *seg) {
  int own = !ltcp_listen_has_room(lst);
  if (!own && !eng->host.half_open_full(eng->host.ctx)) return;
  ltcp_tcb *old = eng->host.half_open_evict(eng->host.ctx, lst, own);
  if (!old) return;
  ltcp_cause why = ltcp_cause_segment(seg);
  eng->stats->half_open_early_drops++;
  ltcp_life_close(eng, old, 0, &why);
}

/* isn: the ISS to use (TIME-WAIT reuse), or NULL to select one. Returns the new child: in
 * SYN-RECEIVED after its SYN,ACK, or made from a SYN cookie by an ACK still to process. */
static ltcp_tcb *in_listen(ltcp_engine *eng, ltcp_tcb *lst, const ltcp_seg *seg,
                           const uint32_t *isn) {
  if (seg->flags & LTCP_RST) { /* first: an incoming RST should be ignored */
    ltcp_events_drop(eng, LTCP_DROP_TCP_LISTEN_RST, seg);
    return NULL;
  }
  if (seg->flags & LTCP_ACK) return in_listen_ack(eng, lst, seg); /* second */
  if (!(seg->flags & LTCP_SYN)) { /* fourth: "any other control or text-bearing segment" */
    ltcp_events_drop(eng, LTCP_DROP_TCP_LISTEN_NO_SYN, seg);
    return NULL;
  }
  if (!isn && in_listen_cookie_wanted(eng, lst)) {
    if (ltcp_listen_synced_room(lst)) in_listen_cookie_synack(eng, lst, seg);
    else ltcp_events_drop(eng, LTCP_DROP_TCP_LISTEN_OVERFLOW, seg); /* accept queue full */
    return NULL;
  }
  if (eng->cfg.syn_cookies == LTCP_SYNCOOKIE_NEVER) in_listen_early_drop(eng, lst, seg);
  ltcp_tcb *tcb = in_listen_child(eng, lst, seg, 1);
  if (!tcb) return NULL;
  /* Fourth, SYN: RCV.NXT <- SEG.SEQ+1, IRS <- SEG.SEQ, select ISS, send <SEQ=ISS><ACK=RCV.NXT>
   * <CTL=SYN,ACK>, SND.NXT <- ISS+1, SND.UNA <- ISS. Text in the SYN is not taken (as Linux):
   * it is not acknowledged, so the peer sends it again. */
  in_take_syn(eng, tcb, seg);
  tcb->iss = isn ? *isn : ltcp_isn_select(eng, &tcb->local, &tcb->remote);
  tcb->snd_una = tcb->iss;
  tcb->snd_nxt = tcb->busy->snd_retx = tcb->snd_buf_seq = tcb->iss + 1;
  in_take_window(tcb, seg);
  tcb->snd_wl2 = tcb->iss;
  ltcp_cause why = ltcp_cause_segment(seg);
  ltcp_life_set_state(eng, tcb, LTCP_SYN_RECEIVED, &why);
  tcb->busy->rtt_start = eng->now;
  tcb->busy->rtt_seq = tcb->iss + 1;
  ltcp_out_syn(eng, tcb);
  ltcp_out_arm_rtx(eng, tcb);
  return tcb;
}

/* ------------------------------------------------------------------ §3.10.7.3 SYN-SENT */

static void in_syn_sent_synced(ltcp_engine *eng, ltcp_tcb *tcb, const ltcp_seg *seg,
                               const ltcp_cause *why);

/* An ACK of new data after retransmission timeouts, which gives no RTT sample (Karn's
 * algorithm, MUST-18): the RTO backed off by the timeouts stays in force until a new sample
 * recomputes it (RFC 6298 §5.5 and the note after §5.7); when it was our SYN that timed out,
 * data starts with RTO = 3 s instead (RFC 6298 §5.7). Zero-window probes back off their own
 * timer only (RFC 1122 4.2.2.17): they leave the RTO alone. */
static void in_rto_after_timeout(ltcp_engine *eng, ltcp_tcb *tcb, int syn_acked) {
  if (!tcb->rto_backed_off) return;
  tcb->rto_backed_off = 0;
  if (!syn_acked) tcb->rto = ltcp_rtt_backed_off(eng, tcb);
  else if (tcb->rto < LTCP_SEC(3))
    tcb->rto = eng->cfg.rto_max_ns < LTCP_SEC(3) ? eng->cfg.rto_max_ns : LTCP_SEC(3);
}

static void in_syn_sent(ltcp_engine *eng, ltcp_tcb *tcb, const ltcp_seg *seg) {
  ltcp_cause why = ltcp_cause_segment(seg);
  int ack_ok = 0;
  if (seg->flags & LTCP_ACK) { /* first: check the ACK */
    if (ltcp_seq_le(seg->ack, tcb->iss) || ltcp_seq_gt(seg->ack, tcb->snd_nxt)) {
      ltcp_out_reset_reply(eng, seg); /* <SEQ=SEG.ACK><CTL=RST>, unless RST is set */
      ltcp_events_drop(eng, LTCP_DROP_TCP_SYN_SENT_BAD_ACK, seg);
      return;
    }
    ack_ok = ltcp_seq_le(tcb->snd_una, seg->ack) && ltcp_seq_le(seg->ack, tcb->snd_nxt);
  }
  if (seg->flags & LTCP_RST) { /* second: RST, only with an acceptable ACK */
    if (!ack_ok) {
      ltcp_events_drop(eng, LTCP_DROP_TCP_SYN_SENT_RST, seg);
      return;
    }
    eng->stats->resets++;
    ltcp_life_close(eng, tcb, ECONNREFUSED, &why); /* "error: connection reset" */
    return;
  }
  if (!(seg->flags & LTCP_SYN)) { /* fifth: neither SYN nor RST */
    ltcp_events_drop(eng, LTCP_DROP_TCP_SYN_SENT_NO_SYN, seg);
    return;
  }
  /* Fourth: the SYN. */
  in_take_syn(eng, tcb, seg);
  if (ack_ok && ltcp_seq_gt(seg->ack, tcb->iss)) {
    in_syn_sent_synced(eng, tcb, seg, &why);
    return;
  }
  /* Simultaneous open: SYN-RECEIVED, <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>. */
  in_take_window(tcb, seg);
  in_syn_queue_rest(eng, tcb, seg);
  ltcp_life_set_state(eng, tcb, LTCP_SYN_RECEIVED, &why);
  tcb->busy->rtt_start = LTCP_TIME_NEVER;
  tcb->busy->rtx_at = LTCP_TIME_NEVER;
  ltcp_out_syn(eng, tcb);
  ltcp_out_arm_rtx(eng, tcb);
}

static void in_text(ltcp_engine *eng, ltcp_tcb *tcb, const ltcp_seg *seg);
static int in_fin(ltcp_engine *eng, ltcp_tcb *tcb, const ltcp_seg *seg, const ltcp_cause *why);

/* Our SYN is acknowledged: ESTABLISHED, then the rest of the segment from the sixth step. */
static void in_syn_sent_synced(ltcp_engine *eng, ltcp_tcb *tcb, const ltcp_seg *seg,
                               const ltcp_cause *why) {
  tcb->snd_una = seg->ack;
  if (tcb->busy->rtt_start != LTCP_TIME_NEVER && tcb->busy->retries == 0)
    ltcp_rtt_sample(eng, tcb, eng->now - tcb->busy->rtt_start); /* Karn: never a retransmitted SYN */
  tcb->busy->rtt_start = LTCP_TIME_NEVER;
  in_rto_after_timeout(eng, tcb, 1);
  tcb->busy->retries = 0;
  tcb->busy->rtx_at = LTCP_TIME_NEVER;
  tcb->busy->ut_at = LTCP_TIME_NEVER;
  in_take_window(tcb, seg);
  ltcp_life_set_state(eng, tcb, LTCP_ESTABLISHED, why);
  tcb->ack_now = 1; /* <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> */
  in_text(eng, tcb, seg);
  if (in_fin(eng, tcb, seg, why) == IN_DONE) return;
  ltcp_output(eng, tcb);
  ltcp_timer_update(eng, tcb);
}

/* ------------------------------------------------------------------ §3.10.7.4 other states */

/* First: the acceptability test, Table 6. */
static int in_acceptable(const ltcp_engine *eng, const ltcp_tcb *tcb, const ltcp_seg *seg) {
  uint32_t len = ltcp_seg_seqlen(seg), wnd = ltcp_window_rcv(eng, tcb);
  uint32_t nxt = tcb->rcv_nxt, end = tcb->rcv_nxt + wnd;
  if (wnd == 0) {
    /* "Special allowance should be made to accept valid ACKs, URGs, and RSTs": a segment at
     * RCV.NXT is processed for its controls; its text finds no room (as Linux does). */
    return seg->seq == nxt;
  }
  if (len == 0) return ltcp_seq_in(seg->seq, nxt, end);
  return ltcp_seq_in(seg->seq, nxt, end) || ltcp_seq_in(seg->seq + len - 1, nxt, end);
}

/* RFC 793 Figure 8 line 6 (simultaneous open): our SYN,ACK crossed the peer's, which repeats
 * the SYN we already took; it is accepted as the ACK of our SYN, as Linux does. */
static int in_is_simopen_synack(const ltcp_tcb *tcb, const ltcp_seg *seg) {
  return tcb->state == LTCP_SYN_RECEIVED && !tcb->passive &&
         (seg->flags & (LTCP_SYN | LTCP_ACK | LTCP_RST)) == (LTCP_SYN | LTCP_ACK) &&
         seg->seq + 1 == tcb->rcv_nxt && seg->ack == tcb->snd_nxt && seg->len == 0;
}

/* §3.10.7.4 lets an implementation trim "any portions that lie outside the window (including
 * SYN and FIN)" and go on with what begins at RCV.NXT. An old duplicate that ends exactly at
 * RCV.NXT leaves an empty segment there, whose ACK is taken: Linux accepts it (tcp_sequence:
 * its end is not before RCV.NXT), FreeBSD trims it. So a repeated FIN,ACK that acknowledges
 * our FIN ends CLOSING instead of being dropped with its ACK. */
static int in_trimmed_to_edge(const ltcp_tcb *tcb, const ltcp_seg *seg) {
  uint32_t n = ltcp_seg_seqlen(seg);
  return n > 0 && (seg->flags & (LTCP_SYN | LTCP_RST | LTCP_ACK)) == LTCP_ACK &&
         seg->seq + n == tcb->rcv_nxt;
}

static void in_challenge_ack(ltcp_engine *eng, ltcp_tcb *tcb, ltcp_drop_reason why,
                             const ltcp_seg *seg);

static void in_unacceptable(ltcp_engine *eng, ltcp_tcb *tcb, const ltcp_seg *seg) {
  if (seg->flags & LTCP_RST) { /* RFC 5961 §3 check 1: silently drop */
    ltcp_events_drop(eng, LTCP_DROP_TCP_RST_OUT_OF_WINDOW, seg);
    return;
  }
  if (tcb->state == LTCP_TIME_WAIT && (seg->flags & LTCP_FIN) &&
      seg->seq + ltcp_seg_seqlen(seg) == tcb->rcv_nxt) {
    /* §3.10.7.4 fifth and eighth, TIME-WAIT: a retransmission of the remote FIN is
     * acknowledged and the 2 MSL timeout restarts. */
    ltcp_timer_start_time_wait(eng, tcb);
    ltcp_out_ack(eng, tcb);
    ltcp_events_drop(eng, LTCP_DROP_TCP_TIME_WAIT_FIN, seg);
    return;
  }
  if (seg->len > 0 && ltcp_seq_le(seg->seq + seg->len, tcb->rcv_nxt))
    ltcp_sack_rcv_dup(tcb, seg->seq, seg->seq + seg->len); /* RFC 2883 §4.1.1: old data */
  /* An ACK loop: two ends whose sequence numbers disagree (a blind SYN made a SYN-SENT a
   * simultaneous open, say) would answer each other's ACKs with ACKs for ever, each such
   * segment adding a loop. So, as Linux (tcp_oow_rate_limited) and FreeBSD (its ACK war
   * check) do, the ACK answering a segment without text or FIN, or with SYN, counts against
   * the connection's RFC 5961 §7 limit; one answering text never does. */
  if ((seg->len == 0 && !(seg->flags & LTCP_FIN)) || (seg->flags & LTCP_SYN)) {
    in_challenge_ack(eng, tcb, LTCP_DROP_TCP_OUT_OF_WINDOW, seg);
    return;
  }
  ltcp_out_ack(eng, tcb); /* <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> */
  ltcp_events_drop(eng, LTCP_DROP_TCP_OUT_OF_WINDOW, seg);
}

/* SYN-RECEIVED from a passive OPEN goes back to LISTEN: the child disappears and its
 * listener carries on (§3.10.7.4 second and fourth). */
static void in_return_to_listen(ltcp_engine *eng, ltcp_tcb *tcb, const ltcp_cause *why) {
  ltcp_life_set_state(eng, tcb, LTCP_LISTEN, why);
  ltcp_life_delete(eng, tcb);
}

/* RFC 5961 §7: a challenge ACK (or the ACK of an unacceptable ACK or segment), at most
 * cfg.challenge_ack_limit per connection in each cfg.challenge_ack_interval_ns. The count lives
 * in 7 spare bits of the TCB (a busy part sleeps between attacks): the interval is named by its
 * number modulo 8, so a count is taken again after 8 intervals of silence at worst, which only
 * sends fewer ACKs, never more. Per connection, so the limit tells an off-path attacker nothing
 * about other connections (CVE-2016-5696, Linux's one global counter). A compact TIME-WAIT or
 * half-open record keeps the count between the segments it meets (as Linux's timewait and
 * request socks keep last_oow_ack_time): with both ends answering every segment, an ACK war
 * between a TIME-WAIT and a half-open connection on its tuple grew with each duplicated
 * packet into a storm (swarm seed 418231). */
static void in_challenge_ack(ltcp_engine *eng, ltcp_tcb *tcb, ltcp_drop_reason why,
                             const ltcp_seg *seg) {
  const ltcp_stack_config *c = &eng->cfg;
  if (c->challenge_ack_limit && c->challenge_ack_interval_ns) {
    unsigned epoch = (unsigned)(eng->now / c->challenge_ack_interval_ns) & 7u;
    if (tcb->chack_epoch != epoch) {
      tcb->chack_epoch = epoch;
      tcb->chack_count = 0;
    }
    if (tcb->chack_count >= c->challenge_ack_limit) {
      ltcp_events_drop(eng, LTCP_DROP_TCP_CHALLENGE_LIMITED, seg);
      return;
    }
    tcb->chack_count = (tcb->chack_count + 1u) & 15u;
  }
  if (why != LTCP_DROP_TCP_ACK_UNACCEPTABLE && why != LTCP_DROP_TCP_OUT_OF_WINDOW)
    eng->stats->challenge_acks++;
  ltcp_out_ack(eng, tcb); /* <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> */
  ltcp_events_drop(eng, why, seg);
}

/* Second: the RST bit (RFC 5961 §3 checks, as RFC 9293 gives them). */
static void in_rst(ltcp_engine *eng, ltcp_tcb *tcb, const ltcp_seg *seg, const ltcp_cause *why) {
  eng->stats->rst_in++;
  /* Check 3: in the window but not exact: a challenge ACK. Without RFC 5961 (cfg), RFC 793's
   * rule: any RST in the window resets. */
  if (seg->seq != tcb->rcv_nxt && eng->cfg.rst_challenge) {
    in_challenge_ack(eng, tcb, LTCP_DROP_TCP_RST_CHALLENGED, seg);
    return;
  }
  switch (tcb->state) {
    case LTCP_SYN_RECEIVED:
      if (tcb->passive) {
        in_return_to_listen(eng, tcb, why);
      } else {
        eng->stats->resets++;
        ltcp_life_close(eng, tcb, ECONNREFUSED, why); /* "connection refused" */
      }
      return;
    case LTCP_TIME_WAIT:
      if (eng->cfg.rfc1337) { /* RFC 1337 TW-1: an RST does not end TIME-WAIT */
        ltcp_events_drop(eng, LTCP_DROP_TCP_TIME_WAIT_RST, seg);
        return;
      }
      ltcp_life_close(eng, tcb, 0, why);
      return;
    case LTCP_CLOSING:
    case LTCP_LAST_ACK:
      /* §3.10.7.4: "enter the CLOSED state, delete the TCB"; the RFC signals nothing here, but
       * BSD and Linux sockets report ECONNRESET (SO_ERROR), which applications rely on. */
      eng->stats->resets++;
      ltcp_life_close(eng, tcb, ECONNRESET, why);
      return;
    default: /* ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2, CLOSE-WAIT: "connection reset" */
      eng->stats->resets++;
      ltcp_life_close(eng, tcb, ECONNRESET, why);
      return;
  }
}

/* Fourth: the SYN bit. */
static void in_syn(ltcp_engine *eng, ltcp_tcb *tcb, const ltcp_seg *seg, const ltcp_cause *why) {
  if (tcb->state == LTCP_SYN_RECEIVED && tcb->passive) {
    in_return_to_listen(eng, tcb, why);
    return;
  }
  if (!eng->cfg.syn_challenge) {
    /* RFC 793's rule, kept by RFC 9293 §3.10.7.4 for implementations without RFC 5961: a SYN
     * in the window (it passed the first check) is an error: send a reset, signal "connection
     * reset", enter CLOSED. */
    eng->stats->resets++;
    ltcp_out_rst_ack(eng, tcb);
    ltcp_life_close(eng, tcb, ECONNRESET, why);
    return;
  }
  /* Synchronized states: RFC 5961 §4 challenge ACK, irrespective of the sequence number. */
  in_challenge_ack(eng, tcb, LTCP_DROP_TCP_SYN_CHALLENGED, seg);
}

/* New data acknowledged (SND.UNA < SEG.ACK =< SND.NXT): free the buffer, time the round
 * trip, restart or stop the retransmission timer (cwnd grows in tcp/recovery.c). */
static void in_ack_new(ltcp_engine *eng, ltcp_tcb *tcb, uint32_t ack) {
  in_rto_after_timeout(eng, tcb, tcb->snd_una == tcb->iss); /* before any new sample */
  int32_t data = (int32_t)(ack - tcb->snd_buf_seq);
  if (data > 0) {
    ltcp_tcb_busy *b = tcb->busy;
    uint32_t held = b->sndbuf.len + b->zc.bytes;
    uint32_t n = (uint32_t)data < held ? (uint32_t)data : held;
    /* Lent buffers now wholly acknowledged can no longer be sent again: released. */
    if (__builtin_expect(b->zc.head != NULL, 0))
      ltcp_zc_consume(eng, &b->zc, &b->sndbuf, tcb->snd_buf_seq, n);
    else
      ltcp_ring_consume(&b->sndbuf, n);
    tcb->snd_buf_seq += n;
  }
  tcb->snd_una = ack;
  if (ltcp_seq_lt(tcb->busy->snd_retx, ack)) tcb->busy->snd_retx = ack;
  if (ltcp_opts_rtt_sample(eng, tcb)) tcb->busy->rtt_start = LTCP_TIME_NEVER; /* RFC 7323 §4.1 */
  if (tcb->busy->rtt_start != LTCP_TIME_NEVER && ltcp_seq_ge(ack, tcb->busy->rtt_seq)) {
    ltcp_rtt_sample(eng, tcb, eng->now - tcb->busy->rtt_start);
    tcb->busy->rtt_start = LTCP_TIME_NEVER;
  }
  tcb->busy->retries = 0;
  tcb->busy->probes = 0;
  /* RFC 6298 §5.2 and §5.3. */
  tcb->busy->rtx_at = LTCP_TIME_NEVER;
  tcb->busy->ut_at = LTCP_TIME_NEVER;
  if (tcb->snd_una != tcb->snd_nxt) ltcp_out_arm_rtx(eng, tcb);
  else ltcp_timer_update(eng, tcb);
}

/* §3.8.6.1: the window reopened after zero-window probes. The probe bytes sent into the closed
 * window were not taken (the peer still acknowledges SND.UNA), so send again from SND.UNA now
 * rather than when the probes' backed-off timer expires; that back-off was the persist timer's
 * (RFC 1122 4.2.2.17), and a byte sent twice gives no RTT sample (Karn, MUST-18). */
static void in_window_reopened(ltcp_engine *eng, ltcp_tcb *tcb) {
  tcb->busy->retries = 0;
  tcb->busy->snd_retx = tcb->snd_una;
  tcb->busy->rtt_start = LTCP_TIME_NEVER;
  tcb->busy->rtx_at = LTCP_TIME_NEVER;
  ltcp_timer_update(eng, tcb);
}

/* §3.10.7.4 fifth, ESTABLISHED processing, shared by every synchronized state. */
static int in_ack_established(ltcp_engine *eng, ltcp_tcb *tcb, const ltcp_seg *seg) {
  uint32_t ack = seg->ack, old_wnd = tcb->snd_wnd, old_una = tcb->snd_una;
  /* RFC 5961 §5 (MAY-12): (SND.UNA - MAX.SND.WND) =< SEG.ACK =< SND.NXT, else ACK and drop.
   * SEG.ACK > SND.NXT is also §3.10.7.4's "acks something not yet sent". */
  if (ltcp_seq_gt(ack, tcb->snd_nxt) || ltcp_seq_lt(ack, tcb->snd_una - tcb->snd_max_wnd)) {
    in_challenge_ack(eng, tcb, LTCP_DROP_TCP_ACK_UNACCEPTABLE, seg); /* RFC 5961 §5.2, §7 */
    return IN_DONE;
  }
  tcb->busy->probes = 0; /* the peer answers: zero-window probing may go on */
  if (ltcp_seq_lt(tcb->snd_una, ack)) in_ack_new(eng, tcb, ack);
  /* SND.UNA =< SEG.ACK =< SND.NXT: update the send window from the newest segment. */
  if (ltcp_seq_le(tcb->snd_una, ack) &&
      (ltcp_seq_lt(tcb->snd_wl1, seg->seq) ||
       (tcb->snd_wl1 == seg->seq && ltcp_seq_le(tcb->snd_wl2, ack)))) {
    in_take_window(tcb, seg);
  }
  if (old_wnd == 0 && tcb->snd_wnd > 0 && tcb->busy->retries > 0 && !tcb->rto_backed_off)
    in_window_reopened(eng, tcb);
  /* Congestion control, duplicate ACKs and fast recovery (tcp/recovery.c). */
  ltcp_recovery_on_ack(eng, tcb, seg, old_una, old_wnd);
  return IN_CONTINUE;
}

/* Fifth: the ACK field, per state. */
static int in_ack(ltcp_engine *eng, ltcp_tcb *tcb, const ltcp_seg *seg, const ltcp_cause *why) {
  if (!(seg->flags & LTCP_ACK)) {
    ltcp_events_drop(eng, LTCP_DROP_TCP_NO_ACK, seg);
    return IN_DONE;
  }
  if (tcb->state == LTCP_SYN_RECEIVED) {
    if (!(ltcp_seq_lt(tcb->snd_una, seg->ack) && ltcp_seq_le(seg->ack, tcb->snd_nxt))) {
      ltcp_out_reset_reply(eng, seg); /* <SEQ=SEG.ACK><CTL=RST> */
      ltcp_events_drop(eng, LTCP_DROP_TCP_SYN_RECEIVED_BAD_ACK, seg);
      return IN_DONE;
    }
    /* RFC 4987: the child leaves the half-open count for the connection table's; a full
     * table drops the ACK (the peer sends it again), as Linux a full accept queue. */
    if (tcb->passive && eng->host.promote(eng->host.ctx, tcb) != 0) {
      ltcp_events_drop(eng, LTCP_DROP_TCP_TABLE_FULL, seg);
      return IN_DONE;
    }
    in_take_window(tcb, seg);
    if (tcb->passive) in_round_rcvbuf(eng, tcb);
    ltcp_life_set_state(eng, tcb, tcb->fin_queued ? LTCP_FIN_WAIT_1 : LTCP_ESTABLISHED, why);
    in_take_queued(eng, tcb);
  }
  if (in_ack_established(eng, tcb, seg) == IN_DONE) return IN_DONE;
  switch (tcb->state) {
    case LTCP_FIN_WAIT_1:
      if (ltcp_tcb_fin_acked(tcb)) {
        ltcp_life_set_state(eng, tcb, LTCP_FIN_WAIT_2, why);
        ltcp_timer_orphan_fin_wait_2(eng, tcb);
      }
      return IN_CONTINUE;
    case LTCP_CLOSING:
      if (!ltcp_tcb_fin_acked(tcb)) {
        /* §3.10.7.4 fifth, CLOSING: "otherwise, ignore the segment", but only after the
         * ESTABLISHED processing, whose ACK may open the window for data still queued before
         * our FIN: send it, or nothing would (no timer runs while all sent data is acked). */
        ltcp_output(eng, tcb);
        return IN_DONE;
      }
      ltcp_life_set_state(eng, tcb, LTCP_TIME_WAIT, why);
      ltcp_timer_start_time_wait(eng, tcb);
      return IN_CONTINUE;
    case LTCP_LAST_ACK:
      if (ltcp_tcb_fin_acked(tcb)) {
        ltcp_life_close(eng, tcb, 0, why);
        return IN_DONE;
      }
      return IN_CONTINUE;
    case LTCP_TIME_WAIT:
      /* §3.10.7.4 fifth, TIME-WAIT: "The only thing that can arrive in this state is a
       * retransmission of the remote FIN. Acknowledge it, and restart the 2 MSL timeout."
       * Whatever else is acceptable is acknowledged too (Linux, FreeBSD), but a bare ACK at
       * RCV.NXT, the peer's answer to ours, is not: ACKs are not acknowledged. */
      if (seg->seq != tcb->rcv_nxt || seg->len > 0 || (seg->flags & LTCP_FIN)) {
        tcb->ack_now = 1;
        ltcp_timer_start_time_wait(eng, tcb);
      }
      return IN_CONTINUE;
    default:
      return IN_CONTINUE;
  }
}

/* Data arriving after the user closed the socket cannot be delivered: RFC 1122 4.2.2.13,
 * as Linux does, answers with a reset. */
static int in_text_orphaned(ltcp_engine *eng, ltcp_tcb *tcb, const ltcp_seg *seg) {
  if (!tcb->orphan || seg->len == 0 || !ltcp_seq_gt(seg->seq + seg->len, tcb->rcv_nxt))
    return 0;
  ltcp_cause why = ltcp_cause_segment(seg);
  ltcp_out_rst(eng, tcb, tcb->snd_nxt);
  ltcp_life_close(eng, tcb, 0, &why);
  return 1;
}

/* RFC 2883 §4.1: text [seq, end) that partly or wholly arrived before is reported as the first
 * SACK block of the ACK, a D-SACK: its first duplicated range, below RCV.NXT or in the
 * out-of-order data held (as Linux and FreeBSD report it). Returns 1 if some of it did. */
static int in_text_dups(ltcp_tcb *tcb, uint32_t seq, uint32_t end) {
  if (ltcp_seq_lt(seq, tcb->rcv_nxt)) {
    ltcp_sack_rcv_dup(tcb, seq, ltcp_seq_min(end, tcb->rcv_nxt));
    return 1;
  }
  ltcp_reasm_range dup;
  if (!tcb->busy->reasm.head || !ltcp_reasm_overlap(&tcb->busy->reasm, seq, end, &dup)) return 0;
  ltcp_sack_rcv_dup(tcb, dup.start, dup.end);
  return 1;
}

/* In-order text into the receive ring; returns the bytes taken. The ring grows up to the
 * memory limit (tcp/mem.h); at the limit the connection's own out-of-order blocks go first, as
 * Linux's tcp_prune_ofo_queue (in-order data is what the application can use; RFC 2018 §8
 * lets a receiver discard SACKed data, which the sender keeps until it is acknowledged). What
 * still does not fit is dropped and counted: new data, never acknowledged, so the right edge
 * promised stays where it was and the peer sends it again. */
static uint32_t in_text_store(ltcp_engine *eng, ltcp_tcb *tcb, const ltcp_seg *seg,
                              const uint8_t *data, uint32_t n) {
  ltcp_tcb_busy *b = tcb->busy;
  uint32_t got = ltcp_ring_append(&b->rcvbuf, &eng->mem, LTCP_MEM_LIMIT, data, n);
  if (got == n) return n;
  if (b->reasm.head) {
    eng->stats->reasm_pruned += ltcp_reasm_clear(&b->reasm, &eng->mem);
    b->sack.recent_count = 0;
    got += ltcp_ring_append(&b->rcvbuf, &eng->mem, LTCP_MEM_LIMIT, data + got, n - got);
  }
  if (got < n) ltcp_events_drop(eng, LTCP_DROP_TCP_NO_BUFFER_MEMORY, seg);
  return got;
}

/* Text beyond RCV.NXT is held in blocks of its own size (tcp/reasm.h, SHLD-31) within the
 * connection's and the stack's bounds; what cannot be held is dropped and counted. */
static void in_text_hold(ltcp_engine *eng, ltcp_tcb *tcb, const ltcp_seg *seg, uint32_t seq,
                         const uint8_t *data, uint32_t n) {
  if (ltcp_reasm_add(&tcb->busy->reasm, &eng->mem, in_reasm_conn_max(eng, tcb), seq, data, n) != 0)
    ltcp_events_drop(eng, LTCP_DROP_TCP_REASSEMBLY_FULL, seg);
  else ltcp_sack_rcv_note(tcb, seq, seq + n); /* RFC 2018 §4: newest block first */
}

/* Seventh: the segment text. Data beyond RCV.NXT is held apart (SHLD-31) until the hole
 * fills; it is acknowledged at once, and so is data that fills a hole or is old. In-order data
 * goes into the ring and may wait for a delayed ACK (delack.c). */
static void in_text(ltcp_engine *eng, ltcp_tcb *tcb, const ltcp_seg *seg) {
  if (seg->len == 0) return;
  uint32_t seq = seg->seq + ((seg->flags & LTCP_SYN) ? 1u : 0u), n = seg->len;
  const uint8_t *data = seg->data;
  int owed = tcb->ack_now; /* an ACK already owed stays owed (delack.c) */
  tcb->ack_now = 1;
  int dup = in_text_dups(tcb, seq, seq + n);
  if (ltcp_seq_lt(seq, tcb->rcv_nxt)) { /* only the new part is processed */
    uint32_t skip = tcb->rcv_nxt - seq;
    if (skip >= n) return;
    data += skip;
    n -= skip;
    seq = tcb->rcv_nxt;
  }
  uint32_t off = seq - tcb->rcv_nxt, room = ltcp_ring_free_space(&tcb->busy->rcvbuf);
  if (off >= room) return;
  if (n > room - off) n = room - off;
  if (off > 0) {
    in_text_hold(eng, tcb, seg, seq, data, n);
    return;
  }
  uint32_t got = in_text_store(eng, tcb, seg, data, n);
  if (got == 0) return;
  /* RFC 5681 §4.2: a segment into a gap is ACKed at once; so is one that repeats text (its
   * D-SACK tells the sender at once, as Linux and FreeBSD do). */
  int hole = tcb->busy->reasm.head != NULL || dup;
  uint32_t nxt = seq + got;
  if (tcb->busy->reasm.head) nxt = in_text_pull(eng, tcb, nxt);
  tcb->rcv_nxt = nxt;
  /* Text past the offered window but within the buffer is taken; the edge follows it. */
  if (ltcp_seq_gt(nxt, tcb->rcv_adv)) tcb->rcv_adv = nxt;
  if (tcb->rcv_shut) ltcp_ring_consume(&tcb->busy->rcvbuf, tcb->busy->rcvbuf.len); /* SHUT_RD discards */
  if (!hole) ltcp_delack_hold(eng, tcb, owed);
}

static int in_can_take_text(ltcp_state s) {
  return s == LTCP_ESTABLISHED || s == LTCP_FIN_WAIT_1 || s == LTCP_FIN_WAIT_2;
}

/* Eighth: the FIN bit. The FIN counts only once every byte before it has arrived; an early
 * FIN is remembered with the out-of-order data. */
static int in_fin(ltcp_engine *eng, ltcp_tcb *tcb, const ltcp_seg *seg, const ltcp_cause *why) {
  if ((seg->flags & LTCP_FIN) && tcb->fin_rcvd) {
    /* An acceptable FIN after the one taken (CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT): the
     * eighth step acknowledges it, and TIME-WAIT restarts its 2 MSL (as Linux and FreeBSD). */
    tcb->ack_now = 1;
    if (tcb->state == LTCP_TIME_WAIT) {
      ltcp_timer_start_time_wait(eng, tcb);
      ltcp_events_drop(eng, LTCP_DROP_TCP_TIME_WAIT_FIN, seg); /* counted, and shown */
    }
    return IN_CONTINUE;
  }
  if (seg->flags & LTCP_FIN) {
    uint32_t fin_seq = seg->seq + ltcp_seg_seqlen(seg) - 1;
    uint32_t edge = tcb->rcv_nxt + ltcp_ring_free_space(&tcb->busy->rcvbuf) + 1;
    if (ltcp_seq_gt(fin_seq, tcb->rcv_nxt) && ltcp_seq_lt(fin_seq, edge)) {
      tcb->busy->reasm.has_fin = 1;
      tcb->busy->reasm.fin_seq = fin_seq;
      tcb->ack_now = 1; /* RFC 5681 §4.2: an out-of-order segment is ACKed at once */
    }
  }
  int fin_here = (seg->flags & LTCP_FIN) && seg->seq + ltcp_seg_seqlen(seg) - 1 == tcb->rcv_nxt;
  int fin_held = tcb->busy->reasm.has_fin && tcb->busy->reasm.fin_seq == tcb->rcv_nxt;
  if (tcb->fin_rcvd || !(fin_here || fin_held)) return IN_CONTINUE;
  /* Nothing follows a FIN: out-of-order text or an early FIN held beyond it goes. */
  (void)ltcp_reasm_clear(&tcb->busy->reasm, &eng->mem);
  tcb->busy->sack.recent_count = 0;
  tcb->busy->reasm.has_fin = 0;
  tcb->fin_rcvd = 1;
  tcb->rcv_nxt += 1; /* advance RCV.NXT over the FIN and acknowledge it */
  /* A FIN just past a full window is taken too (as Linux; the choices table): the edge moves
   * with it, so RCV.NXT never passes RCV.ADV (swarm seeds 44779, 50074). */
  if (ltcp_seq_gt(tcb->rcv_nxt, tcb->rcv_adv)) tcb->rcv_adv = tcb->rcv_nxt;
  tcb->ack_now = 1;
  switch (tcb->state) {
    case LTCP_SYN_RECEIVED:
    case LTCP_ESTABLISHED:
      ltcp_life_set_state(eng, tcb, LTCP_CLOSE_WAIT, why);
      break;
    case LTCP_FIN_WAIT_1:
      if (ltcp_tcb_fin_acked(tcb)) {
        ltcp_life_set_state(eng, tcb, LTCP_TIME_WAIT, why);
        ltcp_timer_start_time_wait(eng, tcb);
      } else {
        ltcp_life_set_state(eng, tcb, LTCP_CLOSING, why);
      }
      break;
    case LTCP_FIN_WAIT_2:
      ltcp_life_set_state(eng, tcb, LTCP_TIME_WAIT, why);
      ltcp_timer_start_time_wait(eng, tcb);
      break;
    default: /* CLOSE-WAIT, CLOSING, LAST-ACK remain; TIME-WAIT restarts 2 MSL */
      if (tcb->state == LTCP_TIME_WAIT) ltcp_timer_start_time_wait(eng, tcb);
      break;
  }
  return IN_CONTINUE;
}

static void in_other(ltcp_engine *eng, ltcp_tcb *tcb, const ltcp_seg *seg) {
  ltcp_cause why = ltcp_cause_segment(seg);
  int simopen = in_is_simopen_synack(tcb, seg);
  ltcp_drop_reason paws = ltcp_opts_reject(eng, tcb, seg); /* RFC 7323 §3.2, §5.3 R1 */
  if (paws != LTCP_DROP_NONE) {
    if (paws == LTCP_DROP_TCP_PAWS) ltcp_out_ack(eng, tcb); /* R1: an old duplicate is ACKed */
    ltcp_events_drop(eng, paws, seg);
    return;
  }
  if (!simopen && !in_acceptable(eng, tcb, seg)) { /* first */
    if (!in_trimmed_to_edge(tcb, seg)) {
      in_unacceptable(eng, tcb, seg);
      return;
    }
    tcb->ack_now = 1; /* a duplicate is acknowledged all the same */
  }
  /* RFC 7323 §5.3 R3, §4.3: TS.Recent from an acceptable segment only; one whose ACK covers
   * what was never sent is dropped in the fifth step and must not move it first (Linux's
   * tcp_ack and FreeBSD check the ACK before taking the timestamp). */
  if (!(seg->flags & LTCP_ACK) || ltcp_seq_le(seg->ack, tcb->snd_nxt)) ltcp_opts_take_ts(eng, tcb, seg);
  ltcp_keepalive_heard(eng, tcb);
  if (seg->flags & LTCP_RST) { /* second */
    in_rst(eng, tcb, seg, &why);
    return;
  }
  /* Third, security/compartment: lucidtcp carries no IP security options; nothing to check. */
  if ((seg->flags & LTCP_SYN) && !simopen) { /* fourth */
    in_syn(eng, tcb, seg, &why);
    return;
  }
  if (in_ack(eng, tcb, seg, &why) == IN_DONE) return; /* fifth */
  /* Sixth, URG: RCV.UP <- max(RCV.UP, SEG.UP); the urgent data stays inline (RFC 6093). */
  if ((seg->flags & LTCP_URG) && in_can_take_text(tcb->state) &&
      ltcp_seq_gt(seg->seq + seg->urp, tcb->busy->rcv_up))
    tcb->busy->rcv_up = seg->seq + seg->urp;
  if (in_can_take_text(tcb->state)) { /* seventh */
    if (in_text_orphaned(eng, tcb, seg)) return;
    in_text(eng, tcb, seg);
  } else if (seg->len && ltcp_seq_ge(seg->seq + seg->len, tcb->rcv_nxt)) {
    ltcp_events_drop(eng, LTCP_DROP_TCP_TEXT_AFTER_FIN, seg);
  }
  in_fin(eng, tcb, seg, &why); /* eighth */
  ltcp_output(eng, tcb);
}

/* ------------------------------------------------------------------ the dispatch */

/* §3.10.7.1 CLOSED (no connection, no listener): a reset for anything but a reset. */
static void in_closed(ltcp_engine *eng, const ltcp_seg *seg) {
  if (seg->flags & LTCP_RST) {
    eng->stats->rst_in++;
    ltcp_events_drop(eng, LTCP_DROP_TCP_RST_NO_CONN, seg);
    return;
  }
  ltcp_out_reset_reply(eng, seg); /* <SEQ=SEG.ACK><CTL=RST> or <SEQ=0><ACK=...><CTL=RST,ACK> */
}

/* RFC 9293 §3.6 (MAY-2), as Linux and FreeBSD: a new SYN above the old connection's RCV.NXT
 * (or, with timestamps, a newer TSval: RFC 6191, SHLD-4) may end TIME-WAIT and open a new
 * connection, with an ISS above the old SND.NXT. Returns 1 when the SYN went to the listener
 * (*child: the new connection, or NULL when it could not be made). */
static int in_time_wait_reuse(ltcp_engine *eng, ltcp_tcb *tcb, const ltcp_seg *seg,
                              ltcp_tcb **child) {
  if (!eng->cfg.time_wait_reuse || tcb->state != LTCP_TIME_WAIT ||
      (seg->flags & (LTCP_SYN | LTCP_ACK | LTCP_RST)) != LTCP_SYN ||
      !ltcp_opts_time_wait_syn_ok(tcb, seg))
    return 0;
  ltcp_tcb *lst = eng->host.listener(eng->host.ctx, seg);
  if (!lst) return 0;
  uint32_t isn = tcb->snd_nxt + 65535 + 2; /* as Linux's tcp_timewait_state_process */
  ltcp_cause why = ltcp_cause_segment(seg);
  ltcp_life_close(eng, tcb, 0, &why);
  eng->stats->time_wait_reuse++;
  *child = in_listen(eng, lst, seg, &isn);
  return 1;
}

ltcp_tcb *ltcp_input_segment(ltcp_engine *eng, ltcp_tcb *tcb, const ltcp_seg *seg) {
  if (eng->cfg.drop_syn_fin && (seg->flags & (LTCP_SYN | LTCP_FIN)) == (LTCP_SYN | LTCP_FIN)) {
    ltcp_events_drop(eng, LTCP_DROP_TCP_SYN_FIN, seg);
    return tcb;
  }
  if (!tcb) {
    ltcp_tcb *lst = eng->host.listener(eng->host.ctx, seg);
    if (!lst) {
      in_closed(eng, seg);
      return NULL;
    }
    tcb = in_listen(eng, lst, seg, NULL);
    /* A SYN cookie's connection: its ACK goes on through SYN-RECEIVED (§3.10.7.4). */
    if (!tcb || !(seg->flags & LTCP_ACK)) return tcb;
  }
  if (ltcp_busy_wake(eng, tcb) != 0) {
    ltcp_events_drop(eng, LTCP_DROP_TCP_NO_MEMORY, seg); /* as lost on the way: resent */
    return NULL;
  }
  ltcp_busy_touch(eng, tcb);
  ltcp_tcb *child = NULL;
  if (in_time_wait_reuse(eng, tcb, seg, &child)) return child;
  if (tcb->state == LTCP_SYN_SENT) in_syn_sent(eng, tcb, seg);
  else in_other(eng, tcb, seg); /* §3.10.7.4: every other state */
  if (tcb->dead) return NULL;
  if (!tcb->view) ltcp_tcb_check(tcb);
  return tcb;
}
