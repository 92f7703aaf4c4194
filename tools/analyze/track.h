/* lucidtcp analyze: the connection table and the observer. Each TCP packet updates its
 * connection's statistics and the inferred RFC 9293 state of both ends, driven through the
 * state table the engine itself is checked against (ltcp_state_next); problems become
 * findings. A finished connection is handed to the report as soon as it can no longer change
 * (its TIME-WAIT over, by capture time) and freed: memory follows the live connections. */
#ifndef LTCP_TOOLS_ANALYZE_TRACK_H
#define LTCP_TOOLS_ANALYZE_TRACK_H

#include <stdint.h>

#include "analyze/decode.h"
#include "lucidtcp/common.h"

#define AN_TIMELINE_MAX 16 /* state changes kept per end; more are counted */
#define AN_FINDINGS_MAX 8  /* findings kept per connection; more are counted */

typedef enum an_level { AN_INFO, AN_WARNING, AN_ERROR, AN_LEVELS } an_level;
const char *an_level_name(an_level l);

typedef enum an_finding_kind {
  AN_F_CLOSE_WAIT,        /* an end stayed in CLOSE-WAIT: its application did not close */
  AN_F_FIN_WAIT_2,        /* an end lingered in FIN-WAIT-2: the peer never sent its FIN */
  AN_F_HALF_OPEN,         /* one end is gone (reset or silent), the other still open */
  AN_F_RESET,             /* a reset ended the connection */
  AN_F_SYN_UNANSWERED,    /* SYN never answered */
  AN_F_SYN_REFUSED,       /* SYN answered with RST: port closed */
  AN_F_SYN_ICMP,          /* SYN answered with an ICMP error */
  AN_F_RTO,               /* repeated retransmission timeouts of one segment */
  AN_F_ZERO_WINDOW,       /* a receiver's zero window stalled its peer */
  AN_F_OUT_OF_WINDOW,     /* segments beyond the receiver's window */
  AN_F_SIMULTANEOUS_OPEN,
  AN_F_SIMULTANEOUS_CLOSE,
  AN_F_TIME_WAIT_RST,     /* TIME-WAIT assassination (RFC 1337) */
  AN_F_SYN_IN_TIME_WAIT,  /* a new SYN for a 4-tuple one end still holds in TIME-WAIT */
  AN_F_OPEN_AT_END,       /* still open when the capture ends */
  AN_F_KINDS
} an_finding_kind;
const char *an_finding_name(an_finding_kind k); /* "close_wait", ... (the JSON "kind") */

typedef struct an_finding {
  an_finding_kind kind;
  an_level level;
  int side;                 /* 0 client, 1 server: the end it is about */
  ltcp_time_ns time;        /* when it began */
  ltcp_time_ns duration_ns; /* how long it lasted (0 if it is an instant) */
  uint64_t frames[3];       /* evidence, 0 = none */
  uint64_t n1, n2;          /* numbers the text needs (bytes, retries, ...) */
  ltcp_state state;         /* a state the text needs */
  char detail[64];          /* a few words more (RTO intervals, ICMP type) */
} an_finding;

/* A state change of one end: from -> to because of what it sent or received. */
typedef struct an_change {
  ltcp_time_ns time;
  uint64_t frame;
  ltcp_state from, to;
  ltcp_stimulus why;
  uint8_t flags;            /* of the segment (sent or received) */
  uint8_t sent;             /* 1: the end's own segment showed it (a call: OPEN, CLOSE, ABORT) */
} an_change;

typedef struct an_rtt {
  uint32_t count;
  ltcp_time_ns min, max, sum;
} an_rtt;

