/* The simulated network: nodes, links and one event heap in virtual time.
 *
 * Determinism is the point. Every packet a node sends draws the same five numbers from the one
 * PRNG, in the same order (loss, duplicate, reorder, corrupt, which bit), whatever the
 * probabilities are; events are ordered by (time, insertion sequence); nodes are visited in
 * index order. So the same seed and the same calls give the same trace, byte for byte.
 *
 * Life of a packet: a node queues it; the next step (or next_time) takes it, routes it to one
 * direction of a link, checks that direction's queue, reserves the wire for its serialisation
 * time, then applies loss, corruption, reordering and duplication, and schedules each surviving
 * copy to arrive after the propagation delay. */
#include <stdlib.h>
#include <string.h>

#include "lucidtcp/sim.h"
#include "util/assert.h"
#include "util/rng.h"

#define LTCP_SIM_MAX_NODES 64
#define LTCP_SIM_MAX_LINKS 256
#define LTCP_SIM_MAX_DIRS (2 * LTCP_SIM_MAX_LINKS)
#define LTCP_SIM_MAX_TAPS 8
/* Packets taken from one node per drain; the rest wait for the next step. */
#define LTCP_SIM_DRAIN_MAX 65536
/* Larger than any IPv4 packet; keeps the serialisation arithmetic far from overflow. */
#define LTCP_SIM_MAX_PACKET (1u << 24)
/* A duplicate arrives this long after its original, so the two are distinct events. */
#define LTCP_SIM_DUP_DELAY_NS LTCP_US(1)
#define LTCP_SIM_REORDER_EXTRA_NS LTCP_MS(1)
/* run_until: steps without the clock moving before we call it a livelock. */
#define LTCP_SIM_SAME_TIME_MAX (1u << 20)
#define LTCP_SIM_RUN_STEPS_MAX (1ull << 40)
#define LTCP_SIM_IPV4_HEADER_LEN 20

/* A copy of a packet in flight. */
typedef struct ltcp_sim_packet {
  ltcp_time_ns at; /* arrival time */
  uint64_t seq;    /* insertion order: breaks ties in at */
  int from, to;
  size_t len;
  uint8_t data[];
} ltcp_sim_packet;

/* One direction of a link, with its wire and its queue. */
typedef struct ltcp_sim_dir {
  int from, to;
  ltcp_sim_path path;
  ltcp_time_ns busy_until; /* the wire serialises earlier packets until then */
  /* Serialisation start times (ascending) of packets still waiting for the wire. */
  ltcp_time_ns *waiting;
  size_t waiting_head, waiting_tail, waiting_cap;
} ltcp_sim_dir;

typedef struct ltcp_sim_node {
  ltcp_sim_node_ops ops;
  void *ctx;
  uint32_t addr;
  uint8_t addr6[16];            /* all zero: none */
  int dirs[LTCP_SIM_MAX_NODES]; /* outgoing directions in the order linked; [0] is the default */
  int dir_count;
} ltcp_sim_node;

typedef struct ltcp_sim_tap {
  ltcp_sim_tap_fn fn;
  void *ctx;
} ltcp_sim_tap;

/* The numbers drawn for every packet put on a link, always all of them, in this order. */
typedef struct ltcp_sim_draws {
  int lost, duplicate, reorder, corrupt;
  uint64_t bit;
} ltcp_sim_draws;

struct ltcp_sim {
  ltcp_time_ns now;
  uint64_t seq;
  ltcp_rng rng;
  ltcp_sim_stats stats;
  ltcp_sim_packet **heap; /* min-heap on (at, seq) */
  size_t heap_len, heap_cap;
  int node_count, dir_count, tap_count;
  ltcp_sim_node nodes[LTCP_SIM_MAX_NODES];
  ltcp_sim_dir dirs[LTCP_SIM_MAX_DIRS];
  ltcp_sim_tap taps[LTCP_SIM_MAX_TAPS];
  ltcp_sim_filter_fn filter;
  void *filter_ctx;
};

