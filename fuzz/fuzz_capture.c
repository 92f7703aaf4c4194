/* fuzz_capture: lucidtcp analyze's capture reader (issue 14's fuzz target 5). The input is a
 * capture file (pcap or pcapng, maybe gzip'd) read from memory through libpcap; every frame is
 * decoded (tools/analyze/decode.c) and fed to a small connection table and the observer
 * (track.c), so hostile files exercise the whole path: bad magic, huge snap lengths, truncated
 * records, link types, IP and TCP headers, and the state inference. The same bytes also go
 * straight to the decoder under each link type it reads. */
#include <stdlib.h>
#include <string.h>

#include "analyze/capture.h"
#include "analyze/decode.h"
#include "analyze/track.h"
#include "fuzz.h"

static void fuzz_conn_done(void *ctx, const an_conn *c) {
  an_vantage v;
  an_vantage_infer(c, &v);
  *(uint64_t *)ctx += c->packets + (uint64_t)v.near;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const int linktypes[] = {0, 1, 12, 101, 108, 113, 228, 229, 276};
  for (size_t i = 0; i < sizeof linktypes / sizeof linktypes[0]; i++) {
    an_packet p;
    (void)an_decode(linktypes[i], data, size, &p);
  }
  char err[256];
  an_capture *cap = an_capture_open(NULL, data, size, size & 1 ? "tcp" : NULL, err, sizeof err);
  if (!cap) return 0;
  uint64_t sum = 0;
  an_track_config cfg = {.max_conns = 8, .time_wait_ns = LTCP_SEC(60), .stuck_ns = LTCP_MS(1)};
  an_track_hooks hooks = {.conn_done = fuzz_conn_done, .ctx = &sum};
  an_track *t = an_track_new(&cfg, &hooks);
  if (!t) abort();
  int lt = an_capture_linktype(cap);
  uint64_t frame;
  const uint8_t *d;
  size_t caplen;
  ltcp_time_ns time;
  for (int n = 0; n < 100000 && an_capture_next(cap, &frame, &d, &caplen, &time, err, sizeof err) == 1; n++) {
    an_packet p;
    if (an_decode(lt, d, caplen, &p) == AN_DEC_OK) an_track_packet(t, frame, time, &p);
  }
  an_track_finish(t);
  an_track_free(t);
  an_capture_close(cap);
  return 0;
}
