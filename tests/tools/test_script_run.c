/* The script executor: packets injected and matched, system calls, blocking in virtual time,
 * commands and assertions; and that every kind of mismatch FAILs with its line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script/script.h"

/* The listener and handshake most cases start from (lines 1-7). */
#define PASSIVE_OPEN                                   \
  "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"      \
  "+0 bind(3, ..., ...) = 0\n"                         \
  "+0 listen(3, 1) = 0\n"                              \
  "+0.1 < S 0:0(0) win 65535 <mss 1460>\n"             \
  "+0 > S. 0:0(0) ack 1 <mss 1460>\n"                  \
  "+0.1 < . 1:1(0) ack 1 win 65535\n"                  \
  "+0 accept(3, ..., ...) = 4\n"

static script_result res;

static script_outcome run(const char *text) {
  script_options o;
  script_options_default(&o);
  script_run_text("t.pkt", text, strlen(text), &o, &res);
  return res.outcome;
}

static void expect(const char *text, script_outcome outcome, int line, const char *reason) {
  script_outcome got = run(text);
  static const char *const names[] = {"PASS", "FAIL", "SKIP"};
  if (got != outcome || (line && res.line != line) || (reason && !strstr(res.reason, reason)))
    fail_msg("got %s line %d '%s'\n%s%swanted %s line %d '%s'\n--\n%s", names[got], res.line, res.reason,
             res.detail, res.notes, names[outcome], line, reason ? reason : "", text);
}

static void test_script_run_passive_open_and_close(void **state) {
  (void)state;
  expect(PASSIVE_OPEN
         "+0 %{ assert tcpi_state == TCP_ESTABLISHED }%\n"
         "+0 < P. 1:101(100) ack 1 win 65535\n"
         "+0 > . 1:1(0) ack 101\n"
         "+0 read(4, ..., 1000) = 100\n"
         "+0 write(4, ..., 10) = 10\n"
         "+0 > P. 1:11(10) ack 101\n"
         "+0.1 < F. 101:101(0) ack 11 win 65535\n"
         "+0 > . 11:11(0) ack 102\n"
         "+0 %{ assert tcpi_state == TCP_CLOSE_WAIT }%\n"
         "+0 read(4, ..., 1000) = 0\n"
         "+0 close(4) = 0\n"
         "+0 > F. 11:11(0) ack 102\n"
         "+0.1 < . 102:102(0) ack 12 win 65535\n"
         "+0 %{ assert tcpi_state == TCP_CLOSE }%\n",
         SCRIPT_PASS, 0, NULL);
  assert_int_equal(res.events, 21);
}

static void test_script_run_active_open_blocking_connect(void **state) {
  (void)state;
  expect("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
         "+0...0.2 connect(3, ..., ...) = 0\n"
         "+0 > S 0:0(0) <mss 1460>\n"
         "+0.2 < S. 0:0(0) ack 1 win 65535 <mss 1460>\n"
         "+0 > . 1:1(0) ack 1\n"
         "+0 %{ assert tcpi_state == TCP_ESTABLISHED }%\n",
         SCRIPT_PASS, 0, NULL);
  /* the same without '...': the call blocks and the script said it would not */
  expect("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
         "+0 connect(3, ..., ...) = 0\n"
         "+0 > S 0:0(0) <mss 1460>\n",
         SCRIPT_FAIL, 2, "connect() blocks at 0.000000 s; the script expects it to return at once");
  /* non-blocking, then poll until writable */
  expect("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
         "+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n"
         "+0 fcntl(3, F_GETFL) = 0x802 (flags O_RDWR|O_NONBLOCK)\n"
         "+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)\n"
         "+0 > S 0:0(0) <mss 1460>\n"
         "+0...0.1 poll([{fd=3, events=POLLOUT, revents=POLLOUT}], 1, 1000) = 1\n"
         "+0.1 < S. 0:0(0) ack 1 win 65535 <mss 1460>\n"
         "+0 > . 1:1(0) ack 1\n"
         "+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0\n",
         SCRIPT_PASS, 0, NULL);
}

