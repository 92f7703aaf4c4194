/* IPv4 and IPv6 reassembly (frag.h). */
#include "ip/frag.h"

#include <stdlib.h>
#include <string.h>

#include "lucidtcp/wire/bytes.h"

#define FRAG_ALLOC_STEP 2048u /* buffers grow in steps, up to LTCP_FRAG_PAYLOAD_MAX */

int ltcp_frags_init(ltcp_frags *f, uint32_t cap, uint64_t mem_max, ltcp_time_ns timeout,
                    ltcp_stats *stats) {
  memset(f, 0, sizeof *f);
  f->cap = cap;
  f->mem_max = mem_max;
  f->timeout = timeout;
  f->stats = stats;
  f->next_expiry = LTCP_TIME_NEVER;
  if (cap == 0) return 0;
  f->d = calloc(cap, sizeof *f->d);
  return f->d ? 0 : LTCP_ENOMEM;
}

int ltcp_frags6_init(ltcp_frags *f, uint32_t cap, uint64_t mem_max, ltcp_time_ns timeout,
                     ltcp_stats *stats) {
  int rc = ltcp_frags_init(f, cap, mem_max, timeout, stats);
  f->head = LTCP_IPV6_HDR_LEN;
  f->v6 = 1;
  return rc;
}

/* An IPv4 drop reason as the table's family names it. */
static ltcp_drop_reason frag_why(const ltcp_frags *f, ltcp_drop_reason r) {
  if (!f->v6) return r;
  switch (r) {
    case LTCP_DROP_IP_FRAGMENT: return LTCP_DROP_IP6_FRAGMENT;
    case LTCP_DROP_IP_FRAG_DUPLICATE: return LTCP_DROP_IP6_FRAG_DUPLICATE;
    case LTCP_DROP_IP_FRAG_OVERLAP: return LTCP_DROP_IP6_FRAG_OVERLAP;
    case LTCP_DROP_IP_FRAG_RANGES: return LTCP_DROP_IP6_FRAG_RANGES;
    case LTCP_DROP_IP_FRAG_TOO_BIG: return LTCP_DROP_IP6_FRAG_TOO_BIG;
    case LTCP_DROP_IP_FRAG_BAD: return LTCP_DROP_IP6_FRAG_BAD;
    case LTCP_DROP_IP_FRAG_EVICTED: return LTCP_DROP_IP6_FRAG_EVICTED;
    case LTCP_DROP_IP_FRAG_TIMEOUT: return LTCP_DROP_IP6_FRAG_TIMEOUT;
    default: return r;
  }
}

void ltcp_frags_free(ltcp_frags *f) {
  for (uint32_t i = 0; i < f->cap; i++) free(f->d[i].buf);
  free(f->d);
  f->d = NULL;
  f->cap = f->count = 0;
}

static void frag_next_expiry(ltcp_frags *f) {
  f->next_expiry = LTCP_TIME_NEVER;
  for (uint32_t i = 0; i < f->cap && f->count; i++) /* cap is small: 64 by default */
    if (f->d[i].in_use && f->d[i].expires < f->next_expiry) f->next_expiry = f->d[i].expires;
}

void ltcp_frags_done(ltcp_frags *f, ltcp_frag_dgram *d) {
  f->mem -= d->alloc;
  free(d->buf);
  memset(d, 0, sizeof *d);
  f->count--;
  frag_next_expiry(f);
}

/* Whether d is the datagram key names: IPv4 (RFC 791 §3.2) by source, destination, protocol
 * and identification; IPv6 (RFC 8200 §4.5) by source, destination and identification. */
static int frag_same(const ltcp_frags *f, const ltcp_frag_dgram *d, const ltcp_frag_dgram *key) {
  if (f->v6)
    return d->id6 == key->id6 && memcmp(d->hdr6.src, key->hdr6.src, 16) == 0 &&
           memcmp(d->hdr6.dst, key->hdr6.dst, 16) == 0;
  return d->hdr.id == key->hdr.id && d->hdr.src == key->hdr.src && d->hdr.dst == key->hdr.dst &&
         d->hdr.proto == key->hdr.proto;
}

