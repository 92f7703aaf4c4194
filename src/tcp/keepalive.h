/* Keep-alive (RFC 9293 §3.8.4, RFC 1122 §4.2.3.6): off by default; when on, an idle
 * connection is probed and ends with ETIMEDOUT when the peer stays silent. The timer is
 * tcb->ka_at, the only one an asleep TCB keeps. Private to src/tcp/. */
#ifndef LTCP_TCP_KEEPALIVE_H
#define LTCP_TCP_KEEPALIVE_H

#include "tcp/tcb.h"

/* A segment arrived and passed the acceptability test: the peer is alive. */
void ltcp_keepalive_heard(ltcp_engine *eng, ltcp_tcb *tcb);
/* The connection is ESTABLISHED: the first probe goes after keep_idle_s of silence. */
void ltcp_keepalive_start(ltcp_engine *eng, ltcp_tcb *tcb);
/* Keep-alive was turned on or off, or its parameters changed (tcb->opts): re-arms the timer
 * (on_now: just turned on, so the first probe comes keep_idle_s from now, as Linux's
 * SO_KEEPALIVE). */
void ltcp_keepalive_rearm(ltcp_engine *eng, ltcp_tcb *tcb, int on_now);

#endif
