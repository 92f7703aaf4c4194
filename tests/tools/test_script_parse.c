/* The packetdrill parser: every construct of the language, and the errors for malformed
 * scripts (each with its line). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "lucidtcp/common.h"
#include "script/ast.h"

static sc_script *parse_ok(const char *text) {
  sc_error err;
  sc_script *s = sc_parse("t.pkt", text, strlen(text), NULL, &err);
  if (!s) fail_msg("parse failed at line %d: %s\n--\n%s", err.line, err.msg, text);
  return s;
}

static sc_event *nth(sc_script *s, size_t n) {
  sc_event *e = s->events;
  for (size_t i = 0; i < n && e; i++) e = e->next;
  assert_non_null(e);
  return e;
}

/* Parses text that must fail: at line, with msg in the message. */
static void parse_bad(const char *text, int line, const char *msg) {
  sc_error err;
  sc_script *s = sc_parse("t.pkt", text, strlen(text), NULL, &err);
  if (s) {
    sc_script_free(s);
    fail_msg("parsed, but should fail at line %d (%s):\n%s", line, msg, text);
  }
  if (err.line != line || !strstr(err.msg, msg))
    fail_msg("error at line %d '%s'; wanted line %d with '%s'\n--\n%s", err.line, err.msg, line, msg, text);
}

static void test_script_parse_seconds(void **state) {
  (void)state;
  assert_int_equal(sc_parse_seconds("0", 1), 0);
  assert_int_equal(sc_parse_seconds("0.100", 5), 100000);
  assert_int_equal(sc_parse_seconds(".01", 3), 10000);
  assert_int_equal(sc_parse_seconds("2", 1), 2000000);
  assert_int_equal(sc_parse_seconds("1.0000019", 9), 1000001);
  assert_int_equal(sc_parse_seconds("1.5s", 4), -1);
  assert_int_equal(sc_parse_seconds(".", 1), -1);
}

static void test_script_parse_options_and_comments(void **state) {
  (void)state;
  sc_script *s = parse_ok("// a comment\n"
                          "--tolerance_usecs=10000\n"
                          "--ip_version=ipv4   // trailing comment\n"
                          "/* a block\n comment over\n lines */\n"
                          "--mtu=1400\n"
                          "0 close(3) = 0 // after an event\n"
                          "/* inline */ +0 close(4) = 0\n");
  sc_option *o = s->options;
  assert_string_equal(o->name, "tolerance_usecs");
  assert_string_equal(o->value, "10000");
  assert_int_equal(o->line, 2);
  o = o->next;
  assert_string_equal(o->name, "ip_version");
  assert_string_equal(o->value, "ipv4");
  o = o->next;
  assert_string_equal(o->name, "mtu");
  assert_int_equal(o->line, 7);
  assert_null(o->next);
  assert_int_equal(s->nevents, 2);
  assert_int_equal(nth(s, 0)->line, 8);
  assert_int_equal(nth(s, 1)->line, 9);
  sc_script_free(s);
}

static void test_script_parse_ifdef(void **state) {
  (void)state;
  const char *text = "#ifdef LINUX\n"
                     "0 close(1) = 0\n"
                     "#else\n"
                     "0 close(2) = 0\n"
                     "#ifndef FREEBSD\n"
                     "0 close(3) = 0\n"
                     "#endif\n"
                     "#endif\n"
                     "#ifdef SELF\n"
                     "0 close(4) = 0\n"
                     "#endif\n";
  sc_error err;
  sc_defines d = {0};
  sc_script *s = sc_parse("t.pkt", text, strlen(text), &d, &err);
  assert_non_null(s);
  assert_int_equal(s->nevents, 2); /* close(2), close(3) */
  assert_int_equal(nth(s, 0)->syscall->args[0]->num, 2);
  assert_int_equal(nth(s, 1)->line, 6);
  sc_script_free(s);
  assert_int_equal(sc_defines_add(&d, "LINUX=1"), 0);
  s = sc_parse("t.pkt", text, strlen(text), &d, &err);
  assert_non_null(s);
  assert_int_equal(s->nevents, 1);
  assert_int_equal(nth(s, 0)->syscall->args[0]->num, 1);
  sc_script_free(s);
  /* a script's own --define */
  s = parse_ok("--define=SELF\n#ifdef SELF\n0 close(4) = 0\n#endif\n");
  assert_int_equal(s->nevents, 1);
  sc_script_free(s);
}