static void test_script_run_outbound_mismatch(void **state) {
  (void)state;
  expect(PASSIVE_OPEN "+0 < P. 1:101(100) ack 1 win 65535\n"
                      "+0 > . 1:1(0) ack 100\n",
         SCRIPT_FAIL, 9, "outbound packet differs in ack");
  assert_non_null(strstr(res.detail, "expected      0.200000  > . 1:1(0) ack 100"));
  assert_non_null(strstr(res.detail, "actual        0.200000  > . 1:1(0) ack 101 win"));
  expect(PASSIVE_OPEN "+0 < P. 1:101(100) ack 1 win 65535\n"
                      "+0 > . 1:1(0) ack 101 win 1000\n",
         SCRIPT_FAIL, 9, "differs in win");
  expect(PASSIVE_OPEN "+0 < P. 1:101(100) ack 1 win 65535\n"
                      "+0 > P. 5:5(0) ack 101\n",
         SCRIPT_FAIL, 9, "differs in flags, seq");
  expect(PASSIVE_OPEN "+0 < P. 1:101(100) ack 1 win 65535\n"
                      "+0 > . 1:1(0) ack 101 <mss 1460>\n",
         SCRIPT_FAIL, 9, "differs in options");
  expect(PASSIVE_OPEN "+0 < P. 1:101(100) ack 1 win 65535\n"
                      "+0 > . 1:1(0) ack 101 <...>\n",
         SCRIPT_PASS, 0, NULL);
  expect(PASSIVE_OPEN "+0 write(4, ..., 10) = 10\n"
                      "+0 > P. ...(10) ack 1\n",
         SCRIPT_PASS, 0, NULL);
  expect("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
         "+0 bind(3, ..., ...) = 0\n"
         "+0 listen(3, 1) = 0\n"
         "+0.1 < S 0:0(0) win 65535 <mss 1460>\n"
         "+0 > S. 0:0(0) ack 1 <mss 1460,sackOK,nop,wscale 7>\n",
         SCRIPT_FAIL, 5, "differs in options");
}

static void test_script_run_timing(void **state) {
  (void)state;
  expect("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
         "+0 bind(3, ..., ...) = 0\n"
         "+0 listen(3, 1) = 0\n"
         "+0.1 < S 0:0(0) win 65535 <mss 1460>\n"
         "+0.5 > S. 0:0(0) ack 1 <mss 1460>\n",
         SCRIPT_FAIL, 5, "timing: the packet was expected at 0.600000 s but sent at 0.100000 s");
  /* the SYN,ACK is sent again after the initial RTO, 1 s */
  expect("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
         "+0 bind(3, ..., ...) = 0\n"
         "+0 listen(3, 1) = 0\n"
         "+0.1 < S 0:0(0) win 65535 <mss 1460>\n"
         "+0 > S. 0:0(0) ack 1 <mss 1460>\n"
         "+1 > S. 0:0(0) ack 1 <mss 1460>\n"
         "1.09~1.2 %{ assert tcpi_state == TCP_LISTEN }%\n",
         SCRIPT_FAIL, 7, "time range"); /* ranges are for outbound packets only: a syntax error */
  expect("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
         "+0 bind(3, ..., ...) = 0\n"
         "+0 listen(3, 1) = 0\n"
         "+0.1 < S 0:0(0) win 65535 <mss 1460>\n"
         "+0 > S. 0:0(0) ack 1 <mss 1460>\n"
         "1.0~1.2 > S. 0:0(0) ack 1 <mss 1460>\n"
         "* > S. 0:0(0) ack 1 <mss 1460>\n"
         "+4 > S. 0:0(0) ack 1 <mss 1460>\n",
         SCRIPT_PASS, 0, NULL);
  expect("--tolerance_usecs=100000\n"
         "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
         "+0 bind(3, ..., ...) = 0\n"
         "+0 listen(3, 1) = 0\n"
         "+0.1 < S 0:0(0) win 65535 <mss 1460>\n"
         "+0.05 > S. 0:0(0) ack 1 <mss 1460>\n",
         SCRIPT_PASS, 0, NULL);
  expect(PASSIVE_OPEN "+0 > . 1:1(0) ack 1\n", SCRIPT_FAIL, 8, "the stack sent nothing");
  assert_non_null(strstr(res.detail, "(nothing sent)"));
}

