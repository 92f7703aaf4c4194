/* The IP layer (ip.h): IPv4 in and out, demultiplexing to the engine, its host interface,
 * timers, records and ports. */
#include "ip/ip.h"

#include <string.h>

#include "ip/icmp.h"
#include "ip/ip6.h"
#include "lucidtcp/wire/bytes.h"
#include "lucidtcp/wire/checksum.h"
#include "lucidtcp/wire/icmp.h"
#include "lucidtcp/wire/ipv4.h"
#include "lucidtcp/wire/ipv6.h"
#include "tcp/events.h"
#include "tcp/input.h"
#include "tcp/life.h"
#include "tcp/output.h"
#include "tcp/timeout.h"
#include "tcp/timer.h"
#include "util/assert.h"
#include "util/siphash.h"

#define IP_EPHEMERAL_LO 49152u /* RFC 6335 §6 dynamic ports */
#define IP_EPHEMERAL_HI 65535u
/* A function of the per-packet input path, called from two places: inlined into both, as the
 * compiler did not by itself (callgrind: about 40 instructions a packet). */
#define IP_HOT static inline __attribute__((always_inline))

/* ---- the engine's host interface (tcp/engine.h) */

static uint8_t *ip_tx_slot(void *ctx, uint32_t dst_addr, uint32_t *room, int new_data) {
  ltcp_ip *ip = ctx;
  uint8_t *pkt = ltcp_txq_alloc(&ip->txq, new_data);
  if (!pkt) {
    /* Backpressure: the sender waits for the driver to drain the queue (counted, not a drop). */
    if (new_data && ltcp_txq_stall(&ip->txq)) ip->stats.tx_stalls++;
    return NULL;
  }
  if (__builtin_expect(ltcp_ep_is_v6(dst_addr), 0)) {
    *room = ip->txq.slot - LTCP_IPV6_HDR_LEN;
    return pkt + LTCP_IPV6_HDR_LEN;
  }
  *room = ip->txq.slot - LTCP_IPV4_HDR_LEN;
  return pkt + LTCP_IPV4_HDR_LEN;
}

/* A TCP segment's IPv4 header, as ltcp_ipv4_write writes it (no options, DF: TCP segments are
 * never fragmented), its checksum summed from the field values instead of read back: the
 * fields every segment shares (version and IHL, DF, TTL and protocol) are one constant, to which
 * the length, identification and addresses are added (RFC 1071 §2, RFC 1624 §3: a sum over the
 * words that differ from a template whose other words are fixed). */
static inline void ip_write_hdr4(uint8_t *out, uint8_t ttl, uint16_t total_len, uint16_t id,
                                 uint32_t src, uint32_t dst) {
  uint32_t fixed = 0x4500u + LTCP_IPV4_DF + ((uint32_t)ttl << 8 | LTCP_IPPROTO_TCP);
  uint32_t sum = fixed + total_len + id + (src >> 16) + (src & 0xffff) + (dst >> 16) +
                 (dst & 0xffff);
  ltcp_put32(out, 0x45000000u | total_len); /* version 4, IHL 5, TOS 0 */
  ltcp_put32(out + 4, (uint32_t)id << 16 | LTCP_IPV4_DF);
  ltcp_put32(out + 8, ((uint32_t)ttl << 24 | (uint32_t)LTCP_IPPROTO_TCP << 16) |
                          ltcp_cksum_finish(sum));
  ltcp_put32(out + 12, src);
  ltcp_put32(out + 16, dst);
}

