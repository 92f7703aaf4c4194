/* The connection table and the observer (track.h). Each end's state moves only through
 * ltcp_state_next, the table of RFC 9293's diagram the engine asserts its own transitions
 * against: what an end sends shows its user's calls (SYN: OPEN, FIN: CLOSE, RST: ABORT), what
 * reaches it is a segment arriving (§3.10.7), taken as delivered when the capture sees it. */
#include "analyze/track.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sequence arithmetic modulo 2^32 (RFC 9293 §3.4). */
static int seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static int seq_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
static int seq_gt(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }
static int seq_ge(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }

struct an_track {
  an_track_config cfg;
  an_track_hooks hooks;
  an_conn **buckets;
  uint32_t mask;
  an_conn *live_head, *live_tail; /* least recently active first */
  an_conn *done_head, *done_tail; /* in the order they finished */
  an_track_stats stats;
  ltcp_time_ns first_t, now;
  uint64_t next_id;
};

const char *an_level_name(an_level l) {
  static const char *const n[AN_LEVELS] = {"info", "warning", "error"};
  return (unsigned)l < AN_LEVELS ? n[l] : "?";
}

const char *an_finding_name(an_finding_kind k) {
  static const char *const n[AN_F_KINDS] = {
      "close_wait", "fin_wait_2", "half_open", "reset", "syn_unanswered", "syn_refused",
      "syn_icmp", "rto", "zero_window", "out_of_window", "simultaneous_open",
      "simultaneous_close", "time_wait_rst", "syn_in_time_wait", "open_at_end"};
  return (unsigned)k < AN_F_KINDS ? n[k] : "?";
}

/* ---- the table: a chained hash of both directions' 4-tuple, a limit set at start */

static uint64_t hash_end(const an_addr *a, uint16_t port) {
  uint64_t h = 0xcbf29ce484222325ull ^ a->family;
  for (int i = 0; i < (a->family == 4 ? 4 : 16); i++) h = (h ^ a->b[i]) * 0x100000001b3ull;
  h = (h ^ port) * 0x100000001b3ull;
  return h ^ (h >> 29);
}

/* The same for both directions: the two ends' hashes added. */
static uint32_t hash_tuple(const an_packet *p) {
  uint64_t h = hash_end(&p->src, p->seg.src_port) + hash_end(&p->dst, p->seg.dst_port);
  h *= 0x9e3779b97f4a7c15ull;
  return (uint32_t)(h >> 32);
}

static int side_is(const an_side *s, const an_addr *a, uint16_t port) {
  return s->port == port && an_addr_equal(&s->addr, a);
}

/* The connection of p, and the direction: 0 client -> server, 1 server -> client. */
static an_conn *track_find(an_track *t, const an_packet *p, int *dir) {
  for (an_conn *c = t->buckets[hash_tuple(p) & t->mask]; c; c = c->hash_next) {
    if (side_is(&c->side[0], &p->src, p->seg.src_port) && side_is(&c->side[1], &p->dst, p->seg.dst_port)) {
      *dir = 0;
      return c;
    }
    if (side_is(&c->side[1], &p->src, p->seg.src_port) && side_is(&c->side[0], &p->dst, p->seg.dst_port)) {
      *dir = 1;
      return c;
    }
  }
  return NULL;
}

static void list_unlink(an_conn **head, an_conn **tail, an_conn *c) {
  if (c->prev) c->prev->next = c->next;
  else *head = c->next;
  if (c->next) c->next->prev = c->prev;
  else *tail = c->prev;
  c->prev = c->next = NULL;
}

static void list_append(an_conn **head, an_conn **tail, an_conn *c) {
  c->prev = *tail;
  c->next = NULL;
  if (*tail) (*tail)->next = c;
  else *head = c;
  *tail = c;
}

static void track_unlink(an_track *t, an_conn *c) {
  an_packet key;
  memset(&key, 0, sizeof key);
  key.src = c->side[0].addr;
  key.dst = c->side[1].addr;
  key.seg.src_port = c->side[0].port;
  key.seg.dst_port = c->side[1].port;
  an_conn **pp = &t->buckets[hash_tuple(&key) & t->mask];
  while (*pp != c) pp = &(*pp)->hash_next; /* bounded by the chain: c is on it */
  *pp = c->hash_next;
  if (c->done) list_unlink(&t->done_head, &t->done_tail, c);
  else list_unlink(&t->live_head, &t->live_tail, c);
  t->stats.live--;
}

/* ---- findings */

static an_finding *conn_finding(an_conn *c, an_finding_kind k, an_level level, int side,
                                ltcp_time_ns time, uint64_t frame) {
  if (c->finding_count >= AN_FINDINGS_MAX) {
    c->findings_lost++;
    return NULL;
  }
  an_finding *f = &c->findings[c->finding_count++];
  memset(f, 0, sizeof *f);
  f->kind = k;
  f->level = level;
  f->side = side;
  f->time = time;
  f->frames[0] = frame;
  return f;
}

