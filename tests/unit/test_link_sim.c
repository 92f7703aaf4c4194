/* The simulated network: exact timing, impairments, routing, deadlines and determinism, with
 * fake nodes that send scripted IPv4-shaped packets and record what they receive. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lucidtcp/sim.h"

#define FAKE_TX_MAX 1024
#define FAKE_RX_MAX 64
#define FAKE_PKT_MAX 128
#define FAKE_ADVANCE_MAX 16
#define FAKE_MIN_LEN 28

#define ADDR_A LTCP_IPV4(10, 0, 0, 1)
#define ADDR_B LTCP_IPV4(10, 0, 0, 2)
#define ADDR_C LTCP_IPV4(10, 0, 0, 3)
#define ADDR_D LTCP_IPV4(10, 0, 0, 4)

typedef struct fake_rx {
  ltcp_time_ns at;
  size_t len;
  uint8_t data[FAKE_PKT_MAX];
} fake_rx;

/* A node with a scripted output queue, a record of input, and a timer. With echo set it
 * answers every packet that is not itself an echo (byte 20 marks echoes), so traffic flows
 * both ways without growing without bound. */
typedef struct fake_node {
  uint32_t addr;
  uint8_t tx[FAKE_TX_MAX][FAKE_PKT_MAX];
  size_t tx_len[FAKE_TX_MAX];
  size_t tx_head, tx_count;
  fake_rx rx[FAKE_RX_MAX];
  size_t rx_count; /* all received; the first FAKE_RX_MAX are recorded */
  ltcp_time_ns deadline, period_ns;
  ltcp_time_ns advanced_at[FAKE_ADVANCE_MAX];
  size_t advance_count;
  ltcp_time_ns last_time; /* the latest time any call carried */
  int went_backwards;
  int echo;
} fake_node;

static void fake_seen(fake_node *n, ltcp_time_ns now) {
  if (now < n->last_time) n->went_backwards = 1;
  n->last_time = now;
}

/* A 20-byte IPv4 header (no checksum: the simulator does not look) and a payload: byte 20
 * marks echoes, bytes 24..27 carry the packet's id, the rest is filler. */
static size_t fake_build(uint8_t *buf, size_t len, uint32_t src, uint32_t dst, uint32_t id) {
  assert_true(len >= FAKE_MIN_LEN && len <= FAKE_PKT_MAX);
  memset(buf, 0, len);
  buf[0] = 0x45;
  buf[2] = (uint8_t)(len >> 8);
  buf[3] = (uint8_t)len;
  buf[8] = 64;
  buf[9] = 253; /* RFC 3692 experimental protocol */
  for (int i = 0; i < 4; i++) {
    buf[12 + i] = (uint8_t)(src >> (24 - 8 * i));
    buf[16 + i] = (uint8_t)(dst >> (24 - 8 * i));
  }
  for (size_t i = 28; i < len; i++) buf[i] = (uint8_t)(i * 31 + id);
  memcpy(buf + 24, &id, sizeof id);
  return len;
}

static uint32_t fake_id(const fake_rx *r) {
  uint32_t id;
  assert_true(r->len >= FAKE_MIN_LEN);
  memcpy(&id, r->data + 24, sizeof id);
  return id;
}

static void fake_queue_raw(fake_node *n, const uint8_t *pkt, size_t len) {
  assert_true(n->tx_count < FAKE_TX_MAX && len <= FAKE_PKT_MAX);
  size_t slot = (n->tx_head + n->tx_count) % FAKE_TX_MAX;
  memcpy(n->tx[slot], pkt, len);
  n->tx_len[slot] = len;
  n->tx_count++;
}

static void fake_send(fake_node *n, uint32_t dst, size_t len, uint32_t id) {
  uint8_t buf[FAKE_PKT_MAX];
  fake_queue_raw(n, buf, fake_build(buf, len, n->addr, dst, id));
}

static void fake_input(void *node, ltcp_time_ns now, const uint8_t *pkt, size_t len) {
  fake_node *n = node;
  fake_seen(n, now);
  if (n->rx_count < FAKE_RX_MAX) {
    fake_rx *r = &n->rx[n->rx_count];
    r->at = now;
    r->len = len < FAKE_PKT_MAX ? len : FAKE_PKT_MAX;
    memcpy(r->data, pkt, r->len);
  }
  n->rx_count++;
  if (n->echo && len >= FAKE_MIN_LEN && len <= FAKE_PKT_MAX && pkt[20] == 0 && n->tx_count < FAKE_TX_MAX) {
    uint8_t reply[FAKE_PKT_MAX];
    memcpy(reply, pkt, len);
    memcpy(reply + 16, pkt + 12, 4); /* back to the sender */
    memcpy(reply + 12, pkt + 16, 4);
    reply[20] = 1;
    fake_queue_raw(n, reply, len);
  }
}