static void ip_tx_commit(void *ctx, uint8_t *tcp, const ltcp_seg *seg, uint32_t tcp_len,
                         uint32_t seg_size) {
  ltcp_ip *ip = ctx;
  if (__builtin_expect(ltcp_ep_is_v6(seg->dst_addr), 0)) {
    ltcp_ip6_tx_commit(ip, tcp, seg, tcp_len, seg_size);
    return;
  }
  uint8_t *pkt = tcp - LTCP_IPV4_HDR_LEN; /* the slot ip_tx_slot gave */
  uint16_t total_len = (uint16_t)(LTCP_IPV4_HDR_LEN + tcp_len);
  ip_write_hdr4(pkt, ip->cfg.ttl, total_len, (uint16_t)ip->stats.ip_out, seg->src_addr,
                seg->dst_addr);
  LTCP_ASSERT(ip->txq.count < ip->txq.cap && total_len <= ip->txq.slot &&
              (seg_size == 0 || ip->txq.seg));
  ltcp_txq_commit(&ip->txq, total_len, seg_size);
  ip->stats.ip_out++;
  if (seg_size) ip->stats.tso_out++;
}

static void ip_deadline_moved(void *ctx, ltcp_tcb *tcb) {
  ltcp_ip *ip = ctx;
  ltcp_timers_moved(&ip->timers, tcb, ip->tcp.now);
}

/* A listener bound to one family's address (IPV6_V6ONLY, or a bound IPv4 address) takes no
 * segment of the other; a wildcard one takes both. */
static ltcp_tcb *ip_listener(void *ctx, const ltcp_seg *seg) {
  ltcp_ip *ip = ctx;
  ltcp_tcb *l = ltcp_table_listener(&ip->table, seg->dst_port);
  if (l && l->local.addr && ltcp_ep_is_v6(l->local.addr) != ltcp_ep_is_v6(seg->dst_addr))
    return NULL;
  return l;
}

static int ip_attach_child(ltcp_ip *ip, ltcp_tcb *tcb, int half_open);
static int ip_attach(void *ctx, ltcp_tcb *tcb, int half_open) {
  return ip_attach_child(ctx, tcb, half_open);
}

static int ip_half_open_full(void *ctx) {
  ltcp_ip *ip = ctx;
  return ltcp_table_half_open_full(&ip->table);
}

static int ip_promote(void *ctx, ltcp_tcb *tcb) {
  ltcp_ip *ip = ctx;
  return ltcp_table_promote(&ip->table, tcb);
}

static ltcp_tcb *ip_half_open_evict(void *ctx, const ltcp_tcb *lst, int own_port) {
  ltcp_ip *ip = ctx;
  return ltcp_syn_table_evict(&ip->syn, own_port ? lst->local.port : 0);
}

static void ip_expand_children(void *ctx, ltcp_tcb *lst) {
  ltcp_ip *ip = ctx;
  ltcp_syn_table_expand_port(&ip->syn, lst);
}

static void ip_detach(void *ctx, ltcp_tcb *tcb, int error) {
  ltcp_ip *ip = ctx;
  if (ip->upper.conn_gone) ip->upper.conn_gone(ip->upper.ctx, tcb, error);
  if (tcb->in_table) ltcp_table_remove(&ip->table, tcb);
  if (tcb->is_listener) ltcp_table_remove_listener(&ip->table, tcb);
  if (tcb->view) ltcp_tw_table_view_gone(&ip->tw);
}

static const uint8_t *ip_addr6(void *ctx, uint32_t handle) {
  return ltcp_ip_addr6(ctx, handle);
}

static const ltcp_engine_host ip_host = {
    .tx_slot = ip_tx_slot,
    .tx_commit = ip_tx_commit,
    .deadline_moved = ip_deadline_moved,
    .listener = ip_listener,
    .attach = ip_attach,
    .half_open_full = ip_half_open_full,
    .promote = ip_promote,
    .half_open_evict = ip_half_open_evict,
    .expand_children = ip_expand_children,
    .detach = ip_detach,
    .addr6 = ip_addr6,
};

/* ---- routes */

/* The connected route of addr's prefix and the default route the configuration asks for. */
static int ip_routes_start(ltcp_ip *ip) {
  const ltcp_stack_config *c = &ip->cfg;
  uint32_t m = ltcp_routes_mask(c->prefix_len);
  int rc = ltcp_routes_add(&ip->routes, c->addr & m, c->prefix_len, 0);
  if (rc == 0 && (c->gateway || c->link_default_route))
    rc = ltcp_routes_add(&ip->routes, 0, 0, c->gateway);
  if (!ltcp_ip_has_v6(c) || rc != 0) return rc;
  rc = ltcp_routes6_add(&ip->routes6, c->addr6, c->prefix6_len, NULL);
  static const uint8_t any[16];
  if (rc == 0 && (!ltcp_routes6_is_any(c->gateway6) || c->link_default_route))
    rc = ltcp_routes6_add(&ip->routes6, any, 0, c->gateway6);
  return rc;
}

