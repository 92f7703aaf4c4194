/* SACK (RFC 2018) and the sender's scoreboard for RFC 6675 loss recovery. */
#include "tcp/sack.h"

#include <string.h>

#include "tcp/engine.h"
#include "tcp/opts.h"

void ltcp_sack_take_syn(ltcp_engine *eng, ltcp_tcb *tcb, const ltcp_seg *seg) {
  /* A SYN without ACK is answered with our own offer; a SYN,ACK answers the one we sent. */
  if (!(seg->flags & LTCP_ACK)) tcb->sack_offered = eng->cfg.sack != 0;
  tcb->sack_ok = tcb->sack_offered && seg->opts.sack_permitted;
}

/* The recent arrival (index into sack.recent) range r holds, or -1. */
static int sack_recent_in(const ltcp_sack *s, const ltcp_reasm_range *r) {
  for (uint8_t i = 0; i < s->recent_count; i++)
    if (ltcp_seq_in(s->recent[i], r->start, r->end)) return i;
  return -1;
}

/* RFC 2018 §4: the first block holds the newest arrival, then the ones reported recently,
 * then any other range (highest first). Fills blocks, at most max; returns how many. One walk
 * over the held ranges (tcp/reasm.h), keeping the ranges of the recent arrivals and the
 * highest others. */
static uint8_t sack_blocks(const ltcp_tcb *tcb, ltcp_sack_block *b, uint8_t max) {
  const ltcp_sack *s = &tcb->busy->sack;
  ltcp_reasm_range recent[LTCP_TCP_MAX_SACK_BLOCKS], top[LTCP_TCP_MAX_SACK_BLOCKS];
  uint8_t has[LTCP_TCP_MAX_SACK_BLOCKS] = {0};
  uint32_t ntop = 0;
  for (const ltcp_reasm_block *cur = tcb->busy->reasm.head; cur;) {
    ltcp_reasm_range r = ltcp_reasm_next_range(&cur);
    int i = sack_recent_in(s, &r);
    if (i >= 0) {
      recent[i] = r;
      has[i] = 1;
    } else {
      top[ntop++ % LTCP_TCP_MAX_SACK_BLOCKS] = r; /* the last few: the highest */
    }
  }
  uint8_t n = 0;
  for (uint8_t i = 0; i < s->recent_count && n < max; i++)
    if (has[i]) b[n++] = (ltcp_sack_block){recent[i].start, recent[i].end};
  for (uint32_t k = 0; k < ntop && k < LTCP_TCP_MAX_SACK_BLOCKS && n < max; k++) {
    const ltcp_reasm_range *r = &top[(ntop - 1 - k) % LTCP_TCP_MAX_SACK_BLOCKS];
    b[n++] = (ltcp_sack_block){r->start, r->end};
  }
  return n;
}

void ltcp_sack_stamp(ltcp_engine *eng, ltcp_tcb *tcb, ltcp_seg *seg) {
  ltcp_sack *s = &tcb->busy->sack;
  if (seg->flags & LTCP_SYN) {
    if (!(seg->flags & LTCP_ACK)) tcb->sack_offered = eng->cfg.sack != 0;
    seg->opts.sack_permitted = (seg->flags & LTCP_ACK) ? tcb->sack_ok : tcb->sack_offered;
    return;
  }
  if (!tcb->sack_ok || !(seg->flags & LTCP_ACK) || (!tcb->busy->reasm.head && !s->has_dsack)) return;
  /* As many blocks as the 40 bytes of options and the connection's packet size leave room for
   * (RFC 6691: options count against the peer's MSS, and against the path MTU once known: a
   * full segment has room for its timestamp only); a packet the link cuts up (TSO) repeats the
   * options in segments of at most one MSS each. */
  uint8_t max = LTCP_TCP_MAX_SACK_BLOCKS, n = 0;
  seg->opts.sack_count = 0;
  size_t base = ltcp_tcp_options_len(&seg->opts);
  uint32_t piece = seg->len < tcb->snd_mss ? seg->len : tcb->snd_mss;
  uint32_t packet = 40u + tcb->snd_mss + (tcb->rfc7323.ts_ok ? LTCP_OPTS_TS_LEN : 0);
  if (packet > eng->cfg.mtu) packet = eng->cfg.mtu;
  while (max > 0 && (base + 4 + 8u * max > 40 || 40 + base + 4 + 8u * max + piece > packet))
    max--;
  if (max > 0 && s->has_dsack) { /* RFC 2883 §4: the D-SACK block goes first, once */
    seg->opts.sack[n++] = (ltcp_sack_block){s->dsack_start, s->dsack_end};
    s->has_dsack = 0;
  }
  seg->opts.sack_count = (uint8_t)(n + sack_blocks(tcb, seg->opts.sack + n, (uint8_t)(max - n)));
}

void ltcp_sack_rcv_dup(ltcp_tcb *tcb, uint32_t start, uint32_t end) {
  ltcp_sack *s = &tcb->busy->sack;
  if (!tcb->sack_ok || !ltcp_seq_lt(start, end)) return;
  s->has_dsack = 1;
  s->dsack_start = start;
  s->dsack_end = end;
}

void ltcp_sack_rcv_note(ltcp_tcb *tcb, uint32_t start, uint32_t end) {
  ltcp_sack *s = &tcb->busy->sack;
  (void)end;
  uint8_t n = s->recent_count < LTCP_TCP_MAX_SACK_BLOCKS ? s->recent_count : LTCP_TCP_MAX_SACK_BLOCKS - 1;
  memmove(&s->recent[1], &s->recent[0], n * sizeof s->recent[0]);
  s->recent[0] = start;
  s->recent_count = (uint8_t)(n + 1);
}

