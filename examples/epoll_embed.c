/* lucidtcp inside your own event loop: the stack does no I/O and reads no clock (sans-I/O,
 * lucidtcp/stack.h), so the program owns the epoll loop, the clock, the timer and the link.
 * Each turn: read every packet from the TUN descriptor into ltcp_stack_input, run the timers
 * that are due (ltcp_stack_advance), make socket calls, write what the stack queued
 * (ltcp_stack_tx_peek/pop), then sleep in epoll_wait until a packet comes or a timerfd armed
 * at ltcp_stack_next_deadline fires. Any other descriptor of yours can join the same epoll set.
 *
 * The job: connect to ADDR:PORT, send MESSAGE and a FIN, print the reply until the server's FIN.
 *
 *   ip tuntap add dev tun0 mode tun && ip addr add 198.18.0.1/24 dev tun0 && ip link set tun0 up
 *   python3 -m http.server --bind 198.18.0.1 8000 &
 *   ./epoll_embed tun0 198.18.0.2 198.18.0.1 8000 $'GET / HTTP/1.0\r\n\r\n'
 *
 * Only the device is opened with lucidtcp's helper (ltcp_tun_open: the ioctls); reads and
 * writes are plain read(2) and write(2) on its descriptor. Needs CAP_NET_ADMIN (root). */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <lucidtcp/lucidtcp.h>
#include <lucidtcp/tun.h>

#define TIMEOUT_NS LTCP_SEC(10) /* the whole exchange */
#define MAX_TURNS 1000000       /* a bound on the loop, far above what the exchange needs */

static ltcp_time_ns now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts); /* the stack's clock: any clock that never goes back */
  return (ltcp_time_ns)ts.tv_sec * 1000000000u + (ltcp_time_ns)ts.tv_nsec;
}

/* The link, in: every packet waiting on the device goes to the stack. */
static void link_read(ltcp_stack *st, int tun_fd) {
  uint8_t pkt[65536];
  ssize_t n;
  while ((n = read(tun_fd, pkt, sizeof pkt)) > 0) ltcp_stack_input(st, now_ns(), pkt, (size_t)n);
}

/* The link, out: every packet the stack queued goes to the device. A write the device refuses
 * is a packet lost, as on a wire; TCP sends it again. */
static void link_write(ltcp_stack *st, int tun_fd) {
  const uint8_t *pkt;
  size_t len;
  while ((len = ltcp_stack_tx_peek(st, &pkt)) > 0) {
    if (write(tun_fd, pkt, len) < 0 && errno != EAGAIN) perror("epoll_embed: write");
    ltcp_stack_tx_pop(st);
  }
}

/* The one timer: armed at the stack's next deadline (absolute, CLOCK_MONOTONIC), or off. */
static void timer_arm(int tfd, ltcp_time_ns deadline) {
  struct itimerspec its = {0};
  if (deadline != LTCP_TIME_NEVER) {
    its.it_value.tv_sec = (time_t)(deadline / 1000000000u);
    its.it_value.tv_nsec = (long)(deadline % 1000000000u);
    if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0) its.it_value.tv_nsec = 1;
  }
  timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

typedef struct client {
  int fd;
  const char *msg;
  size_t sent;
  int connected, shut, done, failed;
} client;

/* The application's part of a turn; returns 1 when the exchange is over (or failed). */
static int client_step(ltcp_stack *st, client *c) {
  int err = ltcp_socket_error(st, c->fd);
  if (err) {
    fprintf(stderr, "epoll_embed: %s\n", ltcp_strerror(err));
    c->failed = 1;
    return 1;
  }
  /* Writable: ESTABLISHED. A FIN (shutdown) before then would be RFC 9293's CLOSE in
   * SYN-SENT, which gives the connection up. */
  ltcp_pollfd p = {.fd = c->fd, .events = LTCP_POLLOUT};
  if (!c->connected && (ltcp_poll(st, &p, 1) == 0 || !(p.revents & LTCP_POLLOUT))) return 0;
  c->connected = 1;
  size_t len = strlen(c->msg);
  while (c->sent < len) {
    ssize_t n = ltcp_send(st, c->fd, c->msg + c->sent, len - c->sent, 0);
    if (n <= 0) break; /* the send buffer is full: next turn */
    c->sent += (size_t)n;
  }
  if (c->sent == len && !c->shut) c->shut = ltcp_shutdown(st, c->fd, LTCP_SHUT_WR) == 0;
  char buf[4096];
  ssize_t n;
  while ((n = ltcp_recv(st, c->fd, buf, sizeof buf, 0)) > 0) fwrite(buf, 1, (size_t)n, stdout);
  return n == 0; /* the server's FIN */
}

