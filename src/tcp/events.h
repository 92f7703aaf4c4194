/* Events (lucidtcp/event.h): a bounded queue of state changes and drops the user drains, and
 * the drop counters. Owns the engine's event ring (eng->events, ev_head, ev_count). Every layer
 * that drops a packet reports it here. */
#ifndef LTCP_TCP_EVENTS_H
#define LTCP_TCP_EVENTS_H

#include "lucidtcp/event.h"
#include "lucidtcp/stats.h"
#include "lucidtcp/wire/tcp.h"

typedef struct ltcp_engine ltcp_engine;

/* Queues an event (counted in events_lost when the queue is full, drop events finding it 7/8
 * full too; nothing when events are off). */
void ltcp_events_emit(ltcp_engine *eng, const ltcp_event *ev);
/* Takes the oldest event into *ev: 1, or 0 when there is none. */
int ltcp_events_next(ltcp_engine *eng, ltcp_event *ev);
/* Counts a drop and reports it as an event; seg (may be NULL) gives the endpoints. */
void ltcp_events_drop(ltcp_engine *eng, ltcp_drop_reason why, const ltcp_seg *seg);

#endif