static const char *const sim_fate_names[] = {
    [LTCP_SIM_SENT] = "sent",           [LTCP_SIM_DELIVERED] = "delivered",
    [LTCP_SIM_LOST] = "lost",           [LTCP_SIM_QUEUE_DROP] = "queue-drop",
    [LTCP_SIM_DUPLICATED] = "duplicated", [LTCP_SIM_REORDERED] = "reordered",
    [LTCP_SIM_CORRUPTED] = "corrupted", [LTCP_SIM_UNROUTABLE] = "unroutable",
};

const char *ltcp_sim_fate_name(ltcp_sim_fate fate) {
  unsigned i = (unsigned)fate;
  if (i >= sizeof sim_fate_names / sizeof sim_fate_names[0]) return "?";
  return sim_fate_names[i];
}

static ltcp_time_ns sim_time_add(ltcp_time_ns a, ltcp_time_ns b) {
  return a > LTCP_TIME_NEVER - b ? LTCP_TIME_NEVER : a + b;
}

/* ---- the event heap ---- */

static int sim_heap_less(const ltcp_sim_packet *a, const ltcp_sim_packet *b) {
  return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

static void sim_heap_swap(ltcp_sim *sim, size_t i, size_t j) {
  ltcp_sim_packet *t = sim->heap[i];
  sim->heap[i] = sim->heap[j];
  sim->heap[j] = t;
}

/* Makes room for n more entries. Returns 0 or LTCP_ENOMEM. */
static int sim_heap_reserve(ltcp_sim *sim, size_t n) {
  if (sim->heap_len + n <= sim->heap_cap) return 0;
  size_t cap = sim->heap_cap ? sim->heap_cap * 2 : 64;
  while (cap < sim->heap_len + n) cap *= 2; /* at most a few doublings */
  ltcp_sim_packet **heap = realloc(sim->heap, cap * sizeof *heap);
  if (heap == NULL) return LTCP_ENOMEM;
  sim->heap = heap;
  sim->heap_cap = cap;
  return 0;
}

/* Room was reserved; the loop climbs at most log2(heap_len) levels. */
static void sim_heap_push(ltcp_sim *sim, ltcp_sim_packet *p) {
  LTCP_ASSERT(sim->heap_len < sim->heap_cap);
  p->seq = sim->seq++;
  size_t i = sim->heap_len++;
  sim->heap[i] = p;
  while (i > 0 && sim_heap_less(sim->heap[i], sim->heap[(i - 1) / 2])) {
    sim_heap_swap(sim, i, (i - 1) / 2);
    i = (i - 1) / 2;
  }
}

/* The loop descends at most log2(heap_len) levels. */
static ltcp_sim_packet *sim_heap_pop(ltcp_sim *sim) {
  LTCP_ASSERT(sim->heap_len > 0);
  ltcp_sim_packet *top = sim->heap[0];
  sim->heap[0] = sim->heap[--sim->heap_len];
  size_t i = 0;
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < sim->heap_len && sim_heap_less(sim->heap[l], sim->heap[m])) m = l;
    if (r < sim->heap_len && sim_heap_less(sim->heap[r], sim->heap[m])) m = r;
    if (m == i) break;
    sim_heap_swap(sim, i, m);
    i = m;
  }
  return top;
}

/* ---- setup ---- */

ltcp_sim *ltcp_sim_new(uint64_t seed) {
  ltcp_sim *sim = calloc(1, sizeof *sim);
  if (sim == NULL) return NULL;
  ltcp_rng_seed(&sim->rng, seed);
  return sim;
}

void ltcp_sim_free(ltcp_sim *sim) {
  if (sim == NULL) return;
  for (size_t i = 0; i < sim->heap_len; i++) free(sim->heap[i]);
  for (int d = 0; d < sim->dir_count; d++) free(sim->dirs[d].waiting);
  free(sim->heap);
  free(sim);
}

int ltcp_sim_add_node(ltcp_sim *sim, const ltcp_sim_node_ops *ops, void *node, uint32_t addr) {
  if (sim == NULL || ops == NULL) return LTCP_EINVAL;
  if (!ops->input || !ops->advance || !ops->next_deadline || !ops->tx_peek || !ops->tx_pop) {
    return LTCP_EINVAL;
  }
  if (sim->node_count >= LTCP_SIM_MAX_NODES) return LTCP_ENOBUFS;
  ltcp_sim_node *n = &sim->nodes[sim->node_count];
  memset(n, 0, sizeof *n);
  n->ops = *ops;
  n->ctx = node;
  n->addr = addr;
  return sim->node_count++;
}