static void test_script_parse_times(void **state) {
  (void)state;
  sc_script *s = parse_ok("0.100 close(3) = 0\n"
                          "+.01 close(3) = 0\n"
                          "* > . 1:1(0)\n"
                          "0.1~0.2 > . 1:1(0)\n"
                          "+0.1~+0.3 > . 1:1(0)\n"
                          "0...0.250 accept(3, ..., ...) = 4\n"
                          "+0...+1.5 read(4, ..., 10) = 10\n"
                          "2 close(3) = 0\n");
  sc_time t = nth(s, 0)->time;
  assert_int_equal(t.kind, SC_TIME_ABSOLUTE);
  assert_int_equal(t.us, 100000);
  t = nth(s, 1)->time;
  assert_int_equal(t.kind, SC_TIME_RELATIVE);
  assert_int_equal(t.us, 10000);
  assert_int_equal(nth(s, 2)->time.kind, SC_TIME_ANY);
  t = nth(s, 3)->time;
  assert_true(t.range);
  assert_int_equal(t.us, 100000);
  assert_int_equal(t.end_us, 200000);
  t = nth(s, 4)->time;
  assert_true(t.range);
  assert_int_equal(t.kind, SC_TIME_RELATIVE);
  assert_int_equal(t.end_us, 300000);
  t = nth(s, 5)->time;
  assert_true(t.blocking);
  assert_int_equal(t.us, 0);
  assert_int_equal(t.end_us, 250000);
  t = nth(s, 6)->time;
  assert_true(t.blocking);
  assert_int_equal(t.end_us, 1500000);
  assert_int_equal(nth(s, 7)->time.us, 2000000);
  sc_script_free(s);
}

static void test_script_parse_packet_tcp(void **state) {
  (void)state;
  sc_script *s = parse_ok(
      "0 < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>\n"
      "+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>\n"
      "+0 < P. 1:1001(1000) ack 1 win 257\n"
      "+0 > FP.EW 1:1(0) ack 1001 urg 5 <nop,nop,TS val 100 ecr 200>\n"
      "+0 < R 4294967295:9(10) win 0 <sack 1:100 200:300,eol>\n"
      "+0 > . ...(1460) ack 1 <...>\n"
      "+0 < U. !12345:12345(0) ack !999 win 10\n"
      "+0 < [ect0] S 0:0(0) win 100\n");
  sc_packet *p = nth(s, 0)->packet;
  assert_int_equal(p->dir, '<');
  assert_int_equal(p->flags, LTCP_SYN);
  assert_int_equal(p->seq.start, 0);
  assert_int_equal(p->seq.len, 0);
  assert_true(p->has_win);
  assert_int_equal(p->win, 32792);
  assert_false(p->has_ack);
  assert_int_equal(p->nopts, 6);
  assert_int_equal(p->opts[0].kind, SC_OPT_MSS);
  assert_int_equal(p->opts[0].a, 1000);
  assert_int_equal(p->opts[1].kind, SC_OPT_SACK_OK);
  assert_int_equal(p->opts[2].kind, SC_OPT_NOP);
  assert_int_equal(p->opts[5].kind, SC_OPT_WSCALE);
  assert_int_equal(p->opts[5].a, 7);
  p = nth(s, 1)->packet;
  assert_int_equal(p->dir, '>');
  assert_int_equal(p->flags, LTCP_SYN | LTCP_ACK);
  assert_true(p->has_ack);
  assert_int_equal(p->ack, 1);
  assert_false(p->has_win);
  p = nth(s, 2)->packet;
  assert_int_equal(p->flags, LTCP_PSH | LTCP_ACK);
  assert_int_equal(p->seq.start, 1);
  assert_int_equal(p->seq.end, 1001);
  assert_int_equal(p->seq.len, 1000);
  p = nth(s, 3)->packet;
  assert_int_equal(p->flags, LTCP_FIN | LTCP_PSH | LTCP_ACK | LTCP_ECE | LTCP_CWR);
  assert_true(p->has_urg);
  assert_int_equal(p->urg, 5);
  assert_int_equal(p->opts[2].kind, SC_OPT_TS);
  assert_int_equal(p->opts[2].a, 100);
  assert_int_equal(p->opts[2].b, 200);
  p = nth(s, 4)->packet;
  assert_int_equal(p->flags, LTCP_RST);
  assert_int_equal(p->seq.start, 4294967295u); /* ranges wrap */
  assert_int_equal(p->opts[0].kind, SC_OPT_SACK);
  assert_int_equal(p->opts[0].nblocks, 2);
  assert_int_equal(p->opts[0].blocks[1][0], 200);
  assert_int_equal(p->opts[0].blocks[1][1], 300);
  assert_int_equal(p->opts[1].kind, SC_OPT_EOL);
  p = nth(s, 5)->packet;
  assert_true(p->seq.any);
  assert_int_equal(p->seq.len, 1460);
  assert_true(p->opts_any);
  p = nth(s, 6)->packet;
  assert_int_equal(p->flags, LTCP_URG | LTCP_ACK);
  assert_true(p->seq.absolute);
  assert_int_equal(p->seq.start, 12345);
  assert_true(p->ack_absolute);
  assert_int_equal(p->ack, 999);
  p = nth(s, 7)->packet;
  assert_int_equal(p->ecn, SC_ECN_ECT0);
  assert_int_equal(nth(s, 0)->packet->ecn, SC_ECN_NONE);
  sc_script_free(s);
}

