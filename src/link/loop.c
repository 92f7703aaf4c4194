/* The real-time loop: epoll over the TUN device, one timerfd, a signalfd and the application's
 * descriptors, driving a stack on CLOCK_MONOTONIC. */
#define _GNU_SOURCE
#include "lucidtcp/loop.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "link/uring.h"
#include "util/assert.h"

#define LOOP_MAX_WATCH 16       /* application descriptors (stdin, stdout, a file...) */
#define LOOP_EPOLL_BATCH 32
#define LOOP_READ_BATCH 256     /* packets read per readiness, so timers and output get a turn */
#define LOOP_FLUSH_BOUND 65536u /* packets written per turn */
#define LOOP_RX_BUF 65536       /* the largest IPv4 packet */
#define LOOP_IMPAIR_CAP 4096    /* packets held by each fault injector */
#define LOOP_IMPAIR_CAP_LARGE 256 /* the same with offloads, whose packets are up to 64 KB */
#define LOOP_RING_READS 256     /* io_uring: reads kept queued (packets per system call in) */
#define LOOP_RING_WRITES 256    /* io_uring: write slots (packets per system call out) */

typedef struct loop_watch {
  int fd;
  uint32_t interest;
  int always; /* a regular file: epoll refuses it, it is always ready */
} loop_watch;

struct ltcp_loop {
  ltcp_loop_config cfg;
  int epfd, tfd, sfd;
  int efd;                /* eventfd: ltcp_loop_raise from another thread */
  _Atomic uint32_t raised; /* signals raised, a bit per signal (SIGINT, SIGTERM) */
  sigset_t old_mask;
  struct sigaction old_pipe;
  loop_watch watch[LOOP_MAX_WATCH];
  uint32_t nwatch;
  ltcp_impair *im_in, *im_out;
  ltcp_time_ns start, app_wake, armed;
  ltcp_time_ns pcap_base; /* CLOCK_REALTIME - CLOCK_MONOTONIC at start, for capture stamps */
  int out_blocked;        /* the device refused a write: wait until it is writable */
  int stopped, status;
  int link_error;         /* errno of a failed read from the device, or 0 */
  ltcp_uring *ring;       /* io_uring, or NULL: read/write */
  int tun_watched;        /* ring: the device is in epoll (reads that found nothing wait) */
  ltcp_loop_stats stats;
  uint8_t rx[LOOP_RX_BUF];
};

static ltcp_time_ns loop_clock(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (ltcp_time_ns)ts.tv_sec * LTCP_SEC(1) + (ltcp_time_ns)ts.tv_nsec;
}

ltcp_time_ns ltcp_loop_now(const ltcp_loop *loop) {
  (void)loop;
  return loop_clock(CLOCK_MONOTONIC);
}

ltcp_time_ns ltcp_loop_start_time(const ltcp_loop *loop) { return loop->start; }
const ltcp_loop_stats *ltcp_loop_get_stats(const ltcp_loop *loop) { return &loop->stats; }
int ltcp_loop_link_error(const ltcp_loop *loop) { return loop->link_error; }

uint64_t ltcp_loop_random_seed(void) {
  uint64_t v = 0;
  if (getrandom(&v, sizeof v, 0) != (ssize_t)sizeof v)
    v = loop_clock(CLOCK_REALTIME) ^ ((uint64_t)getpid() << 32); /* never on Linux >= 3.17 */
  return v;
}

static int loop_epoll_add(ltcp_loop *loop, int fd, uint32_t events) {
  struct epoll_event ev = {.events = events, .data.fd = fd};
  return epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

static int loop_signals(ltcp_loop *loop) {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  if (sigprocmask(SIG_BLOCK, &mask, &loop->old_mask) < 0) return -errno;
  struct sigaction ign;
  memset(&ign, 0, sizeof ign);
  ign.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ign, &loop->old_pipe);
  loop->sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  return loop->sfd < 0 ? -errno : 0;
}

