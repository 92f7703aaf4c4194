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

/** Opens a TCP socket.
 * @param st the stack
 * @return a descriptor >= 0, or -1 (EMFILE) */
int ltcp_socket(ltcp_stack *st);
/** Binds to a local port: any address (family LTCP_AF_INET with addr 0, or LTCP_AF_INET6 with
 * "::"; a listener then takes both families unless LTCP_IPV6_V6ONLY), or the stack's IPv4 or
 * IPv6 address (that family only). Port 0 picks an ephemeral port.
 * EADDRINUSE if another socket holds the port (or a connection does, without SO_REUSEADDR).
 * @param st the stack
 * @param fd the socket
 * @param local the address and port
 * @return 0, or -1 with errno set */
int ltcp_bind(ltcp_stack *st, int fd, const ltcp_endpoint *local);
/** RFC 9293 passive OPEN.
 * @param st the stack
 * @param fd a bound socket
 * @param backlog bounds the connections not yet accepted (SYN-RECEIVED included)
 * @return 0, or -1 with errno set */
int ltcp_listen(ltcp_stack *st, int fd, int backlog);
/** Takes an established connection from a listener.
 * @param st the stack
 * @param fd the listener
 * @param peer when not NULL, receives the remote endpoint
 * @return a new descriptor, or -1 (EAGAIN, EINVAL) */
int ltcp_accept(ltcp_stack *st, int fd, ltcp_endpoint *peer);
/** RFC 9293 active OPEN: sends a SYN. The socket turns writable when ESTABLISHED; SO_ERROR
 * (ltcp_socket_error) then tells success or the error.
 * @param st the stack
 * @param fd the socket (bound or not: an ephemeral port is picked)
 * @param remote the peer
 * @return -1 with EINPROGRESS, or -1 with another errno when the SYN cannot be sent */
int ltcp_connect(ltcp_stack *st, int fd, const ltcp_endpoint *remote);
/** RFC 9293 SEND: copies up to len bytes into the send buffer (also in SYN-SENT, before the
 * handshake ends).
 * @param st the stack
 * @param fd the socket
 * @param buf the bytes
 * @param len how many
 * @param flags 0
 * @return the count taken, or -1 (EAGAIN when the buffer is full, EPIPE after shutdown or
 *   close, ENOTCONN, ECONNRESET...) */
ssize_t ltcp_send(ltcp_stack *st, int fd, const void *buf, size_t len, int flags);
/** SEND without a copy: lends the len bytes at buf to the connection, after the bytes queued
 * before (by ltcp_send or ltcp_send_zc, in call order). The stack reads them in place while it
 * sends and resends them, and lets go of them once: it calls release(ctx, buf, len, status)
 * when the peer has acknowledged the last byte (status 0: they can no longer be sent again)
 * or when the connection ends before (status ECONNRESET, ETIMEDOUT, ECONNABORTED...), the
 * stack is freed (ECANCELED) included; buffers on one connection are released in the order
 * sent. Until then the bytes must stay valid and unchanged; closing the socket does not
 * release them (the connection sends them first, as it would copied bytes). release runs
 * inside a stack call (ltcp_stack_input, ltcp_stack_advance, ltcp_abort, ltcp_stack_free...)
 * and must not call the stack. The buffer is taken whole when the send buffer has any room:
 * lent bytes count in SO_SNDBUF (for writability, as copied ones), which one buffer may
 * overfill; they are the caller's memory and not counted in the stack's buffer budget
 * (cfg.mem_limit). At most cfg.zc_refs buffers are lent in the whole stack at once.
 * @param st the stack
 * @param fd the socket
 * @param buf the bytes; the stack reads them until release
 * @param len how many (at most LTCP_BUF_MAX); 0 takes nothing and returns 0
 * @param release called once when the stack lets go of buf (may be NULL: nothing to call)
 * @param ctx release's first argument
 * @return len (the stack holds buf until release), or -1 (nothing taken, release is never
 *   called for it): EAGAIN when the send buffer is full, ENOBUFS when cfg.zc_refs buffers are
 *   lent, EMSGSIZE, and ltcp_send's errors */
ssize_t ltcp_send_zc(ltcp_stack *st, int fd, const void *buf, size_t len,
                     ltcp_zc_release_fn release, void *ctx);
/** Flag for ltcp_recv: leave the bytes in the receive buffer. */
#define LTCP_MSG_PEEK 0x2
/** RFC 9293 RECEIVE: copies up to len bytes.
 * @param st the stack
 * @param fd the socket
 * @param buf where the bytes go
 * @param len its size
 * @param flags 0 or LTCP_MSG_PEEK
 * @return the count, 0 at end of stream (the peer's FIN was read, or the connection went with no
 *   error to report), or -1 (EAGAIN when nothing is there yet, ENOTCONN, ECONNRESET,
 *   ETIMEDOUT...) */
ssize_t ltcp_recv(ltcp_stack *st, int fd, void *buf, size_t len, int flags);
/** RECEIVE without a copy: lends the receive buffer's next contiguous bytes. The stack keeps
 * owning them; they stay valid, unchanged, until the stack is given input or time
 * (ltcp_stack_input, ltcp_stack_advance) or this socket is read, consumed, shut down or closed;
 * ltcp_send on any socket leaves them in place, so a relay or an echo sends them on without a
 * copy of its own. Read them in place, then say how many were read with ltcp_recv_consume,
 * which opens the window as ltcp_recv does. Bytes that wrap around the end of the buffer come by a second call
 * once these are consumed; nothing is read until consumed, so calling twice lends the same bytes.
 * @param st the stack
 * @param fd the socket
 * @param data receives a pointer to the first byte (set only when the count is above 0)
 * @return how many bytes are lent, 0 at end of stream, or -1 (errno as ltcp_recv) */
