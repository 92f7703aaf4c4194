/* The stack's tables: connections by 4-tuple, listeners by port, port use, and the timer heap.
 * Lookups are O(1) on average, timer changes O(log n); nothing scans every connection. */
#include <stdlib.h>

#include "ip/stack_int.h"
#include "util/assert.h"

static uint32_t table_pow2(uint32_t n) {
  uint32_t p = 16;
  while (p < n && p < (1u << 30)) p <<= 1;
  return p;
}

int ltcp_table_init(ltcp_stack *st) {
  uint32_t nb = table_pow2(st->cfg.max_connections);
  st->conns = calloc(nb, sizeof *st->conns);
  st->conns_mask = nb - 1;
  st->listeners = calloc(64, sizeof *st->listeners);
  st->listeners_mask = 63;
  st->port_refs = calloc(65536, sizeof *st->port_refs);
  st->heap_cap = st->cfg.max_connections + st->cfg.max_sockets;
  st->heap = calloc(st->heap_cap, sizeof *st->heap);
  if (!st->conns || !st->listeners || !st->port_refs || !st->heap) return LTCP_ENOMEM;
  return ltcp_tw_init(st) || ltcp_syn_init(st) ? LTCP_ENOMEM : 0;
}

void ltcp_table_free(ltcp_stack *st) {
  ltcp_tw_free(st);
  ltcp_syn_free(st);
  free(st->conns);
  free(st->listeners);
  free(st->port_refs);
  free(st->heap);
}

uint32_t ltcp_table_hash(const ltcp_stack *st, const ltcp_endpoint *l, const ltcp_endpoint *r) {
  uint64_t x = ((uint64_t)r->addr << 32 | (uint64_t)r->port << 16 | l->port) ^ st->hash_key;
  x ^= (uint64_t)l->addr * 0x9e3779b97f4a7c15ull;
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  x ^= x >> 33;
  return (uint32_t)x;
}

static int table_same(const ltcp_endpoint *a, const ltcp_endpoint *b) {
  return a->addr == b->addr && a->port == b->port;
}

ltcp_tcb *ltcp_table_lookup(ltcp_stack *st, const ltcp_endpoint *l, const ltcp_endpoint *r) {
  ltcp_tcb *t = st->conns[ltcp_table_hash(st, l, r) & st->conns_mask];
  for (; t; t = t->hash_next)
    if (table_same(&t->local, l) && table_same(&t->remote, r)) return t;
  return NULL;
}

int ltcp_table_insert(ltcp_stack *st, ltcp_tcb *tcb) {
  if (st->conn_count >= st->cfg.max_connections) return LTCP_ENOBUFS;
  ltcp_tcb **b = &st->conns[ltcp_table_hash(st, &tcb->local, &tcb->remote) & st->conns_mask];
  tcb->hash_next = *b;
  *b = tcb;
  tcb->in_table = 1;
  st->conn_count++;
  ltcp_port_ref(st, tcb->local.port);
  return 0;
}

void ltcp_table_remove(ltcp_stack *st, ltcp_tcb *tcb) {
  ltcp_tcb **pp = &st->conns[ltcp_table_hash(st, &tcb->local, &tcb->remote) & st->conns_mask];
  while (*pp && *pp != tcb) pp = &(*pp)->hash_next;
  LTCP_ASSERT(*pp == tcb);
  *pp = tcb->hash_next;
  tcb->in_table = 0;
  st->conn_count--;
  ltcp_port_unref(st, tcb->local.port);
}

ltcp_tcb *ltcp_table_listener(ltcp_stack *st, uint16_t port) {
  for (ltcp_tcb *t = st->listeners[port & st->listeners_mask]; t; t = t->hash_next)
    if (t->local.port == port) return t;
  return NULL;
}

void ltcp_table_add_listener(ltcp_stack *st, ltcp_tcb *tcb) {
  ltcp_tcb **b = &st->listeners[tcb->local.port & st->listeners_mask];
  tcb->hash_next = *b;
  *b = tcb;
  tcb->is_listener = 1;
  ltcp_port_ref(st, tcb->local.port);
}

void ltcp_table_remove_listener(ltcp_stack *st, ltcp_tcb *tcb) {
  ltcp_tcb **pp = &st->listeners[tcb->local.port & st->listeners_mask];
  while (*pp && *pp != tcb) pp = &(*pp)->hash_next;
  LTCP_ASSERT(*pp == tcb);
  *pp = tcb->hash_next;
  tcb->is_listener = 0;
  ltcp_port_unref(st, tcb->local.port);
}

/* ---- records */

void ltcp_table_rec_tuple(const ltcp_stack *st, const ltcp_rec_hdr *h, ltcp_endpoint *local,
                          ltcp_endpoint *remote) {
  *local = (ltcp_endpoint){st->cfg.addr, h->local_port};
  *remote = (ltcp_endpoint){h->remote_addr, h->remote_port};
}

static uint32_t table_rec_hash(const ltcp_stack *st, const ltcp_rec_hdr *h) {
  ltcp_endpoint l, r;
  ltcp_table_rec_tuple(st, h, &l, &r);
  return ltcp_table_hash(st, &l, &r);
}

