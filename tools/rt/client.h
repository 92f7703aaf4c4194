/* One outgoing connection of a real-time command (connect, get): opening it, its progress each
 * turn of the loop, failing with "connection to HOST:PORT: reason", ending it in order or with a
 * reset, and on a signal. Owns the connection's descriptor until the command ends it. */
#ifndef LTCP_TOOLS_RT_CLIENT_H
#define LTCP_TOOLS_RT_CLIENT_H

#include "rt/realtime.h"

typedef struct rt_client {
  ltcp_endpoint remote;
  uint16_t local_port;    /* 0: an ephemeral port */
  int fd;
  int connected;          /* the handshake completed */
  int closed;             /* our side is done: closed or reset */
} rt_client;

/* socket, bind (with a local port), connect. 0, or RT_EXIT_FAIL after a message. */
int rt_client_open(rt_ctx *rt, rt_client *c);

/* Each turn, before the command's own calls. 1: connected, the command may send and receive.
 * 0: not yet; or our side is done and the loop ends (RT_EXIT_OK) once the stack has let go of
 * the connection (TIME-WAIT, LAST-ACK). -1: the connection failed (reported, the loop ends
 * with RT_EXIT_FAIL). */
int rt_client_poll(rt_ctx *rt, rt_client *c);

/* Reports "connection to HOST:PORT: reason" ("connect to" before the handshake completed) and
 * ends with status RT_EXIT_FAIL. */
void rt_client_fail(rt_ctx *rt, rt_client *c, int err);

/* Ends our side: RT_EXIT_OK closes in order (the loop ends once the stack lets go of the
 * connection), another status resets it and the loop ends now with that status. */
void rt_client_end(rt_ctx *rt, rt_client *c, int status);

/* SIGINT or SIGTERM: resets the connection unless our side is done; the exit status is then
 * RT_EXIT_SIGNAL(signo), else RT_EXIT_OK (nothing was lost). */
int rt_client_signal(rt_ctx *rt, rt_client *c, int signo);

#endif