/* One end of a connection, as seen on the wire. */
typedef struct an_side {
  an_addr addr;
  uint16_t port;
  ltcp_state state;
  uint8_t known;            /* 0: nothing yet says what state it is in */
  uint8_t syn_seen, fin_seen, rst_seen, ws_seen, ts_seen, ack_seen;
  uint8_t syn_rcvd;         /* the peer's SYN has reached it */
  uint8_t wscale;
  uint8_t ttl_min, ttl_max;
  uint32_t iss, fin_seq, snd_max, last_ack, wnd_right;
  uint64_t segs, bytes, retx_segs, retx_bytes, max_wnd;
  ltcp_time_ns state_since, last_t;
  uint64_t state_frame;
  uint8_t zw_blocked;       /* the peer had data waiting when the zero window began */
  int8_t rtx_finding;       /* index of this end's RTO finding, -1 none */
  int8_t oow_finding;       /* index of the out-of-window finding about segments to it */
  /* one segment sent again and again: its number, how often, when */
  uint32_t rtx_seq;
  uint32_t rtx_count;        /* retransmissions of rtx_seq */
  ltcp_time_ns rtx_t[5];     /* its transmissions' times, the first one included when seen */
  uint32_t rtx_times;
  uint32_t new_seq;          /* the latest segment sent for the first time, and when */
  ltcp_time_ns new_t;
  uint64_t rtx_frame[2];
  uint8_t rtx_reported;
  /* a zero window this end advertises */
  ltcp_time_ns zw_since;     /* while zw_frame is set */
  uint64_t zw_frame, zw_probes;
  /* timestamp RTT: this end's latest TSval and when it was first seen */
  uint32_t ts_val;
  ltcp_time_ns ts_at;
  uint8_t ts_echoed, ts_valid;
  an_rtt rtt_ts;            /* from this end's segment to the peer's echo of it */
  /* the peer's FIN, seen but not yet shown to have reached this end (its ACK shows it) */
  uint8_t fin_pending, fin_pending_late, fin_pending_flags;
  uint32_t fin_pending_seq;
  uint64_t fin_pending_frame;
  ltcp_time_ns fin_pending_t;
  an_change timeline[AN_TIMELINE_MAX];
  uint32_t timeline_count, timeline_lost;
} an_side;

typedef struct an_conn an_conn;
struct an_conn {
  uint64_t id;              /* 1, 2, ... in order of first packet */
  an_side side[2];          /* [0] the client (sent the first SYN; or the guess when joined
                               midstream), [1] the server */
  uint8_t midstream;        /* the capture began after the handshake */
  uint8_t evicted;          /* reported early: the table was full */
  uint64_t first_frame, last_frame, packets;
  ltcp_time_ns first_t, last_t, done_t;
  ltcp_time_ns syn_t, synack_t, hs_ack_t; /* the handshake as seen (when its frame is set) */
  uint64_t synack_frame, hs_ack_frame;
  uint64_t syn_frame, syn_count;
  ltcp_time_ns syn_pending_t;  /* the SYN the server has not answered yet */
  uint64_t syn_pending_frame;
  ltcp_time_ns syn_rtx_t[4];   /* the first SYNs' times, for the backoff */
  uint64_t reset_frame;
  uint64_t oow_count;
  an_finding findings[AN_FINDINGS_MAX];
  uint32_t finding_count, findings_lost;
  /* the table's links */
  an_conn *hash_next;
  an_conn *prev, *next;     /* the live list (least recently active first) or the done list */
  uint8_t done;
};

/* Where a connection was captured, from TTLs or else the handshake's timing. */
typedef struct an_vantage {
  int near;                 /* 0 client, 1 server, -1 not known */
  const char *by;           /* "ttl", "timing", "none" */
  const char *confidence;   /* "high", "medium", "low" */
  int hops[2];              /* hops from each end to the capture point, -1 if unknown */
} an_vantage;
void an_vantage_infer(const an_conn *c, an_vantage *v);

typedef struct an_track_config {
  uint32_t max_conns;       /* the table's limit */
  ltcp_time_ns time_wait_ns;/* how long a TIME-WAIT end is remembered (2 MSL) */
  ltcp_time_ns stuck_ns;    /* CLOSE-WAIT, FIN-WAIT-2, zero window longer than this: a finding */
  uint64_t record_conn;     /* this connection's packets and changes go to the record hook */
} an_track_config;

/* What the tracker tells: a connection done with (retired or at the end), and, for
 * record_conn only, each packet and each state change in order. */
typedef struct an_track_hooks {
  void (*conn_done)(void *ctx, const an_conn *c);
  void (*packet)(void *ctx, const an_conn *c, int from_side, uint64_t frame, ltcp_time_ns t,
                 const an_packet *p);
  void (*change)(void *ctx, const an_conn *c, int side, const an_change *ch);
  void *ctx;
} an_track_hooks;

typedef struct an_track an_track;

typedef struct an_track_stats {
  uint64_t conns, live, peak_live, evicted, icmp_errors, icmp_unmatched;
} an_track_stats;

an_track *an_track_new(const an_track_config *cfg, const an_track_hooks *hooks);
/* One decoded packet, frame number and time; packets come in capture order. */
void an_track_packet(an_track *t, uint64_t frame, ltcp_time_ns time, const an_packet *p);
/* The end of the capture: every connection left is checked and handed to conn_done. */
void an_track_finish(an_track *t);
const an_track_stats *an_track_stats_get(const an_track *t);
ltcp_time_ns an_track_first_time(const an_track *t);
void an_track_free(an_track *t);

#endif