static int run(ltcp_stack *st, int tun_fd, client *c) {
  int ep = epoll_create1(0), tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = tun_fd};
  if (ep < 0 || tfd < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, tun_fd, &ev) != 0) return 1;
  ev.data.fd = tfd;
  epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
  ltcp_time_ns end = now_ns() + TIMEOUT_NS;
  int over = 0;
  for (int turn = 0; turn < MAX_TURNS && now_ns() < end; turn++) {
    link_read(st, tun_fd);
    ltcp_time_ns t = now_ns();
    if (t >= ltcp_stack_next_deadline(st)) ltcp_stack_advance(st, t);
    if (!c->done && client_step(st, c)) {
      c->done = 1;
      ltcp_close(st, c->fd);
    }
    link_write(st, tun_fd);
    /* Done when the connection is gone or in TIME-WAIT. We closed first, so it is TIME-WAIT's
     * (2*MSL) until the process ends; a program that goes on keeps the stack, and it. */
    uint32_t left = ltcp_stack_connection_count(st);
    if (c->done && left == ltcp_stack_count_state(st, LTCP_TIME_WAIT)) {
      over = 1;
      break;
    }
    ltcp_time_ns next = ltcp_stack_next_deadline(st);
    timer_arm(tfd, next < end ? next : end);
    struct epoll_event ready[4];
    int n = epoll_wait(ep, ready, 4, -1);
    for (int i = 0; i < n; i++) {
      uint64_t expirations; /* the timer fired: reading clears it */
      if (ready[i].data.fd == tfd && read(tfd, &expirations, sizeof expirations) < 0) break;
    }
  }
  if (!over) fprintf(stderr, "epoll_embed: timed out\n");
  close(tfd);
  close(ep);
  return over && !c->failed ? 0 : 1;
}

int main(int argc, char **argv) {
  uint32_t addr;
  ltcp_endpoint server = {0}; /* zeroed: family 0 is IPv4, and no field is left undefined */
  if (argc != 6 || ltcp_ipv4_parse_text(argv[2], &addr) != 0 ||
      ltcp_ipv4_parse_text(argv[3], &server.addr) != 0 || atoi(argv[4]) <= 0) {
    fprintf(stderr, "usage: epoll_embed DEVICE ADDRESS SERVER PORT MESSAGE\n");
    return 2;
  }
  server.port = (uint16_t)atoi(argv[4]);
  ltcp_tun tun;
  int sys_errno;
  ltcp_tun_error te = ltcp_tun_open(&tun, argv[1], &sys_errno);
  if (te != LTCP_TUN_OK) {
    char msg[320];
    fprintf(stderr, "epoll_embed: %s\n",
            ltcp_tun_strerror(te, sys_errno, argv[1], msg, sizeof msg));
    return 1;
  }
  ltcp_stack_config cfg;
  ltcp_stack_config_default(&cfg);
  cfg.addr = addr;
  cfg.mtu = (uint16_t)tun.mtu;
  if (getrandom(&cfg.seed, sizeof cfg.seed, 0) != sizeof cfg.seed) cfg.seed = now_ns();
  ltcp_stack *st = ltcp_stack_new(&cfg); /* the ISN key: on a real network, not guessable */
  client c = {.msg = argv[5]};
  int rc = 1;
  if (st) {
    ltcp_stack_advance(st, now_ns()); /* the stack's clock starts at 0: bring it to ours */
    c.fd = ltcp_socket(st);
    /* -1 with EINPROGRESS: the SYN is queued. */
    if (ltcp_connect(st, c.fd, &server) != 0 && errno != EINPROGRESS)
      fprintf(stderr, "epoll_embed: connect: %s\n", ltcp_strerror(errno));
    else
      rc = run(st, tun.fd, &c);
    ltcp_stack_free(st);
  }
  ltcp_tun_close(&tun);
  return rc;
}
