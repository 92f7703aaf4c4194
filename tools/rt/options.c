/* The options every real-time command takes, and the parsers its own options use. */
#include "rt/options.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rt_opts_default(rt_opts *o, const char *cmd) {
  memset(o, 0, sizeof *o);
  o->cmd = cmd;
  o->msl_ns = LTCP_SEC(30);
  o->threads = 1;
}

int rt_usage_error(const rt_opts *o, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "lucidtcp %s: ", o->cmd);
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\nTry 'lucidtcp help %s'.\n", o->cmd);
  va_end(ap);
  return RT_EXIT_USAGE;
}

int rt_parse_cidr(const char *text, uint32_t *addr, uint32_t *prefix) {
  char a[32];
  const char *slash = strchr(text, '/');
  if (!slash || (size_t)(slash - text) >= sizeof a) return -1;
  snprintf(a, sizeof a, "%.*s", (int)(slash - text), text);
  char *end;
  errno = 0;
  unsigned long p = strtoul(slash + 1, &end, 10);
  if (errno || end == slash + 1 || *end || p < 1 || p > 32) return -1;
  if (ltcp_ipv4_parse_text(a, addr) != 0) return -1;
  *prefix = (uint32_t)p;
  return 0;
}

int rt_parse_port(const char *text, uint16_t *port) {
  char *end;
  errno = 0;
  unsigned long v = strtoul(text, &end, 10);
  if (errno || end == text || *end || *text == '-' || v < 1 || v > 65535) return -1;
  *port = (uint16_t)v;
  return 0;
}

uint32_t rt_opts_mask(const rt_opts *o) { return o->prefix >= 32 ? ~0u : ~(~0u >> o->prefix); }

void rt_opts_stack_config(const rt_opts *o, ltcp_stack_config *cfg) {
  if (o->have_addr) { /* else IPv6 only: no IPv4 address (0), the default prefix */
    cfg->addr = o->addr;
    cfg->prefix_len = (uint8_t)o->prefix;
  }
  if (o->have_addr6) {
    memcpy(cfg->addr6, o->addr6, 16);
    cfg->prefix6_len = (uint8_t)o->prefix6;
  }
  cfg->link_default_route = o->gateway == 0 && !o->have_gateway6 && o->nroutes == 0;
}

/* An IPv6 address as text (RFC 5952). */
static const char *rt_addr6_format(const uint8_t a6[16], char *buf) {
  ltcp_endpoint e = {.family = LTCP_AF_INET6};
  memcpy(e.addr6, a6, 16);
  return ltcp_addr_format(&e, buf);
}

static int rt_route_refused(const rt_opts *o, const char *what, int err, int v6) {
  char a[LTCP_ADDR_STRLEN];
  const char *why = err == EINVAL && v6 ? "the gateway must be another host in lucidtcp's prefix, "
                                          "or link-local (fe80::/10)"
                    : err == EINVAL       ? "the gateway must be another host on lucidtcp's link"
                    : err == EEXIST       ? "that prefix already has a route"
                    : err == EADDRNOTAVAIL ? "lucidtcp has no IPv6 address (--addr ADDR6/PREFIX)"
                                          : ltcp_strerror(err);
  if (v6 && !o->have_addr6) return rt_usage_error(o, "%s: %s", what, why);
  if (v6)
    return rt_usage_error(o, "%s: %s (--addr %s/%u)", what, why, rt_addr6_format(o->addr6, a),
                          o->prefix6);
  if (!o->have_addr) return rt_usage_error(o, "%s: lucidtcp has no IPv4 address (--addr)", what);
  return rt_usage_error(o, "%s: %s (--addr %s/%u)", what, why, ltcp_ipv4_format(o->addr, a),
                        o->prefix);
}

/* An IPv6 route given by --route: added, or the message why not. */
static int rt_opts_add_route6(const rt_opts *o, ltcp_stack *st, const rt_route *r) {
  char what[160], a[LTCP_ADDR_STRLEN], v[LTCP_ADDR_STRLEN];
  static const uint8_t none[16];
  int via = memcmp(r->via6, none, 16) != 0;
  if (ltcp_route6_add(st, r->prefix6, r->len, via ? r->via6 : NULL) == 0) return 0;
  snprintf(what, sizeof what, "--route %s/%u%s%s", rt_addr6_format(r->prefix6, a), r->len,
           via ? ",via=" : "", via ? rt_addr6_format(r->via6, v) : "");
  return rt_route_refused(o, what, errno, 1);
}