static ltcp_frag_dgram *frag_find(ltcp_frags *f, const ltcp_frag_dgram *key) {
  for (uint32_t i = 0; i < f->cap; i++)
    if (f->d[i].in_use && frag_same(f, &f->d[i], key)) return &f->d[i];
  return NULL;
}

/* The oldest datagram but keep, or NULL. */
static ltcp_frag_dgram *frag_oldest(ltcp_frags *f, const ltcp_frag_dgram *keep) {
  ltcp_frag_dgram *old = NULL;
  for (uint32_t i = 0; i < f->cap; i++)
    if (f->d[i].in_use && &f->d[i] != keep && (!old || f->d[i].order < old->order))
      old = &f->d[i];
  return old;
}

/* Drops the oldest datagram but keep to make room (Linux's inet_frag_evictor); 0, or -1 when
 * there is none. */
static int frag_evict(ltcp_frags *f, const ltcp_frag_dgram *keep) {
  ltcp_frag_dgram *old = frag_oldest(f, keep);
  if (!old) return -1;
  f->stats->drops[frag_why(f, LTCP_DROP_IP_FRAG_EVICTED)]++;
  ltcp_frags_done(f, old);
  return 0;
}

static ltcp_frag_dgram *frag_new(ltcp_frags *f, ltcp_time_ns now, const ltcp_frag_dgram *key) {
  if (f->count == f->cap && frag_evict(f, NULL) != 0) return NULL;
  for (uint32_t i = 0; i < f->cap; i++) {
    ltcp_frag_dgram *d = &f->d[i];
    if (d->in_use) continue;
    d->in_use = 1;
    d->hdr = key->hdr;
    d->hdr6 = key->hdr6;
    d->id6 = key->id6;
    d->expires = now + f->timeout;
    d->order = f->next_order++;
    f->count++;
    if (d->expires < f->next_expiry) f->next_expiry = d->expires;
    return d;
  }
  return NULL;
}

/* Room for payload up to end, within the memory bound (evicting older datagrams). 0 or -1. */
static int frag_room(ltcp_frags *f, ltcp_frag_dgram *d, uint32_t end) {
  end += f->head;
  if (end <= d->alloc) return 0;
  uint32_t want = (end + FRAG_ALLOC_STEP - 1) / FRAG_ALLOC_STEP * FRAG_ALLOC_STEP;
  uint32_t most = f->head + (f->v6 ? LTCP_FRAG6_PAYLOAD_MAX : LTCP_FRAG_PAYLOAD_MAX);
  if (want > most) want = most;
  while (f->mem - d->alloc + want > f->mem_max)
    if (frag_evict(f, d) != 0) return -1;
  uint8_t *b = realloc(d->buf, want);
  if (!b) return -1;
  f->mem += want - d->alloc;
  d->buf = b;
  d->alloc = want;
  return 0;
}

/* Records [s, e) among the datagram's ranges: LTCP_DROP_NONE, IP_FRAG_DUPLICATE (wholly held
 * already: drop the fragment), IP_FRAG_OVERLAP (partly: drop the datagram, RFC 5722) or
 * IP_FRAG_RANGES (too many holes: drop the datagram). */
static ltcp_drop_reason frag_ranges_add(ltcp_frag_dgram *d, uint16_t s, uint16_t e) {
  uint8_t i = 0, n = d->nranges;
  while (i < n && d->r[i].end <= s) i++; /* ranges before i end at or before s */
  if (i < n && d->r[i].start < e) {
    if (s >= d->r[i].start && e <= d->r[i].end) return LTCP_DROP_IP_FRAG_DUPLICATE;
    return LTCP_DROP_IP_FRAG_OVERLAP;
  }
  /* Apart from every range (those from i on start at or after e): touching one or two, merge. */
  int left = i > 0 && d->r[i - 1].end == s, right = i < n && d->r[i].start == e;
  if (left && right) {
    d->r[i - 1].end = d->r[i].end;
    memmove(&d->r[i], &d->r[i + 1], (size_t)(n - i - 1) * sizeof d->r[0]);
    d->nranges--;
  } else if (left) {
    d->r[i - 1].end = e;
  } else if (right) {
    d->r[i].start = s;
  } else {
    if (n == LTCP_FRAG_RANGES) return LTCP_DROP_IP_FRAG_RANGES;
    memmove(&d->r[i + 1], &d->r[i], (size_t)(n - i) * sizeof d->r[0]);
    d->r[i] = (ltcp_frag_range){s, e};
    d->nranges++;
  }
  return LTCP_DROP_NONE;
}