static int conn_has(const an_conn *c, an_finding_kind k) {
  for (uint32_t i = 0; i < c->finding_count; i++)
    if (c->findings[i].kind == k) return 1;
  return 0;
}

/* ---- one end's state: every change goes through the table */

static int side_synchronized(const an_side *s) {
  return s->known && s->state >= LTCP_ESTABLISHED && s->state != LTCP_TIME_WAIT;
}

static int side_gone(const an_side *s) {
  return s->state == LTCP_CLOSED || s->state == LTCP_TIME_WAIT || s->state == LTCP_LISTEN;
}

static void side_step(an_track *t, an_conn *c, int si, ltcp_stimulus s, int sent, uint64_t frame,
                      ltcp_time_ns time, uint8_t flags) {
  an_side *x = &c->side[si];
  x->known = 1;
  ltcp_state to = ltcp_state_next(x->state, s);
  if (to == x->state) return;
  if (s == LTCP_STIM_RCV_SYN || s == LTCP_STIM_RCV_SYN_ACK) x->syn_rcvd = 1;
  an_change ch = {time, frame, x->state, to, s, flags, (uint8_t)sent};
  if (x->timeline_count < AN_TIMELINE_MAX) x->timeline[x->timeline_count++] = ch;
  else x->timeline_lost++;
  x->state = to;
  x->state_since = time;
  x->state_frame = frame;
  if (t->hooks.change && c->id == t->cfg.record_conn) t->hooks.change(t->hooks.ctx, c, si, &ch);
}

/* ---- a new connection */

static an_conn *track_evict(an_track *t) {
  an_conn *c = t->live_head ? t->live_head : t->done_head;
  return c;
}

static void conn_end_checks(an_track *t, an_conn *c, ltcp_time_ns end, int at_end);
static void conn_fin_arrives(an_track *t, an_conn *c, int si, ltcp_time_ns ack_time);

static void track_retire(an_track *t, an_conn *c, int expired) {
  for (int i = 0; i < 2; i++) /* no answer came: taken as delivered when seen */
    if (c->side[i].fin_pending) conn_fin_arrives(t, c, i, c->side[i].fin_pending_t);
  if (expired) { /* TIME-WAIT ran out in capture time (its 2 MSL timer) */
    for (int i = 0; i < 2; i++)
      if (c->side[i].state == LTCP_TIME_WAIT)
        side_step(t, c, i, LTCP_STIM_TIMEOUT, 0, 0, c->side[i].state_since + t->cfg.time_wait_ns, 0);
  }
  conn_end_checks(t, c, expired ? c->last_t : t->now, !expired);
  track_unlink(t, c);
  if (t->hooks.conn_done) t->hooks.conn_done(t->hooks.ctx, c);
  free(c);
}

/* Who is the client of a connection first seen at p: the sender of a SYN, the receiver of a
 * SYN,ACK; joined midstream, the end with the higher (ephemeral) port. */
static int conn_client_is_src(const an_packet *p) {
  uint8_t f = p->seg.flags;
  if ((f & LTCP_SYN) && !(f & LTCP_ACK)) return 1;
  if ((f & LTCP_SYN) && (f & LTCP_ACK)) return 0;
  return p->seg.src_port >= p->seg.dst_port;
}

static an_conn *track_new(an_track *t, const an_packet *p, uint64_t frame, ltcp_time_ns time) {
  if (t->stats.live >= t->cfg.max_conns) {
    an_conn *old = track_evict(t);
    if (!old) return NULL;
    old->evicted = 1;
    t->stats.evicted++;
    track_retire(t, old, 0);
  }
  an_conn *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  c->id = ++t->next_id;
  int cs = conn_client_is_src(p);
  c->side[0].addr = cs ? p->src : p->dst;
  c->side[0].port = cs ? p->seg.src_port : p->seg.dst_port;
  c->side[1].addr = cs ? p->dst : p->src;
  c->side[1].port = cs ? p->seg.dst_port : p->seg.src_port;
  for (int i = 0; i < 2; i++) {
    c->side[i].state = LTCP_CLOSED;
    c->side[i].rtx_finding = c->side[i].oow_finding = -1;
    c->side[i].ttl_min = 255;
  }
  uint8_t f = p->seg.flags;
  if ((f & LTCP_SYN) && (f & LTCP_ACK)) { /* the SYN itself was not captured */
    c->side[0].known = 1;
    c->side[0].state = LTCP_SYN_SENT;
    c->side[0].syn_seen = 1;
    c->side[0].iss = p->seg.ack - 1;
    c->side[0].snd_max = p->seg.ack;
    c->side[0].state_since = time;
    c->syn_pending_t = time;
    c->syn_pending_frame = frame;
  } else if (!(f & LTCP_SYN) && !(f & LTCP_RST)) { /* joined in progress */
    c->midstream = 1;
    for (int i = 0; i < 2; i++) {
      c->side[i].known = 1;
      c->side[i].state = LTCP_ESTABLISHED;
      c->side[i].state_since = time;
    }
  }
  c->first_frame = frame;
  c->first_t = time;
  uint32_t b = hash_tuple(p) & t->mask;
  c->hash_next = t->buckets[b];
  t->buckets[b] = c;
  list_append(&t->live_head, &t->live_tail, c);
  t->stats.conns++;
  if (++t->stats.live > t->stats.peak_live) t->stats.peak_live = t->stats.live;
  return c;
}