static void test_script_run_syscall_results(void **state) {
  (void)state;
  expect(PASSIVE_OPEN "+0 read(4, ..., 10) = 10\n", SCRIPT_FAIL, 8, "read() blocks");
  expect(PASSIVE_OPEN "+0 fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n"
                      "+0 read(4, ..., 10) = 10\n",
         SCRIPT_FAIL, 9, "read() returned -1 EAGAIN (Resource temporarily unavailable), the script expects 10");
  assert_non_null(strstr(res.detail, "= 10"));
  expect(PASSIVE_OPEN "+0 fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n"
                      "+0 recv(4, ..., 10, 0) = -1 EAGAIN (Resource temporarily unavailable)\n"
                      "+0 close(9) = -1 EBADF (Bad file descriptor)\n"
                      "+0 listen(4, 1) = -1 EINVAL\n"
                      "+0 shutdown(3, SHUT_WR) = -1 ENOTCONN\n",
         SCRIPT_PASS, 0, NULL);
  expect(PASSIVE_OPEN "+0 close(4) = -1 ECONNRESET\n", SCRIPT_FAIL, 8, "close() returned 0, the script expects -1 ECONNRESET");
  expect(PASSIVE_OPEN "+0 close(4) = -1 EFOO\n", SCRIPT_FAIL, 8, "unknown errno name EFOO");
  /* a blocking read returns when data comes */
  expect(PASSIVE_OPEN "+0...0.3 read(4, ..., 1000) = 100\n"
                      "+0.3 < P. 1:101(100) ack 1 win 65535\n"
                      "+0 > . 1:1(0) ack 101\n"
                      "+0 recv(4, ..., 1000, MSG_PEEK) = -1 EAGAIN\n",
         SCRIPT_FAIL, 11, "recv() blocks");
  expect(PASSIVE_OPEN "+0...0.3 read(4, ..., 1000) = 100\n"
                      "+0.3 < P. 1:101(100) ack 1 win 65535\n"
                      "+0 > . 1:1(0) ack 101\n",
         SCRIPT_PASS, 0, NULL);
  expect(PASSIVE_OPEN "+0 < P. 1:101(100) ack 1 win 65535\n"
                      "+0 > . 1:1(0) ack 101\n"
                      "+0 recv(4, ..., 1000, MSG_PEEK) = 100\n"
                      "+0 readv(4, [{iov_base=..., iov_len=60}, {..., 60}], 2) = 100\n"
                      "+0 writev(4, [{..., 30}, {..., 20}], 2) = 50\n"
                      "+0 > P. 1:51(50) ack 101\n"
                      "+0 send(4, ..., 5, 0) = 5\n"
                      "+0 > P. 51:56(5) ack 101\n",
         SCRIPT_PASS, 0, NULL);
  expect(PASSIVE_OPEN "+0 poll([{fd=4, events=POLLIN|POLLOUT, revents=POLLIN|POLLOUT}], 1, 0) = 1\n",
         SCRIPT_FAIL, 8, "poll(): revents of entry 1 is POLLOUT, the script expects POLLIN|POLLOUT");
  expect(PASSIVE_OPEN "+0 getsockopt(4, SOL_SOCKET, SO_REUSEADDR, [1], [4]) = 0\n",
         SCRIPT_FAIL, 8, "getsockopt(SO_REUSEADDR) gives 0, the script expects 1");
  expect(PASSIVE_OPEN "+0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 4\n", SCRIPT_FAIL, 8,
         "socket(): descriptor 4 is already open");
}

static void test_script_run_linger_abort(void **state) {
  (void)state;
  expect(PASSIVE_OPEN "+0 setsockopt(4, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0\n"
                      "+0 getsockopt(4, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, [8]) = 0\n"
                      "+0 close(4) = 0\n"
                      "+0 > R 1:1(0)\n",
         SCRIPT_PASS, 0, NULL);
  expect(PASSIVE_OPEN "+0 setsockopt(4, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=5}, 8) = 0\n"
                      "+0 close(4) = 0\n",
         SCRIPT_SKIP, 9, "unsupported: close() lingering 5 s");
}