static void test_script_parse_packet_icmp(void **state) {
  (void)state;
  sc_script *s = parse_ok("0 < [1:1461(1460)] icmp unreachable frag_needed mtu 1200\n"
                          "+0 < icmp unreachable port_unreachable\n"
                          "+0 < icmp time_exceeded 1\n"
                          "+0 < icmp unreachable 13 mtu 1000\n");
  sc_packet *p = nth(s, 0)->packet;
  assert_true(p->is_icmp);
  assert_true(p->has_echoed);
  assert_int_equal(p->echoed.start, 1);
  assert_int_equal(p->echoed.len, 1460);
  assert_int_equal(p->icmp_type, 3);
  assert_int_equal(p->icmp_code, 4);
  assert_true(p->has_mtu);
  assert_int_equal(p->mtu, 1200);
  p = nth(s, 1)->packet;
  assert_false(p->has_echoed);
  assert_int_equal(p->icmp_code, 3);
  assert_false(p->has_mtu);
  p = nth(s, 2)->packet;
  assert_int_equal(p->icmp_type, 11);
  assert_int_equal(p->icmp_code, 1);
  p = nth(s, 3)->packet;
  assert_int_equal(p->icmp_code, 13);
  assert_int_equal(p->mtu, 1000);
  sc_script_free(s);
}

/* IPv6 scripts: ICMPv6 names (RFC 4443 values kept beside the ICMPv4 ones, -1 where a name has
 * no meaning in a family) and the IPv6 header's hop limit and traffic class. */
static void test_script_parse_ipv6_fields(void **state) {
  (void)state;
  sc_script *s = parse_ok("0 < icmp unreachable port_unreachable [0:0(0)]\n"
                          "+0 < icmp unreachable no_route [0:0(0)]\n"
                          "+0 < icmp packet_too_big mtu 1300 [0:0(0)]\n"
                          "+0 < icmp parameter_problem unknown_next_header [1:1(0)]\n"
                          "+0 < icmp time_exceeded exceeded_frag_time [0:0(0)]\n"
                          "+0 < icmp source_quench\n"
                          "+0 > (hlim 4, class 0xe0) P. 1:1441(1440) ack 1 win 65535\n");
  const int want[][4] = {{3, 3, 1, 4}, {3, -1, 1, 0}, {3, 4, 2, 0}, {12, -1, 4, 1}, {11, -1, 3, 1},
                         {4, 0, -1, 0}};
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    sc_packet *p = nth(s, i)->packet;
    assert_true(p->is_icmp);
    assert_int_equal(p->icmp_type, want[i][0]);
    assert_int_equal(p->icmp_code, want[i][1]);
    assert_int_equal(p->icmp6_type, want[i][2]);
    assert_int_equal(p->icmp6_code, want[i][3]);
  }
  sc_packet *p = nth(s, 6)->packet;
  assert_true(p->has_ttl && p->has_tos);
  assert_int_equal(p->ttl, 4);
  assert_int_equal(p->tos, 0xe0);
  sc_script_free(s);
  parse_bad("0 < icmp echo_request\n", 1, "an ICMP type");
}

/* nplab packetdrill (FreeBSD's tcp-testsuite): the quoted segment after the type and code, its
 * names for types and codes, IPv4 header fields, '-' for no flags, a trailing '!' (absolute
 * sequence number), and a `command` with no time. */
