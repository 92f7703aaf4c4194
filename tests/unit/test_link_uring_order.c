/* io_uring reads from a real TUN device keep the device's packet order (src/link/uring.c).
 *
 * Reads parked in the kernel and woken together complete in an order other than the packets'
 * (measured before the fix: 36 to 96 inversions per million packets), which TCP sees as
 * reordering: PAWS then drops a reordered ACK (RFC 7323 §5.3 R1) and the peer gets duplicate
 * ACKs. The kernel sends numbered UDP datagrams through the device while this process reads them
 * through ltcp_uring the way the loop does; every datagram read must come after the one before.
 * The race is rare and needs load to show (1 run in 12 failed on an idle machine before the
 * fix), so the test also checks the mechanism that rules it out, deterministically: on an empty
 * device every read ends at once with EAGAIN rather than waiting in the kernel.
 *
 * Needs root, /dev/net/tun and io_uring: it makes a network namespace of its own (unshare), so
 * the device, 198.18.0.1/24 and the datagrams exist only there and go with the process. Without
 * them it exits 77 (a skip, never a pass) saying which is missing. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "link/uring.h"

#define DATAGRAMS 300000u
#define DEADLINE_S 60

static atomic_int sender_done;

static int skip(const char *why) {
  printf("SKIP: %s\n", why);
  return 77;
}

/* The kernel's side: DATAGRAMS numbered datagrams to 198.18.0.2:9, through the device. */
static void *send_numbered(void *arg) {
  (void)arg;
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(9)};
  inet_pton(AF_INET, "198.18.0.2", &to.sin_addr);
  uint8_t buf[1200] = {0};
  for (uint32_t i = 1; s >= 0 && i <= DATAGRAMS; i++) {
    memcpy(buf, &i, sizeof i);
    /* A full device queue (ENOBUFS) loses the datagram: losses do not matter, order does. */
    (void)sendto(s, buf, sizeof buf, 0, (const struct sockaddr *)&to, sizeof to);
  }
  if (s >= 0) close(s);
  atomic_store(&sender_done, 1);
  return NULL;
}

static int open_device(void) {
  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return -1;
  struct ifreq ifr = {.ifr_flags = IFF_TUN | IFF_NO_PI};
  snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "ltun0");
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

int main(void) {
  if (geteuid() != 0) return skip("not root (a network namespace and a TUN device are needed)");
  if (unshare(CLONE_NEWNET) != 0) return skip("unshare(CLONE_NEWNET) refused");
  int fd = open_device();
  if (fd < 0) return skip("no /dev/net/tun");
  if (system("ip link set lo up && sysctl -qw net.ipv6.conf.ltun0.disable_ipv6=1 && "
             "ip link set ltun0 up txqueuelen 10000 && "
             "ip addr add 198.18.0.1/24 dev ltun0") != 0)
    return skip("ip could not set the device up");
  ltcp_uring_config rc = {.fd = fd, .reads = 256, .read_size = 2048, .writes = 4,
                          .write_size = 2048};
  int err;
  ltcp_uring *u = ltcp_uring_new(&rc, &err);
  if (!u) return skip("no io_uring (built without liburing, or the kernel refuses it)");

  /* The mechanism: on the empty device every read ends at once (EAGAIN) instead of parking,
   * so none can be woken out of turn later. Parked reads would leave no completion at all. */
  int rc0 = ltcp_uring_submit(u);
  if (rc0 < 0) {
    printf("FAIL: submit: %s\n", strerror(-rc0));
    ltcp_uring_free(u);
    return 1;
  }
  struct pollfd ring = {.fd = ltcp_uring_fd(u), .events = POLLIN};
  uint32_t ended = 0; /* reads that ended: with a packet (the kernel's own, if any) or EAGAIN */
  const uint8_t *pkt;
  for (int i = 0; i < 10 && ended + ltcp_uring_idle_reads(u) < rc.reads; i++) {
    (void)poll(&ring, 1, 10);
    ltcp_uring_reap(u);
    for (; ltcp_uring_read_peek(u, &pkt) > 0; ended++) ltcp_uring_read_pop(u);
  }
  ended += ltcp_uring_idle_reads(u);
  if (ended != rc.reads) {
    printf("FAIL: %u of %u reads ended on the empty device; the others are parked in the kernel\n",
           ended, rc.reads);
    ltcp_uring_free(u);
    return 1;
  }
  ltcp_uring_rearm_idle(u);

  pthread_t tid;
  if (pthread_create(&tid, NULL, send_numbered, NULL) != 0) return 1;
  uint32_t last = 0, got = 0, inversions = 0;
  time_t until = time(NULL) + DEADLINE_S;
  struct pollfd pfd[2] = {{.fd = ltcp_uring_fd(u), .events = POLLIN}, {.fd = fd}};
  /* As the loop does: submit, wait for a completion or (idle reads) the device, take packets. */
  while (time(NULL) < until) {
    if (ltcp_uring_submit(u) < 0) return 1;
    pfd[1].events = ltcp_uring_idle_reads(u) ? POLLIN : 0;
    int n = poll(pfd, 2, 100);
    if (n == 0 && atomic_load(&sender_done)) break; /* 100 ms with nothing more */
    if (pfd[1].revents & POLLIN) ltcp_uring_rearm_idle(u);
    ltcp_uring_reap(u);
    long len;
    while ((len = ltcp_uring_read_peek(u, &pkt)) > 0) {
      uint32_t v;
      if (len >= 28 + 4 && (pkt[0] >> 4) == 4 && pkt[9] == 17) { /* IPv4, UDP: our datagrams */
        memcpy(&v, pkt + 28, sizeof v);
        if (v < last) inversions++;
        else last = v;
        got++;
      }
      ltcp_uring_read_pop(u);
    }
    if (len < 0) return 1;
  }
  pthread_join(tid, NULL);
  ltcp_uring_free(u);
  close(fd);
  printf("%u of %u datagrams read through io_uring, %u out of order\n", got, DATAGRAMS, inversions);
  if (got < DATAGRAMS / 2) {
    printf("FAIL: fewer than half the datagrams were read\n");
    return 1;
  }
  if (inversions) {
    printf("FAIL: io_uring reads reordered the device's packets\n");
    return 1;
  }
  return 0;
}
