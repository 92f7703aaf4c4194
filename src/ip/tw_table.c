/* Compact TIME-WAIT records, the IP layer's side (tw_table.h). */
#include "ip/tw_table.h"

#include "tcp/life.h"
#include "tcp/timeout.h"
#include "util/assert.h"

_Static_assert(sizeof(ltcp_tw_rec) == 64, "a TIME-WAIT record is 64 bytes");

static ltcp_tw_rec *tw_at(const ltcp_tw_table *t, uint32_t idx) {
  return (ltcp_tw_rec *)ltcp_recs_at(&t->recs, idx);
}

int ltcp_tw_table_init(ltcp_tw_table *t, const ltcp_rec_home *home) {
  t->home = *home;
  return ltcp_recs_init(&t->recs, sizeof(ltcp_tw_rec), home->max, home->table->conns_max);
}

void ltcp_tw_table_free(ltcp_tw_table *t) { ltcp_recs_free(&t->recs); }

static void tw_remove(ltcp_tw_table *t, uint32_t idx) {
  ltcp_rec_table_remove(&t->home, &t->recs, idx);
  ltcp_recs_fifo_unlink(&t->recs, &t->fifo, idx);
  ltcp_recs_release(&t->recs, idx);
}

/* The table's own conditions: a TCB of the connection table with the stack's address, whose
 * expiry keeps the FIFO sorted (a TCB that entered TIME-WAIT before the newest record, because
 * its user closed the socket late, keeps its TCB and its timer in the heap). */
static int tw_may_hold(const ltcp_tw_table *t, const ltcp_tcb *tcb) {
  if (!tcb->in_table || tcb->local.addr != ltcp_rec_local_addr(&t->home, tcb->remote.addr)) return 0;
  return !t->fifo.tail || tw_at(t, t->fifo.tail)->expiry <= ltcp_tw_expiry(tcb);
}

int ltcp_tw_table_compact(ltcp_tw_table *t, ltcp_tcb *tcb) {
  if (!ltcp_tw_may_compact(tcb) || !tw_may_hold(t, tcb)) return 0;
  uint32_t idx = ltcp_recs_alloc(&t->recs);
  if (!idx) return 0; /* no memory: the TCB stays as it is */
  ltcp_tw_rec *w = tw_at(t, idx);
  ltcp_tw_save(t->home.tcp, tcb, &w->s);
  w->expiry = ltcp_tw_expiry(tcb);
  w->id = tcb->id;
  ltcp_ep local = tcb->local, remote = tcb->remote;
  ltcp_life_retire(t->home.tcp, tcb); /* out of the table; the record takes its place */
  ltcp_rec_table_insert(&t->home, &t->recs, idx, &local, &remote);
  ltcp_recs_fifo_append(&t->recs, &t->fifo, idx);
  t->home.stats->time_wait_compact++;
  return 1;
}

static ltcp_tcb *tw_fill_view(ltcp_tw_table *t, uint32_t idx) {
  const ltcp_tw_rec *w = tw_at(t, idx);
  ltcp_ep local, remote;
  ltcp_rec_table_tuple(&t->home, &w->link, &local, &remote);
  ltcp_tw_view_fill(t->home.tcp, &t->view, &t->view_busy, &w->s, &local, &remote, w->expiry, w->id);
  t->view_idx = idx;
  return &t->view;
}

int ltcp_tw_table_exists(const ltcp_tw_table *t, const ltcp_ep *local,
                          const ltcp_ep *remote) {
  return ltcp_rec_table_find(&t->home, &t->recs, local, remote) != 0;
}

ltcp_tcb *ltcp_tw_table_view(ltcp_tw_table *t, const ltcp_ep *local,
                             const ltcp_ep *remote) {
  uint32_t idx = ltcp_rec_table_find(&t->home, &t->recs, local, remote);
  return idx ? tw_fill_view(t, idx) : NULL;
}

void ltcp_tw_table_view_done(ltcp_tw_table *t, ltcp_tcb *v) {
  LTCP_ASSERT(v == &t->view);
  uint32_t idx = t->view_idx;
  t->view_idx = 0;
  if (v->dead || !idx) return; /* closed: ltcp_tw_table_view_gone freed the record */
  ltcp_tw_rec *w = tw_at(t, idx);
  ltcp_time_ns expiry = ltcp_tw_view_read_back(v, &w->s);
  if (expiry != w->expiry) {
    /* §3.10.7.4: a retransmitted FIN restarts the 2 MSL timeout: now the newest record. */
    LTCP_ASSERT(!t->fifo.tail || expiry >= tw_at(t, t->fifo.tail)->expiry);
    w->expiry = expiry;
    ltcp_recs_fifo_unlink(&t->recs, &t->fifo, idx);
    ltcp_recs_fifo_append(&t->recs, &t->fifo, idx);
  }
}

void ltcp_tw_table_view_gone(ltcp_tw_table *t) {
  uint32_t idx = t->view_idx;
  if (!idx) return;
  t->view_idx = 0;
  tw_remove(t, idx);
}

void ltcp_tw_table_expire_oldest(ltcp_tw_table *t) {
  if (!t->fifo.head) return;
  ltcp_tcb *v = tw_fill_view(t, t->fifo.head);
  ltcp_timeout_expire(t->home.tcp, v); /* §3.10.8 time-wait timeout: CLOSED, the record goes */
  ltcp_tw_table_view_done(t, v);
}
