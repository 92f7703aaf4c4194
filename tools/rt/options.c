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

int rt_opts_on_link(const rt_opts *o, uint32_t addr) {
  uint32_t m = rt_opts_mask(o);
  return (addr & m) == (o->addr & m) && addr != o->addr;
}

int rt_opts_check_peer(const rt_opts *o, uint32_t addr, const char *host) {
  if (rt_opts_on_link(o, addr)) return 0;
  return rt_usage_error(o, "%s is not another host on lucidtcp's link (--addr): lucidtcp has no "
                        "routes beyond it", host);
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

static int rt_opts_set(rt_opts *o, const char *name, const char *v) {
  if (strcmp(name, "--tun") == 0) {
    o->tun = v;
  } else if (strcmp(name, "--addr") == 0) {
    if (rt_parse_cidr(v, &o->addr, &o->prefix) != 0)
      return rt_usage_error(o, "--addr wants lucidtcp's own address as ADDR/PREFIX "
                            "(e.g. 198.18.0.2/24), not '%s'", v);
    o->have_addr = 1;
  } else if (strcmp(name, "--pcap") == 0) {
    o->pcap_path = v;
  } else if (strcmp(name, "--msl") == 0) {
    return rt_opts_set_msl(o, v);
  } else if (strcmp(name, "--impair") == 0) {
    char bad[96], why[160];
    if (ltcp_impair_parse(v, &o->impair_cfg, bad, sizeof bad) != 0)
      return rt_usage_error(o, "--impair: bad item '%s' in '%s': %s", bad, v,
                            ltcp_impair_explain(bad, why, sizeof why));
    o->impair = v;
  } else if (strcmp(name, "--busy-poll") == 0) {
    return rt_opts_set_busy_poll(o, v);
  }
  return 0;
}

int rt_opts_parse(rt_opts *o, int argc, char **argv, int *i) {
  static const char *const valued[] = {"--tun", "--addr", "--pcap", "--msl", "--impair",
                                       "--busy-poll"};
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
  if (!o->have_addr)
    return rt_usage_error(o, "--addr ADDR/PREFIX is required: lucidtcp's own address on the link");
  return 0;
}