int ltcp_ip_route_add(ltcp_ip *ip, uint32_t prefix, uint8_t len, uint32_t via) {
  if (!ltcp_routes_via_ok(ip->cfg.addr, ip->cfg.prefix_len, via)) return LTCP_EINVAL;
  return ltcp_routes_add(&ip->routes, prefix, len, via);
}

int ltcp_ip_route_del(ltcp_ip *ip, uint32_t prefix, uint8_t len) {
  return ltcp_routes_del(&ip->routes, prefix, len);
}

int ltcp_ip_route_lookup(const ltcp_ip *ip, uint32_t dst, uint32_t *via) {
  const ltcp_route_entry *r = ltcp_routes_lookup(&ip->routes, dst);
  if (!r) return LTCP_ENETUNREACH;
  if (via) *via = r->via;
  return 0;
}

int ltcp_ip_route6_add(ltcp_ip *ip, const uint8_t prefix[16], uint8_t len, const uint8_t via[16]) {
  if (!ltcp_ip_has_v6(&ip->cfg)) return LTCP_EADDRNOTAVAIL;
  /* host bits set are refused, as IPv4's are */
  if (!ltcp_routes6_is_prefix(prefix, len) ||
      !ltcp_routes6_via_ok(ip->cfg.addr6, ip->cfg.prefix6_len, via))
    return LTCP_EINVAL;
  return ltcp_routes6_add(&ip->routes6, prefix, len, via);
}

int ltcp_ip_route6_del(ltcp_ip *ip, const uint8_t prefix[16], uint8_t len) {
  return ltcp_routes6_del(&ip->routes6, prefix, len);
}

int ltcp_ip_route6_lookup(const ltcp_ip *ip, const uint8_t dst[16], uint8_t via[16]) {
  const ltcp_route6_entry *r = ltcp_routes6_lookup(&ip->routes6, dst);
  if (!r) return LTCP_ENETUNREACH;
  if (via) memcpy(via, r->via, 16);
  return 0;
}

/* ---- life */