/* NULL is the perfect link; a probability must lie in [0, 1] (NaN does not). */
static int sim_path_valid(const ltcp_sim_path *p) {
  if (p == NULL) return 1;
  const double probs[] = {p->loss, p->duplicate, p->reorder, p->corrupt};
  for (size_t i = 0; i < sizeof probs / sizeof probs[0]; i++) {
    if (!(probs[i] >= 0.0 && probs[i] <= 1.0)) return 0;
  }
  return 1;
}

static int sim_find_dir(const ltcp_sim *sim, int from, int to) {
  for (int d = 0; d < sim->dir_count; d++) {
    if (sim->dirs[d].from == from && sim->dirs[d].to == to) return d;
  }
  return -1;
}

static void sim_add_dir(ltcp_sim *sim, int from, int to, const ltcp_sim_path *path) {
  ltcp_sim_dir *dir = &sim->dirs[sim->dir_count];
  memset(dir, 0, sizeof *dir);
  dir->from = from;
  dir->to = to;
  if (path != NULL) dir->path = *path;
  ltcp_sim_node *n = &sim->nodes[from];
  LTCP_ASSERT(n->dir_count < LTCP_SIM_MAX_NODES);
  n->dirs[n->dir_count++] = sim->dir_count++;
}

int ltcp_sim_link(ltcp_sim *sim, int a, int b, const ltcp_sim_path *a_to_b,
                  const ltcp_sim_path *b_to_a) {
  if (sim == NULL || a < 0 || b < 0 || a >= sim->node_count || b >= sim->node_count || a == b) {
    return LTCP_EINVAL;
  }
  if (!sim_path_valid(a_to_b) || !sim_path_valid(b_to_a)) return LTCP_EINVAL;
  if (sim_find_dir(sim, a, b) >= 0) return LTCP_EALREADY;
  if (sim->dir_count + 2 > LTCP_SIM_MAX_DIRS) return LTCP_ENOBUFS;
  sim_add_dir(sim, a, b, a_to_b);
  sim_add_dir(sim, b, a, b_to_a);
  return 0;
}

int ltcp_sim_set_path(ltcp_sim *sim, int from, int to, const ltcp_sim_path *path) {
  if (sim == NULL || !sim_path_valid(path)) return LTCP_EINVAL;
  int d = sim_find_dir(sim, from, to);
  if (d < 0) return LTCP_EINVAL;
  static const ltcp_sim_path perfect;
  sim->dirs[d].path = path ? *path : perfect;
  return 0;
}

int ltcp_sim_set_filter(ltcp_sim *sim, ltcp_sim_filter_fn fn, void *ctx) {
  sim->filter = fn;
  sim->filter_ctx = ctx;
  return 0;
}

int ltcp_sim_add_tap(ltcp_sim *sim, ltcp_sim_tap_fn fn, void *ctx) {
  if (sim == NULL || fn == NULL) return LTCP_EINVAL;
  if (sim->tap_count >= LTCP_SIM_MAX_TAPS) return LTCP_ENOBUFS;
  sim->taps[sim->tap_count].fn = fn;
  sim->taps[sim->tap_count].ctx = ctx;
  sim->tap_count++;
  return 0;
}

ltcp_time_ns ltcp_sim_now(const ltcp_sim *sim) { return sim->now; }

const ltcp_sim_stats *ltcp_sim_get_stats(const ltcp_sim *sim) { return &sim->stats; }

/* ---- sending ---- */

static void sim_tap(const ltcp_sim *sim, int from, int to, ltcp_sim_fate fate,
                    const uint8_t *pkt, size_t len) {
  for (int i = 0; i < sim->tap_count; i++) {
    sim->taps[i].fn(sim->taps[i].ctx, sim->now, from, to, fate, pkt, len);
  }
}

int ltcp_sim_set_addr6(ltcp_sim *sim, int node, const uint8_t addr6[16]) {
  if (sim == NULL || addr6 == NULL || node < 0 || node >= sim->node_count) return LTCP_EINVAL;
  memcpy(sim->nodes[node].addr6, addr6, 16);
  return 0;
}

/* The direction a packet leaves by: the link to its destination (IPv4, or IPv6 by the version
 * nibble), else the first link. */