static void fake_advance(void *node, ltcp_time_ns now) {
  fake_node *n = node;
  fake_seen(n, now);
  if (n->advance_count < FAKE_ADVANCE_MAX) n->advanced_at[n->advance_count] = now;
  n->advance_count++;
  n->deadline = n->period_ns ? now + n->period_ns : LTCP_TIME_NEVER;
}

static ltcp_time_ns fake_next_deadline(void *node) { return ((fake_node *)node)->deadline; }

static size_t fake_tx_peek(void *node, const uint8_t **pkt) {
  fake_node *n = node;
  if (n->tx_count == 0) return 0;
  *pkt = n->tx[n->tx_head];
  return n->tx_len[n->tx_head];
}

static void fake_tx_pop(void *node) {
  fake_node *n = node;
  assert_true(n->tx_count > 0);
  n->tx_head = (n->tx_head + 1) % FAKE_TX_MAX;
  n->tx_count--;
}

static const ltcp_sim_node_ops fake_ops = {fake_input, fake_advance, fake_next_deadline,
                                           fake_tx_peek, fake_tx_pop};

static fake_node *fake_new(uint32_t addr) {
  fake_node *n = calloc(1, sizeof *n);
  assert_non_null(n);
  n->addr = addr;
  n->deadline = LTCP_TIME_NEVER;
  return n;
}

/* Every tap callback, appended as bytes, so two runs compare with memcmp. */
typedef struct trace {
  uint8_t *buf;
  size_t len, cap;
  size_t fates[LTCP_SIM_UNROUTABLE + 1];
  ltcp_time_ns last_now;
  int went_backwards;
} trace;

static void trace_put(trace *t, const void *p, size_t len) {
  if (t->len + len > t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 4096;
    while (cap < t->len + len) cap *= 2;
    t->buf = realloc(t->buf, cap);
    assert_non_null(t->buf);
    t->cap = cap;
  }
  memcpy(t->buf + t->len, p, len);
  t->len += len;
}

static void trace_tap(void *ctx, ltcp_time_ns now, int from_node, int to_node,
                      ltcp_sim_fate fate, const uint8_t *pkt, size_t len) {
  trace *t = ctx;
  if (now < t->last_now) t->went_backwards = 1;
  t->last_now = now;
  int32_t head[3] = {from_node, to_node, (int32_t)fate};
  uint64_t l = len;
  trace_put(t, &now, sizeof now);
  trace_put(t, head, sizeof head);
  trace_put(t, &l, sizeof l);
  trace_put(t, pkt, len);
  assert_true((unsigned)fate <= LTCP_SIM_UNROUTABLE);
  t->fates[fate]++;
}

/* Two fake nodes A (index 0) and B (index 1) joined by one link. */
typedef struct pair {
  ltcp_sim *sim;
  fake_node *a, *b;
  trace tr;
} pair;

static void pair_init(pair *p, uint64_t seed, const ltcp_sim_path *a_to_b,
                      const ltcp_sim_path *b_to_a) {
  memset(p, 0, sizeof *p);
  p->sim = ltcp_sim_new(seed);
  assert_non_null(p->sim);
  p->a = fake_new(ADDR_A);
  p->b = fake_new(ADDR_B);
  assert_int_equal(ltcp_sim_add_node(p->sim, &fake_ops, p->a, ADDR_A), 0);
  assert_int_equal(ltcp_sim_add_node(p->sim, &fake_ops, p->b, ADDR_B), 1);
  assert_int_equal(ltcp_sim_link(p->sim, 0, 1, a_to_b, b_to_a), 0);
  assert_int_equal(ltcp_sim_add_tap(p->sim, trace_tap, &p->tr), 0);
}

static void pair_free(pair *p) {
  assert_false(p->tr.went_backwards);
  assert_false(p->a->went_backwards);
  assert_false(p->b->went_backwards);
  ltcp_sim_free(p->sim);
  free(p->a);
  free(p->b);
  free(p->tr.buf);
}