/* A fragment as either family gives it. */
typedef struct frag_piece {
  uint32_t s, e;        /* its payload bytes [s, e) of the datagram's */
  uint32_t max;         /* the datagram's payload may hold this many bytes */
  int last;             /* no more fragments follow (MF / M clear) */
  const uint8_t *data;  /* e - s bytes */
  const uint8_t *hdrs;  /* the headers before data as they came, hdrs_len bytes */
  uint32_t hdrs_len;
} frag_piece;

/* RFC 791 §3.2, RFC 8200 §4.5: the fragment's place, and whether it agrees with what is known
 * of the whole. */
static ltcp_drop_reason frag_check(const ltcp_frag_dgram *d, const frag_piece *p) {
  if (p->e > p->max) return LTCP_DROP_IP_FRAG_TOO_BIG;
  if (!p->last && ((p->e - p->s) % 8 != 0 || p->e == p->s)) return LTCP_DROP_IP_FRAG_BAD;
  if (d && d->has_last && (p->e > d->total || (p->last && p->e != d->total)))
    return LTCP_DROP_IP_FRAG_OVERLAP; /* beyond the end, or a second end */
  if (d && p->last && d->nranges && d->r[d->nranges - 1].end > p->e)
    return LTCP_DROP_IP_FRAG_OVERLAP;
  return LTCP_DROP_NONE;
}

/* Fragment zero's headers, kept for the ICMP error of a timeout (a start of them when long). */
static void frag_keep_first(ltcp_frag_dgram *d, const frag_piece *p) {
  uint32_t n = p->hdrs_len < LTCP_FRAG_HDR_MAX ? p->hdrs_len : LTCP_FRAG_HDR_MAX;
  memcpy(d->first_hdr, p->hdrs, n);
  d->first_hdr_len = (uint8_t)n;
  d->first_hdr_cut = n < p->hdrs_len;
}

/* The common part: the piece p of the datagram key names (a new one when not held). Unless
 * dropped, *dp is the datagram, whole or not; reasons are IPv4's (frag_why names them). */
static ltcp_frag_verdict frag_add(ltcp_frags *f, ltcp_time_ns now, const ltcp_frag_dgram *key,
                                  const frag_piece *p, ltcp_frag_dgram **dp,
                                  ltcp_drop_reason *why) {
  ltcp_frag_dgram *d = f->cap ? frag_find(f, key) : NULL;
  *why = f->cap ? frag_check(d, p) : LTCP_DROP_IP_FRAGMENT;
  if (*why == LTCP_DROP_NONE && !d && !(d = frag_new(f, now, key))) *why = LTCP_DROP_IP_FRAG_EVICTED;
  if (*why == LTCP_DROP_NONE && frag_room(f, d, p->e) != 0) *why = LTCP_DROP_IP_FRAG_EVICTED;
  if (*why == LTCP_DROP_NONE) *why = frag_ranges_add(d, (uint16_t)p->s, (uint16_t)p->e);
  if (*why != LTCP_DROP_NONE) {
    /* A datagram that can no longer be made whole goes at once (RFC 5722 §4). */
    if (d && *why != LTCP_DROP_IP_FRAG_DUPLICATE && *why != LTCP_DROP_IP_FRAG_TOO_BIG &&
        *why != LTCP_DROP_IP_FRAG_BAD)
      ltcp_frags_done(f, d);
    return LTCP_FRAG_DROPPED;
  }
  *dp = d;
  memcpy(ltcp_frag_data(f, d) + p->s, p->data, p->e - p->s);
  if (p->s == 0) frag_keep_first(d, p);
  if (p->last) {
    d->has_last = 1;
    d->total = p->e;
  }
  if (!d->has_last || d->nranges != 1 || d->r[0].start != 0 || d->r[0].end != d->total)
    return LTCP_FRAG_HELD;
  return LTCP_FRAG_WHOLE;
}

