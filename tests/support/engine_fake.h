/* The engine alone, for the unit tests of its modules (tests/unit/test_tcp_*.c), which link the
 * engine's library (ltcp_tcp) and nothing above it: an engine made by ltcp_engine_init whose
 * host is a set of fakes that record what the engine asked of them, and bare TCBs (zeroed, with
 * a zeroed busy part). The configuration is the test's own: only the fields a module reads
 * need values (the stack's defaults live in the IP layer, which these tests do not link). */
#ifndef LTCP_TEST_ENGINE_FAKE_H
#define LTCP_TEST_ENGINE_FAKE_H

#include <stdint.h>

#include "tcp/engine.h"
#include "tcp/tcb.h"

#define EF_SLOT_BYTES 2048u

typedef struct ef_engine {
  ltcp_engine eng;
  ltcp_stats stats;
  int queue_full;          /* tx_slot returns NULL (the host's output queue is full) */
  int data_full;           /* tx_slot returns NULL for new data (backpressure) */
  uint32_t slots_taken;    /* tx_slot calls */
  uint32_t sent;           /* segments committed (tx_commit) */
  ltcp_seg last;           /* the last one, its data pointer cleared */
  uint32_t deadline_moves; /* deadline_moved calls */
  uint8_t slot[EF_SLOT_BYTES];
} ef_engine;

/* An engine with cfg (copied), the fake host and a zero ISN key; its clock at now. */
void ef_engine_init(ef_engine *e, const ltcp_stack_config *cfg, ltcp_time_ns now);
void ef_engine_free(ef_engine *e);
/* A zeroed TCB with a zeroed busy part in the same block: free it with ef_tcb_free. */
ltcp_tcb *ef_tcb_new(void);
void ef_tcb_free(ltcp_tcb *tcb);

#endif