static void test_sim_step_latency_exact(void **state) {
  (void)state;
  ltcp_sim_path path = {.latency_ns = LTCP_MS(10)};
  pair p;
  pair_init(&p, 1, &path, &path);
  fake_send(p.a, ADDR_B, 40, 1);
  fake_send(p.a, ADDR_B, 40, 2);
  assert_int_equal(ltcp_sim_next_time(p.sim), LTCP_MS(10));
  ltcp_sim_run_until(p.sim, LTCP_SEC(1));
  assert_int_equal(p.b->rx_count, 2);
  assert_int_equal(p.b->rx[0].at, LTCP_MS(10));
  assert_int_equal(p.b->rx[1].at, LTCP_MS(10));
  assert_int_equal(fake_id(&p.b->rx[0]), 1); /* in the order sent */
  assert_int_equal(fake_id(&p.b->rx[1]), 2);
  assert_int_equal(p.a->rx_count, 0);
  assert_int_equal(ltcp_sim_now(p.sim), LTCP_SEC(1));
  assert_int_equal(ltcp_sim_get_stats(p.sim)->delivered, 2);
  pair_free(&p);
}

static void test_sim_step_bandwidth_spacing_exact(void **state) {
  (void)state;
  /* 100 bytes at 800 kbit/s: 1 ms on the wire each. */
  ltcp_sim_path path = {.latency_ns = LTCP_MS(5), .bandwidth_bps = 800000};
  pair p;
  pair_init(&p, 1, &path, &path);
  for (uint32_t i = 0; i < 3; i++) fake_send(p.a, ADDR_B, 100, i);
  ltcp_sim_run_until(p.sim, LTCP_MS(3) / 2);
  fake_send(p.a, ADDR_B, 100, 3); /* the wire is busy until 3 ms */
  ltcp_sim_run_until(p.sim, LTCP_SEC(1));
  assert_int_equal(p.b->rx_count, 4);
  assert_int_equal(p.b->rx[0].at, LTCP_MS(6));
  assert_int_equal(p.b->rx[1].at, LTCP_MS(7));
  assert_int_equal(p.b->rx[2].at, LTCP_MS(8));
  assert_int_equal(p.b->rx[3].at, LTCP_MS(9));
  pair_free(&p);
}

static void test_sim_step_bandwidth_idle_wire_starts_now(void **state) {
  (void)state;
  ltcp_sim_path path = {.latency_ns = LTCP_MS(5), .bandwidth_bps = 800000};
  pair p;
  pair_init(&p, 1, &path, &path);
  fake_send(p.a, ADDR_B, 100, 0);
  ltcp_sim_run_until(p.sim, LTCP_MS(20));
  fake_send(p.a, ADDR_B, 100, 1);
  ltcp_sim_run_until(p.sim, LTCP_SEC(1));
  assert_int_equal(p.b->rx_count, 2);
  assert_int_equal(p.b->rx[0].at, LTCP_MS(6));
  assert_int_equal(p.b->rx[1].at, LTCP_MS(26));
  pair_free(&p);
}

static void test_sim_step_queue_limit_drops_excess(void **state) {
  (void)state;
  /* The first packet goes straight onto the wire; two may wait; the rest are dropped. */
  ltcp_sim_path path = {.latency_ns = LTCP_MS(5), .bandwidth_bps = 800000, .queue_limit = 2};
  pair p;
  pair_init(&p, 1, &path, &path);
  for (uint32_t i = 0; i < 6; i++) fake_send(p.a, ADDR_B, 100, i);
  ltcp_sim_run_until(p.sim, LTCP_MS(1));
  /* At 1 ms the second packet is on the wire, so one place is free again. */
  fake_send(p.a, ADDR_B, 100, 6);
  fake_send(p.a, ADDR_B, 100, 7);
  ltcp_sim_run_until(p.sim, LTCP_SEC(1));
  const ltcp_sim_stats *s = ltcp_sim_get_stats(p.sim);
  assert_int_equal(s->sent, 8);
  assert_int_equal(s->queue_drops, 4);
  assert_int_equal(p.tr.fates[LTCP_SIM_QUEUE_DROP], 4);
  assert_int_equal(p.b->rx_count, 4);
  const uint8_t ids[] = {0, 1, 2, 6};
  for (int i = 0; i < 4; i++) {
    assert_int_equal(fake_id(&p.b->rx[i]), ids[i]);
    assert_int_equal(p.b->rx[i].at, LTCP_MS(6 + i));
  }
  pair_free(&p);
}

static void test_sim_step_loss_one_drops_all(void **state) {
  (void)state;
  ltcp_sim_path path = {.latency_ns = LTCP_MS(1), .loss = 1.0};
  pair p;
  pair_init(&p, 7, &path, &path);
  for (uint32_t i = 0; i < 500; i++) fake_send(p.a, ADDR_B, 40, i);
  ltcp_sim_run_until(p.sim, LTCP_SEC(1));
  assert_int_equal(p.b->rx_count, 0);
  assert_int_equal(ltcp_sim_get_stats(p.sim)->lost, 500);
  assert_int_equal(p.tr.fates[LTCP_SIM_LOST], 500);
  assert_int_equal(p.tr.fates[LTCP_SIM_SENT], 500);
  pair_free(&p);
}

