/* The shared part of serve, connect and get: options, opening the TUN device, the stack, the
 * capture and the loop, and the trace. */
#define _GNU_SOURCE
#include "net.h"

#include "demo/demo.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* 1 MiB each way: a window of 64 KB let the kernel send one window per turn of the loop and
 * then wait (kernel -> lucidtcp over TUN went from 6.4 to 9.7 Gbit/s without offloads), and
 * with offloads one packet carries up to 64 KB. The rings grow only as far as they are used. */
#define NET_SNDBUF (1024u * 1024u)
#define NET_RCVBUF (1024u * 1024u)
#define NET_TX_OFFLOAD 128u /* output slots of 64 KB each with TSO */
#define NET_EVENTS 4096u
#define NET_MTU_MIN 576u
#define NET_MTU_MAX 9000u

void net_opts_default(net_opts *o, const char *cmd) {
  memset(o, 0, sizeof *o);
  o->cmd = cmd;
  o->msl_ns = LTCP_SEC(30);
}

int net_usage_error(const char *cmd, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "lucidtcp %s: ", cmd);
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\nTry 'lucidtcp help %s'.\n", cmd);
  va_end(ap);
  return code;
}

void net_error(const net_opts *o, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "lucidtcp %s: ", o->cmd);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

const char *net_errtext(int err, char *buf, size_t cap) {
  snprintf(buf, cap, "%s (%s)", ltcp_strerror(err), ltcp_errname(err));
  return buf;
}

int net_parse_cidr(const char *text, uint32_t *addr, uint32_t *prefix) {
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

int net_parse_port(const char *text, uint16_t *port) {
  char *end;
  errno = 0;
  unsigned long v = strtoul(text, &end, 10);
  if (errno || end == text || *end || *text == '-' || v < 1 || v > 65535) return -1;
  *port = (uint16_t)v;
  return 0;
}

static uint32_t net_mask(uint32_t prefix) { return prefix >= 32 ? ~0u : ~(~0u >> prefix); }

int net_on_link(const net_opts *o, uint32_t addr) {
  uint32_t m = net_mask(o->prefix);
  return (addr & m) == (o->addr & m);
}

/* "--name VALUE" or "--name=VALUE": the value, or NULL when argv[*i] is not --name. */
static const char *net_value(const char *cmd, int argc, char **argv, int *i, const char *name,
                             int *err) {
  size_t n = strlen(name);
  if (strncmp(argv[*i], name, n) != 0) return NULL;
  if (argv[*i][n] == '=') return argv[*i] + n + 1;
  if (argv[*i][n] != '\0') return NULL;
  if (*i + 1 >= argc) {
    *err = net_usage_error(cmd, NET_EXIT_USAGE, "option %s needs a value", name);
    return NULL;
  }
  return argv[++*i];
}

static int net_set_option(net_opts *o, const char *name, const char *v) {
  if (strcmp(name, "--tun") == 0) {
    o->tun = v;
  } else if (strcmp(name, "--addr") == 0) {
    if (net_parse_cidr(v, &o->addr, &o->prefix) != 0)
      return net_usage_error(o->cmd, NET_EXIT_USAGE,
                             "--addr wants lucidtcp's own address as ADDR/PREFIX "
                             "(e.g. 198.18.0.2/24), not '%s'", v);
    o->have_addr = 1;
  } else if (strcmp(name, "--pcap") == 0) {
    o->pcap_path = v;
  } else if (strcmp(name, "--msl") == 0) {
    char *end;
    double x = strtod(v, &end);
    if (end == v || *end || !(x > 0 && x <= 3600))
      return net_usage_error(o->cmd, NET_EXIT_USAGE,
                             "--msl wants seconds above 0 and at most 3600, not '%s'", v);
    o->msl_ns = (ltcp_time_ns)(x * 1e9);
  } else if (strcmp(name, "--impair") == 0) {
    char bad[96];
    if (ltcp_impair_parse(v, &o->impair_cfg, bad, sizeof bad) != 0)
      return net_usage_error(o->cmd, NET_EXIT_USAGE, "--impair: bad item '%s' in '%s'", bad, v);
    o->impair = v;
  } else if (strcmp(name, "--busy-poll") == 0) {
    char *end;
    unsigned long us = strtoul(v, &end, 10);
    if (end == v || *end || v[0] == '-' || us > 1000000)
      return net_usage_error(o->cmd, NET_EXIT_USAGE,
                             "--busy-poll wants microseconds from 0 to 1000000, not '%s'", v);
    o->busy_poll_ns = (ltcp_time_ns)us * 1000;
  }
  return 0;
}

int net_parse_option(net_opts *o, int argc, char **argv, int *i) {
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
    int err = 0;
    const char *v = net_value(o->cmd, argc, argv, i, valued[k], &err);
    if (err) return err;
    if (!v) continue;
    int rc = net_set_option(o, valued[k], v);
    return rc ? rc : 1;
  }
  return 0;
}

