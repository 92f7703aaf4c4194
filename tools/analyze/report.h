/* lucidtcp analyze: the report, as text (a block per connection, coloured on a terminal) or
 * JSON Lines (docs/analyze.md), and one connection drawn as the demo's ladder (--conn N). */
#ifndef LTCP_TOOLS_ANALYZE_REPORT_H
#define LTCP_TOOLS_ANALYZE_REPORT_H

#include <stdio.h>

#include "analyze/track.h"
#include "demo/demo.h"

typedef struct an_report {
  FILE *out;
  int json, color;
  uint64_t only_conn;       /* --conn N: only this connection, drawn; 0 all */
  ltcp_time_ns t0;          /* the capture's first packet: times are relative to it */
  int have_t0;
  uint64_t conns_shown, findings[AN_LEVELS];
  demo_ladder ladder;
  demo_sink sink;
  int ladder_begun;
  demo_record pending;      /* the segment drawn after its sender's own state changes */
  int has_pending;
} an_report;

void an_report_init(an_report *r, FILE *out, int json, int color, uint64_t only_conn);
/* The hooks for the tracker: conn_done prints a connection; packet and change draw --conn N. */
an_track_hooks an_report_hooks(an_report *r);
/* One sentence a person can act on. */
void an_finding_text(const an_conn *c, const an_finding *f, char *buf, size_t cap);

typedef struct an_totals {
  uint64_t frames, tcp, skipped[AN_DEC_RESULTS], files, read_errors;
  const an_track_stats *track;
} an_totals;
void an_report_summary(an_report *r, const an_totals *t);

#endif