static void test_script_parse_nplab_dialect(void **state) {
  (void)state;
  sc_script *s = parse_ok("0 < icmp unreachable port_unreachable [4294967295:4294967295(0)]\n"
                          "+0 <icmp time_exceeded ttl_exceeded_in_transit [0:0(0)]\n"
                          "+0 < icmp parameter_problem code_2 [0:0(0)]\n"
                          "+0 < (ttl 3, tos 0x28) S 0:0(0) win 32767\n"
                          "+0 > (tos 0x20) R. 0:0(0)! ack 1 win 0\n"
                          "+0 < - 1:1(0) win 100\n"
                          "`kldstat -q`\n");
  sc_packet *p = nth(s, 0)->packet;
  assert_true(p->is_icmp && p->has_echoed);
  assert_int_equal(p->icmp_type, 3);
  assert_int_equal(p->icmp_code, 3);
  assert_int_equal(p->echoed.start, 4294967295u);
  p = nth(s, 1)->packet;
  assert_int_equal(p->icmp_type, 11);
  assert_int_equal(p->icmp_code, 0);
  assert_true(p->has_echoed);
  p = nth(s, 2)->packet;
  assert_int_equal(p->icmp_type, 12);
  assert_int_equal(p->icmp_code, 2);
  p = nth(s, 3)->packet;
  assert_true(p->has_ttl && p->has_tos);
  assert_int_equal(p->ttl, 3);
  assert_int_equal(p->tos, 0x28);
  p = nth(s, 4)->packet;
  assert_true(p->has_tos && !p->has_ttl);
  assert_true(p->seq.absolute);
  assert_int_equal(p->flags, LTCP_RST | LTCP_ACK);
  p = nth(s, 5)->packet;
  assert_int_equal(p->flags, 0);
  assert_int_equal(p->seq.start, 1);
  sc_event *e = nth(s, 6);
  assert_int_equal(e->kind, SC_EV_COMMAND);
  assert_int_equal(e->time.kind, SC_TIME_RELATIVE);
  assert_int_equal(e->time.us, 0);
  sc_script_free(s);
  parse_bad("0 < (mss 3) S 0:0(0) win 1\n", 1, "an IP header field");
  parse_bad("0 < S 0:0(0) win 1/udp(1 > 9811)\n", 1, "unsupported: TCP over UDP");
}