/* io_uring for the device unless read/write is asked for, or the device has offloads (the
 * virtio_net_hdr path stays on readv/writev); refused under LTCP_LOOP_IO_AUTO, the loop falls
 * back to read/write and keeps the errno. Slots hold the largest packet: a read may bring the
 * device's whole MTU, a write the stack's. */
static int loop_io_open(ltcp_loop *loop) {
  if (loop->cfg.io == LTCP_LOOP_IO_READWRITE) return 0;
  int err = -EOPNOTSUPP;
  if (!loop->cfg.tun->offload) {
    ltcp_uring_config rc = {.fd = loop->cfg.tun->fd, .reads = LOOP_RING_READS,
                            .read_size = LOOP_RX_BUF, .writes = LOOP_RING_WRITES,
                            .write_size = ltcp_stack_get_config(loop->cfg.st)->mtu};
    loop->ring = ltcp_uring_new(&rc, &err);
  }
  if (loop->ring) {
    loop->stats.io_uring = 1;
    return 0;
  }
  if (loop->cfg.io == LTCP_LOOP_IO_URING) return err;
  loop->stats.io_fallback_errno = (uint64_t)-err;
  return 0;
}

static int loop_init(ltcp_loop *loop) {
  loop->epfd = epoll_create1(EPOLL_CLOEXEC);
  if (loop->epfd < 0) return -errno;
  loop->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (loop->tfd < 0) return -errno;
  loop->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (loop->efd < 0) return -errno;
  int rc = loop->cfg.no_signals ? 0 : loop_signals(loop);
  if (rc) return rc;
  /* Packets for the link to cut (the stack's tso_max) or to sum (csum_offload) need a device
   * with offloads; partial checksums would also reach a capture, which wants them whole. */
  const ltcp_stack_config *sc = ltcp_stack_get_config(loop->cfg.st);
  if ((sc->tso_max || sc->csum_offload) && !loop->cfg.tun->offload) return LTCP_EINVAL;
  if (sc->csum_offload && loop->cfg.pcap) return LTCP_EINVAL;
  if ((rc = loop_io_open(loop)) != 0) return rc;
  if (!loop->ring && (rc = loop_epoll_add(loop, loop->cfg.tun->fd, EPOLLIN)) != 0) return rc;
  if (loop->ring && (rc = loop_epoll_add(loop, ltcp_uring_fd(loop->ring), EPOLLIN)) != 0)
    return rc;
  if ((rc = loop_epoll_add(loop, loop->tfd, EPOLLIN)) != 0) return rc;
  if (loop->sfd >= 0 && (rc = loop_epoll_add(loop, loop->sfd, EPOLLIN)) != 0) return rc;
  if ((rc = loop_epoll_add(loop, loop->efd, EPOLLIN)) != 0) return rc;
  const ltcp_impair_config *ic = loop->cfg.impair;
  if (ic) {
    /* A slot holds the largest packet either side may send on this link. */
    uint32_t slot = ltcp_stack_get_config(loop->cfg.st)->mtu, dev = loop->cfg.tun->mtu;
    uint32_t cap = LOOP_IMPAIR_CAP;
    if (dev > slot) slot = dev < LOOP_RX_BUF ? dev : LOOP_RX_BUF;
    if (loop->cfg.tun->offload) slot = LOOP_RX_BUF, cap = LOOP_IMPAIR_CAP_LARGE;
    /* A packet for the link to cut (TSO) cannot wait in an injector, which keeps bytes only. */
    if (ic->out && (sc->tso_max || sc->csum_offload)) return LTCP_EINVAL;
    ltcp_impair_config out = *ic;
    out.seed = ic->seed ^ 0x9e3779b97f4a7c15ull; /* the two directions draw independently */
    if (ic->in) loop->im_in = ltcp_impair_new(ic, cap, slot);
    if (ic->out) loop->im_out = ltcp_impair_new(&out, cap, slot);
    if ((ic->in && !loop->im_in) || (ic->out && !loop->im_out)) return LTCP_ENOMEM;
  }
  return 0;
}

