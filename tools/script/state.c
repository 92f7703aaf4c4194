/* lucidtcp script: the stack a script runs against, and the timing tolerance. */
#include "script/state.h"

#include <stdio.h>
#include <stdlib.h>

void sc_stack_config(sc_run *r) {
  ltcp_stack_config_default(&r->cfg);
  r->cfg.addr = r->o.local_ip;
  r->cfg.mtu = r->o.mtu;
  r->cfg.event_capacity = 4096;
  /* The conformance scripts pin down one ACK per data segment and every write sent at once. */
  r->cfg.delayed_ack_ns = 0;
  r->cfg.nodelay = 1;
  /* Their SYNs carry only the MSS; net.ipv4.tcp_window_scaling / tcp_timestamps turn the
   * RFC 7323 options on. */
  r->cfg.window_scale = 0;
  r->cfg.timestamps = 0;
  r->cfg.sack = 0; /* net.ipv4.tcp_sack turns SACK-permitted on (RFC 2018) */
}

ltcp_stack *sc_stack(sc_run *r) {
  if (!r->st) {
    r->st = ltcp_stack_new(&r->cfg);
    if (!r->st) {
      fprintf(stderr, "lucidtcp script: cannot create a stack (out of memory?)\n");
      abort();
    }
  }
  return r->st;
}

int sc_stack_reconfigure(sc_run *r) {
  if (r->stack_used) return -1;
  ltcp_time_ns now = r->st ? ltcp_stack_now(r->st) : 0;
  ltcp_stack_free(r->st);
  r->st = NULL;
  ltcp_stack_advance(sc_stack(r), now);
  return 0;
}

ltcp_time_ns sc_now(sc_run *r) { return ltcp_stack_now(sc_stack(r)); }

ltcp_time_ns sc_tolerance(const sc_run *r, ltcp_time_ns t) {
  ltcp_time_ns tol = (ltcp_time_ns)r->o.tolerance_us * 1000u;
  if (r->o.tolerance_percent > 0 && t > r->last_t) {
    ltcp_time_ns pct = (ltcp_time_ns)((double)(t - r->last_t) * r->o.tolerance_percent / 100.0);
    if (pct > tol) tol = pct;
  }
  return tol;
}
