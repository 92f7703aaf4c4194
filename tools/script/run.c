/* lucidtcp script: the executor. Events run in order in virtual time; between them the stack's
 * timers run, what it sends is queued for the '>' lines, and a blocking call is retried until
 * it completes or its time is up. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script/run.h"

/* ---- results ---- */

static void res_append(char *buf, size_t cap, const char *fmt, va_list ap) {
  size_t used = strlen(buf);
  if (used + 1 >= cap) return;
  vsnprintf(buf + used, cap - used, fmt, ap);
  used = strlen(buf);
  if (used + 1 < cap) {
    buf[used] = '\n';
    buf[used + 1] = '\0';
  }
}

static void res_end(sc_run *r, script_outcome outcome, int line, const char *fmt, va_list ap) {
  if (r->done) return;
  r->done = 1;
  r->res->outcome = outcome;
  r->res->line = line;
  vsnprintf(r->res->reason, sizeof r->res->reason, fmt, ap);
}

void sc_fail(sc_run *r, int line, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  res_end(r, SCRIPT_FAIL, line, fmt, ap);
  va_end(ap);
}

void sc_skip(sc_run *r, int line, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  res_end(r, SCRIPT_SKIP, line, fmt, ap);
  va_end(ap);
}

void sc_detail(sc_run *r, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  res_append(r->res->detail, sizeof r->res->detail, fmt, ap);
  va_end(ap);
}

void sc_note(sc_run *r, int line, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  size_t used = strlen(r->res->notes);
  if (used + 1 < sizeof r->res->notes)
    snprintf(r->res->notes + used, sizeof r->res->notes - used, "note: %s:%d: %s\n",
             r->script->name, line, msg);
  sc_trace(r, "note: line %d: %s", line, msg);
}

void sc_trace(sc_run *r, const char *fmt, ...) {
  if (!r->o.trace) return;
  char t[32];
  va_list ap;
  va_start(ap, fmt);
  fprintf(r->o.trace, "  %12s  ", sc_fmt_time(r->st ? ltcp_stack_now(r->st) : 0, t));
  vfprintf(r->o.trace, fmt, ap);
  fputc('\n', r->o.trace);
  va_end(ap);
}

const char *sc_fmt_time(ltcp_time_ns t, char *buf) {
  snprintf(buf, 32, "%llu.%06llu", (unsigned long long)(t / 1000000000u),
           (unsigned long long)(t % 1000000000u / 1000u));
  return buf;
}

ltcp_time_ns sc_tolerance(const sc_run *r, ltcp_time_ns t) {
  ltcp_time_ns tol = (ltcp_time_ns)r->o.tolerance_us * 1000u;
  if (r->o.tolerance_percent > 0 && t > r->last_t) {
    ltcp_time_ns pct = (ltcp_time_ns)((double)(t - r->last_t) * r->o.tolerance_percent / 100.0);
    if (pct > tol) tol = pct;
  }
  return tol;
}

/* ---- options ---- */

void script_options_default(script_options *o) {
  memset(o, 0, sizeof *o);
  o->tolerance_us = 4000;
  o->local_ip = LTCP_IPV4(192, 168, 0, 1);
  o->remote_ip = LTCP_IPV4(192, 0, 2, 1);
  o->mtu = 1500;
  o->bind_port = 8080;
  o->connect_port = 8080;
}

static int opt_number(const char *v, double lo, double hi, double *out) {
  char *end;
  if (!v || !*v) return -1;
  errno = 0;
  double x = strtod(v, &end);
  if (errno || *end || x < lo || x > hi) return -1;
  *out = x;
  return 0;
}

/* packetdrill options that mean nothing in virtual time. */
static const char *const opt_ignored[] = {"speed", "gateway_ip", "netmask_ip", "init_scripts",
                                          "verbose", "debug", "dry_run", "non_fatal",
                                          "so_filename", "so_flags", "wire_client",
                                          "wire_server", "wire_server_ip", "wire_server_port",
                                          "wire_client_dev", "wire_server_dev"};

static int opt_error(char *err, size_t cap, const char *fmt, const char *name, const char *value) {
  snprintf(err, cap, fmt, name, value ? value : "");
  return -1;
}