ltcp_loop *ltcp_loop_new(const ltcp_loop_config *cfg, int *err) {
  ltcp_loop *loop = calloc(1, sizeof *loop);
  if (!loop) {
    *err = LTCP_ENOMEM;
    return NULL;
  }
  loop->cfg = *cfg;
  loop->epfd = loop->tfd = loop->sfd = loop->efd = -1;
  loop->app_wake = loop->armed = LTCP_TIME_NEVER;
  loop->start = loop_clock(CLOCK_MONOTONIC);
  loop->pcap_base = loop_clock(CLOCK_REALTIME) - loop->start;
  sigemptyset(&loop->old_mask);
  /* The stack's clock starts where ours does: calls made before the first turn (listen,
   * connect) are stamped with the real time. */
  ltcp_stack_advance(cfg->st, loop->start);
  int rc = loop_init(loop);
  if (rc) {
    ltcp_loop_free(loop);
    *err = rc;
    return NULL;
  }
  *err = 0;
  return loop;
}

void ltcp_loop_free(ltcp_loop *loop) {
  if (!loop) return;
  if (loop->sfd >= 0) {
    /* A signal may come twice (timeout(1) sends it to the child and to its group): drop what
     * is pending, so restoring the mask does not kill the process with it. */
    struct signalfd_siginfo si;
    for (int i = 0; i < 8 && read(loop->sfd, &si, sizeof si) == (ssize_t)sizeof si; i++) {
    }
    close(loop->sfd);
    sigaction(SIGPIPE, &loop->old_pipe, NULL);
    sigprocmask(SIG_SETMASK, &loop->old_mask, NULL);
  }
  if (loop->tfd >= 0) close(loop->tfd);
  if (loop->efd >= 0) close(loop->efd);
  if (loop->epfd >= 0) close(loop->epfd);
  ltcp_impair_free(loop->im_in);
  ltcp_impair_free(loop->im_out);
  ltcp_uring_free(loop->ring);
  free(loop);
}

/* ---- application descriptors */

static loop_watch *loop_find(ltcp_loop *loop, int fd) {
  for (uint32_t i = 0; i < loop->nwatch; i++)
    if (loop->watch[i].fd == fd) return &loop->watch[i];
  return NULL;
}

static uint32_t loop_epoll_events(uint32_t interest) {
  return (interest & LTCP_LOOP_IN ? EPOLLIN : 0u) | (interest & LTCP_LOOP_OUT ? EPOLLOUT : 0u);
}

static int loop_watch_new(ltcp_loop *loop, int fd, uint32_t interest) {
  if (loop->nwatch == LOOP_MAX_WATCH) return LTCP_ENOBUFS;
  loop_watch *w = &loop->watch[loop->nwatch];
  int rc = loop_epoll_add(loop, fd, loop_epoll_events(interest));
  if (rc == -EPERM) rc = 0, w->always = 1; /* a regular file or a directory */
  else w->always = 0;
  if (rc) return rc;
  w->fd = fd;
  w->interest = interest;
  loop->nwatch++;
  return 0;
}

int ltcp_loop_watch(ltcp_loop *loop, int fd, uint32_t interest) {
  if (fd < 0) return LTCP_EBADF;
  loop_watch *w = loop_find(loop, fd);
  if (!w) return interest ? loop_watch_new(loop, fd, interest) : 0;
  if (w->interest == interest) return 0;
  if (!w->always) {
    struct epoll_event ev = {.events = loop_epoll_events(interest), .data.fd = fd};
    if (interest == 0) epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
    else if (epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) < 0) return -errno;
  }
  if (interest == 0) {
    *w = loop->watch[--loop->nwatch];
    return 0;
  }
  w->interest = interest;
  return 0;
}

/* ---- the link */

static void loop_pcap(ltcp_loop *loop, ltcp_time_ns now, const uint8_t *pkt, size_t len) {
  if (loop->cfg.pcap) (void)ltcp_pcap_write(loop->cfg.pcap, now + loop->pcap_base, pkt, len);
}

