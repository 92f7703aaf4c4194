/* The routing table (ip/route.h) and what it decides in a stack: longest prefix match (RFC 1812
 * §5.2.4.3), the connected and default routes a configuration gives, connect() to a destination
 * without a route (ENETUNREACH), and segments or echo requests from a source with no route back
 * (dropped and counted, never answered). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "ip/route.h"
#include "sock/stack.h"
#include "support/harness.h"

#define A(a, b, c, d) LTCP_IPV4(a, b, c, d)

static void test_routes_longest_prefix_wins_whatever_the_order(void **state) {
  (void)state;
  ltcp_routes t;
  assert_int_equal(ltcp_routes_init(&t, 8), 0);
  assert_int_equal(ltcp_routes_add(&t, A(198, 18, 2, 0), 24, 0), 0);
  assert_int_equal(ltcp_routes_add(&t, 0, 0, A(198, 18, 0, 1)), 0);
  assert_int_equal(ltcp_routes_add(&t, A(198, 18, 0, 0), 15, A(198, 18, 0, 9)), 0);
  assert_int_equal(ltcp_routes_add(&t, A(198, 18, 2, 7), 32, A(198, 18, 0, 7)), 0);
  assert_int_equal(ltcp_routes_lookup(&t, A(198, 18, 2, 7))->via, A(198, 18, 0, 7));
  assert_int_equal(ltcp_routes_lookup(&t, A(198, 18, 2, 8))->via, 0);
  assert_int_equal(ltcp_routes_lookup(&t, A(198, 19, 200, 1))->via, A(198, 18, 0, 9));
  assert_int_equal(ltcp_routes_lookup(&t, A(203, 0, 113, 1))->via, A(198, 18, 0, 1));
  assert_int_equal(ltcp_routes_del(&t, 0, 0), 0);
  assert_null(ltcp_routes_lookup(&t, A(203, 0, 113, 1)));
  assert_int_equal(ltcp_routes_del(&t, 0, 0), LTCP_ESRCH);
  ltcp_routes_free(&t);
}

static void test_routes_add_refuses_host_bits_duplicates_and_overflow(void **state) {
  (void)state;
  ltcp_routes t;
  assert_int_equal(ltcp_routes_init(&t, 2), 0);
  assert_int_equal(ltcp_routes_add(&t, A(198, 18, 2, 1), 24, 0), LTCP_EINVAL);
  assert_int_equal(ltcp_routes_add(&t, A(198, 18, 2, 0), 33, 0), LTCP_EINVAL);
  assert_int_equal(ltcp_routes_add(&t, A(198, 18, 2, 0), 24, 0), 0);
  assert_int_equal(ltcp_routes_add(&t, A(198, 18, 2, 0), 24, A(198, 18, 0, 1)), LTCP_EEXIST);
  assert_int_equal(ltcp_routes_add(&t, A(198, 18, 3, 0), 23, 0), LTCP_EINVAL); /* host bit */
  assert_int_equal(ltcp_routes_add(&t, A(198, 18, 0, 0), 23, 0), 0);
  assert_int_equal(ltcp_routes_add(&t, A(198, 19, 0, 0), 16, 0), LTCP_ENOBUFS);
  ltcp_routes_free(&t);
}

static void test_routes_next_hop_must_be_on_the_link(void **state) {
  (void)state;
  uint32_t me = A(198, 18, 0, 2);
  assert_true(ltcp_routes_via_ok(me, 24, 0));
  assert_true(ltcp_routes_via_ok(me, 24, A(198, 18, 0, 1)));
  assert_false(ltcp_routes_via_ok(me, 24, A(198, 18, 1, 1))); /* off the prefix */
  assert_false(ltcp_routes_via_ok(me, 24, me));
  assert_false(ltcp_routes_via_ok(me, 24, A(224, 0, 0, 1)));
  assert_true(ltcp_routes_via_ok(me, 32, A(198, 18, 1, 1))); /* point-to-point */
}

/* A stack at 198.18.0.1/prefix, with or without the link's default route. */
static ltcp_stack *route_stack(uint8_t prefix, uint8_t link_default, uint32_t gateway) {
  ltcp_stack_config cfg;
  ltcp_stack_config_default(&cfg);
  cfg.addr = H_LOCAL;
  cfg.prefix_len = prefix;
  cfg.link_default_route = link_default;
  cfg.gateway = gateway;
  return ltcp_stack_new(&cfg);
}

static int route_connect(ltcp_stack *st, uint32_t addr) {
  int fd = ltcp_socket(st);
  assert_true(fd >= 0);
  ltcp_endpoint remote = {addr, 80};
  int rc = ltcp_connect(st, fd, &remote);
  int err = rc == 0 ? 0 : errno;
  ltcp_close(st, fd);
  return err == EINPROGRESS ? 0 : err;
}

