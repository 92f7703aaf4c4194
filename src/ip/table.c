/* The connection tables (table.h). */
#include "ip/table.h"

#include <stdlib.h>

#include "util/assert.h"

static uint32_t table_pow2(uint32_t n) {
  uint32_t p = 64;
  while (p < n && p < (1u << 30)) p <<= 1; /* bounded: at most 27 doublings */
  return p;
}

/* The chains a table starts with: 8 KiB of pointers. */
#define TABLE_CHAINS_FIRST 1024u

int ltcp_table_init(ltcp_conn_table *t, uint32_t max, uint32_t max_half_open, uint64_t hash_key,
                    ltcp_ports *ports, ltcp_peers *peers) {
  t->conns_max = table_pow2(max + max_half_open);
  uint32_t nb = t->conns_max < TABLE_CHAINS_FIRST ? t->conns_max : TABLE_CHAINS_FIRST;
  t->chained = 0;
  t->ports = ports;
  t->peers = peers;
  t->max = max;
  t->max_half_open = max_half_open;
  t->count = t->half_open = 0;
  t->hash_key = hash_key;
  t->conns = calloc(nb, sizeof *t->conns);
  t->conns_mask = nb - 1;
  t->used = calloc(nb / 64, sizeof *t->used); /* nb is a power of two, at least 64 */
  t->listeners = calloc(64, sizeof *t->listeners);
  t->listeners_mask = 63;
  t->listeners_used = 0;
  return t->conns && t->used && t->listeners ? 0 : LTCP_ENOMEM;
}

void ltcp_table_free(ltcp_conn_table *t) {
  free(t->conns);
  free(t->used);
  free(t->listeners);
  t->conns = t->listeners = NULL;
  t->used = NULL;
}

static int table_same(const ltcp_ep *a, const ltcp_ep *b) {
  return a->addr == b->addr && a->port == b->port;
}

ltcp_tcb *ltcp_table_lookup(const ltcp_conn_table *t, const ltcp_ep *l,
                            const ltcp_ep *r) {
  /* Bounded by the connection count: a chain holds connections only. */
  ltcp_tcb *c = t->conns[ltcp_table_hash(t, l, r) & t->conns_mask];
  for (uint32_t n = 0; c; c = c->hash_next, n++) {
    LTCP_ASSERT(n < t->count);
    if (table_same(&c->local, l) && table_same(&c->remote, r)) return c;
  }
  return NULL;
}

/* An entry's hold on what it names: its port, and its peer when IPv6. */
static inline void table_hold(ltcp_conn_table *t, uint16_t port, uint32_t remote_addr) {
  ltcp_ports_hold(t->ports, port);
  if (ltcp_ep_is_v6(remote_addr)) ltcp_peers_hold(t->peers, remote_addr);
}

static inline void table_release(ltcp_conn_table *t, uint16_t port, uint32_t remote_addr) {
  ltcp_ports_release(t->ports, port);
  if (ltcp_ep_is_v6(remote_addr)) ltcp_peers_release(t->peers, remote_addr);
}

static int table_full(const ltcp_conn_table *t, int half_open) {
  return half_open ? t->half_open >= t->max_half_open : t->count - t->half_open >= t->max;
}

/* Puts tcb at the head of its chain in conns (mask: the array's). */
static void table_link_in(ltcp_tcb **conns, uint64_t *used, uint32_t mask, ltcp_conn_table *t,
                          ltcp_tcb *tcb) {
  uint32_t i = ltcp_table_hash(t, &tcb->local, &tcb->remote) & mask;
  tcb->hash_next = conns[i];
  conns[i] = tcb;
  used[i / 64] |= 1ull << (i % 64);
}

/* Twice the chains, every TCB moved over: when TCBs outnumber chains, below conns_max. O(TCBs),
 * so O(1) for each insert over a table's life; the array never shrinks, as the pools keep the
 * concurrency reached. When memory runs out the chains stay as they are, only longer. */
static void table_grow(ltcp_conn_table *t) {
  uint32_t nb = (t->conns_mask + 1) * 2;
  ltcp_tcb **conns = calloc(nb, sizeof *conns);
  uint64_t *used = calloc(nb / 64, sizeof *used);
  if (!conns || !used) {
    free(conns);
    free(used);
    return;
  }
  uint32_t words = (t->conns_mask + 1) / 64;
  /* Bounded: each pass moves one TCB of the chained ones. */
  for (uint32_t w = 0, n = 0; w < words; w++) {
    for (uint64_t bits = t->used[w]; bits; bits &= bits - 1) {
      ltcp_tcb *c = t->conns[w * 64 + (uint32_t)__builtin_ctzll(bits)];
      for (; c; n++) {
        LTCP_ASSERT(n < t->chained);
        ltcp_tcb *next = c->hash_next;
        table_link_in(conns, used, nb - 1, t, c);
        c = next;
      }
    }
  }
  free(t->conns);
  free(t->used);
  t->conns = conns;
  t->used = used;
  t->conns_mask = nb - 1;
}

int ltcp_table_insert(ltcp_conn_table *t, ltcp_tcb *tcb, int half_open) {
  if (table_full(t, half_open)) return LTCP_ENOBUFS;
  if (t->chained >= t->conns_mask + 1 && t->conns_mask + 1 < t->conns_max) table_grow(t);
  LTCP_ASSERT(!half_open || tcb->busy);
  if (half_open) {
    tcb->busy->half_open = 1;
    t->half_open++;
  }
  table_link_in(t->conns, t->used, t->conns_mask, t, tcb);
  tcb->in_table = 1;
  t->chained++;
  t->count++;
  table_hold(t, tcb->local.port, tcb->remote.addr);
  return 0;
}

