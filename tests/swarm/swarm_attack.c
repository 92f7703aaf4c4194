/* The swarm's attacker (swarm.h): a simulator node linked to every stack that sends one crafted
 * packet every so often during the faulty phase and drops whatever reaches it (replies to the
 * addresses it spoofs). It never reads the packets on the links. The blind kinds know the
 * 4-tuples only; the window-aware kinds also read the receiver's RCV.NXT and window (white-box)
 * but guess every ACK; the on-path kinds read everything and send the true bytes (or old bytes
 * changed, which must never reach the application).
 *
 * Judging: the stack's drop counters tell whether it took a packet. A packet from the attacker
 * that an existing connection processed with no counted drop "landed": for the blind and
 * window-aware kinds that is a successful disruption (RFC 5961's odds), and the connection it
 * hit may end with an error or a corrupted stream without failing the seed. Everything else the
 * connection must shrug off. */
#include <stdio.h>
#include <string.h>

#include "lucidtcp/wire/bytes.h"
#include "lucidtcp/wire/icmp.h"
#include "lucidtcp/wire/ipv4.h"
#include "lucidtcp/wire/tcp.h"
#include "sock/stack.h"
#include "swarm.h"
#include "tcp/seq.h"

#define SW_ROUTER_ADDR LTCP_IPV4(198, 18, 1, 254) /* where the ICMP errors claim to come from */
#define SW_BLIND_DATA_MAX 64u

static const char *const sw_attack_names[SW_ATK_KINDS] = {
    "syn-flood", "blind-rst", "blind-syn", "blind-data", "blind-icmp", "window-rst",
    "window-syn", "window-data", "onpath-edge", "onpath-overlap", "onpath-icmp"};

const char *sw_attack_name(int kind) {
  return kind >= 0 && kind < SW_ATK_KINDS ? sw_attack_names[kind] : "?";
}

/* ------------------------------------------------------------------ crafting */

static size_t sw_put_ipv4(uint8_t *out, uint32_t src, uint32_t dst, uint8_t proto, size_t len) {
  ltcp_ipv4_hdr ip = {.hdr_len = LTCP_IPV4_HDR_LEN, .total_len = (uint16_t)(LTCP_IPV4_HDR_LEN + len),
                      .ttl = 64, .proto = proto, .src = src, .dst = dst};
  return ltcp_ipv4_write(out, &ip);
}

/* A TCP segment seg (its data copied in) as an IPv4 packet into a->pkt. */
static void sw_put_tcp(sw_attacker *a, const ltcp_seg *seg) {
  uint8_t *tcp = a->pkt + LTCP_IPV4_HDR_LEN;
  size_t cap = sizeof a->pkt - LTCP_IPV4_HDR_LEN;
  size_t hl = ltcp_tcp_write_header(tcp, cap, seg);
  if (hl == 0 || hl + seg->len > cap) return;
  if (seg->len) memcpy(tcp + hl, seg->data, seg->len);
  ltcp_tcp_set_checksum(tcp, hl + seg->len, seg->src_addr, seg->dst_addr);
  sw_put_ipv4(a->pkt, seg->src_addr, seg->dst_addr, LTCP_IPPROTO_TCP, hl + seg->len);
  a->len = LTCP_IPV4_HDR_LEN + hl + seg->len;
}

/* An ICMP error to local's host quoting a segment local sent to remote with sequence seq. */
static void sw_put_icmp(sw_attacker *a, const ltcp_endpoint *local, const ltcp_endpoint *remote,
                        uint32_t seq) {
  static const uint8_t types[][2] = {{3, 0}, {3, 1}, {3, 2}, {3, 3}, {3, 4}, {3, 13},
                                     {11, 0}, {12, 0}, {4, 0}, {5, 1}};
  const uint8_t *tc = types[ltcp_rng_below(&a->rng, sizeof types / sizeof types[0])];
  uint8_t quote[LTCP_IPV4_HDR_LEN + 8];
  sw_put_ipv4(quote, local->addr, remote->addr, LTCP_IPPROTO_TCP, 20);
  ltcp_put16(quote + 20, local->port);
  ltcp_put16(quote + 22, remote->port);
  ltcp_put32(quote + 24, seq);
  ltcp_icmp_hdr h = {.type = tc[0], .code = tc[1], .data = quote, .data_len = sizeof quote};
  if (tc[0] == 3 && tc[1] == 4) h.rest = 576 + (uint32_t)ltcp_rng_below(&a->rng, 1000);
  size_t n = ltcp_icmp_write(a->pkt + LTCP_IPV4_HDR_LEN, sizeof a->pkt - LTCP_IPV4_HDR_LEN, &h);
  sw_put_ipv4(a->pkt, SW_ROUTER_ADDR, local->addr, LTCP_IPPROTO_ICMP, n);
  a->len = LTCP_IPV4_HDR_LEN + n;
}

