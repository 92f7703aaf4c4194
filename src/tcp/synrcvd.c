/* Compact half-open connections: records, their timers, and the way back to a TCB (see
 * synrcvd.h). */
#include "tcp/synrcvd.h"

#include <string.h>

#include "ip/stack_int.h"
#include "util/assert.h"

_Static_assert(sizeof(ltcp_syn_rec) == 64, "a half-open record is 64 bytes");

static ltcp_syn_rec *syn_at(const ltcp_syn_table *t, uint32_t idx) {
  return (ltcp_syn_rec *)ltcp_recs_at(&t->recs, idx);
}

int ltcp_syn_init(ltcp_stack *st) {
  return ltcp_recs_init(&st->syn.recs, sizeof(ltcp_syn_rec), st->cfg.max_connections,
                        st->conns_mask + 1);
}

void ltcp_syn_free(ltcp_stack *st) { ltcp_recs_free(&st->syn.recs); }

static uint32_t syn_find(const ltcp_stack *st, const ltcp_endpoint *l, const ltcp_endpoint *r) {
  return ltcp_table_rec_find(st, &st->syn.recs, l, r);
}

int ltcp_syn_exists(const ltcp_stack *st, const ltcp_endpoint *local, const ltcp_endpoint *remote) {
  return syn_find(st, local, remote) != 0;
}

/* Only a child that waits for the handshake's ACK and nothing else, with every value a record
 * drops equal to what the way back restores. */
static int syn_may_compact(const ltcp_stack *st, const ltcp_tcb *tcb) {
  if (!tcb->busy || tcb->view || tcb->dead || tcb->state != LTCP_SYN_RECEIVED || !tcb->passive ||
      !tcb->busy->parent || tcb->fd >= 0 || tcb->accepted || tcb->orphan || !tcb->in_table ||
      tcb->local.addr != st->cfg.addr)
    return 0;
  if (tcb->busy->sndbuf.len || tcb->busy->rcvbuf.len || tcb->busy->reasm.count || tcb->fin_queued ||
      tcb->fin_rcvd || tcb->ack_now || tcb->in_tx_wait || tcb->busy->probes || tcb->rcv_shut)
    return 0;
  if (tcb->snd_una != tcb->iss || tcb->snd_nxt != tcb->iss + 1 || tcb->busy->snd_retx != tcb->iss + 1 ||
      tcb->rcv_nxt != tcb->irs + 1 || tcb->snd_wnd > 0xffff || tcb->snd_max_wnd != tcb->snd_wnd)
    return 0;
  if (tcb->busy->rtx_at == LTCP_TIME_NEVER || tcb->busy->ut_at != LTCP_TIME_NEVER ||
      tcb->busy->fw2_at != LTCP_TIME_NEVER || tcb->busy->tw_at != LTCP_TIME_NEVER ||
      tcb->busy->dack_at != LTCP_TIME_NEVER || tcb->ka_at != LTCP_TIME_NEVER)
    return 0;
  if (tcb->busy->retries >= LTCP_SYN_LEVELS || tcb->rto_backed_off != (tcb->busy->retries > 0) ||
      tcb->rto != st->cfg.rto_initial_ns || tcb->srtt != 0)
    return 0;
  /* The RTT timing of the first SYN,ACK restarts from the deadline (RFC 6298 §3). */
  ltcp_time_ns rtt_start =
      tcb->busy->retries ? LTCP_TIME_NEVER : tcb->busy->rtx_at - ltcp_rtt_backed_off(st, tcb);
  if (tcb->busy->rtt_start != rtt_start) return 0;
  const ltcp_tcb *lst = tcb->busy->parent;
  if (tcb->rcv_mss != lst->rcv_mss || tcb->busy->sndbuf.cap != lst->busy->sndbuf_size ||
      tcb->busy->rcvbuf.cap != lst->busy->rcvbuf_size || tcb->user_timeout_ms != lst->user_timeout_ms ||
      memcmp(&tcb->opts, &lst->opts, sizeof tcb->opts) != 0)
    return 0;
  /* Each FIFO stays sorted by deadline. */
  const ltcp_rec_fifo *f = &st->syn.fifo[tcb->busy->retries];
  return !f->tail || syn_at(&st->syn, f->tail)->deadline <= tcb->busy->rtx_at;
}

