/* fuzz_packet: one packet into a stack that has a listener and one established connection.
 *
 * Each input builds a fresh stack (so every crash replays alone): a listener on 10.0.0.1:80, a
 * handshake injected from 10.0.0.2:40000 (MSS, window scale, SACK-permitted, timestamps), the
 * connection accepted, 3000 bytes queued to send (two segments in flight). Then the input:
 *
 *   byte 0   control bits (FP_*), the rest the packet from its IPv4 header on.
 *
 * Unless a control bit says otherwise the packet is fixed up so mutations reach TCP: addresses
 * set to the connection's, IPv4 total length and header checksum recomputed, TCP checksum
 * recomputed; with FP_RELATIVE the sequence and acknowledgment numbers are offsets from the
 * peer's next sequence number and from the stack's ISS + 1, so a seed stays in the window.
 * Then time moves on (10 ms, then 1 s: delayed ACKs, retransmission), the output queue and the
 * events are drained and the application reads, as a driver would. Nothing is asserted here:
 * the sanitizers and the stack's own invariants (LTCP_ASSERT) are the oracle. */
#include <string.h>

#include "fuzz.h"
#include "lucidtcp/lucidtcp.h"
#include "lucidtcp/wire/bytes.h"
#include "lucidtcp/wire/checksum.h"
#include "lucidtcp/wire/ipv4.h"
#include "lucidtcp/wire/tcp.h"

#define FP_KEEP_ADDRS 0x01  /* leave the IPv4 addresses as they are */
#define FP_KEEP_IP 0x02     /* leave the IPv4 total length and header checksum */
#define FP_KEEP_CSUM 0x04   /* leave the TCP checksum */
#define FP_RELATIVE 0x08    /* seq and ack are offsets (see above) */
#define FP_CSUM_OK 0x10     /* hand the packet in with LTCP_INPUT_CSUM_OK */
#define FP_SHUT_WR 0x20     /* the application shuts down writing (a FIN) first */
#define FP_NO_DATA 0x40     /* no data is queued before the packet */

#define FP_LOCAL LTCP_IPV4(10, 0, 0, 1)
#define FP_PEER LTCP_IPV4(10, 0, 0, 2)
#define FP_LPORT 80
#define FP_PPORT 40000
#define FP_PEER_ISN 1000000u
#define FP_MAX_PKT 65535

static const ltcp_time_ns fp_ms = 1000000;

typedef struct fp_conn {
  ltcp_stack *st;
  int lfd, fd;
  uint32_t iss;   /* the stack's ISS, from its SYN-ACK */
  ltcp_time_ns now;
} fp_conn;

/* Takes every packet the stack queued (bounded by the queue's size) and returns the sequence
 * number of the last SYN-ACK among them, or keep when there is none. */
static uint32_t fp_drain(fp_conn *c, uint32_t keep) {
  const uint8_t *pkt;
  size_t len;
  for (int i = 0; i < 4096 && (len = ltcp_stack_tx_peek(c->st, &pkt)) > 0; i++) {
    if (len >= 40 && (pkt[20 + 13] & (LTCP_SYN | LTCP_ACK)) == (LTCP_SYN | LTCP_ACK))
      keep = ltcp_get32(pkt + 24);
    ltcp_stack_tx_pop(c->st);
  }
  ltcp_event ev;
  for (int i = 0; i < 4096 && ltcp_stack_next_event(c->st, &ev); i++) {}
  return keep;
}

static void fp_send_peer(fp_conn *c, uint8_t flags, uint32_t seq, uint32_t ack,
                         const ltcp_tcp_options *opts) {
  uint8_t pkt[LTCP_IPV4_HDR_LEN + LTCP_TCP_MAX_HDR_LEN];
  ltcp_seg s = {.src_addr = FP_PEER, .dst_addr = FP_LOCAL, .src_port = FP_PPORT,
                .dst_port = FP_LPORT, .seq = seq, .ack = ack, .flags = flags, .wnd = 65535};
  if (opts) s.opts = *opts;
  size_t th = ltcp_tcp_write_header(pkt + LTCP_IPV4_HDR_LEN, sizeof pkt - LTCP_IPV4_HDR_LEN, &s);
  ltcp_tcp_set_checksum(pkt + LTCP_IPV4_HDR_LEN, th, FP_PEER, FP_LOCAL);
  ltcp_ipv4_hdr ip = {.total_len = (uint16_t)(LTCP_IPV4_HDR_LEN + th), .ttl = 64,
                      .proto = LTCP_IPPROTO_TCP, .src = FP_PEER, .dst = FP_LOCAL};
  ltcp_ipv4_write(pkt, &ip);
  ltcp_stack_input(c->st, c->now, pkt, LTCP_IPV4_HDR_LEN + th);
}

