/* Compact half-open records, the IP layer's side (syn_table.h). */
#include "ip/syn_table.h"

#include "ip/ip.h"
#include "ip/rec_table.h"
#include "tcp/listen.h"
#include "util/assert.h"

_Static_assert(sizeof(ltcp_syn_rec) == 64, "a half-open record is 64 bytes");

static ltcp_syn_rec *syn_at(const ltcp_syn_table *t, uint32_t idx) {
  return (ltcp_syn_rec *)ltcp_recs_at(&t->recs, idx);
}

int ltcp_syn_table_init(ltcp_ip *ip) {
  return ltcp_recs_init(&ip->syn.recs, sizeof(ltcp_syn_rec), ip->cfg.max_connections,
                        ip->table.conns_mask + 1);
}

void ltcp_syn_table_free(ltcp_ip *ip) { ltcp_recs_free(&ip->syn.recs); }

int ltcp_syn_table_exists(const ltcp_ip *ip, const ltcp_endpoint *local, const ltcp_endpoint *remote) {
  return ltcp_rec_table_find(ip, &ip->syn.recs, local, remote) != 0;
}

/* The table's own conditions: a TCB of the connection table with the stack's address, whose
 * deadline keeps its FIFO sorted. */
static int syn_may_hold(const ltcp_ip *ip, const ltcp_tcb *tcb) {
  if (!tcb->in_table || tcb->local.addr != ip->cfg.addr) return 0;
  const ltcp_rec_fifo *f = &ip->syn.fifo[ltcp_syn_retries(tcb)];
  return !f->tail || syn_at(&ip->syn, f->tail)->deadline <= ltcp_syn_deadline(tcb);
}

int ltcp_syn_table_compact(ltcp_ip *ip, ltcp_tcb *tcb) {
  if (!ltcp_syn_may_compact(&ip->tcp, tcb) || !syn_may_hold(ip, tcb)) return 0;
  ltcp_syn_table *t = &ip->syn;
  uint32_t idx = ltcp_recs_alloc(&t->recs);
  if (!idx) return 0;
  ltcp_syn_rec *w = syn_at(t, idx);
  ltcp_syn_save(tcb, &w->s);
  w->deadline = ltcp_syn_deadline(tcb);
  w->id = tcb->id;
  ltcp_endpoint local = tcb->local, remote = tcb->remote;
  ltcp_tcb_retire(&ip->tcp, tcb); /* out of the table; the record keeps its listener's slot */
  ltcp_rec_table_insert(ip, &t->recs, idx, &local, &remote);
  ltcp_recs_fifo_append(&t->recs, &t->fifo[w->s.retries], idx);
  ip->stats.syn_received_compact++;
  return 1;
}

static void syn_remove(ltcp_ip *ip, uint32_t idx) {
  ltcp_syn_table *t = &ip->syn;
  ltcp_syn_rec *w = syn_at(t, idx);
  ltcp_rec_table_remove(ip, &t->recs, idx);
  ltcp_recs_fifo_unlink(&t->recs, &t->fifo[w->s.retries], idx);
  ltcp_recs_release(&t->recs, idx);
}

static ltcp_tcb *syn_expand_idx(ltcp_ip *ip, uint32_t idx) {
  const ltcp_syn_rec *w = syn_at(&ip->syn, idx);
  ltcp_tcb *lst = ltcp_table_listener(&ip->table, w->link.local_port);
  LTCP_ASSERT(lst != NULL); /* a listener that goes expands its records first */
  ltcp_tcb *tcb = ltcp_tcb_new_with_id(&ip->tcp, LTCP_SYN_RECEIVED, w->id);
  if (!tcb) return NULL;
  ltcp_endpoint local, remote;
  ltcp_rec_table_tuple(ip, &w->link, &local, &remote);
  ltcp_syn_state s = w->s;
  ltcp_time_ns deadline = w->deadline;
  syn_remove(ip, idx); /* its place in the table is now the TCB's */
  ltcp_syn_restore(&ip->tcp, tcb, &s, lst, &local, &remote, deadline);
  int rc = ltcp_ip_attach(ip, tcb);
  LTCP_ASSERT(rc == 0); /* the record's place in the table was just given back */
  (void)rc;
  return tcb;
}

ltcp_tcb *ltcp_syn_table_expand(ltcp_ip *ip, const ltcp_endpoint *local,
                                const ltcp_endpoint *remote) {
  uint32_t idx = ltcp_rec_table_find(ip, &ip->syn.recs, local, remote);
  return idx ? syn_expand_idx(ip, idx) : NULL;
}

/* The FIFO whose head is due first (ties: the lower connection id), or -1. */
static int syn_earliest_level(const ltcp_syn_table *t) {
  int best = -1;
  for (int i = 0; t->recs.count && i < LTCP_SYN_LEVELS; i++) {
    if (!t->fifo[i].head) continue;
    const ltcp_syn_rec *w = syn_at(t, t->fifo[i].head);
    const ltcp_syn_rec *b = best < 0 ? NULL : syn_at(t, t->fifo[best].head);
    if (!b || w->deadline < b->deadline || (w->deadline == b->deadline && w->id < b->id))
      best = i;
  }
  return best;
}

ltcp_time_ns ltcp_syn_table_next_expiry(const ltcp_ip *ip, uint64_t *id) {
  int l = syn_earliest_level(&ip->syn);
  if (l < 0) return LTCP_TIME_NEVER;
  const ltcp_syn_rec *w = syn_at(&ip->syn, ip->syn.fifo[l].head);
  if (id) *id = w->id;
  return w->deadline;
}

ltcp_tcb *ltcp_syn_table_expand_earliest(ltcp_ip *ip) {
  int l = syn_earliest_level(&ip->syn);
  return l < 0 ? NULL : syn_expand_idx(ip, ip->syn.fifo[l].head);
}

void ltcp_syn_table_expand_port(ltcp_ip *ip, ltcp_tcb *lst) {
  ltcp_syn_table *t = &ip->syn;
  uint16_t port = lst->local.port;
  /* Bounded by the records in use at the start: each pass moves one place along a FIFO, past
   * a record that was there then. */
  uint32_t bound = t->recs.count;
  for (int i = 0; i < LTCP_SYN_LEVELS; i++) {
    uint32_t idx = t->fifo[i].head;
    for (uint32_t n = 0; idx; n++) {
      LTCP_ASSERT(n < bound);
      uint32_t next = syn_at(t, idx)->link.next;
      if (syn_at(t, idx)->link.local_port == port && !syn_expand_idx(ip, idx)) {
        /* No memory for the TCB: the record just goes (its listener is closing). */
        ltcp_listen_release_slot(lst);
        syn_remove(ip, idx);
      }
      idx = next;
    }
  }
}
