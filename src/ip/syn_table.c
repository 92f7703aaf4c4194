/* Compact half-open records, the IP layer's side (syn_table.h). */
#include "ip/syn_table.h"

#include "tcp/life.h"
#include "tcp/listen.h"
#include "util/assert.h"

_Static_assert(sizeof(ltcp_syn_rec) == 64, "a half-open record is 64 bytes");

static ltcp_syn_rec *syn_at(const ltcp_syn_table *t, uint32_t idx) {
  return (ltcp_syn_rec *)ltcp_recs_at(&t->recs, idx);
}

int ltcp_syn_table_init(ltcp_syn_table *t, const ltcp_rec_home *home) {
  t->home = *home;
  t->levels_used = 0;
  return ltcp_recs_init(&t->recs, sizeof(ltcp_syn_rec), home->max, home->table->conns_max);
}

void ltcp_syn_table_free(ltcp_syn_table *t) { ltcp_recs_free(&t->recs); }

int ltcp_syn_table_exists(const ltcp_syn_table *t, const ltcp_ep *local,
                          const ltcp_ep *remote) {
  return ltcp_rec_table_find(&t->home, &t->recs, local, remote) != 0;
}

/* The table's own conditions: a TCB of the connection table with the stack's address, whose
 * deadline keeps its FIFO sorted. */
static int syn_may_hold(const ltcp_syn_table *t, const ltcp_tcb *tcb) {
  if (!tcb->in_table || tcb->local.addr != ltcp_rec_local_addr(&t->home, tcb->remote.addr)) return 0;
  const ltcp_rec_fifo *f = &t->fifo[ltcp_syn_retries(tcb)];
  return !f->tail || syn_at(t, f->tail)->deadline <= ltcp_syn_deadline(tcb);
}

int ltcp_syn_table_compact(ltcp_syn_table *t, ltcp_tcb *tcb) {
  if (!ltcp_syn_may_compact(t->home.tcp, tcb) || !syn_may_hold(t, tcb)) return 0;
  uint32_t idx = ltcp_recs_alloc(&t->recs);
  if (!idx) return 0;
  ltcp_syn_rec *w = syn_at(t, idx);
  ltcp_syn_save(tcb, &w->s);
  w->deadline = ltcp_syn_deadline(tcb);
  w->id = tcb->id;
  ltcp_ep local = tcb->local, remote = tcb->remote;
  ltcp_life_retire(t->home.tcp, tcb); /* out of the table; the record keeps its listener's slot */
  ltcp_rec_table_insert(&t->home, &t->recs, idx, &local, &remote);
  ltcp_recs_fifo_append(&t->recs, &t->fifo[w->s.retries], idx);
  t->levels_used |= 1u << w->s.retries;
  t->home.stats->syn_received_compact++;
  return 1;
}

static void syn_remove(ltcp_syn_table *t, uint32_t idx) {
  ltcp_syn_rec *w = syn_at(t, idx);
  ltcp_rec_table_remove(&t->home, &t->recs, idx);
  ltcp_recs_fifo_unlink(&t->recs, &t->fifo[w->s.retries], idx);
  if (!t->fifo[w->s.retries].head) t->levels_used &= ~(1u << w->s.retries);
  ltcp_recs_release(&t->recs, idx);
}

static ltcp_tcb *syn_expand_idx(ltcp_syn_table *t, uint32_t idx) {
  const ltcp_rec_home *home = &t->home;
  const ltcp_syn_rec *w = syn_at(t, idx);
  ltcp_tcb *lst = ltcp_table_listener(home->table, w->link.local_port);
  LTCP_ASSERT(lst != NULL); /* a listener that goes expands its records first */
  ltcp_tcb *tcb = ltcp_life_new_with_id(home->tcp, LTCP_SYN_RECEIVED, w->id);
  if (!tcb) return NULL;
  ltcp_ep local, remote;
  ltcp_rec_table_tuple(home, &w->link, &local, &remote);
  ltcp_syn_state s = w->s;
  ltcp_time_ns deadline = w->deadline;
  syn_remove(t, idx); /* its place in the table is now the TCB's */
  ltcp_syn_restore(home->tcp, tcb, &s, lst, &local, &remote, deadline);
  int rc = ltcp_table_insert(home->table, tcb, 1);
  LTCP_ASSERT(rc == 0); /* the record's place in the table was just given back */
  (void)rc;
  return tcb;
}