static void test_script_parse_syscalls(void **state) {
  (void)state;
  sc_script *s = parse_ok(
      "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
      "+0 setsockopt(3, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0\n"
      "+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)\n"
      "+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n"
      "+0 fcntl(3, F_GETFL) = 0x802 (flags O_RDWR|O_NONBLOCK)\n"
      "+0 poll([{fd=3, events=POLLIN|POLLOUT, revents=POLLOUT}], 1, -1) = 1\n"
      "+0 writev(3, [{iov_base=..., iov_len=10}, {..., 20}], 2) = 30\n"
      "+0 bind(3, {sin_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr(\"1.2.3.4\")}, 16) = 0\n"
      "+0 sendmsg(3, {msg_name(...)=..., msg_iov(1)=[{..., 5}], msg_flags=0}, 0) = 5\n"
      "+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0\n"
      "+0 read(3, ..., 10) = ...\n"
      "+0 write(3, \"a\\\"b\", 3) = 3\n");
  sc_syscall *c = nth(s, 0)->syscall;
  assert_string_equal(c->name, "socket");
  assert_int_equal(c->nargs, 3);
  assert_int_equal(c->args[0]->kind, SC_EXPR_ELLIPSIS);
  assert_int_equal(c->args[1]->kind, SC_EXPR_WORD);
  assert_string_equal(c->args[1]->text, "SOCK_STREAM");
  assert_int_equal(c->result->kind, SC_EXPR_INT);
  assert_int_equal(c->result->num, 3);
  assert_null(c->errno_name);
  c = nth(s, 1)->syscall;
  assert_int_equal(c->args[3]->kind, SC_EXPR_STRUCT);
  assert_int_equal(c->args[3]->n, 2);
  assert_int_equal(c->args[3]->items[0]->kind, SC_EXPR_FIELD);
  assert_string_equal(c->args[3]->items[0]->text, "l_onoff");
  assert_int_equal(c->args[3]->items[0]->items[0]->num, 1);
  c = nth(s, 2)->syscall;
  assert_int_equal(c->result->num, -1);
  assert_string_equal(c->errno_name, "EINPROGRESS");
  assert_string_equal(c->note, "Operation now in progress");
  c = nth(s, 3)->syscall;
  assert_int_equal(c->args[2]->kind, SC_EXPR_OR);
  assert_string_equal(c->args[2]->items[1]->text, "O_NONBLOCK");
  c = nth(s, 4)->syscall;
  assert_int_equal(c->result->num, 0x802);
  assert_string_equal(c->note, "flags O_RDWR|O_NONBLOCK");
  c = nth(s, 5)->syscall;
  assert_int_equal(c->args[0]->kind, SC_EXPR_ARRAY);
  assert_int_equal(c->args[0]->items[0]->kind, SC_EXPR_STRUCT);
  assert_int_equal(c->args[2]->num, -1);
  c = nth(s, 6)->syscall;
  assert_int_equal(c->args[1]->n, 2);
  assert_int_equal(c->args[1]->items[1]->items[0]->kind, SC_EXPR_ELLIPSIS); /* positional */
  assert_int_equal(c->args[1]->items[1]->items[1]->num, 20);
  c = nth(s, 7)->syscall;
  const sc_expr *port = c->args[1]->items[1]->items[0];
  assert_int_equal(port->kind, SC_EXPR_CALL);
  assert_string_equal(port->text, "htons");
  assert_int_equal(port->items[0]->num, 80);
  assert_string_equal(c->args[1]->items[2]->items[0]->items[0]->text, "1.2.3.4");
  c = nth(s, 8)->syscall;
  const sc_expr *iov = c->args[1]->items[1];
  assert_int_equal(iov->kind, SC_EXPR_FIELD);
  assert_string_equal(iov->text, "msg_iov");
  assert_int_equal(iov->num, 1);
  assert_int_equal(iov->items[0]->kind, SC_EXPR_ARRAY);
  c = nth(s, 9)->syscall;
  assert_int_equal(c->args[4]->kind, SC_EXPR_ARRAY);
  assert_int_equal(nth(s, 10)->syscall->result->kind, SC_EXPR_ELLIPSIS);
  assert_string_equal(nth(s, 11)->syscall->args[1]->text, "a\"b");
  sc_script_free(s);
}

static void test_script_parse_commands_and_code(void **state) {
  (void)state;
  sc_script *s = parse_ok("0 `sysctl -q net.ipv4.tcp_syn_retries=3`\n"
                          "+0 %{ assert tcpi_state == TCP_ESTABLISHED, tcpi_state }%\n"
                          "+0 %{\n"
                          "assert tcpi_rto >= 200000\n"
                          "assert tcpi_snd_mss == 1460\n"
                          "}%\n"
                          "+0 `ss -tan | grep -c 'TIME-WAIT'`\n");
  assert_int_equal(nth(s, 0)->kind, SC_EV_COMMAND);
  assert_string_equal(nth(s, 0)->text, "sysctl -q net.ipv4.tcp_syn_retries=3");
  assert_int_equal(nth(s, 1)->kind, SC_EV_CODE);
  assert_string_equal(nth(s, 1)->text, " assert tcpi_state == TCP_ESTABLISHED, tcpi_state ");
  assert_int_equal(nth(s, 2)->kind, SC_EV_CODE);
  assert_int_equal(nth(s, 2)->line, 3);
  assert_int_equal(nth(s, 3)->line, 7); /* lines inside the block still count */
  assert_string_equal(nth(s, 3)->text, "ss -tan | grep -c 'TIME-WAIT'");
  sc_script_free(s);
}

