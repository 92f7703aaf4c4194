/* IPv4 reassembly (RFC 791 §3.2, RFC 815) and IPv6 reassembly (RFC 8200 §4.5), one core for
 * both, one table per family: fragments are held by datagram (IPv4: source, destination,
 * protocol, identification; IPv6: source, destination, identification) until the datagram is
 * whole, then handed on as one payload. Each family's table has its own bounds (as Linux has
 * ipfrag_* and ip6frag_* apart), so a flood of one family evicts none of the other.
 * Everything is bounded at init: at most cfg.frag_max_datagrams datagrams at once, cfg.frag_mem
 * bytes of payload in all, LTCP_FRAG_RANGES received ranges per datagram, 65,515 bytes per
 * IPv4 datagram (a larger one, the "ping of death", is dropped), an IPv6 packet's payload
 * length at most 65,535 (RFC 8200 §4.5). A datagram not whole within the table's timeout is
 * dropped (cfg.frag_timeout_ns: Linux's ipfrag_time, 30 s; RFC 791 suggests 15 s, RFC 1122
 * 3.3.2 leaves it to us; cfg.frag6_timeout_ns: RFC 8200 §4.5's 60 s). A fragment that partly
 * overlaps one already held drops the whole
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
#include "lucidtcp/wire/ipv6.h"

#define LTCP_FRAG_RANGES 16          /* received ranges held apart per datagram */
#define LTCP_FRAG_PAYLOAD_MAX 65515u /* 65535 - a 20-byte header */
#define LTCP_FRAG6_PAYLOAD_MAX 65535u /* RFC 8200 §4.5: the reassembled payload length */
#define LTCP_FRAG_HDR_MAX 128u       /* headers of fragment zero kept for a timeout's error */

typedef struct ltcp_frag_range {
  uint16_t start, end; /* payload bytes, end exclusive */
} ltcp_frag_range;

typedef struct ltcp_frag_dgram {
  ltcp_ipv4_hdr hdr;     /* IPv4: a fragment's header: src, dst, proto, id, ttl, tos */
  ltcp_ipv6_hdr hdr6;    /* IPv6: a fragment's fixed header (fragment zero's once it came) */
  uint32_t id6;          /* IPv6: the Fragment header's identification */
  uint8_t next6;         /* IPv6: fragment zero's Fragment header's next header */
  uint8_t *buf;          /* the table's head bytes of room, then the payload so far; alloc
                          * bytes in all (ltcp_frag_data) */
  uint32_t alloc;
  uint32_t total;        /* payload length, once the last fragment came (has_last) */
  ltcp_time_ns expires;
  uint64_t order;        /* creation order: the oldest is evicted first */
  uint8_t in_use, has_last, nranges;
  uint8_t first_hdr[LTCP_FRAG_HDR_MAX]; /* fragment zero's headers as they came (IPv6: through
                          * its Fragment header), for the ICMP error of a timeout */
  uint8_t first_hdr_len; /* 0 until fragment zero came */
  uint8_t first_hdr_cut; /* 1: its headers were longer, first_hdr holds their start only */
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
  uint32_t head;          /* bytes of room before each payload: IPv6's fixed header */
  uint8_t v6;             /* 1: an IPv6 table (its drop reasons and counters) */
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
/* The same for IPv6: its drop reasons (IP6_FRAG_*) and counters (frag6_*), and 40 bytes of
 * room before each payload for the reassembled packet's fixed header. */
int ltcp_frags6_init(ltcp_frags *f, uint32_t cap, uint64_t mem_max, ltcp_time_ns timeout,
                     ltcp_stats *stats);
void ltcp_frags_free(ltcp_frags *f);
/* A fragment with header h (ltcp_ipv4_parse said LTCP_DROP_IP_FRAGMENT) and raw header bytes
 * pkt[0..h->hdr_len), payload pkt[h->hdr_len..h->total_len), arriving at now. With
 * LTCP_FRAG_WHOLE, *whole is the datagram: its header (hdr_len 20, total_len the whole) and
 * payload in whole->buf[0..whole->total); the caller hands it on, then calls ltcp_frags_done. */
ltcp_frag_verdict ltcp_frags_input(ltcp_frags *f, ltcp_time_ns now, const uint8_t *pkt,
                                   const ltcp_ipv4_hdr *h, ltcp_frag_dgram **whole,
                                   ltcp_drop_reason *why);
/* An IPv6 fragment (RFC 8200 §4.5): h from ltcp_ipv6_parse, which said LTCP_DROP_IP6_FRAGMENT
 * with h->off at the Fragment header, in the packet pkt. Keyed by (src, dst, identification);
 * the fragmentable part (what follows the Fragment header) is what is put together. Drops
 * IP6_FRAG_BAD (a fragment with M set whose length is not a multiple of 8, or empty) and
 * IP6_FRAG_TOO_BIG (the reassembled payload length would pass 65,535) leave the datagram held;
 * the caller answers them as §4.5 says. With LTCP_FRAG_WHOLE, *whole holds fragment zero's
 * fixed header (hdr6) and Fragment header's next header (next6), and the fragmentable part in
 * ltcp_frag_data(f, whole)[0..whole->total), after f->head bytes of room; then
 * ltcp_frags_done. */
ltcp_frag_verdict ltcp_frags6_input(ltcp_frags *f, ltcp_time_ns now, const uint8_t *pkt,
                                    const ltcp_ipv6_hdr *h, ltcp_frag_dgram **whole,
                                    ltcp_drop_reason *why);
void ltcp_frags_done(ltcp_frags *f, ltcp_frag_dgram *d);
/* The payload held of d. */
static inline uint8_t *ltcp_frag_data(const ltcp_frags *f, const ltcp_frag_dgram *d) {
  return d->buf + f->head;
}
/* The datagram due to expire at or before now, taken out of the table (the caller may answer it,
 * then calls ltcp_frags_done), or NULL. */
ltcp_frag_dgram *ltcp_frags_expired(ltcp_frags *f, ltcp_time_ns now);

#endif
