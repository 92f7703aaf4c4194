/* The engine: what every connection of one stack shares (RFC 9293's TCP module, less the IP
 * layer). It owns the configuration copy, the clock the host last gave it, the event queue,
 * and through its modules the TCB and busy-part pools (tcb.h, busy.h), the ISN secret (isn.h),
 * the list of connections waiting to send (output.h) and the buffer memory budget (mem.h).
 *
 * The engine is driven by a host, the IP layer (ip/ip.h), which finds the connection a
 * segment belongs to, owns the tables, the timer heap and the output queue, and registers the
 * small interface below. The engine never includes a header of the IP or socket layer and
 * never calls them but through that interface; everything it has to tell goes through it or
 * through the event queue. */
#ifndef LTCP_TCP_ENGINE_H
#define LTCP_TCP_ENGINE_H

#include <stdint.h>

#include "lucidtcp/common.h"
#include "lucidtcp/config.h"
#include "lucidtcp/wire/bytes.h"
#include "lucidtcp/event.h"
#include "lucidtcp/stats.h"
#include "lucidtcp/wire/tcp.h"
#include "tcp/busy.h"
#include "tcp/events.h"
#include "tcp/isn.h"
#include "tcp/life.h"
#include "tcp/mem.h"
#include "tcp/zc.h"
#include "tcp/output.h"
#include "tcp/syncookie.h"
#include "tcp/tcb.h"

/* What the engine needs from its host. Each call is made from inside an engine call, never
 * re-entering the engine. */
typedef struct ltcp_engine_host {
  void *ctx;
  /* Room for one outgoing segment to dst_addr (an IPv6 handle: an IPv6 header goes before it):
   * where its TCP header goes and how many bytes of header and payload fit (*room), or NULL
   * when the output queue is full. new_data: the segment carries new data (or a FIN, or data
   * sent again after a timeout), which the host may hold back earlier than a control segment;
   * the engine then waits (output.h) and is resumed. */
  uint8_t *(*tx_slot)(void *ctx, uint32_t dst_addr, uint32_t *room, int new_data);
  /* The segment seg, tcp_len bytes with its checksum, is written at tcp, the place tx_slot
   * gave: put the IP header before it and queue it. seg_size: 0 for one segment, else the
   * payload size the link cuts it into (TCP segmentation offload). */
  void (*tx_commit)(void *ctx, uint8_t *tcp, const ltcp_seg *seg, uint32_t tcp_len,
                    uint32_t seg_size);
  /* tcb->deadline changed (LTCP_TIME_NEVER: no timer runs). Never called for a view. */
  void (*deadline_moved)(void *ctx, ltcp_tcb *tcb);
  /* The listener for seg's destination port, or NULL. */
  ltcp_tcb *(*listener)(void *ctx, const ltcp_seg *seg);
  /* A new passive child (endpoints set) enters the connection table: 0, or LTCP_ENOBUFS
   * when the table is full. half_open: a child in SYN-RECEIVED, counted against the host's
   * half-open limit instead of the table's (RFC 4987); 0: a connection made from a SYN
   * cookie, already synchronized. */
  int (*attach)(void *ctx, ltcp_tcb *tcb, int half_open);
  /* Whether the host holds as many half-open connections as it allows. */
  int (*half_open_full)(void *ctx);
  /* A passive child leaves SYN-RECEIVED for a synchronized state: from the half-open count to
   * the table's. 0, or LTCP_ENOBUFS when the table is full (it stays half-open). */
  int (*promote)(void *ctx, ltcp_tcb *tcb);
  /* Room for a SYN under pressure (early drop): the oldest half-open record, of lst's port when
   * own_port, as a TCB again for the engine to close; NULL when there is none at hand. */
  ltcp_tcb *(*half_open_evict)(void *ctx, const ltcp_tcb *lst, int own_port);
  /* The listener lst is closing: every compact record of its children becomes a TCB again
   * (ltcp_listen_readopt), so that each closes with it. */
  void (*expand_children)(void *ctx, ltcp_tcb *lst);
  /* The connection is deleted: out of the host's tables; the socket holding it (if any)
   * learns error (0 for an orderly end) and may take its unread data (ltcp_tcb_take_unread).
   * The TCB is freed when the host's call ends (ltcp_engine_reap). */
  void (*detach)(void *ctx, ltcp_tcb *tcb, int error);
  /* The IPv6 address (16 bytes) of a handle (tcp/tcb.h, ltcp_ep_is_v6), for what must see the
   * real address: the ISN, SYN cookies, events. NULL when the host has no IPv6. */
  const uint8_t *(*addr6)(void *ctx, uint32_t handle);
} ltcp_engine_host;