uint32_t ltcp_table_rec_find(const ltcp_stack *st, const ltcp_recs *r, const ltcp_endpoint *l,
                             const ltcp_endpoint *rem) {
  if (r->count == 0 || l->addr != st->cfg.addr) return 0;
  uint32_t idx = ltcp_recs_first(r, ltcp_table_hash(st, l, rem));
  for (uint32_t n = 0; idx && n <= r->count; n++) {
    const ltcp_rec_hdr *h = ltcp_recs_hdr(r, idx);
    if (h->remote_addr == rem->addr && h->remote_port == rem->port && h->local_port == l->port)
      return idx;
    idx = h->hash_next;
  }
  return 0;
}

void ltcp_table_rec_insert(ltcp_stack *st, ltcp_recs *r, uint32_t idx, const ltcp_tcb *tcb) {
  ltcp_rec_hdr *h = ltcp_recs_hdr(r, idx);
  h->remote_addr = tcb->remote.addr;
  h->remote_port = tcb->remote.port;
  h->local_port = tcb->local.port;
  ltcp_recs_hash_insert(r, idx, table_rec_hash(st, h));
  ltcp_port_ref(st, h->local_port);
  st->conn_count++;
}

void ltcp_table_rec_remove(ltcp_stack *st, ltcp_recs *r, uint32_t idx) {
  ltcp_rec_hdr *h = ltcp_recs_hdr(r, idx);
  ltcp_recs_hash_remove(r, idx, table_rec_hash(st, h));
  ltcp_port_unref(st, h->local_port);
  st->conn_count--;
}

void ltcp_port_ref(ltcp_stack *st, uint16_t port) { st->port_refs[port]++; }

void ltcp_port_unref(ltcp_stack *st, uint16_t port) {
  LTCP_ASSERT(st->port_refs[port] > 0);
  st->port_refs[port]--;
}

/* ---- the timer heap: a binary min-heap on tcb->deadline, each TCB knowing its index. */

static void heap_swap(ltcp_stack *st, uint32_t i, uint32_t j) {
  ltcp_tcb *t = st->heap[i];
  st->heap[i] = st->heap[j];
  st->heap[j] = t;
  st->heap[i]->heap_idx = (int32_t)i;
  st->heap[j]->heap_idx = (int32_t)j;
}

static int heap_before(const ltcp_stack *st, uint32_t i, uint32_t j) {
  const ltcp_tcb *a = st->heap[i], *b = st->heap[j];
  return a->deadline < b->deadline || (a->deadline == b->deadline && a->id < b->id);
}

static void heap_up(ltcp_stack *st, uint32_t i) {
  while (i > 0 && heap_before(st, i, (i - 1) / 2)) {
    heap_swap(st, i, (i - 1) / 2);
    i = (i - 1) / 2;
  }
}

static void heap_down(ltcp_stack *st, uint32_t i) {
  for (;;) {
    uint32_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < st->heap_len && heap_before(st, l, m)) m = l;
    if (r < st->heap_len && heap_before(st, r, m)) m = r;
    if (m == i) return;
    heap_swap(st, i, m);
    i = m;
  }
}

static void heap_remove(ltcp_stack *st, ltcp_tcb *tcb) {
  uint32_t i = (uint32_t)tcb->heap_idx, last = st->heap_len - 1;
  if (i != last) heap_swap(st, i, last);
  st->heap_len--;
  tcb->heap_idx = -1;
  if (i < st->heap_len) {
    heap_up(st, i);
    heap_down(st, i);
  }
}

void ltcp_timer_update(ltcp_stack *st, ltcp_tcb *tcb) {
  if (tcb->view) return; /* a TIME-WAIT record's expiry lives in its FIFO (tcp/timewait.c) */
  ltcp_time_ns d = tcb->ka_at;
  const ltcp_tcb_busy *b = tcb->busy; /* asleep: keep-alive's is the only timer */
  if (b) {
    if (b->rtx_at < d) d = b->rtx_at;
    if (b->tw_at < d) d = b->tw_at;
    if (b->ut_at < d) d = b->ut_at;
    if (b->fw2_at < d) d = b->fw2_at;
    if (b->dack_at < d) d = b->dack_at;
  }
  if (d == tcb->deadline && (tcb->heap_idx >= 0) == (d != LTCP_TIME_NEVER)) return; /* in place */
  tcb->deadline = d;
  if (d == LTCP_TIME_NEVER) {
    if (tcb->heap_idx >= 0) heap_remove(st, tcb);
    return;
  }
  if (tcb->heap_idx < 0) {
    LTCP_ASSERT(st->heap_len < st->heap_cap);
    tcb->heap_idx = (int32_t)st->heap_len;
    st->heap[st->heap_len++] = tcb;
  }
  heap_up(st, (uint32_t)tcb->heap_idx);
  heap_down(st, (uint32_t)tcb->heap_idx);
}

ltcp_tcb *ltcp_timer_peek(const ltcp_stack *st) { return st->heap_len ? st->heap[0] : NULL; }