static void test_sim_step_loss_zero_delivers_all(void **state) {
  (void)state;
  ltcp_sim_path path = {.latency_ns = LTCP_MS(1), .loss = 0.0};
  pair p;
  pair_init(&p, 7, &path, &path);
  for (uint32_t i = 0; i < 500; i++) fake_send(p.a, ADDR_B, 40, i);
  ltcp_sim_run_until(p.sim, LTCP_SEC(1));
  assert_int_equal(p.b->rx_count, 500);
  assert_int_equal(ltcp_sim_get_stats(p.sim)->lost, 0);
  assert_int_equal(ltcp_sim_get_stats(p.sim)->delivered, 500);
  pair_free(&p);
}

static void test_sim_step_loss_rate_statistical(void **state) {
  (void)state;
  /* 10000 trials at p = 0.3: sd = 45.8, so +-300 is 6.5 sd. */
  ltcp_sim_path path = {.latency_ns = LTCP_MS(1), .loss = 0.3};
  pair p;
  pair_init(&p, 12345, &path, &path);
  for (int round = 0; round < 10; round++) {
    for (uint32_t i = 0; i < 1000; i++) fake_send(p.a, ADDR_B, 40, i);
    ltcp_sim_run_until(p.sim, ltcp_sim_now(p.sim) + LTCP_SEC(1));
  }
  const ltcp_sim_stats *s = ltcp_sim_get_stats(p.sim);
  assert_int_equal(s->sent, 10000);
  assert_true(s->lost >= 2700 && s->lost <= 3300);
  assert_int_equal(s->lost + s->delivered, 10000);
  assert_int_equal(p.b->rx_count, s->delivered);
  pair_free(&p);
}

static void test_sim_step_duplicate_delivers_twice(void **state) {
  (void)state;
  ltcp_sim_path path = {.latency_ns = LTCP_MS(2), .duplicate = 1.0};
  pair p;
  pair_init(&p, 3, &path, &path);
  fake_send(p.a, ADDR_B, 60, 9);
  ltcp_sim_run_until(p.sim, LTCP_SEC(1));
  assert_int_equal(p.b->rx_count, 2);
  assert_int_equal(p.b->rx[0].at, LTCP_MS(2));
  assert_int_equal(p.b->rx[1].at, LTCP_MS(2) + LTCP_US(1));
  assert_int_equal(p.b->rx[1].len, 60);
  assert_memory_equal(p.b->rx[0].data, p.b->rx[1].data, 60);
  assert_int_equal(ltcp_sim_get_stats(p.sim)->duplicated, 1);
  assert_int_equal(p.tr.fates[LTCP_SIM_DUPLICATED], 1);
  assert_int_equal(p.tr.fates[LTCP_SIM_DELIVERED], 2);
  pair_free(&p);
}

static void test_sim_step_reorder_held_packet_arrives_later(void **state) {
  (void)state;
  ltcp_sim_path held = {.latency_ns = LTCP_MS(10), .reorder = 1.0};
  ltcp_sim_path plain = {.latency_ns = LTCP_MS(10)};
  pair p;
  pair_init(&p, 5, &held, &held);
  fake_send(p.a, ADDR_B, 40, 1);
  ltcp_sim_next_time(p.sim); /* takes packet 1 onto the reordering path */
  assert_int_equal(ltcp_sim_set_path(p.sim, 0, 1, &plain), 0);
  ltcp_sim_run_until(p.sim, LTCP_MS(1));
  fake_send(p.a, ADDR_B, 40, 2);
  ltcp_sim_run_until(p.sim, LTCP_SEC(1));
  assert_int_equal(p.b->rx_count, 2);
  assert_int_equal(fake_id(&p.b->rx[0]), 2);
  assert_int_equal(p.b->rx[0].at, LTCP_MS(11));
  assert_int_equal(fake_id(&p.b->rx[1]), 1);
  assert_int_equal(p.b->rx[1].at, LTCP_MS(10) + LTCP_MS(21)); /* default hold 2*latency+1ms */
  assert_int_equal(ltcp_sim_get_stats(p.sim)->reordered, 1);
  pair_free(&p);
}

static void test_sim_step_reorder_explicit_delay(void **state) {
  (void)state;
  ltcp_sim_path path = {.latency_ns = LTCP_MS(10), .reorder = 1.0, .reorder_delay_ns = 777};
  pair p;
  pair_init(&p, 5, &path, &path);
  fake_send(p.a, ADDR_B, 40, 1);
  ltcp_sim_run_until(p.sim, LTCP_SEC(1));
  assert_int_equal(p.b->rx_count, 1);
  assert_int_equal(p.b->rx[0].at, LTCP_MS(10) + 777);
  pair_free(&p);
}