typedef struct ltcp_engine {
  ltcp_stack_config cfg;   /* a copy, fixed at init */
  ltcp_time_ns now;        /* the host's clock at its last call */
  ltcp_stats *stats;       /* the host's counters; the engine adds to its own */
  ltcp_engine_host host;
  ltcp_event *events;      /* a ring of cfg.event_capacity; NULL when 0 */
  uint32_t ev_head, ev_count;
  ltcp_life life;      /* tcb.h */
  ltcp_busy_lists busy;    /* busy.h */
  ltcp_isn_key isn;        /* isn.h */
  ltcp_syncookie_key cookie; /* syncookie.h */
  ltcp_output_wait_list txw; /* output.h */
  ltcp_mem mem;            /* buffer memory: the budget, the out-of-order blocks (mem.h) */
  ltcp_zc_pool zc;         /* references to lent buffers (zc.h) */
} ltcp_engine;

/* Takes cfg (copied), the host's counters, the host interface and the 16-byte ISN secret.
 * Returns 0 or LTCP_ENOMEM. */
int ltcp_engine_init(ltcp_engine *eng, const ltcp_stack_config *cfg, ltcp_stats *stats,
                     const ltcp_engine_host *host, const uint8_t isn_key[16]);
/* Frees the event queue, the graveyard and the pools. The host frees its live TCBs first
 * (ltcp_life_free). */
void ltcp_engine_free(ltcp_engine *eng);
/* Returns the pooled TCBs, busy parts and first ring allocations to the allocator
 * (ltcp_stack_trim). */
void ltcp_engine_trim(ltcp_engine *eng);
/* The host's clock moves to now (never backwards). */
static inline void ltcp_engine_clock(ltcp_engine *eng, ltcp_time_ns now) {
  if (now > eng->now) eng->now = now;
}
/* Ends a host call: idle TCBs give back their busy parts (busy.h), deleted TCBs are freed. The
 * events and drops a call produced are in the queue (events.h). */
void ltcp_engine_reap(ltcp_engine *eng);

/* Connections (TCBs) in a state; compact records are counted by their stores. */
static inline uint32_t ltcp_engine_count_state(const ltcp_engine *eng, ltcp_state s) {
  return eng->life.state_count[s];
}

/* The MSS a connection to remote_addr announces, mss at most: IPv6 headers take 20 bytes more
 * (RFC 8200 §3; from an MTU of 1280 or more, 1220 or more). */
static inline uint16_t ltcp_engine_mss(const ltcp_engine *eng, uint16_t mss, uint32_t remote_addr) {
  uint16_t v6 = (uint16_t)(eng->cfg.mtu - 60);
  return ltcp_ep_is_v6(remote_addr) && mss > v6 ? v6 : mss;
}

/* One end of a 4-tuple as keyed hashes read it (RFC 6528's ISN, SYN cookies): its address (16
 * bytes for an IPv6 handle: the real address) and port, at p (18 bytes of room). Returns the
 * bytes written: 6 (IPv4) or 18. */
size_t ltcp_engine_put_end6(const ltcp_engine *eng, uint8_t *p, uint32_t addr, uint16_t port);
static inline size_t ltcp_engine_put_end(const ltcp_engine *eng, uint8_t *p, uint32_t addr,
                                         uint16_t port) {
  if (__builtin_expect(ltcp_ep_is_v6(addr) && eng->host.addr6 != NULL, 0))
    return ltcp_engine_put_end6(eng, p, addr, port);
  ltcp_put32(p, addr);
  ltcp_put16(p + 4, port);
  return 6;
}

/* The public form of an endpoint the engine holds (an IPv6 handle made the address). */
void ltcp_engine_endpoint(const ltcp_engine *eng, uint32_t addr, uint16_t port, ltcp_endpoint *out);

#endif
