/* The socket layer's descriptor table: one entry per descriptor, with what a BSD socket keeps
 * apart from its connection (binding, options set before connect/listen, the pending error,
 * data left unread by a connection that ended in order). The public calls are in
 * lucidtcp/socket.h; this header is for sock/stack.c, which makes and frees the table and
 * registers ltcp_sock_conn_gone with the IP layer. Private to src/sock/. */
#ifndef LTCP_SOCK_SOCKET_H
#define LTCP_SOCK_SOCKET_H

#include <stdint.h>

#include "lucidtcp/config.h"
#include "tcp/conn_opts.h"
#include "tcp/ring.h"
#include "tcp/tcb.h"

typedef struct ltcp_sock {
  uint8_t in_use;
  uint8_t bound;
  uint8_t reuseaddr;
  uint8_t shut_rd, shut_wr;
  uint8_t connect_called;
  uint8_t v6only;         /* IPV6_V6ONLY: a listener on any address takes IPv6 only */
  ltcp_ep local;          /* an IPv6 address as its handle (tcp/tcb.h) */
  ltcp_tcb *tcb;          /* NULL before connect/listen, and after the connection is deleted */
  int error;              /* SO_ERROR: reported once, then cleared */
  int final_error;        /* why the connection ended (0 for an orderly end) */
  ltcp_ring rcv_left;     /* data received in order but unread when the connection ended
                           * in an orderly way (TIME-WAIT over): still the user's to read */
  uint32_t sndbuf, rcvbuf;
  uint16_t mss;
  uint32_t user_timeout_ms;
  ltcp_conn_opts opts;    /* TCP_NODELAY and keep-alive, copied into the TCB */
  int32_t next_free;
} ltcp_sock;

typedef struct ltcp_sock_table {
  ltcp_sock *socks;       /* cfg.max_sockets entries */
  uint32_t cap;
  int32_t free_head;      /* lowest free descriptor first, as POSIX for a fresh table */
} ltcp_sock_table;

int ltcp_sock_table_init(ltcp_sock_table *t, uint32_t cap); /* 0 or LTCP_ENOMEM */
void ltcp_sock_table_free(ltcp_sock_table *t);
/* The IP layer's upper interface (ip/ip.h): the connection of a socket is gone. ctx is the
 * stack. */
void ltcp_sock_conn_gone(void *ctx, ltcp_tcb *tcb, int error);

#endif