static void test_script_run_skips(void **state) {
  (void)state;
  expect("--ip_version=ipv4-mapped-ipv6\n0 close(3) = 0\n", SCRIPT_SKIP, 1,
         "unsupported: --ip_version=ipv4-mapped-ipv6");
  expect("--ip_version=ipv6\n--mtu=1000\n0 close(3) = 0\n", SCRIPT_SKIP, 0,
         "unsupported: --mtu=1000 with IPv6");
  expect("--bogus=1\n0 close(3) = 0\n", SCRIPT_FAIL, 1, "unknown option --bogus");
  expect("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 epoll_create(1) = 4\n", SCRIPT_SKIP, 2,
         "unsupported: system call epoll_create()");
  expect("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
         "+0 setsockopt(3, IPPROTO_TCP, TCP_CONGESTION, \"cubic\", 5) = 0\n",
         SCRIPT_SKIP, 2, "unsupported: setsockopt() option TCP_CONGESTION");
  /* Keep-alive is lucidtcp's own: the options reach the socket and come back. */
  expect("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
         "+0 setsockopt(3, SOL_SOCKET, SO_KEEPALIVE, [1], 4) = 0\n"
         "+0 getsockopt(3, IPPROTO_TCP, TCP_KEEPIDLE, [7200], [4]) = 0\n",
         SCRIPT_PASS, 0, NULL);
  /* A system call packetdrill does not have is a typo: it fails, naming the line. */
  expect("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 conect(3, ..., ...) = 0\n", SCRIPT_FAIL, 2,
         "unknown system call conect()");
  expect("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
         "+0 setsockopt(3, SOL_SOCKET, SO_KEEPALIVE, [0], 4) = 0\n"
         "+0 setsockopt(3, IPPROTO_TCP, TCP_KEEPIDLE, [10], 4) = 0\n"
         "+0 getsockopt(3, IPPROTO_TCP, TCP_KEEPIDLE, [10], [4]) = 0\n"
         "+0 setsockopt(3, IPPROTO_TCP, TCP_KEEPCNT, [0], 4) = -1 EINVAL\n"
         "+0 setsockopt(3, IPPROTO_TCP, TCP_NODELAY, [1], 4) = 0\n"
         "+0 setsockopt(3, IPPROTO_TCP, TCP_MAXSEG, [1000], 4) = 0\n"
         "+0 getsockopt(3, IPPROTO_TCP, TCP_MAXSEG, [1000], [4]) = 0\n",
         SCRIPT_PASS, 0, NULL);
  expect("0 socket(1, SOCK_STREAM, IPPROTO_TCP) = 3\n", SCRIPT_SKIP, 1, "domain other than AF_INET and AF_INET6");
  expect("0 < S 0:0(0) win 100 <FO 1234>\n", SCRIPT_SKIP, 1, "unsupported: TCP option 'FO'");
  expect("0 close(3) = -1 EBADF\n+0 %{ print(tcpi_state) }%\n", SCRIPT_SKIP, 2, "unsupported: python code");
  expect("0 close(3) = -1 EBADF\n+0 %{ assert tcpi_snd_cwnd == 10 }%\n", SCRIPT_SKIP, 2,
         "unsupported: tcpi_snd_cwnd");
}

static void test_script_run_syntax_error_fails(void **state) {
  (void)state;
  expect("0 close(3) = 0\n+0 > S. 0:1(0)\n", SCRIPT_FAIL, 2, "syntax: sequence range 0:1(0)");
}

static void test_script_run_rst_to_closed_port(void **state) {
  (void)state;
  expect("0 < S 0:0(0) win 65535 <mss 1460>\n"
         "+0 > R. 0:0(0) ack 1 win 0\n"
         "+1 < . 100:100(0) ack 5000 win 65535\n"
         "+0 > R !5000:5000(0) win 0\n",
         SCRIPT_PASS, 0, NULL);
}

