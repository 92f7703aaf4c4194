/* The skeleton of the real-time commands: arguments, opening the TUN device, the stack, the
 * capture and the loop, the loop's hooks (step, events and the trace, descriptors, signals),
 * and closing it all with the exit status. */
#include "rt/realtime.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "demo/demo.h"

/* 1 MiB each way: a window of 64 KB let the kernel send one window per turn of the loop and
 * then wait (kernel -> lucidtcp over TUN went from 6.4 to 9.7 Gbit/s without offloads), and
 * with offloads one packet carries up to 64 KB. The rings grow only as far as they are used. */
#define RT_SNDBUF (1024u * 1024u)
#define RT_RCVBUF (1024u * 1024u)
#define RT_TX_OFFLOAD 128u /* output slots of 64 KB each with TSO */
#define RT_EVENTS 4096u
#define RT_MTU_MIN 576u
#define RT_MTU_MAX 9000u

void rt_error(const rt_ctx *rt, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "lucidtcp %s: ", rt->o.cmd);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

const char *rt_errtext(int err, char *buf, size_t cap) {
  snprintf(buf, cap, "%s (%s)", ltcp_strerror(err), ltcp_errname(err));
  return buf;
}

/* ---- standard input and output */

void rt_fd_nonblock(rt_ctx *rt, int fd) {
  struct stat sb;
  if (fstat(fd, &sb) != 0 || !(S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode))) return;
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || (fl & O_NONBLOCK) || rt->nsaved == RT_FD_SAVED) return;
  if (fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0) {
    rt->saved[rt->nsaved].fd = fd;
    rt->saved[rt->nsaved++].flags = fl;
  }
}

/* A pipe is shared with the processes around us: they get it back as they gave it. */
static void rt_fd_restore(rt_ctx *rt) {
  for (int i = 0; i < rt->nsaved; i++) fcntl(rt->saved[i].fd, F_SETFL, rt->saved[i].flags);
  rt->nsaved = 0;
}

/* ---- arguments */

static int rt_wants_help(int argc, char **argv) {
  for (int i = 0; i < argc; i++)
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) return 1;
  return 0;
}

/* The shared options first, then the command's own; each argument is taken once, so the loop
 * ends after argc turns at most. 0 or RT_EXIT_USAGE. */
static int rt_parse(const rt_command *cmd, rt_ctx *rt, int argc, char **argv) {
  for (int i = 0; i < argc; i++) {
    int rc = rt_opts_parse(&rt->o, argc, argv, &i);
    if (rc == 0 && cmd->option) rc = cmd->option(rt, argc, argv, &i);
    if (rc == 0) return rt_usage_error(&rt->o, "unknown option '%s'", argv[i]);
    if (rc != 1) return rc;
  }
  int rc = rt_opts_check(&rt->o);
  char err[256];
  if (rc == 0 && rt->o.control && rt_control_check(rt->o.control, err, sizeof err) != 0)
    rc = rt_usage_error(&rt->o, "%s", err);
  if (rc == 0 && cmd->check) rc = cmd->check(rt);
  return rc;
}

/* ---- opening */

/* An address for the kernel's side in the hint: the first on the link that is not ours. */
static uint32_t rt_peer_hint(const rt_opts *o) {
  uint32_t first = (o->addr & rt_opts_mask(o)) | 1u;
  return first == o->addr ? first + 1 : first;
}

