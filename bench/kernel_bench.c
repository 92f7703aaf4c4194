/* The Linux kernel's TCP through the socket API: the same workloads as ltcp_bench, a server
 * thread and a client thread in one process. Run it inside a fresh network namespace
 * (bench/run.sh does); it talks to --addr (default 127.0.0.1).
 *
 *   kernel_bench bulk   --bytes N                 Gbit/s by CPU time (both threads, user+sys)
 *   kernel_bench cycles --count N --inflight B    open, 1 byte each way, close; TIME-WAIT kept
 *   kernel_bench rr     --count N                 1-byte transactions per CPU second
 *   kernel_bench send|recv --addr A --port P --bytes N   a client only (the TUN figure): sends N
 *                                                 bytes to a discard server, or reads N from chargen
 *                          [--nodelay 0]          without TCP_NODELAY (on by default, as every
 *                                                 client here sets it)
 *   kernel_bench sink --addr A --port P          accepts one connection, reads it to its end
 *
 * One line of key=value pairs per run, as ltcp_bench prints. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define KB_PORT 5001
#define KB_PER_PORT 50000u /* client ports 10000..59999, above the listeners */

typedef struct kb_job {
  const char *what;
  uint64_t bytes;
  uint32_t count, inflight;
  struct in_addr addr;
  int lfd[64];
  uint32_t nports;
  int nodelay; /* TCP_NODELAY on the client (--nodelay 0: the socket's default, Nagle on) */
} kb_job;

static void kb_die(const char *what) {
  fprintf(stderr, "kernel_bench: %s: %s\n", what, strerror(errno));
  exit(1);
}

static double kb_clock(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void kb_opt(int fd, int level, int opt) {
  int one = 1;
  if (setsockopt(fd, level, opt, &one, sizeof one) != 0) kb_die("setsockopt");
}

static struct sockaddr_in kb_sa(struct in_addr a, uint16_t port) {
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_addr = a;
  sa.sin_port = htons(port);
  return sa;
}

static int kb_listen(struct in_addr a, uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sa = kb_sa(a, port);
  kb_opt(fd, SOL_SOCKET, SO_REUSEADDR);
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 4096) != 0) kb_die("listen");
  return fd;
}

static int kb_connect(const kb_job *j, uint16_t lport, uint16_t rport) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) kb_die("socket");
  kb_opt(fd, SOL_SOCKET, SO_REUSEADDR);
  if (j->nodelay) kb_opt(fd, IPPROTO_TCP, TCP_NODELAY);
  if (lport) {
    struct sockaddr_in la = kb_sa(j->addr, lport);
    if (bind(fd, (struct sockaddr *)&la, sizeof la) != 0) kb_die("bind");
  }
  struct sockaddr_in sa = kb_sa(j->addr, rport);
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) kb_die("connect");
  return fd;
}

static void kb_read_n(int fd, size_t n) {
  static __thread uint8_t buf[1 << 16];
  while (n) {
    ssize_t r = read(fd, buf, n < sizeof buf ? n : sizeof buf);
    if (r <= 0) kb_die("read");
    n -= (size_t)r;
  }
}

/* Waits for the peer's FIN (bounded by the peer: a discard server closes when we do). */
static void kb_read_eof(int fd) {
  static uint8_t buf[1 << 16]; /* the sink reads gigabytes: not 256 bytes per system call */
  while (read(fd, buf, sizeof buf) > 0) {
  }
}

static void kb_write_n(int fd, const void *p, size_t n) {
  while (n) {
    ssize_t r = write(fd, p, n);
    if (r <= 0) kb_die("write");
    n -= (size_t)r, p = (const uint8_t *)p + r;
  }
}

