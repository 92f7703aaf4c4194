/* The real-time loop's device I/O (src/link/loop.c, src/link/uring.c): io_uring and read/write
 * move the same packets, and a kernel that refuses io_uring (seccomp here, as a container's
 * profile does) leaves the loop on read/write, saying why. A SOCK_SEQPACKET socket pair stands in
 * for the TUN device: each read and write is one packet, and no root is needed. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "link/uring.h"
#include "lucidtcp/loop.h"
#include "lucidtcp/lucidtcp.h"

#define SRV LTCP_IPV4(198, 18, 0, 2)
#define CLI LTCP_IPV4(198, 18, 0, 1)
#define TURNS_MAX 10000 /* bound on the loop's turns in a test */

#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#endif

typedef struct fixture {
  int fds[2]; /* [0]: the loop's "device", [1]: the test's end, the kernel's side */
  ltcp_tun tun;
  ltcp_stack *srv, *cli;
  ltcp_loop *loop;
} fixture;

static ltcp_stack *stack_on(uint32_t addr) {
  ltcp_stack_config cfg;
  ltcp_stack_config_default(&cfg);
  cfg.addr = addr;
  cfg.prefix_len = 24;
  cfg.seed = 1;
  return ltcp_stack_new(&cfg);
}

static void fixture_open(fixture *f) {
  memset(f, 0, sizeof *f);
  assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, f->fds), 0);
  f->tun.fd = f->fds[0];
  f->tun.mtu = 1500;
  snprintf(f->tun.name, sizeof f->tun.name, "pair");
  f->srv = stack_on(SRV);
  f->cli = stack_on(CLI);
  assert_non_null(f->srv);
  assert_non_null(f->cli);
}

static void fixture_close(fixture *f) {
  ltcp_loop_free(f->loop);
  ltcp_stack_free(f->srv);
  ltcp_stack_free(f->cli);
  close(f->fds[0]);
  close(f->fds[1]);
}

/* Stops the loop once it has written a packet; until then turns again at once (bounded). */
static void hook_step(void *ctx, ltcp_loop *loop) {
  (void)ctx;
  const ltcp_loop_stats *s = ltcp_loop_get_stats(loop);
  if (s->packets_out > 0 || s->turns > TURNS_MAX) ltcp_loop_stop(loop, s->packets_out ? 0 : 1);
  else ltcp_loop_wake_at(loop, ltcp_loop_now(loop));
}

static int loop_open(fixture *f, ltcp_loop_io io) {
  ltcp_loop_config lc = {.st = f->srv, .tun = &f->tun, .io = io,
                         .hooks = {.step = hook_step, .ctx = f}};
  int err = 0;
  f->loop = ltcp_loop_new(&lc, &err);
  return err;
}

/* The client's SYN into the device, the loop's answer out of it: a SYN-ACK the client takes. */
static void exchange_syn(fixture *f) {
  int lfd = ltcp_socket(f->srv), cfd = ltcp_socket(f->cli);
  ltcp_endpoint local = {SRV, 7}, remote = {SRV, 7};
  assert_int_equal(ltcp_bind(f->srv, lfd, &local), 0);
  assert_int_equal(ltcp_listen(f->srv, lfd, 4), 0);
  assert_int_equal(ltcp_connect(f->cli, cfd, &remote), -1); /* the socket API speaks errno */
  assert_int_equal(errno, EINPROGRESS);
  const uint8_t *pkt;
  size_t len = ltcp_stack_tx_peek(f->cli, &pkt);
  assert_true(len > 0);
  assert_int_equal(write(f->fds[1], pkt, len), (ssize_t)len);
  ltcp_stack_tx_pop(f->cli);
  assert_int_equal(ltcp_loop_run(f->loop), 0);
  uint8_t back[2048];
  ssize_t n = read(f->fds[1], back, sizeof back);
  assert_true(n >= 40);
  assert_int_equal(back[20 + 13], 0x12); /* RFC 9293 §3.1: SYN and ACK */
  ltcp_stack_input(f->cli, ltcp_loop_now(f->loop), back, (size_t)n);
  ltcp_tcp_info info;
  assert_int_equal(ltcp_status(f->cli, cfd, &info), 0);
  assert_int_equal(info.state, LTCP_ESTABLISHED);
  const ltcp_loop_stats *s = ltcp_loop_get_stats(f->loop);
  assert_int_equal(s->packets_in, 1);
  assert_int_equal(s->packets_out, 1);
  assert_true(s->io_syscalls > 0);
}

