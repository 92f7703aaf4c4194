/* SYN cookies (syncookie.h), after Linux's net/ipv4/syncookies.c. */
#include "tcp/syncookie.h"

#include <string.h>

#include "lucidtcp/wire/bytes.h"
#include "tcp/engine.h"
#include "util/siphash.h"

#define COOKIE_BITS 24
#define COOKIE_MASK ((1u << COOKIE_BITS) - 1)
/* TSval's low bits: window scale (0xf: none), SACK-permitted, and a marker that they are ours. */
#define COOKIE_TS_BITS 6
#define COOKIE_TS_MASK ((1u << COOKIE_TS_BITS) - 1)
#define COOKIE_TS_WSCALE 0xfu
#define COOKIE_TS_SACK 0x10u
#define COOKIE_TS_MARK 0x20u

/* The MSS values a cookie can name: Linux's msstab (536, 1300, 1440, 1460) and a few more. */
static const uint16_t cookie_msstab[LTCP_SYNCOOKIE_MSS_COUNT] = {64,   536,  1220, 1300,
                                                                 1440, 1452, 1460, 8960};

void ltcp_syncookie_init(ltcp_syncookie_key *k, const uint8_t isn_key[16]) {
  memset(k, 0, sizeof *k);
  /* Its own secret, from the ISN's: the same seed gives the same cookies, and neither secret
   * tells the other. */
  static const char label[2][8] = {"cookie-a", "cookie-b"};
  for (int i = 0; i < 2; i++) {
    uint64_t h = ltcp_siphash(isn_key, label[i], sizeof label[i]);
    memcpy(k->secret + 8 * i, &h, 8);
  }
  k->last_sent = LTCP_TIME_NEVER;
}

/* The secret of counter c: SipHash of c under the cookie secret, cached for two counters. */
static const uint8_t *cookie_key(ltcp_syncookie_key *k, uint64_t c) {
  unsigned i = (unsigned)(c & 1u);
  if (!k->valid[i] || k->counter[i] != c) {
    for (uint8_t half = 0; half < 2; half++) {
      uint8_t in[9];
      ltcp_put32(in, (uint32_t)(c >> 32));
      ltcp_put32(in + 4, (uint32_t)c);
      in[8] = half;
      uint64_t h = ltcp_siphash(k->secret, in, sizeof in);
      memcpy(k->key[i] + 8 * half, &h, 8);
    }
    k->counter[i] = c;
    k->valid[i] = 1;
  }
  return k->key[i];
}

/* The peer's 4-tuple (as the segment it sent names it; an IPv6 handle as its address) and
 * its ISN: tuple_len bytes of tuple, then the ISN. */
typedef struct cookie_in {
  uint8_t b[40];
  size_t tuple_len;
} cookie_in;

static void cookie_input(const ltcp_engine *eng, const ltcp_seg *seg, uint32_t peer_isn,
                         cookie_in *in) {
  size_t n = ltcp_engine_put_end(eng, in->b, seg->dst_addr, seg->dst_port);
  n += ltcp_engine_put_end(eng, in->b + n, seg->src_addr, seg->src_port);
  ltcp_put32(in->b + n, peer_isn);
  in->tuple_len = n;
}

static uint32_t cookie_h1(const ltcp_syncookie_key *k, const cookie_in *in) {
  return (uint32_t)ltcp_siphash(k->secret, in->b, in->tuple_len);
}

static uint32_t cookie_h2(ltcp_syncookie_key *k, const cookie_in *in, uint64_t c) {
  return (uint32_t)ltcp_siphash(cookie_key(k, c), in->b, in->tuple_len + 4);
}

static uint64_t cookie_counter(const ltcp_engine *eng) {
  return (uint64_t)(eng->now / LTCP_SYNCOOKIE_PERIOD_NS);
}

