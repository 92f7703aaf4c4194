/** @file
 * lucidtcp: a BSD-like, non-blocking socket API on a stack.
 *
 * Descriptors are small integers local to one stack. Every call returns -1 and sets errno on
 * failure, as BSD sockets do (ECONNREFUSED, ECONNRESET, ETIMEDOUT, EPIPE, EAGAIN, EINPROGRESS,
 * EADDRINUSE, ENOTCONN, EINVAL, EBADF, ...). No call blocks: where BSD would wait, these return
 * EAGAIN or EINPROGRESS, and ltcp_poll() says when to try again. */
#ifndef LUCIDTCP_SOCKET_H
#define LUCIDTCP_SOCKET_H

#include <sys/types.h>

#include "common.h"
#include "stack.h"
#include "tcp_info.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opens a TCP socket. Returns a descriptor >= 0, or -1 (EMFILE). */
int ltcp_socket(ltcp_stack *st);
/** Binds to a local port (addr 0 or the stack's address). Port 0 picks an ephemeral port.
 * EADDRINUSE if another socket holds the port (or a connection does, without SO_REUSEADDR). */
int ltcp_bind(ltcp_stack *st, int fd, const ltcp_endpoint *local);
/** RFC 9293 passive OPEN. backlog bounds connections not yet accepted (SYN-RECEIVED included). */
int ltcp_listen(ltcp_stack *st, int fd, int backlog);
/** Takes an established connection from a listener: a new descriptor, or -1 (EAGAIN, EINVAL).
 * peer, when not NULL, receives the remote endpoint. */
int ltcp_accept(ltcp_stack *st, int fd, ltcp_endpoint *peer);
/** RFC 9293 active OPEN: sends a SYN and returns -1 with EINPROGRESS. The socket turns writable
 * when ESTABLISHED; SO_ERROR (ltcp_socket_error) then tells success or the error. */
int ltcp_connect(ltcp_stack *st, int fd, const ltcp_endpoint *remote);
/** RFC 9293 SEND: copies up to len bytes into the send buffer; returns the count, or -1 (EAGAIN
 * when the buffer is full, EPIPE after shutdown or close, ENOTCONN, ECONNRESET...). */
ssize_t ltcp_send(ltcp_stack *st, int fd, const void *buf, size_t len, int flags);
/** Flags for ltcp_recv. */
#define LTCP_MSG_PEEK 0x2
/** RFC 9293 RECEIVE: copies up to len bytes; returns the count, 0 at end of stream (the peer's
 * FIN was read), or -1 (EAGAIN when nothing is there yet, ENOTCONN, ECONNRESET, ETIMEDOUT...). */
ssize_t ltcp_recv(ltcp_stack *st, int fd, void *buf, size_t len, int flags);

#define LTCP_SHUT_RD 0
#define LTCP_SHUT_WR 1
#define LTCP_SHUT_RDWR 2
/** SHUT_WR issues RFC 9293 CLOSE (a FIN after queued data) and keeps the socket for reading;
 * SHUT_RD discards what arrives from now on. */
int ltcp_shutdown(ltcp_stack *st, int fd, int how);
/** Releases the descriptor. A connection is closed gracefully (RFC 9293 CLOSE) and lives on in
 * the stack until CLOSED (TIME-WAIT included); with unread data it is reset instead
 * (RFC 1122 4.2.2.13), unless the stack's rst_on_unread_close is 0. */
int ltcp_close(ltcp_stack *st, int fd);
/** RFC 9293 ABORT: sends RST where the state calls for it and releases the descriptor. */
int ltcp_abort(ltcp_stack *st, int fd);

int ltcp_getsockname(ltcp_stack *st, int fd, ltcp_endpoint *local);
int ltcp_getpeername(ltcp_stack *st, int fd, ltcp_endpoint *remote);

/** Pending error (as SO_ERROR): returns it (a positive errno, or 0) and clears it. */
int ltcp_socket_error(ltcp_stack *st, int fd);

/** Options, all int-valued. */
typedef enum ltcp_sockopt {
  LTCP_SO_REUSEADDR,     /**< bind may reuse a port held by a connection in TIME-WAIT */
  LTCP_SO_SNDBUF,        /**< send buffer, bytes (before connect/listen), at most LTCP_BUF_MAX */
  LTCP_SO_RCVBUF,        /**< receive buffer, bytes (before connect/listen), at most LTCP_BUF_MAX;
                          * the window exceeds 65535 only when window scaling is negotiated */
  LTCP_SO_ERROR,         /**< get only: pending error, cleared */
  LTCP_TCP_MAXSEG,       /**< MSS to announce (before connect/listen); get: the send MSS */
  LTCP_TCP_NODELAY,      /**< 1: Nagle's algorithm off (RFC 9293 §3.7.4); default cfg.nodelay */
  LTCP_TCP_USER_TIMEOUT, /**< milliseconds; RFC 9293 USER TIMEOUT (RFC 5482's value), 0 = off */
  LTCP_SO_KEEPALIVE,     /**< 1: keep-alive probes on an idle connection (RFC 9293 §3.8.4). Off */
  LTCP_TCP_KEEPIDLE,     /**< seconds of silence before the first probe, 1..32767. Default 7200 */
  LTCP_TCP_KEEPINTVL,    /**< seconds between probes, 1..32767. Default 75 */
  LTCP_TCP_KEEPCNT,      /**< unanswered probes before ETIMEDOUT, 1..127. Default 9 */
  LTCP_TCP_CONGESTION    /**< LTCP_CC_CUBIC or LTCP_CC_NEWRENO (stack.h); default cfg.congestion */
} ltcp_sockopt;
int ltcp_setsockopt(ltcp_stack *st, int fd, ltcp_sockopt opt, int value);
int ltcp_getsockopt(ltcp_stack *st, int fd, ltcp_sockopt opt, int *value);

/** Readiness, with Linux's bit values. */
#define LTCP_POLLIN 0x001
#define LTCP_POLLOUT 0x004
#define LTCP_POLLERR 0x008
#define LTCP_POLLHUP 0x010
#define LTCP_POLLRDHUP 0x2000
typedef struct ltcp_pollfd {
  int fd;
  short events;
  short revents;
} ltcp_pollfd;
/** Fills revents for each entry (POLLERR and POLLHUP always reported); returns how many have
 * revents != 0. Never waits. */
int ltcp_poll(ltcp_stack *st, ltcp_pollfd *fds, size_t nfds);

/** Fills *info; ENOTCONN if the socket has no connection (after a reset, the last state). */
int ltcp_status(ltcp_stack *st, int fd, ltcp_tcp_info *info);

#ifdef __cplusplus
}
#endif
#endif
