/* A capture's state transitions for lucidtcp diagram: one pass, as analyze makes it, with each
 * connection's two inferred timelines counted when the connection is done. */
#include <stdio.h>
#include <string.h>

#include "analyze/analyze.h"
#include "analyze/capture.h"
#include "analyze/decode.h"
#include "analyze/track.h"

/* "rcvd F." for a segment that reached the end; "CLOSE (snd F.)" for a call its own segment
 * showed; "timeout" for TIME-WAIT's end. */
static void an_change_cause(const an_change *ch, char *buf, size_t cap) {
  char flags[12];
  ltcp_flags_format(ch->flags, flags);
  if (ch->why == LTCP_STIM_TIMEOUT) snprintf(buf, cap, "timeout");
  else if (ch->sent) snprintf(buf, cap, "%s (snd %s)", ltcp_stimulus_name(ch->why), flags);
  else snprintf(buf, cap, "rcvd %s", flags);
}

static void an_transitions_done(void *ctx, const an_conn *c) {
  diag_counts *d = ctx;
  char cause[DIAG_CAUSE_LEN];
  for (int s = 0; s < 2; s++) {
    const an_side *side = &c->side[s];
    for (uint32_t k = 0; k < side->timeline_count && k < AN_TIMELINE_MAX; k++) {
      an_change_cause(&side->timeline[k], cause, sizeof cause);
      diag_count(d, side->timeline[k].from, side->timeline[k].to, cause);
    }
    if (side->known && side->state != LTCP_CLOSED) diag_count_left(d, side->state);
  }
}

int analyze_transitions(const char *path, diag_counts *d, char *err, size_t cap) {
  an_capture *cap_ = an_capture_open(path, NULL, 0, NULL, err, cap);
  if (!cap_) return -1;
  int lt = an_capture_linktype(cap_);
  if (!an_linktype_known(lt)) {
    snprintf(err, cap, "%s: link type %d is not one analyze reads", path, lt);
    an_capture_close(cap_);
    return -1;
  }
  an_track_config cfg = {.max_conns = 262144, .time_wait_ns = LTCP_SEC(60),
                         .stuck_ns = LTCP_SEC(1)};
  an_track_hooks hooks = {.conn_done = an_transitions_done, .ctx = d};
  an_track *t = an_track_new(&cfg, &hooks);
  if (!t) {
    an_capture_close(cap_);
    return snprintf(err, cap, "out of memory"), -1;
  }
  uint64_t frame = 0;
  const uint8_t *data;
  size_t caplen;
  ltcp_time_ns time;
  int rc;
  while ((rc = an_capture_next(cap_, &frame, &data, &caplen, &time, err, cap)) == 1) {
    an_packet p;
    if (an_decode(lt, data, caplen, &p) == AN_DEC_OK) an_track_packet(t, frame, time, &p);
  }
  if (rc < 0) fprintf(stderr, "lucidtcp diagram: %s: %s after frame %llu; the rest is skipped\n",
                      path, err, (unsigned long long)frame);
  an_track_finish(t);
  an_track_free(t);
  an_capture_close(cap_);
  return 0;
}
