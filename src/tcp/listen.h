/* A listener's children (RFC 9293 §3.10.7.2): the backlog's slots, the children not yet
 * accepted, and the queue of those ESTABLISHED, oldest first, that accept() takes. This module
 * owns child_count, the child links and the accept queue (tcb.h, ltcp_tcb_busy); a compact
 * half-open record (tcp/synrcvd.h) keeps its slot while its TCB is retired. */
#ifndef LTCP_TCP_LISTEN_H
#define LTCP_TCP_LISTEN_H

#include <stdint.h>

#include "tcp/tcb.h"

/* Whether a new child may take a slot (RFC 9293 §3.10.7.2: the backlog bounds the
 * connections not yet accepted, half-open ones included). */
static inline int ltcp_listen_has_room(const ltcp_tcb *lst) {
  return lst->busy->child_count < lst->busy->backlog;
}
/* Whether the accept queue has room: a connection made from a SYN cookie needs it (as Linux's
 * sk_acceptq_is_full), and no SYN is answered without it. */
static inline int ltcp_listen_acceptq_room(const ltcp_tcb *lst) {
  return lst->busy->acceptq_len < lst->busy->backlog;
}
/* The same for a child that takes a slot beyond the backlog (ltcp_listen_adopt_synced). */
static inline int ltcp_listen_synced_room(const ltcp_tcb *lst) {
  return ltcp_listen_acceptq_room(lst) && lst->busy->child_count < 2 * lst->busy->backlog;
}
/* What a child takes from its listener: the MSS it announces, buffer sizes, user timeout,
 * TCP_NODELAY and keep-alive (tcp/conn_opts.h), as Linux's children. */
void ltcp_listen_inherit(const ltcp_engine *eng, const ltcp_tcb *lst, ltcp_tcb *child);
/* A new child of lst: it takes a slot. */
void ltcp_listen_adopt(ltcp_tcb *lst, ltcp_tcb *child);
/* A child made from a SYN cookie, about to be synchronized: it takes a slot if the accept queue
 * has room, even when half-open children hold every other (as Linux bounds the accept queue and
 * the half-open ones apart): a listener holds at most twice its backlog. */
void ltcp_listen_adopt_synced(ltcp_tcb *lst, ltcp_tcb *child);
/* A child whose record held its slot is a TCB again: it takes no new slot. */
void ltcp_listen_readopt(ltcp_tcb *lst, ltcp_tcb *child);
/* A child reached ESTABLISHED: it joins the accept queue. */
void ltcp_listen_ready(ltcp_tcb *child);
/* A child goes (deleted; keep_slot: retired into a record that holds the slot); any other
 * TCB is left as it is. */
void ltcp_listen_release_child(ltcp_tcb *child, int keep_slot);
static inline void ltcp_listen_release(ltcp_tcb *tcb, int keep_slot) {
  if (tcb->busy && tcb->busy->parent) ltcp_listen_release_child(tcb, keep_slot);
}
/* A record went without becoming a TCB again: its slot is free. */
void ltcp_listen_release_slot(ltcp_tcb *lst);
/* The newest child not yet accepted, or NULL. */
static inline ltcp_tcb *ltcp_listen_first_child(const ltcp_tcb *lst) { return lst->busy->children; }
/* The oldest ESTABLISHED child, without taking it (NULL when none). */
static inline ltcp_tcb *ltcp_listen_peek(const ltcp_tcb *lst) { return lst->busy->acceptq_head; }
/* Takes the oldest ESTABLISHED child for the user: it leaves the listener (NULL when none). */
ltcp_tcb *ltcp_listen_accept(ltcp_engine *eng, ltcp_tcb *lst);

#endif
