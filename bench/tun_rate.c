/* What a TUN device itself carries at 1500 bytes a packet, with no TCP on our side: the bound
 * any user-space stack reading and writing one packet per system call works under (the TUN
 * rows of bench/run.sh compare lucidtcp without offloads with it). Run it inside a namespace
 * whose TUN device DEV has the kernel's address 198.18.0.1/24 (bench/run.sh does).
 *
 *   tun_rate write --dev DEV --seconds S   writes 1500-byte IPv4/UDP packets from 198.18.0.2 to
 *                                          the kernel's 198.18.0.1:9, where a UDP socket that
 *                                          is never read takes them (and drops them when full)
 *   tun_rate read --dev DEV --seconds S    a kernel UDP socket sends 1500-byte packets to
 *                                          198.18.0.2:9 through DEV (64 KB per send, cut by
 *                                          the kernel: UDP_SEGMENT, as TCP's GSO cuts its own
 *                                          before a device without offloads); this reads them
 *                 [--busy-poll 1]          reading again at once when the device is empty
 *                                          instead of sleeping in poll (as lucidtcp's
 *                                          --busy-poll), for the rows that busy-poll
 *
 * One line: gbps=... (1500-byte packets, wall clock) pps=... packets=... */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define TR_PKT 1500
#define TR_UDP_PAYLOAD (TR_PKT - 28)
#define TR_PORT 9

static void tr_die(const char *what) {
  fprintf(stderr, "tun_rate: %s: %s\n", what, strerror(errno));
  exit(1);
}

static double tr_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int tr_open(const char *dev) {
  int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd < 0) tr_die("/dev/net/tun");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", dev);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) tr_die("TUNSETIFF");
  return fd;
}

static uint16_t tr_csum(const uint8_t *p, size_t n) {
  uint32_t s = 0;
  for (size_t i = 0; i + 1 < n; i += 2) s += (uint32_t)(p[i] << 8 | p[i + 1]);
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return (uint16_t)~s;
}

/* 198.18.0.2:9 -> 198.18.0.1:9, UDP checksum 0 (none, RFC 768): the device is measured, not a
 * checksum. */
static void tr_packet(uint8_t *p) {
  memset(p, 0, TR_PKT);
  static const uint8_t ip[20] = {0x45, 0, TR_PKT >> 8, TR_PKT & 0xff, 0, 0, 0x40, 0, 64, 17, 0, 0,
                                 198, 18, 0, 2, 198, 18, 0, 1};
  memcpy(p, ip, sizeof ip);
  uint16_t c = tr_csum(p, 20);
  p[10] = (uint8_t)(c >> 8);
  p[11] = (uint8_t)c;
  p[20] = 0, p[21] = TR_PORT, p[22] = 0, p[23] = TR_PORT;
  p[24] = (uint8_t)((TR_PKT - 20) >> 8), p[25] = (uint8_t)((TR_PKT - 20) & 0xff);
}

static int tr_udp(uint32_t bind_addr) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) tr_die("socket");
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(TR_PORT)};
  sa.sin_addr.s_addr = htonl(bind_addr);
  if (bind(s, (struct sockaddr *)&sa, sizeof sa) != 0) tr_die("bind");
  return s;
}

static void tr_report(uint64_t packets, double secs) {
  printf("gbps=%.3f pps=%.0f packets=%llu\n", (double)packets * TR_PKT * 8 / secs / 1e9,
         (double)packets / secs, (unsigned long long)packets);
}

static void tr_write(int fd, double secs) {
  int sink = tr_udp(0xc6120001u); /* never read: the kernel drops what overflows it */
  uint8_t p[TR_PKT];
  tr_packet(p);
  uint64_t n = 0;
  double t0 = tr_now(), t1 = t0;
  while (t1 - t0 < secs) {
    for (int i = 0; i < 256; i++)
      if (write(fd, p, TR_PKT) == TR_PKT) n++;
    t1 = tr_now();
  }
  tr_report(n, t1 - t0);
  close(sink);
}

static volatile int tr_stop;

static void *tr_sender(void *arg) {
  (void)arg;
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) tr_die("socket");
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(TR_PORT)};
  to.sin_addr.s_addr = htonl(0xc6120002u);
  if (connect(s, (struct sockaddr *)&to, sizeof to) != 0) tr_die("connect");
  int seg = TR_UDP_PAYLOAD;
  size_t len = TR_UDP_PAYLOAD;
  if (setsockopt(s, SOL_UDP, UDP_SEGMENT, &seg, sizeof seg) == 0) len = 44 * TR_UDP_PAYLOAD;
  static uint8_t payload[44 * TR_UDP_PAYLOAD];
  while (!tr_stop) /* the device's queue full: the kernel drops, or ENOBUFS */
    (void)send(s, payload, len, 0);
  close(s);
  return NULL;
}

static void tr_read(int fd, double secs, int busy) {
  pthread_t th;
  if (pthread_create(&th, NULL, tr_sender, NULL) != 0) tr_die("pthread_create");
  /* Non-blocking reads after poll: the loop ends on time even if the sender stalls. */
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) tr_die("fcntl");
  static uint8_t buf[65536];
  uint64_t n = 0;
  double t0 = tr_now(), t1 = t0;
  while (t1 - t0 < secs) {
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    if (!busy) (void)poll(&pfd, 1, 100); /* sleep while empty, as an event loop does */
    for (int i = 0; i < 256; i++) {
      ssize_t r = read(fd, buf, sizeof buf);
      if (r < 0) break;
      if (r == TR_PKT) n++;
    }
    t1 = tr_now();
  }
  tr_stop = 1;
  pthread_join(th, NULL);
  tr_report(n, t1 - t0);
}

int main(int argc, char **argv) {
  const char *dev = "ltun0";
  double secs = 3;
  int busy = 0;
  if (argc < 2) {
    fprintf(stderr, "usage: tun_rate write|read [--dev DEV] [--seconds S] [--busy-poll 1]\n");
    return 2;
  }
  for (int i = 2; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--dev") == 0) dev = argv[i + 1];
    else if (strcmp(argv[i], "--seconds") == 0) secs = atof(argv[i + 1]);
    else if (strcmp(argv[i], "--busy-poll") == 0) busy = atoi(argv[i + 1]) != 0;
  }
  if (!(secs > 0 && secs <= 600)) secs = 3;
  int fd = tr_open(dev);
  if (strcmp(argv[1], "write") == 0) tr_write(fd, secs);
  else if (strcmp(argv[1], "read") == 0) tr_read(fd, secs, busy);
  else return 2;
  close(fd);
  return 0;
}