int net_check_options(const net_opts *o) {
  if (!o->tun) return net_usage_error(o->cmd, NET_EXIT_USAGE, "--tun DEV is required");
  if (!o->have_addr)
    return net_usage_error(o->cmd, NET_EXIT_USAGE,
                           "--addr ADDR/PREFIX is required: lucidtcp's own address on the link");
  return 0;
}

/* ---- opening */

/* An address for the kernel's side in the hint: the first on the link that is not ours. */
static uint32_t net_peer_hint(const net_opts *o) {
  uint32_t first = (o->addr & net_mask(o->prefix)) | 1u;
  return first == o->addr ? first + 1 : first;
}

static int net_open_tun(net_ctx *n) {
  int sys_errno;
  char msg[320];
  ltcp_tun_error te =
      ltcp_tun_open_flags(&n->tun, n->o.tun, n->o.offload ? LTCP_TUN_OFFLOAD : 0, &sys_errno);
  if (te != LTCP_TUN_OK) {
    net_error(&n->o, "%s", ltcp_tun_strerror(te, sys_errno, n->o.tun, msg, sizeof msg));
    return 1;
  }
  char a[16], k[16];
  uint32_t kaddr;
  if (ltcp_tun_kernel_addr(&n->tun, &kaddr) != 0) {
    fprintf(stderr, "lucidtcp %s: note: the kernel has no IPv4 address on %s yet; to reach "
            "lucidtcp from this host, give it one on the same link, e.g. "
            "'ip addr add %s/%u dev %s && ip link set %s up'\n", n->o.cmd, n->tun.name,
            ltcp_ipv4_format(net_peer_hint(&n->o), k), n->o.prefix, n->tun.name, n->tun.name);
  } else if (kaddr == n->o.addr) {
    net_error(&n->o, "address %s already in use: it is the kernel's own address on %s; give "
              "lucidtcp another address on that link (--addr)", ltcp_ipv4_format(kaddr, a),
              n->tun.name);
    ltcp_tun_close(&n->tun);
    return 1;
  }
  return 0;
}

static int net_open_stack(net_ctx *n) {
  ltcp_stack_config cfg;
  ltcp_stack_config_default(&cfg);
  cfg.addr = n->o.addr;
  uint32_t mtu = n->tun.mtu;
  cfg.mtu = (uint16_t)(mtu < NET_MTU_MIN ? NET_MTU_MIN : mtu > NET_MTU_MAX ? NET_MTU_MAX : mtu);
  cfg.seed = ltcp_loop_random_seed();
  cfg.msl_ns = n->o.msl_ns;
  cfg.sndbuf = NET_SNDBUF;
  cfg.rcvbuf = NET_RCVBUF;
  cfg.event_capacity = NET_EVENTS;
  /* Large packets out (TSO), unless a fault injector holds them: it keeps bytes only. */
  if (n->o.offload && !(n->o.impair && n->o.impair_cfg.out)) {
    cfg.tso_max = 65535;
    cfg.tx_queue_packets = NET_TX_OFFLOAD;
    /* The kernel sums what we send (NEEDS_CSUM), unless a capture wants the sums whole. */
    cfg.csum_offload = n->o.pcap_path == NULL;
  }
  n->st = ltcp_stack_new(&cfg);
  if (!n->st) {
    net_error(&n->o, "cannot create the stack: out of memory");
    return 1;
  }
  return 0;
}