int ltcp_ip_init(ltcp_ip *ip, const ltcp_stack_config *cfg, const ltcp_ip_upper *upper) {
  memset(ip, 0, sizeof *ip);
  ip->cfg = *cfg;
  ip->upper = *upper;
  ltcp_rng_seed(&ip->rng, cfg->seed);
  uint8_t isn_key[16];
  for (int i = 0; i < 16; i += 8) {
    uint64_t k = ltcp_rng_next(&ip->rng);
    memcpy(isn_key + i, &k, 8);
  }
  uint64_t hash_key = ltcp_rng_next(&ip->rng);
  ltcp_engine_host host = ip_host;
  host.ctx = ip;
  uint32_t slot = cfg->tso_max ? cfg->tso_max : cfg->mtu; /* slots grow only with TSO on */
  /* RFC 4987: half-open connections have their own limit, max_connections by default. */
  uint32_t half = cfg->max_half_open ? cfg->max_half_open : cfg->max_connections;
  if (ltcp_engine_init(&ip->tcp, cfg, &ip->stats, &host, isn_key) != 0 ||
      ltcp_txq_init(&ip->txq, cfg->tx_queue_packets, slot, cfg->tso_max != 0) != 0 ||
      ltcp_ports_init(&ip->ports) != 0 ||
      ltcp_table_init(&ip->table, cfg->max_connections, half, hash_key, &ip->ports, &ip->peers) != 0 ||
      ltcp_timers_init(&ip->timers, cfg->max_connections + half + cfg->max_sockets) != 0)
    return LTCP_ENOMEM;
  ltcp_rec_home home = {.tcp = &ip->tcp, .table = &ip->table, .stats = &ip->stats,
                        .addr = cfg->addr, .max = cfg->max_connections};
  ltcp_rec_home syn_home = home;
  syn_home.max = half;
  syn_home.half_open = 1;
  /* IPv6 secrets derived from the ISN key, so a stack without IPv6 draws what it always drew. */
  uint8_t peer_key[16];
  uint64_t k0 = ltcp_siphash(isn_key, "ipv6 peers", 10), k1 = ltcp_siphash(isn_key, "ipv6 peers2", 11);
  memcpy(peer_key, &k0, 8);
  memcpy(peer_key + 8, &k1, 8);
  ip->flow_key = ltcp_siphash(isn_key, "flow label", 10);
  ip->icmp6_tokens = LTCP_IP6_ICMP_BURST;
  uint32_t peers = ltcp_ip_has_v6(cfg) ? cfg->max_connections + half + 1 : 0;
  if (ltcp_peers_init(&ip->peers, peers, peer_key) != 0) return LTCP_ENOMEM;
  if (ltcp_tw_table_init(&ip->tw, &home) != 0 || ltcp_syn_table_init(&ip->syn, &syn_home) != 0 ||
      ltcp_routes_init(&ip->routes, cfg->max_routes) != 0 ||
      ltcp_routes6_init(&ip->routes6, cfg->max_routes) != 0 ||
      ltcp_frags_init(&ip->frags, cfg->frag_max_datagrams, cfg->frag_mem, cfg->frag_timeout_ns,
                      &ip->stats) != 0 ||
      ltcp_frags6_init(&ip->frags6, ltcp_ip_has_v6(cfg) ? cfg->frag_max_datagrams : 0,
                       cfg->frag_mem, cfg->frag6_timeout_ns, &ip->stats) != 0)
    return LTCP_ENOMEM;
  return ip_routes_start(ip);
}

static void ip_free_tcb(void *ctx, ltcp_tcb *tcb) { ltcp_life_free(ctx, tcb); }

void ltcp_ip_free(ltcp_ip *ip) {
  ltcp_table_each(&ip->table, ip_free_tcb, &ip->tcp);
  ltcp_engine_free(&ip->tcp);
  ltcp_tw_table_free(&ip->tw);
  ltcp_syn_table_free(&ip->syn);
  ltcp_table_free(&ip->table);
  ltcp_ports_free(&ip->ports);
  ltcp_routes_free(&ip->routes);
  ltcp_routes6_free(&ip->routes6);
  ltcp_peers_free(&ip->peers);
  ltcp_frags_free(&ip->frags);
  ltcp_frags_free(&ip->frags6);
  ltcp_timers_free(&ip->timers);
  ltcp_txq_free(&ip->txq);
}

/* ---- input */

/* A segment for tcb's connection (or for no connection) went through the engine: the
 * connection it left may become a compact record. */
IP_HOT void ip_tcp_deliver(ltcp_ip *ip, ltcp_tcb *tcb, const ltcp_seg *seg) {
  ltcp_tcb *left = ltcp_input_segment(&ip->tcp, tcb, seg);
  if (left && !left->view) ltcp_ip_compact(ip, left); /* tcb, or a listener's new child */
}

/* Whether a reply to addr could leave (RFC 1122 3.3.1.1): a route back, in its family. */
static int ip_route_back(const ltcp_ip *ip, uint32_t addr) {
  if (ltcp_ep_is_v6(addr))
    return ltcp_ip_route6_lookup(ip, ltcp_peers_addr(&ip->peers, addr), NULL) == 0;
  return ltcp_ip_route_lookup(ip, addr, NULL) == 0;
}

