/* IPv6 beside IPv4 in one stack (RFC 8200, issue 16): two stacks over the simulated network
 * talk over both families through one listener; IPV6_V6ONLY; ICMPv6 echo and parameter
 * problems (RFC 4443, RFC 8200 §4) rate-limited; the flow label (RFC 6437) of a connection is
 * the same on each of its segments; the MSS is the MTU less 60; a peer name held only while a
 * connection or record holds it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "lucidtcp/lucidtcp.h"
#include "lucidtcp/sim.h"
#include "lucidtcp/wire/bytes.h"
#include "lucidtcp/wire/checksum.h"
#include "lucidtcp/wire/ipv6.h"
#include "sock/stack.h"

#define V4_CLIENT LTCP_IPV4(198, 18, 0, 1)
#define V4_SERVER LTCP_IPV4(198, 18, 0, 2)
#define PORT 8080
#define STEPS 200000

static const uint8_t CLIENT6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t SERVER6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
static const uint8_t STRANGER6[16] = {0x20, 0x01, 0x0d, 0xb8, [14] = 0x99, [15] = 9};

typedef struct pair {
  ltcp_sim *sim;
  ltcp_stack *c, *s;
  uint32_t flow[4]; /* flow labels seen from the client, by connection */
  int flows;
  int flow_mismatch;
} pair;

static ltcp_stack *new_stack(uint32_t v4, const uint8_t v6[16]) {
  ltcp_stack_config cfg;
  ltcp_stack_config_default(&cfg);
  cfg.addr = v4;
  memcpy(cfg.addr6, v6, 16);
  cfg.msl_ns = LTCP_SEC(1);
  ltcp_stack *st = ltcp_stack_new(&cfg);
  assert_non_null(st);
  return st;
}

/* Every IPv6 TCP packet the client sends: one label per source port, never 0 (RFC 6437 §3). */
static void tap(void *ctx, ltcp_time_ns now, int from, int to, ltcp_sim_fate fate,
                const uint8_t *pkt, size_t len) {
  (void)now, (void)to, (void)fate;
  pair *p = ctx;
  if (from != 0 || len < 60 || (pkt[0] >> 4) != 6 || pkt[6] != LTCP_IPPROTO_TCP) return;
  uint32_t label = ltcp_get32(pkt) & 0xfffffu;
  if (label == 0) p->flow_mismatch = 1;
  uint16_t sport = ltcp_get16(pkt + 40);
  int slot = sport % 4;
  if (p->flow[slot] == 0) p->flow[slot] = label, p->flows++;
  else if (p->flow[slot] != label) p->flow_mismatch = 1;
}

static void pair_init(pair *p) {
  memset(p, 0, sizeof *p);
  p->c = new_stack(V4_CLIENT, CLIENT6);
  p->s = new_stack(V4_SERVER, SERVER6);
  p->sim = ltcp_sim_new(1);
  ltcp_sim_path path = {.latency_ns = LTCP_MS(5)};
  int c = ltcp_sim_add_stack(p->sim, p->c), s = ltcp_sim_add_stack(p->sim, p->s);
  assert_int_equal(c, 0);
  assert_int_equal(ltcp_sim_link(p->sim, c, s, &path, &path), 0);
  assert_int_equal(ltcp_sim_add_tap(p->sim, tap, p), 0);
}

static void pair_free(pair *p) {
  ltcp_sim_free(p->sim);
  ltcp_stack_free(p->c);
  ltcp_stack_free(p->s);
}

/* Runs the network until done(p) or nothing is left to do (bounded). */
static void pair_run(pair *p, int (*done)(pair *, void *), void *arg) {
  for (int i = 0; i < STEPS; i++) {
    if (done && done(p, arg)) return;
    ltcp_time_ns next = ltcp_sim_next_time(p->sim);
    if (next == LTCP_TIME_NEVER) return;
    ltcp_sim_step(p->sim, next);
  }
}

