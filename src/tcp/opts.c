/* RFC 7323: window scaling (§2), timestamps and RTTM (§3, §4), PAWS (§5); RFC 6191 in
 * TIME-WAIT. */
#include "tcp/opts.h"

#include "tcp/engine.h"
#include "tcp/isn.h"
#include "tcp/rtt.h"

/* §5.5: TS.Recent is no longer trusted after 24 days without an update. */
#define OPTS_TS_IDLE_S (24u * 24 * 3600)

/* The stack's clock in whole seconds (below LTCP_OPTS_TS_NONE for 136 years). */
static uint32_t opts_clock_s(const ltcp_engine *eng) { return (uint32_t)(eng->now / LTCP_SEC(1)); }

uint8_t ltcp_opts_wscale_for(uint32_t rcvbuf) {
  uint8_t shift = 0;
  while (shift < LTCP_OPTS_WSCALE_MAX && (rcvbuf >> shift) > 65535u) shift++;
  return shift;
}

uint8_t ltcp_opts_wscale_offer(const ltcp_engine *eng, uint32_t rcvbuf) {
  return ltcp_opts_wscale_for(eng->cfg.rcvbuf_max > rcvbuf ? eng->cfg.rcvbuf_max : rcvbuf);
}

uint32_t ltcp_opts_ts_now(const ltcp_engine *eng, const ltcp_tcb *tcb) {
  return (uint32_t)(eng->now / LTCP_MS(1)) + tcb->rfc7323.ts_offset;
}

/* §5.4 and §7.1: a random per-connection offset, the high half of the ISN's keyed hash over the
 * 4-tuple, so TSval tells nothing about the host's uptime. */
static uint32_t opts_ts_offset(ltcp_engine *eng, const ltcp_tcb *tcb) {
  return (uint32_t)(ltcp_isn_hash(eng, &tcb->local, &tcb->remote) >> 32);
}

void ltcp_opts_init(ltcp_engine *eng, ltcp_tcb *tcb) {
  ltcp_rfc7323 *o = &tcb->rfc7323;
  if (o->inited) return;
  o->inited = 1;
  o->ws_offered = eng->cfg.window_scale != 0;
  o->ts_offered = eng->cfg.timestamps != 0;
  o->wscale_offer = ltcp_opts_wscale_offer(eng, ltcp_tcb_rcv_cap(tcb));
  o->ts_offset = opts_ts_offset(eng, tcb);
  tcb->ts_recent_s = LTCP_OPTS_TS_NONE;
}

void ltcp_opts_take_syn(ltcp_engine *eng, ltcp_tcb *tcb, const ltcp_seg *seg) {
  ltcp_opts_init(eng, tcb);
  ltcp_rfc7323 *o = &tcb->rfc7323;
  /* §2.3: Snd.Wind.Shift = S and Rcv.Wind.Shift = R, or both zero. */
  o->ws_ok = o->ws_offered && seg->opts.has_wscale;
  o->snd_wscale = 0;
  o->rcv_wscale = 0;
  if (o->ws_ok) {
    uint8_t s = seg->opts.wscale;
    o->snd_wscale = s > LTCP_OPTS_WSCALE_MAX ? LTCP_OPTS_WSCALE_MAX : s;
    o->rcv_wscale = o->wscale_offer;
  }
  /* §3.2: Snd.TS.OK when both SYNs carry TSopt; TS.Recent from the SYN (§5.2). */
  int had_ts = o->ts_ok;
  o->ts_ok = o->ts_offered && seg->opts.has_timestamps;
  if (o->ts_ok) {
    o->ts_recent = seg->opts.ts_val;
    tcb->ts_recent_s = opts_clock_s(eng);
    /* Every segment carries 12 more bytes of options: the payload shrinks to keep the
     * packet within the peer's MSS (RFC 6691), as Linux's mss_cache. */
    if (!had_ts && tcb->snd_mss > 64 + LTCP_OPTS_TS_LEN) tcb->snd_mss -= LTCP_OPTS_TS_LEN;
  }
}

void ltcp_opts_stamp(ltcp_engine *eng, ltcp_tcb *tcb, ltcp_seg *seg) {
  ltcp_rfc7323 *o = &tcb->rfc7323;
  int syn = (seg->flags & LTCP_SYN) != 0, ack = (seg->flags & LTCP_ACK) != 0;
  if (syn) ltcp_opts_init(eng, tcb);
  /* An initial SYN offers; a SYN,ACK answers only what the peer's SYN offered (§2.2, §3.2). */
  if (syn && (ack ? o->ws_ok : o->ws_offered)) {
    seg->opts.has_wscale = 1;
    seg->opts.wscale = o->wscale_offer;
  }
  if (syn ? (ack ? o->ts_ok : o->ts_offered) : o->ts_ok) {
    seg->opts.has_timestamps = 1;
    seg->opts.ts_val = ltcp_opts_ts_now(eng, tcb);
    seg->opts.ts_ecr = ack ? o->ts_recent : 0; /* §3.2: TSecr zero without ACK */
  }
  if (ack) o->last_ack_sent = seg->ack;
}

/* §5.2: timestamps compare like sequence numbers. */
static int opts_ts_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }

static int opts_ts_recent_valid(const ltcp_engine *eng, const ltcp_tcb *tcb) {
  return tcb->ts_recent_s != LTCP_OPTS_TS_NONE && opts_clock_s(eng) - tcb->ts_recent_s <= OPTS_TS_IDLE_S;
}