/* A parsed segment for us, either family (inlined: IP_HOT). */
IP_HOT void ip_tcp_demux(ltcp_ip *ip, const ltcp_seg *seg) {
  ip->stats.segs_in++;
  /* A segment above our MSS (RFC 9293 §3.7.1) from a link that coalesced several (GRO): taken
   * whole, as the text and ACK steps work on byte ranges. */
  if (seg->len + 40u > ip->cfg.mtu) ip->stats.large_in++;
  ltcp_ep local = {seg->dst_addr, seg->dst_port}, remote = {seg->src_addr, seg->src_port};
  ltcp_tcb *tcb = ltcp_table_lookup(&ip->table, &local, &remote);
  if (!tcb) tcb = ltcp_syn_table_expand(&ip->syn, &local, &remote); /* a half-open record */
  /* A compact TIME-WAIT record goes through the engine as its view (ip/tw_table.h). */
  ltcp_tcb *view = tcb ? NULL : ltcp_tw_table_view(&ip->tw, &local, &remote);
  /* A segment for no connection may open one or be answered (a SYN,ACK, an RST): with no
   * route back to its source, neither could leave (RFC 1122 3.3.1.1). Dropped and counted. */
  if (!tcb && !view && !ip_route_back(ip, seg->src_addr)) {
    ltcp_events_drop(&ip->tcp, ltcp_ep_is_v6(seg->src_addr) ? LTCP_DROP_IP6_NO_ROUTE
                                                             : LTCP_DROP_IP_NO_ROUTE, NULL);
    return;
  }
  ip_tcp_deliver(ip, view ? view : tcb, seg);
  if (view) ltcp_tw_table_view_done(&ip->tw, view);
}

void ltcp_ip_tcp_segment(ltcp_ip *ip, const ltcp_seg *seg) { ip_tcp_demux(ip, seg); }

/* A segment in a datagram for us (inlined: IP_HOT). */
IP_HOT void ip_tcp_input(ltcp_ip *ip, const ltcp_ipv4_hdr *hdr, const uint8_t *tcp, size_t len,
                         uint32_t flags) {
  ltcp_seg seg;
  ltcp_drop_reason why = flags & LTCP_IP_CSUM_OK
                             ? ltcp_tcp_parse_unchecked(tcp, len, hdr->src, hdr->dst, &seg)
                             : ltcp_tcp_parse(tcp, len, hdr->src, hdr->dst, &seg);
  if (why != LTCP_DROP_NONE) {
    ltcp_events_drop(&ip->tcp, why, NULL);
    return;
  }
  ip_tcp_demux(ip, &seg);
}

static ltcp_icmp_ctx ip_icmp_ctx(ltcp_ip *ip) {
  return (ltcp_icmp_ctx){.txq = &ip->txq, .table = &ip->table, .tcp = &ip->tcp, .cfg = &ip->cfg,
                         .routes = &ip->routes};
}

static void ip_icmp_input(ltcp_ip *ip, const ltcp_ipv4_hdr *hdr, const uint8_t *msg, size_t len) {
  ltcp_icmp_ctx x = ip_icmp_ctx(ip);
  ltcp_icmp_input(&x, hdr, msg, len);
}

static int ip_bad_source(const ltcp_ip *ip, uint32_t src) {
  /* RFC 1122 3.2.1.3: drop a source that is broadcast, multicast, 0 or our own address. */
  return src == 0 || src == 0xffffffffu || (src >> 28) == 0xe || src == ip->cfg.addr;
}

/* A datagram whole (from the link, or reassembled): to its protocol. Inlined into the input
 * path, which it is for every packet. */
IP_HOT ltcp_drop_reason ip_deliver(ltcp_ip *ip, const ltcp_ipv4_hdr *hdr, const uint8_t *payload,
                                   uint32_t flags) {
  size_t plen = (size_t)hdr->total_len - hdr->hdr_len;
  if (hdr->proto == LTCP_IPPROTO_TCP) ip_tcp_input(ip, hdr, payload, plen, flags);
  else if (hdr->proto == LTCP_IPPROTO_ICMP) ip_icmp_input(ip, hdr, payload, plen);
  else return LTCP_DROP_IP_PROTO;
  return LTCP_DROP_NONE;
}