/* By default a host with one link sends everything out of it, as before routes existed. */
static void test_stack_default_reaches_every_unicast_address(void **state) {
  (void)state;
  ltcp_stack *st = route_stack(32, 1, 0);
  assert_non_null(st);
  assert_int_equal(route_connect(st, A(198, 18, 0, 2)), 0);
  assert_int_equal(route_connect(st, A(203, 0, 113, 9)), 0);
  uint32_t via = 1;
  assert_int_equal(ltcp_route_lookup(st, A(203, 0, 113, 9), &via), 0);
  assert_int_equal(via, 0);
  ltcp_stack_free(st);
}

static void test_stack_connect_without_a_route_is_enetunreach(void **state) {
  (void)state;
  ltcp_stack *st = route_stack(24, 0, 0);
  assert_non_null(st);
  assert_int_equal(route_connect(st, A(198, 18, 0, 2)), 0); /* connected prefix */
  assert_int_equal(route_connect(st, A(198, 18, 2, 2)), ENETUNREACH);
  assert_int_equal(ltcp_route_lookup(st, A(198, 18, 2, 2), NULL), -1);
  assert_int_equal(errno, ENETUNREACH);
  assert_int_equal(ltcp_route_add(st, A(198, 18, 2, 0), 24, A(198, 18, 0, 254)), 0);
  assert_int_equal(route_connect(st, A(198, 18, 2, 2)), 0);
  uint32_t via = 0;
  assert_int_equal(ltcp_route_lookup(st, A(198, 18, 2, 2), &via), 0);
  assert_int_equal(via, A(198, 18, 0, 254));
  assert_int_equal(route_connect(st, A(198, 18, 3, 2)), ENETUNREACH);
  assert_int_equal(ltcp_route_del(st, A(198, 18, 2, 0), 24), 0);
  assert_int_equal(route_connect(st, A(198, 18, 2, 2)), ENETUNREACH);
  ltcp_stack_free(st);
}

static void test_stack_route_add_checks_the_next_hop(void **state) {
  (void)state;
  ltcp_stack *st = route_stack(24, 0, 0);
  assert_non_null(st);
  assert_int_equal(ltcp_route_add(st, A(198, 18, 2, 0), 24, A(198, 18, 1, 1)), -1);
  assert_int_equal(errno, EINVAL);
  assert_int_equal(ltcp_route_add(st, A(198, 18, 2, 0), 24, H_LOCAL), -1);
  assert_int_equal(errno, EINVAL);
  assert_int_equal(ltcp_route_add(st, A(198, 18, 0, 0), 24, 0), -1); /* the connected one */
  assert_int_equal(errno, EEXIST);
  assert_int_equal(ltcp_route_del(st, A(198, 18, 9, 0), 24), -1);
  assert_int_equal(errno, ESRCH);
  ltcp_stack_free(st);
}

/* A gateway is a default route via it; it must be on the link (RFC 1122 3.3.1.1). */
static void test_stack_gateway_is_the_default_route_and_must_be_on_the_link(void **state) {
  (void)state;
  ltcp_stack *st = route_stack(24, 0, A(198, 18, 0, 254));
  assert_non_null(st);
  uint32_t via = 0;
  assert_int_equal(ltcp_route_lookup(st, A(203, 0, 113, 9), &via), 0);
  assert_int_equal(via, A(198, 18, 0, 254));
  ltcp_stack_free(st);
  assert_null(route_stack(24, 0, A(198, 18, 1, 254)));
  assert_null(route_stack(24, 0, H_LOCAL));
  assert_null(route_stack(0, 1, 0));
  st = route_stack(32, 0, A(198, 18, 1, 254)); /* a point-to-point link: any far end */
  assert_non_null(st);
  ltcp_stack_free(st);
}

/* A SYN from a source with no route back opens nothing and is not answered: neither a SYN,ACK
 * nor a reset could leave. Counted as IP_NO_ROUTE. */
static void test_stack_syn_from_a_source_without_route_is_dropped_and_counted(void **state) {
  (void)state;
  ltcp_stack_config cfg;
  h_config(&cfg);
  cfg.prefix_len = 32;
  cfg.link_default_route = 0;
  h_harness h;
  h_init(&h, &cfg);
  h_listen(&h);
  h_send(&h, LTCP_SYN, H_IRS, 0, NULL, 0);
  h_expect_none(&h);
  h_send(&h, LTCP_ACK, H_IRS, 1, NULL, 0); /* to a closed port too: no RST */
  h_expect_none(&h);
  const ltcp_stats *s = ltcp_stack_stats(h.st);
  assert_int_equal(s->drops[LTCP_DROP_IP_NO_ROUTE], 2);
  assert_int_equal(ltcp_stack_count_state(h.st, LTCP_SYN_RECEIVED), 0);
  assert_int_equal(ltcp_route_add(h.st, H_REMOTE, 32, 0), 0);
  h_send(&h, LTCP_SYN, H_IRS, 0, NULL, 0);
  assert_true(h_next(&h));
  assert_int_equal(h.out.seg.flags, LTCP_SYN | LTCP_ACK);
  h_free(&h);
}

