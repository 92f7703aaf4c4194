/* Every connection of the host, listed for tools (ltcp_stack_connections): the TCBs in the
 * connection and listener tables, then the compact TIME-WAIT and half-open records along
 * their FIFOs. Reads only. */
#include <string.h>

#include "ip/ip.h"
#include "tcp/user.h"
#include "util/assert.h"

typedef void (*ip_conn_fn)(void *ctx, const ltcp_conn_info *ci);

/* A chain of TCBs: bounded by the table's count (a listener chain by the ports it can hold). */
static size_t ip_conns_chain(const ltcp_ip *ip, const ltcp_tcb *c, ip_conn_fn fn, void *ctx) {
  ltcp_conn_info ci;
  size_t n = 0;
  for (; c; c = c->hash_next, n++) {
    LTCP_ASSERT(n <= ip->table.count + 65536u);
    ltcp_user_conn_info(&ip->tcp, c, &ci);
    fn(ctx, &ci);
  }
  return n;
}

static void ip_conns_record(const ltcp_ip *ip, const ltcp_rec_hdr *h, ltcp_state state,
                            uint64_t id, ltcp_time_ns deadline, int timer, ip_conn_fn fn,
                            void *ctx) {
  ltcp_conn_info ci;
  memset(&ci, 0, sizeof ci);
  for (int k = 0; k < LTCP_TIMER_COUNT; k++) ci.timer_at[k] = LTCP_TIME_NEVER;
  ci.delack_at = LTCP_TIME_NEVER;
  ci.tcp.state = state;
  /* A record keeps the peer's address (an IPv6 one as its handle) and ports; ours is the
   * stack's own of the peer's family. */
  uint32_t local = ltcp_ep_is_v6(h->remote_addr) ? LTCP_EP_V6_LOCAL : ip->cfg.addr;
  ltcp_engine_endpoint(&ip->tcp, local, h->local_port, &ci.tcp.local);
  ltcp_engine_endpoint(&ip->tcp, h->remote_addr, h->remote_port, &ci.tcp.remote);
  ci.tcp.conn_id = id;
  ci.timer_at[timer] = deadline;
  ci.fd = -1;
  ci.compact = 1;
  fn(ctx, &ci);
}

/* The records of a FIFO, oldest first: bounded by the records in use. */
static size_t ip_conns_tw(const ltcp_ip *ip, ip_conn_fn fn, void *ctx) {
  const ltcp_recs *r = &ip->tw.recs;
  size_t n = 0;
  for (uint32_t idx = ip->tw.fifo.head; idx; n++) {
    LTCP_ASSERT(n < r->count);
    const ltcp_tw_rec *rec = ltcp_recs_at(r, idx);
    ip_conns_record(ip, &rec->link, LTCP_TIME_WAIT, rec->id, rec->expiry, LTCP_TIMER_TIME_WAIT,
                    fn, ctx);
    idx = rec->link.next;
  }
  return n;
}

static size_t ip_conns_syn(const ltcp_ip *ip, ip_conn_fn fn, void *ctx) {
  const ltcp_recs *r = &ip->syn.recs;
  size_t n = 0;
  for (int level = 0; level < LTCP_SYN_LEVELS; level++)
    for (uint32_t idx = ip->syn.fifo[level].head; idx; n++) {
      LTCP_ASSERT(n < r->count);
      const ltcp_syn_rec *rec = ltcp_recs_at(r, idx);
      ip_conns_record(ip, &rec->link, LTCP_SYN_RECEIVED, rec->id, rec->deadline,
                      LTCP_TIMER_RETRANSMIT, fn, ctx);
      idx = rec->link.next;
    }
  return n;
}

size_t ltcp_ip_connections(const ltcp_ip *ip, ip_conn_fn fn, void *ctx) {
  const ltcp_conn_table *t = &ip->table;
  size_t n = 0;
  for (uint32_t b = 0; t->conns && b <= t->conns_mask; b++) n += ip_conns_chain(ip, t->conns[b], fn, ctx);
  for (uint32_t b = 0; t->listeners && b <= t->listeners_mask; b++)
    n += ip_conns_chain(ip, t->listeners[b], fn, ctx);
  return n + ip_conns_tw(ip, fn, ctx) + ip_conns_syn(ip, fn, ctx);
}
