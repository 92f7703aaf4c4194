/* SYN cookies (RFC 4987 §3.6), as Linux's net/ipv4/syncookies.c: when a listener has no
 * half-open slot, the SYN,ACK's ISS carries what the connection needs and nothing is kept; the
 * ACK that returns ISS+1 proves the peer saw it and brings it back.
 *
 * ISS = H1(4-tuple) + SEG.SEQ + (counter << 24) + ((H2_counter(4-tuple, SEG.SEQ) + mss index)
 * mod 2^24), with H1 SipHash under the cookie secret and H2 under a secret rotated every counter
 * (64 s, derived from the secret and the counter). A cookie is valid while the counter is the one
 * it was made in or the next (64 to 128 s), and an attacker who guesses blindly is right once in
 * 2^24 / LTCP_SYNCOOKIE_MSS_COUNT. With timestamps, the low 6 bits of our TSval carry the window
 * scale, SACK-permitted and a marker; the ACK's TSecr returns them. Without timestamps the
 * connection has neither window scaling nor SACK (as Linux). Owns the cookie secret and the time
 * a cookie was last sent. Private to src/tcp/. */
#ifndef LTCP_TCP_SYNCOOKIE_H
#define LTCP_TCP_SYNCOOKIE_H

#include <stdint.h>

#include "lucidtcp/common.h"
#include "lucidtcp/wire/tcp.h"

typedef struct ltcp_engine ltcp_engine;

#define LTCP_SYNCOOKIE_PERIOD_NS LTCP_SEC(64) /* Linux: a counter of 64 s */
#define LTCP_SYNCOOKIE_AGE 2u                 /* counters a cookie stays valid (Linux's) */
#define LTCP_SYNCOOKIE_MSS_COUNT 8u

/* cfg.syn_cookies */
#define LTCP_SYNCOOKIE_NEVER 0
#define LTCP_SYNCOOKIE_WHEN_FULL 1
#define LTCP_SYNCOOKIE_ALWAYS 2

typedef struct ltcp_syncookie_key {
  uint8_t secret[16];      /* from the ISN secret: the seed makes it */
  uint8_t key[2][16];      /* the rotated secret of counter[i] (i = counter & 1) */
  uint64_t counter[2];
  uint8_t valid[2];
  ltcp_time_ns last_sent;  /* the last cookie sent; LTCP_TIME_NEVER before */
} ltcp_syncookie_key;

/* What a valid cookie gives back of the SYN. */
typedef struct ltcp_syncookie_opts {
  uint16_t mss;            /* from the table: the largest entry at most the SYN's MSS */
  uint8_t ts_ok;           /* the ACK carries timestamps (and so did both SYNs) */
  uint8_t has_wscale, wscale; /* the SYN's Window Scale, only with timestamps */
  uint8_t sack_ok;         /* the SYN's SACK-permitted, only with timestamps */
} ltcp_syncookie_opts;

void ltcp_syncookie_init(ltcp_syncookie_key *k, const uint8_t isn_key[16]);
/* The ISS of a cookie SYN,ACK answering syn. Records the time (ltcp_syncookie_recent). */
uint32_t ltcp_syncookie_make(ltcp_engine *eng, const ltcp_seg *syn);
/* Our TSval ts_now with the SYN's options in its low bits, never later than ts_now. wscale:
 * the shift the SYN asked for, or -1 when window scaling is not agreed. */
uint32_t ltcp_syncookie_tsval(uint32_t ts_now, int wscale, int sack_ok);
/* An ACK to a listener with no half-open connection: 0 and *o when SEG.ACK - 1 is a cookie
 * of ours for its 4-tuple and SEG.SEQ - 1 made in this counter or the last, else -1. */
int ltcp_syncookie_check(ltcp_engine *eng, const ltcp_seg *ack, ltcp_syncookie_opts *o);
/* Whether a cookie was sent within the time one stays valid: in mode 1 only then is an ACK to a
 * listener checked (Linux's tcp_synq_no_recent_overflow). */
int ltcp_syncookie_recent(const ltcp_engine *eng);

#endif