static void test_loop_io_readwrite_answers_a_syn(void **state) {
  (void)state;
  fixture f;
  fixture_open(&f);
  assert_int_equal(loop_open(&f, LTCP_LOOP_IO_READWRITE), 0);
  exchange_syn(&f);
  assert_int_equal(ltcp_loop_get_stats(f.loop)->io_uring, 0);
  assert_int_equal(ltcp_loop_get_stats(f.loop)->io_fallback_errno, 0);
  fixture_close(&f);
}

static void test_loop_io_uring_answers_a_syn(void **state) {
  (void)state;
  fixture f;
  fixture_open(&f);
  int err = loop_open(&f, LTCP_LOOP_IO_URING);
  if (err) {
    fixture_close(&f);
    skip(); /* built without liburing, or this kernel refuses io_uring: the fallback tests run */
  }
  exchange_syn(&f);
  assert_int_equal(ltcp_loop_get_stats(f.loop)->io_uring, 1);
  fixture_close(&f);
}

/* In a child: io_uring_setup(2) fails with errnum from now on, as under a seccomp profile. */
static void refuse_io_uring(int errnum) {
  struct sock_filter prog[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (uint32_t)(errnum & SECCOMP_RET_DATA)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog fprog = {.len = sizeof prog / sizeof prog[0], .filter = prog};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
      prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog) != 0)
    _exit(77);
}

/* The child's checks, as an exit status: 0 when all hold, else the number of the first that
 * failed (the parent names it). */
static int refused_child(int errnum) {
  refuse_io_uring(errnum);
#ifndef LTCP_HAVE_URING
  errnum = ENOSYS; /* built without liburing: refused as by a kernel without io_uring */
#endif
  int err = 0;
  ltcp_uring_config uc = {.fd = 0, .reads = 4, .read_size = 2048, .writes = 4, .write_size = 2048};
  if (ltcp_uring_new(&uc, &err) != NULL || err != -errnum) return 10;
  fixture f;
  fixture_open(&f);
  if (loop_open(&f, LTCP_LOOP_IO_URING) != -errnum || f.loop) return 11;
  if (loop_open(&f, LTCP_LOOP_IO_AUTO) != 0 || !f.loop) return 12;
  const ltcp_loop_stats *s = ltcp_loop_get_stats(f.loop);
  if (s->io_uring != 0 || s->io_fallback_errno != (uint64_t)errnum) return 13;
  exchange_syn(&f); /* read/write carries the packets */
  fixture_close(&f);
  return 0;
}

static void expect_fallback(int errnum) {
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) _exit(refused_child(errnum));
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  if (WEXITSTATUS(status) == 77) skip(); /* no seccomp filters in this kernel */
  assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_loop_io_auto_falls_back_when_seccomp_refuses_eperm(void **state) {
  (void)state;
  expect_fallback(EPERM);
}

static void test_loop_io_auto_falls_back_when_kernel_lacks_io_uring_enosys(void **state) {
  (void)state;
  expect_fallback(ENOSYS);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_loop_io_readwrite_answers_a_syn),
      cmocka_unit_test(test_loop_io_uring_answers_a_syn),
      cmocka_unit_test(test_loop_io_auto_falls_back_when_seccomp_refuses_eperm),
      cmocka_unit_test(test_loop_io_auto_falls_back_when_kernel_lacks_io_uring_enosys),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