static int sim_route(const ltcp_sim *sim, int from, const uint8_t *pkt, size_t len) {
  const ltcp_sim_node *n = &sim->nodes[from];
  if (n->dir_count == 0) return -1;
  if (len >= 40 && (pkt[0] >> 4) == 6) {
    for (int i = 0; i < n->dir_count; i++) {
      if (memcmp(sim->nodes[sim->dirs[n->dirs[i]].to].addr6, pkt + 24, 16) == 0) return n->dirs[i];
    }
  } else if (len >= LTCP_SIM_IPV4_HEADER_LEN) {
    uint32_t dst = (uint32_t)pkt[16] << 24 | (uint32_t)pkt[17] << 16 | (uint32_t)pkt[18] << 8 |
                   (uint32_t)pkt[19];
    for (int i = 0; i < n->dir_count; i++) {
      if (sim->nodes[sim->dirs[n->dirs[i]].to].addr == dst) return n->dirs[i];
    }
  }
  return n->dirs[0];
}

static void sim_draw(ltcp_sim *sim, const ltcp_sim_path *path, ltcp_sim_draws *dr) {
  dr->lost = ltcp_rng_chance(&sim->rng, path->loss);
  dr->duplicate = ltcp_rng_chance(&sim->rng, path->duplicate);
  dr->reorder = ltcp_rng_chance(&sim->rng, path->reorder);
  dr->corrupt = ltcp_rng_chance(&sim->rng, path->corrupt);
  dr->bit = ltcp_rng_next(&sim->rng);
}

/* ceil(len * 8 / bps) seconds in ns. bits < 2^28, so r * 1e9 < 2^58. */
static ltcp_time_ns sim_wire_ns(uint64_t bps, size_t len) {
  if (bps == 0) return 0;
  uint64_t bits = (uint64_t)len * 8;
  uint64_t q = bits / bps, r = bits % bps;
  return q * LTCP_SEC(1) + (r * LTCP_SEC(1) + bps - 1) / bps;
}

/* Packets on dir that have not started serialising by now. */
static size_t sim_dir_waiting(ltcp_sim_dir *dir, ltcp_time_ns now) {
  while (dir->waiting_head < dir->waiting_tail && dir->waiting[dir->waiting_head] <= now) {
    dir->waiting_head++;
  }
  return dir->waiting_tail - dir->waiting_head;
}

/* Room for one more waiting packet. Returns 0 or LTCP_ENOMEM. */
static int sim_dir_reserve(ltcp_sim_dir *dir) {
  if (dir->waiting_tail < dir->waiting_cap) return 0;
  size_t count = dir->waiting_tail - dir->waiting_head;
  if (dir->waiting_head > 0) {
    memmove(dir->waiting, dir->waiting + dir->waiting_head, count * sizeof *dir->waiting);
    dir->waiting_head = 0;
    dir->waiting_tail = count;
    if (count < dir->waiting_cap) return 0;
  }
  size_t cap = dir->waiting_cap ? dir->waiting_cap * 2 : 16;
  ltcp_time_ns *w = realloc(dir->waiting, cap * sizeof *w);
  if (w == NULL) return LTCP_ENOMEM;
  dir->waiting = w;
  dir->waiting_cap = cap;
  return 0;
}

/* Reserves the wire (room was made); returns when the last bit leaves. */
static ltcp_time_ns sim_dir_serialise(ltcp_sim_dir *dir, ltcp_time_ns now, size_t len) {
  ltcp_time_ns start = dir->busy_until > now ? dir->busy_until : now;
  if (start > now) {
    LTCP_ASSERT(dir->waiting_tail < dir->waiting_cap);
    dir->waiting[dir->waiting_tail++] = start;
  }
  dir->busy_until = sim_time_add(start, sim_wire_ns(dir->path.bandwidth_bps, len));
  return dir->busy_until;
}

static ltcp_sim_packet *sim_packet_new(const ltcp_sim_dir *dir, const uint8_t *pkt, size_t len) {
  ltcp_sim_packet *p = malloc(sizeof *p + len);
  if (p == NULL) return NULL;
  p->at = 0;
  p->seq = 0;
  p->from = dir->from;
  p->to = dir->to;
  p->len = len;
  memcpy(p->data, pkt, len);
  return p;
}

