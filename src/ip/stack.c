/* The stack: IPv4 in and out, ICMP echo, TCP demultiplexing, timers, events. */
#include <stdlib.h>
#include <string.h>

#include "ip/stack_int.h"
#include "util/assert.h"
#include "lucidtcp/wire/icmp.h"
#include "lucidtcp/wire/ipv4.h"

void ltcp_stack_config_default(ltcp_stack_config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  cfg->mtu = 1500;
  cfg->ttl = 64;
  cfg->seed = 1;
  cfg->msl_ns = LTCP_SEC(30);
  cfg->rto_initial_ns = LTCP_SEC(1);
  cfg->rto_min_ns = LTCP_MS(200);
  cfg->rto_max_ns = LTCP_SEC(60);
  cfg->syn_retries = 8; /* MUST-23: SYNs resent for at least 3 minutes (1+2+...+128 s) */
  cfg->data_retries = 15;
  cfg->sndbuf = 65535;
  cfg->rcvbuf = 65535;
  cfg->max_sockets = 1024;
  cfg->max_connections = 4096;
  cfg->tx_queue_packets = 512;
  cfg->time_wait_reuse = 1;
  cfg->rst_on_unread_close = 1;
  cfg->window_scale = 1;
  cfg->timestamps = 1;
  cfg->fin_wait_2_timeout_ns = LTCP_SEC(60);
  cfg->delayed_ack_ns = LTCP_MS(40);
  cfg->congestion = LTCP_CC_CUBIC;
  cfg->sack = 1;
}

static int stack_config_valid(const ltcp_stack_config *c) {
  if (c->delayed_ack_ns >= LTCP_MS(500)) return 0; /* RFC 1122 4.2.3.2: MUST be < 0.5 s */
  if (c->congestion >= LTCP_CC_COUNT) return 0;
  if (c->tso_max && (c->tso_max <= c->mtu || c->tso_max > 65535)) return 0;
  return c->mtu >= 68 + 40 && c->max_sockets > 0 && c->max_sockets < (1u << 24) &&
         c->max_connections > 0 && c->tx_queue_packets > 0 && c->sndbuf > 0 && c->rcvbuf > 0 &&
         c->rcvbuf <= LTCP_BUF_MAX && c->sndbuf <= LTCP_BUF_MAX && c->rto_min_ns > 0 && c->rto_min_ns <= c->rto_max_ns;
}

static int stack_alloc(ltcp_stack *st) {
  const ltcp_stack_config *c = &st->cfg;
  st->tx_slot = c->tso_max ? c->tso_max : c->mtu; /* slots grow only with TSO on */
  st->tx_cap = c->tx_queue_packets;
  st->tx_buf = malloc((size_t)st->tx_slot * st->tx_cap);
  st->tx_len = calloc(st->tx_cap, sizeof *st->tx_len);
  if (c->tso_max && !(st->tx_seg = calloc(st->tx_cap, sizeof *st->tx_seg))) return -1;
  st->socks = calloc(c->max_sockets, sizeof *st->socks);
  if (c->event_capacity) st->events = calloc(c->event_capacity, sizeof *st->events);
  if (!st->tx_buf || !st->tx_len || !st->socks || (c->event_capacity && !st->events)) return -1;
  /* Descriptors are handed out lowest first, as POSIX does for a fresh table. */
  for (uint32_t i = 0; i < c->max_sockets; i++)
    st->socks[i].next_free = i + 1 < c->max_sockets ? (int32_t)(i + 1) : -1;
  st->sock_free = 0;
  return ltcp_table_init(st);
}