/* Malformed scripts: each error names its line and what was wrong. */
static void test_script_parse_errors(void **state) {
  (void)state;
  parse_bad("0 close(3) = 0\nblah\n", 2, "expected the time of an event");
  parse_bad("0 close(3) = 0\n+0 blah 3\n", 2, "expected a packet (< or >), a system call");
  parse_bad("0 close(3)\n+0 close(4) = 0\n", 2, "expected '= RESULT' after the arguments of close()");
  parse_bad("0 close(3) = -1\n+0 close(3) = 0\n", 2, "expected the errno name after -1");
  parse_bad("0 close(3 = 0\n", 1, "expected ',' or ')'");
  parse_bad("0 < S 0:0(0) win 100\n+0 > S. 0:1(0) ack 1\n", 2, "end - start is 1, not the length 0");
  parse_bad("0 < S 0:0 win 100\n", 1, "expected '(' and the payload length");
  parse_bad("0 < SX 0:0(0)\n", 1, "unknown TCP flag 'X'");
  parse_bad("0 < SS 0:0(0)\n", 1, "TCP flag 'S' given twice");
  parse_bad("0 < 0:0(0)\n", 1, "expected TCP flags");
  parse_bad("0 < S 0:0(0) win 70000\n", 1, "the window out of range");
  parse_bad("0 < S 0:0(0) win 100 <mss 1460 nop>\n", 1, "expected ',' or '>' after a TCP option");
  parse_bad("0 < S 0:0(0) win 100 <foo>\n", 1, "unknown TCP option 'foo'");
  parse_bad("0 < S 0:0(0) win 100 <TS 1 ecr 2>\n", 1, "expected 'val' after 'TS'");
  parse_bad("0 < S 0:0(0) win 100 <sack>\n", 1, "expected SACK blocks");
  parse_bad("0 < S 0:0(0) ack 1 ack 2\n", 1, "'ack' given twice");
  parse_bad("0 < icmp bogus\n", 1, "expected an ICMP type");
  parse_bad("0 < [ect9] S 0:0(0)\n", 1, "expected an ECN codepoint");
  parse_bad("0...1 < S 0:0(0)\n", 1, "a '...' end time is only for system calls");
  parse_bad("0~1 < S 0:0(0)\n", 1, "a time range t1~t2 is only for outbound (>) packets");
  parse_bad("0~1 close(3) = 0\n", 1, "a time range t1~t2 is only for outbound (>) packets");
  parse_bad("0.2~0.1 > S 0:0(0)\n", 1, "the end time 0.100000 is before the start time 0.200000");
  parse_bad("1.x close(3) = 0\n", 1, "expected a packet (< or >)");
  parse_bad("0 close(3) = 0\n--mtu=1000\n", 2, "option lines (--mtu=1000) must come before the first event");
  parse_bad("\n\n#ifdef X\n0 close(3) = 0\n", 3, "#ifdef without #endif");
  parse_bad("#endif\n", 1, "#endif without #ifdef");
  parse_bad("#else\n", 1, "#else without #ifdef");
  parse_bad("#ifdef X\n#else\n#else\n#endif\n", 3, "second #else for the #ifdef of line 1");
  parse_bad("#if X\n#endif\n", 1, "unknown directive #if");
  parse_bad("#ifdef\n#endif\n", 1, "#ifdef needs a name");
  parse_bad("0 close(3) = 0\n/* open\n\n", 2, "unterminated /* comment");
  parse_bad("0 `sysctl -w x=1\n", 1, "unterminated ` command");
  parse_bad("0 %{ assert 1\n\n", 1, "unterminated %{ code block");
  parse_bad("0 write(3, \"abc, 3) = 3\n", 1, "unterminated string");
  parse_bad("0 close(3) = 0 (note\n", 1, "unterminated note");
  parse_bad("0 `x`...1\n", 1, "expected the time of an event");
  parse_bad("0 close(3) = 0\n\x01\n", 2, "unexpected byte 0x01");
}

static void test_script_parse_unsupported(void **state) {
  (void)state;
  sc_error err;
  const char *text = "0 < S 0:0(0) win 100 <mss 1460,FO abcd>\n";
  assert_null(sc_parse("t.pkt", text, strlen(text), NULL, &err));
  assert_true(err.unsupported);
  assert_non_null(strstr(err.msg, "unsupported: TCP option 'FO'"));
  text = "0\n< udp (1000)\n";
  assert_null(sc_parse("t.pkt", text, strlen(text), NULL, &err));
  assert_true(err.unsupported);
  assert_int_equal(err.line, 2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_script_parse_seconds),
      cmocka_unit_test(test_script_parse_options_and_comments),
      cmocka_unit_test(test_script_parse_ifdef),
      cmocka_unit_test(test_script_parse_times),
      cmocka_unit_test(test_script_parse_packet_tcp),
      cmocka_unit_test(test_script_parse_packet_icmp),
      cmocka_unit_test(test_script_parse_ipv6_fields),
      cmocka_unit_test(test_script_parse_nplab_dialect),
      cmocka_unit_test(test_script_parse_syscalls),
      cmocka_unit_test(test_script_parse_commands_and_code),
      cmocka_unit_test(test_script_parse_errors),
      cmocka_unit_test(test_script_parse_unsupported),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