static void test_routes6_longest_prefix_wins(void **state) {
  (void)state;
  ltcp_routes6 t;
  static const uint8_t any[16], db8[16] = {0x20, 0x01, 0x0d, 0xb8};
  uint8_t net1[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0x55}; /* host bits: cleared */
  uint8_t dst[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 9};
  static const uint8_t gw[16] = {0xfe, 0x80, [15] = 1};
  assert_int_equal(ltcp_routes6_init(&t, 3), 0);
  assert_int_equal(ltcp_routes6_add(&t, db8, 32, NULL), 0);
  assert_int_equal(ltcp_routes6_add(&t, net1, 64, gw), 0);
  assert_int_equal(ltcp_routes6_add(&t, db8, 129, NULL), LTCP_EINVAL);
  assert_int_equal(ltcp_routes6_add(&t, net1, 64, NULL), LTCP_EEXIST);
  assert_int_equal(ltcp_routes6_lookup(&t, dst)->len, 64);
  assert_memory_equal(ltcp_routes6_lookup(&t, dst)->via, gw, 16);
  dst[5] = 2;
  assert_int_equal(ltcp_routes6_lookup(&t, dst)->len, 32);
  assert_memory_equal(ltcp_routes6_lookup(&t, dst)->via, any, 16);
  dst[3] = 0xb9;
  assert_null(ltcp_routes6_lookup(&t, dst));
  assert_int_equal(ltcp_routes6_add(&t, any, 0, NULL), 0);
  assert_int_equal(ltcp_routes6_lookup(&t, dst)->len, 0);
  assert_int_equal(ltcp_routes6_add(&t, db8, 48, NULL), LTCP_ENOBUFS);
  assert_int_equal(ltcp_routes6_del(&t, net1, 64), 0); /* host bits cleared here too */
  assert_int_equal(ltcp_routes6_del(&t, net1, 64), LTCP_ESRCH);
  dst[3] = 0xb8;
  assert_int_equal(ltcp_routes6_lookup(&t, dst)->len, 32);
  ltcp_routes6_free(&t);
}