static int opt_apply_value(script_options *o, const char *name, const char *v, char *err, size_t cap) {
  double x;
  uint32_t addr;
  const char *bad = "--%s: bad value '%s'";
  if (strcmp(name, "tolerance_usecs") == 0) {
    if (opt_number(v, 0, 1e9, &x)) return opt_error(err, cap, bad, name, v);
    o->tolerance_us = (int64_t)x;
  } else if (strcmp(name, "tolerance_percent") == 0) {
    if (opt_number(v, 0, 1000, &x)) return opt_error(err, cap, bad, name, v);
    o->tolerance_percent = x;
  } else if (strcmp(name, "mtu") == 0) {
    if (opt_number(v, 576, 65535, &x)) return opt_error(err, cap, "--%s: '%s' is not an MTU from 576 to 65535", name, v);
    o->mtu = (uint16_t)x;
  } else if (strcmp(name, "bind_port") == 0 || strcmp(name, "connect_port") == 0) {
    if (opt_number(v, 1, 65535, &x)) return opt_error(err, cap, bad, name, v);
    if (name[0] == 'b') o->bind_port = (uint16_t)x;
    else o->connect_port = (uint16_t)x;
  } else if (strcmp(name, "local_ip") == 0 || strcmp(name, "remote_ip") == 0) {
    if (!v || ltcp_ipv4_parse_text(v, &addr) != 0) {
      if (v && strchr(v, ':')) {
        snprintf(err, cap, "unsupported: IPv6 address '%s' (lucidtcp is IPv4 only for now)", v);
        return 1;
      }
      return opt_error(err, cap, "--%s: '%s' is not an IPv4 address", name, v);
    }
    if (name[0] == 'l') o->local_ip = addr;
    else o->remote_ip = addr;
  } else {
    return opt_error(err, cap, "unknown option --%s%s", name, "");
  }
  return 0;
}

int script_option_apply(script_options *o, const char *name, const char *value, char *err,
                        size_t errcap) {
  if (strcmp(name, "ip_version") == 0) {
    if (value && strcmp(value, "ipv4") == 0) return 0;
    if (value && (strcmp(value, "ipv6") == 0 || strcmp(value, "ipv4-mapped-ipv6") == 0)) {
      snprintf(err, errcap, "unsupported: --ip_version=%s (lucidtcp is IPv4 only for now)", value);
      return 1;
    }
    return opt_error(err, errcap, "--%s: '%s' is not ipv4, ipv6 or ipv4-mapped-ipv6", name, value);
  }
  if (strcmp(name, "define") == 0 || strcmp(name, "D") == 0) {
    if (!value || sc_defines_add(&o->defines, value))
      return opt_error(err, errcap, "--%s: bad or too many names ('%s')", name, value);
    return 0;
  }
  for (size_t i = 0; i < sizeof opt_ignored / sizeof opt_ignored[0]; i++)
    if (strcmp(name, opt_ignored[i]) == 0) return 0;
  return opt_apply_value(o, name, value, err, errcap);
}

/* ---- the stack ---- */

