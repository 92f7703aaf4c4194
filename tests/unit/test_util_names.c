/* Names and messages for errors, states, flags, drops, calls and timers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <string.h>

#include "lucidtcp/common.h"
#include "lucidtcp/event.h"
#include "lucidtcp/stats.h"

static void test_names_strerror_negative_code(void **state) {
  (void)state;
  assert_string_equal(ltcp_strerror(LTCP_ECONNRESET), "connection reset by peer");
  assert_string_equal(ltcp_strerror(LTCP_EAGAIN), "operation would block");
  assert_string_equal(ltcp_strerror(LTCP_EMSGSIZE), "message too long");
}

static void test_names_strerror_positive_errno(void **state) {
  (void)state;
  assert_string_equal(ltcp_strerror(ECONNRESET), "connection reset by peer");
  assert_string_equal(ltcp_strerror(ETIMEDOUT), "connection timed out");
}

static void test_names_strerror_unknown(void **state) {
  (void)state;
  assert_string_equal(ltcp_strerror(0), "success");
  assert_string_equal(ltcp_strerror(-100000), "unknown error");
  assert_string_equal(ltcp_strerror(INT_MIN), "unknown error");
  assert_string_equal(ltcp_strerror(INT_MAX), "unknown error");
}

static void test_names_errname_codes(void **state) {
  (void)state;
  assert_string_equal(ltcp_errname(LTCP_ECONNRESET), "ECONNRESET");
  assert_string_equal(ltcp_errname(ECONNREFUSED), "ECONNREFUSED");
  assert_string_equal(ltcp_errname(LTCP_EINVAL), "EINVAL");
  assert_string_equal(ltcp_errname(0), "OK");
  assert_string_equal(ltcp_errname(INT_MIN), "?");
  assert_string_equal(ltcp_errname(-99999), "?");
}

static void test_names_ipv4_format_values(void **state) {
  (void)state;
  char buf[16];
  assert_string_equal(ltcp_ipv4_format(LTCP_IPV4(10, 0, 0, 1), buf), "10.0.0.1");
  assert_string_equal(ltcp_ipv4_format(LTCP_IPV4(255, 255, 255, 255), buf), "255.255.255.255");
  assert_string_equal(ltcp_ipv4_format(0, buf), "0.0.0.0");
  assert_string_equal(ltcp_ipv4_format(LTCP_IPV4(192, 168, 100, 9), buf), "192.168.100.9");
}

static void test_names_ipv4_parse_text_valid(void **state) {
  (void)state;
  uint32_t a = 0;
  assert_int_equal(ltcp_ipv4_parse_text("10.0.0.1", &a), 0);
  assert_int_equal(a, LTCP_IPV4(10, 0, 0, 1));
  assert_int_equal(ltcp_ipv4_parse_text("255.255.255.255", &a), 0);
  assert_int_equal(a, 0xffffffffu);
  assert_int_equal(ltcp_ipv4_parse_text("0.0.0.0", &a), 0);
  assert_int_equal(a, 0);
}

static void test_names_ipv4_parse_text_round_trip(void **state) {
  (void)state;
  char buf[16];
  uint32_t addrs[] = {0, 1, 0x7f000001u, 0xc0a80a64u, 0xfffffffeu, 0x0a00ff00u};
  for (size_t i = 0; i < sizeof addrs / sizeof addrs[0]; i++) {
    uint32_t back = 0;
    assert_int_equal(ltcp_ipv4_parse_text(ltcp_ipv4_format(addrs[i], buf), &back), 0);
    assert_int_equal(back, addrs[i]);
  }
}

static void test_names_ipv4_parse_text_invalid(void **state) {
  (void)state;
  static const char *bad[] = {"",        "1.2.3",       "1.2.3.4.",   "1.2.3.4.5", "256.0.0.1",
                              "1.2.3.4x", " 1.2.3.4",   "1.2.3.4 ",   "1..3.4",    "a.b.c.d",
                              "1.2.3.-4", "1.2.3.1000", "01.2.3.4",   "1.2.3.0004", ".1.2.3",
                              "1.2.3.+4", "1,2,3,4",    "999.1.1.1"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    uint32_t a = 0x12345678u;
    assert_int_equal(ltcp_ipv4_parse_text(bad[i], &a), LTCP_EINVAL);
    assert_int_equal(a, 0x12345678u); /* untouched on error */
  }
  assert_int_equal(ltcp_ipv4_parse_text(NULL, &(uint32_t){0}), LTCP_EINVAL);
}