static int listen_on(ltcp_stack *st, int v6only) {
  int fd = ltcp_socket(st);
  ltcp_endpoint any = {.family = LTCP_AF_INET6, .port = PORT}; /* :: */
  assert_int_equal(ltcp_setsockopt(st, fd, LTCP_IPV6_V6ONLY, v6only), 0);
  assert_int_equal(ltcp_bind(st, fd, &any), 0);
  assert_int_equal(ltcp_listen(st, fd, 8), 0);
  return fd;
}

static int dial(ltcp_stack *st, const ltcp_endpoint *to) {
  int fd = ltcp_socket(st);
  errno = 0;
  assert_int_equal(ltcp_connect(st, fd, to), -1);
  assert_int_equal(errno, EINPROGRESS);
  return fd;
}

static int accepted(pair *p, void *arg) {
  int *fd = arg;
  ltcp_endpoint peer;
  if (fd[1] < 0) fd[1] = ltcp_accept(p->s, fd[0], &peer);
  return fd[1] >= 0;
}

static int all_closed(pair *p, void *arg) {
  (void)arg;
  return ltcp_stack_connection_count(p->c) == 0 && ltcp_stack_connection_count(p->s) == 0;
}

/* One listener on :: takes an IPv6 client and an IPv4 one; each end names the other in its
 * family; data goes both ways; the label of each connection stays the same. */
static void test_ipv6_one_listener_takes_both_families(void **state) {
  (void)state;
  pair p;
  pair_init(&p);
  int lfd = listen_on(p.s, 0);
  ltcp_endpoint to6 = {.family = LTCP_AF_INET6, .port = PORT}, to4 = {.addr = V4_SERVER, .port = PORT};
  memcpy(to6.addr6, SERVER6, 16);
  const ltcp_endpoint *tos[2] = {&to6, &to4};
  for (int k = 0; k < 2; k++) {
    int cfd = dial(p.c, tos[k]);
    int fds[2] = {lfd, -1};
    pair_run(&p, accepted, fds);
    assert_true(fds[1] >= 0);
    ltcp_endpoint peer, me;
    assert_int_equal(ltcp_getpeername(p.s, fds[1], &peer), 0);
    assert_int_equal(ltcp_getsockname(p.c, cfd, &me), 0);
    assert_true(ltcp_endpoint_equal(&peer, &me));
    assert_int_equal(peer.family, k == 0 ? LTCP_AF_INET6 : LTCP_AF_INET);
    char buf[LTCP_ENDPOINT_STRLEN];
    if (k == 0) assert_memory_equal(ltcp_endpoint_format(&peer, buf), "[2001:db8::1]:", 14);
    ltcp_tcp_info info;
    assert_int_equal(ltcp_status(p.c, cfd, &info), 0);
    assert_int_equal(info.rcv_mss, k == 0 ? 1440 : 1460); /* mtu 1500 - 60 over IPv6 */
    assert_int_equal(ltcp_send(p.c, cfd, "ping", 4, 0), 4);
    pair_run(&p, NULL, NULL);
    char got[8] = {0};
    assert_int_equal(ltcp_recv(p.s, fds[1], got, sizeof got, 0), 4);
    assert_string_equal(got, "ping");
    ltcp_close(p.c, cfd);
    ltcp_close(p.s, fds[1]);
    pair_run(&p, all_closed, NULL);
    assert_int_equal(ltcp_stack_connection_count(p.c), 0);
  }
  assert_int_equal(ltcp_stack_stats(p.s)->established, 2);
  assert_true(p.flows >= 1);
  assert_false(p.flow_mismatch);
  /* Once TIME-WAIT is over, no one holds the peer's name. */
  ltcp_time_ns later = ltcp_stack_now(p.c) + LTCP_SEC(5);
  ltcp_stack_advance(p.c, later);
  ltcp_stack_advance(p.s, later);
  assert_int_equal(p.c->ip.peers.count, 0);
  assert_int_equal(p.s->ip.peers.count, 0);
  pair_free(&p);
}

