/* A connection's life (RFC 9293 §3.3.2): a TCB created, its state changes, each an event with
 * its cause (the segment, the user call or the timer), and its deletion; the pool TCBs are
 * reused from. The module owns the per-state counts and connection ids: only life.c changes
 * them. */
#ifndef LTCP_TCP_LIFE_H
#define LTCP_TCP_LIFE_H

#include <stdint.h>

#include "lucidtcp/common.h"
#include "lucidtcp/event.h"
#include "lucidtcp/wire/tcp.h"
#include "tcp/tcb.h"

/* What life.c owns in the engine: per-state counts, ids, deleted TCBs, the pool. */
typedef struct ltcp_life {
  uint32_t state_count[LTCP_STATE_COUNT]; /* TCBs by state; views are not counted */
  uint64_t next_conn_id;
  uint32_t in_use;         /* TCBs taken and not yet freed (the bound of every list of them) */
  ltcp_tcb *graveyard;     /* deleted TCBs, freed when the host's call ends */
  ltcp_tcb *pool;          /* freed TCBs kept for reuse */
  uint32_t pool_count;
} ltcp_life;

/* Why something happened: the cause recorded with a state change. */
typedef struct ltcp_cause {
  ltcp_cause_kind kind;
  ltcp_call call;
  ltcp_timer timer;
  ltcp_seg_summary seg;
  uint8_t icmp_type, icmp_code;
} ltcp_cause;

ltcp_cause ltcp_cause_call(ltcp_call call);
ltcp_cause ltcp_cause_timer(ltcp_timer timer);
ltcp_cause ltcp_cause_segment(const ltcp_seg *seg);
/* A valid SYN cookie in seg, an ACK to a listener (tcp/syncookie.h). */
ltcp_cause ltcp_cause_syncookie(const ltcp_seg *seg);
ltcp_cause ltcp_cause_icmp(uint8_t type, uint8_t code);

/* A TCB in state, awake, with a new connection id and the stack's defaults; NULL when memory
 * runs out. */
ltcp_tcb *ltcp_life_new(ltcp_engine *eng, ltcp_state state);
/* The same with a given id (a record turned back into its TCB keeps its connection's id). */
ltcp_tcb *ltcp_life_new_with_id(ltcp_engine *eng, ltcp_state state, uint64_t id);
/* A TCB from ltcp_life_new that never went further (the host's table was full): uncounted,
 * and freed when the call ends. */
void ltcp_life_discard(ltcp_engine *eng, ltcp_tcb *tcb);
void ltcp_life_set_state(ltcp_engine *eng, ltcp_tcb *tcb, ltcp_state next, const ltcp_cause *why);
/* Enters CLOSED with the error the user will see (0 for none) and deletes the TCB; a
 * listener's children not yet accepted go with it. */
void ltcp_life_close(ltcp_engine *eng, ltcp_tcb *tcb, int error, const ltcp_cause *why);
/* Deletes the TCB without a state change (after SYN-RECEIVED -> LISTEN). */
void ltcp_life_delete(ltcp_engine *eng, ltcp_tcb *tcb);
/* The connection lives on as a compact record (tcp/timewait.h, tcp/synrcvd.h): the TCB is
 * deleted without a state change and without telling anyone, and a child keeps its slot in
 * its listener's backlog. */
void ltcp_life_retire(ltcp_engine *eng, ltcp_tcb *tcb);
/* Frees the memory of a TCB already out of every table and list of the host's (when the host
 * frees its tables, or from the graveyard). */
void ltcp_life_free(ltcp_engine *eng, ltcp_tcb *tcb);
/* Frees the deleted TCBs; the end of every host call (ltcp_engine_reap). */
void ltcp_life_free_graveyard(ltcp_engine *eng);
/* Returns every TCB kept for reuse to the allocator. */
void ltcp_life_pool_free(ltcp_engine *eng);

#endif
