/* The fuzz targets' common setup: see fuzz_conn.h. */
#include "fuzz_conn.h"

#include <string.h>

#include "lucidtcp/wire/bytes.h"
#include "lucidtcp/wire/ipv4.h"

static int fc_seq_after(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }

void fc_drain(fc_conn *c) {
  const uint8_t *pkt;
  size_t len;
  for (int i = 0; i < 4096 && (len = ltcp_stack_tx_peek(c->st, &pkt)) > 0; i++) {
    size_t ihl = (size_t)(pkt[0] & 0x0f) * 4;
    if (len >= ihl + LTCP_TCP_HDR_LEN && ltcp_get16(pkt + ihl + 2) == FC_PPORT) {
      const uint8_t *tcp = pkt + ihl;
      uint8_t flags = tcp[13];
      size_t doff = (size_t)(tcp[12] >> 4) * 4;
      uint32_t seq = ltcp_get32(tcp + 4);
      if ((flags & (LTCP_SYN | LTCP_ACK)) == (LTCP_SYN | LTCP_ACK)) c->iss = seq, c->snd_max = seq;
      uint32_t end = seq + (uint32_t)(len - ihl - doff) + ((flags & LTCP_SYN) ? 1u : 0u) +
                     ((flags & LTCP_FIN) ? 1u : 0u);
      if (fc_seq_after(end, c->snd_max)) c->snd_max = end;
    }
    ltcp_stack_tx_pop(c->st);
  }
  ltcp_event ev;
  for (int i = 0; i < 4096 && ltcp_stack_next_event(c->st, &ev); i++) {}
}

void fc_send_peer(fc_conn *c, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t wnd,
                  const ltcp_tcp_options *opts, const uint8_t *payload, size_t len) {
  static uint8_t pkt[LTCP_IPV4_HDR_LEN + LTCP_TCP_MAX_HDR_LEN + 65535];
  ltcp_seg s = {.src_addr = FC_PEER, .dst_addr = FC_LOCAL, .src_port = FC_PPORT,
                .dst_port = FC_LPORT, .seq = seq, .ack = ack, .flags = flags, .wnd = wnd};
  if (opts) s.opts = *opts;
  uint8_t *tcp = pkt + LTCP_IPV4_HDR_LEN;
  size_t th = ltcp_tcp_write_header(tcp, LTCP_TCP_MAX_HDR_LEN, &s);
  if (th == 0) return;
  if (len > 65535 - LTCP_IPV4_HDR_LEN - th) len = 65535 - LTCP_IPV4_HDR_LEN - th;
  if (len) memcpy(tcp + th, payload, len);
  ltcp_tcp_set_checksum(tcp, th + len, FC_PEER, FC_LOCAL);
  ltcp_ipv4_hdr ip = {.total_len = (uint16_t)(LTCP_IPV4_HDR_LEN + th + len), .ttl = 64,
                      .proto = LTCP_IPPROTO_TCP, .src = FC_PEER, .dst = FC_LOCAL};
  ltcp_ipv4_write(pkt, &ip);
  ltcp_stack_input(c->st, c->now, pkt, LTCP_IPV4_HDR_LEN + th + len);
}

int fc_setup(fc_conn *c, int queue_data) {
  ltcp_stack_config cfg;
  ltcp_stack_config_default(&cfg);
  cfg.addr = FC_LOCAL;
  cfg.event_capacity = 64;
  cfg.max_sockets = 16;
  cfg.max_connections = 16;
  cfg.tx_queue_packets = 64;
  memset(c, 0, sizeof *c);
  c->lfd = c->fd = -1;
  c->now = 1000 * FC_MS;
  c->st = ltcp_stack_new(&cfg);
  if (!c->st) return -1;
  ltcp_endpoint local = {FC_LOCAL, FC_LPORT};
  c->lfd = ltcp_socket(c->st);
  if (c->lfd < 0 || ltcp_bind(c->st, c->lfd, &local) != 0 || ltcp_listen(c->st, c->lfd, 4) != 0)
    return -1;
  ltcp_tcp_options syn = {.mss = 1460, .has_wscale = 1, .wscale = 7, .sack_permitted = 1,
                          .has_timestamps = 1, .ts_val = 1, .ts_ecr = 0};
  fc_send_peer(c, LTCP_SYN, FC_PEER_ISN, 0, 65535, &syn, NULL, 0);
  fc_drain(c);
  c->now += FC_MS;
  ltcp_tcp_options ack = {.has_timestamps = 1, .ts_val = 2, .ts_ecr = 0};
  fc_send_peer(c, LTCP_ACK, FC_PEER_ISN + 1, c->iss + 1, 65535, &ack, NULL, 0);
  fc_drain(c);
  c->peer_nxt = FC_PEER_ISN + 1;
  c->fd = ltcp_accept(c->st, c->lfd, NULL);
  if (c->fd < 0) return -1;
  if (queue_data) {
    static const uint8_t bytes[3000];
    if (ltcp_send(c->st, c->fd, bytes, sizeof bytes, 0) < 0) return -1;
    fc_drain(c);
  }
  return 0;
}