static int rt_open_tun(rt_ctx *rt) {
  int sys_errno;
  char msg[320];
  uint32_t flags = (rt->o.offload ? LTCP_TUN_OFFLOAD : 0) |
                   (rt->nshards > 1 ? LTCP_TUN_MULTI_QUEUE : 0);
  ltcp_tun_error te = ltcp_tun_open_flags(&rt->tun, rt->o.tun, flags, &sys_errno);
  /* A multi-queue device refuses a single-queue open (EINVAL): one queue of it serves as well. */
  if (te == LTCP_TUN_BUSY && sys_errno == EINVAL && !(flags & LTCP_TUN_MULTI_QUEUE))
    te = ltcp_tun_open_flags(&rt->tun, rt->o.tun, flags | LTCP_TUN_MULTI_QUEUE, &sys_errno);
  if (te != LTCP_TUN_OK) {
    rt_error(rt, "%s", ltcp_tun_strerror(te, sys_errno, rt->o.tun, msg, sizeof msg));
    if (rt->nshards > 1 && te == LTCP_TUN_BUSY)
      rt_error(rt, "--threads %d needs a multi-queue device: 'ip tuntap add dev %s mode tun "
               "multi_queue', or none of that name (then it is made so)", rt->nshards, rt->o.tun);
    return 1;
  }
  if (rt->shard > 0) return 0; /* the device was checked with the first queue */
  char a[16], k[16];
  uint32_t kaddr;
  if (ltcp_tun_kernel_addr(&rt->tun, &kaddr) != 0) {
    fprintf(stderr, "lucidtcp %s: note: the kernel has no IPv4 address on %s yet; to reach "
            "lucidtcp from this host, give it one on the same link, e.g. "
            "'ip addr add %s/%u dev %s && ip link set %s up'\n", rt->o.cmd, rt->tun.name,
            ltcp_ipv4_format(rt_peer_hint(&rt->o), k), rt->o.prefix, rt->tun.name, rt->tun.name);
  } else if (kaddr == rt->o.addr) {
    rt_error(rt, "address %s already in use: it is the kernel's own address on %s; give "
             "lucidtcp another address on that link (--addr)", ltcp_ipv4_format(kaddr, a),
             rt->tun.name);
    ltcp_tun_close(&rt->tun);
    return 1;
  }
  return 0;
}

static int rt_open_stack(rt_ctx *rt) {
  ltcp_stack_config cfg;
  ltcp_stack_config_default(&cfg);
  rt_opts_stack_config(&rt->o, &cfg);
  uint32_t mtu = rt->tun.mtu;
  cfg.mtu = (uint16_t)(mtu < RT_MTU_MIN ? RT_MTU_MIN : mtu > RT_MTU_MAX ? RT_MTU_MAX : mtu);
  /* --seed: each shard its own stream, the same from run to run. */
  cfg.seed = rt->o.have_seed ? rt->o.seed + (uint64_t)rt->shard : ltcp_loop_random_seed();
  cfg.msl_ns = rt->o.msl_ns;
  cfg.sndbuf = RT_SNDBUF;
  cfg.rcvbuf = RT_RCVBUF;
  cfg.event_capacity = RT_EVENTS;
  cfg.shards = (uint32_t)rt->nshards;
  cfg.shard = (uint32_t)rt->shard;
  /* Large packets out (TSO), unless a fault injector holds them: it keeps bytes only. */
  if (rt->o.offload && !(rt->o.impair && rt->o.impair_cfg.out)) {
    cfg.tso_max = 65535;
    cfg.tx_queue_packets = RT_TX_OFFLOAD;
    /* The kernel sums what we send (NEEDS_CSUM), unless a capture wants the sums whole. */
    cfg.csum_offload = rt->o.pcap_path == NULL;
  }
  rt->st = ltcp_stack_new(&cfg);
  if (!rt->st) {
    rt_error(rt, "cannot create the stack: out of memory");
    return 1;
  }
  return rt_opts_add_routes(&rt->o, rt->st) != 0; /* checked before: cannot fail here */
}

/* Why ltcp_loop_new failed: with --io uring, the kernel's refusal (an errno of its own). */
static const char *rt_loop_errtext(const rt_ctx *rt, int err) {
  if (rt->o.io != LTCP_LOOP_IO_URING) return ltcp_strerror(err);
  if (err == LTCP_EOPNOTSUPP) return "--io uring does not go with --offload";
  static char buf[160];
  snprintf(buf, sizeof buf, "io_uring refused (%s); try --io readwrite", strerror(-err));
  return buf;
}

/* --control: the socket, its path said on stderr (shard k > 0 serves its own, PATH.k). 0, or 1
 * after a message. */
static int rt_open_control(rt_ctx *rt) {
  rt->control.lfd = -1;
  if (!rt->o.control) return 0;
  snprintf(rt->control_path, sizeof rt->control_path, rt->shard ? "%s.%d" : "%s", rt->o.control,
           rt->shard);
  char err[320];
  if (rt_control_open(&rt->control, rt->control_path, rt->o.cmd, rt->loop, err, sizeof err) !=
      0) {
    rt_error(rt, "%s", err);
    return 1;
  }
  fprintf(stderr, "lucidtcp %s: control socket %s (lucidtcp ss --control %s)\n", rt->o.cmd,
          rt->control_path, rt->control_path);
  return 0;
}