/* ---- statistics of one segment */

static void side_rto(an_track *t, an_conn *c, int si, uint64_t frame, ltcp_time_ns time,
                     const ltcp_seg *s) {
  an_side *x = &c->side[si];
  (void)t;
  if (x->rtx_count > 0 && s->seq == x->rtx_seq) {
    x->rtx_count++;
  } else {
    x->rtx_seq = s->seq;
    x->rtx_count = 1;
    x->rtx_times = 0;
    x->rtx_frame[0] = frame;
    x->rtx_finding = -1;
    if (s->seq == x->new_seq) x->rtx_t[x->rtx_times++] = x->new_t; /* the first sending */
  }
  if (x->rtx_times < 5) x->rtx_t[x->rtx_times++] = time;
  x->rtx_frame[1] = frame;
  if (x->rtx_count < 3 || (s->flags & LTCP_SYN)) return; /* SYN retries have their finding */
  an_finding *f = x->rtx_finding >= 0 ? &c->findings[x->rtx_finding] : NULL;
  if (!f) {
    f = conn_finding(c, AN_F_RTO, AN_WARNING, si, x->rtx_t[0], x->rtx_frame[0]);
    if (!f) return;
    x->rtx_finding = (int8_t)(f - c->findings);
  }
  f->n1 = x->rtx_count;
  f->n2 = s->seq;
  f->frames[1] = frame;
  f->duration_ns = time - x->rtx_t[0];
  int n = 0;
  for (uint32_t i = 1; i < x->rtx_times && n < (int)sizeof f->detail - 12; i++)
    n += snprintf(f->detail + n, sizeof f->detail - (size_t)n, "%s%.3g s", i > 1 ? ", " : "",
                  (double)(x->rtx_t[i] - x->rtx_t[i - 1]) / 1e9);
}

static void side_stats(an_track *t, an_conn *c, int si, uint64_t frame, ltcp_time_ns time,
                       const an_packet *p) {
  an_side *x = &c->side[si], *peer = &c->side[1 - si];
  const ltcp_seg *s = &p->seg;
  uint32_t seqlen = ltcp_seg_seqlen(s);
  if (x->segs > 0 && seqlen > 0 && !(s->flags & LTCP_RST) && seq_lt(s->seq, x->snd_max)) {
    x->retx_segs++;
    x->retx_bytes += s->len;
    side_rto(t, c, si, frame, time, s);
  } else if (seqlen > 0) {
    x->new_seq = s->seq;
    x->new_t = time;
  }
  if (x->segs == 0 || seq_gt(s->seq + seqlen, x->snd_max)) x->snd_max = s->seq + seqlen;
  x->segs++;
  x->bytes += s->len;
  x->last_t = time;
  if (p->ttl < x->ttl_min) x->ttl_min = p->ttl;
  if (p->ttl > x->ttl_max) x->ttl_max = p->ttl;
  if (s->flags & LTCP_SYN) {
    if (s->opts.has_wscale) x->ws_seen = 1, x->wscale = s->opts.wscale > 14 ? 14 : s->opts.wscale;
  }
  uint64_t wnd = s->wnd;
  if (!(s->flags & LTCP_SYN) && x->ws_seen && peer->ws_seen) wnd <<= x->wscale; /* RFC 7323 §2.3 */
  if (!(s->flags & LTCP_RST) && wnd > x->max_wnd) x->max_wnd = wnd;
  int acks_new = (s->flags & LTCP_ACK) && (!x->ack_seen || seq_gt(s->ack, x->last_ack));
  if ((s->flags & LTCP_ACK) && !(s->flags & LTCP_RST)) {
    if (acks_new) x->last_ack = s->ack;
    x->ack_seen = 1;
    x->wnd_right = x->last_ack + (uint32_t)(wnd > 0x7fffffff ? 0x7fffffff : wnd);
  }
  /* RTT from timestamps (RFC 7323 §4): the peer's echo of this end's newest TSval, in a
   * segment acknowledging new data (§4.1: an echo in a later, unrelated ACK, such as the answer
   * to a window probe, would count the peer's idle time). */
  if (s->opts.has_timestamps) {
    x->ts_seen = 1;
    if (s->opts.ts_val != x->ts_val || !x->ts_valid)
      x->ts_val = s->opts.ts_val, x->ts_at = time, x->ts_echoed = 0, x->ts_valid = 1;
    if (acks_new && peer->ts_valid && !peer->ts_echoed && s->opts.ts_ecr == peer->ts_val) {
      ltcp_time_ns r = time - peer->ts_at;
      an_rtt *rt = &peer->rtt_ts;
      if (!rt->count || r < rt->min) rt->min = r;
      if (r > rt->max) rt->max = r;
      rt->sum += r;
      rt->count++;
      peer->ts_echoed = 1;
    }
  }
}

