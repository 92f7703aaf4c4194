/* Two stacks over the simulated network for the timing tests (delayed ACK, Nagle, persist,
 * keep-alive): a client at 198.18.0.1 and a server at 198.18.0.2 listening on port 80, and a
 * log of every TCP segment either sends, as it leaves (before the network's impairments). */
#ifndef LTCP_TEST_TIMING_PAIR_H
#define LTCP_TEST_TIMING_PAIR_H

#include <stdint.h>

#include "lucidtcp/lucidtcp.h"
#include "lucidtcp/sim.h"

#define TP_CLIENT 0
#define TP_SERVER 1
#define TP_LOG 4096u
#define TP_PORT 80

typedef struct tp_seg {
  ltcp_time_ns at;
  int from;            /* TP_CLIENT or TP_SERVER */
  uint8_t flags;
  uint32_t seq, ack, len;
  uint16_t wnd;
} tp_seg;

typedef struct tp_pair {
  ltcp_sim *sim;
  ltcp_stack *st[2];
  int node[2];
  int cfd, lfd, sfd;   /* client socket, listener, accepted server socket (-1 until then) */
  tp_seg log[TP_LOG];  /* the first TP_LOG segments */
  uint32_t nlog;
} tp_pair;

/* A stack config: defaults (delayed ACKs on, Nagle on), the side's address. */
void tp_config(ltcp_stack_config *cfg, int side);
/* Two stacks (cfg NULL: tp_config) joined by a link with path in both directions. */
void tp_init(tp_pair *p, const ltcp_stack_config *ccfg, const ltcp_stack_config *scfg,
             const ltcp_sim_path *path);
void tp_free(tp_pair *p);
/* The server listens (rcvbuf > 0: SO_RCVBUF first), the client connects; runs until the
 * server has accepted. Leaves cfd and sfd ESTABLISHED. */
void tp_connect(tp_pair *p, int rcvbuf);
/* Runs the network until virtual time t. */
void tp_run_until(tp_pair *p, ltcp_time_ns t);
ltcp_time_ns tp_now(const tp_pair *p);
/* Data segments (len > 0) side sent in the log from index first on. */
uint32_t tp_count_data(const tp_pair *p, int side, uint32_t first);
/* Sends all of buf on fd at the network's time (asserts it fits in the send buffer). */
void tp_send_all(tp_pair *p, int side, int fd, const void *buf, uint32_t len);
/* Reads what is readable on fd into buf (up to cap) at the network's time; returns the
 * count (0 if nothing). */
uint32_t tp_read(tp_pair *p, int side, int fd, void *buf, uint32_t cap);

#endif
