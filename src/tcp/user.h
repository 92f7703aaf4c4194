/* User calls (RFC 9293 §3.10.1-§3.10.6) on one connection, per state: what the socket layer
 * (sock/) asks of the engine. Each returns 0 (or a count) or a negative LTCP_E* code. */
#ifndef LTCP_TCP_USER_H
#define LTCP_TCP_USER_H

#include <stdint.h>

#include "lucidtcp/common.h"
#include "lucidtcp/tcp_info.h"
#include "tcp/conn_opts.h"
#include "tcp/tcb.h"

/* What a socket sets on its connection before OPEN: its descriptor (reported in events), the
 * endpoints (remote: zero for a listener), SO_SNDBUF, SO_RCVBUF, TCP_MAXSEG (the MSS we
 * announce), TCP_USER_TIMEOUT, and TCP_NODELAY, keep-alive and the algorithm. */
typedef struct ltcp_user_setup {
  int fd;
  ltcp_ep local, remote;
  uint32_t sndbuf, rcvbuf;
  uint16_t mss;
  uint32_t user_timeout_ms;
  ltcp_conn_opts opts;
} ltcp_user_setup;
/* A TCB fresh from ltcp_life_new takes the socket's settings. */
void ltcp_user_prepare(ltcp_tcb *tcb, const ltcp_user_setup *s);
/* The descriptor of the socket that now holds the connection, or -1 (it let go). */
void ltcp_user_set_fd(ltcp_tcb *tcb, int fd);
/* TCP_USER_TIMEOUT changed: from the next retransmission timer on (RFC 9293 §3.8.3). */
void ltcp_user_set_timeout(ltcp_tcb *tcb, uint32_t ms);
/* §3.10.1 OPEN, active: the TCB (endpoints set, in the host's table) sends its SYN. */
int ltcp_user_open_active(ltcp_engine *eng, ltcp_tcb *tcb);
/* §3.10.1 OPEN, passive: the TCB (in the host's listener table) listens, backlog slots. */
int ltcp_user_open_passive(ltcp_engine *eng, ltcp_tcb *tcb, uint32_t backlog);
/* A listener's backlog changes (listen() again). */
void ltcp_user_set_backlog(ltcp_tcb *lst, uint32_t backlog);
/* §3.10.2 SEND: bytes queued (and sent as the windows allow), or LTCP_EAGAIN / ENOTCONN /
 * EPIPE. */
int32_t ltcp_user_send(ltcp_engine *eng, ltcp_tcb *tcb, const uint8_t *data, uint32_t len);
/* SEND without a copy (tcp/zc.h): all len bytes (1..LTCP_BUF_MAX) at data are lent to the
 * connection, after what is queued, and released through release(ctx, ...) once, when the
 * peer acknowledged them (status 0) or the connection ended first. Taken whole when the send
 * buffer has any room. Returns len, or (nothing taken, release never called) LTCP_EAGAIN when
 * the buffer is full, LTCP_ENOBUFS when cfg.zc_refs buffers are lent, or SEND's errors. */
int32_t ltcp_user_send_zc(ltcp_engine *eng, ltcp_tcb *tcb, const uint8_t *data, uint32_t len,
                          ltcp_zc_release_fn release, void *ctx);
/* §3.10.3 RECEIVE: bytes copied, 0 at end of stream, or LTCP_EAGAIN / LTCP_ENOTCONN. */
int32_t ltcp_user_receive(ltcp_engine *eng, ltcp_tcb *tcb, uint8_t *buf, uint32_t len, int peek);
/* RECEIVE without a copy: the receive buffer's next contiguous bytes (*data set), valid until
 * the next call on the engine; 0 at end of stream, or LTCP_EAGAIN / LTCP_ENOTCONN. */
int32_t ltcp_user_receive_peek(ltcp_tcb *tcb, const uint8_t **data);
/* Ends it: the first n bytes (n <= what is buffered) are read, as RECEIVE reads them. Returns
 * 0, or LTCP_EINVAL when fewer are buffered. */
int32_t ltcp_user_receive_consume(ltcp_engine *eng, ltcp_tcb *tcb, uint32_t n);
/* SHUT_RD: what arrives from now on, and what is unread, is discarded. */
void ltcp_user_shutdown_read(ltcp_tcb *tcb);
/* §3.10.4 CLOSE: a FIN after the data queued (or the TCB deleted, per state). */
int ltcp_user_close(ltcp_engine *eng, ltcp_tcb *tcb);
/* §3.10.5 ABORT: RST where the state calls for it, then CLOSED with ECONNABORTED. */
void ltcp_user_abort(ltcp_engine *eng, ltcp_tcb *tcb);
/* The socket that held the connection is gone (close() returned): the TCB lives on, an orphan,
 * until CLOSED (RFC 9293 leaves that to the TCP; as Linux, an orphan in FIN-WAIT-2 waits only
 * cfg.fin_wait_2_timeout_ns). */
void ltcp_user_orphan(ltcp_engine *eng, ltcp_tcb *tcb);
/* §3.10.6 STATUS. */
void ltcp_user_status(const ltcp_engine *eng, const ltcp_tcb *tcb, ltcp_tcp_info *info);
/* STATUS and the timers' deadlines, for a listing of every connection (ltcp_stack_connections). */
void ltcp_user_conn_info(const ltcp_engine *eng, const ltcp_tcb *tcb, ltcp_conn_info *ci);
/* What poll() reports of a connection, before the socket adds its own shutdowns. */
typedef struct ltcp_user_ready {
  uint8_t listening;   /* LISTEN */
  uint8_t acceptable;  /* LISTEN with an ESTABLISHED child to accept */
  uint8_t opening;     /* SYN-SENT or SYN-RECEIVED: nothing to read or write yet */
  uint8_t readable;    /* data to read, or the peer's FIN (end of stream) */
  uint8_t peer_fin;    /* the peer's FIN arrived */
  uint8_t writable;    /* ESTABLISHED or CLOSE-WAIT, with room in the send buffer */
  uint8_t both_closed; /* the peer's FIN arrived and ours is queued */
} ltcp_user_ready;
void ltcp_user_readiness(const ltcp_engine *eng, const ltcp_tcb *tcb, ltcp_user_ready *r);

#endif