/* ------------------------------------------------------------------ targets */

/* A connection under attack: the stack and the end it hits, and the tuple from there. */
typedef struct sw_target {
  sw_conn *c;
  int s, end;                 /* stack index, SW_CLI or SW_SRV */
  ltcp_endpoint local, remote; /* as that stack sees it */
  ltcp_tcb *tcb, *peer;       /* white-box, NULL when absent */
} sw_target;

static int sw_pick_target(sw_attacker *a, sw_target *t) {
  sw_world *w = a->w;
  sw_conn *c = &w->conn[ltcp_rng_below(&a->rng, (uint64_t)w->p.conns)];
  if (c->cli.port == 0) return -1; /* not connecting yet: its port is unknown */
  t->c = c;
  t->end = (int)ltcp_rng_below(&a->rng, 2);
  t->s = t->end == SW_SRV ? SW_SERVER : c->client;
  t->local = t->end == SW_SRV ? c->srv : c->cli;
  t->remote = t->end == SW_SRV ? c->cli : c->srv;
  /* A port used again names the newest connection: its bytes are the ones on the wire. */
  t->c = sw_conn_by_tuple(w, t->s, &t->local, &t->remote);
  t->tcb = sw_tcb_lookup(w, t->s, &t->local, &t->remote);
  t->peer = sw_tcb_lookup(w, t->end == SW_SRV ? c->client : SW_SERVER, &t->remote, &t->local);
  return 0;
}

/* A segment "from the peer" to the target. */
static ltcp_seg sw_seg_to(const sw_target *t, uint8_t flags, uint32_t seq, uint32_t ack) {
  ltcp_seg s = {.src_addr = t->remote.addr, .dst_addr = t->local.addr,
                .src_port = t->remote.port, .dst_port = t->local.port,
                .seq = seq, .ack = ack, .flags = flags, .wnd = 65535};
  return s;
}

static uint32_t sw_rcv_wnd(const ltcp_tcb *tcb) {
  return ltcp_seq_gt(tcb->rcv_adv, tcb->rcv_nxt) ? tcb->rcv_adv - tcb->rcv_nxt : 0;
}

/* ------------------------------------------------------------------ the kinds */

static void sw_syn_flood(sw_attacker *a) {
  sw_world *w = a->w;
  uint32_t src = LTCP_IPV4(198, 19, 0, 0) | (uint32_t)ltcp_rng_below(&a->rng, 65536);
  ltcp_seg s = {.src_addr = src, .dst_addr = SW_SERVER_ADDR,
                .src_port = (uint16_t)(1024 + ltcp_rng_below(&a->rng, 64512)),
                .dst_port = w->port[ltcp_rng_below(&a->rng, (uint64_t)w->p.ports)],
                .seq = (uint32_t)ltcp_rng_next(&a->rng), .flags = LTCP_SYN, .wnd = 65535};
  s.opts.mss = 1460;
  sw_put_tcp(a, &s);
}

static void sw_blind(sw_attacker *a, const sw_target *t, int kind) {
  uint32_t seq = (uint32_t)ltcp_rng_next(&a->rng), ack = (uint32_t)ltcp_rng_next(&a->rng);
  uint8_t junk[SW_BLIND_DATA_MAX];
  ltcp_seg s;
  switch (1u << kind) {
    case SW_ATK_BLIND_RST:
      s = sw_seg_to(t, ltcp_rng_below(&a->rng, 2) ? LTCP_RST : LTCP_RST | LTCP_ACK, seq, ack);
      break;
    case SW_ATK_BLIND_SYN:
      s = sw_seg_to(t, LTCP_SYN, seq, 0);
      break;
    case SW_ATK_BLIND_ICMP:
      sw_put_icmp(a, &t->local, &t->remote, seq);
      return;
    default: /* SW_ATK_BLIND_DATA */
      s = sw_seg_to(t, LTCP_ACK | LTCP_PSH, seq, ack);
      s.len = 1 + (uint32_t)ltcp_rng_below(&a->rng, SW_BLIND_DATA_MAX);
      memset(junk, 0xee, s.len);
      s.data = junk;
      break;
  }
  sw_put_tcp(a, &s);
}