/* The link that points at tcb in a chain that holds it. Bounded by the entries of the table. */
static ltcp_tcb **table_link(ltcp_tcb **pp, const ltcp_tcb *tcb, uint32_t entries) {
  for (uint32_t n = 0; *pp != tcb; n++) {
    LTCP_ASSERT(*pp && n < entries);
    pp = &(*pp)->hash_next;
  }
  return pp;
}

void ltcp_table_remove(ltcp_conn_table *t, ltcp_tcb *tcb) {
  uint32_t i = ltcp_table_hash(t, &tcb->local, &tcb->remote) & t->conns_mask;
  ltcp_tcb **pp = table_link(&t->conns[i], tcb, t->count);
  *pp = tcb->hash_next;
  if (!t->conns[i]) t->used[i / 64] &= ~(1ull << (i % 64));
  tcb->in_table = 0;
  LTCP_ASSERT(t->chained > 0);
  t->chained--;
  t->count--;
  if (tcb->busy && tcb->busy->half_open) {
    LTCP_ASSERT(t->half_open > 0);
    tcb->busy->half_open = 0;
    t->half_open--;
  }
  table_release(t, tcb->local.port, tcb->remote.addr);
}

int ltcp_table_promote(ltcp_conn_table *t, ltcp_tcb *tcb) {
  if (!tcb->busy->half_open) return 0;
  if (table_full(t, 0)) return LTCP_ENOBUFS;
  LTCP_ASSERT(t->half_open > 0);
  tcb->busy->half_open = 0;
  t->half_open--;
  return 0;
}

void ltcp_table_add_record(ltcp_conn_table *t, uint16_t port, uint32_t remote_addr, int half_open) {
  LTCP_ASSERT(!table_full(t, half_open));
  t->count++;
  if (half_open) t->half_open++;
  table_hold(t, port, remote_addr);
}

void ltcp_table_remove_record(ltcp_conn_table *t, uint16_t port, uint32_t remote_addr,
                              int half_open) {
  LTCP_ASSERT(t->count > 0 && (!half_open || t->half_open > 0));
  t->count--;
  if (half_open) t->half_open--;
  table_release(t, port, remote_addr);
}

ltcp_tcb *ltcp_table_listener(const ltcp_conn_table *t, uint16_t port) {
  /* Bounded: a port has at most one listener, and 65536 ports share 64 chains. */
  ltcp_tcb *l = t->listeners[port & t->listeners_mask];
  for (uint32_t n = 0; l; l = l->hash_next, n++) {
    LTCP_ASSERT(n < 65536u / (t->listeners_mask + 1));
    if (l->local.port == port) return l;
  }
  return NULL;
}

void ltcp_table_add_listener(ltcp_conn_table *t, ltcp_tcb *tcb) {
  uint32_t i = tcb->local.port & t->listeners_mask;
  tcb->hash_next = t->listeners[i];
  t->listeners[i] = tcb;
  t->listeners_used |= 1ull << i;
  tcb->is_listener = 1;
  ltcp_ports_hold(t->ports, tcb->local.port);
}

void ltcp_table_remove_listener(ltcp_conn_table *t, ltcp_tcb *tcb) {
  uint32_t i = tcb->local.port & t->listeners_mask;
  ltcp_tcb **pp = table_link(&t->listeners[i], tcb, 65536u / (t->listeners_mask + 1));
  *pp = tcb->hash_next;
  if (!t->listeners[i]) t->listeners_used &= ~(1ull << i);
  tcb->is_listener = 0;
  ltcp_ports_release(t->ports, tcb->local.port);
}

/* Calls fn for each entry of the chain from c, which holds at most bound of them. */
static void table_chain_each(ltcp_tcb *c, uint32_t bound, void (*fn)(void *ctx, ltcp_tcb *tcb),
                             void *ctx) {
  for (uint32_t n = 0; c; n++) {
    LTCP_ASSERT(n < bound);
    ltcp_tcb *next = c->hash_next; /* fn may remove c */
    fn(ctx, c);
    c = next;
  }
}

/* The chains that hold entries only, found by their bits in used (a word per 64 chains). */
static void table_used_each(ltcp_tcb *const *chains, const uint64_t *used, uint32_t words,
                            uint32_t bound, void (*fn)(void *ctx, ltcp_tcb *tcb), void *ctx) {
  for (uint32_t w = 0; w < words; w++)
    for (uint64_t bits = used[w]; bits; bits &= bits - 1)
      table_chain_each(chains[w * 64 + (uint32_t)__builtin_ctzll(bits)], bound, fn, ctx);
}

void ltcp_table_each(const ltcp_conn_table *t, void (*fn)(void *ctx, ltcp_tcb *tcb), void *ctx) {
  /* Bounded: a chain holds at most the counted connections, or a bucket's share of ports. */
  if (t->conns) table_used_each(t->conns, t->used, (t->conns_mask + 1) / 64, t->count, fn, ctx);
  if (t->listeners)
    table_used_each(t->listeners, &t->listeners_used, 1, 65536u / (t->listeners_mask + 1), fn,
                    ctx);
}