/* ---- the observer: a segment's meaning for both ends */

static int conn_rst_acceptable(const an_side *r, const ltcp_seg *s) {
  if (r->state == LTCP_SYN_SENT) /* §3.10.7.3: acceptable if its ACK acknowledges the SYN */
    return (s->flags & LTCP_ACK) && s->ack == r->iss + 1;
  if (!r->ack_seen) return 1;
  /* §3.10.7.4 first / RFC 5961 §3: within the window the receiver offers */
  uint32_t right = seq_gt(r->wnd_right, r->last_ack) ? r->wnd_right : r->last_ack + 1;
  return seq_ge(s->seq, r->last_ack) && seq_le(s->seq, right);
}

static void conn_reset_finding(an_conn *c, int si, ltcp_state before, uint64_t frame,
                               ltcp_time_ns time, int by_receiver) {
  const an_side *x = &c->side[si], *peer = &c->side[1 - si];
  int fins = x->fin_seen || peer->fin_seen;
  /* data in flight either way, or no FIN yet: the transfer was cut short */
  int mid = !fins || (peer->ack_seen && seq_lt(peer->last_ack, x->snd_max)) ||
            (x->ack_seen && seq_lt(x->last_ack, peer->snd_max));
  an_finding *f = conn_finding(c, AN_F_RESET, mid ? AN_ERROR : AN_WARNING, si, time, frame);
  if (!f) return;
  f->state = before;
  f->n1 = x->bytes;
  f->n2 = peer->bytes;
  snprintf(f->detail, sizeof f->detail, "%s%s", mid ? "mid-transfer" : "after the close began",
           by_receiver ? "" : "; not accepted (out of window)");
}

static void conn_rst(an_track *t, an_conn *c, int si, uint64_t frame, ltcp_time_ns time,
                     const ltcp_seg *s) {
  an_side *x = &c->side[si], *r = &c->side[1 - si];
  ltcp_state before = x->state;
  int was_known = x->known;
  x->rst_seen = 1;
  if (!c->reset_frame) c->reset_frame = frame;
  if (was_known) side_step(t, c, si, LTCP_STIM_ABORT, 1, frame, time, s->flags);
  x->known = 1; /* an end that answers with RST holds no connection: CLOSED */
  if (r->state == LTCP_CLOSED || !r->known) return;
  if (!conn_rst_acceptable(r, s)) {
    c->oow_count++;
    conn_reset_finding(c, si, before, frame, time, 0);
    return;
  }
  if (r->state == LTCP_SYN_SENT && !was_known) {
    an_finding *f = conn_finding(c, AN_F_SYN_REFUSED, AN_ERROR, 1 - si, time, c->syn_frame);
    if (f) f->frames[1] = frame, f->n1 = c->syn_count;
  } else if (r->state == LTCP_TIME_WAIT) {
    an_finding *f = conn_finding(c, AN_F_TIME_WAIT_RST, AN_WARNING, 1 - si, time, frame);
    if (f) f->duration_ns = time - r->state_since;
  } else if (side_synchronized(x) || side_synchronized(r) || before >= LTCP_ESTABLISHED) {
    conn_reset_finding(c, si, before, frame, time, 1);
  }
  int passive = (1 - si) == 1 && !conn_has(c, AN_F_SIMULTANEOUS_OPEN);
  side_step(t, c, 1 - si, passive && r->state == LTCP_SYN_RECEIVED ? LTCP_STIM_RCV_RST_PASSIVE
                                                                   : LTCP_STIM_RCV_RST,
            0, frame, time, s->flags);
}

static void conn_syn(an_track *t, an_conn *c, int si, uint64_t frame, ltcp_time_ns time,
                     const ltcp_seg *s) {
  an_side *x = &c->side[si], *r = &c->side[1 - si];
  if (!(s->flags & LTCP_ACK)) { /* a SYN: its end called OPEN */
    if (si == 0) {
      if (!c->syn_frame) c->syn_t = time, c->syn_frame = frame;
      if (c->syn_count < 4) c->syn_rtx_t[c->syn_count] = time;
      c->syn_count++;
    }
    if (x->syn_seen && s->seq == x->iss) return; /* sent again */
    x->syn_seen = 1;
    x->iss = s->seq;
    side_step(t, c, si, LTCP_STIM_OPEN_ACTIVE, 1, frame, time, s->flags);
    if (r->known && r->state == LTCP_SYN_SENT) { /* both opened: §3.10.7.3 fourth */
      side_step(t, c, 1 - si, LTCP_STIM_RCV_SYN, 0, frame, time, s->flags);
      if (!conn_has(c, AN_F_SIMULTANEOUS_OPEN))
        conn_finding(c, AN_F_SIMULTANEOUS_OPEN, AN_INFO, 0, time, frame);
    } else if (!r->known) {
      c->syn_pending_t = time, c->syn_pending_frame = frame;
    }
    return;
  }
  /* A SYN,ACK: its sender received the peer's SYN (in LISTEN, or in SYN-SENT when both opened) */
  if (!c->synack_frame) c->synack_t = time, c->synack_frame = frame;
  if (!x->syn_seen) x->syn_seen = 1, x->iss = s->seq;
  if (!x->known) {
    x->known = 1;
    x->state = LTCP_LISTEN; /* a listener answered */
    side_step(t, c, si, LTCP_STIM_RCV_SYN, 0, c->syn_pending_frame, c->syn_pending_t, LTCP_SYN);
  } else if (x->state == LTCP_SYN_SENT) {
    side_step(t, c, si, LTCP_STIM_RCV_SYN, 0, frame, time, LTCP_SYN);
  }
  if ((r->state == LTCP_SYN_SENT || r->state == LTCP_SYN_RECEIVED) && s->ack == r->iss + 1)
    side_step(t, c, 1 - si, LTCP_STIM_RCV_SYN_ACK, 0, frame, time, s->flags);
}

