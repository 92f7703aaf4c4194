/* The real-time commands' text handling, unit by unit: http:// URLs and RFC 3986 §5.4's
 * reference resolution (get -L), the hosts file (LTCP_HOSTS_FILE), the Range header a server
 * reads (RFC 9110 §14), a response head's Location and Content-Range, the access log's escape,
 * and a request head's end and lines: CRLF or a bare LF, a bare CR refused (RFC 9112 §2.2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rt/hosts.h"
#include "rt/http.h"
#include "rt/url.h"

static void test_url_parse_parts(void **state) {
  (void)state;
  rt_url u;
  assert_int_equal(rt_url_parse("http://h.example/p/q?x=1#frag", &u), 0);
  assert_string_equal(u.host, "h.example");
  assert_int_equal(u.port, 80);
  assert_string_equal(u.path, "/p/q?x=1");
  assert_int_equal(rt_url_parse("HTTP://198.18.0.1:8080", &u), 0);
  assert_string_equal(u.host, "198.18.0.1");
  assert_int_equal(u.port, 8080);
  assert_string_equal(u.path, "/");
  assert_int_equal(rt_url_parse("http://h?q", &u), 0);
  assert_string_equal(u.path, "/?q");
  char buf[512];
  assert_string_equal(rt_url_format(&u, buf, sizeof buf), "http://h/?q");
  /* RFC 3986 §3.2.2: an IPv6 literal in brackets, which the Host header keeps */
  assert_int_equal(rt_url_parse("http://[2001:db8::1]:8080/x", &u), 0);
  assert_string_equal(u.host, "2001:db8::1");
  assert_int_equal(u.port, 8080);
  assert_string_equal(rt_url_authority(&u, buf, sizeof buf), "[2001:db8::1]:8080");
  assert_int_equal(rt_url_parse("http://[2001:db8::1]/", &u), 0);
  assert_string_equal(rt_url_format(&u, buf, sizeof buf), "http://[2001:db8::1]/");
}