static void loop_set_out_blocked(ltcp_loop *loop, int blocked) {
  if (loop->out_blocked == blocked || loop->ring) return;
  loop->out_blocked = blocked;
  struct epoll_event ev = {.events = EPOLLIN | (blocked ? EPOLLOUT : 0u),
                           .data.fd = loop->cfg.tun->fd};
  epoll_ctl(loop->epfd, EPOLL_CTL_MOD, loop->cfg.tun->fd, &ev);
}

/* io_uring: the packet is copied into a write slot, submitted with the turn's others at its end.
 * With every slot in flight the turn's writes go now; still none free, the loop waits for
 * completions (the ring's descriptor) as it waits for a full device. */
static int loop_ring_write(ltcp_loop *loop, const uint8_t *pkt, size_t len) {
  uint8_t *slot = ltcp_uring_write_slot(loop->ring);
  if (!slot) {
    (void)ltcp_uring_submit(loop->ring);
    ltcp_uring_reap(loop->ring);
    if (!(slot = ltcp_uring_write_slot(loop->ring))) {
      loop->out_blocked = 1;
      return 0;
    }
  }
  if (len > ltcp_stack_get_config(loop->cfg.st)->mtu) {
    loop->stats.write_errors++; /* never: without offloads the stack sends at most its MTU */
    return 1;
  }
  memcpy(slot, pkt, len);
  ltcp_uring_write_queue(loop->ring, len);
  loop->stats.packets_out++;
  loop->stats.bytes_out += len;
  return 1;
}

/* Writes one packet to the device (seg_size: ltcp_stack_tx_seg_size): 1 when it was taken (or
 * lost), 0 when the device is full. */
static int loop_link_write(ltcp_loop *loop, const uint8_t *pkt, size_t len, uint32_t seg_size) {
  if (loop->ring) return loop_ring_write(loop, pkt, len);
  loop->stats.io_syscalls++;
  int rc = ltcp_stack_get_config(loop->cfg.st)->csum_offload
               ? ltcp_tun_write_partial(loop->cfg.tun, pkt, len, seg_size)
               : ltcp_tun_write_seg(loop->cfg.tun, pkt, len, seg_size);
  if (rc == LTCP_EAGAIN) {
    loop_set_out_blocked(loop, 1);
    return 0;
  }
  if (rc) loop->stats.write_errors++;
  if (seg_size) loop->stats.large_out++;
  loop->stats.packets_out++;
  loop->stats.bytes_out += len;
  return 1;
}

static void loop_flush(ltcp_loop *loop, ltcp_time_ns now) {
  ltcp_stack *st = loop->cfg.st;
  const uint8_t *pkt;
  size_t len;
  for (uint32_t i = 0; i < LOOP_FLUSH_BOUND && !loop->out_blocked; i++) {
    if (!(len = ltcp_stack_tx_peek(st, &pkt))) break;
    if (loop->im_out) {
      loop_pcap(loop, now, pkt, len); /* as sent, before the faults: the sender's view */
      ltcp_impair_push(loop->im_out, now, pkt, len);
    } else {
      if (!loop_link_write(loop, pkt, len, ltcp_stack_tx_seg_size(st))) break;
      loop_pcap(loop, now, pkt, len);
    }
    ltcp_stack_tx_pop(st);
  }
  for (uint32_t i = 0; loop->im_out && i < LOOP_FLUSH_BOUND && !loop->out_blocked; i++) {
    if (!(len = ltcp_impair_peek(loop->im_out, now, &pkt))) break;
    if (!loop_link_write(loop, pkt, len, 0)) break;
    ltcp_impair_pop(loop->im_out);
  }
}

/* A packet read from the device goes to the capture, then to the fault injector or the stack. */
static void loop_take(ltcp_loop *loop, ltcp_time_ns now, const uint8_t *pkt, size_t n,
                      uint32_t rx_flags) {
  loop->stats.packets_in++;
  loop->stats.bytes_in += (uint64_t)n;
  if (rx_flags & LTCP_TUN_RX_LARGE) loop->stats.large_in++;
  loop_pcap(loop, now, pkt, n);
  if (loop->im_in) ltcp_impair_push(loop->im_in, now, pkt, n);
  else ltcp_stack_input_flags(loop->cfg.st, now, pkt, n,
                              rx_flags & LTCP_TUN_RX_CSUM_OK ? LTCP_INPUT_CSUM_OK : 0);
}

