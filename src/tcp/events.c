/* The engine's event queue and drop counts (events.h). */
#include "tcp/events.h"

#include "tcp/engine.h"

/* Drop events may fill the queue up to its last eighth: a burst of drops (thousands of tiny
 * segments refused in one turn) never crowds out the state changes behind it. */
static uint32_t events_room(uint32_t cap, ltcp_event_kind kind) {
  return kind == LTCP_EV_DROP ? cap - cap / 8 : cap;
}

void ltcp_events_emit(ltcp_engine *eng, const ltcp_event *ev) {
  uint32_t cap = eng->cfg.event_capacity;
  if (cap == 0) return;
  if (eng->ev_count >= events_room(cap, ev->kind)) {
    eng->stats->events_lost++;
    if (ev->kind != LTCP_EV_DROP) eng->stats->state_events_lost++;
    return;
  }
  eng->events[(eng->ev_head + eng->ev_count) % cap] = *ev;
  eng->ev_count++;
}

int ltcp_events_next(ltcp_engine *eng, ltcp_event *ev) {
  if (eng->ev_count == 0) return 0;
  *ev = eng->events[eng->ev_head];
  eng->ev_head = (eng->ev_head + 1) % eng->cfg.event_capacity;
  eng->ev_count--;
  return 1;
}

void ltcp_events_drop(ltcp_engine *eng, ltcp_drop_reason why, const ltcp_seg *seg) {
  eng->stats->drops[why]++;
  if (eng->cfg.event_capacity == 0) return;
  ltcp_event ev = {.kind = LTCP_EV_DROP, .time = eng->now, .fd = -1, .drop = why};
  ev.cause = LTCP_CAUSE_SEGMENT;
  if (seg) {
    ltcp_engine_endpoint(eng, seg->dst_addr, seg->dst_port, &ev.local);
    ltcp_engine_endpoint(eng, seg->src_addr, seg->src_port, &ev.remote);
    ev.seg = (ltcp_seg_summary){seg->flags, seg->seq, seg->ack, seg->wnd, seg->len};
  }
  ltcp_events_emit(eng, &ev);
}
