/* lucidtcp script: backtick commands. Nothing runs in a shell: the commands the public suites use
 * to configure or inspect a stack are emulated on lucidtcp's settings and connection table
 * (sysctl -w, echo V > /proc/sys/..., ss, netstat, sockstat, piped to grep or wc -l); any other
 * command is reported as a note and not run. */
#include "script/shell.h"

#include <ctype.h>
#include <stdarg.h>
#include <regex.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "script/report.h"

#define CMD_MAX_WORDS 32
#define CMD_WORD_LEN 256
#define CMD_OUT_LEN 16384
#define CMD_MAX_STAGES 8
#define CMD_MAX_PARTS 16
#define SC_SOCKSTAT_PID 4242 /* the process id sockstat shows for the script's sockets */

typedef struct cmd_words {
  size_t n;
  char w[CMD_MAX_WORDS][CMD_WORD_LEN];
} cmd_words;

typedef struct cmd_out {
  size_t len;
  char text[CMD_OUT_LEN];
} cmd_out;

/* What a stage did. */
enum { CMD_OK = 0, CMD_FALSE = 1, CMD_UNMAPPED = -1, CMD_STOPPED = -2 };

typedef struct cmd_ctx {
  sc_run *r;
  int line;
  char why[512];     /* why a command is not mapped */
} cmd_ctx;

static int unmapped(cmd_ctx *x, const char *fmt, const char *arg) {
  snprintf(x->why, sizeof x->why, fmt, arg);
  return CMD_UNMAPPED;
}