ltcp_stack *ltcp_stack_new(const ltcp_stack_config *cfg) {
  if (!stack_config_valid(cfg)) return NULL;
  ltcp_stack *st = calloc(1, sizeof *st);
  if (!st) return NULL;
  st->cfg = *cfg;
  ltcp_rng_seed(&st->rng, cfg->seed);
  for (int i = 0; i < 16; i += 8) {
    uint64_t k = ltcp_rng_next(&st->rng);
    memcpy(st->isn_key + i, &k, 8);
  }
  st->hash_key = ltcp_rng_next(&st->rng);
  if (stack_alloc(st) != 0) {
    ltcp_stack_free(st);
    return NULL;
  }
  return st;
}

/* Frees every TCB: those in the connection table, listeners, and the graveyard. */
static void stack_free_tcbs(ltcp_stack *st) {
  for (uint32_t b = 0; st->conns && b <= st->conns_mask; b++) {
    for (ltcp_tcb *t = st->conns[b], *n; t; t = n) {
      n = t->hash_next;
      ltcp_tcb_free(st, t);
    }
  }
  for (uint32_t b = 0; st->listeners && b <= st->listeners_mask; b++) {
    for (ltcp_tcb *t = st->listeners[b], *n; t; t = n) {
      n = t->hash_next;
      ltcp_tcb_free(st, t);
    }
  }
  st->touched = NULL; /* all freed */
  ltcp_stack_reap(st);
  ltcp_tcb_busy_pool_free(st);
}

void ltcp_stack_free(ltcp_stack *st) {
  if (!st) return;
  stack_free_tcbs(st);
  /* Unread data that sockets kept from ended connections. */
  for (uint32_t i = 0; st->socks && i < st->cfg.max_sockets; i++)
    ltcp_ring_clear(&st->socks[i].rcv_left);
  ltcp_table_free(st);
  free(st->tx_buf);
  free(st->tx_len);
  free(st->tx_seg);
  free(st->socks);
  free(st->events);
  free(st);
}

void ltcp_stack_reap(ltcp_stack *st) {
  if (st->touched || st->idle_head) ltcp_tcb_sleep_idle(st);
  for (uint32_t i = 0; st->graveyard && i < UINT32_MAX; i++) {
    ltcp_tcb *t = st->graveyard;
    st->graveyard = t->hash_next;
    ltcp_tcb_free(st, t);
  }
}

/* ---- events and drops */

void ltcp_stack_emit_event(ltcp_stack *st, const ltcp_event *ev) {
  uint32_t cap = st->cfg.event_capacity;
  if (cap == 0) return;
  if (st->ev_count == cap) {
    st->stats.events_lost++;
    return;
  }
  st->events[(st->ev_head + st->ev_count) % cap] = *ev;
  st->ev_count++;
}

int ltcp_stack_next_event(ltcp_stack *st, ltcp_event *ev) {
  if (st->ev_count == 0) return 0;
  *ev = st->events[st->ev_head];
  st->ev_head = (st->ev_head + 1) % st->cfg.event_capacity;
  st->ev_count--;
  return 1;
}

void ltcp_stack_drop(ltcp_stack *st, ltcp_drop_reason why, const ltcp_seg *seg) {
  st->stats.drops[why]++;
  if (st->cfg.event_capacity == 0) return;
  ltcp_event ev = {.kind = LTCP_EV_DROP, .time = st->now, .fd = -1, .drop = why};
  ev.cause = LTCP_CAUSE_SEGMENT;
  if (seg) {
    ev.local = (ltcp_endpoint){seg->dst_addr, seg->dst_port};
    ev.remote = (ltcp_endpoint){seg->src_addr, seg->src_port};
    ev.seg = (ltcp_seg_summary){seg->flags, seg->seq, seg->ack, seg->wnd, seg->len};
  }
  ltcp_stack_emit_event(st, &ev);
}

/* ---- the output queue */

uint8_t *ltcp_stack_tx_alloc(ltcp_stack *st) {
  if (st->tx_count == st->tx_cap) return NULL;
  return st->tx_buf + (size_t)((st->tx_head + st->tx_count) % st->tx_cap) * st->tx_slot;
}

