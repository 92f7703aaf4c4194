/* IPv4 reassembly (RFC 791 §3.2, RFC 815): fragments are held by datagram (source, destination,
 * protocol, identification) until the datagram is whole, then handed on as one payload.
 * Everything is bounded at init: at most cfg.frag_max_datagrams datagrams at once, cfg.frag_mem
 * bytes of payload in all, LTCP_FRAG_RANGES received ranges per datagram, 65,515 bytes per
 * datagram (a larger one, the "ping of death", is dropped). A datagram not whole within
 * cfg.frag_timeout_ns is dropped (Linux's ipfrag_time, 30 s; RFC 791 suggests 15 s, RFC 1122
 * 3.3.2 leaves it to us). A fragment that partly overlaps one already held drops the whole
 * datagram, RFC 5722's rule for IPv6, which Linux applies to IPv4 too (FragmentSmack,
 * CVE-2018-5391); one wholly inside what is held is a duplicate and dropped alone. When memory
 * or datagrams run out, the oldest datagram is dropped for the new one (Linux's
 * inet_frag_evictor). Every drop is counted by reason. Owns the datagrams and their buffers.
 * Private to src/ip/. */
#ifndef LTCP_IP_FRAG_H
#define LTCP_IP_FRAG_H

#include <stddef.h>
#include <stdint.h>

#include "lucidtcp/common.h"
#include "lucidtcp/stats.h"
#include "lucidtcp/wire/ipv4.h"

#define LTCP_FRAG_RANGES 16          /* received ranges held apart per datagram */
#define LTCP_FRAG_PAYLOAD_MAX 65515u /* 65535 - a 20-byte header */

typedef struct ltcp_frag_range {
  uint16_t start, end; /* payload bytes, end exclusive */
} ltcp_frag_range;

typedef struct ltcp_frag_dgram {
  ltcp_ipv4_hdr hdr;     /* a fragment's header: src, dst, proto, id, ttl, tos */
  uint8_t *buf;          /* the payload so far, alloc bytes */
  uint32_t alloc;
  uint32_t total;        /* payload length, once the last fragment came (has_last) */
  ltcp_time_ns expires;
  uint64_t order;        /* creation order: the oldest is evicted first */
  uint8_t in_use, has_last, nranges;
  uint8_t first_hdr[60]; /* fragment zero's header, for the ICMP error of a timeout */
  uint8_t first_hdr_len; /* 0 until fragment zero came */
  ltcp_frag_range r[LTCP_FRAG_RANGES]; /* sorted, apart */
} ltcp_frag_dgram;

typedef struct ltcp_frags {
  ltcp_frag_dgram *d;     /* cap datagrams */
  uint32_t cap, count;
  uint64_t mem, mem_max;  /* payload bytes allocated, and the bound */
  uint64_t next_order;
  ltcp_time_ns timeout;
  ltcp_time_ns next_expiry; /* the earliest expiry of a datagram held (LTCP_TIME_NEVER: none) */
  ltcp_stats *stats;
} ltcp_frags;

/* What ltcp_frags_input did with a fragment. */
typedef enum ltcp_frag_verdict {
  LTCP_FRAG_HELD = 0, /* kept, the datagram is not whole yet */
  LTCP_FRAG_WHOLE,    /* the datagram is whole: *whole is it (until ltcp_frags_done) */
  LTCP_FRAG_DROPPED,  /* dropped, *why says why */
} ltcp_frag_verdict;

/* cap datagrams, mem_max bytes, timeout; stats receives the counters. 0 or LTCP_ENOMEM. */
int ltcp_frags_init(ltcp_frags *f, uint32_t cap, uint64_t mem_max, ltcp_time_ns timeout,
                    ltcp_stats *stats);
void ltcp_frags_free(ltcp_frags *f);
/* A fragment with header h (ltcp_ipv4_parse said LTCP_DROP_IP_FRAGMENT) and raw header bytes
 * pkt[0..h->hdr_len), payload pkt[h->hdr_len..h->total_len), arriving at now. With
 * LTCP_FRAG_WHOLE, *whole is the datagram: its header (hdr_len 20, total_len the whole) and
 * payload in whole->buf[0..whole->total); the caller hands it on, then calls ltcp_frags_done. */
ltcp_frag_verdict ltcp_frags_input(ltcp_frags *f, ltcp_time_ns now, const uint8_t *pkt,
                                   const ltcp_ipv4_hdr *h, ltcp_frag_dgram **whole,
                                   ltcp_drop_reason *why);
void ltcp_frags_done(ltcp_frags *f, ltcp_frag_dgram *d);
/* The datagram due to expire at or before now, taken out of the table (the caller may answer it,
 * then calls ltcp_frags_done), or NULL. */
ltcp_frag_dgram *ltcp_frags_expired(ltcp_frags *f, ltcp_time_ns now);

#endif