int ltcp_syn_compact(ltcp_stack *st, ltcp_tcb *tcb) {
  if (!syn_may_compact(st, tcb)) return 0;
  ltcp_syn_table *t = &st->syn;
  uint32_t idx = ltcp_recs_alloc(&t->recs);
  if (!idx) return 0;
  ltcp_syn_rec *w = syn_at(t, idx);
  const ltcp_rfc7323 *o = &tcb->rfc7323;
  ltcp_tcb *lst = tcb->busy->parent;
  w->iss = tcb->iss;
  w->irs = tcb->irs;
  w->ts_recent = o->ts_recent;
  w->ts_offset = o->ts_offset;
  w->snd_wnd = (uint16_t)tcb->snd_wnd;
  w->snd_mss = tcb->snd_mss;
  w->flags = ltcp_opts_pack_flags(tcb);
  w->snd_wscale = o->snd_wscale;
  w->rcv_wscale = o->rcv_wscale;
  w->retries = (uint8_t)tcb->busy->retries;
  w->deadline = tcb->busy->rtx_at;
  w->id = tcb->id;
  /* The TCB leaves the tables; the record keeps its place in every count. */
  ltcp_tcb_delete(st, tcb);
  st->state_count[LTCP_SYN_RECEIVED]++;
  lst->busy->child_count++;
  ltcp_table_rec_insert(st, &t->recs, idx, tcb);
  ltcp_recs_fifo_append(&t->recs, &t->fifo[w->retries], idx);
  st->stats.syn_received_compact++;
  return 1;
}

/* The TCB the record stands for, as ltcp_input_listen and the timers left it. */
static void syn_fill_tcb(ltcp_stack *st, ltcp_tcb *tcb, const ltcp_syn_rec *w, ltcp_tcb *lst) {
  ltcp_table_rec_tuple(st, &w->link, &tcb->local, &tcb->remote);
  tcb->passive = 1;
  tcb->busy->parent = lst;
  tcb->rcv_mss = lst->rcv_mss;
  tcb->busy->sndbuf.cap = lst->busy->sndbuf_size;
  tcb->busy->rcvbuf.cap = lst->busy->rcvbuf_size;
  tcb->user_timeout_ms = lst->user_timeout_ms;
  tcb->opts = lst->opts;
  tcb->iss = tcb->snd_una = tcb->snd_wl2 = w->iss;
  tcb->snd_nxt = tcb->busy->snd_retx = tcb->snd_buf_seq = w->iss + 1;
  tcb->irs = tcb->snd_wl1 = w->irs;
  tcb->rcv_nxt = tcb->rcv_adv = tcb->busy->rcv_acked = w->irs + 1;
  tcb->snd_wnd = tcb->snd_max_wnd = w->snd_wnd;
  tcb->snd_mss = w->snd_mss;
  ltcp_cc_init(tcb); /* as in_take_mss did */
  ltcp_rfc7323 *o = &tcb->rfc7323;
  o->inited = 1;
  o->ws_offered = st->cfg.window_scale != 0;
  o->ts_offered = st->cfg.timestamps != 0;
  o->wscale_offer = ltcp_opts_wscale_for(tcb->busy->rcvbuf.cap);
  o->snd_wscale = w->snd_wscale;
  o->rcv_wscale = w->rcv_wscale;
  o->ts_offset = w->ts_offset;
  o->ts_recent = w->ts_recent;
  o->last_ack_sent = w->irs + 1;
  tcb->sack_offered = st->cfg.sack != 0;
  ltcp_opts_unpack_flags(st, tcb, w->flags);
  /* The window our SYN,ACK advertised (never scaled in a SYN): its right edge. */
  ltcp_seg synack = {.flags = LTCP_SYN | LTCP_ACK};
  synack.wnd = ltcp_opts_wnd_field(tcb, synack.flags);
  tcb->rcv_adv = tcb->rcv_nxt + ltcp_opts_wnd_bytes(tcb, &synack);
  tcb->busy->retries = w->retries;
  tcb->rto_backed_off = w->retries > 0;
  tcb->busy->rtx_at = w->deadline;
  tcb->busy->rtt_seq = w->iss + 1;
  tcb->busy->rtt_start = w->retries ? LTCP_TIME_NEVER : w->deadline - ltcp_rtt_backed_off(st, tcb);
}