static void test_url_parse_refuses(void **state) {
  (void)state;
  rt_url u;
  const char *bad[] = {"https://h/", "ftp://h/", "http://user@h/", "http://[::1/", "http://[198.18.0.1]/",
                       "http://h:0/", "http://h:99999/", "http:///p", "http://h:/", "h/p"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    assert_int_equal(rt_url_parse(bad[i], &u), -1);
}

/* RFC 3986 §5.4.1 and §5.4.2, with the base http://a/b/c/d;p?q. */
static void test_url_resolve_rfc3986_examples(void **state) {
  (void)state;
  static const struct {
    const char *ref, *want;
  } cases[] = {
      {"g", "http://a/b/c/g"},        {"./g", "http://a/b/c/g"},
      {"g/", "http://a/b/c/g/"},      {"/g", "http://a/g"},
      {"//g", "http://g/"},           {"?y", "http://a/b/c/d;p?y"},
      {"g?y", "http://a/b/c/g?y"},    {"#s", "http://a/b/c/d;p?q"},
      {"g#s", "http://a/b/c/g"},      {"g?y#s", "http://a/b/c/g?y"},
      {";x", "http://a/b/c/;x"},      {"g;x", "http://a/b/c/g;x"},
      {"", "http://a/b/c/d;p?q"},     {".", "http://a/b/c/"},
      {"./", "http://a/b/c/"},        {"..", "http://a/b/"},
      {"../", "http://a/b/"},         {"../g", "http://a/b/g"},
      {"../..", "http://a/"},         {"../../", "http://a/"},
      {"../../g", "http://a/g"},      {"../../../g", "http://a/g"},
      {"../../../../g", "http://a/g"}, {"/./g", "http://a/g"},
      {"/../g", "http://a/g"},        {"g.", "http://a/b/c/g."},
      {".g", "http://a/b/c/.g"},      {"g..", "http://a/b/c/g.."},
      {"..g", "http://a/b/c/..g"},    {"./../g", "http://a/b/g"},
      {"./g/.", "http://a/b/c/g/"},   {"g/./h", "http://a/b/c/g/h"},
      {"g/../h", "http://a/b/c/h"},   {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
      {"g;x=1/../y", "http://a/b/c/y"}, {"g?y/./x", "http://a/b/c/g?y/./x"},
      {"http://x:81/y/../z", "http://x:81/z"}, {"HTTP://x/", "http://x/"},
  };
  rt_url base, out;
  char buf[512];
  assert_int_equal(rt_url_parse("http://a/b/c/d;p?q", &base), 0);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    if (rt_url_resolve(&base, cases[i].ref, &out) != 0) fail_msg("'%s' refused", cases[i].ref);
    if (strcmp(rt_url_format(&out, buf, sizeof buf), cases[i].want) != 0)
      fail_msg("'%s' gave %s, want %s", cases[i].ref, buf, cases[i].want);
  }
  assert_int_equal(rt_url_resolve(&base, "https://a/x", &out), -1);
  assert_int_equal(rt_url_resolve(&base, "mailto:x@a", &out), -1);
}

static void test_url_authority_port(void **state) {
  (void)state;
  rt_url u;
  char buf[300];
  assert_int_equal(rt_url_parse("http://h:8000/x", &u), 0);
  assert_string_equal(rt_url_authority(&u, buf, sizeof buf), "h:8000");
  assert_int_equal(rt_url_parse("http://h:80/x", &u), 0);
  assert_string_equal(rt_url_authority(&u, buf, sizeof buf), "h");
}

/* ---- the hosts file */

static char hosts_path[64];

static int hosts_setup(void **state) {
  (void)state;
  snprintf(hosts_path, sizeof hosts_path, "/tmp/lucidtcp-hosts-XXXXXX");
  int fd = mkstemp(hosts_path);
  if (fd < 0) return -1;
  FILE *f = fdopen(fd, "w");
  fputs("# hosts\n127.0.0.1\tlocalhost\n::1 six\n198.18.0.1  kpeer  Peer.Alias   # comment\n"
        "#198.18.0.7 commented\n198.18.0.5 twice\n198.18.0.6 twice\n", f);
  fputs("198.18.0.8 long", f); /* a line longer than the reader's buffer: its tail is not a line */
  for (int i = 0; i < 1100; i++) fputc(' ', f);
  fputs("198.18.0.9 tail\n", f);
  fclose(f);
  setenv(RT_HOSTS_ENV, hosts_path, 1);
  return 0;
}

static int hosts_teardown(void **state) {
  (void)state;
  unlink(hosts_path);
  unsetenv(RT_HOSTS_ENV);
  return 0;
}

static void test_hosts_resolve_names_and_aliases(void **state) {
  (void)state;
  ltcp_endpoint e = {0};
  char why[512];
  assert_string_equal(rt_hosts_path(), hosts_path);
  assert_int_equal(rt_hosts_resolve("kpeer", &e, why, sizeof why), 0);
  assert_int_equal(e.addr, LTCP_IPV4(198, 18, 0, 1));
  assert_int_equal(rt_hosts_resolve("peer.alias", &e, why, sizeof why), 0); /* any case */
  assert_int_equal(e.addr, LTCP_IPV4(198, 18, 0, 1));
  assert_int_equal(rt_hosts_resolve("twice", &e, why, sizeof why), 0); /* the first line wins */
  assert_int_equal(e.addr, LTCP_IPV4(198, 18, 0, 5));
  assert_int_equal(rt_hosts_resolve("long", &e, why, sizeof why), 0);
  assert_int_equal(e.addr, LTCP_IPV4(198, 18, 0, 8));
  assert_int_equal(rt_hosts_resolve("198.18.0.42", &e, why, sizeof why), 0); /* an address */
  assert_int_equal(e.addr, LTCP_IPV4(198, 18, 0, 42));
  assert_int_equal(e.family, LTCP_AF_INET);
  assert_int_equal(rt_hosts_resolve("2001:db8::7", &e, why, sizeof why), 0); /* IPv6 */
  assert_int_equal(e.family, LTCP_AF_INET6);
  assert_int_equal(e.addr6[15], 7);
}

static void test_hosts_resolve_fails_with_why(void **state) {
  (void)state;
  ltcp_endpoint a = {0};
  char why[512], want[512];
  const char *missing[] = {"six", "commented", "tail", "nosuch"};
  for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++) {
    assert_int_equal(rt_hosts_resolve(missing[i], &a, why, sizeof why), -1);
    snprintf(want, sizeof want, "cannot resolve '%s': not an IPv4 address and not in %s "
             "(lucidtcp has no DNS; LTCP_HOSTS_FILE names another hosts file)", missing[i],
             hosts_path);
    assert_string_equal(why, want);
  }
  setenv(RT_HOSTS_ENV, "/nonexistent/hosts", 1);
  assert_int_equal(rt_hosts_resolve("kpeer", &a, why, sizeof why), -1);
  assert_string_equal(why, "cannot resolve 'kpeer': cannot read /nonexistent/hosts: No such "
                           "file or directory");
  setenv(RT_HOSTS_ENV, "", 1);
  assert_string_equal(rt_hosts_path(), "/etc/hosts");
  setenv(RT_HOSTS_ENV, hosts_path, 1);
}

