/* TCP header and options (RFC 9293 §3.1, §3.2; RFC 7323; RFC 2018). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lucidtcp/common.h"
#include "lucidtcp/wire/bytes.h"
#include "lucidtcp/wire/checksum.h"
#include "lucidtcp/wire/tcp.h"

#define SRC LTCP_IPV4(192, 0, 2, 1)
#define DST LTCP_IPV4(198, 51, 100, 7)

static ltcp_seg sample_seg(void) {
  ltcp_seg s = {0};
  s.src_port = 40000;
  s.dst_port = 80;
  s.seq = 0xfedcba98u;
  s.ack = 0x01234567u;
  s.flags = LTCP_SYN | LTCP_ACK;
  s.wnd = 65535;
  s.urp = 0;
  return s;
}

/* Writes seg with payload, checksums it; returns the segment length (0 if it did not fit). */
static size_t build(uint8_t *out, size_t cap, const ltcp_seg *seg, const void *data, size_t n) {
  size_t hl = ltcp_tcp_write_header(out, cap, seg);
  if (hl == 0) return 0;
  memcpy(out + hl, data, n);
  ltcp_tcp_set_checksum(out, hl + n, SRC, DST);
  return hl + n;
}

/* A header with the given raw option bytes (optlen a multiple of 4), checksum fixed. */
static size_t raw_segment(uint8_t *out, const uint8_t *opts, size_t optlen) {
  ltcp_seg s = sample_seg();
  ltcp_tcp_write_header(out, LTCP_TCP_MAX_HDR_LEN, &s);
  memcpy(out + 20, opts, optlen);
  out[12] = (uint8_t)(((20 + optlen) / 4) << 4);
  ltcp_tcp_set_checksum(out, 20 + optlen, SRC, DST);
  return 20 + optlen;
}

static ltcp_drop_reason parse_raw_options(const uint8_t *opts, size_t optlen, ltcp_seg *seg) {
  uint8_t buf[64];
  size_t len = raw_segment(buf, opts, optlen);
  return ltcp_tcp_parse(buf, len, SRC, DST, seg);
}

static void assert_seg_equal(const ltcp_seg *a, const ltcp_seg *b) {
  assert_int_equal(a->src_port, b->src_port);
  assert_int_equal(a->dst_port, b->dst_port);
  assert_int_equal(a->seq, b->seq);
  assert_int_equal(a->ack, b->ack);
  assert_int_equal(a->flags, b->flags);
  assert_int_equal(a->wnd, b->wnd);
  assert_int_equal(a->urp, b->urp);
  assert_int_equal(a->opts.mss, b->opts.mss);
  assert_int_equal(a->opts.has_wscale, b->opts.has_wscale);
  if (a->opts.has_wscale) assert_int_equal(a->opts.wscale, b->opts.wscale);
  assert_int_equal(a->opts.sack_permitted, b->opts.sack_permitted);
  assert_int_equal(a->opts.has_timestamps, b->opts.has_timestamps);
  if (a->opts.has_timestamps) {
    assert_int_equal(a->opts.ts_val, b->opts.ts_val);
    assert_int_equal(a->opts.ts_ecr, b->opts.ts_ecr);
  }
  assert_int_equal(a->opts.sack_count, b->opts.sack_count);
  for (int i = 0; i < a->opts.sack_count; i++) {
    assert_int_equal(a->opts.sack[i].left, b->opts.sack[i].left);
    assert_int_equal(a->opts.sack[i].right, b->opts.sack[i].right);
  }
}

static ltcp_seg seg_with_options(unsigned mask, uint8_t sacks) {
  ltcp_seg s = sample_seg();
  if (mask & 1) s.opts.mss = 1460;
  if (mask & 2) {
    s.opts.has_wscale = 1;
    s.opts.wscale = 7;
  }
  if (mask & 4) s.opts.sack_permitted = 1;
  if (mask & 8) {
    s.opts.has_timestamps = 1;
    s.opts.ts_val = 0x11223344u;
    s.opts.ts_ecr = 0xaabbccddu;
  }
  s.opts.sack_count = sacks;
  for (uint8_t i = 0; i < sacks; i++) {
    s.opts.sack[i].left = 1000u * i + 0xfffff000u;
    s.opts.sack[i].right = 1000u * i + 0xfffff500u;
  }
  return s;
}

