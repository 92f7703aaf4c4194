/* fuzz_http: the HTTP/1.1 text parsing of tools/rt, no sockets and no files.
 *
 * The request side is static in tools/rt/http.c (http_parse_request, http_path,
 * http_origin_form), so this file includes http.c itself and calls them as http_take_request
 * does: the head NUL-terminated, parsed; then the target resolved to a path under the root, the
 * Range header read against a few lengths, the log line escaped. The same bytes also go through
 * the client's response parser (http_parse_response, tools/rt/http_client.c). */
#include "rt/http.c" /* first: it defines _GNU_SOURCE before any system header */

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > HTTP_HEAD_MAX) return 0;
  static char head[HTTP_HEAD_MAX + 1];
  memcpy(head, data, size);
  head[size] = '\0';
  http_request r;
  if (http_parse_request(head, &r) == 0) {
    char buf[HTTP_PATH_MAX + 8], path[HTTP_PATH_MAX];
    const char *target = http_origin_form(r.target, buf, sizeof buf);
    (void)http_path(target, path, sizeof path);
    static const uint64_t lens[] = {0, 1, 1000, UINT64_MAX};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
      uint64_t first = 0, last = 0;
      if (http_range_parse(r.range, lens[i], &first, &last) == HTTP_RANGE_ONE &&
          (first > last || last >= lens[i]))
        __builtin_trap(); /* a range the server would serve must lie in the representation */
    }
    char method[4 * sizeof r.method], esc[4 * sizeof r.target];
    (void)http_log_escape(r.method, method, sizeof method);
    (void)http_log_escape(r.target, esc, sizeof esc);
  }
  http_response resp;
  (void)http_parse_response((const char *)data, size, &resp);
  return 0;
}