/* RFC 791 §3.2: a fragment is held until its datagram is whole, which then goes on as one. */
static ltcp_drop_reason ip_fragment(ltcp_ip *ip, const uint8_t *pkt, const ltcp_ipv4_hdr *hdr) {
  ltcp_frag_dgram *d;
  ltcp_drop_reason why;
  ltcp_frag_verdict v = ltcp_frags_input(&ip->frags, ip->tcp.now, pkt, hdr, &d, &why);
  if (v == LTCP_FRAG_DROPPED) return why;
  if (v == LTCP_FRAG_WHOLE) {
    why = ip_deliver(ip, &d->hdr, d->buf, 0); /* a link's checksum offload covers no fragment */
    ltcp_frags_done(&ip->frags, d);
  }
  return why;
}

void ltcp_ip_input(ltcp_ip *ip, ltcp_time_ns now, const uint8_t *pkt, size_t len, uint32_t flags) {
  ltcp_ip_advance(ip, now);
  ip->stats.ip_in++;
  ltcp_ipv4_hdr hdr;
  ltcp_drop_reason why = ltcp_ipv4_parse(pkt, len, &hdr);
  if (why == LTCP_DROP_IP_VERSION && (pkt[0] >> 4) == 6) { /* found where IPv4 cannot be */
    ltcp_ip6_input(ip, pkt, len, flags);
    ltcp_ip_done(ip);
    return;
  }
  int frag = why == LTCP_DROP_IP_FRAGMENT;
  if (frag) why = LTCP_DROP_NONE;
  if (why == LTCP_DROP_NONE && hdr.dst != ip->cfg.addr) why = LTCP_DROP_IP_NOT_LOCAL;
  if (why == LTCP_DROP_NONE && ip_bad_source(ip, hdr.src)) why = LTCP_DROP_IP_BAD_SOURCE;
  if (why == LTCP_DROP_NONE)
    why = frag ? ip_fragment(ip, pkt, &hdr) : ip_deliver(ip, &hdr, pkt + hdr.hdr_len, flags);
  if (why != LTCP_DROP_NONE) ltcp_events_drop(&ip->tcp, why, NULL);
  ltcp_ip_done(ip);
}

/* ---- time */

/* The TCB whose timer is due first, heap and records together, in one order: by deadline,
 * then connection id. A half-open record due becomes its TCB (now at the top of the heap); a
 * TIME-WAIT record due expires here. Returns NULL when nothing is due (or memory for a
 * record's TCB ran out: it is retried at the next call); *expired is set when a record
 * expired instead. */
static ltcp_tcb *ip_next_due(ltcp_ip *ip, int *expired) {
  ltcp_time_ns now = ip->tcp.now;
  ltcp_tcb *t = ltcp_timers_first(&ip->timers);
  uint64_t tw_id = 0, syn_id = 0;
  ltcp_time_ns tw = ltcp_tw_table_next_expiry(&ip->tw, &tw_id);
  ltcp_time_ns syn = ltcp_syn_table_next_expiry(&ip->syn, &syn_id);
  *expired = 0;
  if (syn <= now && (!t || syn < t->deadline || (syn == t->deadline && syn_id < t->id)) &&
      (syn < tw || (syn == tw && syn_id < tw_id)))
    return ltcp_syn_table_expand_earliest(&ip->syn);
  if (tw <= now && (!t || tw < t->deadline || (tw == t->deadline && tw_id < t->id))) {
    ltcp_tw_table_expire_oldest(&ip->tw);
    *expired = 1;
    return NULL;
  }
  return t && t->deadline <= now ? t : NULL;
}

/* Datagrams not whole in time: dropped, and the sender told when fragment zero came (RFC 1122
 * 3.3.2, RFC 792 time exceeded code 1). Bounded by the datagrams held. */
