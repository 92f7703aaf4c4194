/* Random and mutated packets through the IPv4, TCP and ICMP parsers: no crash, no read past
 * the bytes given (ASan), and every verdict a drop reason of the right layer. Deterministic:
 * the seed is fixed and printed with the iteration on failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "lucidtcp/common.h"
#include "lucidtcp/stats.h"
#include "util/rng.h"
#include "lucidtcp/wire/bytes.h"
#include "lucidtcp/wire/checksum.h"
#include "lucidtcp/wire/icmp.h"
#include "lucidtcp/wire/ipv4.h"
#include "lucidtcp/wire/tcp.h"

#define FUZZ_SEED 0x5eed0001ull
#define FUZZ_ITERATIONS 200000
#define FUZZ_MAX_LEN 120

typedef struct fuzz_ctx {
  ltcp_rng rng;
  uint64_t iteration;
  uint8_t *pkt_area;     /* FUZZ_MAX_LEN bytes; a packet ends at its end */
  uint8_t *payload_area; /* same, for the IP payload */
} fuzz_ctx;

static void fuzz_check(const fuzz_ctx *f, int ok, const char *what) {
  if (ok) return;
  print_error("seed 0x%llx iteration %llu: %s\n", (unsigned long long)FUZZ_SEED,
              (unsigned long long)f->iteration, what);
  fail();
}

/* Copies len bytes so they end at the end of area: one byte more is an ASan heap overflow. */
static uint8_t *fuzz_place(uint8_t *area, const uint8_t *src, size_t len) {
  uint8_t *p = area + FUZZ_MAX_LEN - len;
  if (len > 0) memmove(p, src, len);
  return p;
}

static void fuzz_random_bytes(ltcp_rng *r, uint8_t *buf, size_t len) {
  for (size_t i = 0; i < len; i++) buf[i] = (uint8_t)ltcp_rng_next(r);
}

/* A valid IPv4 packet carrying a TCP segment with random options and text. */
static size_t fuzz_valid_tcp(ltcp_rng *r, uint8_t *buf) {
  ltcp_seg s = {0};
  s.src_port = (uint16_t)(1 + ltcp_rng_below(r, 65535));
  s.dst_port = (uint16_t)(1 + ltcp_rng_below(r, 65535));
  s.seq = (uint32_t)ltcp_rng_next(r);
  s.ack = (uint32_t)ltcp_rng_next(r);
  s.flags = (uint8_t)ltcp_rng_next(r);
  s.wnd = (uint16_t)ltcp_rng_next(r);
  s.opts.mss = ltcp_rng_chance(r, 0.5) ? (uint16_t)ltcp_rng_next(r) : 0;
  s.opts.has_wscale = (uint8_t)ltcp_rng_chance(r, 0.5);
  s.opts.wscale = (uint8_t)ltcp_rng_below(r, 15);
  s.opts.sack_permitted = (uint8_t)ltcp_rng_chance(r, 0.5);
  s.opts.has_timestamps = (uint8_t)ltcp_rng_chance(r, 0.5);
  s.opts.ts_val = (uint32_t)ltcp_rng_next(r);
  s.opts.sack_count = (uint8_t)ltcp_rng_below(r, 4);
  for (int i = 0; i < 4; i++) s.opts.sack[i].left = (uint32_t)ltcp_rng_next(r);
  while (ltcp_tcp_options_len(&s.opts) > 40) s.opts.sack_count--; /* bound: sack_count */
  size_t hl = ltcp_tcp_write_header(buf + 20, FUZZ_MAX_LEN - 20, &s);
  size_t text = (size_t)ltcp_rng_below(r, 21);
  fuzz_random_bytes(r, buf + 20 + hl, text);
  uint32_t src = (uint32_t)ltcp_rng_next(r), dst = (uint32_t)ltcp_rng_next(r);
  ltcp_tcp_set_checksum(buf + 20, hl + text, src, dst);
  ltcp_ipv4_hdr ip = {.total_len = (uint16_t)(20 + hl + text), .ttl = 64,
                      .proto = LTCP_IPPROTO_TCP, .src = src, .dst = dst};
  ltcp_ipv4_write(buf, &ip);
  return 20 + hl + text;
}