int rt_opts_add_routes(const rt_opts *o, ltcp_stack *st) {
  char what[160], a[LTCP_ADDR_STRLEN], v[16];
  static const uint8_t any[16];
  if (o->gateway && ltcp_route_add(st, 0, 0, o->gateway) != 0) {
    snprintf(what, sizeof what, "--gateway %s", ltcp_ipv4_format(o->gateway, a));
    return rt_route_refused(o, what, errno, 0);
  }
  if (o->have_gateway6 && ltcp_route6_add(st, any, 0, o->gateway6) != 0) {
    snprintf(what, sizeof what, "--gateway %s", rt_addr6_format(o->gateway6, a));
    return rt_route_refused(o, what, errno, 1);
  }
  for (int i = 0; i < o->nroutes; i++) {
    const rt_route *r = &o->routes[i];
    if (r->v6) {
      int rc = rt_opts_add_route6(o, st, r);
      if (rc) return rc;
      continue;
    }
    if (ltcp_route_add(st, r->prefix, r->len, r->via) == 0) continue;
    snprintf(what, sizeof what, "--route %s/%u%s%s", ltcp_ipv4_format(r->prefix, a), r->len,
             r->via ? ",via=" : "", r->via ? ltcp_ipv4_format(r->via, v) : "");
    return rt_route_refused(o, what, errno, 0);
  }
  return 0;
}

/* A stack of the options' routes alone, to check them (and peers) before anything is opened. */
static ltcp_stack *rt_opts_route_stack(const rt_opts *o) {
  ltcp_stack_config cfg;
  ltcp_stack_config_default(&cfg);
  rt_opts_stack_config(o, &cfg);
  cfg.max_sockets = cfg.max_connections = cfg.tx_queue_packets = 1;
  return ltcp_stack_new(&cfg);
}

int rt_opts_reachable(const rt_opts *o, uint32_t addr) {
  ltcp_stack *st = rt_opts_route_stack(o);
  int ok = st && rt_opts_add_routes(o, st) == 0 && addr != o->addr &&
           ltcp_route_lookup(st, addr, NULL) == 0;
  ltcp_stack_free(st);
  return ok;
}

static int rt_opts_reachable6(const rt_opts *o, const uint8_t addr6[16]) {
  ltcp_stack *st = rt_opts_route_stack(o);
  int ok = st && rt_opts_add_routes(o, st) == 0 && ltcp_route6_lookup(st, addr6, NULL) == 0;
  ltcp_stack_free(st);
  return ok;
}

int rt_opts_check_peer(const rt_opts *o, const ltcp_endpoint *peer, const char *host) {
  char a[LTCP_ADDR_STRLEN];
  if (peer->family == LTCP_AF_INET6) {
    if (!o->have_addr6)
      return rt_usage_error(o, "%s is an IPv6 address: give lucidtcp one too (--addr ADDR6/PREFIX)", host);
    if (memcmp(peer->addr6, o->addr6, 16) == 0)
      return rt_usage_error(o, "%s is lucidtcp's own address (--addr)", host);
    if (rt_opts_reachable6(o, peer->addr6)) return 0;
    return rt_usage_error(o, "no route to %s: it is not in lucidtcp's prefix (--addr %s/%u) and "
                          "no --route or --gateway reaches it", host,
                          rt_addr6_format(o->addr6, a), o->prefix6);
  }
  uint32_t addr = peer->addr;
  if (!o->have_addr) return rt_usage_error(o, "%s is an IPv4 address: give lucidtcp one too (--addr)", host);
  if (rt_opts_reachable(o, addr)) return 0;
  if (addr == o->addr) return rt_usage_error(o, "%s is lucidtcp's own address (--addr)", host);
  return rt_usage_error(o, "no route to %s: it is not on lucidtcp's link (--addr %s/%u) and no "
                        "--route or --gateway reaches it", host, ltcp_ipv4_format(o->addr, a),
                        o->prefix);
}