static int popcount8(uint8_t v) {
  int n = 0;
  for (int i = 0; i < 8; i++) n += (v >> i) & 1;
  return n;
}

static void test_sim_step_corrupt_flips_one_bit(void **state) {
  (void)state;
  ltcp_sim_path path = {.latency_ns = LTCP_MS(1), .corrupt = 1.0};
  pair p;
  pair_init(&p, 11, &path, &path);
  uint8_t sent[20][100];
  for (uint32_t i = 0; i < 20; i++) {
    fake_build(sent[i], 100, ADDR_A, ADDR_B, i);
    fake_queue_raw(p.a, sent[i], 100);
  }
  ltcp_sim_run_until(p.sim, LTCP_SEC(1));
  assert_int_equal(p.b->rx_count, 20);
  int bytes_hit[100] = {0};
  for (int i = 0; i < 20; i++) {
    int flipped = 0;
    for (int k = 0; k < 100; k++) {
      int bits = popcount8((uint8_t)(sent[i][k] ^ p.b->rx[i].data[k]));
      flipped += bits;
      bytes_hit[k] += bits;
    }
    assert_int_equal(flipped, 1);
  }
  /* Not always the same byte. */
  int distinct = 0;
  for (int k = 0; k < 100; k++) distinct += bytes_hit[k] > 0;
  assert_true(distinct > 5);
  assert_int_equal(ltcp_sim_get_stats(p.sim)->corrupted, 20);
  assert_int_equal(p.tr.fates[LTCP_SIM_CORRUPTED], 20);
  pair_free(&p);
}

/* Everything on, traffic both ways, a timer, mid-run path changes: returns the trace. */
static void chaos_run(uint64_t seed, trace *out) {
  ltcp_sim_path path = {.latency_ns = LTCP_MS(3), .bandwidth_bps = 10000000, .queue_limit = 8,
                        .loss = 0.1, .duplicate = 0.1, .reorder = 0.1, .corrupt = 0.1};
  pair p;
  pair_init(&p, seed, &path, &path);
  p.b->echo = 1;
  p.a->period_ns = LTCP_US(2500);
  p.a->deadline = LTCP_US(2500);
  for (int round = 0; round < 20; round++) {
    for (uint32_t i = 0; i < 30; i++) fake_send(p.a, ADDR_B, FAKE_MIN_LEN + (i * 7) % 100, i + 100u * round);
    ltcp_sim_run_until(p.sim, ltcp_sim_now(p.sim) + LTCP_MS(7));
    if (round == 10) ltcp_sim_set_path(p.sim, 0, 1, &(ltcp_sim_path){.latency_ns = LTCP_MS(1)});
  }
  ltcp_sim_run_until(p.sim, ltcp_sim_now(p.sim) + LTCP_SEC(1));
  assert_true(p.tr.fates[LTCP_SIM_LOST] > 0);
  assert_true(p.tr.fates[LTCP_SIM_DUPLICATED] > 0);
  assert_true(p.tr.fates[LTCP_SIM_REORDERED] > 0);
  assert_true(p.tr.fates[LTCP_SIM_CORRUPTED] > 0);
  assert_true(p.tr.fates[LTCP_SIM_QUEUE_DROP] > 0);
  assert_true(p.a->rx_count > 0 && p.a->advance_count > 0);
  *out = p.tr;
  p.tr.buf = NULL; /* handed to the caller */
  pair_free(&p);
}

static void test_sim_run_until_same_seed_same_trace(void **state) {
  (void)state;
  trace t1, t2;
  chaos_run(42, &t1);
  chaos_run(42, &t2);
  assert_true(t1.len > 10000);
  assert_int_equal(t1.len, t2.len);
  assert_memory_equal(t1.buf, t2.buf, t1.len);
  free(t1.buf);
  free(t2.buf);
}

static void test_sim_run_until_different_seed_different_trace(void **state) {
  (void)state;
  trace t1, t2;
  chaos_run(42, &t1);
  chaos_run(43, &t2);
  assert_true(t1.len != t2.len || memcmp(t1.buf, t2.buf, t1.len) != 0);
  free(t1.buf);
  free(t2.buf);
}

/* A (10.0.0.1) links to B then C; D has no link. */
typedef struct triangle {
  ltcp_sim *sim;
  fake_node *n[4];
  trace tr;
} triangle;