static void ip_frags_expire(ltcp_ip *ip, ltcp_time_ns now) {
  ltcp_frag_dgram *d;
  for (uint32_t i = 0; i <= ip->frags.cap && (d = ltcp_frags_expired(&ip->frags, now)); i++) {
    /* Never an error about an ICMP error (RFC 1122 3.2.2). */
    int icmp_error = d->hdr.proto == LTCP_IPPROTO_ICMP && d->buf[0] != LTCP_ICMP_ECHO_REQUEST;
    if (d->first_hdr_len && !icmp_error) {
      ltcp_icmp_ctx x = ip_icmp_ctx(ip);
      ltcp_icmp_send_error(&x, LTCP_ICMP_TIME_EXCEEDED, 1, d->hdr.src, d->first_hdr,
                           d->first_hdr_len, d->buf, d->r[0].end);
    }
    ltcp_frags_done(&ip->frags, d);
  }
}

void ltcp_ip_advance(ltcp_ip *ip, ltcp_time_ns now) {
  ltcp_engine_clock(&ip->tcp, now);
  if (ip->frags.next_expiry <= now) ip_frags_expire(ip, now);
  if (ip->frags6.next_expiry <= now) ltcp_ip6_frags_expire(ip, now);
  /* Bounded: each expiry either deletes the TCB (or record) or moves its deadline past now; a
   * TCB's timers expire at most four times in one call (rtx, then dack or keep-alive). */
  uint64_t bound = 4ull * (ltcp_timers_count(&ip->timers) + ip->syn.recs.count + 1) + ip->tw.recs.count;
  for (uint64_t i = 0; i < bound; i++) {
    int expired;
    ltcp_tcb *t = ip_next_due(ip, &expired);
    if (expired) continue;
    if (!t) break;
    ltcp_timeout_run(&ip->tcp, t);
    if (!t->dead) ltcp_ip_compact(ip, t); /* a SYN,ACK sent again: waiting once more */
  }
  ltcp_ip_done(ip);
}

void ltcp_ip_trim(ltcp_ip *ip) {
  ltcp_engine_trim(&ip->tcp);
  ltcp_timers_trim(&ip->timers);
}

ltcp_time_ns ltcp_ip_next_deadline(const ltcp_ip *ip) {
  const ltcp_tcb *t = ltcp_timers_first(&ip->timers);
  ltcp_time_ns d = ltcp_tw_table_next_expiry(&ip->tw, NULL), syn = ltcp_syn_table_next_expiry(&ip->syn, NULL);
  if (syn < d) d = syn;
  if (ip->frags.next_expiry < d) d = ip->frags.next_expiry;
  if (ip->frags6.next_expiry < d) d = ip->frags6.next_expiry;
  return t && t->deadline < d ? t->deadline : d;
}

/* ---- output */

/* Connections that found the queue full, or owe an ACK, send now that the driver takes the
 * output, oldest first. Bounded by the TCBs in use: each pass takes one off the waiting list,
 * and one that fills the queue (and waits again) ends the loop. Those still waiting then wait
 * for the queue to drain to resume_at, so that each sends a batch, not one packet per pop. */
void ltcp_ip_tx_resume(ltcp_ip *ip) {
  ltcp_txq_unstall(&ip->txq);
  for (uint32_t n = 0; ltcp_txq_data_room(&ip->txq); n++) {
    LTCP_ASSERT(n <= ip->tcp.life.in_use);
    ltcp_tcb *t = ltcp_output_resume_next(&ip->tcp);
    if (!t) break;
    if (!t->dead) ltcp_ip_compact(ip, t); /* the owed ACK went: TIME-WAIT may shrink */
  }
  if (ltcp_output_waiting(&ip->tcp.txw)) ltcp_txq_stall(&ip->txq);
  ltcp_ip_done(ip); /* TCBs that became records here are freed now, not at the next call */
}


/* ---- connections, ports, records */

uint32_t ltcp_ip_count_state(const ltcp_ip *ip, ltcp_state state) {
  if (state >= LTCP_STATE_COUNT) return 0;
  uint32_t n = ltcp_engine_count_state(&ip->tcp, state);
  if (state == LTCP_TIME_WAIT) n += ip->tw.recs.count;
  if (state == LTCP_SYN_RECEIVED) n += ip->syn.recs.count;
  return n;
}

