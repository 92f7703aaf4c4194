/* lucidtcp script: the stack a script runs against, and the timing tolerance. */
#include "script/state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A FreeBSD script: any backtick command that names one of FreeBSD's sysctl trees. */
static sc_dialect state_dialect(const sc_script *s) {
  for (const sc_event *e = s->events; e; e = e->next)
    if (e->kind == SC_EV_COMMAND && (strstr(e->text, "net.inet.") || strstr(e->text, "kern.ipc.")))
      return SC_DIALECT_FREEBSD;
  return SC_DIALECT_LINUX;
}

/* FreeBSD's defaults (sys/netinet/tcp_*.c, 14.x), where lucidtcp has the setting. */
static void state_freebsd(ltcp_stack_config *c) {
  c->delayed_ack_ns = LTCP_MS(40);   /* net.inet.tcp.delacktime */
  c->delayed_ack_segments = 1;       /* tcp_input(): an ACK for every second segment */
  c->nodelay = 0;
  c->window_scale = c->timestamps = 1; /* net.inet.tcp.rfc1323 */
  c->sack = 1;                       /* net.inet.tcp.sack.enable */
  c->rcvbuf = 65536;                 /* net.inet.tcp.recvspace */
  c->sndbuf = 32768;                 /* net.inet.tcp.sendspace */
  c->rcvbuf_max = 2097152;           /* kern.ipc.maxsockbuf */
  c->rcvbuf_round_mss = 1;           /* tcp_mss(): buffers in whole segments */
  c->window_bsd = 1;                 /* tcp_output(): all the free space offered */
  c->rto_min_ns = LTCP_MS(30);       /* net.inet.tcp.rexmit_min */
  c->rfc1337 = 1;                    /* tcp_twcheck(): an RST never ends TIME-WAIT */
  c->keepalive_probes = 8;           /* net.inet.tcp.keepcnt */
}

void sc_stack_config(sc_run *r) {
  ltcp_stack_config_default(&r->cfg);
  r->cfg.addr = r->o.local_ip;
  if (r->o.ipv6) memcpy(r->cfg.addr6, r->o.local_ip6, 16); /* IPv4 stays: one stack, both */
  r->cfg.mtu = r->o.mtu;
  r->cfg.event_capacity = 4096;
  r->dialect = state_dialect(r->script);
  if (r->dialect == SC_DIALECT_FREEBSD) {
    state_freebsd(&r->cfg);
    return;
  }
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
  ltcp_stack *st = ltcp_stack_new(&r->cfg);
  if (!st) return -1; /* the old stack stays */
  ltcp_time_ns now = r->st ? ltcp_stack_now(r->st) : 0;
  ltcp_stack_free(r->st);
  r->st = st;
  ltcp_stack_advance(st, now);
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