ltcp_frag_verdict ltcp_frags_input(ltcp_frags *f, ltcp_time_ns now, const uint8_t *pkt,
                                   const ltcp_ipv4_hdr *h, ltcp_frag_dgram **whole,
                                   ltcp_drop_reason *why) {
  f->stats->frag_in++;
  frag_piece p = {.s = (uint32_t)(h->frag & LTCP_IPV4_OFFSET_MASK) * 8,
                  .max = LTCP_FRAG_PAYLOAD_MAX, .last = !(h->frag & LTCP_IPV4_MF),
                  .data = pkt + h->hdr_len, .hdrs = pkt, .hdrs_len = h->hdr_len};
  p.e = p.s + (uint32_t)(h->total_len - h->hdr_len);
  ltcp_frag_dgram key = {.hdr = *h}, *d = NULL;
  ltcp_frag_verdict v = frag_add(f, now, &key, &p, &d, why);
  if (v != LTCP_FRAG_DROPPED && p.s == 0) d->hdr = *h; /* fragment zero's header (§3.2) */
  if (v != LTCP_FRAG_WHOLE) return v;
  *whole = d;
  d->hdr.hdr_len = LTCP_IPV4_HDR_LEN;
  d->hdr.total_len = (uint16_t)(LTCP_IPV4_HDR_LEN + d->total);
  d->hdr.frag = 0;
  f->stats->frag_reassembled++;
  return v;
}

ltcp_frag_verdict ltcp_frags6_input(ltcp_frags *f, ltcp_time_ns now, const uint8_t *pkt,
                                    const ltcp_ipv6_hdr *h, ltcp_frag_dgram **whole,
                                    ltcp_drop_reason *why) {
  f->stats->frag6_in++;
  const uint8_t *fh = pkt + h->off; /* next header, reserved, offset and M, identification */
  uint16_t fo = ltcp_get16(fh + 2);
  uint32_t unfrag = (uint32_t)h->off - LTCP_IPV6_HDR_LEN; /* extension headers before it */
  frag_piece p = {.s = fo & 0xfff8u, .max = LTCP_FRAG6_PAYLOAD_MAX - unfrag, .last = !(fo & 1),
                  .data = fh + 8, .hdrs = pkt, .hdrs_len = (uint32_t)h->off + 8};
  p.e = p.s + (LTCP_IPV6_HDR_LEN + (uint32_t)h->payload_len - p.hdrs_len);
  ltcp_frag_dgram key = {.hdr6 = *h, .id6 = ltcp_get32(fh + 4)}, *d = NULL;
  ltcp_frag_verdict v = frag_add(f, now, &key, &p, &d, why);
  *why = frag_why(f, *why);
  if (v != LTCP_FRAG_DROPPED && p.s == 0) { /* §4.5: the reassembled packet's headers */
    d->hdr6 = *h;
    d->next6 = fh[0];
  }
  if (v != LTCP_FRAG_WHOLE) return v;
  *whole = d;
  f->stats->frag6_reassembled++;
  return v;
}

ltcp_frag_dgram *ltcp_frags_expired(ltcp_frags *f, ltcp_time_ns now) {
  if (f->next_expiry > now) return NULL;
  for (uint32_t i = 0; i < f->cap; i++) {
    ltcp_frag_dgram *d = &f->d[i];
    if (d->in_use && d->expires <= now) {
      f->stats->drops[frag_why(f, LTCP_DROP_IP_FRAG_TIMEOUT)]++;
      return d;
    }
  }
  return NULL;
}