static void loop_link_gone(ltcp_loop *loop, int err) {
  loop->link_error = err; /* the device is gone (deleted under us): nothing more will come */
  ltcp_loop_stop(loop, 1);
}

static void loop_read_link(ltcp_loop *loop, ltcp_time_ns now) {
  /* A packet that goes to a capture or waits in a fault injector is made whole first; one going
   * straight to the stack keeps a partial checksum the stack need not verify. */
  int whole = loop->cfg.pcap || loop->im_in;
  for (int i = 0; i < LOOP_READ_BATCH; i++) {
    uint32_t rx_flags = 0;
    loop->stats.io_syscalls++;
    ssize_t n = whole ? ltcp_tun_read(loop->cfg.tun, loop->rx, sizeof loop->rx)
                      : ltcp_tun_read_flags(loop->cfg.tun, loop->rx, sizeof loop->rx, &rx_flags);
    if (n < 0) loop_link_gone(loop, (int)-n);
    if (n <= 0) break;
    loop_take(loop, now, loop->rx, (size_t)n, rx_flags);
  }
}

/* io_uring: every read completed since the last turn, in order (bounded by the reads queued);
 * write slots the kernel is done with come back, unblocking output. */
static void loop_read_ring(ltcp_loop *loop, ltcp_time_ns now) {
  ltcp_uring_reap(loop->ring);
  const uint8_t *pkt;
  for (int i = 0; i < LOOP_RING_READS; i++) {
    long n = ltcp_uring_read_peek(loop->ring, &pkt);
    if (n == 0) break;
    if (n < 0) {
      loop_link_gone(loop, (int)-n);
      break;
    }
    loop_take(loop, now, pkt, (size_t)n, 0);
    ltcp_uring_read_pop(loop->ring);
  }
  if (loop->out_blocked && ltcp_uring_write_slot(loop->ring)) loop->out_blocked = 0;
}

/* io_uring: reads that found the device empty (EAGAIN; reads are never parked, link/uring.h)
 * wait for it to be readable, which epoll watches meanwhile. */
static void loop_ring_watch_device(ltcp_loop *loop) {
  int want = ltcp_uring_idle_reads(loop->ring) != 0;
  if (want == loop->tun_watched) return;
  if (want) (void)loop_epoll_add(loop, loop->cfg.tun->fd, EPOLLIN);
  else epoll_ctl(loop->epfd, EPOLL_CTL_DEL, loop->cfg.tun->fd, NULL);
  loop->tun_watched = want;
}

static void loop_ring_submit(ltcp_loop *loop) {
  if (!loop->ring) return;
  if (ltcp_uring_submit(loop->ring) < 0) loop->stats.write_errors++;
  loop->stats.io_syscalls = ltcp_uring_syscalls(loop->ring);
  loop_ring_watch_device(loop);
}

static void loop_release_input(ltcp_loop *loop, ltcp_time_ns now) {
  const uint8_t *pkt;
  size_t len;
  for (uint32_t i = 0; loop->im_in && i < LOOP_IMPAIR_CAP; i++) {
    if (!(len = ltcp_impair_peek(loop->im_in, now, &pkt))) break;
    ltcp_stack_input(loop->cfg.st, now, pkt, len);
    ltcp_impair_pop(loop->im_in);
  }
}

/* ---- turns */

void ltcp_loop_stop(ltcp_loop *loop, int status) {
  if (loop->stopped) return;
  loop->stopped = 1;
  loop->status = status;
}

void ltcp_loop_wake_at(ltcp_loop *loop, ltcp_time_ns t) {
  if (t < loop->app_wake) loop->app_wake = t;
}

static ltcp_time_ns loop_min(ltcp_time_ns a, ltcp_time_ns b) { return a < b ? a : b; }