static void run_config(sc_run *r) {
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

sc_conn *sc_conn_find(sc_run *r, uint64_t id) {
  for (size_t i = 0; i < SC_MAX_CONNS; i++)
    if (r->conns[i].used && r->conns[i].id == id) return &r->conns[i];
  return NULL;
}

/* A slot for a new connection: a free one, else the oldest closed one, else the oldest. */
static sc_conn *conn_slot(sc_run *r) {
  sc_conn *best = NULL;
  for (size_t i = 0; i < SC_MAX_CONNS; i++) {
    sc_conn *c = &r->conns[i];
    if (!c->used) return c;
    int closed = c->state == LTCP_CLOSED, best_closed = best && best->state == LTCP_CLOSED;
    if (!best || (closed && !best_closed) || (closed == best_closed && c->order < best->order)) best = c;
  }
  return best;
}

static void run_events(sc_run *r) {
  ltcp_event ev;
  for (uint32_t i = 0; i < 100000 && ltcp_stack_next_event(r->st, &ev); i++) {
    if (ev.kind != LTCP_EV_STATE) continue;
    sc_conn *c = sc_conn_find(r, ev.conn_id);
    if (!c) {
      c = conn_slot(r);
      memset(c, 0, sizeof *c);
      c->used = 1;
      c->id = ev.conn_id;
      c->order = ++r->conn_order;
    }
    c->local = ev.local;
    c->remote = ev.remote;
    c->state = ev.new_state;
    c->fd = ev.fd;
    sc_trace(r, "%s -> %s (connection %llu)", ltcp_state_name(ev.old_state),
             ltcp_state_name(ev.new_state), (unsigned long long)ev.conn_id);
  }
}

static void run_collect(sc_run *r) {
  const uint8_t *pkt;
  size_t len;
  for (uint32_t i = 0; i < 100000 && (len = ltcp_stack_tx_peek(r->st, &pkt)) > 0; i++) {
    if (r->out_count == SC_OUTQ_CAP) {
      r->out_lost++;
    } else {
      sc_outpkt *o = &r->outq[(r->out_head + r->out_count++) % SC_OUTQ_CAP];
      o->t = ltcp_stack_now(r->st);
      o->len = len;
      o->bytes = malloc(len);
      if (!o->bytes) abort();
      memcpy(o->bytes, pkt, len);
      if (r->o.trace) sc_packet_trace(r, pkt, len);
    }
    ltcp_stack_tx_pop(r->st);
  }
  run_events(r);
}

void sc_settle(sc_run *r) {
  sc_stack(r);
  run_collect(r);
  if (!r->call.active || r->done) return;
  sc_syscall_retry(r);
  run_collect(r);
}

static void run_blocked_too_long(sc_run *r) {
  char a[32], b[32], c[32];
  const sc_call *k = &r->call;
  if (!k->ev->time.blocking)
    sc_fail(r, k->ev->line, "%s() blocks at %s s; the script expects it to return at once (t1...t2 "
            "marks a call that blocks)", k->def->name, sc_fmt_time(k->start, a));
  else
    sc_fail(r, k->ev->line, "%s() still blocks at %s s; the script expects it to return at %s s",
            k->def->name, sc_fmt_time(sc_now(r), a), sc_fmt_time(k->end, b));
  sc_detail(r, "expected  %12s  returns", sc_fmt_time(k->end, c));
  sc_detail(r, "actual    %12s  still blocked (tolerance %s s)", sc_fmt_time(sc_now(r), a),
            sc_fmt_time(k->deadline - k->end, b));
}

void sc_run_until(sc_run *r, ltcp_time_ns t, int stop_on_output) {
  ltcp_stack *st = sc_stack(r);
  sc_settle(r);
  for (uint32_t i = 0; !r->done; i++) {
    if (stop_on_output && r->out_count) return;
    if (i == SC_STEP_LIMIT) {
      char a[32];
      sc_fail(r, r->ev ? r->ev->line : 0, "more than %d timer expiries before %s s", SC_STEP_LIMIT,
              sc_fmt_time(t, a));
      return;
    }
    ltcp_time_ns now = ltcp_stack_now(st), d = ltcp_stack_next_deadline(st);
    if (r->call.active) {
      if (r->call.deadline < d) d = r->call.deadline;
      if (r->call.wake < d) d = r->call.wake;
    }
    if (d > t) d = t;
    if (d < now) d = now;
    ltcp_stack_advance(st, d);
    sc_settle(r);
    if (r->call.active && d >= r->call.deadline && !r->done) run_blocked_too_long(r);
    if (d >= t) return;
  }
}

static void run_wait_call(sc_run *r) {
  for (int i = 0; i < 4 && r->call.active && !r->done; i++) sc_run_until(r, r->call.deadline, 0);
}

/* ---- events ---- */

/* When the script says an event starts, and ends (t1~t2, t1...t2; else the start). */
static ltcp_time_ns run_event_time(const sc_run *r, const sc_time *tm, int end) {
  int64_t us = end && (tm->range || tm->blocking) ? tm->end_us : tm->us;
  if (tm->kind == SC_TIME_ABSOLUTE) return (ltcp_time_ns)us * 1000u;
  return r->last_t + (tm->kind == SC_TIME_RELATIVE ? (ltcp_time_ns)us * 1000u : 0);
}

static void run_event(sc_run *r, const sc_event *ev) {
  r->ev = ev;
  ltcp_time_ns t = run_event_time(r, &ev->time, 0), end = run_event_time(r, &ev->time, 1);
  if (ev->kind == SC_EV_PACKET && ev->packet->dir == '>') {
    sc_packet_expect(r, ev, t, end); /* sets last_t to when the packet was sent */
    return;
  }
  sc_run_until(r, t, 0);
  if (ev->kind == SC_EV_SYSCALL) run_wait_call(r);
  if (r->done) return;
  r->last_t = sc_now(r);
  if (end < r->last_t) end = r->last_t;
  switch (ev->kind) {
    case SC_EV_PACKET: sc_packet_inject(r, ev, sc_now(r)); break;
    case SC_EV_SYSCALL: sc_syscall_run(r, ev, end); break;
    case SC_EV_COMMAND: sc_command_run(r, ev); break;
    case SC_EV_CODE: sc_code_run(r, ev); break;
  }
}

static void run_options(sc_run *r) {
  char err[256];
  for (const sc_option *o = r->script->options; o && !r->done; o = o->next) {
    int rc = script_option_apply(&r->o, o->name, o->value, err, sizeof err);
    if (rc < 0) sc_fail(r, o->line, "%s", err);
    else if (rc > 0) sc_skip(r, o->line, "%s", err);
  }
}

static void run_script(sc_run *r) {
  run_options(r);
  if (r->done) return;
  run_config(r);
  sc_stack(r);
  for (const sc_event *ev = r->script->events; ev && !r->done; ev = ev->next) {
    run_event(r, ev);
    r->res->events++;
  }
  run_wait_call(r);
}

static void run_free(sc_run *r) {
  for (size_t i = 0; i < r->out_count; i++) free(r->outq[(r->out_head + i) % SC_OUTQ_CAP].bytes);
  ltcp_stack_free(r->st);
  free(r);
}

void script_run_text(const char *name, const char *text, size_t len, const script_options *o,
                     script_result *res) {
  memset(res, 0, sizeof *res);
  sc_error err;
  sc_script *s = sc_parse(name, text, len, &o->defines, &err);
  if (!s) {
    res->outcome = err.unsupported ? SCRIPT_SKIP : SCRIPT_FAIL;
    res->line = err.line;
    snprintf(res->reason, sizeof res->reason, "%s%s", err.unsupported ? "" : "syntax: ", err.msg);
    return;
  }
  sc_run *r = calloc(1, sizeof *r);
  if (!r) abort();
  r->script = s;
  r->o = *o;
  r->res = res;
  r->under_test = -1;
  run_script(r);
  if (!r->done) res->outcome = SCRIPT_PASS;
  res->end_ns = r->st ? ltcp_stack_now(r->st) : 0;
  run_free(r);
  sc_script_free(s);
}

void script_run_file(const char *path, const script_options *o, script_result *res) {
  FILE *f = fopen(path, "rb");
  char *text = NULL;
  size_t len = 0, cap = 0;
  if (f) {
    for (;;) {
      if (cap - len < 4096) {
        cap = cap ? cap * 2 : 16384;
        text = realloc(text, cap);
        if (!text) abort();
      }
      size_t n = fread(text + len, 1, cap - len, f);
      len += n;
      if (n == 0) break;
    }
  }
  if (!f || ferror(f) || len > 16 * 1024 * 1024) {
    memset(res, 0, sizeof *res);
    res->outcome = SCRIPT_FAIL;
    snprintf(res->reason, sizeof res->reason, "cannot read: %s", f && len > 16 * 1024 * 1024 ? "larger than 16 MiB" : strerror(errno));
  } else {
    script_run_text(path, text, len, o, res);
  }
  if (f) fclose(f);
  free(text);
}

static void report_lines(FILE *out, const char *text) {
  const char *p = text;
  while (*p) {
    const char *nl = strchr(p, '\n');
    size_t n = nl ? (size_t)(nl - p) : strlen(p);
    fprintf(out, "  %.*s\n", (int)n, p);
    p += n + (nl ? 1 : 0);
  }
}

void script_report(FILE *out, const char *name, const script_result *r) {
  static const char *const word[] = {"PASS", "FAIL", "SKIP"};
  if (r->outcome == SCRIPT_PASS) fprintf(out, "PASS %s\n", name);
  else if (r->line > 0) fprintf(out, "%s %s:%d: %s\n", word[r->outcome], name, r->line, r->reason);
  else fprintf(out, "%s %s: %s\n", word[r->outcome], name, r->reason);
  report_lines(out, r->detail);
  report_lines(out, r->notes);
}