static void sack_remove(ltcp_sack *s, int i) {
  memmove(&s->r[i], &s->r[i + 1], (size_t)(s->count - i - 1) * sizeof s->r[0]);
  s->count--;
}

/* Records [start, end) in the sorted, disjoint list; returns the bytes it added. When the list
 * is full a new separate range is not kept (recovery is then more conservative, not wrong). */
static uint32_t sack_add(ltcp_sack *s, uint32_t start, uint32_t end) {
  int i = 0;
  while (i < s->count && ltcp_seq_lt(s->r[i].end, start)) i++;
  uint32_t before = 0, after;
  int j = i;
  while (j < s->count && ltcp_seq_le(s->r[j].start, end)) {
    before += s->r[j].end - s->r[j].start;
    start = ltcp_seq_min(start, s->r[j].start);
    end = ltcp_seq_max(end, s->r[j].end);
    j++;
  }
  after = end - start;
  if (j > i) {
    s->r[i].start = start;
    s->r[i].end = end;
    while (j > i + 1) sack_remove(s, --j);
    return after - before;
  }
  if (s->count == LTCP_SACK_RANGES) return 0;
  memmove(&s->r[i + 1], &s->r[i], (size_t)(s->count - i) * sizeof s->r[0]);
  s->r[i].start = start;
  s->r[i].end = end;
  s->count++;
  return after;
}

uint32_t ltcp_sack_update(ltcp_tcb *tcb, const ltcp_seg *seg) {
  ltcp_sack *s = &tcb->busy->sack;
  uint32_t una = tcb->snd_una, added = 0;
  while (s->count > 0 && ltcp_seq_le(s->r[0].end, una)) sack_remove(s, 0);
  if (s->count > 0 && ltcp_seq_lt(s->r[0].start, una)) s->r[0].start = una;
  if (ltcp_seq_lt(s->high_rxt, una)) s->high_rxt = una;
  if (!tcb->sack_ok) return 0;
  for (uint8_t i = 0; i < seg->opts.sack_count && i < LTCP_TCP_MAX_SACK_BLOCKS; i++) {
    uint32_t l = seg->opts.sack[i].left, r = seg->opts.sack[i].right;
    /* RFC 2018 §4 / RFC 2883: a block at or below SND.UNA (a D-SACK) or beyond what was sent
     * says nothing about the holes. */
    if (!ltcp_seq_lt(l, r) || !ltcp_seq_gt(r, una) || ltcp_seq_gt(r, tcb->snd_nxt)) continue;
    if (ltcp_seq_lt(l, una)) l = una;
    added += sack_add(s, l, r);
  }
  return added;
}

void ltcp_sack_clear(ltcp_tcb *tcb) {
  tcb->busy->sack.count = 0;
  tcb->busy->sack.high_rxt = tcb->snd_una;
}

/* RFC 6675 IsLost for the bytes of the hole below range i: DupThresh discontiguous SACKed
 * ranges above it, or more than (DupThresh - 1) * SMSS SACKed bytes above it. */
static int sack_hole_lost(const ltcp_tcb *tcb, int i) {
  const ltcp_sack *s = &tcb->busy->sack;
  if (s->count - i >= LTCP_SACK_DUPTHRESH) return 1;
  uint32_t above = 0;
  for (int j = i; j < s->count; j++) above += s->r[j].end - s->r[j].start;
  return above > (LTCP_SACK_DUPTHRESH - 1) * (uint32_t)tcb->snd_mss;
}

int ltcp_sack_first_lost(const ltcp_tcb *tcb) {
  return tcb->busy->sack.count > 0 && sack_hole_lost(tcb, 0);
}

/* Bytes of [a, b) at or above x. */
static uint32_t sack_part_from(uint32_t a, uint32_t b, uint32_t x) {
  if (!ltcp_seq_lt(x, b)) return 0;
  return ltcp_seq_lt(x, a) ? b - a : b - x;
}

uint32_t ltcp_sack_pipe(const ltcp_tcb *tcb) {
  const ltcp_sack *s = &tcb->busy->sack;
  uint32_t pipe = 0, from = tcb->snd_una;
  uint32_t rxt = ltcp_seq_max(s->high_rxt, tcb->snd_una);
  for (int i = 0; i <= s->count; i++) {
    uint32_t to = i < s->count ? s->r[i].start : tcb->snd_nxt;
    if (ltcp_seq_lt(from, to)) {
      uint32_t hole = to - from;
      /* Every hole byte not lost is in flight; a retransmitted one (below HighRxt) too. */
      if (i == s->count || !sack_hole_lost(tcb, i)) pipe += hole;
      pipe += hole - sack_part_from(from, to, rxt);
    }
    if (i < s->count) from = s->r[i].end;
  }
  return pipe;
}

uint32_t ltcp_sack_next_lost(const ltcp_tcb *tcb, uint32_t max, uint32_t *seq) {
  const ltcp_sack *s = &tcb->busy->sack;
  uint32_t from = tcb->snd_una, rxt = ltcp_seq_max(s->high_rxt, tcb->snd_una);
  for (int i = 0; i < s->count; i++) {
    uint32_t to = s->r[i].start;
    uint32_t start = ltcp_seq_max(from, rxt);
    if (ltcp_seq_lt(start, to) && sack_hole_lost(tcb, i)) {
      *seq = start;
      return to - start < max ? to - start : max;
    }
    from = s->r[i].end;
  }
  return 0;
}