static void loop_arm(ltcp_loop *loop) {
  ltcp_time_ns t = loop_min(ltcp_stack_next_deadline(loop->cfg.st), loop->app_wake);
  if (loop->im_in) t = loop_min(t, ltcp_impair_next_due(loop->im_in));
  if (loop->im_out && !loop->out_blocked) t = loop_min(t, ltcp_impair_next_due(loop->im_out));
  if (t == loop->armed) return;
  struct itimerspec its;
  memset(&its, 0, sizeof its);
  if (t != LTCP_TIME_NEVER) {
    its.it_value.tv_sec = (time_t)(t / LTCP_SEC(1));
    its.it_value.tv_nsec = (long)(t % LTCP_SEC(1));
    if (t == 0) its.it_value.tv_nsec = 1;
  }
  timerfd_settime(loop->tfd, TFD_TIMER_ABSTIME, &its, NULL);
  loop->armed = t;
}

static void loop_deliver(ltcp_loop *loop, int signo) {
  if (loop->cfg.hooks.signal) loop->cfg.hooks.signal(loop->cfg.hooks.ctx, loop, signo);
  else ltcp_loop_stop(loop, 128 + signo);
}

static void loop_signal(ltcp_loop *loop) {
  struct signalfd_siginfo si;
  for (int i = 0; i < 8 && read(loop->sfd, &si, sizeof si) == (ssize_t)sizeof si; i++)
    loop_deliver(loop, (int)si.ssi_signo);
}

static uint32_t loop_signal_bit(int signo) {
  return signo == SIGINT ? 1u : signo == SIGTERM ? 2u : 0u;
}

int ltcp_loop_raise(ltcp_loop *loop, int signo) {
  uint32_t bit = loop_signal_bit(signo);
  if (!bit) return LTCP_EINVAL;
  atomic_fetch_or(&loop->raised, bit);
  uint64_t one = 1;
  return write(loop->efd, &one, sizeof one) < 0 && errno != EAGAIN ? -errno : 0;
}

/* Signals raised from elsewhere (ltcp_loop_raise), in this loop's thread. */
static void loop_raised(ltcp_loop *loop) {
  uint64_t n;
  if (read(loop->efd, &n, sizeof n) < 0) { /* EAGAIN: taken by an earlier turn */ }
  uint32_t bits = atomic_exchange(&loop->raised, 0u);
  if (bits & 1u) loop_deliver(loop, SIGINT);
  if (bits & 2u) loop_deliver(loop, SIGTERM);
}

static void loop_dispatch(ltcp_loop *loop, const struct epoll_event *ev, ltcp_time_ns now) {
  int fd = ev->data.fd;
  if (loop->ring && fd == ltcp_uring_fd(loop->ring)) {
    /* Completions are taken every turn (loop_turn). */
  } else if (loop->ring && fd == loop->cfg.tun->fd) {
    ltcp_uring_rearm_idle(loop->ring);
  } else if (fd == loop->cfg.tun->fd) {
    if (ev->events & EPOLLOUT) loop_set_out_blocked(loop, 0);
    /* On an error (the device was deleted) the read says which, and stops the loop. */
    if (ev->events & (EPOLLIN | EPOLLERR | EPOLLHUP)) loop_read_link(loop, now);
  } else if (fd == loop->tfd) {
    uint64_t expirations;
    if (read(loop->tfd, &expirations, sizeof expirations) < 0) { /* EAGAIN: spurious */ }
    loop->armed = LTCP_TIME_NEVER; /* a one-shot timer is disarmed once it fires */
  } else if (fd == loop->sfd) {
    loop_signal(loop);
  } else if (fd == loop->efd) {
    loop_raised(loop);
  } else if (loop->cfg.hooks.fd_ready && loop_find(loop, fd)) {
    uint32_t r = (ev->events & EPOLLIN ? LTCP_LOOP_IN : 0u) |
                 (ev->events & EPOLLOUT ? LTCP_LOOP_OUT : 0u) |
                 (ev->events & (EPOLLHUP | EPOLLERR) ? LTCP_LOOP_HUP : 0u);
    loop->cfg.hooks.fd_ready(loop->cfg.hooks.ctx, loop, fd, r);
  }
}

