/* A listener's children and its accept queue (listen.h). */
#include "tcp/listen.h"

#include "tcp/busy.h"
#include "tcp/engine.h"
#include "util/assert.h"

static void listen_link(ltcp_tcb *lst, ltcp_tcb *child) {
  ltcp_tcb_busy *c = child->busy, *l = lst->busy;
  c->parent = lst;
  c->child_prev = NULL;
  c->child_next = l->children;
  if (l->children) l->children->busy->child_prev = child;
  l->children = child;
}

void ltcp_listen_inherit(const ltcp_engine *eng, const ltcp_tcb *lst, ltcp_tcb *child) {
  child->rcv_mss = ltcp_engine_mss(eng, lst->rcv_mss, child->remote.addr);
  child->busy->sndbuf.cap = lst->busy->sndbuf_size;
  child->busy->rcvbuf.cap = lst->busy->rcvbuf_size;
  child->user_timeout_ms = lst->user_timeout_ms;
  child->opts = lst->opts;
}

void ltcp_listen_adopt(ltcp_tcb *lst, ltcp_tcb *child) {
  LTCP_ASSERT(ltcp_listen_has_room(lst));
  listen_link(lst, child);
  lst->busy->child_count++;
}

void ltcp_listen_adopt_synced(ltcp_tcb *lst, ltcp_tcb *child) {
  LTCP_ASSERT(ltcp_listen_synced_room(lst));
  listen_link(lst, child);
  lst->busy->child_count++;
}

void ltcp_listen_readopt(ltcp_tcb *lst, ltcp_tcb *child) {
  LTCP_ASSERT(lst->busy->child_count > 0);
  listen_link(lst, child);
}

void ltcp_listen_ready(ltcp_tcb *child) {
  ltcp_tcb *lst = child->busy->parent;
  ltcp_tcb_busy *l = lst->busy;
  child->busy->accept_next = NULL;
  if (l->acceptq_tail) l->acceptq_tail->busy->accept_next = child;
  else l->acceptq_head = child;
  l->acceptq_tail = child;
  l->acceptq_len++;
}

/* Out of the accept queue, if there. Bounded by the backlog: the queue holds children only. */
static void listen_dequeue(ltcp_tcb *lst, ltcp_tcb *child) {
  ltcp_tcb_busy *l = lst->busy;
  ltcp_tcb **pp = &l->acceptq_head, *prev = NULL;
  for (uint32_t n = 0; *pp; n++) {
    LTCP_ASSERT(n < l->child_count);
    if (*pp == child) {
      *pp = child->busy->accept_next;
      if (l->acceptq_tail == child) l->acceptq_tail = prev;
      LTCP_ASSERT(l->acceptq_len > 0);
      l->acceptq_len--;
      break;
    }
    prev = *pp;
    pp = &(*pp)->busy->accept_next;
  }
  child->busy->accept_next = NULL;
}

void ltcp_listen_release_child(ltcp_tcb *child, int keep_slot) {
  ltcp_tcb_busy *c = child->busy;
  ltcp_tcb *lst = c->parent;
  listen_dequeue(lst, child);
  if (c->child_prev) c->child_prev->busy->child_next = c->child_next;
  else lst->busy->children = c->child_next;
  if (c->child_next) c->child_next->busy->child_prev = c->child_prev;
  c->child_prev = c->child_next = NULL;
  c->parent = NULL;
  if (!keep_slot) ltcp_listen_release_slot(lst);
}

void ltcp_listen_release_slot(ltcp_tcb *lst) {
  LTCP_ASSERT(lst->busy->child_count > 0);
  lst->busy->child_count--;
}

ltcp_tcb *ltcp_listen_accept(ltcp_engine *eng, ltcp_tcb *lst) {
  ltcp_tcb *child = lst->busy->acceptq_head;
  if (!child) return NULL;
  ltcp_listen_release(child, 0);
  child->accepted = 1;
  ltcp_busy_touch(eng, child); /* awake (it had a parent): it may sleep once idle */
  return child;
}
