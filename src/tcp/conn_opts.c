/* Per-connection options (conn_opts.h). */
#include "tcp/conn_opts.h"

#include "tcp/engine.h"
#include "tcp/keepalive.h"
#include "tcp/output.h"
#include "tcp/timer.h"

void ltcp_conn_opts_default(ltcp_conn_opts *o, const ltcp_stack_config *cfg) {
  o->nodelay = cfg->nodelay != 0;
  o->congestion = cfg->congestion; /* tcp/cc.h */
  o->keepalive = 0; /* MUST-25: off by default; MUST-24: SO_KEEPALIVE turns it on */
  o->keep_idle_s = (uint16_t)(cfg->keepalive_idle_ns / LTCP_SEC(1));
  o->keep_intvl_s = (uint16_t)(cfg->keepalive_intvl_ns / LTCP_SEC(1));
  o->keep_cnt = (uint8_t)cfg->keepalive_probes;
}

void ltcp_conn_opts_set(ltcp_engine *eng, ltcp_tcb *tcb, const ltcp_conn_opts *o,
                        int keepalive_on_now) {
  if (tcb->dead) return;
  tcb->opts = *o;
  ltcp_keepalive_rearm(eng, tcb, keepalive_on_now);
  if (tcb->opts.nodelay && ltcp_tcb_synchronized(tcb->state)) ltcp_output(eng, tcb);
}
