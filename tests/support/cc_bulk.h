/* A bulk transfer between two stacks over the simulated network, for the congestion control
 * and SACK tests: the client at 198.18.0.1 writes a byte pattern as fast as its send buffer
 * takes it, the server reads everything at once and checks every byte. A filter can lose the
 * first transmission of chosen segments (by offset in the stream) and records when each was
 * sent again. */
#ifndef LTCP_TEST_CC_BULK_H
#define LTCP_TEST_CC_BULK_H

#include <stdint.h>

#include "lucidtcp/lucidtcp.h"
#include "lucidtcp/sim.h"

#define CB_DROPS_MAX 8

typedef struct cb_conf {
  uint64_t seed;           /* the network's seed (random loss) */
  int congestion;          /* LTCP_CC_CUBIC or LTCP_CC_NEWRENO, set with LTCP_TCP_CONGESTION */
  int sack;                /* cfg.sack of both stacks */
  uint32_t sndbuf, rcvbuf; /* SO_SNDBUF of the client, SO_RCVBUF of the server */
  uint64_t total;          /* bytes to transfer; 0: without end */
  ltcp_sim_path fwd, back; /* client -> server, server -> client */
  uint32_t drop_off[CB_DROPS_MAX]; /* lose the first transmission of the segment holding each */
  uint32_t ndrop;
  uint32_t tso_max;        /* cfg.tso_max of both stacks (0: off); the simulated link carries
                            * such packets whole, as a link that coalesces (GRO) would */
} cb_conf;

typedef struct cb_run {
  cb_conf c;
  ltcp_sim *sim;
  ltcp_stack *st[2];
  int cfd, lfd, sfd;
  uint64_t sent, read;
  int corrupt;             /* a byte read differed from the pattern */
  uint32_t isn;            /* the client's ISS, from its SYN */
  uint32_t drop_seq[CB_DROPS_MAX];
  uint8_t dropped[CB_DROPS_MAX];
  ltcp_time_ns drop_at[CB_DROPS_MAX], rtx_at[CB_DROPS_MAX]; /* 0: not yet */
} cb_run;

/* Builds the two stacks and the link, listens, connects. */
void cb_start(cb_run *r, const cb_conf *c);
/* Runs the network and both applications until time t or until total bytes were read. */
void cb_run_until(cb_run *r, ltcp_time_ns t);
const ltcp_stats *cb_client_stats(const cb_run *r);
void cb_free(cb_run *r);

#endif
