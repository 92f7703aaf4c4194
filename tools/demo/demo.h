/* lucidtcp demo: two stacks on the simulated network run a scenario; every segment and every
 * state change of both ends is reported, in order, to a sink (the ladder, JSON, or a test). */
#ifndef LTCP_TOOLS_DEMO_H
#define LTCP_TOOLS_DEMO_H

#include <stdio.h>

#include "lucidtcp/lucidtcp.h"
#include "lucidtcp/sim.h"

typedef enum demo_side { DEMO_CLIENT = 0, DEMO_SERVER = 1 } demo_side;

typedef struct demo_scenario {
  const char *name;
  const char *summary;
} demo_scenario;

/* The scenarios, in --list order; *count receives how many. */
const demo_scenario *demo_scenarios(size_t *count);
const demo_scenario *demo_find(const char *name);

typedef struct demo_options {
  const char *scenario;     /* default "handshake" */
  double loss;              /* random loss each way, 0..1 */
  uint64_t seed;            /* seeds the network and both stacks */
  ltcp_time_ns latency_ns;  /* one-way delay; default 10 ms */
  ltcp_time_ns msl_ns;      /* default 30 s: TIME-WAIT lasts 60 s of virtual time */
  const char *pcap_path;    /* NULL: no capture */
  int ipv6;                 /* the scenario over IPv6: 2001:db8::1 and 2001:db8::2 */
} demo_options;

void demo_options_default(demo_options *o);

typedef enum demo_record_kind {
  DEMO_REC_STATE,   /* a connection changed state: ev */
  DEMO_REC_SEGMENT, /* a segment left one side: seg, fate */
  DEMO_REC_NOTE,    /* what the application did or saw: note */
  DEMO_REC_DROP     /* a stack dropped a segment it received: ev.drop */
} demo_record_kind;

typedef struct demo_record {
  demo_record_kind kind;
  demo_side side;           /* who changed state, sent the segment, or acted */
  ltcp_time_ns time;
  ltcp_event ev;            /* DEMO_REC_STATE, DEMO_REC_DROP */
  ltcp_seg_summary seg;     /* DEMO_REC_SEGMENT (absolute numbers) */
  uint16_t mss;             /* MSS option of the segment, 0 if none */
  int8_t wscale;            /* window scale option, -1 if none */
  uint8_t sack_ok, ts;      /* SACK-permitted and timestamp options present */
  ltcp_sim_fate fate;       /* DEMO_REC_SEGMENT: LTCP_SIM_DELIVERED, LOST, ... */
  uint32_t rel_seq, rel_ack;/* relative to the sender's ISS and the receiver's ISS */
  const char *note;         /* DEMO_REC_NOTE */
} demo_record;

typedef struct demo_sink {
  void (*begin)(void *ctx, const demo_options *o, const demo_scenario *sc,
                ltcp_endpoint client, ltcp_endpoint server);
  void (*record)(void *ctx, const demo_record *r);
  void (*end)(void *ctx, int status, const char *message);
  void *ctx;
} demo_sink;

/* Runs a scenario to its end (both sides CLOSED, or a virtual-time bound). Returns 0, or -1 with
 * a message passed to sink->end (unknown scenario, pcap file not writable, bound exceeded). */
int demo_run(const demo_options *o, const demo_sink *sink);

/* One event in the words the ladder and every --trace use: "SYN-SENT -> ESTABLISHED  (rcvd S.)"
 * for a state change (with the error, if any), "rcvd F.: <why>" for a drop. */
void demo_event_text(const ltcp_event *ev, char *buf, size_t cap);

/* Renderers: a ladder diagram (client left, server right) or JSON Lines. */
typedef struct demo_ladder {
  FILE *out;
  int color;
  int absolute;             /* raw sequence numbers instead of relative ones */
  int width;                /* the width to fit, in characters (0: DEMO_WIDTH_DEFAULT) */
  int side_w, mid_w, right_w; /* the columns, set from width at the first line (zeroed first) */
} demo_ladder;

/* --width's bounds, and the width when neither a terminal nor COLUMNS tells one. */
#define DEMO_WIDTH_MIN 60
#define DEMO_WIDTH_MAX 1000
#define DEMO_WIDTH_DEFAULT 100
/* The width a ladder on fd should fit: the terminal's (TIOCGWINSZ) when fd is one, else
 * $COLUMNS, else DEMO_WIDTH_DEFAULT; held to DEMO_WIDTH_MIN..DEMO_WIDTH_MAX. */
int demo_terminal_width(int fd);
demo_sink demo_ladder_sink(demo_ladder *l);
/* The ladder's column heads: left over the client's column (left2 under it), right over the
 * server's (the demo's begin, and lucidtcp analyze --conn, which draws captured connections). */
void demo_ladder_header(demo_ladder *l, const char *left, const char *left2, const char *right);
demo_sink demo_json_sink(FILE *out);
/* s as a JSON string, quotes included. */
void demo_json_string(FILE *out, const char *s);

#endif
