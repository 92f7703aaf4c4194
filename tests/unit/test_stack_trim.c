/* ltcp_stack_trim (lucidtcp/stack.h): after a burst, the TCBs, busy parts and buffers' first
 * allocations the stack pooled for the next one go back to the allocator; the stack goes on
 * working. */
#define _GNU_SOURCE
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lucidtcp/lucidtcp.h"
#include "support/stack_pair.h"

#define CLI LTCP_IPV4(198, 18, 0, 1)
#define SRV LTCP_IPV4(198, 18, 0, 2)
#define BURST 64

/* Bytes allocated now: from ASan's allocator when it replaces malloc (the test build), else
 * from glibc's. */
#if defined(__SANITIZE_ADDRESS__)
size_t __sanitizer_get_current_allocated_bytes(void); /* libasan's allocator interface */
static size_t heap_in_use(void) { return __sanitizer_get_current_allocated_bytes(); }
#else
static size_t heap_in_use(void) {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}
#endif

static void test_trim_gives_back_the_pools_of_a_burst_and_the_stack_goes_on(void **state) {
  (void)state;
  ltcp_stack *cli = sp_stack(CLI, 256, 0), *srv = sp_stack(SRV, 256, 0);
  ltcp_time_ns now = LTCP_SEC(1);
  int lfd = sp_listen(srv, 80, BURST);
  int cfd[BURST], sfd[BURST];
  for (int i = 0; i < BURST; i++) cfd[i] = sp_connect(cli, SRV, 80);
  sp_pump(cli, srv, now);
  for (int i = 0; i < BURST; i++) assert_true((sfd[i] = ltcp_accept(srv, lfd, NULL)) >= 0);
  /* A byte each way: each client's send buffer and each server's receive buffer take their
   * first allocation (LTCP_MEM_RING_FIRST, 256 bytes). */
  for (int i = 0; i < BURST; i++) assert_int_equal(ltcp_send(cli, cfd[i], "q", 1, 0), 1);
  sp_pump(cli, srv, now);
  /* The burst ends: every connection reset, its TCB, busy part and buffers pooled on both
   * sides. */
  for (int i = 0; i < BURST; i++) ltcp_abort(cli, cfd[i]);
  sp_pump(cli, srv, now);
  for (int i = 0; i < BURST; i++) ltcp_close(srv, sfd[i]);
  assert_int_equal(ltcp_stack_count_state(cli, LTCP_ESTABLISHED), 0);
  assert_int_equal(ltcp_stack_count_state(srv, LTCP_ESTABLISHED), 0);
  size_t before = heap_in_use();
  ltcp_stack_trim(cli);
  ltcp_stack_trim(srv);
  size_t after = heap_in_use();
  /* At least a TCB (248 bytes) and a first buffer (256 bytes) per connection and side went
   * back. */
  assert_true(before > after);
  assert_true(before - after >= 2u * BURST * (248u + 256u));
  ltcp_stack_trim(cli); /* trimming an empty pool is harmless */

  /* The stack works as before: a new connection carries a byte. */
  int c = sp_connect(cli, SRV, 80);
  sp_pump(cli, srv, now);
  int s = ltcp_accept(srv, lfd, NULL);
  assert_true(s >= 0);
  assert_int_equal(ltcp_send(cli, c, "x", 1, 0), 1);
  sp_pump(cli, srv, now);
  char got = 0;
  assert_int_equal(ltcp_recv(srv, s, &got, 1, 0), 1);
  assert_int_equal(got, 'x');
  ltcp_stack_free(cli);
  ltcp_stack_free(srv);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_trim_gives_back_the_pools_of_a_burst_and_the_stack_goes_on),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