static void *kb_server(void *arg) {
  kb_job *j = arg;
  if (strcmp(j->what, "bulk") == 0 || strcmp(j->what, "rr") == 0) {
    int fd = accept(j->lfd[0], NULL, NULL);
    if (fd < 0) kb_die("accept");
    kb_opt(fd, IPPROTO_TCP, TCP_NODELAY);
    if (j->what[0] == 'b') kb_read_n(fd, j->bytes);
    for (uint32_t i = 0; j->what[0] == 'r' && i < j->count; i++) kb_read_n(fd, 1), kb_write_n(fd, "a", 1);
    close(fd);
    return NULL;
  }
  int *fds = calloc(j->inflight, sizeof *fds);
  for (uint32_t done = 0; done < j->count;) {
    uint32_t b = j->inflight, left = KB_PER_PORT - done % KB_PER_PORT;
    if (b > left) b = left;
    if (b > j->count - done) b = j->count - done;
    for (uint32_t i = 0; i < b; i++)
      if ((fds[i] = accept(j->lfd[done / KB_PER_PORT], NULL, NULL)) < 0) kb_die("accept");
    for (uint32_t i = 0; i < b; i++) kb_read_n(fds[i], 1), kb_write_n(fds[i], "a", 1);
    for (uint32_t i = 0; i < b; i++) {
      char c;
      if (read(fds[i], &c, 1) != 0) kb_die("expected end of stream");
      close(fds[i]);
    }
    done += b;
  }
  free(fds);
  return NULL;
}

static void kb_client(kb_job *j) {
  if (j->what[0] == 'b' || j->what[0] == 'r') {
    int fd = kb_connect(j, 0, KB_PORT);
    static uint8_t out[1 << 16];
    for (uint64_t sent = 0; j->what[0] == 'b' && sent < j->bytes;) {
      size_t n = j->bytes - sent < sizeof out ? (size_t)(j->bytes - sent) : sizeof out;
      kb_write_n(fd, out, n);
      sent += n;
    }
    for (uint32_t i = 0; j->what[0] == 'r' && i < j->count; i++) kb_write_n(fd, "q", 1), kb_read_n(fd, 1);
    close(fd);
    return;
  }
  int *fds = calloc(j->inflight, sizeof *fds);
  for (uint32_t done = 0; done < j->count;) {
    uint32_t b = j->inflight, left = KB_PER_PORT - done % KB_PER_PORT;
    if (b > left) b = left;
    if (b > j->count - done) b = j->count - done;
    uint16_t rport = (uint16_t)(KB_PORT + done / KB_PER_PORT);
    for (uint32_t i = 0; i < b; i++)
      fds[i] = kb_connect(j, (uint16_t)(10000 + (done + i) % KB_PER_PORT), rport);
    for (uint32_t i = 0; i < b; i++) kb_write_n(fds[i], "q", 1);
    for (uint32_t i = 0; i < b; i++) kb_read_n(fds[i], 1), close(fds[i]); /* client closes first */
    done += b;
  }
  free(fds);
}

static uint64_t kb_arg(int argc, char **argv, const char *name, uint64_t dflt);

/* A client against a server elsewhere (lucidtcp over TUN): Gbit/s by wall clock. */
static int kb_client_only(int argc, char **argv, kb_job *j) {
  for (int i = 2; i + 1 < argc; i++)
    if (strcmp(argv[i], "--addr") == 0 && inet_pton(AF_INET, argv[i + 1], &j->addr) != 1) kb_die("--addr");
  double w0 = kb_clock(CLOCK_MONOTONIC), c0 = kb_clock(CLOCK_PROCESS_CPUTIME_ID);
  int fd = kb_connect(j, 0, (uint16_t)kb_arg(argc, argv, "--port", 9));
  static uint8_t out[1 << 16];
  for (uint64_t sent = 0; j->what[0] == 's' && sent < j->bytes;) {
    size_t n = j->bytes - sent < sizeof out ? (size_t)(j->bytes - sent) : sizeof out;
    kb_write_n(fd, out, n);
    sent += n;
  }
  if (j->what[0] == 's') shutdown(fd, SHUT_WR), kb_read_eof(fd);
  else kb_read_n(fd, j->bytes);
  close(fd);
  double wall = kb_clock(CLOCK_MONOTONIC) - w0, cpu = kb_clock(CLOCK_PROCESS_CPUTIME_ID) - c0;
  printf("%s bytes=%llu gbps=%.3f wall_s=%.3f client_cpu_s=%.3f\n", j->what,
         (unsigned long long)j->bytes, (double)j->bytes * 8 / wall / 1e9, wall, cpu);
  return 0;
}