static void conn_ack(an_track *t, an_conn *c, int si, uint64_t frame, ltcp_time_ns time,
                     const ltcp_seg *s) {
  an_side *r = &c->side[1 - si];
  if (!r->known || (s->flags & LTCP_SYN)) return;
  if (r->state == LTCP_SYN_RECEIVED && seq_ge(s->ack, r->iss + 1)) {
    if (si == 0 && !c->hs_ack_frame) c->hs_ack_t = time, c->hs_ack_frame = frame;
    side_step(t, c, 1 - si, LTCP_STIM_RCV_ACK_OF_SYN, 0, frame, time, s->flags);
  }
  if (r->fin_seen && seq_ge(s->ack, r->fin_seq + 1) &&
      (r->state == LTCP_FIN_WAIT_1 || r->state == LTCP_CLOSING || r->state == LTCP_LAST_ACK))
    side_step(t, c, 1 - si, LTCP_STIM_RCV_ACK_OF_FIN, 0, frame, time, s->flags);
}

static void conn_fin(an_track *t, an_conn *c, int si, uint64_t frame, ltcp_time_ns time,
                     const ltcp_seg *s) {
  an_side *x = &c->side[si], *r = &c->side[1 - si];
  uint32_t fin_seq = s->seq + s->len + ((s->flags & LTCP_SYN) ? 1u : 0u);
  if (x->fin_seen && fin_seq == x->fin_seq) return; /* sent again */
  x->fin_seen = 1;
  x->fin_seq = fin_seq;
  side_step(t, c, si, LTCP_STIM_CLOSE, 1, frame, time, s->flags);
  if (!r->known) return;
  /* Its arrival is shown by the receiver's ACK of it: until then the receiver may still send
   * as if it had not come (both ends closing at once). */
  r->fin_pending = 1;
  r->fin_pending_late = 0;
  r->fin_pending_seq = fin_seq;
  r->fin_pending_frame = frame;
  r->fin_pending_t = time;
  r->fin_pending_flags = s->flags;
}

/* The peer's FIN reaches end si: at the time it was seen, or, if si sent something meanwhile
 * that did not acknowledge it, at the time si's acknowledgment shows it arrived. */
static void conn_fin_arrives(an_track *t, an_conn *c, int si, ltcp_time_ns ack_time) {
  an_side *x = &c->side[si];
  x->fin_pending = 0;
  ltcp_time_ns when = x->fin_pending_late ? ack_time : x->fin_pending_t;
  ltcp_state before = x->state;
  side_step(t, c, si, LTCP_STIM_RCV_FIN, 0, x->fin_pending_frame, when, x->fin_pending_flags);
  if (before == LTCP_FIN_WAIT_1 && x->state == LTCP_CLOSING && !conn_has(c, AN_F_SIMULTANEOUS_CLOSE))
    conn_finding(c, AN_F_SIMULTANEOUS_CLOSE, AN_INFO, 1 - si, when, x->fin_pending_frame);
}

/* A segment from si tells whether the peer's FIN has reached it. */
static void conn_fin_evidence(an_track *t, an_conn *c, int si, ltcp_time_ns time, const ltcp_seg *s) {
  an_side *x = &c->side[si];
  if (!x->fin_pending) return;
  if ((s->flags & LTCP_ACK) && seq_ge(s->ack, x->fin_pending_seq + 1)) conn_fin_arrives(t, c, si, time);
  else x->fin_pending_late = 1;
}