static int refused(pair *p, void *arg) {
  int fd = *(int *)arg;
  ltcp_pollfd pf = {.fd = fd, .events = LTCP_POLLOUT};
  return ltcp_poll(p->c, &pf, 1) > 0;
}

/* IPV6_V6ONLY: the listener on :: takes no IPv4 SYN, which is reset (RFC 9293 §3.10.7.1). */
static void test_ipv6_v6only_listener_refuses_ipv4(void **state) {
  (void)state;
  pair p;
  pair_init(&p);
  int lfd = listen_on(p.s, 1);
  int v;
  assert_int_equal(ltcp_getsockopt(p.s, lfd, LTCP_IPV6_V6ONLY, &v), 0);
  assert_int_equal(v, 1);
  ltcp_endpoint to4 = {.addr = V4_SERVER, .port = PORT};
  int cfd = dial(p.c, &to4);
  pair_run(&p, refused, &cfd);
  assert_int_equal(ltcp_socket_error(p.c, cfd), ECONNREFUSED);
  ltcp_endpoint to6 = {.family = LTCP_AF_INET6, .port = PORT};
  memcpy(to6.addr6, SERVER6, 16);
  cfd = dial(p.c, &to6);
  int fds[2] = {lfd, -1};
  pair_run(&p, accepted, fds);
  assert_true(fds[1] >= 0);
  pair_free(&p);
}

/* An IPv6 packet from STRANGER6 to the server, payload after the fixed header. */
static size_t v6_packet(uint8_t *out, uint8_t next, const uint8_t *payload, size_t n) {
  ltcp_ipv6_hdr h = {.next = next, .hop_limit = 64, .payload_len = (uint16_t)n};
  memcpy(h.src, STRANGER6, 16);
  memcpy(h.dst, SERVER6, 16);
  ltcp_ipv6_write(out, &h);
  memcpy(out + 40, payload, n);
  return 40 + n;
}

/* RFC 4443 §4.2: an echo request is answered with its identifier, sequence and data. */
static void test_ipv6_echo_request_answered(void **state) {
  (void)state;
  ltcp_stack *st = new_stack(V4_SERVER, SERVER6);
  uint8_t msg[16], pkt[128];
  ltcp_icmp_hdr req = {.type = LTCP_ICMPV6_ECHO_REQUEST, .rest = 0x00070001,
                       .data = (const uint8_t *)"abcdefgh", .data_len = 8};
  size_t n = ltcp_icmpv6_write(msg, sizeof msg, &req, STRANGER6, SERVER6);
  ltcp_stack_input(st, 0, pkt, v6_packet(pkt, LTCP_IPPROTO_ICMPV6, msg, n));
  const uint8_t *out;
  size_t len = ltcp_stack_tx_peek(st, &out);
  assert_int_equal(len, 40 + 16);
  ltcp_ipv6_hdr h;
  assert_int_equal(ltcp_ipv6_parse(out, len, &h), LTCP_DROP_NONE);
  assert_memory_equal(h.dst, STRANGER6, 16);
  ltcp_icmp_hdr rep;
  assert_int_equal(ltcp_icmpv6_parse(out + 40, 16, h.src, h.dst, &rep), LTCP_DROP_NONE);
  assert_int_equal(rep.type, LTCP_ICMPV6_ECHO_REPLY);
  assert_int_equal(rep.rest, 0x00070001);
  assert_memory_equal(rep.data, "abcdefgh", 8);
  ltcp_stack_tx_pop(st);
  assert_int_equal(ltcp_stack_stats(st)->icmp_echo_in, 1);
  ltcp_stack_free(st);
}

/* RFC 8200 §4, RFC 4443 §3.4: an unknown next header is answered with a parameter problem
 * (code 1) pointing at it and quoting the packet; a flood of them is answered 50 times, then
 * once a millisecond (§2.4 (f)); each is a counted drop. */