int net_open(net_ctx *n, const net_opts *o, const ltcp_loop_hooks *hooks) {
  memset(n, 0, sizeof *n);
  n->o = *o;
  n->tun.fd = -1;
  n->trace = o->trace ? stderr : NULL;
  if (net_open_tun(n) || net_open_stack(n)) goto fail;
  if (o->pcap_path && !(n->pcap = ltcp_pcap_open(o->pcap_path))) {
    net_error(o, "cannot write capture '%s': %s", o->pcap_path, strerror(errno));
    goto fail;
  }
  ltcp_loop_config lc = {.st = n->st, .tun = &n->tun, .pcap = n->pcap, .hooks = *hooks,
                         .busy_poll_ns = o->busy_poll_ns};
  if (o->impair) lc.impair = &n->o.impair_cfg;
  int err;
  n->loop = ltcp_loop_new(&lc, &err);
  if (!n->loop) {
    net_error(o, "cannot start the event loop: %s", ltcp_strerror(err));
    goto fail;
  }
  return 0;
fail:
  if (n->pcap) ltcp_pcap_close(n->pcap);
  if (n->st) ltcp_stack_free(n->st);
  ltcp_tun_close(&n->tun);
  memset(n, 0, sizeof *n);
  return 1;
}

int net_run(net_ctx *n) {
  int rc = ltcp_loop_run(n->loop);
  if (n->trace) {
    const ltcp_loop_stats *ls = ltcp_loop_get_stats(n->loop);
    fprintf(n->trace,
            "lucidtcp %s: link: %llu packets in, %llu out (%llu large in, %llu large out); "
            "%llu turns, %llu busy polls\n",
            n->o.cmd, (unsigned long long)ls->packets_in, (unsigned long long)ls->packets_out,
            (unsigned long long)ls->large_in, (unsigned long long)ls->large_out,
            (unsigned long long)ls->turns, (unsigned long long)ls->polls);
    const ltcp_stats *ss = ltcp_stack_stats(n->st);
    uint64_t drops = 0;
    for (int i = 0; i < LTCP_DROP_COUNT; i++) drops += ss->drops[i];
    fprintf(n->trace,
            "lucidtcp %s: stack: %llu segments in, %llu out, %llu retransmitted, %llu dropped; "
            "%llu busy wakes, %llu busy sleeps\n",
            n->o.cmd, (unsigned long long)ss->segs_in, (unsigned long long)ss->segs_out,
            (unsigned long long)ss->retransmits, (unsigned long long)drops,
            (unsigned long long)ss->busy_wakes, (unsigned long long)ss->busy_sleeps);
  }
  if (ltcp_loop_link_error(n->loop))
    net_error(&n->o, "reading from %s failed (%s): was the device deleted?", n->tun.name,
              strerror(ltcp_loop_link_error(n->loop)));
  if (n->pcap && ltcp_pcap_close(n->pcap) != 0) {
    net_error(&n->o, "writing capture '%s' failed", n->o.pcap_path);
    if (rc == 0) rc = 1;
  }
  ltcp_stack_free(n->st);
  ltcp_tun_close(&n->tun);
  net_fd_restore();
  /* Last: it unblocks SIGINT and SIGTERM, and the capture is closed by then. */
  ltcp_loop_free(n->loop);
  return rc;
}

/* ---- the trace: the demo's words for each state change */

void net_trace_event(net_ctx *n, const ltcp_event *ev) {
  if (!n->trace) return;
  if (ev->kind == LTCP_EV_DROP && ev->local.port == 0) return; /* not TCP: IPv6, ARP noise */
  char la[16], ra[24], text[200];
  double t = (double)(ev->time - ltcp_loop_start_time(n->loop)) / 1e9;
  demo_event_text(ev, text, sizeof text);
  if (ev->remote.port == 0) snprintf(ra, sizeof ra, "*");
  else snprintf(ra, sizeof ra, "%s:%u", ltcp_ipv4_format(ev->remote.addr, la), ev->remote.port);
  fprintf(n->trace, "%10.3f s  %s  %s:%u - %s\n", t, text, ltcp_ipv4_format(ev->local.addr, la),
          ev->local.port, ra);
  fflush(n->trace);
}

/* ---- standard input and output */

#define NET_FD_SAVED 4
static struct {
  int fd, flags;
} net_saved[NET_FD_SAVED];
static int net_nsaved;

void net_fd_nonblock(int fd) {
  struct stat sb;
  if (fstat(fd, &sb) != 0 || !(S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode))) return;
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || (fl & O_NONBLOCK) || net_nsaved == NET_FD_SAVED) return;
  if (fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0) {
    net_saved[net_nsaved].fd = fd;
    net_saved[net_nsaved++].flags = fl;
  }
}

void net_fd_restore(void) {
  for (int i = 0; i < net_nsaved; i++) fcntl(net_saved[i].fd, F_SETFL, net_saved[i].flags);
  net_nsaved = 0;
}