static void loop_events(ltcp_loop *loop) {
  ltcp_event ev;
  /* Bounded by the stack's event capacity. */
  while (ltcp_stack_next_event(loop->cfg.st, &ev))
    if (loop->cfg.hooks.event) loop->cfg.hooks.event(loop->cfg.hooks.ctx, loop, &ev);
}

/* Output, then (io_uring) the turn's writes and the reads to queue again, in one system call. */
static void loop_after(ltcp_loop *loop) {
  loop_flush(loop, loop_clock(CLOCK_MONOTONIC));
  loop_ring_submit(loop);
  loop_events(loop);
}

static void loop_always_ready(ltcp_loop *loop) {
  loop_watch ready[LOOP_MAX_WATCH];
  uint32_t n = 0;
  for (uint32_t i = 0; i < loop->nwatch; i++)
    if (loop->watch[i].always) ready[n++] = loop->watch[i];
  /* A copy: the hook may change what is watched. */
  for (uint32_t i = 0; i < n && loop->cfg.hooks.fd_ready; i++)
    if (loop_find(loop, ready[i].fd))
      loop->cfg.hooks.fd_ready(loop->cfg.hooks.ctx, loop, ready[i].fd, ready[i].interest);
}

static int loop_has_always(const ltcp_loop *loop) {
  for (uint32_t i = 0; i < loop->nwatch; i++)
    if (loop->watch[i].always) return 1;
  return 0;
}

/* Waits for readiness: at once with an always-ready descriptor; with busy polling, polls
 * without sleeping until something is ready or busy_poll_ns has passed (bounded in time), and
 * only then sleeps. */
static int loop_wait(ltcp_loop *loop, struct epoll_event *evs) {
  if (loop_has_always(loop)) return epoll_wait(loop->epfd, evs, LOOP_EPOLL_BATCH, 0);
  /* Completions already in the ring (a write slot reaped while flushing took reads with it). */
  if (loop->ring && ltcp_uring_read_peek(loop->ring, &(const uint8_t *){NULL}) != 0)
    return epoll_wait(loop->epfd, evs, LOOP_EPOLL_BATCH, 0);
  if (loop->cfg.busy_poll_ns) {
    ltcp_time_ns until = loop_clock(CLOCK_MONOTONIC) + loop->cfg.busy_poll_ns;
    do {
      int n = epoll_wait(loop->epfd, evs, LOOP_EPOLL_BATCH, 0);
      if (n != 0) return n;
      loop->stats.polls++;
    } while (loop_clock(CLOCK_MONOTONIC) < until);
  }
  return epoll_wait(loop->epfd, evs, LOOP_EPOLL_BATCH, -1);
}

static void loop_turn(ltcp_loop *loop) {
  struct epoll_event evs[LOOP_EPOLL_BATCH];
  loop_arm(loop);
  int n = loop_wait(loop, evs);
  ltcp_time_ns now = loop_clock(CLOCK_MONOTONIC);
  loop->stats.turns++;
  for (int i = 0; i < n; i++) loop_dispatch(loop, &evs[i], now);
  if (loop->ring) loop_read_ring(loop, now);
  loop_always_ready(loop);
  loop_release_input(loop, now);
  /* Always: the calls the step hook makes act at the stack's clock (RTO armed, RTT timed). */
  ltcp_stack_advance(loop->cfg.st, now);
  if (now >= loop->app_wake) loop->app_wake = LTCP_TIME_NEVER;
  loop_events(loop); /* what the packets and timers did, before the application acts on it */
  if (loop->cfg.hooks.step) loop->cfg.hooks.step(loop->cfg.hooks.ctx, loop);
  loop_after(loop);
}

int ltcp_loop_run(ltcp_loop *loop) {
  loop_after(loop); /* what the application queued before running (a SYN) goes out now */
  while (!loop->stopped) loop_turn(loop);
  loop_after(loop);
  /* Packets a fault injector still holds are lost, as on a wire that is cut. */
  return loop->status;
}