static void test_names_state_name_all(void **state) {
  (void)state;
  static const char *want[LTCP_STATE_COUNT] = {
      "CLOSED",      "LISTEN",     "SYN-SENT",   "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
      "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING",    "LAST-ACK",     "TIME-WAIT"};
  for (int s = 0; s < LTCP_STATE_COUNT; s++) assert_string_equal(ltcp_state_name(s), want[s]);
  assert_string_equal(ltcp_state_name(LTCP_STATE_COUNT), "?");
  assert_string_equal(ltcp_state_name((ltcp_state)-1), "?");
}

static void test_names_flags_format_tcpdump(void **state) {
  (void)state;
  char buf[9];
  assert_string_equal(ltcp_flags_format(LTCP_SYN | LTCP_ACK, buf), "S.");
  assert_string_equal(ltcp_flags_format(LTCP_FIN | LTCP_PSH | LTCP_ACK, buf), "FP.");
  assert_string_equal(ltcp_flags_format(LTCP_ACK, buf), ".");
  assert_string_equal(ltcp_flags_format(LTCP_RST, buf), "R");
  assert_string_equal(ltcp_flags_format(LTCP_SYN, buf), "S");
  assert_string_equal(ltcp_flags_format(LTCP_RST | LTCP_ACK, buf), "R.");
  assert_string_equal(ltcp_flags_format(0, buf), "none");
  assert_string_equal(ltcp_flags_format(0xff, buf), "FSRPUEW.");
  assert_string_equal(ltcp_flags_format(LTCP_SYN | LTCP_ECE | LTCP_CWR, buf), "SEW");
}

static void test_names_drop_name_and_text(void **state) {
  (void)state;
  assert_string_equal(ltcp_drop_name(LTCP_DROP_TCP_CHECKSUM), "TCP_CHECKSUM");
  assert_string_equal(ltcp_drop_name(LTCP_DROP_NONE), "NONE");
  assert_string_equal(ltcp_drop_text(LTCP_DROP_TCP_CHECKSUM), "TCP: bad checksum");
  assert_string_equal(ltcp_drop_name(LTCP_DROP_TX_QUEUE_FULL), "TX_QUEUE_FULL");
  for (int r = 0; r < LTCP_DROP_COUNT; r++) {
    assert_true(strlen(ltcp_drop_name(r)) > 0 && strcmp(ltcp_drop_name(r), "?") != 0);
    assert_true(strlen(ltcp_drop_text(r)) > 0 && strcmp(ltcp_drop_text(r), "?") != 0);
  }
  assert_string_equal(ltcp_drop_name(LTCP_DROP_COUNT), "?");
  assert_string_equal(ltcp_drop_text((ltcp_drop_reason)-5), "?");
}

static void test_names_call_name_all(void **state) {
  (void)state;
  assert_string_equal(ltcp_call_name(LTCP_CALL_OPEN_ACTIVE), "connect");
  assert_string_equal(ltcp_call_name(LTCP_CALL_OPEN_PASSIVE), "listen");
  assert_string_equal(ltcp_call_name(LTCP_CALL_SEND), "send");
  assert_string_equal(ltcp_call_name(LTCP_CALL_RECEIVE), "recv");
  assert_string_equal(ltcp_call_name(LTCP_CALL_CLOSE), "close");
  assert_string_equal(ltcp_call_name(LTCP_CALL_ABORT), "abort");
  assert_string_equal(ltcp_call_name(LTCP_CALL_COUNT), "?");
  assert_string_equal(ltcp_call_name((ltcp_call)-1), "?");
}

static void test_names_timer_name_all(void **state) {
  (void)state;
  assert_string_equal(ltcp_timer_name(LTCP_TIMER_RETRANSMIT), "retransmit");
  assert_string_equal(ltcp_timer_name(LTCP_TIMER_TIME_WAIT), "time-wait");
  assert_string_equal(ltcp_timer_name(LTCP_TIMER_USER_TIMEOUT), "user-timeout");
  assert_string_equal(ltcp_timer_name(LTCP_TIMER_FIN_WAIT_2), "fin-wait-2");
  assert_string_equal(ltcp_timer_name(LTCP_TIMER_COUNT), "?");
  assert_string_equal(ltcp_timer_name((ltcp_timer)1000), "?");
}