ssize_t ltcp_recv_peek(ltcp_stack *st, int fd, const void **data);
/** Ends a zero-copy read: the first n bytes of the receive buffer (those ltcp_recv_peek lent, or
 * fewer) are read and leave it, as ltcp_recv would take them.
 * @param st the stack
 * @param fd the socket
 * @param n how many bytes were read (0 is allowed)
 * @return 0, or -1 (EINVAL when fewer than n bytes are buffered, EBADF, ENOMEM) */
int ltcp_recv_consume(ltcp_stack *st, int fd, size_t n);

#define LTCP_SHUT_RD 0   /**< ltcp_shutdown: stop receiving */
#define LTCP_SHUT_WR 1   /**< ltcp_shutdown: stop sending (a FIN) */
#define LTCP_SHUT_RDWR 2 /**< ltcp_shutdown: both */
/** SHUT_WR issues RFC 9293 CLOSE (a FIN after queued data) and keeps the socket for reading;
 * SHUT_RD discards what arrives from now on. CLOSE before the handshake ends (SYN-SENT) gives
 * the connection up, as RFC 9293 §3.10.4 says: wait until the socket is writable.
 * @param st the stack
 * @param fd the socket
 * @param how LTCP_SHUT_RD, LTCP_SHUT_WR or LTCP_SHUT_RDWR
 * @return 0, or -1 with errno set */
int ltcp_shutdown(ltcp_stack *st, int fd, int how);
/** Releases the descriptor. A connection is closed gracefully (RFC 9293 CLOSE) and lives on in
 * the stack until CLOSED (TIME-WAIT included); with unread data it is reset instead
 * (RFC 1122 4.2.2.13), unless the stack's rst_on_unread_close is 0.
 * @param st the stack
 * @param fd the socket
 * @return 0, or -1 with errno set */
int ltcp_close(ltcp_stack *st, int fd);
/** RFC 9293 ABORT: sends RST where the state calls for it and releases the descriptor.
 * @param st the stack
 * @param fd the socket
 * @return 0, or -1 with errno set */
int ltcp_abort(ltcp_stack *st, int fd);

/** The socket's own address and port.
 * @param st the stack
 * @param fd the socket
 * @param local receives them
 * @return 0, or -1 with errno set */
int ltcp_getsockname(ltcp_stack *st, int fd, ltcp_endpoint *local);
/** The peer's address and port.
 * @param st the stack
 * @param fd a connected socket
 * @param remote receives them
 * @return 0, or -1 with errno set (ENOTCONN) */
int ltcp_getpeername(ltcp_stack *st, int fd, ltcp_endpoint *remote);

/** Pending error (as SO_ERROR), which this call clears.
 * @param st the stack
 * @param fd the socket
 * @return a positive errno, or 0 */
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
  LTCP_TCP_CONGESTION,   /**< LTCP_CC_CUBIC or LTCP_CC_NEWRENO (stack.h); default cfg.congestion */
  LTCP_IPV6_V6ONLY       /**< 1: a socket bound to any address listens (and connects) over IPv6
                          * only (RFC 3493 §5.3); 0 (default): a listener on any address takes
                          * both families. Before listen or connect */
} ltcp_sockopt;
/** Sets an option.
 * @param st the stack
 * @param fd the socket
 * @param opt the option
 * @param value its value
 * @return 0, or -1 with errno set (EINVAL for a value out of range, ENOPROTOOPT) */
int ltcp_setsockopt(ltcp_stack *st, int fd, ltcp_sockopt opt, int value);
/** Reads an option.
 * @param st the stack
 * @param fd the socket
 * @param opt the option
 * @param value receives its value
 * @return 0, or -1 with errno set */
int ltcp_getsockopt(ltcp_stack *st, int fd, ltcp_sockopt opt, int *value);

/** Readiness, with Linux's bit values: something to read (or a connection to accept). */
#define LTCP_POLLIN 0x001
#define LTCP_POLLOUT 0x004   /**< room to send (ESTABLISHED) */
#define LTCP_POLLERR 0x008   /**< an error is pending (ltcp_socket_error) */
#define LTCP_POLLHUP 0x010   /**< both directions are closed, or the connection is gone */
#define LTCP_POLLRDHUP 0x2000 /**< the peer closed its direction (its FIN) */
/** One socket's entry for ltcp_poll. */
typedef struct ltcp_pollfd {
  int fd;        /**< the socket */
  short events;  /**< what the caller waits for: LTCP_POLLIN, LTCP_POLLOUT, ... */
  short revents; /**< what is ready, filled by ltcp_poll */
} ltcp_pollfd;
/** Fills revents for each entry (POLLERR and POLLHUP always reported). Never waits.
 * @param st the stack
 * @param fds the entries
 * @param nfds how many
 * @return how many have revents != 0 */
int ltcp_poll(ltcp_stack *st, ltcp_pollfd *fds, size_t nfds);

/** RFC 9293 STATUS: the connection's state and variables.
 * @param st the stack
 * @param fd the socket
 * @param info receives them
 * @return 0, or -1 with errno set (ENOTCONN if the socket has no connection; after a reset, the
 *   last state) */
int ltcp_status(ltcp_stack *st, int fd, ltcp_tcp_info *info);

#ifdef __cplusplus
}
#endif
#endif
