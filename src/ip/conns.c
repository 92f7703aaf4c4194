/* Every connection of the host, listed for tools (ltcp_stack_connections): the TCBs in the
 * connection and listener tables, then the compact TIME-WAIT and half-open records along
 * their FIFOs. Reads only. */
#include <string.h>

#include "ip/ip.h"
#include "tcp/user.h"
#include "util/assert.h"

typedef void (*ip_conn_fn)(void *ctx, const ltcp_conn_info *ci);

typedef struct ip_conns_ctx {
  const ltcp_ip *ip;
  ip_conn_fn fn;
  void *ctx;
  size_t n;
} ip_conns_ctx;

/* One TCB of the tables (ltcp_table_each visits the chains that hold entries). */
static void ip_conns_tcb(void *arg, ltcp_tcb *tcb) {
  ip_conns_ctx *c = arg;
  ltcp_conn_info ci;
  ltcp_user_conn_info(&c->ip->tcp, tcb, &ci);
  c->fn(c->ctx, &ci);
  c->n++;
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
  ip_conns_ctx c = {ip, fn, ctx, 0};
  ltcp_table_each(&ip->table, ip_conns_tcb, &c);
  return c.n + ip_conns_tw(ip, fn, ctx) + ip_conns_syn(ip, fn, ctx);
}