static void out_line(cmd_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out_line(cmd_out *o, const char *fmt, ...) {
  if (o->len + 2 >= sizeof o->text) return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(o->text + o->len, sizeof o->text - o->len - 1, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  o->len += (size_t)n < sizeof o->text - o->len - 1 ? (size_t)n : sizeof o->text - o->len - 2;
  o->text[o->len++] = '\n';
  o->text[o->len] = '\0';
}

/* Splits on blanks, honouring '...' and "..."; -1 when a quote is open or too many words. */
static int split_words(const char *s, size_t len, cmd_words *out) {
  out->n = 0;
  size_t i = 0;
  while (i < len) {
    while (i < len && isspace((unsigned char)s[i])) i++;
    if (i == len) break;
    if (out->n == CMD_MAX_WORDS) return -1;
    char *w = out->w[out->n++];
    size_t k = 0;
    char quote = 0;
    for (; i < len && (quote || !isspace((unsigned char)s[i])); i++) {
      if (!quote && (s[i] == '\'' || s[i] == '"')) quote = s[i];
      else if (quote && s[i] == quote) quote = 0;
      else if (k + 1 < CMD_WORD_LEN) w[k++] = s[i];
    }
    w[k] = '\0';
    if (quote) return -1;
  }
  return 0;
}

/* ---- sysctl ---- */

typedef enum sysctl_kind {
  SYS_U32,      /* a count */
  SYS_SEC,      /* seconds into nanoseconds */
  SYS_MS,       /* milliseconds into nanoseconds */
  SYS_BOOL,     /* 0 or 1 into a uint8_t */
  SYS_MEM3,     /* "min default max": the default */
  SYS_NBOOL,    /* 0 or 1 into a uint8_t that means the opposite (insecure_rst: rst_challenge) */
  SYS_BUF,      /* a buffer size in bytes, at most LTCP_BUF_MAX */
  SYS_RFC1323,  /* FreeBSD's rfc1323: 0 none, 1 both, 2 window scaling, 3 timestamps */
  SYS_DELACK,   /* FreeBSD's delayed_ack: 0 ACKs at once; 1 delays (by delacktime) */
  SYS_COOKIES,  /* SYN cookies, 0 to 2, into cfg.syn_cookies (Linux's tcp_syncookies) */
  SYS_COOKIES_ONLY, /* FreeBSD's syncookies_only: 1 is cfg.syn_cookies 2, 0 takes 2 back to 1 */
  SYS_FEATURE   /* lucidtcp lacks the feature: only the values in ok ("a|b") match it */
} sysctl_kind;

typedef struct sysctl_def {
  const char *name;
  sysctl_kind kind;
  size_t off;           /* into ltcp_stack_config */
  const char *ok;       /* SYS_FEATURE: the value that matches lucidtcp ("*": any) */
} sysctl_def;

#define CFG(f) offsetof(ltcp_stack_config, f)
static const sysctl_def sysctls[] = {
    {"net.ipv4.tcp_syn_retries", SYS_U32, CFG(syn_retries), NULL},
    {"net.ipv4.tcp_synack_retries", SYS_U32, CFG(synack_retries), NULL},
    {"net.ipv4.tcp_retries2", SYS_U32, CFG(data_retries), NULL},
    {"net.ipv4.tcp_fin_timeout", SYS_SEC, CFG(fin_wait_2_timeout_ns), NULL},
    {"net.ipv4.tcp_rfc1337", SYS_BOOL, CFG(rfc1337), NULL},
    {"net.ipv4.tcp_rmem", SYS_MEM3, CFG(rcvbuf), NULL},
    {"net.ipv4.tcp_wmem", SYS_MEM3, CFG(sndbuf), NULL},
    {"net.inet.tcp.msl", SYS_MS, CFG(msl_ns), NULL},
    {"net.inet.tcp.rfc1323", SYS_RFC1323, 0, NULL},
    {"net.inet.tcp.sack.enable", SYS_BOOL, CFG(sack), NULL},
    {"net.inet.tcp.recvspace", SYS_BUF, CFG(rcvbuf), NULL},
    {"net.inet.tcp.sendspace", SYS_BUF, CFG(sndbuf), NULL},
    {"kern.ipc.maxsockbuf", SYS_BUF, CFG(rcvbuf_max), NULL},
    {"net.inet.tcp.delayed_ack", SYS_DELACK, 0, NULL},
    {"net.inet.tcp.delacktime", SYS_MS, CFG(delayed_ack_ns), NULL},
    {"net.inet.tcp.insecure_rst", SYS_NBOOL, CFG(rst_challenge), NULL},
    {"net.inet.tcp.insecure_syn", SYS_NBOOL, CFG(syn_challenge), NULL},
    {"net.inet.tcp.drop_synfin", SYS_BOOL, CFG(drop_syn_fin), NULL},
    {"net.inet.tcp.icmp_may_rst", SYS_BOOL, CFG(icmp_may_reset), NULL},
    {"net.inet.tcp.keepidle", SYS_MS, CFG(keepalive_idle_ns), NULL},
    {"net.inet.tcp.keepintvl", SYS_MS, CFG(keepalive_intvl_ns), NULL},
    {"net.inet.tcp.keepcnt", SYS_U32, CFG(keepalive_probes), NULL},
    {"net.ipv4.tcp_keepalive_time", SYS_SEC, CFG(keepalive_idle_ns), NULL},
    {"net.ipv4.tcp_keepalive_intvl", SYS_SEC, CFG(keepalive_intvl_ns), NULL},
    {"net.ipv4.tcp_keepalive_probes", SYS_U32, CFG(keepalive_probes), NULL},
    {"net.inet.tcp.rexmit_min", SYS_MS, CFG(rto_min_ns), NULL},
    {"net.inet.tcp.rexmit_initial", SYS_MS, CFG(rto_initial_ns), NULL},
    {"net.inet.tcp.finwait2_timeout", SYS_MS, CFG(fin_wait_2_timeout_ns), NULL},
    {"net.ipv4.tcp_timestamps", SYS_BOOL, CFG(timestamps), NULL},
    {"net.ipv4.tcp_sack", SYS_BOOL, CFG(sack), NULL},
    {"net.ipv4.tcp_window_scaling", SYS_BOOL, CFG(window_scale), NULL},
    {"net.ipv4.tcp_dsack", SYS_FEATURE, 0, "1"},
    {"net.ipv4.tcp_fack", SYS_FEATURE, 0, "0"}, {"net.ipv4.tcp_ecn", SYS_FEATURE, 0, "0"},
    {"net.ipv4.tcp_fastopen", SYS_FEATURE, 0, "0"}, {"net.ipv4.tcp_syncookies", SYS_COOKIES, 0, NULL},
    {"net.ipv4.tcp_mtu_probing", SYS_FEATURE, 0, "0"}, {"net.ipv4.tcp_tw_reuse", SYS_FEATURE, 0, "0"},
    {"net.ipv4.tcp_autocorking", SYS_FEATURE, 0, "0"}, {"net.ipv4.tcp_frto", SYS_FEATURE, 0, "0"},
    {"net.ipv4.tcp_early_retrans", SYS_FEATURE, 0, "0"}, {"net.ipv4.tcp_recovery", SYS_FEATURE, 0, "0"},
    {"net.ipv4.tcp_moderate_rcvbuf", SYS_FEATURE, 0, "0"}, {"net.ipv4.tcp_no_metrics_save", SYS_FEATURE, 0, "1"},
    {"net.ipv4.tcp_abort_on_overflow", SYS_FEATURE, 0, "0"},
    /* ECN: 2 (FreeBSD's default) answers ECN only when asked, which no script here does. */
    {"net.inet.tcp.ecn.enable", SYS_FEATURE, 0, "0|2"}, {"net.inet.tcp.syncookies", SYS_COOKIES, 0, NULL},
    {"net.inet.tcp.hostcache.purgenow", SYS_FEATURE, 0, "*"}, /* lucidtcp keeps no host cache */
    {"net.inet.tcp.rexmit_drop_options", SYS_FEATURE, 0, "0"},
    {"net.inet.tcp.syncookies_only", SYS_COOKIES_ONLY, 0, NULL},
    {"net.inet.tcp.fastopen.server_enable", SYS_FEATURE, 0, "0"},
    {"net.inet.tcp.fastopen.client_enable", SYS_FEATURE, 0, "0"},
    {"net.inet.tcp.blackhole", SYS_FEATURE, 0, "0"}, {"net.inet.tcp.tolerate_missing_ts", SYS_FEATURE, 0, "*"}};

static const sysctl_def *sysctl_find(const char *name) {
  for (size_t i = 0; i < sizeof sysctls / sizeof sysctls[0]; i++)
    if (strcmp(sysctls[i].name, name) == 0) return &sysctls[i];
  return NULL;
}

/* Does value match one of the alternatives in ok ("0|2"; "*": any)? */
static int sysctl_feature_ok(const char *ok, const char *value) {
  if (strcmp(ok, "*") == 0) return 1;
  size_t n = strlen(value);
  for (const char *p = ok; *p;) {
    size_t k = strcspn(p, "|");
    if (k == n && strncmp(p, value, n) == 0) return 1;
    p += k + (p[k] == '|');
  }
  return 0;
}

static int sysctl_number(const char *v, uint64_t *out) {
  char *end;
  if (!isdigit((unsigned char)*v)) return -1;
  *out = strtoull(v, &end, 10);
  return *end ? -1 : 0;
}

static int sysctl_store(cmd_ctx *x, const sysctl_def *d, const char *value) {
  uint64_t v;
  uint8_t *cfg = (uint8_t *)&x->r->cfg;
  if (d->kind == SYS_MEM3) {
    uint64_t lo, mid, hi;
    if (sscanf(value, "%llu %llu %llu", (unsigned long long *)&lo, (unsigned long long *)&mid,
               (unsigned long long *)&hi) != 3)
      return unmapped(x, "sysctl: bad value '%s'", value);
    v = mid > LTCP_BUF_MAX ? LTCP_BUF_MAX : mid;
    uint32_t u = (uint32_t)v;
    memcpy(cfg + d->off, &u, sizeof u);
    return CMD_OK;
  }
  if (sysctl_number(value, &v)) return unmapped(x, "sysctl: bad value '%s'", value);
  ltcp_stack_config *c = &x->r->cfg;
  if (d->kind == SYS_U32 || d->kind == SYS_BUF) {
    uint32_t u = d->kind == SYS_BUF && v > LTCP_BUF_MAX ? LTCP_BUF_MAX : (uint32_t)v;
    memcpy(cfg + d->off, &u, sizeof u);
  } else if (d->kind == SYS_BOOL || d->kind == SYS_NBOOL) {
    cfg[d->off] = (v != 0) == (d->kind == SYS_BOOL);
  } else if (d->kind == SYS_RFC1323) {
    c->window_scale = v == 1 || v == 2;
    c->timestamps = v == 1 || v == 3;
  } else if (d->kind == SYS_COOKIES) {
    if (v > 2) return unmapped(x, "sysctl: bad value '%s'", value);
    c->syn_cookies = (uint8_t)v;
  } else if (d->kind == SYS_COOKIES_ONLY) {
    c->syn_cookies = v ? 2 : c->syn_cookies == 2 ? 1 : c->syn_cookies;
  } else if (d->kind == SYS_DELACK) {
    c->delayed_ack_ns = v == 0 ? 0 : c->delayed_ack_ns ? c->delayed_ack_ns : LTCP_MS(40);
  } else {
    ltcp_time_ns t = d->kind == SYS_SEC ? LTCP_SEC(v) : LTCP_MS(v);
    memcpy(cfg + d->off, &t, sizeof t);
  }
  return CMD_OK;
}

/* Sets a sysctl on the stack's configuration, before the stack is in use. */
static int sysctl_set(cmd_ctx *x, const char *name, const char *value) {
  const sysctl_def *d = sysctl_find(name);
  if (!d) {
    sc_note(x->r, x->line, "sysctl %s=%s: no lucidtcp equivalent; ignored", name, value);
    return CMD_OK;
  }
  if (d->kind == SYS_FEATURE) {
    if (!sysctl_feature_ok(d->ok, value))
      sc_note(x->r, x->line, "sysctl %s=%s: lucidtcp cannot be set so (it behaves as %.*s); ignored",
              name, value, (int)strcspn(d->ok, "|"), d->ok);
    return CMD_OK;
  }
  ltcp_stack_config before = x->r->cfg;
  int rc = sysctl_store(x, d, value);
  if (rc != CMD_OK) return rc;
  /* Before the stack is in use it is made anew; a running one takes the setting for what
   * follows, as a kernel does (ltcp_stack_set_config). */
  int ok = x->r->stack_used ? ltcp_stack_set_config(x->r->st, &x->r->cfg) == 0
                            : sc_stack_reconfigure(x->r) == 0;
  if (ok) return CMD_OK;
  x->r->cfg = before;
  if (!x->r->stack_used) sc_stack_reconfigure(x->r);
  sc_fail(x->r, x->line, "sysctl %s=%s: lucidtcp cannot take this value", name, value);
  return CMD_STOPPED;
}

static void sysctl_name(const char *in, char *out, size_t cap) {
  const char *p = strncmp(in, "/proc/sys/", 10) == 0 ? in + 10 : in;
  size_t i = 0;
  for (; *p && i + 1 < cap; p++) out[i++] = *p == '/' ? '.' : *p;
  out[i] = '\0';
}

static void sysctl_show(cmd_ctx *x, const char *name, int bare, cmd_out *o) {
  const sysctl_def *d = sysctl_find(name);
  const uint8_t *cfg = (const uint8_t *)&x->r->cfg;
  uint64_t v = 0;
  if (!d || d->kind == SYS_FEATURE || d->kind == SYS_MEM3) {
    out_line(o, "%s%s%s", bare ? "" : name, bare ? "" : " = ", d && d->ok ? d->ok : "?");
    return;
  }
  const ltcp_stack_config *c = &x->r->cfg;
  if (d->kind == SYS_U32 || d->kind == SYS_BUF) {
    uint32_t u;
    memcpy(&u, cfg + d->off, sizeof u);
    v = u;
  } else if (d->kind == SYS_BOOL || d->kind == SYS_NBOOL) {
    v = (cfg[d->off] != 0) == (d->kind == SYS_BOOL);
  } else if (d->kind == SYS_RFC1323) {
    v = c->window_scale ? (c->timestamps ? 1 : 2) : (c->timestamps ? 3 : 0);
  } else if (d->kind == SYS_COOKIES) {
    v = c->syn_cookies;
  } else if (d->kind == SYS_COOKIES_ONLY) {
    v = c->syn_cookies == 2;
  } else if (d->kind == SYS_DELACK) {
    v = c->delayed_ack_ns != 0;
  } else {
    ltcp_time_ns t;
    memcpy(&t, cfg + d->off, sizeof t);
    v = d->kind == SYS_SEC ? t / LTCP_SEC(1) : t / LTCP_MS(1);
  }
  if (bare) out_line(o, "%llu", (unsigned long long)v);
  else out_line(o, "%s = %llu", name, (unsigned long long)v);
}

static int cmd_sysctl(cmd_ctx *x, const cmd_words *w, cmd_out *o) {
  int bare = 0;
  char name[128];
  for (size_t i = 1; i < w->n; i++) {
    const char *a = w->w[i];
    if (a[0] == '-') {
      if (strchr(a, 'n')) bare = 1;
      if (strspn(a + 1, "wqne") != strlen(a + 1)) return unmapped(x, "sysctl option %s", a);
      continue;
    }
    const char *eq = strchr(a, '=');
    if (!eq) {
      sysctl_name(a, name, sizeof name);
      sysctl_show(x, name, bare, o);
      continue;
    }
    char key[128];
    snprintf(key, sizeof key, "%.*s", (int)(eq - a), a);
    sysctl_name(key, name, sizeof name);
    int rc = sysctl_set(x, name, eq + 1);
    if (rc != CMD_OK) return rc;
  }
  return CMD_OK;
}

/* echo VALUE > /proc/sys/net/ipv4/NAME */
static int cmd_echo(cmd_ctx *x, const cmd_words *w, cmd_out *o) {
  char name[128], value[CMD_WORD_LEN] = "";
  size_t i = 1;
  for (; i < w->n && w->w[i][0] != '>'; i++)
    snprintf(value + strlen(value), sizeof value - strlen(value), "%s%s", value[0] ? " " : "", w->w[i]);
  if (i == w->n) {
    out_line(o, "%s", value);
    return CMD_OK;
  }
  const char *target = w->w[i][1] ? w->w[i] + 1 : i + 1 < w->n ? w->w[i + 1] : "";
  if (strncmp(target, "/proc/sys/", 10) != 0) return unmapped(x, "writes to %s", target);
  sysctl_name(target, name, sizeof name);
  return sysctl_set(x, name, value);
}

/* ---- ss, netstat, sockstat: the connection table ---- */

typedef enum table_style { TBL_SS, TBL_NETSTAT_LINUX, TBL_NETSTAT_BSD, TBL_SOCKSTAT } table_style;

static const char *state_word(ltcp_state s, table_style style) {
  static const char *const ss[] = {"UNCONN", "LISTEN", "SYN-SENT", "SYN-RECV", "ESTAB", "FIN-WAIT-1",
                                   "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT"};
  static const char *const lnx[] = {"CLOSE", "LISTEN", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT1",
                                    "FIN_WAIT2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT"};
  static const char *const bsd[] = {"CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD", "ESTABLISHED", "FIN_WAIT_1",
                                    "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT"};
  if (s >= LTCP_STATE_COUNT) s = LTCP_CLOSED;
  return style == TBL_SS ? ss[s] : style == TBL_NETSTAT_LINUX ? lnx[s] : bsd[s];
}

/* ss state filter names (ss(8)), as state masks. */
static uint32_t ss_state_mask(const char *name) {
  static const char *const names[] = {"closed", "listening", "syn-sent", "syn-recv", "established", "fin-wait-1",
                                      "fin-wait-2", "close-wait", "closing", "last-ack", "time-wait"};
  uint32_t all = (1u << LTCP_STATE_COUNT) - 1;
  for (uint32_t i = 0; i < LTCP_STATE_COUNT; i++)
    if (strcmp(name, names[i]) == 0) return 1u << i;
  if (strcmp(name, "listen") == 0) return 1u << LTCP_LISTEN;
  if (strcmp(name, "all") == 0) return all;
  if (strcmp(name, "connected") == 0) return all & ~((1u << LTCP_LISTEN) | (1u << LTCP_CLOSED));
  if (strcmp(name, "synchronized") == 0)
    return all & ~((1u << LTCP_LISTEN) | (1u << LTCP_CLOSED) | (1u << LTCP_SYN_SENT));
  if (strcmp(name, "bucket") == 0) return (1u << LTCP_SYN_RECEIVED) | (1u << LTCP_TIME_WAIT);
  if (strcmp(name, "big") == 0) return all & ~((1u << LTCP_SYN_RECEIVED) | (1u << LTCP_TIME_WAIT));
  return 0;
}

typedef struct table_req {
  table_style style;
  uint32_t mask;      /* states listed */
  int header;
  int state_column;
  int port;           /* sockstat -p: only this port (0: any) */
  int process;        /* ss -p, netstat -p: the owning process, packetdrill as the suites expect */
  int family;         /* -4, -6 (netstat -f inet, inet6): only that family's sockets (0: both) */
} table_req;

/* The families a row stands for: its local end's, or both (46, FreeBSD's tcp46) for a socket on
 * any address of a stack with IPv6, which takes both families (docs/design.md; with
 * IPV6_V6ONLY the stack names it by its IPv6 address). */
static int row_family(const sc_run *r, const sc_conn *c) {
  if (c->local.family == LTCP_AF_INET6) return 6;
  return c->local.addr != 0 || !r->o.ipv6 ? 4 : 46;
}

/* An endpoint's address as each tool writes it: IPv4 dotted, IPv6 in RFC 5952 form, which ss
 * puts in brackets; FreeBSD's netstat and sockstat write any address as '*', as ss does for a
 * socket of both families. */
static void table_addr(const table_req *q, const ltcp_endpoint *ep, int fam, char *out, size_t cap) {
  static const uint8_t any6[16] = {0};
  char a[LTCP_ADDR_STRLEN];
  ltcp_addr_format(ep, a);
  int any = ep->family == LTCP_AF_INET6 ? memcmp(ep->addr6, any6, 16) == 0 : ep->addr == 0;
  if (any && (q->style == TBL_NETSTAT_BSD || q->style == TBL_SOCKSTAT || (fam == 46 && q->style == TBL_SS)))
    snprintf(a, sizeof a, "*");
  char sep = q->style == TBL_NETSTAT_BSD ? '.' : ':';
  if (ep->family == LTCP_AF_INET6 && q->style == TBL_SS && a[0] != '*') snprintf(out, cap, "[%s]%c%u", a, sep, ep->port);
  else snprintf(out, cap, "%s%c%u", a, sep, ep->port);
}

/* A listener's remote end: nothing yet. */
static const char *table_no_peer(const table_req *q, int fam) {
  switch (q->style) {
    case TBL_SS: return fam == 46 ? "*:*" : fam == 6 ? "[::]:*" : "0.0.0.0:*";
    case TBL_NETSTAT_LINUX: return fam == 4 ? "0.0.0.0:*" : ":::*";
    case TBL_NETSTAT_BSD: return "*.*";
    default: return "*:*";
  }
}

static void table_row(const table_req *q, const sc_conn *c, int fam, cmd_out *o) {
  char local[LTCP_ENDPOINT_STRLEN], remote[LTCP_ENDPOINT_STRLEN], owner[64];
  const char *proto = fam == 46 ? "tcp46" : fam == 6 ? "tcp6" : "tcp4";
  const char *st = state_word(c->state, q->style);
  ltcp_endpoint le = c->local;
  if (fam != 4 && le.family != LTCP_AF_INET6) { /* any address, as "::" */
    le.family = LTCP_AF_INET6;
    memset(le.addr6, 0, sizeof le.addr6);
  }
  table_addr(q, &le, fam, local, sizeof local);
  if (c->state == LTCP_LISTEN) snprintf(remote, sizeof remote, "%s", table_no_peer(q, fam));
  else table_addr(q, &c->remote, fam, remote, sizeof remote);
  switch (q->style) {
    case TBL_SS:
      owner[0] = '\0';
      if (q->process && c->fd >= 0)
        snprintf(owner, sizeof owner, " users:((\"packetdrill\",pid=%d,fd=%d))", SC_SOCKSTAT_PID, c->fd);
      if (q->state_column) out_line(o, "%-10s 0      0      %-21s %s%s", st, local, remote, owner);
      else out_line(o, "0      0      %-21s %s%s", local, remote, owner);
      break;
    case TBL_NETSTAT_LINUX: /* Linux's netstat says tcp6 for a socket of both families */
      owner[0] = '\0';
      if (q->process) snprintf(owner, sizeof owner, c->fd >= 0 ? " %d/packetdrill" : " -", SC_SOCKSTAT_PID);
      out_line(o, "%-4s       0      0 %-23s %-23s %s%s", fam == 4 ? "tcp" : "tcp6", local, remote, st, owner);
      break;
    case TBL_NETSTAT_BSD: out_line(o, "%-5s      0      0 %-22s %-22s %s", proto, local, remote, st); break;
    case TBL_SOCKSTAT: /* the process is packetdrill's, as the suites expect (COMMAND: 10 chars) */
      if (c->fd >= 0) snprintf(owner, sizeof owner, "root     packetdril %-5d %-2d", SC_SOCKSTAT_PID, c->fd);
      else snprintf(owner, sizeof owner, "?        ?          ?     ? ");
      out_line(o, "%s %-6s %-21s %-21s%s%s", owner, proto, local, remote, q->state_column ? " " : "", q->state_column ? st : "");
      break;
  }
}

/* -4 or -6 among a word's flags; both (or neither) list both families. */
static void table_family(table_req *q, const char *flags) {
  int four = strchr(flags, '4') != NULL, six = strchr(flags, '6') != NULL;
  if (four != six) q->family = four ? 4 : 6;
  else if (four) q->family = 0;
}

static void table_print(cmd_ctx *x, const table_req *q, cmd_out *o) {
  static const char *const headers[] = {
      "State      Recv-Q Send-Q Local Address:Port    Peer Address:Port",
      "Active Internet connections (servers and established)\nProto Recv-Q Send-Q Local Address           Foreign Address         State",
      "Active Internet connections (including servers)\nProto Recv-Q Send-Q Local Address          Foreign Address        (state)",
      "USER     COMMAND    PID   FD PROTO  LOCAL ADDRESS         FOREIGN ADDRESS"};
  if (q->header) out_line(o, "%s%s", headers[q->style], q->style == TBL_SOCKSTAT && q->state_column ? " CONN STATE" : "");
  const sc_conn *order[SC_MAX_CONNS];
  size_t n = sc_conns_list(&x->r->conns, q->mask, q->port, order);
  for (size_t i = 0; i < n; i++) {
    int fam = row_family(x->r, order[i]);
    if (!q->family || fam == 46 || fam == q->family) table_row(q, order[i], fam, o);
  }
}

static int cmd_ss(cmd_ctx *x, const cmd_words *w, cmd_out *o) {
  uint32_t all = (1u << LTCP_STATE_COUNT) - 1, mask = 0;
  table_req q = {TBL_SS, all & ~((1u << LTCP_LISTEN) | (1u << LTCP_CLOSED) | (1u << LTCP_TIME_WAIT) | (1u << LTCP_SYN_RECEIVED)), 1, 1, 0};
  int states = 0, exclude = 0;
  for (size_t i = 1; i < w->n; i++) {
    const char *a = w->w[i];
    if ((strcmp(a, "state") == 0 || strcmp(a, "exclude") == 0) && i + 1 < w->n) {
      uint32_t m = ss_state_mask(w->w[++i]);
      if (!m) return unmapped(x, "ss state %s", w->w[i]);
      if (a[0] == 's') mask |= m, states++;
      else exclude |= (int)m;
    } else if (a[0] == '-' && a[1] != '-' && strspn(a + 1, "tanlH46eoipm") == strlen(a + 1)) {
      table_family(&q, a);
      if (strchr(a, 'a')) q.mask = all & ~(1u << LTCP_CLOSED);
      if (strchr(a, 'l')) q.mask = 1u << LTCP_LISTEN;
      if (strchr(a, 'H')) q.header = 0;
      if (strchr(a, 'p')) q.process = 1;
    } else {
      return unmapped(x, "ss argument '%s'", a);
    }
  }
  if (states) {
    q.mask = mask;
    q.state_column = states > 1 || (mask & (mask - 1)) != 0;
  }
  q.mask &= ~(uint32_t)exclude;
  table_print(x, &q, o);
  return CMD_OK;
}

static int cmd_netstat(cmd_ctx *x, const cmd_words *w, cmd_out *o) {
  uint32_t all = (1u << LTCP_STATE_COUNT) - 1;
  table_req q = {TBL_NETSTAT_LINUX, all & ~((1u << LTCP_LISTEN) | (1u << LTCP_CLOSED)), 1, 1, 0};
  for (size_t i = 1; i < w->n; i++) {
    const char *a = w->w[i];
    if ((strcmp(a, "-p") == 0 || strcmp(a, "-P") == 0) && i + 1 < w->n && strcmp(w->w[i + 1], "tcp") == 0) {
      q.style = TBL_NETSTAT_BSD;
      i++;
    } else if (strcmp(a, "-f") == 0 && i + 1 < w->n && (strcmp(w->w[i + 1], "inet") == 0 || strcmp(w->w[i + 1], "inet6") == 0)) {
      q.style = TBL_NETSTAT_BSD;
      q.family = w->w[++i][4] == '6' ? 6 : 4;
    } else if (a[0] == '-' && a[1] != '-' && strspn(a + 1, "tanlW46xp") == strlen(a + 1)) {
      table_family(&q, a);
      if (strchr(a, 'a')) q.mask = all & ~(1u << LTCP_CLOSED);
      if (strchr(a, 'l')) q.mask = 1u << LTCP_LISTEN;
      if (strchr(a, 'p')) q.process = q.style == TBL_NETSTAT_LINUX;
    } else {
      return unmapped(x, "netstat argument '%s'", a);
    }
  }
  table_print(x, &q, o);
  return CMD_OK;
}

static int cmd_sockstat(cmd_ctx *x, const cmd_words *w, cmd_out *o) {
  uint32_t all = (1u << LTCP_STATE_COUNT) - 1;
  table_req q = {TBL_SOCKSTAT, all, 1, 0, 0};
  for (size_t i = 1; i < w->n; i++) {
    const char *a = w->w[i];
    if (strcmp(a, "-P") == 0 && i + 1 < w->n && strcmp(w->w[i + 1], "tcp") == 0) {
      i++;
    } else if (strcmp(a, "-p") == 0 && i + 1 < w->n && isdigit((unsigned char)w->w[i + 1][0]) && !strchr(w->w[i + 1], ',')) {
      q.port = atoi(w->w[++i]);
    } else if (a[0] == '-' && strspn(a + 1, "46clsnqwu") == strlen(a + 1)) {
      table_family(&q, a);
      if (strchr(a, 'c')) q.mask = all & ~((1u << LTCP_CLOSED) | (1u << LTCP_LISTEN));
      if (strchr(a, 'l')) q.mask = 1u << LTCP_LISTEN;
      if (strchr(a, 's')) q.state_column = 1;
      if (strchr(a, 'q')) q.header = 0;
    } else {
      return unmapped(x, "sockstat argument '%s'", a);
    }
  }
  table_print(x, &q, o);
  return CMD_OK;
}

/* ---- filters: grep and wc -l ---- */

typedef struct grep_opts {
  int count, quiet, invert, icase, extended, fixed, whole_line;
  const char *pattern;
} grep_opts;

static int grep_parse(cmd_ctx *x, const cmd_words *w, grep_opts *g) {
  memset(g, 0, sizeof *g);
  for (size_t i = 1; i < w->n; i++) {
    const char *a = w->w[i];
    if (strcmp(a, "-e") == 0 && i + 1 < w->n && !g->pattern) {
      g->pattern = w->w[++i];
    } else if (a[0] == '-' && a[1] && !g->pattern) {
      if (strspn(a + 1, "cqviEFxs") != strlen(a + 1)) return unmapped(x, "grep option %s", a);
      g->count |= strchr(a, 'c') != NULL;
      g->quiet |= strchr(a, 'q') != NULL;
      g->invert |= strchr(a, 'v') != NULL;
      g->icase |= strchr(a, 'i') != NULL;
      g->extended |= strchr(a, 'E') != NULL;
      g->fixed |= strchr(a, 'F') != NULL;
      g->whole_line |= strchr(a, 'x') != NULL;
    } else if (!g->pattern) {
      g->pattern = a;
    } else {
      return unmapped(x, "grep on a file (%s)", a);
    }
  }
  return g->pattern ? CMD_OK : unmapped(x, "grep without a pattern%s", "");
}

static int grep_match(const grep_opts *g, const regex_t *re, const char *line) {
  if (!g->fixed) return regexec(re, line, 0, NULL, 0) == 0;
  if (g->whole_line) return g->icase ? strcasecmp(line, g->pattern) == 0 : strcmp(line, g->pattern) == 0;
  if (!g->icase) return strstr(line, g->pattern) != NULL;
  size_t n = strlen(g->pattern);
  for (const char *p = line; *p; p++)
    if (strncasecmp(p, g->pattern, n) == 0) return 1;
  return 0;
}

static int cmd_grep(cmd_ctx *x, const cmd_words *w, const cmd_out *in, cmd_out *o) {
  grep_opts g;
  regex_t re;
  char pat[CMD_WORD_LEN + 8];
  if (grep_parse(x, w, &g) != CMD_OK) return CMD_UNMAPPED;
  if (!g.fixed) {
    snprintf(pat, sizeof pat, g.whole_line ? "^(%s)$" : "%s", g.pattern);
    if (g.whole_line && !g.extended) snprintf(pat, sizeof pat, "^%s$", g.pattern);
    if (regcomp(&re, pat, REG_NOSUB | (g.extended || g.whole_line ? REG_EXTENDED : 0) | (g.icase ? REG_ICASE : 0)) != 0)
      return unmapped(x, "grep pattern '%s'", g.pattern);
  }
  size_t hits = 0;
  const char *p = in->text;
  char line[1024];
  while (*p) {
    const char *nl = strchr(p, '\n');
    size_t n = nl ? (size_t)(nl - p) : strlen(p);
    snprintf(line, sizeof line, "%.*s", (int)n, p);
    p += n + (nl ? 1 : 0);
    if (grep_match(&g, &re, line) == g.invert) continue;
    hits++;
    if (!g.count && !g.quiet) out_line(o, "%s", line);
  }
  if (!g.fixed) regfree(&re);
  if (g.count && !g.quiet) out_line(o, "%zu", hits);
  return hits ? CMD_OK : CMD_FALSE;
}

static int cmd_wc(cmd_ctx *x, const cmd_words *w, const cmd_out *in, cmd_out *o) {
  if (w->n != 2 || strcmp(w->w[1], "-l") != 0) return unmapped(x, "wc other than wc -l%s", "");
  size_t lines = 0;
  for (size_t i = 0; i < in->len; i++) lines += in->text[i] == '\n';
  out_line(o, "%zu", lines);
  return CMD_OK;
}

/* ---- pipelines ---- */

static const char *base_name(const char *path) {
  const char *s = strrchr(path, '/');
  return s ? s + 1 : path;
}

static int stage_run(cmd_ctx *x, const cmd_words *w, size_t idx, const cmd_out *in, cmd_out *out) {
  const char *prog = base_name(w->w[0]);
  if (idx == 0) {
    if (strcmp(prog, "sysctl") == 0) return cmd_sysctl(x, w, out);
    if (strcmp(prog, "echo") == 0) return cmd_echo(x, w, out);
    if (strcmp(prog, "ss") == 0) return cmd_ss(x, w, out);
    if (strcmp(prog, "netstat") == 0) return cmd_netstat(x, w, out);
    if (strcmp(prog, "sockstat") == 0) return cmd_sockstat(x, w, out);
    if (strcmp(prog, "defaults.sh") == 0 && w->n == 1) return CMD_OK; /* the stack starts with its defaults */
    if (strcmp(prog, "true") == 0 || strcmp(prog, ":") == 0) return CMD_OK;
    if (strcmp(prog, "false") == 0) return CMD_FALSE;
    return unmapped(x, "%s", prog);
  }
  if (strcmp(prog, "grep") == 0) return cmd_grep(x, w, in, out);
  if (strcmp(prog, "wc") == 0) return cmd_wc(x, w, in, out);
  return unmapped(x, "%s in a pipeline", prog);
}

/* One pipeline: a | b | c. Returns the status of the last stage. */
static int pipeline_run(cmd_ctx *x, const char *s, size_t len, cmd_out *last) {
  static cmd_out bufs[2];
  size_t start = 0, idx = 0;
  int rc = CMD_OK;
  cmd_out *in = &bufs[0], *out = &bufs[1];
  in->len = 0;
  in->text[0] = '\0';
  for (size_t i = 0; i <= len && idx < CMD_MAX_STAGES; i++) {
    if (i < len && s[i] != '|') continue;
    cmd_words w;
    if (split_words(s + start, i - start, &w) || w.n == 0) return unmapped(x, "quoting or an empty stage%s", "");
    out->len = 0;
    out->text[0] = '\0';
    rc = stage_run(x, &w, idx++, in, out);
    if (rc < 0) return rc;
    cmd_out *t = in;
    in = out;
    out = t;
    start = i + 1;
  }
  *last = *in;
  return rc;
}

/* Quotes end where they close: the positions of ; && and | outside them. */
static int command_split(const char *s, size_t len, size_t *ends, int *and_next, size_t *n) {
  char quote = 0;
  *n = 0;
  for (size_t i = 0; i < len; i++) {
    if (quote) {
      if (s[i] == quote) quote = 0;
      continue;
    }
    if (s[i] == '\'' || s[i] == '"') quote = s[i];
    int amp = s[i] == '&' && i + 1 < len && s[i + 1] == '&';
    if (s[i] == '|' && i + 1 < len && s[i + 1] == '|') return -1;
    if (s[i] != ';' && !amp) continue;
    if (*n + 1 == CMD_MAX_PARTS) return -1;
    and_next[*n] = amp;
    ends[(*n)++] = i;
    i += (size_t)amp;
  }
  and_next[*n] = 0;
  ends[(*n)++] = len;
  return quote ? -1 : 0;
}

void sc_shell_run(sc_run *r, const sc_event *ev) {
  cmd_ctx x = {r, ev->line, ""};
  static cmd_out out;
  size_t ends[CMD_MAX_PARTS], n;
  int and_next[CMD_MAX_PARTS];
  const char *s = ev->text;
  int rc = CMD_OK;
  sc_trace(r, "`%s`", s);
  if (command_split(s, strlen(s), ends, and_next, &n)) {
    sc_note(r, ev->line, "`%s`: not mapped (quoting, || or too many parts); not run", s);
    return;
  }
  size_t start = 0;
  for (size_t i = 0; i < n; i++) {
    out.len = 0;
    out.text[0] = '\0';
    rc = pipeline_run(&x, s + start, ends[i] - start, &out);
    start = ends[i] + 1 + (size_t)and_next[i];
    if (rc == CMD_STOPPED) return;
    if (rc == CMD_UNMAPPED) {
      sc_note(r, ev->line, "`%s`: no lucidtcp equivalent (%s); not run", s, x.why);
      return;
    }
    if (rc != CMD_OK && and_next[i]) break;
  }
  if (rc == CMD_OK) return;
  while (out.len && out.text[out.len - 1] == '\n') out.text[--out.len] = '\0';
  sc_fail(r, ev->line, "command `%s` exited with status 1 (output: '%s')", s, out.text);
}
