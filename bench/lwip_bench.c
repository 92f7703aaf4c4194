/* lwIP (Debian liblwip-dev 2.1.3) running the same in-process workloads as ltcp_bench.
 *
 * Debian builds lwIP as the GNU Hurd's unix port: NO_SYS=0, one tcpip thread, TCP_MSS 1460,
 * TCP_WND = TCP_SND_BUF = 65535 (window scale 1), checksums generated and checked, checksum on
 * copy. There is one lwIP instance per process, so both ends live in it: one netif (10.0.0.1/8)
 * and every packet to its own address goes through lwIP's loopback queue (netif_loop_output:
 * a copy into a new pbuf, then ip4_input from the tcpip thread). All the work runs in raw-API
 * callbacks on the tcpip thread; the main thread waits. CPU time is the process's.
 *
 *   lwip_bench bulk   --bytes N
 *   lwip_bench cycles --count N --inflight B [--drop-tw 1]   (--drop-tw: TIME-WAIT entries freed)
 *   lwip_bench rr     --count N
 *   lwip_bench mem    --count N        bytes per idle ESTABLISHED pcb (malloc), sizeof(tcp_pcb) */
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lwip/init.h"
#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "lwip/tcp.h"
#include "lwip/tcpip.h"

#define LB_PORT 5001
#define LB_PER_PORT 50000u

typedef struct lb_run {
  const char *what;
  uint64_t bytes, got, sent;
  uint32_t count, inflight, started, client_done, server_done, drop_tw;
  struct tcp_pcb **tw;         /* client pcbs that reached TIME-WAIT, when dropping them */
  uint32_t ntw;
  size_t heap0, heap1;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int finished;
} lb_run;

static lb_run lb;
static struct netif lb_netif;
static ip4_addr_t lb_addr;
static uint8_t lb_out[1 << 16];

static double lb_clock(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void lb_die(const char *what) {
  fprintf(stderr, "lwip_bench: %s\n", what);
  exit(1);
}

static void lb_finish(void) {
  pthread_mutex_lock(&lb.mu);
  lb.finished = 1;
  pthread_cond_signal(&lb.cv);
  pthread_mutex_unlock(&lb.mu);
}

static err_t lb_netif_out(struct netif *nif, struct pbuf *p, const ip4_addr_t *to) {
  (void)nif, (void)p, (void)to; /* only our own address is used: lwIP loops it back */
  return ERR_OK;
}

static err_t lb_netif_init(struct netif *nif) {
  nif->output = lb_netif_out;
  nif->mtu = 1500;
  nif->name[0] = 'b', nif->name[1] = 'n';
  return ERR_OK;
}

/* ---- bulk ---- */

static void lb_bulk_push(struct tcp_pcb *pcb) {
  while (lb.sent < lb.bytes) {
    uint32_t room = tcp_sndbuf(pcb), n = (uint32_t)(lb.bytes - lb.sent);
    if (n > room) n = room;
    if (n > sizeof lb_out) n = sizeof lb_out;
    if (n == 0 || tcp_write(pcb, lb_out, (u16_t)(n > 65535 ? 65535 : n), TCP_WRITE_FLAG_COPY) != ERR_OK) break;
    lb.sent += n > 65535 ? 65535 : n;
  }
  tcp_output(pcb);
}

static err_t lb_bulk_sent(void *arg, struct tcp_pcb *pcb, u16_t len) {
  (void)arg, (void)len;
  lb_bulk_push(pcb);
  return ERR_OK;
}

/* ---- the server: bulk sink, echo of 1 byte, close on end of stream ---- */

static err_t lb_server_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err) {
  (void)arg, (void)err;
  if (!p) {
    tcp_arg(pcb, NULL), tcp_recv(pcb, NULL);
    tcp_close(pcb);
    if (++lb.server_done == lb.count && lb.what[0] == 'c') lb_finish();
    return ERR_OK;
  }
  uint16_t n = p->tot_len;
  tcp_recved(pcb, n);
  pbuf_free(p);
  if (lb.what[0] == 'b') {
    if ((lb.got += n) == lb.bytes) lb_finish();
    return ERR_OK;
  }
  tcp_write(pcb, "a", 1, TCP_WRITE_FLAG_COPY);
  tcp_output(pcb);
  return ERR_OK;
}

