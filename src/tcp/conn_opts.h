/* Per-connection options a socket sets, a TCB keeps and a listener's children inherit:
 * TCP_NODELAY, keep-alive and its parameters, the congestion control algorithm. The ranges are
 * Linux's (TCP_KEEPIDLE and TCP_KEEPINTVL 1..32767 s, TCP_KEEPCNT 1..127). */
#ifndef LTCP_TCP_CONN_OPTS_H
#define LTCP_TCP_CONN_OPTS_H

#include <stdint.h>

#include "lucidtcp/config.h"

typedef struct ltcp_engine ltcp_engine;
typedef struct ltcp_tcb ltcp_tcb;

typedef struct ltcp_conn_opts {
  uint8_t nodelay;         /* TCP_NODELAY: 1 turns Nagle's algorithm off */
  uint8_t keepalive;       /* SO_KEEPALIVE */
  uint8_t congestion;      /* TCP_CONGESTION: LTCP_CC_CUBIC or LTCP_CC_NEWRENO (tcp/cc.h) */
  uint8_t keep_cnt;        /* TCP_KEEPCNT */
  uint16_t keep_idle_s, keep_intvl_s; /* TCP_KEEPIDLE, TCP_KEEPINTVL */
} ltcp_conn_opts;

/* The socket defaults: TCP_NODELAY, the algorithm and keep-alive's parameters from the stack
 * config, keep-alive off. */
void ltcp_conn_opts_default(ltcp_conn_opts *o, const ltcp_stack_config *cfg);
/* An awake connection takes o's TCP_NODELAY and keep-alive settings: keep-alive re-armed
 * (keepalive_on_now: just enabled, so the first probe comes keep_idle_s from now), what
 * Nagle held sent when TCP_NODELAY was turned on. (The algorithm changes through
 * ltcp_cc_select, tcp/cc.h.) */
void ltcp_conn_opts_set(ltcp_engine *eng, ltcp_tcb *tcb, const ltcp_conn_opts *o,
                        int keepalive_on_now);

#endif