/* Every combination of MSS, WS, SACK-permitted, timestamps and 0..4 SACK blocks: the header
 * length is 20 + options_len, a multiple of 4, at most 60; what does not fit returns 0. */
static void test_tcp_write_header_round_trip_all_options(void **state) {
  (void)state;
  const char payload[] = "hello, world";
  for (unsigned mask = 0; mask < 16; mask++) {
    for (uint8_t sacks = 0; sacks <= LTCP_TCP_MAX_SACK_BLOCKS; sacks++) {
      ltcp_seg in = seg_with_options(mask, sacks), out;
      uint8_t buf[128];
      size_t opt_len = ltcp_tcp_options_len(&in.opts);
      assert_int_equal(opt_len % 4, 0);
      size_t len = build(buf, sizeof buf, &in, payload, sizeof payload);
      if (opt_len > 40) {
        assert_int_equal(len, 0);
        continue;
      }
      assert_int_equal(len, 20 + opt_len + sizeof payload);
      assert_int_equal(buf[12] >> 4, (20 + opt_len) / 4);
      assert_int_equal(ltcp_tcp_parse(buf, len, SRC, DST, &out), LTCP_DROP_NONE);
      assert_seg_equal(&in, &out);
      assert_int_equal(out.src_addr, SRC);
      assert_int_equal(out.dst_addr, DST);
      assert_int_equal(out.len, sizeof payload);
      assert_ptr_equal(out.data, buf + 20 + opt_len);
      assert_memory_equal(out.data, payload, sizeof payload);
    }
  }
}

/* The SYN layout Linux sends: MSS, SACK-permitted, timestamps, NOP, window scale. */
static void test_tcp_write_header_syn_layout(void **state) {
  (void)state;
  ltcp_seg s = seg_with_options(1 | 2 | 4 | 8, 0);
  uint8_t buf[60];
  assert_int_equal(ltcp_tcp_write_header(buf, sizeof buf, &s), 40);
  const uint8_t want[] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0x11, 0x22, 0x33, 0x44,
                          0xaa, 0xbb, 0xcc, 0xdd, 1, 3, 3, 7};
  assert_memory_equal(buf + 20, want, sizeof want);
  assert_int_equal(ltcp_get16(buf + 16), 0); /* checksum left zero */
}

static void test_tcp_write_header_cap_too_small(void **state) {
  (void)state;
  ltcp_seg s = seg_with_options(1 | 8, 0);
  uint8_t buf[60];
  assert_int_equal(ltcp_tcp_write_header(buf, 35, &s), 0);
  assert_int_equal(ltcp_tcp_write_header(buf, 36, &s), 36);
  ltcp_seg bare = sample_seg();
  assert_int_equal(ltcp_tcp_write_header(buf, 19, &bare), 0);
  assert_int_equal(ltcp_tcp_write_header(buf, 20, &bare), 20);
}

/* Timestamps (12) with 4 SACK blocks (36) exceed 40 bytes; a bogus count of 5 too. */
static void test_tcp_write_header_options_exceed_40(void **state) {
  (void)state;
  uint8_t buf[128];
  ltcp_seg s = seg_with_options(8, 4);
  assert_int_equal(ltcp_tcp_options_len(&s.opts), 48);
  assert_int_equal(ltcp_tcp_write_header(buf, sizeof buf, &s), 0);
  s = seg_with_options(8, 3);
  assert_int_equal(ltcp_tcp_write_header(buf, sizeof buf, &s), 60);
  s = seg_with_options(0, 4);
  s.opts.sack_count = 5;
  assert_int_equal(ltcp_tcp_write_header(buf, sizeof buf, &s), 0);
}