static void test_script_run_commands(void **state) {
  (void)state;
  /* tcp_syn_retries=1: one retransmission at 1 s, ETIMEDOUT after the doubled RTO */
  expect("0 `sysctl -q net.ipv4.tcp_syn_retries=1`\n"
         "+0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
         "+0...3 connect(3, ..., ...) = -1 ETIMEDOUT (Connection timed out)\n"
         "+0 > S 0:0(0) <mss 1460>\n"
         "1 > S 0:0(0) <mss 1460>\n",
         SCRIPT_PASS, 0, NULL);
  /* A running stack takes a sysctl for what follows, as a kernel does. */
  expect("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
         "+0 `sysctl -w net.ipv4.tcp_syn_retries=1`\n"
         "+0 `sysctl -n net.ipv4.tcp_syn_retries | grep -q '^1$'`\n",
         SCRIPT_PASS, 0, NULL);
  /* A value lucidtcp cannot take fails the script, before and after the stack is in use. */
  expect("0 `sysctl -w net.inet.tcp.recvspace=0`\n", SCRIPT_FAIL, 1, "cannot take");
  expect("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
         "+0 `sysctl -w net.inet.tcp.recvspace=0`\n",
         SCRIPT_FAIL, 2, "cannot take");
  expect("0 `echo 0 > /proc/sys/net/ipv4/tcp_timestamps; ../common/defaults.sh`\n"
         "+0 `tc qdisc add dev tun0 root fq`\n"
         "+0 `sysctl -q net.ipv4.tcp_dsack=0`\n"
         "+0 `sysctl -q net.ipv4.tcp_congestion_control=reno`\n"
         "+0 close(3) = -1 EBADF\n",
         SCRIPT_PASS, 0, NULL);
  assert_non_null(strstr(res.notes, "note: t.pkt:2: `tc qdisc add dev tun0 root fq`: no lucidtcp equivalent (tc); not run"));
  assert_non_null(strstr(res.notes, "t.pkt:3: sysctl net.ipv4.tcp_dsack=0: lucidtcp cannot be set so (it behaves as 1)"));
  assert_non_null(strstr(res.notes, "t.pkt:4: sysctl net.ipv4.tcp_congestion_control=reno: no lucidtcp equivalent"));
  assert_null(strstr(res.notes, "t.pkt:1:"));
  expect(PASSIVE_OPEN "+0 `ss -tan state established | grep -c 192.0.2.1:40000`\n"
                      "+0 `ss -tan | grep -q LISTEN`\n"
                      "+0 `ss -tn | grep -v -q LISTEN`\n"
                      "+0 `netstat -tan | grep ESTABLISHED | wc -l | grep -qx 1`\n"
                      "+0 `netstat -n -p tcp | grep -c 192.168.0.1.8080`\n"
                      "+0 `sockstat -4 -s -P tcp -p 8080 | grep -c ESTABLISHED`\n"
                      "+0 `ss -tan state time-wait | grep -c 192.0.2.1`\n",
         SCRIPT_FAIL, 14, "command `ss -tan state time-wait | grep -c 192.0.2.1` exited with status 1 (output: '0')");
  /* The script's sockets belong to packetdrill, as the suites grep for it. */
  expect(PASSIVE_OPEN "+0 `ss -tanp state established | grep -q 'users:((\"packetdrill\"'`\n"
                      "+0 `netstat -tanp | grep ESTABLISHED | grep -q /packetdrill`\n"
                      "+0 `sockstat -4 -P tcp -s | grep packetdril | grep -c ESTABLISHED | grep 1`\n"
                      "+0 `sockstat -4 -P tcp -s | grep packetdril | grep -c LISTEN | grep 1`\n",
         SCRIPT_PASS, 0, NULL);
  expect("0 `sysctl -n net.ipv4.tcp_syn_retries | grep -qx 8`\n", SCRIPT_PASS, 0, NULL);
  expect("0 `ss -tan | awk '{print $1}'`\n", SCRIPT_PASS, 0, NULL);
  assert_non_null(strstr(res.notes, "(awk in a pipeline)"));
}

static void test_script_run_assertions(void **state) {
  (void)state;
  expect(PASSIVE_OPEN "+0 %{ assert tcpi_state == TCP_SYN_RECV, tcpi_state }%\n", SCRIPT_FAIL, 8,
         "assertion failed: tcpi_state == TCP_SYN_RECV");
  assert_non_null(strstr(res.detail, "tcpi_state is 1 (ESTABLISHED)"));
  expect(PASSIVE_OPEN "+0 %{\n"
                      "assert tcpi_snd_mss == 1460\n"
                      "assert tcpi_rto >= 200000 and tcpi_rto <= 1000000\n"
                      "assert not (tcpi_state != 1)\n"
                      "}%\n",
         SCRIPT_PASS, 0, NULL);
  expect(PASSIVE_OPEN "+0 %{\n"
                      "assert tcpi_snd_mss == 1460\n"
                      "assert tcpi_retransmits == 3\n"
                      "}%\n",
         SCRIPT_FAIL, 10, "assertion failed: tcpi_retransmits == 3");
  expect(PASSIVE_OPEN "+0 close(4) = 0\n"
                      "+0 > F. 1:1(0) ack 1\n"
                      "+0 %{ assert tcpi_state == TCP_FIN_WAIT1 }%\n"
                      "+0 %{ assert tcpi_rto > 0 }%\n",
         SCRIPT_FAIL, 11, "tcpi_rto: the socket under test holds no connection");
}