void ltcp_stack_tx_commit(ltcp_stack *st, uint32_t len) {
  LTCP_ASSERT(st->tx_count < st->tx_cap && len <= st->tx_slot);
  uint32_t slot = (st->tx_head + st->tx_count) % st->tx_cap;
  st->tx_len[slot] = len;
  if (st->tx_seg) st->tx_seg[slot] = 0;
  st->tx_count++;
  st->stats.ip_out++;
}

void ltcp_stack_tx_set_seg_size(ltcp_stack *st, uint32_t seg_size) {
  LTCP_ASSERT(st->tx_seg && st->tx_count > 0 && seg_size > 0);
  st->tx_seg[(st->tx_head + st->tx_count - 1) % st->tx_cap] = seg_size;
  st->stats.tso_out++;
}

void ltcp_stack_tx_wait(ltcp_stack *st, ltcp_tcb *tcb) {
  if (tcb->in_tx_wait || tcb->view) return;
  tcb->in_tx_wait = 1;
  tcb->busy->tx_next = NULL;
  if (st->tx_wait_tail) st->tx_wait_tail->busy->tx_next = tcb;
  else st->tx_wait_head = tcb;
  st->tx_wait_tail = tcb;
}

void ltcp_stack_tx_unwait(ltcp_stack *st, ltcp_tcb *tcb) {
  if (!tcb->in_tx_wait) return;
  ltcp_tcb **pp = &st->tx_wait_head, *prev = NULL;
  while (*pp != tcb) {
    prev = *pp;
    pp = &(*pp)->busy->tx_next;
  }
  *pp = tcb->busy->tx_next;
  if (st->tx_wait_tail == tcb) st->tx_wait_tail = prev;
  tcb->in_tx_wait = 0;
}

/* Connections that found the queue full, or owe an ACK, send now that the driver takes the
 * output. Bounded: each pass removes a TCB; one that fills the queue ends the loop. */
static void stack_tx_resume(ltcp_stack *st) {
  st->flushing = 1;
  while (st->tx_wait_head && st->tx_count < st->tx_cap) {
    ltcp_tcb *t = st->tx_wait_head;
    st->tx_wait_head = t->busy->tx_next;
    if (!st->tx_wait_head) st->tx_wait_tail = NULL;
    t->in_tx_wait = 0;
    t->busy->tx_next = NULL;
    if (!t->dead) {
      ltcp_tcb_touch(st, t); /* awake (waiting keeps it so); the ACK it owed may go now */
      ltcp_output(st, t);
      ltcp_timer_update(st, t);
      ltcp_stack_compact(st, t); /* the owed ACK went: TIME-WAIT may shrink */
    }
  }
  st->flushing = 0;
  ltcp_stack_reap(st); /* TCBs that became records here are freed now, not at the next call */
}

size_t ltcp_stack_tx_peek(ltcp_stack *st, const uint8_t **pkt) {
  if (st->tx_wait_head) stack_tx_resume(st);
  if (st->tx_count == 0) return 0;
  *pkt = st->tx_buf + (size_t)st->tx_head * st->tx_slot;
  return st->tx_len[st->tx_head];
}

uint32_t ltcp_stack_tx_seg_size(const ltcp_stack *st) {
  return st->tx_seg && st->tx_count ? st->tx_seg[st->tx_head] : 0;
}

void ltcp_stack_tx_pop(ltcp_stack *st) {
  if (st->tx_count == 0) return;
  st->tx_head = (st->tx_head + 1) % st->tx_cap;
  /* Empty: start again at slot 0, so the queue touches only as many slots as it ever holds at
   * once (hot in cache, faulted in once) instead of walking all tx_cap slots (12 MB at 8192). */
  if (--st->tx_count == 0) st->tx_head = 0;
}

/* ---- input */