/* ---- ranges, heads, the log */

static void test_http_range_parse_forms(void **state) {
  (void)state;
  static const struct {
    const char *v;
    uint64_t len;
    http_range_kind kind;
    uint64_t first, last;
  } cases[] = {
      {"bytes=0-99", 1000, HTTP_RANGE_ONE, 0, 99},
      {"bytes=100-", 1000, HTTP_RANGE_ONE, 100, 999},
      {"bytes=-100", 1000, HTTP_RANGE_ONE, 900, 999},
      {"bytes=-5000", 1000, HTTP_RANGE_ONE, 0, 999},     /* more than there is: all of it */
      {"bytes=990-5000", 1000, HTTP_RANGE_ONE, 990, 999}, /* cut at the end */
      {"BYTES = 5-5 ", 1000, HTTP_RANGE_ONE, 5, 5},
      {"bytes=999-", 1000, HTTP_RANGE_ONE, 999, 999},
      {"bytes=1000-", 1000, HTTP_RANGE_UNSATISFIABLE, 0, 0},
      {"bytes=2000-3000", 1000, HTTP_RANGE_UNSATISFIABLE, 0, 0},
      {"bytes=-0", 1000, HTTP_RANGE_UNSATISFIABLE, 0, 0},
      {"bytes=99999999999999999999999-", 1000, HTTP_RANGE_UNSATISFIABLE, 0, 0},
      {"bytes=0-1,5-6", 1000, HTTP_RANGE_WHOLE, 0, 0}, /* several: the whole */
      {"bytes=5-1", 1000, HTTP_RANGE_WHOLE, 0, 0},     /* invalid: ignored */
      {"bytes=-", 1000, HTTP_RANGE_WHOLE, 0, 0},
      {"bytes=x-1", 1000, HTTP_RANGE_WHOLE, 0, 0},
      {"bytes=1-2x", 1000, HTTP_RANGE_WHOLE, 0, 0},
      {"bytes 0-1", 1000, HTTP_RANGE_WHOLE, 0, 0},
      {"items=0-1", 1000, HTTP_RANGE_WHOLE, 0, 0},     /* another unit */
      {"bytes=0-", 0, HTTP_RANGE_WHOLE, 0, 0},         /* nothing to cut */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    uint64_t f = 0, l = 0;
    http_range_kind k = http_range_parse(cases[i].v, cases[i].len, &f, &l);
    if (k != cases[i].kind) fail_msg("'%s': kind %d, want %d", cases[i].v, k, cases[i].kind);
    if (k == HTTP_RANGE_ONE && (f != cases[i].first || l != cases[i].last))
      fail_msg("'%s': %llu-%llu", cases[i].v, (unsigned long long)f, (unsigned long long)l);
  }
}

static void test_http_log_escape_odd_bytes(void **state) {
  (void)state;
  char buf[64];
  assert_string_equal(http_log_escape("/a\x01\"b\\c\x7f\xff d", buf, sizeof buf),
                      "/a\\x01\\x22b\\x5Cc\\x7F\\xFF d");
  assert_string_equal(http_log_escape("\x01\x01\x01\x01", buf, 12), "\\x01\\x01"); /* cut */
}

static void test_http_parse_response_location_and_range(void **state) {
  (void)state;
  http_response r;
  const char *h = "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 100-199/1000\r\n"
                  "Content-Length: 100\r\nLocation: /next?x=1  \r\n\r\n";
  assert_int_equal(http_parse_response(h, strlen(h), &r), 1);
  assert_int_equal(r.status, 206);
  assert_true(r.has_range);
  assert_int_equal(r.range_first, 100);
  assert_int_equal(r.range_last, 199);
  assert_int_equal(r.range_total, 1000);
  assert_string_equal(r.location, "/next?x=1");
  h = "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */1000\r\n\r\n";
  assert_int_equal(http_parse_response(h, strlen(h), &r), 1);
  assert_true(r.has_range);
  assert_int_equal(r.range_first, -1);
  assert_int_equal(r.range_total, 1000);
  h = "HTTP/1.1 200 OK\r\nContent-Range: bytes 5-1/10\r\n\r\n"; /* malformed: not a range */
  assert_int_equal(http_parse_response(h, strlen(h), &r), 1);
  assert_false(r.has_range);
}