/* A stack with a listener and one established, accepted connection; 0 or -1. */
static int fp_setup(fp_conn *c, int queue_data) {
  ltcp_stack_config cfg;
  ltcp_stack_config_default(&cfg);
  cfg.addr = FP_LOCAL;
  cfg.event_capacity = 64;
  cfg.max_sockets = 16;
  cfg.max_connections = 16;
  cfg.tx_queue_packets = 64;
  memset(c, 0, sizeof *c);
  c->now = 1000 * fp_ms;
  c->st = ltcp_stack_new(&cfg);
  if (!c->st) return -1;
  ltcp_endpoint local = {FP_LOCAL, FP_LPORT};
  c->lfd = ltcp_socket(c->st);
  if (c->lfd < 0 || ltcp_bind(c->st, c->lfd, &local) != 0 || ltcp_listen(c->st, c->lfd, 4) != 0)
    return -1;
  ltcp_tcp_options syn = {.mss = 1460, .has_wscale = 1, .wscale = 7, .sack_permitted = 1,
                          .has_timestamps = 1, .ts_val = 1, .ts_ecr = 0};
  fp_send_peer(c, LTCP_SYN, FP_PEER_ISN, 0, &syn);
  c->iss = fp_drain(c, 0);
  c->now += fp_ms;
  ltcp_tcp_options ack = {.has_timestamps = 1, .ts_val = 2, .ts_ecr = 0};
  fp_send_peer(c, LTCP_ACK, FP_PEER_ISN + 1, c->iss + 1, &ack);
  fp_drain(c, 0);
  c->fd = ltcp_accept(c->st, c->lfd, NULL);
  if (c->fd < 0) return -1;
  if (queue_data) {
    static uint8_t bytes[3000];
    if (ltcp_send(c->st, c->fd, bytes, sizeof bytes, 0) < 0) return -1;
    fp_drain(c, 0);
  }
  return 0;
}

/* The fix-ups of the header comment, in place on pkt (len bytes). */
static void fp_fix(const fp_conn *c, uint8_t control, uint8_t *pkt, size_t len) {
  if (len < LTCP_IPV4_HDR_LEN) return;
  size_t ihl = (size_t)(pkt[0] & 0x0f) * 4;
  if (!(control & FP_KEEP_ADDRS)) {
    ltcp_put32(pkt + 12, FP_PEER);
    ltcp_put32(pkt + 16, FP_LOCAL);
  }
  if (!(control & FP_KEEP_IP)) {
    pkt[0] = (uint8_t)(0x40 | (pkt[0] & 0x0f));
    pkt[9] = LTCP_IPPROTO_TCP;
    ltcp_put16(pkt + 2, (uint16_t)len);
    ltcp_put16(pkt + 6, (uint16_t)(ltcp_get16(pkt + 6) & ~(LTCP_IPV4_MF | LTCP_IPV4_OFFSET_MASK)));
  }
  if (ihl < LTCP_IPV4_HDR_LEN || ihl > len) return;
  uint8_t *tcp = pkt + ihl;
  size_t tcp_len = len - ihl;
  if ((control & FP_RELATIVE) && tcp_len >= LTCP_TCP_HDR_LEN) {
    ltcp_put32(tcp + 4, ltcp_get32(tcp + 4) + FP_PEER_ISN + 1);
    ltcp_put32(tcp + 8, ltcp_get32(tcp + 8) + c->iss + 1);
  }
  if (!(control & FP_KEEP_CSUM) && tcp_len >= LTCP_TCP_HDR_LEN)
    ltcp_tcp_set_checksum(tcp, tcp_len, ltcp_get32(pkt + 12), ltcp_get32(pkt + 16));
  if (!(control & FP_KEEP_IP)) {
    ltcp_put16(pkt + 10, 0);
    uint32_t sum = ltcp_cksum_add(0, pkt, ihl);
    ltcp_put16(pkt + 10, ltcp_cksum_finish(sum));
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1 || size - 1 > FP_MAX_PKT) return 0;
  uint8_t control = data[0];
  fp_conn c;
  if (fp_setup(&c, !(control & FP_NO_DATA)) == 0) {
    if (control & FP_SHUT_WR) {
      ltcp_shutdown(c.st, c.fd, LTCP_SHUT_WR);
      fp_drain(&c, 0);
    }
    static uint8_t pkt[FP_MAX_PKT];
    size_t len = size - 1;
    memcpy(pkt, data + 1, len);
    fp_fix(&c, control, pkt, len);
    c.now += fp_ms;
    ltcp_stack_input_flags(c.st, c.now, pkt, len, (control & FP_CSUM_OK) ? LTCP_INPUT_CSUM_OK : 0);
    fp_drain(&c, 0);
    static const ltcp_time_ns steps[] = {10 * 1000000LL, 1000 * 1000000LL};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
      uint8_t buf[4096];
      for (int k = 0; k < 64 && ltcp_recv(c.st, c.fd, buf, sizeof buf, 0) > 0; k++) {}
      c.now += steps[i];
      ltcp_stack_advance(c.st, c.now);
      fp_drain(&c, 0);
    }
  }
  ltcp_stack_free(c.st);
  return 0;
}