/* The device, the stack, the capture and the loop. 0, or 1 after a message (nothing open). */
static int rt_open(rt_ctx *rt, const ltcp_loop_hooks *hooks) {
  rt->tun.fd = -1;
  rt->trace = rt->o.trace ? stderr : NULL;
  rt_dropsum_init(&rt->drops, RT_DROPSUM_INTERVAL);
  if (rt_open_tun(rt) || rt_open_stack(rt)) goto fail;
  /* With --threads, shard k > 0 writes its own capture, FILE.k. */
  char path[4096];
  if (rt->o.pcap_path)
    snprintf(path, sizeof path, rt->shard ? "%s.%d" : "%s", rt->o.pcap_path, rt->shard);
  if (rt->o.pcap_path && !(rt->pcap = ltcp_pcap_open(path))) {
    rt_error(rt, "cannot write capture '%s': %s", path, strerror(errno));
    goto fail;
  }
  /* The first shard's loop takes SIGINT and SIGTERM and passes them on (rt_hook_signal). */
  ltcp_loop_config lc = {.st = rt->st, .tun = &rt->tun, .pcap = rt->pcap, .hooks = *hooks,
                         .busy_poll_ns = rt->o.busy_poll_ns, .io = rt->o.io,
                         .no_signals = rt->shard > 0};
  if (rt->o.impair) lc.impair = &rt->o.impair_cfg;
  int err;
  rt->loop = ltcp_loop_new(&lc, &err);
  if (!rt->loop) {
    rt_error(rt, "cannot start the event loop: %s", rt_loop_errtext(rt, err));
    goto fail;
  }
  if (rt_open_control(rt) == 0) return 0;
  ltcp_loop_free(rt->loop);
  rt->loop = NULL;
fail:
  if (rt->pcap) ltcp_pcap_close(rt->pcap);
  if (rt->st) ltcp_stack_free(rt->st);
  ltcp_tun_close(&rt->tun);
  rt->pcap = NULL;
  rt->st = NULL;
  return 1;
}

/* ---- the trace */

static double rt_trace_time(const rt_ctx *rt, ltcp_time_ns t) {
  return (double)(t - ltcp_loop_start_time(rt->loop)) / 1e9;
}

/* The drops counted and not shown, for each reason whose interval ended by now (all of them
 * with LTCP_TIME_NEVER): "     1.000 s  dropped 8836 more in 1.0 s: output queue full". */
static void rt_trace_drops_due(rt_ctx *rt, ltcp_time_ns now) {
  uint64_t more;
  ltcp_time_ns since;
  int why;
  while ((why = rt_dropsum_due(&rt->drops, now, &more, &since)) >= 0) {
    ltcp_time_ns end = now == LTCP_TIME_NEVER ? ltcp_stack_now(rt->st) : now;
    fprintf(rt->trace, "%10.3f s  dropped %llu more in %.1f s: %s\n", rt_trace_time(rt, end),
            (unsigned long long)more, (double)(end - since) / 1e9,
            ltcp_drop_text((ltcp_drop_reason)why));
  }
}

/* One line per event, in the demo's words:
 * "     0.040 s  ESTABLISHED -> FIN-WAIT-1  (close())  198.18.0.2:7 - 198.18.0.1:41000".
 * A drop is shown when it is the first of its reason in a second, else counted (dropsum.h). */
static void rt_trace_event(rt_ctx *rt, const ltcp_event *ev) {
  if (!rt->trace) return;
  if (ev->kind == LTCP_EV_DROP && ev->local.port == 0) return; /* not TCP: IPv6, ARP noise */
  rt_trace_drops_due(rt, ev->time);
  if (ev->kind == LTCP_EV_DROP && !rt_dropsum_take(&rt->drops, ev->drop, ev->time)) return;
  char la[LTCP_ENDPOINT_STRLEN], ra[LTCP_ENDPOINT_STRLEN], text[200];
  double t = rt_trace_time(rt, ev->time);
  demo_event_text(ev, text, sizeof text);
  if (ev->remote.port == 0) snprintf(ra, sizeof ra, "*");
  else ltcp_endpoint_format(&ev->remote, ra);
  fprintf(rt->trace, "%10.3f s  %s  %s - %s\n", t, text, ltcp_endpoint_format(&ev->local, la), ra);
  fflush(rt->trace);
}

