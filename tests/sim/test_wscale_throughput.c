/* Issue 5 test 4 (RFC 7323 §1.1, §2): a 10 Gbit/s path with a 20 ms round trip has a
 * bandwidth-delay product of 25 MB, far above the 64 KiB an unscaled window can offer. With
 * window scaling and 32 MiB buffers a bulk transfer fills the path to at least 90% once slow
 * start is over; with window scaling off the same transfer is capped near 64 KiB per round trip.
 * Two stacks over the simulated network in virtual time; the receiver reads all it can at every
 * step, the sender keeps its buffer full. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "lucidtcp/lucidtcp.h"
#include "lucidtcp/sim.h"

#define TPUT_CLIENT LTCP_IPV4(198, 18, 0, 1)
#define TPUT_SERVER LTCP_IPV4(198, 18, 0, 2)
#define TPUT_PORT 5001
#define TPUT_RATE_BPS 10000000000ull     /* 10 Gbit/s each way */
#define TPUT_ONE_WAY LTCP_MS(10)         /* RTT 20 ms */
#define TPUT_BUF (32u << 20)             /* 32 MiB > BDP (25 MB): 2^25 >> 10 fits 16 bits */
#define TPUT_CHUNK (1u << 20)
#define TPUT_STEPS_MAX 50000000ull

typedef struct tput {
  ltcp_sim *sim;
  ltcp_stack *st[2];
  int cfd, lfd, sfd;
  uint64_t read;          /* bytes the receiving application has read */
} tput;

static uint8_t tput_buf[TPUT_CHUNK];

static ltcp_stack *tput_stack(uint32_t addr, int window_scale) {
  ltcp_stack_config cfg;
  ltcp_stack_config_default(&cfg);
  cfg.addr = addr;
  cfg.window_scale = (uint8_t)window_scale;
  cfg.sndbuf = TPUT_BUF;
  cfg.rcvbuf = TPUT_BUF;
  cfg.tx_queue_packets = 4096;
  ltcp_stack *st = ltcp_stack_new(&cfg);
  assert_non_null(st);
  return st;
}

/* The applications' turn: the client writes what fits, the server reads what is there. */
static void tput_apps(tput *t) {
  if (t->sfd < 0) t->sfd = ltcp_accept(t->st[1], t->lfd, NULL);
  for (int i = 0; i < 64; i++) {
    ssize_t n = ltcp_send(t->st[0], t->cfd, tput_buf, TPUT_CHUNK, 0);
    if (n <= 0) break;
  }
  for (int i = 0; t->sfd >= 0 && i < 64; i++) {
    ssize_t n = ltcp_recv(t->st[1], t->sfd, tput_buf, TPUT_CHUNK, 0);
    if (n <= 0) break;
    t->read += (uint64_t)n;
  }
}

static void tput_run_until(tput *t, ltcp_time_ns end) {
  for (uint64_t i = 0; i < TPUT_STEPS_MAX && ltcp_sim_now(t->sim) < end; i++) {
    ltcp_sim_step(t->sim, end);
    tput_apps(t);
  }
  assert_true(ltcp_sim_now(t->sim) >= end);
}

/* Bytes per second the receiver read in [from, to). Fills *info with the sender's state. */
static double tput_measure(int window_scale, ltcp_time_ns from, ltcp_time_ns to,
                           ltcp_tcp_info *info) {
  tput t = {.cfd = -1, .lfd = -1, .sfd = -1};
  t.sim = ltcp_sim_new(5);
  assert_non_null(t.sim);
  t.st[0] = tput_stack(TPUT_CLIENT, window_scale);
  t.st[1] = tput_stack(TPUT_SERVER, window_scale);
  int a = ltcp_sim_add_stack(t.sim, t.st[0]), b = ltcp_sim_add_stack(t.sim, t.st[1]);
  ltcp_sim_path path = {.latency_ns = TPUT_ONE_WAY, .bandwidth_bps = TPUT_RATE_BPS};
  assert_int_equal(ltcp_sim_link(t.sim, a, b, &path, &path), 0);
  t.lfd = ltcp_socket(t.st[1]);
  ltcp_endpoint any = {0, TPUT_PORT}, srv = {TPUT_SERVER, TPUT_PORT};
  assert_int_equal(ltcp_bind(t.st[1], t.lfd, &any), 0);
  assert_int_equal(ltcp_listen(t.st[1], t.lfd, 4), 0);
  t.cfd = ltcp_socket(t.st[0]);
  assert_int_equal(ltcp_connect(t.st[0], t.cfd, &srv), -1);
  tput_run_until(&t, from);
  uint64_t before = t.read;
  tput_run_until(&t, to);
  uint64_t delivered = t.read - before;
  assert_int_equal(ltcp_status(t.st[0], t.cfd, info), 0);
  ltcp_sim_free(t.sim);
  ltcp_stack_free(t.st[0]);
  ltcp_stack_free(t.st[1]);
  return (double)delivered / ((double)(to - from) / 1e9);
}

static void test_wscale_fills_10gbit_20ms_path(void **state) {
  (void)state;
  ltcp_tcp_info info;
  /* Slow start from 10 segments reaches the 25 MB BDP in well under 1 s (even growing 1.5x
   * per round trip with delayed ACKs); measure the next 0.5 s. */
  double rate = tput_measure(1, LTCP_SEC(1), LTCP_MS(1500), &info);
  double link = (double)TPUT_RATE_BPS / 8.0;
  printf("window scaling on: %.2f Gbit/s of 10 (%.1f%%), shift %u/%u, in flight %u bytes\n",
         rate * 8 / 1e9, 100.0 * rate / link, info.snd_wscale, info.rcv_wscale, info.unacked);
  assert_true(info.wscale_ok);
  assert_int_equal(info.snd_wscale, 10);
  assert_true(rate >= 0.90 * link);
}

static void test_wscale_off_caps_at_64k_per_rtt(void **state) {
  (void)state;
  ltcp_tcp_info info;
  double rate = tput_measure(0, LTCP_SEC(1), LTCP_SEC(2), &info);
  double cap = 65535.0 / 0.020; /* one unscaled window per round trip */
  printf("window scaling off: %.1f Mbit/s; 64 KiB per 20 ms is %.1f Mbit/s\n", rate * 8 / 1e6,
         cap * 8 / 1e6);
  assert_false(info.wscale_ok);
  assert_true(rate <= cap * 1.01);
  assert_true(rate >= cap * 0.80);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_wscale_off_caps_at_64k_per_rtt),
      cmocka_unit_test(test_wscale_fills_10gbit_20ms_path),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