/* Inside the receiver's window, never at RCV.NXT for an RST (that would not be a guess). */
static void sw_window(sw_attacker *a, const sw_target *t, int kind) {
  const ltcp_tcb *tcb = t->tcb;
  uint32_t wnd = sw_rcv_wnd(tcb), ack = (uint32_t)ltcp_rng_next(&a->rng);
  uint8_t junk[SW_BLIND_DATA_MAX];
  ltcp_seg s;
  if (wnd < 2) return;
  uint32_t seq = tcb->rcv_nxt + 1 + (uint32_t)ltcp_rng_below(&a->rng, wnd - 1);
  if ((1u << kind) == SW_ATK_WIN_RST) {
    s = sw_seg_to(t, LTCP_RST, seq, 0);
  } else if ((1u << kind) == SW_ATK_WIN_SYN) {
    s = sw_seg_to(t, LTCP_SYN, seq, 0);
  } else { /* data inside the window or straddling its right edge */
    s = sw_seg_to(t, LTCP_ACK, seq, ack);
    s.len = 1 + (uint32_t)ltcp_rng_below(&a->rng, SW_BLIND_DATA_MAX);
    if (ltcp_rng_below(&a->rng, 2)) s.seq = tcb->rcv_adv - (uint32_t)ltcp_rng_below(&a->rng, s.len);
    memset(junk, 0xdd, s.len);
    s.data = junk;
  }
  sw_put_tcp(a, &s);
}

/* On-path: an ACK and window the receiver already believes, its TS.Recent as TSval. */
static ltcp_seg sw_onpath_seg(const sw_target *t, uint32_t seq) {
  const ltcp_tcb *tcb = t->tcb;
  ltcp_seg s = sw_seg_to(t, LTCP_ACK, seq, tcb->snd_una);
  uint32_t field = tcb->snd_wnd >> tcb->rfc7323.snd_wscale;
  s.wnd = (uint16_t)(field > 65535 ? 65535 : field);
  if (tcb->rfc7323.ts_ok) {
    s.opts.has_timestamps = 1;
    s.opts.ts_val = tcb->rfc7323.ts_recent;
  }
  return s;
}

/* The true bytes of [seq, end) of what the peer sent (sequence numbers of the target's receive
 * side), clipped to what the peer has sent; the bytes before RCV.NXT changed when garble. */
static void sw_onpath_data(sw_attacker *a, const sw_target *t, uint32_t seq, uint32_t end,
                           int garble) {
  const ltcp_tcb *tcb = t->tcb, *peer = t->peer;
  const sw_end *e = &t->c->end[t->end];
  uint8_t buf[256];
  uint32_t first = tcb->irs + 1, sent = peer->snd_nxt;
  if (peer->fin_queued && ltcp_seq_gt(sent, ltcp_tcb_fin_seq(peer))) sent = ltcp_tcb_fin_seq(peer);
  if (ltcp_seq_lt(seq, first)) seq = first;
  if (ltcp_seq_gt(end, sent)) end = sent;
  if (ltcp_seq_gt(end, first + e->in_len)) end = first + e->in_len;
  if (!ltcp_seq_lt(seq, end) || end - seq > sizeof buf) return;
  uint32_t off = seq - first, n = end - seq;
  memcpy(buf, e->in + off, n);
  for (uint32_t i = 0; garble && i < n && ltcp_seq_lt(seq + i, tcb->rcv_nxt); i++) buf[i] ^= 0x5a;
  ltcp_seg s = sw_onpath_seg(t, seq);
  s.data = buf;
  s.len = n;
  sw_put_tcp(a, &s);
}