/* The engine's attach hook: a listener's new child, before its SYN,ACK (half_open), or made
 * from a SYN cookie. RFC 4987: half-open connections are held to cfg.max_half_open, counted
 * apart from the connection table, which stays for established and outgoing connections under
 * a SYN flood. */
static int ip_attach_child(ltcp_ip *ip, ltcp_tcb *tcb, int half_open) {
  if (half_open && ltcp_table_half_open_full(&ip->table)) {
    ip->stats.half_open_full++;
    return LTCP_ENOBUFS;
  }
  return ltcp_table_insert(&ip->table, tcb, half_open);
}

int ltcp_ip_attach(ltcp_ip *ip, ltcp_tcb *tcb) { return ltcp_table_insert(&ip->table, tcb, 0); }

void ltcp_ip_listen(ltcp_ip *ip, ltcp_tcb *tcb) { ltcp_table_add_listener(&ip->table, tcb); }

int ltcp_ip_tuple_in_use(const ltcp_ip *ip, const ltcp_ep *local,
                         const ltcp_ep *remote) {
  return ltcp_table_lookup(&ip->table, local, remote) ||
         ltcp_tw_table_exists(&ip->tw, local, remote) || ltcp_syn_table_exists(&ip->syn, local, remote);
}

/* A half-open child becomes a record past the first cfg.half_open_whole held whole (every
 * half-open entry that is not a record), or once its SYN,ACK went again: most handshakes
 * complete within a round trip, and a record would only be expanded again (config.h); one that
 * needed a second SYN,ACK is the slow or spoofed kind, and the early drop (cookies off) looks
 * only at records whose SYN,ACK went twice. Out of line, so that ltcp_ip_compact stays small
 * enough to inline where every segment calls it. */
static __attribute__((noinline)) int ip_compact_half_open(ltcp_ip *ip, ltcp_tcb *tcb) {
  if (ltcp_syn_retries(tcb) == 0 &&
      ip->table.half_open - ip->syn.recs.count <= ip->cfg.half_open_whole)
    return 0;
  return ltcp_syn_table_compact(&ip->syn, tcb);
}

int ltcp_ip_compact(ltcp_ip *ip, ltcp_tcb *tcb) {
  switch (tcb->state) { /* only these two states have records */
    case LTCP_TIME_WAIT: return ltcp_tw_table_compact(&ip->tw, tcb);
    case LTCP_SYN_RECEIVED: return ip_compact_half_open(ip, tcb);
    default: return 0;
  }
}

void ltcp_ip_port_hold(ltcp_ip *ip, uint16_t port) { ltcp_ports_hold(&ip->ports, port); }

void ltcp_ip_port_release(ltcp_ip *ip, uint16_t port) { ltcp_ports_release(&ip->ports, port); }

int ltcp_ip_port_taken(const ltcp_ip *ip, uint16_t port, int reuseaddr) {
  if (ltcp_table_listener(&ip->table, port)) return 1;
  return ltcp_ports_users(&ip->ports, port) > 0 && !reuseaddr;
}

/* A sharded stack (cfg.shards) takes only ports whose packets the device steers to its own
 * queue; every shards-th port of the range is one, so the scan stays bounded by the range. */
int ltcp_ip_port_pick(ltcp_ip *ip, uint16_t rport, uint16_t *port) {
  uint32_t span = IP_EPHEMERAL_HI - IP_EPHEMERAL_LO + 1;
  uint32_t start = (uint32_t)ltcp_rng_below(&ip->rng, span);
  uint32_t shards = rport ? ip->cfg.shards : 1;
  for (uint32_t i = 0; i < span; i++) {
    uint16_t p = (uint16_t)(IP_EPHEMERAL_LO + (start + i) % span);
    if (ltcp_shard_of(p, rport, shards) != (shards > 1 ? ip->cfg.shard : 0)) continue;
    if (ltcp_ports_users(&ip->ports, p) == 0 && !ltcp_table_listener(&ip->table, p)) {
      *port = p;
      return 0;
    }
  }
  return LTCP_EADDRNOTAVAIL;
}
