/* The engine's shared state: init, the end of a host call, events and drops (engine.h). */
#include "tcp/engine.h"

#include <stdlib.h>
#include <string.h>

#include "util/assert.h"

int ltcp_engine_init(ltcp_engine *eng, const ltcp_stack_config *cfg, ltcp_stats *stats,
                     const ltcp_engine_host *host, const uint8_t isn_key[16]) {
  memset(eng, 0, sizeof *eng);
  eng->cfg = *cfg;
  eng->stats = stats;
  eng->host = *host;
  memcpy(eng->isn.key, isn_key, sizeof eng->isn.key);
  if (cfg->event_capacity &&
      !(eng->events = calloc(cfg->event_capacity, sizeof *eng->events)))
    return LTCP_ENOMEM;
  return 0;
}

void ltcp_engine_reap(ltcp_engine *eng) {
  if (eng->busy.touched || eng->busy.idle_head) ltcp_busy_sleep_idle(eng);
  ltcp_tcb_free_graveyard(eng);
}

void ltcp_engine_free(ltcp_engine *eng) {
  eng->busy.touched = NULL; /* the host freed every live TCB */
  eng->busy.idle_head = eng->busy.idle_tail = NULL;
  ltcp_tcb_free_graveyard(eng);
  ltcp_busy_pool_free(eng);
  ltcp_tcb_pool_free(eng);
  free(eng->events);
  eng->events = NULL;
}

void ltcp_engine_emit(ltcp_engine *eng, const ltcp_event *ev) {
  uint32_t cap = eng->cfg.event_capacity;
  if (cap == 0) return;
  if (eng->ev_count == cap) {
    eng->stats->events_lost++;
    return;
  }
  eng->events[(eng->ev_head + eng->ev_count) % cap] = *ev;
  eng->ev_count++;
}

int ltcp_engine_next_event(ltcp_engine *eng, ltcp_event *ev) {
  if (eng->ev_count == 0) return 0;
  *ev = eng->events[eng->ev_head];
  eng->ev_head = (eng->ev_head + 1) % eng->cfg.event_capacity;
  eng->ev_count--;
  return 1;
}

void ltcp_engine_drop(ltcp_engine *eng, ltcp_drop_reason why, const ltcp_seg *seg) {
  eng->stats->drops[why]++;
  if (eng->cfg.event_capacity == 0) return;
  ltcp_event ev = {.kind = LTCP_EV_DROP, .time = eng->now, .fd = -1, .drop = why};
  ev.cause = LTCP_CAUSE_SEGMENT;
  if (seg) {
    ev.local = (ltcp_endpoint){seg->dst_addr, seg->dst_port};
    ev.remote = (ltcp_endpoint){seg->src_addr, seg->src_port};
    ev.seg = (ltcp_seg_summary){seg->flags, seg->seq, seg->ack, seg->wnd, seg->len};
  }
  ltcp_engine_emit(eng, &ev);
}
