/* The pcap writer: the global header and each record header, read back byte by byte. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "lucidtcp/pcap.h"

#define FILE_MAX (512 * 1024)

typedef struct fixture {
  char dir[64];
  char path[96];
  uint8_t *bytes; /* the file read back */
  size_t len;
} fixture;

static int fixture_setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  if (f == NULL) return -1;
  strcpy(f->dir, "/tmp/ltcp_pcap_XXXXXX");
  if (mkdtemp(f->dir) == NULL) return -1;
  snprintf(f->path, sizeof f->path, "%s/t.pcap", f->dir);
  *state = f;
  return 0;
}

static int fixture_teardown(void **state) {
  fixture *f = *state;
  unlink(f->path);
  rmdir(f->dir);
  free(f->bytes);
  free(f);
  return 0;
}

static void fixture_read(fixture *f) {
  FILE *in = fopen(f->path, "rb");
  assert_non_null(in);
  f->bytes = malloc(FILE_MAX);
  assert_non_null(f->bytes);
  f->len = fread(f->bytes, 1, FILE_MAX, in);
  assert_int_equal(fclose(in), 0);
}

static uint32_t get32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

static uint16_t get16(const uint8_t *p) {
  uint16_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

/* Checks a record header at off; returns the offset of the record's data. */
static size_t check_record(const fixture *f, size_t off, uint32_t sec, uint32_t nsec,
                           uint32_t caplen, uint32_t len) {
  assert_true(off + 16 <= f->len);
  assert_int_equal(get32(f->bytes + off), sec);
  assert_int_equal(get32(f->bytes + off + 4), nsec);
  assert_int_equal(get32(f->bytes + off + 8), caplen);
  assert_int_equal(get32(f->bytes + off + 12), len);
  return off + 16;
}

static void test_pcap_open_global_header(void **state) {
  fixture *f = *state;
  ltcp_pcap *p = ltcp_pcap_open(f->path);
  assert_non_null(p);
  assert_int_equal(ltcp_pcap_close(p), 0);
  fixture_read(f);
  assert_int_equal(f->len, 24);
  assert_int_equal(get32(f->bytes), 0xa1b23c4du); /* nanosecond stamps, host order */
  assert_int_equal(get16(f->bytes + 4), 2);
  assert_int_equal(get16(f->bytes + 6), 4);
  assert_int_equal(get32(f->bytes + 8), 0);
  assert_int_equal(get32(f->bytes + 12), 0);
  assert_int_equal(get32(f->bytes + 16), 262144);
  assert_int_equal(get32(f->bytes + 20), 101); /* LINKTYPE_RAW */
}

static void test_pcap_write_records(void **state) {
  fixture *f = *state;
  const uint8_t a[] = {0x45, 1, 2, 3, 4}, b[] = {0x45, 9, 8, 7, 6, 5, 4};
  ltcp_pcap *p = ltcp_pcap_open(f->path);
  assert_non_null(p);
  assert_int_equal(ltcp_pcap_write(p, 0, a, sizeof a), 0);
  assert_int_equal(ltcp_pcap_write(p, LTCP_SEC(1) + LTCP_MS(500) + 7, b, sizeof b), 0);
  assert_int_equal(ltcp_pcap_write(p, LTCP_SEC(4) + 999999999, a, sizeof a), 0);
  assert_int_equal(ltcp_pcap_close(p), 0);
  fixture_read(f);
  assert_int_equal(f->len, 24 + 3 * 16 + 2 * sizeof a + sizeof b);
  size_t off = check_record(f, 24, 0, 0, sizeof a, sizeof a);
  assert_memory_equal(f->bytes + off, a, sizeof a);
  off = check_record(f, off + sizeof a, 1, 500000007, sizeof b, sizeof b);
  assert_memory_equal(f->bytes + off, b, sizeof b);
  off = check_record(f, off + sizeof b, 4, 999999999, sizeof a, sizeof a);
  assert_memory_equal(f->bytes + off, a, sizeof a);
}

static void test_pcap_write_truncates_to_snaplen(void **state) {
  fixture *f = *state;
  size_t big = 300000;
  uint8_t *pkt = malloc(big);
  assert_non_null(pkt);
  for (size_t i = 0; i < big; i++) pkt[i] = (uint8_t)(i * 7);
  ltcp_pcap *p = ltcp_pcap_open(f->path);
  assert_non_null(p);
  assert_int_equal(ltcp_pcap_write(p, LTCP_MS(3), pkt, big), 0);
  assert_int_equal(ltcp_pcap_close(p), 0);
  fixture_read(f);
  assert_int_equal(f->len, 24 + 16 + 262144);
  size_t off = check_record(f, 24, 0, 3000000, 262144, 300000);
  assert_memory_equal(f->bytes + off, pkt, 262144);
  free(pkt);
}

static void test_pcap_sim_tap_records_sent_only(void **state) {
  fixture *f = *state;
  const uint8_t pkt[] = {0x45, 0, 0, 20};
  ltcp_pcap *p = ltcp_pcap_open(f->path);
  assert_non_null(p);
  for (int fate = LTCP_SIM_SENT; fate <= LTCP_SIM_UNROUTABLE; fate++) {
    ltcp_pcap_sim_tap(p, LTCP_US(fate + 1), 0, 1, (ltcp_sim_fate)fate, pkt, sizeof pkt);
  }
  assert_int_equal(ltcp_pcap_close(p), 0);
  fixture_read(f);
  assert_int_equal(f->len, 24 + 16 + sizeof pkt);
  size_t off = check_record(f, 24, 0, 1000, sizeof pkt, sizeof pkt);
  assert_memory_equal(f->bytes + off, pkt, sizeof pkt);
}

static void test_pcap_open_missing_dir_sets_errno(void **state) {
  fixture *f = *state;
  char path[128];
  snprintf(path, sizeof path, "%s/no/such/dir.pcap", f->dir);
  errno = 0;
  assert_null(ltcp_pcap_open(path));
  assert_int_equal(errno, ENOENT);
  assert_int_equal(ltcp_pcap_close(NULL), 0);
}

static void test_pcap_write_bad_arguments(void **state) {
  fixture *f = *state;
  ltcp_pcap *p = ltcp_pcap_open(f->path);
  assert_non_null(p);
  assert_int_equal(ltcp_pcap_write(NULL, 0, (const uint8_t *)"x", 1), LTCP_EINVAL);
  assert_int_equal(ltcp_pcap_write(p, 0, NULL, 1), LTCP_EINVAL);
  assert_int_equal(ltcp_pcap_close(p), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_pcap_open_global_header, fixture_setup,
                                      fixture_teardown),
      cmocka_unit_test_setup_teardown(test_pcap_write_records, fixture_setup, fixture_teardown),
      cmocka_unit_test_setup_teardown(test_pcap_write_truncates_to_snaplen, fixture_setup,
                                      fixture_teardown),
      cmocka_unit_test_setup_teardown(test_pcap_sim_tap_records_sent_only, fixture_setup,
                                      fixture_teardown),
      cmocka_unit_test_setup_teardown(test_pcap_open_missing_dir_sets_errno, fixture_setup,
                                      fixture_teardown),
      cmocka_unit_test_setup_teardown(test_pcap_write_bad_arguments, fixture_setup,
                                      fixture_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