static void test_tcp_parse_truncated(void **state) {
  (void)state;
  uint8_t buf[64];
  ltcp_seg s = sample_seg(), out;
  size_t len = build(buf, sizeof buf, &s, "", 0);
  assert_int_equal(len, 20);
  assert_int_equal(ltcp_tcp_parse(buf, 19, SRC, DST, &out), LTCP_DROP_TCP_TRUNCATED);
  assert_int_equal(ltcp_tcp_parse(buf, 0, SRC, DST, &out), LTCP_DROP_TCP_TRUNCATED);
}

static void test_tcp_parse_data_offset_4(void **state) {
  (void)state;
  uint8_t buf[64];
  ltcp_seg s = sample_seg(), out;
  size_t len = build(buf, sizeof buf, &s, "abcd", 4);
  buf[12] = 4 << 4;
  ltcp_tcp_set_checksum(buf, len, SRC, DST);
  assert_int_equal(ltcp_tcp_parse(buf, len, SRC, DST, &out), LTCP_DROP_TCP_DATA_OFFSET);
}

static void test_tcp_parse_data_offset_beyond_len(void **state) {
  (void)state;
  uint8_t buf[64];
  ltcp_seg s = sample_seg(), out;
  size_t len = build(buf, sizeof buf, &s, "abcd", 4);
  buf[12] = 6 << 4; /* 24 bytes of header in a 24-byte segment is fine */
  ltcp_tcp_set_checksum(buf, len, SRC, DST);
  assert_int_equal(ltcp_tcp_parse(buf, len, SRC, DST, &out), LTCP_DROP_TCP_OPTIONS);
  buf[12] = 7 << 4; /* 28 > 24 */
  ltcp_tcp_set_checksum(buf, len, SRC, DST);
  assert_int_equal(ltcp_tcp_parse(buf, len, SRC, DST, &out), LTCP_DROP_TCP_DATA_OFFSET);
  buf[12] = 15 << 4;
  assert_int_equal(ltcp_tcp_parse(buf, len, SRC, DST, &out), LTCP_DROP_TCP_DATA_OFFSET);
}

/* RFC 9293 §3.1: the checksum covers the pseudo-header, header and text. */
static void test_tcp_parse_bad_checksum(void **state) {
  (void)state;
  uint8_t buf[64];
  ltcp_seg s = sample_seg(), out;
  size_t len = build(buf, sizeof buf, &s, "payload", 7);
  assert_int_equal(ltcp_tcp_parse(buf, len, SRC, DST, &out), LTCP_DROP_NONE);
  buf[len - 1] ^= 0x40; /* text */
  assert_int_equal(ltcp_tcp_parse(buf, len, SRC, DST, &out), LTCP_DROP_TCP_CHECKSUM);
  buf[len - 1] ^= 0x40;
  buf[4] ^= 0x01; /* header */
  assert_int_equal(ltcp_tcp_parse(buf, len, SRC, DST, &out), LTCP_DROP_TCP_CHECKSUM);
  buf[4] ^= 0x01;
  /* pseudo-header: another address, or a length that drops the last byte */
  assert_int_equal(ltcp_tcp_parse(buf, len, SRC + 1, DST, &out), LTCP_DROP_TCP_CHECKSUM);
  assert_int_equal(ltcp_tcp_parse(buf, len, SRC, DST ^ 0x100, &out), LTCP_DROP_TCP_CHECKSUM);
  assert_int_equal(ltcp_tcp_parse(buf, len - 1, SRC, DST, &out), LTCP_DROP_TCP_CHECKSUM);
}

/* Odd-length text: the checksum pads with a zero byte. */
/* NOP NOP TS, the layout read at once, gives what any other layout of the same option gives;
 * a near miss (a timestamp option of the wrong length) is still refused. */