/* A valid IPv4 packet carrying an ICMP message. */
static size_t fuzz_valid_icmp(ltcp_rng *r, uint8_t *buf) {
  uint8_t data[64];
  size_t n = (size_t)ltcp_rng_below(r, sizeof data + 1);
  fuzz_random_bytes(r, data, n);
  ltcp_icmp_hdr h = {(uint8_t)ltcp_rng_below(r, 16), (uint8_t)ltcp_rng_below(r, 4),
                     (uint32_t)ltcp_rng_next(r), data, n};
  size_t len = ltcp_icmp_write(buf + 20, FUZZ_MAX_LEN - 20, &h);
  ltcp_ipv4_hdr ip = {.total_len = (uint16_t)(20 + len), .ttl = 64, .proto = LTCP_IPPROTO_ICMP,
                      .src = (uint32_t)ltcp_rng_next(r), .dst = (uint32_t)ltcp_rng_next(r)};
  ltcp_ipv4_write(buf, &ip);
  return 20 + len;
}

/* Flips 1..4 bytes at or after `from`, then maybe cuts or pads the packet. */
static size_t fuzz_mutate(ltcp_rng *r, uint8_t *buf, size_t len, size_t from) {
  int flips = 1 + (int)ltcp_rng_below(r, 4);
  for (int i = 0; i < flips && len > from; i++)
    buf[from + ltcp_rng_below(r, len - from)] ^= (uint8_t)(1 + ltcp_rng_below(r, 255));
  if (ltcp_rng_chance(r, 0.1)) return (size_t)ltcp_rng_below(r, len + 1);
  if (ltcp_rng_chance(r, 0.1)) {
    size_t pad = (size_t)ltcp_rng_below(r, FUZZ_MAX_LEN - len + 1);
    fuzz_random_bytes(r, buf + len, pad);
    return len + pad;
  }
  return len;
}

/* Makes the checksums right again so the mutation reaches the option parser. */
static void fuzz_fix_checksums(uint8_t *buf, size_t len) {
  size_t hl = (size_t)(buf[0] & 0x0f) * 4;
  if (hl < 20 || hl > len) return;
  ltcp_put16(buf + 10, 0);
  ltcp_put16(buf + 10, ltcp_cksum_finish(ltcp_cksum_add(0, buf, hl)));
  size_t total = ltcp_get16(buf + 2);
  if (total < hl || total > len) return;
  if (buf[9] == LTCP_IPPROTO_TCP && total - hl >= 20)
    ltcp_tcp_set_checksum(buf + hl, total - hl, ltcp_get32(buf + 12), ltcp_get32(buf + 16));
  if (buf[9] == LTCP_IPPROTO_ICMP && total - hl >= 8) {
    ltcp_put16(buf + hl + 2, 0);
    ltcp_put16(buf + hl + 2, ltcp_cksum_finish(ltcp_cksum_add(0, buf + hl, total - hl)));
  }
}

static size_t fuzz_make_packet(fuzz_ctx *f, uint8_t *buf) {
  ltcp_rng *r = &f->rng;
  switch (ltcp_rng_below(r, 4)) {
    case 0: {
      size_t len = (size_t)ltcp_rng_below(r, FUZZ_MAX_LEN + 1);
      fuzz_random_bytes(r, buf, len);
      if (len > 0 && ltcp_rng_chance(r, 0.5)) buf[0] = (uint8_t)(0x45 + ltcp_rng_below(r, 11));
      return len;
    }
    case 1:
      return fuzz_mutate(r, buf, fuzz_valid_tcp(r, buf), 0);
    case 2:
      return fuzz_mutate(r, buf, fuzz_valid_icmp(r, buf), 0);
    default: {
      size_t len = fuzz_mutate(r, buf, fuzz_valid_tcp(r, buf), 20 + 12);
      fuzz_fix_checksums(buf, len);
      return len;
    }
  }
}

static int fuzz_in(ltcp_drop_reason r, ltcp_drop_reason lo, ltcp_drop_reason hi) {
  return r == LTCP_DROP_NONE || (r >= lo && r <= hi);
}

/* Whatever parses, written back and parsed again, decodes to the same segment. */
static void fuzz_tcp_rewrite(fuzz_ctx *f, const ltcp_seg *a) {
  uint8_t buf[FUZZ_MAX_LEN];
  size_t hl = ltcp_tcp_write_header(buf, sizeof buf, a);
  if (hl == 0) return; /* our layout pads more than the sender did */
  ltcp_tcp_set_checksum(buf, hl, a->src_addr, a->dst_addr);
  ltcp_seg b;
  fuzz_check(f, ltcp_tcp_parse(buf, hl, a->src_addr, a->dst_addr, &b) == LTCP_DROP_NONE,
             "rewritten segment does not parse");
  ltcp_seg a2 = *a;
  a2.data = b.data;
  a2.len = b.len;
  if (!a2.opts.has_timestamps) a2.opts.ts_val = a2.opts.ts_ecr = 0;
  fuzz_check(f, memcmp(&a2.opts, &b.opts, sizeof b.opts) == 0 && a2.seq == b.seq &&
                    a2.ack == b.ack && a2.flags == b.flags && a2.wnd == b.wnd &&
                    a2.urp == b.urp && a2.src_port == b.src_port && a2.dst_port == b.dst_port,
             "rewritten segment decodes differently");
}