static void test_addr_parse_both_families(void **state) {
  (void)state;
  ltcp_endpoint e = {.port = 80};
  assert_int_equal(ltcp_addr_parse("198.18.0.1", &e), 0);
  assert_int_equal(e.family, LTCP_AF_INET);
  assert_int_equal(e.addr, LTCP_IPV4(198, 18, 0, 1));
  assert_int_equal(e.port, 80);
  assert_int_equal(ltcp_addr_parse("2001:db8::1", &e), 0);
  assert_int_equal(e.family, LTCP_AF_INET6);
  static const uint8_t want[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
  assert_memory_equal(e.addr6, want, 16);
  assert_int_equal(ltcp_addr_parse("2001:db8::1::2", &e), LTCP_EINVAL);
  assert_int_equal(ltcp_addr_parse("1.2.3", &e), LTCP_EINVAL);
  assert_int_equal(ltcp_addr_parse("", &e), LTCP_EINVAL);
}

static void test_addr_format_rfc5952(void **state) {
  (void)state;
  ltcp_endpoint e = {0};
  char buf[LTCP_ADDR_STRLEN];
  assert_int_equal(ltcp_addr_parse("2001:0DB8:0:0:0:0:0:0001", &e), 0);
  assert_string_equal(ltcp_addr_format(&e, buf), "2001:db8::1");
  ltcp_endpoint v4 = {LTCP_IPV4(198, 18, 0, 2), 8080};
  assert_string_equal(ltcp_addr_format(&v4, buf), "198.18.0.2");
}

static void test_endpoint_format_and_parse_round_trip(void **state) {
  (void)state;
  char buf[LTCP_ENDPOINT_STRLEN];
  ltcp_endpoint e = {0}, back = {0};
  assert_int_equal(ltcp_endpoint_parse("[2001:db8::2]:443", &e), 0);
  assert_int_equal(e.family, LTCP_AF_INET6);
  assert_int_equal(e.port, 443);
  assert_string_equal(ltcp_endpoint_format(&e, buf), "[2001:db8::2]:443");
  assert_int_equal(ltcp_endpoint_parse(buf, &back), 0);
  assert_true(ltcp_endpoint_equal(&e, &back));
  assert_int_equal(ltcp_endpoint_parse("198.18.0.1:80", &e), 0);
  assert_string_equal(ltcp_endpoint_format(&e, buf), "198.18.0.1:80");
  assert_false(ltcp_endpoint_equal(&e, &back));
  assert_int_equal(ltcp_endpoint_parse("2001:db8::2:443", &e), LTCP_EINVAL); /* no brackets */
  assert_int_equal(ltcp_endpoint_parse("[198.18.0.1]:80", &e), LTCP_EINVAL);
  assert_int_equal(ltcp_endpoint_parse("[2001:db8::2]:65536", &e), LTCP_EINVAL);
  assert_int_equal(ltcp_endpoint_parse("[2001:db8::2]", &e), LTCP_EINVAL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_names_strerror_negative_code),
      cmocka_unit_test(test_names_strerror_positive_errno),
      cmocka_unit_test(test_names_strerror_unknown),
      cmocka_unit_test(test_names_errname_codes),
      cmocka_unit_test(test_names_ipv4_format_values),
      cmocka_unit_test(test_names_ipv4_parse_text_valid),
      cmocka_unit_test(test_names_ipv4_parse_text_round_trip),
      cmocka_unit_test(test_names_ipv4_parse_text_invalid),
      cmocka_unit_test(test_names_state_name_all),
      cmocka_unit_test(test_names_flags_format_tcpdump),
      cmocka_unit_test(test_names_drop_name_and_text),
      cmocka_unit_test(test_names_call_name_all),
      cmocka_unit_test(test_names_timer_name_all),
      cmocka_unit_test(test_addr_parse_both_families),
      cmocka_unit_test(test_addr_format_rfc5952),
      cmocka_unit_test(test_endpoint_format_and_parse_round_trip),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