int rt_opts_value(const rt_opts *o, int argc, char **argv, int *i, const char *name,
                  const char **value) {
  size_t n = strlen(name);
  if (strncmp(argv[*i], name, n) != 0) return 0;
  /* Only a long option takes "=VALUE": "-o=x" is not -o, as getopt has it. */
  if (argv[*i][n] == '=' && name[1] == '-') {
    *value = argv[*i] + n + 1;
    return 1;
  }
  if (argv[*i][n] != '\0') return 0;
  if (*i + 1 >= argc) return rt_usage_error(o, "option %s needs a value", name);
  *value = argv[++*i];
  return 1;
}

/* ---- the shared options */

static int rt_opts_set_msl(rt_opts *o, const char *v) {
  char *end;
  double x = strtod(v, &end);
  if (end == v || *end || !(x > 0 && x <= 3600))
    return rt_usage_error(o, "--msl wants seconds above 0 and at most 3600, not '%s'", v);
  o->msl_ns = (ltcp_time_ns)(x * 1e9);
  return 0;
}

static int rt_opts_set_busy_poll(rt_opts *o, const char *v) {
  char *end;
  unsigned long us = strtoul(v, &end, 10);
  if (end == v || *end || v[0] == '-' || us > 1000000)
    return rt_usage_error(o, "--busy-poll wants microseconds from 0 to 1000000, not '%s'", v);
  o->busy_poll_ns = (ltcp_time_ns)us * 1000;
  return 0;
}

static int rt_opts_set_io(rt_opts *o, const char *v) {
  if (strcmp(v, "uring") == 0) o->io = LTCP_LOOP_IO_URING;
  else if (strcmp(v, "readwrite") == 0) o->io = LTCP_LOOP_IO_READWRITE;
  else if (strcmp(v, "auto") == 0) o->io = LTCP_LOOP_IO_AUTO;
  else return rt_usage_error(o, "--io wants uring, readwrite or auto, not '%s'", v);
  return 0;
}

static int rt_opts_set_threads(rt_opts *o, const char *v) {
  char *end;
  unsigned long n = strtoul(v, &end, 10);
  if (end == v || *end || v[0] == '-' || n < 1 || n > RT_THREADS_MAX)
    return rt_usage_error(o, "--threads wants 1 to %d, not '%s'", RT_THREADS_MAX, v);
  o->threads = (uint32_t)n;
  return 0;
}

/* A unicast IPv6 address (not ::, not multicast) into a6. 0 or -1. */
static int rt_parse_addr6(const char *text, uint8_t a6[16]) {
  ltcp_endpoint e;
  static const uint8_t none[16];
  if (ltcp_addr_parse(text, &e) != 0 || e.family != LTCP_AF_INET6 || e.addr6[0] == 0xff ||
      memcmp(e.addr6, none, 16) == 0)
    return -1;
  memcpy(a6, e.addr6, 16);
  return 0;
}

/* --gateway ADDR: IPv4, or IPv6 when it has a colon; once per family. */
static int rt_opts_set_gateway(rt_opts *o, const char *v) {
  if (strchr(v, ':')) {
    if (o->have_gateway6) return rt_usage_error(o, "--gateway: one IPv6 gateway at most");
    if (rt_parse_addr6(v, o->gateway6) != 0)
      return rt_usage_error(o, "--gateway wants the unicast IPv6 address of a router on the link "
                            "(e.g. 2001:db8::1 or fe80::1), not '%s'", v);
    o->have_gateway6 = 1;
    return 0;
  }
  if (o->gateway) return rt_usage_error(o, "--gateway: one IPv4 gateway at most");
  if (ltcp_ipv4_parse_text(v, &o->gateway) != 0 || o->gateway == 0)
    return rt_usage_error(o, "--gateway wants the IPv4 address of a host on the link, not '%s'", v);
  return 0;
}