static void fuzz_tcp(fuzz_ctx *f, const uint8_t *tcp, size_t len, uint32_t src, uint32_t dst) {
  ltcp_seg seg;
  ltcp_drop_reason r = ltcp_tcp_parse(tcp, len, src, dst, &seg);
  fuzz_check(f, fuzz_in(r, LTCP_DROP_TCP_TRUNCATED, LTCP_DROP_TCP_BAD_PORT), "TCP verdict");
  if (r != LTCP_DROP_NONE) return;
  fuzz_check(f, seg.data >= tcp + 20 && seg.data + seg.len == tcp + len, "TCP payload bounds");
  fuzz_check(f, seg.opts.wscale <= 14 && seg.opts.sack_count <= 4, "TCP option values");
  fuzz_tcp_rewrite(f, &seg);
}

static void fuzz_icmp(fuzz_ctx *f, const uint8_t *msg, size_t len) {
  ltcp_icmp_hdr h;
  ltcp_drop_reason r = ltcp_icmp_parse(msg, len, &h);
  fuzz_check(f, fuzz_in(r, LTCP_DROP_ICMP_TRUNCATED, LTCP_DROP_ICMP_CHECKSUM), "ICMP verdict");
  if (r == LTCP_DROP_NONE)
    fuzz_check(f, h.data == msg + 8 && h.data + h.data_len == msg + len, "ICMP data bounds");
}

static void fuzz_one(fuzz_ctx *f, const uint8_t *bytes, size_t len) {
  const uint8_t *pkt = fuzz_place(f->pkt_area, bytes, len);
  ltcp_ipv4_hdr ip;
  ltcp_drop_reason r = ltcp_ipv4_parse(pkt, len, &ip);
  fuzz_check(f, fuzz_in(r, LTCP_DROP_IP_TRUNCATED, LTCP_DROP_IP_FRAGMENT), "IPv4 verdict");
  fuzz_check(f, strcmp(ltcp_drop_name(r), "?") != 0, "named verdict");
  /* Each parser also sees the raw bytes, whatever IPv4 thought of them. */
  fuzz_tcp(f, pkt, len, 1, 2);
  fuzz_icmp(f, pkt, len);
  if (r != LTCP_DROP_NONE) return;
  fuzz_check(f, ip.hdr_len >= 20 && ip.hdr_len <= ip.total_len && ip.total_len <= len,
             "IPv4 lengths");
  size_t plen = (size_t)ip.total_len - ip.hdr_len;
  const uint8_t *payload = fuzz_place(f->payload_area, pkt + ip.hdr_len, plen);
  if (ip.proto == LTCP_IPPROTO_TCP) fuzz_tcp(f, payload, plen, ip.src, ip.dst);
  if (ip.proto == LTCP_IPPROTO_ICMP) fuzz_icmp(f, payload, plen);
}

static void test_wire_parse_random_bytes(void **state) {
  (void)state;
  fuzz_ctx f = {0};
  ltcp_rng_seed(&f.rng, FUZZ_SEED);
  f.pkt_area = malloc(FUZZ_MAX_LEN);
  f.payload_area = malloc(FUZZ_MAX_LEN);
  assert_non_null(f.pkt_area);
  assert_non_null(f.payload_area);
  uint64_t accepted_tcp = 0;
  for (f.iteration = 0; f.iteration < FUZZ_ITERATIONS; f.iteration++) {
    uint8_t buf[FUZZ_MAX_LEN];
    size_t len = fuzz_make_packet(&f, buf);
    fuzz_one(&f, buf, len);
    ltcp_ipv4_hdr ip;
    ltcp_seg seg;
    if (ltcp_ipv4_parse(buf, len, &ip) == LTCP_DROP_NONE && ip.proto == LTCP_IPPROTO_TCP &&
        ltcp_tcp_parse(buf + ip.hdr_len, ip.total_len - ip.hdr_len, ip.src, ip.dst, &seg) ==
            LTCP_DROP_NONE)
      accepted_tcp++;
  }
  free(f.pkt_area);
  free(f.payload_area);
  /* The generator must reach past the checks, or the option parser goes untested. */
  assert_true(accepted_tcp > FUZZ_ITERATIONS / 20);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_wire_parse_random_bytes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