static err_t lb_server_accept(void *arg, struct tcp_pcb *pcb, err_t err) {
  (void)arg, (void)err;
  tcp_nagle_disable(pcb);
  tcp_recv(pcb, lb_server_recv);
  if (lb.what[0] == 'm' && ++lb.server_done == lb.count) {
    lb.heap1 = mallinfo2().uordblks;
    lb_finish();
  }
  return ERR_OK;
}

/* ---- the client ---- */

static void lb_client_start(void);

static err_t lb_client_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err) {
  (void)arg, (void)err;
  if (!p) return ERR_OK;
  tcp_recved(pcb, p->tot_len);
  pbuf_free(p);
  if (lb.what[0] == 'r') {
    if (++lb.client_done == lb.count) {
      lb_finish();
      return ERR_OK;
    }
    tcp_write(pcb, "q", 1, TCP_WRITE_FLAG_COPY);
    tcp_output(pcb);
    return ERR_OK;
  }
  tcp_recv(pcb, NULL);
  tcp_close(pcb); /* the client closes first: its end goes to TIME-WAIT */
  if (lb.drop_tw) lb.tw[lb.ntw++] = pcb;
  lb.client_done++;
  if (lb.started < lb.count) lb_client_start();
  return ERR_OK;
}

static err_t lb_client_connected(void *arg, struct tcp_pcb *pcb, err_t err) {
  (void)arg, (void)err;
  if (lb.what[0] == 'b') {
    tcp_sent(pcb, lb_bulk_sent);
    lb_bulk_push(pcb);
  } else if (lb.what[0] != 'm') {
    tcp_write(pcb, "q", 1, TCP_WRITE_FLAG_COPY);
    tcp_output(pcb);
  }
  return ERR_OK;
}

/* Frees the client pcbs that reached TIME-WAIT ("lwIP allowed to drop its TIME-WAIT"): for a
 * pcb in TIME-WAIT, tcp_abort only unlinks and frees it, no RST. */
static void lb_drop_time_wait(void) {
  uint32_t keep = 0;
  for (uint32_t i = 0; i < lb.ntw; i++) {
    if (lb.tw[i]->state == TIME_WAIT) tcp_abort(lb.tw[i]);
    else lb.tw[keep++] = lb.tw[i];
  }
  lb.ntw = keep;
}

static void lb_client_start(void) {
  if (lb.drop_tw) lb_drop_time_wait();
  uint32_t k = lb.started++;
  struct tcp_pcb *pcb = tcp_new();
  if (!pcb) lb_die("tcp_new");
  ip_set_option(pcb, SOF_REUSEADDR);
  tcp_nagle_disable(pcb);
  tcp_recv(pcb, lb_client_recv);
  ip_addr_t a;
  ip_addr_copy_from_ip4(a, lb_addr);
  uint16_t rport = LB_PORT;
  if (lb.what[0] == 'c' || lb.what[0] == 'm') { /* every 4-tuple distinct: TIME-WAIT kept */
    if (tcp_bind(pcb, IP_ADDR_ANY, (u16_t)(10000 + k % LB_PER_PORT)) != ERR_OK) lb_die("tcp_bind");
    rport = (uint16_t)(LB_PORT + k / LB_PER_PORT);
  }
  if (tcp_connect(pcb, &a, rport, lb_client_connected) != ERR_OK) lb_die("tcp_connect");
}