static void triangle_init(triangle *t) {
  memset(t, 0, sizeof *t);
  t->sim = ltcp_sim_new(1);
  assert_non_null(t->sim);
  const uint32_t addrs[4] = {ADDR_A, ADDR_B, ADDR_C, ADDR_D};
  for (int i = 0; i < 4; i++) {
    t->n[i] = fake_new(addrs[i]);
    assert_int_equal(ltcp_sim_add_node(t->sim, &fake_ops, t->n[i], addrs[i]), i);
  }
  ltcp_sim_path ab = {.latency_ns = LTCP_MS(1)}, ac = {.latency_ns = LTCP_MS(2)};
  assert_int_equal(ltcp_sim_link(t->sim, 0, 1, &ab, &ab), 0);
  assert_int_equal(ltcp_sim_link(t->sim, 0, 2, &ac, &ac), 0);
  assert_int_equal(ltcp_sim_add_tap(t->sim, trace_tap, &t->tr), 0);
}

static void triangle_free(triangle *t) {
  ltcp_sim_free(t->sim);
  for (int i = 0; i < 4; i++) free(t->n[i]);
  free(t->tr.buf);
}

static void test_sim_step_routes_by_destination(void **state) {
  (void)state;
  triangle t;
  triangle_init(&t);
  fake_send(t.n[0], ADDR_C, 40, 1);
  fake_send(t.n[0], ADDR_B, 40, 2);
  fake_send(t.n[2], ADDR_A, 40, 3);
  ltcp_sim_run_until(t.sim, LTCP_SEC(1));
  assert_int_equal(t.n[2]->rx_count, 1);
  assert_int_equal(fake_id(&t.n[2]->rx[0]), 1);
  assert_int_equal(t.n[2]->rx[0].at, LTCP_MS(2));
  assert_int_equal(t.n[1]->rx_count, 1);
  assert_int_equal(fake_id(&t.n[1]->rx[0]), 2);
  assert_int_equal(t.n[0]->rx_count, 1);
  assert_int_equal(fake_id(&t.n[0]->rx[0]), 3);
  triangle_free(&t);
}

static void test_sim_step_default_route_first_link(void **state) {
  (void)state;
  triangle t;
  triangle_init(&t);
  uint8_t runt[10] = {0x45};
  fake_send(t.n[0], LTCP_IPV4(192, 0, 2, 1), 40, 1); /* unknown: first link, to B */
  fake_queue_raw(t.n[0], runt, sizeof runt);        /* too short to route: first link */
  fake_send(t.n[1], ADDR_C, 40, 2);                 /* B knows no C: its only link, to A */
  ltcp_sim_run_until(t.sim, LTCP_SEC(1));
  assert_int_equal(t.n[1]->rx_count, 2);
  assert_int_equal(fake_id(&t.n[1]->rx[0]), 1);
  assert_int_equal(t.n[1]->rx[1].len, sizeof runt);
  assert_int_equal(t.n[0]->rx_count, 1);
  assert_int_equal(t.n[2]->rx_count, 0);
  triangle_free(&t);
}

static void test_sim_step_no_link_unroutable(void **state) {
  (void)state;
  triangle t;
  triangle_init(&t);
  fake_send(t.n[3], ADDR_A, 40, 1);
  ltcp_sim_run_until(t.sim, LTCP_SEC(1));
  assert_int_equal(ltcp_sim_get_stats(t.sim)->unroutable, 1);
  assert_int_equal(ltcp_sim_get_stats(t.sim)->sent, 1);
  assert_int_equal(t.tr.fates[LTCP_SIM_UNROUTABLE], 1);
  assert_int_equal(t.n[0]->rx_count, 0);
  triangle_free(&t);
}

static void test_sim_step_advance_at_exact_deadline(void **state) {
  (void)state;
  pair p;
  pair_init(&p, 1, NULL, NULL);
  p.a->deadline = LTCP_MS(5);
  p.b->deadline = LTCP_US(3001);
  p.b->period_ns = LTCP_MS(3);
  assert_int_equal(ltcp_sim_next_time(p.sim), LTCP_US(3001));
  ltcp_sim_run_until(p.sim, LTCP_MS(10));
  assert_int_equal(p.a->advance_count, 1);
  assert_int_equal(p.a->advanced_at[0], LTCP_MS(5));
  assert_int_equal(p.b->advance_count, 3);
  assert_int_equal(p.b->advanced_at[0], LTCP_US(3001));
  assert_int_equal(p.b->advanced_at[1], LTCP_US(6001));
  assert_int_equal(p.b->advanced_at[2], LTCP_US(9001));
  assert_int_equal(ltcp_sim_now(p.sim), LTCP_MS(10));
  pair_free(&p);
}