static uint64_t kb_arg(int argc, char **argv, const char *name, uint64_t dflt) {
  for (int i = 2; i + 1 < argc; i++)
    if (strcmp(argv[i], name) == 0) return strtoull(argv[i + 1], NULL, 0);
  return dflt;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: kernel_bench bulk|cycles|rr [--bytes N] [--count N] [--inflight N] [--addr A]\n");
    return 2;
  }
  kb_job j = {.what = argv[1], .bytes = kb_arg(argc, argv, "--bytes", 1ull << 30),
              .count = (uint32_t)kb_arg(argc, argv, "--count", 100000),
              .inflight = (uint32_t)kb_arg(argc, argv, "--inflight", 1),
              .nodelay = kb_arg(argc, argv, "--nodelay", 1) != 0};
  const char *addr = "127.0.0.1";
  for (int i = 2; i + 1 < argc; i++)
    if (strcmp(argv[i], "--addr") == 0) addr = argv[i + 1];
  if (strcmp(j.what, "sink") == 0) {
    if (inet_pton(AF_INET, addr, &j.addr) != 1) kb_die("--addr");
    int l = kb_listen(j.addr, (uint16_t)kb_arg(argc, argv, "--port", 9));
    int fd = accept(l, NULL, NULL);
    if (fd < 0) kb_die("accept");
    kb_read_eof(fd);
    close(fd);
    return 0;
  }
  if (strcmp(j.what, "send") == 0 || strcmp(j.what, "recv") == 0) return kb_client_only(argc, argv, &j);
  if (inet_pton(AF_INET, addr, &j.addr) != 1) kb_die("--addr");
  j.nports = j.what[0] == 'c' ? (j.count + KB_PER_PORT - 1) / KB_PER_PORT : 1;
  if (j.nports > 64 || j.inflight == 0) kb_die("--count or --inflight");
  for (uint32_t p = 0; p < j.nports; p++) j.lfd[p] = kb_listen(j.addr, (uint16_t)(KB_PORT + p));
  pthread_t t;
  double c0 = kb_clock(CLOCK_PROCESS_CPUTIME_ID), w0 = kb_clock(CLOCK_MONOTONIC);
  if (pthread_create(&t, NULL, kb_server, &j) != 0) kb_die("pthread_create");
  kb_client(&j);
  pthread_join(t, NULL);
  double cpu = kb_clock(CLOCK_PROCESS_CPUTIME_ID) - c0, wall = kb_clock(CLOCK_MONOTONIC) - w0;
  if (j.what[0] == 'b')
    printf("bulk bytes=%llu gbps=%.3f gbps_wall=%.3f cpu_s=%.3f wall_s=%.3f\n",
           (unsigned long long)j.bytes, (double)j.bytes * 8 / cpu / 1e9,
           (double)j.bytes * 8 / wall / 1e9, cpu, wall);
  else if (j.what[0] == 'c')
    printf("cycles count=%u inflight=%u conn_per_s=%.0f conn_per_s_wall=%.0f cpu_s=%.3f wall_s=%.3f\n",
           j.count, j.inflight, j.count / cpu, j.count / wall, cpu, wall);
  else
    printf("rr count=%u trans_per_s=%.0f trans_per_s_wall=%.0f cpu_s=%.3f wall_s=%.3f\n", j.count,
           j.count / cpu, j.count / wall, cpu, wall);
  return 0;
}
