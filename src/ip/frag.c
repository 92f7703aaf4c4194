/* IPv4 reassembly (frag.h). */
#include "ip/frag.h"

#include <stdlib.h>
#include <string.h>

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

static ltcp_frag_dgram *frag_find(ltcp_frags *f, const ltcp_ipv4_hdr *h) {
  for (uint32_t i = 0; i < f->cap; i++) {
    ltcp_frag_dgram *d = &f->d[i];
    if (d->in_use && d->hdr.id == h->id && d->hdr.src == h->src && d->hdr.dst == h->dst &&
        d->hdr.proto == h->proto)
      return d;
  }
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
  f->stats->drops[LTCP_DROP_IP_FRAG_EVICTED]++;
  ltcp_frags_done(f, old);
  return 0;
}

static ltcp_frag_dgram *frag_new(ltcp_frags *f, ltcp_time_ns now, const ltcp_ipv4_hdr *h) {
  if (f->count == f->cap && frag_evict(f, NULL) != 0) return NULL;
  for (uint32_t i = 0; i < f->cap; i++) {
    ltcp_frag_dgram *d = &f->d[i];
    if (d->in_use) continue;
    d->in_use = 1;
    d->hdr = *h;
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
  if (end <= d->alloc) return 0;
  uint32_t want = (end + FRAG_ALLOC_STEP - 1) / FRAG_ALLOC_STEP * FRAG_ALLOC_STEP;
  if (want > LTCP_FRAG_PAYLOAD_MAX) want = LTCP_FRAG_PAYLOAD_MAX;
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

/* RFC 791 §3.2: the fragment's place, and whether it agrees with what is known of the whole. */
static ltcp_drop_reason frag_check(const ltcp_frag_dgram *d, const ltcp_ipv4_hdr *h, uint32_t s,
                                   uint32_t e) {
  int last = !(h->frag & LTCP_IPV4_MF);
  if (e > LTCP_FRAG_PAYLOAD_MAX) return LTCP_DROP_IP_FRAG_TOO_BIG;
  if (!last && ((e - s) % 8 != 0 || e == s)) return LTCP_DROP_IP_FRAG_BAD; /* 8-byte units */
  if (d && d->has_last && (e > d->total || (last && e != d->total)))
    return LTCP_DROP_IP_FRAG_OVERLAP; /* beyond the end, or a second end */
  if (d && last && d->nranges && d->r[d->nranges - 1].end > e) return LTCP_DROP_IP_FRAG_OVERLAP;
  return LTCP_DROP_NONE;
}

ltcp_frag_verdict ltcp_frags_input(ltcp_frags *f, ltcp_time_ns now, const uint8_t *pkt,
                                   const ltcp_ipv4_hdr *h, ltcp_frag_dgram **whole,
                                   ltcp_drop_reason *why) {
  f->stats->frag_in++;
  uint32_t s = (uint32_t)(h->frag & LTCP_IPV4_OFFSET_MASK) * 8;
  uint32_t e = s + (uint32_t)(h->total_len - h->hdr_len);
  ltcp_frag_dgram *d = f->cap ? frag_find(f, h) : NULL;
  *why = f->cap ? frag_check(d, h, s, e) : LTCP_DROP_IP_FRAGMENT;
  if (*why == LTCP_DROP_NONE && !d && !(d = frag_new(f, now, h))) *why = LTCP_DROP_IP_FRAG_EVICTED;
  if (*why == LTCP_DROP_NONE && frag_room(f, d, e) != 0) *why = LTCP_DROP_IP_FRAG_EVICTED;
  if (*why == LTCP_DROP_NONE) *why = frag_ranges_add(d, (uint16_t)s, (uint16_t)e);
  if (*why != LTCP_DROP_NONE) {
    /* A datagram that can no longer be made whole goes at once (RFC 5722 §4). */
    if (d && *why != LTCP_DROP_IP_FRAG_DUPLICATE && *why != LTCP_DROP_IP_FRAG_TOO_BIG &&
        *why != LTCP_DROP_IP_FRAG_BAD)
      ltcp_frags_done(f, d);
    return LTCP_FRAG_DROPPED;
  }
  memcpy(d->buf + s, pkt + h->hdr_len, e - s);
  if (s == 0) {
    memcpy(d->first_hdr, pkt, h->hdr_len);
    d->first_hdr_len = h->hdr_len;
    d->hdr = *h; /* the datagram's header is fragment zero's (RFC 791 §3.2) */
  }
  if (!(h->frag & LTCP_IPV4_MF)) {
    d->has_last = 1;
    d->total = e;
  }
  if (!d->has_last || d->nranges != 1 || d->r[0].start != 0 || d->r[0].end != d->total)
    return LTCP_FRAG_HELD;
  d->hdr.hdr_len = LTCP_IPV4_HDR_LEN;
  d->hdr.total_len = (uint16_t)(LTCP_IPV4_HDR_LEN + d->total);
  d->hdr.frag = 0;
  f->stats->frag_reassembled++;
  *whole = d;
  return LTCP_FRAG_WHOLE;
}

ltcp_frag_dgram *ltcp_frags_expired(ltcp_frags *f, ltcp_time_ns now) {
  if (f->next_expiry > now) return NULL;
  for (uint32_t i = 0; i < f->cap; i++) {
    ltcp_frag_dgram *d = &f->d[i];
    if (d->in_use && d->expires <= now) {
      f->stats->drops[LTCP_DROP_IP_FRAG_TIMEOUT]++;
      return d;
    }
  }
  return NULL;
}