/* A receiver's zero window (RFC 9293 §3.8.6.1): from when it is offered until it opens. */
static void conn_zero_window(an_track *t, an_conn *c, int si, uint64_t frame, ltcp_time_ns time,
                             const ltcp_seg *s) {
  an_side *x = &c->side[si], *peer = &c->side[1 - si];
  if (!(s->flags & LTCP_ACK) || (s->flags & (LTCP_SYN | LTCP_RST))) return;
  if (s->wnd == 0 && !x->zw_frame) {
    x->zw_since = time;
    x->zw_frame = frame;
    x->zw_probes = 0;
    x->zw_blocked = seq_lt(s->ack, peer->snd_max);
    return;
  }
  if (s->wnd == 0 || !x->zw_frame) return;
  ltcp_time_ns d = time - x->zw_since;
  if (d >= t->cfg.stuck_ns && (x->zw_probes || x->zw_blocked)) {
    an_finding *f = conn_finding(c, AN_F_ZERO_WINDOW, AN_WARNING, si, x->zw_since, x->zw_frame);
    if (f) f->frames[1] = frame, f->duration_ns = d, f->n1 = x->zw_probes;
  }
  x->zw_frame = 0;
}

/* Data beyond the window the receiver offered (§3.10.7.4 first); a zero-window probe's one
 * byte is allowed. */
static void conn_window_check(an_conn *c, int si, uint64_t frame, ltcp_time_ns time,
                              const ltcp_seg *s) {
  an_side *r = &c->side[1 - si];
  if (!r->ack_seen || (s->flags & (LTCP_SYN | LTCP_RST))) return;
  if (r->zw_frame) { /* a probe: one byte (RFC 9293 §3.8.6.1), or Linux's SND.UNA-1 with none */
    if (s->len == 1 || (s->len == 0 && s->seq == r->last_ack - 1)) r->zw_probes++;
    return;
  }
  if (s->len == 0) return;
  if (!seq_gt(s->seq + s->len, r->wnd_right + 1)) return;
  c->oow_count++;
  an_finding *f = r->oow_finding >= 0 ? &c->findings[r->oow_finding] : NULL;
  if (!f && (f = conn_finding(c, AN_F_OUT_OF_WINDOW, AN_WARNING, si, time, frame)))
    r->oow_finding = (int8_t)(f - c->findings);
  if (f) f->n1++, f->frames[1] = frame;
}

static void conn_observe(an_track *t, an_conn *c, int si, uint64_t frame, ltcp_time_ns time,
                         const an_packet *p) {
  const ltcp_seg *s = &p->seg;
  side_stats(t, c, si, frame, time, p);
  c->packets++;
  c->last_frame = frame;
  c->last_t = time;
  conn_fin_evidence(t, c, si, time, s);
  /* Segments of one sender arrive in order: its FIN reached the peer before this one, and so
   * did its SYN (a simultaneous open, §3.10.7.3 fourth). */
  if (c->side[1 - si].fin_pending) conn_fin_arrives(t, c, 1 - si, time);
  an_side *r = &c->side[1 - si];
  if (c->side[si].syn_seen && !r->syn_rcvd && r->known && r->state == LTCP_SYN_SENT &&
      !((s->flags & LTCP_SYN) && !(s->flags & LTCP_ACK))) {
    side_step(t, c, 1 - si, LTCP_STIM_RCV_SYN, 0, c->syn_frame, time, LTCP_SYN);
    if (!conn_has(c, AN_F_SIMULTANEOUS_OPEN)) conn_finding(c, AN_F_SIMULTANEOUS_OPEN, AN_INFO, 0, time, frame);
  }
  if (s->flags & LTCP_RST) {
    conn_rst(t, c, si, frame, time, s);
    return;
  }
  if (s->flags & LTCP_SYN) conn_syn(t, c, si, frame, time, s);
  if (s->flags & LTCP_ACK) conn_ack(t, c, si, frame, time, s);
  conn_zero_window(t, c, si, frame, time, s);
  conn_window_check(c, si, frame, time, s);
  if (s->flags & LTCP_FIN) conn_fin(t, c, si, frame, time, s);
}

/* ---- the end of a connection: what it was left in */

static void conn_end_side(an_track *t, an_conn *c, int i, ltcp_time_ns end) {
  an_side *x = &c->side[i];
  ltcp_time_ns d = end - x->state_since;
  if (x->state == LTCP_CLOSE_WAIT && d >= t->cfg.stuck_ns) {
    an_finding *f = conn_finding(c, AN_F_CLOSE_WAIT, AN_WARNING, i, x->state_since, x->state_frame);
    if (f) f->duration_ns = d;
  }
  if (x->state == LTCP_FIN_WAIT_2 && d >= t->cfg.stuck_ns) {
    an_finding *f = conn_finding(c, AN_F_FIN_WAIT_2, AN_WARNING, i, x->state_since, x->state_frame);
    if (f) f->duration_ns = d;
  }
  if (x->zw_frame && end - x->zw_since >= t->cfg.stuck_ns && (x->zw_probes || x->zw_blocked)) {
    an_finding *f = conn_finding(c, AN_F_ZERO_WINDOW, AN_WARNING, i, x->zw_since, x->zw_frame);
    if (f) f->duration_ns = end - x->zw_since, f->n1 = x->zw_probes, f->n2 = 1; /* n2: still */
  }
}