ltcp_tcb *ltcp_syn_table_expand(ltcp_syn_table *t, const ltcp_ep *local,
                                const ltcp_ep *remote) {
  uint32_t idx = ltcp_rec_table_find(&t->home, &t->recs, local, remote);
  return idx ? syn_expand_idx(t, idx) : NULL;
}

/* The FIFO whose head is due first (ties: the lower connection id), or -1. */
static int syn_earliest_level(const ltcp_syn_table *t) {
  int best = -1;
  for (uint32_t m = t->levels_used; m; m &= m - 1) {
    int i = __builtin_ctz(m);
    const ltcp_syn_rec *w = syn_at(t, t->fifo[i].head);
    const ltcp_syn_rec *b = best < 0 ? NULL : syn_at(t, t->fifo[best].head);
    if (!b || w->deadline < b->deadline || (w->deadline == b->deadline && w->id < b->id))
      best = i;
  }
  return best;
}

ltcp_time_ns ltcp_syn_table_earliest(const ltcp_syn_table *t, uint64_t *id) {
  int l = syn_earliest_level(t);
  if (l < 0) return LTCP_TIME_NEVER;
  const ltcp_syn_rec *w = syn_at(t, t->fifo[l].head);
  if (id) *id = w->id;
  return w->deadline;
}

ltcp_tcb *ltcp_syn_table_expand_earliest(ltcp_syn_table *t) {
  int l = syn_earliest_level(t);
  return l < 0 ? NULL : syn_expand_idx(t, t->fifo[l].head);
}

void ltcp_syn_table_expand_port(ltcp_syn_table *t, ltcp_tcb *lst) {
  uint16_t port = lst->local.port;
  /* Bounded by the records in use at the start: each pass moves one place along a FIFO, past
   * a record that was there then. */
  uint32_t bound = t->recs.count;
  for (int i = 0; i < LTCP_SYN_LEVELS; i++) {
    uint32_t idx = t->fifo[i].head;
    for (uint32_t n = 0; idx; n++) {
      LTCP_ASSERT(n < bound);
      uint32_t next = syn_at(t, idx)->link.next;
      if (syn_at(t, idx)->link.local_port == port && !syn_expand_idx(t, idx)) {
        /* No memory for the TCB: the record just goes (its listener is closing). */
        ltcp_listen_release_slot(lst);
        syn_remove(t, idx);
      }
      idx = next;
    }
  }
}

/* Oldest first: the most SYN,ACKs sent again (every record follows one schedule), and within a
 * count the earliest deadline; never one whose SYN,ACK went only once, which may be a peer's
 * handshake still within its first round trip (Linux's request-queue pruning spares the young
 * ones too). Bounded: at most SYN_EVICT_LOOK records are looked at, as FreeBSD's syncache looks
 * only within one bucket. */
#define SYN_EVICT_LOOK 64u

ltcp_tcb *ltcp_syn_table_evict(ltcp_syn_table *t, uint16_t port) {
  uint32_t looked = 0;
  for (int i = LTCP_SYN_LEVELS - 1; i >= 1 && looked < SYN_EVICT_LOOK; i--) {
    for (uint32_t idx = t->fifo[i].head; idx && looked < SYN_EVICT_LOOK; looked++) {
      const ltcp_syn_rec *w = syn_at(t, idx);
      if (!port || w->link.local_port == port) return syn_expand_idx(t, idx);
      idx = w->link.next;
    }
  }
  return NULL;
}