/* RFC 792: answer an echo request with the same identifier, sequence and data. */
static void stack_icmp_input(ltcp_stack *st, const ltcp_ipv4_hdr *ip, const uint8_t *msg,
                             size_t len) {
  ltcp_icmp_hdr h;
  ltcp_drop_reason why = ltcp_icmp_parse(msg, len, &h);
  if (why == LTCP_DROP_NONE && h.type != LTCP_ICMP_ECHO_REQUEST) why = LTCP_DROP_ICMP_UNHANDLED;
  if (why != LTCP_DROP_NONE) {
    ltcp_stack_drop(st, why, NULL);
    return;
  }
  uint8_t *pkt = ltcp_stack_tx_alloc(st);
  if (!pkt || LTCP_IPV4_HDR_LEN + len > st->tx_slot) {
    ltcp_stack_drop(st, LTCP_DROP_TX_QUEUE_FULL, NULL);
    return;
  }
  h.type = LTCP_ICMP_ECHO_REPLY;
  h.code = 0;
  size_t n = ltcp_icmp_write(pkt + LTCP_IPV4_HDR_LEN, st->tx_slot - LTCP_IPV4_HDR_LEN, &h);
  ltcp_ipv4_hdr out = {.hdr_len = LTCP_IPV4_HDR_LEN, .ttl = st->cfg.ttl};
  out.proto = LTCP_IPPROTO_ICMP;
  out.total_len = (uint16_t)(LTCP_IPV4_HDR_LEN + n);
  out.id = (uint16_t)st->stats.ip_out;
  out.src = st->cfg.addr;
  out.dst = ip->src;
  ltcp_ipv4_write(pkt, &out);
  ltcp_stack_tx_commit(st, out.total_len);
  st->stats.icmp_echo_in++;
}

/* ---- records (tcp/timewait.h, tcp/synrcvd.h) */

int ltcp_stack_compact(ltcp_stack *st, ltcp_tcb *tcb) {
  return ltcp_tw_compact(st, tcb) || ltcp_syn_compact(st, tcb);
}

int ltcp_stack_tuple_in_use(ltcp_stack *st, const ltcp_endpoint *local, const ltcp_endpoint *remote) {
  return ltcp_table_lookup(st, local, remote) || ltcp_tw_exists(st, local, remote) ||
         ltcp_syn_exists(st, local, remote);
}

static void stack_compact_tuple(ltcp_stack *st, const ltcp_endpoint *local,
                                const ltcp_endpoint *remote) {
  ltcp_tcb *t = ltcp_table_lookup(st, local, remote);
  if (t && !t->dead) ltcp_stack_compact(st, t);
}

/* RFC 9293 §3.6 (MAY-2), as Linux and FreeBSD: a new SYN above the old connection's RCV.NXT
 * (or, with timestamps, a newer TSval: RFC 6191, SHLD-4) may end TIME-WAIT and open a new
 * connection, with an ISS above the old SND.NXT. Returns 1 when the SYN went to the listener. */
static int stack_time_wait_reuse(ltcp_stack *st, ltcp_tcb *tcb, const ltcp_seg *seg) {
  if (!st->cfg.time_wait_reuse || tcb->state != LTCP_TIME_WAIT ||
      (seg->flags & (LTCP_SYN | LTCP_ACK | LTCP_RST)) != LTCP_SYN ||
      !ltcp_opts_time_wait_syn_ok(tcb, seg))
    return 0;
  ltcp_tcb *lst = ltcp_table_listener(st, seg->dst_port);
  if (!lst) return 0;
  uint32_t isn = tcb->snd_nxt + 65535 + 2; /* as Linux's tcp_timewait_state_process */
  ltcp_cause why = ltcp_cause_segment(seg);
  ltcp_tcb_close(st, tcb, 0, &why);
  st->stats.time_wait_reuse++;
  ltcp_input_listen(st, lst, seg, &isn);
  ltcp_endpoint local = {seg->dst_addr, seg->dst_port}, remote = {seg->src_addr, seg->src_port};
  stack_compact_tuple(st, &local, &remote);
  return 1;
}

