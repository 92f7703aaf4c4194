/* fuzz_packet6: one IPv6 packet into a dual-stack stack (198.18.0.1 and 2001:db8::1) with a
 * listener on [::]:80 taking both families.
 *
 *   byte 0   control bits (F6_*), the rest the packet from its IPv6 header on.
 *
 * Unless a control bit says otherwise the packet is fixed up so mutations reach past the fixed
 * header: version 6, the addresses 2001:db8::2 -> 2001:db8::1, the payload length the bytes
 * there are, and, when the extension header walk reaches TCP or ICMPv6, its checksum over the
 * IPv6 pseudo-header (RFC 8200 §8.1). The packet goes in at 0 and again 1 ms later (the ICMPv6
 * rate limit, a half-open connection's second SYN), then 2 s of timers pass; the output queue
 * and the events are drained. With F6_SPLIT the fixed-up packet goes in as two fragments
 * (RFC 8200 §4.5), the second first; then, as another packet, the first fragment alone, and
 * 61 s pass (its reassembly times out: ICMPv6 time exceeded). The oracle: the sanitizers and
 * the stack's LTCP_ASSERTs. */
#include <string.h>

#include "fuzz.h"
#include "lucidtcp/lucidtcp.h"
#include "lucidtcp/wire/bytes.h"
#include "lucidtcp/wire/checksum.h"
#include "lucidtcp/wire/ipv6.h"

#define F6_KEEP_ADDRS 0x01 /* leave the addresses as they are */
#define F6_KEEP_LEN 0x02   /* leave the version and payload length */
#define F6_KEEP_CSUM 0x04  /* leave the upper layer's checksum */
#define F6_SPLIT 0x08      /* send it in two fragments */
#define F6_MAX_PKT 65575

static const uint8_t F6_LOCAL[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t F6_PEER[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

static void f6_fix(uint8_t control, uint8_t *pkt, size_t len) {
  if (len < LTCP_IPV6_HDR_LEN) return;
  if (!(control & F6_KEEP_ADDRS)) {
    memcpy(pkt + 8, F6_PEER, 16);
    memcpy(pkt + 24, F6_LOCAL, 16);
  }
  if (!(control & F6_KEEP_LEN)) {
    pkt[0] = (uint8_t)(0x60 | (pkt[0] & 0x0f));
    ltcp_put16(pkt + 4, (uint16_t)(len - LTCP_IPV6_HDR_LEN));
  }
  ltcp_ipv6_hdr h;
  if ((control & F6_KEEP_CSUM) || ltcp_ipv6_parse(pkt, len, &h) != LTCP_DROP_NONE) return;
  size_t n = LTCP_IPV6_HDR_LEN + (size_t)h.payload_len - h.off, at = h.proto == LTCP_IPPROTO_TCP ? 16 : 2;
  if (n < at + 2) return;
  uint8_t *up = pkt + h.off;
  ltcp_put16(up + at, 0);
  uint32_t sum = ltcp_cksum_pseudo_ipv6(h.src, h.dst, h.proto, (uint32_t)n);
  ltcp_put16(up + at, ltcp_cksum_finish(ltcp_cksum_add(sum, up, n)));
}

static void f6_drain(ltcp_stack *st) {
  const uint8_t *out;
  for (int i = 0; i < 4096 && ltcp_stack_tx_peek(st, &out); i++) ltcp_stack_tx_pop(st);
  ltcp_event ev;
  for (int i = 0; i < 4096 && ltcp_stack_next_event(st, &ev); i++) {
  }
}

/* The packet in two fragments, a Fragment header (identification id) after the fixed header:
 * the second part first (unless first_only), then the first, each drained. 0, or -1 when too
 * short or too long. */
static int f6_split_input(ltcp_stack *st, ltcp_time_ns now, const uint8_t *pkt, size_t len,
                          uint32_t id, int first_only) {
  size_t body = len - LTCP_IPV6_HDR_LEN, cut = (body / 2) & ~(size_t)7;
  if (len < LTCP_IPV6_HDR_LEN + 16 || body + 8 > 65535) return -1;
  static uint8_t frag[F6_MAX_PKT + 8];
  for (int second = !first_only; second >= 0; second--) {
    size_t from = second ? cut : 0, n = second ? body - cut : cut;
    memcpy(frag, pkt, LTCP_IPV6_HDR_LEN);
    ltcp_put16(frag + 4, (uint16_t)(8 + n));
    frag[6] = LTCP_IPPROTO_FRAGMENT;
    frag[40] = pkt[6];
    frag[41] = 0;
    ltcp_put16(frag + 42, (uint16_t)(from | (second ? 0u : 1u)));
    ltcp_put32(frag + 44, id);
    memcpy(frag + 48, pkt + LTCP_IPV6_HDR_LEN + from, n);
    ltcp_stack_input(st, now, frag, 48 + n);
    f6_drain(st);
  }
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1 || size - 1 > F6_MAX_PKT) return 0;
  ltcp_stack_config cfg;
  ltcp_stack_config_default(&cfg);
  cfg.addr = LTCP_IPV4(198, 18, 0, 1);
  memcpy(cfg.addr6, F6_LOCAL, 16);
  cfg.event_capacity = 64;
  ltcp_stack *st = ltcp_stack_new(&cfg);
  if (!st) return 0;
  int lfd = ltcp_socket(st);
  ltcp_endpoint any = {.family = LTCP_AF_INET6, .port = 80};
  if (ltcp_bind(st, lfd, &any) == 0 && ltcp_listen(st, lfd, 4) == 0) {
    static uint8_t pkt[F6_MAX_PKT];
    size_t len = size - 1;
    memcpy(pkt, data + 1, len);
    f6_fix(data[0], pkt, len);
    if ((data[0] & F6_SPLIT) && f6_split_input(st, 0, pkt, len, 7, 0) == 0) {
      f6_split_input(st, 1000000, pkt, len, 8, 1);
      ltcp_stack_advance(st, 61000000000ull);
      f6_drain(st);
      ltcp_stack_free(st);
      return 0;
    }
    ltcp_stack_input(st, 0, pkt, len);
    f6_drain(st);
    ltcp_stack_input(st, 1000000, pkt, len);
    f6_drain(st);
    ltcp_stack_advance(st, 2000000000ull);
    f6_drain(st);
    ltcp_stack_free(st);
    return 0;
  }
  ltcp_stack_free(st);
  return 0;
}