static void test_sim_step_stale_deadline_runs_now(void **state) {
  (void)state;
  pair p;
  pair_init(&p, 1, NULL, NULL);
  ltcp_sim_run_until(p.sim, LTCP_MS(10));
  p.a->deadline = LTCP_MS(4); /* already past: due now, the clock stays */
  assert_int_equal(ltcp_sim_next_time(p.sim), LTCP_MS(10));
  assert_int_equal(ltcp_sim_step(p.sim, LTCP_MS(20)), 1);
  assert_int_equal(p.a->advance_count, 1);
  assert_int_equal(p.a->advanced_at[0], LTCP_MS(10));
  assert_int_equal(ltcp_sim_now(p.sim), LTCP_MS(10));
  pair_free(&p);
}

static void test_sim_step_limit_moves_clock(void **state) {
  (void)state;
  ltcp_sim_path path = {.latency_ns = LTCP_MS(10)};
  pair p;
  pair_init(&p, 1, &path, &path);
  assert_int_equal(ltcp_sim_next_time(p.sim), LTCP_TIME_NEVER);
  assert_int_equal(ltcp_sim_step(p.sim, LTCP_MS(1)), 0);
  assert_int_equal(ltcp_sim_now(p.sim), LTCP_MS(1));
  fake_send(p.a, ADDR_B, 40, 1); /* arrives at 11 ms */
  assert_int_equal(ltcp_sim_step(p.sim, LTCP_MS(5)), 0);
  assert_int_equal(ltcp_sim_now(p.sim), LTCP_MS(5));
  assert_int_equal(p.b->rx_count, 0);
  assert_int_equal(ltcp_sim_step(p.sim, LTCP_MS(3)), 0); /* the clock never goes back */
  assert_int_equal(ltcp_sim_now(p.sim), LTCP_MS(5));
  assert_int_equal(ltcp_sim_step(p.sim, LTCP_TIME_NEVER), 1);
  assert_int_equal(ltcp_sim_now(p.sim), LTCP_MS(11));
  assert_int_equal(p.b->rx_count, 1);
  assert_int_equal(ltcp_sim_step(p.sim, LTCP_TIME_NEVER), 0); /* nothing left: clock stays */
  assert_int_equal(ltcp_sim_now(p.sim), LTCP_MS(11));
  pair_free(&p);
}

static void test_sim_free_releases_packets_in_flight(void **state) {
  (void)state;
  ltcp_sim_path path = {.latency_ns = LTCP_SEC(10), .duplicate = 0.5, .bandwidth_bps = 1000000};
  pair p;
  pair_init(&p, 1, &path, &path);
  for (uint32_t i = 0; i < 100; i++) fake_send(p.a, ADDR_B, 100, i);
  ltcp_sim_run_until(p.sim, LTCP_SEC(1));
  assert_int_equal(p.b->rx_count, 0);
  pair_free(&p); /* ASan reports a leak if any copy stays */
}

static void test_sim_fate_name_all(void **state) {
  (void)state;
  assert_string_equal(ltcp_sim_fate_name(LTCP_SIM_SENT), "sent");
  assert_string_equal(ltcp_sim_fate_name(LTCP_SIM_DELIVERED), "delivered");
  assert_string_equal(ltcp_sim_fate_name(LTCP_SIM_LOST), "lost");
  assert_string_equal(ltcp_sim_fate_name(LTCP_SIM_QUEUE_DROP), "queue-drop");
  assert_string_equal(ltcp_sim_fate_name(LTCP_SIM_DUPLICATED), "duplicated");
  assert_string_equal(ltcp_sim_fate_name(LTCP_SIM_REORDERED), "reordered");
  assert_string_equal(ltcp_sim_fate_name(LTCP_SIM_CORRUPTED), "corrupted");
  assert_string_equal(ltcp_sim_fate_name(LTCP_SIM_UNROUTABLE), "unroutable");
  assert_string_equal(ltcp_sim_fate_name((ltcp_sim_fate)99), "?");
  assert_string_equal(ltcp_sim_fate_name((ltcp_sim_fate)-1), "?");
}

static void test_sim_add_node_bad_arguments(void **state) {
  (void)state;
  ltcp_sim *sim = ltcp_sim_new(1);
  fake_node *n = fake_new(ADDR_A);
  ltcp_sim_node_ops partial = fake_ops;
  partial.advance = NULL;
  assert_int_equal(ltcp_sim_add_node(sim, NULL, n, ADDR_A), LTCP_EINVAL);
  assert_int_equal(ltcp_sim_add_node(sim, &partial, n, ADDR_A), LTCP_EINVAL);
  for (int i = 0; i < 64; i++) assert_int_equal(ltcp_sim_add_node(sim, &fake_ops, n, ADDR_A), i);
  assert_int_equal(ltcp_sim_add_node(sim, &fake_ops, n, ADDR_A), LTCP_ENOBUFS);
  ltcp_sim_free(sim);
  free(n);
}