static void sw_onpath(sw_attacker *a, const sw_target *t, int kind) {
  const ltcp_tcb *tcb = t->tcb;
  if (!ltcp_tcb_synchronized((ltcp_state)tcb->state) && (1u << kind) != SW_ATK_ON_ICMP) return;
  if ((1u << kind) == SW_ATK_ON_ICMP) {
    if (tcb->snd_una != tcb->snd_nxt) sw_put_icmp(a, &t->local, &t->remote, tcb->snd_una);
    return;
  }
  if (!t->peer || !ltcp_tcb_synchronized((ltcp_state)t->peer->state)) return;
  uint32_t before = 1 + (uint32_t)ltcp_rng_below(&a->rng, 64);
  uint32_t after = (uint32_t)ltcp_rng_below(&a->rng, 65);
  if ((1u << kind) == SW_ATK_ON_EDGE)
    sw_onpath_data(a, t, tcb->rcv_adv - before, tcb->rcv_adv + after, 0);
  else
    sw_onpath_data(a, t, tcb->rcv_nxt - before, tcb->rcv_nxt + after, 1);
}

/* One packet of a kind the seed allows, into a->pkt (a->len stays 0 when there is nothing to
 * aim at yet). */
static void sw_attack_make(sw_attacker *a) {
  sw_world *w = a->w;
  uint32_t allowed = w->p.attacks;
  int kind;
  /* Ends: the attacker runs only when allowed has a bit set; at most SW_ATK_KINDS draws on
   * average. */
  do kind = (int)ltcp_rng_below(&a->rng, SW_ATK_KINDS);
  while (!(allowed & (1u << kind)));
  a->len = 0;
  a->kind = kind;
  if ((1u << kind) == SW_ATK_SYN_FLOOD) {
    sw_syn_flood(a);
    return;
  }
  sw_target t;
  if (sw_pick_target(a, &t) != 0) return;
  if ((1u << kind) & SW_ATK_BLIND_ALL) sw_blind(a, &t, kind);
  else if (t.tcb && ((1u << kind) & SW_ATK_WINDOW_ALL)) sw_window(a, &t, kind);
  else if (t.tcb) sw_onpath(a, &t, kind);
}

/* ------------------------------------------------------------------ the node */

static void sw_atk_input(void *node, ltcp_time_ns now, const uint8_t *pkt, size_t len) {
  (void)now, (void)pkt, (void)len;
  sw_attacker *a = node;
  a->w->as.replies++; /* off-path: never looked at */
}

static ltcp_time_ns sw_atk_deadline(void *node) {
  sw_attacker *a = node;
  return a->len == 0 && a->next_at < a->end_at ? a->next_at : LTCP_TIME_NEVER;
}

/* A gap between packets, uniform around the seed's mean. */
static ltcp_time_ns sw_atk_gap(sw_attacker *a) {
  return 1 + ltcp_rng_below(&a->rng, 2 * a->w->p.attack_gap_ns);
}

static void sw_atk_advance(void *node, ltcp_time_ns now) {
  sw_attacker *a = node;
  if (a->len != 0 || now < a->next_at || now >= a->end_at) return;
  sw_attack_make(a);
  a->next_at = now + sw_atk_gap(a);
}

static size_t sw_atk_peek(void *node, const uint8_t **pkt) {
  sw_attacker *a = node;
  *pkt = a->pkt;
  return a->len;
}

static void sw_atk_pop(void *node) {
  sw_attacker *a = node;
  a->w->as.sent[a->kind]++;
  a->len = 0;
}

static const ltcp_sim_node_ops sw_atk_ops = {sw_atk_input, sw_atk_advance, sw_atk_deadline,
                                             sw_atk_peek, sw_atk_pop};

int sw_attack_init(sw_world *w) {
  sw_attacker *a = &w->atk;
  a->w = w;
  ltcp_rng_seed(&a->rng, w->p.attack_seed);
  a->end_at = w->p.attacks ? w->p.heal_at : 0;
  a->next_at = w->p.attack_from + sw_atk_gap(a);
  a->node = ltcp_sim_add_node(w->sim, &sw_atk_ops, a, SW_ATTACKER_ADDR);
  return a->node < 0 ? a->node : 0;
}

/* ------------------------------------------------------------------ judging */

static uint64_t sw_drops(const ltcp_stats *st) {
  uint64_t n = 0;
  for (int i = 0; i < LTCP_DROP_COUNT; i++) n += st->drops[i];
  return n;
}

/* The state of the connection with this tuple, whether a TCB or a compact record (TIME-WAIT,
 * tcp/timewait.h; half-open, tcp/synrcvd.h), or CLOSED when there is none. */