static void test_ipv6_unknown_next_header_parameter_problem_rate_limited(void **state) {
  (void)state;
  ltcp_stack *st = new_stack(V4_SERVER, SERVER6);
  uint8_t udp[8] = {0}, pkt[128];
  size_t n = v6_packet(pkt, 17, udp, sizeof udp);
  ltcp_stack_input(st, 0, pkt, n);
  const uint8_t *out;
  size_t len = ltcp_stack_tx_peek(st, &out);
  assert_int_equal(len, 40 + 8 + n);
  ltcp_ipv6_hdr h;
  assert_int_equal(ltcp_ipv6_parse(out, len, &h), LTCP_DROP_NONE);
  ltcp_icmp_hdr m;
  assert_int_equal(ltcp_icmpv6_parse(out + 40, len - 40, h.src, h.dst, &m), LTCP_DROP_NONE);
  assert_int_equal(m.type, LTCP_ICMPV6_PARAM_PROBLEM);
  assert_int_equal(m.code, 1);
  assert_int_equal(m.rest, 6);
  assert_memory_equal(m.data, pkt, n);
  ltcp_stack_tx_pop(st);
  for (int i = 0; i < 100; i++) ltcp_stack_input(st, 0, pkt, n);
  const ltcp_stats *s = ltcp_stack_stats(st);
  assert_int_equal(s->icmp_errors_out, 50);
  assert_int_equal(s->drops[LTCP_DROP_ICMP_RATE_LIMITED], 51);
  assert_int_equal(s->drops[LTCP_DROP_IP6_PARAM_PROBLEM], 101);
  ltcp_stack_input(st, LTCP_MS(1), pkt, n); /* a token a millisecond */
  assert_int_equal(s->icmp_errors_out, 51);
  ltcp_stack_free(st);
}

/* A segment from a peer the stack does not know, to no listener: a reset, and the peer's name
 * forgotten once the call is over (ip/peers.h). */
static void test_ipv6_reset_to_a_stranger_leaves_no_peer(void **state) {
  (void)state;
  ltcp_stack *st = new_stack(V4_SERVER, SERVER6);
  uint8_t tcp[20], pkt[128];
  ltcp_seg seg = {.src_port = 5555, .dst_port = 9, .seq = 100, .flags = LTCP_SYN, .wnd = 1000};
  size_t hl = ltcp_tcp_write_header(tcp, sizeof tcp, &seg);
  uint32_t sum = ltcp_cksum_pseudo_ipv6(STRANGER6, SERVER6, LTCP_IPPROTO_TCP, (uint32_t)hl);
  ltcp_put16(tcp + 16, ltcp_cksum_finish(ltcp_cksum_add(sum, tcp, hl)));
  ltcp_stack_input(st, 0, pkt, v6_packet(pkt, LTCP_IPPROTO_TCP, tcp, hl));
  const uint8_t *out;
  size_t len = ltcp_stack_tx_peek(st, &out);
  assert_int_equal(len, 60);
  ltcp_ipv6_hdr h;
  assert_int_equal(ltcp_ipv6_parse(out, len, &h), LTCP_DROP_NONE);
  ltcp_seg rst;
  assert_int_equal(ltcp_tcp_parse_ipv6(out + 40, 20, h.src, h.dst, 1, 2, &rst), LTCP_DROP_NONE);
  assert_int_equal(rst.flags, LTCP_RST | LTCP_ACK);
  assert_int_equal(rst.ack, 101);
  assert_int_equal(st->ip.peers.count, 0);
  ltcp_stack_free(st);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ipv6_one_listener_takes_both_families),
      cmocka_unit_test(test_ipv6_v6only_listener_refuses_ipv4),
      cmocka_unit_test(test_ipv6_echo_request_answered),
      cmocka_unit_test(test_ipv6_unknown_next_header_parameter_problem_rate_limited),
      cmocka_unit_test(test_ipv6_reset_to_a_stranger_leaves_no_peer),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