static void syn_remove(ltcp_stack *st, uint32_t idx) {
  ltcp_syn_table *t = &st->syn;
  ltcp_syn_rec *w = syn_at(t, idx);
  ltcp_table_rec_remove(st, &t->recs, idx);
  ltcp_recs_fifo_unlink(&t->recs, &t->fifo[w->retries], idx);
  st->state_count[LTCP_SYN_RECEIVED]--;
  ltcp_recs_release(&t->recs, idx);
}

static ltcp_tcb *syn_expand_idx(ltcp_stack *st, uint32_t idx) {
  const ltcp_syn_rec *w = syn_at(&st->syn, idx);
  ltcp_tcb *lst = ltcp_table_listener(st, w->link.local_port);
  LTCP_ASSERT(lst != NULL); /* a listener that goes expands its records first */
  ltcp_tcb *tcb = ltcp_tcb_new_with_id(st, LTCP_SYN_RECEIVED, w->id);
  if (!tcb) return NULL;
  syn_fill_tcb(st, tcb, w, lst);
  syn_remove(st, idx); /* its place in the backlog is now the TCB's */
  int rc = ltcp_table_insert(st, tcb);
  LTCP_ASSERT(rc == 0); /* the record's place in the table was just given back */
  (void)rc;
  ltcp_timer_update(st, tcb);
  return tcb;
}

ltcp_tcb *ltcp_syn_expand(ltcp_stack *st, const ltcp_endpoint *local, const ltcp_endpoint *remote) {
  uint32_t idx = syn_find(st, local, remote);
  return idx ? syn_expand_idx(st, idx) : NULL;
}

/* The FIFO whose head is due first (ties: the lower connection id), or -1. */
static int syn_earliest_level(const ltcp_stack *st) {
  const ltcp_syn_table *t = &st->syn;
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

ltcp_time_ns ltcp_syn_next_expiry(const ltcp_stack *st, uint64_t *id) {
  int l = syn_earliest_level(st);
  if (l < 0) return LTCP_TIME_NEVER;
  const ltcp_syn_rec *w = syn_at(&st->syn, st->syn.fifo[l].head);
  if (id) *id = w->id;
  return w->deadline;
}

ltcp_tcb *ltcp_syn_expand_earliest(ltcp_stack *st) {
  int l = syn_earliest_level(st);
  return l < 0 ? NULL : syn_expand_idx(st, st->syn.fifo[l].head);
}

void ltcp_syn_expand_port(ltcp_stack *st, uint16_t port) {
  ltcp_syn_table *t = &st->syn;
  for (int i = 0; i < LTCP_SYN_LEVELS; i++) {
    uint32_t idx = t->fifo[i].head;
    for (uint32_t n = 0; idx && n <= t->recs.count + 1; n++) {
      uint32_t next = syn_at(t, idx)->link.next;
      if (syn_at(t, idx)->link.local_port == port && !syn_expand_idx(st, idx)) {
        /* No memory for the TCB: the record just goes (its listener is closing). */
        ltcp_tcb *lst = ltcp_table_listener(st, port);
        if (lst) lst->busy->child_count--;
        syn_remove(st, idx);
      }
      idx = next;
    }
  }
}
