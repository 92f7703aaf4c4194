/* lucidtcp script: how a run ends and what it tells: failures, skips, detail and note lines,
 * the trace, and the printed result. */
#include "script/report.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void report_append(char *buf, size_t cap, const char *fmt, va_list ap) {
  size_t used = strlen(buf);
  if (used + 1 >= cap) return;
  vsnprintf(buf + used, cap - used, fmt, ap);
  used = strlen(buf);
  if (used + 1 < cap) {
    buf[used] = '\n';
    buf[used + 1] = '\0';
  }
}

static void report_end(sc_run *r, script_outcome outcome, int line, const char *fmt, va_list ap) {
  if (r->done) return;
  r->done = 1;
  r->res->outcome = outcome;
  r->res->line = line;
  vsnprintf(r->res->reason, sizeof r->res->reason, fmt, ap);
}

void sc_fail(sc_run *r, int line, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  report_end(r, SCRIPT_FAIL, line, fmt, ap);
  va_end(ap);
}

void sc_skip(sc_run *r, int line, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  report_end(r, SCRIPT_SKIP, line, fmt, ap);
  va_end(ap);
}

void sc_detail(sc_run *r, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  report_append(r->res->detail, sizeof r->res->detail, fmt, ap);
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

/* ---- printing a result ---- */

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
