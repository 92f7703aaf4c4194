/* --trace's drops, summed (dropsum.h). */
#include "rt/dropsum.h"

void rt_dropsum_init(rt_dropsum *d, ltcp_time_ns interval) {
  for (int i = 0; i < LTCP_DROP_COUNT; i++) {
    d->since[i] = LTCP_TIME_NEVER;
    d->more[i] = 0;
  }
  d->interval = interval;
}

static int dropsum_ended(const rt_dropsum *d, int i, ltcp_time_ns now) {
  return d->since[i] != LTCP_TIME_NEVER &&
         (now == LTCP_TIME_NEVER || now - d->since[i] >= d->interval);
}

int rt_dropsum_take(rt_dropsum *d, ltcp_drop_reason why, ltcp_time_ns now) {
  if (why >= LTCP_DROP_COUNT) return 1;
  if (d->since[why] != LTCP_TIME_NEVER && now - d->since[why] < d->interval) {
    d->more[why]++;
    return 0;
  }
  d->since[why] = now; /* an interval whose count was due is printed before (rt_dropsum_due) */
  d->more[why] = 0;
  return 1;
}

int rt_dropsum_due(rt_dropsum *d, ltcp_time_ns now, uint64_t *more, ltcp_time_ns *since) {
  for (int i = 0; i < LTCP_DROP_COUNT; i++) {
    if (!dropsum_ended(d, i, now)) continue;
    uint64_t n = d->more[i];
    *since = d->since[i];
    d->since[i] = LTCP_TIME_NEVER;
    d->more[i] = 0;
    if (n == 0) continue;
    *more = n;
    return i;
  }
  return -1;
}