/* IPv6 PREFIX/LEN[,via=ADDR] (text split at via, via NULL when not given) into r. */
static int rt_opts_route6(rt_opts *o, const char *v, char *text, const char *via, rt_route *r) {
  char *slash = strchr(text, '/'), *end;
  errno = 0;
  unsigned long len = slash ? strtoul(slash + 1, &end, 10) : 0;
  if (slash) *slash = '\0';
  ltcp_endpoint e;
  if (!slash || errno || end == slash + 1 || *end || len > 128 || ltcp_addr_parse(text, &e) != 0 ||
      e.family != LTCP_AF_INET6 || (via && rt_parse_addr6(via, r->via6) != 0))
    return rt_usage_error(o, "--route wants PREFIX/LEN[,via=ADDR] (e.g. 2001:db8:2::/48,"
                          "via=2001:db8::1) or default,via=ADDR, not '%s'", v);
  memcpy(r->prefix6, e.addr6, 16);
  r->len = (uint8_t)len;
  r->v6 = 1;
  uint8_t bare[16] = {0};
  memcpy(bare, e.addr6, len / 8);
  if (len % 8) bare[len / 8] = (uint8_t)(e.addr6[len / 8] & (0xffu << (8 - len % 8)));
  if (memcmp(bare, e.addr6, 16) != 0) {
    char a[LTCP_ADDR_STRLEN];
    return rt_usage_error(o, "--route %s: the address has bits set beyond the prefix (%s/%u?)", v,
                          rt_addr6_format(bare, a), r->len);
  }
  return 0;
}

/* PREFIX/LEN[,via=ADDR], either family; default,via=ADDR takes the family of ADDR. */
static int rt_opts_add_route(rt_opts *o, const char *v) {
  char text[96];
  snprintf(text, sizeof text, "%s", v);
  char *via = strstr(text, ",via=");
  rt_route r = {0};
  uint32_t len;
  if (via) *via = '\0';
  if (o->nroutes == RT_ROUTES_MAX)
    return rt_usage_error(o, "--route: at most %d routes", RT_ROUTES_MAX);
  if (strlen(v) < sizeof text && strcmp(text, "default") == 0 && via && strchr(via + 5, ':'))
    snprintf(text, sizeof text, "::/0"); /* the IPv6 default route */
  if (strlen(v) < sizeof text && strchr(text, ':')) {
    int rc = rt_opts_route6(o, v, text, via ? via + 5 : NULL, &r);
    if (rc) return rc;
    o->routes[o->nroutes++] = r;
    return 0;
  }
  if (strlen(v) >= sizeof text || (strchr(text, '/') && rt_parse_cidr(text, &r.prefix, &len)) ||
      (!strchr(text, '/') && strcmp(text, "default") != 0) ||
      (via && (ltcp_ipv4_parse_text(via + 5, &r.via) != 0 || r.via == 0)))
    return rt_usage_error(o, "--route wants PREFIX/LEN[,via=ADDR] (e.g. 198.18.2.0/24,via=198.18.0.1) "
                          "or default,via=ADDR, not '%s'", v);
  r.len = strchr(text, '/') ? (uint8_t)len : 0;
  uint32_t mask = r.len ? ~0u << (32 - r.len) : 0;
  if (r.prefix & ~mask) {
    char a[16];
    return rt_usage_error(o, "--route %s: the address has bits set beyond the prefix (%s/%u?)", v,
                          ltcp_ipv4_format(r.prefix & mask, a), r.len);
  }
  o->routes[o->nroutes++] = r;
  return 0;
}

/* --addr 2001:db8::2/64: lucidtcp's IPv6 address and prefix (1 to 128). */
static int rt_opts_set_addr6(rt_opts *o, const char *v) {
  char a[LTCP_ADDR_STRLEN];
  const char *slash = strchr(v, '/');
  char *end;
  errno = 0;
  unsigned long p = slash ? strtoul(slash + 1, &end, 10) : 0;
  ltcp_endpoint e;
  if (!slash || (size_t)(slash - v) >= sizeof a || errno || end == slash + 1 || *end || p < 1 ||
      p > 128)
    return rt_usage_error(o, "--addr wants an IPv6 address as ADDR/PREFIX (e.g. 2001:db8::2/64), "
                          "not '%s'", v);
  snprintf(a, sizeof a, "%.*s", (int)(slash - v), v);
  if (ltcp_addr_parse(a, &e) != 0 || e.family != LTCP_AF_INET6 || e.addr6[0] == 0xff)
    return rt_usage_error(o, "--addr: '%s' is not a unicast IPv6 address", a);
  memcpy(o->addr6, e.addr6, 16);
  o->prefix6 = (uint32_t)p;
  o->have_addr6 = 1;
  return 0;
}

