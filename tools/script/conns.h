/* lucidtcp script: the connection table. The connections the stack's state events describe, kept
 * after they close: they answer tcpi_state after close() and the ss, netstat and sockstat
 * emulation. Owns the table; knows nothing of the rest of the executor. */
#ifndef LTCP_TOOLS_SCRIPT_CONNS_H
#define LTCP_TOOLS_SCRIPT_CONNS_H

#include <stddef.h>
#include <stdint.h>

#include "lucidtcp/lucidtcp.h"

#define SC_MAX_CONNS 128 /* connections remembered; the oldest closed one makes room */

typedef struct sc_conn {
  int used;
  uint64_t id, order;     /* the stack's connection id; order of first sight */
  ltcp_endpoint local, remote;
  ltcp_state state;
  int fd;                 /* lucidtcp's descriptor holding it, or -1 for an orphan */
} sc_conn;

typedef struct sc_conns {
  sc_conn conn[SC_MAX_CONNS];
  uint64_t order;         /* the last order given */
} sc_conns;

/* The connection with the stack's id, or NULL. */
const sc_conn *sc_conns_find(const sc_conns *t, uint64_t id);
/* Records a state event (LTCP_EV_STATE) of its connection. */
void sc_conns_update(sc_conns *t, const ltcp_event *ev);
/* Descriptor fd now holds the connection with the stack's id (an accepted child). */
void sc_conns_set_fd(sc_conns *t, uint64_t id, int fd);
/* The application closed descriptor fd: its connections are no longer held by it. */
void sc_conns_fd_closed(sc_conns *t, int fd);
/* Lists into out (room for SC_MAX_CONNS), in order of first sight, the connections whose state
 * is in state_mask (bit 1 << state) and, when port is not 0, with port at either end; a CLOSED
 * one only while a descriptor still holds it (a socket reset under its application). Returns
 * how many. */
size_t sc_conns_list(const sc_conns *t, uint32_t state_mask, int port, const sc_conn **out);

#endif
