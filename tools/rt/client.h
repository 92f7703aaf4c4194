/* One outgoing connection of a real-time command (connect, get): opening it, its progress each
 * turn of the loop, failing with "connection to HOST:PORT: reason", ending it in order or with a
 * reset, and on a signal. Owns the connection's descriptor until the command ends it.
 *
 * TIME-WAIT: a command exits once its connections are closed or in TIME-WAIT, right after the
 * last ACK has gone out, unless keep_time_wait (--time-wait) holds it for TIME-WAIT's 2*MSL. The
 * kernel keeps TIME-WAIT for a socket its process has closed; a user-space stack lives only as
 * long as its process, and a command that sat out 2*MSL in the foreground would keep its user
 * waiting a minute for nothing, so TIME-WAIT's two guarantees are traded as the docs say: a
 * retransmitted FIN from a peer whose last ACK was lost goes unanswered (the peer's LAST-ACK
 * times out instead of closing at once), and old duplicates are kept from a new connection by
 * the ISN (RFC 6528, a new secret each run) and a new ephemeral port rather than by the
 * 4-tuple's wait. When the peer closes first, there is no TIME-WAIT on this side: the command
 * waits for the ACK of its own FIN (LAST-ACK) before it exits. */
#ifndef LTCP_TOOLS_RT_CLIENT_H
#define LTCP_TOOLS_RT_CLIENT_H

#include "rt/realtime.h"

typedef struct rt_client {
  ltcp_endpoint remote;
  const char *host;       /* HOST as the user wrote it, for messages (NULL: the address) */
  uint16_t local_port;    /* 0: an ephemeral port */
  ltcp_time_ns connect_timeout_ns; /* 0: none; else fail with ETIMEDOUT when the handshake has
                                    * not completed this long after rt_client_open */
  int announce;           /* say "connected to HOST:PORT from ADDR:PORT" on stderr */
  int keep_time_wait;     /* --time-wait: stay for TIME-WAIT's 2*MSL before exiting */
  int fd;
  int connected;          /* the handshake completed */
  int closed;             /* our side is done: closed or reset */
  ltcp_time_ns opened_at;
} rt_client;

/* Tries argv[*i] as an option every client command takes (--time-wait). 1 when it was one, 0
 * when not. */
int rt_client_option(rt_client *c, int argc, char **argv, int *i);

/* socket, bind (with a local port), connect. 0, or RT_EXIT_FAIL after a message. */
int rt_client_open(rt_ctx *rt, rt_client *c);

/* Each turn, before the command's own calls. 1: connected, the command may send and receive.
 * 0: not yet; or our side is done and the loop ends (RT_EXIT_OK) once the stack has let go of
 * the connection or holds it in TIME-WAIT only (see above). -1: the connection failed, or did
 * not complete within connect_timeout_ns (reported, the loop ends with RT_EXIT_FAIL). */
int rt_client_poll(rt_ctx *rt, rt_client *c);

/* Reports "connection to HOST:PORT: reason" ("connect to" before the handshake completed) and
 * ends with status RT_EXIT_FAIL. */
void rt_client_fail(rt_ctx *rt, rt_client *c, int err);

/* Ends our side: RT_EXIT_OK closes in order (the loop ends once the stack lets go of the
 * connection, or holds it in TIME-WAIT only), another status resets it and the loop ends now
 * with that status. */
void rt_client_end(rt_ctx *rt, rt_client *c, int status);

/* SIGINT or SIGTERM: resets the connection unless our side is done; the exit status is then
 * RT_EXIT_SIGNAL(signo), else RT_EXIT_OK (nothing was lost). */
int rt_client_signal(rt_ctx *rt, rt_client *c, int signo);

/* The help line of --time-wait, for the client commands' help texts. */
#define RT_HELP_TIME_WAIT \
  "  --time-wait        after an active close, stay in TIME-WAIT for 2*MSL before exiting\n" \
  "                     (default: exit once the last ACK is sent)\n"

#endif