static void test_tcp_parse_nop_nop_timestamps_as_any_layout(void **state) {
  (void)state;
  static const uint8_t layouts[][16] = {
      {1, 1, 8, 10, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88},
      {8, 10, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 1, 1},
      {8, 10, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0, 0},
      {1, 1, 8, 10, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 1, 1, 1, 0},
  };
  static const size_t lens[] = {12, 12, 12, 16};
  for (size_t k = 0; k < 4; k++) {
    ltcp_seg out;
    assert_int_equal(parse_raw_options(layouts[k], lens[k], &out), LTCP_DROP_NONE);
    assert_true(out.opts.has_timestamps);
    assert_int_equal(out.opts.ts_val, 0x11223344u);
    assert_int_equal(out.opts.ts_ecr, 0x55667788u);
    assert_int_equal(out.opts.mss, 0);
    assert_false(out.opts.sack_permitted);
    assert_int_equal(out.opts.sack_count, 0);
  }
  static const uint8_t near_miss[12] = {1, 1, 8, 9, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
  ltcp_seg out;
  assert_int_equal(parse_raw_options(near_miss, 12, &out), LTCP_DROP_TCP_OPTIONS);
}

static void test_tcp_set_checksum_odd_payload(void **state) {
  (void)state;
  uint8_t buf[64];
  ltcp_seg s = sample_seg(), out;
  size_t len = build(buf, sizeof buf, &s, "abc", 3);
  assert_int_equal(ltcp_tcp_parse(buf, len, SRC, DST, &out), LTCP_DROP_NONE);
  assert_int_equal(out.len, 3);
  assert_memory_equal(out.data, "abc", 3);
}

/* A payload summed while copied, the header summed here: the same checksum as the whole. */
static void test_tcp_set_checksum_payload_matches_whole(void **state) {
  (void)state;
  uint8_t a[LTCP_TCP_MAX_HDR_LEN + 1500], b[sizeof a], payload[1500];
  for (size_t i = 0; i < sizeof payload; i++) payload[i] = (uint8_t)(i * 151 + 13);
  ltcp_seg s = sample_seg(), out;
  s.opts.has_timestamps = 1;
  s.opts.ts_val = 0x89abcdefu;
  for (size_t n = 0; n <= sizeof payload; n += n < 70 ? 1 : 97) {
    size_t len = build(a, sizeof a, &s, payload, n), hl = len - n;
    ltcp_tcp_write_header(b, sizeof b, &s);
    uint32_t sum = ltcp_cksum_copy(0, b + hl, payload, n);
    ltcp_tcp_set_checksum_payload(b, hl, len, sum, SRC, DST);
    assert_memory_equal(a, b, len);
    assert_int_equal(ltcp_tcp_parse(b, len, SRC, DST, &out), LTCP_DROP_NONE);
  }
}

static void test_tcp_parse_port_0(void **state) {
  (void)state;
  uint8_t buf[64];
  ltcp_seg s = sample_seg(), out;
  s.src_port = 0;
  size_t len = build(buf, sizeof buf, &s, "", 0);
  assert_int_equal(ltcp_tcp_parse(buf, len, SRC, DST, &out), LTCP_DROP_TCP_BAD_PORT);
  s = sample_seg();
  s.dst_port = 0;
  len = build(buf, sizeof buf, &s, "", 0);
  assert_int_equal(ltcp_tcp_parse(buf, len, SRC, DST, &out), LTCP_DROP_TCP_BAD_PORT);
}

static void test_tcp_parse_option_len_0(void **state) {
  (void)state;
  ltcp_seg out;
  const uint8_t unknown[] = {99, 0, 0, 0};
  assert_int_equal(parse_raw_options(unknown, 4, &out), LTCP_DROP_TCP_OPTIONS);
  const uint8_t mss[] = {2, 0, 0, 0};
  assert_int_equal(parse_raw_options(mss, 4, &out), LTCP_DROP_TCP_OPTIONS);
}

static void test_tcp_parse_option_len_1(void **state) {
  (void)state;
  ltcp_seg out;
  const uint8_t opts[] = {99, 1, 1, 1};
  assert_int_equal(parse_raw_options(opts, 4, &out), LTCP_DROP_TCP_OPTIONS);
}

static void test_tcp_parse_option_past_header(void **state) {
  (void)state;
  ltcp_seg out;
  const uint8_t too_long[] = {1, 99, 4, 0}; /* 4 bytes from offset 1: one past the end */
  assert_int_equal(parse_raw_options(too_long, 4, &out), LTCP_DROP_TCP_OPTIONS);
  const uint8_t no_len[] = {1, 1, 1, 99}; /* the length byte is missing */
  assert_int_equal(parse_raw_options(no_len, 4, &out), LTCP_DROP_TCP_OPTIONS);
  const uint8_t ts_cut[] = {1, 1, 8, 10, 0, 0, 0, 0}; /* timestamps need 2 more bytes */
  assert_int_equal(parse_raw_options(ts_cut, 8, &out), LTCP_DROP_TCP_OPTIONS);
}

static void test_tcp_parse_mss_len_3(void **state) {
  (void)state;
  ltcp_seg out;
  const uint8_t opts[] = {2, 3, 5, 0};
  assert_int_equal(parse_raw_options(opts, 4, &out), LTCP_DROP_TCP_OPTIONS);
}

static void test_tcp_parse_wscale_len_2(void **state) {
  (void)state;
  ltcp_seg out;
  const uint8_t opts[] = {3, 2, 0, 0};
  assert_int_equal(parse_raw_options(opts, 4, &out), LTCP_DROP_TCP_OPTIONS);
}

static void test_tcp_parse_sack_permitted_len_3(void **state) {
  (void)state;
  ltcp_seg out;
  const uint8_t opts[] = {4, 3, 0, 0};
  assert_int_equal(parse_raw_options(opts, 4, &out), LTCP_DROP_TCP_OPTIONS);
}

static void test_tcp_parse_timestamps_len_9(void **state) {
  (void)state;
  ltcp_seg out;
  const uint8_t opts[] = {8, 9, 1, 2, 3, 4, 5, 6, 7, 0, 0, 0};
  assert_int_equal(parse_raw_options(opts, 12, &out), LTCP_DROP_TCP_OPTIONS);
}

static void test_tcp_parse_sack_len_11(void **state) {
  (void)state;
  ltcp_seg out;
  const uint8_t opts[] = {5, 11, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0};
  assert_int_equal(parse_raw_options(opts, 12, &out), LTCP_DROP_TCP_OPTIONS);
  const uint8_t empty[] = {1, 1, 5, 2}; /* no blocks at all */
  assert_int_equal(parse_raw_options(empty, 4, &out), LTCP_DROP_TCP_OPTIONS);
}

/* RFC 2018 §3: five blocks need 42 bytes, more than the 40 the header can hold. */
static void test_tcp_parse_sack_5_blocks_do_not_fit(void **state) {
  (void)state;
  ltcp_seg out;
  uint8_t opts[40];
  memset(opts, 0x55, sizeof opts);
  opts[0] = 5;
  opts[1] = 2 + 8 * 5;
  assert_int_equal(parse_raw_options(opts, 40, &out), LTCP_DROP_TCP_OPTIONS);
  memcpy(opts, (const uint8_t[]){1, 1, 5, 2 + 8 * 4}, 4); /* four fit */
  assert_int_equal(parse_raw_options(opts, 36, &out), LTCP_DROP_NONE);
  assert_int_equal(out.opts.sack_count, 4);
  assert_int_equal(out.opts.sack[3].right, 0x55555555u);
}

/* RFC 7323 §2.3: a shift above 14 is used as 14. */
static void test_tcp_parse_wscale_15_clamped(void **state) {
  (void)state;
  ltcp_seg out;
  const uint8_t opts[] = {1, 3, 3, 15};
  assert_int_equal(parse_raw_options(opts, 4, &out), LTCP_DROP_NONE);
  assert_int_equal(out.opts.has_wscale, 1);
  assert_int_equal(out.opts.wscale, 14);
  const uint8_t big[] = {1, 3, 3, 255};
  assert_int_equal(parse_raw_options(big, 4, &out), LTCP_DROP_NONE);
  assert_int_equal(out.opts.wscale, 14);
  const uint8_t ok[] = {1, 3, 3, 14};
  assert_int_equal(parse_raw_options(ok, 4, &out), LTCP_DROP_NONE);
  assert_int_equal(out.opts.wscale, 14);
}

/* RFC 9293 §3.2: an unknown kind is skipped by its length. */
static void test_tcp_parse_unknown_kind_skipped(void **state) {
  (void)state;
  ltcp_seg out;
  const uint8_t opts[] = {99, 4, 0xde, 0xad, 2, 4, 0x02, 0x18};
  assert_int_equal(parse_raw_options(opts, 8, &out), LTCP_DROP_NONE);
  assert_int_equal(out.opts.mss, 536);
}

/* RFC 9293 §3.2: End of Option List ends parsing; what follows is padding. */
static void test_tcp_parse_eol_stops(void **state) {
  (void)state;
  ltcp_seg out;
  const uint8_t opts[] = {2, 4, 0x05, 0xb4, 0, 3, 1, 0xff}; /* a bad WS after EOL */
  assert_int_equal(parse_raw_options(opts, 8, &out), LTCP_DROP_NONE);
  assert_int_equal(out.opts.mss, 1460);
  assert_int_equal(out.opts.has_wscale, 0);
  const uint8_t first[] = {0, 2, 4, 1};
  assert_int_equal(parse_raw_options(first, 4, &out), LTCP_DROP_NONE);
  assert_int_equal(out.opts.mss, 0);
}

static void test_tcp_parse_fields(void **state) {
  (void)state;
  uint8_t buf[64];
  ltcp_seg s = sample_seg(), out;
  s.flags = LTCP_FIN | LTCP_PSH | LTCP_ACK | LTCP_URG;
  s.urp = 3;
  size_t len = build(buf, sizeof buf, &s, "xyz", 3);
  assert_int_equal(ltcp_tcp_parse(buf, len, SRC, DST, &out), LTCP_DROP_NONE);
  assert_seg_equal(&s, &out);
  assert_int_equal(ltcp_seg_seqlen(&out), 4);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_tcp_write_header_round_trip_all_options),
      cmocka_unit_test(test_tcp_write_header_syn_layout),
      cmocka_unit_test(test_tcp_write_header_cap_too_small),
      cmocka_unit_test(test_tcp_write_header_options_exceed_40),
      cmocka_unit_test(test_tcp_parse_truncated),
      cmocka_unit_test(test_tcp_parse_data_offset_4),
      cmocka_unit_test(test_tcp_parse_data_offset_beyond_len),
      cmocka_unit_test(test_tcp_parse_bad_checksum),
      cmocka_unit_test(test_tcp_parse_nop_nop_timestamps_as_any_layout),
      cmocka_unit_test(test_tcp_set_checksum_odd_payload),
      cmocka_unit_test(test_tcp_set_checksum_payload_matches_whole),
      cmocka_unit_test(test_tcp_parse_port_0),
      cmocka_unit_test(test_tcp_parse_option_len_0),
      cmocka_unit_test(test_tcp_parse_option_len_1),
      cmocka_unit_test(test_tcp_parse_option_past_header),
      cmocka_unit_test(test_tcp_parse_mss_len_3),
      cmocka_unit_test(test_tcp_parse_wscale_len_2),
      cmocka_unit_test(test_tcp_parse_sack_permitted_len_3),
      cmocka_unit_test(test_tcp_parse_timestamps_len_9),
      cmocka_unit_test(test_tcp_parse_sack_len_11),
      cmocka_unit_test(test_tcp_parse_sack_5_blocks_do_not_fit),
      cmocka_unit_test(test_tcp_parse_wscale_15_clamped),
      cmocka_unit_test(test_tcp_parse_unknown_kind_skipped),
      cmocka_unit_test(test_tcp_parse_eol_stops),
      cmocka_unit_test(test_tcp_parse_fields),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