static void stack_tcp_input(ltcp_stack *st, const ltcp_ipv4_hdr *ip, const uint8_t *tcp,
                            size_t len, uint32_t flags) {
  ltcp_seg seg;
  ltcp_drop_reason why = flags & LTCP_INPUT_CSUM_OK
                             ? ltcp_tcp_parse_unchecked(tcp, len, ip->src, ip->dst, &seg)
                             : ltcp_tcp_parse(tcp, len, ip->src, ip->dst, &seg);
  if (why != LTCP_DROP_NONE) {
    ltcp_stack_drop(st, why, NULL);
    return;
  }
  st->stats.segs_in++;
  /* A segment above our MSS (RFC 9293 §3.7.1) from a link that coalesced several (GRO): taken
   * whole, as the text and ACK steps work on byte ranges. */
  if (seg.len + 40u > st->cfg.mtu) st->stats.large_in++;
  ltcp_endpoint local = {seg.dst_addr, seg.dst_port}, remote = {seg.src_addr, seg.src_port};
  ltcp_tcb *tcb = ltcp_table_lookup(st, &local, &remote);
  if (!tcb) tcb = ltcp_syn_expand(st, &local, &remote); /* a half-open record: its TCB again */
  if (!tcb && (tcb = ltcp_tw_view(st, &local, &remote)) != NULL) {
    /* A compact TIME-WAIT record, through its view (tcp/timewait.h). */
    if (!stack_time_wait_reuse(st, tcb, &seg)) ltcp_input_other(st, tcb, &seg);
    ltcp_tw_view_done(st, tcb);
    return;
  }
  if (tcb && ltcp_tcb_wake(st, tcb) != 0) {
    ltcp_stack_drop(st, LTCP_DROP_TCP_NO_MEMORY, &seg); /* as lost on the way: resent */
    return;
  }
  if (tcb) ltcp_tcb_touch(st, tcb);
  if (tcb && stack_time_wait_reuse(st, tcb, &seg)) return;
  if (tcb) {
    if (tcb->state == LTCP_SYN_SENT) ltcp_input_syn_sent(st, tcb, &seg);
    else ltcp_input_other(st, tcb, &seg);
    if (!tcb->dead) {
      ltcp_tcb_check(tcb);
      ltcp_stack_compact(st, tcb);
    }
    return;
  }
  ltcp_tcb *lst = ltcp_table_listener(st, seg.dst_port);
  if (lst) {
    ltcp_input_listen(st, lst, &seg, NULL);
    stack_compact_tuple(st, &local, &remote); /* the new child, waiting for the ACK */
    return;
  }
  /* §3.10.7.1 CLOSED: a reset for anything but a reset. */
  if (seg.flags & LTCP_RST) {
    st->stats.rst_in++;
    ltcp_stack_drop(st, LTCP_DROP_TCP_RST_NO_CONN, &seg);
    return;
  }
  ltcp_out_reset_reply(st, &seg);
}

static int stack_bad_source(const ltcp_stack *st, uint32_t src) {
  /* RFC 1122 3.2.1.3: drop a source that is broadcast, multicast, 0 or our own address. */
  return src == 0 || src == 0xffffffffu || (src >> 28) == 0xe || src == st->cfg.addr;
}

void ltcp_stack_input(ltcp_stack *st, ltcp_time_ns now, const uint8_t *pkt, size_t len) {
  ltcp_stack_input_flags(st, now, pkt, len, 0);
}