static void lb_start(void *arg) {
  (void)arg;
  ip4_addr_t mask, gw;
  IP4_ADDR(&lb_addr, 10, 0, 0, 1);
  IP4_ADDR(&mask, 255, 0, 0, 0);
  IP4_ADDR(&gw, 0, 0, 0, 0);
  if (!netif_add(&lb_netif, &lb_addr, &mask, &gw, NULL, lb_netif_init, tcpip_input)) lb_die("netif_add");
  netif_set_default(&lb_netif);
  netif_set_up(&lb_netif);
  netif_set_link_up(&lb_netif);
  uint32_t nports = lb.what[0] == 'c' || lb.what[0] == 'm' ? (lb.count + LB_PER_PORT - 1) / LB_PER_PORT : 1;
  for (uint32_t i = 0; i < nports; i++) {
    struct tcp_pcb *l = tcp_new();
    if (!l || tcp_bind(l, IP_ADDR_ANY, (u16_t)(LB_PORT + i)) != ERR_OK) lb_die("listen bind");
    l = tcp_listen_with_backlog(l, 255);
    if (!l) lb_die("listen");
    tcp_accept(l, lb_server_accept);
  }
  lb.heap0 = mallinfo2().uordblks;
  uint32_t first = lb.what[0] == 'c' ? lb.inflight : lb.what[0] == 'm' ? lb.count : 1;
  for (uint32_t i = 0; i < first && i < lb.count; i++) lb_client_start();
}

static void lb_ready(void *arg) { (void)arg; }

static uint64_t lb_arg(int argc, char **argv, const char *name, uint64_t dflt) {
  for (int i = 2; i + 1 < argc; i++)
    if (strcmp(argv[i], name) == 0) return strtoull(argv[i + 1], NULL, 0);
  return dflt;
}

int main(int argc, char **argv) {
  if (argc < 2) lb_die("usage: lwip_bench bulk|cycles|rr|mem [--bytes N] [--count N] [--inflight N] [--drop-tw 1]");
  lb.what = argv[1];
  lb.bytes = lb_arg(argc, argv, "--bytes", 1ull << 30);
  lb.count = (uint32_t)lb_arg(argc, argv, "--count", 100000);
  lb.inflight = (uint32_t)lb_arg(argc, argv, "--inflight", 1);
  lb.drop_tw = (uint32_t)lb_arg(argc, argv, "--drop-tw", 0);
  if (lb.drop_tw && !(lb.tw = calloc(lb.count, sizeof *lb.tw))) lb_die("calloc");
  pthread_mutex_init(&lb.mu, NULL);
  pthread_cond_init(&lb.cv, NULL);
  tcpip_init(lb_ready, NULL);
  double c0 = lb_clock(CLOCK_PROCESS_CPUTIME_ID), w0 = lb_clock(CLOCK_MONOTONIC);
  tcpip_callback(lb_start, NULL);
  pthread_mutex_lock(&lb.mu);
  while (!lb.finished) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 600; /* bound: a stalled run ends here */
    if (pthread_cond_timedwait(&lb.cv, &lb.mu, &until) != 0) lb_die("timed out");
  }
  pthread_mutex_unlock(&lb.mu);
  double cpu = lb_clock(CLOCK_PROCESS_CPUTIME_ID) - c0, wall = lb_clock(CLOCK_MONOTONIC) - w0;
  if (lb.what[0] == 'b')
    printf("bulk mss=%d bytes=%llu gbps=%.3f cpu_s=%.3f wall_s=%.3f\n", TCP_MSS,
           (unsigned long long)lb.bytes, (double)lb.bytes * 8 / cpu / 1e9, cpu, wall);
  else if (lb.what[0] == 'c')
    printf("cycles count=%u inflight=%u drop_tw=%u conn_per_s=%.0f cpu_s=%.3f wall_s=%.3f\n",
           lb.count, lb.inflight, lb.drop_tw, lb.count / cpu, cpu, wall);
  else if (lb.what[0] == 'r')
    printf("rr count=%u trans_per_s=%.0f cpu_s=%.3f wall_s=%.3f\n", lb.count, lb.count / cpu, cpu, wall);
  else
    printf("mem count=%u bytes_per_established_pair=%.1f sizeof_tcp_pcb=%zu\n", lb.count,
           (double)(lb.heap1 - lb.heap0) / lb.count, sizeof(struct tcp_pcb));
  fflush(stdout);
  _Exit(0); /* the tcpip thread never returns */
}