static int rt_opts_set_seed(rt_opts *o, const char *v) {
  char *end;
  errno = 0;
  unsigned long long x = strtoull(v, &end, 10);
  if (!*v || *v == '-' || *end || errno)
    return rt_usage_error(o, "--seed wants a non-negative integer, not '%s'", v);
  o->seed = x;
  o->have_seed = 1;
  return 0;
}

static int rt_opts_set(rt_opts *o, const char *name, const char *v) {
  if (strcmp(name, "--tun") == 0) {
    o->tun = v;
  } else if (strcmp(name, "--addr") == 0) {
    if (strchr(v, ':')) return rt_opts_set_addr6(o, v);
    if (rt_parse_cidr(v, &o->addr, &o->prefix) != 0)
      return rt_usage_error(o, "--addr wants lucidtcp's own address as ADDR/PREFIX "
                            "(e.g. 198.18.0.2/24 or 2001:db8::2/64), not '%s'", v);
    o->have_addr = 1;
  } else if (strcmp(name, "--pcap") == 0) {
    o->pcap_path = v;
  } else if (strcmp(name, "--msl") == 0) {
    return rt_opts_set_msl(o, v);
  } else if (strcmp(name, "--seed") == 0) {
    return rt_opts_set_seed(o, v);
  } else if (strcmp(name, "--impair") == 0) {
    char bad[96], why[160];
    if (ltcp_impair_parse(v, &o->impair_cfg, bad, sizeof bad) != 0)
      return rt_usage_error(o, "--impair: bad item '%s' in '%s': %s", bad, v,
                            ltcp_impair_explain(bad, why, sizeof why));
    o->impair = v;
  } else if (strcmp(name, "--busy-poll") == 0) {
    return rt_opts_set_busy_poll(o, v);
  } else if (strcmp(name, "--io") == 0) {
    return rt_opts_set_io(o, v);
  } else if (strcmp(name, "--threads") == 0) {
    return rt_opts_set_threads(o, v);
  } else if (strcmp(name, "--gateway") == 0) {
    return rt_opts_set_gateway(o, v);
  } else if (strcmp(name, "--route") == 0) {
    return rt_opts_add_route(o, v);
  } else if (strcmp(name, "--control") == 0) {
    o->control = v;
  }
  return 0;
}

int rt_opts_parse(rt_opts *o, int argc, char **argv, int *i) {
  static const char *const valued[] = {"--tun",       "--addr",    "--pcap",   "--msl",
                                       "--impair",    "--busy-poll", "--gateway", "--route",
                                       "--control",   "--io",        "--threads", "--seed"};
  if (strcmp(argv[*i], "--trace") == 0) {
    o->trace = 1;
    return 1;
  }
  if (strcmp(argv[*i], "--offload") == 0) {
    o->offload = 1;
    return 1;
  }
  for (size_t k = 0; k < sizeof valued / sizeof valued[0]; k++) {
    const char *v;
    int rc = rt_opts_value(o, argc, argv, i, valued[k], &v);
    if (rc != 1) {
      if (rc) return rc;
      continue;
    }
    rc = rt_opts_set(o, valued[k], v);
    return rc ? rc : 1;
  }
  return 0;
}

int rt_opts_check(const rt_opts *o) {
  if (!o->tun) return rt_usage_error(o, "--tun DEV is required");
  if (!o->have_addr && !o->have_addr6)
    return rt_usage_error(o, "--addr ADDR/PREFIX is required: lucidtcp's own address on the link");
  ltcp_stack *st = rt_opts_route_stack(o);
  if (!st) return rt_usage_error(o, "out of memory");
  int rc = rt_opts_add_routes(o, st);
  ltcp_stack_free(st);
  return rc;
}