/* Issue 14: %{ }% arithmetic is checked. 9000000000000000000*10 was signed overflow (undefined
 * behaviour); now every operation that leaves int64_t, a literal too large for it and nesting
 * deeper than the evaluator's bound FAIL the script at its line, naming what went wrong. */
static void test_script_run_assertion_overflow(void **state) {
  (void)state;
#define CODE(expr) "0 close(3) = -1 EBADF\n+0 %{ assert " expr " }%\n"
  expect(CODE("9000000000000000000*10 > 0"), SCRIPT_FAIL, 2,
         "%{ }%: '*' overflows a 64-bit signed integer");
  expect(CODE("9223372036854775807+1 > 0"), SCRIPT_FAIL, 2, "'+' overflows");
  expect(CODE("-9223372036854775807-2 < 0"), SCRIPT_FAIL, 2, "'-' overflows");
  expect(CODE("-(-9223372036854775807-1) > 0"), SCRIPT_FAIL, 2, "'-' (negation) overflows");
  expect(CODE("99999999999999999999 > 0"), SCRIPT_FAIL, 2,
         "the number 99999999999999999999 does not fit a 64-bit signed integer");
  expect(CODE("((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((1)))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))) == 1"),
         SCRIPT_FAIL, 2, "nests too deeply");
  /* In range, the same operators still compute. */
  expect(CODE("9000000000000000000+223372036854775807 == 9223372036854775807 and -3*4 == -12 and (6|1)&3 == 3"),
         SCRIPT_PASS, 0, NULL);
#undef CODE
}

static void test_script_run_defines(void **state) {
  (void)state;
  script_options o;
  script_options_default(&o);
  const char *text = "#ifdef WRONG\n0 close(3) = 0\n#else\n0 close(3) = -1 EBADF\n#endif\n";
  script_run_text("t.pkt", text, strlen(text), &o, &res);
  assert_int_equal(res.outcome, SCRIPT_PASS);
  assert_int_equal(sc_defines_add(&o.defines, "WRONG"), 0);
  script_run_text("t.pkt", text, strlen(text), &o, &res);
  assert_int_equal(res.outcome, SCRIPT_FAIL);
  assert_int_equal(res.line, 2);
}

static void test_script_run_icmp_inbound(void **state) {
  (void)state;
  expect(PASSIVE_OPEN "+0 write(4, ..., 1000) = 1000\n"
                      "+0 > P. 1:1001(1000) ack 1\n"
                      "+0 < [1:1001(1000)] icmp unreachable frag_needed mtu 1000\n"
                      "+0 < icmp unreachable port_unreachable\n"
                      "+0.1 < . 1:1(0) ack 1001 win 65535\n"
                      "+0 %{ assert tcpi_state == TCP_ESTABLISHED }%\n",
         SCRIPT_PASS, 0, NULL);
}

/* IPv6 (--ip_version=ipv6): the same listener and handshake, over 2001:db8::1 (the stack) and
 * 2001:db8::2 (the script); the MSS is the MTU less 60 bytes of headers. */
#define IPV6_PASSIVE_OPEN                              \
  "--ip_version=ipv6\n"                                \
  "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"      \
  "+0 bind(3, ..., ...) = 0\n"                         \
  "+0 listen(3, 1) = 0\n"                              \
  "+0.1 < S 0:0(0) win 65535 <mss 1440>\n"             \
  "+0 > S. 0:0(0) ack 1 <mss 1440>\n"                  \
  "+0.1 < . 1:1(0) ack 1 win 65535\n"                  \
  "+0 accept(3, ..., ...) = 4\n"

