/* The stack's configuration: its defaults (lucidtcp/config.h) and what is usable. */
#include <string.h>

#include "ip/ip.h"

void ltcp_stack_config_default(ltcp_stack_config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  cfg->mtu = 1500;
  cfg->ttl = 64;
  cfg->prefix_len = 32;
  cfg->prefix6_len = 64;
  cfg->link_default_route = 1;
  cfg->max_routes = 16;
  cfg->shards = 1;
  cfg->frag_max_datagrams = 64;
  cfg->frag_mem = 1u << 20;
  cfg->frag_timeout_ns = LTCP_SEC(30);
  cfg->frag6_timeout_ns = LTCP_SEC(60); /* RFC 8200 §4.5 */
  cfg->seed = 1;
  cfg->msl_ns = LTCP_SEC(30);
  cfg->rto_initial_ns = LTCP_SEC(1);
  cfg->rto_min_ns = LTCP_MS(200);
  cfg->rto_max_ns = LTCP_SEC(60);
  cfg->syn_retries = 8; /* MUST-23: SYNs resent for at least 3 minutes (1+2+...+128 s) */
  cfg->synack_retries = 5; /* Linux's tcp_synack_retries: 1+2+4+8+16+32 = 63 s */
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
  cfg->keepalive_idle_ns = LTCP_SEC(7200);
  cfg->keepalive_intvl_ns = LTCP_SEC(75);
  cfg->keepalive_probes = 9;
  cfg->delayed_ack_ns = LTCP_MS(40);
  cfg->congestion = LTCP_CC_CUBIC;
  cfg->sack = 1;
  cfg->rst_challenge = 1;
  cfg->challenge_ack_limit = 10;
  cfg->challenge_ack_interval_ns = LTCP_SEC(5);
  cfg->icmp_may_reset = 1;
  cfg->syn_challenge = 1;
  cfg->mem_limit = 256ull << 20; /* tcp/mem.h: LTCP_MEM_LIMIT_DEFAULT */
  cfg->syn_cookies = 1; /* Linux's tcp_syncookies = 1 */
  cfg->zc_refs = 4096;  /* tcp/zc.h */
  cfg->half_open_whole = 64;
}

int ltcp_ip_set_config(ltcp_ip *ip, const ltcp_stack_config *c) {
  const ltcp_stack_config *o = &ip->cfg;
  if (!ltcp_ip_config_valid(c) || c->addr != o->addr || c->mtu != o->mtu || c->seed != o->seed ||
      c->isn_offset != o->isn_offset || c->max_sockets != o->max_sockets ||
      c->max_connections != o->max_connections || c->max_half_open != o->max_half_open ||
      c->tx_queue_packets != o->tx_queue_packets ||
      c->event_capacity != o->event_capacity || c->tso_max != o->tso_max ||
      c->csum_offload != o->csum_offload || c->prefix_len != o->prefix_len ||
      memcmp(c->addr6, o->addr6, 16) != 0 || c->prefix6_len != o->prefix6_len ||
      c->gateway != o->gateway || c->link_default_route != o->link_default_route ||
      c->max_routes != o->max_routes || c->frag_max_datagrams != o->frag_max_datagrams ||
      c->frag_mem != o->frag_mem || c->frag_timeout_ns != o->frag_timeout_ns ||
      c->frag6_timeout_ns != o->frag6_timeout_ns || memcmp(c->gateway6, o->gateway6, 16) != 0 ||
      c->shards != o->shards || c->shard != o->shard || c->zc_refs != o->zc_refs)
    return -1;
  ip->cfg = *c;
  ip->tcp.cfg = *c;
  ltcp_mem_configure(&ip->tcp.mem, c); /* the marks move, as Linux's tcp_mem sysctl */
  return 0;
}

int ltcp_ip_config_valid(const ltcp_stack_config *c) {
  if (c->delayed_ack_ns >= LTCP_MS(500)) return 0; /* RFC 1122 4.2.3.2: MUST be < 0.5 s */
  if (c->congestion >= LTCP_CC_COUNT) return 0;
  if (c->challenge_ack_limit > 15 || c->challenge_ack_interval_ns == 0) return 0; /* 4 bits */
  /* The ranges of TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT (tcp/conn_opts.h). */
  if (c->keepalive_idle_ns < LTCP_SEC(1) || c->keepalive_idle_ns > LTCP_SEC(32767) ||
      c->keepalive_intvl_ns < LTCP_SEC(1) || c->keepalive_intvl_ns > LTCP_SEC(32767) ||
      c->keepalive_probes < 1 || c->keepalive_probes > 127)
    return 0;
  if (c->tso_max && (c->tso_max <= c->mtu || c->tso_max > 65535)) return 0;
  if (c->prefix_len < 1 || c->prefix_len > 32 || c->max_routes < 2 || c->max_routes > 4096)
    return 0;
  if (!ltcp_routes_via_ok(c->addr, c->prefix_len, c->gateway)) return 0;
  if ((c->addr >> 28) == 0xe) return 0; /* multicast: and IPv6 handles live there (tcp/ep.h) */
  /* RFC 8200 §5: a link that carries IPv6 has an MTU of 1280 or more. */
  if (ltcp_ip_has_v6(c) && (c->mtu < 1280 || c->prefix6_len < 1 || c->prefix6_len > 128 ||
                            c->addr6[0] == 0xff))
    return 0;
  if (!ltcp_routes6_via_ok(c->addr6, c->prefix6_len, c->gateway6) ||
      (!ltcp_ip_has_v6(c) && !ltcp_routes6_is_any(c->gateway6)))
    return 0;
  if (c->frag_max_datagrams > 4096 ||
      (c->frag_max_datagrams && (c->frag_timeout_ns == 0 || c->frag6_timeout_ns == 0)))
    return 0;
  if (c->syn_cookies > 2 || c->max_half_open >= (1u << 30)) return 0;
  if (c->shards > 65536 || (c->shards > 1 && c->shard >= c->shards)) return 0;
  return c->mtu >= 68 + 40 && c->max_sockets > 0 && c->max_sockets < (1u << 24) &&
         c->max_connections > 0 && c->tx_queue_packets > 0 && c->sndbuf > 0 && c->rcvbuf > 0 &&
         c->rcvbuf <= LTCP_BUF_MAX && c->sndbuf <= LTCP_BUF_MAX && c->rto_min_ns > 0 &&
         c->rto_min_ns <= c->rto_max_ns && c->rcvbuf_max <= LTCP_BUF_MAX &&
         (c->mem_pressure == 0 || c->mem_limit == 0 || c->mem_pressure <= c->mem_limit) &&
         c->max_connections < (1u << 30);
}