static void test_routes6_from_the_configuration(void **state) {
  (void)state;
  ltcp_stack_config cfg;
  ltcp_stack_config_default(&cfg);
  cfg.addr = A(198, 18, 0, 2);
  static const uint8_t me[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
  static const uint8_t near[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
  static const uint8_t far[16] = {0x20, 0x01, 0x0d, 0xb9, [15] = 1};
  memcpy(cfg.addr6, me, 16);
  cfg.link_default_route = 0;
  ltcp_stack *st = ltcp_stack_new(&cfg);
  assert_non_null(st);
  assert_int_equal(ltcp_ip_route6_lookup(&st->ip, near, NULL), 0);
  assert_int_equal(ltcp_ip_route6_lookup(&st->ip, far, NULL), LTCP_ENETUNREACH);
  ltcp_stack_free(st);
  cfg.link_default_route = 1;
  st = ltcp_stack_new(&cfg);
  assert_int_equal(ltcp_ip_route6_lookup(&st->ip, far, NULL), 0);
  ltcp_stack_free(st);
  cfg.mtu = 1279; /* RFC 8200 §5 */
  assert_null(ltcp_stack_new(&cfg));
}

/* cfg.gateway6 is the default route ::/0 via it; it must be link-local or in addr6's prefix,
 * and a stack without IPv6 takes none. */
static void test_stack_gateway6_is_the_default_route_and_must_be_on_the_link(void **state) {
  (void)state;
  ltcp_stack_config cfg;
  ltcp_stack_config_default(&cfg);
  cfg.addr = A(198, 18, 0, 2);
  static const uint8_t me[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
  static const uint8_t gw[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
  static const uint8_t far[16] = {0x20, 0x01, 0x0d, 0xb9, [15] = 1};
  static const uint8_t ll[16] = {0xfe, 0x80, [15] = 1}, mc[16] = {0xff, 0x02, [15] = 1};
  memcpy(cfg.gateway6, gw, 16);
  assert_null(ltcp_stack_new(&cfg)); /* no IPv6 address */
  memcpy(cfg.addr6, me, 16);
  cfg.link_default_route = 0;
  ltcp_stack *st = ltcp_stack_new(&cfg);
  assert_non_null(st);
  uint8_t via[16];
  assert_int_equal(ltcp_route6_lookup(st, far, via), 0);
  assert_memory_equal(via, gw, 16);
  assert_int_equal(ltcp_route6_lookup(st, gw, via), 0); /* on the link */
  assert_memory_equal(via, (uint8_t[16]){0}, 16);
  ltcp_stack_free(st);
  memcpy(cfg.gateway6, ll, 16);
  st = ltcp_stack_new(&cfg);
  assert_non_null(st);
  ltcp_stack_free(st);
  const uint8_t *bad[] = {far, me, mc};
  for (size_t i = 0; i < 3; i++) {
    memcpy(cfg.gateway6, bad[i], 16);
    assert_null(ltcp_stack_new(&cfg));
  }
}

/* ltcp_route6_add: longest prefix match over what the configuration and the calls add; bad
 * prefixes and next hops refused with the errno the header names. */
static void test_stack_route6_add_del_lookup(void **state) {
  (void)state;
  ltcp_stack_config cfg;
  ltcp_stack_config_default(&cfg);
  cfg.addr = A(198, 18, 0, 2);
  static const uint8_t me[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
  static const uint8_t gw[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
  static const uint8_t net2[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 2};
  static const uint8_t in2[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 7};
  static const uint8_t far[16] = {0x20, 0x01, 0x0d, 0xb9, [15] = 1};
  ltcp_stack *st = ltcp_stack_new(&cfg); /* IPv4 only */
  assert_int_equal(ltcp_route6_add(st, net2, 64, NULL), -1);
  assert_int_equal(errno, EADDRNOTAVAIL);
  assert_int_equal(ltcp_route6_lookup(st, in2, NULL), -1);
  assert_int_equal(errno, ENETUNREACH);
  ltcp_stack_free(st);
  memcpy(cfg.addr6, me, 16);
  cfg.link_default_route = 0;
  st = ltcp_stack_new(&cfg);
  uint8_t via[16];
  assert_int_equal(ltcp_route6_lookup(st, in2, via), -1);
  assert_int_equal(errno, ENETUNREACH);
  assert_int_equal(ltcp_route6_add(st, net2, 64, gw), 0);
  assert_int_equal(ltcp_route6_add(st, net2, 64, NULL), -1);
  assert_int_equal(errno, EEXIST);
  assert_int_equal(ltcp_route6_add(st, in2, 64, NULL), -1); /* host bits */
  assert_int_equal(errno, EINVAL);
  assert_int_equal(ltcp_route6_add(st, net2, 129, NULL), -1);
  assert_int_equal(errno, EINVAL);
  assert_int_equal(ltcp_route6_add(st, far, 128, far), -1); /* via off the link */
  assert_int_equal(errno, EINVAL);
  assert_int_equal(ltcp_route6_add(st, far, 128, me), -1); /* via ourselves */
  assert_int_equal(errno, EINVAL);
  assert_int_equal(ltcp_route6_lookup(st, in2, via), 0);
  assert_memory_equal(via, gw, 16);
  assert_int_equal(ltcp_route6_add(st, in2, 128, NULL), 0); /* longer: wins */
  assert_int_equal(ltcp_route6_lookup(st, in2, via), 0);
  assert_memory_equal(via, (uint8_t[16]){0}, 16);
  assert_int_equal(ltcp_route6_del(st, in2, 128), 0);
  assert_int_equal(ltcp_route6_lookup(st, in2, via), 0);
  assert_memory_equal(via, gw, 16);
  assert_int_equal(ltcp_route6_del(st, in2, 128), -1);
  assert_int_equal(errno, ESRCH);
  /* connect() follows the table: ENETUNREACH beyond it. */
  int fd = ltcp_socket(st);
  ltcp_endpoint ep = {.family = LTCP_AF_INET6, .port = 80};
  memcpy(ep.addr6, far, 16);
  assert_int_equal(ltcp_connect(st, fd, &ep), -1);
  assert_int_equal(errno, ENETUNREACH);
  ltcp_stack_free(st);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_routes_longest_prefix_wins_whatever_the_order),
      cmocka_unit_test(test_routes_add_refuses_host_bits_duplicates_and_overflow),
      cmocka_unit_test(test_routes_next_hop_must_be_on_the_link),
      cmocka_unit_test(test_routes6_longest_prefix_wins),
      cmocka_unit_test(test_routes6_from_the_configuration),
      cmocka_unit_test(test_stack_gateway6_is_the_default_route_and_must_be_on_the_link),
      cmocka_unit_test(test_stack_route6_add_del_lookup),
      cmocka_unit_test(test_stack_default_reaches_every_unicast_address),
      cmocka_unit_test(test_stack_connect_without_a_route_is_enetunreach),
      cmocka_unit_test(test_stack_route_add_checks_the_next_hop),
      cmocka_unit_test(test_stack_gateway_is_the_default_route_and_must_be_on_the_link),
      cmocka_unit_test(test_stack_syn_from_a_source_without_route_is_dropped_and_counted),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
