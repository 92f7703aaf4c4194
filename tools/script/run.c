/* lucidtcp script: the executor, on top of its parts. Events run in order in virtual time;
 * between them the stack's timers run, what it sends is queued for the '>' lines, its state
 * events go to the connection table, and a blocking call is retried until it completes or its
 * time is up. The parts below (packet.c, syscall.c, shell.c, code.c) act on one event each and
 * never call back here. */
#include "script/script.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script/code.h"
#include "script/packet.h"
#include "script/report.h"
#include "script/shell.h"
#include "script/state.h"
#include "script/syscall.h"

#define SC_STEP_LIMIT 1000000  /* timer steps while waiting for one event */
#define SC_ANY_WAIT_NS LTCP_SEC(3600) /* how long '*' waits for an outbound packet */
#define SC_FILE_MAX (16u * 1024u * 1024u) /* a larger script is refused */

/* ---- what the stack sends and reports ---- */

static void run_events(sc_run *r) {
  ltcp_event ev;
  for (uint32_t i = 0; i < 100000 && ltcp_stack_next_event(r->st, &ev); i++) {
    if (ev.kind != LTCP_EV_STATE) continue;
    sc_conns_update(&r->conns, &ev);
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

/* Takes what the stack sent and its events, then lets a blocking call complete. */
static void run_settle(sc_run *r) {
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

/* Runs timers until t (and stops early, when stop_on_output, once a packet is queued). */
static void run_until(sc_run *r, ltcp_time_ns t, int stop_on_output) {
  ltcp_stack *st = sc_stack(r);
  run_settle(r);
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
    run_settle(r);
    if (r->call.active && d >= r->call.deadline && !r->done) run_blocked_too_long(r);
    if (d >= t) return;
  }
}

static void run_wait_call(sc_run *r) {
  for (int i = 0; i < 4 && r->call.active && !r->done; i++) run_until(r, r->call.deadline, 0);
}

/* ---- events ---- */

/* When the script says an event starts, and ends (t1~t2, t1...t2; else the start). */
static ltcp_time_ns run_event_time(const sc_run *r, const sc_time *tm, int end) {
  int64_t us = end && (tm->range || tm->blocking) ? tm->end_us : tm->us;
  if (tm->kind == SC_TIME_ABSOLUTE) return (ltcp_time_ns)us * 1000u;
  return r->last_t + (tm->kind == SC_TIME_RELATIVE ? (ltcp_time_ns)us * 1000u : 0);
}

/* A '>' line: the stack's next packet, sent within the line's window, must match it. t: when
 * the script expects it; end: the end of a t1~t2 range (else t). */
static void run_expect(sc_run *r, const sc_event *ev, ltcp_time_ns t, ltcp_time_ns end) {
  sc_window w = {.t = t, .lo = 0, .tol = sc_tolerance(r, t)};
  if (ev->time.kind == SC_TIME_ANY) {
    w.hi = sc_now(r) + SC_ANY_WAIT_NS;
  } else {
    w.lo = t > w.tol ? t - w.tol : 0;
    w.hi = end + w.tol;
  }
  if (r->out_lost) {
    sc_fail(r, ev->line, "the stack sent more than %d packets that no '>' line matched",
            SC_OUTQ_CAP);
    return;
  }
  run_until(r, w.hi, 1);
  if (r->done) return;
  if (r->out_count == 0) {
    sc_packet_check(r, ev, &w, NULL);
    return;
  }
  sc_outpkt o = r->outq[r->out_head];
  r->out_head = (r->out_head + 1) % SC_OUTQ_CAP;
  r->out_count--;
  r->last_t = o.t; /* the next relative time counts from when the packet was sent */
  sc_packet_check(r, ev, &w, &o);
  free(o.bytes);
}

/* A %{ }% block: its asserts read the socket under test. */
static void run_code(sc_run *r, const sc_event *ev) {
  ltcp_tcp_info info;
  int full;
  sc_under_test_status(r, &info, &full);
  sc_code_run(r, ev, &info, full);
}

static void run_event(sc_run *r, const sc_event *ev) {
  r->ev = ev;
  ltcp_time_ns t = run_event_time(r, &ev->time, 0), end = run_event_time(r, &ev->time, 1);
  if (ev->kind == SC_EV_PACKET && ev->packet->dir == '>') {
    run_expect(r, ev, t, end);
    return;
  }
  run_until(r, t, 0);
  if (ev->kind == SC_EV_SYSCALL) run_wait_call(r);
  if (r->done) return;
  r->last_t = sc_now(r);
  if (end < r->last_t) end = r->last_t;
  switch (ev->kind) {
    case SC_EV_PACKET:
      if (sc_packet_inject(r, ev, sc_now(r)) == 0) run_settle(r);
      break;
    case SC_EV_SYSCALL:
      if (sc_syscall_run(r, ev, end) == 0) run_settle(r);
      break;
    case SC_EV_COMMAND: sc_shell_run(r, ev); break;
    case SC_EV_CODE: run_code(r, ev); break;
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
  if (!r->done && r->o.ipv6 && r->o.mtu < 1280) /* RFC 8200 §5: every IPv6 link carries 1280 */
    sc_skip(r, 0, "unsupported: --mtu=%u with IPv6 (its minimum link MTU is 1280)", r->o.mtu);
  if (r->done) return;
  sc_stack_config(r);
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
  /* Bounded by SC_FILE_MAX: reading stops once the file is known to be too large. */
  while (f && len <= SC_FILE_MAX) {
    if (cap - len < 4096) {
      cap = cap ? cap * 2 : 16384;
      text = realloc(text, cap);
      if (!text) abort();
    }
    size_t n = fread(text + len, 1, cap - len, f);
    len += n;
    if (n == 0) break;
  }
  if (!f || ferror(f) || len > SC_FILE_MAX) {
    memset(res, 0, sizeof *res);
    res->outcome = SCRIPT_FAIL;
    snprintf(res->reason, sizeof res->reason, "cannot read: %s",
             f && len > SC_FILE_MAX ? "larger than 16 MiB" : strerror(errno));
  } else {
    script_run_text(path, text, len, o, res);
  }
  if (f) fclose(f);
  free(text);
}
