/* lucidtcp script: the connection table. */
#include "script/conns.h"

#include <string.h>

/* The index of the connection with the stack's id, or SC_MAX_CONNS. */
static size_t sc_conns_index(const sc_conns *t, uint64_t id) {
  size_t i = 0;
  for (; i < SC_MAX_CONNS; i++)
    if (t->conn[i].used && t->conn[i].id == id) break;
  return i;
}

const sc_conn *sc_conns_find(const sc_conns *t, uint64_t id) {
  size_t i = sc_conns_index(t, id);
  return i < SC_MAX_CONNS ? &t->conn[i] : NULL;
}

/* A slot for a new connection: a free one, else the oldest closed one, else the oldest. */
static sc_conn *sc_conns_slot(sc_conns *t) {
  sc_conn *best = NULL;
  for (size_t i = 0; i < SC_MAX_CONNS; i++) {
    sc_conn *c = &t->conn[i];
    if (!c->used) return c;
    int closed = c->state == LTCP_CLOSED, best_closed = best && best->state == LTCP_CLOSED;
    if (!best || (closed && !best_closed) || (closed == best_closed && c->order < best->order))
      best = c;
  }
  return best;
}

void sc_conns_update(sc_conns *t, const ltcp_event *ev) {
  size_t i = sc_conns_index(t, ev->conn_id);
  sc_conn *c = i < SC_MAX_CONNS ? &t->conn[i] : NULL;
  if (!c) {
    c = sc_conns_slot(t);
    memset(c, 0, sizeof *c);
    c->used = 1;
    c->id = ev->conn_id;
    c->order = ++t->order;
  }
  c->local = ev->local;
  c->remote = ev->remote;
  c->state = ev->new_state;
  c->fd = ev->fd;
}

void sc_conns_set_fd(sc_conns *t, uint64_t id, int fd) {
  size_t i = sc_conns_index(t, id);
  if (i < SC_MAX_CONNS) t->conn[i].fd = fd;
}

void sc_conns_fd_closed(sc_conns *t, int fd) {
  for (size_t i = 0; i < SC_MAX_CONNS; i++)
    if (t->conn[i].used && t->conn[i].fd == fd) t->conn[i].fd = -1;
}

size_t sc_conns_list(const sc_conns *t, uint32_t state_mask, int port, const sc_conn **out) {
  size_t n = 0;
  for (size_t i = 0; i < SC_MAX_CONNS; i++) {
    const sc_conn *c = &t->conn[i];
    if (!c->used || (c->state == LTCP_CLOSED && c->fd < 0) || !(state_mask & (1u << c->state)))
      continue;
    if (port && c->local.port != port && c->remote.port != port) continue;
    size_t k = n++; /* insertion by order: at most SC_MAX_CONNS entries */
    for (; k > 0 && out[k - 1]->order > c->order; k--) out[k] = out[k - 1];
    out[k] = c;
  }
  return n;
}