/* "io_uring" or "read/write (io_uring refused: Operation not permitted)". */
static const char *rt_io_text(const ltcp_loop_stats *ls, char *buf, size_t cap) {
  if (ls->io_uring) snprintf(buf, cap, "io_uring");
  else if (ls->io_fallback_errno == EOPNOTSUPP) snprintf(buf, cap, "read/write (offloads)");
  else if (ls->io_fallback_errno)
    snprintf(buf, cap, "read/write (io_uring refused: %s)", strerror((int)ls->io_fallback_errno));
  else snprintf(buf, cap, "read/write");
  return buf;
}

/* Zero-copy send (ltcp_send_zc), when something was lent or refused. Buffers still lent now
 * (connections closed and still sending) are released when the stack is freed, after this. */
static void rt_trace_zero_copy(rt_ctx *rt, const ltcp_stats *ss, const char *who) {
  if (!ss->zc_sends && !ss->zc_refused) return;
  uint64_t held = ss->zc_sends - ss->zc_done - ss->zc_failed;
  char more[96] = "";
  if (held) snprintf(more, sizeof more, "; %llu still lent", (unsigned long long)held);
  fprintf(rt->trace,
          "lucidtcp %s: zero-copy: %llu buffers lent, %llu released acknowledged, %llu released "
          "on error, %llu refused%s\n",
          who, (unsigned long long)ss->zc_sends, (unsigned long long)ss->zc_done,
          (unsigned long long)ss->zc_failed, (unsigned long long)ss->zc_refused, more);
}

/* The last two lines of the trace: the link's and the loop's counters, then the stack's. */
static void rt_trace_counters(rt_ctx *rt) {
  const ltcp_loop_stats *ls = ltcp_loop_get_stats(rt->loop);
  char io[128], who[48];
  if (rt->nshards > 1) snprintf(who, sizeof who, "%s: shard %d", rt->o.cmd, rt->shard);
  else snprintf(who, sizeof who, "%s", rt->o.cmd);
  fprintf(rt->trace,
          "lucidtcp %s: link: %llu packets in, %llu out (%llu large in, %llu large out); "
          "%llu turns, %llu busy polls; device I/O: %s, %llu system calls\n",
          who, (unsigned long long)ls->packets_in, (unsigned long long)ls->packets_out,
          (unsigned long long)ls->large_in, (unsigned long long)ls->large_out,
          (unsigned long long)ls->turns, (unsigned long long)ls->polls,
          rt_io_text(ls, io, sizeof io), (unsigned long long)ls->io_syscalls);
  const ltcp_stats *ss = ltcp_stack_stats(rt->st);
  uint64_t drops = 0;
  for (int i = 0; i < LTCP_DROP_COUNT; i++) drops += ss->drops[i];
  fprintf(rt->trace,
          "lucidtcp %s: stack: %llu segments in, %llu out, %llu retransmitted, %llu dropped; "
          "%llu output stalls; %llu busy wakes, %llu busy sleeps; buffer memory peak %llu bytes "
          "(%llu out-of-order blocks pruned, %llu sends refused)\n",
          who, (unsigned long long)ss->segs_in, (unsigned long long)ss->segs_out,
          (unsigned long long)ss->retransmits, (unsigned long long)drops,
          (unsigned long long)ss->tx_stalls,
          (unsigned long long)ss->busy_wakes, (unsigned long long)ss->busy_sleeps,
          (unsigned long long)ss->buf_mem_peak, (unsigned long long)ss->reasm_pruned,
          (unsigned long long)ss->send_no_memory);
  /* Which reasons the drops had: names as ltcp_drop_name gives them, with their counts. */
  if (drops) {
    fprintf(rt->trace, "lucidtcp %s: drops by reason:", who);
    for (int i = 1; i < LTCP_DROP_COUNT; i++)
      if (ss->drops[i])
        fprintf(rt->trace, " %s=%llu", ltcp_drop_name((ltcp_drop_reason)i),
                (unsigned long long)ss->drops[i]);
    fputc('\n', rt->trace);
  }
  /* RFC 4987's paths, when a listener met a flood. */
  if (ss->half_open_full || ss->half_open_early_drops || ss->syn_cookies_sent || ss->syn_cookies_failed)
    fprintf(rt->trace,
            "lucidtcp %s: SYN flood: %llu SYNs dropped (half-open full), %llu half-open dropped "
            "early; SYN cookies: %llu sent, %llu validated, %llu rejected\n",
            rt->o.cmd, (unsigned long long)ss->half_open_full,
            (unsigned long long)ss->half_open_early_drops, (unsigned long long)ss->syn_cookies_sent,
            (unsigned long long)ss->syn_cookies_ok, (unsigned long long)ss->syn_cookies_failed);
  rt_trace_zero_copy(rt, ss, who);
}