static void test_script_run_ipv6_passive_open_and_close(void **state) {
  (void)state;
  expect(IPV6_PASSIVE_OPEN
         "+0 < P. 1:101(100) ack 1 win 65535\n"
         "+0 > (hlim 64, class 0x0) . 1:1(0) ack 101\n"
         "+0 read(4, ..., 1000) = 100\n"
         "+0 `sockstat -6 -s -P tcp -p 8080 | grep -c '2001:db8::1:8080 *2001:db8::2:40000 *ESTABLISHED'`\n"
         "+0 `sockstat -4 -s -P tcp -p 8080 | grep -c ESTABLISHED | grep -qx 0`\n"
         "+0 `ss -tan state established | grep -c '\\[2001:db8::2\\]:40000'`\n"
         "+0 close(4) = 0\n"
         "+0 > F. 1:1(0) ack 101\n"
         "+0.1 < F. 101:101(0) ack 2 win 65535\n"
         "+0 > . 2:2(0) ack 102\n"
         "+0 %{ assert tcpi_state == TCP_TIME_WAIT }%\n",
         SCRIPT_PASS, 0, NULL);
  /* The IPv6 header's fields are checked: hop limit and traffic class. */
  expect(IPV6_PASSIVE_OPEN "+0 < P. 1:101(100) ack 1 win 65535\n+0 > (hlim 63) . 1:1(0) ack 101\n",
         SCRIPT_FAIL, 10, "outbound packet differs in hop limit");
  expect(IPV6_PASSIVE_OPEN "+0 < P. 1:101(100) ack 1 win 65535\n+0 > (class 0x20) . 1:1(0) ack 101\n",
         SCRIPT_FAIL, 10, "outbound packet differs in traffic class");
  /* The IPv4 script's MSS over IPv6 is 20 bytes too large. */
  expect("--ip_version=ipv6\n" PASSIVE_OPEN, SCRIPT_FAIL, 6, "outbound packet differs in options");
}

/* An AF_INET6 socket, a sockaddr_in6 and IPV6_V6ONLY. In an IPv4 script the stack has no IPv6
 * address, so the connect fails as a kernel's would. */
static void test_script_run_ipv6_sockaddr_in6(void **state) {
  (void)state;
  expect("--ip_version=ipv6\n"
         "0 socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP) = 3\n"
         "+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n"
         "+0 setsockopt(3, IPPROTO_IPV6, IPV6_V6ONLY, [1], 4) = 0\n"
         "+0 connect(3, {sin6_family=AF_INET6, sin6_port=htons(8080), sin6_addr=inet6_addr(\"2001:db8::2\")}, 28) = -1 EINPROGRESS\n"
         "+0 > S 0:0(0) <mss 1440>\n"
         "+0.1 < S. 0:0(0) ack 1 win 65535 <mss 1440>\n"
         "+0 > . 1:1(0) ack 1\n"
         "+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0\n"
         "+0 getsockopt(3, IPPROTO_IPV6, IPV6_V6ONLY, [1], [4]) = 0\n",
         SCRIPT_PASS, 0, NULL);
  /* A listener on any address takes both families: FreeBSD's sockstat shows it as tcp46 under
   * -4 and -6, Linux's ss as *:8080. With IPV6_V6ONLY it is IPv6's alone, and the stack names
   * it by its one IPv6 address. */
  expect("--ip_version=ipv6\n"
         "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
         "+0 bind(3, {sin6_family=AF_INET6, sin6_port=htons(8080), sin6_addr=in6addr_any}, 28) = 0\n"
         "+0 listen(3, 1) = 0\n"
         "+0 `sockstat -6 -l -P tcp -p 8080 | grep -q 'tcp46 *\\*:8080 *\\*:\\*'`\n"
         "+0 `sockstat -4 -l -P tcp -p 8080 | grep -q 'tcp46 *\\*:8080 *\\*:\\*'`\n"
         "+0 `ss -tanl | grep -q ' \\*:8080 *\\*:\\*'`\n"
         "+0.1 < S 0:0(0) win 65535 <mss 1440>\n"
         "+0 > S. 0:0(0) ack 1 <mss 1440>\n",
         SCRIPT_PASS, 0, NULL);
  expect("--ip_version=ipv6\n"
         "0 socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP) = 3\n"
         "+0 setsockopt(3, IPPROTO_IPV6, IPV6_V6ONLY, [1], 4) = 0\n"
         "+0 bind(3, {sin6_family=AF_INET6, sin6_port=htons(8080), sin6_addr=in6addr_any}, 28) = 0\n"
         "+0 listen(3, 1) = 0\n"
         "+0 `sockstat -6 -l -P tcp -p 8080 | grep -q 'tcp6 *2001:db8::1:8080 *\\*:\\*'`\n"
         "+0 `sockstat -4 -l -P tcp -p 8080 | grep -c tcp | grep -qx 0`\n"
         "+0 `ss -tanl | grep -q '\\[2001:db8::1\\]:8080 *\\[::\\]:\\*'`\n",
         SCRIPT_PASS, 0, NULL);
  expect("0 socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP) = 3\n"
         "+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n"
         "+0 connect(3, {sin6_family=AF_INET6, sin6_port=htons(8080), sin6_addr=inet6_addr(\"2001:db8::2\")}, 28) = -1 EINPROGRESS\n",
         SCRIPT_FAIL, 3, "connect() returned -1");
  expect("--ip_version=ipv6\n0 socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP) = 3\n"
         "+0 connect(3, {sin6_port=htons(8080), sin6_addr=inet6_addr(\"192.0.2.1\")}, 28) = 0\n",
         SCRIPT_FAIL, 3, "not an IPv6 address: 192.0.2.1");
}