/* Everything a packet may need, taken before anything changes, so running out of memory is
 * a plain queue drop. copies[1] is made only for a duplicate. */
static int sim_prepare(ltcp_sim *sim, ltcp_sim_dir *dir, const ltcp_sim_draws *dr,
                       const uint8_t *pkt, size_t len, ltcp_sim_packet *copies[2]) {
  if (sim_heap_reserve(sim, 2) != 0 || sim_dir_reserve(dir) != 0) return LTCP_ENOMEM;
  copies[0] = sim_packet_new(dir, pkt, len);
  copies[1] = dr->duplicate ? sim_packet_new(dir, pkt, len) : NULL;
  if (copies[0] == NULL || (dr->duplicate && copies[1] == NULL)) {
    free(copies[0]);
    free(copies[1]);
    return LTCP_ENOMEM;
  }
  return 0;
}

static ltcp_time_ns sim_reorder_hold_ns(const ltcp_sim_path *path) {
  if (path->reorder_delay_ns != 0) return path->reorder_delay_ns;
  ltcp_time_ns rtt = sim_time_add(path->latency_ns, path->latency_ns);
  return sim_time_add(rtt, LTCP_SIM_REORDER_EXTRA_NS);
}

/* The impairments after the wire: corruption, hold-back, a second copy. done is when the
 * packet has been serialised; the primary copy arrives a propagation delay later. */