/* ---- the loop's hooks: ctx is the command's state, which begins with the rt_ctx */

static void rt_hook_step(void *ctx, ltcp_loop *loop) {
  rt_ctx *rt = ctx;
  (void)loop;
  if (rt->trace) rt_trace_drops_due(rt, ltcp_stack_now(rt->st));
  rt->cmd->step(ctx);
}

static void rt_hook_event(void *ctx, ltcp_loop *loop, const ltcp_event *ev) {
  (void)loop;
  rt_trace_event(ctx, ev);
}

static void rt_hook_fd(void *ctx, ltcp_loop *loop, int fd, uint32_t ready) {
  rt_ctx *rt = ctx;
  if (rt_control_ready(&rt->control, loop, rt->st, fd, ready)) return;
  if (rt->cmd->fd_ready) rt->cmd->fd_ready(ctx, fd, ready);
}

/* Passes signo on to the other shards' loops (each winds down in its own thread). */
static void rt_raise_others(rt_ctx *rt, int signo) {
  for (int k = 0; k < rt->nshards; k++)
    if (k != rt->shard) (void)ltcp_loop_raise(rt->shards[k]->loop, signo);
}

static void rt_hook_signal(void *ctx, ltcp_loop *loop, int signo) {
  rt_ctx *rt = ctx;
  if (rt->signalled) return; /* once: a shard may hear it from a signal and from another shard */
  rt->signalled = 1;
  int status = rt->cmd->signal ? rt->cmd->signal(ctx, signo) : RT_EXIT_SIGNAL(signo);
  ltcp_loop_stop(loop, status);
  rt_raise_others(rt, signo);
}

/* ---- running */

/* Runs the loop; a shard that ends on its own (its device failed) ends the others too. */
static void *rt_run_shard(void *arg) {
  rt_ctx *rt = arg;
  rt->status = ltcp_loop_run(rt->loop);
  if (!rt->signalled) rt_raise_others(rt, SIGTERM);
  return NULL;
}

/* Closes everything; returns the loop's status (or 1 when the capture failed). */
static int rt_close(rt_ctx *rt) {
  int rc = rt->status;
  rt_control_close(&rt->control, rt->loop);
  if (rt->trace) {
    rt_trace_drops_due(rt, LTCP_TIME_NEVER);
    rt_trace_counters(rt);
  }
  if (ltcp_loop_link_error(rt->loop))
    rt_error(rt, "reading from %s failed (%s): was the device deleted?", rt->tun.name,
             strerror(ltcp_loop_link_error(rt->loop)));
  if (rt->pcap && ltcp_pcap_close(rt->pcap) != 0) {
    rt_error(rt, "writing capture '%s' failed", rt->o.pcap_path);
    if (rc == 0) rc = RT_EXIT_FAIL;
  }
  ltcp_stack_free(rt->st);
  ltcp_tun_close(&rt->tun);
  rt_fd_restore(rt);
  /* Last: it unblocks SIGINT and SIGTERM, and the capture is closed by then. */
  ltcp_loop_free(rt->loop);
  return rc;
}

/* The steering program puts each connection on the queue whose stack picked its port; without
 * it (no CAP_BPF, an old kernel) Linux's flow hash spreads the connections that come in, which
 * is all serve needs, and a note says so. */
static void rt_steer(rt_ctx *rt) {
  int rc = ltcp_tun_steer(&rt->tun);
  if (rc != 0)
    fprintf(stderr, "lucidtcp %s: note: cannot steer %s's queues by ports (%s): the kernel "
            "spreads incoming connections by its own hash\n", rt->o.cmd, rt->tun.name,
            strerror(-rc));
}