/* ICMPv6 (RFC 4443): packetdrill's names take their ICMPv6 values in an IPv6 script. */
static void test_script_run_ipv6_icmp_inbound(void **state) {
  (void)state;
  /* Packet too big for data in flight: sent again at 1280 - 60 bytes (RFC 8201). */
  expect(IPV6_PASSIVE_OPEN "+0 write(4, ..., 1440) = 1440\n"
                           "+0 > P. 1:1441(1440) ack 1\n"
                           "+0 < icmp packet_too_big mtu 1280 [1:1441(1440)]\n"
                           "+0 > . 1:1221(1220) ack 1\n"
                           "+0 > P. 1221:1441(220) ack 1\n",
         SCRIPT_PASS, 0, NULL);
  /* Port unreachable (ICMPv6 code 4, IPv4's 3) is a hard error for a connecting socket. */
  expect("--ip_version=ipv6\n"
         "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
         "+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n"
         "+0 connect(3, ..., ...) = -1 EINPROGRESS\n"
         "+0 > S 0:0(0) <mss 1440>\n"
         "+0 < icmp unreachable port_unreachable [0:0(0)]\n"
         "+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [ECONNREFUSED], [4]) = 0\n",
         SCRIPT_PASS, 0, NULL);
  expect(IPV6_PASSIVE_OPEN "+0 < icmp source_quench\n", SCRIPT_FAIL, 9,
         "this ICMP type or code has no ICMPv6 (RFC 4443) meaning");
  expect(PASSIVE_OPEN "+0 < icmp unreachable no_route\n", SCRIPT_FAIL, 8,
         "this ICMP type or code has no ICMPv4 (RFC 792) meaning");
}

static void test_script_run_report(void **state) {
  (void)state;
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  run(PASSIVE_OPEN);
  script_report(f, "a.pkt", &res);
  run(PASSIVE_OPEN "+0 < P. 1:101(100) ack 1 win 65535\n+0 > . 1:1(0) ack 100\n");
  script_report(f, "b.pkt", &res);
  run("--ip_version=ipv4-mapped-ipv6\n");
  script_report(f, "c.pkt", &res);
  fclose(f);
  const char *want =
      "PASS a.pkt\n"
      "FAIL b.pkt:9: outbound packet differs in ack\n"
      "  expected      0.200000  > . 1:1(0) ack 100\n"
      "  actual        0.200000  > . 1:1(0) ack 101 win 65435\n"
      "SKIP c.pkt:1: unsupported: --ip_version=ipv4-mapped-ipv6 (lucidtcp has no IPv4-mapped IPv6 "
      "addresses, RFC 4291 §2.5.5.2)\n";
  assert_string_equal(buf, want);
  free(buf);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_script_run_passive_open_and_close),
      cmocka_unit_test(test_script_run_active_open_blocking_connect),
      cmocka_unit_test(test_script_run_outbound_mismatch),
      cmocka_unit_test(test_script_run_timing),
      cmocka_unit_test(test_script_run_syscall_results),
      cmocka_unit_test(test_script_run_linger_abort),
      cmocka_unit_test(test_script_run_skips),
      cmocka_unit_test(test_script_run_syntax_error_fails),
      cmocka_unit_test(test_script_run_rst_to_closed_port),
      cmocka_unit_test(test_script_run_commands),
      cmocka_unit_test(test_script_run_assertions),
      cmocka_unit_test(test_script_run_assertion_overflow),
      cmocka_unit_test(test_script_run_defines),
      cmocka_unit_test(test_script_run_icmp_inbound),
      cmocka_unit_test(test_script_run_ipv6_passive_open_and_close),
      cmocka_unit_test(test_script_run_ipv6_sockaddr_in6),
      cmocka_unit_test(test_script_run_ipv6_icmp_inbound),
      cmocka_unit_test(test_script_run_report),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