/* RFC 9112 §2.2: a recipient MAY take a bare LF as a line's end and ignore a CR before it; a
 * server SHOULD ignore at least one empty line before the request line. */
static void test_http_head_end_crlf_or_bare_lf(void **state) {
  (void)state;
  static const struct {
    const char *head;
    long want;
    size_t skip;
  } cases[] = {
      {"GET / HTTP/1.1\r\nHost: h\r\n\r\n", 27, 0},
      {"GET / HTTP/1.1\nHost: h\n\n", 24, 0},         /* LF only */
      {"GET / HTTP/1.1\r\nHost: h\n\r\n", 26, 0},    /* mixed */
      {"GET / HTTP/1.1\nHost: h\r\n\n", 25, 0},
      {"GET / HTTP/1.1\n\nGET /next", 16, 0},        /* pipelined: the first head only */
      {"\r\n\nGET / HTTP/1.1\n\n", 16, 3},           /* empty lines before: skipped */
      {"GET / HTTP/1.1\r\nHost: h\r\n", 0, 0},      /* not complete */
      {"GET / HTTP/1.1\r\nHost: h\r\n\r", 0, 0},    /* its LF may still come */
      {"GET / HTTP/1.1\r", 0, 0},
      {"", 0, 0},
      {"GET / HTTP/1.1\rHost: h\r\n\r\n", -1, 0},   /* a bare CR ends no line: 400 */
      {"GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n", -1, 0},
      {"GET / HTTP/1.1\r\r\n\r\n", -1, 0},
      {"GET / HTTP/1.1\r\n\r\r\n", -1, 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    size_t skip = 99;
    long got = http_head_end(cases[i].head, strlen(cases[i].head), &skip);
    if (got != cases[i].want || (got > 0 && skip != cases[i].skip))
      fail_msg("case %zu: got %ld (skip %zu), want %ld (skip %zu)", i, got, skip, cases[i].want,
               cases[i].skip);
  }
}

static void test_http_parse_request_lf_only_lines(void **state) {
  (void)state;
  http_request r;
  char h1[] = "GET /a.txt HTTP/1.1\nHost: h\nConnection: close\nRange: bytes=0-9\n\n";
  assert_int_equal(http_parse_request(h1, &r), 0);
  assert_string_equal(r.method, "GET");
  assert_string_equal(r.target, "/a.txt");
  assert_int_equal(r.minor, 1);
  assert_true(r.conn_close);
  assert_string_equal(r.range, "bytes=0-9");
  char h2[] = "HEAD / HTTP/1.0\r\nConnection: keep-alive\n\r\n"; /* mixed */
  assert_int_equal(http_parse_request(h2, &r), 0);
  assert_string_equal(r.method, "HEAD");
  assert_int_equal(r.minor, 0);
  assert_true(r.conn_keep);
  assert_false(r.conn_close);
  char h3[] = "GET / HTTP/1.1\r\nHost: h\rConnection: close\r\n\r\n"; /* a bare CR */
  assert_int_equal(http_parse_request(h3, &r), -1);
  char h4[] = "GET / HTTP/2.0\n\n";
  assert_int_equal(http_parse_request(h4, &r), -2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_url_parse_parts),
      cmocka_unit_test(test_url_parse_refuses),
      cmocka_unit_test(test_url_resolve_rfc3986_examples),
      cmocka_unit_test(test_url_authority_port),
      cmocka_unit_test_setup_teardown(test_hosts_resolve_names_and_aliases, hosts_setup,
                                      hosts_teardown),
      cmocka_unit_test_setup_teardown(test_hosts_resolve_fails_with_why, hosts_setup,
                                      hosts_teardown),
      cmocka_unit_test(test_http_range_parse_forms),
      cmocka_unit_test(test_http_log_escape_odd_bytes),
      cmocka_unit_test(test_http_parse_response_location_and_range),
      cmocka_unit_test(test_http_head_end_crlf_or_bare_lf),
      cmocka_unit_test(test_http_parse_request_lf_only_lines),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