static void conn_end_checks(an_track *t, an_conn *c, ltcp_time_ns end, int at_end) {
  an_side *a = &c->side[0], *b = &c->side[1];
  for (int i = 0; i < 2; i++) conn_end_side(t, c, i, end);
  if (a->state == LTCP_SYN_SENT && !b->known && !conn_has(c, AN_F_SYN_ICMP)) {
    an_finding *f = conn_finding(c, AN_F_SYN_UNANSWERED, AN_ERROR, 0, c->syn_t, c->syn_frame);
    if (f) {
      f->n1 = c->syn_count;
      f->duration_ns = c->last_t - c->syn_t;
      int n = 0;
      for (uint64_t i = 1; i < c->syn_count && i < 4 && n < (int)sizeof f->detail - 12; i++)
        n += snprintf(f->detail + n, sizeof f->detail - (size_t)n, "%s%.3g s", i > 1 ? ", " : "",
                      (double)(c->syn_rtx_t[i] - c->syn_rtx_t[i - 1]) / 1e9);
    }
    return;
  }
  /* one end closed (it reset, or its reset was not accepted), the other still open */
  for (int i = 0; i < 2; i++) {
    an_side *x = &c->side[i], *peer = &c->side[1 - i];
    if (x->known && x->state == LTCP_CLOSED && side_synchronized(peer) && x->rst_seen) {
      an_finding *f = conn_finding(c, AN_F_HALF_OPEN, AN_ERROR, i, x->state_since, c->reset_frame);
      if (f) f->state = peer->state;
      return;
    }
  }
  /* the other end went silent while this one retransmitted */
  for (int i = 0; i < 2; i++) {
    an_side *x = &c->side[i], *peer = &c->side[1 - i];
    if (x->rtx_count >= 3 && peer->last_t < x->rtx_t[0] && side_synchronized(x)) {
      an_finding *f = conn_finding(c, AN_F_HALF_OPEN, AN_ERROR, 1 - i, peer->last_t, x->rtx_frame[0]);
      if (f) f->state = x->state, f->n1 = 1;
      return;
    }
  }
  if (at_end && (side_synchronized(a) || side_synchronized(b) || a->state == LTCP_SYN_RECEIVED ||
                 b->state == LTCP_SYN_RECEIVED))
    conn_finding(c, AN_F_OPEN_AT_END, AN_INFO, 0, c->last_t, c->last_frame);
}

/* Done: nothing more can happen but the TIME-WAIT timers (and a late segment). */
static int conn_finished(const an_conn *c) {
  const an_side *a = &c->side[0], *b = &c->side[1];
  if (!a->known && !b->known) return 0;
  if (!b->known) return a->state == LTCP_CLOSED;
  if (!a->known) return b->state == LTCP_CLOSED;
  return side_gone(a) && side_gone(b);
}

/* ---- the tracker */

an_track *an_track_new(const an_track_config *cfg, const an_track_hooks *hooks) {
  an_track *t = calloc(1, sizeof *t);
  if (!t) return NULL;
  t->cfg = *cfg;
  if (t->cfg.max_conns == 0) t->cfg.max_conns = 1;
  if (hooks) t->hooks = *hooks;
  uint32_t n = 16;
  while (n < t->cfg.max_conns && n < (1u << 24)) n <<= 1; /* a load of at most one */
  t->buckets = calloc(n, sizeof *t->buckets);
  if (!t->buckets) {
    free(t);
    return NULL;
  }
  t->mask = n - 1;
  return t;
}

/* Finished connections whose TIME-WAIT is over by capture time are reported and freed. */
static void track_expire(an_track *t) {
  while (t->done_head && t->now - t->done_head->done_t >= t->cfg.time_wait_ns)
    track_retire(t, t->done_head, 1);
}

/* A SYN that starts a new connection on the 4-tuple of c (not c's own SYN sent again). */
static int conn_new_syn(const an_conn *c, int si, const ltcp_seg *s) {
  if (!(s->flags & LTCP_SYN) || (s->flags & LTCP_ACK)) return 0;
  const an_side *x = &c->side[si];
  if (!x->known || (x->syn_seen && s->seq == x->iss)) return 0;
  return x->state != LTCP_SYN_SENT && (c->done || x->state == LTCP_CLOSED || x->state == LTCP_TIME_WAIT);
}

static void track_icmp(an_track *t, uint64_t frame, ltcp_time_ns time, const an_packet *p) {
  int dir;
  t->stats.icmp_errors++;
  an_conn *c = track_find(t, p, &dir);
  if (!c) {
    t->stats.icmp_unmatched++;
    return;
  }
  an_side *x = &c->side[dir];
  c->packets++;
  c->last_frame = frame;
  c->last_t = time;
  if (x->state == LTCP_SYN_SENT && p->seg.seq == x->iss && !conn_has(c, AN_F_SYN_ICMP)) {
    an_finding *f = conn_finding(c, AN_F_SYN_ICMP, AN_ERROR, dir, time, frame);
    if (f) {
      f->frames[1] = c->syn_frame;
      snprintf(f->detail, sizeof f->detail, "%s type %u code %u", p->src.family == 4 ? "ICMP" : "ICMPv6",
               p->icmp_type, p->icmp_code);
    }
  }
}

