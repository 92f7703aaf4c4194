/* fuzz_packet: one packet into a stack that has a listener and one established connection.
 *
 * Each input builds a fresh stack (so every crash replays alone): a listener on 198.18.0.1:80, a
 * handshake injected from 198.18.0.2:40000 (MSS, window scale, SACK-permitted, timestamps), the
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
#include "fuzz_conn.h"
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

#define FP_MAX_PKT 65535

/* The fix-ups of the header comment, in place on pkt (len bytes). */
static void fp_fix(const fc_conn *c, uint8_t control, uint8_t *pkt, size_t len) {
  if (len < LTCP_IPV4_HDR_LEN) return;
  size_t ihl = (size_t)(pkt[0] & 0x0f) * 4;
  if (!(control & FP_KEEP_ADDRS)) {
    ltcp_put32(pkt + 12, FC_PEER);
    ltcp_put32(pkt + 16, FC_LOCAL);
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
    ltcp_put32(tcp + 4, ltcp_get32(tcp + 4) + FC_PEER_ISN + 1);
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
  fc_conn c;
  if (fc_setup(&c, !(control & FP_NO_DATA)) == 0) {
    if (control & FP_SHUT_WR) {
      ltcp_shutdown(c.st, c.fd, LTCP_SHUT_WR);
      fc_drain(&c);
    }
    static uint8_t pkt[FP_MAX_PKT];
    size_t len = size - 1;
    memcpy(pkt, data + 1, len);
    fp_fix(&c, control, pkt, len);
    c.now += FC_MS;
    ltcp_stack_input_flags(c.st, c.now, pkt, len, (control & FP_CSUM_OK) ? LTCP_INPUT_CSUM_OK : 0);
    fc_drain(&c);
    static const ltcp_time_ns steps[] = {10 * FC_MS, 1000 * FC_MS};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
      uint8_t buf[4096];
      for (int k = 0; k < 64 && ltcp_recv(c.st, c.fd, buf, sizeof buf, 0) > 0; k++) {}
      c.now += steps[i];
      ltcp_stack_advance(c.st, c.now);
      fc_drain(&c);
    }
  }
  ltcp_stack_free(c.st);
  return 0;
}