static ltcp_state sw_tuple_state(sw_world *w, int s, const ltcp_endpoint *local,
                                 const ltcp_endpoint *remote) {
  const ltcp_ip *ip = &w->st[s]->ip;
  ltcp_tcb *tcb = sw_tcb_lookup(w, s, local, remote);
  if (tcb) return tcb->state == LTCP_LISTEN ? LTCP_CLOSED : (ltcp_state)tcb->state;
  ltcp_ep l = {local->addr, local->port}, r = {remote->addr, remote->port};
  if (ltcp_syn_table_exists(&ip->syn, &l, &r)) return LTCP_SYN_RECEIVED;
  if (ltcp_tw_table_exists(&ip->tw, &l, &r)) return LTCP_TIME_WAIT;
  return LTCP_CLOSED;
}

/* Challenge ACKs sent or held back by the limit (RFC 5961 §3, §4, §5; §7). */
static uint64_t sw_challenged(const ltcp_stats *st) {
  return st->challenge_acks + st->drops[LTCP_DROP_TCP_CHALLENGE_LIMITED] +
         st->drops[LTCP_DROP_TCP_ACK_UNACCEPTABLE];
}

/* The connection a packet is aimed at, as the receiving stack sees it. */
static int sw_packet_tuple(const uint8_t *pkt, size_t len, ltcp_endpoint *local,
                           ltcp_endpoint *remote) {
  if (len < 40) return -1;
  if (pkt[9] == LTCP_IPPROTO_TCP) {
    *local = (ltcp_endpoint){ltcp_get32(pkt + 16), ltcp_get16(pkt + 22)};
    *remote = (ltcp_endpoint){ltcp_get32(pkt + 12), ltcp_get16(pkt + 20)};
    return 0;
  }
  if (pkt[9] != LTCP_IPPROTO_ICMP || len < 28 + 28) return -1;
  const uint8_t *q = pkt + 28;
  *local = (ltcp_endpoint){ltcp_get32(q + 12), ltcp_get16(q + 20)};
  *remote = (ltcp_endpoint){ltcp_get32(q + 16), ltcp_get16(q + 22)};
  return 0;
}

void sw_attack_judge(sw_world *w, int s, ltcp_time_ns now, const uint8_t *pkt, size_t len) {
  int kind = w->in_attack - 1;
  w->in_attack = 0;
  ltcp_endpoint local, remote;
  int aimed = sw_packet_tuple(pkt, len, &local, &remote) == 0;
  ltcp_state before = aimed ? sw_tuple_state(w, s, &local, &remote) : LTCP_CLOSED;
  int live = before != LTCP_CLOSED;
  const ltcp_stats *st = ltcp_stack_stats(w->st[s]);
  uint64_t drops = sw_drops(st);
  uint64_t challenged = sw_challenged(st);
  ltcp_stack_input(w->st[s], now, pkt, len);
  if (sw_challenged(st) != challenged) w->as.challenged[kind]++;
  /* Dropped and counted, and the connection in the state it was: shrugged off. (A SYN that
   * ends TIME-WAIT and is then dropped by a full listener is counted, yet it landed.) A SYN
   * that opens a connection on a legitimate tuple whose end here is gone (aborted, say) lands
   * too: the half-open connection answers the other end's segments in its place. */
  sw_conn *c = aimed ? sw_conn_by_tuple(w, s, &local, &remote) : NULL;
  int same = aimed && sw_tuple_state(w, s, &local, &remote) == before;
  int took = live ? sw_drops(st) == drops || !same : !same && c != NULL;
  if (!took) return;
  w->as.landed[kind]++;
  if (w->verbose)
    printf("%12.6f %s landed on stack %d port %u -> %u in %s\n", (double)now / 1e9,
           sw_attack_name(kind), s, local.port, remote.port, ltcp_state_name(before));
  /* On-path segments carry true bytes, and an ICMP error taken by a synchronized connection is
   * only remembered (a soft error, tcp/icmperr.h): neither may make a connection fail. */
  uint32_t bit = 1u << kind;
  int icmp = bit == SW_ATK_ON_ICMP || bit == SW_ATK_BLIND_ICMP;
  if ((bit & SW_ATK_ONPATH_ALL) && !icmp) return;
  if (icmp && before != LTCP_SYN_SENT) return;
  /* A connection both applications are done with has nothing left to disrupt. */
  if (c && !(c->end[SW_CLI].closed && c->end[SW_SRV].closed)) c->disrupted |= bit;
}