void an_track_packet(an_track *t, uint64_t frame, ltcp_time_ns time, const an_packet *p) {
  if (!t->stats.conns && !t->now) t->first_t = time;
  if (time > t->now) t->now = time;
  track_expire(t);
  if (p->kind == AN_PKT_ICMP_ERR) {
    track_icmp(t, frame, time, p);
    return;
  }
  int dir = 0, tw_side = -1;
  an_conn *c = track_find(t, p, &dir);
  if (c && conn_new_syn(c, dir, &p->seg)) {
    for (int i = 0; i < 2; i++)
      if (c->side[i].state == LTCP_TIME_WAIT) tw_side = i ^ dir; /* 0: the new SYN's sender */
    track_retire(t, c, 0);
    c = NULL;
  }
  if (!c) {
    if (!(c = track_new(t, p, frame, time))) return;
    dir = side_is(&c->side[0], &p->src, p->seg.src_port) ? 0 : 1;
    if (tw_side >= 0) {
      an_finding *f = conn_finding(c, AN_F_SYN_IN_TIME_WAIT, AN_WARNING, tw_side == 0 ? dir : 1 - dir,
                                   time, frame);
      (void)f;
    }
  }
  if (!c->done) {
    list_unlink(&t->live_head, &t->live_tail, c);
    list_append(&t->live_head, &t->live_tail, c);
  }
  if (t->hooks.packet && c->id == t->cfg.record_conn) t->hooks.packet(t->hooks.ctx, c, dir, frame, time, p);
  conn_observe(t, c, dir, frame, time, p);
  if (!c->done && conn_finished(c)) {
    list_unlink(&t->live_head, &t->live_tail, c);
    c->done = 1;
    c->done_t = time;
    list_append(&t->done_head, &t->done_tail, c);
  }
}

static int conn_by_id(const void *a, const void *b) {
  const an_conn *x = *(an_conn *const *)a, *y = *(an_conn *const *)b;
  return x->id < y->id ? -1 : x->id > y->id;
}

void an_track_finish(an_track *t) {
  size_t n = t->stats.live, k = 0;
  an_conn **all = n ? malloc(n * sizeof *all) : NULL;
  if (n && !all) { /* no memory to sort: report in table order */
    while (t->done_head) track_retire(t, t->done_head, 0);
    while (t->live_head) track_retire(t, t->live_head, 0);
    return;
  }
  for (an_conn *c = t->done_head; c; c = c->next) all[k++] = c;
  for (an_conn *c = t->live_head; c; c = c->next) all[k++] = c;
  if (k) qsort(all, k, sizeof *all, conn_by_id);
  for (size_t i = 0; i < k; i++) track_retire(t, all[i], 0);
  free(all);
}

const an_track_stats *an_track_stats_get(const an_track *t) { return &t->stats; }
ltcp_time_ns an_track_first_time(const an_track *t) { return t->first_t; }

void an_track_free(an_track *t) {
  if (!t) return;
  while (t->live_head) {
    an_conn *c = t->live_head;
    track_unlink(t, c);
    free(c);
  }
  while (t->done_head) {
    an_conn *c = t->done_head;
    track_unlink(t, c);
    free(c);
  }
  free(t->buckets);
  free(t);
}

/* ---- where the capture was taken */

static int vantage_hops(uint8_t ttl) {
  static const int initial[] = {32, 64, 128, 255};
  for (size_t i = 0; i < sizeof initial / sizeof initial[0]; i++)
    if (ttl <= initial[i]) return initial[i] - ttl;
  return -1;
}

void an_vantage_infer(const an_conn *c, an_vantage *v) {
  v->near = -1;
  v->by = "none";
  v->confidence = "low";
  for (int i = 0; i < 2; i++) v->hops[i] = c->side[i].segs ? vantage_hops(c->side[i].ttl_max) : -1;
  if (v->hops[0] >= 0 && v->hops[1] >= 0 && (v->hops[0] == 0) != (v->hops[1] == 0)) {
    v->near = v->hops[0] == 0 ? 0 : 1; /* an unrouted TTL is the capturing host's own */
    v->by = "ttl";
    v->confidence = "high";
    return;
  }
  if (v->hops[0] > 0 && v->hops[1] > 0) {
    v->by = "ttl"; /* both routed: somewhere between them */
    v->confidence = "medium";
    return;
  }
  /* Same TTLs: the handshake's gaps. At the client the SYN,ACK comes a round trip after the
   * SYN and the ACK at once; at the server the other way round. */
  if (c->syn_frame && c->synack_frame && c->hs_ack_frame) {
    ltcp_time_ns g1 = c->synack_t - c->syn_t, g2 = c->hs_ack_t - c->synack_t;
    if (g1 > 4 * g2 && g1 > LTCP_US(50)) v->near = 0;
    else if (g2 > 4 * g1 && g2 > LTCP_US(50)) v->near = 1;
    if (v->near >= 0) v->by = "timing", v->confidence = "medium";
  }
}