/* Opens every shard (the device's queues in order), then the command's part of each. */
static int rt_open_all(const rt_command *cmd, rt_ctx **shards, int n) {
  for (int k = 0; k < n; k++) {
    ltcp_loop_hooks hooks = {.step = rt_hook_step, .event = rt_hook_event,
                             .fd_ready = rt_hook_fd,
                             .signal = rt_hook_signal, .ctx = shards[k]};
    if (rt_open(shards[k], &hooks) == 0) continue;
    while (k-- > 0) rt_close(shards[k]);
    return RT_EXIT_FAIL;
  }
  if (n > 1) rt_steer(shards[0]);
  for (int k = 0; k < n; k++)
    if (cmd->open && cmd->open(shards[k]) != 0) ltcp_loop_stop(shards[k]->loop, RT_EXIT_FAIL);
  return 0;
}

/* Shard 0 on this thread, the others each on one of their own; the first failure is the exit
 * status. Bounded: one thread per shard, each joined. */
static int rt_run(const rt_command *cmd, rt_ctx **shards, int n) {
  if (rt_open_all(cmd, shards, n) != 0) return RT_EXIT_FAIL;
  pthread_t tid[RT_THREADS_MAX];
  int started[RT_THREADS_MAX] = {0};
  for (int k = 1; k < n; k++) {
    started[k] = pthread_create(&tid[k], NULL, rt_run_shard, shards[k]) == 0;
    if (!started[k]) {
      rt_error(shards[k], "cannot start thread %d: %s", k, strerror(errno));
      shards[k]->status = RT_EXIT_FAIL;
      ltcp_loop_stop(shards[0]->loop, RT_EXIT_FAIL);
    }
  }
  rt_run_shard(shards[0]);
  for (int k = 1; k < n; k++)
    if (started[k]) pthread_join(tid[k], NULL);
  /* A signal may come twice (timeout(1) sends it to the child, then to its group): once the
   * loop that took the first restores the mask, the second would kill the process with the
   * exit status decided. The command is ending: from here on both are ignored. */
  if (shards[0]->signalled) {
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
  }
  int rc = 0;
  for (int k = n - 1; k >= 0; k--) { /* shard 0 last: its loop restores the signal mask */
    int r = rt_close(shards[k]);
    if (r != 0 && (rc == 0 || k == 0)) rc = r;
  }
  return rc;
}

/* Parses the arguments into each shard's state (the first reports what is wrong). */
static int rt_parse_all(const rt_command *cmd, rt_ctx **shards, int n, int argc, char **argv) {
  for (int k = 0; k < n; k++) {
    rt_ctx *rt = shards[k];
    rt->cmd = cmd;
    rt->shards = shards;
    rt->nshards = n;
    rt->shard = k;
    rt_opts_default(&rt->o, cmd->name);
    int rc = rt_parse(cmd, rt, argc, argv);
    if (rc) return rc;
    if (k == 0 && rt->o.threads > 1 && !cmd->threads)
      return rt_usage_error(&rt->o, "--threads: %s runs on one thread", cmd->name);
  }
  return 0;
}

int rt_main(const rt_command *cmd, int argc, char **argv) {
  if (rt_wants_help(argc, argv)) {
    fputs(cmd->usage, stdout);
    return RT_EXIT_OK;
  }
  rt_ctx *shards[RT_THREADS_MAX] = {0};
  if (!(shards[0] = calloc(1, cmd->size))) return RT_EXIT_FAIL;
  /* The first parse says how many shards there are. */
  shards[0]->nshards = 1;
  int rc = rt_parse_all(cmd, shards, 1, argc, argv), n = 1;
  if (rc == 0 && shards[0]->o.threads > 1) {
    n = (int)shards[0]->o.threads;
    if (cmd->release) cmd->release(shards[0]);
    memset(shards[0], 0, cmd->size);
    for (int k = 1; k < n; k++)
      if (!(shards[k] = calloc(1, cmd->size))) rc = RT_EXIT_FAIL;
    if (rc == 0) rc = rt_parse_all(cmd, shards, n, argc, argv);
  }
  if (rc == 0) rc = rt_run(cmd, shards, n);
  for (int k = 0; k < n; k++) {
    if (shards[k] && cmd->release) cmd->release(shards[k]);
    free(shards[k]);
  }
  return rc;
}