ltcp_drop_reason ltcp_opts_reject(const ltcp_engine *eng, ltcp_tcb *tcb, const ltcp_seg *seg) {
  ltcp_rfc7323 *o = &tcb->rfc7323;
  if (!o->ts_ok || (seg->flags & LTCP_RST)) return LTCP_DROP_NONE; /* §5.2: no PAWS on an RST */
  /* §3.2: a non-RST segment without TSopt SHOULD be silently dropped. */
  if (!seg->opts.has_timestamps) return LTCP_DROP_TCP_TS_MISSING;
  /* §5.3 R1, before the acceptability test: an old TSval marks an old duplicate. An idle
   * connection's TS.Recent is invalid (§5.5): the segment passes and R3 replaces it. */
  if (!opts_ts_lt(seg->opts.ts_val, o->ts_recent)) return LTCP_DROP_NONE;
  if (!opts_ts_recent_valid(eng, tcb)) {
    tcb->ts_recent_s = LTCP_OPTS_TS_NONE;
    return LTCP_DROP_NONE;
  }
  return LTCP_DROP_TCP_PAWS;
}

void ltcp_opts_take_ts(ltcp_engine *eng, ltcp_tcb *tcb, const ltcp_seg *seg) {
  ltcp_rfc7323 *o = &tcb->rfc7323;
  tcb->busy->ack_tsecr = 0;
  if (!o->ts_ok || !seg->opts.has_timestamps || (seg->flags & LTCP_RST)) return;
  /* §4.3 (2) and §5.3 R3: SEG.TSval >= TS.Recent and SEG.SEQ =< Last.ACK.sent. */
  int fresh = tcb->ts_recent_s == LTCP_OPTS_TS_NONE || !opts_ts_lt(seg->opts.ts_val, o->ts_recent);
  if (fresh && ltcp_seq_le(seg->seq, o->last_ack_sent)) {
    o->ts_recent = seg->opts.ts_val;
    tcb->ts_recent_s = opts_clock_s(eng);
  }
  if (seg->flags & LTCP_ACK) tcb->busy->ack_tsecr = seg->opts.ts_ecr;
}

int ltcp_opts_rtt_sample(ltcp_engine *eng, ltcp_tcb *tcb) {
  ltcp_rfc7323 *o = &tcb->rfc7323;
  uint32_t tsecr = tcb->busy->ack_tsecr;
  tcb->busy->ack_tsecr = 0;
  if (!o->ts_ok || tsecr == 0) return 0;
  uint32_t ticks = ltcp_opts_ts_now(eng, tcb) - tsecr;
  if ((int32_t)ticks < 0 || ticks > 60u * 60u * 1000u) return 0; /* not a TSval of ours */
  /* The segment left in tick TSecr: at most ticks ms plus the part of the current ms ago. */
  ltcp_time_ns r = (ltcp_time_ns)ticks * LTCP_MS(1) + eng->now % LTCP_MS(1);
  if (r == 0) r = 1; /* below the clock's granularity; 0 would read as "no sample yet" */
  /* Appendix G: several samples per round trip weigh as one would. */
  uint32_t smss2 = 2u * tcb->snd_mss, flight = tcb->snd_nxt - tcb->snd_una;
  uint32_t expected = flight / smss2 + (flight % smss2 ? 1u : 0u);
  ltcp_rtt_sample_weighted(eng, tcb, r, expected ? expected : 1u);
  return 1;
}

int ltcp_opts_time_wait_syn_ok(const ltcp_tcb *tcb, const ltcp_seg *seg) {
  const ltcp_rfc7323 *o = &tcb->rfc7323;
  /* RFC 6191 §2: with timestamps on both incarnations, a newer TSval admits the SYN and an
   * older one marks an old duplicate; an equal one falls back to sequence numbers. */
  if (o->ts_ok && seg->opts.has_timestamps && seg->opts.ts_val != o->ts_recent)
    return !opts_ts_lt(seg->opts.ts_val, o->ts_recent);
  return ltcp_seq_gt(seg->seq, tcb->rcv_nxt);
}

enum { OPTS_TS_OK = 1, OPTS_WS_OK = 2, OPTS_SACK_OK = 4, OPTS_TS_RECENT = 8 };

uint8_t ltcp_opts_pack_flags(const ltcp_tcb *tcb) {
  const ltcp_rfc7323 *o = &tcb->rfc7323;
  return (uint8_t)((o->ts_ok ? OPTS_TS_OK : 0) | (o->ws_ok ? OPTS_WS_OK : 0) |
                   (tcb->sack_ok ? OPTS_SACK_OK : 0) |
                   (tcb->ts_recent_s != LTCP_OPTS_TS_NONE ? OPTS_TS_RECENT : 0));
}

void ltcp_opts_unpack_flags(const ltcp_engine *eng, ltcp_tcb *tcb, uint8_t flags) {
  ltcp_rfc7323 *o = &tcb->rfc7323;
  o->ts_ok = (flags & OPTS_TS_OK) != 0;
  o->ws_ok = (flags & OPTS_WS_OK) != 0;
  tcb->sack_ok = (flags & OPTS_SACK_OK) != 0;
  tcb->ts_recent_s = (flags & OPTS_TS_RECENT) ? opts_clock_s(eng) : LTCP_OPTS_TS_NONE;
}