static void test_sim_link_bad_arguments(void **state) {
  (void)state;
  pair p;
  pair_init(&p, 1, NULL, NULL);
  ltcp_sim_path bad = {.loss = 1.5}, nan = {.corrupt = NAN};
  assert_int_equal(ltcp_sim_link(p.sim, 0, 1, NULL, NULL), LTCP_EALREADY);
  assert_int_equal(ltcp_sim_link(p.sim, 1, 0, NULL, NULL), LTCP_EALREADY);
  assert_int_equal(ltcp_sim_link(p.sim, 0, 0, NULL, NULL), LTCP_EINVAL);
  assert_int_equal(ltcp_sim_link(p.sim, 0, 2, NULL, NULL), LTCP_EINVAL);
  assert_int_equal(ltcp_sim_link(p.sim, -1, 1, NULL, NULL), LTCP_EINVAL);
  assert_int_equal(ltcp_sim_set_path(p.sim, 0, 1, &bad), LTCP_EINVAL);
  assert_int_equal(ltcp_sim_set_path(p.sim, 0, 1, &nan), LTCP_EINVAL);
  assert_int_equal(ltcp_sim_set_path(p.sim, 0, 5, NULL), LTCP_EINVAL);
  assert_int_equal(ltcp_sim_set_path(p.sim, 1, 0, NULL), 0);
  pair_free(&p);
}

static void test_sim_add_tap_at_most_eight_in_order(void **state) {
  (void)state;
  pair p;
  pair_init(&p, 1, NULL, NULL); /* tap 1 */
  trace more[7];
  memset(more, 0, sizeof more);
  for (int i = 0; i < 7; i++) assert_int_equal(ltcp_sim_add_tap(p.sim, trace_tap, &more[i]), 0);
  assert_int_equal(ltcp_sim_add_tap(p.sim, trace_tap, &more[0]), LTCP_ENOBUFS);
  assert_int_equal(ltcp_sim_add_tap(p.sim, NULL, NULL), LTCP_EINVAL);
  fake_send(p.a, ADDR_B, 40, 1);
  ltcp_sim_run_until(p.sim, LTCP_SEC(1));
  for (int i = 0; i < 7; i++) {
    assert_int_equal(more[i].len, p.tr.len);
    assert_memory_equal(more[i].buf, p.tr.buf, p.tr.len);
    free(more[i].buf);
  }
  assert_int_equal(p.tr.fates[LTCP_SIM_SENT], 1);
  assert_int_equal(p.tr.fates[LTCP_SIM_DELIVERED], 1);
  pair_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sim_step_latency_exact),
      cmocka_unit_test(test_sim_step_bandwidth_spacing_exact),
      cmocka_unit_test(test_sim_step_bandwidth_idle_wire_starts_now),
      cmocka_unit_test(test_sim_step_queue_limit_drops_excess),
      cmocka_unit_test(test_sim_step_loss_one_drops_all),
      cmocka_unit_test(test_sim_step_loss_zero_delivers_all),
      cmocka_unit_test(test_sim_step_loss_rate_statistical),
      cmocka_unit_test(test_sim_step_duplicate_delivers_twice),
      cmocka_unit_test(test_sim_step_reorder_held_packet_arrives_later),
      cmocka_unit_test(test_sim_step_reorder_explicit_delay),
      cmocka_unit_test(test_sim_step_corrupt_flips_one_bit),
      cmocka_unit_test(test_sim_run_until_same_seed_same_trace),
      cmocka_unit_test(test_sim_run_until_different_seed_different_trace),
      cmocka_unit_test(test_sim_step_routes_by_destination),
      cmocka_unit_test(test_sim_step_default_route_first_link),
      cmocka_unit_test(test_sim_step_no_link_unroutable),
      cmocka_unit_test(test_sim_step_advance_at_exact_deadline),
      cmocka_unit_test(test_sim_step_stale_deadline_runs_now),
      cmocka_unit_test(test_sim_step_limit_moves_clock),
      cmocka_unit_test(test_sim_free_releases_packets_in_flight),
      cmocka_unit_test(test_sim_fate_name_all),
      cmocka_unit_test(test_sim_add_node_bad_arguments),
      cmocka_unit_test(test_sim_link_bad_arguments),
      cmocka_unit_test(test_sim_add_tap_at_most_eight_in_order),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