void ltcp_stack_input_flags(ltcp_stack *st, ltcp_time_ns now, const uint8_t *pkt, size_t len,
                            uint32_t flags) {
  ltcp_stack_advance(st, now);
  st->stats.ip_in++;
  ltcp_ipv4_hdr ip;
  ltcp_drop_reason why = ltcp_ipv4_parse(pkt, len, &ip);
  if (why == LTCP_DROP_NONE && ip.dst != st->cfg.addr) why = LTCP_DROP_IP_NOT_LOCAL;
  if (why == LTCP_DROP_NONE && stack_bad_source(st, ip.src)) why = LTCP_DROP_IP_BAD_SOURCE;
  if (why == LTCP_DROP_NONE) {
    const uint8_t *payload = pkt + ip.hdr_len;
    size_t plen = (size_t)ip.total_len - ip.hdr_len;
    if (ip.proto == LTCP_IPPROTO_TCP) stack_tcp_input(st, &ip, payload, plen, flags);
    else if (ip.proto == LTCP_IPPROTO_ICMP) stack_icmp_input(st, &ip, payload, plen);
    else why = LTCP_DROP_IP_PROTO;
  }
  if (why != LTCP_DROP_NONE) ltcp_stack_drop(st, why, NULL);
  ltcp_stack_reap(st);
}

/* ---- time */

void ltcp_stack_advance(ltcp_stack *st, ltcp_time_ns now) {
  if (now > st->now) st->now = now;
  /* Bounded: each expiry either deletes the TCB (or record) or moves its deadline past now.
   * The heap and the records' FIFOs expire in one order: by deadline, then connection id. A
   * half-open record due becomes its TCB, whose timer then runs as any other. */
  uint64_t bound = 4ull * (st->heap_len + st->syn.recs.count + 1) + st->tw.recs.count;
  for (uint64_t i = 0; i < bound; i++) {
    ltcp_tcb *t = ltcp_timer_peek(st);
    uint64_t tw_id = 0, syn_id = 0;
    ltcp_time_ns tw = ltcp_tw_next_expiry(st, &tw_id), syn = ltcp_syn_next_expiry(st, &syn_id);
    if (syn <= st->now && (!t || syn < t->deadline || (syn == t->deadline && syn_id < t->id)) &&
        (syn < tw || (syn == tw && syn_id < tw_id))) {
      t = ltcp_syn_expand_earliest(st); /* now at the top of the heap */
      if (!t) break;                    /* no memory: it is retried at the next call */
    } else if (tw <= st->now &&
               (!t || tw < t->deadline || (tw == t->deadline && tw_id < t->id))) {
      ltcp_tw_expire_oldest(st);
      continue;
    }
    if (!t || t->deadline > st->now) break;
    if (ltcp_tcb_wake(st, t) != 0) {
      /* Asleep, so keep-alive's timer: it runs when memory allows (checked each second). */
      t->ka_at = st->now + LTCP_SEC(1);
      ltcp_timer_update(st, t);
      continue;
    }
    ltcp_tcb_touch(st, t);
    ltcp_timer_expire(st, t);
    LTCP_ASSERT(t->dead || t->deadline > st->now);
    if (!t->dead) ltcp_stack_compact(st, t); /* a SYN,ACK sent again: waiting once more */
  }
  ltcp_stack_reap(st);
}

ltcp_time_ns ltcp_stack_next_deadline(const ltcp_stack *st) {
  const ltcp_tcb *t = ltcp_timer_peek(st);
  ltcp_time_ns d = ltcp_tw_next_expiry(st, NULL), syn = ltcp_syn_next_expiry(st, NULL);
  if (syn < d) d = syn;
  return t && t->deadline < d ? t->deadline : d;
}

ltcp_time_ns ltcp_stack_now(const ltcp_stack *st) { return st->now; }
const ltcp_stats *ltcp_stack_stats(const ltcp_stack *st) { return &st->stats; }
const ltcp_stack_config *ltcp_stack_get_config(const ltcp_stack *st) { return &st->cfg; }
uint32_t ltcp_stack_connection_count(const ltcp_stack *st) { return st->conn_count; }

uint32_t ltcp_stack_count_state(const ltcp_stack *st, ltcp_state state) {
  return state < LTCP_STATE_COUNT ? st->state_count[state] : 0;
}
