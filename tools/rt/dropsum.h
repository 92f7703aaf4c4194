/* --trace's drops, summed: the first drop of a reason is shown in full, the others of that
 * reason within the next interval only counted, and the count printed once the interval ends
 * (issue 15: a 64 MiB download printed 8,837 "output queue full" lines). State changes are
 * never summed. Owns its counts; prints nothing itself. */
#ifndef LTCP_TOOLS_RT_DROPSUM_H
#define LTCP_TOOLS_RT_DROPSUM_H

#include <stdint.h>

#include "lucidtcp/lucidtcp.h"

#define RT_DROPSUM_INTERVAL LTCP_SEC(1)

typedef struct rt_dropsum {
  ltcp_time_ns since[LTCP_DROP_COUNT]; /* when the reason's interval began (LTCP_TIME_NEVER) */
  uint64_t more[LTCP_DROP_COUNT];      /* drops of it counted, not shown, since then */
  ltcp_time_ns interval;
} rt_dropsum;

void rt_dropsum_init(rt_dropsum *d, ltcp_time_ns interval);
/* A drop of reason why at now: 1 when it is to be shown in full (the first of an interval), 0
 * when it is only counted. */
int rt_dropsum_take(rt_dropsum *d, ltcp_drop_reason why, ltcp_time_ns now);
/* A reason whose interval has ended by now (any interval, with now LTCP_TIME_NEVER) and that
 * counted drops: returns it with the count and the interval's start, and starts afresh; -1
 * when there is none. An interval that ends with nothing counted just ends. */
int rt_dropsum_due(rt_dropsum *d, ltcp_time_ns now, uint64_t *more, ltcp_time_ns *since);

#endif
