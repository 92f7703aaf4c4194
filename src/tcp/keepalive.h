/* Keep-alive (RFC 9293 §3.8.4, RFC 1122 §4.2.3.6): off by default; when on, an idle
 * connection is probed and ends with ETIMEDOUT when the peer stays silent. */
#ifndef LTCP_TCP_KEEPALIVE_H
#define LTCP_TCP_KEEPALIVE_H

#include "tcp/tcb.h"

/* Linux's defaults: 2 h idle (RFC 1122 4.2.3.6: no less than two hours), 75 s apart, 9 probes. */
#define LTCP_KEEPALIVE_IDLE_S 7200u
#define LTCP_KEEPALIVE_INTVL_S 75u
#define LTCP_KEEPALIVE_CNT 9u

/* The socket defaults (TCP_NODELAY from the stack config, keep-alive off with Linux's values). */
void ltcp_conn_opts_default(ltcp_conn_opts *o, const ltcp_stack_config *cfg);
/* A segment arrived and passed the acceptability test: the peer is alive. */
void ltcp_keepalive_heard(ltcp_stack *st, ltcp_tcb *tcb);
/* The connection is ESTABLISHED: the first probe goes after keep_idle_s of silence. */
void ltcp_keepalive_start(ltcp_stack *st, ltcp_tcb *tcb);
/* Applies tcb->opts after a change of SO_KEEPALIVE or its parameters (enabled: first probe
 * after keep_idle_s of silence) and sends what Nagle held when TCP_NODELAY was turned on. */
void ltcp_conn_opts_apply(ltcp_stack *st, ltcp_tcb *tcb, int keepalive_on_now);
/* The keep-alive timer expired: probe, give up (ETIMEDOUT), or wait longer. */
void ltcp_keepalive_expire(ltcp_stack *st, ltcp_tcb *tcb);

#endif