static void sim_schedule(ltcp_sim *sim, const ltcp_sim_dir *dir, const ltcp_sim_draws *dr,
                         ltcp_time_ns done, ltcp_sim_packet *copies[2]) {
  ltcp_sim_packet *p = copies[0];
  ltcp_time_ns at = sim_time_add(done, dir->path.latency_ns);
  if (dr->corrupt) {
    uint64_t bit = dr->bit % ((uint64_t)p->len * 8);
    p->data[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    sim->stats.corrupted++;
    sim_tap(sim, dir->from, dir->to, LTCP_SIM_CORRUPTED, p->data, p->len);
  }
  if (dr->reorder) {
    at = sim_time_add(at, sim_reorder_hold_ns(&dir->path));
    sim->stats.reordered++;
    sim_tap(sim, dir->from, dir->to, LTCP_SIM_REORDERED, p->data, p->len);
  }
  p->at = at;
  sim_heap_push(sim, p);
  if (copies[1] != NULL) {
    copies[1]->at = sim_time_add(at, LTCP_SIM_DUP_DELAY_NS);
    sim_heap_push(sim, copies[1]);
    sim->stats.duplicated++;
    sim_tap(sim, dir->from, dir->to, LTCP_SIM_DUPLICATED, copies[1]->data, copies[1]->len);
  }
}

/* A full queue drops before the wire; a lost packet still used the wire (lost in transit). */
static void sim_transmit(ltcp_sim *sim, ltcp_sim_dir *dir, const ltcp_sim_draws *dr,
                         const uint8_t *pkt, size_t len) {
  ltcp_sim_packet *copies[2] = {NULL, NULL};
  uint32_t limit = dir->path.queue_limit;
  size_t waiting = sim_dir_waiting(dir, sim->now);
  if ((limit != 0 && waiting >= limit) ||
      sim_prepare(sim, dir, dr, pkt, len, copies) != 0) {
    sim->stats.queue_drops++;
    sim_tap(sim, dir->from, dir->to, LTCP_SIM_QUEUE_DROP, pkt, len);
    return;
  }
  ltcp_time_ns done = sim_dir_serialise(dir, sim->now, len);
  if (dr->lost) {
    free(copies[0]);
    free(copies[1]);
    sim->stats.lost++;
    sim_tap(sim, dir->from, dir->to, LTCP_SIM_LOST, pkt, len);
    return;
  }
  sim_schedule(sim, dir, dr, done, copies);
}

static void sim_send(ltcp_sim *sim, int from, const uint8_t *pkt, size_t len) {
  LTCP_ASSERT(len <= LTCP_SIM_MAX_PACKET);
  sim->stats.sent++;
  int d = sim_route(sim, from, pkt, len);
  if (d < 0) {
    sim_tap(sim, from, -1, LTCP_SIM_SENT, pkt, len);
    sim->stats.unroutable++;
    sim_tap(sim, from, -1, LTCP_SIM_UNROUTABLE, pkt, len);
    return;
  }
  ltcp_sim_dir *dir = &sim->dirs[d];
  sim_tap(sim, from, dir->to, LTCP_SIM_SENT, pkt, len);
  ltcp_sim_draws dr;
  sim_draw(sim, &dir->path, &dr);
  if (sim->filter && sim->filter(sim->filter_ctx, sim->now, from, dir->to, pkt, len)) {
    sim->stats.lost++; /* a scripted loss: the draws were taken all the same */
    sim_tap(sim, from, dir->to, LTCP_SIM_LOST, pkt, len);
    return;
  }
  sim_transmit(sim, dir, &dr, pkt, len);
}

/* Takes the packets every node has queued, in node order. */
static void sim_drain(ltcp_sim *sim) {
  for (int i = 0; i < sim->node_count; i++) {
    ltcp_sim_node *n = &sim->nodes[i];
    for (int k = 0; k < LTCP_SIM_DRAIN_MAX; k++) {
      const uint8_t *pkt = NULL;
      size_t len = n->ops.tx_peek(n->ctx, &pkt);
      if (len == 0) break;
      sim_send(sim, i, pkt, len);
      n->ops.tx_pop(n->ctx);
    }
  }
}

/* ---- running ---- */

/* The next packet arrival or node deadline, never before now; LTCP_TIME_NEVER if none. */
static ltcp_time_ns sim_earliest(const ltcp_sim *sim) {
  ltcp_time_ns t = sim->heap_len > 0 ? sim->heap[0]->at : LTCP_TIME_NEVER;
  for (int i = 0; i < sim->node_count; i++) {
    const ltcp_sim_node *n = &sim->nodes[i];
    ltcp_time_ns d = n->ops.next_deadline(n->ctx);
    if (d < t) t = d;
  }
  return t < sim->now ? sim->now : t;
}

ltcp_time_ns ltcp_sim_next_time(ltcp_sim *sim) {
  sim_drain(sim);
  return sim_earliest(sim);
}

/* Delivery only fills nodes' tx queues, never the heap, so this ends. */
static void sim_deliver_due(ltcp_sim *sim) {
  while (sim->heap_len > 0 && sim->heap[0]->at <= sim->now) {
    ltcp_sim_packet *p = sim_heap_pop(sim);
    ltcp_sim_node *n = &sim->nodes[p->to];
    sim->stats.delivered++;
    sim_tap(sim, p->from, p->to, LTCP_SIM_DELIVERED, p->data, p->len);
    n->ops.input(n->ctx, sim->now, p->data, p->len);
    free(p);
  }
}

static void sim_advance_due(ltcp_sim *sim) {
  for (int i = 0; i < sim->node_count; i++) {
    ltcp_sim_node *n = &sim->nodes[i];
    if (n->ops.next_deadline(n->ctx) <= sim->now) n->ops.advance(n->ctx, sim->now);
  }
}

int ltcp_sim_step(ltcp_sim *sim, ltcp_time_ns limit) {
  sim_drain(sim);
  ltcp_time_ns t = sim_earliest(sim);
  if (t == LTCP_TIME_NEVER || t > limit) {
    /* With nothing left, a limit of "never" leaves the clock where it is. */
    if (limit != LTCP_TIME_NEVER && limit > sim->now) sim->now = limit;
    return 0;
  }
  LTCP_ASSERT(t >= sim->now);
  sim->now = t;
  sim_deliver_due(sim);
  sim_advance_due(sim);
  return 1;
}

void ltcp_sim_run_until(ltcp_sim *sim, ltcp_time_ns t) {
  uint32_t same = 0;
  ltcp_time_ns last = sim->now;
  uint64_t steps = 0;
  for (; steps < LTCP_SIM_RUN_STEPS_MAX && ltcp_sim_step(sim, t); steps++) {
    same = sim->now == last ? same + 1 : 0;
    last = sim->now;
    /* A node that never gets past its deadline, or packets bouncing with no delay. */
    LTCP_ASSERT(same < LTCP_SIM_SAME_TIME_MAX);
  }
  LTCP_ASSERT(steps < LTCP_SIM_RUN_STEPS_MAX);
}