/* The largest table entry at most the SYN's MSS (536 without the option, RFC 9293 MUST-15). */
static uint32_t cookie_mss_index(const ltcp_seg *syn) {
  uint16_t mss = syn->opts.mss ? syn->opts.mss : 536;
  uint32_t i = LTCP_SYNCOOKIE_MSS_COUNT - 1;
  while (i > 0 && cookie_msstab[i] > mss) i--; /* bounded by the table */
  return i;
}

uint32_t ltcp_syncookie_make(ltcp_engine *eng, const ltcp_seg *syn) {
  ltcp_syncookie_key *k = &eng->cookie;
  cookie_in in;
  cookie_input(eng, syn, syn->seq, &in);
  uint64_t c = cookie_counter(eng);
  k->last_sent = eng->now;
  return cookie_h1(k, &in) + syn->seq + ((uint32_t)c << COOKIE_BITS) +
         ((cookie_h2(k, &in, c) + cookie_mss_index(syn)) & COOKIE_MASK);
}

uint32_t ltcp_syncookie_tsval(uint32_t ts_now, int wscale, int sack_ok) {
  uint32_t bits = (wscale < 0 ? COOKIE_TS_WSCALE : (uint32_t)wscale) |
                  (sack_ok ? COOKIE_TS_SACK : 0u) | COOKIE_TS_MARK;
  uint32_t ts = (ts_now & ~COOKIE_TS_MASK) | bits;
  /* Never ahead of the clock: the TSvals the connection sends later must not go back. */
  if ((int32_t)(ts - ts_now) > 0) ts -= 1u << COOKIE_TS_BITS;
  return ts;
}

/* The options a valid cookie's ACK brings back in its TSecr; -1 when they are not ours. */
static int cookie_ts_decode(const ltcp_engine *eng, const ltcp_seg *ack, ltcp_syncookie_opts *o) {
  if (!eng->cfg.timestamps || !ack->opts.has_timestamps) return 0; /* no wscale, no SACK */
  uint32_t bits = ack->opts.ts_ecr & COOKIE_TS_MASK;
  uint32_t ws = bits & COOKIE_TS_WSCALE;
  if (!(bits & COOKIE_TS_MARK) || (ws != COOKIE_TS_WSCALE && ws > LTCP_OPTS_WSCALE_MAX)) return -1;
  o->ts_ok = 1;
  o->has_wscale = ws != COOKIE_TS_WSCALE;
  o->wscale = o->has_wscale ? (uint8_t)ws : 0;
  o->sack_ok = (bits & COOKIE_TS_SACK) != 0;
  return 0;
}

int ltcp_syncookie_check(ltcp_engine *eng, const ltcp_seg *ack, ltcp_syncookie_opts *o) {
  ltcp_syncookie_key *k = &eng->cookie;
  uint32_t cookie = ack->ack - 1, peer_isn = ack->seq - 1;
  cookie_in in;
  cookie_input(eng, ack, peer_isn, &in);
  uint32_t v = cookie - cookie_h1(k, &in) - peer_isn;
  uint64_t now = cookie_counter(eng);
  uint32_t age = ((uint32_t)now - (v >> COOKIE_BITS)) & (0xffffffffu >> COOKIE_BITS);
  if (age >= LTCP_SYNCOOKIE_AGE || age > now) return -1; /* expired, or from the future */
  uint32_t idx = ((v & COOKIE_MASK) - cookie_h2(k, &in, now - age)) & COOKIE_MASK;
  if (idx >= LTCP_SYNCOOKIE_MSS_COUNT) return -1;
  memset(o, 0, sizeof *o);
  o->mss = cookie_msstab[idx];
  return cookie_ts_decode(eng, ack, o);
}

int ltcp_syncookie_recent(const ltcp_engine *eng) {
  ltcp_time_ns t = eng->cookie.last_sent;
  return t != LTCP_TIME_NEVER && eng->now - t < LTCP_SYNCOOKIE_AGE * LTCP_SYNCOOKIE_PERIOD_NS;
}
